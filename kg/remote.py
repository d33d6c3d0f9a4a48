"""Remote SPARQL 1.1 stores: push graphs, run saved queries, pull graphs back.

Transport is the Graph Store HTTP Protocol (one PUT per document's named graph, so a
re-push replaces rather than duplicates) or, with ``via="update"``, SPARQL Update in
batches that respect store limits. Server profiles set the paths and quirks:

| profile | query | update | graph store |
| --- | --- | --- | --- |
| oxigraph | /query (union default graph) | /update | /store?graph=IRI |
| virtuoso | /sparql | /sparql-auth (digest) | /sparql-graph-crud-auth?graph-uri=IRI (digest) |
| generic | --query-url | --update-url | --gsp-url (graph IRI as ?graph=) |

Saved queries run through SPARQLWrapper; Graph Store and Update requests through requests
(both via kg.transport: bounded retries, timeouts that are not retried, one-line errors).
Credentials come only from the environment (KG_USER, KG_PASSWORD) or a netrc file (NETRC
or ~/.netrc), never from a command-line value, and are never printed.
Each pushed document graph carries ``<graph> kg:contentHash "…"`` and ``kg:tripleCount
n``, so a re-run compares them and skips graphs that are already there; the merged actors
graph is added to, never replaced (kg.push, which does the pushing).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

import pyoxigraph as ox

from kg.errors import PushInterrupted, RemoteBadAnswer, RemoteError
from kg.push import COUNT, HASH, PushReport, graph_hash, push_graphs
from kg.queries import (
    SavedQuery,
    bind_parameters,
    term_to_sparql,
    text_problem,
    values_clause,
)
from kg.results import QueryResult
from kg.transport import (
    Answer,
    Http,
    clean,
    credentials,
    read_results,
    redact,
    sparqlwrapper_select,
    url_problem,
)

SERVERS = ("oxigraph", "virtuoso", "generic")


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
class Session:
    endpoint: Endpoint
    retries: int = 3
    http: Http = field(init=False)

    def __post_init__(self) -> None:
        self.http = Http(self.endpoint.auth, credentials(self.endpoint.query_url), self.endpoint.timeout, self.retries)

    def request(self, method: str, url: str, **kwargs) -> Answer:
        """One HTTP request with timeouts and bounded retries (5xx, dropped connections)."""
        return self.http.request(method, url, **kwargs)

    # ---------------------------------------------------------------- SPARQL
    def select(self, query: str) -> tuple[list[str], list[dict[str, dict]], Answer]:
        url = self.endpoint.query_url
        data = urlencode({"query": query}).encode("ascii")
        if self.endpoint.union_param:
            url += ("&" if "?" in url else "?") + "union-default-graph"
        response = self.request(
            "POST", url, data=data, headers={"Accept": "application/sparql-results+json",
                                             "Content-Type": "application/x-www-form-urlencoded"}
        )
        return (*read_results(response.content, redact(url)), response)

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
    needs: tuple[str, ...] = ("--gsp-url", "--update-url", "--query-url"),
) -> Endpoint:
    """The URLs and quirks of a store from its base URL and a server profile.

    ``needs`` are the URL options --server generic must have (a query needs only
    --query-url). URLs with credentials or a scheme other than http(s) are refused."""
    from kg.sources import check_timeout

    if server not in SERVERS:
        raise RemoteError(f"--server must be one of {', '.join(SERVERS)}, not {server!r}")
    if auth is not None and auth not in ("basic", "digest", "none"):
        raise RemoteError(f"--auth must be basic, digest or none, not {auth!r}")
    check_timeout(timeout)
    for option, url in (("--endpoint", base_url or ""), ("--query-url", query_url),
                        ("--gsp-url", gsp_url), ("--update-url", update_url)):
        problem = url_problem(url) if url is not None else None
        if problem:
            raise RemoteError(f"{option} {problem}")
    base = base_url.rstrip("/")
    if server == "oxigraph":
        return Endpoint(server, query_url or f"{base}/query", update_url or f"{base}/update",
                        gsp_url or f"{base}/store", "graph", auth or "none", timeout, union_param=query_url is None)
    if server == "virtuoso":
        return Endpoint(server, query_url or f"{base}/sparql", update_url or f"{base}/sparql-auth",
                        gsp_url or f"{base}/sparql-graph-crud-auth", "graph-uri", auth or "digest", timeout,
                        gsp_read_url=gsp_url or f"{base}/sparql-graph-crud")
    given = {"--gsp-url": gsp_url, "--update-url": update_url, "--query-url": query_url}
    missing = [name for name in needs if not given.get(name)]
    if missing:
        raise RemoteError(f"--server generic needs {', '.join(missing)}")
    return Endpoint(server, query_url or "", update_url or "", gsp_url or "", "graph", auth or "basic", timeout)


# ------------------------------------------------------------------- push

def push_dataset(
    store: ox.Store, endpoint: Endpoint, via: str = "gsp", batch_size: int = 500, retries: int = 3
) -> list[PushReport]:
    """Load every named graph of ``store`` into the remote store (kg.push does the work).

    Graphs whose content hash and triple count are already there are skipped ("unchanged");
    after loading, the remote triple count is checked. The merged actors graph
    (``…/graph/shared/actors``) is added to, never replaced: "merged",
    or "unchanged" when the store holds all its triples already. A graph that fails is reported and the others
    are still pushed. A store that is unreachable, stops answering, refuses the
    credentials or sends unreadable answers stops the push: RemoteError, or
    PushInterrupted (with the reports so far) once some graphs were done.
    """
    return push_graphs(store, Session(endpoint, retries), via, batch_size)


def graph_triple_count_session(session: Session, graph: str) -> int:
    g = term_to_sparql(ox.NamedNode(graph))
    _, rows, _ = session.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }}")
    if not rows:
        return 0
    try:
        return int(rows[0]["n"]["value"])
    except (KeyError, ValueError):
        raise RemoteBadAnswer(f"{redact(session.endpoint.query_url)}: the store sent no triple count for {graph}") from None


def graph_triple_count(endpoint: Endpoint, graph: str) -> int:
    return graph_triple_count_session(Session(endpoint), graph)


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
            f"{redact(endpoint.query_url)}: the store cut the result at {clean(limit)} rows (X-SPARQL-MaxRows); "
            "raise ResultSetMaxRows on the server"
        )
    hidden = {v.value for v in bindings}
    columns = [v for v in variables if v not in hidden]
    out = []
    for row in rows:
        out.append({c: _plain(row.get(c)) for c in columns})
    return QueryResult(columns=columns, rows=out)


def _sparqlwrapper_select(endpoint: Endpoint, query: str, retries: int = 3) -> tuple[list[str], list[dict], dict]:
    url = endpoint.query_url
    if endpoint.union_param:
        # Oxigraph reads this flag from the URL only, not from the form body
        url += ("&" if "?" in url else "?") + "union-default-graph"
    # whole-line comments go: SPARQLWrapper guesses the query type from the text, and a
    # header such as "#+ description: … updates …" must not turn a SELECT into an update
    text = "\n".join(line for line in query.splitlines() if not line.lstrip().startswith("#"))
    return sparqlwrapper_select(url, text, endpoint.auth, credentials(endpoint.query_url), endpoint.timeout, retries)


def _plain(value: dict | None) -> str:
    if not value:
        return ""
    text = value.get("value", "")
    if value.get("type") == "bnode" or text.startswith("nodeID://"):
        return "_:" + text.removeprefix("nodeID://").removeprefix("_:")
    return text


def _inline_values(text: str, bindings: dict) -> str:
    """Put the bindings as a VALUES block at the start of every WHERE group, the top-level
    one and those of subqueries: where the query's filters see them (a trailing VALUES
    would join after the filters), and inside subqueries, which do not see the bindings of
    the query around them. That is what local execution's substitution does."""
    block = values_clause(bindings)
    out, found = [], False
    for line in text.splitlines(keepends=True):
        if not line.lstrip().startswith("#"):  # comments may say "where {" too
            line, count = _WHERE_GROUP.subn(lambda m: m.group(0) + "\n" + block, line)
            found = found or count > 0
        out.append(line)
    if not found:
        raise RemoteError("the query has no WHERE group to bind parameters in")
    return "".join(out)


