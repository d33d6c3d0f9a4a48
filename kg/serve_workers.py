"""The query workers of ``kg serve``: processes that each hold the store open read-only and
answer one query at a time.

pyoxigraph cannot cancel a running query, so the time limit is kept by ending the process
that runs over it and starting a fresh one; the server itself never runs a query.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import signal
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

#: result formats of SELECT/ASK (name -> media type), then of CONSTRUCT/DESCRIBE
TABLE_FORMATS = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                 "csv": "text/csv", "tsv": "text/tab-separated-values"}
GRAPH_FORMATS = {"turtle": "text/turtle", "ntriples": "application/n-triples", "rdfxml": "application/rdf+xml"}


@dataclass(frozen=True)
class Job:
    """A SPARQL query (``saved`` empty) or a saved query by name with its parameters."""

    text: str = ""
    saved: str = ""
    page: str = ""  # an explorer page: "actor", "timeline" or "network"
    params: dict[str, str] = field(default_factory=dict)
    table_format: str = "json"  # for SELECT and ASK; saved queries: "csv" or "json" (kg's rows)
    graph_format: str = "turtle"  # for CONSTRUCT and DESCRIBE


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    media_type: str


def answer(store, job: Job) -> Answer:  # store: pyoxigraph.Store
    """Run ``job`` over the union of the store's graphs (in a worker process)."""
    import pyoxigraph as ox

    from kg.errors import KgError
    from kg.queries import load_query
    from kg.results import run_query, to_csv, to_json

    if job.page:
        return _page(store, job)
    if job.saved:
        try:
            result = run_query(store, load_query(job.saved), job.params)
        except KgError as exc:
            return Answer(400, str(exc).encode(), "text/plain; charset=utf-8")
        if job.table_format == "json":
            return Answer(200, to_json(result).encode(), "application/json")
        return Answer(200, to_csv(result).encode(), "text/csv; charset=utf-8")
    try:
        result = store.query(job.text, use_default_graph_as_union=True)
        if isinstance(result, ox.QueryTriples):
            rdf_format = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
                          "rdfxml": ox.RdfFormat.RDF_XML}[job.graph_format]
            return Answer(200, result.serialize(format=rdf_format), GRAPH_FORMATS[job.graph_format])
        results_format = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
                          "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}[job.table_format]
        return Answer(200, result.serialize(format=results_format), TABLE_FORMATS[job.table_format])
    except SyntaxError as exc:
        return Answer(400, f"SPARQL syntax error: {' '.join(str(exc).split())}".encode(), "text/plain; charset=utf-8")
    except (RuntimeError, ValueError, OSError) as exc:
        return Answer(400, f"the query failed: {' '.join(str(exc).split())}".encode(), "text/plain; charset=utf-8")


def _page(store, job: Job) -> Answer:
    from kg import serve_pages
    from kg.errors import KgError
    from kg.network import date_bound, load_network, timeline
    from kg.profile import AmbiguousActor, UnknownActor, actor_profile
    from kg.render import timeline_rows
    from kg.results import run_query

    def run(saved, params):
        return run_query(store, saved, params)

    try:
        if job.page == "actor":
            name = job.params.get("name", "")
            try:
                profile = actor_profile(run, name)
            except AmbiguousActor as exc:
                body = serve_pages.page(name, serve_pages.candidates_page(name, exc.candidates))
            else:
                body = serve_pages.page(profile.actor.label, serve_pages.profile_page(profile))
        elif job.page == "network":  # the page kg viz writes
            from kg.viz import render_html

            body = render_html(load_network(run), "kg: actor network")
        else:
            start, end = date_bound(job.params.get("from") or None, "from"), date_bound(job.params.get("to") or None, "to")
            rows = timeline_rows(timeline(load_network(run), start, end))
            body = serve_pages.page("timeline", serve_pages.timeline_page(rows))
    except UnknownActor as exc:
        return Answer(404, str(exc).encode(), "text/plain; charset=utf-8")
    except KgError as exc:
        return Answer(400, str(exc).encode(), "text/plain; charset=utf-8")
    return Answer(200, body.encode(), "text/html; charset=utf-8")


def _serve(store_path: str, conn: Connection) -> None:
    import pyoxigraph as ox

    store = ox.Store.read_only(store_path)
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        try:
            conn.send(answer(store, job))
        except Exception as exc:  # noqa: BLE001 - the worker must answer whatever happened
            conn.send(Answer(500, f"{type(exc).__name__}: {exc}".encode(), "text/plain; charset=utf-8"))


@dataclass
class _Worker:
    process: multiprocessing.Process
    conn: Connection


class QueryWorkers:
    """``size`` worker processes over the on-disk store at ``store_path``; ``run`` waits for
    an idle one and gives it ``timeout`` seconds."""

    def __init__(self, store_path: Path, size: int = 2, timeout: float = 30.0):
        self.store_path = str(store_path)
        self.size = size
        self.timeout = timeout
        self._context = multiprocessing.get_context("spawn")  # no fork of a threaded server
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: list[_Worker] = []

    def _spawn(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(self.store_path, child), daemon=True)
        # started with Ctrl-C ignored (an ignored signal stays ignored in the new process), so
        # a Ctrl-C in the terminal stops the server, which then stops its workers
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            process.start()
        finally:
            signal.signal(signal.SIGINT, previous)
        child.close()
        worker = _Worker(process, parent)
        self._all.append(worker)
        return worker

    async def start(self) -> None:
        self._idle = asyncio.Queue()
        for _ in range(self.size):
            self._idle.put_nowait(self._spawn())

    async def run(self, job: Job) -> Answer:
        assert self._idle is not None, "start() first"
        worker = await self._idle.get()
        try:
            worker.conn.send(job)
            if await asyncio.to_thread(worker.conn.poll, self.timeout):
                answer_ = worker.conn.recv()
                self._idle.put_nowait(worker)
                return answer_
            problem = f"the query ran longer than the limit of {self.timeout:g} s and was stopped"
        except (EOFError, OSError):  # the worker died (out of memory, a crash)
            problem = "the query stopped its worker process; a new one answers the next query"
        self._retire(worker)
        self._idle.put_nowait(self._spawn())
        return Answer(503, problem.encode(), "text/plain; charset=utf-8")

    def _retire(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        self._all.remove(worker)

    async def stop(self) -> None:
        for worker in list(self._all):
            try:
                worker.conn.send(None)
            except (OSError, BrokenPipeError):
                pass
            worker.process.join(2)
            if worker.process.is_alive():
                worker.process.kill()
        self._all.clear()
