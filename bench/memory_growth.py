"""Memory of one extraction process as the corpus grows (prints figures, asserts nothing).

usage: python bench/memory_growth.py [CORPUS_DIR] [--docs 10000] [--every 1000]

Extracts the documents of CORPUS_DIR (default: a synthetic corpus of --docs documents made by
bench/big_corpus.py's generator in a temporary folder) in one process, as a worker does, and
prints after every --every documents: peak RSS, the entries of the tagger's caches (bounded:
sentences, lemmas, word analyses) and of spaCy's string store (dropped with each memory zone).
"""
from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from big_corpus import generate

from kg.clean import clean_document
from kg.pipeline import Extractor
from kg.read import ReadFailure, read_documents


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", type=Path)
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--every", type=int, default=1_000)
    args = ap.parse_args()
    corpus = args.corpus
    if corpus is None:
        corpus = Path(tempfile.mkdtemp(prefix="kg-memory-")) / "corpus"
        generate(corpus, args.docs)

    extractor = Extractor()
    morph = extractor.nlp.get_pipe("kg_morph")
    documents = (clean_document(d) for d in read_documents([corpus]) if not isinstance(d, ReadFailure))
    started = time.perf_counter()
    print("documents  peak RSS  sentences  lemmas  word analyses  spaCy strings  seconds")
    for n, _ in enumerate(extractor.results(documents), 1):
        if n % args.every == 0:
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"{n:9,d}  {rss:5,.0f} MB  {len(morph._sentences):9,d}  {len(morph._lemmas):6,d}  "
                  f"{len(morph.tagger._emissions):13,d}  {len(extractor.nlp.vocab.strings):13,d}  "
                  f"{time.perf_counter() - started:7.0f}")


if __name__ == "__main__":
    main()
