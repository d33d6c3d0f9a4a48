"""Demands (relation demanded).

Per token the first matching rule wins, in this order:
- ``demand.en.wants`` after "called on"/"urged": "Rubio called on Russia to end the war";
- ``demand.verb``: "fordert", "verlangt von X", "pocht auf", "forderte X auf, …",
  "appellierte an X, …", "bestand darauf, dass";
- ``demand.noun``: "die Forderung (Polens) nach X", "die Notwendigkeit, X zu tun";
- ``demand.en.wants``: "Russia wants NATO to …";
- ``demand.verb.wollen-dass``: "Trump will, dass Europa mehr zahlt";
- ``demand.en.called-for``: "Macron called for a ceasefire".
Only when a sentence has no other demand and no agreement, ``demand.modal``: "X müsse …,
sagte Y" and indirect speech that runs on ("Die Ukraine müsse verzichten.") belong to the
speaker. Refusals, negated and intended demands and self-exhortation ("Wir müssen …") are
no demands.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from spacy.tokens import Token

from kg.extract.attributes import is_genitive_attribute
from kg.extract.clauses import (
    clause_of,
    clause_ranges,
    has_finite,
    in_open_question,
    is_speech_verb,
    later_words,
    separable,
)
from kg.extract.content import (
    content_after,
    content_before,
    trim,
    without_attribution,
    zu_infinitive_follows,
)
from kg.extract.cues import refusal
from kg.extract.participants import clause_actors
from kg.extract.speakers import speaker, trailing_speaker
from kg.model import DemandRecord

if TYPE_CHECKING:
    from kg.extract.engine import Scope

RULES = frozenset({"demand.verb", "demand.noun", "demand.en.wants", "demand.verb.wollen-dass", "demand.en.called-for", "demand.modal"})

# punctuation, not words: quotes before the content of a modal demand
OPENING_QUOTES = frozenset({"„", "“", "\""})


def add_demand(s: Scope, rule_id: str, demander: str, content: str, addressee: str | None = None, trigger: str | None = None) -> None:
    rule = s.ctx.rules[rule_id]
    s.out.demands.append(DemandRecord(demander, content, [s.evidence], addressee, rule.extracted_by(trigger), rule.confidence))


def demands(s: Scope, modal: bool = True) -> None:
    ctx, lex = s.ctx, s.ctx.lex
    doc, sent = ctx.doc, s.sent
    done = False
    for tok in s.tokens:
        low, lemma = tok.lower_, tok.lemma_.lower()
        clause = clause_of(tok, s.clauses)
        later = later_words(ctx, tok, clause)
        prepositional = (low in lex.demand_prepositional or lemma in lex.demand_prepositional) and \
            not lex.demand_prepositions.isdisjoint(ctx.lower[clause.start:clause.end])
        expecting = (low in lex.expect_verbs or lemma in lex.expect_verbs) and any(
            doc[m.start - 1].lower_ in lex.addressee_prepositions for m in ctx.mentions_in([(clause.start, clause.end)]) if m.start > clause.start)
        is_verb = (low in lex.demand_verbs or lemma in lex.demand_verbs or prepositional or expecting or separable(tok, lex.demand_separable, later)) \
            and not (tok.text[:1].isupper() and tok.i not in ctx.sent_start_tokens)
        nxt = doc[tok.i + 1] if tok.i + 1 < sent.end else None
        if low in lex.demand_english_call and nxt is not None and (nxt.lower_ in lex.english_object_prepositions or low.startswith(lex.demand_english_urge)):
            done |= english_wants(s, tok)
        elif is_verb:
            # "…, forderte er": nothing follows, the modal clause before is the demand
            done |= lexical_demand(s, tok)
        elif tok.text in lex.demand_nouns:
            nominal_demand(s, tok)
            done = True
        elif low in lex.demand_english_want and nxt is not None:
            done |= english_wants(s, tok)
        elif low in lex.want_verbs and tok.i + 2 < sent.end and doc[tok.i + 1].text == "," and doc[tok.i + 2].lower_ in lex.complementisers:
            done |= wants_that(s, tok)
        elif low in lex.demand_english_call_for and nxt is not None and nxt.lower_ in lex.english_purpose_prepositions:
            done |= english_called_for(s, tok)
    if not done and modal:
        modal_demand(s)


def demanders(s: Scope, tok: Token) -> list[str]:
    """Who demands: the subject before the verb, else a pronoun ("forderten sie X auf"),
    else the subject after the verb (V2 inversion)."""
    ctx, lex = s.ctx, s.ctx.lex
    ranges = clause_ranges(tok, s.clauses)
    clause = clause_of(tok, s.clauses)
    # "Modi, Indiens Regierungschef, verlangt …": the subject and its apposition stand in
    # verbless pieces before the verb's clause
    k = s.clauses.index(clause) if clause in s.clauses else 0
    while k > 0 and not s.clauses[k - 1].subordinate and not has_finite(ctx, list(ctx.doc[s.clauses[k - 1].start : s.clauses[k - 1].end])):
        k -= 1
        ranges = [(s.clauses[k].start, s.clauses[k].end)] + ranges
    actors = clause_actors(ctx, ranges, s.consumed)
    before = [m for m in actors if m.start < tok.i and ctx.doc[m.start - 1].lower_ not in lex.addressee_prepositions]
    if before:
        return [before[0].kb_id_]
    if any(ctx.doc[i].lower_ in lex.first_person_singular for i in range(clause.start, tok.i + 2) if i < s.sent.end):
        # a quoted "Ich rufe beide Seiten auf, …", attributed by "erklärte Blinken"
        quoted = trailing_speaker(ctx, s.sent)
        return [quoted] if quoted else []
    pron = s.refer_pronouns([(clause.start, min(tok.i + ctx.limits["pronoun_window"], s.sent.end))], tok.i) or s.refer_group(tok) or s.refer_roles(tok)
    if pron:
        return pron
    # not the addressee: "verlangten von Blinken, …", "bat der Kanzler Xi, … zu nutzen"
    after = [m for m in actors if m.start > tok.i and ctx.doc[m.start - 1].lower_ not in lex.addressee_prepositions
             and not (m.end < s.sent.end and ctx.doc[m.end].text == "," and zu_infinitive_follows(ctx, m.end, s.sent))][:1]
    if after:
        return [after[0].kb_id_]
    return s.refer_pronouns(ranges, tok.i)[:1]


def lexical_demand(s: Scope, tok: Token) -> bool:
    """demand.verb: a demanding verb, its subject, addressee and content."""
    ctx, lex, limits = s.ctx, s.ctx.lex, s.ctx.limits
    doc, sent = ctx.doc, s.sent
    clause = clause_of(tok, s.clauses)
    words = ctx.words_in(clause.range())
    near = {w.lower_ for w in words if w.i < tok.i or w.i <= tok.i + limits["negation_after_verb"]}
    if near & lex.groups("negation", "clause", "never", "determiner") or {w.lower_ for w in words if w.i < tok.i} & lex.groups("hedges", "modal"):
        return False
    if refusal(ctx, clause) or in_open_question(ctx, tok):
        return False
    if tok.i > sent.start and doc[tok.i - 1].lower_ in lex.infinitive_markers:
        return False
    if any(w.lower_ in lex.demand_modals for w in words if w.i < tok.i):
        return False  # "Jeder müsse Putin zum Ende aufrufen, erklärte X": X's demand (demand.modal)
    if (tok.lower_ in lex.request_verbs or tok.lemma_.lower() in lex.request_verbs) and not (
            any(w.lower_ in lex.request_objects for w in words if w.i > tok.i)
            or any(doc[i].text == "," and zu_infinitive_follows(ctx, i, sent) for i in range(tok.i + 1, min(clause.end + 1, sent.end)))
            or any(m.end < sent.end and doc[m.end].text == "," for m in ctx.mentions_in([(tok.i + 1, clause.end + 1)]))):
        return False  # "bittet zum Interview": an invitation; "bat Xi, …", "bat um X": requests
    if tok.tag_ == "VVPP" and any(w.lower_ in lex.passive_auxiliaries or w.lower_ in lex.stative_passive_auxiliaries for w in words) and not any(
            doc[m.start - 1].lower_ in ("von", "vom") for m in ctx.mentions_in(clause.range()) if m.start > clause.start):
        return False  # "werden Schwellenländer dazu aufgefordert": the subject is addressed; no demander named
    who = demanders(s, tok)
    if not who:
        return False
    # addressee: "fordert X auf", "verlangt von X", "appelliert an X", and in a verb-final
    # clause the object before the verb ("hatte Trump Putin aufgefordert")
    addressee = None
    between = [m for m in ctx.mentions_in([(clause.start, tok.i)]) if m.kb_id_ not in who and not is_genitive_attribute(ctx, m)]
    if between and tok.i + 1 < sent.end and doc[tok.i + 1].text == ",":
        addressee = between[-1].kb_id_
    for m in ctx.mentions_in([(tok.i + 1, clause.end)]) if addressee is None else []:
        prev = doc[m.start - 1].lower_ if m.start > 0 else ""
        if m.kb_id_ not in who and (prev in lex.addressee_prepositions or m.start - tok.i <= limits["addressee_window"]) and not is_genitive_attribute(ctx, m):
            addressee = m.kb_id_
            break
    start = tok.i + 1
    # "fordert Russland auf, … zuzustimmen": the demand follows the separable particle
    for i in range(tok.i + 1, clause.end):
        if doc[i].lower_ in lex.demand_particles and i + 1 < sent.end and doc[i + 1].text in {",", "."}:
            start = i + 1
            break
        if doc[i].lower_ in lex.demand_particles and i + 1 < sent.end and doc[i + 1].is_punct:
            # "Zum Dialog rief Modi zugleich auf – …": the directive phrase is the demand
            directive = directive_phrase(s, clause, i)
            if directive:
                for demander in who:
                    add_demand(s, "demand.verb", demander, directive, addressee, trigger=tok.lemma_ or tok.lower_)
                return True
    if start == tok.i + 1:
        # "bat der Kanzler Xi, den Einfluss … zu nutzen": the demand is the zu-infinitive
        # after the objects
        comma = next((i for i in range(tok.i + 1, clause.end + 1) if i < sent.end and doc[i].text == ","), None)
        if comma is not None and zu_infinitive_follows(ctx, comma, sent):
            start = comma + 1
    # "forderten die G7-Staats- und Regierungschefs, die Lösung müsse …": after V2
    # inversion the subject stands between verb and demand
    first = ctx.mention_at.get(start) or (ctx.mention_at.get(start + 1) if start + 1 < sent.end and doc[start].lower_ in lex.definite_articles else None)
    if first is not None and first.kb_id_ in who and first.end < sent.end and doc[first.end].text == ",":
        start = first.end + 1
    colon = next((t.i for t in doc[start : sent.end] if t.text == ":"), None)
    rest = [t for t in doc[start : colon or sent.end] if not t.is_punct and not t.is_space and t.i not in ctx.mention_at and t.lower_ not in lex.object_articles]
    if not rest:
        if clause.subordinate and tok.i > clause.start + 2:
            # "dass er von Deutschland eine Wiedergutmachung erwarte": verb-final
            content = content_before(ctx, tok, clause)
            addressee = addressee or next((m.kb_id_ for m in ctx.mentions_in([(clause.start, tok.i)])
                                           if doc[m.start - 1].lower_ in lex.addressee_prepositions and m.kb_id_ not in who), None)
            if content:
                for demander in who:
                    add_demand(s, "demand.verb", demander, content, addressee, trigger=tok.lemma_ or tok.lower_)
                return True
        return False  # "…, forderte der Franzose.": the demand is the clause before
    content = content_after(ctx, start, doc[sent.start : colon] if colon else sent, skip_leading=True)
    if not content or (start < sent.end and doc[start].is_punct and not zu_infinitive_follows(ctx, start, sent)):
        # verb-final: "hatte beide Seiten zu maximaler Zurückhaltung aufgerufen"
        zu = next((t.i for t in doc[clause.start : tok.i] if t.lower_ in lex.directive_prepositions and t.pos_ == "ADP"), None)
        before = trim([t for t in doc[zu : tok.i] if not t.is_space]) if zu is not None else ""
        content = before or content
    if not content:
        return False
    for demander in who:
        add_demand(s, "demand.verb", demander, content, addressee, trigger=tok.lemma_ or tok.lower_)
    return True


def directive_phrase(s: Scope, clause, particle: int) -> str:
    """'zum Dialog' in 'Zum Dialog rief Modi auf': a zu-phrase of the clause, up to the next
    verb, actor or the particle."""
    ctx, lex = s.ctx, s.ctx.lex
    doc = ctx.doc
    for i in range(clause.start, particle):
        if doc[i].lower_ in lex.directive_prepositions and doc[i].pos_ == "ADP":
            j = i + 1
            while j < particle and doc[j].pos_ not in ("VERB", "AUX") and j not in ctx.mention_at and doc[j].text != ",":
                j += 1
            return trim([doc[k] for k in range(i, j)])
    return ""


def nominal_demand(s: Scope, tok: Token) -> None:
    """demand.noun: 'die Forderung (Polens) nach X', 'die Notwendigkeit, X zu tun'."""
    ctx, lex = s.ctx, s.ctx.lex
    doc, sent = ctx.doc, s.sent
    clause = clause_of(tok, s.clauses)
    if {w.text for w in ctx.words_in([(clause.start, tok.i)])} & lex.negation or refusal(ctx, clause):
        return  # "Der Kreml wies die Forderung zurück"
    if any(w.lower_ in lex.endorsement_verbs or w.lemma_.lower() in lex.endorsement_verbs for w in ctx.words_in(clause.range())):
        return  # "Trump unterstütze die Forderung nach …": someone else's demand
    # "Forderung nach X", "Notwendigkeit, X zu tun": the demanded content must follow;
    # a genitive right after the noun is the demander ("die Forderung Russlands nach …")
    start = tok.i + 1
    genitive = ctx.mention_at.get(start)
    genitive_found = False
    if genitive is None and start < sent.end and doc[start].lower_ in lex.genitive_articles:
        # "eine Bitte des ukrainischen Staatschefs um …"
        k = start + 1
        while k < sent.end and k - start < ctx.limits["preposition_window"] and k not in ctx.mention_at and (doc[k].pos_ in ("ADJ", "DET") or lex.is_role(doc[k].text)):
            k += 1
        genitive = ctx.mention_at.get(k)
        if genitive is not None and genitive.start == k:
            genitive_found = True
        else:
            genitive = None
    else:
        genitive_found = genitive is not None and bool(genitive._.kg_genitive)
    if genitive_found:
        start = genitive.end
    if not (start < sent.end and (doc[start].lower_ in lex.demand_noun_openers or tok.text in lex.necessity_nouns)):
        return
    who = [genitive.kb_id_] if genitive_found else demanders(s, tok)
    if not who:
        return
    # "Forderung nach X" -> X; "Bitte um X", "Aufruf zum X" keep their preposition (one noun
    # alone is too short a content)
    if doc[start].lower_ in ("nach", ",") or tok.text in lex.necessity_nouns:
        start += 1
    content = content_after(ctx, start, sent, skip_leading=doc[start - 1].lower_ in ("nach", ","))
    finite = next((t for t in doc[start : sent.end] if t.pos_ in ("VERB", "AUX") and "Fin" in t.morph.get("VerbForm") and t.i not in ctx.mention_at), None)
    if finite is not None and content:
        # "Die Forderung Polens nach X stieß auf Kritik": the phrase ends at the verb
        content = trim([t for t in doc[start : finite.i] if not t.is_space])
    if content:
        for demander in who:
            add_demand(s, "demand.noun", demander, content, trigger=tok.text.lower())


def wants_that(s: Scope, tok: Token) -> bool:
    """demand.verb.wollen-dass: 'Trump will, dass Europa mehr zahlt'."""
    ctx = s.ctx
    who = [m.kb_id_ for m in clause_actors(ctx, clause_ranges(tok, s.clauses), s.consumed) if m.start < tok.i][:1]
    content = content_after(ctx, tok.i + 3, s.sent, skip_leading=True)
    if not who or not content:
        return False
    add_demand(s, "demand.verb.wollen-dass", who[0], content)
    return True


def english_called_for(s: Scope, tok: Token) -> bool:
    """demand.en.called-for: 'Macron called for a ceasefire'."""
    ctx = s.ctx
    left = tok.i - 1
    while left > s.sent.start and ctx.doc[left].text not in {",", ";", ":"}:
        left -= 1
    subject = [m for m in ctx.sent_mentions(s.sent) if left <= m.start and m.end <= tok.i and not is_genitive_attribute(ctx, m)]
    content = content_after(ctx, tok.i + 2, s.sent, skip_leading=False)
    if not subject or not content:
        return False
    add_demand(s, "demand.en.called-for", subject[-1].kb_id_, content)
    return True


def english_wants(s: Scope, tok: Token) -> bool:
    """demand.en.wants: 'Russia wants NATO to disavow …, and for Ukraine to agree to
    neutrality', 'called on Russia to …'."""
    ctx, lex = s.ctx, s.ctx.lex
    doc, sent = ctx.doc, s.sent
    subject = [m for m in ctx.sent_mentions(sent) if m.end <= tok.i and not is_genitive_attribute(ctx, m)]
    if subject:
        demander = subject[-1].kb_id_
    elif tok.i > sent.start and doc[tok.i - 1].text in lex.english_subject_pronouns:
        # a quoted "We want …", attributed by "Zelensky said": the speaker demands
        demander = trailing_speaker(ctx, sent)
        if demander is None:
            return False
    else:
        return False
    found = False
    i = tok.i + 1
    if i < sent.end and doc[i].lower_ in lex.english_object_prepositions:
        i += 1  # "called on Russia to …"
    while i < sent.end:
        m = ctx.mention_at.get(i)
        if m is not None and m.end < sent.end and doc[m.end].lower_ in lex.infinitive_markers:
            j = m.end
            k = j + 1
            while k < sent.end and not _next_wish(ctx, k, sent.end) and not (doc[k].text == "," and k + 1 < sent.end and (doc[k + 1].lower_ in lex.speech_verbs or doc[k + 1].text[:1].isupper())):
                k += 1
            content = trim([doc[x] for x in range(j, k)])
            if content:
                add_demand(s, "demand.en.wants", demander, content, m.kb_id_)
                found = True
            i = k + 1
            continue
        i += 1
    return found


