"""HTTP to a SPARQL store: requests with bounded retries, SPARQL JSON results read
strictly, and one-line errors that never show credentials.

Both clients (requests for Graph Store, Update and kg's own SELECTs; SPARQLWrapper for
saved queries) go through here, so a refused connection, a silent server or a broken
answer reads the same whichever client sent the request.
"""
from __future__ import annotations

import ast
import errno
import http.client
import json
import netrc
import os
import socket
import time
import urllib.error
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

import requests
import urllib3
import urllib3.exceptions
from requests.auth import HTTPBasicAuth, HTTPDigestAuth

from kg.errors import (
    RemoteAuthError,
    RemoteBadAnswer,
    RemoteError,
    RemoteTimeout,
    RemoteUnreachable,
)
from kg.queries import text_problem

RETRY_STATUS = {500, 502, 503, 504}
AUTH_HINT = "set KG_USER and KG_PASSWORD or add the host to your netrc file"
T = TypeVar("T")


# ------------------------------------------------------------------- credentials

def credentials(url: str) -> tuple[str, str] | None:
    """User and password from KG_USER/KG_PASSWORD, else from netrc for the URL's host."""
    user, password = os.environ.get("KG_USER"), os.environ.get("KG_PASSWORD")
    if user and password is not None:
        return user, password
    path = os.environ.get("NETRC") or os.path.join(os.path.expanduser("~"), ".netrc")
    if not os.path.exists(path):
        return None
    try:
        entry = netrc.netrc(path).authenticators(urlsplit(url).hostname or "")
    except (netrc.NetrcParseError, OSError) as exc:
        raise RemoteError(f"{path}: cannot read netrc file ({exc.__class__.__name__})") from None
    if entry is None:
        return None
    login, _, secret = entry
    return login, secret or ""


# ------------------------------------------------------------------- messages

def redact(url: str) -> str:
    """``url`` as a message may show it: no user info, query or fragment."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(unreadable URL)"
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot name a store (None when it can); never repeats the URL, which
    may hold a password."""
    undecodable = text_problem(url, controls=False)  # a byte of argv that is not UTF-8
    if undecodable:
        return undecodable
    odd = next((c for c in url if not 32 < ord(c) < 127), None)
    if odd is not None:
        what = "a space" if odd == " " else "a control character" if ord(odd) < 32 or ord(odd) == 127 else "a non-ASCII character"
        return f"contains {what} (U+{ord(odd):04X}); percent-encode it"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return "is not a valid URL"
    if not parts.scheme:
        return "must start with http:// or https://"
    if parts.scheme.lower() not in ("http", "https"):
        return f"must be an http:// or https:// URL, not {parts.scheme}:…"
    if "@" in parts.netloc:
        return "must not contain credentials; use KG_USER/KG_PASSWORD or netrc"
    if not parts.hostname:
        return "has no host name"
    return None


