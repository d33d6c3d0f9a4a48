"""kg serve, tested as a client would: a real server process on 127.0.0.1, real HTTP
requests for every endpoint, refusals, a stopped query, injection attempts through the
API, the OpenAPI description, and a bounded load test."""
from __future__ import annotations

import csv
import io
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph
import pytest
from conftest import REPO
from store_servers import free_port
from typer.testing import CliRunner

from kg.cli import app
from kg.pipeline import build_dataset
from kg.queries import list_queries

KG = Path(sys.executable).parent / "kg"
runner = CliRunner()


@pytest.fixture(scope="module")
def seed_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("serve") / "seeds.nq"
    build_dataset([REPO / "corpus"]).store.dump(path, pyoxigraph.RdfFormat.N_QUADS)
    return path


def start(args: list[str], cwd: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([str(KG), "serve", *args, "--port", str(port)], cwd=cwd,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"kg serve ended: {process.stderr.read()}")
        try:
            urllib.request.urlopen(url + "/api/queries", timeout=2).close()
            return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError("kg serve did not answer within 60 s")


def stop(process: subprocess.Popen) -> str:
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)
    return process.stderr.read()


@pytest.fixture(scope="module")
def server(seed_file):
    process, url = start(["--data", str(seed_file), "--timeout", "3", "--workers", "2"], seed_file.parent)
    yield url
    stop(process)


def get(url: str, headers: dict[str, str] | None = None, data: bytes | None = None) -> tuple[int, str, str]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers.get("content-type", ""), response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("content-type", ""), error.read().decode("utf-8")


def sparql_url(server: str, query: str, **extra: str) -> str:
    return f"{server}/sparql?" + urllib.parse.urlencode({"query": query, **extra})


def kg_query(name: str, seed_file: Path, *params: str) -> str:
    args = ["query", name, "--data", str(seed_file), "--format", "csv"]
    for p in params:
        args += ["--param", p]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.stdout


MEETINGS = "SELECT (COUNT(*) AS ?n) WHERE { ?m a <https://kg.example.org/ontology#Meeting> }"


# ---------------------------------------------------------------------------------------
# SPARQL protocol


@pytest.mark.parametrize(("accept", "media", "marker"), [
    ("", "application/sparql-results+json", '"bindings"'),
    ("application/sparql-results+json", "application/sparql-results+json", '"bindings"'),
    ("application/sparql-results+xml", "application/sparql-results+xml", "<sparql"),
    ("text/csv", "text/csv", "n\r\n"),
    ("text/tab-separated-values", "text/tab-separated-values", "?n"),
    ("text/html;q=0.9, text/csv;q=0.5", "text/csv", "n\r\n"),
])
def test_select_in_every_result_format(server, accept, media, marker):
    status, kind, body = get(sparql_url(server, MEETINGS), {"Accept": accept} if accept else {})
    assert status == 200 and kind.startswith(media) and marker in body, (status, kind, body[:200])


def test_the_count_is_the_graphs(server, seed_file):
    store = pyoxigraph.Store()
    store.load(path=str(seed_file), format=pyoxigraph.RdfFormat.N_QUADS)
    expected = next(iter(store.query(MEETINGS, use_default_graph_as_union=True)))["n"].value
    status, _, body = get(sparql_url(server, MEETINGS))
    assert status == 200
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == expected != "0"


def test_post_as_sparql_query_and_as_form_and_construct_and_ask(server):
    status, _, body = get(server + "/sparql", {"Content-Type": "application/sparql-query", "Accept": "text/csv"},
                          MEETINGS.encode())
    assert status == 200 and body.startswith("n\r\n")
    form = urllib.parse.urlencode({"query": "ASK { ?s a <https://kg.example.org/ontology#Demand> }"}).encode()
    status, _, body = get(server + "/sparql", {"Content-Type": "application/x-www-form-urlencoded"}, form)
    assert status == 200 and json.loads(body)["boolean"] is True
    construct = "CONSTRUCT { ?s a ?c } WHERE { ?s a ?c } LIMIT 3"
    status, kind, body = get(sparql_url(server, construct), {"Accept": "application/n-triples"})
    assert status == 200 and kind.startswith("application/n-triples") and body.count(" .\n") == 3
    status, kind, body = get(sparql_url(server, construct, format="turtle"))
    assert status == 200 and kind.startswith("text/turtle")


