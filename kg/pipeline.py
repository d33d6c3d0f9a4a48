"""The whole path as one library call: read -> clean -> annotate -> extract -> resolve -> RDF.

``build_dataset`` is what ``kg build`` runs. Each stage is its own module and talks to its
neighbours only through the records in kg.model (and the spaCy Doc between annotate and
extract).

Builds stream: documents are read and extracted one at a time (or by a pool of worker
processes, each with its own pipeline) and written to the store in batches of about
CHECKPOINT_QUADS quads, so memory does not grow with the corpus. With a persistent
store a manifest of content hashes makes re-builds incremental: unchanged documents are
skipped, changed ones replace their named graph, removed ones lose it.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph

from kg import __version__
from kg.actors_graph import DESCRIPTIONS_NAME, Descriptions, nt_lines
from kg.clean import clean_document
from kg.errors import StoreError, StoreInUse
from kg.manifest import MANIFEST_NAME, Entry, Manifest, Repair, new_revision
from kg.model import CleanDocument, DocumentResult, Extraction, SourceDocument
from kg.nlp.pipeline import build_pipeline
from kg.pieces import joined, pieces, shifted
from kg.rdf import GraphWriter
from kg.read import ReadFailure, read_documents
from kg.registry import load_registry
from kg.resolve import resolve_document
from kg.views import RefreshReport, refresh_views, views_revision
from kg.vocab import DEFAULT_BASE_IRI

# who is building into a store, for the message a second build gets (the store's own lock
# says only that it is taken)
LOCK_NAME = "kg-build.json"
# Quads per batch written to the store (then the manifest is saved). Each batch becomes a
# set of sorted files in the store that its background compaction later merges: small
# batches made that merging cost more CPU than the loading itself, and it competes with the
# workers. A batch is about 40 MB of N-Quads, a crash loses at most one.
CHECKPOINT_QUADS = 250_000


@dataclass
class BuildResult:
    store: pyoxigraph.Store
    documents: int = 0  # documents extracted and written in this run
    quads: int = 0
    failures: list[ReadFailure] = field(default_factory=list)
    results: list[DocumentResult] = field(default_factory=list)
    skipped: int = 0  # unchanged since the last build into the same store
    removed: int = 0  # documents gone from the input whose graphs were dropped
    words: int = 0
    repair: Repair = field(default_factory=Repair)  # what a check of the store found and undid
    views: RefreshReport | None = None  # the materialised query results, when this build renewed them


#: how much of a long document's beginning is read for its news date and place
OPENING_CHARS = 4000
#: documents per task of a worker process (spaCy batches them)
WORKER_CHUNK = 16
#: documents per spaCy memory zone (see Extractor.results)
ZONE_DOCUMENTS = 1000


class Extractor:
    """Holds the loaded pipeline and registry; turns clean documents into results."""

    def __init__(self, spacy_model: str | None = None, registry_path: str | None = None,
                 lexicon_path: str | None = None, rules_path: str | None = None):
        self.registry = load_registry(registry_path)
        self.nlp = build_pipeline(registry_path=registry_path, spacy_model=spacy_model,
                                  lexicon_path=lexicon_path, rules_path=rules_path)
        self._zone: ExitStack | None = None  # the memory zone of documents extracted one by one
        self._zone_documents = 0
        self._in_group_zone = False  # results() is inside a zone (zones must not nest)

    def results(self, cleaned: Iterable[CleanDocument], batch_size: int = 16) -> Iterator[DocumentResult]:
        # spaCy keeps every new word form (vocabulary, tokenizer cache) for good; in a memory
        # zone per group of documents the forms of that group are dropped after it, so a
        # worker's memory stays flat over a corpus of distinct text
        if self._in_group_zone:  # called while another results() runs: inside its zone
            yield from self._results(cleaned, batch_size)
            return
        self._close_zone()
        cleaned = iter(cleaned)
        while group := list(itertools.islice(cleaned, ZONE_DOCUMENTS)):
            self._in_group_zone = True
            try:
                with self.nlp.memory_zone():
                    yield from self._results(group, batch_size)
            finally:
                self._in_group_zone = False

    def _close_zone(self) -> None:
        if self._zone is not None:
            self._zone.close()
            self._zone, self._zone_documents = None, 0

    def _results(self, cleaned: Iterable[CleanDocument], batch_size: int) -> Iterator[DocumentResult]:
        # a long document goes through in pieces (kg.pieces); an article is one piece
        docs = ((self._doc(clean, start, end, lead), (clean, start, end == len(clean.text)))
                for clean in cleaned for lead, spans in [self._lead(clean)] for start, end in spans)
        parts: list[Extraction] = []
        for doc, (clean, start, last) in self.nlp.pipe(docs, as_tuples=True, batch_size=batch_size):
            parts.append(shifted(doc._.kg_extraction, start))
            if last:
                yield resolve_document(clean.source, joined(parts), self.registry)
                parts = []

    def _lead(self, clean: CleanDocument) -> tuple[tuple | None, list[tuple[int, int]]]:
        """The pieces of a document and, when there are several, the (news date, place) of
        its opening, which every piece reads its undated events against."""
        spans = pieces(clean.text)
        if len(spans) == 1:
            return None, spans
        opening_end = pieces(clean.text, OPENING_CHARS)[0][1]
        return self.nlp(self._doc(clean, 0, opening_end))._.kg_lead, spans

    def _doc(self, clean: CleanDocument, start: int = 0, end: int | None = None, lead: tuple | None = None):
        """The tokenised Doc of text[start:end], carrying what extraction needs beyond the text."""
        end = len(clean.text) if end is None else end
        doc = self.nlp.make_doc(clean.text[start:end] if (start, end) != (0, len(clean.text)) else clean.text)
        doc._.kg_lead = lead
        doc._.kg_published = clean.source.date
        doc._.kg_boxes = tuple((max(a, start) - start, min(b, end) - start) for a, b in clean.boxes if a < end and b > start)
        return doc

    def document(self, clean: CleanDocument) -> DocumentResult:
        """One document (a worker's task): documents extracted one by one share a memory zone,
        renewed every ZONE_DOCUMENTS documents (no Doc outlives the call)."""
        if self._in_group_zone:  # called while results() runs: inside its zone
            [result] = self._results([clean], 1)
            return result
        if self._zone is None or self._zone_documents >= ZONE_DOCUMENTS:
            self._close_zone()
            self._zone = ExitStack()
            self._zone.enter_context(self.nlp.memory_zone())
        self._zone_documents += 1
        [result] = self._results([clean], 1)
        return result

    def extraction(self, text: str, date: str | None = None) -> Extraction:
        """What the rules find in a string, before kg.resolve merges and completes it."""
        clean = _cleaned(text, date)
        lead, spans = self._lead(clean)
        return joined([shifted(self.nlp(self._doc(clean, start, end, lead))._.kg_extraction, start) for start, end in spans])

    def text(self, text: str, date: str | None = None, doc_id: str = "text") -> DocumentResult:
        """Extract from a string: ``Extractor().text("Putin empfing Witkoff im Kreml.")``."""
        return self.document(_cleaned(text, date, doc_id))


def _cleaned(text: str, date: str | None, doc_id: str = "text") -> CleanDocument:
    return clean_document(SourceDocument(doc_id=doc_id, text=text, date=date))


# ---------------------------------------------------------------------------- manifest

def content_hash(source: SourceDocument, base_iri: str, spacy_model: str | None) -> str:
    """What a document's graph depends on: its text and metadata, the base IRI, the kg
    version and the optional statistical model."""
    key = json.dumps(
        [source.text, source.date, source.url, source.title, source.outlet, base_iri, __version__, spacy_model or ""],
        ensure_ascii=False,
    )
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------- workers

_worker: tuple[Extractor, GraphWriter] | None = None


def _init_worker(spacy_model: str | None, base_iri: str) -> None:
    global _worker  # one pipeline per worker process, loaded once
    # Ctrl-C reaches the whole process group: the main process stops the pool, the
    # workers must not print tracebacks of their own
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker = (Extractor(spacy_model=spacy_model), GraphWriter(base_iri))


def _extract_chunk_to_nquads(items: list[CleanDocument | SourceDocument]) -> list[tuple[str, bytes, int, list[str]]]:
    """A worker's task, a chunk of documents: for each (doc id, N-Quads of its graph, their
    count, its actor descriptions as N-Triples lines). The chunk goes through spaCy in
    batches, as in one process."""
    extractor, writer = _worker
    cleaned = [item if isinstance(item, CleanDocument) else clean_document(item) for item in items]  # cleaning runs in the worker too
    return [(result.source.doc_id, *_written(writer, writer.document_quads(result)))
            for result in extractor.results(cleaned)]


def _written(writer: GraphWriter, quads: list[pyoxigraph.Quad]) -> tuple[bytes, int, list[str]]:
    own, described = writer.split(quads)
    return _nquads(own), len(own), nt_lines(described)


def _nquads(quads: list[pyoxigraph.Quad]) -> bytes:
    return pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.N_QUADS)


# ---------------------------------------------------------------------------- build

def build_dataset(
    paths: list[Path],
    base_iri: str = DEFAULT_BASE_IRI,
    spacy_model: str | None = None,
    keep_results: bool = False,
    store_dir: Path | None = None,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
    scheduler: str | None = None,
    views: bool = True,
) -> BuildResult:
    """Read every document under ``paths`` and build one named graph per document.

    Documents that cannot be read are reported in ``failures``; every other document is
    still built. ``store_dir`` builds into an on-disk store and makes the build
    incremental (kg.manifest: what a crash leaves behind is found and rebuilt), and with
    ``views`` a build that changed it computes the results of the queries without
    parameters (kg.views). ``workers`` > 1 extracts in that many processes,
    ``scheduler`` (a Dask scheduler's address) on that cluster's workers (kg.cluster). ``progress(done, words)`` is called
    after each document, extracted or skipped as unchanged (``words`` counts the extracted
    ones).
    """
    writer = GraphWriter(base_iri)
    manifest: Manifest | None = None
    descriptions: Descriptions | None = None
    if store_dir is not None:
        store = open_store_for_build(store_dir)
        manifest = Manifest.load(store_dir / MANIFEST_NAME, lambda doc_id: writer.graph_iri(doc_id).value)
        descriptions = Descriptions(store_dir / DESCRIPTIONS_NAME)
    else:
        store = pyoxigraph.Store()
    shared = str(writer.actors_graph)
    result = BuildResult(store=store)
    checkpoint = checkpoint_quads()
    current: dict[str, str] = {}
    extracted = 0  # documents extracted so far, written or still in the batch

    try:
        if manifest is not None:
            manifest.save()  # "building" from here until the end: a crash is noticed next time
            result.repair = manifest.check(store, keep={writer.actors_graph.value})
        previous = dict(manifest.documents) if manifest is not None else {}

        def pending() -> Iterator[SourceDocument]:
            for item in read_documents(paths):
                if isinstance(item, ReadFailure):
                    result.failures.append(item)
                    continue
                digest = content_hash(item, base_iri, spacy_model)
                current[item.doc_id] = digest
                if item.doc_id in previous and previous[item.doc_id].hash == digest:
                    result.skipped += 1
                    if progress is not None:
                        progress(extracted + result.skipped, result.words)
                    continue
                result.words += len(item.text.split())
                yield item

        # Graphs are written a checkpoint's worth at a time with the store's bulk loader,
        # which writes sorted files directly: far less work for this process than one
        # transaction per document, and it leaves no write buffers to grow. A batch is kept
        # as N-Quads bytes, the form the bulk loader reads, not as Python objects.
        batch: list[tuple[str, int, list[str]]] = []  # (doc_id, distinct quads, actor descriptions)
        batch_nquads: list[bytes] = []
        batch_size = 0  # quads

        def add(doc_id: str, nquads: bytes, count: int, described: list[str]) -> None:
            nonlocal batch_size, extracted
            batch.append((doc_id, count, described))
            batch_nquads.append(nquads)
            if descriptions is None:  # in memory nothing is removed: the union of the descriptions
                batch_nquads.append("".join(f"{line[:-1]}{shared} .\n" for line in described).encode("utf-8"))
            result.quads += count
            batch_size += count
            extracted += 1
            if progress is not None:
                progress(extracted + result.skipped, result.words)
            if batch_size >= checkpoint:
                write_batch()

        def write_batch() -> None:
            nonlocal batch_size
            if not batch:
                return
            if manifest is not None:
                # write-ahead: the manifest stops claiming these documents before their old
                # graphs go, so a crash from here on leaves them to be rebuilt
                for doc_id, _, _ in batch:
                    manifest.documents.pop(doc_id, None)
                manifest.save()
            for doc_id, _, _ in batch:
                drop_graphs(doc_id)
            store.bulk_load(b"".join(batch_nquads), format=pyoxigraph.RdfFormat.N_QUADS)
            if manifest is not None:
                store.flush()
                descriptions.replace((doc_id, described) for doc_id, _, described in batch)
                for doc_id, count, _ in batch:
                    manifest.documents[doc_id] = Entry(current[doc_id], writer.graph_iri(doc_id).value, count)
                manifest.save()
            result.documents += len(batch)
            batch.clear()
            batch_nquads.clear()
            batch_size = 0

        def drop_graphs(doc_id: str) -> None:
            """The document's graph, and its graph under an earlier base IRI."""
            graphs = {writer.graph_iri(doc_id).value}
            if doc_id in previous:
                graphs.add(previous[doc_id].graph)
            for graph in graphs:
                node = pyoxigraph.NamedNode(graph)
                if store.contains_named_graph(node):
                    store.remove_graph(node)

        todo = pending()
        first = next(todo, None)
        # nothing changed: no pipeline to load, no workers to start
        documents = itertools.chain([first], todo) if first is not None else iter(())
        if first is not None and scheduler is not None:
            from kg.cluster import cluster_results

            for item in cluster_results(documents, scheduler, spacy_model, base_iri):
                add(*item)
        elif first is not None and workers > 1:
            context = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
            with context.Pool(workers, initializer=_init_worker, initargs=(spacy_model, base_iri)) as pool:
                for items in pool.imap(_extract_chunk_to_nquads, chunked(documents, WORKER_CHUNK)):
                    for item in items:
                        add(*item)
        elif first is not None:
            extractor = Extractor(spacy_model=spacy_model)
            for doc_result in extractor.results(clean_document(d) for d in documents):
                if keep_results:
                    result.results.append(doc_result)
                add(doc_result.source.doc_id, *_written(writer, writer.document_quads(doc_result)))
        write_batch()

        if manifest is not None:
            # documents that are gone from the input lose their graphs (claim first, then graph)
            gone = sorted(set(previous) - set(current))
            for doc_id in gone:
                manifest.documents.pop(doc_id, None)
            if gone:
                manifest.save()
            for doc_id in gone:
                drop_graphs(doc_id)
            result.removed = len(gone)
            descriptions.remove(gone)
            # exact after every build: what no claimed document says any more goes
            descriptions.sync(store, writer.actors_graph, set(manifest.documents))
            store.flush()
            if result.documents or result.removed or result.repair or not manifest.revision:
                manifest.revision = new_revision()
                # compacting after a change makes reads 1.5-2x faster (10,000 documents:
                # 2.6 s here, saved on every query that follows)
                store.optimize()
            if views and views_revision(store_dir) != manifest.revision:
                result.views = refresh_views(store, store_dir, manifest.revision)
            manifest.save(complete=True)
    finally:
        if descriptions is not None:
            descriptions.close()
        if store_dir is not None:
            (store_dir / LOCK_NAME).unlink(missing_ok=True)  # the store is free again
    return result


def chunked(items: Iterable, size: int) -> Iterator[list]:
    """Lists of ``size`` items (the last may be shorter)."""
    items = iter(items)
    while chunk := list(itertools.islice(items, size)):
        yield chunk


def checkpoint_quads() -> int:
    """Quads per batch; KG_CHECKPOINT_QUADS sets it (small values make crashes cheaper to
    redo and loading slower)."""
    value = os.environ.get("KG_CHECKPOINT_QUADS", "")
    return int(value) if value.isdigit() and int(value) > 0 else CHECKPOINT_QUADS


def open_store_for_build(store_dir: Path) -> pyoxigraph.Store:
    """Open (or make) an on-disk store for writing; say who holds it when it is taken."""
    try:
        store_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{store_dir}: cannot make the store folder ({exc.strerror or exc})") from None
    lock = store_dir / LOCK_NAME
    try:
        store = pyoxigraph.Store(str(store_dir))
    except OSError as exc:
        if "lock" in str(exc).lower():
            raise StoreInUse(f"{store_dir}: the store is in use by {_holder(lock)}; wait until it ends, "
                             "or build into another --store") from None
        raise StoreError(f"{store_dir}: cannot open the store ({' '.join(str(exc).split())[:160]})") from None
    except RuntimeError as exc:  # corrupt files
        raise StoreError(f"{store_dir}: the store is damaged ({' '.join(str(exc).split())[:160]}); "
                         "build into a new --store folder") from None
    try:
        lock.write_text(json.dumps({"pid": os.getpid(), "command": " ".join(["kg", *sys.argv[1:]])[:200],
                                    "since": time.strftime("%Y-%m-%d %H:%M:%S")}), encoding="utf-8")
    except OSError:
        pass  # only the message to a second build is poorer
    return store


def _holder(lock: Path) -> str:
    try:
        info = json.loads(lock.read_text(encoding="utf-8"))
        pid = int(info["pid"])
        os.kill(pid, 0)  # still running?
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"
    return f"another process (pid {pid}, {info.get('command') or 'kg'}, since {info.get('since', '?')})"
