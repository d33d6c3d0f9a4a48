"""Tests for kg.read: real files in tmp_path, no mocks."""
from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.clean import clean_document
from kg.model import SourceDocument
from kg.read import ReadFailure, read_documents

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def read_all(*paths: Path) -> list[SourceDocument | ReadFailure]:
    return list(read_documents(paths))


def docs(items: list[SourceDocument | ReadFailure]) -> list[SourceDocument]:
    return [i for i in items if isinstance(i, SourceDocument)]


def failures(items: list[SourceDocument | ReadFailure]) -> list[ReadFailure]:
    return [i for i in items if isinstance(i, ReadFailure)]


# --------------------------------------------------------------------------- formats


def test_txt_is_read_unchanged(tmp_path: Path) -> None:
    text = "Rubio traf Lawrow in Riad.\r\n\r\nZweiter Absatz.\n"
    (tmp_path / "a.txt").write_bytes(text.encode("utf-8"))
    [doc] = read_all(tmp_path / "a.txt")
    assert isinstance(doc, SourceDocument)
    assert doc.doc_id == "a"
    assert doc.text == text  # line endings untouched: offsets are those of the file
    assert doc.path == tmp_path / "a.txt"
    assert doc.date is None and doc.outlet is None


def test_utf8_bom_is_dropped(tmp_path: Path) -> None:
    (tmp_path / "bom.txt").write_bytes("\ufeffÄußerung".encode("utf-8"))
    [doc] = read_all(tmp_path / "bom.txt")
    assert isinstance(doc, SourceDocument)
    assert doc.text == "Äußerung"


def test_markdown_is_read_as_text(tmp_path: Path) -> None:
    text = "# Titel\n\nPutin empfing **Witkoff** im Kreml.\n"
    (tmp_path / "m.md").write_text(text, encoding="utf-8")
    [doc] = read_all(tmp_path / "m.md")
    assert isinstance(doc, SourceDocument)
    assert doc.doc_id == "m" and doc.text == text


def test_suffix_is_case_insensitive(tmp_path: Path) -> None:
    (tmp_path / "UP.TXT").write_text("Text.", encoding="utf-8")
    [doc] = read_all(tmp_path)
    assert isinstance(doc, SourceDocument) and doc.doc_id == "UP"


def test_html_drops_script_style_and_chrome(tmp_path: Path) -> None:
    html = """<!doctype html>
<html><head><title>Treffen &amp; Gespr&auml;che</title>
<meta property="article:published_time" content="2025-02-18T14:54:00+01:00">
<link rel="canonical" href="https://example.org/artikel">
<style>p { color: red }</style>
<script>var lawrow = "nicht im Text";</script>
</head><body>
<header>Kopfzeile</header><nav><a href="/">Startseite</a></nav>
<h1>Rubio trifft Lawrow</h1>
<p>Die Au&szlig;enminister   trafen
sich in Riad.<br>Zweite&nbsp;Zeile.</p>
<ul><li>Punkt eins</li><li>Punkt zwei</li></ul>
<aside>Mehr zum Thema</aside><form><input value="x">Suche</form>
<footer>Impressum</footer>
<script type="application/ld+json">{"@type": "NewsArticle"}</script>
</body></html>"""
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    [doc] = read_all(tmp_path / "page.html")
    assert isinstance(doc, SourceDocument)
    assert doc.text == (
        "Rubio trifft Lawrow\n\nDie Außenminister trafen sich in Riad.\nZweite\xa0Zeile."
        "\n\nPunkt eins\nPunkt zwei"
    )
    for gone in ("color", "lawrow", "Kopfzeile", "Startseite", "Mehr zum Thema", "Suche",
                 "Impressum", "NewsArticle"):
        assert gone not in doc.text
    assert doc.title == "Treffen & Gespräche"
    assert doc.date == "2025-02-18"
    assert doc.url == "https://example.org/artikel"


def test_htm_suffix_and_empty_html(tmp_path: Path) -> None:
    (tmp_path / "a.htm").write_text("<p>Inhalt</p>", encoding="utf-8")
    (tmp_path / "b.html").write_text("<script>only()</script><nav>Menü</nav>", encoding="utf-8")
    items = read_all(tmp_path)
    assert [d.text for d in docs(items)] == ["Inhalt"]
    assert [(f.path.name, f.reason) for f in failures(items)] == [("b.html", "empty")]


