"""Actor profiles, the timeline and the network picture, without a browser (the browser
test is test_viz_browser.py)."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import REPO
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import InputError
from kg.export import write_dataset
from kg.network import Actor, Link, Network, load_network, timeline
from kg.profile import AmbiguousActor, UnknownActor, actor_profile, find_actor
from kg.queries import load_query
from kg.results import run_query
from kg.viz import picture, render_html, render_svg

runner = CliRunner()


@pytest.fixture(scope="module")
def seed_store() -> ox.Store:
    from kg.pipeline import build_dataset

    return build_dataset([REPO / "corpus"]).store


@pytest.fixture(scope="module")
def seed_graph(seed_store, tmp_path_factory) -> Path:
    return write_dataset(seed_store, tmp_path_factory.mktemp("graph") / "graph.trig")


@pytest.fixture(scope="module")
def network(seed_store) -> Network:
    return load_network(lambda saved, params: run_query(seed_store, saved, params))


def run_local(store):
    return lambda saved, params: run_query(store, saved, params)


# --------------------------------------------------------------------------- network and timeline


def links_of_the_saved_query(store: ox.Store) -> list[tuple]:
    """The rows of network-relations merged per link, keeping each column's smallest value."""
    merged: dict[tuple, dict[str, str]] = {}
    for row in run_query(store, load_query("network-relations"), {}).rows:
        kept = merged.setdefault((row["event"], row["relation"], row["source"], row["target"]), dict(row))
        for column, value in row.items():
            if value and (not kept[column] or value < kept[column]):
                kept[column] = value
    columns = ("event", "relation", "source", "target", "date", "place_label", "content", "doc", "evidence")
    return [tuple(row[c] for c in columns) for row in merged.values()]


@pytest.mark.parametrize("graph", ["corpus", "tests/blind", "tests/blind2", "tests/unseen"])
def test_network_links_are_the_saved_query_rows(graph, seed_store):
    """load_network assembles the links from simple tables (kg/data/network); they must be
    the rows of the saved query network-relations, in its order."""
    from kg.pipeline import build_dataset

    store = seed_store if graph == "corpus" else build_dataset([REPO / graph]).store
    network = load_network(run_local(store))
    got = [(l.event, l.relation, l.source, l.target, l.date, l.place, l.content, l.doc, l.evidence) for l in network.links]
    expected = links_of_the_saved_query(store)
    assert len(got) > 20 and {row[1] for row in got} == {"met-with", "agreed-to", "demanded"}
    assert got == expected


def test_network_links_rubio_and_lawrow(network):
    labels = {iri: a.label for iri, a in network.actors.items()}
    pairs = {(l.relation, frozenset((labels[l.source], labels[l.target]))) for l in network.links}
    assert ("met-with", frozenset(("Marco Rubio", "Sergej Lawrow"))) in pairs
    assert ("met-with", frozenset(("USA", "Russland"))) in pairs
    assert ("agreed-to", frozenset(("USA", "Russland"))) in pairs
    assert any(rel == "demanded" for rel, _ in pairs)
    rubio = next(a for a in network.actors.values() if a.label == "Marco Rubio")
    assert rubio.type == "Person" and network.actors[rubio.affiliation].label == "USA"


def test_timeline_is_ordered_and_filtered(network):
    events = timeline(network)
    dated = [e.date for e in events if e.date]
    assert dated == sorted(dated)
    assert all(not e.date for e in events[len(dated):])  # undated ones last
    riad = [e for e in events if e.relation == "met-with" and e.place == "Riad" and e.date == "2025-02-18"]
    assert riad and {"Marco Rubio", "Sergej Lawrow"} <= set(riad[0].actors)
    february = timeline(network, "2025-02-18", "2025-02-18")
    assert february and all(e.date == "2025-02-18" for e in february)
    assert all(e.relation == "demanded" and e.addressees for e in timeline(network, relations=["demanded"]))
    assert timeline(network, "2025-12") and all(e.date >= "2025-12" for e in timeline(network, "2025-12"))
    with pytest.raises(InputError, match="unknown relation"):
        timeline(network, relations=["met"])


def test_partial_dates_compare_on_their_precision():
    network = Network(
        {"a": Actor("a", "A", "State"), "b": Actor("b", "B", "State")},
        [Link("e1", "met-with", "a", "b", date="2025-12"), Link("e2", "met-with", "a", "b", date="2025-11-30")],
    )
    assert [e.event for e in timeline(network, "2025-12-05")] == ["e1"]  # December 2025 may include the 5th
    assert [e.event for e in timeline(network, None, "2025-11")] == ["e2"]


# --------------------------------------------------------------------------- profile


def test_profile_of_lawrow(seed_store):
    profile = actor_profile(run_local(seed_store), "lawrow")
    assert profile.actor.label == "Sergej Lawrow" and profile.actor.type == "Person"
    assert profile.actor.affiliation == "Russland"
    riad = [e for e in profile.of("met-with") if e.place == "Riad" and e.date == "2025-02-18"]
    assert riad and "Marco Rubio" in riad[0].others
    assert "Lawrow" in riad[0].evidence and riad[0].doc
    assert profile.of("agreed-to")


def test_profile_by_iri_and_unknown_and_ambiguous(seed_store):
    run = run_local(seed_store)
    lawrow = find_actor(run, "Sergej Lawrow")
    assert find_actor(run, lawrow.iri) == lawrow
    with pytest.raises(UnknownActor):
        find_actor(run, "Nobody Anyone")
    with pytest.raises(AmbiguousActor) as ambiguous:
        find_actor(run, "Mohammed")
    assert {c.label for c in ambiguous.value.candidates} == {"Mohammed bin Salman", "Mohammed bin Sajid"}


