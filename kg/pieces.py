"""Long documents in pieces: a document is annotated and extracted in pieces of at most
PIECE_CHARS characters, cut between paragraphs (else between sentences, else between
words), and the pieces' findings are joined with their offsets in the whole text.

Why: spaCy refuses texts over ``nlp.max_length`` (1,000,000 characters) and the memory of a
Doc grows with its length, while kg's rules look at a sentence and its neighbours. A piece
is far longer than any news article, so articles are one piece and come out exactly as
before; what a piece boundary costs is only the context across it (a pronoun whose
antecedent is in the previous piece).
"""
from __future__ import annotations

import re
from dataclasses import replace

from kg.model import Evidence, Extraction

PIECE_CHARS = 200_000

_CUTS = (re.compile(r"\n[ \t]*\n"), re.compile(r"\n"), re.compile(r"[.!?][\"'»«“”]?\s"), re.compile(r"\s"))


def pieces(text: str, limit: int | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` of consecutive pieces covering ``text``, each at most ``limit``
    (default PIECE_CHARS) long."""
    limit = limit or PIECE_CHARS
    spans, start = [], 0
    while len(text) - start > limit:
        end = _cut(text, start, start + limit)
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))
    return spans


def _cut(text: str, start: int, hard_end: int) -> int:
    """The best place to end a piece in text[start:hard_end]: the last paragraph break in
    its second half, else the last line break, sentence end or space there."""
    window_start = start + (hard_end - start) // 2
    window = text[window_start:hard_end]
    for pattern in _CUTS:
        matches = list(pattern.finditer(window))
        if matches:
            return window_start + matches[-1].end()
    return hard_end


def shifted(extraction: Extraction, offset: int) -> Extraction:
    """The findings of a piece, with character offsets in the whole document."""
    if offset == 0:
        return extraction

    def move(evidence: list[Evidence]) -> list[Evidence]:
        return [replace(e, start=e.start + offset, end=e.end + offset) for e in evidence]

    return Extraction(
        meetings=[replace(m, evidence=move(m.evidence)) for m in extraction.meetings],
        agreements=[replace(a, evidence=move(a.evidence)) for a in extraction.agreements],
        demands=[replace(d, evidence=move(d.evidence)) for d in extraction.demands],
        participations=[replace(p, evidence=move([p.evidence])[0], offset=p.offset + offset)
                        for p in extraction.participations],
        mentioned=extraction.mentioned,
        new_actors=extraction.new_actors,
    )


def joined(parts: list[Extraction]) -> Extraction:
    """One document's findings from those of its pieces (in order)."""
    if len(parts) == 1:
        return parts[0]
    whole = Extraction()
    for part in parts:
        whole.meetings += part.meetings
        whole.agreements += part.agreements
        whole.demands += part.demands
        whole.participations += part.participations
        for key, forms in part.mentioned.items():
            whole.mentioned.setdefault(key, set()).update(forms)
        for key, actor in part.new_actors.items():
            whole.new_actors.setdefault(key, actor)
    return whole
