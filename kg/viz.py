"""Pictures of the actor network: a self-contained interactive HTML page and a static SVG.

The page draws with Cytoscape.js and lays itself out in the browser (fCoSE), so actors can
be dragged and thousands of them stay interactive; the libraries, stylesheet, script and
template are package data in ``kg/assets/`` and are inlined: it needs no network. The
static SVG is laid out here, once and deterministically (a force-directed layout with a
fixed start, O(n²) in memory: meant for small networks).
"""
from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from kg.errors import InputError
from kg.model import Relation
from kg.network import RELATIONS, Network, timeline

WIDTH, HEIGHT = 1000, 700
# camps (a state or organisation with its people) get these colours by activity
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f")
OTHER_COLOUR = "#b0b0b0"
RELATION_STYLE = {  # stroke colour and dash pattern per relation
    Relation.MET_WITH.value: ("#555555", ""),
    Relation.AGREED_TO.value: ("#2a9d55", "6 3"),
    Relation.DEMANDED.value: ("#c0392b", "2 3"),
}


@dataclass(frozen=True)
class PlacedNode:
    iri: str
    label: str
    type: str
    camp: str
    colour: str
    x: float
    y: float
    radius: float
    activity: int


@dataclass(frozen=True)
class PlacedEdge:
    relation: str
    source: str
    target: str
    events: tuple[int, ...]  # indexes into the page's event list


@dataclass
class Picture:
    nodes: list[PlacedNode]
    edges: list[PlacedEdge]
    events: list[dict]
    camps: list[tuple[str, str]]  # (label, colour) for the legend


def layout(
    nodes: list[str], pairs: list[tuple[str, str, float]], radii: list[float] | None = None, iterations: int = 300,
) -> dict[str, tuple[float, float]]:
    """Fruchterman–Reingold with gravity from a fixed circle (same input, same picture),
    scaled to the canvas, then nodes that would overlap (given their ``radii``) are
    pushed apart."""
    n = len(nodes)
    if n == 0:
        return {}
    index = {iri: i for i, iri in enumerate(nodes)}
    angle = np.linspace(0, 2 * np.pi, n, endpoint=False)
    pos = np.stack([np.cos(angle), np.sin(angle)], axis=1) * 0.5
    weights = np.zeros((n, n))
    for a, b, w in pairs:
        i, j = index[a], index[b]
        weights[i, j] += w
        weights[j, i] += w
    k = 1.0 / math.sqrt(n)
    pull = np.log1p(weights) / k  # attraction per unit of distance, fixed for the run
    # x and y apart, as n×n float32 planes with buffers reused: a 1,400-actor network is
    # 300 passes over 2 million pairs
    pull = pull.astype(np.float32)
    x, y = pos[:, 0].astype(np.float32), pos[:, 1].astype(np.float32)
    dx, dy, distance, coefficient = (np.empty((n, n), dtype=np.float32) for _ in range(4))
    temperature = 0.1
    for _ in range(iterations if n > 1 else 0):
        np.subtract.outer(x, x, out=dx)
        np.subtract.outer(y, y, out=dy)
        np.multiply(dx, dx, out=distance)
        np.multiply(dy, dy, out=coefficient)
        distance += coefficient
        distance += 1e-9
        np.sqrt(distance, out=coefficient)
        # repulsion k²/d² and attraction log(1+w)·d/k, both along the pair's delta
        coefficient *= pull
        np.divide(k * k, distance, out=distance)
        np.subtract(distance, coefficient, out=coefficient)
        # gravity keeps unconnected parts near the middle instead of at the edges
        fx = np.einsum("ij,ij->i", coefficient, dx) - 0.6 * x
        fy = np.einsum("ij,ij->i", coefficient, dy) - 0.6 * y
        length = np.hypot(fx, fy) + 1e-9
        step = np.minimum(length, temperature) / length
        x += fx * step
        y += fy * step
        temperature *= 0.985
    pos = np.stack([x, y], axis=1).astype(np.float64)
    margin, label_room = 40, 150  # labels are written to the right of their node
    low, high = pos.min(axis=0), pos.max(axis=0)
    span = np.where(high - low > 1e-9, high - low, 1.0)
    xy = margin + (pos - low) / span * np.array([WIDTH - 2 * margin - label_room, HEIGHT - 2 * margin])
    x, y = xy[:, 0].astype(np.float32), xy[:, 1].astype(np.float32)
    r = np.array(radii if radii is not None else [8.0] * n, dtype=np.float32)
    reach = r[:, None] + r[None, :] + 22  # two radii and room for a label between
    np.fill_diagonal(reach, 0.0)
    for _ in range(200 if n > 1 else 0):  # overlap removal in canvas pixels
        np.subtract.outer(x, x, out=dx)
        np.subtract.outer(y, y, out=dy)
        np.multiply(dx, dx, out=distance)
        np.multiply(dy, dy, out=coefficient)
        distance += coefficient
        np.sqrt(distance, out=distance)
        np.fill_diagonal(distance, 1.0)
        np.subtract(reach, distance, out=coefficient)
        np.clip(coefficient, 0, None, out=coefficient)
        if not coefficient.any():
            break
        # nodes at the same spot (distance 0) are not pushed: no direction to push them in
        apart = distance > 0
        np.divide(coefficient, distance, out=coefficient, where=apart)
        coefficient *= apart
        coefficient *= 0.5
        x = np.clip(x + np.einsum("ij,ij->i", coefficient, dx), margin, WIDTH - margin - label_room)
        y = np.clip(y + np.einsum("ij,ij->i", coefficient, dy), margin, HEIGHT - margin)
    xy = np.stack([x, y], axis=1).astype(np.float64)
    return {iri: (round(float(xy[i, 0]), 1), round(float(xy[i, 1]), 1)) for iri, i in index.items()}


