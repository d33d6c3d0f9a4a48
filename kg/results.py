"""Running saved queries on a pyoxigraph store, and their results: rows of plain strings,
written as CSV or JSON (kg.queries loads the queries and binds their parameters)."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager

import pyoxigraph as ox

from kg.errors import QueryError
from kg.queries import SavedQuery, Term, bind_parameters


class QueryResult:
    """Columns and rows (dicts of plain strings, "" for unbound). A result kept as CSV (a
    materialised one, kg.views) is written out as it is and parses its rows only when they
    are used: 180,000 rows cost 1 s each way."""

    def __init__(self, columns: list[str], rows: list[dict[str, str]] | None = None, *, csv_text: str | None = None):
        self.columns = list(columns)
        self.csv_text = csv_text
        self._rows = rows if rows is not None or csv_text is not None else []  # None: not parsed yet

    @property
    def rows(self) -> list[dict[str, str]]:
        if self._rows is None:
            self._rows = [dict(zip(self.columns, values)) for values in self.values()]
        return self._rows

    def values(self) -> list[list[str]]:
        """The rows as lists in column order (cheaper than ``rows`` for a big kept result)."""
        if self._rows is None:
            reader = csv.reader(io.StringIO(self.csv_text, newline=""))
            next(reader, None)  # the header
            return list(reader)
        return [[row.get(column, "") for column in self.columns] for row in self._rows]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QueryResult):
            return NotImplemented
        return self.columns == other.columns and self.rows == other.rows

    def __repr__(self) -> str:
        return f"QueryResult(columns={self.columns!r}, rows={len(self.rows)})"


def _plain(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)


def run_query(
    store: ox.Store, query: SavedQuery, params: dict[str, str] | None = None
) -> QueryResult:
    """Run a saved query over the union of all graphs of ``store``.

    IRIs and literals come back as plain strings, unbound values as "". Parameter
    variables are hidden from the result: they are projected only because substitution
    requires it.
    """
    columns, rows = stream_query(store, query, params)
    return QueryResult(columns, [dict(zip(columns, values)) for values in rows])


def stream_query(
    store: ox.Store, query: SavedQuery, params: dict[str, str] | None = None
) -> tuple[list[str], Iterator[list[str]]]:
    """``run_query`` as its columns and an iterator of rows (values in column order), for
    results too big to hold twice."""
    substitutions = bind_parameters(query, params or {})
    with _query_errors(query):
        result = store.query(query.text, use_default_graph_as_union=True, substitutions=substitutions or None)
    if isinstance(result, ox.QueryBoolean):
        return ["result"], iter([["true" if bool(result) else "false"]])
    if isinstance(result, ox.QueryTriples):
        triples = ([_plain(t.subject), _plain(t.predicate), _plain(t.object)] for t in result)
        return ["subject", "predicate", "object"], _guarded(triples, query)
    hidden = {p.variable for p in query.params}
    shown = [(i, v.value) for i, v in enumerate(result.variables) if v.value not in hidden]
    indexes = [i for i, _ in shown]
    solutions = ([_plain(values[i]) for i in indexes] for values in map(list, result))
    return [name for _, name in shown], _guarded(solutions, query)


def _guarded(rows: Iterator[list[str]], query: SavedQuery) -> Iterator[list[str]]:
    with _query_errors(query):  # a store may fail part way through the rows
        yield from rows


@contextmanager
def _query_errors(query: SavedQuery) -> Iterator[None]:
    try:
        yield
    except SyntaxError as exc:
        raise QueryError(f"{query.path}: SPARQL syntax error: {exc}") from exc
    except (RuntimeError, ValueError, OSError) as exc:
        raise QueryError(f"query '{query.name}' failed: {exc}") from exc


# ---------------------------------------------------------------------------------------
# formatting


def csv_writer(out):  # -> csv.writer
    """The CSV dialect of every query result kg writes (and keeps, kg.views)."""
    return csv.writer(out, lineterminator="\n")


def to_csv(result: QueryResult) -> str:
    """A header row with the variable names, then one row per solution ("\\n" endings)."""
    if result.csv_text is not None:
        return result.csv_text
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(result.columns)
    for row in result.rows:
        writer.writerow([row.get(column, "") for column in result.columns])
    return buffer.getvalue()


def to_json(result: QueryResult) -> str:
    """A JSON list with one object per row, keys in column order."""
    rows = [{column: row.get(column, "") for column in result.columns} for row in result.rows]
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
