"""Resolve stage: turn an Extraction into a DocumentResult.

- every actor key becomes an ActorRef (registry entry, or an actor first seen here);
- participation statements join the meeting they refer to;
- mentions of one meeting across sentences are merged into one meeting;
- repeated agreements/demands (duplicated paragraphs) are merged, keeping all evidence.
"""
from __future__ import annotations

import re
from dataclasses import replace

from kg.model import (
    ActorRef,
    AgreementRecord,
    DemandRecord,
    DocumentResult,
    Extraction,
    MeetingRecord,
    NewActor,
    Relation,
    SourceDocument,
)
from kg.registry import Registry


def actor_ref(key: str, registry: Registry, new_actors: dict[str, NewActor], on: str | None = None) -> ActorRef:
    """The actor as a document describes it: a registry person's role is the one held on
    ``on`` (the publication date): Biden is "Präsident" in 2023, not "Ex-Präsident"."""
    entry = registry.get(key)
    if entry is not None:
        roles = entry.roles_on(on)
        role = roles[0] if roles else None
        return ActorRef(key, entry.label, entry.type, entry.affiliation, role, True, wikidata=entry.wikidata, iso3=entry.iso3,
                        cameo=entry.cameo)
    new = new_actors.get(key)
    if new is not None:
        return ActorRef(key, new.label, new.type, new.affiliation, new.role, False)
    return ActorRef(key, key, "Organization", None, None, False)


def resolve_document(source: SourceDocument, extraction: Extraction, registry: Registry) -> DocumentResult:
    meetings = _attach_participations(extraction.meetings, extraction, registry)
    meetings = _merge_meetings(meetings, registry, extraction.mentioned)
    agreements = _merge_agreements(extraction.agreements)
    demands = _merge_demands(extraction.demands)

    keys: set[str] = set(extraction.mentioned)
    for m in meetings:
        for party, members in m.sides.items():
            keys.add(party)
            keys.update(members)
    for a in agreements:
        keys.update(a.parties)
    for d in demands:
        keys.add(d.demander)
        if d.addressee:
            keys.add(d.addressee)
    actors: dict[str, ActorRef] = {}
    pending = sorted(keys)
    while pending:
        key = pending.pop()
        if key in actors:
            continue
        ref = actor_ref(key, registry, extraction.new_actors, source.date)
        forms = tuple(sorted(f for f in extraction.mentioned.get(key, ()) if f != ref.label))
        if forms:
            ref = replace(ref, surface_forms=forms)
        actors[key] = ref
        # the affiliation target is described too, so every graph is self-contained
        if ref.affiliation and ref.affiliation not in actors and registry.get(ref.affiliation):
            pending.append(ref.affiliation)
    return DocumentResult(source=source, actors=dict(sorted(actors.items())), meetings=meetings, agreements=agreements, demands=demands)


#: how far back (characters) a meeting counts as "just reported" for a participation sentence
NEARBY_CHARS = 400


def _attach_participations(meetings: list[MeetingRecord], ex: Extraction, registry: Registry) -> list[MeetingRecord]:
    """'An dem Treffen nahmen … teil', 'Rubio wurde begleitet von …': join the nearest
    meeting (preferably an earlier one) that shares a party with the participants."""
    real = [m for m in meetings if m.relation is Relation.MET_WITH]
    for p in ex.participations:
        parties = {registry.party_of(k, ex.new_actors) for k in p.members}
        candidates = [m for m in real if parties & set(m.sides)]
        if not candidates and p.names_meeting:
            # "Auch Tusk nahm an dem Treffen teil": the meeting just reported, as a new side
            candidates = [m for m in real if m.evidence[0].start <= p.offset]
        if not candidates:
            continue
        before = [m for m in candidates if m.evidence[0].start <= p.offset]
        target = max(before, key=lambda m: m.evidence[0].start) if before else min(candidates, key=lambda m: m.evidence[0].start)
        if target.evidence[0].start == p.offset and p.names_meeting:
            # "Ebenfalls zu den Beratungen gereist sind X und Y": the participants form a
            # meeting of their own sentence, but the meeting they name is the one just reported
            just_before = [m for m in real if m.evidence[0].start < p.offset and p.offset - m.evidence[-1].end <= NEARBY_CHARS]
            if just_before:
                target = max(just_before, key=lambda m: m.evidence[-1].end)
        for key in p.members:
            party = registry.party_of(key, ex.new_actors)
            target.sides.setdefault(party, set()).add(key)
        if p.evidence not in target.evidence:
            target.evidence.append(p.evidence)
    return meetings


