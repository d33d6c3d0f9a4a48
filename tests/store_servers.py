"""Real triple-store servers for integration tests: Oxigraph and Virtuoso on 127.0.0.1.

A pytest plugin (``pytest_plugins = ["store_servers"]``) with the fixtures

* ``oxigraph_server`` — a fresh Oxigraph server per test, data on disk under the test's
  ``tmp_path`` so that ``stop()``/``kill()`` followed by ``start()`` keeps the data;
* ``virtuoso_server`` — one Virtuoso 7 server per test module (it takes seconds to start);
  call ``reset()`` to drop the graphs earlier tests left behind;
* ``virtuoso_factory`` — starts further Virtuoso servers with their own settings
  (e.g. a tiny ``ResultSetMaxRows``), each stopped at the end of the module.

The servers are the programs CI installs (``oxigraph`` from PyPI into the venv, Virtuoso
from Debian). When one is missing the fixture fails rather than skips: a skipped
integration test would look like a passing one. The classes work without pytest too
(``bench/push_speed.py`` uses them).

Every process is started by these classes, waited for with bounded timeouts and stopped
by its own PID (finalizers, and the kernel's parent-death signal if the test process
itself dies). Nothing listens anywhere but 127.0.0.1.
"""
from __future__ import annotations

import ctypes
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

READY_TIMEOUT = 60.0  # seconds; an on-disk Oxigraph restart after heavy writes took 11 s
STOP_TIMEOUT = 20.0  # TERM, then KILL after this long
ASK_QUERY = "ASK{}"

VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
VIRTUOSO_VAD_DIR = "/usr/share/virtuoso-opensource-7/vad"
VIRTUOSO_INSTALL_HINT = (
    "install it from Debian as .ci/run does: apt-get install -y --no-install-recommends "
    "virtuoso-opensource-7-bin virtuoso-opensource-7"
)


class ServerUnavailable(RuntimeError):
    """A server binary is missing, or a server did not start or answer in time."""


# ---------------------------------------------------------------------------------------
# helpers


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def closed_port_url() -> str:
    """An http URL on 127.0.0.1 where nothing listens (connection refused)."""
    return f"http://127.0.0.1:{free_port()}"


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    # PR_SET_PDEATHSIG: if the test process is killed outright, no finalizer runs; the
    # kernel then sends SIGTERM to the server instead of leaving it running.
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)
    except OSError:
        pass


def _find_binary(name: str, *, hint: str, prefer: Path | None = None) -> str:
    if prefer is not None and prefer.is_file() and os.access(prefer, os.X_OK):
        return str(prefer)
    found = shutil.which(name)
    if found:
        return found
    where = f"{prefer} or " if prefer is not None else ""
    raise ServerUnavailable(f"'{name}' not found ({where}PATH); {hint}")


def oxigraph_binary() -> str:
    # pip puts the server next to the interpreter of the venv it was installed into
    return _find_binary(
        "oxigraph",
        prefer=Path(sys.executable).parent / "oxigraph",
        hint="install it into this venv with: python -m pip install oxigraph",
    )


def virtuoso_binaries() -> tuple[str, str]:
    return (
        _find_binary("virtuoso-t", hint=VIRTUOSO_INSTALL_HINT),
        _find_binary("isql-vt", hint=VIRTUOSO_INSTALL_HINT),
    )


def _http_status(url: str, timeout: float = 2.0) -> int | None:
    """The status of a GET, or None when nothing answered (refused, reset, timed out)."""
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return None


def _log_tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


class _ServerProcess:
    """One server subprocess: start, wait until it answers, stop/kill by its PID."""

    name = "server"

    def __init__(self, workdir: Path) -> None:
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen | None = None
        self.log_path = self.workdir / f"{self.name}.log"
        self._log_file = None

    # subclasses define these
    def _command(self) -> list[str]:
        raise NotImplementedError

    def _ready_url(self) -> str:
        raise NotImplementedError

    def _after_ready(self) -> None:
        pass

    # -- lifecycle ---------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def start(self, timeout: float = READY_TIMEOUT) -> _ServerProcess:
        if self.running:
            return self
        self._close_log()
        # stays open while the server runs (its stdout/stderr); closed by stop()/kill()
        self._log_file = open(self.log_path, "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            self._command(),
            cwd=self.workdir,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            # only a prctl() call between fork and exec, nothing that could deadlock
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,  # noqa: PLW1509
        )
        try:
            self._wait_ready(timeout)
            self._after_ready()
        except BaseException:
            self.kill()
            raise
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        url = self._ready_url()
        last: int | None = None
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise ServerUnavailable(
                    f"{self.name} exited with code {self.process.returncode} before "
                    f"answering; log {self.log_path}:\n{_log_tail(self.log_path)}"
                )
            last = _http_status(url)
            if last == 200:
                return
            time.sleep(0.1 if last is None else 0.25)
        raise ServerUnavailable(
            f"{self.name} did not answer 200 at {url} within {timeout:.0f} s "
            f"(last status: {last}); log {self.log_path}:\n{_log_tail(self.log_path)}"
        )

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """SIGTERM, wait up to ``timeout`` s, then SIGKILL."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)
        self._close_log()

    def kill(self) -> None:
        """SIGKILL at once, as a crash would: no clean shutdown."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT)
        self._close_log()

    def restart(self, timeout: float = READY_TIMEOUT) -> _ServerProcess:
        self.stop()
        return self.start(timeout)

    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def __enter__(self):
        return self.start() if not self.running else self

    def __exit__(self, *exc_info) -> None:
        self.stop()


