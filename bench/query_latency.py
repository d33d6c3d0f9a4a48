"""Latency of every saved query and of the reading commands: prints figures, asserts nothing.

usage: python bench/query_latency.py --store DIR [--remote oxigraph,virtuoso]
                                     [--export FILE.nq] [--repeat 1] [--timeout 300]
                                     [--virtuoso-buffers 340000] [--virtuoso-cost-limit 0]

DIR is an on-disk store made by ``kg build --store``. Everything is measured the way a user
runs it: each saved query of ``kg queries`` as its own ``kg query NAME --store DIR --format
csv`` process (parameterised queries with the values in PARAMS), then ``kg show Lawrow``,
``kg timeline``, ``kg viz --out FILE.html`` and ``kg events``, each in its own process. A run that takes
longer than --timeout seconds is stopped (its process group is killed) and printed as
"> N s (stopped)". Seconds are wall-clock seconds of the whole process, start-up included:
the first row (``ASK {}`` from a file) is that fixed cost. Peak MB is the peak resident
memory of that one process (its ``wait4`` rusage; for a stopped run, the peak until it was
stopped), of the embedded runs.

"embedded" reads the store as a user does, with the query results the build kept
(kg.views); "live" (unless --no-live) runs the same commands with KG_VIEWS=off, so every
query is evaluated by pyoxigraph, and its "same rows?" check compares the two.

With --remote, the store's N-Quads (--export FILE.nq, or a dump of the store into a temp
file) are bulk-loaded into a real Oxigraph server (``oxigraph load`` into an on-disk
location, then ``oxigraph serve``) and/or a real Virtuoso 7 (``ld_dir``/``rdf_loader_run``),
started with the classes of tests/store_servers.py on 127.0.0.1, and the same queries and
commands run against them with ``--endpoint URL [--server virtuoso]``, one server at a time.
"same rows?" compares each remote answer with the embedded one (sorted CSV rows for
queries; the output for commands): "yes", "count only" (same number of rows, other values)
or "N vs M". So that a stopped query does not keep the server busy during the next one,
the server is restarted (same data) after each stopped run. Virtuoso runs without the
packaged ``MaxQueryExecutionTime`` of 60 s (a query that reaches it leaves Virtuoso 7.2
answering nothing more), with ``NumberOfBuffers`` from --virtuoso-buffers, and by default
without the packaged ``MaxQueryCostEstimationTime`` of 400 s, which rejects several saved
queries outright on a 1,000-document store ("estimated execution time … exceeds the
limit"); --virtuoso-cost-limit 400 measures that packaged behaviour instead.

Temporary files go to /tmp/qlat-*; servers are stopped by their PIDs at the end.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.events import normalised_table
from kg.queries import SavedQuery, list_queries
from kg.results import QueryResult

REPO = Path(__file__).resolve().parent.parent
# values for the parameters, by query, then by parameter name (names that occur in the
# synthetic corpus of bench/big_corpus.py: actors from the registry, Riad as a place)
PARAMS: dict[str, dict[str, str]] = {
    "actor": {"actor": "Lawrow"},
    "actor-lookup": {"name": "Lawrow"},
    "agreements-between": {"actor1": "USA", "actor2": "Russland"},
    "demands-on": {"actor": "Ukraine"},
    "meetings-by-place": {"place": "Riad"},
    "meetings-without": {"actor": "Ukraine"},
}
PARAM_DEFAULTS = {"actor": "Lawrow", "name": "Lawrow", "actor1": "USA", "actor2": "Russland", "place": "Riad"}
SHOW_ACTOR = "Lawrow"
STARTUP = "(start-up: ASK {})"
KILL_GRACE = 5.0  # after SIGTERM, seconds before SIGKILL


def kg_binary() -> str:
    beside = Path(sys.executable).parent / "kg"
    return str(beside) if beside.is_file() else (shutil.which("kg") or "kg")


# ---------------------------------------------------------------------------------------
# one process, timed


@dataclass
class Run:
    seconds: float
    timed_out: bool = False
    exit_code: int | None = None
    rss_mb: float | None = None
    stdout: str = ""
    stderr: str = ""

    @property
    def ok(self) -> bool:
        return not self.timed_out and self.exit_code == 0


# The measured process is started by a small intermediate Python process (stdlib only):
# a child forked from this process would count this process's own memory at the fork in
# its peak RSS (Linux keeps the high-water mark across exec), and this process can be big
# (bench/big_corpus.py). The intermediate times the command, takes its rusage from wait4
# and writes both to a file; SIGTERM, which stops the command, only wakes it up.
RUNNER = """
import json, os, signal, subprocess, sys, time
signal.signal(signal.SIGTERM, lambda *_: None)
started = time.perf_counter()
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
child.returncode = os.waitstatus_to_exitcode(status)
with open(sys.argv[1], "w") as out:
    json.dump({"seconds": time.perf_counter() - started, "exit": child.returncode,
               "maxrss_kb": usage.ru_maxrss}, out)
