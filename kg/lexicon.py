"""The linguistic vocabulary of the annotation and extraction rules (``kg/data/lexicon.yaml``).

Every word list the rules use lives in the YAML file; this module loads it into a frozen,
validated ``Lexicon``. The spaCy components receive the file's path through their factory
config and call ``load_lexicon(path)``, so nothing is read at import time.

Value shapes follow the field annotations: a YAML list becomes a ``frozenset`` (membership)
or a ``tuple`` (order or ``str.endswith`` matters), a YAML mapping a read-only mapping, and a
list of phrases a tuple of word tuples. Grouped lists (``negation``, ``hedges``) are one list
in named groups: the field holds every word, ``groups(name, *groups)`` the words of some.
An unknown, missing or ill-typed key is a ``LexiconError`` naming the file and the key.
"""
from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType

import yaml

from kg.errors import InputError
from kg.registry import normalise_role
from kg.resources import data_file, read_yaml

LEXICON_FILE = "lexicon.yaml"


class LexiconError(InputError):
    """The lexicon file is missing a key, has an unknown one, or a value of the wrong shape."""


@dataclass(frozen=True)
class Lexicon:
    # --- actors, places -------------------------------------------------------
    person_roles: frozenset[str]
    english_roles: frozenset[str]
    irregular_demonyms: Mapping[str, str]
    demonym_endings: tuple[str, ...]
    demonym_articles: frozenset[str]
    group_nouns: frozenset[str]
    coordinators: frozenset[str]
    organisation_heads: Mapping[str, tuple[str, ...]]
    organisation_label_endings: Mapping[str, str]
    organisation_adjective_endings: tuple[str, ...]
    organisation_genitives: tuple[str, ...]
    genitive_s_exceptions: tuple[str, ...]
    place_heads: frozenset[str]
    place_head_suffixes: tuple[str, ...]
    locative_prepositions: frozenset[str]
    unseen_place_prepositions: frozenset[str]
    locative_articles: frozenset[str]
    venue_articles: frozenset[str]
    name_particles: frozenset[str]
    arabic_name_prefixes: tuple[str, ...]
    capitalised_non_names: frozenset[str]
    former_markers: frozenset[str]
    former_prefixes: tuple[str, ...]
    definite_role_articles: frozenset[str]
    news_agencies: frozenset[str]
    counterpart_nouns: frozenset[str]
    plural_role_articles: frozenset[str]
    affiliation_breaks: frozenset[str]
    name_list_breaks: frozenset[str]
    # --- dates ----------------------------------------------------------------
    months: Mapping[str, int]
    weekdays: Mapping[str, int]
    day_parts: tuple[str, ...]
    month_prepositions: tuple[str, ...]
    relative_days: Mapping[str, int]
    weekday_prepositions: tuple[str, ...]
    # --- triggers -------------------------------------------------------------
    meet_verbs: frozenset[str]
    meet_separable: Mapping[str, str]
    arrival_separable: Mapping[str, str]
    meet_english: frozenset[str]
    meet_english_hosting: frozenset[str]
    meet_support_verbs: frozenset[str]
    meet_nouns: frozenset[str]
    meet_noun_suffixes: tuple[str, ...]
    meet_english_phrases: tuple[tuple[str, ...], ...]
    visit_nouns: frozenset[str]
    visit_noun_suffixes: tuple[str, ...]
    visit_prepositions: frozenset[str]
    talk_verbs: frozenset[str]
    sideline_words: frozenset[str]
    presence_words: frozenset[str]
    seating_words: frozenset[str]
    travel_verbs: frozenset[str]
    travel_lemmas: frozenset[str]
    outlet_words: frozenset[str]
    to_prepositions: frozenset[str]
    remote_words: frozenset[str]
    greet_verbs: frozenset[str]
    person_meeting_verbs: frozenset[str]
    participant_phrase_openers: frozenset[str]
    participate_separable: Mapping[str, str]
    participate_verbs: frozenset[str]
    membership_verbs: frozenset[str]
    delegation_heads: tuple[str, ...]
    participate_english: frozenset[str]
    english_agent_prepositions: frozenset[str]
    phone_verbs: frozenset[str]
    phone_separable: Mapping[str, str]
    phone_nouns: frozenset[str]
    agree_verbs: frozenset[str]
    agree_separable: Mapping[str, str]
    agree_english: frozenset[str]
    agree_nouns: frozenset[str]
    agree_noun_suffixes: tuple[str, ...]
    terms_verbs: frozenset[str]
    decide_verbs: frozenset[str]
    anaphoric_objects: frozenset[str]
    agree_support_verbs: frozenset[str]
    agree_consensus: frozenset[str]
    pledge_verbs: frozenset[str]
    pledge_prefixes: tuple[str, ...]
    delegation_words: frozenset[str]
    agreement_particles: frozenset[str]
    agreement_relative_prepositions: frozenset[str]
    demand_verbs: frozenset[str]
    demand_separable: Mapping[str, str]
    demand_prepositional: frozenset[str]
    demand_prepositions: frozenset[str]
    expect_verbs: frozenset[str]
    demand_particles: frozenset[str]
    demand_nouns: frozenset[str]
    demand_noun_openers: frozenset[str]
    necessity_nouns: frozenset[str]
    addressee_prepositions: frozenset[str]
    directive_prepositions: frozenset[str]
    demand_english_call: frozenset[str]
    demand_english_urge: tuple[str, ...]
    english_object_prepositions: frozenset[str]
    demand_english_call_for: frozenset[str]
    english_purpose_prepositions: frozenset[str]
    demand_english_want: frozenset[str]
    want_verbs: frozenset[str]
    demand_modals: frozenset[str]
    demand_necessity: frozenset[str]
    necessity_idiom_openers: frozenset[str]
    request_verbs: frozenset[str]
    request_objects: frozenset[str]
    english_obligation: frozenset[str]
    reported_imperatives: frozenset[str]
    prohibition_modals: frozenset[str]
    self_negating_modals: frozenset[str]
    progress_markers: frozenset[str]
    endorsement_verbs: frozenset[str]
    # --- cues -----------------------------------------------------------------
    negation: frozenset[str]
    hedges: frozenset[str]
    future_auxiliaries: frozenset[str]
    rumour_cues: frozenset[str]
    generic_cues: frozenset[str]
    existential_verbs: frozenset[str]
    existential_subjects: frozenset[str]
    arrival_particles: frozenset[str]
    refusal_cues: frozenset[str]
    refusal_verbs: frozenset[str]
    refusal_particles: frozenset[str]
    open_question_words: frozenset[str]
    subjunctive_markers: frozenset[str]
    speech_verbs: frozenset[str]
    impersonal_speech: frozenset[str]
    source_prepositions: frozenset[str]
    source_postpositions: frozenset[str]
    attribution_so: frozenset[str]
    source_words: frozenset[str]
    # --- clauses, phrases -----------------------------------------------------
    subordinators: frozenset[str]
    ambiguous_subordinators: frozenset[str]
    conjunction_particles: frozenset[str]
    relative_pronouns: frozenset[str]
    where_words: frozenset[str]
    when_words: frozenset[str]
    complementisers: frozenset[str]
    infinitive_markers: frozenset[str]
    np_function_words: frozenset[str]
    np_continuations: frozenset[str]
    np_skip_words: frozenset[str]
    host_nouns: frozenset[str]
    time_nouns: frozenset[str]
    genitive_role_articles: frozenset[str]
    genitive_articles: frozenset[str]
    attributive_prepositions: frozenset[str]
    beneficiary_prepositions: frozenset[str]
    possessive_clitics: frozenset[str]
    venue_prepositions: frozenset[str]
    passive_auxiliaries: frozenset[str]
    stative_passive_auxiliaries: frozenset[str]
    directional_prepositions: frozenset[str]
    into_prepositions: frozenset[str]
    into_articles: frozenset[str]
    place_articles: frozenset[str]
    indefinite_articles: frozenset[str]
    occasion_prepositions: frozenset[str]
    possessive_determiners: frozenset[str]
    framing_prepositions: frozenset[str]
    sequence_prepositions: frozenset[str]
    partner_prepositions: frozenset[str]
    comitative_prepositions: frozenset[str]
    between_prepositions: frozenset[str]
    english_phrase_cuts: frozenset[str]
    english_conjunctions: frozenset[str]
    english_subject_pronouns: frozenset[str]
    # --- participants ---------------------------------------------------------
    exclusion_words: frozenset[str]
    participation_nouns: frozenset[str]
    mediation_words: frozenset[str]
    mediation_links: frozenset[str]
    pair_nouns: frozenset[str]
    pair_articles: frozenset[str]
    collective_nouns: frozenset[str]
    both_words: frozenset[str]
    collective_pronouns: tuple[tuple[str, ...], ...]
    sentence_initial_plural: frozenset[str]
    number_words: Mapping[str, int]
    group_determiners: frozenset[str]
    bare_group_numbers: frozenset[str]
    first_person_plural: frozenset[str]
    first_person_singular: frozenset[str]
    generic_subjects: frozenset[str]
    impersonal_subjects: frozenset[str]
    impersonal_passive: frozenset[str]
    plural_pronouns: frozenset[str]
    english_plural_pronouns: frozenset[str]
    plural_english_verbs: frozenset[str]
    singular_pronouns: frozenset[str]
    demonstrative_pronouns: frozenset[str]
    feminine_pronouns: frozenset[str]
    reflexive_pronouns: frozenset[str]
    # --- content --------------------------------------------------------------
    content_skip_words: frozenset[str]
    content_auxiliaries: frozenset[str]
    perfect_auxiliaries: frozenset[str]
    pluperfect_auxiliaries: frozenset[str]
    content_continuations: frozenset[str]
    content_cut_words: frozenset[str]
    list_item_stops: frozenset[str]
    definite_articles: frozenset[str]
    object_articles: frozenset[str]
    # --- grammar --------------------------------------------------------------
    weak_adjective_endings: tuple[str, ...]
    adjective_endings: tuple[str, ...]
    verb_forms_not_adjectives: frozenset[str]
    # grouped lists: group name -> words (the field above holds their union)
    groups_of: Mapping[str, Mapping[str, frozenset[str]]] = field(default_factory=dict, repr=False)
    # derived indexes (not in the file)
    role_stems: frozenset[str] = field(init=False, repr=False)
    compound_role_stems: frozenset[str] = field(init=False, repr=False)  # stems of 5+ letters: compound heads
    group_stems: frozenset[str] = field(init=False, repr=False)
    org_head_gender: Mapping[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "role_stems", frozenset(normalise_role(r) for r in self.person_roles))
        object.__setattr__(self, "compound_role_stems", frozenset(s for s in self.role_stems if len(s) >= 5))
        object.__setattr__(self, "group_stems", frozenset(normalise_role(g) for g in self.group_nouns if g[0].isupper()))
        heads = {head: gender for gender, words in self.organisation_heads.items() for head in words}
        object.__setattr__(self, "org_head_gender", MappingProxyType(heads))

    def groups(self, name: str, *wanted: str) -> frozenset[str]:
        """The words of some groups of a grouped list: ``lex.groups("negation", "clause")``."""
        table = self.groups_of[name]
        unknown = [g for g in wanted if g not in table]
        if unknown:
            raise KeyError(f"lexicon list {name!r} has no group(s) {', '.join(unknown)}")
        return frozenset().union(*(table[g] for g in wanted))

    def is_role(self, word: str) -> bool:
        """A role noun ("Präsidentin"), also as the head of a compound ("Sicherheitsberater")."""
        stem = normalise_role(word)
        if stem in self.role_stems:
            return True
        # a role stem of 5+ letters that ends the stem after at least one letter
        return word[:1].isupper() and any(stem[k:] in self.compound_role_stems for k in range(1, len(stem) - 4))

    def is_group(self, word: str) -> bool:
        """A noun for a group acting for a state ("Delegation", "Vertretern")."""
        return word in self.group_nouns or (word[:1].isupper() and normalise_role(word) in self.group_stems)


