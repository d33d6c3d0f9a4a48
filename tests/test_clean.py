"""Tests for kg.clean: the five seed articles and general rules on synthetic text."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.clean import clean_document, load_patterns
from kg.model import CleanDocument, SourceDocument
from kg.read import read_documents

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture(scope="module")
def seeds() -> dict[str, CleanDocument]:
    out: dict[str, CleanDocument] = {}
    for item in read_documents([CORPUS]):
        assert isinstance(item, SourceDocument), item
        out[item.doc_id[:3]] = clean_document(item)
    assert sorted(out) == ["000", "001", "002", "003", "004"]
    return out


def clean(text: str) -> CleanDocument:
    return clean_document(SourceDocument(doc_id="t", text=text))


def removed_texts(doc: CleanDocument) -> list[tuple[str, str]]:
    return [(r.reason, doc.source.text[r.start : r.end]) for r in doc.removed]


def box_texts(doc: CleanDocument) -> list[str]:
    return [doc.source.text[s:e] for s, e in doc.boxes]


def assert_kept(doc: CleanDocument, passage: str) -> None:
    """``passage`` occurs in the source and is unchanged at the same offsets after cleaning."""
    start = doc.source.text.index(passage)
    assert doc.text[start : start + len(passage)] == passage


def assert_gone(doc: CleanDocument, passage: str) -> None:
    start = doc.source.text.index(passage)
    assert doc.text[start : start + len(passage)].strip() == ""


def check_invariants(doc: CleanDocument) -> None:
    source = doc.source.text
    assert len(doc.text) == len(source)
    for i, (ch, orig) in enumerate(zip(doc.text, source)):
        assert ch == orig or (ch == " " and orig not in "\r\n"), i
    previous_end = 0
    for r in doc.removed:
        assert 0 <= previous_end <= r.start < r.end <= len(source)
        assert r.reason
        assert doc.text[r.start : r.end].strip() == ""
        previous_end = r.end
    for start, end in doc.boxes:
        assert 0 <= start < end <= len(source)


# --------------------------------------------------------------------------- seed articles


def test_seed_invariants(seeds: dict[str, CleanDocument]) -> None:
    for doc in seeds.values():
        check_invariants(doc)


def test_seed_000(seeds: dict[str, CleanDocument]) -> None:
    doc = seeds["000"]
    assert [reason for reason, _ in removed_texts(doc)] == [
        "teaser", "boilerplate", "boilerplate", "photo-credit"]
    for clutter in ("Mehr News zum Krieg in der Ukraine", "JTI zertifiziert JTI zertifiziert",
                    '"So arbeitet die Redaktion" informiert Sie',
                    "Richtlinien der Journalism Trust Initiative.",
                    "Teaserbild: © picture alliance/dpa/Russian Foreign Ministry"):
        assert_gone(doc, clutter)
    for sentence in (
        "Drei Jahre gab es kaum Kontakte zwischen den USA und Russland.",
        "Die USA und Russland haben bei einem ersten Außenministertreffen nach mehreren Jahren "
        "Pause Gespräche über ein Ende des Ukraine-Kriegs vereinbart.",
        "Ukraine und Europäer nicht mit dabei",
        "Die Ukraine war wie die Europäer nicht zu dem Treffen eingeladen worden. "
        "(dpa/afp/bearbeitet von fah/nap)",
    ):
        assert_kept(doc, sentence)
    assert doc.boxes == ()


def test_seed_001(seeds: dict[str, CleanDocument]) -> None:
    doc = seeds["001"]
    removed = removed_texts(doc)
    assert removed[0] == ("navigation", "1. Startseite\n  2. Politik\n  3. Ausland\n  4. Langes "
                          "Treffen der Außenminister aus USA und Russland über Ukraine")
    assert ("photo-credit", "Foto: Evelyn Hockstein/Pool Reuters/AP") in removed
    assert ("teaser", "Lesen Sie auch: Welche Kräfte Deutschland der Ukraine überhaupt "
            "anbieten könnte") in removed
    assert ("byline", "dpa") in removed
    assert ("teaser", "Mehr zum Thema") in removed
    assert ("partner-links", "Unsere Partner") in removed
    ads = [text for reason, text in removed if reason == "advertisement"]
    assert len(ads) == 10
    assert ads[0] == "Anzeige\nStellenmarkt\nDie besten Jobs auf Handelsblatt.com"
    assert ads[-1] == ("Anzeige\nWeiterbildung\n"
                       "Jetzt informieren! Alles rund um das Thema Bildung auf einen Blick")
    # The teaser for a guest article in the middle of the text (kicker, title, blurb, byline).
    [guest] = [text for reason, text in removed if text.startswith("Donald Trump und Europa")]
    assert guest.endswith("Ein Gastbeitrag.\n\nvon Maximilian Terhalle")
    # Everything after the last article sentence is clutter.
    tail = doc.source.text.index("Lesen Sie auch:")
    assert doc.text[tail:].strip() == ""

    for passage in (
        "Krieg in der UkraineLanges Treffen der Außenminister aus USA und Russland über Ukraine",
        "18.02.2025 - 14:54 Uhr Quelle: dpa",
        # the descriptive caption above the credit is content
        "US-Außenminister Marco Rubio trifft sich mit dem saudischen Außenminister Prinz Faisal",
        "Marco Rubio und Sergej Lawrow saßen in der saudischen Hauptstadt zunächst "
        "zweieinhalb Stunden zusammen",
        "Beide Präsidenten schicken enge Berater",
        "Am Mittwoch - also einen Tag nach dem russisch-amerikanischen Treffen - wird auch "
        "Selenskyj in Saudi-Arabien erwartet.",
    ):
        assert_kept(doc, passage)


def test_seed_001_nato_box(seeds: dict[str, CleanDocument]) -> None:
    doc = seeds["001"]
    [box] = box_texts(doc)
    assert box.startswith("Schneller schlau: Nato\nDer Kurzname Nato steht für")
    assert "\n\nStand: Januar 2026\n" in box  # the as-of stamp block belongs to the box
    assert box.endswith("mit anderen Ländern und internationalen Organisationen.“")
    assert "G7-Gruppe" not in box  # the article resumes after the box
    start, end = doc.boxes[0]
    assert doc.text[start:end] == box  # kept as text


def test_seed_002_has_no_clutter(seeds: dict[str, CleanDocument]) -> None:
    doc = seeds["002"]
    assert doc.removed == () and doc.boxes == ()
    assert doc.text == doc.source.text
    assert_kept(doc, "Von M.A.B.")


def test_seed_003(seeds: dict[str, CleanDocument]) -> None:
    doc = seeds["003"]
    assert removed_texts(doc) == [
        ("boilerplate", "(Übersetzt mit deepl.com)"), ("boilerplate", "(wird ggf ergänzt)")]
    # A long descriptive caption is content even though it starts with "Foto:".
    assert_kept(doc, "(Foto: Secretary Marco Rubio, with from left, U.S. Middle East envoy")
    assert_kept(doc, "attend a meeting together at Diriyah Palace in Riyadh, Saudi Arabia, "
                     "February 18, 2025 – Official State Department photo by Freddie Everett)")
    assert_kept(doc, "Zum Thema gehört auch, was die Sprecherin des russischen Ministeriums")
    assert_kept(doc, "We agreed to:")


def test_seed_004(seeds: dict[str, CleanDocument]) -> None:
    doc = seeds["004"]
    removed = removed_texts(doc)
    assert removed[0] == ("photo-credit", "© Lea Dohle")
    assert removed[1] == (
        "newsletter",
        "Newsletter\nWas jetzt? – Der tägliche Morgenüberblick\n"
        "Vielen Dank! Wir haben Ihnen eine E-Mail geschickt.\n"
        "Prüfen Sie Ihr Postfach und bestätigen Sie das Newsletter-Abonnement.",
    )
    reason, teaser = removed[2]
    assert reason == "teaser"
    assert teaser.startswith("Krieg in der Ukraine\nMehr zu Thema\nZ+ (abopflichtiger Inhalt);")
    assert teaser.endswith("Ukraine-Krieg:\nAm Ende entscheidet die Front")
    assert len(removed) == 3
    for passage in (
        "Russland hofft auf Aufhebung der Sanktionen\nBei dem Treffen ging es laut Uschakow",
        "die Russlands Wirtschaft zunehmend unter Druck setzen.",
        "Auch Vertreter der US-Regierung, darunter auch Trump,",
        "mit der dritten Invasion in zehn Jahren zurückkehrt“, sagte Selenskyj.",
    ):
        assert_kept(doc, passage)


# --------------------------------------------------------------------------- general rules


BODY = ("Der Außenminister traf seinen Amtskollegen in der Hauptstadt zu einem langen Gespräch "
        "über die Lage in der Region, die Sicherheit der Grenzen und die Wiederaufnahme "
        "diplomatischer Beziehungen zwischen beiden Ländern.")


def test_patterns_are_loaded_once() -> None:
    assert load_patterns() is load_patterns()


def test_breadcrumb_with_separators() -> None:
    doc = clean("Startseite > Politik > Ausland\n\n" + BODY)
    assert removed_texts(doc) == [("navigation", "Startseite > Politik > Ausland")]


def test_numbered_list_in_article_is_not_a_breadcrumb() -> None:
    text = BODY + "\n\n1. Waffenstillstand\n2. Gefangenenaustausch\n3. Wahlen"
    assert clean(text).removed == ()


def test_ad_block_ends_at_blank_line() -> None:
    text = f"{BODY}\n\nAnzeige\nFirma\nSlogan der Firma\n\nKurzer Absatz nach der Anzeige."
    doc = clean(text)
    assert removed_texts(doc) == [("advertisement", "Anzeige\nFirma\nSlogan der Firma")]
    assert_kept(doc, "Kurzer Absatz nach der Anzeige.")


def test_ad_block_stops_at_a_long_line() -> None:
    doc = clean(f"Anzeige\nFirma\n{BODY}")
    assert removed_texts(doc) == [("advertisement", "Anzeige\nFirma")]
    assert_kept(doc, BODY)


def test_anzeige_in_a_sentence_is_content() -> None:
    assert clean("Die Familie erstattete Anzeige gegen Unbekannt.").removed == ()


def test_short_credit_removed_long_caption_kept() -> None:
    caption = ("Foto: Der Außenminister begrüßt seinen Amtskollegen am Flughafen, während im "
               "Hintergrund Demonstranten gegen das Treffen protestieren")
    doc = clean(f"Bild: dpa\n© Max Mustermann/Agentur\n{caption}\n\n{BODY}")
    assert removed_texts(doc) == [("photo-credit", "Bild: dpa\n© Max Mustermann/Agentur")]
    assert_kept(doc, caption)


def test_treaty_clause_label_is_not_a_credit() -> None:
    assert clean("(c) Die Parteien ernennen Botschafter.").removed == ()


def test_newsletter_block_never_swallows_the_next_paragraph() -> None:
    text = "Newsletter\nDas Briefing am Morgen\nJetzt abonnieren\nKurzer Absatz danach."
    doc = clean(text)
    assert removed_texts(doc) == [
        ("newsletter", "Newsletter\nDas Briefing am Morgen\nJetzt abonnieren")]
    assert_kept(doc, "Kurzer Absatz danach.")


def test_paywall_and_inline_teasers() -> None:
    text = (f"{BODY}\nLesen Sie mehr: Was der Gipfel bringt\nAuch interessant: Ein Porträt\n"
            "F+\nExklusiv für Abonnenten")
    doc = clean(text)
    assert [r for r, _ in removed_texts(doc)] == ["teaser", "paywall"]
    assert_kept(doc, BODY)


def test_teaser_list_runs_to_the_end_of_its_block() -> None:
    text = f"{BODY}\n\nLesen Sie auch:\nErster Titel\nZweiter Titel\n\nSchlussabsatz."
    doc = clean(text)
    assert removed_texts(doc) == [("teaser", "Lesen Sie auch:\nErster Titel\nZweiter Titel")]
    assert_kept(doc, "Schlussabsatz.")


def test_box_heading_alone_takes_the_next_block_and_ends_at_blank_line() -> None:
    text = f"Hintergrund:\n\nDie Nato wurde 1949 gegründet.\nSie hat 32 Mitglieder.\n\n{BODY}"
    doc = clean(text)
    assert box_texts(doc) == [
        "Hintergrund:\n\nDie Nato wurde 1949 gegründet.\nSie hat 32 Mitglieder."]
    assert doc.removed == ()


def test_heading_that_merely_starts_like_a_box_is_content() -> None:
    doc = clean(f"Hintergrundgespräche in Riad\n\n{BODY}")
    assert doc.boxes == () and doc.removed == ()


def test_lone_genre_blurb_is_kept() -> None:
    # Without a title above or a byline below, a "... Ein Kommentar." paragraph may be the
    # article's own lede; it stays.
    text = f"{BODY}\n\nWarum der Gipfel scheitern musste. Ein Kommentar.\n\n{BODY}"
    assert clean(text).removed == ()


# --------------------------------------------------------------------------- properties

_CLUTTERISH = st.sampled_from([
    "", "", "Anzeige", "Unsere Partner", "Mehr zum Thema", "Newsletter", "Stand: Mai 2025",
    "Schneller schlau: EU", "1. Startseite", "  2. Politik", "© X", "Foto: A/B", "dpa",
    "Z+ (abopflichtiger Inhalt);", "Lesen Sie auch: X", "Ein Gastbeitrag.", "von A B",
    "Kurzer Titel", BODY, "\r", "  ",
])
_ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)


@settings(max_examples=300, deadline=None)
@given(text=_ANY_TEXT)
def test_masking_only_blanks_characters(text: str) -> None:
    check_invariants(clean(text))


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(st.one_of(_CLUTTERISH, _ANY_TEXT), max_size=25),
       newline=st.sampled_from(["\n", "\r\n"]))
def test_masking_only_blanks_characters_on_clutter_like_text(
    lines: list[str], newline: str
) -> None:
    check_invariants(clean(newline.join(lines)))
