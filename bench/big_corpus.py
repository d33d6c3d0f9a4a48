"""Big-corpus benchmark: prints figures, asserts nothing.

usage: python bench/big_corpus.py [--docs 10000] [--workdir DIR]
                                  [--remote oxigraph,virtuoso] [--timeout 300] [--repeat 1]

Generates a synthetic German corpus by recombining sentences of the articles in corpus/
and tests/*/corpus (names and weekdays swapped for others from the actor registry; still,
only about a quarter of the sentences of 10,000 documents are distinct, so the tagger's
sentence cache helps more than on real articles), then reports:
words/s with 1 and 2 workers (into on-disk stores), documents/s, peak RSS of the main
process and of the workers, the time of an incremental re-build with 1 % of the
documents changed, export speed (triples/s) and then, through bench/query_latency.py, the
latency of every saved query and of kg show/timeline/viz on the store (each in its own
process, stopped after --timeout seconds), with --remote also on a real Oxigraph server and
Virtuoso loaded with the export.
"""
from __future__ import annotations

import argparse
import gc
import random
import re
import resource
import shutil
import tempfile
import time
from pathlib import Path

from query_latency import measure_store  # bench/, next to this script

from kg.clean import clean_document
from kg.export import write_dataset
from kg.pipeline import build_dataset
from kg.read import ReadFailure, read_documents
from kg.registry import load_registry

REPO = Path(__file__).resolve().parent.parent
WEEKDAYS = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]


def sentences() -> list[str]:
    folders = [REPO / "corpus", *sorted((REPO / "tests").glob("*/corpus"))]
    out = []
    for doc in read_documents(folders):
        if isinstance(doc, ReadFailure):
            continue
        text = clean_document(doc).text
        out += [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if len(s.split()) >= 6]
    return out


def generate(folder: Path, count: int, seed: int = 7) -> int:
    """Write ``count`` articles of 15–40 recombined sentences; returns the word count."""
    rng = random.Random(seed)
    pool = sentences()
    registry = load_registry()
    persons = [e.label for e in registry.entries.values() if e.type == "Person" and len(e.label.split()) == 2]
    surnames = {p.split()[-1] for p in persons}
    words = 0
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        parts = []
        for _ in range(rng.randint(15, 40)):
            s = rng.choice(pool)
            s = re.sub(r"\b(" + "|".join(WEEKDAYS) + r")\b", lambda m: rng.choice(WEEKDAYS), s)
            s = " ".join(rng.choice(persons).split()[-1] if w in surnames and rng.random() < 0.5 else w for w in s.split())
            parts.append(s)
        text = "\n\n".join(" ".join(parts[i : i + 3]) for i in range(0, len(parts), 3))
        (folder / f"doc{n:05d}.txt").write_text(text + "\n", encoding="utf-8")
        words += len(text.split())
    (folder / "metadata.json").write_text(
        "{" + ",".join(f'"doc{n:05d}": {{"date": "2025-0{1 + n % 9}-1{n % 10}"}}' for n in range(count)) + "}",
        encoding="utf-8",
    )
    return words


def timed_build(corpus: Path, store: Path, workers: int):
    started, cpu = time.perf_counter(), time.process_time()
    result = build_dataset([corpus], store_dir=store, workers=workers)
    seconds = time.perf_counter() - started
    if workers > 1:  # what the main process (reading, writing the store) costs beside the workers
        print(f"main process CPU  {time.process_time() - cpu:8.1f} s of {seconds:.1f} s")
    return result, seconds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--remote", default="", help="also measure the queries on: oxigraph, virtuoso")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per query or command")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    corpus = work / "corpus"
    shutil.rmtree(work / "store1", ignore_errors=True)
    shutil.rmtree(work / "store2", ignore_errors=True)
    total_words = generate(corpus, args.docs)
    print(f"corpus            {args.docs:,} documents, {total_words:,} words in {corpus}")

    for workers in (1, 2):
        result, seconds = timed_build(corpus, work / f"store{workers}", workers)
        print(f"build, {workers} worker{'s' if workers > 1 else ' '}  {seconds:8.1f} s  {result.words / seconds:10,.0f} words/s  "
              f"{result.documents / seconds:6.1f} documents/s  {len(result.store):,} quads")
        if workers == 1:
            single = seconds
            # close the first store: its background compaction would otherwise run in
            # this process during the next build and be charged to it
            del result
            gc.collect()
        else:
            print(f"speed-up 1 -> 2    {single / seconds:.2f}x")
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS          main {self_rss:,.0f} MB, largest worker {child_rss:,.0f} MB")

    # incremental: change 1 % of the documents
    del result
    gc.collect()
    rng = random.Random(11)
    changed = rng.sample(sorted(corpus.glob("doc*.txt")), max(1, args.docs // 100))
    for path in changed:
        path.write_text(path.read_text(encoding="utf-8") + "\nMerz traf am Montag in Berlin Macron.\n", encoding="utf-8")
    result, seconds = timed_build(corpus, work / "store1", 1)
    print(f"incremental       {seconds:8.1f} s for {len(changed)} changed of {args.docs:,} "
          f"({seconds / single:.1%} of the full build; {result.skipped:,} skipped)")

    started = time.perf_counter()
    out = write_dataset(result.store, work / "export.nq")
    seconds = time.perf_counter() - started
    print(f"export N-Quads    {len(result.store) / seconds:10,.0f} triples/s ({out.stat().st_size / 1e6:,.0f} MB)")

    # every saved query and command, each in its own process on the closed store
    del result
    gc.collect()
    measure_store(work / "store1", remote=[n.strip() for n in args.remote.split(",") if n.strip()],
                  export=out, repeat=max(1, args.repeat), timeout=args.timeout)


if __name__ == "__main__":
    main()