# ------------------------------------------------------------------------------ loading

GROUPED = ("negation", "hedges")


def _convert(where: str, key: str, kind: str, value):
    def fail(expected: str) -> LexiconError:
        return LexiconError(f"{where}: key '{key}' must be {expected}")

    def words(items) -> list[str]:
        if not isinstance(items, list):
            raise fail("a list of words")
        for w in items:
            if isinstance(w, bool):  # YAML reads no/yes/on/off as booleans
                raise fail(f'a list of words (quote "{str(w).lower()}"-like words: YAML read {w!r})')
            if not isinstance(w, (str, int)) or not str(w):
                raise fail("a list of words")
        return [str(w) for w in items]

    if kind == "frozenset[str]":
        return frozenset(words(value))
    if kind == "tuple[str, ...]":
        return tuple(words(value))
    if kind == "tuple[tuple[str, ...], ...]":
        return tuple(tuple(p.split()) for p in words(value))
    if kind.startswith("Mapping["):
        if not isinstance(value, dict) or not value:
            raise fail("a mapping")
        if kind == "Mapping[str, int]":
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in value.values()):
                raise fail("a mapping of words to numbers")
            return MappingProxyType({str(k): v for k, v in value.items()})
        if kind == "Mapping[str, str]":
            if not all(isinstance(v, str) for v in value.values()):
                raise fail("a mapping of words to words")
            return MappingProxyType({str(k): v for k, v in value.items()})
        if kind == "Mapping[str, tuple[str, ...]]":
            return MappingProxyType({str(k): tuple(words(v)) for k, v in value.items()})
    raise fail(f"of the shape {kind}")  # pragma: no cover - a field type this loader lacks


