"""Counts over a built graph: triples, instances per class, events and actors per document.

Everything is computed with SPARQL over the union of all named graphs. The store holds no
inferred triples, so the superclasses kg:Actor and kg:Event are counted through their
subclasses explicitly.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph

from kg.model import Relation
from kg.vocab import KG, sparql_prologue

# the event classes: Meeting, PhoneCall, Agreement, Demand
EVENT_CLASSES: tuple[str, ...] = tuple(r.event_class for r in Relation)
# Local names of the kg classes, in the order they are reported.
CLASSES: tuple[str, ...] = (
    "Actor",
    "Person",
    "State",
    "Organization",
    "Event",
    *EVENT_CLASSES,
    "Side",
    "Document",
    "Place",
    "EvidenceSpan",
)

# Classes whose instances are typed only with a subclass in the data (see DATA_MODEL.md).
_SUBCLASSES: dict[str, tuple[str, ...]] = {
    "Actor": ("Person", "State", "Organization"),
    "Event": EVENT_CLASSES,
}

# Keys of each by_document entry.
DOCUMENT_COUNTS: tuple[str, ...] = (*EVENT_CLASSES, "Actor")


@dataclass(frozen=True)
class GraphStats:
    triples: int  # distinct triples in the union of all graphs
    by_class: dict[str, int]  # kg class local name -> distinct instances (every class listed)
    by_document: dict[str, dict[str, int]]  # docId -> {"Meeting": n, ..., "Actor": n}
    quads: int = 0  # statements as stored: a triple once per graph that holds it
    graphs: int = 0  # named graphs
    default_triples: int = 0  # triples outside named graphs (a Turtle file's)


def graph_stats(store: pyoxigraph.Store) -> GraphStats:
    default = sum(1 for _ in store.quads_for_pattern(None, None, None, pyoxigraph.DefaultGraph()))
    return GraphStats(
        triples=_count_triples(store),
        by_class=_count_by_class(store),
        by_document=_count_by_document(store),
        quads=len(store) - default,
        graphs=sum(1 for _ in store.named_graphs()),
        default_triples=default,
    )


def _select(store: pyoxigraph.Store, query: str) -> pyoxigraph.QuerySolutions:
    return store.query(sparql_prologue() + query, use_default_graph_as_union=True)


def _int(term: pyoxigraph.Literal | None) -> int:
    return 0 if term is None else int(term.value)


def _class_values(names: tuple[str, ...]) -> str:
    return " ".join(f"<{KG[name]}>" for name in names)


def _count_triples(store: pyoxigraph.Store) -> int:
    # The union default graph repeats a triple once per graph holding it (actors are
    # restated in every document graph), hence DISTINCT.
    query = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    return sum(_int(row["n"]) for row in _select(store, query))


def _count_by_class(store: pyoxigraph.Store) -> dict[str, int]:
    # One query per class keeps DISTINCT counting simple for the superclasses, whose
    # instances may carry several subclass types in broken data.
    counts: dict[str, int] = {}
    for name in CLASSES:
        members = (name, *_SUBCLASSES.get(name, ()))
        query = f"""
            SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{
                VALUES ?class {{ {_class_values(members)} }}
                ?x a ?class .
            }}"""
        counts[name] = sum(_int(row["n"]) for row in _select(store, query))
    return counts


def _count_by_document(store: pyoxigraph.Store) -> dict[str, dict[str, int]]:
    by_document: dict[str, dict[str, int]] = {}
    for row in _select(store, "SELECT DISTINCT ?id WHERE { ?doc a kg:Document ; kg:docId ?id }"):
        by_document[row["id"].value] = dict.fromkeys(DOCUMENT_COUNTS, 0)

    # Events belong to the document they are derived from.
    events = EVENT_CLASSES
    query = f"""
        SELECT ?id ?class (COUNT(DISTINCT ?event) AS ?n) WHERE {{
            VALUES ?class {{ {_class_values(events)} }}
            ?event a ?class ; prov:wasDerivedFrom ?doc .
            ?doc a kg:Document ; kg:docId ?id .
        }}
        GROUP BY ?id ?class"""
    for row in _select(store, query):
        name = row["class"].value.removeprefix(str(KG))
        by_document.setdefault(row["id"].value, dict.fromkeys(DOCUMENT_COUNTS, 0))[name] = _int(row["n"])

    # Actors belong to every document that mentions them.
    query = f"""
        SELECT ?id (COUNT(DISTINCT ?actor) AS ?n) WHERE {{
            VALUES ?class {{ {_class_values(("Actor", *_SUBCLASSES["Actor"]))} }}
            ?actor a ?class ; kg:mentionedIn ?doc .
            ?doc kg:docId ?id .
        }}
        GROUP BY ?id"""
    for row in _select(store, query):
        by_document.setdefault(row["id"].value, dict.fromkeys(DOCUMENT_COUNTS, 0))["Actor"] = _int(row["n"])

    return dict(sorted(by_document.items()))
