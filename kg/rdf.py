"""RDF stage: a DocumentResult becomes the quads of that document's named graph, plus the
descriptions of its actors and places for the store's one actors graph.

IRIs are deterministic (docs/DATA_MODEL.md): the same input gives the same quads. The
quads are pyoxigraph terms so that large corpora are stored and serialised without a
second in-memory model. An actor's description (type, labels, affiliation, role) goes
into the actors graph, ``B`` + ``graph/shared/actors``, which holds the union of what the
documents say about each actor: described once per store, not once per document that
mentions it. Loading the output of several builds into one store unites their actors
graphs, as their quads are a set.
"""
from __future__ import annotations

import hashlib
import re

from pyoxigraph import Literal, NamedNode, Quad
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from kg.codes import (
    ActorCode,
    CodeBook,
    CodedEvent,
    actor_codes,
    code_agreement,
    code_demand,
    code_meeting,
    load_codebook,
)
from kg.errors import InputError
from kg.model import ActorRef, DocumentResult, Evidence, Relation
from kg.registry import Registry, slug
from kg.resolve import actor_ref, normalise_content
from kg.vocab import KG, NIF, PROV, SCHEMA, WIKIDATA

#: where the actors graph is, under the base IRI
ACTORS_GRAPH_PATH = "graph/shared/actors"
_CLASS = {"Person": KG.Person, "State": KG.State, "Organization": KG.Organization}


def _n(iri) -> NamedNode:
    return NamedNode(str(iri))


def _date_literal(value: str) -> Literal:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return Literal(value, datatype=_n(XSD.date))
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return Literal(value, datatype=_n(XSD.gYearMonth))
    return Literal(value, datatype=_n(XSD.gYear))


def _hash(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:12]


def _content_literal(text: str) -> Literal:
    # English sentences (quoted statements) keep their language tag
    english = len(re.findall(r"\b(the|to|and|of|with|for|a)\b", text)) >= 2 and not re.search(r"\b(der|die|das|und|mit)\b", text)
    return Literal(text, language="en" if english else "de")


