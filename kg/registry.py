"""The curated actor registry (ontology/actors.yaml) as a typed, indexed object."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from kg.errors import InputError
from kg.resources import read_yaml, registry_file
from kg.vocab import QID

if TYPE_CHECKING:
    from kg.model import NewActor

ADJECTIVE_ENDINGS = ("", "e", "en", "er", "es", "em")


@dataclass(frozen=True)
class Office:
    """An office a person held from ``start`` until ``end`` (ISO dates; None: open), with the
    role nouns and role aliases that name its holder ("US-Präsident", "EU-Außenbeauftragte")."""

    roles: tuple[str, ...] = ()
    role_aliases: tuple[str, ...] = ()
    start: str | None = None
    end: str | None = None

    def held_on(self, date: str | None) -> bool:
        """Held on ``date`` (YYYY, YYYY-MM or YYYY-MM-DD); without a date: held today."""
        if not date:
            return self.end is None
        day = (date + "-01-01")[:10] if len(date) == 4 else (date + "-01")[:10] if len(date) == 7 else date[:10]
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


@dataclass(frozen=True)
class Entry:
    key: str
    label: str
    type: str  # "State" | "Organization" | "Person" | "Place"
    aliases: tuple[str, ...] = ()
    metonyms: tuple[str, ...] = ()
    adjectives: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    role_aliases: tuple[str, ...] = ()
    affiliation: str | None = None  # persons/organisations: key of a state or organisation
    country: str | None = None  # places: key of a state
    within: str | None = None  # places: key of the city a venue lies in ("Diriyah-Palast" in Riad)
    capital: str | None = None
    gender: str | None = None
    genitives: tuple[str, ...] = ()  # "Russlands": a genitive form is an attribute, not an agent
    offices: tuple[Office, ...] = ()  # persons: dated offices; ``roles`` are not tied to a date
    wikidata: str | None = None  # the Wikidata item, "Q159"
    iso3: str | None = None  # states: ISO 3166-1 alpha-3
    coordinates: tuple[float, float] | None = None  # places: latitude, longitude
    cameo: str | None = None  # organisations: CAMEO actor code ("IGOUNO", "RUSSPY")

    @property
    def all_roles(self) -> tuple[str, ...]:
        """Every role the entry held at any time (for a person the text has already named)."""
        return tuple(dict.fromkeys(tuple(r for o in self.offices for r in o.roles) + self.roles))

    def roles_on(self, date: str | None) -> tuple[str, ...]:
        """The roles of the entry on ``date`` (today without one): its undated roles and
        those of the offices it held then, the offices first."""
        dated = tuple(r for o in self.offices if o.held_on(date) for r in o.roles)
        return tuple(dict.fromkeys(dated + self.roles))


@dataclass
class Registry:
    entries: dict[str, Entry]
    # surface form -> (entry key, kind); kind: name | metonym | role_alias | place
    surface_forms: dict[str, tuple[str, str]] = field(default_factory=dict)
    adjective_to_state: dict[str, str] = field(default_factory=dict)  # inflected, lowercase
    # (affiliation, role stem) -> [(person key, the office or None for an undated role)]
    person_by_role: dict[tuple[str, str], list[tuple[str, Office | None]]] = field(default_factory=dict)
    # role alias -> [(person key, office)]: "EU-Außenbeauftragte" names whoever held the office
    dated_role_aliases: dict[str, list[tuple[str, Office]]] = field(default_factory=dict)
    genitive_forms: set[str] = field(default_factory=set)
    place_forms: dict[str, str] = field(default_factory=dict)  # surface form -> place key

    def get(self, key: str) -> Entry | None:
        return self.entries.get(key)

    def state_for_adjective(self, word: str) -> str | None:
        return self.adjective_to_state.get(word.lower())

    def persons_with_role(self, state_key: str | None, role: str, on: str | None = None) -> list[str]:
        """Who held ``role`` for ``state_key`` on the date ``on`` (today without one)."""
        found = self.person_by_role.get((state_key or "", normalise_role(role)), [])
        return list(dict.fromkeys(key for key, office in found if office is None or office.held_on(on)))

    def role_alias_holder(self, form: str, key: str, on: str | None) -> str | None:
        """The person a role alias names on ``on``: ``key`` if the alias is undated, else the
        holder of the dated office then (None: nobody the registry knows)."""
        dated = self.dated_role_aliases.get(form)
        if not dated:
            return key
        return next((k for k, office in dated if office.held_on(on)), None)

    def affiliation_of(self, key: str, new_actors: Mapping[str, NewActor] | None = None) -> str | None:
        """The state or organisation an actor (registry entry or new actor) belongs to."""
        entry = self.entries.get(key)
        if entry is not None:
            return entry.affiliation
        new = (new_actors or {}).get(key)
        return new.affiliation if new else None

    def party_of(self, key: str, new_actors: Mapping[str, NewActor] | None = None) -> str:
        """The side an actor is on: its affiliations followed up to a state, or to the last
        registry entry on the way ("Rafael Grossi" -> IAEA -> Vereinte Nationen)."""

        def step(current: str) -> str | None:
            target = self.affiliation_of(current, new_actors)
            return target if target and target in self.entries else None

        return follow_affiliations(key, step, lambda k: self.entries[k].type == "State")


def follow_affiliations(key: str, affiliation: Callable[[str], str | None], is_state: Callable[[str], bool]) -> str:
    """The one affiliation walk of kg: from ``key`` along ``affiliation`` until a state,
    an actor without affiliation, or (never in a valid registry) a cycle.

    The registry, the extraction rules, kg.resolve and the network all take sides with it;
    the network walks the affiliations stated in a graph rather than the registry's."""
    seen = {key}
    while True:
        target = affiliation(key)
        if not target or target in seen:
            return key
        seen.add(target)
        key = target
        if is_state(key):
            return key