def test_jsonl_records(tmp_path: Path) -> None:
    lines = [
        {"id": "r1", "text": "Erster Text.", "date": "2025-02", "url": "https://e.org/1",
         "title": "Eins"},
        {"id": "r2", "text": "Zweiter Text."},
    ]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in lines) + "\n\n",
                    encoding="utf-8")
    items = read_all(path)
    assert failures(items) == []
    first, second = docs(items)
    assert (first.doc_id, first.text, first.date, first.url, first.title) == (
        "r1", "Erster Text.", "2025-02", "https://e.org/1", "Eins")
    assert (second.doc_id, second.date, second.path) == ("r2", None, path)


def test_jsonl_broken_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_text(
        '{"id": "a", "text": "Eins."}\n'
        '{"id": "b", "text": "Zwei.\n'  # broken: unterminated string
        '{"id": "c", "text": "Drei."}\n'
        '["not", "an", "object"]\n'
        '{"id": "d"}\n'
        '{"id": "e", "text": "   "}\n',
        encoding="utf-8",
    )
    items = read_all(path)
    assert [d.doc_id for d in docs(items)] == ["a", "c"]
    reasons = [f.reason for f in failures(items)]
    assert len(reasons) == 4
    assert reasons[0].startswith("batch.jsonl, line 2: invalid JSON")
    assert reasons[1] == "batch.jsonl, line 4: expected a JSON object"
    assert reasons[2] == 'batch.jsonl, line 5: missing or invalid "text"'
    assert reasons[3] == "batch.jsonl, line 6: empty"
    assert all(f.path == path for f in failures(items))


def test_cp1252_fallback_logs_a_warning(tmp_path: Path, caplog) -> None:
    path = tmp_path / "alt.txt"
    path.write_bytes("Außenminister Lawrow – „Gespräch“ in Riad".encode("cp1252"))
    with caplog.at_level(logging.WARNING, logger="kg.read"):
        [doc] = read_all(path)
    assert isinstance(doc, SourceDocument)
    assert doc.text == "Außenminister Lawrow – „Gespräch“ in Riad"
    assert any(str(path) in r.getMessage() and "cp1252" in r.getMessage() for r in caplog.records)


def test_empty_and_whitespace_only_files_fail(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.md").write_text(" \n\t\n", encoding="utf-8")
    items = read_all(tmp_path)
    assert docs(items) == []
    assert sorted((f.path.name, f.reason) for f in failures(items)) == [
        ("blank.md", "empty"), ("empty.txt", "empty")]


def test_unsupported_explicit_file_fails_but_is_skipped_in_folders(tmp_path: Path) -> None:
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.7")
    (tmp_path / "note.txt").write_text("Text.", encoding="utf-8")
    [failure] = read_all(tmp_path / "report.pdf")
    assert isinstance(failure, ReadFailure)
    assert failure.path == tmp_path / "report.pdf"
    assert "unsupported file type '.pdf'" in failure.reason and ".txt" in failure.reason
    assert [type(i) for i in read_all(tmp_path)] == [SourceDocument]


def test_missing_path_fails(tmp_path: Path) -> None:
    [failure] = read_all(tmp_path / "nope.txt")
    assert isinstance(failure, ReadFailure) and failure.reason == "not found"


# --------------------------------------------------------------------------- folders


def test_folder_recursion_is_sorted_and_skips_other_files(tmp_path: Path) -> None:
    for rel in ("c.txt", "b/2.txt", "a/sub/0.md", "a/1.txt", "a/z.html"):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"Text aus {rel}.", encoding="utf-8")
    (tmp_path / "metadata.json").write_text("{}", encoding="utf-8")
    (tmp_path / "a" / "data.csv").write_text("x,y", encoding="utf-8")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "h.txt").write_text("versteckt", encoding="utf-8")
    (tmp_path / ".swap.txt").write_text("versteckt", encoding="utf-8")

    items = read_all(tmp_path)
    assert failures(items) == []
    expected = ["a/1.txt", "a/sub/0.md", "a/z.html", "b/2.txt", "c.txt"]
    assert [d.path.relative_to(tmp_path).as_posix() for d in docs(items)] == expected
    assert read_all(tmp_path) == items  # deterministic