class GraphWriter:
    """Builds the quads of one document graph under a base IRI."""

    def __init__(self, base_iri: str, codebook: CodeBook | None = None):
        self.codebook = codebook or load_codebook()
        if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", base_iri) or any(c in base_iri for c in ' <>"{}|^`\\'):
            raise InputError(f"--base-iri {base_iri!r} is not an absolute IRI")
        self.base = base_iri if base_iri.endswith(("/", "#")) else base_iri + "/"

    def actor_iri(self, key: str) -> NamedNode:
        return NamedNode(f"{self.base}actor/{key}")

    def doc_iri(self, doc_id: str) -> NamedNode:
        return NamedNode(f"{self.base}doc/{slug_id(doc_id)}")

    def graph_iri(self, doc_id: str) -> NamedNode:
        return NamedNode(f"{self.base}graph/{slug_id(doc_id)}")

    @property
    def actors_graph(self) -> NamedNode:
        # "/" is escaped in document ids (slug_id), so no document's graph can have this IRI
        return NamedNode(f"{self.base}{ACTORS_GRAPH_PATH}")

    def split(self, quads: list[Quad]) -> tuple[list[Quad], list[Quad]]:
        """A document's quads: those of its own graph, and its actor descriptions."""
        shared = self.actors_graph
        own = [q for q in quads if q.graph_name != shared]
        return own, [q for q in quads if q.graph_name == shared]

    def document_quads(self, result: DocumentResult) -> list[Quad]:
        src = result.source
        g = self.graph_iri(src.doc_id)
        shared = self.actors_graph
        doc = self.doc_iri(src.doc_id)
        quads: list[Quad] = []

        def add(s, p, o) -> None:
            quads.append(Quad(s, _n(p) if not isinstance(p, NamedNode) else p, o, g))

        def describe(s, p, o) -> None:
            quads.append(Quad(s, _n(p), o, shared))

        add(doc, RDF.type, _n(KG.Document))
        add(doc, KG.docId, Literal(src.doc_id))
        if src.title:
            add(doc, DCTERMS.title, Literal(src.title))
        if src.date:
            add(doc, DCTERMS.date, _date_literal(src.date))
        if src.outlet:
            add(doc, DCTERMS.publisher, Literal(src.outlet))
        if src.url:
            add(doc, SCHEMA.url, Literal(src.url))

        codes = actor_codes(result.actors, self.codebook)
        for ref in result.actors.values():
            add(self.actor_iri(ref.key), KG.mentionedIn, doc)
            self._actor(ref, result, describe)
            if ref.key in codes:
                cameo_actor(self.actor_iri(ref.key), codes[ref.key], describe)

        def coded(node: NamedNode, event: CodedEvent) -> None:
            code = event.code
            add(node, KG.cameoCode, Literal(code.cameo))
            add(node, KG.ploverType, Literal(code.plover_type))
            if code.mode:
                add(node, KG.ploverMode, Literal(code.mode))
            for context in code.contexts:
                add(node, KG.ploverContext, Literal(context))
            for topic in code.topics:
                add(node, KG.eventTopic, Literal(topic))
            for key in event.sources:
                add(node, KG.sourceActor, self.actor_iri(key))
            for key in event.recipients:
                add(node, KG.recipientActor, self.actor_iri(key))

        def evidence(node: NamedNode, spans: list[Evidence]) -> None:
            # the first span is the main evidence (kg.resolve chose it), the others attest too
            for k, ev in enumerate(spans):
                span = NamedNode(f"{doc.value}#char={ev.start},{ev.end}")
                add(node, KG.evidence if k == 0 else KG.alsoAttestedBy, span)
                add(span, RDF.type, _n(KG.EvidenceSpan))
                add(span, NIF.beginIndex, Literal(str(ev.start), datatype=_n(XSD.integer)))
                add(span, NIF.endIndex, Literal(str(ev.end), datatype=_n(XSD.integer)))
                add(span, NIF.anchorOf, Literal(ev.text))
                add(span, PROV.wasDerivedFrom, doc)

        def provenance(node: NamedNode, rule: str, confidence: float) -> None:
            add(node, PROV.wasDerivedFrom, doc)
            add(node, KG.extractedBy, Literal(rule))
            add(node, KG.confidence, Literal(f"{confidence:.2f}", datatype=_n(XSD.decimal)))

        for m in result.meetings:
            members = sorted(k for ms in m.sides.values() for k in ms)
            met = m.relation is Relation.MET_WITH
            prefix = "meeting" if met else "call"
            node = NamedNode(f"{self.base}event/{slug_id(src.doc_id)}/{prefix}-{_hash(m.relation.event_class, *sorted(m.sides), *members, m.date or '', m.place.key if m.place else '')}")
            add(node, RDF.type, _n(KG[m.relation.event_class]))
            for party, side_members in sorted(m.sides.items()):
                side = NamedNode(f"{node.value}/side/{party}")
                add(node, KG.hasSide, side)
                add(side, RDF.type, _n(KG.Side))
                add(side, KG.sideParty, self.actor_iri(party))
                for key in sorted(side_members):
                    add(side, KG.sideMember, self.actor_iri(key))
                    add(node, KG.participant, self.actor_iri(key))
            if m.date:
                add(node, KG.date, _date_literal(m.date))
            if m.place:
                place = NamedNode(f"{self.base}place/{slug(m.place.key)}")
                add(node, KG.place, place)
                describe(place, RDF.type, _n(KG.Place))
                describe(place, RDFS.label, Literal(m.place.label))
                if m.place.wikidata:
                    same_as(place, m.place.wikidata, describe)
                if m.place.coordinates:
                    located(place, m.place.coordinates, describe)
                if m.place.country:
                    describe(place, KG.countryCode, Literal(m.place.country))
            coded(node, code_meeting(m, result.actors, self.codebook))
            evidence(node, m.evidence)
            provenance(node, m.rule, m.confidence)
            if met:
                for a, b in _cross_pairs(m.sides):
                    add(self.actor_iri(a), KG.metWith, self.actor_iri(b))
                    add(self.actor_iri(b), KG.metWith, self.actor_iri(a))

        for a in result.agreements:
            node = NamedNode(f"{self.base}event/{slug_id(src.doc_id)}/agreement-{_hash(*sorted(a.parties), normalise_content(a.content))}")
            add(node, RDF.type, _n(KG.Agreement))
            for key in sorted(a.parties):
                add(node, KG.party, self.actor_iri(key))
            add(node, KG.agreedContent, _content_literal(a.content))
            if a.date:
                add(node, KG.date, _date_literal(a.date))
            coded(node, code_agreement(a, self.codebook))
            evidence(node, a.evidence)
            provenance(node, a.rule, a.confidence)

        for d in result.demands:
            node = NamedNode(f"{self.base}event/{slug_id(src.doc_id)}/demand-{_hash(d.demander, d.addressee or '', normalise_content(d.content))}")
            add(node, RDF.type, _n(KG.Demand))
            add(node, KG.demander, self.actor_iri(d.demander))
            if d.addressee:
                add(node, KG.addressee, self.actor_iri(d.addressee))
            add(node, KG.demandedContent, _content_literal(d.content))
            coded(node, code_demand(d, self.codebook))
            evidence(node, d.evidence)
            provenance(node, d.rule, d.confidence)
        # one quad once, in a stable order
        return sorted(set(quads), key=str)

    def _actor(self, ref: ActorRef, result: DocumentResult, add) -> None:
        node = self.actor_iri(ref.key)
        add(node, RDF.type, _n(_CLASS.get(ref.type, KG.Organization)))
        add(node, SKOS.prefLabel, Literal(ref.label))
        add(node, RDFS.label, Literal(ref.label))
        for form in ref.surface_forms:
            add(node, SKOS.altLabel, Literal(form))
        if ref.type == "Person" and ref.affiliation and ref.affiliation in result.actors:
            add(node, KG.affiliation, self.actor_iri(ref.affiliation))
        if ref.role and ref.type == "Person":
            add(node, KG.role, Literal(ref.role))
        if ref.wikidata:
            same_as(node, ref.wikidata, add)
        if ref.iso3:
            add(node, KG.countryCode, Literal(ref.iso3))


def registry_store(registry: Registry, base_iri: str):  # -> pyoxigraph.Store
    """The registry's graph in a store of its own (``kg registry``)."""
    from pyoxigraph import Store

    store = Store()
    store.extend(registry_quads(GraphWriter(base_iri), registry))
    return store


def registry_quads(writer: GraphWriter, registry: Registry) -> list[Quad]:
    """The actor registry as RDF, in its own named graph (``B`` + ``graph/registry``).

    Aliases become skos:altLabel; metonyms and role epithets ("Kreml", "Kremlchef"), which
    name the actor only in context, skos:hiddenLabel."""
    g = NamedNode(f"{writer.base}graph/registry")
    quads: list[Quad] = []

    def add(s_, p, o) -> None:
        quads.append(Quad(s_, _n(p), o, g))

    # the actors' CAMEO codes as a document that names them all would state them
    codes = actor_codes({k: actor_ref(k, registry, {}) for k, e in registry.entries.items() if e.type != "Place"},
                        writer.codebook)
    for entry in registry.entries.values():
        place = entry.type == "Place"
        node = NamedNode(f"{writer.base}place/{slug(entry.key)}") if place else writer.actor_iri(entry.key)
        if entry.wikidata:
            same_as(node, entry.wikidata, add)
        if entry.iso3:
            add(node, KG.countryCode, Literal(entry.iso3))
        if entry.key in codes:
            cameo_actor(node, codes[entry.key], add)
        if place:
            add(node, RDF.type, _n(KG.Place))
            add(node, RDFS.label, Literal(entry.label))
            for alias in entry.aliases:
                add(node, SKOS.altLabel, Literal(alias))
            if entry.country:
                add(node, SCHEMA.containedInPlace, writer.actor_iri(entry.country))
                state = registry.get(entry.country)
                if state is not None and state.iso3:
                    add(node, KG.countryCode, Literal(state.iso3))
            if entry.coordinates:
                located(node, entry.coordinates, add)
            continue
        add(node, RDF.type, _n(_CLASS[entry.type]))
        add(node, SKOS.prefLabel, Literal(entry.label))
        add(node, RDFS.label, Literal(entry.label))
        for alias in (*entry.aliases, *entry.genitives):
            add(node, SKOS.altLabel, Literal(alias))
        for form in (*entry.metonyms, *entry.role_aliases, *(f for o in entry.offices if o.held_on(None) for f in o.role_aliases)):
            add(node, SKOS.hiddenLabel, Literal(form))
        if entry.type == "Person":
            if entry.affiliation:
                add(node, KG.affiliation, writer.actor_iri(entry.affiliation))
            for role in entry.roles_on(None):
                add(node, KG.role, Literal(role))
    return sorted(set(quads), key=str)


def same_as(node: NamedNode, qid: str, add) -> None:
    """The node is the Wikidata item: owl:sameAs for reasoners and joins, schema:sameAs
    for schema.org consumers."""
    item = NamedNode(f"{WIKIDATA}{qid}")
    add(node, OWL.sameAs, item)
    add(node, SCHEMA.sameAs, item)


def cameo_actor(node: NamedNode, code: ActorCode, add) -> None:
    add(node, KG.cameoActorCode, Literal(code.code))
    if code.country:
        add(node, KG.cameoCountry, Literal(code.country))
    if code.sector:
        add(node, KG.cameoSector, Literal(code.sector))


def located(node: NamedNode, coordinates: tuple[float, float], add) -> None:
    latitude, longitude = coordinates
    add(node, SCHEMA.latitude, Literal(f"{latitude:.2f}", datatype=_n(XSD.decimal)))
    add(node, SCHEMA.longitude, Literal(f"{longitude:.2f}", datatype=_n(XSD.decimal)))


def slug_id(doc_id: str) -> str:
    """Document ids go into IRIs: keep them readable, escape what an IRI cannot hold."""
    return re.sub(r"[^A-Za-z0-9._~-]", lambda m: "%%%02X" % ord(m.group()) if ord(m.group()) < 128 else m.group(), doc_id)


def _cross_pairs(sides: dict[str, set[str]]) -> list[tuple[str, str]]:
    parties = sorted(sides)
    pairs: set[tuple[str, str]] = set()
    for i, p1 in enumerate(parties):
        for p2 in parties[i + 1 :]:
            for a in sides[p1]:
                for b in sides[p2]:
                    if a != b:
                        pairs.add(tuple(sorted((a, b))))
            pairs.add(tuple(sorted((p1, p2))))
    return sorted(pairs)
