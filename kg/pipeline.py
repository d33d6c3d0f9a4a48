"""The whole path as one library call: read -> clean -> annotate -> extract -> resolve -> RDF.

``build_dataset`` is what ``kg build`` runs. Each stage is its own module and talks to its
neighbours only through the records in kg.model (and the spaCy Doc between annotate and
extract).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph

from kg.annotate import build_pipeline
from kg.clean import clean_document
from kg.extract import extract_document
from kg.model import CleanDocument, DocumentResult, SourceDocument
from kg.rdf import GraphWriter
from kg.read import ReadFailure, read_documents
from kg.registry import load_registry
from kg.resolve import resolve_document
from kg.vocab import DEFAULT_BASE_IRI


@dataclass
class BuildResult:
    store: pyoxigraph.Store
    documents: int = 0
    quads: int = 0
    failures: list[ReadFailure] = field(default_factory=list)
    results: list[DocumentResult] = field(default_factory=list)


class Extractor:
    """Holds the loaded pipeline and registry; turns clean documents into results."""

    def __init__(self, spacy_model: str | None = None, registry_path: str | None = None):
        self.registry = load_registry(registry_path)
        self.nlp = build_pipeline(registry_path=registry_path, spacy_model=spacy_model)

    def results(self, cleaned: Iterable[CleanDocument], batch_size: int = 16) -> Iterator[DocumentResult]:
        cleaned = list(cleaned) if not isinstance(cleaned, list) else cleaned
        docs = self.nlp.pipe((c.text for c in cleaned), batch_size=batch_size)
        for clean, doc in zip(cleaned, docs):
            extraction = extract_document(doc, clean, self.registry)
            yield resolve_document(clean.source, extraction, self.registry)

    def document(self, clean: CleanDocument) -> DocumentResult:
        return next(self.results([clean]))

    def text(self, text: str, date: str | None = None, doc_id: str = "text") -> DocumentResult:
        """Extract from a string: ``Extractor().text("Putin empfing Witkoff im Kreml.")``."""
        return self.document(clean_document(SourceDocument(doc_id=doc_id, text=text, date=date)))


def build_dataset(
    paths: list[Path],
    base_iri: str = DEFAULT_BASE_IRI,
    spacy_model: str | None = None,
    keep_results: bool = False,
) -> BuildResult:
    """Read every document under ``paths`` and build one named graph per document.

    Documents that cannot be read are reported in ``failures``; every other document is
    still built.
    """
    writer = GraphWriter(base_iri)
    extractor = Extractor(spacy_model=spacy_model)
    store = pyoxigraph.Store()
    result = BuildResult(store=store)
    cleaned: list[CleanDocument] = []
    for item in read_documents(paths):
        if isinstance(item, ReadFailure):
            result.failures.append(item)
        else:
            cleaned.append(clean_document(item))
    for doc_result in extractor.results(cleaned):
        quads = writer.document_quads(doc_result)
        store.extend(quads)
        result.documents += 1
        result.quads += len(quads)
        if keep_results:
            result.results.append(doc_result)
    return result
