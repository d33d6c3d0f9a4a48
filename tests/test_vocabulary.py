"""One vocabulary for relations and one affiliation walk, from extraction to the views."""
from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import KgError
from kg.evaluate import RELATIONS as SCORED
from kg.model import EVENT_RELATIONS, NewActor, Relation
from kg.network import RELATIONS as DRAWN
from kg.network import Actor, Network
from kg.profile import DEMANDED_BY
from kg.queries import load_query
from kg.registry import Entry, RegistryError, build_registry, load_registry
from kg.results import run_query
from kg.store import load_store
from kg.vocab import KG

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "query_sample.trig"


def test_every_name_of_a_relation_comes_from_the_enum():
    assert SCORED == ("meet", "agree", "demand") == tuple(r.short for r in EVENT_RELATIONS)
    assert DRAWN == ("met-with", "agreed-to", "demanded")
    assert Relation.named("meet") is Relation.MET_WITH and Relation.named("phone-call") is Relation.PHONE_CALL
    with pytest.raises(ValueError, match="unknown relation"):
        Relation.named("visited")
    # the classes of the ontology the events are typed with
    assert all(str(KG[r.event_class]).endswith("#" + r.event_class) for r in Relation)


def test_the_queries_speak_the_same_relations():
    store = load_store([FIXTURE])
    links = run_query(store, load_query("network-relations")).rows
    assert links and {row["relation"] for row in links} <= {r.value for r in EVENT_RELATIONS}
    actor = next(row["actor"] for row in run_query(store, load_query("actors")).rows if row["label"] == "Russland")
    relations = {row["relation"] for row in run_query(store, load_query("actor"), {"actor": f"<{actor}>"}).rows}
    events = relations - {"role", "affiliated-with", "has-member", "mentioned-in"}
    assert events and events <= {r.value for r in Relation} | {DEMANDED_BY}


def test_the_extracted_records_carry_the_enum(extractor):
    result = extractor.text("Merz traf Tusk in Warschau. Danach telefonierte Merz mit Trump.", date="2025-06-02")
    assert {m.relation for m in result.meetings} == {Relation.MET_WITH, Relation.PHONE_CALL}


# ---------------------------------------------------------------------------- affiliation walk

def entries(*specs: tuple[str, str, str | None]) -> list[Entry]:
    return [Entry(key=key, label=key.title(), type=type_, affiliation=aff) for key, type_, aff in specs]


def test_the_walk_goes_up_to_a_state_and_stops_at_the_last_entry():
    registry = load_registry()
    assert registry.party_of("sergej-lawrow") == "russland"  # person -> state
    assert registry.party_of("rafael-grossi") == "vereinte-nationen"  # person -> IAEA -> UN
    assert registry.party_of("russland") == "russland"
    new = {"tomas-vaitkus": NewActor("tomas-vaitkus", "Tomas Vaitkus", "Person", "litauen", "Botschafter")}
    assert registry.party_of("tomas-vaitkus", new) == "litauen"
    assert registry.party_of("nobody-known", new) == "nobody-known"


def test_the_registry_refuses_circular_or_dangling_affiliations():
    with pytest.raises(RegistryError, match="circle: a -> b -> a"):
        build_registry(entries(("a", "Organization", "b"), ("b", "Organization", "a")))
    with pytest.raises(RegistryError, match="x is affiliated with nowhere"):
        build_registry(entries(("x", "Person", "nowhere")))
    assert issubclass(RegistryError, KgError)


def test_the_network_takes_sides_with_the_same_walk():
    actor = "https://kg.example.org/id/actor/"
    network = Network(actors={
        actor + "grossi": Actor(actor + "grossi", "Grossi", "Person", actor + "iaea"),
        actor + "iaea": Actor(actor + "iaea", "IAEA", "Organization", actor + "un"),
        actor + "un": Actor(actor + "un", "UN", "Organization"),
        actor + "lawrow": Actor(actor + "lawrow", "Lawrow", "Person", actor + "russland"),
        actor + "russland": Actor(actor + "russland", "Russland", "State", actor + "un"),
    })
    assert network.camp(actor + "grossi") == actor + "un"  # two steps, as the registry walks
    assert network.camp(actor + "lawrow") == actor + "russland"  # a state ends the walk
    assert network.camp(actor + "unknown") == actor + "unknown"


def test_resolve_and_extraction_agree_on_sides(extractor):
    result = extractor.text("Grossi traf in Wien den iranischen Außenminister Araghtschi.", date="2025-06-02")
    [meeting] = [m for m in result.meetings if m.relation is Relation.MET_WITH]
    assert set(meeting.sides) == {"vereinte-nationen", "iran"}
