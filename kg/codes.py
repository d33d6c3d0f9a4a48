"""Event-data codes: the CAMEO event code and PLOVER type, mode and context of each event,
and the CAMEO actor code of each actor (kg/data/event_codes.yaml holds all of them).

The code here is a small engine over that file: it matches cue words, follows a
meeting's place to tell a visit from a meeting at a third place, and maps a person's
role to a CAMEO sector. Who is source and who is recipient follows PLOVER: a visitor is
the source and the host the recipient; where no side hosts, every participant is a
source; a demand goes from the demander to its addressee.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.errors import InputError
from kg.model import ActorRef, AgreementRecord, DemandRecord, MeetingRecord, Relation
from kg.registry import follow_affiliations
from kg.resources import data_file, read_yaml

CAMEO_EVENT_CODE = re.compile(r"(0[1-9]|1[0-9]|20)[0-9]{1,2}")
_WORD = re.compile(r"[\w-]+")


class CodeBookError(InputError):
    """The event-code file cannot be read or is inconsistent."""


@dataclass(frozen=True)
class Cues:
    """Lowercase substrings (``stems``) and whole words (``words``); matches when any does."""

    stems: tuple[str, ...] = ()
    words: tuple[str, ...] = ()

    def match(self, text: str, words: frozenset[str]) -> bool:
        return any(s in text for s in self.stems) or any(w in words for w in self.words)


@dataclass(frozen=True)
class CameoCode:
    code: str
    name: str
    plover: str
    mode: str | None = None
    context: str | None = None


@dataclass(frozen=True)
class Topic:
    """What an agreement or demand is about; matches when every cue group matches."""

    id: str
    groups: tuple[Cues, ...]
    agree: str | None = None
    demand: str | None = None
    fires: tuple[str, ...] = ()
    ignores: tuple[str, ...] = ()

    def match(self, text: str, words: frozenset[str]) -> bool:
        return all(g.match(text, words) for g in self.groups)


@dataclass(frozen=True)
class EventCode:
    """The codes of one event."""

    cameo: str
    plover_type: str
    mode: str | None = None
    contexts: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class CodeBook:
    cameo: dict[str, CameoCode]
    relations: dict[Relation, dict]  # default, visit, third-party codes; cues: [(code, Cues)]
    topics: tuple[Topic, ...]
    sectors: tuple[tuple[str, Cues], ...]
    plover_types: dict[str, int | None]  # type -> quad code
    plover_modes: tuple[str, ...]
    cameo_sectors: tuple[str, ...]

    def topics_of(self, text: str) -> tuple[str, ...]:
        lowered, words = _words(text)
        return tuple(t.id for t in self.topics if t.match(lowered, words))

    def code(self, relation: Relation, content: str = "", evidence: str = "", setting: str | None = None) -> EventCode:
        """The codes of an event of ``relation``: a cue in the evidence sentence first, then
        the topic of the content (agreements, demands), then the setting of a meeting
        ("visit", "third-party", "multilateral"), then the relation's default."""
        rules = self.relations[relation]
        lowered, words = _words(evidence)
        code = next((c for c, cues in rules.get("cues", ()) if cues.match(lowered, words)), None)
        topics = self.topics_of(content) if relation in (Relation.AGREED_TO, Relation.DEMANDED) else ()
        field = "agree" if relation is Relation.AGREED_TO else "demand"
        topic_codes = [getattr(t, field) for t in self.topics if t.id in topics and getattr(t, field)]
        if code is None and topic_codes:
            code = topic_codes[0]
        if code is None and setting in rules:
            code = rules[setting]
        cameo = self.cameo[code or rules["default"]]
        mode = cameo.mode or (setting if relation is Relation.MET_WITH else None)
        # the context of the event's code, and those of its topics' codes ("signed" and
        # "ceasefire": diplomatic and military)
        contexts = [c for c in (self.cameo[k].context for k in (cameo.code, *topic_codes)) if c]
        return EventCode(cameo.code, cameo.plover, mode, tuple(dict.fromkeys(contexts)), topics)

    def sector(self, role: str | None) -> str | None:
        """The CAMEO sector of a person by role ("Verteidigungsminister" -> GOV)."""
        if not role:
            return None
        lowered, words = _words(role)
        return next((sector for sector, cues in self.sectors if cues.match(lowered, words)), None)