def slug(text: str) -> str:
    """ASCII slug for IRIs: 'Sergej Lawrow' -> 'sergej-lawrow', 'Außenministerium' -> 'aussenministerium'."""
    text = text.replace("ß", "ss").replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    text = text.replace("Ä", "Ae").replace("Ö", "Oe").replace("Ü", "Ue")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


@lru_cache(maxsize=65536)
def normalise_role(role: str) -> str:
    """Reduce an inflected role noun to a comparable stem.

    'Präsidenten'/'Präsidentin' -> 'präsident', 'Außenministers'/'Außenminister' ->
    'außenminist'. Endings are stripped repeatedly so every inflected form meets the same stem.
    """
    r = role.lower().replace("-", "").replace("ß", "ss")  # Swiss spelling: "Aussenminister"
    for _ in range(3):
        for ending in ("innen", "in", "en", "er", "es", "e", "n", "s"):
            if r.endswith(ending) and len(r) - len(ending) >= 4:
                r = r[: -len(ending)]
                break
        else:
            break
    return r


def adjective_variants(name: str) -> list[str]:
    """Inflected forms of a name that opens with an adjective: 'Auswärtiges Amt' ->
    'Auswärtige Amt', 'Auswärtigen Amt', …; 'Russisches Außenministerium' also lower-case."""
    first, _, rest = name.partition(" ")
    if not rest or not first.isalpha():
        return []
    for ending in ("es", "er", "en", "em", "e"):
        if first.endswith(ending) and len(first) > len(ending) + 3:
            stem = first[: -len(ending)]
            variants = {stem + e + " " + rest for e in ADJECTIVE_ENDINGS if e}
            variants |= {v[0].lower() + v[1:] for v in variants}
            variants.discard(name)
            return sorted(variants)
    return []


def _as_tuple(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value if v)


def _entries_from_yaml(data: dict) -> list[Entry]:
    sections = (("states", "State"), ("organizations", "Organization"), ("persons", "Person"), ("places", "Place"))
    out: list[Entry] = []
    for section, type_ in sections:
        for item in data.get(section) or []:
            # "en" is documentation: English names that are safe to match are listed as
            # aliases ("Georgia", "Jordan", "Chad" are deliberately not)
            aliases = _as_tuple(item.get("aliases"))
            out.append(
                Entry(
                    key=str(item["key"]),
                    label=str(item["label"]),
                    type=type_,
                    aliases=tuple(dict.fromkeys(a for a in aliases if a != item["label"])),
                    metonyms=_as_tuple(item.get("metonyms")),
                    adjectives=_as_tuple(item.get("adjective")),
                    roles=_as_tuple(item.get("roles")),
                    role_aliases=_as_tuple(item.get("role_aliases")),
                    affiliation=item.get("affiliation"),
                    country=item.get("country"),
                    within=item.get("within"),
                    capital=item.get("capital"),
                    gender=item.get("gender"),
                    genitives=_as_tuple(item.get("genitive")),
                    offices=tuple(
                        Office(_as_tuple(o.get("roles")), _as_tuple(o.get("role_aliases")),
                               str(o["from"]) if o.get("from") else None, str(o["until"]) if o.get("until") else None)
                        for o in item.get("offices") or ()
                    ),
                    wikidata=str(item["wikidata"]) if item.get("wikidata") else None,
                    iso3=str(item["iso3"]) if item.get("iso3") else None,
                    coordinates=tuple(float(c) for c in item["coordinates"]) if item.get("coordinates") else None,
                    cameo=str(item["cameo"]) if item.get("cameo") else None,
                )
            )
    return out


