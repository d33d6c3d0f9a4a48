"""Event-data codes: the code book (kg/data/event_codes.yaml) and its examples, the
CAMEO-to-PLOVER pairs, the shapes' lists, and the codes the real pipeline writes for
sentences written for these tests."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
from conftest import REPO
from rdflib import Graph, URIRef
from rdflib.collection import Collection

from kg.codes import CodeBookError, load_codebook, meeting_setting
from kg.errors import InputError
from kg.model import Relation
from kg.pipeline import build_dataset
from kg.registry import Entry, RegistryError, build_registry
from kg.resources import shapes_file
from kg.validate import validate_graph

BOOK = load_codebook()
KG = "https://kg.example.org/ontology#"

# CAMEO code -> (PLOVER type, mode, context), copied by hand from the PLOVER project's
# CAMEO-to-PLOVER crosswalk (2021)
CROSSWALK_SAMPLE = {
    "040": ("CONSULT", None, None), "041": ("CONSULT", "phone", None), "042": ("CONSULT", "visit", None),
    "044": ("CONSULT", "third-party", None), "046": ("CONSULT", None, "diplomatic"),
    "057": ("SUPPORT", None, "diplomatic"), "036": ("AGREE", None, "diplomatic"),
    "0356": ("AGREE", None, "military"), "100": ("DEMAND", None, None),
    "1054": ("DEMAND", "yield", "economic"), "1056": ("DEMAND", "yield", "military"),
    "106": ("DEMAND", "meet", "diplomatic"), "1032": ("DEMAND", "assist", "military"),
}


@pytest.mark.parametrize("code", sorted(CROSSWALK_SAMPLE))
def test_plover_follows_the_published_crosswalk(code):
    entry = BOOK.cameo[code]
    assert (entry.plover, entry.mode, entry.context) == CROSSWALK_SAMPLE[code]


@pytest.mark.parametrize("topic", BOOK.topics, ids=lambda t: t.id)
def test_every_topic_fires_on_its_examples_and_ignores_its_counterexamples(topic):
    assert topic.fires and topic.ignores, f"{topic.id} needs examples both ways"
    for text in topic.fires:
        assert topic.id in BOOK.topics_of(text), (topic.id, text)
    for text in topic.ignores:
        assert topic.id not in BOOK.topics_of(text), (topic.id, text)


@pytest.mark.parametrize(("relation", "content", "evidence", "setting", "expected"), [
    (Relation.MET_WITH, "", "Sie trafen sich am Montag.", None, ("040", "CONSULT", None)),
    (Relation.MET_WITH, "", "Sie trafen sich am Montag.", "visit", ("042", "CONSULT", "visit")),
    (Relation.MET_WITH, "", "Sie trafen sich am Montag.", "third-party", ("044", "CONSULT", "third-party")),
    (Relation.MET_WITH, "", "Sie trafen sich am Montag.", "multilateral", ("040", "CONSULT", "multilateral")),
    (Relation.MET_WITH, "", "Die Delegationen verhandelten bis in die Nacht.", "visit", ("046", "CONSULT", "visit")),
    (Relation.MET_WITH, "", "Unter Vermittlung Katars trafen sich beide Seiten.", None, ("045", "CONSULT", None)),
    (Relation.PHONE_CALL, "", "Sie telefonierten.", None, ("041", "CONSULT", "phone")),
    (Relation.AGREED_TO, "eine Waffenruhe", "Beide Seiten unterzeichneten das Abkommen.", None, ("057", "SUPPORT", None)),
    (Relation.AGREED_TO, "eine Waffenruhe", "Beide Seiten einigten sich auf eine Waffenruhe.", None, ("0356", "AGREE", None)),
    (Relation.AGREED_TO, "engere Zusammenarbeit", "Sie vereinbarten engere Zusammenarbeit.", None, ("030", "AGREE", None)),
    (Relation.DEMANDED, "die Aufhebung der Sanktionen", "", None, ("1054", "DEMAND", "yield")),
    (Relation.DEMANDED, "neue Sanktionen gegen Moskau", "", None, ("100", "DEMAND", None)),
    (Relation.DEMANDED, "eine sofortige Waffenruhe", "", None, ("1056", "DEMAND", "yield")),
    (Relation.DEMANDED, "mehr Luftabwehrsysteme", "", None, ("1032", "DEMAND", "assist")),
    (Relation.DEMANDED, "Verhandlungen ohne Vorbedingungen", "", None, ("106", "DEMAND", "meet")),
])
def test_codes_by_cue_topic_and_setting(relation, content, evidence, setting, expected):
    code = BOOK.code(relation, content, evidence, setting)
    assert (code.cameo, code.plover_type, code.mode) == expected


def test_a_signed_ceasefire_keeps_both_contexts_and_its_topic():
    code = BOOK.code(Relation.AGREED_TO, "eine Waffenruhe", "Sie unterzeichneten eine Waffenruhe.")
    assert code.cameo == "057" and code.topics == ("ceasefire",)
    assert code.contexts == ("diplomatic", "military")


def test_meeting_settings():
    country = {"russland": "RUS", "usa": "USA", "tuerkei": "TUR", "nato": None}.get
    assert meeting_setting(["russland", "tuerkei"], "TUR", country) == ("visit", "tuerkei")
    assert meeting_setting(["russland", "usa"], "SAU", country) == ("third-party", None)
    assert meeting_setting(["russland", "usa", "tuerkei"], "TUR", country) == ("multilateral", None)
    assert meeting_setting(["russland", "usa"], None, country) == (None, None)
    # an organisation has no country: its meeting abroad is no third-place meeting
    assert meeting_setting(["nato", "usa"], "SAU", country) == (None, None)


@pytest.mark.parametrize(("role", "sector"), [
    ("Außenminister", "GOV"), ("Verteidigungsministerin", "GOV"), ("Generalstabschef", "MIL"),
    ("General", "MIL"), ("Generalsekretär", "GOV"), ("Parlamentspräsidentin", "LEG"),
    ("Oppositionsführer", "OPP"), ("Geheimdienstchef", "SPY"), ("Papst", "REL"), ("Milliardär", None),
])
def test_sector_of_a_role(role, sector):
    assert BOOK.sector(role) == sector


def _shape_list(path: str) -> set[str]:
    shapes = Graph().parse(shapes_file())
    sh = "http://www.w3.org/ns/shacl#"
    for prop in shapes.subjects(URIRef(sh + "path"), URIRef(KG + path)):
        for head in shapes.objects(prop, URIRef(sh + "in")):
            return {str(v) for v in Collection(shapes, head)}
    raise AssertionError(f"no sh:in for kg:{path}")


def test_the_shapes_accept_exactly_the_code_books_values():
    assert _shape_list("cameoCode") == set(BOOK.cameo)
    assert _shape_list("ploverType") == set(BOOK.plover_types)
    assert _shape_list("ploverMode") == set(BOOK.plover_modes)
    assert _shape_list("cameoSector") == set(BOOK.cameo_sectors)
    assert _shape_list("eventTopic") == {t.id for t in BOOK.topics}


def test_every_code_has_the_plover_type_of_its_cue_category():
    # the PLOVER manual's table: 03 AGREE, 04 CONSULT, 05 SUPPORT, 10 DEMAND (the shapes check it too)
    roots = {"03": "AGREE", "04": "CONSULT", "05": "SUPPORT", "10": "DEMAND"}
    assert {code: roots[code[:2]] for code in BOOK.cameo} == {code: c.plover for code, c in BOOK.cameo.items()}


def test_a_broken_code_book_is_a_one_line_error_naming_the_file(tmp_path: Path):
    text = (REPO / "kg" / "data" / "event_codes.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "codes.yaml"
    broken.write_text(text.replace('default: "041"', 'default: "049"'), encoding="utf-8")
    with pytest.raises(CodeBookError, match=r"codes\.yaml: CAMEO code 049 is used but not listed"):
        load_codebook(broken)
    broken.write_text(text.replace("plover: SUPPORT", "plover: SUPPORTS"), encoding="utf-8")
    with pytest.raises(InputError, match="codes.yaml: CAMEO 057: unknown PLOVER type"):
        load_codebook(broken)


def test_the_registry_refuses_a_malformed_cameo_actor_code():
    with pytest.raises(RegistryError, match="'NATO' is not a CAMEO actor code"):
        build_registry([Entry("nato", "NATO", "Organization", cameo="NATO")])


# -------------------------------------------------------------------------------------
# the real pipeline on sentences written for this test

ARTICLE = """Lawrow besucht Ankara

