"""The build manifest of an on-disk store: which document's graph is in it, built from what.

``kg build --store`` skips a document whose content hash the manifest records, so the
manifest must never claim a graph that is not in the store exactly as it was built. Three
rules keep that true through a crash (kill -9, power cut, Ctrl-C) at any point:

* write-ahead: a document's entry is dropped (and the manifest saved) *before* its graph is
  touched, and written again only after its new graph is loaded and flushed;
* every entry records its graph IRI and its quad count, so the store can be checked;
* the manifest says ``"state": "building"`` while a build changes the store and
  ``"complete"`` when it ends. A build that finds ``building`` knows the last one was
  interrupted and checks each graph's quad count (one pass over the store); every build
  checks that the claimed graphs exist and drops graphs that nothing claims.
"""
from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg import __version__
from kg.errors import StoreError
from kg.files import temp_file

MANIFEST_NAME = "kg-manifest.json"


@dataclass(frozen=True)
class Entry:
    """One built document: what its graph was built from, where it is, how big."""

    hash: str
    graph: str  # the named graph's IRI
    quads: int | None = None  # None: written by a kg that did not count (checked by presence only)


@dataclass
class Repair:
    """What the check of a store found and undid before a build."""

    missing: list[str] = field(default_factory=list)  # documents whose graph was gone
    incomplete: list[str] = field(default_factory=list)  # documents whose graph had the wrong size
    orphans: int = 0  # graphs no document claimed (dropped)
    unreadable: str = ""  # why the manifest could not be used (every document is rebuilt)

    @property
    def documents(self) -> int:
        return len(self.missing) + len(self.incomplete)

    def __bool__(self) -> bool:
        return bool(self.documents or self.orphans or self.unreadable)

    def describe(self) -> str:
        """'39 documents without their graph, 2 with an incomplete graph: rebuilt; …'"""
        parts = []
        if self.missing or self.incomplete:
            found = [f"{len(ids):,} document{'' if len(ids) == 1 else 's'} {what}" for ids, what in
                     ((self.missing, "without their graph"), (self.incomplete, "with an incomplete graph")) if ids]
            parts.append(", ".join(found) + ": rebuilt")
        if self.orphans:
            parts.append(f"{self.orphans:,} graph{'' if self.orphans == 1 else 's'} of no document: dropped")
        if self.unreadable:
            parts.append(f"build manifest unreadable ({self.unreadable}): every document rebuilt")
        return "; ".join(parts)


@dataclass
class Manifest:
    path: Path
    documents: dict[str, Entry] = field(default_factory=dict)
    interrupted: bool = False  # the last build that wrote it did not finish
    unreadable: str = ""
    # renewed by every build that changes the store: what kg.views checks its rows against
    revision: str = ""

    @classmethod
    def load(cls, path: Path, graph_iri: Callable[[str], str]) -> Manifest:
        """The manifest at ``path``; a missing one is empty, an unreadable one is empty and
        says why (the store is then checked against nothing, so everything is rebuilt).
        ``graph_iri(doc_id)`` names the graphs of entries from manifests that did not."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError) as exc:
            return cls(path, unreadable=f"{exc.__class__.__name__}")
        try:
            return cls(path, _entries(data["documents"], graph_iri), interrupted=data.get("state") != "complete",
                       revision=str(data.get("revision") or ""))
        except (KeyError, TypeError, ValueError, AttributeError):
            return cls(path, unreadable="not a kg build manifest")

    def save(self, complete: bool = False) -> None:
        """Atomic: a crash leaves the previous manifest, never half of one."""
        documents = {doc_id: _entry_json(e) for doc_id, e in sorted(self.documents.items())}
        payload = json.dumps({"kg": __version__, "state": "complete" if complete else "building",
                              "revision": self.revision, "documents": documents}, indent=1, ensure_ascii=False)
        tmp = None
        try:
            fd, tmp = temp_file(self.path)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(payload)
            os.replace(tmp, self.path)
        except OSError as exc:
            if tmp is not None:
                tmp.unlink(missing_ok=True)
            raise StoreError(f"{self.path}: cannot save the build manifest ({exc.strerror or exc})") from None

    def check(self, store: ox.Store, keep: set[str] = frozenset()) -> Repair:
        """Drop every entry the store does not bear out, and every graph no entry claims
        (except the graphs in ``keep``: the actors graph, which kg.actors_graph checks).

        Presence is checked always (cheap); quad counts after an interrupted build, when a
        graph may have been half loaded. The dropped documents are then rebuilt like changed
        ones.
        """
        repair = Repair(unreadable=self.unreadable)
        dropped = set()
        present = {g.value for g in store.named_graphs()}
        for doc_id, entry in list(self.documents.items()):
            if entry.graph not in present:
                repair.missing.append(doc_id)
                del self.documents[doc_id]
        if self.interrupted or self.unreadable:
            counts = graph_sizes(store)
            for doc_id, entry in list(self.documents.items()):
                if entry.quads is not None and counts.get(entry.graph) != entry.quads:
                    repair.incomplete.append(doc_id)
                    dropped.add(entry.graph)
                    del self.documents[doc_id]
        claimed = {e.graph for e in self.documents.values()} | set(keep)
        for graph in sorted(present - claimed):  # half-loaded graphs of dropped entries too
            store.remove_graph(ox.NamedNode(graph))
            repair.orphans += graph not in dropped
        if repair.incomplete or repair.orphans:
            store.flush()
        return repair


def new_revision() -> str:
    return uuid.uuid4().hex


def store_revision(path: Path) -> str | None:
    """The revision of the store whose manifest is ``path``, if its last build completed
    (None while a build runs, after an interrupted one, or without a manifest)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("state") != "complete":
        return None
    return str(data.get("revision") or "") or None


def graph_sizes(store: ox.Store) -> dict[str, int]:
    """Quads per named graph, in one pass over the store."""
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {row["g"].value: int(row["n"].value) for row in rows}


def _entries(documents: dict, graph_iri: Callable[[str], str]) -> dict[str, Entry]:
    if not isinstance(documents, dict):
        raise TypeError("documents is not an object")
    out = {}
    for doc_id, value in documents.items():
        if isinstance(value, dict):
            quads = value.get("quads")
            out[str(doc_id)] = Entry(str(value["hash"]), str(value["graph"]), int(quads) if quads is not None else None)
        elif isinstance(value, str):
            out[str(doc_id)] = Entry(value, graph_iri(str(doc_id)))  # older kg: a hash only
        else:
            raise TypeError(f"entry of {doc_id} is not an object")
    return out


def _entry_json(entry: Entry) -> dict:
    return {"hash": entry.hash, "graph": entry.graph, "quads": entry.quads}
