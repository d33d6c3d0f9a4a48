"""The lexicon (kg/data/lexicon.yaml): validated on load, frozen, every key read by the
code, and passed to the components through their factory config."""
from __future__ import annotations

import ast
import dataclasses
import shutil
from pathlib import Path

import pytest
import yaml

from kg.lexicon import GROUPED, Lexicon, LexiconError, lexicon_from_data, load_lexicon
from kg.resources import data_file

KG = Path(__file__).resolve().parent.parent / "kg"


def _data() -> dict:
    return yaml.safe_load(data_file("lexicon.yaml").read_text(encoding="utf-8"))


def _code_usage() -> tuple[set[str], set[str]]:
    """Attribute names read anywhere in kg/ (kg/lexicon.py reads some to build its indexes;
    its field declarations are no attribute reads) and the group names passed to
    Lexicon.groups(list, *groups)."""
    attributes, groups = set(), set()
    for path in KG.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute):
                attributes.add(node.attr)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "groups":
                groups |= {a.value for a in node.args[1:] if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    return attributes, groups


def test_every_lexicon_key_is_read_by_the_code():
    attributes, groups = _code_usage()
    keys = [f.name for f in dataclasses.fields(Lexicon) if f.init and f.name != "groups_of"]
    unread = [k for k in keys if k not in attributes]
    assert unread == [], f"lexicon keys no rule reads: {unread}"
    # a group is read through its list (lex.negation) or by name; a name the code uses
    # must be a group of the file
    data = _data()
    known = {g for name in GROUPED for g in data[name]}
    assert groups - known == set(), f"the code names groups the lexicon lacks: {groups - known}"
    assert {"determiner", "outcome", "modal", "english"} <= groups  # the scan itself works


def test_the_scan_notices_an_unread_key():
    attributes, _ = _code_usage()
    assert "meet_verbs" in attributes and "no_such_lexicon_key" not in attributes


def test_the_file_loads_into_a_frozen_lexicon():
    lex = load_lexicon()
    assert "traf" in lex.meet_verbs and lex.number_words["drei"] == 3
    assert lex.groups("negation", "determiner") <= lex.negation
    assert "no" in lex.negation  # quoted in the file, not read as a boolean
    with pytest.raises(dataclasses.FrozenInstanceError):
        lex.meet_verbs = frozenset()  # type: ignore[misc]
    with pytest.raises(TypeError):
        lex.number_words["zehn"] = 10  # type: ignore[index]
    with pytest.raises(KeyError, match="no group"):
        lex.groups("negation", "sometimes")


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.update(colour_words=["rot"]), "unknown key.*colour_words"),
        (lambda d: d.pop("meet_verbs"), "missing key.*meet_verbs"),
        (lambda d: d.update(meet_verbs="treffen"), "meet_verbs.*list of words"),
        (lambda d: d.update(comitative_prepositions=["mit", False]), 'quote'),
        (lambda d: d.update(number_words={"drei": "drei"}), "number_words.*numbers"),
        (lambda d: d.update(negation=["nicht"]), "negation.*groups"),
    ],
)
def test_malformed_lexicon_is_rejected_naming_the_key(change, message):
    data = _data()
    change(data)
    with pytest.raises(LexiconError, match=message):
        lexicon_from_data(data, "lexicon.yaml")


def test_a_yaml_boolean_in_the_file_is_reported(tmp_path):
    text = data_file("lexicon.yaml").read_text(encoding="utf-8").replace('english_object_prepositions: ["on", upon]', "english_object_prepositions: [on, upon]")
    bad = tmp_path / "lexicon.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(LexiconError, match="english_object_prepositions"):
        load_lexicon(str(bad))


def test_components_take_the_lexicon_from_their_factory_config(tmp_path):
    """A lexicon file given to the pipeline changes what the rules find: 'tagten' is no
    meeting verb in the packaged lexicon, and is one in the copy that lists it."""
    from kg.model import Relation
    from kg.pipeline import Extractor

    text = "Merz und Tusk tagten am Montag in Warschau."
    copy = tmp_path / "lexicon.yaml"
    shutil.copy(data_file("lexicon.yaml"), copy)
    data = yaml.safe_load(copy.read_text(encoding="utf-8"))
    data["meet_verbs"].append("tagten")
    copy.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    def meets(extractor) -> bool:
        return any(m.relation is Relation.MET_WITH for m in extractor.extraction(text, "2025-06-02").meetings)

    assert not meets(Extractor())
    custom = Extractor(lexicon_path=str(copy))
    assert meets(custom)
    assert custom.nlp.get_pipe_config("kg_actors")["lexicon_path"] == str(copy)
