"""Shared fixtures: the real kg pipeline, loaded once per test session."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def extractor():
    from kg.pipeline import Extractor

    return Extractor()


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return REPO / "corpus"
