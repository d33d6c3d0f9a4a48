"""Event-data export (``kg events``): the rows of the saved query ``events`` written as
PLOVER JSONL, as CAMEO TSV in the manner of PETRARCH's output, or as CSV.

The query gives one row per event; lists of actors arrive as "; "-separated cells in
the store's order, and ``event_rows`` sorts them, and the rows, so every store gives the
same output.
PLOVER and CAMEO records need a full date (YYYY-MM-DD): the event's own, else its
article's publication date; an event with neither is left out of those two formats and
counted (CSV keeps every event).
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

from kg import __version__
from kg.codes import CodeBook
from kg.errors import InputError
from kg.results import QueryResult, csv_writer

EVENT_FORMATS = ("plover-jsonl", "cameo-tsv", "csv")
#: what kg events names as its codebook in PLOVER's cite_info
CODEBOOK = "CAMEO 1.1b3; PLOVER via the CAMEO-to-PLOVER crosswalk (2021)"
SEPARATOR = "; "
_ACTOR_FIELDS = ("", "_code", "_country", "_sector", "_wikidata")
_FULL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: CAMEO TSV columns (no header line, as PETRARCH writes none)
CAMEO_COLUMNS = ("date", "source", "target", "cameo", "event", "doc", "text")


@dataclass(frozen=True, order=True)
class EventActor:
    label: str
    code: str = ""  # CAMEO actor code ("RUSGOV")
    country: str = ""  # ISO 3166-1 alpha-3
    sector: str = ""
    wikidata: str = ""


@dataclass(frozen=True)
class EventRow:
    """One row of the ``events`` query, its lists sorted."""

    values: dict[str, str]
    sources: tuple[EventActor, ...]
    targets: tuple[EventActor, ...]
    contexts: tuple[str, ...]
    topics: tuple[str, ...]

    @property
    def date(self) -> str | None:
        """The full date PLOVER and CAMEO records carry: the event's, else the article's."""
        for value in (self.values["event_date"], self.values["published"]):
            if _FULL_DATE.fullmatch(value):
                return value
        return None


def _split(cell: str) -> list[str]:
    return cell.split(SEPARATOR) if cell else []


def _actors(row: dict[str, str], role: str) -> tuple[EventActor, ...]:
    columns = [_split(row[role + suffix]) for suffix in _ACTOR_FIELDS]
    labels = columns[0]
    padded = [c if len(c) == len(labels) else [""] * len(labels) for c in columns]  # a label with "; " in it
    return tuple(sorted(set(EventActor(*values) for values in zip(*padded))))


def event_rows(result: QueryResult) -> list[EventRow]:
    missing = [c for c in ("event", "cameo", "plover_type", "source", "event_date", "published") if c not in result.columns]
    if missing:
        raise InputError(f"the events query must give the columns {', '.join(missing)}")
    rows = []
    for row in result.rows:
        rows.append(EventRow(dict(row), _actors(row, "source"), _actors(row, "target"),
                             tuple(sorted(set(_split(row["plover_context"])))), tuple(sorted(set(_split(row["topics"]))))))
    # the query's order, by code points: stores collate strings differently
    rows.sort(key=lambda r: tuple(r.values.get(c, "") for c in ("published", "doc", "event_date", "relation", "event")))
    return rows


def normalised_values(row: EventRow, columns: Iterable[str]) -> list[str]:
    """A row as the CSV writes it: the query's columns, lists in sorted order."""
    lists = {"plover_context": row.contexts, "topics": row.topics}
    for role, actors in (("source", row.sources), ("target", row.targets)):
        for suffix, field in zip(_ACTOR_FIELDS, ("label", "code", "country", "sector", "wikidata")):
            lists[role + suffix] = tuple(getattr(a, field) for a in actors)
    return [SEPARATOR.join(lists[c]) if c in lists else row.values.get(c, "") for c in columns]


def normalised_table(result: QueryResult) -> list[list[str]]:
    """The rows of the ``events`` query as the CSV writes them: every store gives the same."""
    return [normalised_values(row, result.columns) for row in event_rows(result)]


def _plover_actor(actor: EventActor) -> dict:
    # PLOVER's actor object: a 3-letter top-level code (a country, or "IGO"), then the sector
    record: dict = {"actor_text": actor.label}
    if actor.code:
        record["code"] = actor.code[:3]
        if actor.code[3:]:
            record["sector"] = actor.code[3:]
        record["cameo_code"] = actor.code
    if actor.wikidata:
        record["identifier_id"] = actor.wikidata
        record["identifier_text"] = actor.label
    return record


