"""The ``kg`` command line: a thin layer over the library modules.

Exit codes: 0 success; 1 the command ran but the result is negative (a document failed to
build, the graph has violations, a score is below --min-f1); 2 the command could not run
(bad input file, bad query, bad parameter, missing data). Expected failures print one
line ``kg: error: …`` on stderr, never a traceback.
"""
from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn, Optional

import typer

from kg.vocab import DEFAULT_BASE_IRI

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # plain Click messages: a usage error is one "Error: …" line, not a drawn box
    rich_markup_mode=None,
    help="Turn German news articles about diplomacy into an RDF knowledge graph.",
)

EXIT_NEGATIVE = 1
RDF_SUFFIXES = {".ttl", ".trig", ".nt", ".nq", ".jsonld"}
EXIT_ERROR = 2


def _fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    one_line = " ".join(str(message).split())
    typer.echo(f"kg: error: {one_line}", err=True)
    raise typer.Exit(code)


def _require_files(paths: list[Path], what: str) -> None:
    if not paths:
        _fail(f"no {what}")
    for path in paths:
        if not path.exists():
            _fail(f"{path}: no such file")


def _load(paths: list[Path]):  # -> pyoxigraph.Store
    from kg.store import StoreError, load_store

    _require_files(paths, "data: give --data FILE")
    try:
        return load_store(paths)
    except StoreError as exc:
        _fail(str(exc))


def _open_store(path: Path):  # -> pyoxigraph.Store, read-only: queries never change a store
    import pyoxigraph

    if not path.is_dir():
        _fail(f"{path}: no such store folder")
    try:
        return pyoxigraph.Store.read_only(str(path))
    except OSError as exc:
        _fail(f"{path}: cannot open the store ({' '.join(str(exc).split())[:160]})")


def _console():  # -> rich.console.Console
    from rich.console import Console

    return Console()


# ---------------------------------------------------------------------------------------


@app.command()
def build(
    paths: Annotated[list[Path], typer.Argument(help="Documents: files or folders.")],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Output file (.ttl .trig .nt .nq .jsonld).")] = None,
    fmt: Annotated[
        Optional[str],
        typer.Option(
            "--format", "-f", help="turtle, trig, ntriples, nquads or jsonld (default: from --out)."
        ),
    ] = None,
    base_iri: Annotated[str, typer.Option("--base-iri", help="Base IRI of the data.")] = DEFAULT_BASE_IRI,
    spacy_model: Annotated[
        Optional[str], typer.Option("--spacy-model", help="spaCy model name or path.")
    ] = None,
    store_dir: Annotated[
        Optional[Path], typer.Option("--store", help="Build into this on-disk store; re-builds are incremental.")
    ] = None,
    workers: Annotated[int, typer.Option("--workers", "-w", min=1, help="Processes that extract in parallel.")] = 1,
    strict: Annotated[bool, typer.Option("--strict", help="Any unreadable document is fatal.")] = False,
) -> None:
    """Read documents, extract relations and write the graph (one named graph per document).

    Documents stream through the pipeline, so memory stays flat on big corpora. Exit status
    1 when a document could not be read (the others are still built), 2 on fatal errors."""
    from kg.export import ExportError, format_name, write_dataset

    _require_files(paths, "documents given")
    if out is None and store_dir is None:
        _fail("give --out FILE, --store DIR or both")
    if out is not None:
        try:
            format_name(out, fmt)  # fail on a bad --out/--format before the slow extraction
        except ExportError as exc:
            _fail(str(exc))
        if not out.parent.is_dir():
            _fail(f"{out}: the folder {out.parent} does not exist")

    from kg.pipeline import build_dataset

    with _progress(paths) as report:
        try:
            result = build_dataset(list(paths), base_iri=base_iri, spacy_model=spacy_model,
                                   store_dir=store_dir, workers=workers, progress=report)
        except Exception as exc:  # noqa: BLE001 - any pipeline failure is fatal; nothing is written
            _fail(f"build failed: {type(exc).__name__}: {exc}")
    failures = list(result.failures)
    for failure in failures:
        typer.echo(f"  failed: {failure.path}: {failure.reason}", err=True)
    if failures and strict:
        _fail(f"{len(failures)} documents could not be read (--strict); nothing written")
    if out is not None:
        try:
            write_dataset(result.store, out, fmt)
        except ExportError as exc:
            _fail(str(exc))
    extra = f", {result.skipped} unchanged, {result.removed} removed" if store_dir is not None else ""
    typer.echo(
        f"kg build: {result.documents} documents{extra}, {len(result.store)} quads, "
        f"{len(failures)} failures -> {out or store_dir}",
        err=True,
    )
    if failures:
        raise typer.Exit(EXIT_NEGATIVE)


