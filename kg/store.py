"""Load RDF files into an in-memory pyoxigraph store (on-disk stores: kg.sources, kg.pipeline)."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg import formats
from kg.errors import InputError, StoreError

__all__ = ["StoreError", "load_store", "rdf_format"]


def rdf_format(path: Path) -> ox.RdfFormat:
    """The RDF format of a file, from its suffix (kg.formats)."""
    try:
        return formats.for_reading(path).oxigraph
    except InputError as exc:
        raise StoreError(str(exc)) from None
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