def _words(text: str) -> tuple[str, frozenset[str]]:
    lowered = " ".join(text.lower().split())
    return lowered, frozenset(_WORD.findall(lowered))


def meeting_setting(sides: Iterable[str], place_country: str | None, country_of: Callable[[str], str | None]) -> tuple[str | None, str | None]:
    """(setting, host party) of a meeting: "visit" when the place lies in exactly one of
    two sides' countries (that side hosts), "third-party" when two states met in a third
    country, "multilateral" with more than two sides, else (None, None)."""
    parties = sorted(sides)
    countries = {p: country_of(p) for p in parties}
    hosts = [p for p in parties if place_country and countries[p] == place_country]
    if len(parties) > 2:
        return "multilateral", None
    if len(parties) == 2 and len(hosts) == 1:
        return "visit", hosts[0]
    if len(parties) == 2 and place_country and not hosts and all(countries.values()):
        return "third-party", None
    return None, None


@dataclass(frozen=True)
class ActorCode:
    """An actor's CAMEO actor code ("RUSGOV"), with its country (ISO 3166-1 alpha-3) and
    sector parts where it has them."""

    code: str
    country: str | None = None
    sector: str | None = None


@dataclass(frozen=True)
class CodedEvent:
    code: EventCode
    sources: tuple[str, ...]  # actor keys
    recipients: tuple[str, ...] = ()


def actor_codes(actors: Mapping[str, ActorRef], book: CodeBook) -> dict[str, ActorCode]:
    """The CAMEO actor codes of a document's actors: a state's ISO code; an organisation's
    registry code, else the code of the state it belongs to; a person of an organisation with a code has that code ("IGOUNO" for the
    UN's Secretary-General), any other person the country of its state and the sector of
    its role ("RUSGOV"), or either alone."""
    codes: dict[str, ActorCode] = {}
    for key, ref in actors.items():
        if ref.type == "State":
            code = ActorCode(ref.iso3, ref.iso3) if ref.iso3 else None
        elif ref.type == "Organization":  # its own code, else at least the state it belongs to
            country = None if ref.cameo else _country_of(key, actors)
            code = split_actor_code(ref.cameo, book) if ref.cameo else ActorCode(country, country) if country else None
        else:
            body = actors.get(ref.affiliation or "")
            if body is not None and body.type == "Organization" and body.cameo:
                code = split_actor_code(body.cameo, book)
            else:
                country, sector = _country_of(key, actors), book.sector(ref.role)
                code = ActorCode((country or "") + (sector or ""), country, sector) if country or sector else None
        if code is not None:
            codes[key] = code
    return codes


def split_actor_code(code: str, book: CodeBook) -> ActorCode:
    """A registry code with its country and sector parts ("RUSSPY": RUS, SPY)."""
    first, second = code[:3], code[3:6]
    if first in book.cameo_sectors:  # "IGOUNO": a sector, no country
        return ActorCode(code, None, first)
    return ActorCode(code, first, second if second in book.cameo_sectors else None)


def _country_of(key: str, actors: Mapping[str, ActorRef]) -> str | None:
    """The ISO code of the state an actor acts for (itself, or along its affiliations)."""
    state = follow_affiliations(key, lambda k: actors[k].affiliation if k in actors else None,
                                lambda k: k in actors and actors[k].type == "State")
    ref = actors.get(state)
    return ref.iso3 if ref is not None and ref.type == "State" else None