_WHERE_GROUP = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


# ------------------------------------------------------------------- pull

def pull_graphs(endpoint: Endpoint, graphs: list[str]) -> ox.Store:
    """Fetch named graphs from the store into a local store (same graph names)."""
    for graph in graphs:
        problem = text_problem(graph)
        try:
            ox.NamedNode(graph)
        except ValueError as exc:
            problem = problem or f"is not an IRI ({clean(str(exc))})"
        if problem:
            raise RemoteError(f"--graph {graph!r} {problem}")
    session = Session(endpoint)
    store = ox.Store()
    for graph in graphs:
        response = session.request("GET", session.gsp_url(graph, read=True), headers={"Accept": "application/n-triples"})
        if "X-SPARQL-MaxRows" in response.headers:
            raise RemoteError(f"{graph}: the store cut the graph at {clean(response.headers['X-SPARQL-MaxRows'])} triples (X-SPARQL-MaxRows)")
        try:
            triples = list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))
        except (SyntaxError, ValueError) as exc:
            raise RemoteError(f"{graph}: the store sent unreadable N-Triples ({clean(str(exc))})") from None
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
                     if not (t.subject == node and t.predicate in (HASH, COUNT)))
    return store


__all__ = [
    "SERVERS",
    "Endpoint",
    "PushInterrupted",
    "PushReport",
    "RemoteError",
    "credentials",
    "endpoint_for",
    "graph_hash",
    "graph_triple_count",
    "pull_graphs",
    "push_dataset",
    "remote_query",
]
