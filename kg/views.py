"""Materialised results: the rows of the saved queries that take no parameters, computed
once by the build that changed an on-disk store and kept beside it (``kg-views.sqlite``).

Why: on 10,000 documents a query that returns 100,000 rows or more costs pyoxigraph
10-20 s whatever its shape (about 3.5 µs per row and triple pattern, more for joins), and
``kg timeline`` and ``kg viz`` read 830,000 rows of tables. Reading the same rows back
costs under a second. A build pays for them once instead of every question.

A view answers a query only when it is exactly that query on exactly that store:

* it is keyed by the SHA-256 of the query's text, so an edited or own query runs live;
* it carries the store's revision (kg.manifest), which every build that changes the store
  renews, and the manifest must say the last build completed. While a build runs, or after
  one was interrupted, every query runs live.

Rows are kept as the CSV ``kg query --format csv`` prints, zlib-compressed (never pickle:
a store folder may come from someone else).
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox

from kg.errors import StoreError
from kg.files import temp_file
from kg.manifest import MANIFEST_NAME, store_revision
from kg.queries import SavedQuery, list_queries, load_query
from kg.resources import network_query_dir
from kg.results import QueryResult, csv_writer, stream_query

VIEWS_NAME = "kg-views.sqlite"
CHUNK_CHARS = 4_000_000  # of CSV per compressed chunk


def query_key(query: SavedQuery) -> str:
    return hashlib.sha256(query.text.encode("utf-8")).hexdigest()


def materialised_queries() -> list[SavedQuery]:
    """The queries a build materialises: every saved query without parameters, and the
    tables kg viz and kg timeline read."""
    saved = [q for q in list_queries() if not q.params]
    tables = [load_query(path) for path in sorted(network_query_dir().glob("*.rq"))]
    return saved + tables


@dataclass(frozen=True)
class RefreshReport:
    views: int
    rows: int
    seconds: float


def refresh_views(store: ox.Store, store_dir: Path, revision: str) -> RefreshReport:
    """Compute every materialised query on ``store`` and replace the views with them, all
    tagged with ``revision``. Rows stream into compressed chunks of about CHUNK_CHARS of
    CSV, so the build holds no whole result."""
    started = time.perf_counter()
    # a new file renamed over the old one: readers see the old views or the new, and a
    # damaged file is simply replaced
    path = store_dir / VIEWS_NAME
    fd, tmp = temp_file(path)
    os.close(fd)
    views = rows = 0
    try:
        db = sqlite3.connect(str(tmp))
        try:
            with db:
                db.execute("CREATE TABLE view (key TEXT PRIMARY KEY, name TEXT NOT NULL, revision TEXT NOT NULL, "
                           "columns TEXT NOT NULL, rows INTEGER NOT NULL)")
                db.execute("CREATE TABLE chunk (key TEXT NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL, "
                           "PRIMARY KEY (key, seq))")
                for query in materialised_queries():
                    key = query_key(query)
                    columns, rows_of_query = stream_query(store, query)
                    count = _store_rows(db, key, columns, rows_of_query)
                    db.execute("INSERT OR REPLACE INTO view VALUES (?, ?, ?, ?, ?)",
                               (key, query.name, revision, json.dumps(columns), count))
                    views, rows = views + 1, rows + count
        finally:
            db.close()
        os.replace(tmp, path)
    except (sqlite3.Error, OSError) as exc:
        tmp.unlink(missing_ok=True)
        raise StoreError(f"{path}: cannot save the materialised query results ({exc})") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return RefreshReport(views, rows, time.perf_counter() - started)


def _store_rows(db: sqlite3.Connection, key: str, columns: list[str], rows: Iterator[list[str]]) -> int:
    """Write the CSV ``kg query --format csv`` prints (header included) as chunks; the
    number of rows."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(columns)
    seq = count = 0

    def flush() -> None:
        nonlocal seq
        db.execute("INSERT INTO chunk VALUES (?, ?, ?)", (key, seq, zlib.compress(buffer.getvalue().encode("utf-8"), 1)))
        seq += 1
        buffer.seek(0)
        buffer.truncate()

    for values in rows:
        writer.writerow(values)
        count += 1
        if buffer.tell() >= CHUNK_CHARS:
            flush()
    flush()
    return count


def views_revision(store_dir: Path) -> str | None:
    """The revision the views were computed on (None: no views)."""
    db = _open_read_only(store_dir / VIEWS_NAME)
    if db is None:
        return None
    try:
        row = db.execute("SELECT MIN(revision), MAX(revision) FROM view").fetchone()
    except sqlite3.Error:
        return None
    finally:
        db.close()
    return row[0] if row and row[0] == row[1] else None


class Views:
    """The views of a store, for reading; ``get`` answers only fresh, identical queries."""

    def __init__(self, store_dir: Path):
        self.store_dir = Path(store_dir)

    @cached_property
    def revision(self) -> str | None:
        """The store's revision, read once (only a query without parameters needs it)."""
        return store_revision(self.store_dir / MANIFEST_NAME)

    def get(self, query: SavedQuery, params: dict[str, str] | None = None) -> QueryResult | None:
        if params or query.params:
            return None
        revision = self.revision
        if not revision:
            return None
        db = _open_read_only(self.store_dir / VIEWS_NAME)
        if db is None:
            return None
        try:
            key = query_key(query)
            row = db.execute("SELECT revision, columns FROM view WHERE key = ?", (key,)).fetchone()
            if row is None or row[0] != revision:
                return None
            chunks = [data for (data,) in db.execute("SELECT data FROM chunk WHERE key = ? ORDER BY seq", (key,))]
            columns = [str(c) for c in json.loads(row[1])]
            text = "".join(zlib.decompress(data).decode("utf-8") for data in chunks)
        except (sqlite3.Error, zlib.error, ValueError, TypeError):
            return None  # an unreadable views file only costs time: the query runs live
        finally:
            db.close()
        return QueryResult(columns, csv_text=text)


def _open_read_only(path: Path) -> sqlite3.Connection | None:
    if not path.is_file():
        return None
    try:
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