class _progress:
    """A Rich progress bar (documents done of all, words/s, ETA) on a terminal; nothing
    in pipes and CI."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = paths

    def __enter__(self):
        import time

        self.started = time.perf_counter()
        self.bar = None
        if sys.stderr.isatty() and not os.environ.get("CI"):
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                       TimeElapsedColumn, TimeRemainingColumn)

            from kg.read import count_documents

            self.bar = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("building", total=count_documents(self.paths) or None)
        return self.report

    def report(self, done: int, words: int) -> None:
        if self.bar is not None:
            import time

            rate = words / max(time.perf_counter() - self.started, 1e-6)
            total = self.bar.tasks[0].total
            if total is not None and done > total:  # JSONL lines that were not documents
                self.bar.update(self.task, total=done)
            self.bar.update(self.task, completed=done, description=f"{rate:,.0f} words/s")

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()


def _endpoint(endpoint, server, gsp_url, update_url, query_url, auth, timeout):
    from kg.remote import RemoteError, endpoint_for

    try:
        return endpoint_for(endpoint, server, gsp_url=gsp_url, update_url=update_url, query_url=query_url,
                            auth=auth, timeout=timeout)
    except RemoteError as exc:
        _fail(str(exc))


ServerOption = Annotated[str, typer.Option("--server", help="Store profile: oxigraph, virtuoso or generic.")]
GspOption = Annotated[Optional[str], typer.Option("--gsp-url", help="Graph Store Protocol URL (--server generic).")]
UpdateOption = Annotated[Optional[str], typer.Option("--update-url", help="SPARQL Update URL (--server generic).")]
QueryUrlOption = Annotated[Optional[str], typer.Option("--query-url", help="SPARQL query URL (--server generic).")]
AuthOption = Annotated[Optional[str], typer.Option("--auth", help="basic, digest or none (default: from the profile).")]
TimeoutOption = Annotated[float, typer.Option("--timeout", help="Seconds to wait for an answer.")]


@app.command()
def push(
    graphs: Annotated[list[Path], typer.Argument(help="Built graphs (.trig/.nq keep one graph per document) or articles.")],
    endpoint: Annotated[str, typer.Option("--endpoint", help="Base URL of the store, e.g. http://127.0.0.1:7878.")],
    server: ServerOption = "oxigraph",
    via: Annotated[str, typer.Option("--via", help="gsp (one PUT per graph) or update (batched SPARQL Update).")] = "gsp",
    gsp_url: GspOption = None,
    update_url: UpdateOption = None,
    query_url: QueryUrlOption = None,
    auth: AuthOption = None,
    timeout: TimeoutOption = 60.0,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Triples per INSERT DATA (--via update).")] = 500,
    base_iri: Annotated[str, typer.Option("--base-iri", help="Base IRI when articles are built on the fly.")] = DEFAULT_BASE_IRI,
) -> None:
    """Load built graphs (or articles, built on the fly) into a SPARQL 1.1 store;
    unchanged graphs are skipped.

    Credentials: KG_USER and KG_PASSWORD, or a netrc entry for the store's host."""
    from kg.remote import RemoteError, push_dataset

    target = _endpoint(endpoint, server, gsp_url, update_url, query_url, auth, timeout)
    rdf_files = [p for p in graphs if p.suffix.lower() in RDF_SUFFIXES]
    documents = [p for p in graphs if p not in rdf_files]
    store = _load_graphs(rdf_files) if rdf_files else None
    if documents:
        # articles instead of graphs: build them first, one named graph per document
        from kg.pipeline import build_dataset

        _require_files(documents, "documents given")
        built = build_dataset(documents, base_iri=base_iri)
        for failure in built.failures:
            typer.echo(f"  failed: {failure.path}: {failure.reason}", err=True)
        if store is None:
            store = built.store
        else:
            store.extend(built.store)
    try:
        reports = push_dataset(store, target, via=via, batch_size=batch_size)
    except RemoteError as exc:
        _fail(str(exc))
    failed = 0
    for report in reports:
        line = f"{report.status:9s} {report.graph} ({report.triples} triples)"
        if report.detail:
            line += f": {report.detail}"
        typer.echo(line, err=True)
        failed += report.status == "failed"
    loaded = sum(r.status == "loaded" for r in reports)
    unchanged = sum(r.status == "unchanged" for r in reports)
    typer.echo(f"kg push: {loaded} loaded, {unchanged} unchanged, {failed} failed -> {endpoint}", err=True)
    if failed:
        raise typer.Exit(EXIT_NEGATIVE)


