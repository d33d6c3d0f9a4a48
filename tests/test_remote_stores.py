"""kg push / pull / query --endpoint against real Oxigraph and Virtuoso servers.

The servers are started by the fixtures of ``store_servers`` on 127.0.0.1 (see that
module); the data is the seed corpus built by the real pipeline, plus synthetic graphs
where size matters (Virtuoso's INSERT DATA limit, a push long enough to kill the server in
the middle of it).
"""
from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib.namespace import RDF, RDFS, SKOS
from typer.testing import CliRunner

from kg.cli import app
from kg.export import write_dataset
from kg.push import is_merged
from kg.queries import load_query
from kg.remote import (
    RemoteError,
    endpoint_for,
    graph_triple_count,
    pull_graphs,
    push_dataset,
    remote_query,
)
from kg.results import run_query
from kg.vocab import KG

# also declared in conftest; repeated so that this module works on its own (pytest
# registers a plugin once). Imported only through this, so pytest can rewrite its asserts.
pytest_plugins = ["store_servers"]

REPO = Path(__file__).resolve().parent.parent
CONTRACT_QUERIES = ("meetings", "agreements", "demands", "actors")
PICTURE_QUERIES = ("network-actors", "network-relations", "documents")  # what kg viz and kg timeline read
BULK = "https://kg.example.org/test/bulk"
runner = CliRunner()


# ---------------------------------------------------------------------------------------
# data


@pytest.fixture(scope="module")
def seed_store() -> ox.Store:
    """The seed corpus as built by the project (one named graph per document)."""
    from kg.pipeline import build_dataset

    result = build_dataset([REPO / "corpus"])
    assert not result.failures
    return result.store


@pytest.fixture(scope="module")
def seed_file(seed_store, tmp_path_factory) -> Path:
    return write_dataset(seed_store, tmp_path_factory.mktemp("seed") / "seed.nq")


def synthetic_store(graphs: int, per_graph: int, *, tag: str = "g", bnodes: bool = False) -> ox.Store:
    """``graphs`` named graphs of exactly ``per_graph`` distinct triples each.

    Deterministic. The literals cover what a loader must escape or keep typed: quotes,
    backslashes, newlines, non-ASCII text, language tags, integers, decimals and dates.
    """
    store = ox.Store()
    xsd = "http://www.w3.org/2001/XMLSchema#"
    quads = []
    for g in range(graphs):
        graph = ox.NamedNode(f"{BULK}/{tag}/{g:03d}")
        for i in range(per_graph):
            kind = i % 5
            subject: ox.NamedNode | ox.BlankNode = ox.NamedNode(f"{BULK}/{tag}/{g}/s{i // 5}")
            if bnodes and i % 50 == 0:
                subject = ox.BlankNode(f"b{g}x{i}")
            predicate = ox.NamedNode(f"{BULK}/p{kind}")
            if kind == 0:
                obj: ox.NamedNode | ox.Literal = ox.Literal(
                    f'Außenminister {i}: "Frieden" \\ Zeile\nzwei C:\\u0041', language="de"
                )
            elif kind == 1:
                obj = ox.Literal(str(i), datatype=ox.NamedNode(xsd + "integer"))
            elif kind == 2:
                obj = ox.Literal(f"{i}.5", datatype=ox.NamedNode(xsd + "decimal"))
            elif kind == 3:
                obj = ox.Literal(f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}", datatype=ox.NamedNode(xsd + "date"))
            else:
                obj = ox.NamedNode(f"{BULK}/{tag}/{g}/o{i}")
            quads.append(ox.Quad(subject, predicate, obj, graph))
    store.extend(quads)
    return store


def graph_names(store: ox.Store) -> list[str]:
    return sorted(g.value for g in store.named_graphs())


def graph_quads(store: ox.Store, graph: str) -> set[ox.Quad]:
    return set(store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))


def sorted_rows(result) -> list[tuple[str, ...]]:
    return sorted(tuple(row.get(c, "") for c in result.columns) for row in result.rows)


