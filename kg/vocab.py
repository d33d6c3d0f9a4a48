"""Vocabularies used by kg. IRIs are spelled here and nowhere else."""
from __future__ import annotations

import re

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD, DefinedNamespace

DEFAULT_BASE_IRI = "https://kg.example.org/id/"


class KG(DefinedNamespace):
    """The kg ontology (ontology/kg.ttl)."""

    _NS = Namespace("https://kg.example.org/ontology#")
    _fail = True

    # classes
    Actor: URIRef
    Person: URIRef
    State: URIRef
    Organization: URIRef
    Event: URIRef
    Meeting: URIRef
    PhoneCall: URIRef
    Side: URIRef
    Agreement: URIRef
    Demand: URIRef
    Document: URIRef
    Place: URIRef
    EvidenceSpan: URIRef
    # properties
    docId: URIRef
    affiliation: URIRef
    role: URIRef
    countryCode: URIRef
    mentionedIn: URIRef
    hasSide: URIRef
    sideParty: URIRef
    sideMember: URIRef
    participant: URIRef
    metWith: URIRef
    date: URIRef
    place: URIRef
    evidence: URIRef
    alsoAttestedBy: URIRef
    extractedBy: URIRef
    confidence: URIRef
    party: URIRef
    agreedContent: URIRef
    demander: URIRef
    addressee: URIRef
    demandedContent: URIRef
    # event-data codes (kg/data/event_codes.yaml)
    cameoRoot: URIRef  # annotations of the event classes
    ploverCategory: URIRef
    cameoCode: URIRef
    ploverType: URIRef
    ploverMode: URIRef
    ploverContext: URIRef
    eventTopic: URIRef
    sourceActor: URIRef
    recipientActor: URIRef
    cameoActorCode: URIRef
    cameoSector: URIRef
    cameoCountry: URIRef
    contentHash: URIRef  # kg push: bookkeeping inside each pushed graph
    tripleCount: URIRef


SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
PROV = Namespace("http://www.w3.org/ns/prov#")
SCHEMA = Namespace("https://schema.org/")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
#: Wikidata items: the registry's actors and places are owl:sameAs these
WIKIDATA = Namespace("http://www.wikidata.org/entity/")
#: what a Wikidata item's id looks like ("Q159")
QID = re.compile(r"Q[1-9][0-9]*")
SH = Namespace("http://www.w3.org/ns/shacl#")

PREFIXES: dict[str, str] = {
    "kg": str(KG),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "sem": str(SEM),
    "schema": str(SCHEMA),
    "nif": str(NIF),
}


def sparql_prologue() -> str:
    """PREFIX lines for every vocabulary above (for queries built in code)."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
