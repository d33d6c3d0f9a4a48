"""Wikidata identities: the registry's QIDs and ISO codes, owl:sameAs in the graph, QIDs
as query parameters, and a join with Wikidata data through owl:sameAs."""
from __future__ import annotations

import pyoxigraph
import pytest
from conftest import REPO

from kg.pipeline import build_dataset
from kg.queries import load_query
from kg.registry import Entry, RegistryError, build_registry, load_registry
from kg.results import run_query
from kg.validate import validate_graph

WD = "http://www.wikidata.org/entity/"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
SCHEMA_SAME_AS = "https://schema.org/sameAs"

# written by hand, each checked against Wikidata's own item
KNOWN_ITEMS = {
    "russland": "Q159", "deutschland": "Q183", "usa": "Q30", "ukraine": "Q212", "frankreich": "Q142",
    "china": "Q148", "europaeische-union": "Q458", "nato": "Q7184", "vereinte-nationen": "Q1065",
    "wladimir-putin": "Q7747", "donald-trump": "Q22686", "emmanuel-macron": "Q3052772",
    "wolodymyr-selenskyj": "Q3874799", "xi-jinping": "Q15031", "genf": "Q71", "istanbul": "Q406", "riad": "Q3692",
}
KNOWN_CODES = {"russland": "RUS", "deutschland": "DEU", "usa": "USA", "ukraine": "UKR", "grossbritannien": "GBR",
               "china": "CHN", "tuerkei": "TUR", "saudi-arabien": "SAU"}


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture(scope="module")
def seed_store() -> pyoxigraph.Store:
    return build_dataset([REPO / "corpus"]).store


def test_a_sample_of_qids_and_codes_is_right(registry):
    for key, qid in KNOWN_ITEMS.items():
        assert registry.entries[key].wikidata == qid, key
    for key, code in KNOWN_CODES.items():
        assert registry.entries[key].iso3 == code, key


def test_every_state_has_an_item_and_a_code_and_none_is_shared(registry):
    states = [e for e in registry.entries.values() if e.type == "State"]
    assert len(states) >= 197 and all(e.wikidata and e.iso3 for e in states)
    items = [e.wikidata for e in registry.entries.values() if e.wikidata]
    assert len(items) == len(set(items))


@pytest.mark.parametrize("field, values, message", [
    ("wikidata", ("Q159", "Q159"), "the same Wikidata QID Q159"),
    ("wikidata", ("Q159", "159"), "'159' is not a Wikidata QID"),
    ("iso3", ("RUS", "RUS"), "the same ISO 3166-1 alpha-3 code RUS"),
    ("iso3", ("RUS", "ru"), "'ru' is not a ISO 3166-1 alpha-3 code"),
])
def test_the_registry_refuses_shared_or_malformed_identities(field, values, message):
    entries = [Entry(key=f"s{i}", label=f"State {i}", type="State", **{field: value}) for i, value in enumerate(values)]
    with pytest.raises(RegistryError, match=message):
        build_registry(entries)


def validate_store(store: pyoxigraph.Store, folder):
    path = folder / "graph.nq"
    store.dump(str(path), format=pyoxigraph.RdfFormat.N_QUADS)
    return validate_graph([path])


def test_registry_actors_and_places_are_the_same_as_their_items(registry, seed_store, tmp_path):
    same = {(q.subject.value, q.object.value) for q in seed_store.quads_for_pattern(None, pyoxigraph.NamedNode(OWL_SAME_AS), None)}
    schema = {(q.subject.value, q.object.value) for q in seed_store.quads_for_pattern(None, pyoxigraph.NamedNode(SCHEMA_SAME_AS), None)}
    assert same and same == schema
    subjects = {s for s, _ in same}
    assert ("https://kg.example.org/id/actor/wladimir-putin", WD + "Q7747") in same
    assert ("https://kg.example.org/id/place/riad", WD + "Q3692") in same
    mentioned = {q.subject.value for q in seed_store.quads_for_pattern(None, pyoxigraph.NamedNode("https://kg.example.org/ontology#mentionedIn"), None)}
    for iri in mentioned:  # every mentioned registry actor with an item says so, nobody else does
        entry = registry.entries.get(iri.rsplit("/", 1)[-1])
        assert (iri in subjects) == bool(entry is not None and entry.wikidata), iri
    report = validate_store(seed_store, tmp_path)
    assert report.conforms, report.text


def test_the_shapes_catch_a_wrong_item(seed_store, tmp_path):
    bad = pyoxigraph.Store()
    bad.extend(seed_store)
    putin = pyoxigraph.NamedNode("https://kg.example.org/id/actor/wladimir-putin")
    graph = next(q.graph_name for q in seed_store.quads_for_pattern(putin, pyoxigraph.NamedNode(OWL_SAME_AS), None))
    bad.add(pyoxigraph.Quad(putin, pyoxigraph.NamedNode(OWL_SAME_AS), pyoxigraph.NamedNode("https://example.org/Q1"), graph))
    report = validate_store(bad, tmp_path)
    assert not report.conforms
    assert "Wikidata item" in report.text