def assert_same_rows_as_local(endpoint, store: ox.Store) -> None:
    from kg.resources import network_query_dir

    tables = tuple(sorted(network_query_dir().glob("*.rq")))  # what load_network assembles links from
    assert len(tables) >= 10
    for name in CONTRACT_QUERIES + PICTURE_QUERIES + tables:
        saved = load_query(name)
        local = run_query(store, saved, {})
        remote = remote_query(endpoint, saved, {})
        assert remote.columns == local.columns, name
        # every saved query gives rows on the seeds; of the tables, participants has none
        # (all seed meetings have sides)
        assert local.rows or str(name).endswith("participants.rq"), f"{name}: the seed graph should give rows"
        missing = set(sorted_rows(local)) - set(sorted_rows(remote))
        extra = set(sorted_rows(remote)) - set(sorted_rows(local))
        assert sorted_rows(remote) == sorted_rows(local), (name, len(missing), len(extra), [m[:5] for m in sorted(missing)])
    # events: lists inside a cell come in the store's order; kg events sorts them
    from kg.events import normalised_table

    saved = load_query("events")
    local, remote = run_query(store, saved, {}), remote_query(endpoint, saved, {})
    assert remote.columns == local.columns and len(local.rows) >= 30
    assert sorted(normalised_table(remote)) == sorted(normalised_table(local))
    # with a parameter: the value must reach the server as the same RDF term
    for name, params in (
        ("actor", {"actor": "Lawrow"}),
        ("actor", {"actor": "https://kg.example.org/id/actor/sergej-lawrow"}),
        ("meetings-without", {"actor": "lawrow"}),
        ("actor-lookup", {"name": "mohammed"}),
        # a Wikidata QID goes as the item's IRI and matches through owl:sameAs
        ("actor", {"actor": "Q7747"}),
        ("demands-on", {"actor": "Q212"}),
        ("agreements-between", {"actor1": "Q30", "actor2": "Q159"}),
        ("meetings-by-place", {"place": "Q3692"}),
        ("actor-lookup", {"name": "Q7747"}),
    ):
        saved = load_query(name)
        local = run_query(store, saved, params)
        remote = remote_query(endpoint, saved, params)
        missing = set(sorted_rows(local)) - set(sorted_rows(remote))
        extra = set(sorted_rows(remote)) - set(sorted_rows(local))
        assert local.rows and sorted_rows(remote) == sorted_rows(local), (name, params, sorted(missing), sorted(extra))


def _blank_or_skolem(term) -> bool:
    return isinstance(term, ox.BlankNode) or (
        isinstance(term, ox.NamedNode) and "/.well-known/genid/" in term.value
    )


def without_blank_nodes(quads: set[ox.Quad]) -> set[ox.Quad]:
    """Blank nodes come back renamed or skolemised (RDF 1.1 §3.5 genid IRIs): compare
    the rest."""
    return {q for q in quads if not _blank_or_skolem(q.subject) and not _blank_or_skolem(q.object)}


def statuses(reports) -> dict[str, str]:
    return {report.graph: report.status for report in reports}


def first_push(graphs: list[str]) -> dict[str, str]:
    """The statuses of a push into an empty store: a merged actors graph is "merged"."""
    return {g: "merged" if is_merged(g) else "loaded" for g in graphs}


# ---------------------------------------------------------------------------------------
# command line


def kg(*args):
    return runner.invoke(app, [str(a) for a in args])


def stderr_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


def assert_one_line_error(result, code: int, *fragments: str, secrets: tuple[str, ...] = ()) -> str:
    """Exit ``code``, exactly one ``kg: error:`` line on stderr, no traceback."""
    assert result.exit_code == code, (result.exit_code, result.output, result.exception)
    lines = stderr_lines(result)
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("kg: error: "), line
    for fragment in fragments:
        assert fragment.lower() in line.lower(), line
    assert "Traceback" not in result.output
    for secret in secrets:
        assert secret not in result.output
    return line


@pytest.fixture(autouse=True)
def no_ambient_credentials(monkeypatch, tmp_path):
    """Credentials only from what a test sets: not from the caller's env or ~/.netrc."""
    monkeypatch.delenv("KG_USER", raising=False)
    monkeypatch.delenv("KG_PASSWORD", raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))


@pytest.fixture
def virtuoso(virtuoso_server, monkeypatch):
    """The module's Virtuoso, emptied of earlier tests' graphs, with the right credentials."""
    virtuoso_server.reset()
    monkeypatch.setenv("KG_USER", virtuoso_server.user)
    monkeypatch.setenv("KG_PASSWORD", virtuoso_server.password)
    return virtuoso_server


