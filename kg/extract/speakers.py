"""Who says what: the speaker of reported speech.

"…, sagte X", "X betonte, dass …", "Laut X …", "X zufolge …", "…, so X.", "X: …", and
indirect speech that runs on over sentences ("Russland müsse die Waffenruhe akzeptieren.")
belongs to the speaker of the sentence before, until the paragraph ends.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from spacy.tokens import Span

from kg.extract.attributes import is_genitive_attribute
from kg.extract.clauses import Clause, clause_of, is_speech_verb, main_ranges
from kg.extract.cues import reported_speech
from kg.extract.participants import clause_actors

if TYPE_CHECKING:
    from kg.extract.context import DocContext
    from kg.extract.engine import Scope


def note_speaker(s: Scope) -> None:
    """Remember who spoke in this sentence, for indirect speech in the next ones."""
    ctx = s.ctx
    for t in s.tokens:
        if is_speech_verb(ctx, t):
            clause = clause_of(t, s.clauses)
            own = [m for m in ctx.mentions_in(clause.range()) if not is_genitive_attribute(ctx, m)]
            pron = s.refer_pronouns(clause.range(), t.i) if not own else []
            if own or pron:
                s.disc.speaker = own[0].kb_id_ if own else pron[0]
                return
    source = attributed_source(ctx, s.sent)
    if source is not None:
        s.disc.speaker = source


def attributed_source(ctx: DocContext, sent: Span) -> str | None:
    """'Laut Lawrow müsse …', 'Wang Yi zufolge muss …', '…, so Rutte.', 'Merz: …'"""
    doc, lex = ctx.doc, ctx.lex
    first = ctx.mention_at.get(sent.start)
    if first is not None and first.end < sent.end and doc[first.end].text == ":":
        return first.kb_id_
    for m in ctx.sent_mentions(sent):
        prev = doc[m.start - 1] if m.start > sent.start else None
        prev2 = doc[m.start - 2] if m.start - 1 > sent.start else None
        after = doc[m.end] if m.end < sent.end else None
        if (prev is not None and prev.lower_ in lex.source_prepositions) or (after is not None and after.lower_ in lex.source_postpositions):
            return m.kb_id_
        if prev is not None and prev.lower_ in lex.attribution_so and prev2 is not None and prev2.text == ",":
            return m.kb_id_
    return None


def trailing_speaker(ctx: DocContext, sent: Span) -> str | None:
    """The actor of a closing attribution: '…", Zelensky said.' / '…, sagte Merz.'"""
    speech = [t for t in sent if is_speech_verb(ctx, t)]
    if not speech:
        return None
    last = speech[-1]
    comma = max((t.i for t in sent if t.text == "," and t.i < last.i), default=None)
    if comma is None:
        return None
    after = [m for m in ctx.mentions if comma < m.start < sent.end and not is_genitive_attribute(ctx, m)]
    return after[0].kb_id_ if after else None


def speaker(s: Scope, modal_clause: Clause) -> str | None:
    """The actor whose speech verb governs the sentence ("sagte X", "X betonte, dass").

    Indirect speech runs on over sentences: a sentence in Konjunktiv I without its own
    attribution ("Russland müsse die Waffenruhe akzeptieren.", "…, hieß es weiter.")
    belongs to the speaker of the sentence before."""
    ctx = s.ctx
    inside = range(modal_clause.start, modal_clause.end)
    speech_tokens = [t for t in s.tokens if is_speech_verb(ctx, t) and not (t.i in inside and t.i > modal_clause.start + 1)]
    if any(t.lower_ in ctx.lex.impersonal_speech for t in s.tokens) or not speech_tokens:
        source = attributed_source(ctx, s.sent)
        if source is None and reported_speech(ctx, modal_clause) and s.disc.speaker is not None:
            return s.disc.speaker
        return source
    tok = speech_tokens[0]
    clause = clause_of(tok, s.clauses)
    own = [m for m in clause_actors(ctx, clause.range(), s.consumed) if m.start not in inside]
    if own:
        return own[0].kb_id_
    pron = s.refer_pronouns(clause.range(), tok.i)
    if pron:
        return pron[0]
    main = [m for m in clause_actors(ctx, main_ranges(s.clauses), s.consumed) if m.start not in inside]
    return main[0].kb_id_ if main else None