def picture(network: Network, placed: bool = True) -> Picture:
    """The actors that take part in at least one link, and the links grouped into edges;
    ``placed``: laid out here (the SVG; the page lays itself out in the browser)."""
    activity = network.activity()
    present = sorted(activity, key=lambda iri: (network.label(iri).casefold(), iri))

    camp_activity: dict[str, int] = {}
    for iri in present:
        camp = network.camp(iri)
        camp_activity[camp] = camp_activity.get(camp, 0) + activity[iri]
    ranked = sorted(camp_activity, key=lambda c: (-camp_activity[c], network.label(c)))
    colours = {camp: PALETTE[i] if i < len(PALETTE) else OTHER_COLOUR for i, camp in enumerate(ranked)}

    events: list[dict] = []
    event_index: dict[str, int] = {}
    for entry in timeline(network):
        event_index[entry.event] = len(events)
        events.append({
            "relation": entry.relation, "date": entry.date, "reportedOnly": entry.reported_only,
            "actors": list(entry.actors), "addressees": list(entry.addressees), "place": entry.place,
            "content": entry.content, "doc": entry.doc, "evidence": entry.evidence,
        })

    grouped: dict[tuple[str, str, str], set[int]] = {}
    for link in network.links:
        grouped.setdefault((link.relation, link.source, link.target), set()).add(event_index[link.event])
    edges = [PlacedEdge(rel, s, t, tuple(sorted(found))) for (rel, s, t), found in sorted(grouped.items())]

    pairs = [(e.source, e.target, float(len(e.events))) for e in edges]
    radii = [round(5 + 2.5 * math.sqrt(activity[iri]), 1) for iri in present]
    positions = layout(present, pairs, radii) if placed else {}
    nodes = []
    for iri, radius in zip(present, radii, strict=True):
        actor = network.actors[iri]
        x, y = positions.get(iri, (0.0, 0.0))
        nodes.append(PlacedNode(iri, actor.label, actor.type or "Actor", network.camp(iri), colours[network.camp(iri)], x, y,
                                radius, activity[iri]))
    legend = [(network.label(c), colours[c]) for c in ranked[: len(PALETTE)]]
    return Picture(nodes, edges, events, legend)


# ---------------------------------------------------------------------------- HTML

def _asset(name: str) -> str:
    return resources.files("kg").joinpath("assets", *name.split("/")).read_text(encoding="utf-8")


