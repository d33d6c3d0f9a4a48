"""Agreements (relation agreed-to).

- ``agree.verb``: an agreeing verb and the parties of its clause ("einigten sich auf",
  "vereinbarten", "kamen überein", "erzielten eine Einigung", "seien sich einig, dass",
  English "agreed"); "beide Seiten", "wir", "man" and impersonal passives take the parties
  of the meeting in context;
- ``agree.noun``: an agreement noun and the parties of its phrase ("die Vereinbarung
  zwischen X und Y über …");
- ``meet.delegations-agreed``: delegations that agreed on something met.

Persons who agree for their state make the state a party too. One side agreeing with itself
("Trump unterzeichnete ein Dekret") or pledging something is no agreement.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from spacy.tokens import Token

from kg.extract.attributes import is_agree_noun
from kg.extract.clauses import clause_of, clause_ranges, later_words, separable
from kg.extract.content import (
    content_after,
    content_before,
    list_items_after,
    relative_antecedent,
    trim,
    zu_infinitive_follows,
)
from kg.extract.cues import agreement_blocked, non_factual
from kg.extract.meetings import add_meeting, support_verb_for
from kg.extract.participants import clause_actors, party_count, phrase_actors
from kg.extract.reference import (
    collective_subject,
    context_parties,
    first_plural_before,
    impersonal,
)
from kg.extract.setting import date_in, place_in
from kg.model import AgreementRecord

if TYPE_CHECKING:
    from kg.extract.engine import Scope

RULES = frozenset({"agree.noun", "agree.verb", "meet.delegations-agreed"})


def add_agreement(s: Scope, rule_id: str, parties: list[str], content: str, date: str | None, trigger: str | None = None) -> None:
    rule = s.ctx.rules[rule_id]
    s.out.agreements.append(AgreementRecord(parties, content, [s.evidence], date, rule.extracted_by(trigger), rule.confidence))


def with_states(s: Scope, keys: list[str]) -> list[str]:
    """Persons agreeing for their state make the state a party too."""
    out = list(dict.fromkeys(keys))
    for key in list(out):
        if s.ctx.type_of(key) == "Person":
            party = s.ctx.party(key)
            if party != key and party not in out:
                out.append(party)
    return out


# ------------------------------------------------------------------ nominal agreements

def nominal_agreements(s: Scope) -> None:
    for tok in s.tokens:
        if is_agree_noun(s.ctx, tok) and not support_verb_for(s, tok, agree=True):
            nominal_agreement(s, tok)
            s.handled_nouns.add(tok.i)


def nominal_agreement(s: Scope, noun: Token) -> None:
    """agree.noun: 'die Vereinbarung zwischen X und Y über …'."""
    ctx, lex = s.ctx, s.ctx.lex
    members, end = phrase_actors(ctx, noun, s.sent)
    s.consume(members)
    if not members:
        agreement_terms(s, noun)
        return
    prev = [ctx.doc[k] for k in range(max(s.sent.start, noun.i - ctx.limits["noun_left_window"]), noun.i)]
    if any(t.text in lex.hedges or t.text in lex.negation for t in prev):
        return
    if prev and prev[-1].lower_ in lex.indefinite_articles:
        return  # "sich auf eine Vereinbarung einlassen": no particular agreement
    clause = clause_of(noun, s.clauses)
    if non_factual(ctx, clause.range(), noun, meeting=False):
        return
    content = content_after(ctx, end, s.sent, skip_leading=True, clause_only=True)
    verb = next((t for t in ctx.doc[end : s.sent.end] if t.pos_ in ("VERB", "AUX")), None)
    if verb is not None and content and verb.i < s.sent.end and ctx.doc[verb.i].idx < ctx.doc[end].idx + len(content) + 1 and noun.text not in lex.agree_nouns:
        # "Nach einem … Waffenruheabkommen zwischen X und Y hatten sich …": the phrase ends at the verb
        content = trim([t for t in ctx.doc[end : verb.i] if not t.is_space and not t.is_punct])
    if noun.text not in lex.agree_nouns:
        # a compound names what was agreed: "Waffenruheabkommen", "Freihandelsabkommen"
        content = " ".join(x for x in (noun.text, content) if x)
    if not content:
        return
    add_agreement(s, "agree.noun", with_states(s, [m.kb_id_ for m in members]), content, date_in(ctx, [(noun.i, end)], noun))


def agreement_terms(s: Scope, noun: Token) -> None:
    """agree.noun: 'Die Vereinbarung enthält eine Feuerpause', 'Das Abkommen sieht vor, dass
    …': the terms of the agreement the article reported, with its parties."""
    ctx, lex = s.ctx, s.ctx.lex
    doc = ctx.doc
    if noun.i == 0 or doc[noun.i - 1].lower_ not in lex.definite_articles and not any(
            doc[k].lower_ in lex.definite_articles for k in range(max(s.sent.start, noun.i - ctx.limits["noun_left_window"]), noun.i)):
        return
    clause = clause_of(noun, s.clauses)
    verb = next((t for t in doc[noun.i + 1 : clause.end] if t.lower_ in lex.terms_verbs and t.pos_ in ("VERB", "AUX")), None)
    if verb is None:
        verb = next((t for t in doc[clause.start : noun.i] if t.lower_ in lex.terms_verbs and t.pos_ in ("VERB", "AUX")), None)
    # the agreement exists; media reports of its terms are no rumour of it, only a negation counts
    if verb is None or {w.text for w in ctx.words_in(clause.range())} & lex.negation:
        return
    if not s.out.agreements:
        return
    parties = list(s.out.agreements[-1].parties)
    start = max(verb.i, noun.i) + 1
    content = content_after(ctx, start, s.sent, skip_leading=True)
    words = content.split()
    if words and words[0] == "vor":
        content = " ".join(words[1:]).lstrip(", ")
        if content.startswith("dass "):
            content = content[5:]
    if content:
        add_agreement(s, "agree.noun", parties, content, date_in(ctx, [(clause.start, clause.end)], noun))


