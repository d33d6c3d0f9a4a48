"""The ``kg`` command line: a few lines per command over the library.

Exit codes: 0 success; 1 the command ran but the result is negative (a document failed to
build, the graph has violations, a score is below --min-f1, an actor is unknown or
ambiguous); 2 the command could not run (bad input file, bad query, bad parameter, missing
data, unreachable store); 130 interrupted. Every expected failure is a ``kg.errors.KgError``
and prints one line ``kg: error: …`` on stderr, never a traceback.
"""
from __future__ import annotations

import csv
import functools
import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Callable, NoReturn, Optional

import typer

from kg.errors import KgError
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
EXIT_INTERRUPTED = 130


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"kg: error: {' '.join(str(message).split())}", err=True)
    raise typer.Exit(code)


def command(name: str | None = None) -> Callable:
    """``app.command`` that turns kg's errors, a closed pipe and Ctrl-C into one line."""

    def register(func: Callable) -> Callable:
        @functools.wraps(func)
        def run(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            except KgError as exc:
                _fail(str(exc), exc.exit_code)
            except BrokenPipeError:
                # "kg show X | head -1": the reader has what it wanted; stop quietly
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
                raise typer.Exit(0) from None
            except KeyboardInterrupt:
                typer.echo("kg: interrupted", err=True)
                raise typer.Exit(EXIT_INTERRUPTED) from None

        return app.command(name)(run)

    return register


def _console():  # -> rich.console.Console
    from rich.console import Console

    class PipeConsole(Console):
        def on_broken_pipe(self) -> None:
            # rich would exit 1; a reader that stopped early ("| head -1") is no failure
            raise BrokenPipeError

    return PipeConsole()


def _print_lines(lines) -> None:
    """Lines of console markup: styled on a terminal, plain text into a file or pipe."""
    console = _console()
    if console.is_terminal:
        for line in lines:
            console.print(line, soft_wrap=True)
        return
    from kg.render import plain_text

    for line in lines:
        if isinstance(line, str):
            sys.stdout.write(plain_text(line) + "\n")
        else:  # a table or another renderable: rich lays it out
            console.print(line, soft_wrap=True)
    sys.stdout.flush()


# ---------------------------------------------------------------------------------------
# options shared by several commands, defined once

DataOption = Annotated[Optional[list[Path]], typer.Option("--data", "-d", help="Graph file written by kg build (repeatable).")]
StoreOption = Annotated[Optional[Path], typer.Option("--store", help="On-disk store made by kg build --store.")]
EndpointOption = Annotated[Optional[str], typer.Option("--endpoint", help="Base URL of a SPARQL store.")]
ServerOption = Annotated[str, typer.Option("--server", help="Store profile: oxigraph, virtuoso or generic.")]
QueryUrlOption = Annotated[Optional[str], typer.Option("--query-url", help="SPARQL query URL (--server generic).")]
GspOption = Annotated[Optional[str], typer.Option("--gsp-url", help="Graph Store Protocol URL (--server generic).")]
UpdateOption = Annotated[Optional[str], typer.Option("--update-url", help="SPARQL Update URL (--server generic).")]
AuthOption = Annotated[Optional[str], typer.Option("--auth", help="basic, digest or none (default: from the profile).")]
TimeoutOption = Annotated[float, typer.Option("--timeout", help="Seconds to wait for an answer from the store.")]
BaseIriOption = Annotated[str, typer.Option("--base-iri", help="Base IRI of the data.")]
OutGraphOption = Annotated[Path, typer.Option("--out", "-o", help="Output file (.ttl .trig .nt .nq .jsonld).")]


def _remote(endpoint, server="oxigraph", query_url=None, update_url=None, gsp_url=None, auth=None, timeout=60.0):
    from kg.sources import Remote, check_timeout

    check_timeout(timeout)  # also when no --endpoint is given: a bad value is a mistake anyway
    return Remote(endpoint, server, query_url, update_url, gsp_url, auth, timeout) if endpoint is not None else None


def _runner(data, store_dir, endpoint, server, query_url, timeout=60.0, data_option="--data"):  # -> kg.network.QueryRunner
    from kg.sources import query_runner

    return query_runner(data, store_dir, _remote(endpoint, server, query_url, timeout=timeout), data_option)


# ---------------------------------------------------------------------------------------
# building and moving graphs

@command()
def build(
    paths: Annotated[list[Path], typer.Argument(help="Documents: files or folders.")],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Output file (.ttl .trig .nt .nq .jsonld).")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", help="turtle, trig, ntriples, nquads or jsonld (default: from --out).")] = None,
    base_iri: BaseIriOption = DEFAULT_BASE_IRI,
    spacy_model: Annotated[Optional[str], typer.Option("--spacy-model", help="spaCy model name or path.")] = None,
    store_dir: Annotated[Optional[Path], typer.Option("--store", help="Build into this on-disk store; re-builds are incremental.")] = None,
    workers: Annotated[int, typer.Option("--workers", "-w", min=1, help="Processes that extract in parallel.")] = 1,
    strict: Annotated[bool, typer.Option("--strict", help="Any unreadable document is fatal.")] = False,
    scheduler: Annotated[Optional[str], typer.Option("--scheduler", help="Extract on a Dask cluster: its scheduler's address, e.g. tcp://HOST:8786 (pip install 'kg[cluster]').")] = None,
    views: Annotated[bool, typer.Option("--views/--no-views", help="With --store: keep the results of the queries without parameters, so they answer at once (a build that changed the store recomputes them).")] = True,
) -> None:
    """Read documents, extract relations and write the graph (one named graph per document,
    and one actors graph that describes their actors and places once).

    Documents stream through the pipeline, so memory stays flat on big corpora. Exit status
    1 when a document could not be read (the others are still built), 2 on fatal errors."""
    from kg.export import check_output, export
    from kg.pipeline import build_dataset
    from kg.progress import BuildProgress
    from kg.read import check_paths
    from kg.render import plural

    check_paths(paths)
    if out is None and store_dir is None:
        _fail("give --out FILE, --store DIR or both")
    if out is not None:
        check_output(out, fmt)  # a bad --out/--format fails before the slow extraction
    if scheduler is not None:
        from kg.cluster import check_scheduler

        if workers > 1:
            _fail("give --workers or --scheduler, not both (the cluster's workers extract)")
        check_scheduler(scheduler)
    with BuildProgress(paths) as report:
        result = build_dataset(list(paths), base_iri=base_iri, spacy_model=spacy_model,
                               store_dir=store_dir, workers=workers, progress=report, scheduler=scheduler, views=views)
    if result.repair:
        typer.echo(f"  repaired: {result.repair.describe()}", err=True)
    for failure in result.failures:
        typer.echo(f"  failed: {failure.path}: {failure.reason}", err=True)
    if result.views is not None:
        typer.echo(f"  views: {plural(result.views.views, 'query result')} kept ({plural(result.views.rows, 'row')}, "
                   f"{result.views.seconds:.1f} s)", err=True)
    if result.failures and strict:
        _fail(f"{plural(len(result.failures), 'document')} could not be read (--strict); nothing written")
    written = export(result.store, out, fmt) if out is not None else None
    extra = f", {result.skipped:,} unchanged, {result.removed:,} removed" if store_dir is not None else ""
    what = written.describe() if written else f"{plural(len(result.store), 'quad')} in the store"
    typer.echo(f"kg build: {plural(result.documents, 'document')}{extra}, {what}, "
               f"{plural(len(result.failures), 'failure')} -> {out or store_dir}", err=True)
    if result.failures:
        raise typer.Exit(EXIT_NEGATIVE)


