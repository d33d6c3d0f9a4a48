"""Write a dataset to disk: deterministic bytes, atomic replacement.

The same set of quads always gives the same bytes, whatever order they were inserted in:
quads are sorted by their N-Quads form before serialising. Graph formats (Turtle,
N-Triples, JSON-LD) hold the deduplicated union of all graphs; TriG and N-Quads keep the
named graphs. The file is written to a temporary file next to the target and moved into
place, so a failure never leaves a truncated or destroyed output.
"""
from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from kg import formats
from kg.errors import ExportError, InputError
from kg.files import temp_file
from kg.resources import jsonld_context_file
from kg.vocab import PREFIXES

__all__ = ["ExportError", "Written", "atomic_write", "check_output", "export", "format_name", "serialize_dataset",
           "write_dataset"]


def format_name(path: Path, fmt: str | None = None) -> str:
    """The format name for writing ``path``: ``fmt`` if given, else from the suffix."""
    try:
        return formats.for_writing(path, fmt).name
    except InputError as exc:
        raise ExportError(str(exc)) from None


# Up to this many quads the output is sorted (byte-identical for the same graph); larger
# stores are streamed in the store's own order so memory stays flat.
SORTED_EXPORT_LIMIT = 2_000_000


@dataclass(frozen=True)
class Written:
    """What an export wrote."""

    path: Path
    format: str
    quads: int  # statements of the store (a triple once per graph holding it)
    graphs: int  # named graphs of the store
    statements: int | None  # in the file: quads, or distinct triples of a graph format (None: not counted)

    def describe(self) -> str:
        """'1,577 quads in 5 named graphs' or '1,452 triples (the union of 5 named graphs)'."""
        graphs = f"{self.graphs:,} named graph{'' if self.graphs == 1 else 's'}"
        if formats.by_name(self.format).keeps_graphs:
            return f"{self.quads:,} quads in {graphs}"
        if self.statements is None:
            return f"the distinct triples of {self.quads:,} quads (the union of {graphs})"
        return f"{self.statements:,} triples (the union of {graphs})"


def serialize_dataset(store: ox.Store, fmt: str) -> Callable[[IO[bytes]], None]:
    """A writer that serialises ``store`` in format ``fmt`` (a name of kg.formats)."""
    return _prepare(store, fmt)[0]


def _prepare(store: ox.Store, fmt: str) -> tuple[Callable[[IO[bytes]], None], int | None]:
    """The writer and the number of statements it writes (None when streamed unsorted)."""
    spec = formats.by_name(fmt)
    rdf_format = spec.oxigraph
    if len(store) > SORTED_EXPORT_LIMIT and fmt != "jsonld":
        return _streaming_writer(store, spec), (len(store) if spec.keeps_graphs else None)
    quads = list(store)
    if spec.keeps_graphs:
        items: list[ox.Quad] | list[ox.Triple] = sorted(set(quads), key=str)
    else:
        items = sorted({quad.triple for quad in quads}, key=str)
    # JSON-LD and the line formats have no prefix declarations in pyoxigraph
    prefixes = PREFIXES if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None

    if fmt == "jsonld":
        return (lambda out: out.write(_compact_jsonld(items))), len(items)

    def write(out: IO[bytes]) -> None:
        ox.serialize(items, out, rdf_format, prefixes=prefixes)

    return write, len(items)


def _compact_jsonld(triples: list[ox.Triple]) -> bytes:
    """JSON-LD compacted with the project's context (ontology/context.jsonld).

    pyoxigraph writes expanded JSON-LD only, so compaction goes through rdflib; the result
    is then put in a canonical order (nodes by @id, keys sorted) so that it is byte-identical
    for the same graph.
    """
    import rdflib

    graph = rdflib.Graph()
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8"), format="nt")
    try:
        context = json.loads(jsonld_context_file().read_text(encoding="utf-8"))["@context"]
    except (FileNotFoundError, KeyError, ValueError):
        context = dict(PREFIXES)
    document = json.loads(graph.serialize(format="json-ld", context=context, auto_compact=True))
    return (json.dumps(_canonical_json(document), ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _canonical_json(value):
    if isinstance(value, dict):
        return {k: _canonical_json(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_canonical_json(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
    return value


def _streaming_writer(store: ox.Store, spec: formats.RdfFormat) -> Callable[[IO[bytes]], None]:
    rdf_format = spec.oxigraph
    prefixes = PREFIXES if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None

    def write(out: IO[bytes]) -> None:
        if spec.keeps_graphs:
            store.dump(out, rdf_format, prefixes=prefixes)
        else:
            # graph formats hold the union: the store's CONSTRUCT streams distinct triples
            union = store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
            union.serialize(out, rdf_format)

    return write


def check_output(path: Path, fmt: str | None = None) -> str:
    """The format ``path`` will be written in; an ExportError for a bad suffix or --format
    or a folder that does not exist (checked before any slow work)."""
    path = Path(path)
    name = format_name(path, fmt)
    check_writable(path)
    return name


def check_writable(path: Path) -> None:
    """An ExportError unless ``path`` can be written: its folder exists and takes files."""
    if not path.parent.is_dir():
        raise ExportError(f"{path}: the folder {path.parent} does not exist")
    if path.is_dir():
        raise ExportError(f"{path}: is a folder, not a file")
    try:  # a read-only folder or file system fails now, not after the extraction
        fd, probe = temp_file(path)
        os.close(fd)
        probe.unlink()
    except OSError as exc:
        raise ExportError(f"{path}: cannot write in {path.parent} ({exc.strerror or exc})") from None


def export(store: ox.Store, path: Path, fmt: str | None = None) -> Written:
    """Write all quads of ``store`` to ``path`` (format from ``fmt`` or the suffix).

    For JSON-LD, the project's JSON-LD context (ontology/context.jsonld), if there is one,
    is copied next to the output as ``<stem>.context.jsonld``.
    """
    path = Path(path)
    name = check_output(path, fmt)
    writer, statements = _prepare(store, name)
    atomic_write(path, writer)
    if name == "jsonld":
        _copy_context(path)
    graphs = sum(1 for _ in store.named_graphs())
    return Written(path, name, len(store), graphs, statements)


def write_dataset(store: ox.Store, path: Path, fmt: str | None = None) -> Path:
    """``export`` that returns the path."""
    return export(store, path, fmt).path


def _copy_context(path: Path) -> None:
    try:
        context = jsonld_context_file()
    except FileNotFoundError:
        return
    if context.is_file():
        target = path.with_name(path.stem + ".context.jsonld")
        atomic_write(target, lambda out: _copy_bytes(context, out))


def _copy_bytes(source: Path, out: IO[bytes]) -> None:
    with source.open("rb") as handle:
        shutil.copyfileobj(handle, out)


def atomic_write(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Write through a temporary file in the same folder, then rename over ``path``.

    os.replace within one folder is atomic, so readers see the old file or the new one,
    never a half-written file, and a failure leaves the old file untouched.
    """
    try:
        fd, tmp = temp_file(path)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write in {path.parent} ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        # mkstemp creates the file 0600; give it the mode a normal open() would have
        os.chmod(tmp, _target_mode(path))
        os.replace(tmp, path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, Exception) and not isinstance(exc, ExportError):
            raise ExportError(f"{path}: writing failed: {exc}") from exc
        raise


def _target_mode(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
