"""Typed records passed between the pipeline stages.

read -> clean -> annotate -> extract -> resolve -> rdf. Each stage takes the previous
stage's record and returns its own; nothing else crosses a stage boundary.
Character offsets always refer to the original text of the file the user gave.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path


class Relation(str, Enum):
    """The relations kg extracts, by the names the queries and the command line use.

    ``short`` is the name of the evaluation and its gold files (meet, agree, demand)."""

    MET_WITH = "met-with"
    PHONE_CALL = "phone-call"
    AGREED_TO = "agreed-to"
    DEMANDED = "demanded"

    @property
    def short(self) -> str:
        return _SHORT[self]

    @property
    def event_class(self) -> str:
        """The ontology class of the events of this relation (kg:Meeting, kg:PhoneCall, …)."""
        return _EVENT_CLASS[self]

    @classmethod
    def named(cls, name: str) -> Relation:
        """A relation by its name or short name ("met-with" or "meet")."""
        for relation in cls:
            if name in (relation.value, relation.short):
                return relation
        raise ValueError(f"unknown relation {name!r}; use {', '.join(r.value for r in cls)}")


_EVENT_CLASS = {Relation.MET_WITH: "Meeting", Relation.PHONE_CALL: "PhoneCall", Relation.AGREED_TO: "Agreement",
                Relation.DEMANDED: "Demand"}
_SHORT = {Relation.MET_WITH: "meet", Relation.PHONE_CALL: "call", Relation.AGREED_TO: "agree", Relation.DEMANDED: "demand"}
#: the relations of the timeline, the network and the evaluation (a phone call is no meeting)
EVENT_RELATIONS = (Relation.MET_WITH, Relation.AGREED_TO, Relation.DEMANDED)


@dataclass(frozen=True)
class SourceDocument:
    """One document as read from disk (stage: read)."""

    doc_id: str  # file name without extension, or the "id" of a JSONL record
    text: str  # the original text, unchanged (HTML already reduced to text, see read.py)
    path: Path | None = None
    date: str | None = None  # publication date: YYYY, YYYY-MM or YYYY-MM-DD
    url: str | None = None
    title: str | None = None
    outlet: str | None = None


@dataclass(frozen=True)
class ReadFailure:
    """A file (or one JSONL line) that could not be turned into a document (stage: read)."""

    path: Path
    reason: str


@dataclass(frozen=True)
class Removed:
    start: int
    end: int
    reason: str  # e.g. "advertisement", "navigation", "newsletter", "photo-credit", "teaser"


@dataclass(frozen=True)
class CleanDocument:
    """A document with web clutter masked out (stage: clean).

    ``text`` has the same length as the source text: removed characters are replaced by
    spaces (newlines kept), so every offset into ``text`` is an offset into the original.
    ``boxes`` are background/explainer boxes: kept as text, but they never yield events.
    """

    source: SourceDocument
    text: str
    removed: tuple[Removed, ...] = ()
    boxes: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Evidence:
    """The sentence an extraction came from."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class ActorRef:
    """A resolved actor: a registry entry or an actor first seen in this corpus."""

    key: str  # stable slug, used for the IRI (e.g. "sergej-lawrow")
    label: str  # canonical display label
    type: str  # "Person" | "State" | "Organization"
    affiliation: str | None = None  # key of the state/organisation a person belongs to
    role: str | None = None
    in_registry: bool = True
    surface_forms: tuple[str, ...] = ()  # how this document names the actor
    wikidata: str | None = None  # the registry's Wikidata item ("Q159")
    iso3: str | None = None  # a registry state's ISO 3166-1 alpha-3 code
    cameo: str | None = None  # a registry organisation's CAMEO actor code ("IGOUNO")


@dataclass(frozen=True)
class Place:
    key: str
    label: str
    wikidata: str | None = None  # the registry's Wikidata item
    coordinates: tuple[float, float] | None = None  # latitude, longitude
    country: str | None = None  # ISO 3166-1 alpha-3 code of the state it lies in


@dataclass(frozen=True)
class NewActor:
    """An actor the registry does not know, as the annotator found it in this document."""

    key: str
    label: str
    type: str  # "Person" | "State" | "Organization"
    affiliation: str | None
    role: str | None


@dataclass
class MeetingRecord:
    """A meeting (or phone call) with its sides; each side is (party key, member keys)."""

    relation: Relation  # MET_WITH or PHONE_CALL
    sides: dict[str, set[str]]  # party key -> member actor keys (party itself may be a member)
    evidence: list[Evidence]
    date: str | None = None
    place: Place | None = None
    rule: str = ""
    confidence: float = 0.0


@dataclass
class AgreementRecord:
    parties: list[str]  # actor keys
    content: str
    evidence: list[Evidence]
    date: str | None = None
    rule: str = ""
    confidence: float = 0.0


@dataclass
class DemandRecord:
    demander: str  # actor key
    content: str
    evidence: list[Evidence]
    addressee: str | None = None
    rule: str = ""
    confidence: float = 0.0


@dataclass
class Participation:
    """Actors who took part in a meeting that the text names elsewhere ("nahm an dem
    Treffen teil", "wurde von X begleitet"); kg.resolve joins them to that meeting."""

    members: list[str]
    evidence: Evidence
    offset: int
    names_meeting: bool = False  # "nahm an dem Treffen teil": the meeting is named, not implied


@dataclass
class Extraction:
    """What the rules found in one document (stage: extract -> resolve)."""

    meetings: list[MeetingRecord] = field(default_factory=list)
    agreements: list[AgreementRecord] = field(default_factory=list)
    demands: list[DemandRecord] = field(default_factory=list)
    participations: list[Participation] = field(default_factory=list)
    mentioned: dict[str, set[str]] = field(default_factory=dict)  # actor key -> surface forms
    new_actors: dict[str, NewActor] = field(default_factory=dict)


@dataclass
class DocumentResult:
    """Everything extracted from one document (stage: extract/resolve -> rdf)."""

    source: SourceDocument
    actors: dict[str, ActorRef] = field(default_factory=dict)  # every actor mentioned, by key
    meetings: list[MeetingRecord] = field(default_factory=list)
    agreements: list[AgreementRecord] = field(default_factory=list)
    demands: list[DemandRecord] = field(default_factory=list)