class RegistryError(InputError):
    """The actor registry cannot be read or is inconsistent."""


def _check_affiliations(entries: dict[str, Entry]) -> None:
    """Every affiliation names an entry, and no chain of affiliations returns to its start."""
    for e in entries.values():
        chain = [e.key]
        key = e.affiliation
        while key:
            if key not in entries:
                raise RegistryError(f"actor registry: {chain[-1]} is affiliated with {key}, which is no entry")
            if key in chain:
                raise RegistryError(f"actor registry: affiliations run in a circle: {' -> '.join(chain + [key])}")
            chain.append(key)
            key = entries[key].affiliation


ISO3 = re.compile(r"[A-Z]{3}")
#: a CAMEO actor code: three-letter parts ("IGOUNO", "RUSGOV")
ACTOR_CODE = re.compile(r"(?:[A-Z]{3})+")


def _check_identities(entries: dict[str, Entry]) -> None:
    """QIDs and ISO codes are well formed and name one entry each (a shared QID would
    make two actors one in every store that follows owl:sameAs)."""
    seen: dict[str, str] = {}
    for e in entries.values():
        for value, pattern, what in ((e.wikidata, QID, "Wikidata QID"), (e.iso3, ISO3, "ISO 3166-1 alpha-3 code")):
            if value is None:
                continue
            if not pattern.fullmatch(value):
                raise RegistryError(f"actor registry: {e.key}: {value!r} is not a {what}")
            if value in seen:
                raise RegistryError(f"actor registry: {e.key} and {seen[value]} have the same {what} {value}")
            seen[value] = e.key
        if e.cameo is not None and not ACTOR_CODE.fullmatch(e.cameo):
            raise RegistryError(f"actor registry: {e.key}: {e.cameo!r} is not a CAMEO actor code")
        where = e.coordinates
        if where is not None and not (len(where) == 2 and -90 <= where[0] <= 90 and -180 <= where[1] <= 180):
            raise RegistryError(f"actor registry: {e.key}: coordinates must be [latitude, longitude]")


def build_registry(entries: list[Entry]) -> Registry:
    reg = Registry(entries={e.key: e for e in entries})
    _check_affiliations(reg.entries)
    _check_identities(reg.entries)
    # Precedence when one surface form names several entries: names of actors beat
    # metonyms, metonyms beat places (the annotator decides place vs actor by context).
    rank = {"name": 0, "role_alias": 1, "metonym": 2, "place": 3}

    def add(form: str, key: str, kind: str) -> None:
        form = form.strip()
        if len(form) < 2:
            return
        old = reg.surface_forms.get(form)
        if old is None or rank[kind] < rank[old[1]]:
            reg.surface_forms[form] = (key, kind)

    for e in entries:
        if e.type == "Place":
            for form in (e.label, *e.aliases):
                add(form, e.key, "place")
                reg.place_forms.setdefault(form, e.key)
            continue
        forms = [e.label, *e.aliases, *e.genitives]
        if e.type == "Organization":
            forms += [v for f in forms for v in adjective_variants(f)]
        for form in forms:
            add(form, e.key, "name")
        reg.genitive_forms.update(e.genitives)
        for form in e.metonyms:
            add(form, e.key, "metonym")
        for form in e.role_aliases:
            add(form, e.key, "role_alias")
        for office in e.offices:
            for form in office.role_aliases:
                add(form, e.key, "role_alias")
                reg.dated_role_aliases.setdefault(form, []).append((e.key, office))
        if e.type == "State":
            for stem in e.adjectives:
                for ending in ADJECTIVE_ENDINGS:
                    reg.adjective_to_state.setdefault((stem + ending).lower(), e.key)
        if e.type == "Person":
            for role in e.roles:
                reg.person_by_role.setdefault((e.affiliation or "", normalise_role(role)), []).append((e.key, None))
            for office in e.offices:
                for role in office.roles:
                    reg.person_by_role.setdefault((e.affiliation or "", normalise_role(role)), []).append((e.key, office))
    return reg


@lru_cache(maxsize=4)
def load_registry(path: str | None = None) -> Registry:
    """Load and index the registry YAML (default: ontology/actors.yaml)."""
    file = Path(path) if path else registry_file()
    try:
        data = read_yaml(file) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise RegistryError(f"cannot read actor registry {file}: {' '.join(str(exc).split())[:200]}") from None
    return build_registry(_entries_from_yaml(data))
