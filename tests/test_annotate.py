"""The spaCy components on their own: sentences, actor mentions, places, dates."""
from __future__ import annotations

import spacy

from kg.annotate import sentencize
from kg.extract import _resolve_date
import datetime as dt


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
    assert _resolve_date(("weekday", 0), pub) == "2025-02-17"
    assert _resolve_date(("weekday", 2), pub) == "2025-02-19"
    assert _resolve_date(("daymonth", (12, 2)), pub) == "2025-02-12"
    assert _resolve_date(("rel", -1), pub) == "2025-02-18"
    assert _resolve_date(("weekday", 0), None) is None