# ---------------------------------------------------------------------------------------
# Oxigraph


def test_oxigraph_push_query_repush_pull(oxigraph_server, seed_store):
    endpoint = endpoint_for(oxigraph_server.url, "oxigraph")
    graphs = graph_names(seed_store)

    reports = push_dataset(seed_store, endpoint)
    assert statuses(reports) == first_push(graphs)
    for report in reports:
        assert report.triples == len(graph_quads(seed_store, report.graph))
    assert_same_rows_as_local(endpoint, seed_store)

    counts = {g: graph_triple_count(endpoint, g) for g in graphs}
    assert all(counts[g] >= len(graph_quads(seed_store, g)) for g in graphs)
    again = push_dataset(seed_store, endpoint)
    assert statuses(again) == {g: "unchanged" for g in graphs}
    assert {g: graph_triple_count(endpoint, g) for g in graphs} == counts

    pulled = pull_graphs(endpoint, graphs)
    for g in graphs:
        assert graph_quads(pulled, g) == graph_quads(seed_store, g)


def test_show_and_timeline_read_a_remote_store_like_a_file(oxigraph_server, seed_store, seed_file):
    assert push_dataset(seed_store, endpoint_for(oxigraph_server.url, "oxigraph"))
    outputs = {}
    for args in (("show", "Lawrow"), ("timeline",), ("show", "Mohammed")):
        local = kg(*args, "--data", seed_file)
        remote = kg(*args, "--endpoint", oxigraph_server.url)
        assert remote.exit_code == local.exit_code, remote.output
        assert remote.stdout == local.stdout
        outputs[args] = remote.stdout
    assert "Sergej Lawrow (Person, Russland)" in outputs[("show", "Lawrow")]
    assert "Riad" in outputs[("timeline",)]


def test_oxigraph_cli_push_query_pull(oxigraph_server, seed_store, seed_file, tmp_path):
    url = oxigraph_server.url
    graphs = graph_names(seed_store)

    pushed = kg("push", seed_file, "--endpoint", url, "--server", "oxigraph")
    assert pushed.exit_code == 0, pushed.output

    for name in CONTRACT_QUERIES:
        result = kg("query", name, "--endpoint", url, "--server", "oxigraph", "--format", "csv")
        assert result.exit_code == 0, result.output
        local = kg("query", name, "--data", seed_file, "--format", "csv")
        remote_lines, local_lines = result.stdout.splitlines(), local.stdout.splitlines()
        assert remote_lines[0] == local_lines[0]
        assert sorted(remote_lines[1:]) == sorted(local_lines[1:]) and len(local_lines) > 1
    for fmt in ("plover-jsonl", "cameo-tsv"):
        remote, local = kg("events", "--endpoint", url, "--format", fmt), kg("events", seed_file, "--format", fmt)
        assert remote.exit_code == 0, remote.output
        assert remote.stdout == local.stdout and len(local.stdout.splitlines()) >= 30, fmt
    lawrow = kg("query", "actor", "--endpoint", url, "--param", "actor=Lawrow", "--format", "csv")
    assert lawrow.exit_code == 0, lawrow.output
    assert sorted(lawrow.stdout.splitlines()) == sorted(
        kg("query", "actor", "--data", seed_file, "--param", "actor=Lawrow", "--format", "csv").stdout.splitlines()
    )

    again = kg("push", seed_file, "--endpoint", url, "--server", "oxigraph")
    assert again.exit_code == 0, again.output
    assert f"{len(graphs)} unchanged" in again.stderr and "0 loaded" in again.stderr

    out = tmp_path / "pulled.nq"
    pulled = kg("pull", "--endpoint", url, "--server", "oxigraph",
                *[arg for g in graphs[:2] for arg in ("--graph", g)], "--out", out)
    assert pulled.exit_code == 0, pulled.output
    back = ox.Store()
    back.load(path=str(out), format=ox.RdfFormat.N_QUADS)
    assert graph_names(back) == graphs[:2]
    for g in graphs[:2]:
        assert graph_quads(back, g) == graph_quads(seed_store, g)


