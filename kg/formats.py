"""The one table of RDF file formats: names, suffixes, and how each library spells them.

Every place that turns a suffix or a ``--format`` value into a format (export, loading,
validation, pushing) asks here, so a format is added in one row.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError


@dataclass(frozen=True)
class RdfFormat:
    name: str  # as --format takes it
    suffixes: tuple[str, ...]  # the first one is the one kg writes
    aliases: tuple[str, ...]  # other spellings --format accepts
    oxigraph: ox.RdfFormat
    rdflib: str  # rdflib's parser name
    keeps_graphs: bool  # a dataset format: named graphs survive
    writable: bool = True


FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat("turtle", (".ttl",), ("ttl",), ox.RdfFormat.TURTLE, "turtle", False),
    RdfFormat("trig", (".trig",), (), ox.RdfFormat.TRIG, "trig", True),
    RdfFormat("ntriples", (".nt",), ("nt", "n-triples"), ox.RdfFormat.N_TRIPLES, "nt", False),
    RdfFormat("nquads", (".nq",), ("nq", "n-quads"), ox.RdfFormat.N_QUADS, "nquads", True),
    RdfFormat("jsonld", (".jsonld",), ("json-ld",), ox.RdfFormat.JSON_LD, "json-ld", False),
    # read, never written: graphs other tools made
    RdfFormat("rdfxml", (".rdf", ".owl"), ("rdf/xml", "xml"), ox.RdfFormat.RDF_XML, "xml", False, writable=False),
    RdfFormat("n3", (".n3",), (), ox.RdfFormat.N3, "n3", False, writable=False),
)
WRITABLE = tuple(f for f in FORMATS if f.writable)
WRITABLE_SUFFIXES = ", ".join(f.suffixes[0] for f in WRITABLE)  # ".ttl, .trig, .nt, .nq, .jsonld"
# documents kg build reads (kg.read); passing one where a graph is expected means "build it first"
TEXT_SUFFIXES = frozenset({".txt", ".md"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
JSONL_SUFFIXES = frozenset({".jsonl"})
DOCUMENT_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES


def by_name(name: str) -> RdfFormat:
    """The writable format for a ``--format`` value (a name, alias or suffix)."""
    wanted = name.strip().lower().lstrip(".")
    for fmt in WRITABLE:
        if wanted == fmt.name or wanted in fmt.aliases or "." + wanted in fmt.suffixes:
            return fmt
    raise InputError(f"unknown output format '{name}' (choose one of: {', '.join(f.name for f in WRITABLE)})")


def of_path(path: Path, writing: bool = False) -> RdfFormat | None:
    """The format a file's suffix names, or None."""
    suffix = Path(path).suffix.lower()
    for fmt in WRITABLE if writing else FORMATS:
        if suffix in fmt.suffixes:
            return fmt
    return None


def is_rdf_file(path: Path) -> bool:
    return of_path(path) is not None


def for_reading(path: Path) -> RdfFormat:
    """The format to parse ``path`` in; a clear error for articles and unknown suffixes."""
    fmt = of_path(path)
    if fmt is not None:
        return fmt
    if Path(path).suffix.lower() in DOCUMENT_SUFFIXES:
        raise InputError(f"{path}: an article, not a graph; run kg build first (kg build {path} --out graph.ttl) and give the graph")
    raise InputError(f"{path}: unknown RDF file suffix '{Path(path).suffix}' (expected {WRITABLE_SUFFIXES})")


def for_writing(path: Path, name: str | None = None) -> RdfFormat:
    """The format to write ``path`` in: ``name`` (--format) if given, else its suffix."""
    if name is not None:
        return by_name(name)
    fmt = of_path(path, writing=True)
    if fmt is None:
        raise InputError(
            f"{path}: cannot tell the output format from the suffix '{Path(path).suffix}' "
            f"(use {WRITABLE_SUFFIXES}, or --format)"
        )
    return fmt