@command()
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
    base_iri: BaseIriOption = DEFAULT_BASE_IRI,
) -> None:
    """Load built graphs (or articles, built on the fly) into a SPARQL 1.1 store;
    unchanged graphs are skipped.

    Credentials: KG_USER and KG_PASSWORD, or a netrc entry for the store's host."""
    from kg.errors import PushInterrupted
    from kg.remote import push_dataset
    from kg.render import plural
    from kg.sources import graphs_to_push
    from kg.transport import redact

    target = _remote(endpoint, server, query_url, update_url, gsp_url, auth, timeout).target()
    if not graphs:
        _fail("no graphs or articles given")
    pushing = graphs_to_push(list(graphs), base_iri)
    for failure in pushing.failures:
        typer.echo(f"  failed: {failure.path}: {failure.reason}", err=True)

    def print_reports(reports) -> None:
        for report in reports:
            typer.echo(f"{report.status:9s} {report.graph} ({plural(report.triples, 'triple')})"
                       + (f": {report.detail}" if report.detail else ""), err=True)

    try:
        reports = push_dataset(pushing.store, target, via=via, batch_size=batch_size)
    except PushInterrupted as exc:
        print_reports(exc.reports)  # what landed before the store went away; the error line follows
        raise
    print_reports(reports)
    counts = {status: sum(r.status == status for r in reports) for status in ("loaded", "merged", "unchanged", "failed")}
    merged = f", {counts['merged']} merged" if counts["merged"] else ""  # the actors graph: added to, not replaced
    typer.echo(f"kg push: {counts['loaded']} loaded{merged}, {counts['unchanged']} unchanged, {counts['failed']} failed -> {redact(endpoint)}", err=True)
    if counts["failed"] or pushing.failures:
        raise typer.Exit(EXIT_NEGATIVE)