# ------------------------------------------------------------------ verbal agreements

def is_agree_trigger(s: Scope, tok: Token) -> bool:
    ctx, lex = s.ctx, s.ctx.lex
    doc = ctx.doc
    low, lemma = tok.lower_, tok.lemma_.lower()
    if low in lex.agree_english:
        return True
    if tok.tag_ == "ADJA":
        # "ein im Juni unterzeichnetes Abkommen zwischen X und Y": the noun and its phrase are
        # the trigger; only "… zwischen beiden Ländern" leaves the parties to the verb's context
        noun = next((t for t in doc[tok.i + 1 : tok.i + 3] if is_agree_noun(ctx, t)), None)
        return noun is not None and not phrase_actors(ctx, noun, ctx.sent_at[tok.i])[0] and (low in lex.agree_verbs or lemma in lex.agree_verbs)
    if tok.text[:1].isupper() and tok.i not in ctx.sent_start_tokens:
        return False
    if low in lex.agree_verbs or lemma in lex.agree_verbs:
        return True
    clause = clause_of(tok, s.clauses)
    if (low in lex.agree_support_verbs or lemma in lex.agree_support_verbs) and any(
        is_agree_noun(ctx, doc[i]) for i in range(clause.start, clause.end)
    ):
        return True  # "erzielten eine Einigung über …", "schlossen ein Abkommen"
    if low in lex.agree_consensus and tok.i > clause.start and any(doc[i].lower_ in lex.reflexive_pronouns for i in range(clause.start, tok.i)):
        return True  # "Beide Seiten seien sich einig, dass …"
    if lemma in lex.pledge_verbs and ((tok.i + 1 < clause.end and doc[tok.i + 1].lower_ in lex.reflexive_pronouns)
                                      or any(doc[i].lower_ in lex.reflexive_pronouns for i in range(clause.start, tok.i))):
        return True  # "verpflichten sich beide Staaten, …", "hätten sich dazu verpflichtet" (two sides only)
    return separable(tok, lex.agree_separable, later_words(ctx, tok, clause))


def verbal_agreements(s: Scope) -> None:
    for tok in s.tokens:
        if is_agree_trigger(s, tok):
            verbal_agreement(s, tok)