def _load_graphs(paths: list[Path]):  # -> pyoxigraph.Store with named graphs only
    """Graph files for pushing: quads keep their graphs; a triples-only file becomes one
    named graph, <file IRI>, since a store needs a graph to replace."""
    import pyoxigraph

    store = _load(paths)
    default = list(store.quads_for_pattern(None, None, None, pyoxigraph.DefaultGraph()))
    if default:
        graph = pyoxigraph.NamedNode(paths[0].resolve().as_uri()) if len(paths) == 1 else None
        if graph is None:
            _fail("triples without named graphs come from several files: push them one file at a time, or build .trig")
        for quad in default:
            store.remove(quad)
            store.add(pyoxigraph.Quad(quad.subject, quad.predicate, quad.object, graph))
    return store


@app.command()
def pull(
    endpoint: Annotated[str, typer.Option("--endpoint", help="Base URL of the store.")],
    graph: Annotated[list[str], typer.Option("--graph", help="Named graph IRI (repeatable).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output file (.trig .nq keep the graphs).")],
    server: ServerOption = "oxigraph",
    gsp_url: GspOption = None,
    update_url: UpdateOption = None,
    query_url: QueryUrlOption = None,
    auth: AuthOption = None,
    timeout: TimeoutOption = 60.0,
) -> None:
    """Export named graphs from a store into a file (the round trip of kg push)."""
    from kg.export import ExportError, format_name, write_dataset
    from kg.remote import RemoteError, pull_graphs

    try:
        format_name(out)
    except ExportError as exc:
        _fail(str(exc))
    target = _endpoint(endpoint, server, gsp_url, update_url, query_url, auth, timeout)
    try:
        store = pull_graphs(target, list(graph))
        write_dataset(store, out)
    except (RemoteError, ExportError) as exc:
        _fail(str(exc))
    typer.echo(f"kg pull: {len(graph)} graphs, {len(store)} quads -> {out}", err=True)


@app.command("registry")
def export_registry(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output file (.ttl .trig .nt .nq .jsonld).")],
    base_iri: Annotated[str, typer.Option("--base-iri", help="Base IRI of the data.")] = DEFAULT_BASE_IRI,
) -> None:
    """Write the actor registry (ontology/actors.yaml) as RDF."""
    import pyoxigraph

    from kg.export import ExportError, write_dataset
    from kg.rdf import GraphWriter, registry_quads
    from kg.registry import load_registry

    try:
        store = pyoxigraph.Store()
        store.extend(registry_quads(GraphWriter(base_iri), load_registry()))
        write_dataset(store, out)
    except (ValueError, ExportError) as exc:
        _fail(str(exc))
    typer.echo(f"kg registry: {len(store)} quads -> {out}", err=True)


class OutputFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


def _parse_params(values: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            _fail(f"bad --param {item!r}: expected name=value")
        if name in params:
            _fail(f"--param {name} given twice")
        params[name] = value
    return params


@app.command()
def query(
    name: Annotated[str, typer.Argument(metavar="NAME|FILE.rq", help="Saved query name or .rq file.")],
    data: Annotated[
        Optional[list[Path]], typer.Option("--data", "-d", help="RDF file to query (repeatable).")
    ] = None,
    endpoint: Annotated[Optional[str], typer.Option("--endpoint", help="Base URL of a SPARQL store.")] = None,
    param: Annotated[
        Optional[list[str]], typer.Option("--param", "-p", help="Query parameter name=value (repeatable).")
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.table,
    server: Annotated[str, typer.Option("--server", help="oxigraph, virtuoso or generic.")] = "oxigraph",
    query_url: Annotated[Optional[str], typer.Option("--query-url", help="Query URL (--server generic).")] = None,
    store_dir: Annotated[Optional[Path], typer.Option("--store", help="On-disk store made by kg build --store.")] = None,
) -> None:
    """Run a saved query (by name) or any .rq file over RDF files, an on-disk store or a
    remote store."""
    from kg.queries import (
        QueryError,
        bind_parameters,
        load_query,
        to_csv,
        to_json,
        to_table,
    )

    params = _parse_params(param or [])
    try:
        saved = load_query(name)
        bind_parameters(saved, params)  # report bad parameters before loading any data
    except QueryError as exc:
        _fail(str(exc))
    run = _runner(data, store_dir, endpoint, server, query_url)
    try:
        result = run(saved, params)
    except QueryError as exc:
        _fail(str(exc))
    if fmt is OutputFormat.csv:
        sys.stdout.write(to_csv(result))
    elif fmt is OutputFormat.json:
        sys.stdout.write(to_json(result))
    else:
        _console().print(to_table(result, title=f"{saved.name}: {len(result.rows)} rows"))


def _runner(data, store_dir, endpoint, server, query_url):  # -> kg.network.QueryRunner
    """Run saved queries over RDF files (--data), an on-disk store (--store) or a remote
    store (--endpoint); remote failures become one-line errors."""
    from kg.queries import run_query

    if endpoint is not None:
        if data or store_dir is not None:
            _fail("give either --data, --store or --endpoint, not two of them")
        from kg.remote import RemoteError, endpoint_for, remote_query

        try:
            target = endpoint_for(endpoint, server, query_url=query_url, update_url=query_url, gsp_url=query_url)
        except RemoteError as exc:
            _fail(str(exc))

        def run_remote(saved, params):
            try:
                return remote_query(target, saved, params)
            except RemoteError as exc:
                _fail(str(exc))

        return run_remote
    if store_dir is not None:
        if data:
            _fail("give either --data or --store, not both")
        store = _open_store(store_dir)
    else:
        store = _load(list(data or []))
    return lambda saved, params: run_query(store, saved, params)


def _describe_param(param) -> str:  # param: kg.queries.QueryParam
    text = param.name if param.required else f"{param.name} (optional)"
    return f"{text}: {param.description}" if param.description else text


@app.command("queries")
def list_saved_queries() -> None:
    """List the saved queries with their summaries and parameters."""
    from rich.table import Table

    from kg.queries import QueryError, list_queries

    try:
        saved = list_queries()
    except (QueryError, FileNotFoundError) as exc:
        _fail(str(exc))
    table = Table(title="saved queries")
    table.add_column("name", no_wrap=True)
    table.add_column("summary")
    table.add_column("parameters")
    for item in saved:
        params = "\n".join(_describe_param(p) for p in item.params)
        table.add_row(item.name, item.summary, params)
    _console().print(table)


@app.command()
def validate(
    graphs: Annotated[list[Path], typer.Argument(help="RDF files to check against the shapes.")],
) -> None:
    """Validate RDF files against the SHACL shapes; exit 1 on violations."""
    from kg.validate import validate_graph

    _require_files(graphs, "graph files given")
    try:
        report = validate_graph(list(graphs))
    except (ValueError, OSError) as exc:
        _fail(str(exc))
    typer.echo(report.text.rstrip("\n"))
    if not report.conforms:
        typer.echo(f"kg validate: {report.violations} violations", err=True)
        raise typer.Exit(EXIT_NEGATIVE)
    typer.echo("kg validate: conforms", err=True)


@app.command()
def stats(
    graphs: Annotated[list[Path], typer.Argument(help="RDF files to count.")],
) -> None:
    """Count triples, instances per class and events per document."""
    from rich.table import Table

    from kg.stats import graph_stats

    store = _load(list(graphs))
    result = graph_stats(store)
    console = _console()
    console.print(f"triples: {result.triples}")
    by_class = Table(title="instances by class")
    by_class.add_column("class")
    by_class.add_column("count", justify="right")
    for name, count in result.by_class.items():
        by_class.add_row(name, str(count))
    console.print(by_class)
    # columns in the order graph_stats reports them
    keys = list(dict.fromkeys(key for counts in result.by_document.values() for key in counts))
    by_document = Table(title="by document")
    by_document.add_column("doc")
    for key in keys:
        by_document.add_column(key, justify="right")
    for doc, counts in sorted(result.by_document.items()):
        by_document.add_row(doc, *(str(counts.get(key, 0)) for key in keys))
    console.print(by_document)


def _parse_min_f1(spec: str) -> dict[str, float]:
    from kg.evaluate import RELATIONS

    goals: dict[str, float] = {}
    for item in spec.split(","):
        name, sep, value = item.partition("=")
        try:
            if not sep or name.strip() not in RELATIONS:
                raise ValueError
            goals[name.strip()] = float(value)
        except ValueError:
            _fail(f"bad --min-f1 {item!r}: expected e.g. meet=0.8,agree=0.7,demand=0.7")
    return goals


@app.command("eval")
def evaluate(
    gold: Annotated[Path, typer.Argument(help="Gold JSON file.")],
    data: Annotated[
        Optional[list[Path]], typer.Option("--data", "-d", help="RDF file to score (repeatable).")
    ] = None,
    min_f1: Annotated[
        Optional[str], typer.Option("--min-f1", help="Goals, e.g. meet=0.8,agree=0.7; exit 1 below.")
    ] = None,
) -> None:
    """Score the meetings/agreements/demands queries against a gold file (P/R/F1)."""
    from kg.evaluate import evaluate_store, format_scores
    from kg.queries import QueryError

    goals = _parse_min_f1(min_f1) if min_f1 else {}
    _require_files([gold], "gold file given")
    store = _load(list(data or []))
    try:
        scores = evaluate_store(gold, store)
    except (ValueError, QueryError) as exc:
        _fail(str(exc))
    report = format_scores(scores)
    short = [name for name, goal in goals.items() if scores[name].f1 < goal]
    if short:
        report = report.rstrip("\n") + f" (below goal: {','.join(short)})\n"
    sys.stdout.write(report)
    if short:
        raise typer.Exit(EXIT_NEGATIVE)


# ---------------------------------------------------------------------------------------
# looking at the graph: profiles, timeline, network picture

DataOption = Annotated[Optional[list[Path]], typer.Option("--data", "-d", help="RDF file to read (repeatable).")]
StoreOption = Annotated[Optional[Path], typer.Option("--store", help="On-disk store made by kg build --store.")]
EndpointOption = Annotated[Optional[str], typer.Option("--endpoint", help="Base URL of a SPARQL store.")]
ServerOption = Annotated[str, typer.Option("--server", help="oxigraph, virtuoso or generic.")]
QueryUrlOption = Annotated[Optional[str], typer.Option("--query-url", help="Query URL (--server generic).")]


@app.command()
def show(
    actor: Annotated[str, typer.Argument(help="Label, alias or IRI of the actor (part of a label works too).")],
    data: DataOption = None,
    store_dir: StoreOption = None,
    endpoint: EndpointOption = None,
    server: ServerOption = "oxigraph",
    query_url: QueryUrlOption = None,
) -> None:
    """Profile of one actor: type, affiliation, meetings, agreements and demands, each
    with its source document and evidence sentence. Exit 1 when the name is ambiguous
    (the candidates are listed) or unknown."""
    from rich.markup import escape

    from kg.profile import AmbiguousActor, UnknownActor, actor_profile

    run = _runner(data, store_dir, endpoint, server, query_url)
    console = _console()
    try:
        profile = actor_profile(run, actor)
    except AmbiguousActor as exc:
        console.print(f"[bold]{escape(exc.name)}[/] fits {len(exc.candidates)} actors; give one of these names or IRIs:",
                      soft_wrap=True)
        for c in exc.candidates:
            where = f", {c.affiliation}" if c.affiliation else ""
            console.print(f"  {escape(c.label)} ({c.type or 'actor'}{escape(where)}, {c.documents} document{'' if c.documents == 1 else 's'})  {c.iri}",
                          soft_wrap=True)
        raise typer.Exit(EXIT_NEGATIVE) from None
    except UnknownActor as exc:
        _fail(str(exc), EXIT_NEGATIVE)
    who = profile.actor
    facts = [who.type or "actor"] + ([who.affiliation] if who.affiliation else [])
    console.print(f"[bold]{escape(who.label)}[/] ({escape(', '.join(facts))})  {who.iri}", soft_wrap=True)
    if profile.roles:
        console.print(f"roles: {escape('; '.join(profile.roles))}", soft_wrap=True)
    if profile.members:
        console.print(f"members: {escape(', '.join(profile.members))}", soft_wrap=True)
    console.print(f"mentioned in {len(profile.documents)} documents: {escape(', '.join(profile.documents))}", soft_wrap=True)
    sections = (
        ("Meetings", ("met-with",), "with"),
        ("Phone calls", ("phone-call",), "with"),
        ("Agreements", ("agreed-to",), "with"),
        ("Demands", ("demanded",), "of"),
        ("Demands on it", ("demanded-by",), "by"),
    )
    for title, relations, preposition in sections:
        events = profile.of(*relations)
        if not events:
            continue
        console.print(f"\n[bold]{title}[/] ({len(events)})", soft_wrap=True)
        for event in events:
            parts = [event.date or "undated"]
            if event.place:
                parts.append(f"in {event.place}")
            if event.others:
                parts.append(f"{preposition} {', '.join(event.others)}")
            if event.content:
                parts.append(f"„{event.content}“")
            console.print(f"  {escape(' · '.join(parts))}  [dim]\\[{escape(event.doc)}][/]", soft_wrap=True)
            console.print(f"    [italic]{escape(event.evidence)}[/]", soft_wrap=True)


class TimelineFormat(str, Enum):
    text = "text"
    csv = "csv"
    json = "json"


@app.command()
def timeline(
    data: DataOption = None,
    store_dir: StoreOption = None,
    endpoint: EndpointOption = None,
    server: ServerOption = "oxigraph",
    query_url: QueryUrlOption = None,
    start: Annotated[Optional[str], typer.Option("--from", help="First date (YYYY, YYYY-MM or YYYY-MM-DD).")] = None,
    end: Annotated[Optional[str], typer.Option("--to", help="Last date (YYYY, YYYY-MM or YYYY-MM-DD).")] = None,
    relation: Annotated[Optional[list[str]], typer.Option("--relation", "-r", help="met-with, agreed-to or demanded (repeatable).")] = None,
    fmt: Annotated[TimelineFormat, typer.Option("--format", "-f", help="Output format.")] = TimelineFormat.text,
) -> None:
    """Meetings, agreements and demands ordered by date. An event without a date of its
    own is placed at the date of the article that reports it (marked *); events with no
    date at all come last."""
    import csv
    import json
    import re

    from kg.network import RELATIONS, load_network
    from kg.network import timeline as make_timeline

    for name, value in (("--from", start), ("--to", end)):
        if value is not None and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
            _fail(f"{name} {value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    run = _runner(data, store_dir, endpoint, server, query_url)
    try:
        events = make_timeline(load_network(run), start, end, relation or RELATIONS)
    except ValueError as exc:
        _fail(f"--relation: {exc}")
    if fmt is not TimelineFormat.text:
        rows = [{"date": e.date, "reported_only": e.reported_only, "relation": e.relation,
                 "actors": "; ".join(e.actors), "addressees": "; ".join(e.addressees), "place": e.place,
                 "content": e.content, "doc": e.doc, "evidence": e.evidence} for e in events]
        if fmt is TimelineFormat.json:
            sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
        else:
            writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["date"], lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        return
    from rich.markup import escape

    console = _console()
    for e in events:
        when = (e.date + ("*" if e.reported_only else "")) if e.date else "undated"
        who = ", ".join(e.actors) + (f" → {', '.join(e.addressees)}" if e.addressees else "")
        where = f" in {e.place}" if e.place else ""
        what = f" „{e.content}“" if e.content else ""
        console.print(f"{escape(when):<12} [bold]{e.relation:<9}[/] {escape(who + where + what)}  [dim]\\[{escape(e.doc)}][/]",
                      soft_wrap=True)
        console.print(f"{'':12}   [italic]{escape(e.evidence)}[/]", soft_wrap=True)
    if any(e.reported_only for e in events):
        console.print("* the date of the article; the text gives none for the event", soft_wrap=True)
    typer.echo(f"kg timeline: {len(events)} event{'' if len(events) == 1 else 's'}", err=True)


@app.command()
def viz(
    graph: Annotated[Optional[list[Path]], typer.Argument(metavar="[GRAPH]...", help="RDF files to draw.")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="network.html (interactive, offline) or network.svg.")] = Path("network.html"),
    store_dir: StoreOption = None,
    endpoint: EndpointOption = None,
    server: ServerOption = "oxigraph",
    query_url: QueryUrlOption = None,
    title: Annotated[str, typer.Option("--title", help="Title of the picture.")] = "kg: actor network",
) -> None:
    """Draw the actor network: nodes are actors (coloured by the state or organisation
    they belong to, sized by their number of events), lines are meetings, agreements and
    demands. The HTML page is self-contained (works offline) with tooltips, filters by
    relation and date, and a timeline; the SVG is a static picture."""
    from kg.network import load_network
    from kg.viz import write_picture

    if out.suffix.lower() not in (".html", ".htm", ".svg"):
        _fail(f"--out {out}: use a .html or .svg file")
    if not out.parent.is_dir():
        _fail(f"{out}: the folder {out.parent} does not exist")
    if not graph and store_dir is None and endpoint is None:
        _fail("nothing to draw: give GRAPH files, --store DIR or --endpoint URL")
    run = _runner(graph, store_dir, endpoint, server, query_url)
    network = load_network(run)
    write_picture(network, out, title)
    typer.echo(f"kg viz: {len({l.source for l in network.links} | {l.target for l in network.links})} actors, "
               f"{len(network.links)} links -> {out}", err=True)


if __name__ == "__main__":
    app()