def _place_within(a, b, registry: Registry) -> bool:
    """Same place, one lies in the other ("Diriyah-Palast" in Riad, Riad in Saudi-Arabien),
    or two venues of one city. Two cities of one country are two places."""
    if a is None or b is None or a.key == b.key:
        return True
    ea, eb = registry.get(a.key), registry.get(b.key)

    def around(entry, key):
        out, seen = {key}, set()
        while entry is not None and entry.type == "Place" and entry.key not in seen:
            seen.add(entry.key)
            out.update(k for k in (entry.within, entry.country) if k)
            entry = registry.get(entry.within) if entry.within else None
        return out

    ra, rb = around(ea, a.key), around(eb, b.key)
    if a.key in rb or b.key in ra:
        return True  # one contains the other
    city_a = ea.within if ea is not None and ea.type == "Place" else None
    city_b = eb.within if eb is not None and eb.type == "Place" else None
    return bool(city_a and city_a == city_b)


def _compatible(a: MeetingRecord, b: MeetingRecord, registry: Registry) -> bool:
    """Two mentions describe one meeting when the relation and date agree, the places agree
    (or one contains the other) and one set of parties contains the other."""
    if a.relation is not b.relation:
        return False
    pa, pb = set(a.sides), set(b.sides)
    if not (pa <= pb or pb <= pa):
        return False
    # people: two mentions are one meeting only if someone attends both, unless one of them
    # names just the states ("die USA und Russland trafen sich")
    members_a = {k for ms in a.sides.values() for k in ms} - pa
    members_b = {k for ms in b.sides.values() for k in ms} - pb
    if members_a and members_b and not members_a & members_b:
        return False
    if pa != pb and not members_a & members_b:
        return False
    if a.date and b.date and a.date != b.date:
        return False
    return _place_within(a.place, b.place, registry)


def _more_specific(a, b, registry: Registry):
    """Of two compatible places keep the venue/city rather than the country."""
    if a is None:
        return b
    if b is None:
        return a
    ea = registry.get(a.key)
    return b if ea is not None and ea.type == "State" else a


def _merge_meetings(meetings: list[MeetingRecord], registry: Registry, forms: dict[str, set[str]] | None = None) -> list[MeetingRecord]:
    merged: list[MeetingRecord] = []
    for m in sorted(meetings, key=lambda m: m.evidence[0].start):
        target = next((x for x in merged if _compatible(x, m, registry)), None)
        if target is None:
            merged.append(MeetingRecord(m.relation, {k: set(v) for k, v in m.sides.items()}, list(m.evidence), m.date, m.place, m.rule, m.confidence))
            continue
        for party, members in m.sides.items():
            target.sides.setdefault(party, set()).update(members)
        target.evidence.extend(e for e in m.evidence if e not in target.evidence)
        target.date = target.date or m.date
        target.place = _more_specific(target.place, m.place, registry)
        target.confidence = max(target.confidence, m.confidence)
    for m in merged:
        # the main evidence is the sentence that names most of the meeting's people ("… nach
        # dem Treffen der Minister Rubio und Lawrow in Riad"), not a summary naming states;
        # the others follow in text order
        def named(e, keys) -> int:
            return sum(any(f in e.text for f in (forms or {}).get(k, ())) for k in keys)

        # most sides with a person named, then most persons, then the earliest
        main = max(m.evidence, key=lambda e: (sum(named(e, members - {party}) > 0 for party, members in m.sides.items()),
                                              sum(named(e, members - {party}) for party, members in m.sides.items()), -e.start))
        m.evidence.sort(key=lambda e: (e != main, e.start))
    return merged


def normalise_content(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


def _merge_agreements(items: list[AgreementRecord]) -> list[AgreementRecord]:
    seen: dict[tuple, AgreementRecord] = {}
    for a in items:
        # one text, one agreement: a repeated paragraph does not make a second one
        key = normalise_content(a.content)
        if key in seen:
            seen[key].evidence.extend(e for e in a.evidence if e not in seen[key].evidence)
        else:
            seen[key] = AgreementRecord(list(a.parties), a.content, list(a.evidence), a.date, a.rule, a.confidence)
    for a in seen.values():
        a.evidence.sort(key=lambda e: e.start)  # the first sentence is the main evidence
    return list(seen.values())


def _merge_demands(items: list[DemandRecord]) -> list[DemandRecord]:
    seen: dict[tuple, DemandRecord] = {}
    for d in items:
        key = (d.demander, d.addressee, normalise_content(d.content))
        if key in seen:
            seen[key].evidence.extend(e for e in d.evidence if e not in seen[key].evidence)
        else:
            seen[key] = DemandRecord(d.demander, d.content, list(d.evidence), d.addressee, d.rule, d.confidence)
    for d in seen.values():
        d.evidence.sort(key=lambda e: e.start)  # the first sentence is the main evidence
    return list(seen.values())
