// kg actor network: draws #kg-data with Cytoscape.js (bundled, kg/assets/vendor) and its
// fCoSE layout, and wires filters, tooltips, the details panel and the timeline. Actors
// can be dragged; wheel zooms, dragging the background pans. No network access.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("kg-data").textContent);
  const container = document.getElementById("network");
  const tooltip = document.getElementById("tooltip");
  const details = document.getElementById("details");
  const nodesById = new Map(data.nodes.map((n) => [n.id, n]));
  const state = { relations: new Set(data.relations), from: "", to: "", undated: true, selected: null };

  function html(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  // ------------------------------------------------------------------ drawing
  cytoscape.use(cytoscapeFcose);
  // a big network is drawn more cheaply: straight lines, labels only when zoomed in, lines
  // hidden while panning, and fCoSE's draft (spectral) layout, whose refinement takes a
  // minute there
  const big = data.nodes.length > 1000 || data.edges.length > 4000;
  const elements = data.nodes.map((n) => ({ group: "nodes", data: {
    id: n.id, label: n.label, type: n.type, colour: n.colour, size: 2 * n.r, activity: n.activity } }));
  data.edges.forEach((edge, index) => elements.push({ group: "edges", data: {
    id: `edge-${index}`, index, source: edge.source, target: edge.target, relation: edge.relation, width: 1 } }));
  const style = [
    { selector: "node", style: {
      "background-color": "data(colour)", width: "data(size)", height: "data(size)", label: "data(label)",
      "font-size": 11, "text-valign": "center", "text-halign": "right", "text-margin-x": 3,
      "text-outline-color": "#fff", "text-outline-width": 2, "border-color": "#fff", "border-width": 1.5,
      "min-zoomed-font-size": big ? 14 : 7 } },
    { selector: "node[type = 'State']", style: { shape: "round-rectangle" } },
    { selector: "node[type = 'Organization']", style: { shape: "diamond" } },
    { selector: "node.dim", style: { opacity: 0.2 } },
    { selector: "node.picked", style: { "border-color": "#000", "border-width": 3 } },
    { selector: "edge", style: { width: "data(width)", "curve-style": big ? "straight" : "bezier", opacity: 0.75 } },
    { selector: "edge:active, edge.hover", style: { opacity: 1, "overlay-opacity": 0 } },
    { selector: "edge.hidden", style: { display: "none" } },
  ];
  for (const relation of data.relations) {
    const s = data.styles[relation];
    const look = { "line-color": s.colour, "target-arrow-color": s.colour,
      "line-style": s.dash ? (relation === "demanded" ? "dotted" : "dashed") : "solid" };
    if (relation === "demanded") look["target-arrow-shape"] = "triangle";
    style.push({ selector: `edge[relation = '${relation}']`, style: look });
  }
  const cy = cytoscape({
    container, elements, style, minZoom: 0.02, maxZoom: 5, hideEdgesOnViewport: big, pixelRatio: big ? 1 : "auto",
    boxSelectionEnabled: false, autoungrabify: false,
  });
  const layout = cy.layout({ name: "fcose", quality: big ? "draft" : "default",
    randomize: true, animate: false, fit: true, padding: 20, nodeRepulsion: 6000, idealEdgeLength: 70,
    packComponents: true });

  // ------------------------------------------------------------------ filters
  function passes(event) {
    if (!state.relations.has(event.relation)) return false;
    if (!event.date) return state.undated;
    // dates may be partial ("2025-12"): compare on the precision both have
    const day = event.date;
    const cut = (a, b) => a.slice(0, Math.min(a.length, b.length));
    if (state.from && cut(day, state.from) < cut(state.from, day)) return false;
    if (state.to && cut(day, state.to) > cut(state.to, day)) return false;
    return true;
  }

  const visible = data.edges.map(() => []);  // per edge: the indexes of its events shown
  function apply() {
    const active = new Set();
    let shownEdges = 0;
    cy.batch(() => {
      cy.edges().forEach((element) => {
        const index = element.data("index"), edge = data.edges[index];
        visible[index] = edge.events.filter((i) => passes(data.events[i]));
        const count = visible[index].length;
        element.toggleClass("hidden", count === 0);
        element.data("count", count);
        element.data("width", 1 + 1.5 * Math.log2(Math.max(1, count)));
        if (count) { active.add(edge.source); active.add(edge.target); shownEdges += 1; }
      });
      cy.nodes().forEach((node) => { node.toggleClass("dim", !active.has(node.id())); });
    });
    const events = data.events.filter(passes);
    document.getElementById("summary").textContent =
      `${active.size} actors, ${shownEdges} links, ${events.length} events shown`;
    container.dataset.visibleEdges = String(shownEdges);
    renderTimeline();
    if (state.selected) renderDetails(state.selected);
  }

  const relationBox = document.getElementById("relation-filter");
  for (const relation of data.relations) {
    const label = html("label");
    const box = document.createElement("input");
    box.type = "checkbox"; box.checked = true; box.value = relation; box.id = `relation-${relation}`;
    box.addEventListener("change", () => {
      if (box.checked) state.relations.add(relation); else state.relations.delete(relation);
      apply();
    });
    const swatch = html("span", "", "swatch");
    swatch.style.background = data.styles[relation].colour;
    swatch.style.borderRadius = "0";
    label.append(box, " ", swatch, relation);
    relationBox.appendChild(label);
  }
  const dates = data.events.map((e) => e.date).filter(Boolean).sort();
  const from = document.getElementById("date-from"), to = document.getElementById("date-to");
  if (dates.length) {
    from.min = to.min = dates[0].length === 10 ? dates[0] : `${dates[0].slice(0, 7)}-01`.slice(0, 10);
  }
  from.addEventListener("change", () => { state.from = from.value; apply(); });
  to.addEventListener("change", () => { state.to = to.value; apply(); });
  const undated = document.getElementById("show-undated");
  undated.addEventListener("change", () => { state.undated = undated.checked; apply(); });

  // ------------------------------------------------------------------ tooltip, details, timeline
  function eventLine(event) {
    const item = html("li");
    item.dataset.relation = event.relation;
    const when = event.date ? (event.reportedOnly ? `${event.date} (reported)` : event.date) : "undated";
    item.append(html("span", when + " "), html("span", event.relation, `relation ${event.relation}`), " ");
    const who = event.addressees.length ? `${event.actors.join(", ")} → ${event.addressees.join(", ")}` : event.actors.join(", ");
    item.append(html("span", who));
    if (event.place) item.append(html("span", ` in ${event.place}`));
    if (event.content) item.append(html("div", `„${event.content}“`));
    item.append(html("div", event.evidence, "evidence"), html("div", `source: ${event.doc}`, "doc"));
    return item;
  }
  function edgeTip(index) {
    const edge = data.edges[index], shown = visible[index];
    const a = nodesById.get(edge.source).label, b = nodesById.get(edge.target).label;
    const parts = [html("strong", `${a} — ${edge.relation} — ${b} (${shown.length})`)];
    for (const i of shown.slice(0, 4)) {
      const e = data.events[i];
      parts.push(html("div", `${e.date || "undated"}${e.place ? ", " + e.place : ""} [${e.doc}]`, "doc"));
      parts.push(html("div", e.evidence, "evidence"));
    }
    if (shown.length > 4) parts.push(html("div", `… ${shown.length - 4} more`));
    return parts;
  }
  function showTip(position, parts) {
    tooltip.replaceChildren(...parts);
    tooltip.hidden = false;
    tooltip.style.left = `${Math.min(position.x + 12, container.clientWidth - 300)}px`;
    tooltip.style.top = `${position.y + 12}px`;
  }
  function hideTip() { tooltip.hidden = true; }
  cy.on("mouseover", "edge", (ev) => { ev.target.addClass("hover"); showTip(ev.renderedPosition, edgeTip(ev.target.data("index"))); });
  cy.on("mouseout", "edge", (ev) => { ev.target.removeClass("hover"); hideTip(); });
  cy.on("mouseover", "node", (ev) => {
    const node = nodesById.get(ev.target.id());
    showTip(ev.renderedPosition, [html("strong", node.label), html("div", `${node.type}, ${node.activity} events`)]);
  });
  cy.on("mouseout", "node", hideTip);
  cy.on("grab", "node", hideTip);
  cy.on("tap", "node", (ev) => select(ev.target.id()));
  function select(id) {
    state.selected = state.selected === id ? null : id;
    cy.nodes().removeClass("picked");
    if (state.selected) { cy.getElementById(state.selected).addClass("picked"); renderDetails(state.selected); }
    else details.replaceChildren(html("p", "Click an actor to list its events.", "hint"));
  }
  function renderDetails(id) {
    const node = nodesById.get(id);
    const indexes = new Set();
    data.edges.forEach((edge, index) => {
      if (edge.source === id || edge.target === id) visible[index].forEach((i) => indexes.add(i));
    });
    const list = html("ol");
    [...indexes].sort((x, y) => x - y).forEach((i) => list.appendChild(eventLine(data.events[i])));
    details.replaceChildren(html("h2", node.label), html("p", `${node.type} · ${indexes.size} events shown`), list);
  }
  const TIMELINE_LIMIT = 2000;  // more list items would take the page seconds to build
  function renderTimeline() {
    const list = document.getElementById("timeline"), events = data.events.filter(passes);
    list.replaceChildren(...events.slice(0, TIMELINE_LIMIT).map(eventLine));
    const more = document.getElementById("timeline-more");
    more.hidden = events.length <= TIMELINE_LIMIT;
    more.textContent = `… and ${events.length - TIMELINE_LIMIT} more: narrow the dates or relations to list them`;
  }

  // ------------------------------------------------------------------ legend
  const legend = document.getElementById("legend");
  for (const camp of data.legend) {
    const item = html("span");
    const swatch = html("span", "", "swatch");
    swatch.style.background = camp.colour;
    item.append(swatch, camp.label);
    legend.appendChild(item);
  }
  legend.appendChild(html("span", "● person  ■ state  ◆ organisation; size = number of events; drag an actor to move it"));

  const started = performance.now();
  layout.one("layoutstop", () => {
    container.dataset.layoutMs = String(Math.round(performance.now() - started));
    apply();
    window.kgNetwork = { cy, data, visible, apply };
    document.body.setAttribute("data-ready", "true");
  });
  layout.run();
})();