def test_file_reached_twice_is_read_once(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Text.", encoding="utf-8")
    items = read_all(tmp_path / "a.txt", tmp_path)
    assert [i.doc_id for i in docs(items)] == ["a"] and failures(items) == []


def test_duplicate_doc_id_fails_for_the_later_file(tmp_path: Path) -> None:
    for rel in ("one/x.txt", "two/x.md"):
        path = tmp_path / rel
        path.parent.mkdir(parents=True)
        path.write_text(f"Text {rel}.", encoding="utf-8")
    items = read_all(tmp_path)
    [doc] = docs(items)
    [failure] = failures(items)
    assert doc.path == tmp_path / "one" / "x.txt"
    assert failure.path == tmp_path / "two" / "x.md"
    assert "duplicate doc id 'x'" in failure.reason


def test_duplicate_id_inside_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "b.jsonl"
    path.write_text('{"id": "k", "text": "A."}\n{"id": "k", "text": "B."}\n', encoding="utf-8")
    items = read_all(path)
    assert [d.text for d in docs(items)] == ["A."]
    assert "duplicate doc id 'k'" in failures(items)[0].reason


# --------------------------------------------------------------------------- metadata


def test_metadata_sidecar_supplies_fields(tmp_path: Path, caplog) -> None:
    (tmp_path / "a.txt").write_text("Text A.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Text B.", encoding="utf-8")
    (tmp_path / "c.txt").write_text("Text C.", encoding="utf-8")
    (tmp_path / "metadata.json").write_text(json.dumps({
        "a": {"date": "2025-02-18", "outlet": "Beispielzeitung", "url": "https://e.org/a",
              "title": "Titel A", "date_note": "from the dateline", "agency": "dpa"},
        "b": {"date": "18.02.2025"},
        "c": {"date": "2025-02-30"},
    }), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="kg.read"):
        items = read_all(tmp_path)
    a, b, c = docs(items)
    assert (a.date, a.outlet, a.url, a.title) == (
        "2025-02-18", "Beispielzeitung", "https://e.org/a", "Titel A")
    assert b.date is None and c.date is None  # invalid dates are ignored ...
    messages = [r.getMessage() for r in caplog.records]
    assert any("18.02.2025" in m for m in messages)  # ... with a warning
    assert any("2025-02-30" in m for m in messages)


def test_metadata_sidecar_applies_to_jsonl_and_wins(tmp_path: Path) -> None:
    (tmp_path / "b.jsonl").write_text(
        '{"id": "r", "text": "Text.", "date": "2024", "title": "Eigener Titel"}\n',
        encoding="utf-8")
    (tmp_path / "metadata.json").write_text(
        json.dumps({"r": {"date": "2025-12", "outlet": "Blatt"}}), encoding="utf-8")
    [doc] = read_all(tmp_path)
    assert isinstance(doc, SourceDocument)
    assert (doc.date, doc.outlet, doc.title) == ("2025-12", "Blatt", "Eigener Titel")


def test_broken_sidecar_is_reported_once_and_documents_still_read(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("B.", encoding="utf-8")
    (tmp_path / "metadata.json").write_text("{broken", encoding="utf-8")
    items = read_all(tmp_path)
    assert [d.doc_id for d in docs(items)] == ["a", "b"]
    [failure] = failures(items)
    assert failure.path.name == "metadata.json" and "sidecar ignored" in failure.reason


def test_seed_corpus_with_metadata() -> None:
    items = read_all(CORPUS)
    assert failures(items) == []
    got = {d.doc_id: (d.date, d.outlet) for d in docs(items)}
    assert got == {
        "000_fc93f5a8c8ff296e": ("2025-02-18", None),
        "001_e7217f6434ba040f": ("2025-02-18", None),
        "002_4ac01c6979724380": (None, None),
        "003_406d1e14dd3015b4": ("2025-02-18", None),
        "004_d3fc333e34ecd65f": ("2025-12", None),
    }
    for doc in docs(items):
        assert doc.text == doc.path.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- properties

_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400)


@settings(max_examples=150, deadline=None)
@given(text=_TEXT, suffix=st.sampled_from([".txt", ".md", ".html", ".htm"]))
def test_read_then_clean_never_raises(text: str, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"doc{suffix}"
        path.write_bytes(text.encode("utf-8"))
        for item in read_documents([path]):
            if isinstance(item, ReadFailure):
                assert item.reason == "empty" or item.reason.startswith("binary file")
                continue
            cleaned = clean_document(item)
            assert len(cleaned.text) == len(item.text)


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("doc.txt", "doc.jsonl"):
            path = Path(tmp) / name
            path.write_bytes(data)
            for item in read_documents([path]):
                if isinstance(item, SourceDocument):
                    clean_document(item)
