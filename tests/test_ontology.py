"""Ontology, shapes, JSON-LD context, validation and statistics against hand-written samples."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph
import pytest
from pyshacl import validate as shacl_validate
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.errors import InputError
from kg.resources import jsonld_context_file, ontology_file, shapes_file
from kg.stats import graph_stats
from kg.validate import ValidationReport, validate_graph
from kg.vocab import KG, NIF, PROV, SCHEMA, SEM, SH

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
VALID = FIXTURES / "valid_sample.trig"
INVALID = FIXTURES / "invalid_sample.ttl"
DATA = "https://kg.example.org/id/"


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ontology_file(), format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(shapes_file(), format="turtle")


def _data_model_terms() -> set[str]:
    """Local names of the kg terms used in docs/DATA_MODEL.md."""
    text = (ROOT / "docs" / "DATA_MODEL.md").read_text(encoding="utf-8")
    return set(re.findall(r"\bkg:([A-Za-z]+)", text))


def _union(path: Path) -> Graph:
    dataset = Dataset(default_union=True)
    dataset.parse(path, format="trig" if path.suffix == ".trig" else "turtle")
    union = Graph()
    union += dataset.triples((None, None, None))
    return union


# --- ontology ---------------------------------------------------------------------------


def test_ontology_and_shapes_parse_in_rdflib_and_pyoxigraph(ontology: Graph, shapes: Graph) -> None:
    assert (URIRef("https://kg.example.org/ontology"), RDF.type, OWL.Ontology) in ontology
    assert len(shapes) > 0
    for path in (ontology_file(), shapes_file()):
        store = pyoxigraph.Store()
        store.load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
        assert len(store) > 0


def test_ontology_header(ontology: Graph) -> None:
    header = URIRef("https://kg.example.org/ontology")
    for prop in (OWL.versionInfo, OWL.versionIRI, URIRef("http://purl.org/dc/terms/license")):
        assert ontology.value(header, prop) is not None, prop
    for prop in ("title", "description"):
        langs = {o.language for o in ontology.objects(header, URIRef(f"http://purl.org/dc/terms/{prop}"))}
        assert {"de", "en"} <= langs


def test_every_data_model_term_is_declared(ontology: Graph) -> None:
    terms = _data_model_terms()
    assert {"Meeting", "metWith", "demandedContent"} <= terms  # the scan itself works
    for name in sorted(terms):
        iri = KG[name]
        types = set(ontology.objects(iri, RDF.type))
        if name[0].isupper():
            assert OWL.Class in types, f"kg:{name} is not declared as owl:Class"
        else:
            assert types & {OWL.ObjectProperty, OWL.DatatypeProperty}, f"kg:{name} is not a property"


def test_every_kg_term_has_labels_in_german_and_english(ontology: Graph) -> None:
    declared = {s for s in ontology.subjects(RDF.type, None) if isinstance(s, URIRef) and s.startswith(str(KG))}
    assert {KG[name] for name in _data_model_terms()} <= declared
    for iri in sorted(declared):
        for prop in (RDFS.label, SKOS.prefLabel):
            langs = {o.language for o in ontology.objects(iri, prop) if isinstance(o, Literal)}
            assert {"de", "en"} <= langs, f"{iri} lacks {prop} in de and en"
        comments = {o.language for o in ontology.objects(iri, RDFS.comment)}
        assert "en" in comments, f"{iri} lacks an English rdfs:comment"


@pytest.mark.parametrize(
    ("subject", "predicate", "obj"),
    [
        (KG.Event, RDFS.subClassOf, SEM.Event),
        (KG.Actor, RDFS.subClassOf, SEM.Actor),
        (KG.Actor, RDFS.subClassOf, PROV.Agent),
        (KG.Place, RDFS.subClassOf, SEM.Place),
        (KG.Document, RDFS.subClassOf, PROV.Entity),
        (KG.Document, RDFS.subClassOf, SCHEMA.NewsArticle),
        (KG.EvidenceSpan, RDFS.subClassOf, PROV.Entity),
        (KG.EvidenceSpan, RDFS.subClassOf, NIF.String),
        (KG.Person, RDFS.subClassOf, SCHEMA.Person),
        (KG.State, RDFS.subClassOf, SCHEMA.Country),
        (KG.Organization, RDFS.subClassOf, SCHEMA.Organization),
        (KG.participant, RDFS.subPropertyOf, SEM.hasActor),
        (KG.party, RDFS.subPropertyOf, SEM.hasActor),
        (KG.demander, RDFS.subPropertyOf, SEM.hasActor),
        (KG.place, RDFS.subPropertyOf, SEM.hasPlace),
        (KG.place, RDFS.subPropertyOf, SCHEMA.location),
        (KG.date, RDFS.subPropertyOf, SEM.hasTimeStamp),
        (KG.date, RDFS.subPropertyOf, SCHEMA.startDate),
        (KG.affiliation, RDFS.subPropertyOf, SCHEMA.affiliation),
        (KG.role, RDFS.subPropertyOf, SCHEMA.jobTitle),
        (KG.evidence, RDFS.subPropertyOf, PROV.wasDerivedFrom),
        (KG.alsoAttestedBy, RDFS.subPropertyOf, PROV.wasDerivedFrom),
        (KG.metWith, RDF.type, OWL.SymmetricProperty),
        (KG.metWith, RDFS.domain, KG.Actor),
        (KG.metWith, RDFS.range, KG.Actor),
    ],
)
def test_alignment(ontology: Graph, subject: URIRef, predicate: URIRef, obj: URIRef) -> None:
    assert (subject, predicate, obj) in ontology


# --- shapes and JSON-LD context ---------------------------------------------------------


def test_every_class_has_a_node_shape(ontology: Graph, shapes: Graph) -> None:
    classes = {c for c in ontology.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef) and c.startswith(str(KG))}
    assert len(classes) == 13
    targeted = {
        target
        for shape in shapes.subjects(RDF.type, SH.NodeShape)
        for target in shapes.objects(shape, SH.targetClass)
    }
    assert classes <= targeted, f"no NodeShape for {sorted(classes - targeted)}"


def test_every_shape_is_named_and_property_shapes_have_messages(shapes: Graph) -> None:
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        assert shapes.value(shape, SH.name) is not None, shape
        for prop_shape in shapes.objects(shape, SH.property):
            name = shapes.value(prop_shape, SH.name)
            assert name is not None and shapes.value(prop_shape, SH.message) is not None, (shape, name)


def test_context_has_a_term_for_every_kg_property(ontology: Graph) -> None:
    context = json.loads(jsonld_context_file().read_text(encoding="utf-8"))["@context"]
    assert "@version" not in context  # JSON-LD 1.0 readers (riot's among them) reject 1.1
    by_iri = {
        definition["@id"]: definition
        for definition in context.values()
        if isinstance(definition, dict) and "@id" in definition
    }
    for name in sorted(n for n in _data_model_terms() if n[0].islower()):
        definition = by_iri.get(f"kg:{name}")
        assert definition is not None, f"no JSON-LD term for kg:{name}"
        if (KG[name], RDF.type, OWL.ObjectProperty) in ontology:
            assert definition.get("@type") == "@id", name
    assert by_iri["kg:confidence"]["@type"] == "xsd:decimal"
    assert by_iri["kg:date"]["@type"] == "xsd:date"
    assert by_iri["nif:beginIndex"]["@type"] == "xsd:integer"


def test_context_round_trips_the_valid_sample() -> None:
    original = _union(VALID)
    context = json.loads(jsonld_context_file().read_text(encoding="utf-8"))["@context"]
    text = original.serialize(format="json-ld", context=context)
    assert '"@type": "Meeting"' in text  # the short terms are actually used
    assert isomorphic(original, Graph().parse(data=text, format="json-ld"))


# --- validation --------------------------------------------------------------------------


def test_valid_sample_conforms() -> None:
    report = validate_graph([VALID])
    assert isinstance(report, ValidationReport)
    assert report.conforms, report.text
    assert report.violations == 0


def test_shapes_need_no_ontology_or_inference(shapes: Graph) -> None:
    conforms, _, text = shacl_validate(_union(VALID), shacl_graph=shapes, inference="none")
    assert conforms, text


# (focus node relative to the data base IRI, path as printed, part of the message)
EXPECTED_VIOLATIONS = [
    ("doc/901_noid", "kg:docId", "exactly one kg:docId"),
    ("actor/marco-rubio", "skos:prefLabel", "exactly one skos:prefLabel"),
    ("actor/marco-rubio", "kg:metWith", "kg:metWith is symmetric"),
    ("actor/sergej-lawrow", "kg:affiliation", "kg:State or kg:Organization"),
    ("event/900_bad/meeting-000000000001", "kg:evidence", "exactly one kg:evidence"),
    ("event/900_bad/meeting-000000000001", "kg:date", "xsd:date"),
    ("event/900_bad/meeting-000000000001", "kg:participant", "is not listed as kg:participant"),
    ("event/900_bad/meeting-000000000001/side/russland", "kg:sideParty", "exactly one kg:sideParty"),
    ("event/900_bad/call-000000000002", "kg:hasSide", "at least two kg:hasSide"),
    ("event/900_bad/agreement-000000000003", "kg:confidence", "between 0 and 1"),
    ("event/900_bad/agreement-000000000003", "kg:agreedContent", "exactly one kg:agreedContent"),
    ("event/900_bad/demand-000000000004", "kg:demander", "exactly one kg:demander"),
    ("event/900_bad/call-000000000002", "kg:sourceActor", "at least one kg:sourceActor"),
    ("event/900_bad/call-000000000002", "kg:ploverType", "does not belong to CAMEO code 041"),
    ("event/900_bad/agreement-000000000003", "kg:ploverType", "exactly one kg:ploverType"),
    ("event/900_bad/agreement-000000000003", "kg:ploverType", "does not belong to CAMEO code 030"),
    ("event/900_bad/demand-000000000004", "kg:cameoCode", "exactly one kg:cameoCode"),
    ("doc/900_bad#char=300,200", "nif:endIndex", "is not smaller than nif:endIndex"),
    ("doc/900_bad#char=50,60", "nif:anchorOf", "exactly one nif:anchorOf"),
    ("doc/900_bad#char=50,60", "-", "does not match its document and offsets"),
]


def _report_entries(text: str) -> list[dict[str, str]]:
    entries = []
    for block in text.strip().split("\n\n")[1:]:
        first, *rest = block.splitlines()
        entry = {"message": first.split(": ", 1)[1]}
        for line in rest:
            key, value = line.strip().split(":", 1)
            entry[key] = value.strip()
        entries.append(entry)
    return entries


def test_invalid_sample_fails_and_the_report_names_each_violation() -> None:
    report = validate_graph([INVALID])
    assert not report.conforms
    assert report.violations == len(EXPECTED_VIOLATIONS), report.text
    entries = _report_entries(report.text)
    assert len(entries) == len(EXPECTED_VIOLATIONS)
    for focus, path, message in EXPECTED_VIOLATIONS:
        matching = [
            e
            for e in entries
            if e["focus node"] == f"<{DATA}{focus}>" and e["path"] == path and message in e["message"]
        ]
        assert len(matching) == 1, f"{focus} {path} {message!r} not reported once in:\n{report.text}"
    # a readable report, not pyshacl's raw dump
    assert "Constraint Violation in" not in report.text
    assert report.text.startswith("Conforms: no (20 violations).")


def test_validation_runs_over_the_union_of_files(tmp_path: Path) -> None:
    # Split the sample: the document node in one file, everything else in another. Alone,
    # the second file fails (events derive from an untyped node); together they conform.
    union = _union(VALID)
    document = URIRef(f"{DATA}doc/001_riad")
    doc_part, rest = Graph(), Graph()
    for triple in union:
        (doc_part if triple[0] == document else rest).add(triple)
    doc_file, rest_file = tmp_path / "doc.nt", tmp_path / "rest.ttl"
    doc_part.serialize(doc_file, format="nt", encoding="utf-8")
    rest.serialize(rest_file, format="turtle")

    assert not validate_graph([rest_file]).conforms
    assert validate_graph([doc_file, rest_file]).conforms


@pytest.mark.parametrize(("suffix", "fmt"), [(".nq", "nquads"), (".jsonld", "json-ld"), (".ttl", "turtle")])
def test_every_supported_format_loads(tmp_path: Path, suffix: str, fmt: str) -> None:
    dataset = Dataset()
    dataset.parse(VALID, format="trig")
    target = tmp_path / f"sample{suffix}"
    if fmt == "turtle":
        _union(VALID).serialize(target, format=fmt)
    else:
        dataset.serialize(target, format=fmt)
    report = validate_graph([target])
    assert report.conforms, report.text


def test_missing_file_gives_an_input_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.trig"
    with pytest.raises(InputError, match="nowhere.trig"):
        validate_graph([VALID, missing])


def test_unparseable_file_gives_an_input_error_naming_it(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> .\n", encoding="utf-8")
    with pytest.raises(InputError, match="broken.ttl"):
        validate_graph([broken])


def test_unknown_suffix_gives_an_input_error_naming_it(tmp_path: Path) -> None:
    odd = tmp_path / "data.xml"
    odd.write_text("<rdf/>", encoding="utf-8")
    with pytest.raises(InputError, match="data.xml"):
        validate_graph([odd])


# --- statistics --------------------------------------------------------------------------


def _store(path: Path) -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    store.load(path=str(path), format=pyoxigraph.RdfFormat.TRIG)
    return store


def test_graph_stats_on_valid_sample() -> None:
    stats = graph_stats(_store(VALID))
    assert stats.triples == len(_union(VALID)) == 157
    assert stats.by_class == {
        "Actor": 7,
        "Person": 4,
        "State": 3,
        "Organization": 0,
        "Event": 4,
        "Meeting": 1,
        "PhoneCall": 1,
        "Agreement": 1,
        "Demand": 1,
        "Side": 4,
        "Document": 1,
        "Place": 1,
        "EvidenceSpan": 5,
    }
    assert stats.by_document == {
        "001_riad": {"Meeting": 1, "PhoneCall": 1, "Agreement": 1, "Demand": 1, "Actor": 7},
    }


def test_graph_stats_count_a_triple_once_across_graphs() -> None:
    # Actors are restated in every document graph that mentions them; the same triple in
    # two graphs must count once.
    store = _store(VALID)
    other = pyoxigraph.NamedNode(f"{DATA}graph/copy")
    for quad in list(store):
        store.add(pyoxigraph.Quad(quad.subject, quad.predicate, quad.object, other))
    stats = graph_stats(store)
    assert stats.triples == 157
    assert stats.by_class["Actor"] == 7
    assert stats.by_document["001_riad"]["Actor"] == 7