def lexicon_from_data(data: object, where: str = LEXICON_FILE) -> Lexicon:
    """Validate the parsed YAML and build the ``Lexicon``."""
    if not isinstance(data, dict):
        raise LexiconError(f"{where}: expected a mapping of lists at the top level")
    wanted = {f.name: f.type for f in fields(Lexicon) if f.init and f.name != "groups_of"}
    unknown = sorted(set(data) - set(wanted))
    if unknown:
        raise LexiconError(f"{where}: unknown key(s) {', '.join(unknown)}")
    missing = sorted(set(wanted) - set(data))
    if missing:
        raise LexiconError(f"{where}: missing key(s) {', '.join(missing)}")
    values: dict[str, object] = {}
    groups_of: dict[str, Mapping[str, frozenset[str]]] = {}
    for key, kind in wanted.items():
        value = data[key]
        if key in GROUPED:
            if not isinstance(value, dict) or not value:
                raise LexiconError(f"{where}: key '{key}' must be a mapping of groups to word lists")
            table = {str(g): _convert(where, f"{key}.{g}", "frozenset[str]", items) for g, items in value.items()}
            groups_of[key] = MappingProxyType(table)
            values[key] = frozenset().union(*table.values())
        else:
            values[key] = _convert(where, key, kind, value)
    return Lexicon(**values, groups_of=MappingProxyType(groups_of))


@functools.lru_cache(maxsize=4)
def load_lexicon(path: str | None = None) -> Lexicon:
    """The lexicon at ``path`` (default: the packaged ``kg/data/lexicon.yaml``), once per process."""
    file = Path(path) if path else data_file(LEXICON_FILE)
    try:
        data = read_yaml(file)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise LexiconError(f"{file}: cannot read the lexicon ({' '.join(str(exc).split())[:160]})") from None
    return lexicon_from_data(data, str(file))