def verbal_agreement(s: Scope, tok: Token) -> None:
    """agree.verb: the parties of the clause of an agreeing verb."""
    ctx, lex, limits = s.ctx, s.ctx.lex, s.ctx.limits
    doc, sent = ctx.doc, s.sent
    if tok.i > sent.start and doc[tok.i - 1].lower_ in lex.infinitive_markers:
        return
    clause = clause_of(tok, s.clauses)
    ranges = clause_ranges(tok, s.clauses)
    # negation and hedges in the trigger's own clause only (content may be hedged)
    own = clause.range()
    if agreement_blocked(ctx, own, tok):
        return
    inverted = limits["subject_after_verb"]
    members = [m for m in clause_actors(ctx, own if clause.subordinate else ranges, s.consumed)
               if m.end <= tok.i or clause.subordinate or doc[tok.i - 1].lower_ in lex.perfect_auxiliaries or m.start - tok.i <= inverted]
    # V2 with inversion: "Gestern vereinbarten die USA und Russland …"
    keys = [m.kb_id_ for m in members if m.start < tok.i or (m.start > tok.i and m.start - tok.i <= inverted)]
    collective = collective_subject(ctx, sent, tok)
    if collective or not keys or first_plural_before(ctx, sent, tok):
        context = context_parties(ctx, s.out, s.evidence.start, place_in(ctx, [(sent.start, sent.end)]))
        keys = context if (collective or first_plural_before(ctx, sent, tok) or impersonal(ctx, sent, tok)) else keys
    group = s.refer_group(tok) or s.refer_roles(tok)
    if group:
        keys = group
    if collective:
        # "beide Länder" when the sentence itself names two sides ("Die Außenminister
        # Bairamow und Mirsojan paraphierten …, auf den sich beide Länder verständigt hatten")
        named = list(dict.fromkeys(m.kb_id_ for m in clause_actors(ctx, [(sent.start, sent.end)], s.consumed) if m.start < tok.i))
        if party_count(ctx, named) >= 2:
            keys = named
        elif not keys:
            # nothing in context: "beider Länder" are the two states the sentence names, even
            # as attributes ("Im Streit um eine Region Guyanas, den Venezuela …")
            states = list(dict.fromkeys(m.kb_id_ for m in ctx.sent_mentions(sent) if m.label_ == "State"))
            if len(states) == 2:
                keys = states
    if party_count(ctx, keys) < 2 and not collective:
        # "mit dem Kreml-Chef habe er vereinbart": a pronoun subject beside a named partner
        pronouns = s.refer_pronouns([(clause.start, min(clause.end, tok.i + limits["pronoun_window"]))], tok.i)
        keys = list(dict.fromkeys(keys + pronouns))
    if not keys:
        return
    if (tok.lower_ in lex.decide_verbs or tok.lemma_.lower() in lex.decide_verbs) and party_count(ctx, keys) < 2:
        return  # "Die EU beschloss Sanktionen": one body deciding is no agreement
    if not agreeing_sides(s, keys, tok, collective):
        return  # "Trump unterzeichnete ein Dekret": one side signing is no agreement
    parties = with_states(s, keys)
    for content in agreement_contents(s, tok):
        # the date of the agreeing, not a date inside what was agreed ("ab Mittwoch")
        add_agreement(s, "agree.verb", parties, content, date_in(ctx, [(clause.start, tok.i + 1)], tok), trigger=tok.lemma_ or tok.lower_)
    if any(word in doc[i].text for a, b in ranges for i in range(a, b) if i < tok.i for word in lex.delegation_words):
        add_meeting(s, "meet.delegations-agreed", keys, tok, ranges=ranges)


def agreeing_sides(s: Scope, keys: list[str], tok: Token, collective: str | None) -> bool:
    """An agreement needs two sides, or a body whose members agree among themselves."""
    ctx, lex = s.ctx, s.ctx.lex
    if collective or party_count(ctx, keys) >= 2:
        return True
    if tok.lemma_.lower() in lex.pledge_verbs or tok.lower_.startswith(lex.pledge_prefixes):
        return False  # a one-sided pledge
    return any(ctx.type_of(k) == "Organization" for k in keys)  # "Die SOZ-Staaten einigten sich"


def agreement_contents(s: Scope, tok: Token) -> list[str]:
    ctx, lex = s.ctx, s.ctx.lex
    doc, sent = ctx.doc, s.sent
    start = tok.i + 1
    clause = clause_of(tok, s.clauses)
    # separable particle ("kamen überein"): content starts after the particle
    for i in range(tok.i + 1, clause.end):
        if doc[i].lower_ in lex.agreement_particles:
            start = i + 1
            break
    if tok.i > clause.start and doc[tok.i - 1].lower_ in lex.anaphoric_objects and (tok.i + 1 >= sent.end or doc[tok.i + 1].is_punct):
        # "Bei ihrer Zusammenkunft hätten sie das vereinbart": what the sentence before said
        before_sent = [x for x in ctx.sentences if x.end <= sent.start]
        if before_sent:
            return [trim([t for t in before_sent[-1] if not t.is_space])]
    antecedent = relative_antecedent(ctx, clause)
    if antecedent:
        # "das Chagos-Abkommen, auf das sich London und Mauritius verständigt hatten"
        return [antecedent]
    after = content_after(ctx, start, sent, skip_leading=True)
    before = content_before(ctx, tok, clause)
    verb_final = start >= sent.end or doc[start].is_punct or start >= clause.end
    opens_content = start + 1 < sent.end and (doc[start + 1].lower_ in lex.complementisers or zu_infinitive_follows(ctx, start, sent))
    # "… hatten sich darauf verständigt, ab 17 Uhr …": the pronominal adverb points forward
    points_ahead = bool(before) and before.split()[-1].lower() in lex.content_skip_words
    if before and verb_final and not opens_content and not (points_ahead and after):
        # "… auf Regeln für Patrouillen verständigt, wo es 2020 …": the object precedes
        # the verb; what follows the comma is another clause
        return [before]
    if after and after.rstrip(":").strip():
        return [after]
    # verb-final: "… haben … Gespräche über X vereinbart"
    if before:
        return [before]
    # "We agreed to:" followed by list items in the next sentences
    if sent.text.rstrip().endswith(":"):
        return list_items_after(ctx, sent)
    return []
