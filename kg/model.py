"""Typed records passed between the pipeline stages.

read -> clean -> annotate -> extract -> resolve -> rdf. Each stage takes the previous
stage's record and returns its own; nothing else crosses a stage boundary.
Character offsets always refer to the original text of the file the user gave.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


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


@dataclass(frozen=True)
class Place:
    key: str
    label: str


@dataclass
class MeetingRecord:
    """A meeting (or phone call) with its sides; each side is (party key, member keys)."""

    kind: str  # "Meeting" | "PhoneCall"
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
class DocumentResult:
    """Everything extracted from one document (stage: extract/resolve -> rdf)."""

    source: SourceDocument
    actors: dict[str, ActorRef] = field(default_factory=dict)  # every actor mentioned, by key
    meetings: list[MeetingRecord] = field(default_factory=list)
    agreements: list[AgreementRecord] = field(default_factory=list)
    demands: list[DemandRecord] = field(default_factory=list)
