"""The spaCy components on their own: sentences, actor mentions, places, dates."""
from __future__ import annotations

import datetime as dt

import pytest
import spacy
from conftest import SHARED

from kg.extract.setting import resolve_date
from kg.nlp.sentences import sentencize


def actors(nlp, text):
    doc = nlp(text)
    return [(s.text, s.kb_id_, s._.kg_kind) for s in doc.spans["kg_actors"]], doc


def test_components_are_registered_factories(extractor):
    names = extractor.nlp.pipe_names
    assert names[0] == "kg_sentencizer" and "kg_actors" in names and "kg_dates" in names
    assert "kg_actors" in spacy.registry.factories.get_all() or extractor.nlp.has_factory("kg_actors")


def test_sentences_keep_initials_ordinals_and_split_lines():
    nlp = spacy.blank("de")
    doc = sentencize(nlp("Sergej W. Lawrow kam am 18. Februar. Danach sprach M. Rubio.\nÜberschrift ohne Punkt\nNoch ein Satz."))
    sents = [s.text.strip() for s in doc.sents]
    assert sents == ["Sergej W. Lawrow kam am 18. Februar.", "Danach sprach M. Rubio.", "Überschrift ohne Punkt", "Noch ein Satz."]


def test_registry_names_metonyms_and_genitives(extractor):
    found, doc = actors(extractor.nlp, "Der Kreml wies Selenskyjs Vorschlag zurück, Washington schwieg.")
    keys = {k for _, k, _ in found}
    assert {"russland", "wolodymyr-selenskyj", "usa"} <= keys
    genitive = [s for s in doc.spans["kg_actors"] if s.kb_id_ == "wolodymyr-selenskyj"][0]
    assert genitive._.kg_genitive


def test_collectives_from_nationality_adjectives(extractor):
    found, _ = actors(extractor.nlp, "Die russische Seite und US-Vertreter sprachen mit der ukrainischen Delegation.")
    kinds = {(k, kind) for _, k, kind in found}
    assert {("russland", "collective"), ("usa", "collective"), ("ukraine", "collective")} <= kinds


def test_role_anchored_new_person_and_later_surname(extractor):
    doc = extractor.nlp("Der estnische Botschafter Jaan Kask reiste nach Kiew. Kask sagte, die Hilfe gehe weiter.")
    new = doc._.kg_new_actors
    assert "jaan-kask" in new and new["jaan-kask"].affiliation == "estland"
    assert [s.kb_id_ for s in doc.spans["kg_actors"]].count("jaan-kask") == 2


def test_capital_after_preposition_is_a_place(extractor):
    doc = extractor.nlp("Moskau drohte, als die Gespräche in Moskau begannen.")
    assert [s.kb_id_ for s in doc.spans["kg_actors"]] == ["russland"]
    assert [s.kb_id_ for s in doc.spans["kg_places"]] == ["moskau"]


def test_dates_are_normalised_and_weekdays_resolved(extractor):
    doc = extractor.nlp("Am Montag, dem 3. März 2025, und am 18.02.2025 sowie February 12 und gestern.")
    values = [s._.kg_value for s in doc.spans["kg_dates"]]
    assert ("abs", "2025-03-03") in values and ("abs", "2025-02-18") in values
    assert ("daymonth", (12, 2)) in values and ("rel", -1) in values and ("weekday", 0) in values
    pub = dt.date(2025, 2, 19)  # a Wednesday
    assert resolve_date(("weekday", 0), pub) == "2025-02-17"
    assert resolve_date(("weekday", 2), pub) == "2025-02-19"
    assert resolve_date(("daymonth", (12, 2)), pub) == "2025-02-12"
    assert resolve_date(("rel", -1), pub) == "2025-02-18"
    assert resolve_date(("weekday", 0), None) is None


def test_morphology_on_every_token(extractor):
    doc = extractor.nlp("Die beiden vereinbarten den Beginn von Verhandlungen. Putin empfing Witkoff im Kreml.")
    words = [t for t in doc if not t.is_space]
    assert all(t.tag_ and t.pos_ for t in words)
    by_text = {t.text: t for t in words}
    assert by_text["vereinbarten"].lemma_ == "vereinbaren" and by_text["vereinbarten"].pos_ == "VERB"
    assert by_text["empfing"].lemma_ == "empfangen" and str(by_text["empfing"].morph) == "VerbForm=Fin"
    assert by_text["Verhandlungen"].lemma_ == "Verhandlung" and by_text["Verhandlungen"].tag_ == "NN"
    assert by_text["Putin"].pos_ == "PROPN"


def test_morphology_caches_sentences_and_words(extractor):
    morph = extractor.nlp.get_pipe("kg_morph")
    text = "Lawrow traf Rubio am Dienstag in Riad zu langen Gesprächen."
    extractor.nlp(text)
    sentences, lemmas = len(morph._sentences), len(morph._lemmas)
    extractor.nlp(text)
    assert (len(morph._sentences), len(morph._lemmas)) == (sentences, lemmas)


UD_DEV = SHARED / "data" / "ud_german_gsd" / "de_gsd-ud-dev.conllu"


@pytest.mark.skipif(not UD_DEV.exists(), reason="UD German GSD lives in ../shared/data")
def test_morphology_accuracy_on_ud_german(extractor):
    from spacy.tokens import Doc

    morph = extractor.nlp.get_pipe("kg_morph")
    total = upos = lemma = 0
    sentence: list[list[str]] = []
    for line in UD_DEV.read_text(encoding="utf-8").splitlines()[:6000]:
        cols = line.split("\t")
        if len(cols) == 10 and cols[0].isdigit():
            sentence.append(cols)
        elif not line.strip() and sentence:
            doc = Doc(extractor.nlp.vocab, words=[c[1] for c in sentence], sent_starts=[True] + [False] * (len(sentence) - 1))
            for tok, cols in zip(morph(doc), sentence):
                total += 1
                upos += tok.pos_ == cols[3]
                lemma += tok.lemma_.lower() == cols[2].lower() or tok.pos_ in ("PROPN", "PUNCT", "NUM") and tok.text == cols[2]
            sentence = []
    assert total > 3000
    assert upos / total > 0.9 and lemma / total > 0.9, (upos / total, lemma / total)
