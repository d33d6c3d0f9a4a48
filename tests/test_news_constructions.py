"""What real news articles do around the relations: dates and places named elsewhere in the
article, offices that change hands, clutter that names people, places that are no actors.
Every text here is written for this file, after the constructions real reports use."""
from __future__ import annotations

import pytest

from kg.clean import clean_document
from kg.model import Place, Relation, SourceDocument
from kg.registry import load_registry
from kg.resolve import _place_within


def meetings_of(result):
    return [m for m in result.meetings if m.relation is Relation.MET_WITH]


def pairs_of(result) -> set[frozenset[str]]:
    out = set()
    for m in meetings_of(result):
        members = [k for side in m.sides.values() for k in side]
        out |= {frozenset((a, b)) for a in members for b in members if a != b}
    return out


# ------------------------------------------------------------------ dates


@pytest.mark.parametrize("text, published, expected", [
    # a weekday compound, resolved against the publication date (a Thursday)
    ("Am Mittwochabend trafen sich Scholz und Macron in Paris.", "2024-05-16", "2024-05-15"),
    # no date in the sentence: the news date of the opening ("am Dienstag")
    ("Scholz reiste am Dienstag nach Paris.\n\nDort sprach er mit Macron, mit dem er sich im Élysée traf.",
     "2024-05-16", "2024-05-14"),
    # nothing in the article: the publication date
    ("Scholz und Macron trafen sich im Élysée.", "2024-05-16", "2024-05-16"),
    # a month without a year: the latest such month up to publication
    ("Ihre letzten Gespräche hatten Scholz und Xi im April in Peking geführt.", "2024-11-19", "2024-04"),
])
def test_meeting_dates_from_the_sentence_and_the_article(extractor, text, published, expected):
    result = extractor.text(text, date=published)
    assert [m.date for m in meetings_of(result)] == [expected], meetings_of(result)


def test_a_date_that_belongs_to_an_attribute_is_not_the_meetings(extractor):
    text = "Bei einem Treffen mit Starmer unterzeichnete Trump Papiere zu dem im Mai vereinbarten Abkommen."
    [meeting] = meetings_of(extractor.text(text, date="2025-06-17"))
    assert meeting.date == "2025-06-17"


# ------------------------------------------------------------------ places


def test_place_from_the_previous_sentence_of_the_paragraph(extractor):
    text = "Merz ist in Warschau eingetroffen. Bei den Konsultationen am Dienstag beschlossen Merz und Tusk einen Aktionsplan."
    [meeting] = meetings_of(extractor.text(text, date="2025-07-02"))
    assert (meeting.place.key, meeting.place.label) == ("warschau", "Warschau")


def test_a_place_the_registry_does_not_know(extractor):
    result = extractor.text("Modi und Xi kamen in der russischen Stadt Kasan zu einem Treffen zusammen.", date="2024-10-23")
    assert [m.place.label for m in meetings_of(result)] == ["Kasan"]
    # "in" before a common noun or a genitive is no place
    assert not meetings_of(extractor.text("Das geschah in Trumps Amtszeit, als Putin Xi traf.", date="2024-10-23"))[0].place


def test_a_country_after_a_place_noun_is_where_not_who(extractor):
    result = extractor.text("Lula und Maduro trafen sich im Karibikstaat Grenada zu einem Gespräch.", date="2023-12-14")
    [meeting] = meetings_of(result)
    assert "grenada" not in meeting.sides and meeting.place.key == "grenada"


def test_swiss_spelling_finds_the_venue(extractor):
    [meeting] = meetings_of(extractor.text("Im Weissen Haus empfing Trump am Freitag Aliyev.", date="2025-08-08"))
    assert meeting.place.key == "weisses-haus"


def test_two_cities_of_one_country_are_two_meetings():
    registry = load_registry()
    assert not _place_within(Place("tel-aviv", "Tel Aviv"), Place("jerusalem", "Jerusalem"), registry)
    assert _place_within(Place("diriyah-palast", "Diriyah-Palast"), Place("riad", "Riad"), registry)
    assert _place_within(Place("elmendorf-richardson", "Elmendorf"), Place("alaska", "Alaska"), registry)


# ------------------------------------------------------------------ offices over time