@pytest.mark.parametrize("name, by_qid, by_name", [
    ("actor", {"actor": "Q159"}, {"actor": "Russland"}),
    ("demands-on", {"actor": "Q212"}, {"actor": "Ukraine"}),
    ("meetings-without", {"actor": "Q212"}, {"actor": "Ukraine"}),
    ("agreements-between", {"actor1": "Q30", "actor2": "Q159"}, {"actor1": "USA", "actor2": "Russland"}),
    ("meetings-by-place", {"place": "Q3692"}, {"place": "Riad"}),
    ("actor-lookup", {"name": "Q7747"}, {"name": "Wladimir Putin"}),
])
def test_a_qid_names_the_same_actor_as_its_label(seed_store, name, by_qid, by_name):
    query = load_query(name)
    expected = run_query(seed_store, query, by_name)
    assert expected.rows
    assert run_query(seed_store, query, by_qid) == expected


def test_the_graph_joins_wikidata_through_same_as(seed_store):
    """The seed graph and a hand-written excerpt of Wikidata (heads of state, P35) in one
    Oxigraph store: whom did heads of state meet, and of which state are they the head."""
    excerpt = """
    @prefix wd: <http://www.wikidata.org/entity/> .
    @prefix wdt: <http://www.wikidata.org/prop/direct/> .
    wd:Q159 wdt:P35 wd:Q7747 .
    wd:Q212 wdt:P35 wd:Q3874799 .
    wd:Q30 wdt:P35 wd:Q22686 .
    wd:Q142 wdt:P35 wd:Q3052772 .
    """
    store = pyoxigraph.Store()
    store.extend(seed_store)
    store.load(excerpt.encode(), format=pyoxigraph.RdfFormat.TURTLE, to_graph=pyoxigraph.NamedNode("urn:excerpt:wikidata"))
    rows = store.query("""
        PREFIX kg: <https://kg.example.org/ontology#>
        PREFIX owl: <http://www.w3.org/2002/07/owl#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX wdt: <http://www.wikidata.org/prop/direct/>
        SELECT DISTINCT ?head ?state ?other WHERE {
          ?head owl:sameAs ?person .
          ?country wdt:P35 ?person .
          ?state owl:sameAs ?country ; a kg:State .
          ?head kg:metWith ?other .
        }""", use_default_graph_as_union=True)
    found = {(r["head"].value.rsplit("/", 1)[-1], r["state"].value.rsplit("/", 1)[-1], r["other"].value) for r in rows}
    # the same facts from the graph alone: every kg:metWith of the four heads
    expected = set()
    for person, state in (("wladimir-putin", "russland"), ("wolodymyr-selenskyj", "ukraine"),
                          ("donald-trump", "usa"), ("emmanuel-macron", "frankreich")):
        iri = pyoxigraph.NamedNode(f"https://kg.example.org/id/actor/{person}")
        for q in seed_store.quads_for_pattern(iri, pyoxigraph.NamedNode("https://kg.example.org/ontology#metWith"), None):
            expected.add((person, state, q.object.value))
    assert expected and found == expected


def test_one_item_is_one_actor_across_documents_and_unseen_namesakes_stay_apart(tmp_path):
    # written for this test: two spellings of one registry person, and two unseen people
    # who share a surname
    (tmp_path / "a.txt").write_text(
        "Besuch aus Finnland\n\nSelenskyj traf am Montag in Kiew den finnischen Außenminister Pekka Virtanen.\n",
        encoding="utf-8")
    (tmp_path / "b.txt").write_text(
        "Besuch in Kiew\n\nZelensky traf am Dienstag in Kiew die finnische Verteidigungsministerin Anna Virtanen.\n",
        encoding="utf-8")
    store = build_dataset([tmp_path]).store
    rows = store.query(f"""PREFIX kg: <https://kg.example.org/ontology#>
        SELECT ?actor (COUNT(DISTINCT ?doc) AS ?docs) (SAMPLE(?item) AS ?wd) (SAMPLE(?code) AS ?cameo) WHERE {{
          ?actor kg:mentionedIn ?doc . ?actor a kg:Person .
          OPTIONAL {{ ?actor <{OWL_SAME_AS}> ?item }} OPTIONAL {{ ?actor kg:cameoActorCode ?code }}
        }} GROUP BY ?actor ORDER BY ?actor""", use_default_graph_as_union=True)
    found = {r["actor"].value.rsplit("/", 1)[1]: (int(r["docs"].value), r["wd"].value if r["wd"] else None,
                                                  r["cameo"].value if r["cameo"] else None) for r in rows}
    assert found == {
        "wolodymyr-selenskyj": (2, WD + "Q3874799", "UKRGOV"),
        "pekka-virtanen": (1, None, "FINGOV"),
        "anna-virtanen": (1, None, "FINGOV"),
    }
