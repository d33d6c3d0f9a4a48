"""Clause segmentation: a sentence split at the commas, colons and dashes that end a clause.

The clause is the unit the rules work in. Each clause knows whether it is subordinate, and
main-clause pieces that a relative or subordinate clause interrupts share a ``group``
("Rubio, der sich in Istanbul aufhielt, traf …"); a new main clause ("…, eine Einigung gab
es aber nicht") starts a new group.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from spacy.tokens import Span, Token

if TYPE_CHECKING:
    from kg.extract.context import DocContext

# punctuation, not words: what may end a clause, and what always starts a new main clause
CLAUSE_BREAKS = frozenset({",", ";", ":", "–", "—"})
MAIN_CLAUSE_BREAKS = frozenset({";", ":", "–", "—", "-"})
SEGMENT_BREAKS = frozenset({",", ";", ":"})
QUOTES = frozenset({"„", "“", "”"})


@dataclass(frozen=True)
class Clause:
    start: int  # token index in the Doc
    end: int
    subordinate: bool
    group: int = 0  # main-clause pieces with one group id form one clause

    def range(self) -> list[tuple[int, int]]:
        return [(self.start, self.end)]


def split_clauses(ctx: DocContext, sent: Span) -> list[Clause]:
    toks = ctx.tokens[sent.start:sent.end]
    # (start, subordinate, new main group?)
    cuts: list[tuple[int, bool, bool]] = [(sent.start, opens_subordinate(ctx, toks, 0), True)]
    for k, tok in enumerate(toks[:-1]):
        if not (tok.text in CLAUSE_BREAKS or (tok.text == "-" and tok.whitespace_)):
            continue
        nxt = k + 1
        here = sent.start + nxt
        previous = toks[cuts[-1][0] - sent.start : k]
        if tok.text in MAIN_CLAUSE_BREAKS:
            cuts.append((here, False, True))
        elif opens_subordinate(ctx, toks, nxt):
            cuts.append((here, True, False))
        elif any(is_speech_verb(ctx, t) for t in previous) and not toks[nxt].is_punct:
            # "sagte über das Treffen, bei möglichen Gesprächen müssten …": reported speech
            cuts.append((here, True, False))
        elif toks[nxt].text[:1].islower() and is_speech_verb(ctx, toks[nxt]):
            cuts.append((here, False, True))  # ", sagte er", ", teilte … mit"
        elif not cuts[-1][1] and toks[nxt].pos_ not in ("VERB", "AUX") and has_finite(ctx, previous) and has_finite(ctx, toks[nxt : segment_end(toks, nxt)]):
            cuts.append((here, False, True))  # two main clauses joined by a comma
        elif cuts[-1][1] and k > 0 and toks[k - 1].text[:1].islower() and toks[k - 1].is_alpha:
            cuts.append((here, False, False))  # the main clause resumes after a relative clause
    clauses = []
    group = -1
    for idx, (start, sub, new_group) in enumerate(cuts):
        end = cuts[idx + 1][0] if idx + 1 < len(cuts) else sent.end
        if not sub and (new_group or group < 0):
            group += 1
        clauses.append(Clause(start, end, sub, group if not sub else -1 - idx))
    return clauses


def is_speech_verb(ctx: DocContext, tok: Token) -> bool:
    return tok.lower_ in ctx.lex.speech_verbs or tok.lemma_ in ctx.lex.speech_verbs


def segment_end(toks: list[Token], k: int) -> int:
    """The index (within the sentence ``toks``) of the next comma, semicolon or colon from ``k``."""
    j = k
    while j < len(toks) and toks[j].text not in SEGMENT_BREAKS:
        j += 1
    return j


def opens_subordinate(ctx: DocContext, toks: list[Token], k: int) -> bool:
    """Whether the ``k``-th token of the sentence ``toks`` opens a subordinate clause."""
    lex = ctx.lex
    if k >= len(toks):
        return False
    first = toks[k]
    if k == 0:
        # a sentence opening with a conjunction: "Nachdem …, …"; "Während" may be a preposition
        word = first.lower_
        if word in lex.conjunction_particles and len(toks) > 1:
            first, k = toks[1], 1
            word = first.lower_
        if word in lex.subordinators and word not in lex.ambiguous_subordinators:
            end = segment_end(toks, k)
            return end < len(toks) and verb_final(toks[k:end])
        return False
    word = first.lower_
    if word in lex.subordinators:
        return True
    if first.pos_ == "ADP" and k + 2 < len(toks) and toks[k + 1].lower_ in lex.relative_pronouns and toks[k + 2].pos_ not in ("NOUN", "ADJ", "PROPN"):
        return True  # "…, auf das sich London und Mauritius verständigt hatten"
    if word in lex.relative_pronouns:
        # "…, der USA und der Türkei": an article before a noun, not a relative pronoun
        nxt = toks[k + 1] if k + 1 < len(toks) else None
        if nxt is not None and (nxt.text[:1].isupper() or (nxt.text[:1].islower() and nxt.text.endswith(lex.weak_adjective_endings) and k + 2 < len(toks) and toks[k + 2].text[:1].isupper())):
            return False
        end = segment_end(toks, k)
        return verb_final(toks[k:end])
    return False


def has_finite(ctx: DocContext, segment: list[Token]) -> bool:
    """A finite verb outside any name ("Mosaad bin Mohammad": 'bin' is no verb here)."""
    return any(t.pos_ in ("VERB", "AUX") and "Fin" in t.morph.get("VerbForm") and t.i not in ctx.mention_at for t in segment)


def verb_final(segment: list[Token]) -> bool:
    words = [t for t in segment if not t.is_punct and not t.is_space and t.text not in QUOTES]
    if len(words) < 2:
        return False
    last = words[-1].text
    return last[:1].islower() and last.isalpha()


def clause_of(tok: Token, clauses: list[Clause]) -> Clause:
    for c in clauses:
        if c.start <= tok.i < c.end:
            return c
    return clauses[-1]


def main_ranges(clauses: list[Clause]) -> list[tuple[int, int]]:
    return [(c.start, c.end) for c in clauses if not c.subordinate]


def clause_ranges(tok: Token, clauses: list[Clause]) -> list[tuple[int, int]]:
    """The trigger's clause: a subordinate clause alone, a main clause with all its pieces."""
    c = clause_of(tok, clauses)
    if c.subordinate:
        return [(c.start, c.end)]
    return [(x.start, x.end) for x in clauses if not x.subordinate and x.group == c.group]


