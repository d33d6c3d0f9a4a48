"""Build speed on distinct real text, cold, in this fresh process (prints figures, asserts nothing).

usage: python bench/real_text_speed.py [--shared ../shared] [--limit N] [--no-realnews]

The text: the GermEval 2014 NER dev+test sentences (../shared/data/germeval2014_ner, about
7,300 real sentences from news and Wikipedia, none repeated) put together in their file
order into documents of 8 paragraphs of 3 sentences, plus the articles of
../shared/realnews. Nothing repeats, so no cache sees a sentence twice: this is the speed a
news archive gets, unlike bench/big_corpus.py, whose recombined sentences mostly repeat.

It prints
- start-up: importing kg and loading the pipeline (registry, spaCy, the tagger);
- words/s end to end (read -> clean -> annotate -> extract -> resolve -> RDF into a
  pyoxigraph store), cold: the first and only pass over the text;
- seconds and words/s of each stage and of each pipeline component;
- spaCy's blank German tokenizer on the same texts in the same run, and kg's share of it;
- peak RSS.
Words are whitespace-separated strings of the text, as everywhere in kg's figures.
"""
from __future__ import annotations

import argparse
import resource
import time
from collections import defaultdict
from pathlib import Path

STARTED = time.perf_counter()

import pyoxigraph  # noqa: E402

from kg.clean import clean_document  # noqa: E402
from kg.model import SourceDocument  # noqa: E402
from kg.pipeline import Extractor  # noqa: E402
from kg.rdf import GraphWriter  # noqa: E402
from kg.read import ReadFailure, read_documents  # noqa: E402
from kg.vocab import DEFAULT_BASE_IRI  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
NO_SPACE_BEFORE = {".", ",", ";", ":", "!", "?", ")", "]", "“", "'", "%"}
NO_SPACE_AFTER = {"(", "[", "„", "‚"}


def germeval_sentences(path: Path) -> list[str]:
    """The sentences of a GermEval TSV, their tokens joined as running text."""
    sentences, tokens = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            if tokens:
                sentences.append(_detokenize(tokens))
                tokens = []
            continue
        cells = line.split("\t")
        if len(cells) > 1:
            tokens.append(cells[1])
    if tokens:
        sentences.append(_detokenize(tokens))
    return sentences


def _detokenize(tokens: list[str]) -> str:
    text = ""
    for tok in tokens:
        glue = not text or tok in NO_SPACE_BEFORE or text[-1] in NO_SPACE_AFTER
        text += tok if glue else " " + tok
    return text


def germeval_documents(folder: Path, limit: int | None) -> list[SourceDocument]:
    sentences = []
    for name in ("NER-de-dev.tsv", "NER-de-test.tsv"):
        sentences += germeval_sentences(folder / name)
    sentences = list(dict.fromkeys(sentences))  # distinct: a repeated sentence is kept once
    docs = []
    for n, start in enumerate(range(0, len(sentences), 24)):
        chunk = sentences[start:start + 24]
        paragraphs = [" ".join(chunk[i:i + 3]) for i in range(0, len(chunk), 3)]
        docs.append(SourceDocument(doc_id=f"germeval-{n:04d}", text="\n\n".join(paragraphs) + "\n"))
    return docs[:limit] if limit else docs


class Timed:
    """A pipeline component (or the tokenizer) that adds its own run time to a table."""

    def __init__(self, name: str, proc, seconds: dict[str, float]):
        self.name, self.proc, self.seconds = name, proc, seconds

    def __call__(self, doc):
        t0 = time.perf_counter()
        doc = self.proc(doc)
        self.seconds[self.name] += time.perf_counter() - t0
        return doc

    def memory_zone(self, mem):  # spaCy enters the memory zones of the tokenizer and components
        return self.proc.memory_zone(mem)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--limit", type=int, help="only the first N GermEval documents")
    ap.add_argument("--no-realnews", action="store_true")
    args = ap.parse_args()

    t0 = time.perf_counter()
    extractor = Extractor()
    writer = GraphWriter(DEFAULT_BASE_IRI)
    startup = time.perf_counter() - STARTED
    load = time.perf_counter() - t0

    seconds: dict[str, float] = defaultdict(float)
    nlp = extractor.nlp
    nlp.tokenizer = Timed("tokenizer", nlp.tokenizer, seconds)
    # time each component where spaCy calls it (documents go through nlp.pipe as in kg build)
    nlp._components = [(name, Timed(name, proc, seconds)) for name, proc in nlp._components]

    t0 = time.perf_counter()
    sources = germeval_documents(args.shared / "data" / "germeval2014_ner", args.limit)
    if not args.no_realnews:
        folders = [p for p in sorted((args.shared / "realnews").glob("part-*/corpus"))]
        sources += [d for d in read_documents(folders) if not isinstance(d, ReadFailure)]
    seconds["read"] = time.perf_counter() - t0
    words = sum(len(d.text.split()) for d in sources)

    store = pyoxigraph.Store()
    started = time.perf_counter()
    t0 = time.perf_counter()
    cleaned = [clean_document(d) for d in sources]
    seconds["clean"] = time.perf_counter() - t0
    results = extractor.results(cleaned)
    while True:
        t0 = time.perf_counter()
        result = next(results, None)  # annotate + extract + resolve of the next document
        seconds["pipeline"] += time.perf_counter() - t0
        if result is None:
            break
        t0 = time.perf_counter()
        store.extend(writer.document_quads(result))
        seconds["RDF"] += time.perf_counter() - t0
    total = time.perf_counter() - started + seconds["read"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    components = [name for name, _ in nlp._components]
    annotate = seconds["tokenizer"] + sum(seconds[n] for n in components if n != "kg_relations")
    resolve = seconds["pipeline"] - annotate - seconds["kg_relations"]

    # the ceiling: spaCy's blank German tokenizer over the same texts, in this process
    import spacy

    blank = spacy.blank("de")
    t0 = time.perf_counter()
    tokens = sum(len(blank.make_doc(c.text)) for c in cleaned)
    tok_seconds = time.perf_counter() - t0

    def line(label: str, secs: float, note: str = "") -> None:
        print(f"  {label:<20}{secs:8.2f} s {words / secs if secs else 0:>12,.0f} words/s  {note}")

    germeval = sum(1 for d in sources if d.doc_id.startswith("germeval-"))
    print(f"text              {len(sources)} documents ({germeval} GermEval 2014 dev+test, "
          f"{len(sources) - germeval} realnews), {words:,} words, no sentence repeated")
    print(f"start-up          {startup:.2f} s (imports and pipeline load; load alone {load:.2f} s)")
    print(f"end to end        {total:.2f} s  {words / total:,.0f} words/s  ({len(store):,} quads, cold, 1 process)")
    print("stages")
    line("read", seconds["read"])
    line("clean", seconds["clean"])
    line("annotate", annotate, "(tokenizer and components below)")
    line("  tokenizer", seconds["tokenizer"])
    for name in components:
        if name != "kg_relations":
            line(f"  {name}", seconds[name])
    line("extract", seconds["kg_relations"], "(kg_relations)")
    line("resolve", resolve, "(and the pieces of long documents)")
    line("RDF", seconds["RDF"], "(quads into the store)")
    print(f"tokenizer ceiling {words / tok_seconds:,.0f} words/s ({tokens / tok_seconds:,.0f} tokens/s, "
          f"spaCy blank 'de'); kg end to end is {100 * (words / total) / (words / tok_seconds):.1f} % of it")
    print(f"peak RSS          {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
