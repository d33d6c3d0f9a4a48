"""Where the data files (ontology, shapes, registry, saved queries; lexicon, rules and
clutter patterns under kg/data) live.

In a source checkout or editable install they are the top-level folders of the repository;
an installed wheel carries copies under ``kg/_data`` (see pyproject.toml).
"""
from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    for candidate in (_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"kg data folder '{name}' not found next to the kg package")


def ontology_dir() -> Path:
    return _data_dir("ontology")


def queries_dir() -> Path:
    return _data_dir("queries")


def network_query_dir() -> Path:
    """The tables kg viz and kg timeline read (kg/data/network)."""
    return _PACKAGE_DIR / "data" / "network"


def ontology_file() -> Path:
    return ontology_dir() / "kg.ttl"


def shapes_file() -> Path:
    return ontology_dir() / "shapes.ttl"


def jsonld_context_file() -> Path:
    return ontology_dir() / "context.jsonld"


def registry_file() -> Path:
    return ontology_dir() / "actors.yaml"


def data_file(name: str) -> Path:
    """A data file of the package itself (``kg/data/``: lexicon, rules, clutter patterns)."""
    return _PACKAGE_DIR / "data" / name


def read_yaml(file: Path):
    """A YAML data file, parsed by libyaml when PyYAML has it (ten times faster at start-up)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(file.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader
