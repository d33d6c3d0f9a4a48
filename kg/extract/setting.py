"""When and where an event happened, and the sentence that says so.

The date is the date expression nearest the trigger in its clause or phrase, resolved against
the publication date ("am Dienstag" is the latest Tuesday on or before it). The place is a
location phrase of the clause; directional phrases ("reiste nach Riad") are not where the
event happened, and a city or venue beats a country.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from spacy.tokens import Span, Token

from kg.model import Evidence, Place

if TYPE_CHECKING:
    from kg.extract.context import DocContext


def evidence_of(sent: Span, text: str | None = None) -> Evidence:
    """The evidence of a sentence (``text``: its text when the caller has it already)."""
    text = sent.text if text is None else text
    lead = len(text) - len(text.lstrip())
    stripped = text.strip()
    start = sent.start_char + lead
    return Evidence(start=start, end=start + len(stripped), text=" ".join(stripped.split()))


def date_in(ctx: DocContext, ranges: list[tuple[int, int]], tok: Token) -> str | None:
    """The date expression of the trigger's clause or phrase nearest to the trigger (not one
    that dates an attribute: "des im Mai vereinbarten Abkommens")."""
    spans = [d for d in ctx.dates if any(a <= d.start < b for a, b in ranges) and not attributive(ctx, d, tok)]
    if not spans:
        return None
    best = min(spans, key=lambda d: abs(d.start - tok.i))
    return resolve_date(best._.kg_value, ctx.published)


def in_background(ctx: DocContext, ranges: list[tuple[int, int]]) -> bool:
    """'hatten sich … getroffen': the pluperfect reports what happened before the news."""
    return any(ctx.doc[i].lower_ in ctx.lex.pluperfect_auxiliaries for a, b in ranges for i in range(a, b))


def event_date(ctx: DocContext, ranges: list[tuple[int, int]], sent: Span, tok: Token) -> str | None:
    """The date of an event: its clause's date, else its sentence's, else the date of the
    news the article opens with ("am Donnerstagabend")."""
    found = date_in(ctx, ranges, tok)
    if found:
        return found
    return date_in(ctx, [(sent.start, sent.end)], tok) or lead_date(ctx)


def attributive(ctx: DocContext, date: Span, trigger: Token) -> bool:
    """'im Mai vereinbarten', 'am Montag publizierten': a date inside an attributive phrase
    (of another word than the trigger)."""
    for i in range(date.end, min(date.end + 3, len(ctx.doc))):
        if ctx.doc[i].tag_ == "ADJA":
            return i != trigger.i
        if ctx.doc[i].pos_ in ("NOUN", "VERB", "AUX", "PUNCT"):
            return False
    return False


def event_place(ctx: DocContext, ranges: list[tuple[int, int]], clause: list[tuple[int, int]], sent: Span) -> Place | None:
    """The place of an event: that of its phrase (``ranges``), else its clause's, else (unless
    it is background) the previous sentence's in the same paragraph, else the article's
    opening. Another clause of the sentence may name another place ("…, veröffentlichte das
    State Department in Washington …")."""
    found = place_in(ctx, ranges)
    if found or in_background(ctx, ranges):
        return found
    found = place_in(ctx, clause, venues_only=True)
    if found:
        return found
    k = next((n for n, x in enumerate(ctx.sentences) if x.start == sent.start), 0)
    if k > 0:
        prev = ctx.sentences[k - 1]
        gap = ctx.text[prev.start_char : sent.start_char]
        if "\n\n" not in gap[len(gap.rstrip()) :]:  # the same paragraph
            found = place_in(ctx, [(prev.start, prev.end)], venues_only=True)
    return found or lead_place(ctx)


def opening(ctx: DocContext) -> list[Span]:
    """The headline and the first sentences of the article (outside background boxes)."""
    found: list[Span] = []
    for x in ctx.sentences:  # stops early: a long document's sentences are not all read
        if len(found) == ctx.limits["lead_sentences"]:
            break
        if ctx.sent_text(x).strip() and not ctx.in_box(x.start_char):
            found.append(x)
    return found


def lead_date(ctx: DocContext) -> str | None:
    """The news date: the first date of the opening that lies within the days before
    publication, else the publication date."""
    if "lead_date" not in ctx.memo:
        found = None
        if ctx.published is not None:
            earliest = ctx.published - dt.timedelta(days=ctx.limits["lead_date_days"])
            for sent in opening(ctx):
                for d in ctx.dates:
                    if sent.start <= d.start < sent.end:
                        value = resolve_date(d._.kg_value, ctx.published)
                        if value and len(value) == 10 and earliest.isoformat() <= value <= ctx.published.isoformat():
                            found = value
                            break
                if found:
                    break
            found = found or ctx.published.isoformat()
        ctx.memo["lead_date"] = found
    return ctx.memo["lead_date"]


def lead_place(ctx: DocContext) -> Place | None:
    """The first venue or city the opening names (headline, dateline, lead), else the city
    its traveller went to ("Rutte reist nach Kiew": what follows happened there)."""
    if "lead_place" not in ctx.memo:
        found = None
        for sent in opening(ctx):
            found = place_in(ctx, [(sent.start, sent.end)], venues_only=True)
            if found:
                break
        if found is None:
            for sent in opening(ctx):
                goals = [p for p in ctx.places if sent.start <= p.start < sent.end and directional(ctx, p)
                         and ctx.type_of(p.kb_id_) != "State" and any(t.lower_ in ctx.lex.travel_verbs or t.lemma_.lower() in ctx.lex.travel_lemmas for t in sent)]
                if goals:
                    entry = ctx.registry.get(goals[0].kb_id_)
                    found = registry_place(entry, ctx.registry) if entry else Place(goals[0].kb_id_, " ".join(goals[0].text.split()))
                    break
        ctx.memo["lead_place"] = found
    return ctx.memo["lead_place"]


def registry_place(entry, registry) -> Place:
    """A place the registry knows (a city, venue or state), with its identity and the
    ISO code of its state."""
    state = entry if entry.type == "State" else registry.get(entry.country or "")
    return Place(entry.key, entry.label, entry.wikidata, entry.coordinates, state.iso3 if state else None)


def place_in(ctx: DocContext, ranges: list[tuple[int, int]], venues_only: bool = False) -> Place | None:
    """The place of an event: a location phrase inside its clause or phrase (``venues_only``:
    a city or venue, not a country)."""
    spans = [p for p in ctx.places if any(a <= p.start < b for a, b in ranges) and not directional(ctx, p)
             and not (venues_only and ctx.type_of(p.kb_id_) == "State")]
    if not spans:
        # "…, wo er Erdogan traf": the place is the antecedent of "wo"
        for a, _ in ranges:
            if ctx.doc[a].lower_ in ctx.lex.where_words:
                sentence = ctx.sent_at[a].start
                before = [m for m in ctx.mentions if m.end <= a and ctx.sent_at[m.start].start == sentence and m.label_ == "State"]
                if before:
                    entry = ctx.registry.get(before[-1].kb_id_)
                    return registry_place(entry, ctx.registry)
        return None
    spans.sort(key=lambda p: (ctx.type_of(p.kb_id_) == "State", p.start))
    entry = ctx.registry.get(spans[0].kb_id_)
    if entry is None:  # a place the registry does not know ("in Kasan")
        return Place(key=spans[0].kb_id_, label=" ".join(spans[0].text.split()))
    return registry_place(entry, ctx.registry)


def with_governing_clause(ctx: DocContext, ranges: list[tuple[int, int]], sent: Span) -> list[tuple[int, int]]:
    """A 'wo'/relative clause takes its date from the clause it hangs on
    ("Station am Dienstag war die Türkei, wo er Erdogan traf")."""
    lex = ctx.lex
    if len(ranges) == 1 and ctx.doc[ranges[0][0]].lower_ in lex.where_words | lex.when_words | lex.relative_pronouns:
        a = ranges[0][0]
        return ranges + [(sent.start, a)]
    return ranges


def directional(ctx: DocContext, place: Span) -> bool:
    """'Einmarsch in die Ukraine', 'reiste nach Riad': the place is a goal, not a venue."""
    doc, lex = ctx.doc, ctx.lex
    j = place.start - 1
    while j >= 0 and (doc[j].lower_ in lex.place_articles or doc[j].text in lex.place_heads or (doc[j].text[:1].islower() and doc[j].text.endswith(lex.weak_adjective_endings))):
        if doc[j].lower_ in lex.into_articles and j >= 1 and doc[j - 1].lower_ in lex.into_prepositions:
            return True
        j -= 1
    return j >= 0 and doc[j].lower_ in lex.directional_prepositions


def parse_date(value: str | None) -> dt.date | None:
    if not value or len(value) != 10:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def resolve_date(value, published: dt.date | None) -> str | None:
    """A date value of kg.nlp's date annotator as an ISO date, relative ones against the
    publication date."""
    kind, v = value
    if kind == "abs":
        return v
    if kind == "month":
        month, year = v
        if year is None and published is not None:
            year = published.year if month <= published.month else published.year - 1
        return f"{year:04d}-{month:02d}" if year else None
    if published is None:
        return None
    if kind == "rel":
        return (published + dt.timedelta(days=v)).isoformat()
    if kind == "weekday":
        # news report past events: the latest such weekday on or before publication
        delta = (published.weekday() - v) % 7
        return (published - dt.timedelta(days=delta)).isoformat()
    if kind == "daymonth":
        day, month = v
        year = published.year if month <= published.month else published.year - 1
        try:
            return dt.date(year, month, day).isoformat()
        except ValueError:
            return None
    return None
