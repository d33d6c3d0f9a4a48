"""``kg serve``: the graph as a read-only SPARQL 1.1 Protocol endpoint (``/sparql``), every
saved query as a REST endpoint (``/api/NAME``) with an OpenAPI 3 description
(``/api/openapi.json``), and the explorer's pages (kg.serve_pages: ``/``, ``/actor``,
``/timeline``, ``/network``, ``/editor``).

The app is Starlette (run by uvicorn); queries run in worker processes (kg.serve_workers)
over an on-disk store opened read-only, so nothing a client sends can change the graph,
and a query over its time limit is stopped. Updates, LOAD and SERVICE are refused before
any query runs; saved-query parameters are bound as RDF terms (kg.queries), never pasted.
"""
from __future__ import annotations

import re
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import parse_qs

from kg import __version__
from kg.errors import InputError
from kg.queries import SavedQuery, list_queries
from kg.serve_pages import editor_page, page, table
from kg.serve_pages import index as explorer_index
from kg.serve_workers import GRAPH_FORMATS, TABLE_FORMATS, Job, QueryWorkers
from kg.sources import check_timeout

MAX_QUERY_CHARS = 100_000
#: result columns that name an actor: the HTML table links them to the actor's page
LINKED_COLUMNS = ("actor1_label", "actor2_label", "actor_label", "addressee_label", "other_label", "label")
#: words that only SPARQL Update uses: a query naming one (outside IRIs, strings and comments) is refused
UPDATE_WORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})
_TEXT = "text/plain; charset=utf-8"
_FORMAT_NAMES = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "turtle": "turtle", "ttl": "turtle",
                 "ntriples": "ntriples", "nt": "ntriples", "rdfxml": "rdfxml"}


def prepare_store(data: list[Path] | None, store_dir: Path | None) -> tuple[Path, tempfile.TemporaryDirectory | None]:
    """The on-disk store the workers read: --store as it is, or the --data files loaded into
    a temporary one (removed when the server stops)."""
    import pyoxigraph as ox

    from kg.sources import load_graphs, open_store

    if bool(data) == bool(store_dir):
        raise InputError("kg serve needs one of --data FILE... or --store DIR")
    if store_dir is not None:
        open_store(store_dir)  # a one-line error now, not in every worker
        return Path(store_dir), None
    loaded = load_graphs(list(data or []))
    folder = tempfile.TemporaryDirectory(prefix="kg-serve-")
    disk = ox.Store(folder.name)
    disk.extend(loaded)
    disk.flush()
    del disk  # the workers open it read-only
    return Path(folder.name), folder


# ---------------------------------------------------------------------------------------
# what a client may ask


def refusal(text: str) -> str | None:
    """Why a query is refused (None: it is a query that only reads this graph)."""
    bare = _without_iris_strings_and_comments(text)
    words = {w.upper() for w in re.findall(r"(?<![\w:?$@-])([A-Za-z]+)(?![\w:-])", bare)}
    if "SERVICE" in words:
        return "SERVICE is refused: kg serve answers from its own graph and reaches out to no other host"
    found = sorted(words & UPDATE_WORDS)
    if found:
        return f"this endpoint is read-only: {found[0]} (SPARQL Update) is refused"
    return None


def _without_iris_strings_and_comments(text: str) -> str:
    pattern = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*')
    return pattern.sub(" ", text)


def choose_formats(accept: str, asked: str | None) -> tuple[str, str]:
    """(SELECT/ASK format, CONSTRUCT/DESCRIBE format) from ``format=`` or the Accept header."""
    if asked:
        name = _FORMAT_NAMES.get(asked.lower())
        if name is None:
            raise InputError(f"format={asked!r}: use one of json, xml, csv, tsv, turtle, ntriples, rdfxml")
        return (name if name in TABLE_FORMATS else "json"), (name if name in GRAPH_FORMATS else "turtle")
    ranked = []
    for position, part in enumerate(accept.split(",")):
        media, *options = [p.strip() for p in part.split(";")]
        quality = next((float(o[2:]) for o in options if o.startswith("q=") and _number(o[2:])), 1.0)
        ranked.append((-quality, position, media.lower()))
    medias = [media for _, _, media in sorted(ranked)]

    def first(formats: dict[str, str], default: str) -> str:
        for media in medias:
            for name, type_ in formats.items():
                if media == type_ or (media == "application/json" and name == "json"):
                    return name
        return default

    return first(TABLE_FORMATS, "json"), first(GRAPH_FORMATS, "turtle")


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------------------------------
# OpenAPI


