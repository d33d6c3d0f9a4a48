"""Stage read: files and folders -> ``SourceDocument`` records.

Supported inputs
----------------
* ``.txt`` and ``.md``: the file's text, unchanged (Markdown is not rendered).
* ``.html`` / ``.htm``: reduced to plain text with the standard library's ``html.parser``:
  the contents of ``script``, ``style``, ``nav``, ``header``, ``footer``, ``aside``, ``form``
  (and ``noscript``, ``template``, ``svg``, ``iframe``) are dropped, block elements become line
  breaks (paragraph-like blocks a blank line, so the cleaner sees the same block structure as in
  a text file), whitespace inside text runs is collapsed as a browser would, and character
  references are unescaped. **For HTML every character offset used later in the pipeline refers
  to this extracted text, not to the bytes of the HTML file.** ``<title>``,
  ``<link rel="canonical">`` and the ``article:published_time`` / ``og:site_name`` meta tags
  fill title, url, date and outlet unless a sidecar says otherwise.
* ``.jsonl``: one JSON object per line, ``{"id", "text"}`` plus optional ``"date"``,
  ``"url"``, ``"title"``. Blank lines are skipped; a broken line is reported as a
  ``ReadFailure`` naming file and line number, and the other lines are still read.

Folders are walked recursively in sorted order (deterministic on every platform); files with
other suffixes and hidden files/folders are skipped silently there, e.g. ``metadata.json``.
A file named explicitly with an unsupported suffix is a ``ReadFailure``.

Sidecar: a ``metadata.json`` next to a document (``{"DOC_ID": {"date", "outlet", "url",
"title", ...}}``) supplies those fields by doc id; other keys (``date_note``, ``agency``) are
documentation for humans and ignored. A sidecar value wins over one the document carries itself
(JSONL field, HTML head): the sidecar is where a user corrects metadata without editing the
data. An invalid sidecar value is ignored (logged) and the document's own value used.

Decoding: UTF-8 (a byte-order mark is dropped); if that fails the bytes are decoded as cp1252
and a warning naming the file is logged. Dates must be ``YYYY``, ``YYYY-MM`` or
``YYYY-MM-DD`` (a real calendar date); anything else is ignored with a logged warning.
Problems never raise: they are yielded as ``ReadFailure`` so one bad file does not stop a run.
"""
from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from kg.model import SourceDocument

log = logging.getLogger(__name__)

