"""Where kg reads graphs: RDF files (``--data``), an on-disk store (``--store``) or a SPARQL
endpoint (``--endpoint``), behind one query runner; and the graphs ``kg push`` sends.

Every command that reads a graph chooses its source here, so the three options mean the
same everywhere and their errors read the same.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg import formats
from kg.errors import InputError, StoreError
from kg.network import QueryRunner
from kg.queries import SavedQuery
from kg.read import ReadFailure
from kg.results import QueryResult, run_query
from kg.store import load_store
from kg.views import Views

NO_SOURCE = "give --data FILE (a graph written by kg build), --store DIR or --endpoint URL"


@dataclass(frozen=True)
class Remote:
    """How to reach a SPARQL endpoint (the --endpoint, --server and URL options)."""

    endpoint: str
    server: str = "oxigraph"
    query_url: str | None = None
    update_url: str | None = None
    gsp_url: str | None = None
    auth: str | None = None
    timeout: float = 60.0

    def target(self, needs: tuple[str, ...] = ("--gsp-url", "--update-url", "--query-url")):  # -> kg.remote.Endpoint
        """The endpoint; ``needs`` are the URL options --server generic must have."""
        from kg.remote import endpoint_for

        return endpoint_for(self.endpoint, self.server, gsp_url=self.gsp_url, update_url=self.update_url,
                            query_url=self.query_url, auth=self.auth, timeout=self.timeout, needs=needs)


def check_timeout(seconds: float) -> None:
    """--timeout is a finite number of seconds above 0 (0 or inf would mean no limit)."""
    if not (isinstance(seconds, (int, float)) and math.isfinite(seconds) and seconds > 0):
        raise InputError(f"--timeout must be a number of seconds above 0, not {seconds:g}")


def open_store(path: Path) -> ox.Store:
    """An on-disk store made by ``kg build --store``, read-only (queries never change it;
    a build may run at the same time)."""
    path = Path(path)
    if not path.is_dir():
        raise StoreError(f"{path}: no such store folder (kg build … --store {path} makes one)")
    try:
        return ox.Store.read_only(str(path))
    except (OSError, RuntimeError) as exc:  # RuntimeError: the store's files are corrupt
        raise StoreError(f"{path}: {store_problem(exc)}") from None


def store_problem(exc: Exception) -> str:
    """One line on an on-disk store that cannot be opened or read."""
    text = " ".join(str(exc).split())
    if isinstance(exc, RuntimeError) or "Corruption" in text:
        return f"the store is damaged ({text[:160]}); rebuild it with kg build … --store into a new folder"
    return f"cannot open the store ({text[:160]})"


def load_graphs(paths: list[Path]) -> ox.Store:
    """The graph files given with --data (or as arguments), in one in-memory store."""
    if not paths:
        raise InputError(f"no graph to read: {NO_SOURCE}")
    return load_store(list(paths))


def query_runner(data: list[Path] | None = None, store: Path | None = None, remote: Remote | None = None,
                 data_option: str = "--data") -> QueryRunner:
    """Run saved queries over RDF files, an on-disk store or a remote store: exactly one."""
    given = [name for name, value in ((data_option, data), ("--store", store), ("--endpoint", remote)) if value]
    if len(given) > 1:
        raise InputError(f"give one of {data_option}, --store or --endpoint, not {' and '.join(given)}")
    if remote is not None:
        from kg.remote import remote_query

        target = remote.target(needs=("--query-url",))
        return lambda saved, params: remote_query(target, saved, params)
    if store is not None:
        local = open_store(store)
        where = store
    elif data:
        local, where = load_graphs(list(data)), None
    else:
        files = f"{data_option} FILE" if data_option.startswith("--") else f"{data_option} files"
        raise InputError(f"no graph to read: {NO_SOURCE.replace('--data FILE', files)}")

    # the rows a build materialised answer the same query on the same store (kg.views);
    # KG_VIEWS=off times the queries themselves
    views = Views(store) if store is not None and os.environ.get("KG_VIEWS", "").lower() != "off" else None

    def run(saved: SavedQuery, params: dict[str, str]) -> QueryResult:
        if views is not None and (kept := views.get(saved, params)) is not None:
            return kept
        try:
            return run_query(local, saved, params)
        except (OSError, RuntimeError) as exc:
            if where is None:
                raise
            raise StoreError(f"{where}: {store_problem(exc)}") from None

    return run


@dataclass
class PushSet:
    """What ``kg push`` sends: named graphs from graph files and from articles built now."""

    store: ox.Store
    failures: list[ReadFailure] = field(default_factory=list)


def graphs_to_push(paths: list[Path], base_iri: str) -> PushSet:
    """Graph files keep their named graphs (a triples-only file becomes the named graph
    <file IRI>, since a store needs a graph to replace); articles are built on the fly,
    one named graph per document."""
    rdf_files = [p for p in paths if formats.is_rdf_file(p)]
    articles = [p for p in paths if p not in rdf_files]
    for path in articles:
        if not path.exists():
            raise InputError(f"{path}: no such file")
    store = ox.Store()
    if rdf_files:
        store = load_graphs(rdf_files)
        default = list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        if default:
            if len(rdf_files) > 1:
                raise InputError("triples without named graphs come from several files: push them one file at a time, or build .trig")
            graph = ox.NamedNode(rdf_files[0].resolve().as_uri())
            for quad in default:
                store.remove(quad)
                store.add(ox.Quad(quad.subject, quad.predicate, quad.object, graph))
    failures: list[ReadFailure] = []
    if articles:
        from kg.pipeline import build_dataset

        built = build_dataset(articles, base_iri=base_iri)
        failures = list(built.failures)
        store.extend(built.store)
    return PushSet(store, failures)