def _script_json(data) -> str:
    """JSON that cannot end its <script> element early."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/").replace("<!--", "<\\!--")


#: Cytoscape.js and its fCoSE layout (kg/assets/vendor/VENDOR.md), inlined in this order
LIBRARIES = ("cytoscape.min.js", "layout-base.js", "cose-base.js", "cytoscape-fcose.js")


def render_html(network: Network, title: str = "kg: actor network") -> str:
    pic = picture(network, placed=False)
    data = {
        "relations": list(RELATIONS),
        "styles": {rel: {"colour": c, "dash": d} for rel, (c, d) in RELATION_STYLE.items()},
        "nodes": [{"id": n.iri, "label": n.label, "type": n.type, "colour": n.colour,
                   "r": n.radius, "activity": n.activity} for n in pic.nodes],
        "edges": [{"relation": e.relation, "source": e.source, "target": e.target, "events": list(e.events)}
                  for e in pic.edges],
        "events": pic.events,
        "legend": [{"label": label, "colour": colour} for label, colour in pic.camps],
    }
    page = _asset("network.html")
    return (page.replace("{{title}}", html.escape(title))
                .replace("/*{{style}}*/", _asset("network.css"))
                .replace("{{data}}", _script_json(data))
                .replace("/*{{libraries}}*/", "\n".join(_asset(f"vendor/cytoscape/{name}") for name in LIBRARIES))
                .replace("/*{{script}}*/", _asset("network.js")))


# ---------------------------------------------------------------------------- SVG

def _shape(node: PlacedNode) -> str:
    x, y, r = node.x, node.y, node.radius
    style = f'fill="{node.colour}" stroke="#ffffff" stroke-width="1.5"'
    if node.type == "State":
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" rx="3" {style}/>'
    if node.type == "Organization":
        return f'<polygon points="{x:.1f},{y - r:.1f} {x + r:.1f},{y:.1f} {x:.1f},{y + r:.1f} {x - r:.1f},{y:.1f}" {style}/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" {style}/>'


def _offset(relation: str) -> float:
    """Parallel edges of different relations bend apart."""
    return {Relation.MET_WITH.value: 0.0, Relation.AGREED_TO.value: 18.0, Relation.DEMANDED.value: -18.0}[relation]


def edge_path(x1: float, y1: float, x2: float, y2: float, bend: float) -> str:
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy) or 1.0
    cx, cy = mx - dy / length * bend, my + dx / length * bend
    return f"M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} {x2:.1f},{y2:.1f}"


def render_svg(network: Network, title: str = "kg: actor network") -> str:
    pic = picture(network)
    nodes = {n.iri: n for n in pic.nodes}
    esc = html.escape
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT + 60}" width="{WIDTH}" height="{HEIGHT + 60}" '
        f'font-family="sans-serif" font-size="11">',
        f"<title>{esc(title)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{RELATION_STYLE[Relation.DEMANDED.value][0]}"/></marker></defs>',
        f'<rect width="{WIDTH}" height="{HEIGHT + 60}" fill="#ffffff"/>',
    ]
    for edge in pic.edges:
        a, b = nodes[edge.source], nodes[edge.target]
        colour, dash = RELATION_STYLE[edge.relation]
        width = 1 + 1.5 * math.log2(len(edge.events))
        x2, y2 = b.x, b.y
        marker = ""
        if edge.relation == Relation.DEMANDED.value:  # stop the arrow at the target's rim
            d = math.hypot(b.x - a.x, b.y - a.y) or 1.0
            x2, y2 = b.x - (b.x - a.x) / d * (b.radius + 2), b.y - (b.y - a.y) / d * (b.radius + 2)
            marker = ' marker-end="url(#arrow)"'
        tip = "\n".join(
            f'{e["date"] or "undated"} {e["place"]} [{e["doc"]}]: {e["evidence"]}'
            for e in (pic.events[i] for i in edge.events[:5])
        )
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<path d="{edge_path(a.x, a.y, x2, y2, _offset(edge.relation))}" fill="none" stroke="{colour}" '
            f'stroke-width="{width:.1f}" stroke-opacity="0.75"{dashed}{marker}>'
            f"<title>{esc(a.label)} {edge.relation} {esc(b.label)} ({len(edge.events)})\n{esc(tip)}</title></path>"
        )
    for node in pic.nodes:
        out.append(f"<g>{_shape(node)}<title>{esc(node.label)} ({node.type}, {node.activity} events)</title></g>")
        out.append(f'<text x="{node.x + node.radius + 3:.1f}" y="{node.y + 4:.1f}" fill="#222222">{esc(node.label)}</text>')
    # legend: relations, then camps
    x = 10
    y = HEIGHT + 20
    for relation, (colour, dash) in RELATION_STYLE.items():
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<line x1="{x}" y1="{y}" x2="{x + 30}" y2="{y}" stroke="{colour}" stroke-width="2"{dashed}/>')
        out.append(f'<text x="{x + 35}" y="{y + 4}">{relation}</text>')
        x += 110
    x, y = 10, HEIGHT + 45
    for label, colour in pic.camps:
        out.append(f'<circle cx="{x + 5}" cy="{y}" r="5" fill="{colour}"/><text x="{x + 14}" y="{y + 4}">{esc(label)}</text>')
        x += 16 + 7 * len(label) + 14
        if x > WIDTH - 120:
            break
    out.append("</svg>")
    return "\n".join(out) + "\n"


def check_picture_path(out: Path) -> None:
    """A .html/.htm or .svg file in a folder that exists (checked before reading the graph)."""
    if out.suffix.lower() not in (".html", ".htm", ".svg"):
        raise InputError(f"--out {out}: use a .html or .svg file")
    if not out.parent.is_dir():
        raise InputError(f"{out}: the folder {out.parent} does not exist")


def write_picture(network: Network, out: Path, title: str = "kg: actor network") -> Path:
    """Write ``out`` as .html or .svg, atomically (a failed run leaves the old file)."""
    from kg.export import atomic_write

    check_picture_path(out)
    if out.suffix.lower() == ".svg":
        text = render_svg(network, title)
    else:
        text = render_html(network, title)
    atomic_write(out, lambda handle: handle.write(text.encode("utf-8")))
    return out