@pytest.mark.parametrize("published, holder", [("2023-11-16", "joe-biden"), ("2025-11-16", "donald-trump")])
def test_a_role_alone_names_the_holder_at_the_articles_date(extractor, published, holder):
    result = extractor.text("Der US-Präsident empfing Selenskyj im Weißen Haus.", date=published)
    assert frozenset((holder, "wolodymyr-selenskyj")) in pairs_of(result)


@pytest.mark.parametrize("published, holder", [("2023-05-10", "josep-borrell"), ("2025-05-10", "kaja-kallas")])
def test_a_role_alias_names_the_holder_at_the_articles_date(extractor, published, holder):
    result = extractor.text("Die EU-Außenbeauftragte traf Lawrow in Genf.", date=published)
    assert frozenset((holder, "sergej-lawrow")) in pairs_of(result)


def test_a_named_person_is_never_replaced_by_the_office_holder(extractor):
    result = extractor.text("Der frühere EU-Außenbeauftragte Josep Borrell traf Lawrow in Genf.", date="2025-05-10")
    assert "kaja-kallas" not in result.actors and frozenset(("josep-borrell", "sergej-lawrow")) in pairs_of(result)


@pytest.mark.parametrize("published, role", [("2023-11-16", "Präsident"), ("2025-11-16", "Ex-Präsident")])
def test_the_role_written_is_the_one_held_then(extractor, published, role):
    result = extractor.text("Biden traf Xi südlich von San Francisco.", date=published)
    assert result.actors["joe-biden"].role == role


def test_a_counterpart_is_the_holder_of_the_same_office(extractor):
    result = extractor.text("Macron empfing seinen chinesischen Amtskollegen im Élysée.", date="2024-05-06")
    assert frozenset(("emmanuel-macron", "xi-jinping")) in pairs_of(result)


# ------------------------------------------------------------------ clutter


def masked(text: str) -> list[tuple[str, str]]:
    doc = clean_document(SourceDocument("x", text))
    return [(r.reason, text[r.start : r.end]) for r in doc.removed]


def test_a_credit_at_the_end_of_a_caption_is_masked_not_the_caption():
    caption = "Scholz und Tusk beim Treffen in Warschau. AP/Carla Beispiel\n\nScholz traf Tusk."
    assert masked(caption) == [("photo-credit", "AP/Carla Beispiel")]
    assert masked("Scholz und Tusk in Warschau Foto: dpa/Carla Beispiel\n") == [("photo-credit", "Foto: dpa/Carla Beispiel")]
    # an agency named in a sentence is text
    assert masked("Die Gespräche fanden in Genf statt. AP berichtete darüber.\n") == []


@pytest.mark.parametrize("line, removed", [
    ("Von Carla Beispiel, Paris", True),
    ("Ein Kommentar von Tom Muster", True),
    ("Von Carla Beispiel und Tom Muster", True),
    ("Von Moskau nach Kiew", False),
    ("Von Putin enttäuscht", False),
])
def test_author_bylines_are_masked(line, removed):
    assert bool(masked(line + "\n\nMacron traf Xi.")) is removed


def test_credits_bylines_and_agencies_make_no_actors(extractor):
    text = ("Macron und Xi vor dem Élysée. AP/Carla Beispiel\n\nVon Tom Muster, Paris\n\n"
            "Wie die Agentur Ria Nowosti meldete, traf Macron am Montag Xi.")
    result = extractor.text(text, date="2024-05-06")
    assert set(result.actors) == {"emmanuel-macron", "xi-jinping", "frankreich", "china"}


# ------------------------------------------------------------------ sides and parties


def test_actors_of_a_zwischen_phrase_of_another_noun_do_not_meet(extractor):
    result = extractor.text("In London trafen sich Starmer und Macron nach dem Zerwürfnis zwischen Selenskyj und Trump.",
                            date="2025-03-02")
    assert pairs_of(result) == {frozenset(("keir-starmer", "emmanuel-macron"))}


def test_a_participant_who_names_the_meeting_joins_the_one_just_reported(extractor):
    text = ("Starmer empfing Selenskyj am Sonntag in London. "
            "Ebenfalls zu den Beratungen gereist waren Rutte und von der Leyen.")
    pairs = pairs_of(extractor.text(text, date="2025-03-02"))
    assert frozenset(("mark-rutte", "wolodymyr-selenskyj")) in pairs
    assert frozenset(("ursula-von-der-leyen", "wolodymyr-selenskyj")) in pairs