def test_kg_show_lawrow_prints_the_riyadh_meeting_with_its_evidence(seed_graph, seed_store):
    result = runner.invoke(app, ["show", "Lawrow", "--data", str(seed_graph)])
    assert result.exit_code == 0, result.output
    profile = actor_profile(run_local(seed_store), "Lawrow")
    meeting = next(e for e in profile.of("met-with") if e.place == "Riad" and e.date == "2025-02-18")
    lines = result.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if "2025-02-18" in line and "Riad" in line and "Marco Rubio" in line)
    assert meeting.evidence in lines[at + 1]  # the evidence sentence, unbroken, under the meeting
    assert "Sergej Lawrow (Person, Russland)" in lines[0]


def test_kg_show_lists_candidates_of_an_ambiguous_name(seed_graph):
    result = runner.invoke(app, ["show", "Mohammed", "--data", str(seed_graph)])
    assert result.exit_code == 1
    assert "fits 2 actors" in result.stdout
    assert "Mohammed bin Salman" in result.stdout and "Mohammed bin Sajid" in result.stdout


def test_kg_show_unknown_actor_is_one_line_error(seed_graph):
    result = runner.invoke(app, ["show", "Nobody Anyone", "--data", str(seed_graph)])
    assert result.exit_code == 1
    assert result.stderr.strip() == "kg: error: no actor is called 'Nobody Anyone'"


# --------------------------------------------------------------------------- kg timeline


def test_kg_timeline_text_and_json(seed_graph, network):
    result = runner.invoke(app, ["timeline", "--data", str(seed_graph), "--from", "2025-02-17", "--to", "2025-02-17"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("2025-02-17")
    assert "Paris" in result.stdout
    as_json = runner.invoke(app, ["timeline", "-d", str(seed_graph), "-f", "json", "-r", "agreed-to"])
    rows = json.loads(as_json.stdout)
    assert len(rows) == len(timeline(network, relations=["agreed-to"]))
    assert {r["relation"] for r in rows} == {"agreed-to"}


@pytest.mark.parametrize("args, fragment", [
    (["--from", "18.02.2025"], "--from '18.02.2025' is not a date"),
    (["--relation", "met"], "--relation: unknown relation(s) met"),
])
def test_kg_timeline_bad_options(seed_graph, args, fragment):
    result = runner.invoke(app, ["timeline", "--data", str(seed_graph), *args])
    assert result.exit_code == 2
    assert fragment in result.stderr


# --------------------------------------------------------------------------- pictures


def test_the_svg_layout_is_deterministic_and_inside_the_canvas(network):
    first, second = picture(network), picture(network)
    assert first == second
    assert all(0 < n.x < 1000 and 0 < n.y < 700 for n in first.nodes)
    assert len({(n.x, n.y) for n in first.nodes}) == len(first.nodes)  # no two actors on one spot


def test_html_is_self_contained(network):
    page = render_html(network)
    assert not re.search(r"<(script|link|img|iframe)[^>]*\b(src|href)=", page, re.I)
    assert not re.search(r"url\((?!#)", page) and "@import" not in page  # url(#arrow) is the page's own marker
    data = json.loads(re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S).group(1))
    assert {n["label"] for n in data["nodes"]} >= {"Marco Rubio", "Sergej Lawrow", "USA", "Russland"}
    assert len(data["edges"]) == len(picture(network).edges)


def test_html_data_cannot_close_its_script_element():
    hostile = "</script><script>alert(1)</script><!--"
    network = Network({"a": Actor("a", hostile, "Person"), "b": Actor("b", "B", "State")},
                      [Link("e", "met-with", "a", "b", evidence=hostile, doc="d")])
    page = render_html(network)
    assert "alert(1)</script>" not in page and "<!--" not in page.split('id="kg-data">', 1)[1]
    assert page.count("</script>") == 3  # the data block, the bundled libraries and the page script


def test_svg_is_well_formed_and_shows_actors_and_evidence(network):
    root = ET.fromstring(render_svg(network))
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"Marco Rubio", "Sergej Lawrow", "met-with", "agreed-to", "demanded"} <= texts
    titles = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert any(t.startswith("Marco Rubio met-with Sergej Lawrow") and "Riad" in t for t in titles)


def test_kg_viz_writes_html_and_svg(seed_graph, tmp_path):
    for name in ("network.html", "network.svg"):
        out = tmp_path / name
        result = runner.invoke(app, ["viz", str(seed_graph), "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 5000 and (out.stat().st_mode & 0o777) != 0o600


def test_kg_viz_bad_output_keeps_the_old_file(seed_graph, tmp_path):
    old = tmp_path / "network.png"
    old.write_bytes(b"old")
    result = runner.invoke(app, ["viz", str(seed_graph), "--out", str(old)])
    assert result.exit_code == 2 and "use a .html or .svg file" in result.stderr
    assert old.read_bytes() == b"old"
    missing = runner.invoke(app, ["viz", str(tmp_path / "none.ttl"), "--out", str(tmp_path / "n.html")])
    assert missing.exit_code == 2 and "none.ttl: no such file" in missing.stderr


def test_an_empty_graph_draws_an_empty_picture():
    empty = Network()
    assert picture(empty).nodes == [] and timeline(empty) == []
    assert '"nodes":[]' in render_html(empty)
    ET.fromstring(render_svg(empty))
