"""Load RDF files into an in-memory pyoxigraph store for querying."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox


class StoreError(Exception):
    """An RDF file cannot be loaded; the message names the file."""


def rdf_format(path: Path) -> ox.RdfFormat:
    """The RDF format of a file, from its suffix (.ttl, .trig, .nt, .nq, .jsonld …)."""
    fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".").lower()) if path.suffix else None
    if fmt is None:
        raise StoreError(
            f"{path}: unknown RDF file suffix '{path.suffix}' "
            "(expected .ttl, .trig, .nt, .nq or .jsonld)"
        )
    return fmt


def load_store(paths: list[Path]) -> ox.Store:
    """An in-memory store holding every quad of ``paths``.

    Named graphs of TriG/N-Quads files are kept; triples of graph formats go into the
    default graph (queries run over the union of all graphs anyway).
    """
    store = ox.Store()
    for path in paths:
        path = Path(path)
        if not path.exists():
            raise StoreError(f"{path}: no such file")
        if not path.is_file():
            raise StoreError(f"{path}: not a file")
        fmt = rdf_format(path)
        try:
            # the file's own URI is the base, as RDF tools usually do for relative IRIs
            store.load(path=str(path), format=fmt, base_iri=path.resolve().as_uri())
        except SyntaxError as exc:
            raise StoreError(f"{path}: {exc}") from exc
        except (OSError, ValueError) as exc:
            raise StoreError(f"{path}: cannot load: {exc}") from exc
    return store