def code_meeting(meeting: MeetingRecord, actors: Mapping[str, ActorRef], book: CodeBook) -> CodedEvent:
    """A meeting or phone call: the visitor is the source and the host the recipient;
    without a host every participant is a source."""
    def members(party: str) -> tuple[str, ...]:
        # the people who met for a state, not the state besides them ("RUSGOV" says "RUS")
        people = meeting.sides[party] - {party}
        return tuple(sorted(people or {party}))

    setting, host = (None, None)
    if meeting.relation is Relation.MET_WITH:
        place_country = meeting.place.country if meeting.place else None
        setting, host = meeting_setting(meeting.sides, place_country, lambda p: _country_of(p, actors))
    code = book.code(meeting.relation, evidence=meeting.evidence[0].text if meeting.evidence else "", setting=setting)
    if host is not None:
        visitors = [p for p in sorted(meeting.sides) if p != host]
        return CodedEvent(code, tuple(k for p in visitors for k in members(p)), members(host))
    return CodedEvent(code, tuple(sorted({k for p in meeting.sides for k in members(p)})))


def code_agreement(agreement: AgreementRecord, book: CodeBook) -> CodedEvent:
    evidence = agreement.evidence[0].text if agreement.evidence else ""
    return CodedEvent(book.code(Relation.AGREED_TO, agreement.content, evidence), tuple(sorted(agreement.parties)))


def code_demand(demand: DemandRecord, book: CodeBook) -> CodedEvent:
    evidence = demand.evidence[0].text if demand.evidence else ""
    return CodedEvent(book.code(Relation.DEMANDED, demand.content, evidence), (demand.demander,),
                      (demand.addressee,) if demand.addressee else ())


@lru_cache(maxsize=4)
def load_codebook(path: Path | None = None) -> CodeBook:
    file = path or data_file("event_codes.yaml")
    try:
        data = read_yaml(file)
        return _codebook(data)
    except CodeBookError as error:
        raise CodeBookError(f"{file}: {error}") from None
    except (OSError, KeyError, TypeError, AttributeError, ValueError) as error:
        raise CodeBookError(f"{file}: cannot be read as event codes ({type(error).__name__}: {error})") from None


def _cues(item: dict) -> Cues:
    return Cues(tuple(str(s).lower() for s in item.get("stems") or ()), tuple(str(w).lower() for w in item.get("words") or ()))


def _codebook(data: dict) -> CodeBook:
    types = {str(t): (int(q) if q else None) for t, q in data["plover_types"].items()}
    modes = tuple(data["plover_modes"])
    sectors_known = tuple(data["cameo_sectors"])
    cameo = {}
    for code, item in data["cameo"].items():
        code = str(code)
        if not CAMEO_EVENT_CODE.fullmatch(code):
            raise CodeBookError(f"{code!r} is no CAMEO event code")
        if item["plover"] not in types or (item.get("mode") and item["mode"] not in modes):
            raise CodeBookError(f"CAMEO {code}: unknown PLOVER type or mode")
        cameo[code] = CameoCode(code, item["name"], item["plover"], item.get("mode"), item.get("context"))

    def known(code) -> str:
        if str(code) not in cameo:
            raise CodeBookError(f"CAMEO code {code} is used but not listed under cameo")
        return str(code)

    relations: dict[Relation, dict] = {}
    for name, item in data["relations"].items():
        rules: dict = {k: known(v) for k, v in item.items() if k != "cues"}
        rules["cues"] = tuple((known(c["code"]), _cues(c)) for c in item.get("cues") or ())
        relations[Relation.named(name)] = rules
    missing = set(Relation) - set(relations)
    if missing:
        raise CodeBookError(f"no codes for {', '.join(sorted(r.value for r in missing))}")
    topics = tuple(
        Topic(t["id"], tuple(_cues(g) for g in t["cues"]),
              known(t["agree"]) if t.get("agree") else None, known(t["demand"]) if t.get("demand") else None,
              tuple(t.get("fires") or ()), tuple(t.get("ignores") or ()))
        for t in data["topics"]
    )
    sectors = []
    for item in data["sectors"]:
        if item["sector"] not in sectors_known:
            raise CodeBookError(f"unknown CAMEO sector {item['sector']!r}")
        sectors.append((item["sector"], _cues(item)))
    return CodeBook(cameo, relations, topics, tuple(sectors), types, modes, sectors_known)
