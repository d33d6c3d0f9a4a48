"""Remote stores that misbehave (issue 12): every failure is one line, says what happened,
never shows a password, and never waits without limit.

Real Oxigraph servers come from ``store_servers``; endpoints that break the protocol on
purpose (bad JSON, bytes that are not UTF-8, no answer at all, dropped connections) are
small ``http.server`` servers in a thread, written here.
"""
from __future__ import annotations

import http.server
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.transport import clean, failure_kind, redact

pytest_plugins = ["store_servers"]

FIXTURE = Path(__file__).parent / "fixtures" / "query_sample.trig"
SECRET = "s3cr3t-Pa55word"
runner = CliRunner()


def kg(*args):
    return runner.invoke(app, [str(a) for a in args])


def kg_process(*args, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    """kg in its own process: argv may hold bytes that are not UTF-8."""
    argv = [a if isinstance(a, bytes) else str(a) for a in args]
    return subprocess.run([sys.executable, "-m", "kg.cli", *argv], capture_output=True, timeout=timeout,
                          check=False, **kwargs)


def one_line_error(exit_code: int, stderr: str, output: str, *fragments: str) -> str:
    """Exit 2, exactly one ``kg: error:`` line on stderr, no traceback, no password."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert exit_code == 2, (exit_code, output)
    assert len(lines) == 1 and lines[0].startswith("kg: error: "), stderr
    assert "Traceback" not in output and SECRET not in output
    for fragment in fragments:
        assert fragment.lower() in lines[0].lower(), lines[0]
    return lines[0]


def assert_error(result, *fragments: str) -> str:
    return one_line_error(result.exit_code, result.stderr, result.output, *fragments)


def assert_process_error(done: subprocess.CompletedProcess, *fragments: str) -> str:
    err = done.stderr.decode("utf-8", "backslashreplace")
    return one_line_error(done.returncode, err, err + done.stdout.decode("utf-8", "replace"), *fragments)


@pytest.fixture(autouse=True)
def no_ambient_credentials(monkeypatch, tmp_path):
    monkeypatch.delenv("KG_USER", raising=False)
    monkeypatch.delenv("KG_PASSWORD", raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))


# ---------------------------------------------------------------------------------------
# a hostile endpoint


class Hostile:
    """An HTTP server on 127.0.0.1 that answers every request with ``behave(handler)``."""

    def __init__(self) -> None:
        self.release = threading.Event()  # lets silent handlers return at teardown
        self.requests = 0
        self.behave: Callable[[http.server.BaseHTTPRequestHandler], None] = lambda h: None
        hostile = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def handle_any(self) -> None:
                hostile.requests += 1
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                hostile.behave(self)

            do_GET = do_POST = do_PUT = handle_any

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, body: bytes, status: int = 200, content_type: str = "application/sparql-results+json") -> None:
        def behave(handler) -> None:
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)

        self.behave = behave

    def silent(self) -> None:
        self.behave = lambda handler: self.release.wait(120)

    def hang_up(self) -> None:
        def behave(handler) -> None:
            handler.close_connection = True
            handler.connection.shutdown(2)

        self.behave = behave

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hostile() -> Iterator[Hostile]:
    server = Hostile()
    try:
        yield server
    finally:
        server.close()


def small_dataset(path: Path, graphs: int, per_graph: int = 3) -> Path:
    store = ox.Store()
    for g in range(graphs):
        graph = ox.NamedNode(f"https://kg.example.org/test/faults/{g:04d}")
        store.extend(ox.Quad(ox.NamedNode(f"https://kg.example.org/test/faults/{g}/s"),
                             ox.NamedNode("https://kg.example.org/test/faults/p"), ox.Literal(f"{g}-{i}"), graph)
                     for i in range(per_graph))
    path.write_bytes(ox.serialize(store, format=ox.RdfFormat.N_QUADS))
    return path


# ---------------------------------------------------------------------------------------
# 3: credentials and URL schemes


@pytest.mark.parametrize("option", ["--query-url", "--gsp-url", "--update-url"])
def test_credentials_in_url_options_are_refused_without_echo(option, tmp_path):
    data = small_dataset(tmp_path / "g.nq", 2)
    url = f"http://user:{SECRET}@127.0.0.1:9/x"
    for args in (("push", data, "--endpoint", "http://127.0.0.1:9"),
                 ("pull", "--endpoint", "http://127.0.0.1:9", "--graph", "urn:x:g", "--out", tmp_path / "o.nq"),
                 ("query", "meetings", "--endpoint", "http://127.0.0.1:9")):
        if args[0] == "query" and option != "--query-url":
            continue  # kg query has no --gsp-url/--update-url
        assert_error(kg(*args, option, url), option, "credentials")
    assert not (tmp_path / "o.nq").exists()


@pytest.mark.parametrize("url", [f"ftp://user:{SECRET}@127.0.0.1:9/q", "file:///etc/passwd", "gopher://127.0.0.1/"],
                         ids=["ftp-with-password", "file", "gopher"])  # test ids are printed too
@pytest.mark.parametrize("option", ["--endpoint", "--query-url", "--gsp-url", "--update-url"])
def test_unsupported_schemes_are_refused_naming_the_option(option, url, tmp_path):
    data = small_dataset(tmp_path / "g.nq", 1)
    if option == "--endpoint":
        args = ("push", data, "--endpoint", url)
    else:
        args = ("push", data, "--endpoint", "http://127.0.0.1:9", option, url)
    line = assert_error(kg(*args), option, "http://")
    assert url.split(":")[0] + ":" in line


def test_redact_and_clean_hide_passwords(monkeypatch):
    assert redact(f"http://user:{SECRET}@store.example:7878/query?x=1") == "http://store.example:7878/query"
    monkeypatch.setenv("KG_PASSWORD", SECRET)
    assert SECRET not in clean(f"bad login {SECRET}\x1b[31m\nnext line")
    assert "\n" not in clean("a\nb") and "\x1b" not in clean("a\x1b[31mb")


def test_a_server_echoing_the_password_does_not_show_it(hostile, monkeypatch, tmp_path):
    monkeypatch.setenv("KG_USER", "kg")
    monkeypatch.setenv("KG_PASSWORD", SECRET)
    hostile.answer(f"wrong password {SECRET} for kg".encode(), status=400, content_type="text/plain")
    assert_error(kg("query", "meetings", "--endpoint", hostile.url), "400")
    assert_error(kg("query", "meetings", "--endpoint", hostile.url, "--server", "virtuoso"))
    pulled = kg("pull", "--endpoint", hostile.url, "--graph", "urn:x:g", "--out", tmp_path / "o.nq")
    assert "***" in assert_error(pulled, "HTTP 400")
    pushed = kg("push", small_dataset(tmp_path / "g.nq", 2), "--endpoint", hostile.url, "--timeout", "2")
    assert pushed.exit_code == 1 and SECRET not in pushed.output and "***" in pushed.stderr


def test_connection_errors_are_classified_by_cause():
    from store_servers import closed_port_url

    closed = closed_port_url()
    for args in (("query", "meetings", "--endpoint", closed),
                 ("query", "meetings", "--endpoint", "http://127.0.0.1:9", "--server", "generic",
                  "--query-url", f"{closed}/sparql")):
        line = assert_error(kg(*args), "connection refused")
        assert "resolve" not in line
    assert_error(kg("query", "meetings", "--endpoint", "http://no-such-host.invalid:7878"),
                 "cannot resolve host no-such-host.invalid")
    import requests

    with pytest.raises(requests.RequestException) as refused:
        requests.get(closed, timeout=5)
    assert failure_kind(refused.value) == "refused"
    with pytest.raises(OSError) as unknown:
        urllib.request.urlopen("http://no-such-host.invalid/", timeout=5)
    assert failure_kind(unknown.value) == "unknown host"


# ---------------------------------------------------------------------------------------
# 4: answers that are not what they should be, and odd bytes in arguments

BAD_ANSWERS = {
    "no head": (b'{"results": {"bindings": []}}', "not SPARQL JSON results"),
    "a list": (b"[1, 2]", "not SPARQL JSON results"),
    "a number": (b"42", "not SPARQL JSON results"),
    "head is a list": (b'{"head": [], "results": {"bindings": []}}', "not SPARQL JSON results"),
    "rows not objects": (b'{"head": {"vars": ["n"]}, "results": {"bindings": [["n"]]}}', "not SPARQL JSON results"),
    "cell not an object": (b'{"head": {"vars": ["n"]}, "results": {"bindings": [{"n": "7"}]}}', "not SPARQL JSON results"),
    "not JSON": (b"<html>Bad Gateway</html>", "not JSON"),
    "deeply nested": (b"[" * 100_000, "not JSON"),
    "not UTF-8": (b'{"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", "value": "L\xffwrow"}}]}}',
                  "not UTF-8 (byte 0xff"),
}


@pytest.mark.parametrize("case", sorted(BAD_ANSWERS))
def test_unreadable_answers_are_one_line(hostile, case, tmp_path):
    body, fragment = BAD_ANSWERS[case]
    hostile.answer(body)
    assert_error(kg("query", "meetings", "--endpoint", hostile.url, "--format", "csv"), fragment, hostile.url)
    assert_error(kg("show", "Lawrow", "--endpoint", hostile.url), fragment)
    assert_error(kg("timeline", "--endpoint", hostile.url), fragment)
    # kg push asks with its own SELECTs (requests, not SPARQLWrapper): the push stops at once
    hostile.requests = 0
    assert_error(kg("push", small_dataset(tmp_path / "g.nq", 20), "--endpoint", hostile.url), fragment)
    assert hostile.requests == 1


def test_garbage_instead_of_http_is_one_line(hostile):
    def behave(handler) -> None:
        handler.wfile.write(b"\xff\xfe not http at all\r\n\r\n")
        handler.close_connection = True

    hostile.behave = behave
    assert_error(kg("query", "meetings", "--endpoint", hostile.url, "--timeout", "2"), "not HTTP")


@pytest.mark.parametrize("args, fragments", [
    (("query", "actor", "--data", FIXTURE, "--param", b"actor=Lawrow\xff"), ("actor", "not valid UTF-8", "0xff")),
    (("query", "actor", "--data", FIXTURE, "--param", b"act\xffor=Lawrow"), ("--param", "not valid UTF-8")),
    (("query", "actor", "--data", FIXTURE, "--param", "ac\x07tor=x"), ("--param", "control character", "U+0007")),
    (("show", b"Lawrow\xff", "--data", FIXTURE), ("actor name", "not valid UTF-8")),
    (("show", "Law\x01row", "--data", FIXTURE), ("actor name", "control character")),
    (("show", b"Lawrow\xff", "--endpoint", "http://127.0.0.1:9"), ("actor name", "not valid UTF-8")),
    (("pull", "--endpoint", "http://127.0.0.1:9", "--graph", b"urn:x:\xff", "--out", "never.nq"), ("--graph", "UTF-8")),
    (("query", "meetings", "--endpoint", b"http://127.0.0.1:9/\xff"), ("--endpoint", "not valid UTF-8")),
])
def test_bytes_that_are_not_utf8_and_control_characters_in_arguments(args, fragments, tmp_path):
    done = kg_process(*args, cwd=tmp_path)
    assert_process_error(done, *fragments)
    assert done.stderr.decode("utf-8").rstrip("\n").isprintable()  # no raw byte or control char


@pytest.mark.parametrize("args", [
    ("query", "actor", "--data", FIXTURE, "--param", "act\x00or=x"),
    ("show", "Law\x00row", "--data", FIXTURE),
])
def test_nul_in_names_is_one_line(args):
    # argv cannot carry NUL: in process, as a program calling kg's app would
    assert "U+0000" in assert_error(kg(*args), "control character")


@pytest.mark.parametrize("value", ["Law\x00row", "Law\x1b[31mrow", "Law\nrow\x7f"])
def test_control_characters_in_param_values_are_data(value, hostile):
    """A value is data, escaped into the query: no match, no error, nothing printed raw."""
    local = kg("query", "actor", "--data", FIXTURE, "--param", f"actor={value}", "--format", "csv")
    assert local.exit_code == 0 and local.stdout.count("\n") == 1, local.output
    hostile.answer(b'{"head": {"vars": ["relation"]}, "results": {"bindings": []}}')
    remote = kg("query", "actor", "--endpoint", hostile.url, "--param", f"actor={value}", "--format", "csv")
    assert remote.exit_code == 0 and remote.stdout == "relation\n", remote.output
    assert hostile.requests == 1


# ---------------------------------------------------------------------------------------
# 5: a push that dies part way says what landed; a re-run completes it


def _graph_count(url: str) -> int:
    query = urllib.parse.quote("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    request = urllib.request.Request(f"{url}/query?query={query}", headers={"Accept": "text/csv"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return int(response.read().decode().split()[-1])


def test_push_killed_midway_reports_progress_and_rerun_completes(oxigraph_server, tmp_path):
    total = 800
    data = small_dataset(tmp_path / "many.nq", total)
    command = [sys.executable, "-m", "kg.cli", "push", str(data), "--endpoint", oxigraph_server.url]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while _graph_count(oxigraph_server.url) < 20:
            assert proc.poll() is None and time.monotonic() < deadline, "the push never got going"
            time.sleep(0.005)
        oxigraph_server.kill()  # SIGKILL: no clean shutdown
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)

    lines = [line for line in err.splitlines() if line.strip()]
    assert proc.returncode == 2 and "Traceback" not in err, err
    *done, last = lines
    assert all(line.startswith("loaded ") for line in done), err
    match = re.fullmatch(
        r"kg: error: http://127\.0\.0\.1:\d+/\w+: connection refused \(is the store running\?\); "
        rf"(\d+) of {total} graphs loaded before the failure, re-run kg push to load the rest", last)
    assert match, last
    loaded = int(match.group(1))
    assert loaded == len(done) and 0 < loaded < total, (loaded, len(done))
    landed = {line.split()[1] for line in done}

    oxigraph_server.start()  # same data folder and port
    rerun = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert rerun.returncode == 0, rerun.stderr
    statuses = dict(reversed(line.split()[:2]) for line in rerun.stderr.splitlines()[:-1])
    assert len(statuses) == total and landed <= {g for g, s in statuses.items() if s == "unchanged"}
    assert set(statuses.values()) <= {"loaded", "unchanged"}
    assert rerun.stderr.splitlines()[-1].endswith(f"0 failed -> {oxigraph_server.url}")
    assert _graph_count(oxigraph_server.url) == total


# ---------------------------------------------------------------------------------------
# 6: time limits


@pytest.mark.parametrize("args", [
    ("query", "meetings"), ("show", "Lawrow"), ("timeline",), ("viz", "--out", "net.html"),
    ("pull", "--graph", "urn:x:g", "--out", "pulled.nq"),
])
def test_a_silent_store_fails_after_the_timeout_without_retries(hostile, args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    hostile.silent()
    started = time.monotonic()
    assert_error(kg(*args, "--endpoint", hostile.url, "--timeout", "1"), "no answer within 1 s", hostile.url)
    assert time.monotonic() - started < 15
    assert hostile.requests == 1, "a timeout is not transient: no retry"
    assert not list(tmp_path.iterdir())


def test_push_to_a_silent_store_stops_at_once(hostile, tmp_path):
    data = small_dataset(tmp_path / "g.nq", 50)
    hostile.silent()
    started = time.monotonic()
    assert_error(kg("push", data, "--endpoint", hostile.url, "--timeout", "2"), "no answer within 2 s")
    assert time.monotonic() - started < 15
    assert hostile.requests == 1


def test_retries_on_5xx_stay_within_the_timeout(hostile):
    hostile.answer(b"busy", status=503, content_type="text/plain")
    started = time.monotonic()
    assert_error(kg("query", "meetings", "--endpoint", hostile.url, "--timeout", "1"), "HTTP 503")
    assert time.monotonic() - started < 15
    assert 2 <= hostile.requests <= 3, hostile.requests  # retried, but not 4 times in 1 s


def test_a_store_that_hangs_up_is_unreachable_after_bounded_retries(hostile, tmp_path):
    hostile.hang_up()
    assert_error(kg("query", "meetings", "--endpoint", hostile.url, "--timeout", "1"), "closed the connection")
    hostile.requests = 0
    assert_error(kg("push", small_dataset(tmp_path / "g.nq", 30), "--endpoint", hostile.url, "--timeout", "1"),
                 "closed the connection")
    assert 2 <= hostile.requests <= 3, "one graph's retries, then the push stops"


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf"])
@pytest.mark.parametrize("command", ["query", "show", "timeline", "viz", "push", "pull"])
def test_timeout_must_be_positive(command, value, tmp_path):
    args = {"query": ("query", "meetings"), "show": ("show", "Lawrow"), "timeline": ("timeline",),
            "viz": ("viz", "--out", tmp_path / "n.html"), "push": ("push", FIXTURE),
            "pull": ("pull", "--graph", "urn:x:g", "--out", tmp_path / "p.nq")}[command]
    assert_error(kg(*args, "--endpoint", "http://127.0.0.1:9", f"--timeout={value}"), "--timeout")


def test_kg_password_never_printed_on_common_failures(monkeypatch, tmp_path):
    monkeypatch.setenv("KG_USER", SECRET)
    monkeypatch.setenv("KG_PASSWORD", SECRET)
    env = {**os.environ}
    for args in (("query", "meetings", "--endpoint", "http://127.0.0.1:9"),
                 ("push", FIXTURE, "--endpoint", "http://127.0.0.1:9", "--server", "virtuoso"),
                 ("query", "meetings", "--endpoint", f"http://kg:{SECRET}@127.0.0.1:9"),
                 ("query", "meetings", "--endpoint", "http://127.0.0.1:9", "--query-url", f"http://kg:{SECRET}@127.0.0.1:9/q"),
                 ("push", FIXTURE, "--endpoint", "http://127.0.0.1:9", "--gsp-url", f"ftp://kg:{SECRET}@127.0.0.1:9/")):
        assert_process_error(kg_process(*args, env=env))
