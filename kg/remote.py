"""Remote SPARQL 1.1 stores: push graphs, run saved queries, pull graphs back.

Transport is the Graph Store HTTP Protocol (one PUT per document's named graph, so a
re-push replaces rather than duplicates) or, with ``via="update"``, SPARQL Update in
batches that respect store limits. Server profiles set the paths and quirks:

| profile | query | update | graph store |
| --- | --- | --- | --- |
| oxigraph | /query (union default graph) | /update | /store?graph=IRI |
| virtuoso | /sparql | /sparql-auth (digest) | /sparql-graph-crud-auth?graph-uri=IRI (digest) |
| generic | --query-url | --update-url | --gsp-url (graph IRI as ?graph=) |

Saved queries run through SPARQLWrapper; Graph Store and Update requests through requests.
Credentials come only from the environment (KG_USER, KG_PASSWORD) or a netrc file (NETRC
or ~/.netrc), never from a command-line value, and are never printed.
Each pushed graph carries ``<graph> kg:contentHash "…"`` and ``kg:tripleCount n``, so a
re-run compares them and skips graphs that are already there.
"""
from __future__ import annotations

import hashlib
import netrc
import os
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

import pyoxigraph as ox
import requests
from rdflib.namespace import XSD
from requests.auth import HTTPBasicAuth, HTTPDigestAuth

from kg.errors import RemoteAuthError, RemoteError, RemoteUnreachable
from kg.queries import (
    QueryResult,
    SavedQuery,
    bind_parameters,
    term_to_sparql,
    values_clause,
)
from kg.vocab import KG

SERVERS = ("oxigraph", "virtuoso", "generic")
_RETRY_STATUS = {500, 502, 503, 504}
_HASH = ox.NamedNode(str(KG.contentHash))
_COUNT = ox.NamedNode(str(KG.tripleCount))
_XSD_INTEGER = ox.NamedNode(str(XSD.integer))


@dataclass(frozen=True)
class Endpoint:
    server: str
    query_url: str
    update_url: str
    gsp_url: str  # graph IRI appended as ?graph= / &graph-uri=
    gsp_param: str
    auth: str  # "none" | "basic" | "digest"
    timeout: float = 30.0
    union_param: bool = False  # Oxigraph: ask for the union of the named graphs
    gsp_read_url: str = ""  # where graphs are read (Virtuoso reads anonymously elsewhere)


@dataclass
class PushReport:
    graph: str
    status: str  # "loaded" | "unchanged" | "failed"
    triples: int
    detail: str = ""


@dataclass
class _Session:
    endpoint: Endpoint
    retries: int = 3
    http: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        creds = credentials(self.endpoint.query_url)
        if creds and self.endpoint.auth != "none":
            user, password = creds
            self.http.auth = HTTPDigestAuth(user, password) if self.endpoint.auth == "digest" else HTTPBasicAuth(user, password)

    def request(self, method: str, url: str, **kwargs) -> requests.Response:
        """One HTTP request with timeouts and retries (backoff) on 5xx and dropped connections."""
        delay = 0.5
        for attempt in range(self.retries + 1):
            try:
                response = self.http.request(method, url, timeout=(5, self.endpoint.timeout), **kwargs)
            except requests.exceptions.ConnectionError as exc:
                if attempt < self.retries and not _refused(exc) and not _unknown_host(exc):
                    time.sleep(delay)
                    delay *= 2
                    continue
                raise _connection_error(url, exc) from None
            except requests.exceptions.Timeout:
                if attempt < self.retries:
                    time.sleep(delay)
                    delay *= 2
                    continue
                raise RemoteError(f"{_where(url)}: no answer within {self.endpoint.timeout:.0f} s") from None
            if response.status_code in (401, 403):
                raise RemoteAuthError(
                    f"{_where(url)}: authentication failed (HTTP {response.status_code}); "
                    "set KG_USER and KG_PASSWORD or add the host to your netrc file"
                )
            if response.status_code in _RETRY_STATUS and attempt < self.retries:
                time.sleep(delay)
                delay *= 2
                continue
            if response.status_code >= 400:
                text = " ".join(response.text.split())[:200]
                raise RemoteError(f"{_where(url)}: HTTP {response.status_code} {text}")
            return response
        raise RemoteError(f"{_where(url)}: giving up after {self.retries + 1} attempts")

    # ---------------------------------------------------------------- SPARQL
    def select(self, query: str) -> tuple[list[str], list[dict[str, dict]], requests.Response]:
        url = self.endpoint.query_url
        data = {"query": query}
        if self.endpoint.union_param:
            url += ("&" if "?" in url else "?") + "union-default-graph"
        response = self.request(
            "POST", url, data=data, headers={"Accept": "application/sparql-results+json"}
        )
        try:
            payload = response.json()
        except ValueError:
            raise RemoteError(f"{_where(url)}: the answer is not SPARQL JSON results") from None
        return payload["head"].get("vars", []), payload.get("results", {}).get("bindings", []), response

    def update(self, update: str) -> None:
        self.request(
            "POST", self.endpoint.update_url, data=update.encode("utf-8"),
            headers={"Content-Type": "application/sparql-update; charset=utf-8"},
        )

    def gsp_url(self, graph: str, read: bool = False) -> str:
        base = (self.endpoint.gsp_read_url or self.endpoint.gsp_url) if read else self.endpoint.gsp_url
        sep = "&" if "?" in base else "?"
        return f"{base}{sep}{self.endpoint.gsp_param}={quote(graph, safe='')}"