def _next_wish(ctx, k: int, end: int) -> bool:
    """', and for X to …': the next wish of the same sentence."""
    doc, lex = ctx.doc, ctx.lex
    return doc[k].text == "," and k + 2 < end and doc[k + 1].lower_ in lex.english_conjunctions and doc[k + 2].lower_ in lex.english_purpose_prepositions


def modal_demand(s: Scope) -> None:
    """demand.modal: 'Es müsse … erreicht werden, teilte das Ministerium mit': the speaker demands."""
    ctx, lex, limits = s.ctx, s.ctx.lex, s.ctx.limits
    doc = ctx.doc
    for clause in s.clauses:
        words = ctx.words_in(clause.range())
        lowers = [w.lower_ for w in words]
        modal = next((w for w in words if w.lower_ in lex.demand_modals or w.lower_ in lex.reported_imperatives
                      or (w.lower_ in lex.demand_necessity and doc[w.i - 1].lower_ not in lex.necessity_idiom_openers)
                      or (w.lower_ in lex.english_obligation and w.i + 1 < len(doc) and doc[w.i + 1].lower_ in lex.infinitive_markers)), None)
        prohibition = next((w for w in words if w.lower_ in lex.prohibition_modals), None)
        if prohibition is not None and (lex.groups("negation", "clause", "never", "determiner") & set(lowers) or prohibition.lower_ in lex.self_negating_modals):
            modal = prohibition  # "Die Ukraine dürfe nicht der NATO beitreten": a demand not to
        elif prohibition is not None and modal is None:
            continue
        if modal is None:
            continue
        if modal.lower_ in lex.reported_imperatives and not any(w.i in ctx.mention_at for w in words if w.i < modal.i):
            continue  # "danach solle ein Treffen folgen" reports a plan; "Kiew solle verzichten" demands
        texts = {w.text for w in words}
        if texts & lex.first_person_plural or texts & lex.generic_subjects or set(lowers) & lex.progress_markers:
            continue  # self-exhortation ("Wir müssen handeln") or progress assessment ("noch … nötig")
        # "…, wie seit Jahren nicht mehr, und jeder müsse …": only the modal's own conjunct
        own = max((w.i for w in words if w.i < modal.i and w.lower_ in lex.coordinators and w.text != ","), default=clause.start)
        if modal is not prohibition and {w.text for w in words if w.i >= own} & lex.groups("negation", "clause", "determiner"):
            continue  # "müsse nicht": need not (but "müsse nie wieder" is a demand)
        who = speaker(s, clause)
        if who is None:
            continue
        # the demand runs on through its own subordinate clauses up to the attribution
        end = s.sent.end
        for later in s.clauses:
            if later.start > clause.start and any(is_speech_verb(ctx, doc[i]) for i in range(later.start, min(later.start + limits["attribution_window"], later.end))):
                end = later.start
                break
        words = [doc[i] for i in range(clause.start, max(end, clause.end))]
        start = 0
        while start < len(words) and (words[start].lower_ in lex.subordinators or words[start].is_punct or words[start].text in OPENING_QUOTES):
            start += 1
        content = trim(without_attribution(ctx, words[start:]))
        if len(content.split()) < limits["modal_content_min_words"]:
            continue
        add_demand(s, "demand.modal", who, content, trigger=modal.lower_)
        return