# ---------------------------------------------------------------------------------------
# Oxigraph


class OxigraphServer(_ServerProcess):
    """``oxigraph serve`` on 127.0.0.1; data in ``workdir/data`` unless ``in_memory``.

    The port stays the same across restarts, so ``url`` stays valid. Endpoints:
    ``{url}/query``, ``{url}/update``, ``{url}/store?graph=IRI``.
    """

    name = "oxigraph"

    def __init__(
        self, workdir: Path, *, in_memory: bool = False, port: int | None = None,
        binary: str | None = None,
    ) -> None:
        super().__init__(workdir)
        self.binary = binary or oxigraph_binary()
        self.in_memory = in_memory
        self.location = None if in_memory else self.workdir / "data"
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def _command(self) -> list[str]:
        command = [self.binary, "serve", "--bind", f"127.0.0.1:{self.port}"]
        if self.location is not None:
            command += ["--location", str(self.location)]
        return command

    def _ready_url(self) -> str:
        return f"{self.url}/query?query={urllib.parse.quote(ASK_QUERY)}"


# ---------------------------------------------------------------------------------------
# Virtuoso


def virtuoso_ini(
    template: str, *, dbdir: Path, sql_port: int, http_port: int, result_set_max_rows: int,
) -> str:
    """The packaged virtuoso.ini with every file under ``dbdir`` and 127.0.0.1 ports."""
    section = ""
    out: list[str] = []
    dbdir = Path(dbdir)
    for line in template.splitlines():
        stripped = line.strip()
        header = re.match(r"\[(.+)\]$", stripped)
        if header:
            section = header.group(1).strip()
            out.append(line)
            continue
        key, sep, value = stripped.partition("=")
        key = key.strip()
        if not sep or stripped.startswith(";"):
            out.append(line)
            continue
        value = value.split(";", 1)[0].strip()
        if key in {
            "DatabaseFile", "ErrorLogFile", "LockFile", "TransactionFile", "xa_persistent_file",
        }:
            line = f"{key} = {dbdir / Path(value).name}"
        elif key == "ServerPort" and section == "Parameters":
            line = f"ServerPort = 127.0.0.1:{sql_port}"
        elif key == "ServerPort" and section == "HTTPServer":
            line = f"ServerPort = 127.0.0.1:{http_port}"
        elif key == "DirsAllowed":
            line = f"DirsAllowed = ., {dbdir}, {VIRTUOSO_VAD_DIR}"
        elif key == "DefaultHost" and section == "URIQA":
            line = f"DefaultHost = 127.0.0.1:{http_port}"
        elif key == "ResultSetMaxRows":
            line = f"ResultSetMaxRows = {result_set_max_rows}"
        elif section == "Striping" and key.startswith("Segment"):
            # "100M, db-seg1-1.db, db-seg1-2.db": sizes stay, files move under dbdir
            size, *files = [part.strip() for part in value.split(",")]
            line = f"{key} = " + ", ".join([size] + [str(dbdir / Path(f).name) for f in files])
        out.append(line)
    text = "\n".join(out) + "\n"
    if "ResultSetMaxRows" not in text:
        text += f"\n[SPARQL]\nResultSetMaxRows = {result_set_max_rows}\n"
    return text