# ------------------------------------------------------------------- endpoints

def endpoint_for(
    base_url: str,
    server: str = "oxigraph",
    *,
    gsp_url: str | None = None,
    update_url: str | None = None,
    query_url: str | None = None,
    auth: str | None = None,
    timeout: float = 30.0,
) -> Endpoint:
    """The URLs and quirks of a store from its base URL and a server profile."""
    if server not in SERVERS:
        raise RemoteError(f"--server must be one of {', '.join(SERVERS)}, not {server!r}")
    parts = urlsplit(base_url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RemoteError(f"--endpoint {base_url!r} is not an http(s) URL")
    if parts.username or parts.password:
        raise RemoteError("--endpoint must not contain credentials; use KG_USER/KG_PASSWORD or netrc")
    base = base_url.rstrip("/")
    if server == "oxigraph":
        return Endpoint(server, query_url or f"{base}/query", update_url or f"{base}/update",
                        gsp_url or f"{base}/store", "graph", auth or "none", timeout, union_param=query_url is None)
    if server == "virtuoso":
        return Endpoint(server, query_url or f"{base}/sparql", update_url or f"{base}/sparql-auth",
                        gsp_url or f"{base}/sparql-graph-crud-auth", "graph-uri", auth or "digest", timeout,
                        gsp_read_url=gsp_url or f"{base}/sparql-graph-crud")
    missing = [name for name, value in (("--gsp-url", gsp_url), ("--update-url", update_url), ("--query-url", query_url)) if not value]
    if missing:
        raise RemoteError(f"--server generic needs {', '.join(missing)}")
    return Endpoint(server, query_url, update_url, gsp_url, "graph", auth or "basic", timeout)


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


# ------------------------------------------------------------------- push

def graph_hash(triples: list[ox.Triple]) -> str:
    """A content hash of a graph, independent of triple order."""
    lines = sorted(str(t) for t in triples)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _graphs(store: ox.Store) -> dict[str, list[ox.Triple]]:
    graphs: dict[str, list[ox.Triple]] = {}
    for quad in store:
        if isinstance(quad.graph_name, ox.NamedNode):
            graphs.setdefault(quad.graph_name.value, []).append(quad.triple)
    return dict(sorted(graphs.items()))


def _skolemise(triples: list[ox.Triple], graph: str) -> list[ox.Triple]:
    """Blank nodes become IRIs derived from graph and label (Virtuoso rejects blank nodes
    in INSERT DATA); the same input always gives the same IRIs."""
    def term(t):
        if isinstance(t, ox.BlankNode):
            digest = hashlib.sha1(f"{graph}|{t.value}".encode()).hexdigest()[:16]
            return ox.NamedNode(f"{graph}/.well-known/genid/{digest}")
        return t
    return [ox.Triple(term(t.subject), t.predicate, term(t.object)) for t in triples]


def push_dataset(
    store: ox.Store, endpoint: Endpoint, via: str = "gsp", batch_size: int = 500, retries: int = 3
) -> list[PushReport]:
    """Load every named graph of ``store`` into the remote store.

    Graphs whose content hash and triple count are already there are skipped ("unchanged");
    after loading, the remote triple count is checked. A graph that fails is reported and
    the others are still pushed; an unreachable or refusing store raises RemoteError.
    """
    if via not in ("gsp", "update"):
        raise RemoteError(f"--via must be gsp or update, not {via!r}")
    session = _Session(endpoint, retries)
    reports = []
    has_blank_nodes = store.query("ASK { GRAPH ?g { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) } }")
    for graph, triples in _graphs(store).items():
        if has_blank_nodes:
            triples = _skolemise(triples, graph)
        digest = graph_hash(triples)
        node = ox.NamedNode(graph)
        payload = triples + [
            ox.Triple(node, _HASH, ox.Literal(digest)),
            ox.Triple(node, _COUNT, ox.Literal(str(len(triples)), datatype=_XSD_INTEGER)),
        ]
        expected = len(payload)
        try:
            if _remote_state(session, graph) == (digest, expected):
                reports.append(PushReport(graph, "unchanged", len(triples)))
                continue
            if via == "gsp":
                body = ox.serialize(payload, format=ox.RdfFormat.N_TRIPLES)
                session.request("PUT", session.gsp_url(graph), data=body,
                                headers={"Content-Type": "application/n-triples"})
            else:
                _push_by_update(session, graph, payload, batch_size)
            found = graph_triple_count_session(session, graph)
            if found != expected:
                reports.append(PushReport(graph, "failed", len(triples), f"store holds {found} triples, expected {expected}"))
            else:
                reports.append(PushReport(graph, "loaded", len(triples)))
        except RemoteError as exc:
            if isinstance(exc, (RemoteUnreachable, RemoteAuthError)):
                raise  # an unreachable store or bad credentials fail every graph alike
            reports.append(PushReport(graph, "failed", len(triples), str(exc)))
    return reports


def _push_by_update(session: _Session, graph: str, payload: list[ox.Triple], batch_size: int) -> None:
    g = term_to_sparql(ox.NamedNode(graph))
    session.update(f"DROP SILENT GRAPH {g}")
    for start in range(0, len(payload), batch_size):
        lines = "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in payload[start : start + batch_size])
        session.update(f"INSERT DATA {{ GRAPH {g} {{\n{lines}\n}} }}")


def _remote_state(session: _Session, graph: str) -> tuple[str, int] | None:
    """The stored content hash of a graph and its triple count (counted only when a hash
    is there: counting a big graph costs more than looking up one triple)."""
    g = term_to_sparql(ox.NamedNode(graph))
    _, rows, _ = session.select(f"SELECT ?hash WHERE {{ GRAPH {g} {{ {g} <{_HASH.value}> ?hash }} }}")
    if not rows or "hash" not in rows[0]:
        return None
    return rows[0]["hash"]["value"], graph_triple_count_session(session, graph)


def graph_triple_count_session(session: _Session, graph: str) -> int:
    g = term_to_sparql(ox.NamedNode(graph))
    _, rows, _ = session.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }}")
    return int(rows[0]["n"]["value"]) if rows else 0