def result_columns(saved: SavedQuery) -> list[str]:
    """The columns of a saved query, read from running it over an empty store."""
    import pyoxigraph as ox

    result = ox.Store().query(saved.text, use_default_graph_as_union=True)
    hidden = {p.variable for p in saved.params}
    return [v.value for v in getattr(result, "variables", []) if v.value not in hidden]


def openapi(queries: list[SavedQuery]) -> dict:
    """An OpenAPI 3 description of the saved queries, from their .rq headers."""
    text, problem = {"schema": {"type": "string"}}, {"description": "the reason, one line",
                                                     "content": {_TEXT.split(";")[0]: {"schema": {"type": "string"}}}}
    paths: dict = {}
    for saved in queries:
        columns = result_columns(saved)
        row = {"type": "object", "properties": {c: {"type": "string"} for c in columns}, "required": columns}
        parameters = [{"name": p.name, "in": "query", "required": p.required, "description": p.description,
                       "schema": {"type": "string"}} for p in saved.params]
        parameters.append({"name": "format", "in": "query", "required": False, "description": "csv, json or html",
                           "schema": {"type": "string", "enum": ["csv", "json", "html"], "default": "csv"}})
        paths[f"/api/{saved.name}"] = {"get": {
            "operationId": saved.name.replace("-", "_"), "summary": saved.summary,
            "description": saved.description or saved.summary, "parameters": parameters,
            "responses": {
                "200": {"description": f"one row per solution: {', '.join(columns)}",
                        "content": {"text/csv": text, "application/json": {"schema": {"type": "array", "items": row}},
                                    "text/html": text}},
                "400": problem, "503": problem}}}
    sparql_parameter = {"name": "query", "in": "query", "required": True, "description": "a SPARQL 1.1 query",
                        "schema": {"type": "string"}}
    answers = {"200": {"description": "the results (Accept or format=: json, xml, csv, tsv; turtle, ntriples, rdfxml)",
                       "content": {t: text for t in (*TABLE_FORMATS.values(), *GRAPH_FORMATS.values())}},
               "400": problem, "403": problem, "503": problem}
    paths["/sparql"] = {
        "get": {"operationId": "sparql_get", "summary": "SPARQL 1.1 query (read-only)",
                "parameters": [sparql_parameter], "responses": answers},
        "post": {"operationId": "sparql_post", "summary": "SPARQL 1.1 query by POST (read-only)",
                 "requestBody": {"content": {"application/sparql-query": text,
                                             "application/x-www-form-urlencoded": {"schema": {
                                                 "type": "object", "properties": {"query": {"type": "string"}},
                                                 "required": ["query"]}}}},
                 "responses": answers}}
    return {"openapi": "3.0.3",
            "info": {"title": "kg: the knowledge graph's saved queries", "version": __version__,
                     "description": "Read-only. Parameters are bound as RDF terms, never pasted into the query."},
            "paths": paths}


# ---------------------------------------------------------------------------------------
# the app


