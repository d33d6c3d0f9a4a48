"""The extraction rules as data (``kg/data/rules.yaml``).

A rule has an id (the ``kg:extractedBy`` value of what it finds), the relation it finds, a
confidence, a one-line description, sentences it must fire on (with the participants it must
find) and sentences it must not fire on. A rule marked ``per_trigger`` records its trigger
word too: ``meet.verb`` finds ``meet.verb.empfangen``. The code that implements a rule
names its id; ``load_rules`` checks that the file and the code know the same rules, so a
rule cannot be added on one side only. Window sizes and limits the rules use are named in
the file's ``limits``.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import yaml

from kg.errors import InputError
from kg.model import Relation
from kg.resources import data_file, read_yaml

RULES_FILE = "rules.yaml"


class RulesError(InputError):
    """The rules file is malformed or does not match the rules the code implements."""


@dataclass(frozen=True)
class Example:
    """A sentence a rule must fire on, and what it must find there."""

    text: str
    date: str | None = None
    pairs: tuple[frozenset[str], ...] = ()  # meetings and calls: actor keys that meet
    parties: frozenset[str] = frozenset()  # agreements: keys among the parties
    demander: str | None = None
    addressee: str | None = None
    content: str | None = None  # a word the agreed or demanded content contains


@dataclass(frozen=True)
class Rule:
    id: str
    relation: Relation
    confidence: float
    description: str
    per_trigger: bool = False
    fires: tuple[Example, ...] = ()
    does_not_fire: tuple[Example, ...] = ()

    def extracted_by(self, trigger: str | None = None) -> str:
        """The ``kg:extractedBy`` value: the id, with the trigger word for per-trigger rules."""
        if self.per_trigger:
            if not trigger:
                raise ValueError(f"rule {self.id} records its trigger word, and none was given")
            return f"{self.id}.{trigger}"
        return self.id


@dataclass(frozen=True)
class RuleBook:
    rules: Mapping[str, Rule]
    limits: Mapping[str, int] = field(default_factory=dict)

    def __getitem__(self, rule_id: str) -> Rule:
        return self.rules[rule_id]

    def __iter__(self):
        return iter(self.rules.values())


def _examples(where: str, rule_id: str, items, positive: bool) -> tuple[Example, ...]:
    out = []
    for item in items or []:
        if isinstance(item, str) and not positive:
            out.append(Example(text=item))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise RulesError(f"{where}: rule {rule_id}: each example needs a 'text'")
        unknown = set(item) - {"text", "date", "pairs", "parties", "demander", "addressee", "content"}
        if unknown:
            raise RulesError(f"{where}: rule {rule_id}: unknown example key(s) {', '.join(sorted(unknown))}")
        pairs = tuple(frozenset(p) for p in item.get("pairs") or [])
        if any(len(p) != 2 for p in pairs):
            raise RulesError(f"{where}: rule {rule_id}: a pair names two different actors")
        out.append(Example(
            text=item["text"], date=item.get("date"), pairs=pairs, parties=frozenset(item.get("parties") or []),
            demander=item.get("demander"), addressee=item.get("addressee"), content=item.get("content"),
        ))
    return tuple(out)


def rules_from_data(data: object, implemented: Iterable[str], where: str = RULES_FILE) -> RuleBook:
    """Validate the parsed YAML against the rule ids the code implements."""
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise RulesError(f"{where}: expected 'limits' and a list of 'rules'")
    limits = data.get("limits") or {}
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in limits.values()):
        raise RulesError(f"{where}: every limit is a whole number >= 0")
    rules: dict[str, Rule] = {}
    for item in data["rules"]:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise RulesError(f"{where}: every rule needs an 'id'")
        rule_id = item["id"]
        if rule_id in rules:
            raise RulesError(f"{where}: rule {rule_id} is defined twice")
        unknown = set(item) - {"id", "relation", "confidence", "description", "per_trigger", "fires", "does_not_fire"}
        if unknown:
            raise RulesError(f"{where}: rule {rule_id}: unknown key(s) {', '.join(sorted(unknown))}")
        try:
            relation = Relation(item.get("relation"))
        except ValueError:
            raise RulesError(f"{where}: rule {rule_id}: relation must be one of {', '.join(r.value for r in Relation)}") from None
        confidence = item.get("confidence")
        if not isinstance(confidence, (int, float)) or not 0 < confidence <= 1:
            raise RulesError(f"{where}: rule {rule_id}: confidence must be a number in (0, 1]")
        description = item.get("description")
        if not isinstance(description, str) or not description.strip() or "\n" in description.strip():
            raise RulesError(f"{where}: rule {rule_id}: description must be one line")
        fires = _examples(where, rule_id, item.get("fires"), positive=True)
        if not fires or not item.get("does_not_fire"):
            raise RulesError(f"{where}: rule {rule_id}: give sentences it fires on and sentences it must not fire on")
        rules[rule_id] = Rule(
            id=rule_id, relation=relation, confidence=float(confidence), description=description.strip(),
            per_trigger=bool(item.get("per_trigger", False)), fires=fires,
            does_not_fire=_examples(where, rule_id, item.get("does_not_fire"), positive=False),
        )
    implemented = set(implemented)
    missing = sorted(implemented - set(rules))
    if missing:
        raise RulesError(f"{where}: no entry for the implemented rule(s) {', '.join(missing)}")
    orphans = sorted(set(rules) - implemented)
    if orphans:
        raise RulesError(f"{where}: rule(s) {', '.join(orphans)} have no implementation")
    return RuleBook(MappingProxyType(rules), MappingProxyType(dict(limits)))


@functools.lru_cache(maxsize=4)
def load_rules(path: str | None, implemented: frozenset[str]) -> RuleBook:
    file = Path(path) if path else data_file(RULES_FILE)
    try:
        data = read_yaml(file)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RulesError(f"{file}: cannot read the rules ({' '.join(str(exc).split())[:160]})") from None
    return rules_from_data(data, implemented, str(file))
