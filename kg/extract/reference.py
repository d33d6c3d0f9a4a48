"""Actors named without a name: pronouns, group words and the parties in context.

Pure lookups against the discourse: they return keys and change nothing; the caller records
what a sentence referred to (``Scope.refer_pronouns``/``refer_group``).

- "er"/"sie" (singular) -> the first fitting person of this or the previous sentence;
  "sie"/"they" with a plural verb -> all actors of the previous sentence;
- "die beiden", "beide", "die vier", "alle drei" -> the last N persons mentioned;
- "beide Seiten", "die Seiten", "we", "man" -> the parties of the meeting in context.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from spacy.tokens import Span, Token

from kg.extract.attributes import is_genitive_attribute
from kg.extract.clauses import clause_of
from kg.extract.discourse import Discourse
from kg.model import Relation
from kg.nlp.new_actors import plural_role
from kg.registry import normalise_role

if TYPE_CHECKING:
    from kg.extract.context import DocContext
    from kg.model import Extraction, Place


def pronoun_antecedents(ctx: DocContext, disc: Discourse, ranges: list[tuple[int, int]], verb_i: int) -> list[str]:
    """The actors the pronouns in ``ranges`` stand for; ``verb_i`` is their verb."""
    doc, lex = ctx.doc, ctx.lex
    verb = doc[verb_i]
    # the finite verb carries number: "hätten sie das vereinbart" (not the participle)
    finite = [doc[i] for a, b in ranges for i in range(a, b) if doc[i].pos_ in ("VERB", "AUX") and "Fin" in doc[i].morph.get("VerbForm")]
    number_verb = finite[0] if finite and "Fin" not in verb.morph.get("VerbForm") else verb
    plural_verb = number_verb.text.endswith("en") or verb.lower_ in lex.plural_english_verbs
    keys: list[str] = []
    for a, b in ranges:
        for i in range(a, b):
            t = doc[i]
            if (t.lower_ in lex.plural_pronouns and plural_verb) or t.lower_ in lex.english_plural_pronouns:
                # the actors of the sentence before ("Die SOZ-Staaten einigten sich … Zum
                # Abschluss unterzeichneten sie …"), people and bodies alike
                keys.extend(disc.last_sentence_actors)
            elif t.lower_ in lex.demonstrative_pronouns and not (i + 1 < len(doc) and doc[i + 1].text[:1].isupper()):
                if disc.last_named_person:
                    keys.append(disc.last_named_person)
            elif t.lower_ in lex.singular_pronouns or (t.text in lex.plural_pronouns and t.i not in ctx.sent_start_tokens):
                gender = "f" if t.lower_ in lex.feminine_pronouns else "m"
                # a pronoun never means a co-argument of its own clause ("Trump empfing ihn")
                own = clause_of(t, ctx.clauses_at(t))
                sentence = ctx.sent_at[t.i].start
                candidates = [m for m in ctx.mentions if m.end <= t.i and m.label_ == "Person" and ctx.sent_at[m.start].start == sentence
                              and not is_genitive_attribute(ctx, m) and not (own.start <= m.start < own.end)]
                if candidates:
                    keys.append(candidates[0].kb_id_)
                    continue
                for key in disc.last_sentence_persons:
                    entry = ctx.registry.get(key)
                    if entry is None or entry.gender in (None, gender):
                        keys.append(key)
                        break
    return list(dict.fromkeys(keys))


def role_group(ctx: DocContext, out: Extraction, sent: Span, before: Token) -> list[str]:
    """'Die Außenminister vereinbarten …', 'haben die Staatsoberhäupter beider Länder …': a
    plural role noun without names stands for the persons of the meeting in context (those
    who hold that role, if two or more do)."""
    doc, lex = ctx.doc, ctx.lex
    for t in sent:
        if t.i > before.i + ctx.limits["group_window"]:
            break
        if t.i in ctx.mention_at or (t.i + 1) in ctx.mention_at or not plural_role(doc, t.i, lex):
            continue  # "die Präsidenten Trump und Selenskyj" name themselves
        meetings = [m for m in out.meetings if m.relation is Relation.MET_WITH and m.evidence[0].start < sent.start_char]
        if not meetings:
            return []
        latest = max(meetings, key=lambda m: m.evidence[0].start)
        persons = [k for members in latest.sides.values() for k in sorted(members) if ctx.type_of(k) == "Person"]
        stem = normalise_role(t.text)
        holding = [k for k in persons if stem in {normalise_role(r) for r in ctx.roles_of(k)}]
        return holding if len(holding) >= 2 else persons
    return []


def possessor(ctx: DocContext, disc: Discourse, noun: Token) -> list[str]:
    """'nach seinem Antrittsbesuch bei X': the person 'sein'/'ihr' stands for, from the
    sentence before (a possessive names the clause's topic, as 'er' does)."""
    doc, lex = ctx.doc, ctx.lex
    window = range(max(ctx.sent_at[noun.i].start, noun.i - ctx.limits["possessive_window"]), noun.i)
    poss = next((doc[k] for k in window if doc[k].lower_ in lex.possessive_determiners), None)
    if poss is None:
        return []
    gender = "m" if poss.lower_.startswith("sein") else "f"
    for key in disc.last_sentence_persons:
        entry = ctx.registry.get(key)
        if entry is None or entry.gender in (None, gender):
            return [key]
    return []


def numbered_group(ctx: DocContext, disc: Discourse, sent: Span, before: Token) -> list[str]:
    """'die beiden', 'beide', 'die vier', 'alle drei' -> the last N actors mentioned."""
    doc, lex = ctx.doc, ctx.lex
    for t in sent:
        if t.i >= before.i + ctx.limits["group_window"]:
            break
        n = lex.number_words.get(t.lower_)
        if n is None:
            continue
        prev = doc[t.i - 1].lower_ if t.i > sent.start else ""
        nxt = doc[t.i + 1] if t.i + 1 < len(doc) else None
        # "beide unterzeichneten", "die beiden Präsidenten" name persons; "beide Seiten",
        # "beide Regierungen" name the parties (see collective_subject)
        standalone = nxt is None or not nxt.text[:1].isupper() or nxt.i == before.i or (lex.is_role(nxt.text) and nxt.text not in lex.collective_nouns)
        if (prev in lex.group_determiners or t.lower_ in lex.bare_group_numbers) and standalone:
            recent = disc.most_recent(n)
            if len(recent) >= 2:
                return recent
    return []


def collective_subject(ctx: DocContext, sent: Span, tok: Token) -> str | None:
    """'beide Seiten', 'die Nachbarn', 'Sie' as the subject of the trigger ``tok``."""
    doc, lex, limits = ctx.doc, ctx.lex, ctx.limits
    for phrase in lex.collective_pronouns:
        idx = find_phrase(ctx, sent, phrase)
        if idx is not None and idx < tok.i + limits["collective_phrase_window"]:
            return " ".join(phrase).lower()
    for t in sent:
        if t.i >= tok.i + limits["collective_window"]:
            break
        nxt = doc[t.i + 1] if t.i + 1 < len(doc) else None
        # "… vereinbarten Abkommens zwischen beiden Ländern"
        near = t.i < tok.i + limits["collective_phrase_window"] or doc[t.i - 1].lower_ in lex.between_prepositions
        if near and t.lower_ in lex.both_words and nxt is not None and nxt.text in lex.collective_nouns:
            return "beide seiten"
        if t.lower_ in lex.pair_articles and nxt is not None and nxt.text in lex.pair_nouns and abs(nxt.i - tok.i) <= limits["collective_phrase_window"]:
            return "beide seiten"  # "einigten sich die Nachbarn darauf"
    first = sent[0].text if len(sent) else ""
    if first in lex.sentence_initial_plural and tok.i - sent.start <= limits["initial_pronoun_window"]:
        return "sie"
    return None


def first_plural_before(ctx: DocContext, sent: Span, tok: Token) -> bool:
    """'wir/we' or impersonal 'man' as the subject: the parties in context agreed."""
    return any(t.text in ctx.lex.first_person_plural or t.lower_ in ctx.lex.impersonal_subjects for t in sent if t.i < tok.i)


def impersonal(ctx: DocContext, sent: Span, tok: Token) -> bool:
    """'Es wurde vereinbart', 'Vereinbart worden sei', 'wurde … vereinbart'."""
    limits = ctx.limits
    start = max(sent.start, tok.i - limits["impersonal_before"])
    window = {ctx.doc[i].lower_ for i in range(start, min(sent.end, tok.i + limits["impersonal_after"]))}
    return bool(window & ctx.lex.impersonal_passive) or tok.i == sent.start


def context_parties(ctx: DocContext, out: Extraction, before_offset: int, place: Place | None = None) -> list[str]:
    """'beide Seiten', 'die Seiten', 'we': the parties of the meeting in context.

    The candidate meetings are those reported before the sentence (at the named place,
    if any); among them the one the article reports most often wins, then the latest."""
    # a meeting of the same sentence counts ("Man habe verabredet, …, sagte er nach seinem
    # Besuch bei X"): meetings are read before agreements
    candidates = [m for m in out.meetings if m.relation is Relation.MET_WITH and m.evidence[0].start <= before_offset]
    if place is not None:
        at_place = [m for m in candidates if m.place and m.place.key == place.key]
        candidates = at_place or candidates
    if candidates:
        latest = max(candidates, key=lambda m: m.evidence[0].start)
        if ctx.sentences_between(latest.evidence[0].start, before_offset) <= ctx.limits["context_sentences"]:
            return sorted(latest.sides)  # the meeting just reported
        weight: dict[frozenset, int] = {}
        for m in candidates:
            weight[frozenset(m.sides)] = weight.get(frozenset(m.sides), 0) + 1
        meeting = max(candidates, key=lambda m: (weight[frozenset(m.sides)], m.evidence[0].start))
        return sorted(meeting.sides)
    if out.agreements:
        return list(out.agreements[-1].parties)
    return []


def find_phrase(ctx: DocContext, sent: Span, phrase: tuple[str, ...]) -> int | None:
    """The token index where the words of ``phrase`` occur in ``sent`` (case-insensitive)."""
    toks = ctx.lower[sent.start:sent.end]
    n = len(phrase)
    low = [p.lower() for p in phrase]
    for k in range(len(toks) - n + 1):
        if toks[k : k + n] == low:
            return sent.start + k
    return None
