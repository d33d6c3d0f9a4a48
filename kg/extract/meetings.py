"""Meetings and phone calls (relations met-with and phone-call).

- ``meet.verb``: a meeting verb and the actors of its clause ("traf", "empfing", "kamen …
  zusammen", "sprach am Rande … mit", "Gespräche führen", English "met with", "hosted");
- ``meet.participation``: "nahm an dem Treffen teil", "wurde von X begleitet": participants of
  a meeting reported elsewhere (joined to it in kg.resolve), or a meeting of their own;
- ``meet.noun``: a meeting noun and the actors of its phrase ("das Treffen von X mit Y",
  "bei einem Treffen mit X unterzeichnete Y");
- ``meet.en.phrase``: "X and Y held talks";
- ``call.verb`` / ``call.noun``: "telefonierte mit", "rief … an", "im Telefonat zwischen".
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from spacy.tokens import Token

from kg.extract.attributes import (
    between_phrase_of_noun,
    is_genitive_attribute,
    is_meet_noun,
)
from kg.extract.clauses import (
    clause_of,
    clause_ranges,
    later_words,
    main_ranges,
    separable,
    verb_conjunct,
)
from kg.extract.cues import non_factual
from kg.extract.participants import (
    after_preposition,
    allied_states,
    clause_actors,
    english_actors,
    finite_verb,
    framed_by_subject,
    framed_occasion,
    party_count,
    phrase_actors,
    sides,
)
from kg.extract.reference import find_phrase, possessor
from kg.extract.setting import event_date, event_place, place_in, with_governing_clause
from kg.model import MeetingRecord, Participation, Relation

if TYPE_CHECKING:
    from kg.extract.engine import Scope

MEET_VERB, PARTICIPATION = "meet.verb", "meet.participation"
RULES = frozenset({"call.noun", "call.verb", "meet.noun", MEET_VERB, PARTICIPATION, "meet.en.phrase"})


def add_meeting(s: Scope, rule_id: str, keys: list[str], tok: Token, trigger: str | None = None,
                ranges: list[tuple[int, int]] | None = None, allies: dict[str, str] | None = None,
                clause_place: bool = True) -> None:
    """Record a meeting or call of ``keys`` if they form two sides; date and place come from
    ``ranges`` (the trigger's clause or phrase), else from the whole sentence."""
    ctx = s.ctx
    grouped = sides(ctx, keys, allies or {})
    if len(grouped) < 2:
        return
    rule = ctx.rules[rule_id]
    whole = [(s.sent.start, s.sent.end)]
    s.out.meetings.append(MeetingRecord(
        relation=rule.relation,
        sides=grouped,
        evidence=[s.evidence],
        date=event_date(ctx, with_governing_clause(ctx, ranges, s.sent) if ranges else whole, s.sent, tok),
        # a call has no place but its own; a meeting looks further (its clause, the context)
        place=(place_in(ctx, ranges or whole) if rule.relation is Relation.PHONE_CALL
               else event_place(ctx, ranges or whole, clause_ranges(tok, s.clauses), s.sent) if clause_place
               else place_in(ctx, ranges or whole)),
        rule=rule.extracted_by(trigger),
        confidence=rule.confidence,
    ))


# ------------------------------------------------------------------ phone calls

def nominal_calls(s: Scope) -> None:
    """call.noun: 'im Telefonat zwischen Macron und Selenskyj'."""
    ctx = s.ctx
    for tok in s.tokens:
        if tok.text not in ctx.lex.phone_nouns:
            continue
        members, _ = phrase_actors(ctx, tok, s.sent)
        s.consume(members)
        if party_count(ctx, [m.kb_id_ for m in members]) >= 2:
            add_meeting(s, "call.noun", [m.kb_id_ for m in members], tok)


def verbal_calls(s: Scope) -> None:
    """call.verb: 'telefonierte mit', 'rief … an' and the actors of the clause."""
    ctx, lex = s.ctx, s.ctx.lex
    for tok in s.tokens:
        clause = clause_of(tok, s.clauses)
        if not (tok.lower_ in lex.phone_verbs or tok.lemma_ in lex.phone_verbs or separable(tok, lex.phone_separable, later_words(ctx, tok, clause))):
            continue
        if non_factual(ctx, clause.range(), tok, meeting=True):
            continue
        members = clause_actors(ctx, clause.range(), s.consumed)
        s.consume(members)
        if party_count(ctx, [m.kb_id_ for m in members]) >= 2:
            add_meeting(s, "call.verb", [m.kb_id_ for m in members], tok)


# ------------------------------------------------------------------ nominal meetings

def support_verb_for(s: Scope, noun: Token, agree: bool = False) -> bool:
    """'Gespräche führen', 'eine Einigung erzielen': the verb carries the event."""
    ctx, lex = s.ctx, s.ctx.lex
    clause = clause_of(noun, s.clauses)
    verbs = lex.agree_support_verbs if agree else lex.meet_support_verbs
    if any((w.lower_ in verbs or w.lemma_ in verbs) and w.tag_ != "ADJA" for w in ctx.words_in(clause.range()) if w.i != noun.i):
        # only when the noun is not followed by its own participant phrase ("zwischen", "mit")
        if agree:
            return True
        return not (noun.i + 1 < len(ctx.doc) and ctx.doc[noun.i + 1].lower_ in lex.participant_phrase_openers)
    return False


def nominal_meetings(s: Scope) -> None:
    for tok in s.tokens:
        if is_meet_noun(s.ctx, tok) and tok.i not in s.handled_nouns and not support_verb_for(s, tok):
            nominal_meeting(s, tok)


def noun_phrase_start(ctx, noun: Token) -> int:
    """Where the phrase a noun heads begins: its article, adjectives and a prenominal genitive
    ("Putins erstes Treffen"), not the subject before them ("Trump beendete die Begegnung")."""
    k = noun.i
    start = ctx.sent_at[noun.i].start
    while k > start and noun.i - k < ctx.limits["noun_left_window"]:
        t = ctx.doc[k - 1]
        m = ctx.mention_at.get(k - 1)
        if m is not None and m._.kg_genitive:
            k = m.start
        elif t.pos_ in ("DET", "ADJ", "NUM") or t.lower_ in ctx.lex.possessive_determiners:
            k -= 1
        else:
            break
    return k


def place_of_meeting_in_context(s: Scope, noun: Token, end: int) -> None:
    """'Die Zusammenkunft am Flughafen Busan dauerte …': a definite meeting noun without
    participants names the place of the meeting just reported, if that had none."""
    ctx, lex = s.ctx, s.ctx.lex
    if noun.i == 0 or ctx.doc[noun.i - 1].lower_ not in lex.definite_articles:
        return
    place = place_in(ctx, [(noun.i, min(end + ctx.limits["noun_place_window"], s.sent.end))], venues_only=True)
    recent = [m for m in s.out.meetings if m.relation is Relation.MET_WITH]
    if place is None or not recent or recent[-1].place is not None:
        return
    if ctx.sentences_between(recent[-1].evidence[0].start, s.evidence.start) <= ctx.limits["context_sentences"]:
        recent[-1].place = place


def nominal_meeting(s: Scope, noun: Token) -> None:
    """meet.noun: the actors of the phrase a meeting noun heads."""
    ctx, lex, limits = s.ctx, s.ctx.lex, s.ctx.limits
    doc, sent = ctx.doc, s.sent
    members, end = phrase_actors(ctx, noun, sent)
    s.consume(members)
    clause = clause_of(noun, s.clauses)
    keys = [m.kb_id_ for m in members]
    # "Bei den deutsch-polnischen Konsultationen beschlossen sie …": adjectives name the states,
    # the clause's subject the people who met
    only_states = bool(members) and all(m._.kg_kind == "adjective" for m in members)
    if (party_count(ctx, keys) < 2 or only_states) and (framed_by_subject(ctx, noun) or framed_occasion(ctx, noun)):
        # "Bei einem Treffen mit Starmer unterzeichnete Trump …", "fuhren Putin und Modi zu
        # ihrem bilateralen Treffen", "Bei seiner Begegnung mit Putin lobte er …": the
        # clause's subject is the other participant; "Während eines Gipfels haben X und Y …"
        # (no partner phrase): a plural subject met there
        ranges = clause_ranges(noun, s.clauses)
        verb = finite_verb(ctx, ranges)
        if not framed_by_subject(ctx, noun) and (verb is None or not verb.text.endswith("en")) and not only_states:
            return
        phrase = range(noun_phrase_start(ctx, noun), end)
        subjects = [m for m in clause_actors(ctx, ranges, s.consumed)
                    if m.start not in phrase and not after_preposition(ctx, m)]
        keys = list(dict.fromkeys(keys + [m.kb_id_ for m in subjects]))
        if (party_count(ctx, keys) < 2 or only_states) and verb is not None:
            keys = list(dict.fromkeys(keys + s.refer_pronouns(ranges, verb.i)))
        if party_count(ctx, keys) < 2:
            keys = list(dict.fromkeys(keys + s.disc.refer(possessor(ctx, s.disc, noun))))
    if party_count(ctx, keys) < 2:
        if not keys:
            place_of_meeting_in_context(s, noun, end)
        return
    prev = [doc[k] for k in range(max(sent.start, noun.i - limits["noun_left_window"]), noun.i)]
    if any(t.text in lex.hedges for t in prev):
        return  # "das geplante Treffen", "zur Vorbereitung eines Treffens"
    # a meeting that frames its clause took place even if the clause is negated ("Bei seiner
    # Begegnung mit X sparte er nicht mit Lob"), unless the clause denies being there
    framing = any(t.lower_ in lex.framing_prepositions for t in prev) and not any(
        w.lower_ in lex.presence_words for w in ctx.words_in(clause.range()))
    if non_factual(ctx, clause.range(), noun, meeting=True, negated_clause=not framing):
        return
    if prev and prev[-1].lower_ in lex.indefinite_articles and not any(t.lower_ in lex.occasion_prepositions for t in prev):
        return  # "ein Treffen": not a particular meeting
    # the phrase, a location right after it ("Treffen der Minister X und Y in Riad") and a
    # relative clause on it ("…, die am Dienstag stattfanden")
    # (up to the clause's verb: what follows it is said of the clause's subject)
    verb_after = next((t.i for t in doc[end : clause.end] if t.pos_ in ("VERB", "AUX") and "Fin" in t.morph.get("VerbForm")), clause.end)
    ranges = [(noun.i, min(end + limits["noun_place_window"], clause.end, max(verb_after, end)))]
    following = next((c for c in s.clauses if c.start >= clause.end), None)
    if following is not None and following.subordinate and doc[following.start].lower_ in lex.relative_pronouns:
        ranges.append((following.start, following.end))
    # "Nach dem Treffen … veröffentlichte das State Department in Washington …": the clause
    # and its context tell where something happened after (or before) the meeting
    start = noun_phrase_start(ctx, noun)
    after = doc[start - 1] if start > sent.start else None
    add_meeting(s, "meet.noun", keys, noun, ranges=ranges, clause_place=after is None or after.lower_ not in lex.sequence_prepositions)


# ------------------------------------------------------------------ verbal meetings

def meet_verb_kind(s: Scope, tok: Token) -> str | None:
    """The rule a verb triggers: meet.verb, meet.participation, or None."""
    ctx, lex = s.ctx, s.ctx.lex
    low, lemma = tok.lower_, tok.lemma_.lower()
    if tok.text[:1].isupper() and tok.i not in ctx.sent_start_tokens:
        return None  # nouns ("Treffen") are handled as nominal triggers
    if tok.tag_ == "ADJA":
        return None  # an attributive participle: "die getroffene Abmachung"
    clause = clause_of(tok, s.clauses)
    later = later_words(ctx, tok, clause)
    if separable(tok, lex.participate_separable, later):
        return PARTICIPATION
    if separable(tok, lex.meet_separable, later):
        return MEET_VERB
    if low in lex.meet_verbs or lemma in lex.meet_verbs:
        if separable(tok, lex.arrival_separable, later):
            return None  # "trafen … ein": arrived
        return MEET_VERB
    if low in lex.seating_words:
        return MEET_VERB
    if low in lex.travel_verbs and not clause.subordinate and any(
        ctx.doc[i].lower_ in lex.to_prepositions and any(is_meet_noun(ctx, ctx.doc[j]) for j in range(i + 1, min(i + 4, clause.end)))
        for i in range(clause.start, clause.end)
    ):
        return PARTICIPATION
    if lemma in lex.talk_verbs:
        # talking in person: "sprach am Rande des Gipfels mit X"
        in_person = not lex.sideline_words.isdisjoint(ctx.lower[clause.start:clause.end]) or any(
            p.start > tok.i and any(c.start <= p.start < c.end for c in s.clauses)
            for p in ctx.places if ctx.sent_at[p.start].start == s.sent.start
        )
        if later & lex.comitative_prepositions and in_person and not later & lex.remote_words:
            return MEET_VERB
    if lemma in lex.greet_verbs and ctx.doc[tok.i - 1].lower_ not in lex.infinitive_markers:
        return MEET_VERB  # "wurde von X begrüßt"
    if low in lex.meet_english and (bool(later & lex.comitative_prepositions) or low in lex.meet_english_hosting):
        return MEET_VERB
    if low in lex.meet_support_verbs or lemma in lex.meet_support_verbs:
        if any(is_meet_noun(ctx, w) for w in ctx.words_in(clause.range()) if w.i != tok.i):
            return MEET_VERB
    if low in lex.participate_verbs or lemma in lex.participate_verbs:
        if lemma in lex.membership_verbs or low in lex.membership_verbs:
            return PARTICIPATION if any(w.endswith(lex.delegation_heads) for w in ctx.lower[clause.start:clause.end]) else None
        return PARTICIPATION
    if low in lex.participate_english and later & lex.english_agent_prepositions:
        return PARTICIPATION
    return None


def verbal_meetings(s: Scope) -> None:
    for tok in s.tokens:
        kind = meet_verb_kind(s, tok)
        if kind:
            verbal_meeting(s, tok, kind)


def verbal_meeting(s: Scope, tok: Token, kind: str) -> None:
    """meet.verb and meet.participation: the actors of the trigger's clause."""
    ctx, lex = s.ctx, s.ctx.lex
    ranges = verb_conjunct(ctx, tok, clause_ranges(tok, s.clauses))
    if tok.lower_ in lex.seating_words:
        ranges = main_ranges(s.clauses)  # "Zwischen X und Y sitzend, sprach Z …"
    clause = clause_of(tok, s.clauses)
    if non_factual(ctx, ranges if kind == MEET_VERB else clause.range(), tok, meeting=True):
        return
    if tok.lower_ in lex.meet_english or tok.lower_ in lex.participate_english:
        members = english_actors(ctx, tok, s.sent, s.consumed)
    else:
        members = clause_actors(ctx, ranges, s.consumed)
    members = [m for m in members if not between_phrase_of_noun(ctx, m)]
    if tok.lemma_.lower() in lex.person_meeting_verbs or tok.lower_ in lex.person_meeting_verbs:
        # "besuchte Kiew" is a visit to a country, "begrüßte den Vorschlag" no meeting:
        # these verbs meet people, so states and organisations after the verb do not count
        members = [m for m in members if m.start < tok.i or m.label_ == "Person"]
    keys = [m.kb_id_ for m in members] + s.refer_pronouns(ranges, tok.i) + s.refer_group(tok)
    keys = list(dict.fromkeys(keys))
    allies = allied_states(ctx, members, ranges)
    if kind == PARTICIPATION:
        if keys:
            names_meeting = any(is_meet_noun(ctx, w) for w in ctx.words_in(clause.range()))
            s.out.participations.append(Participation(keys, s.evidence, s.evidence.start, names_meeting))
        if party_count(ctx, keys) < 2:
            return
        add_meeting(s, PARTICIPATION, keys, tok, ranges=ranges, allies=allies)
        return
    if party_count(ctx, keys) < 2:
        return
    add_meeting(s, MEET_VERB, keys, tok, trigger=tok.lemma_ or tok.lower_, ranges=ranges, allies=allies)


def english_phrase_meetings(s: Scope) -> None:
    """meet.en.phrase: 'X and Y held talks', 'attended a meeting'."""
    ctx = s.ctx
    for phrase in ctx.lex.meet_english_phrases:
        idx = find_phrase(ctx, s.sent, phrase)
        if idx is None:
            continue
        before = [m for m in ctx.sent_mentions(s.sent) if m.end <= idx and m.start not in s.consumed and not is_genitive_attribute(ctx, m)]
        keys = list(dict.fromkeys(m.kb_id_ for m in before))
        if party_count(ctx, keys) >= 2:
            add_meeting(s, "meet.en.phrase", keys, ctx.doc[idx], ranges=[(s.sent.start, s.sent.end)])