@pytest.mark.parametrize(("method", "query_or_body", "status", "fragment"), [
    ("GET", "DROP ALL", 403, "read-only"),
    ("GET", "INSERT DATA { <urn:a> <urn:b> <urn:c> }", 403, "read-only"),
    ("GET", "LOAD <http://example.org/data.ttl>", 403, "read-only"),
    ("GET", "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", 403, "SERVICE is refused"),
    ("GET", "select * where { service <http://127.0.0.1:1/sparql> { ?s ?p ?o } }", 403, "SERVICE is refused"),
    ("GET", "SELECT * WHERE { ?s ?p ?o", 400, "syntax error"),
    ("GET", "", 400, "'query' parameter"),
    ("GET", "SELECT * WHERE { ?s ?p ?o } LIMIT 1&format=yaml", 400, "format="),
    ("POST-UPDATE", "DELETE WHERE { ?s ?p ?o }", 403, "read-only"),
    ("POST-FORM-UPDATE", "DELETE WHERE { ?s ?p ?o }", 403, "read-only"),
    ("POST-TEXT", "SELECT * WHERE { ?s ?p ?o }", 415, "application/sparql-query"),
    ("GET-LONG", "SELECT * WHERE { ?s ?p ?o }", 413, "longer than"),
])
def test_what_is_refused_and_why(server, method, query_or_body, status, fragment):
    if method == "GET":
        query, _, extra = query_or_body.partition("&format=")
        answer = get(sparql_url(server, query, **({"format": extra} if extra else {})))
    elif method == "GET-LONG":
        answer = get(server + "/sparql", {"Content-Type": "application/sparql-query"},
                     (query_or_body + " #" + "x" * 100_001).encode())
    elif method == "POST-UPDATE":
        answer = get(server + "/sparql", {"Content-Type": "application/sparql-update"}, query_or_body.encode())
    elif method == "POST-FORM-UPDATE":
        answer = get(server + "/sparql", {"Content-Type": "application/x-www-form-urlencoded"},
                     urllib.parse.urlencode({"update": query_or_body}).encode())
    else:
        answer = get(server + "/sparql", {"Content-Type": "text/plain"}, query_or_body.encode())
    code, kind, body = answer
    assert code == status and kind.startswith("text/plain") and fragment in body, answer
    assert len(body.strip().splitlines()) == 1


def test_words_of_updates_inside_iris_strings_and_names_are_no_updates(server):
    query = ('PREFIX ex: <http://example.org/drop#> SELECT ?x WHERE { BIND("DROP ALL; LOAD <x>" AS ?x) '
             'FILTER(?x != ex:delete) } # INSERT DATA')
    status, _, body = get(sparql_url(server, query), {"Accept": "text/csv"})
    assert status == 200 and "DROP ALL; LOAD <x>" in body


