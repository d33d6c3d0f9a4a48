// kg actor network: draws the laid-out graph from #kg-data and wires filters, tooltips,
// the details panel, the timeline and pan/zoom. No libraries, no network access.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("kg-data").textContent);
  const SVG = "http://www.w3.org/2000/svg";
  const svg = document.getElementById("network");
  const tooltip = document.getElementById("tooltip");
  const details = document.getElementById("details");
  const nodesById = new Map(data.nodes.map((n) => [n.id, n]));
  const state = { relations: new Set(data.relations), from: "", to: "", undated: true, selected: null };

  function el(name, attrs, parent) {
    const node = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (parent) parent.appendChild(node);
    return node;
  }
  function html(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  // ------------------------------------------------------------------ drawing
  svg.setAttribute("viewBox", `0 0 ${data.width} ${data.height}`);
  const defs = el("defs", {}, svg);
  const marker = el("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5",
    markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" }, defs);
  el("path", { d: "M0,0 L10,5 L0,10 z", fill: data.styles.demanded.colour }, marker);
  const world = el("g", { id: "world" }, svg);
  const edgeLayer = el("g", { id: "edges" }, world);
  const nodeLayer = el("g", { id: "nodes" }, world);
  const bends = { "met-with": 0, "agreed-to": 18, "demanded": -18 };

  function edgePath(a, b, relation) {
    let x2 = b.x, y2 = b.y;
    const d = Math.hypot(b.x - a.x, b.y - a.y) || 1;
    if (relation === "demanded") { x2 = b.x - (b.x - a.x) / d * (b.r + 2); y2 = b.y - (b.y - a.y) / d * (b.r + 2); }
    const bend = bends[relation] || 0;
    const cx = (a.x + x2) / 2 - (y2 - a.y) / d * bend, cy = (a.y + y2) / 2 + (x2 - a.x) / d * bend;
    return `M${a.x},${a.y} Q${cx},${cy} ${x2},${y2}`;
  }

  const edgeViews = data.edges.map((edge) => {
    const a = nodesById.get(edge.source), b = nodesById.get(edge.target);
    const style = data.styles[edge.relation];
    const path = el("path", { class: `edge ${edge.relation}`, d: edgePath(a, b, edge.relation),
      stroke: style.colour, "data-relation": edge.relation,
      "data-source-label": a.label, "data-target-label": b.label }, edgeLayer);
    if (style.dash) path.setAttribute("stroke-dasharray", style.dash);
    if (edge.relation === "demanded") path.setAttribute("marker-end", "url(#arrow)");
    path.addEventListener("mousemove", (ev) => showTip(ev, edgeTip(edge)));
    path.addEventListener("mouseleave", hideTip);
    return { edge, path, visible: [] };
  });

  const nodeViews = data.nodes.map((node) => {
    let shape;
    const common = { class: "node", fill: node.colour, "data-id": node.id, "data-label": node.label, "data-type": node.type };
    if (node.type === "State") {
      shape = el("rect", { ...common, x: node.x - node.r, y: node.y - node.r, width: 2 * node.r, height: 2 * node.r, rx: 3 }, nodeLayer);
    } else if (node.type === "Organization") {
      const p = [[node.x, node.y - node.r], [node.x + node.r, node.y], [node.x, node.y + node.r], [node.x - node.r, node.y]];
      shape = el("polygon", { ...common, points: p.map((q) => q.join(",")).join(" ") }, nodeLayer);
    } else {
      shape = el("circle", { ...common, cx: node.x, cy: node.y, r: node.r }, nodeLayer);
    }
    const label = el("text", { class: "node-label", x: node.x + node.r + 3, y: node.y + 4 }, nodeLayer);
    label.textContent = node.label;
    shape.addEventListener("mousemove", (ev) => showTip(ev, [html("strong", node.label), html("div", `${node.type}, ${node.activity} events`)]));
    shape.addEventListener("mouseleave", hideTip);
    shape.addEventListener("click", () => select(node.id));
    return { node, shape, label };
  });

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

  function apply() {
    const active = new Set();
    let shownEdges = 0;
    for (const view of edgeViews) {
      view.visible = view.edge.events.filter((i) => passes(data.events[i]));
      const shown = view.visible.length > 0;
      view.path.classList.toggle("hidden", !shown);
      view.path.setAttribute("data-count", String(view.visible.length));
      view.path.setAttribute("stroke-width", (1 + 1.5 * Math.log2(Math.max(1, view.visible.length))).toFixed(1));
      if (shown) { active.add(view.edge.source); active.add(view.edge.target); shownEdges += 1; }
    }
    for (const view of nodeViews) {
      const dim = !active.has(view.node.id);
      view.shape.classList.toggle("dim", dim);
      view.label.classList.toggle("dim", dim);
    }
    const events = data.events.filter(passes);
    document.getElementById("summary").textContent =
      `${active.size} actors, ${shownEdges} links, ${events.length} events shown`;
    svg.setAttribute("data-visible-edges", String(shownEdges));
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
  function edgeTip(edge) {
    const view = edgeViews.find((v) => v.edge === edge);
    const a = nodesById.get(edge.source).label, b = nodesById.get(edge.target).label;
    const parts = [html("strong", `${a} — ${edge.relation} — ${b} (${view.visible.length})`)];
    for (const i of view.visible.slice(0, 4)) {
      const e = data.events[i];
      parts.push(html("div", `${e.date || "undated"}${e.place ? ", " + e.place : ""} [${e.doc}]`, "doc"));
      parts.push(html("div", e.evidence, "evidence"));
    }
    if (view.visible.length > 4) parts.push(html("div", `… ${view.visible.length - 4} more`));
    return parts;
  }
  function showTip(ev, parts) {
    tooltip.replaceChildren(...parts);
    tooltip.hidden = false;
    const box = svg.parentElement.getBoundingClientRect();
    tooltip.style.left = `${Math.min(ev.clientX - box.left + 12, box.width - 300)}px`;
    tooltip.style.top = `${ev.clientY - box.top + 12}px`;
  }
  function hideTip() { tooltip.hidden = true; }
  function select(id) {
    state.selected = state.selected === id ? null : id;
    for (const view of nodeViews) view.shape.classList.toggle("selected", view.node.id === state.selected);
    if (state.selected) renderDetails(state.selected);
    else details.replaceChildren(html("p", "Click an actor to list its events.", "hint"));
  }
  function renderDetails(id) {
    const node = nodesById.get(id);
    const indexes = new Set();
    for (const view of edgeViews) {
      if (view.edge.source === id || view.edge.target === id) view.visible.forEach((i) => indexes.add(i));
    }
    const list = html("ol");
    [...indexes].sort((x, y) => x - y).forEach((i) => list.appendChild(eventLine(data.events[i])));
    details.replaceChildren(html("h2", node.label), html("p", `${node.type} · ${indexes.size} events shown`), list);
  }
  function renderTimeline() {
    const list = document.getElementById("timeline");
    list.replaceChildren(...data.events.filter(passes).map(eventLine));
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
  legend.appendChild(html("span", "● person  ■ state  ◆ organisation; size = number of events"));

  // ------------------------------------------------------------------ pan and zoom
  let view = { x: 0, y: 0, w: data.width, h: data.height }, drag = null;
  function setView() { svg.setAttribute("viewBox", `${view.x} ${view.y} ${view.w} ${view.h}`); }
  svg.addEventListener("wheel", (ev) => {
    ev.preventDefault();
    const box = svg.getBoundingClientRect();
    const fx = (ev.clientX - box.left) / box.width, fy = (ev.clientY - box.top) / box.height;
    const scale = ev.deltaY > 0 ? 1.15 : 1 / 1.15;
    const w = view.w * scale, h = view.h * scale;
    view = { x: view.x + (view.w - w) * fx, y: view.y + (view.h - h) * fy, w, h };
    setView();
  }, { passive: false });
  svg.addEventListener("mousedown", (ev) => { drag = { x: ev.clientX, y: ev.clientY, view: { ...view } }; });
  window.addEventListener("mouseup", () => { drag = null; });
  window.addEventListener("mousemove", (ev) => {
    if (!drag) return;
    const box = svg.getBoundingClientRect();
    view.x = drag.view.x - (ev.clientX - drag.x) * view.w / box.width;
    view.y = drag.view.y - (ev.clientY - drag.y) * view.h / box.height;
    setView();
  });

  apply();
  document.body.setAttribute("data-ready", "true");
})();
