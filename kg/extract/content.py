"""What was agreed or demanded: the content span of a trigger.

After the trigger up to the attribution ("…, teilten beide Seiten mit"), before a
verb-final trigger ("… haben sich auf X geeinigt"), the antecedent of a relative clause
("das Abkommen, auf das sich … verständigt hatten"), or list items after a colon.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from spacy.tokens import Span, Token

from kg.extract.clauses import Clause, is_speech_verb

if TYPE_CHECKING:
    from kg.extract.context import DocContext

# punctuation, not words: quotes stripped from the edges of a content span
TRAILING_QUOTES = frozenset({"„", "“", "”", "\"", "«", "»"})
LEADING_QUOTES = frozenset({"„", "“", "”", "\""})


def content_after(ctx: DocContext, start: int, sent: Span, skip_leading: bool, clause_only: bool = False) -> str:
    lex = ctx.lex
    words = [ctx.doc[k] for k in range(start, sent.end)]
    if words and is_speech_verb(ctx, words[0]):
        return ""  # "…geeinigt, sagte Medinski": nothing follows the trigger
    for k, w in enumerate(words):
        if w.text == "," and k + 1 < len(words) and is_speech_verb(ctx, words[k + 1]):
            words = words[:k]
            break
    if skip_leading:
        while words and (words[0].text in lex.content_skip_words or words[0].is_punct or words[0].is_space):
            words = words[1:]
    if clause_only:
        # stop where the next clause begins: ", führten …"
        for k, w in enumerate(words):
            if w.text == "," and k + 1 < len(words) and words[k + 1].text[:1].islower() and words[k + 1].lower_ not in lex.np_function_words and words[k + 1].lower_ not in lex.content_continuations:
                words = words[:k]
                break
    # cut a trailing attribution: ", teilten beide Seiten mit", ", sagte Uschakow"
    for k, w in enumerate(words):
        if w.text == "," and k + 1 < len(words) and (is_speech_verb(ctx, words[k + 1]) or words[k + 1].lower_ in lex.content_cut_words):
            words = words[:k]
            break
    return trim(words)


def content_before(ctx: DocContext, tok: Token, clause: Clause) -> str:
    """Verb-final clauses: '… haben sich … auf X geeinigt' -> X (after the auxiliary or the
    last participant, whichever is later; genitive attributes stay inside X)."""
    doc, lex = ctx.doc, ctx.lex
    start = clause.start
    for k in range(tok.i - 1, clause.start - 1, -1):
        m = ctx.mention_at.get(k)
        if (m is not None and not m._.kg_genitive) or doc[k].lower_ in lex.content_auxiliaries:
            start = k + 1
            break
    words = [doc[k] for k in range(start, tok.i)]
    while words and (words[0].text in lex.content_skip_words or words[0].is_punct):
        words = words[1:]
    text = join(words)
    return text if len(words) >= 2 else ""


def relative_antecedent(ctx: DocContext, clause: Clause) -> str:
    """A relative clause 'auf das/den/die …' names what was agreed before its comma."""
    doc, lex = ctx.doc, ctx.lex
    if not clause.subordinate or clause.end - clause.start < 3:
        return ""
    first, second = doc[clause.start], doc[clause.start + 1]
    if first.lower_ not in lex.agreement_relative_prepositions or second.lower_ not in lex.relative_pronouns:
        return ""
    k = clause.start - 1
    if k < 0 or doc[k].text != ",":
        return ""
    j = k - 1
    while j > doc[k].sent.start and k - j < ctx.limits["antecedent_window"] and not doc[j].is_punct and doc[j].pos_ not in ("VERB", "AUX", "ADP"):
        j -= 1
    words = [t for t in doc[j + 1 : k] if not t.is_space]
    # one noun is enough here: "das Chagos-Abkommen"
    return join(words) if words and any(t.pos_ in ("NOUN", "PROPN") for t in words) else ""


def zu_infinitive_follows(ctx: DocContext, start: int, sent: Span) -> bool:
    """', X zu tun' / ', X aufzunehmen' right after the verb: the agreed content
    (not ', wo es zu Zusammenstößen kam', where 'zu' is a preposition)."""
    lex = ctx.lex
    nxt = ctx.doc[start + 1] if start + 1 < sent.end else None
    if nxt is None or (nxt.lower_ in lex.subordinators and nxt.lower_ not in lex.ambiguous_subordinators) or nxt.lower_ in lex.relative_pronouns and nxt.pos_ == "PRON":
        return False
    for w in ctx.doc[start + 1 : min(sent.end, start + ctx.limits["zu_infinitive_window"])]:
        if w.text in {",", ";"} and w.i > start + 1:
            return False
        if w.tag_ in ("PTKZU", "VVIZU") or (not w.tag_ and w.lower_ in lex.infinitive_markers):
            return True
    return False


def list_items_after(ctx: DocContext, sent: Span) -> list[str]:
    """'We agreed to:' followed by list items in the next sentences."""
    items: list[str] = []
    started = False
    for s in ctx.sentences:
        if not started:
            started = s.start == sent.start
            continue
        text = s.text.strip()
        if not text:
            continue
        first = text.split()[0]
        if first in ctx.lex.list_item_stops or len(items) >= ctx.limits["list_items"]:
            break
        items.append(" ".join(text.split()))
    return items


def without_attribution(ctx: DocContext, words: list[Token]) -> list[Token]:
    """Drop 'Laut X', 'X zufolge' and ', so X' from a demand's content."""
    doc, lex = ctx.doc, ctx.lex
    drop: set[int] = set()
    for w in words:
        m = ctx.mention_at.get(w.i)
        if m is None or w.i != m.start:
            continue
        prev = doc[m.start - 1] if m.start > 0 else None
        after = doc[m.end] if m.end < len(doc) else None
        if prev is not None and prev.lower_ in lex.source_prepositions:
            drop |= set(range(prev.i, m.end))
        elif after is not None and after.lower_ in lex.source_postpositions:
            drop |= set(range(m.start, after.i + 1))
        elif prev is not None and prev.lower_ in lex.attribution_so and m.start >= 2 and doc[m.start - 2].text == ",":
            drop |= set(range(m.start - 2, m.end))
    return [w for w in words if w.i not in drop]


def trim(words: list[Token]) -> str:
    """Content text without leading/trailing punctuation and quotes (at least two words)."""
    while words and (words[-1].is_punct or words[-1].is_space or words[-1].text in TRAILING_QUOTES) and words[-1].text != ")":
        words = words[:-1]
    while words and (words[0].is_punct or words[0].is_space or words[0].text in LEADING_QUOTES):
        words = words[1:]
    return join(words) if len(words) >= 2 else ""


def join(tokens: list[Token]) -> str:
    return "".join(t.text_with_ws for t in tokens).strip().replace("\n", " ")
