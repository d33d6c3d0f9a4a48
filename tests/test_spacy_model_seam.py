"""The --spacy-model seam: a statistical German pipeline's NER adds actors to the rules.

A tiny NER is trained inside the test on a handful of sentences (real spaCy training, no
mocks), saved, and loaded through ``kg build --spacy-model PATH``.
"""
from __future__ import annotations

import random

import pytest
import spacy
from spacy.training import Example
from typer.testing import CliRunner

from kg.cli import app
from kg.nlp.pipeline import build_pipeline
from kg.pipeline import Extractor

TRAIN = [
    ("Jaan Kask traf gestern Putin in Moskau.", [(0, 9, "PER")]),
    ("Am Montag sprach Jaan Kask in Tallinn.", [(17, 26, "PER")]),
    ("Jaan Kask kritisierte die Sanktionen.", [(0, 9, "PER")]),
    ("Die Reise von Jaan Kask dauerte drei Tage.", [(14, 23, "PER")]),
    ("Laut Jaan Kask ist die Lage ernst.", [(5, 14, "PER")]),
    ("Mari Tamm traf gestern Lawrow in Minsk.", [(0, 9, "PER")]),
    ("Mari Tamm kritisierte die Regierung.", [(0, 9, "PER")]),
    ("Gestern sprach Mari Tamm mit Journalisten.", [(15, 24, "PER")]),
]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    random.seed(0)
    spacy.util.fix_random_seed(0)
    nlp = spacy.blank("de")
    ner = nlp.add_pipe("ner")
    ner.add_label("PER")
    examples = [Example.from_dict(nlp.make_doc(text), {"entities": ents}) for text, ents in TRAIN]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(40):
        random.shuffle(examples)
        nlp.update(examples, sgd=optimizer, drop=0.0)
    path = tmp_path_factory.mktemp("models") / "tiny_de_ner"
    nlp.to_disk(path)
    return path


TEXT = "Jaan Kask traf gestern Putin in Moskau."


def test_trained_model_finds_the_name(tiny_model):
    nlp = spacy.load(tiny_model)
    assert [e.text for e in nlp(TEXT).ents] == ["Jaan Kask"]


def test_rules_alone_do_not_know_the_person(extractor):
    result = extractor.text(TEXT, date="2025-05-14")
    assert "jaan-kask" not in result.actors


def test_seam_adds_the_models_entities_to_the_rules(tiny_model):
    nlp = build_pipeline(spacy_model=str(tiny_model))
    assert nlp.pipe_names[:2] == ["kg_sentencizer", "kg_morph"] and "ner" in nlp.pipe_names
    result = Extractor(spacy_model=str(tiny_model)).text(TEXT, date="2025-05-14")
    assert result.actors["jaan-kask"].type == "Person"
    pairs = {frozenset((a, b)) for m in result.meetings for a in sum(map(list, m.sides.values()), []) for b in sum(map(list, m.sides.values()), []) if a != b}
    assert frozenset(("jaan-kask", "wladimir-putin")) in pairs


def test_cli_build_with_spacy_model(tiny_model, tmp_path):
    doc = tmp_path / "kask.txt"
    doc.write_text(TEXT + "\n", encoding="utf-8")
    out = tmp_path / "g.nt"
    result = CliRunner().invoke(app, ["build", str(doc), "--out", str(out), "--spacy-model", str(tiny_model)])
    assert result.exit_code == 0, result.output
    assert "/actor/jaan-kask>" in out.read_text(encoding="utf-8")


def test_unloadable_model_is_a_clear_error(tmp_path):
    doc = tmp_path / "kask.txt"
    doc.write_text(TEXT, encoding="utf-8")
    result = CliRunner().invoke(app, ["build", str(doc), "--out", str(tmp_path / "g.ttl"), "--spacy-model", "no_such_model_xyz"])
    assert result.exit_code != 0 and "no_such_model_xyz" in result.output and "Traceback" not in result.output