def graph_triple_count(endpoint: Endpoint, graph: str) -> int:
    return graph_triple_count_session(_Session(endpoint), graph)


# ------------------------------------------------------------------- query

def remote_query(endpoint: Endpoint, query: SavedQuery, params: dict[str, str] | None = None) -> QueryResult:
    """Run a saved query on the store; parameters go in as a VALUES block of RDF terms.

    Results are normalised to what the embedded store prints (Virtuoso's typed-literal,
    nodeID:// blank nodes), and a result the server cut short (X-SPARQL-MaxRows) is an
    error, never a silently shorter table.
    """
    bindings = bind_parameters(query, params or {})
    text = _inline_values(query.text, bindings) if bindings else query.text
    variables, rows, headers = _sparqlwrapper_select(endpoint, text)
    limit = headers.get("X-SPARQL-MaxRows")
    if limit is not None:
        raise RemoteError(
            f"{_where(endpoint.query_url)}: the store cut the result at {limit} rows (X-SPARQL-MaxRows); "
            "raise ResultSetMaxRows on the server"
        )
    hidden = {v.value for v in bindings}
    columns = [v for v in variables if v not in hidden]
    out = []
    for row in rows:
        out.append({c: _plain(row.get(c)) for c in columns})
    return QueryResult(columns=columns, rows=out)


