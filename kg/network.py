"""The actor network and the timeline of a graph: what ``kg viz``, ``kg timeline`` and
``kg show`` read.

Everything comes from queries (the saved ``network-actors`` and ``documents``, the tables
of kg/data/network that give the links of ``network-relations``; kg.profile adds
``actor-lookup`` and ``actor``), run by a ``QueryRunner``: the same code serves an RDF
file, an on-disk store and a remote SPARQL endpoint.
"""
from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from kg.errors import InputError
from kg.model import EVENT_RELATIONS, Relation
from kg.queries import SavedQuery, load_query
from kg.registry import follow_affiliations
from kg.resources import network_query_dir
from kg.results import QueryResult
from kg.vocab import KG

QueryRunner = Callable[[SavedQuery, dict[str, str]], QueryResult]

RELATIONS = tuple(r.value for r in EVENT_RELATIONS)  # met-with, agreed-to, demanded
MET_WITH, AGREED_TO, DEMANDED = Relation.MET_WITH.value, Relation.AGREED_TO.value, Relation.DEMANDED.value
MEETING, AGREEMENT, DEMAND = str(KG.Meeting), str(KG.Agreement), str(KG.Demand)


@dataclass(frozen=True)
class Actor:
    iri: str
    label: str
    type: str  # Person, State or Organization ("" if unknown)
    affiliation: str = ""  # IRI of the state or organisation a person belongs to


@dataclass(frozen=True)
class Link:
    """Two actors linked by one event (a demand points from source to target)."""

    event: str
    relation: str  # one of RELATIONS
    source: str
    target: str
    date: str = ""  # when the event happened, if the text says
    reported: str = ""  # the date of the document that reports it
    place: str = ""
    content: str = ""
    doc: str = ""
    evidence: str = ""

    @property
    def when(self) -> str:
        return self.date or self.reported


@dataclass
class Network:
    actors: dict[str, Actor] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)

    def label(self, iri: str) -> str:
        actor = self.actors.get(iri)
        return actor.label if actor else iri.rsplit("/", 1)[-1]

    def camp(self, iri: str) -> str:
        """Whom the actor stands for: the registry's affiliation walk over the affiliations
        the graph states (a person's state or organisation, up to a state), or itself."""

        def affiliation(key: str) -> str | None:
            actor = self.actors.get(key)
            return actor.affiliation or None if actor else None

        def is_state(key: str) -> bool:
            actor = self.actors.get(key)
            return actor is not None and actor.type == "State"

        return follow_affiliations(iri, affiliation, is_state)

    def activity(self) -> dict[str, int]:
        """Number of distinct events each actor takes part in."""
        events: dict[str, set[str]] = defaultdict(set)
        for link in self.links:
            events[link.source].add(link.event)
            events[link.target].add(link.event)
        return {iri: len(found) for iri, found in events.items()}


@dataclass(frozen=True)
class TimelineEvent:
    event: str
    relation: str
    date: str  # the event's date, else the reporting document's date, else ""
    reported_only: bool  # True when ``date`` is the document's date
    actors: tuple[str, ...]  # labels of the participants or parties; of a demand, the demanders
    addressees: tuple[str, ...]  # labels of a demand's addressees; empty otherwise
    place: str
    content: str
    doc: str
    evidence: str


def load_network(run: QueryRunner) -> Network:
    """Read actors and links through ``run`` (local store or remote endpoint).

    The links are the rows of the saved query ``network-relations``, merged per link (the
    smallest value of each column). They are assembled here from one simple table per
    property (kg/data/network): joining those in SPARQL took 20 s on 10,000 documents,
    reading them about 6 s. tests/test_viz.py holds the two to the same links."""
    network = Network()
    for row in run(load_query("network-actors"), {}).rows:
        network.actors[row["actor"]] = Actor(row["actor"], row["label"] or row["actor"], row["type"], row["affiliation"])
    published = {row["doc"]: row["date"] for row in run(load_query("documents"), {}).rows}
    tables = NetworkTables(run)
    dates, docs, places, contents, evidence = (tables.smallest(name) for name in ("dates", "docs", "places", "contents", "evidence"))
    for event, relation, source, target in tables.pairs():
        doc = docs.get(event, "")
        network.links.append(Link(
            event=event, relation=relation, source=source, target=target, date=dates.get(event, ""),
            reported=published.get(doc, ""), place=places.get(event, ""), content=contents.get(event, ""),
            doc=doc, evidence=evidence.get(event, ""),
        ))
    # the order of network-relations: date, document, event, then the two actors
    network.links.sort(key=lambda link: (link.date, link.doc, link.event, link.source, link.target))
    for link in network.links:  # an actor without a label still gets a node
        for iri in (link.source, link.target):
            if iri not in network.actors:
                network.actors[iri] = Actor(iri, network.label(iri), "")
    return network