def test_oxigraph_via_update_in_batches(oxigraph_server, seed_store):
    endpoint = endpoint_for(oxigraph_server.url, "oxigraph")
    bulk = synthetic_store(1, 2_600, tag="update")
    (graph,) = graph_names(bulk)

    reports = push_dataset(bulk, endpoint, via="update", batch_size=500)
    assert [(r.status, r.triples) for r in reports] == [("loaded", 2_600)], reports
    assert graph_quads(pull_graphs(endpoint, [graph]), graph) == graph_quads(bulk, graph)

    seed_reports = push_dataset(seed_store, endpoint, via="update")
    assert statuses(seed_reports) == first_push(graph_names(seed_store))
    assert_same_rows_as_local(endpoint, seed_store)
    assert set(statuses(push_dataset(seed_store, endpoint, via="update")).values()) == {"unchanged"}


def _wait_for_first_graph(url: str, timeout: float = 30.0) -> None:
    """Return once the server holds a triple in some named graph (the push has begun)."""
    query = urllib.parse.quote("ASK { GRAPH ?g { ?s ?p ?o } }")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        request = urllib.request.Request(
            f"{url}/query?query={query}", headers={"Accept": "application/sparql-results+json"}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            if b"true" in response.read():
                return
        time.sleep(0.02)
    raise AssertionError(f"no graph arrived at {url} within {timeout} s")


def _assert_complete(endpoint, store: ox.Store) -> None:
    graphs = graph_names(store)
    pulled = pull_graphs(endpoint, graphs)
    assert len(pulled) == len(store)
    for g in graphs:
        assert graph_quads(pulled, g) == graph_quads(store, g), g


@pytest.mark.parametrize("via", ["gsp", "update"])
def test_oxigraph_killed_during_library_push_then_rerun(oxigraph_server, via):
    """With via="update" the kill can also leave a graph half loaded (some batches in):
    the re-run must notice that and load it again."""
    endpoint = endpoint_for(oxigraph_server.url, "oxigraph", timeout=10)
    bulk = synthetic_store(30, 2_000, tag=f"kill-{via}")
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["reports"] = push_dataset(bulk, endpoint, via=via)
        except RemoteError as exc:
            outcome["error"] = exc
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcome["unexpected"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    _wait_for_first_graph(oxigraph_server.url)
    oxigraph_server.kill()
    worker.join(timeout=90)
    assert not worker.is_alive(), "push_dataset did not return after the server died"
    assert "unexpected" not in outcome, f"not a RemoteError: {outcome.get('unexpected')!r}"

    if "error" in outcome:
        message = str(outcome["error"])
        assert "\n" not in message and oxigraph_server.url in message, message
    else:
        reports = outcome["reports"]
        assert any(r.status == "failed" for r in reports), "a killed server cannot have taken every graph"
        assert all(r.detail for r in reports if r.status == "failed")

    oxigraph_server.start()
    rerun = push_dataset(bulk, endpoint, via=via)
    assert len(rerun) == 30 and "failed" not in statuses(rerun).values(), rerun
    if via == "gsp":
        # one PUT is one transaction: the graph seen before the kill survived the restart
        # on disk, complete, and is not sent again
        assert "unchanged" in statuses(rerun).values()
    _assert_complete(endpoint, bulk)
    assert set(statuses(push_dataset(bulk, endpoint, via=via)).values()) == {"unchanged"}


def test_oxigraph_killed_during_cli_push_then_rerun(oxigraph_server, tmp_path):
    bulk = synthetic_store(30, 2_000, tag="kill-cli")
    data = write_dataset(bulk, tmp_path / "bulk.nq")
    command = [sys.executable, "-m", "kg.cli", "push", str(data), "--endpoint", oxigraph_server.url,
               "--server", "oxigraph", "--timeout", "10"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_first_graph(oxigraph_server.url)
        oxigraph_server.kill()
        _, err = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)

    assert proc.returncode in (1, 2), (proc.returncode, err)
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    if proc.returncode == 2:  # the push stopped: the graphs done, then one error line
        *done, last = lines
        assert last.startswith("kg: error: ") and oxigraph_server.url in last, err
        assert all(line.startswith("loaded ") for line in done), err
        if done:
            assert f"{len(done)} of 30 graphs loaded before the failure" in last, err
    else:  # every graph was tried: failed graphs are named, the summary comes last
        assert any(line.startswith("failed") for line in lines), err
        assert lines[-1].startswith("kg push: ") and " 0 failed" not in lines[-1], err

    oxigraph_server.start()
    rerun = subprocess.run(command, check=False, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert "0 failed" in rerun.stderr.splitlines()[-1]
    _assert_complete(endpoint_for(oxigraph_server.url, "oxigraph"), bulk)


def test_oxigraph_down_before_second_half(oxigraph_server, tmp_path):
    """The server dies between two pushes: the second fails at once and clearly; after a
    restart only the missing half is sent."""
    endpoint = endpoint_for(oxigraph_server.url, "oxigraph", timeout=10)
    bulk = synthetic_store(6, 300, tag="halves")
    graphs = graph_names(bulk)
    first = ox.Store()
    first.extend(q for g in graphs[:3] for q in graph_quads(bulk, g))
    assert set(statuses(push_dataset(first, endpoint)).values()) == {"loaded"}

    oxigraph_server.kill()
    started = time.monotonic()
    with pytest.raises(RemoteError) as info:
        push_dataset(bulk, endpoint)
    assert time.monotonic() - started < 10, "a refused connection needs no retries"
    assert "\n" not in str(info.value) and "refused" in str(info.value)
    data = write_dataset(bulk, tmp_path / "bulk.nq")
    assert_one_line_error(kg("push", data, "--endpoint", oxigraph_server.url), 2, "127.0.0.1", "refused")

    oxigraph_server.start()
    rerun = push_dataset(bulk, endpoint)
    assert statuses(rerun) == {g: ("unchanged" if g in graphs[:3] else "loaded") for g in graphs}
    _assert_complete(endpoint, bulk)


def test_unreachable_endpoint_is_one_line_exit_2(seed_file, tmp_path):
    from store_servers import closed_port_url

    url = closed_port_url()
    host = urllib.parse.urlsplit(url).netloc
    for server in ("oxigraph", "virtuoso"):
        assert_one_line_error(kg("push", seed_file, "--endpoint", url, "--server", server), 2, host)
        assert_one_line_error(
            kg("query", "meetings", "--endpoint", url, "--server", server, "--format", "csv"), 2, host
        )
        assert_one_line_error(
            kg("pull", "--endpoint", url, "--server", server, "--graph", "https://kg.example.org/g",
               "--out", tmp_path / "x.nq"),
            2, host,
        )
    assert not (tmp_path / "x.nq").exists()
    with pytest.raises(RemoteError):
        push_dataset(synthetic_store(1, 3), endpoint_for(url, "oxigraph"))


# ---------------------------------------------------------------------------------------
# Virtuoso


def test_virtuoso_push_query_repush_pull(virtuoso, seed_store):
    endpoint = endpoint_for(virtuoso.url, "virtuoso")
    graphs = graph_names(seed_store)

    reports = push_dataset(seed_store, endpoint)
    assert statuses(reports) == first_push(graphs), reports
    assert_same_rows_as_local(endpoint, seed_store)

    counts = {g: graph_triple_count(endpoint, g) for g in graphs}
    assert all(counts[g] >= len(graph_quads(seed_store, g)) for g in graphs)
    again = push_dataset(seed_store, endpoint)
    assert statuses(again) == {g: "unchanged" for g in graphs}
    assert {g: graph_triple_count(endpoint, g) for g in graphs} == counts

    pulled = pull_graphs(endpoint, graphs)
    assert graph_names(pulled) == graphs
    for g in graphs:
        assert graph_quads(pulled, g) == graph_quads(seed_store, g), g


def test_virtuoso_cli_query_matches_local_csv(virtuoso, seed_file):
    pushed = kg("push", seed_file, "--endpoint", virtuoso.url, "--server", "virtuoso")
    assert pushed.exit_code == 0, pushed.output
    for fmt in ("plover-jsonl", "cameo-tsv", "csv"):  # kg events sorts what the store lists in its own order
        remote = kg("events", "--endpoint", virtuoso.url, "--server", "virtuoso", "--format", fmt)
        local = kg("events", seed_file, "--format", fmt)
        assert remote.exit_code == 0, remote.output
        assert remote.stdout == local.stdout and len(local.stdout.splitlines()) >= 30, fmt
    for name in CONTRACT_QUERIES:
        remote = kg("query", name, "--endpoint", virtuoso.url, "--server", "virtuoso", "--format", "csv")
        local = kg("query", name, "--data", seed_file, "--format", "csv")
        assert remote.exit_code == 0, remote.output
        remote_lines, local_lines = remote.stdout.splitlines(), local.stdout.splitlines()
        assert remote_lines[0] == local_lines[0]
        assert sorted(remote_lines[1:]) == sorted(local_lines[1:]), name


def test_virtuoso_via_update_respects_the_insert_data_limit(virtuoso, seed_store, tmp_path):
    endpoint = endpoint_for(virtuoso.url, "virtuoso")
    # 3,000 triples: Virtuoso refuses INSERT DATA of about 1,100+ triples (SP031), so one
    # request cannot carry this graph; blank nodes are refused in INSERT DATA as well
    big = synthetic_store(1, 3_000, tag="vt-update", bnodes=True)
    (graph,) = graph_names(big)

    one_request = push_dataset(big, endpoint, via="update", batch_size=5_000)
    assert [r.status for r in one_request] == ["failed"], "the limit this test relies on is gone"
    assert one_request[0].detail

    reports = push_dataset(big, endpoint, via="update")  # default batch size
    assert [(r.status, r.triples) for r in reports] == [("loaded", 3_000)], reports
    pulled = graph_quads(pull_graphs(endpoint, [graph]), graph)
    assert len(pulled) == 3_000
    assert without_blank_nodes(pulled) == without_blank_nodes(graph_quads(big, graph))
    assert [r.status for r in push_dataset(big, endpoint, via="update")] == ["unchanged"]

    # the command line: a graph that fails is named on stderr, the exit code is 1
    virtuoso.reset()
    data = write_dataset(big, tmp_path / "big.nq")
    cut = kg("push", data, "--endpoint", virtuoso.url, "--server", "virtuoso", "--via", "update",
             "--batch-size", "5000")
    assert cut.exit_code == 1, cut.output
    lines = stderr_lines(cut)
    assert lines[0].startswith("failed") and graph in lines[0], cut.stderr
    assert lines[-1].startswith("kg push: ") and "1 failed" in lines[-1], cut.stderr
    assert "Traceback" not in cut.output and virtuoso.password not in cut.output
    batched = kg("push", data, "--endpoint", virtuoso.url, "--server", "virtuoso", "--via", "update")
    assert batched.exit_code == 0, batched.output

    seed_reports = push_dataset(seed_store, endpoint, via="update")
    assert statuses(seed_reports) == first_push(graph_names(seed_store)), seed_reports
    virtuoso.isql(f"SPARQL CLEAR GRAPH <{graph}>;")  # the seed rows alone, as locally
    assert_same_rows_as_local(endpoint, seed_store)


def test_virtuoso_authentication(virtuoso, seed_file, monkeypatch, tmp_path):
    url = virtuoso.url
    wrong = "not-" + virtuoso.password
    monkeypatch.setenv("KG_PASSWORD", wrong)
    line = assert_one_line_error(
        kg("push", seed_file, "--endpoint", url, "--server", "virtuoso"), 2, "authentication",
        secrets=(wrong, virtuoso.password),
    )
    assert "KG_PASSWORD" in line or "netrc" in line  # says where credentials come from
    with pytest.raises(RemoteError, match="authentication"):
        push_dataset(synthetic_store(1, 3), endpoint_for(url, "virtuoso"))

    monkeypatch.delenv("KG_USER")
    monkeypatch.delenv("KG_PASSWORD")
    assert_one_line_error(
        kg("push", seed_file, "--endpoint", url, "--server", "virtuoso"), 2, "authentication",
        secrets=(virtuoso.password,),
    )
    assert virtuoso.graphs() == sorted(virtuoso.system_graphs)  # nothing was written

    # a netrc entry for the host is the other source of credentials
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login {virtuoso.user} password {virtuoso.password}\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    ok = kg("push", seed_file, "--endpoint", url, "--server", "virtuoso")
    assert ok.exit_code == 0, ok.output
    assert virtuoso.password not in ok.output

    monkeypatch.setenv("KG_USER", virtuoso.user)
    monkeypatch.setenv("KG_PASSWORD", virtuoso.password)
    again = kg("push", seed_file, "--endpoint", url, "--server", "virtuoso")
    assert again.exit_code == 0 and "0 loaded" in again.stderr, again.output
    assert virtuoso.password not in again.output


@pytest.fixture(scope="module")
def virtuoso_5_rows(virtuoso_factory):
    """A second Virtuoso whose ResultSetMaxRows is 5: every real result is cut."""
    return virtuoso_factory(result_set_max_rows=5)


def test_virtuoso_truncated_results_are_errors(virtuoso_5_rows, seed_store, seed_file, monkeypatch, tmp_path):
    server = virtuoso_5_rows
    monkeypatch.setenv("KG_USER", server.user)
    monkeypatch.setenv("KG_PASSWORD", server.password)
    endpoint = endpoint_for(server.url, "virtuoso")
    assert set(statuses(push_dataset(seed_store, endpoint)).values()) <= {"loaded", "merged", "unchanged"}

    saved = load_query("meetings")
    assert len(run_query(seed_store, saved, {}).rows) > 5
    with pytest.raises(RemoteError):
        remote_query(endpoint, saved, {})
    line = assert_one_line_error(
        kg("query", "meetings", "--endpoint", server.url, "--server", "virtuoso", "--format", "csv"), 2
    )
    assert "5" in line

    # the graph store GET is cut at ResultSetMaxRows as well, without X-SPARQL-MaxRows
    graph = max(graph_names(seed_store), key=lambda g: len(graph_quads(seed_store, g)))
    with pytest.raises(RemoteError):
        pull_graphs(endpoint, [graph])
    out = tmp_path / "cut.nq"
    assert_one_line_error(
        kg("pull", "--endpoint", server.url, "--server", "virtuoso", "--graph", graph, "--out", out), 2
    )
    assert not out.exists()


def test_virtuoso_cut_answers_are_asked_again(virtuoso_5_rows, monkeypatch):
    """kg push asks about many graphs in one query: an answer cut at ResultSetMaxRows is
    completed by asking again for the graphs it left out, never read as "not there"."""
    monkeypatch.setenv("KG_USER", virtuoso_5_rows.user)
    monkeypatch.setenv("KG_PASSWORD", virtuoso_5_rows.password)
    endpoint = endpoint_for(virtuoso_5_rows.url, "virtuoso")
    bulk = synthetic_store(40, 3, tag="cut")  # batches of up to 16 graphs, answers cut at 5 rows
    assert statuses(push_dataset(bulk, endpoint)) == first_push(graph_names(bulk))
    assert set(statuses(push_dataset(bulk, endpoint)).values()) == {"unchanged"}


def test_oxigraph_push_straight_from_articles(oxigraph_server, seed_store):
    """`kg push corpus/ --endpoint …` builds the articles and pushes their graphs."""
    endpoint = endpoint_for(oxigraph_server.url, "oxigraph")
    result = runner.invoke(app, ["push", str(REPO / "corpus"), "--endpoint", oxigraph_server.url])
    assert result.exit_code == 0, result.output
    assert "5 loaded" in result.output
    for graph in seed_store.named_graphs():
        local = sum(1 for _ in seed_store.quads_for_pattern(None, None, None, graph))
        bookkeeping = 0 if is_merged(graph.value) else 2  # hash and count
        assert graph_triple_count(endpoint, graph.value) == local + bookkeeping


# ---------------------------------------------------------------------------------------
# the merged actors graph: each pushed file brings the descriptions of its own documents'
# actors, and the store's actors graph must end up with all of them


ID = "https://kg.example.org/id/"
ACTORS = f"{ID}graph/shared/actors"
MANY = [f"Akteur {i}" for i in range(120)]  # 600 description triples: more than one VALUES query


def actor_node(name: str) -> ox.NamedNode:
    return ox.NamedNode(f"{ID}actor/{re.sub(r'[^a-z0-9]+', '-', name.lower())}")


def with_actors(doc: str, names: list[str]) -> ox.Store:
    """What kg push gets from one file: document ``doc``'s graph, mentioning ``names``, and
    the actors graph with their descriptions (type, labels, role)."""
    graph, actors, doc_node = ox.NamedNode(f"{ID}graph/{doc}"), ox.NamedNode(ACTORS), ox.NamedNode(f"{ID}doc/{doc}")
    quads = [ox.Quad(doc_node, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(KG.Document)), graph)]
    for name in names:
        actor = actor_node(name)
        quads.append(ox.Quad(actor, ox.NamedNode(str(KG.mentionedIn)), doc_node, graph))
        for predicate, value in (
            (RDF.type, ox.NamedNode(str(KG.Person))), (SKOS.prefLabel, ox.Literal(name)),
            (RDFS.label, ox.Literal(name)), (SKOS.altLabel, ox.Literal(name.split()[-1], language="de")),
            (KG.role, ox.Literal('Außenminister "a. D."')),
        ):
            quads.append(ox.Quad(actor, ox.NamedNode(str(predicate)), value, actors))
    store = ox.Store()
    store.extend(quads)
    return store


def check_actors_graph_is_merged(endpoint, via: str, delete_remote) -> None:
    """Two files, each with a document and the descriptions of its actors (one actor in
    both): the actors graph ends with all descriptions, once; re-pushes change nothing;
    a description the store lost is added again."""
    first = with_actors("a", ["Sergej Lawrow", "Marco Rubio"])
    second = with_actors("b", ["Marco Rubio", "Recep Tayyip Erdoğan", *MANY])
    doc_a, doc_b = f"{ID}graph/a", f"{ID}graph/b"
    union = graph_quads(first, ACTORS) | graph_quads(second, ACTORS)

    assert statuses(push_dataset(first, endpoint, via=via)) == {doc_a: "loaded", ACTORS: "merged"}
    assert statuses(push_dataset(second, endpoint, via=via)) == {doc_b: "loaded", ACTORS: "merged"}
    assert graph_quads(pull_graphs(endpoint, [ACTORS]), ACTORS) == union
    assert graph_triple_count(endpoint, ACTORS) == len(union)  # no hash or count in it

    for store, doc in ((first, doc_a), (second, doc_b), (first, doc_a)):
        assert statuses(push_dataset(store, endpoint, via=via)) == {doc: "unchanged", ACTORS: "unchanged"}
    assert graph_triple_count(endpoint, ACTORS) == len(union)  # no duplicates

    lost = ox.Triple(actor_node("Akteur 60"), ox.NamedNode(str(RDF.type)), ox.NamedNode(str(KG.Person)))
    delete_remote(lost)
    assert graph_triple_count(endpoint, ACTORS) == len(union) - 1
    assert statuses(push_dataset(second, endpoint, via=via)) == {doc_b: "unchanged", ACTORS: "merged"}
    assert graph_quads(pull_graphs(endpoint, [ACTORS]), ACTORS) == union

    # the document graphs are replaced as before, each as its file has it
    pulled = pull_graphs(endpoint, [doc_a, doc_b])
    assert graph_quads(pulled, doc_a) == graph_quads(first, doc_a)
    assert graph_quads(pulled, doc_b) == graph_quads(second, doc_b)


@pytest.mark.parametrize("via", ["gsp", "update"])
def test_oxigraph_actors_graph_is_merged_not_replaced(oxigraph_server, via, tmp_path):
    def delete_remote(triple: ox.Triple) -> None:
        request = urllib.request.Request(
            f"{oxigraph_server.url}/update", method="POST",
            data=f"DELETE DATA {{ GRAPH <{ACTORS}> {{ {triple} }} }}".encode(),
            headers={"Content-Type": "application/sparql-update"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()

    endpoint = endpoint_for(oxigraph_server.url, "oxigraph")
    check_actors_graph_is_merged(endpoint, via, delete_remote)

    # kg push names the merged graph like any other
    third = with_actors("c", ["Annalena Baerbock"])
    pushed = kg("push", write_dataset(third, tmp_path / "c.nq"), "--endpoint", oxigraph_server.url, "--via", via)
    assert pushed.exit_code == 0, pushed.output
    assert f"merged    {ACTORS}" in pushed.stderr
    assert graph_triple_count(endpoint, ACTORS) == len(
        graph_quads(with_actors("a", ["Sergej Lawrow", "Marco Rubio", "Recep Tayyip Erdoğan", "Annalena Baerbock", *MANY]), ACTORS)
    )


@pytest.mark.parametrize("via", ["gsp", "update"])
def test_virtuoso_actors_graph_is_merged_not_replaced(virtuoso, via):
    def delete_remote(triple: ox.Triple) -> None:
        virtuoso.isql(f"SPARQL DELETE DATA {{ GRAPH <{ACTORS}> {{ {triple} }} }};")

    check_actors_graph_is_merged(endpoint_for(virtuoso.url, "virtuoso"), via, delete_remote)
