"""Cues that make a clause non-factual, negated, hedged, refused or reported.

Plans, announcements, negations, questions, willingness, hypotheses, rumours and generic
statements yield nothing; the word lists are in ``kg/data/lexicon.yaml``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from spacy.tokens import Token

from kg.extract.clauses import Clause, in_open_question

if TYPE_CHECKING:
    from kg.extract.context import DocContext


def non_factual(ctx: DocContext, ranges: list[tuple[int, int]], trigger: Token, meeting: bool,
                negated_clause: bool = True) -> bool:
    """The event of ``trigger`` is planned, negated, generic, rumoured or asked about.
    ``negated_clause=False``: a clause negation does not reach the trigger ("Bei seiner
    Begegnung mit X sparte er nicht mit Lob": the meeting took place)."""
    doc, lex = ctx.doc, ctx.lex
    if in_open_question(ctx, trigger):
        return True
    words = ctx.words_in(ranges)
    texts = {t.text for t in words}
    negation = lex.negation
    if meeting:
        # a meeting "ohne Einigung"/"ergebnislos" still happened; "kein(e)" negates only the
        # noun it stands before ("kein Treffen", not "dauerten keine zwei Stunden")
        determiners = lex.groups("negation", "determiner")
        negation = lex.negation - lex.groups("negation", "outcome") - determiners
        if not negated_clause:
            negation = frozenset()
        if any(doc[k].lower_ in determiners for k in range(max(0, trigger.i - 2), trigger.i)):
            return True
    if texts & lex.hedges or texts & negation or texts & lex.generic_cues or texts & lex.rumour_cues:
        return True
    lowers = {t.lower_ for t in words}
    if lowers & (lex.groups("hedges", "english") | (lex.groups("negation", "clause", "never") if negated_clause else frozenset())):
        return True  # also capitalised: "Nicht …", "Never …", "Will …"
    prev = doc[trigger.i - 1] if trigger.i > 0 else None
    if prev is not None and prev.lower_ in lex.infinitive_markers:
        return True  # infinitive: "um … zu beraten", "to meet"
    if meeting:
        if any(t.lower_ in lex.future_auxiliaries for t in words) and trigger.lower_ == trigger.lemma_.lower():
            return True  # future "wird … treffen"
        # "trafen … ein": arrived
        if any(t.lower_ in lex.arrival_particles and t.i > trigger.i and (t.i + 1 >= len(doc) or doc[t.i + 1].is_punct) for t in words):
            return True
        if texts & lex.existential_verbs and lowers & lex.existential_subjects:
            return True  # "Treffen … gab es nur vereinzelt"
    return False


def agreement_blocked(ctx: DocContext, ranges: list[tuple[int, int]], tok: Token) -> bool:
    """Negated or only intended agreeing. What was agreed may well lie in the future
    ("auf ein Gipfeltreffen in den kommenden Tagen geeinigt"), so only modal and
    intention words count, not future adjectives."""
    lex = ctx.lex
    before = [w for w in ctx.words_in(ranges) if w.i <= tok.i + 1]
    texts = {w.text for w in before}
    if texts & lex.negation or texts & lex.groups("hedges", "modal", "intention") or texts & lex.rumour_cues:
        return True
    return any(w.lower_ in lex.groups("hedges", "english") for w in before)


def refusal(ctx: DocContext, clause: Clause) -> bool:
    """'lehnt … ab', 'wies … zurück', 'rejected': no demand of the clause's subject."""
    lex = ctx.lex
    words = ctx.words_in(clause.range())
    lowers = {w.lower_ for w in words} | {w.lemma_.lower() for w in words}
    if lowers & lex.refusal_cues:
        return True
    # separable refusals: "wies … zurück", "lehnt … ab"
    return any(w.lemma_.lower() in lex.refusal_verbs or w.lower_ in lex.refusal_verbs for w in words) and bool(lowers & lex.refusal_particles)


def reported_speech(ctx: DocContext, clause: Clause) -> bool:
    """Konjunktiv I/II modals mark indirect speech ("müsse", "müssten", "dürfe", "solle")."""
    return any(ctx.doc[i].lower_ in ctx.lex.subjunctive_markers for i in range(clause.start, clause.end))
