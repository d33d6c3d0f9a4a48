"""Accuracy of kg's German morphology against a UD treebank (CoNLL-U), printed, not asserted.

usage: python bench/morph_accuracy.py PATH.conllu [--limit N]

Compares, on the gold tokenisation: UPOS of the kg_morph component (HanTa), and lemmas of
kg_morph and of the spacy-lookups-data table alone (which kg_morph falls back on). The UD data is not part of kg; point the
script at a copy (for example ../shared/data/ud_german_gsd/de_gsd-ud-dev.conllu).
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import spacy
from spacy.tokens import Doc

from kg.nlp.pipeline import build_pipeline


def read_conllu(path: Path, limit: int | None):
    sentence: list[tuple[str, str, str]] = []
    count = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if sentence:
                yield sentence
                count += 1
                if limit and count >= limit:
                    return
            sentence = []
            continue
        if line.startswith("#"):
            continue
        cols = line.split("\t")
        if "-" in cols[0] or "." in cols[0]:
            continue  # multiword ranges and empty nodes
        sentence.append((cols[1], cols[2], cols[3]))
    if sentence:
        yield sentence


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("conllu", type=Path)
    ap.add_argument("--limit", type=int, default=None)
    args = ap.parse_args()

    nlp = build_pipeline()
    morph = nlp.get_pipe("kg_morph")
    vocab = spacy.blank("de").vocab  # a Doc of another vocabulary, as a caller may make
    total = upos_ok = lemma_ok = lookup_ok = 0
    started = time.perf_counter()
    for sentence in read_conllu(args.conllu, args.limit):
        words = [w for w, _, _ in sentence]
        doc = Doc(vocab, words=words, sent_starts=[True] + [False] * (len(words) - 1))
        lookup_lemmas = [morph.lookup.get(w, w) for w in words]  # the table kg_morph falls back on
        doc = morph(doc)
        for tok, (_, lemma, upos), lk in zip(doc, sentence, lookup_lemmas):
            total += 1
            upos_ok += tok.pos_ == upos or (upos == "PROPN" and tok.pos_ == "PROPN")
            lemma_ok += tok.lemma_.lower() == lemma.lower()
            lookup_ok += lk.lower() == lemma.lower()
    seconds = time.perf_counter() - started
    print(f"tokens            {total}")
    print(f"UPOS (kg_morph)   {upos_ok / total:.3f}")
    print(f"lemma (kg_morph)  {lemma_ok / total:.3f}")
    print(f"lemma (lookup)    {lookup_ok / total:.3f}")
    print(f"speed             {total / seconds:,.0f} tokens/s (lookup + HanTa, cold caches)")


if __name__ == "__main__":
    main()
