"""The rules file (kg/data/rules.yaml): every rule fires on its own examples and on none of
its counter-examples, through the real pipeline; the file and the code know the same rules."""
from __future__ import annotations

import pytest
import yaml

from kg.extract import IMPLEMENTED, load_rules
from kg.extract.rules import Example, Rule, RuleBook, RulesError, rules_from_data
from kg.model import Relation
from kg.resources import data_file

DEFAULT_DATE = "2025-06-02"
BOOK = load_rules(None, IMPLEMENTED)


def records_of(extraction, book: RuleBook, rule: Rule) -> list:
    """The records a rule produced: its id, or its id and a trigger word."""

    def by(record) -> bool:
        if record.rule == rule.id:
            return True
        return rule.per_trigger and record.rule.startswith(rule.id + ".") and record.rule not in book.rules

    if rule.relation in (Relation.MET_WITH, Relation.PHONE_CALL):
        return [m for m in extraction.meetings if m.relation is rule.relation and by(m)]
    if rule.relation is Relation.AGREED_TO:
        return [a for a in extraction.agreements if by(a)]
    return [d for d in extraction.demands if by(d)]


def cross_pairs(meetings) -> set[frozenset[str]]:
    pairs = set()
    for m in meetings:
        sides = sorted(m.sides.items())
        for i, (_, a_members) in enumerate(sides):
            for _, b_members in sides[i + 1 :]:
                pairs |= {frozenset((a, b)) for a in a_members | {sides[i][0]} for b in b_members}
    return pairs


def found(rule: Rule, example: Example, records: list) -> bool:
    if not records:
        return False
    if rule.relation in (Relation.MET_WITH, Relation.PHONE_CALL):
        return all(pair in cross_pairs(records) for pair in example.pairs)
    if rule.relation is Relation.AGREED_TO:
        return any(example.parties <= set(a.parties) and (example.content or "") in a.content for a in records)
    return any(
        (example.demander is None or d.demander == example.demander)
        and (example.addressee is None or d.addressee == example.addressee)
        and (example.content or "") in d.content
        for d in records
    )


FIRES = [(rule, ex) for rule in BOOK for ex in rule.fires]
SILENT = [(rule, ex) for rule in BOOK for ex in rule.does_not_fire]


@pytest.mark.parametrize("rule, example", FIRES, ids=[f"{r.id}:{e.text[:40]}" for r, e in FIRES])
def test_rule_fires_on_its_examples(extractor, rule, example):
    extraction = extractor.extraction(example.text, date=example.date or DEFAULT_DATE)
    records = records_of(extraction, BOOK, rule)
    assert found(rule, example, records), (rule.id, example, records, extraction)


@pytest.mark.parametrize("rule, example", SILENT, ids=[f"{r.id}:{e.text[:40]}" for r, e in SILENT])
def test_rule_does_not_fire_on_its_counter_examples(extractor, rule, example):
    extraction = extractor.extraction(example.text, date=example.date or DEFAULT_DATE)
    assert records_of(extraction, BOOK, rule) == [], (rule.id, example.text)


def test_every_rule_has_examples_of_both_kinds_and_names_real_actors():
    from kg.registry import load_registry

    registry = load_registry()
    assert {r.id for r in BOOK} == set(IMPLEMENTED)
    for rule in BOOK:
        assert rule.fires and rule.does_not_fire, rule.id
        for ex in rule.fires:
            keys = {k for pair in ex.pairs for k in pair} | ex.parties | {ex.demander, ex.addressee} - {None}
            assert keys, (rule.id, ex.text)  # an example must say what it finds
            assert all(registry.get(k) is not None for k in keys), (rule.id, keys)


def test_kg_extracted_by_of_per_trigger_rules_carries_the_trigger(extractor):
    extraction = extractor.extraction("Merz traf am Montag in Warschau den polnischen Regierungschef Tusk.", DEFAULT_DATE)
    assert [m.rule for m in extraction.meetings] == ["meet.verb.treffen"]
    assert BOOK["meet.verb"].extracted_by("treffen") == "meet.verb.treffen"
    assert BOOK["meet.noun"].extracted_by() == "meet.noun"


# ---------------------------------------------------------------------------- validation

def _data() -> dict:
    return yaml.safe_load(data_file("rules.yaml").read_text(encoding="utf-8"))


def test_the_file_and_the_code_must_know_the_same_rules():
    data = _data()
    with pytest.raises(RulesError, match="no entry for the implemented rule"):
        rules_from_data(data, IMPLEMENTED | {"meet.new-construction"})
    with pytest.raises(RulesError, match="have no implementation"):
        rules_from_data(data, IMPLEMENTED - {"meet.noun"})


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda r: r.update(confidence=1.5), "confidence"),
        (lambda r: r.update(relation="visited"), "relation must be one of"),
        (lambda r: r.update(does_not_fire=[]), "must not fire on"),
        (lambda r: r.update(description="two\nlines"), "one line"),
        (lambda r: r.update(colour="red"), "unknown key"),
        (lambda r: r["fires"].append({"text": "X traf Y.", "pairs": [["a", "b", "c"]]}), "two different actors"),
    ],
)
def test_malformed_rules_are_rejected_with_the_rule_named(change, message):
    data = _data()
    change(data["rules"][0])
    with pytest.raises(RulesError, match=message) as info:
        rules_from_data(data, IMPLEMENTED)
    assert data["rules"][0]["id"] in str(info.value)


def test_limits_are_named_numbers():
    data = _data()
    data["limits"]["noun_place_window"] = -1
    with pytest.raises(RulesError, match="limit"):
        rules_from_data(data, IMPLEMENTED)


def test_every_named_limit_is_used_and_every_used_limit_is_named():
    import re
    from pathlib import Path

    code = "\n".join(p.read_text(encoding="utf-8") for p in (Path(__file__).parent.parent / "kg" / "extract").glob("*.py"))
    used = set(re.findall(r'limits\["([a-z_]+)"\]', code))
    assert used == set(BOOK.limits), (used ^ set(BOOK.limits))