class NetworkTables:
    """The tables of kg/data/network, each read once, as dictionaries by their first
    column."""

    def __init__(self, run: QueryRunner) -> None:
        self._run = run
        self._tables: dict[str, dict[str, list[str]]] = {}

    def table(self, name: str) -> dict[str, list[str]]:
        if name not in self._tables:
            result = self._run(load_query(network_query_dir() / f"{name}.rq"), {})
            found: dict[str, list[str]] = defaultdict(list)
            for key, value in result.values():
                found[key].append(value)
            self._tables[name] = found
        return self._tables[name]

    def smallest(self, name: str) -> dict[str, str]:
        """The smallest value of ``name`` of each event that has one."""
        return {event: min(values) for event, values in self.table(name).items()}

    def pairs(self) -> Iterator[tuple[str, str, str, str]]:
        """(event, relation, source, target) for every link, each once."""
        classes, sides, participants, parties, demanders, addressees = (self.table(name) for name in (
            "events", "sides", "participants", "parties", "demanders", "addressees"))
        held_by_role = [self.table(role) for role in ("side-members", "side-parties")]
        seen: set[tuple[str, str, str, str]] = set()

        def once(link: tuple[str, str, str, str]) -> bool:
            if link in seen:
                return False
            seen.add(link)
            return True

        for event, kinds in classes.items():
            if MEETING in kinds:
                event_sides = sides.get(event, [])
                if event_sides:  # members with members and parties with parties, across sides
                    for held in held_by_role:
                        for one, other in itertools.permutations(dict.fromkeys(event_sides), 2):
                            for source in held.get(one, ()):
                                for target in held.get(other, ()):
                                    if source < target and once((event, MET_WITH, source, target)):
                                        yield event, MET_WITH, source, target
                else:
                    yield from self._unordered(event, MET_WITH, participants.get(event, ()), once)
            if AGREEMENT in kinds:
                yield from self._unordered(event, AGREED_TO, parties.get(event, ()), once)
            if DEMAND in kinds:
                for source in demanders.get(event, ()):
                    for target in addressees.get(event, ()):
                        if source != target and once((event, DEMANDED, source, target)):
                            yield event, DEMANDED, source, target

    @staticmethod
    def _unordered(event, relation, actors, once) -> Iterator[tuple[str, str, str, str]]:
        for source, target in itertools.combinations(sorted(set(actors)), 2):
            if once((event, relation, source, target)):
                yield event, relation, source, target


def date_bound(value: str | None, option: str) -> str | None:
    """A --from/--to value: YYYY, YYYY-MM or YYYY-MM-DD that names a real month or day."""
    if value is None:
        return None
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value.strip())
    if not match:
        raise InputError(f"{option} {value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = (int(g) if g else None for g in match.groups())
    if month is not None and not 1 <= month <= 12:
        raise InputError(f"{option} {value!r}: there is no month {month:02d} (months are 01–12)")
    try:
        dt.date(year, month or 1, day or 1)
    except ValueError:
        raise InputError(f"{option} {value!r}: {year}-{month:02d} has no day {day}") from None
    return value.strip()


def _within(when: str, start: str | None, end: str | None) -> bool:
    """Dates may be partial ("2025-12"): compare on the precision both have."""
    if not when:
        return False
    for bound, sign in ((start, 1), (end, -1)):
        if bound:
            n = min(len(when), len(bound))
            if (when[:n] > bound[:n]) - (when[:n] < bound[:n]) == -sign:
                return False
    return True


def timeline(
    network: Network, start: str | None = None, end: str | None = None, relations: Iterable[str] = RELATIONS,
) -> list[TimelineEvent]:
    """One entry per event, ordered by date (undated events last), optionally limited to
    the dates ``start``..``end`` (inclusive, ISO prefixes such as "2025-02" work) and to
    some relations."""
    if start and end and not _within(start, None, end) and not _within(end, start, None):
        raise InputError(f"--from {start} is after --to {end}")
    wanted = set(relations)
    unknown = wanted - set(RELATIONS)
    if unknown:
        raise InputError(f"--relation: unknown relation(s) {', '.join(sorted(unknown))}; use {', '.join(RELATIONS)}")
    by_event: dict[str, list[Link]] = defaultdict(list)
    for link in network.links:
        if link.relation in wanted:
            by_event[link.event].append(link)
    events = []
    for event, links in by_event.items():
        first = links[0]
        when = first.when
        if (start or end) and not _within(when, start, end):
            continue
        if first.relation == Relation.DEMANDED.value:  # demanders first, then addressees
            demanders = dict.fromkeys(network.label(link.source) for link in links)
            addressees = dict.fromkeys(network.label(link.target) for link in links)
            actors, addressees = tuple(demanders), tuple(addressees)
        else:
            members = {iri for link in links for iri in (link.source, link.target)}
            actors = tuple(sorted((network.label(iri) for iri in members), key=str.casefold))
            addressees = ()
        events.append(TimelineEvent(
            event=event, relation=first.relation, date=when, reported_only=not first.date and bool(when),
            actors=actors, addressees=addressees, place=first.place, content=first.content, doc=first.doc, evidence=first.evidence,
        ))
    return sorted(events, key=lambda e: (e.date == "", e.date, e.doc, e.relation, e.actors))