def in_open_question(ctx: DocContext, tok: Token) -> bool:
    """'Ob …, blieb offen', 'whether …': the trigger sits in an open question."""
    for c in ctx.clauses_at(tok):
        if c.start <= tok.i < c.end:
            first = ctx.doc[c.start]
            if first.lower_ in ctx.lex.conjunction_particles and c.start + 1 < c.end:
                first = ctx.doc[c.start + 1]
            return first.lower_ in ctx.lex.open_question_words
    return False


class LaterWords:
    """The lower-cased words after a token in its clause (where a separable particle stands),
    collected on first use: most tokens are no verb that needs them."""

    __slots__ = ("_lower", "_start", "_end", "_words")

    def __init__(self, lower: list[str], start: int, end: int):
        self._lower, self._start, self._end = lower, start, end
        self._words: set[str] | None = None

    @property
    def words(self) -> set[str]:
        if self._words is None:
            self._words = set(self._lower[self._start:self._end])
        return self._words

    def __contains__(self, word: object) -> bool:
        return word in self.words

    def __and__(self, other) -> set[str]:
        return self.words & other


def later_words(ctx: DocContext, tok: Token, clause: Clause) -> LaterWords:
    """The lower-cased words after ``tok`` in its clause."""
    return LaterWords(ctx.lower, tok.i + 1, clause.end)


def separable(tok: Token, table, later: LaterWords | set[str]) -> bool:
    """A separable verb of ``table`` (verb -> particle) with its particle later in the clause:
    'kamen … zusammen', 'rief … an'."""
    by_lemma, by_word = table.get(tok.lemma_.lower()), table.get(tok.lower_)
    return (by_lemma is not None and by_lemma in later) or (by_word is not None and by_word in later)


def verb_conjunct(ctx: DocContext, tok: Token, ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """'X hatte A empfangen und im Anschluss Gespräche mit B geführt': two verb phrases share
    the subject. The trigger's ranges narrowed to the field before the finite verb and the
    trigger's own conjunct; ``ranges`` when the clause coordinates no verb phrases."""
    doc, lex = ctx.doc, ctx.lex
    if len(ranges) != 1:
        return ranges
    cuts = []
    for a, b in ranges:
        for i in range(a + 1, b - 1):
            t = doc[i]
            if t.lower_ in lex.coordinators and doc[i - 1].pos_ in ("VERB", "AUX") and doc[i - 1].text[:1].islower():
                cuts.append(i)
    if not cuts:
        return ranges
    finite = next((doc[i] for a, b in ranges for i in range(a, b)
                   if doc[i].pos_ in ("VERB", "AUX") and "Fin" in doc[i].morph.get("VerbForm")), None)
    if finite is None or finite.i > cuts[0]:
        return ranges
    start, end = ranges[0][0], ranges[-1][1]
    bounds = [start] + cuts + [end]
    for lo, hi in zip(bounds, bounds[1:]):
        if lo <= tok.i < hi:
            own = (max(lo, finite.i + 1), hi)
            return [(start, finite.i + 1), own]
    return ranges