TEXT_SUFFIXES = frozenset({".txt", ".md"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
JSONL_SUFFIXES = frozenset({".jsonl"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES
SIDECAR_NAME = "metadata.json"

_DATE_RE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")


@dataclass(frozen=True)
class ReadFailure:
    """A file (or one JSONL line) that could not be turned into a document."""

    path: Path
    reason: str


# --------------------------------------------------------------------------- public API


def read_documents(paths: Iterable[Path]) -> Iterator[SourceDocument | ReadFailure]:
    """Yield one ``SourceDocument`` or ``ReadFailure`` per document found under ``paths``.

    Paths are processed in the order given; folders are expanded recursively in sorted order.
    A doc id seen before in the same call makes the later document a ``ReadFailure``; the same
    file reached twice (e.g. named and inside a named folder) is read once.
    """
    seen_ids: dict[str, Path] = {}
    seen_files: set[Path] = set()
    sidecars = _SidecarCache()

    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = _walk(path)
        elif path.is_file():
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                yield ReadFailure(
                    path,
                    f"unsupported file type '{path.suffix or '(no suffix)'}' "
                    f"(supported: {', '.join(sorted(SUPPORTED_SUFFIXES))})",
                )
                continue
            files = [path]
        else:
            yield ReadFailure(path, "not found")
            continue

        for file in files:
            key = file.resolve()
            if key in seen_files:
                continue
            seen_files.add(key)

            meta, meta_failure = sidecars.get(file.parent)
            if meta_failure is not None:
                yield meta_failure
            for item in _read_file(file, meta):
                if isinstance(item, SourceDocument):
                    first = seen_ids.get(item.doc_id)
                    if first is not None:
                        yield ReadFailure(
                            file, f"duplicate doc id '{item.doc_id}' (first read from {first})"
                        )
                        continue
                    seen_ids[item.doc_id] = file
                yield item


# --------------------------------------------------------------------------- discovery


def _walk(folder: Path) -> list[Path]:
    """Supported files under ``folder``, recursively, hidden entries skipped.

    Sorted by relative path components (``a/1.txt`` < ``a/sub/0.md`` < ``b.txt``), so the order
    does not depend on the file system; symlinked folders are not followed (no cycles).
    """
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            file = Path(dirpath) / name
            if not name.startswith(".") and file.suffix.lower() in SUPPORTED_SUFFIXES:
                found.append(file)
    return sorted(found, key=lambda f: f.relative_to(folder).parts)


# --------------------------------------------------------------------------- sidecar


class _SidecarCache:
    """``metadata.json`` per folder, loaded once; a broken one is reported once."""

    def __init__(self) -> None:
        self._cache: dict[Path, dict[str, dict[str, Any]]] = {}

    def get(self, folder: Path) -> tuple[dict[str, dict[str, Any]], ReadFailure | None]:
        key = folder.resolve()
        if key in self._cache:
            return self._cache[key], None
        sidecar = folder / SIDECAR_NAME
        entries: dict[str, dict[str, Any]] = {}
        failure: ReadFailure | None = None
        if sidecar.is_file():
            try:
                data = json.loads(sidecar.read_text(encoding="utf-8-sig"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                failure = ReadFailure(sidecar, f"metadata sidecar ignored: {exc}")
            else:
                if isinstance(data, dict):
                    entries = {str(k): v for k, v in data.items() if isinstance(v, dict)}
                else:
                    failure = ReadFailure(
                        sidecar, "metadata sidecar ignored: expected an object keyed by doc id"
                    )
        self._cache[key] = entries
        return entries, failure


# --------------------------------------------------------------------------- per file


def _read_file(
    path: Path, meta: dict[str, dict[str, Any]]
) -> Iterator[SourceDocument | ReadFailure]:
    suffix = path.suffix.lower()
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield ReadFailure(path, f"cannot read: {exc.strerror or exc}")
        return
    text = _decode(data, path)

    if suffix in JSONL_SUFFIXES:
        yield from _read_jsonl(path, text, meta)
        return

    doc_id = path.stem
    head: dict[str, str | None] = {}
    if suffix in HTML_SUFFIXES:
        text, head = _html_to_text(text)
    if not text.strip():
        yield ReadFailure(path, "empty")
        return
    yield _make_document(doc_id, text, path, own=head, sidecar=meta.get(doc_id, {}))


def _read_jsonl(
    path: Path, text: str, meta: dict[str, dict[str, Any]]
) -> Iterator[SourceDocument | ReadFailure]:
    # Split on "\n" only: str.splitlines() would also split inside a record's text at
    # characters such as U+2028, which JSON allows unescaped.
    found_any = False
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        found_any = True
        where = f"{path.name}, line {lineno}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield ReadFailure(path, f"{where}: invalid JSON ({exc.msg})")
            continue
        if not isinstance(record, dict):
            yield ReadFailure(path, f"{where}: expected a JSON object")
            continue
        doc_id, body = record.get("id"), record.get("text")
        if isinstance(doc_id, int) and not isinstance(doc_id, bool):
            doc_id = str(doc_id)
        if not isinstance(doc_id, str) or not doc_id.strip():
            yield ReadFailure(path, f"{where}: missing or invalid \"id\"")
            continue
        if not isinstance(body, str):
            yield ReadFailure(path, f"{where}: missing or invalid \"text\"")
            continue
        if not body.strip():
            yield ReadFailure(path, f"{where}: empty")
            continue
        doc_id = doc_id.strip()
        own = {key: _optional_str(record.get(key), key, where) for key in ("date", "url", "title")}
        yield _make_document(doc_id, body, path, own=own, sidecar=meta.get(doc_id, {}))
    if not found_any:
        yield ReadFailure(path, "empty")


def _make_document(
    doc_id: str,
    text: str,
    path: Path,
    *,
    own: dict[str, str | None],
    sidecar: dict[str, Any],
) -> SourceDocument:
    where = f"{path} ({doc_id})"
    side_where = f"{path.parent / SIDECAR_NAME} ({doc_id})"

    def pick(key: str) -> str | None:
        value = _optional_str(sidecar.get(key), key, side_where)
        if key == "date":
            value = _valid_date(value, side_where)
        if value is None:
            value = own.get(key)
            if key == "date":
                value = _valid_date(value, where)
        return value

    return SourceDocument(
        doc_id=doc_id,
        text=text,
        path=path,
        date=pick("date"),
        url=pick("url"),
        title=pick("title"),
        outlet=pick("outlet"),
    )


# --------------------------------------------------------------------------- helpers


def _decode(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        log.warning("%s: not valid UTF-8, decoded as cp1252", path)
        # cp1252 leaves five byte values undefined; replace them rather than fail.
        return data.decode("cp1252", errors="replace")


def _optional_str(value: Any, key: str, where: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    log.warning("%s: ignoring non-string %r value %r", where, key, value)
    return None


def _valid_date(value: str | None, where: str) -> str | None:
    """``value`` if it is YYYY, YYYY-MM or YYYY-MM-DD and a real date, else None (logged)."""
    if value is None:
        return None
    match = _DATE_RE.fullmatch(value)
    if match:
        year, month, day = match.groups()
        try:
            _dt.date(int(year), int(month or 1), int(day or 1))
        except ValueError:
            pass
        else:
            return value
    log.warning("%s: ignoring date %r (expected YYYY, YYYY-MM or YYYY-MM-DD)", where, value)
    return None


# --------------------------------------------------------------------------- HTML


class _TextExtractor(HTMLParser):
    """Collects the visible text of an HTML page; see the module docstring for the rules."""

    SKIP = frozenset(
        {"script", "style", "nav", "header", "footer", "aside", "form",
         "noscript", "template", "svg", "iframe"}
    )
    # Paragraph-like blocks are separated by a blank line, list items and cells by a newline.
    PARAGRAPH = frozenset(
        {"p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6",
         "ul", "ol", "dl", "table", "blockquote", "pre", "figure", "hr", "address"}
    )
    LINE = frozenset({"br", "li", "tr", "dt", "dd", "figcaption", "caption", "td", "th"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # entities arrive unescaped in handle_data
        self.parts: list[str] = []
        self.head: dict[str, str | None] = {}
        self._skip_depth = 0
        self._pre_depth = 0
        self._pending = 0  # line breaks owed before the next text: block edges collapse
        self._in_title = False
        self._title_done = False  # only the document's <title>, not an SVG's
        self._title: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip_depth += 1
            return
        if self._skip_depth:
            return
        if tag == "title" and not self._title_done:
            self._in_title = True
        elif tag == "meta":
            self._meta(dict(attrs))
        elif tag == "link":
            a = dict(attrs)
            if (a.get("rel") or "").lower() == "canonical" and a.get("href"):
                self.head.setdefault("url", a["href"])
        if tag == "pre":
            self._pre_depth += 1
        self._break(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
            return
        if self._skip_depth or tag == "br":  # "<br/>" reports an end tag too: one break only
            return
        if tag == "title" and self._in_title:
            self._in_title, self._title_done = False, True
        if tag == "pre":
            self._pre_depth = max(0, self._pre_depth - 1)
        self._break(tag)

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title.append(data)
            return
        if self._skip_depth:
            return
        if not self._pre_depth:
            # HTML whitespace only: a no-break space is content, as in a browser.
            data = _HTML_SPACE.sub(" ", data)
            if self._pending and not data.strip(" "):
                return  # indentation between block elements
        if self._pending:
            if self.parts:
                self.parts.append("\n" * self._pending)
            self._pending = 0
        self.parts.append(data)

    def _break(self, tag: str) -> None:
        # Adjacent block edges ("</li><li>", "</p>\n<p>") owe one break, not their sum.
        if self._skip_depth:
            return
        if tag in self.PARAGRAPH:
            self._pending = 2
        elif tag == "br":  # "<br><br>" is a paragraph break, as rendered
            self._pending = min(2, self._pending + 1)
        elif tag in self.LINE:
            self._pending = max(self._pending, 1)

    def _meta(self, attrs: dict[str, str | None]) -> None:
        name = (attrs.get("property") or attrs.get("name") or "").lower()
        content = (attrs.get("content") or "").strip()
        if not content:
            return
        if name in {"article:published_time", "date", "dc.date", "dcterms.date"}:
            self.head.setdefault("date", content[:10])  # date part of an ISO timestamp
        elif name == "og:site_name":
            self.head.setdefault("outlet", content)

    def result(self) -> tuple[str, dict[str, str | None]]:
        text = "".join(self.parts)
        lines = [line.strip(" \t\r\f") for line in text.split("\n")]
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
        title = " ".join("".join(self._title).split())
        if title:
            self.head.setdefault("title", title)
        return text, self.head


def _html_to_text(html: str) -> tuple[str, dict[str, str | None]]:
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return parser.result()
