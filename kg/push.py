"""kg push: the named graphs of a store into a remote SPARQL 1.1 store, verified.

The work goes in batches of graphs (1, 2, 4, … then 256 at a time: the first graphs are
verified early, so a push that stops part way can still list them). Per batch:

* one SELECT for the content hashes the store holds, and one grouped COUNT for the graphs
  whose hash matches: those are "unchanged" and not sent;
* per changed graph one Graph Store PUT (or DROP + INSERT DATA batches with
  ``via="update"``), all over one keep-alive HTTP session;
* one grouped COUNT to verify what was sent.

Each document graph carries ``<graph> kg:contentHash "…"`` and ``kg:tripleCount n``.

The merged actors graph (its IRI ends with ``/graph/shared/actors``, kg.rdf) holds the descriptions of actors that all documents share, and
each pushed file brings only some of them: it is added to (GSP POST, INSERT DATA without
DROP), never replaced, and carries no hash. It is "unchanged" when the store already holds
every one of its triples, which ASK queries of 50 triples each find out; after adding,
the same queries check that all of them are there.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, TypeVar

import pyoxigraph as ox
from rdflib.namespace import XSD

from kg.errors import (
    PushInterrupted,
    RemoteAuthError,
    RemoteBadAnswer,
    RemoteError,
    RemoteUnreachable,
)
from kg.queries import term_to_sparql
from kg.rdf import ACTORS_GRAPH_PATH
from kg.transport import clean, redact
from kg.vocab import KG

if TYPE_CHECKING:  # kg.remote imports this module: no import back at run time
    from kg.remote import Session

# graphs that are merged, not replaced: the actors graph (<base>graph/shared/actors; no
# document's graph can end so, document ids escape "/")
MERGED_SUFFIXES = (f"/{ACTORS_GRAPH_PATH}",)
HASH = ox.NamedNode(str(KG.contentHash))
COUNT = ox.NamedNode(str(KG.tripleCount))
_XSD_INTEGER = ox.NamedNode(str(XSD.integer))
_MAX_BATCH = 256  # graphs per state or verification query: ~15 kB of query text
_ASK_TRIPLES = 50  # ground triples per ASK of a merged graph: Virtuoso 7 overflows at ~100
_NT = {"Content-Type": "application/n-triples"}
_STATUSES = ("loaded", "merged", "unchanged", "failed")
_FAILED = object()  # what a refused step gives back (its graphs are reported failed)
T = TypeVar("T")


@dataclass
class PushReport:
    graph: str
    status: str  # "loaded" | "merged" | "unchanged" | "failed"
    triples: int
    detail: str = ""


@dataclass(frozen=True)
class _Graph:
    iri: str
    lines: list[bytes]  # its triples as N-Triples lines ("<s> <p> <o> ."), no newline
    digest: str

    @property
    def merged(self) -> bool:
        return is_merged(self.iri)

    @property
    def expected(self) -> int:
        """Triples the remote graph holds after a PUT (with the hash and the count)."""
        return len(self.lines) + (0 if self.merged else 2)

    def payload(self) -> list[bytes]:
        if self.merged:
            return self.lines
        node = ox.NamedNode(self.iri)
        count = ox.Literal(str(len(self.lines)), datatype=_XSD_INTEGER)
        return [*self.lines, f"{ox.Triple(node, HASH, ox.Literal(self.digest))} .".encode(),
                f"{ox.Triple(node, COUNT, count)} .".encode()]


def is_merged(graph: str) -> bool:
    """Whether a push adds to this graph rather than replacing it (the actors graph)."""
    return graph.endswith(MERGED_SUFFIXES)


# ------------------------------------------------------------------- local side

def graph_hash(triples: list[ox.Triple]) -> str:
    """A content hash of a graph, independent of triple order."""
    lines = sorted(str(t) for t in triples)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _lines_hash(lines: list[bytes]) -> str:
    # the same value as graph_hash(): an N-Triples line is str(triple) + " .", and UTF-8
    # bytes sort like the code points of the text
    return hashlib.sha256(b"\n".join(sorted(line[:-2] for line in lines))).hexdigest()


def _skolemise(triples: list[ox.Triple], graph: str) -> list[ox.Triple]:
    """Blank nodes become IRIs derived from graph and label (Virtuoso rejects blank nodes
    in INSERT DATA); the same input always gives the same IRIs."""
    def term(t):
        if isinstance(t, ox.BlankNode):
            digest = hashlib.sha1(f"{graph}|{t.value}".encode()).hexdigest()[:16]
            return ox.NamedNode(f"{graph}/.well-known/genid/{digest}")
        return t
    return [ox.Triple(term(t.subject), t.predicate, term(t.object)) for t in triples]


def _has_blank_node(body: bytes) -> bool:
    """Whether N-Triples hold a blank node: a subject starts the line; an object is the
    last term, and unlike a literal ending in "_:…" it has no quote."""
    for line in body.split(b"\n"):
        last = line[:-2].rpartition(b" ")[2]
        if line.startswith(b"_:") or (last.startswith(b"_:") and b'"' not in last):
            return True
    return False


def _prepare(store: ox.Store, name: str) -> _Graph | None:
    """One named graph, serialised once (by the store, not triple by triple in Python)."""
    node = ox.NamedNode(name)
    body = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=node)
    if b"_:" in body and _has_blank_node(body):
        triples = [quad.triple for quad in store.quads_for_pattern(None, None, None, node)]
        body = ox.serialize(_skolemise(triples, name), format=ox.RdfFormat.N_TRIPLES)
    lines = body.split(b"\n")[:-1]  # every line ends with a newline
    return _Graph(name, lines, _lines_hash(lines)) if lines else None


def _batches(names: list[str]) -> Iterator[list[str]]:
    size, start = 1, 0
    while start < len(names):
        yield names[start : start + size]
        start += size
        size = min(2 * size, _MAX_BATCH)


def _prepared(store: ox.Store, batches: Iterator[list[str]]) -> Iterator[list[_Graph]]:
    """The graphs of each batch, serialised in a thread while the previous batch is being
    sent: the store works on the requests meanwhile, and the wait frees the interpreter."""
    def prepare(names: list[str]) -> list[_Graph]:
        return [g for g in (_prepare(store, name) for name in names) if g is not None]

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-push") as worker:
        upcoming = [worker.submit(prepare, names) for names in islice(batches, 1)]
        while upcoming:
            current = upcoming.pop()
            upcoming = [worker.submit(prepare, names) for names in islice(batches, 1)]
            yield current.result()


def _fatal(exc: RemoteError) -> bool:
    # an unreachable store, bad credentials or unreadable answers to kg's own queries
    # fail every graph alike: the push stops
    return isinstance(exc, (RemoteUnreachable, RemoteAuthError, RemoteBadAnswer))


# ------------------------------------------------------------------- the push

def push_graphs(store: ox.Store, session: Session, via: str = "gsp", batch_size: int = 500) -> list[PushReport]:
    """Push every named graph of ``store`` through ``session`` (see kg.remote.push_dataset)."""
    if via not in ("gsp", "update"):
        raise RemoteError(f"--via must be gsp or update, not {via!r}")
    names = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    pusher = _Pusher(session, via, batch_size)
    try:
        for graphs in _prepared(store, _batches(names)):
            pusher.push(graphs)
    except (RemoteUnreachable, RemoteAuthError, RemoteBadAnswer) as exc:
        if pusher.reports:
            raise PushInterrupted(f"{exc}; {_progress(pusher.reports, len(names))}", pusher.reports) from None
        raise
    return pusher.reports


def _progress(reports: list[PushReport], total: int) -> str:
    counts = {status: sum(r.status == status for r in reports) for status in _STATUSES}
    extra = "".join(f", {counts[s]} {s}" for s in _STATUSES[1:] if counts[s])
    return (f"{counts['loaded']} of {total} graphs loaded{extra} before the failure, "
            "re-run kg push to load the rest")


class _Pusher:
    """Pushes batches of graphs; ``reports`` holds the graphs done, in graph order."""

    def __init__(self, session: Session, via: str, batch_size: int):
        self.session, self.via, self.batch_size = session, via, batch_size
        self.reports: list[PushReport] = []
        self._done: dict[str, PushReport] = {}

    def push(self, graphs: list[_Graph]) -> None:
        try:
            docs = [g for g in graphs if not g.merged]
            unchanged = self._guarded(docs, lambda: self._unchanged(docs))
            if unchanged is _FAILED:
                unchanged = set()  # the batch's documents are reported failed
            sent = []
            for g in graphs:
                if g.iri in self._done:
                    continue
                if g.merged:
                    self._guarded([g], lambda g=g: self._merge(g))
                elif g.iri in unchanged:
                    self._report(g, "unchanged")
                elif self._guarded([g], lambda g=g: self._send(g.iri, g.payload(), replace=True)) is not _FAILED:
                    sent.append(g)
            self._verify(sent)
        finally:
            # graphs sent but not verified when the push stops are left out: not done
            self.reports += [self._done[g.iri] for g in graphs if g.iri in self._done]
            self._done.clear()

    def _report(self, g: _Graph, status: str, detail: str = "") -> None:
        self._done[g.iri] = PushReport(g.iri, status, len(g.lines), detail)

    def _guarded(self, graphs: list[_Graph], action: Callable[[], T]) -> T | object:
        """``action()``, or ``_FAILED`` when the store refused it: that fails these
        graphs, and the others go on."""
        try:
            return action()
        except RemoteError as exc:
            if _fatal(exc):
                raise
            for g in graphs:
                self._report(g, "failed", str(exc))
            return _FAILED

    # ---------------------------------------------------------------- document graphs
    def _unchanged(self, docs: list[_Graph]) -> set[str]:
        """Graphs whose stored hash matches and whose triple count is complete (a graph
        cut short by a push that died part way has the right hash only if its last
        batch, which carries the hash, arrived; the count catches the rest)."""
        hashes = self._per_graph(docs, lambda v: (
            f"SELECT ?g ?h WHERE {{ VALUES ?g {{ {v} }} GRAPH ?g {{ ?g <{HASH.value}> ?h }} }}"))
        same = [g for g in docs if hashes.get(g.iri, {}).get("h", {}).get("value") == g.digest]
        counts = self._counts(same)
        return {g.iri for g in same if counts.get(g.iri) == g.expected}

    def _verify(self, sent: list[_Graph]) -> None:
        counts = self._guarded(sent, lambda: self._counts(sent))
        if counts is _FAILED:
            return
        for g in sent:
            found = counts.get(g.iri, 0)
            if found == g.expected:
                self._report(g, "loaded")
            else:
                self._report(g, "failed", f"store holds {found} triples, expected {g.expected}")

    def _counts(self, graphs: list[_Graph]) -> dict[str, int]:
        rows = self._per_graph(graphs, lambda v: (
            f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {v} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"))
        return {iri: self._int(row, iri) for iri, row in rows.items()}

    def _per_graph(self, graphs: list[_Graph], query: Callable[[str], str]) -> dict[str, dict]:
        """The answer rows of a per-graph query, by graph (``?g``); graphs the store left
        out of an answer it cut (Virtuoso's ResultSetMaxRows) are asked for again."""
        found: dict[str, dict] = {}
        todo = [g.iri for g in graphs]
        while todo:
            _, rows, response = self.session.select(query(" ".join(term_to_sparql(ox.NamedNode(i)) for i in todo)))
            got = {row["g"]["value"]: row for row in rows if "g" in row}
            found.update(got)
            limit = response.headers.get("X-SPARQL-MaxRows", "")
            if not (limit.isdigit() and len(rows) >= int(limit)):
                break
            left = [i for i in todo if i not in got]
            if len(left) == len(todo):
                raise RemoteError(f"{redact(self.session.endpoint.query_url)}: the store cut the answer at "
                                  f"{clean(limit)} rows (X-SPARQL-MaxRows); raise ResultSetMaxRows on the server")
            todo = left
        return found

    def _int(self, row: dict, graph: str) -> int:
        try:
            return int(row["n"]["value"])
        except (KeyError, ValueError):
            raise RemoteBadAnswer(
                f"{redact(self.session.endpoint.query_url)}: the store sent no triple count for {graph}") from None

    # ---------------------------------------------------------------- sending
    def _send(self, iri: str, lines: list[bytes], replace: bool) -> bool:
        """Replace the graph by ``lines`` (PUT; DROP + INSERT DATA) or add them to it
        (POST, the Graph Store merge; INSERT DATA alone)."""
        if self.via == "gsp":
            body = b"\n".join(lines) + b"\n"
            self.session.request("PUT" if replace else "POST", self.session.gsp_url(iri), data=body, headers=_NT)
            return True
        g = term_to_sparql(ox.NamedNode(iri))
        if replace:
            self.session.update(f"DROP SILENT GRAPH {g}")
        # batches: Virtuoso refuses INSERT DATA of about 1,000+ triples
        for start in range(0, len(lines), self.batch_size):
            text = b"\n".join(lines[start : start + self.batch_size]).decode("utf-8")
            self.session.update(f"INSERT DATA {{ GRAPH {g} {{\n{text}\n}} }}")
        return True

    # ---------------------------------------------------------------- the merged graph
    def _merge(self, g: _Graph) -> None:
        chunks = [g.lines[i : i + _ASK_TRIPLES] for i in range(0, len(g.lines), _ASK_TRIPLES)]
        # only the chunks the store lacks a triple of are sent, and checked again; a graph
        # that is not there at all lacks them all
        missing = [c for c in chunks if not self._holds(g.iri, c)] if self._holds(g.iri, []) else chunks
        if not missing:
            self._report(g, "unchanged")
            return
        self._send(g.iri, [line for c in missing for line in c], replace=False)
        lacking = sum(not self._holds(g.iri, c) for c in missing)
        if lacking:
            self._report(g, "failed", f"store lacks some of its triples after merging "
                                      f"({lacking} of {len(chunks)} groups of up to {_ASK_TRIPLES} incomplete)")
        else:
            self._report(g, "merged")

    def _holds(self, iri: str, lines: list[bytes]) -> bool:
        """Whether the remote graph holds all these triples (with none: any triple).

        An ASK of ground triple patterns: Virtuoso 7 does not match language-tagged
        literals in a VALUES block of several rows, so counting VALUES rows undercounts."""
        pattern = " . ".join(line[:-2].decode("utf-8") for line in lines) or "?s ?p ?o"
        _, rows, _ = self.session.select(f"ASK {{ GRAPH {term_to_sparql(ox.NamedNode(iri))} {{ {pattern} }} }}")
        return bool(rows) and rows[0].get("result", {}).get("value") == "true"
