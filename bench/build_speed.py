"""End-to-end build speed: the seed corpus repeated N times in one process (printed, not asserted).

usage: python bench/build_speed.py [CORPUS_DIR] [--repeat 50]

Runs read -> clean -> annotate -> extract -> resolve -> RDF into one pyoxigraph store, each
repetition under its own document ids, and prints words/s for the first pass (cold caches),
for the later passes (HanTa's caches warm) and overall, plus documents/s and peak RSS.
"""
from __future__ import annotations

import argparse
import resource
import time
from dataclasses import replace
from pathlib import Path

import pyoxigraph

from kg.clean import clean_document
from kg.pipeline import Extractor
from kg.rdf import GraphWriter
from kg.read import ReadFailure, read_documents
from kg.vocab import DEFAULT_BASE_IRI

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", type=Path, default=REPO / "corpus")
    ap.add_argument("--repeat", type=int, default=50)
    args = ap.parse_args()

    started = time.perf_counter()
    extractor = Extractor()
    writer = GraphWriter(DEFAULT_BASE_IRI)
    load_seconds = time.perf_counter() - started
    sources = [d for d in read_documents([args.corpus]) if not isinstance(d, ReadFailure)]
    words_per_pass = sum(len(d.text.split()) for d in sources)
    store = pyoxigraph.Store()
    timings = []
    for n in range(args.repeat):
        t0 = time.perf_counter()
        cleaned = [clean_document(replace(d, doc_id=f"{d.doc_id}-{n}")) for d in sources]
        for result in extractor.results(cleaned):
            store.extend(writer.document_quads(result))
        timings.append(time.perf_counter() - t0)
    total = sum(timings)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"corpus            {len(sources)} documents, {words_per_pass} words, x{args.repeat}")
    print(f"pipeline load     {load_seconds:.2f} s (registry, spaCy, HanTa)")
    print(f"first pass        {words_per_pass / timings[0]:,.0f} words/s (cold caches)")
    if len(timings) > 1:
        print(f"later passes      {words_per_pass * (len(timings) - 1) / sum(timings[1:]):,.0f} words/s")
    print(f"overall           {words_per_pass * len(timings) / total:,.0f} words/s, "
          f"{len(sources) * len(timings) / total:,.1f} documents/s, {len(store):,} quads")
    print(f"peak RSS          {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