def secrets(extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Passwords that no message may show: KG_PASSWORD and the ones in use."""
    return tuple(s for s in (os.environ.get("KG_PASSWORD"), *extra) if s)


def clean(text: str, hidden: tuple[str, ...] = ()) -> str:
    """Text from a server or a library, fit for a one-line message: printable, short,
    and without any password (a hostile server may echo what it was sent)."""
    for secret in secrets(hidden):
        text = text.replace(secret, "***")
    text = "".join(c if c.isprintable() else " " for c in text)
    return " ".join(text.split())[:200]


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and every exception it wraps: causes, contexts, urllib3/urllib ``reason``
    and exceptions passed as arguments (requests wraps urllib3's errors that way)."""
    seen: list[BaseException] = []
    todo: list[object] = [exc]
    while todo:
        item = todo.pop()
        if isinstance(item, BaseException) and not any(item is s for s in seen):
            seen.append(item)
            todo += [item.__cause__, item.__context__, getattr(item, "reason", None), *item.args]
    return seen


def failure_kind(exc: BaseException) -> str:
    """What went wrong on the wire: "unknown host", "refused", "unreachable",
    "connect timeout", "timeout", "not http", "dropped" (transient) or "other"."""
    chain = _chain(exc)

    def has(*types: type) -> bool:
        return any(isinstance(e, types) for e in chain)

    def has_errno(*codes: int) -> bool:
        return any(isinstance(e, OSError) and e.errno in codes for e in chain)

    if has(socket.gaierror, urllib3.exceptions.NameResolutionError):
        return "unknown host"
    if has(ConnectionRefusedError) or has_errno(errno.ECONNREFUSED):
        return "refused"
    if has_errno(errno.ENETUNREACH, errno.EHOSTUNREACH):
        return "unreachable"
    if has(TimeoutError, socket.timeout, urllib3.exceptions.TimeoutError, requests.Timeout):
        # urllib wraps only connect/send errors in URLError; a read timeout comes bare
        connecting = has(urllib3.exceptions.ConnectTimeoutError, requests.ConnectTimeout, urllib.error.URLError)
        return "connect timeout" if connecting else "timeout"
    dropped = (http.client.RemoteDisconnected, http.client.IncompleteRead)
    if any(isinstance(e, http.client.HTTPException) and not isinstance(e, dropped) for e in chain):
        return "not http"
    if has(ConnectionResetError, ConnectionAbortedError, BrokenPipeError, http.client.RemoteDisconnected,
           http.client.IncompleteRead, urllib3.exceptions.ProtocolError, requests.exceptions.ChunkedEncodingError):
        return "dropped"
    return "other"


def connection_error(url: str, exc: BaseException, timeout: float) -> RemoteError:
    """The one-line error for a request that got no HTTP answer."""
    where, kind = redact(url), failure_kind(exc)
    if kind == "unknown host":
        return RemoteUnreachable(f"{where}: cannot resolve host {urlsplit(url).hostname}")
    if kind == "refused":
        return RemoteUnreachable(f"{where}: connection refused (is the store running?)")
    if kind == "unreachable":
        return RemoteUnreachable(f"{where}: host unreachable")
    if kind == "connect timeout":
        return RemoteTimeout(f"{where}: no connection within {timeout:g} s")
    if kind == "timeout":
        return RemoteTimeout(f"{where}: no answer within {timeout:g} s")
    if kind == "not http":
        return RemoteBadAnswer(f"{where}: the answer is not HTTP")
    if kind == "dropped":
        # still dropped after the retries: the store is not answering at all
        return RemoteUnreachable(f"{where}: the store closed the connection without answering")
    return RemoteError(f"{where}: request failed ({exc.__class__.__name__})")


# ------------------------------------------------------------------- retries

class Transient(Exception):
    """One attempt failed in a way worth retrying; ``error`` is what to report if not."""

    def __init__(self, error: RemoteError):
        super().__init__(str(error))
        self.error = error


def with_retries(attempt: Callable[[], T], timeout: float, retries: int = 3) -> T:
    """``attempt()``, again with backoff while it raises ``Transient`` — at most
    ``retries`` times and never beyond about ``timeout`` seconds in all."""
    deadline = time.monotonic() + timeout
    delay = 0.5
    for tries in range(retries + 1):
        try:
            return attempt()
        except Transient as exc:
            if tries == retries or time.monotonic() + delay > deadline:
                raise exc.error from None
        time.sleep(delay)
        delay *= 2
    raise AssertionError("unreachable")  # pragma: no cover


def _wire_error(url: str, exc: BaseException, timeout: float) -> Exception:
    error = connection_error(url, exc, timeout)
    return Transient(error) if failure_kind(exc) == "dropped" else error


# ------------------------------------------------------------------- requests

@dataclass(frozen=True)
class Answer:
    """What the store sent back, as far as kg reads it."""

    status_code: int
    headers: Mapping[str, str]  # names are case-insensitive
    content: bytes


class Http:
    """HTTP to a store with its credentials, timeout and bounded retries; every failure
    is a one-line RemoteError.

    Plain http:// without a proxy or digest authentication goes straight through urllib3,
    on one keep-alive connection: a third of the CPU per request of requests, which
    counts when a push sends thousands of small graphs to a store nearby. The rest (https,
    proxies, digest challenges, redirects) goes through a requests.Session."""

    def __init__(self, auth: str, creds: tuple[str, str] | None, timeout: float, retries: int = 3):
        self.timeout, self.retries = timeout, retries
        self.password = creds[1] if creds else ""
        self.session = requests.Session()
        # requests reads proxies and CA bundle from the environment on every request:
        # environment() reads them once per host. Its other use of the environment,
        # netrc credentials behind kg's back, is not wanted.
        self.session.trust_env = False
        self._environment: dict[tuple[str, str], dict] = {}
        self._pool = urllib3.PoolManager(retries=False)
        self._basic: dict[str, str] = {}
        self._digest = bool(creds) and auth == "digest"
        if creds and auth != "none":
            self.session.auth = HTTPDigestAuth(*creds) if auth == "digest" else HTTPBasicAuth(*creds)
            if auth == "basic":
                self._basic = urllib3.make_headers(basic_auth=f"{creds[0]}:{creds[1]}")

    def environment(self, url: str) -> dict:
        """Proxies and CA bundle for ``url`` as requests finds them in the environment."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc)
        if key not in self._environment:
            with requests.Session() as reader:
                found = reader.merge_environment_settings(url, {}, None, None, None)
            self._environment[key] = {"proxies": found["proxies"], "verify": found["verify"]}
        return self._environment[key]

    def request(self, method: str, url: str, *, data: bytes | None = None,
                headers: dict[str, str] | None = None) -> Answer:
        where, headers = redact(url), headers or {}
        lean = urlsplit(url).scheme == "http" and not self._digest and not self.environment(url)["proxies"]

        def attempt() -> Answer:
            try:
                answer = self._urllib3(method, url, data, headers) if lean else None
                if answer is None or 300 <= answer.status_code < 400:
                    answer = self._requests(method, url, data, headers)
            except (requests.RequestException, urllib3.exceptions.HTTPError, OSError, http.client.HTTPException) as exc:
                raise _wire_error(url, exc, self.timeout) from None
            status = answer.status_code
            if status in (401, 403):
                raise RemoteAuthError(f"{where}: authentication failed (HTTP {status}); {AUTH_HINT}")
            if status >= 400:
                text = clean(answer.content.decode("utf-8", "replace"), (self.password,))
                error = RemoteError(f"{where}: HTTP {status} {text}".rstrip())
                raise Transient(error) if status in RETRY_STATUS else error
            return answer

        return with_retries(attempt, self.timeout, self.retries)

    def _urllib3(self, method: str, url: str, data: bytes | None, headers: dict[str, str]) -> Answer:
        timeout = urllib3.Timeout(connect=min(self.timeout, 10.0), read=self.timeout)
        response = self._pool.request(method, url, body=data, headers={**self._basic, **headers},
                                      timeout=timeout, redirect=False)
        return Answer(response.status, response.headers, response.data)

    def _requests(self, method: str, url: str, data: bytes | None, headers: dict[str, str]) -> Answer:
        response = self.session.request(method, url, data=data, headers=headers, **self.environment(url),
                                        timeout=(min(self.timeout, 10.0), self.timeout))
        return Answer(response.status_code, response.headers, response.content)


# ------------------------------------------------------------------- SPARQL results

def read_results(body: bytes, where: str) -> tuple[list[str], list[dict[str, dict]]]:
    """Variables and rows of a SPARQL JSON results document, checked for shape: a store
    may send anything, and nothing it sends may end in a traceback."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RemoteBadAnswer(f"{where}: the answer is not UTF-8 (byte 0x{body[exc.start]:02x} at offset {exc.start})") from None
    try:
        payload = json.loads(text)
    except (ValueError, RecursionError):
        raise RemoteBadAnswer(f"{where}: the answer is not JSON ({clean(text[:60]) or 'empty'})") from None
    not_results = RemoteBadAnswer(f"{where}: the answer is not SPARQL JSON results")
    if not isinstance(payload, dict) or not isinstance(payload.get("head"), dict):
        raise not_results
    if isinstance(payload.get("boolean"), bool):  # an ASK query: one row, as locally
        return ["result"], [{"result": {"type": "literal", "value": str(payload["boolean"]).lower()}}]
    variables, results = payload["head"].get("vars", []), payload.get("results")
    rows = results.get("bindings") if isinstance(results, dict) else None
    if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables) or not isinstance(rows, list):
        raise not_results
    for row in rows:
        if not isinstance(row, dict) or not all(
            isinstance(cell, dict) and isinstance(cell.get("value"), str) for cell in row.values()
        ):
            raise not_results
    return variables, rows


