"""Who takes part: the actors of a clause, of a noun phrase, of an English clause.

- ``clause_actors``: the mentions of a clause that are participants (no attributes, sources
  or actors a nominal trigger already took);
- ``phrase_actors``: the actors inside the phrase a meeting or agreement noun heads
  ("Treffen der Minister X und Y", "Gespräche zwischen X und Y", "russisch-amerikanische
  Gespräche", "Putins Treffen mit …");
- ``english_actors``: subject before the verb, objects after "with"/"by";
- ``sides``: actors grouped by the state or organisation they belong to.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from spacy.tokens import Span, Token

from kg.extract.attributes import (
    is_adjective,
    is_genitive_attribute,
    is_meet_noun,
    is_source_or_excluded,
)

if TYPE_CHECKING:
    from kg.extract.context import DocContext

ENGLISH_CLAUSE_BREAKS = frozenset({",", ";", ":", "–", "—"})


def clause_actors(ctx: DocContext, ranges: list[tuple[int, int]], consumed: set[int]) -> list[Span]:
    out = []
    for m in ctx.mentions_in(ranges):
        if m.start in consumed or is_genitive_attribute(ctx, m) or is_source_or_excluded(ctx, m):
            continue
        out.append(m)
    return out


def phrase_actors(ctx: DocContext, noun: Token, sent: Span) -> tuple[list[Span], int]:
    """Actors inside the phrase a meeting/agreement noun heads, and where the phrase ends.

    Right: "der Minister X und Y", "zwischen X und Y", "von X mit Y", "Lawrows mit Blinken".
    Left: nationality adjectives ("russisch-amerikanischen Gespräche") and a prenominal
    genitive ("Putins Treffen mit …")."""
    doc, lex = ctx.doc, ctx.lex
    found: list[Span] = []
    i = noun.i + 1
    while i < sent.end:
        t = doc[i]
        m = ctx.mention_at.get(i)
        if m is not None:
            if m.label_ != "Place" and not is_source_or_excluded(ctx, m):
                if not (m._.kg_genitive and m.label_ == "State" and m.end < len(doc) and lex.is_role(doc[m.end].text)):
                    found.append(m)
            i = m.end
            continue
        if t.lower_ in lex.np_skip_words or t.text in lex.host_nouns or (t.text[:1].isupper() and i > 0 and doc[i - 1].lower_ in lex.genitive_articles and lex.is_role(doc[i - 2].text)):
            i += 1  # "Delegation unter Leitung von X", "um den Leiter des Präsidialamts, X"
            continue
        if i == noun.i + 1 and t.lower_ in lex.visit_prepositions and is_meet_noun(ctx, noun):
            i += 1  # "Antrittsbesuch bei seinem Amtskollegen X"
            continue
        if t.lower_ in lex.np_function_words or lex.is_role(t.text) or lex.is_group(t.text):
            if t.text == "," and i + 1 < sent.end and not (doc[i + 1].lower_ in lex.np_function_words - {","} or doc[i + 1].i in ctx.mention_at or lex.is_role(doc[i + 1].text)):
                break
            i += 1
            continue
        if t.text[:1].isupper() and t.text.endswith(lex.weak_adjective_endings) and i + 1 < sent.end and (lex.is_role(doc[i + 1].text) or lex.is_group(doc[i + 1].text)):
            i += 1  # capitalised adjective in a title: "dem Nationalen Sicherheitsberater"
            continue
        if t.text[:1].islower() and t.text.isalpha() and is_adjective(ctx, t) and t.lower_ not in lex.subordinators:
            i += 1  # adjective ("vorigen", "russischen")
            continue
        if "-" in t.text and lex.is_role(t.text.rsplit("-", 1)[1]):
            i += 1
            continue
        break
    # left modifiers
    j = noun.i - 1
    steps = 0
    while j >= sent.start and steps < ctx.limits["phrase_left_modifiers"]:
        t = doc[j]
        m = ctx.mention_at.get(j)
        if m is not None:
            if m.label_ != "Place":
                found.append(m)
            break
        parts = [p for p in t.text.split("-") if p]
        keys = [ctx.registry.state_for_adjective(p) or _prefix_key(ctx, p) for p in parts]
        keys = [k for k in keys if k]
        if keys and (t.text[:1].islower() or "-" in t.text):
            for k in keys:
                found.append(_adjective_mention(ctx, j, k))
            j -= 1
            steps += 1
            continue
        break
    return found, i


def _prefix_key(ctx: DocContext, word: str) -> str | None:
    entry_key = ctx.registry.surface_forms.get(word)
    if entry_key and ctx.registry.get(entry_key[0]).type in ("State", "Organization"):
        return entry_key[0]
    return None


def _adjective_mention(ctx: DocContext, i: int, key: str) -> Span:
    """A nationality adjective ("russisch-") as a mention of its state."""
    span = Span(ctx.doc, i, i + 1, label=ctx.type_of(key), kb_id=key)
    span._.kg_kind = "adjective"
    return span


def after_preposition(ctx: DocContext, m: Span) -> bool:
    """'für ganz Europa', 'mit dem Präsidenten X': the mention sits in a prepositional phrase."""
    doc = ctx.doc
    k = m.start - 1
    while k >= 0 and (doc[k].pos_ in ("DET", "ADJ", "ADV") or ctx.lex.is_role(doc[k].text)) and m.start - k < ctx.limits["preposition_window"]:
        k -= 1
    return k >= 0 and doc[k].pos_ == "ADP"


def framed_by_subject(ctx: DocContext, noun: Token) -> bool:
    """'bei einem Treffen mit X', 'zu ihrem Treffen', 'während seines Besuchs bei X', 'beendete
    die Begegnung mit X': the clause's subject is the other participant."""
    doc, lex = ctx.doc, ctx.lex
    prev = [doc[k] for k in range(max(ctx.sent_at[noun.i].start, noun.i - ctx.limits["frame_window"]), noun.i)]
    possessive = any(t.lower_ in lex.possessive_determiners for t in prev[-ctx.limits["possessive_window"]:])
    framing = any(t.lower_ in lex.framing_prepositions for t in prev)
    definite = bool(prev) and prev[-1].lower_ in lex.definite_articles
    partner = noun.i + 1 < len(doc) and doc[noun.i + 1].lower_ in lex.partner_prepositions
    return possessive or ((framing or definite) and partner)


def framed_occasion(ctx: DocContext, noun: Token) -> bool:
    """'Während eines Gipfels in Camp David haben X, Y und Z … vereinbart': a meeting noun in a
    framing phrase whose clause has a plural subject of its own."""
    doc, lex = ctx.doc, ctx.lex
    # the preposition governs the noun: "während eines Gipfels", not "nach Jahren Pause Gespräche"
    k = noun.i - 1
    start = max(ctx.sent_at[noun.i].start, noun.i - ctx.limits["frame_window"])
    while k > start and (doc[k].pos_ in ("DET", "ADJ", "NUM") or doc[k].lower_ in lex.possessive_determiners):
        k -= 1
    return k >= start and doc[k].lower_ in lex.framing_prepositions


def finite_verb(ctx: DocContext, ranges: list[tuple[int, int]]) -> Token | None:
    """The first finite verb of a clause (outside names)."""
    for a, b in ranges:
        for i in range(a, b):
            t = ctx.doc[i]
            if t.pos_ in ("VERB", "AUX") and "Fin" in t.morph.get("VerbForm") and i not in ctx.mention_at:
                return t
    return None


def english_actors(ctx: DocContext, tok: Token, sent: Span, consumed: set[int]) -> list[Span]:
    """English SVO: subject before the verb, objects after 'with'/'by' until a cut word."""
    doc, lex = ctx.doc, ctx.lex
    # the subject: mentions between the previous clause break and the verb
    left = tok.i - 1
    while left > sent.start and doc[left].text not in ENGLISH_CLAUSE_BREAKS:
        left -= 1
    members = [m for m in ctx.sent_mentions(sent) if left <= m.start and m.end <= tok.i and m.start not in consumed and not is_genitive_attribute(ctx, m)]
    i = tok.i + 1
    while i < sent.end and doc[i].lower_ not in lex.english_phrase_cuts:
        if doc[i].text == "," and i + 1 < sent.end and doc[i + 1].lower_ not in lex.english_conjunctions and (i + 1) not in ctx.mention_at:
            break  # ", the team chosen by …": an apposition, not another participant
        m = ctx.mention_at.get(i)
        if m is not None:
            if not is_genitive_attribute(ctx, m) and m.label_ != "Place":
                members.append(m)
            i = m.end
            continue
        i += 1
    return members


def allied_states(ctx: DocContext, members: list[Span], ranges: list[tuple[int, int]]) -> dict[str, str]:
    """'Die Sicherheitsberater Deutschlands, Frankreichs und Großbritanniens kamen mit der
    ukrainischen Delegation zusammen': states coordinated on one side of a "mit" phrase
    meet the partner, not each other. Returns state key -> key of the side it joins."""
    doc = ctx.doc
    mit = [i for a, b in ranges for i in range(a, b) if doc[i].lower_ in ctx.lex.comitative_prepositions]
    if not mit:
        return {}
    cut = mit[0]
    groups = ([m for m in members if m.start < cut], [m for m in members if m.start > cut])
    allies: dict[str, str] = {}
    for group in groups:
        states = [m.kb_id_ for m in group if m.label_ in ("State", "Organization") and ctx.party(m.kb_id_) == m.kb_id_]
        states = list(dict.fromkeys(states))
        if len(states) >= 2 and not any(m.label_ == "Person" for m in group):
            for key in states[1:]:
                allies[key] = states[0]
    return allies


def sides(ctx: DocContext, keys: list[str], allies: dict[str, str] | None = None) -> dict[str, set[str]]:
    """Actors grouped by their party (state or organisation); allied states join a side."""
    out: dict[str, set[str]] = {}
    for key in dict.fromkeys(keys):
        party = ctx.party(key)
        out.setdefault((allies or {}).get(party, party), set()).add(key)
    return out


def party_count(ctx: DocContext, keys) -> int:
    return len({ctx.party(k) for k in keys})
