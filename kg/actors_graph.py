"""The actors graph of an on-disk store, kept exact through incremental builds.

Every document contributes the descriptions of the actors and places it mentions (kg.rdf);
the store's actors graph holds their union, once. Adding documents only adds to a union,
but replacing or removing one must take away what no other document still says ("an
actor no document mentions any more disappears"). So the build records each document's
contribution in a small SQLite table beside the store (``kg-actors.sqlite``) and, at the
end of every build, makes the actors graph equal to the union of the contributions of the
documents the manifest claims. That last step also repairs the graph after a crash: the
table, not the graph, is the record.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from kg.errors import StoreError

DESCRIPTIONS_NAME = "kg-actors.sqlite"


class Descriptions:
    """Each document's actor descriptions, as N-Triples lines."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self.db = sqlite3.connect(str(path))
            self.db.execute("CREATE TABLE IF NOT EXISTS description (doc TEXT NOT NULL, line TEXT NOT NULL)")
            self.db.execute("CREATE INDEX IF NOT EXISTS description_doc ON description (doc)")
            self.db.commit()
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: cannot use the actor descriptions ({exc}); "
                             f"delete the file and build again") from None

    def replace(self, documents: Iterable[tuple[str, Iterable[str]]]) -> None:
        """Set the contributions of these documents (one transaction)."""
        try:
            with self.db:
                for doc_id, lines in documents:
                    self.db.execute("DELETE FROM description WHERE doc = ?", (doc_id,))
                    self.db.executemany("INSERT INTO description VALUES (?, ?)", ((doc_id, line) for line in set(lines)))
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot record actor descriptions ({exc})") from None

    def remove(self, doc_ids: Iterable[str]) -> None:
        try:
            with self.db:
                self.db.executemany("DELETE FROM description WHERE doc = ?", ((d,) for d in doc_ids))
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot record actor descriptions ({exc})") from None

    def union(self, claimed: set[str]) -> set[str]:
        """The distinct lines of the claimed documents (others were never finished)."""
        lines: set[str] = set()
        for doc_id, line in self.db.execute("SELECT doc, line FROM description"):
            if doc_id in claimed:
                lines.add(line)
        return lines

    def sync(self, store: ox.Store, graph: ox.NamedNode, claimed: set[str]) -> tuple[int, int]:
        """Make the store's actors graph the union of the claimed documents' descriptions;
        returns the quads (added, removed)."""
        wanted = self.union(claimed)
        present = {f"{q.subject} {q.predicate} {q.object} ." for q in store.quads_for_pattern(None, None, None, graph)}
        stale = present - wanted
        new = wanted - present
        if stale:
            text = "\n".join(sorted(stale)).encode("utf-8")
            for triple in ox.parse(text, format=ox.RdfFormat.N_TRIPLES):
                store.remove(ox.Quad(triple.subject, triple.predicate, triple.object, graph))
        if new:
            text = "\n".join(sorted(new)).encode("utf-8")
            store.extend(ox.Quad(t.subject, t.predicate, t.object, graph)
                         for t in ox.parse(text, format=ox.RdfFormat.N_TRIPLES))
        return len(new), len(stale)

    def close(self) -> None:
        self.db.close()


def nt_lines(quads: Iterable[ox.Quad]) -> list[str]:
    """Quads of the actors graph as N-Triples lines (the form the table keeps)."""
    return [f"{q.subject} {q.predicate} {q.object} ." for q in quads]