def test_a_query_over_the_time_limit_is_stopped_and_the_next_one_answered(server):
    started = time.time()
    status, _, body = get(sparql_url(server, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"))
    assert status == 503 and "limit of 3 s" in body
    assert time.time() - started < 15
    for _ in range(3):  # both workers, the new one included
        assert get(sparql_url(server, MEETINGS))[0] == 200


# ---------------------------------------------------------------------------------------
# saved queries as REST endpoints


@pytest.mark.parametrize("name", [q.name for q in list_queries() if not q.params])
def test_every_saved_query_without_parameters_gives_the_rows_of_kg_query(server, seed_file, name):
    status, kind, body = get(f"{server}/api/{name}")
    assert status == 200 and kind.startswith("text/csv")
    if name == "events":  # lists inside a cell come in the store's order (kg events sorts them)
        assert normalised_events(body) == normalised_events(kg_query(name, seed_file))
    else:
        assert body == kg_query(name, seed_file)


def normalised_events(text: str) -> list[list[str]]:
    from kg.events import normalised_table
    from kg.results import QueryResult

    return normalised_table(QueryResult(next(csv.reader(io.StringIO(text))), csv_text=text))


@pytest.mark.parametrize(("name", "params"), [
    ("actor", {"actor": "Lawrow"}),
    ("actor", {"actor": "Q7747"}),
    ("meetings-without", {"actor": "Ukraine"}),
    ("agreements-between", {"actor1": "USA", "actor2": "Russland"}),
    ("meetings-by-place", {"place": "Riad"}),
    ("demands-on", {"actor": "https://kg.example.org/id/actor/ukraine"}),
])
def test_parameters_are_bound_like_kg_query_binds_them(server, seed_file, name, params):
    status, _, body = get(f"{server}/api/{name}?" + urllib.parse.urlencode(params))
    assert status == 200
    assert body == kg_query(name, seed_file, *(f"{k}={v}" for k, v in params.items()))
    assert len(body.splitlines()) > 1


def test_json_and_html_formats(server, seed_file):
    status, kind, body = get(f"{server}/api/meetings-by-place?place=Riad&format=json")
    rows = json.loads(body)
    assert status == 200 and kind.startswith("application/json")
    assert rows == list(csv.DictReader(io.StringIO(kg_query("meetings-by-place", seed_file, "place=Riad"))))
    status, kind, body = get(f"{server}/api/meetings-by-place?place=Riad&format=html")
    assert status == 200 and kind.startswith("text/html") and "<table>" in body
    assert f"<p>{len(rows)} rows</p>" in body and '<td><a href="/actor?name=Marco+Rubio">Marco Rubio</a></td>' in body
    # a value that looks like markup comes back escaped, or as a plain-text error
    status, kind, body = get(f"{server}/api/meetings-by-place?place=%3Cscript%3Ex&format=html")
    assert "<script>" not in body or kind.startswith("text/plain")


@pytest.mark.parametrize("value", [
    'Lawrow" } UNION { ?s ?p ?o } #',
    "Lawrow> } DROP ALL ; SELECT * WHERE { <x",
    "') } UNION { ?a ?b ?c } #",
    "Lawrow\\\" . ?x ?y ?z",
    "https://kg.example.org/id/actor/x> . ?s ?p ?o . <y",
])
def test_injection_through_a_parameter_adds_no_rows_and_changes_nothing(server, value):
    before = get(sparql_url(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))[2]
    status, _, body = get(f"{server}/api/actor?" + urllib.parse.urlencode({"actor": value}))
    assert status in (200, 400), body
    if status == 200:
        assert body.splitlines()[1:] == [], body[:500]  # no actor has such a name: no rows
    else:
        assert len(body.strip().splitlines()) == 1
    assert get(sparql_url(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))[2] == before


@pytest.mark.parametrize(("path", "status", "fragment"), [
    ("/api/no-such-query", 404, "no saved query 'no-such-query'"),
    ("/api/actor", 400, "needs parameter(s) actor"),
    ("/api/meetings?actor=Lawrow", 400, "has no parameter(s) actor"),
    ("/api/meetings?format=xml", 400, "format='xml'"),
])
def test_bad_requests_to_the_api_are_one_line_answers(server, path, status, fragment):
    code, kind, body = get(server + path)
    assert code == status and kind.startswith("text/plain") and fragment in body, (code, body)
    assert len(body.strip().splitlines()) == 1


def test_the_openapi_description_is_valid_and_names_every_saved_query(server, seed_file):
    from openapi_spec_validator import validate

    status, _, body = get(server + "/api/openapi.json")
    spec = json.loads(body)
    validate(spec)
    for saved in list_queries():
        operation = spec["paths"][f"/api/{saved.name}"]["get"]
        names = [p["name"] for p in operation["parameters"]]
        assert names == [p.name for p in saved.params] + ["format"]
        columns = operation["responses"]["200"]["content"]["application/json"]["schema"]["items"]["required"]
        if not saved.params:  # the columns the description promises are those the query gives
            assert columns == next(csv.reader(io.StringIO(kg_query(saved.name, seed_file))))
    listed = json.loads(get(server + "/api/queries")[2])
    assert [q["name"] for q in listed] == [q.name for q in list_queries()]
    assert "/sparql" in spec["paths"]


def test_the_explorer_page_lists_the_saved_queries_with_forms(server):
    status, kind, body = get(server + "/")
    assert status == 200 and kind.startswith("text/html")
    for saved in list_queries():
        assert f'action="/api/{saved.name}"' in body
    assert 'action="/sparql"' in body


def test_an_actor_page_shows_the_profile_with_links(server):
    status, kind, body = get(f"{server}/actor?name=Lawrow")
    assert status == 200 and kind.startswith("text/html")
    assert "<h1>Sergej Lawrow</h1>" in body and "role: Außenminister" in body
    assert '<a href="/actor?name=Marco+Rubio">Marco Rubio</a>' in body and 'data-relation="met-with"' in body
    # by QID, and a link followed
    assert "<h1>Wladimir Putin</h1>" in get(f"{server}/actor?name=Q7747")[2]
    assert "<h1>Marco Rubio</h1>" in get(f"{server}/actor?name=Marco+Rubio")[2]


def test_an_ambiguous_or_unknown_actor(server):
    status, _, body = get(f"{server}/actor?name=Mohammed")
    assert status == 200 and "fits 2 actors" in body and body.count("<li><a href=\"/actor?name=https") == 2
    assert get(f"{server}/actor?name=Niemand")[:1] == (404,)
    assert get(f"{server}/actor?name=")[0] == 400


def test_the_timeline_page_with_a_date_range(server):
    status, _, body = get(f"{server}/timeline")
    everything = body.count("<li data-relation=")
    status, _, body = get(f"{server}/timeline?from=2025-02-18&to=2025-02-18")
    assert status == 200 and 0 < body.count("<li data-relation=") < everything
    assert "<b>2025-02-12" not in body
    code, _, message = get(f"{server}/timeline?from=2025-13")
    assert code == 400 and "month 13" in message


def test_the_sparql_form_of_the_page_chooses_the_format(server):
    form = urllib.parse.urlencode({"query": MEETINGS, "format": "csv"}).encode()
    status, kind, body = get(server + "/sparql", {"Content-Type": "application/x-www-form-urlencoded"}, form)
    assert status == 200 and kind.startswith("text/csv") and body.startswith("n\r\n")


# ---------------------------------------------------------------------------------------
# the command


def test_serve_from_a_store_binds_to_this_machine_only(tmp_path):
    build_dataset([REPO / "corpus"], store_dir=tmp_path / "store", views=False)
    process, url = start(["--store", str(tmp_path / "store")], tmp_path)
    try:
        assert get(f"{url}/api/documents")[1].startswith("text/csv")
        # this machine's address on its network does not answer: only 127.0.0.1 listens
        outward = own_address()
        if outward:
            with pytest.raises(OSError):
                urllib.request.urlopen(f"http://{outward}:{url.rsplit(':', 1)[1]}/api/queries", timeout=5)
    finally:
        said = stop(process)
    assert "http://127.0.0.1:" in said and "Traceback" not in said


def own_address() -> str | None:
    """This machine's address towards other hosts (None without a network)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: nothing is sent
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


@pytest.mark.parametrize(("args", "fragment"), [
    (["--data", "absent.nq"], "absent.nq"),
    (["--store", "absent-store"], "absent-store"),
    ([], "--data FILE... or --store DIR"),
    (["--data", "x.nq", "--port", "0"], "--port 0"),
    (["--data", "x.nq", "--timeout", "0"], "--timeout"),
])
def test_bad_options_are_one_line_errors(tmp_path, args, fragment):
    (tmp_path / "x.nq").write_text("", encoding="utf-8")
    done = subprocess.run([str(KG), "serve", *args], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("kg: error:") and fragment in lines[0], done.stderr


def test_a_port_in_use_is_a_one_line_error(seed_file, server):
    port = server.rsplit(":", 1)[1]
    done = subprocess.run([str(KG), "serve", "--data", str(seed_file), "--port", port],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and f"--port {port}" in done.stderr
    assert len([line for line in done.stderr.splitlines() if line.strip()]) == 1


# ---------------------------------------------------------------------------------------
# load


def test_fifty_clients_times_twenty_requests_without_an_error(server, capsys):
    paths = ["/api/meetings", "/api/actor?actor=Lawrow", "/api/events?format=json",
             "/sparql?" + urllib.parse.urlencode({"query": MEETINGS}), "/api/openapi.json"]

    def client(number: int) -> list[tuple[int, float]]:
        seen = []
        for k in range(20):
            started = time.perf_counter()
            status = get(server + paths[(number + k) % len(paths)])[0]
            seen.append((status, time.perf_counter() - started))
        return seen

    started = time.perf_counter()
    with ThreadPoolExecutor(50) as pool:
        results = [r for rs in pool.map(client, range(50)) for r in rs]
    wall = time.perf_counter() - started
    statuses = [s for s, _ in results]
    assert len(results) == 1000 and set(statuses) == {200}, {s: statuses.count(s) for s in set(statuses)}
    latencies = sorted(t for _, t in results)
    with capsys.disabled():
        print(f"\nkg serve load: 50 clients x 20 requests in {wall:.1f} s; latency p50 "
              f"{statistics.median(latencies) * 1000:.0f} ms, p95 {latencies[949] * 1000:.0f} ms, "
              f"p99 {latencies[989] * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms")