"""


def run_process(command: list[str], timeout: float, workdir: Path, env: dict[str, str] | None = None) -> Run:
    """Run ``command`` in its own session: wall seconds, exit code and the peak RSS of that
    one process. After ``timeout`` s its process group gets SIGTERM, then SIGKILL."""
    out_path, err_path, stat_path = workdir / "stdout", workdir / "stderr", workdir / "rusage.json"
    stat_path.unlink(missing_ok=True)
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        process = subprocess.Popen([sys.executable, "-S", "-c", RUNNER, str(stat_path), *command],
                                   stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True,
                                   env={**os.environ, **(env or {})})
    try:
        process.wait(timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        timed_out = True
    except BaseException:  # Ctrl-C: the command runs in its own session, stop it too
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise
    if timed_out:
        for sig, grace in ((signal.SIGTERM, KILL_GRACE), (signal.SIGKILL, 60.0)):
            with suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
            try:
                process.wait(grace)
                break
            except subprocess.TimeoutExpired:
                continue
    try:
        stat = json.loads(stat_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # killed before it could write (SIGKILL)
        stat = {}
    return Run(
        seconds=timeout if timed_out else stat.get("seconds", float("nan")),
        timed_out=timed_out,
        exit_code=stat.get("exit", process.returncode),
        rss_mb=stat["maxrss_kb"] / 1024 if "maxrss_kb" in stat else None,
        stdout=out_path.read_text(encoding="utf-8", errors="replace"),
        stderr=err_path.read_text(encoding="utf-8", errors="replace"),
    )


def repeated(command: list[str], repeat: int, timeout: float, workdir: Path,
             env: dict[str, str] | None = None) -> tuple[Run, list[float]]:
    """The last run of up to ``repeat`` (stops at the first failure) and all their seconds."""
    seconds: list[float] = []
    for _ in range(repeat):
        run = run_process(command, timeout, workdir, env)
        seconds.append(run.seconds)
        if not run.ok:
            break
    return run, seconds


# ---------------------------------------------------------------------------------------
# what is measured


@dataclass
class Item:
    """One row of the table: a saved query or a command."""

    label: str
    kind: str  # "query" or "command"
    args: list[str]  # kg arguments before the source options
    out_file: str | None = None  # kg viz: the output file (compared instead of stdout)


def query_items(workdir: Path) -> tuple[list[Item], list[str]]:
    ask = workdir / "ask.rq"
    ask.write_text("#+ summary: start-up cost: kg query with a trivial query\nASK {}\n", encoding="utf-8")
    items = [Item(STARTUP, "query", ["query", str(ask), "--format", "csv"])]
    notes = []
    for saved in list_queries():
        params = params_for(saved)
        if params is None:
            notes.append(f"{saved.name}: skipped, no value for its parameter(s) "
                         + ", ".join(p.name for p in saved.params if p.required))
            continue
        args = ["query", saved.name, "--format", "csv"]
        for name, value in params.items():
            args += ["--param", f"{name}={value}"]
        shown = ", ".join(f"{k}={v}" for k, v in params.items())
        items.append(Item(saved.name + (f" ({shown})" if shown else ""), "query", args))
    return items, notes


def params_for(saved: SavedQuery) -> dict[str, str] | None:
    chosen = dict(PARAMS.get(saved.name, {}))
    for param in saved.params:
        if param.name not in chosen and param.required:
            if param.name not in PARAM_DEFAULTS:
                return None
            chosen[param.name] = PARAM_DEFAULTS[param.name]
    return {k: v for k, v in chosen.items() if k in {p.name for p in saved.params}}


def command_items(workdir: Path) -> list[Item]:
    html = str(workdir / "network.html")
    return [
        Item(f"kg show {SHOW_ACTOR}", "command", ["show", SHOW_ACTOR]),
        Item("kg timeline", "command", ["timeline"]),
        Item("kg viz --out FILE.html", "command", ["viz", "--out", html], out_file=html),
        Item("kg events (PLOVER JSONL)", "command", ["events"]),
    ]


@dataclass
class Cell:
    run: Run
    seconds: list[float]
    rows: int | None = None
    answer: object = None  # sorted CSV rows (queries) or the output (commands)
    error: str = ""

    def time_text(self, timeout: float) -> str:
        if self.run.timed_out:
            return f"> {timeout:g} s (stopped)"
        if self.run.exit_code != 0:
            return f"error (exit {self.run.exit_code})"
        return f"{statistics.median(self.seconds):.2f}"


def measure(item: Item, source: list[str], repeat: int, timeout: float, workdir: Path,
            env: dict[str, str] | None = None) -> Cell:
    if item.out_file:
        Path(item.out_file).unlink(missing_ok=True)
    run, seconds = repeated([kg_binary(), *item.args, *source], repeat, timeout, workdir, env)
    cell = Cell(run, seconds)
    if run.timed_out:
        return cell
    if run.exit_code != 0:
        lines = [line for line in run.stderr.splitlines() if line.strip()]
        cell.error = lines[-1].strip()[:200] if lines else "(no message)"
        return cell
    if item.kind == "query":
        table = list(csv.reader(io.StringIO(run.stdout)))
        cell.rows = max(0, len(table) - 1)
        rows = table[1:]
        if item.args[1] == "events" and table:  # lists inside a cell come in the store's order
            rows = normalised_table(QueryResult(table[0], csv_text=run.stdout))
        cell.answer = (table[:1], sorted(map(tuple, rows)))
    elif item.out_file:
        data = Path(item.out_file).read_bytes()
        cell.rows, cell.answer = None, data
    else:
        cell.rows = len(run.stdout.splitlines())
        cell.answer = run.stdout
    return cell


def same(local: Cell | None, remote: Cell | None) -> str:
    if local is None or remote is None or local.answer is None or remote.answer is None:
        return "-"
    if local.answer == remote.answer:
        return "yes"
    if local.rows is not None and local.rows == remote.rows:
        return "count only"
    if local.rows is None:
        return "differs"
    return f"{remote.rows} vs {local.rows}"


# ---------------------------------------------------------------------------------------
# servers


def store_figures(store_dir: Path) -> tuple[int, int, int]:
    """Quads, named graphs and default-graph triples of the store (opened read-only)."""
    store = ox.Store.read_only(str(store_dir))
    try:
        quads = len(store)
        graphs = sum(1 for _ in store.named_graphs())
        default = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        return quads, graphs, default
    finally:
        del store


def dump_store(store_dir: Path, path: Path) -> Path:
    store = ox.Store.read_only(str(store_dir))
    try:
        store.dump(output=str(path), format=ox.RdfFormat.N_QUADS)
    finally:
        del store
    return path


def _server_classes():
    # the server start/stop code is the tests' (same binary lookup, readiness polling, stop
    # by PID); imported only with --remote
    sys.path.insert(0, str(REPO / "tests"))
    import store_servers

    return store_servers


def _select(url: str, query: str, timeout: float = 600.0) -> list[dict[str, str]]:
    data = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(url, data=data, headers={
        "Accept": "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        payload = json.loads(response.read().decode("utf-8"))
    return [{k: v["value"] for k, v in b.items()} for b in payload["results"]["bindings"]]


def _quads(count: int, expected: int) -> str:
    return f"{count:,} quads" + ("" if count == expected else f" (NOT the store's {expected:,}: another export?)")


@contextmanager
def oxigraph_server(export: Path, workdir: Path, expected: int) -> Iterator[tuple[object, list[str]]]:
    servers = _server_classes()
    location = workdir / "data"
    location.mkdir(parents=True)
    binary = servers.oxigraph_binary()
    spent = []
    for command in (["load", "--file", str(export)], ["optimize"]):  # optimize: as `load` advises
        started = time.perf_counter()
        done = subprocess.run([binary, *command, "--location", str(location)], check=False,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"oxigraph {command[0]} failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
        spent.append(time.perf_counter() - started)

    server = servers.OxigraphServer(workdir)
    server.start()
    try:
        count = _select(f"{server.url}/query",
                        "SELECT (COUNT(*) AS ?n) WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } }")
        print(f"oxigraph server   {server.url} (on disk): `oxigraph load` {spent[0]:.1f} s, "
              f"`optimize` {spent[1]:.1f} s, {_quads(int(count[0]['n']), expected)}")
        yield server, ["--endpoint", server.url, "--server", "oxigraph"]
    finally:
        server.stop()


def _virtuoso_ini(path: Path, buffers: int, cost_limit: int) -> None:
    """Memory for the data; no query time limit of the server's own (a query that reached
    MaxQueryExecutionTime, the packaged 60 s as well as 25 s, left Virtuoso 7.2 answering
    nothing more: runs are stopped by --timeout instead, and the server is restarted after
    each stopped run); MaxQueryCostEstimationTime ``cost_limit`` (0: off)."""
    out, section = [], ""
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            section = stripped
        key = stripped.split("=", 1)[0].strip()
        if section == "[Parameters]" and key == "NumberOfBuffers":
            line = f"NumberOfBuffers = {buffers}"
        elif section == "[Parameters]" and key == "MaxDirtyBuffers":
            line = f"MaxDirtyBuffers = {buffers * 3 // 4}"
        elif section == "[SPARQL]" and key == "MaxQueryExecutionTime":
            line = "MaxQueryExecutionTime = 0"
        elif section == "[SPARQL]" and key == "MaxQueryCostEstimationTime":
            line = f"MaxQueryCostEstimationTime = {cost_limit}"
        out.append(line)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


@contextmanager
def virtuoso_server(export: Path, workdir: Path, buffers: int, cost_limit: int, expected: int,
                    ) -> Iterator[tuple[object, list[str]]]:
    servers = _server_classes()
    server = servers.VirtuosoServer(workdir, result_set_max_rows=100_000_000)
    _virtuoso_ini(server.ini_path, buffers, cost_limit)
    server.start()
    try:
        system = server.system_graphs
        target = workdir / "load" / "export.nq"
        target.parent.mkdir()
        # Virtuoso reads only under its DirsAllowed: a link to our own dump, else a copy
        if export.parent == workdir.parent:  # our own dump
            os.link(export, target)
        else:
            shutil.copyfile(export, target)
        started = time.perf_counter()
        server.isql(f"ld_dir('{target.parent}', 'export.nq', 'urn:kg:bench:default');")
        server.isql("rdf_loader_run();", timeout=24 * 3600)
        server.isql("checkpoint;", timeout=3600)
        loaded = time.perf_counter() - started
        errors = server.isql("SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;")
        if "export.nq" in errors:
            raise RuntimeError(f"Virtuoso could not load {export}: {errors.strip()[-500:]}")
        per_graph = _select(f"{server.url}/sparql",
                            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        quads = sum(int(row["n"]) for row in per_graph if row["g"] not in system)
        print(f"virtuoso          {server.url} (NumberOfBuffers {buffers:,}, MaxQueryCostEstimationTime "
              f"{cost_limit or 'off'}, MaxQueryExecutionTime off): ld_dir + rdf_loader_run "
              f"{loaded:.1f} s, {_quads(quads, expected)}")
        yield server, ["--endpoint", server.url, "--server", "virtuoso"]
    finally:
        server.stop()


# ---------------------------------------------------------------------------------------
# the table


@dataclass
class Results:
    items: list[Item]
    cells: dict[str, dict[str, Cell]] = field(default_factory=dict)  # backend -> label -> cell
    notes: list[str] = field(default_factory=list)


def run_backend(results: Results, backend: str, source: list[str], repeat: int, timeout: float,
                workdir: Path, server=None, env: dict[str, str] | None = None) -> None:
    cells = results.cells.setdefault(backend, {})
    run_process([kg_binary(), *results.items[0].args, *source], timeout, workdir, env)  # warm-up, not counted
    for item in results.items:
        cell = measure(item, source, repeat, timeout, workdir, env)
        cells[item.label] = cell
        rows = "" if cell.rows is None else f", {cell.rows:,} rows"
        print(f"  {backend:<9} {item.label:<48} {cell.time_text(timeout):>18}{rows}", file=sys.stderr, flush=True)
        if server is not None and cell.run.timed_out:
            # the server may still be working on the abandoned query: start it afresh (same
            # data) so that the next figure is not measured beside it
            started = time.perf_counter()
            server.stop()
            server.start()
            results.notes.append(f"{backend} restarted after {item.label} was stopped "
                                 f"({time.perf_counter() - started:.0f} s)")


def print_table(results: Results, backends: list[str], timeout: float) -> None:
    remote = [b for b in backends if b != "embedded"]
    width = max(len(item.label) for item in results.items) + 2
    cols = ["embedded s", "rows", "peak MB"] + [f"{b} s" for b in remote]
    if remote:
        cols.append("same rows? (" + " / ".join(remote) + ")")
    widths = [18, 9, 8] + [18] * len(remote)
    header = f"{'query / command':<{width}}" + "".join(f"{c:>{w}}" for c, w in zip(cols, widths))
    if remote:
        header += "  " + cols[-1]
    print()
    print(header)
    print("-" * len(header))
    notes: list[str] = []
    for item in results.items:
        local = results.cells["embedded"].get(item.label)
        line = f"{item.label:<{width}}"
        line += f"{local.time_text(timeout):>18}"
        line += f"{'' if local.rows is None else format(local.rows, ','):>9}"
        line += f"{'' if local.run.rss_mb is None else format(local.run.rss_mb, ',.0f'):>8}"
        checks = []
        for backend in remote:
            cell = results.cells[backend].get(item.label)
            line += f"{cell.time_text(timeout):>18}"
            checks.append(same(local, cell))
            if cell.error:
                notes.append(f"{item.label} on {backend}: {cell.error}")
        if remote:
            line += "  " + " / ".join(checks)
        if local.error:
            notes.append(f"{item.label} embedded: {local.error}")
        print(line)
    for note in notes:
        print(f"  error: {note}")
    for note in results.notes:
        print(f"  note: {note}")


def measure_store(store_dir: Path, *, remote: list[str] = (), export: Path | None = None,
                  repeat: int = 1, timeout: float = 300.0, virtuoso_buffers: int = 340_000,
                  virtuoso_cost_limit: int = 0, live: bool = True) -> None:
    """Measure and print the latency table for an on-disk store (also bench/big_corpus.py)."""
    store_dir = Path(store_dir).resolve()
    work = Path(tempfile.mkdtemp(prefix="qlat-", dir="/tmp"))
    try:
        quads, graphs, default = store_figures(store_dir)
        print(f"store             {store_dir}: {quads:,} quads in {graphs:,} named graphs"
              + (f" (+ {default:,} triples in the default graph)" if default else ""))
        items, notes = query_items(work)
        items += command_items(work)
        for note in notes:
            print(f"note              {note}")
        print(f"measuring         {len(items)} rows x {1 + live + len(remote)} stores, timeout {timeout:g} s, "
              f"median of {repeat} run(s); progress on stderr", flush=True)
        results = Results(items)
        run_backend(results, "embedded", ["--store", str(store_dir)], repeat, timeout, work)
        backends = ["embedded"]
        if live:
            run_backend(results, "live", ["--store", str(store_dir)], repeat, timeout, work, env={"KG_VIEWS": "off"})
            backends.append("live")
        if remote:
            if export is None:
                started = time.perf_counter()
                export = dump_store(store_dir, work / "export.nq")
                print(f"dump N-Quads      {time.perf_counter() - started:.1f} s ({export.stat().st_size / 1e6:,.0f} MB)")
            client_timeout = ["--timeout", f"{timeout + 60:g}"]  # we stop the client first
            for name in remote:
                starter = {
                    "oxigraph": lambda d: oxigraph_server(export, d, quads),
                    "virtuoso": lambda d: virtuoso_server(export, d, virtuoso_buffers, virtuoso_cost_limit, quads),
                }[name]
                try:
                    with starter(work / name) as (server, source):
                        run_backend(results, name, [*source, *client_timeout], repeat, timeout, work, server)
                except (OSError, RuntimeError, ValueError, subprocess.SubprocessError) as exc:  # the other columns still count
                    print(f"{name:<17} not measured: {type(exc).__name__}: {str(exc)[:600]}")
                    continue
                backends.append(name)
        print_table(results, backends, timeout)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, required=True, help="on-disk store made by kg build --store")
    ap.add_argument("--remote", default="", help="comma-separated: oxigraph, virtuoso")
    ap.add_argument("--export", type=Path, default=None, help="the store's N-Quads (else dumped)")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per run before it is stopped")
    ap.add_argument("--virtuoso-buffers", type=int, default=340_000, help="Virtuoso NumberOfBuffers (8 KB each)")
    ap.add_argument("--no-live", action="store_true", help="skip the embedded runs without the kept results")
    ap.add_argument("--virtuoso-cost-limit", type=int, default=0,
                    help="Virtuoso MaxQueryCostEstimationTime in s (0: off; Debian ships 400)")
    args = ap.parse_args()
    remote = [name.strip() for name in args.remote.split(",") if name.strip()]
    unknown = [name for name in remote if name not in ("oxigraph", "virtuoso")]
    if unknown:
        ap.error(f"--remote: unknown store(s) {', '.join(unknown)} (oxigraph, virtuoso)")
    measure_store(args.store, remote=remote, export=args.export, repeat=max(1, args.repeat),
                  timeout=args.timeout, virtuoso_buffers=args.virtuoso_buffers,
                  virtuoso_cost_limit=args.virtuoso_cost_limit, live=not args.no_live)


if __name__ == "__main__":
    main()