@command()
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
    from kg.export import check_output, export
    from kg.remote import pull_graphs
    from kg.render import plural

    check_output(out)
    target = _remote(endpoint, server, query_url, update_url, gsp_url, auth, timeout).target(needs=("--gsp-url", "--query-url"))
    written = export(pull_graphs(target, list(graph)), out)
    typer.echo(f"kg pull: {plural(len(graph), 'graph')}, {written.describe()} -> {out}", err=True)


@command("registry")
def export_registry(out: OutGraphOption, base_iri: BaseIriOption = DEFAULT_BASE_IRI) -> None:
    """Write the actor registry (ontology/actors.yaml) as RDF."""
    from kg.export import export
    from kg.rdf import registry_store
    from kg.registry import load_registry

    written = export(registry_store(load_registry(), base_iri), out)
    typer.echo(f"kg registry: {written.describe()} -> {out}", err=True)


# ---------------------------------------------------------------------------------------
# asking the graph

class OutputFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


@command()
def query(
    name: Annotated[str, typer.Argument(metavar="NAME|FILE.rq", help="Saved query name or .rq file.")],
    data: DataOption = None,
    endpoint: EndpointOption = None,
    param: Annotated[Optional[list[str]], typer.Option("--param", "-p", help="Query parameter name=value (repeatable).")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.table,
    server: ServerOption = "oxigraph",
    query_url: QueryUrlOption = None,
    store_dir: StoreOption = None,
    timeout: TimeoutOption = 60.0,
) -> None:
    """Run a saved query (by name) or any .rq file over graph files, an on-disk store or a
    remote store."""
    from kg.queries import bind_parameters, load_query, parse_params
    from kg.results import to_csv, to_json

    params = parse_params(param or [])
    saved = load_query(name)
    bind_parameters(saved, params)  # report bad parameters before loading any data
    result = _runner(data, store_dir, endpoint, server, query_url, timeout)(saved, params)
    if fmt is OutputFormat.csv:
        sys.stdout.write(to_csv(result))
    elif fmt is OutputFormat.json:
        sys.stdout.write(to_json(result))
    else:
        from kg.render import plural, result_view

        console = _console()
        console.print(result_view(result, f"{saved.name}: {plural(len(result.rows), 'row')}", console.width))


class EventFormat(str, Enum):
    plover_jsonl = "plover-jsonl"
    cameo_tsv = "cameo-tsv"
    csv = "csv"


@command()
def events(
    graph: Annotated[Optional[list[Path]], typer.Argument(metavar="[GRAPH]...", help="Graph files to export.")] = None,
    fmt: Annotated[EventFormat, typer.Option("--format", "-f", help="plover-jsonl, cameo-tsv (PETRARCH-style, no header) or csv.")] = EventFormat.plover_jsonl,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Output file (default: standard output).")] = None,
    store_dir: StoreOption = None,
    endpoint: EndpointOption = None,
    server: ServerOption = "oxigraph",
    query_url: QueryUrlOption = None,
    timeout: TimeoutOption = 60.0,
) -> None:
    """Write every event as event data: PLOVER JSONL (one record per event), CAMEO TSV
    (one line per source-target dyad) or CSV (the saved query "events", one row per event)."""
    from io import StringIO

    from kg.codes import load_codebook
    from kg.events import write_events
    from kg.export import atomic_write, check_writable
    from kg.queries import load_query
    from kg.render import plural

    if out is not None:
        check_writable(out)
    result = _runner(graph, store_dir, endpoint, server, query_url, timeout, data_option="GRAPH")(load_query("events"), {})
    if out is None:
        done = write_events(result, fmt.value, sys.stdout, load_codebook())
    else:  # built whole first, so a failure leaves the old file
        text = StringIO()
        done = write_events(result, fmt.value, text, load_codebook())
        atomic_write(out, lambda stream: stream.write(text.getvalue().encode("utf-8")))
    left_out = f"; {plural(done.undated, 'event')} without a full date left out" if done.undated else ""
    typer.echo(f"kg events: {plural(done.written, 'event')} as {fmt.value}{left_out}" + (f" -> {out}" if out else ""), err=True)


@command()
def serve(
    data: DataOption = None,
    store_dir: StoreOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on (only this machine by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 7878,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds a query may run before it is stopped.")] = 30.0,
    workers: Annotated[int, typer.Option("--workers", "-w", help="Queries answered at the same time.")] = 2,
) -> None:
    """Serve the graph read-only: a SPARQL 1.1 endpoint at /sparql, every saved query at
    /api/NAME (OpenAPI at /api/openapi.json) and an explorer at /. Ctrl-C stops it."""
    from kg.serve import serve as run_server

    run_server(data, store_dir, host, port, timeout, workers, lambda line: typer.echo(line, err=True))


@command("queries")
def list_saved_queries() -> None:
    """List the saved queries with their summaries and parameters."""
    from kg.queries import list_queries
    from kg.render import queries_table

    _console().print(queries_table(list_queries()))


@command()
def validate(graphs: Annotated[list[Path], typer.Argument(help="Graph files to check against the shapes.")]) -> None:
    """Validate graph files against the SHACL shapes; exit 1 on violations."""
    from kg.validate import validate_graph

    report = validate_graph(list(graphs))
    typer.echo(report.text.rstrip("\n"))
    if not report.conforms:
        typer.echo(f"kg validate: {report.violations} violations", err=True)
        raise typer.Exit(EXIT_NEGATIVE)
    typer.echo("kg validate: conforms", err=True)


@command()
def stats(graphs: Annotated[list[Path], typer.Argument(help="Graph files to count.")]) -> None:
    """Count quads and distinct triples, instances per class and events per document."""
    from kg.render import stats_view
    from kg.sources import load_graphs
    from kg.stats import graph_stats

    _print_lines(stats_view(graph_stats(load_graphs(list(graphs)))))


@command("eval")
def evaluate(
    gold: Annotated[Path, typer.Argument(help="Gold JSON file.")],
    data: DataOption = None,
    min_f1: Annotated[Optional[str], typer.Option("--min-f1", help="Goals, e.g. meet=0.8,agree=0.7; exit 1 below.")] = None,
) -> None:
    """Score the meetings/agreements/demands queries against a gold file (P/R/F1)."""
    from kg.evaluate import evaluate_store, format_scores, parse_goals
    from kg.sources import load_graphs

    goals = parse_goals(min_f1) if min_f1 else {}
    scores = evaluate_store(gold, load_graphs(list(data or [])))
    report = format_scores(scores)
    short = [name for name, goal in goals.items() if scores[name].f1 < goal]
    if short:
        report = report.rstrip("\n") + f" (below goal: {','.join(short)})\n"
    sys.stdout.write(report)
    if short:
        raise typer.Exit(EXIT_NEGATIVE)


# ---------------------------------------------------------------------------------------
# looking at the graph: profiles, timeline, network picture

@command()
def show(
    actor: Annotated[str, typer.Argument(help="Label, alias or IRI of the actor (part of a label works too).")],
    data: DataOption = None,
    store_dir: StoreOption = None,
    endpoint: EndpointOption = None,
    server: ServerOption = "oxigraph",
    query_url: QueryUrlOption = None,
    timeout: TimeoutOption = 60.0,
) -> None:
    """Profile of one actor: type, affiliation, meetings, agreements and demands, each
    with its source document and evidence sentence. Exit 1 when the name is ambiguous
    (the candidates are listed) or unknown."""
    from kg.profile import AmbiguousActor, actor_profile
    from kg.render import candidates_view, profile_view

    run = _runner(data, store_dir, endpoint, server, query_url, timeout)
    try:
        profile = actor_profile(run, actor)
    except AmbiguousActor as exc:
        _print_lines(candidates_view(exc.name, exc.candidates))
        raise typer.Exit(EXIT_NEGATIVE) from None
    _print_lines(profile_view(profile))


class TimelineFormat(str, Enum):
    text = "text"
    csv = "csv"
    json = "json"


@command()
def timeline(
    data: DataOption = None,
    store_dir: StoreOption = None,
    endpoint: EndpointOption = None,
    server: ServerOption = "oxigraph",
    query_url: QueryUrlOption = None,
    timeout: TimeoutOption = 60.0,
    start: Annotated[Optional[str], typer.Option("--from", help="First date (YYYY, YYYY-MM or YYYY-MM-DD).")] = None,
    end: Annotated[Optional[str], typer.Option("--to", help="Last date (YYYY, YYYY-MM or YYYY-MM-DD).")] = None,
    relation: Annotated[Optional[list[str]], typer.Option("--relation", "-r", help="met-with, agreed-to or demanded (repeatable).")] = None,
    fmt: Annotated[TimelineFormat, typer.Option("--format", "-f", help="Output format.")] = TimelineFormat.text,
) -> None:
    """Meetings, agreements and demands ordered by date. An event without a date of its
    own is placed at the date of the article that reports it (marked *); events with no
    date at all come last."""
    from kg.network import RELATIONS, date_bound, load_network
    from kg.network import timeline as make_timeline
    from kg.render import plural, timeline_rows, timeline_view

    start, end = date_bound(start, "--from"), date_bound(end, "--to")
    run = _runner(data, store_dir, endpoint, server, query_url, timeout)
    events = make_timeline(load_network(run), start, end, relation or RELATIONS)
    if fmt is TimelineFormat.json:
        sys.stdout.write(json.dumps(timeline_rows(events), ensure_ascii=False, indent=1) + "\n")
    elif fmt is TimelineFormat.csv:
        rows = timeline_rows(events)
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["date"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        if _console().is_terminal:
            _print_lines(timeline_view(events))
        else:
            sys.stdout.writelines(f"{line}\n" for line in timeline_view(events, markup=False))
            sys.stdout.flush()
        typer.echo(f"kg timeline: {plural(len(events), 'event')}", err=True)


@command()
def viz(
    graph: Annotated[Optional[list[Path]], typer.Argument(metavar="[GRAPH]...", help="Graph files to draw.")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="network.html (interactive, offline) or network.svg.")] = Path("network.html"),
    store_dir: StoreOption = None,
    endpoint: EndpointOption = None,
    server: ServerOption = "oxigraph",
    query_url: QueryUrlOption = None,
    timeout: TimeoutOption = 60.0,
    title: Annotated[str, typer.Option("--title", help="Title of the picture.")] = "kg: actor network",
) -> None:
    """Draw the actor network: nodes are actors (coloured by the state or organisation
    they belong to, sized by their number of events), lines are meetings, agreements and
    demands. The HTML page is self-contained (works offline) with tooltips, filters by
    relation and date, and a timeline; the SVG is a static picture."""
    from kg.network import load_network
    from kg.render import plural
    from kg.viz import check_picture_path, write_picture

    check_picture_path(out)
    network = load_network(_runner(graph, store_dir, endpoint, server, query_url, timeout, data_option="GRAPH"))
    write_picture(network, out, title)
    drawn = {link.source for link in network.links} | {link.target for link in network.links}
    typer.echo(f"kg viz: {plural(len(drawn), 'actor')}, {plural(len(network.links), 'link')} -> {out}", err=True)


if __name__ == "__main__":
    app()