def plover_record(row: EventRow, book: CodeBook) -> dict | None:
    """The event as a PLOVER record (None without a full date)."""
    date = row.date
    if date is None:
        return None
    v = row.values
    record: dict = {
        "id": v["event"],
        "date": date,
        "source": [_plover_actor(a) for a in row.sources],
        "recipient": [_plover_actor(a) for a in row.targets],
        "event": [v["plover_type"]],
    }
    if v.get("plover_mode"):
        record["mode"] = [v["plover_mode"]]
    if row.contexts:
        record["context"] = list(row.contexts)
    quad = book.plover_types.get(v["plover_type"])
    if quad:
        record["quad_code"] = quad
    if v.get("place"):
        location: dict = {"name": v["place"]}
        if v.get("latitude") and v.get("longitude"):
            location["latitude"], location["longitude"] = float(v["latitude"]), float(v["longitude"])
        if v.get("place_country"):
            location["cc3"] = v["place_country"]
        if v.get("place_wikidata"):
            location["wikidata"] = v["place_wikidata"]
        record["event_loc"] = location
    if v.get("evidence"):
        record["text"] = v["evidence"]
    record["cite_info"] = {"citation": v.get("doc", ""), "coder": f"kg {__version__}", "codebook": CODEBOOK}
    record["coder"] = f"kg {__version__}"
    # kg's own fields beside PLOVER's
    record["cameo_code"] = v["cameo"]
    record["kg_relation"] = v.get("relation", "")
    if row.topics:
        record["kg_topics"] = list(row.topics)
    if v.get("event_date") and v["event_date"] != date:
        record["kg_event_date"] = v["event_date"]  # a partial date of the event itself
    if v.get("confidence"):
        record["kg_confidence"] = float(v["confidence"])
    return record


def cameo_lines(row: EventRow) -> list[list[str]]:
    """The event as CAMEO dyads (source, target): each source with each recipient, else
    every two sources of different countries once; an event with neither has its source
    and "---". A state is left out where its own people are listed ("USAGOV", not also
    "USA"); identical lines are written once."""
    date = row.date
    if date is None:
        return []
    def code(actor: EventActor) -> str:
        return actor.code or "---"

    sources, targets = _most_specific(row.sources), _most_specific(row.targets)
    if targets:
        pairs = [(s, t) for s in sources for t in targets]
    else:
        pairs = [(a, b) for i, a in enumerate(sources) for b in sources[i + 1:]
                 if not (a.country and a.country == b.country) and code(a) != code(b)]
    if not pairs:
        pairs = [(s, EventActor("")) for s in sources[:1]]
    v = row.values
    text = " ".join(v.get("evidence", "").split())
    if targets:
        lines = {(code(s), code(t)) for s, t in pairs}
    else:  # co-sources have no direction: one line per pair of codes
        lines = {tuple(sorted((code(s), code(t)))) if t.label else (code(s), code(t)) for s, t in pairs}
    return [[date.replace("-", ""), s, t, v["cameo"], v["event"], v.get("doc", ""), text] for s, t in sorted(lines)]


def _most_specific(actors: tuple[EventActor, ...]) -> tuple[EventActor, ...]:
    """Without a state whose own people are listed too: "USAGOV" says all "USA" says."""
    specific = {a.country for a in actors if a.country and a.code != a.country}
    return tuple(a for a in actors if not (a.code and a.code == a.country and a.country in specific))


@dataclass(frozen=True)
class EventExport:
    written: int  # events written
    undated: int  # events left out for want of a full date
    lines: int  # lines written (CAMEO: one per dyad)


def write_events(result: QueryResult, fmt: str, out: TextIO, book: CodeBook) -> EventExport:
    if fmt not in EVENT_FORMATS:
        raise InputError(f"--format {fmt!r}: use {', '.join(EVENT_FORMATS)}")
    if fmt == "csv":
        writer = csv_writer(out)
        writer.writerow(result.columns)
        writer.writerows(normalised_table(result))
        return EventExport(len(result.rows), 0, len(result.rows) + 1)
    rows = event_rows(result)
    written = lines = 0
    for row in rows:
        if fmt == "plover-jsonl":
            record = plover_record(row, book)
            if record is not None:
                out.write(json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n")
                written, lines = written + 1, lines + 1
        else:
            dyads = cameo_lines(row)
            for dyad in dyads:
                out.write("\t".join(dyad) + "\n")
            written, lines = written + bool(dyads), lines + len(dyads)
    return EventExport(written, len(rows) - written, lines)