def _sparqlwrapper_select(endpoint: Endpoint, query: str, retries: int = 3) -> tuple[list[str], list[dict], dict]:
    """A SELECT through SPARQLWrapper (POST, JSON results) with the same timeouts, retries
    and one-line errors as the Graph Store requests."""
    from urllib.error import HTTPError, URLError

    from SPARQLWrapper import BASIC, DIGEST, JSON, POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException, Unauthorized

    url = endpoint.query_url
    if endpoint.union_param:
        # Oxigraph reads this flag from the URL only, not from the form body
        url += ("&" if "?" in url else "?") + "union-default-graph"
    client = SPARQLWrapper(url)
    client.setMethod(POST)
    client.setReturnFormat(JSON)
    client.setTimeout(int(endpoint.timeout))
    # whole-line comments go: SPARQLWrapper guesses the query type from the text, and a
    # header such as "#+ description: … updates …" must not turn a SELECT into an update
    client.setQuery("\n".join(line for line in query.splitlines() if not line.lstrip().startswith("#")))
    creds = credentials(endpoint.query_url)
    if creds and endpoint.auth != "none":
        client.setHTTPAuth(DIGEST if endpoint.auth == "digest" else BASIC)
        client.setCredentials(*creds)
    where = _where(endpoint.query_url)
    delay = 0.5
    for attempt in range(retries + 1):
        try:
            result = client.query()
            payload = result.convert()
            headers = dict(result.response.headers.items())
            if not isinstance(payload, dict) or "head" not in payload:
                raise RemoteError(f"{where}: the answer is not SPARQL JSON results")
            return payload["head"].get("vars", []), payload.get("results", {}).get("bindings", []), headers
        except Unauthorized:
            raise RemoteAuthError(f"{where}: authentication failed; set KG_USER and KG_PASSWORD or add the host to your netrc file") from None
        except HTTPError as exc:
            if exc.code in (401, 403):
                raise RemoteAuthError(f"{where}: authentication failed (HTTP {exc.code}); set KG_USER and KG_PASSWORD or add the host to your netrc file") from None
            if exc.code in _RETRY_STATUS and attempt < retries:
                time.sleep(delay)
                delay *= 2
                continue
            raise RemoteError(f"{where}: HTTP {exc.code} {exc.reason}") from None
        except SPARQLWrapperException as exc:
            text = " ".join(str(exc).split())[:200]
            if "500" in text[:40] and attempt < retries:
                time.sleep(delay)
                delay *= 2
                continue
            raise RemoteError(f"{where}: the store refused the query ({text})") from None
        except (URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if _refused(reason) or _unknown_host(reason):
                raise _connection_error(endpoint.query_url, reason) from None
            if attempt < retries:
                time.sleep(delay)
                delay *= 2
                continue
            raise RemoteError(f"{where}: connection failed ({reason.__class__.__name__})") from None
    raise RemoteError(f"{where}: giving up after {retries + 1} attempts")


def _plain(value: dict | None) -> str:
    if not value:
        return ""
    text = value.get("value", "")
    if value.get("type") == "bnode" or text.startswith("nodeID://"):
        return "_:" + text.removeprefix("nodeID://").removeprefix("_:")
    return text


def _inline_values(text: str, bindings: dict) -> str:
    """Put the bindings as a VALUES block at the start of the top-level WHERE group, where
    the query's filters see them (a trailing VALUES would join after the filters)."""
    block = values_clause(bindings)
    upper = text.upper()
    where = upper.find("WHERE")
    brace = text.find("{", where if where >= 0 else 0)
    if brace < 0:
        raise RemoteError("the query has no WHERE group to bind parameters in")
    return text[: brace + 1] + "\n" + block + text[brace + 1 :]


# ------------------------------------------------------------------- pull

def pull_graphs(endpoint: Endpoint, graphs: list[str]) -> ox.Store:
    """Fetch named graphs from the store into a local store (same graph names)."""
    session = _Session(endpoint)
    store = ox.Store()
    for graph in graphs:
        response = session.request("GET", session.gsp_url(graph, read=True), headers={"Accept": "application/n-triples"})
        if "X-SPARQL-MaxRows" in response.headers:
            raise RemoteError(f"{graph}: the store cut the graph at {response.headers['X-SPARQL-MaxRows']} triples (X-SPARQL-MaxRows)")
        try:
            triples = list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))
        except SyntaxError as exc:
            raise RemoteError(f"{graph}: the store sent unreadable N-Triples ({exc})") from None
        # Virtuoso cuts Graph Store reads at ResultSetMaxRows without any sign: compare with
        # the count, which is one row and never cut
        expected = graph_triple_count_session(session, graph)
        if len(set(triples)) != expected:
            raise RemoteError(
                f"{graph}: the store sent {len(set(triples))} of {expected} triples; "
                "raise its result limit (Virtuoso: ResultSetMaxRows)"
            )
        node = ox.NamedNode(graph)
        store.extend(ox.Quad(t.subject, t.predicate, t.object, node) for t in triples
                     if not (t.subject == node and t.predicate in (_HASH, _COUNT)))
    return store


# ------------------------------------------------------------------- messages

def _where(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _refused(exc: Exception) -> bool:
    return "Connection refused" in str(exc) or "Errno 111" in str(exc)


def _unknown_host(exc: Exception) -> bool:
    text = str(exc)
    return "Name or service not known" in text or "Temporary failure in name resolution" in text or "nodename nor servname" in text


def _connection_error(url: str, exc: Exception) -> RemoteError:
    if _refused(exc):
        return RemoteUnreachable(f"{_where(url)}: connection refused (is the store running?)")
    if _unknown_host(exc):
        return RemoteUnreachable(f"{_where(url)}: cannot resolve host {urlsplit(url).hostname}")
    return RemoteError(f"{_where(url)}: connection failed ({exc.__class__.__name__})")


__all__ = [
    "Endpoint", "PushReport", "RemoteError", "SERVERS", "credentials", "endpoint_for", "graph_hash",
    "graph_triple_count", "pull_graphs", "push_dataset", "remote_query",
]