class VirtuosoServer(_ServerProcess):
    """``virtuoso-t +foreground`` with its database in ``workdir``.

    ``url`` is the HTTP base (``{url}/sparql``, ``{url}/sparql-auth``,
    ``{url}/sparql-graph-crud-auth``); writes need digest auth as ``user``/``password``.
    A fresh database's dba password is "dba"; it is changed to ``password`` once the
    server answers.
    """

    name = "virtuoso"
    user = "dba"

    def __init__(
        self, workdir: Path, *, result_set_max_rows: int = 1_000_000,
        password: str | None = None, ini_template: Path = VIRTUOSO_INI,
    ) -> None:
        super().__init__(workdir)
        self.binary, self.isql_binary = virtuoso_binaries()
        if not Path(ini_template).is_file():
            raise ServerUnavailable(f"{ini_template} not found; {VIRTUOSO_INSTALL_HINT}")
        self.password = password or "kgtest" + secrets.token_hex(8)
        self._current_password = "dba"
        self.sql_port = free_port()
        self.http_port = free_port()
        while self.http_port == self.sql_port:
            self.http_port = free_port()
        self.url = f"http://127.0.0.1:{self.http_port}"
        self.result_set_max_rows = result_set_max_rows
        self.ini_path = self.workdir / "virtuoso.ini"
        self.ini_path.write_text(
            virtuoso_ini(
                Path(ini_template).read_text(encoding="utf-8"),
                dbdir=self.workdir,
                sql_port=self.sql_port,
                http_port=self.http_port,
                result_set_max_rows=result_set_max_rows,
            ),
            encoding="utf-8",
        )
        self._system_graphs: set[str] | None = None

    def _command(self) -> list[str]:
        return [self.binary, "+foreground", "+configfile", str(self.ini_path)]

    def _ready_url(self) -> str:
        return f"{self.url}/sparql?query={urllib.parse.quote(ASK_QUERY)}"

    def _after_ready(self) -> None:
        if self._current_password != self.password:
            self.isql(f"SET PASSWORD {self._current_password} {self.password};")
            self._current_password = self.password
        if self._system_graphs is None:
            self._system_graphs = set(self.graphs())

    def isql(self, sql: str, timeout: float = 60.0) -> str:
        """Run SQL (or ``SPARQL …``) as dba through isql-vt; raise on any error."""
        completed = subprocess.run(
            [self.isql_binary, f"127.0.0.1:{self.sql_port}", self.user, self._current_password,
             f"EXEC={sql}"],
            check=False,
            cwd=self.workdir,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        output = completed.stdout + completed.stderr
        if completed.returncode != 0 or "*** Error" in output:
            # the password is an argument, never part of the output; keep it that way
            raise ServerUnavailable(
                f"isql-vt failed (exit {completed.returncode}) on {sql.split()[0]} …: "
                f"{output.strip()[-800:]}".replace(self._current_password, "***")
            )
        return completed.stdout

    def select(self, query: str) -> list[dict[str, str]]:
        """An anonymous SELECT on /sparql; each row as {variable: value}."""
        import json

        data = urllib.parse.urlencode({"query": query}).encode()
        request = urllib.request.Request(
            f"{self.url}/sparql", data=data,
            headers={"Accept": "application/sparql-results+json",
                     "Content-Type": "application/x-www-form-urlencoded"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            max_rows = response.headers.get("X-SPARQL-MaxRows")
            payload = json.loads(response.read().decode("utf-8"))
        rows = [
            {name: cell["value"] for name, cell in binding.items()}
            for binding in payload["results"]["bindings"]
        ]
        if max_rows is not None and len(rows) >= int(max_rows):
            # ResultSetMaxRows cut the result: a silent truncation would mislead reset()
            raise ServerUnavailable(f"Virtuoso truncated the result at {max_rows} rows: {query}")
        return rows

    @property
    def system_graphs(self) -> set[str]:
        """The graphs a fresh database has (Virtuoso's own); ``reset()`` keeps these."""
        return set(self._system_graphs or ())

    def graphs(self) -> list[str]:
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(row["g"] for row in rows)

    def reset(self) -> None:
        """Drop every graph that was not there when the database was created."""
        system = self._system_graphs or set()
        for graph in self.graphs():
            if graph not in system:
                if any(c in graph for c in "<>\"{}|^`\\ "):
                    raise ValueError(f"refusing to drop a graph with an odd IRI: {graph!r}")
                self.isql(f"SPARQL CLEAR GRAPH <{graph}>;")


# ---------------------------------------------------------------------------------------
# fixtures


def _or_fail(action: Callable[[], _ServerProcess]) -> _ServerProcess:
    """``action()``, or a test failure (never a skip) saying what is missing or broken."""
    try:
        return action()
    except ServerUnavailable as exc:
        message = str(exc)
    pytest.fail(message, pytrace=False)  # outside the except: no chained traceback


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[OxigraphServer]:
    """A fresh on-disk Oxigraph server for one test (``.url``, ``.stop()``, ``.kill()``,
    ``.start()``; data survives a restart)."""
    server = _or_fail(lambda: OxigraphServer(tmp_path / "oxigraph"))
    try:
        _or_fail(server.start)
        yield server  # type: ignore[misc]
    finally:
        server.stop()


@pytest.fixture(scope="module")
def virtuoso_factory(tmp_path_factory) -> Iterator[Callable[..., VirtuosoServer]]:
    """``factory(result_set_max_rows=…)`` starts another Virtuoso; all stop with the module."""
    servers: list[VirtuosoServer] = []

    def factory(**settings) -> VirtuosoServer:
        workdir = tmp_path_factory.mktemp("virtuoso")
        server = _or_fail(lambda: VirtuosoServer(workdir, **settings))
        servers.append(server)  # type: ignore[arg-type]
        return _or_fail(server.start)  # type: ignore[return-value]

    try:
        yield factory
    finally:
        for server in servers:
            server.stop()


@pytest.fixture(scope="module")
def virtuoso_server(virtuoso_factory) -> VirtuosoServer:
    """One Virtuoso per test module (``.url``, ``.user``, ``.password``, ``.stop()``,
    ``.kill()``, ``.reset()``); ResultSetMaxRows is raised to 1,000,000."""
    return virtuoso_factory(result_set_max_rows=1_000_000)
