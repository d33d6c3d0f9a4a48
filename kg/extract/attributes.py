"""Mentions that are not participants: attributes, sources and excluded actors.

A genitive attribute ("Berater Putins", "des russischen Präsidenten Wladimir Putin"), an
attribution ("nach Angaben Washingtons", "Laut Lawrow"), an exclusion ("ohne die Ukraine")
or a mediator ("unter Vermittlung Katars") names an actor that does not take part in the
event of its clause.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from spacy.tokens import Span, Token

if TYPE_CHECKING:
    from kg.extract.context import DocContext


def is_adjective(ctx: DocContext, tok: Token) -> bool:
    """An adjective by its POS tag, or by its ending where no tagger ran."""
    if tok.pos_:
        return tok.pos_ == "ADJ"
    return tok.text.endswith(ctx.lex.adjective_endings) and tok.lower_ not in ctx.lex.verb_forms_not_adjectives


def is_meet_noun(ctx: DocContext, tok: Token) -> bool:
    """'Treffen', 'Gespräche', compounds such as 'Außenministertreffen', and 'Besuch bei'."""
    lex = ctx.lex
    t = tok.text
    if t in lex.meet_nouns or (t[:1].isupper() and tok.lemma_ in lex.meet_nouns):
        return True  # also inflected: "während eines Gipfels"
    visit = t in lex.visit_nouns or (t[:1].isupper() and len(t) > ctx.limits["compound_noun_min_length"] and t.lower().endswith(lex.visit_noun_suffixes))
    if visit and tok.i + 1 < len(ctx.doc) and ctx.doc[tok.i + 1].lower_ in lex.visit_prepositions:
        return True  # visiting a person ("bei seinem Besuch bei Xi", "Antrittsbesuch bei") is meeting them
    low = t.lower()
    return t[:1].isupper() and len(t) > ctx.limits["compound_noun_min_length"] and low.endswith(lex.meet_noun_suffixes) and "-" not in t[:3]


def is_agree_noun(ctx: DocContext, tok: Token) -> bool:
    """'Abkommen', 'Einigung', and compounds such as 'Freihandelsabkommen'."""
    t = tok.text
    if t in ctx.lex.agree_nouns:
        return True
    return t[:1].isupper() and len(t) > ctx.limits["compound_noun_min_length"] and t.lower().endswith(ctx.lex.agree_noun_suffixes) and "-" not in t[:3]


def is_genitive_attribute(ctx: DocContext, m: Span) -> bool:
    """'Berater Putins', 'des russischen Präsidenten Wladimir Putin', 'Angaben Washingtons'."""
    doc, lex = ctx.doc, ctx.lex
    i = m.start
    prev = doc[i - 1] if i > 0 else None
    is_s_genitive = bool(m._.kg_genitive)
    if m.label_ == "Person":
        if is_s_genitive and prev is not None and (prev.text[:1].isupper() or prev.lower_ in lex.np_function_words - lex.np_continuations):
            return True
        # followed by a noun phrase of its own: "Putins außenpolitischer Berater Juri Uschakow"
        if is_s_genitive and i + 1 < len(doc) and (doc[i + 1].text[:1].islower() or lex.is_role(doc[i + 1].text)):
            return True
        if is_s_genitive and (i == 0 or (i - 1) in ctx.sent_start_tokens or prev.is_punct):
            nxt = doc[m.end] if m.end < len(doc) else None
            if nxt is not None and (nxt.text[:1].isupper() and nxt.i not in ctx.mention_at or nxt.text[:1].islower()):
                return True
        # role phrase opened by a genitive article: "des russischen Präsidenten Wladimir Putin"
        j = i - 1
        while j >= 0 and (lex.is_role(doc[j].text) or (doc[j].text[:1].islower() and doc[j].text.endswith(lex.weak_adjective_endings) and doc[j].lower_ not in lex.np_function_words)):
            j -= 1
        if j < i - 1 and j >= 0 and doc[j].lower_ in lex.genitive_role_articles and not host_context(ctx, j):
            return True
        # attributive "von": "der Schwiegersohn von Präsident Donald Trump"
        j = i - 1
        while j >= 0 and lex.is_role(doc[j].text):
            j -= 1
        if j >= 1 and doc[j].lower_ in lex.attributive_prepositions and attributive_von(ctx, j):
            return True
        if j >= 1 and doc[j].lower_ in lex.beneficiary_prepositions and doc[j - 1].text[:1].isupper() and doc[j - 1].i not in ctx.mention_at and (j - 1) not in ctx.sent_start_tokens:
            return True  # "die Trauerfeier für Papst Franziskus": the beneficiary of a noun
        if i + 1 < len(doc) and doc[i + 1].text in lex.possessive_clitics:
            return True
        return False
    # states and organisations
    if i + 1 < len(doc) and doc[i + 1].text in lex.possessive_clitics:
        return True
    if i >= 2 and prev.text[:1].isupper() and prev.i not in ctx.mention_at and not lex.is_group(prev.text):
        k = i - 2
        while k > 0 and is_adjective(ctx, doc[k]):
            k -= 1
        if doc[k].lower_ in lex.genitive_articles:
            return True  # "des Staatsfonds RDIF", "der südostasiatischen Staatengemeinschaft ASEAN"
    if is_s_genitive and m.end < len(doc) and doc[m.end].text[:1].isupper() and m.end not in ctx.mention_at and not lex.is_role(doc[m.end].text) \
            and not lex.is_group(doc[m.end].text) and not is_meet_noun(ctx, doc[m.end]) and not is_agree_noun(ctx, doc[m.end]) and doc[m.end].pos_ == "NOUN":
        return True  # "für Europas Sicherheit": a prenominal genitive of a common noun
    if is_s_genitive and m.end < len(doc) and (lex.is_role(doc[m.end].text) or (doc[m.end].text[:1].islower() and doc[m.end].text.endswith(lex.adjective_endings) and doc[m.end].lower_ not in lex.np_function_words)):
        return True  # "Russlands Präsident Wladimir Putin": affiliation, not a participant
    if prev is not None and prev.lower_ in lex.genitive_articles and i >= 2:
        before = doc[i - 2]
        j = i - 2
        while j > 0 and doc[j].text[:1].islower() and doc[j].text.endswith(lex.adjective_endings):
            j -= 1  # "des staatlichen russischen Investitionsfonds"
        before = doc[j] if doc[j].text[:1].isupper() else before
        if before.text[:1].isupper() and before.i not in ctx.mention_at and not lex.is_group(before.text) and before.i not in ctx.sent_start_tokens and not is_meet_noun(ctx, before):
            if not lex.is_role(before.text) or m.label_ == "Organization":
                return True
    if is_s_genitive and prev is not None and prev.text[:1].isupper() and prev.i not in ctx.mention_at and not lex.is_group(prev.text) and not lex.is_role(prev.text):
        return True
    return False


def between_phrase_of_noun(ctx: DocContext, m: Span) -> bool:
    """'nach dem Zerwürfnis zwischen Selenskyj und Trump': the actors of a 'zwischen' phrase
    that belongs to a noun which is no meeting or agreement belong to that noun."""
    doc, lex = ctx.doc, ctx.lex
    k = m.start - 1
    sent_start = ctx.sent_at[m.start].start
    while k > sent_start and m.start - k < ctx.limits["between_window"]:
        t = doc[k]
        if t.lower_ in lex.between_prepositions:
            noun = doc[k - 1]
            return (noun.text[:1].isupper() and noun.i not in ctx.mention_at and noun.i not in ctx.sent_start_tokens
                    and not is_meet_noun(ctx, noun) and not is_agree_noun(ctx, noun) and noun.text not in lex.phone_nouns)
        if k in ctx.mention_at or t.lower_ in lex.coordinators or t.pos_ in ("DET", "ADJ") or lex.is_role(t.text):
            k -= 1
            continue
        return False
    return False


def attributive_von(ctx: DocContext, von: int) -> bool:
    """'der Schwiegersohn von Präsident Trump', 'eines Ultimatums von Trump': 'von' after a
    common noun phrase belongs to that noun. After a place or a time expression ('in
    Ankara von Erdogan empfangen', 'am Mittwoch von Trump') it names a passive agent."""
    doc, lex = ctx.doc, ctx.lex
    prev = doc[von - 1]
    if not prev.text[:1].isupper() or prev.i in ctx.sent_start_tokens or prev.text in lex.host_nouns:
        return False
    if prev.i in ctx.mention_at or prev.i in ctx.place_at or prev.lower_ in lex.time_nouns:
        return False
    k = von - 2
    while k > 0 and is_adjective(ctx, doc[k]):
        k -= 1
    if k >= 0 and doc[k].lower_ in lex.venue_prepositions and any(
        t.lower_ in lex.passive_auxiliaries for t in ctx.sent_at[prev.i]
    ):
        return False  # "wurde im Finanzministerium von Bessent empfangen": the passive agent
    if any(d.start <= prev.i < d.end for d in ctx.dates):
        return False
    if is_meet_noun(ctx, prev) or is_agree_noun(ctx, prev):
        return False  # "Gespräche von X mit Y": the phrase of a trigger
    return True


def host_context(ctx: DocContext, j: int) -> bool:
    return j >= 1 and ctx.doc[j - 1].text in ctx.lex.host_nouns


def is_source_or_excluded(ctx: DocContext, m: Span) -> bool:
    """'nach Angaben Washingtons', 'Moskau zufolge', 'ohne die Ukraine', 'unter Vermittlung Katars'."""
    doc, lex = ctx.doc, ctx.lex
    window = [doc[k] for k in range(max(0, m.start - ctx.limits["source_window"]), m.start)]
    after = doc[m.end] if m.end < len(doc) else None
    if any(t.text in lex.source_words for t in window) or (after is not None and after.text in lex.source_postpositions):
        return True
    if any(t.lower_ in lex.exclusion_words for t in window[-2:]) or any(t.text in lex.participation_nouns for t in window):
        return True
    # "unter Vermittlung Katars, Ägyptens und der USA", "mediated by the United States"
    k = m.start - 1
    while k >= 0 and m.start - k < ctx.limits["mediation_window"] and (doc[k].text in lex.mediation_links or k in ctx.mention_at):
        k -= 1
    if k >= 0 and (doc[k].text in lex.mediation_words or doc[k].lower_ in lex.mediation_words):
        return True
    return False