Ankara, 3. März 2025. Der russische Außenminister Sergej Lawrow ist am Montag in Ankara mit dem türkischen Präsidenten Recep Tayyip Erdogan zusammengetroffen.

Die Ukraine forderte von Russland eine sofortige Waffenruhe.

UN-Generalsekretär António Guterres telefonierte am Dienstag mit Erdogan.
"""


@pytest.fixture(scope="module")
def coded_store(tmp_path_factory) -> pyoxigraph.Store:
    folder = tmp_path_factory.mktemp("coded")
    (folder / "lawrow_ankara.txt").write_text(ARTICLE, encoding="utf-8")
    return build_dataset([folder]).store


def _rows(store, query: str) -> list[dict[str, str]]:
    prefix = f"PREFIX kg: <{KG}>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
    result = store.query(prefix + query, use_default_graph_as_union=True)
    return [{v.value: (s[v].value if s[v] is not None else "") for v in result.variables} for s in result]


def test_a_visit_is_coded_with_visitor_host_and_their_actor_codes(coded_store):
    rows = _rows(coded_store, """SELECT ?code ?mode ?source ?source_code ?target ?target_code WHERE {
        ?e a kg:Meeting ; kg:cameoCode ?code ; kg:ploverMode ?mode ;
           kg:sourceActor/skos:prefLabel ?source ; kg:recipientActor/skos:prefLabel ?target .
        ?e kg:sourceActor/kg:cameoActorCode ?source_code ; kg:recipientActor/kg:cameoActorCode ?target_code }""")
    assert rows == [{"code": "042", "mode": "visit", "source": "Sergej Lawrow", "source_code": "RUSGOV",
                     "target": "Recep Tayyip Erdogan", "target_code": "TURGOV"}]


def test_a_ceasefire_demand_and_an_international_official(coded_store):
    demand = _rows(coded_store, """SELECT ?code ?topic ?source ?target WHERE {
        ?e a kg:Demand ; kg:cameoCode ?code ; kg:eventTopic ?topic ;
           kg:sourceActor/kg:cameoActorCode ?source ; kg:recipientActor/kg:cameoActorCode ?target }""")
    assert demand == [{"code": "1056", "topic": "ceasefire", "source": "UKR", "target": "RUS"}]
    call = _rows(coded_store, """SELECT ?code ?actor WHERE {
        ?e a kg:PhoneCall ; kg:cameoCode ?code ; kg:sourceActor/kg:cameoActorCode ?actor } ORDER BY ?actor""")
    assert call == [{"code": "041", "actor": "IGOUNO"}, {"code": "041", "actor": "TURGOV"}]


def test_every_seed_event_has_codes_and_a_source_and_the_graph_conforms(tmp_path: Path):
    out = tmp_path / "seeds.nq"
    store = build_dataset([REPO / "corpus"]).store
    store.dump(out, pyoxigraph.RdfFormat.N_QUADS)
    missing = _rows(store, """SELECT ?e WHERE { VALUES ?c { kg:Meeting kg:PhoneCall kg:Agreement kg:Demand }
        ?e a ?c . FILTER NOT EXISTS { ?e kg:cameoCode ?code ; kg:ploverType ?type ; kg:sourceActor ?s } }""")
    assert missing == []
    counted = _rows(store, """SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e kg:cameoCode ?code }""")
    assert int(counted[0]["n"]) >= 30
    assert validate_graph([out]).conforms


def test_the_registry_graph_states_the_actor_codes():
    from kg.rdf import GraphWriter, registry_quads
    from kg.registry import load_registry
    from kg.vocab import DEFAULT_BASE_IRI

    codes = {q.subject.value.rsplit("/", 1)[1]: q.object.value
             for q in registry_quads(GraphWriter(DEFAULT_BASE_IRI), load_registry())
             if q.predicate.value == KG + "cameoActorCode"}
    assert {k: codes.get(k) for k in ("russland", "sergej-lawrow", "nato", "antonio-guterres", "wagner-gruppe", "cia")} == {
        "russland": "RUS", "sergej-lawrow": "RUSGOV", "nato": "IGOWSTNAT", "antonio-guterres": "IGOUNO",
        "wagner-gruppe": "RUS", "cia": "USASPY"}
    assert len(codes) >= 600