def sparqlwrapper_select(
    url: str, query: str, auth: str, creds: tuple[str, str] | None, timeout: float, retries: int = 3
) -> tuple[list[str], list[dict[str, dict]], dict[str, str]]:
    """A SELECT through SPARQLWrapper (POST, JSON results) with the same timeout, retries
    and one-line errors as the requests made with ``Http``."""
    from SPARQLWrapper import BASIC, DIGEST, JSON, POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException, Unauthorized

    client = SPARQLWrapper(url)
    client.setMethod(POST)
    client.setReturnFormat(JSON)
    client.timeout = timeout  # setTimeout() rounds down to whole seconds, and 0 means none
    client.setQuery(query)
    hidden = (creds[1],) if creds else ()
    if creds and auth != "none":
        client.setHTTPAuth(DIGEST if auth == "digest" else BASIC)
        client.setCredentials(*creds)
    where = redact(url)

    def attempt() -> tuple[list[str], list[dict[str, dict]], dict[str, str]]:
        try:
            result = client.query()
            body = result.response.read()
            headers = dict(result.response.headers.items())
        except SPARQLWrapperException as exc:
            # SPARQLWrapper turns some HTTP errors into its own; the HTTPError is the context
            cause = exc.__context__
            code = cause.code if isinstance(cause, urllib.error.HTTPError) else None
            if isinstance(exc, Unauthorized) or code in (401, 403):
                raise RemoteAuthError(f"{where}: authentication failed; {AUTH_HINT}") from None
            if code is None:
                raise RemoteError(f"{where}: the store refused the query ({clean(str(exc), hidden)})") from None
            error = RemoteError(f"{where}: HTTP {code} {clean(_wrapper_body(exc), hidden)}".rstrip())
            raise (Transient(error) if code in RETRY_STATUS else error) from None
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403):
                raise RemoteAuthError(f"{where}: authentication failed (HTTP {exc.code}); {AUTH_HINT}") from None
            error = RemoteError(f"{where}: HTTP {exc.code} {clean(_http_error_body(exc) or str(exc.reason), hidden)}")
            raise (Transient(error) if exc.code in RETRY_STATUS else error) from None
        except (OSError, http.client.HTTPException) as exc:  # URLError is an OSError
            raise _wire_error(url, exc, timeout) from None
        return (*read_results(body, where), headers)

    return with_retries(attempt, timeout, retries)


def _wrapper_body(exc: Exception) -> str:
    """The server's answer inside a SPARQLWrapper exception, which keeps only its repr."""
    _, found, tail = str(exc).partition("\n\nResponse:\n")
    try:
        raw = ast.literal_eval(tail) if found and len(tail) < 100_000 else tail
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return tail
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _http_error_body(exc: urllib.error.HTTPError) -> str:
    try:
        return exc.read(2000).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException, ValueError):
        return ""