def create_app(workers: QueryWorkers):  # -> starlette.applications.Starlette
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, JSONResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    queries = {q.name: q for q in list_queries()}
    description = openapi(list(queries.values()))

    def plain(status: int, message: str) -> Response:
        return Response(message + "\n", status_code=status, media_type=_TEXT)

    async def sparql(request: Request) -> Response:
        form = {}
        text = request.query_params.get("query")
        if request.method == "POST":
            kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if kind == "application/sparql-update":
                return plain(403, "this endpoint is read-only: SPARQL Update is refused")
            if kind == "application/sparql-query":
                text = (await request.body()).decode("utf-8", errors="replace")
            elif kind == "application/x-www-form-urlencoded":
                body = (await request.body()).decode("utf-8", errors="replace")
                form = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
                text = form.get("query") or text
            else:
                return plain(415, f"POST a query as application/sparql-query or a form, not {kind or 'no type'}")
        if "update" in request.query_params or "update" in form:
            return plain(403, "this endpoint is read-only: SPARQL Update is refused")
        if "default-graph-uri" in request.query_params or "named-graph-uri" in request.query_params:
            return plain(400, "default-graph-uri and named-graph-uri are not supported: the default graph is the union of all graphs")
        if not text or not str(text).strip():
            return plain(400, "give the query in the 'query' parameter")
        if len(text) > MAX_QUERY_CHARS:
            return plain(413, f"the query is longer than {MAX_QUERY_CHARS:,} characters")
        reason = refusal(str(text))
        if reason:
            return plain(403, reason)
        try:
            table_format, graph = choose_formats(request.headers.get("accept", ""),
                                                 request.query_params.get("format") or form.get("format"))
        except InputError as exc:
            return plain(400, str(exc))
        done = await workers.run(Job(text=str(text), table_format=table_format, graph_format=graph))
        return Response(done.body, status_code=done.status, media_type=done.media_type)

    async def saved_query(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in queries:
            return plain(404, f"no saved query {name!r}; GET /api/queries lists them")
        params = {k: v for k, v in request.query_params.items() if k != "format"}
        fmt = request.query_params.get("format", "csv")
        if fmt not in ("csv", "json", "html"):
            return plain(400, f"format={fmt!r}: use csv, json or html")
        done = await workers.run(Job(saved=name, params=params, table_format="json" if fmt == "json" else "csv"))
        if done.status == 200 and fmt == "html":
            return HTMLResponse(page(queries[name].summary, table(done.body.decode("utf-8"), LINKED_COLUMNS)))
        return Response(done.body, status_code=done.status, media_type=done.media_type)

    async def list_saved(request: Request) -> Response:
        return JSONResponse([{"name": q.name, "summary": q.summary, "url": f"/api/{q.name}",
                              "params": [{"name": p.name, "required": p.required, "description": p.description}
                                         for p in q.params]} for q in queries.values()])

    async def openapi_json(request: Request) -> Response:
        return JSONResponse(description)

    async def index(request: Request) -> Response:
        return HTMLResponse(page("kg", explorer_index(list(queries.values()))))

    async def explorer_page(request: Request) -> Response:
        kind = request.url.path.strip("/")
        if kind == "actor" and not request.query_params.get("name", "").strip():
            return plain(400, "give the actor in the 'name' parameter (a label, alias, IRI or Wikidata QID)")
        done = await workers.run(Job(page=kind, params=dict(request.query_params)))
        return Response(done.body, status_code=done.status, media_type=done.media_type)

    @asynccontextmanager
    async def lifespan(app) -> AsyncIterator[None]:
        await workers.start()
        try:
            yield
        finally:
            await workers.stop()

    async def editor(request: Request) -> Response:
        return HTMLResponse(editor_page())

    return Starlette(routes=[
        Route("/", index), Route("/sparql", sparql, methods=["GET", "POST"]), Route("/editor", editor),
        Mount("/assets/vendor", StaticFiles(directory=Path(__file__).parent / "assets" / "vendor")),
        Route("/actor", explorer_page), Route("/timeline", explorer_page), Route("/network", explorer_page),
        Route("/api/queries", list_saved), Route("/api/openapi.json", openapi_json),
        Route("/api/{name}", saved_query),
    ], lifespan=lifespan)


def serve(data: list[Path] | None, store_dir: Path | None, host: str, port: int, timeout: float, workers: int,
          say) -> None:
    """Run the server until interrupted; ``say`` prints one line to the user."""
    import uvicorn

    if not 1 <= port <= 65535:
        raise InputError(f"--port {port}: use a number from 1 to 65535")
    if workers < 1:
        raise InputError(f"--workers {workers}: use 1 or more")
    check_timeout(timeout)
    _check_free(host, port)
    path, folder = prepare_store(data, store_dir)
    try:
        app = create_app(QueryWorkers(path, workers, timeout))
        if host not in ("127.0.0.1", "localhost", "::1"):
            say(f"kg serve: listening on {host}: anyone who can reach it can read the whole graph")
        say(f"kg serve: http://{host}:{port}/ (SPARQL at /sparql, saved queries at /api/NAME; Ctrl-C stops)")
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        if folder is not None:
            folder.cleanup()


def _check_free(host: str, port: int) -> None:
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise InputError(f"--host {host}: {exc.strerror or exc}") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(address)
        except OSError as exc:
            raise InputError(f"--port {port}: cannot listen on {host}:{port} ({exc.strerror or exc})") from None

