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
  ``"url"``, ``"title"``. The file is read line by line (it may be large); blank lines are
  skipped; a broken line is reported as a ``ReadFailure`` naming file and line number, and the
  other lines are still read.

Folders are walked recursively in sorted order (deterministic on every platform); files with
other suffixes and hidden files/folders are skipped silently there, e.g. ``metadata.json``.
A file named explicitly with an unsupported suffix is a ``ReadFailure``. Symlinked folders are
followed, but every folder is visited once, by its resolved path: a symlink pointing back to one
of its own ancestor folders is a ``ReadFailure`` ("symlink loop"), one to a folder already
walked elsewhere is skipped. A symlink that cannot be resolved (broken, or a loop of links) is
a ``ReadFailure`` when its name has a supported suffix or no suffix at all (it may have been
meant as a folder); a folder that cannot be listed is a ``ReadFailure`` for that folder.

Sidecar: a ``metadata.json`` next to a document (``{"DOC_ID": {"date", "outlet", "url",
"title", ...}}``) supplies those fields by doc id; other keys (``date_note``, ``agency``) are
documentation for humans and ignored. A sidecar value wins over one the document carries itself
(JSONL field, HTML head): the sidecar is where a user corrects metadata without editing the
data. An invalid sidecar value is ignored (logged) and the document's own value used.

Bad input
---------
Checked in this order, each a ``ReadFailure`` with the path and a specific reason:

* not there / not readable: ``not found``, ``broken symlink (…)``, ``symlink loop (…)``,
  ``not a regular file (named pipe|socket|…)`` (never opened in a way that could block),
  ``cannot read: permission denied`` (and ``cannot read: <OS error>`` otherwise);
* size: a document larger than ``max_bytes`` (default ``MAX_DOCUMENT_BYTES``, 20 MB,
  MB = 10^6 bytes) is ``too large: N MB, limit M MB``, decided from the file size before
  anything is read. For JSONL the limit applies to each line (each document), not to the file;
* binary content: a NUL byte, or more than ``CONTROL_SHARE_LIMIT`` of control characters
  (other than tab, line feed, vertical tab, form feed, carriage return and escape) in the first
  ``SNIFF_BYTES`` bytes, is ``binary file (…)`` whatever the suffix; a UTF-16/32 byte-order
  mark is ``unsupported encoding (…)``;
* ``empty``: nothing but whitespace (for HTML: no visible text).

Decoding: UTF-8 (a byte-order mark is dropped); if that fails the bytes are decoded as cp1252
and a warning naming the file is logged (JSONL: per line, logged once per file). Dates must be
``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (a real calendar date); anything else is ignored with a
logged warning. Problems never raise: they are yielded as ``ReadFailure`` so one bad file does
not stop a run.
"""
from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from kg.errors import InputError
from kg.files import (
    SNIFF_BYTES,
    binary_problem,
    decode,
    file_key,
    file_kind,
    open_regular,
    os_problem,
    too_large,
    walk,
)
from kg.formats import DOCUMENT_SUFFIXES as SUPPORTED_SUFFIXES
from kg.formats import HTML_SUFFIXES, JSONL_SUFFIXES
from kg.html import html_to_text
from kg.model import ReadFailure, SourceDocument

log = logging.getLogger(__name__)

SIDECAR_NAME = "metadata.json"

MAX_DOCUMENT_BYTES = 20 * 1000 * 1000  # per document: a file, or one JSONL line

_DATE_RE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_JSONL_CHUNK = 1 << 20  # JSONL lines are read in pieces of at most this size



# --------------------------------------------------------------------------- public API


def read_documents(
    paths: Iterable[Path], max_bytes: int = MAX_DOCUMENT_BYTES
) -> Iterator[SourceDocument | ReadFailure]:
    """Yield one ``SourceDocument`` or ``ReadFailure`` per document found under ``paths``.

    Paths are processed in the order given; folders are expanded recursively in sorted order.
    A doc id seen before in the same call makes the later document a ``ReadFailure``; the same
    file reached twice (e.g. named and inside a named folder) is read once, and so is a folder.
    ``max_bytes`` limits the size of one document (a file, or a line of a JSONL file).
    """
    if max_bytes < 1:
        raise ValueError(f"max_bytes must be positive, got {max_bytes}")
    seen_ids: dict[str, Path] = {}
    seen_files: set[str] = set()
    seen_folders: set[str] = set()
    sidecars = _SidecarCache(max_bytes)

    for raw in paths:
        path = Path(raw)
        try:
            mode = os.stat(path).st_mode
        except (OSError, ValueError) as exc:  # ValueError: an embedded NUL in the name
            yield ReadFailure(path, os_problem(path, exc))
            continue
        entries: Iterable[Path | ReadFailure]
        if stat.S_ISDIR(mode):
            entries = walk(path, seen_folders)
        elif not stat.S_ISREG(mode):
            yield ReadFailure(path, f"not a regular file ({file_kind(mode)})")
            continue
        elif path.suffix.lower() not in SUPPORTED_SUFFIXES:
            yield ReadFailure(
                path,
                f"unsupported file type '{path.suffix or '(no suffix)'}' "
                f"(supported: {', '.join(sorted(SUPPORTED_SUFFIXES))})",
            )
            continue
        else:
            entries = [path]

        for entry in entries:
            if isinstance(entry, ReadFailure):
                yield entry
                continue
            file = entry
            key = file_key(file)
            if key in seen_files:
                continue
            seen_files.add(key)

            meta, meta_failure = sidecars.get(file.parent)
            if meta_failure is not None:
                yield meta_failure
            for item in _read_file_guarded(file, meta, max_bytes):
                if isinstance(item, SourceDocument):
                    first = seen_ids.get(item.doc_id)
                    if first is not None:
                        yield ReadFailure(
                            file, f"duplicate doc id '{item.doc_id}' (first read from {first})"
                        )
                        continue
                    seen_ids[item.doc_id] = file
                yield item


def check_paths(paths: Iterable[Path]) -> None:
    """Every path given on the command line is there (a broken symlink is, and is reported
    by ``read_documents`` with the rest): a mistyped name stops before any work."""
    for path in paths:
        if not os.path.lexists(path):
            raise InputError(f"{path}: no such file")


def count_documents(paths: Iterable[Path]) -> int:
    """About how many documents ``read_documents(paths)`` will yield, without reading them:
    one per supported file, one per non-blank line of a JSONL file. For progress bars."""
    total = 0
    visited: set[str] = set()
    for raw in paths:
        path = Path(raw)
        try:
            entries: Iterable[Path | ReadFailure] = walk(path, visited) if path.is_dir() else [path]
        except OSError:
            continue
        for entry in entries:
            if isinstance(entry, ReadFailure) or entry.suffix.lower() not in SUPPORTED_SUFFIXES:
                continue
            if entry.suffix.lower() != ".jsonl":
                total += 1
                continue
            try:
                with open(entry, "rb") as handle:
                    total += sum(1 for line in handle if line.strip())
            except OSError:
                total += 1
    return total


# --------------------------------------------------------------------------- sidecar


class _SidecarCache:
    """``metadata.json`` per folder, loaded once; a broken one is reported once."""

    def __init__(self, max_bytes: int) -> None:
        self._max_bytes = max_bytes
        self._cache: dict[str, dict[str, dict[str, Any]]] = {}

    def get(self, folder: Path) -> tuple[dict[str, dict[str, Any]], ReadFailure | None]:
        key = os.path.realpath(folder)
        if key in self._cache:
            return self._cache[key], None
        sidecar = folder / SIDECAR_NAME
        entries: dict[str, dict[str, Any]] = {}
        failure: ReadFailure | None = None
        if os.path.lexists(sidecar):
            data, problem = self._load(sidecar)
            if problem is not None:
                failure = ReadFailure(sidecar, f"metadata sidecar ignored: {problem}")
            elif isinstance(data, dict):
                entries = {str(k): v for k, v in data.items() if isinstance(v, dict)}
            else:
                failure = ReadFailure(
                    sidecar, "metadata sidecar ignored: expected an object keyed by doc id"
                )
        self._cache[key] = entries
        return entries, failure

    def _load(self, sidecar: Path) -> tuple[Any, str | None]:
        opened = open_regular(sidecar)
        if isinstance(opened, str):
            return None, opened
        handle, size = opened
        with handle:
            if size > self._max_bytes:
                return None, too_large(size, self._max_bytes)
            try:
                data = handle.read(self._max_bytes + 1)
            except OSError as exc:
                return None, os_problem(sidecar, exc)
        if len(data) > self._max_bytes:
            return None, too_large(len(data), self._max_bytes)
        try:
            return json.loads(data.decode("utf-8-sig")), None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return None, str(exc)
        except RecursionError:
            return None, "nested too deeply"


# --------------------------------------------------------------------------- per file


def _read_file_guarded(
    path: Path, meta: dict[str, dict[str, Any]], max_bytes: int
) -> Iterator[SourceDocument | ReadFailure]:
    """``_read_file``, with any unforeseen error turned into a failure for this file."""
    try:
        yield from _read_file(path, meta, max_bytes)
    except Exception as exc:  # one bad file must not stop the run
        log.exception("%s: unexpected error while reading", path)
        yield ReadFailure(path, f"unexpected error: {type(exc).__name__}: {exc}")


def _read_file(
    path: Path, meta: dict[str, dict[str, Any]], max_bytes: int
) -> Iterator[SourceDocument | ReadFailure]:
    suffix = path.suffix.lower()
    opened = open_regular(path)
    if isinstance(opened, str):
        yield ReadFailure(path, opened)
        return
    handle, size = opened
    with handle:
        if suffix in JSONL_SUFFIXES:
            yield from _read_jsonl(path, handle, meta, max_bytes)
            return
        if size > max_bytes:  # decided from the size alone: nothing is read
            yield ReadFailure(path, too_large(size, max_bytes))
            return
        try:
            data = handle.read(max_bytes + 1)
        except OSError as exc:
            yield ReadFailure(path, os_problem(path, exc))
            return
    if len(data) > max_bytes:  # grew since it was opened
        yield ReadFailure(path, too_large(len(data), max_bytes))
        return
    problem = binary_problem(data[:SNIFF_BYTES])
    if problem is not None:
        yield ReadFailure(path, problem)
        return
    text = decode(data, path)

    doc_id = path.stem
    head: dict[str, str | None] = {}
    if suffix in HTML_SUFFIXES:
        text, head = html_to_text(text)
    if not text.strip():
        yield ReadFailure(path, "empty")
        return
    yield _make_document(doc_id, text, path, own=head, sidecar=meta.get(doc_id, {}))


def _read_jsonl(
    path: Path, handle: BinaryIO, meta: dict[str, dict[str, Any]], max_bytes: int
) -> Iterator[SourceDocument | ReadFailure]:
    try:
        problem = binary_problem(handle.read(SNIFF_BYTES))
        handle.seek(0)
    except OSError as exc:
        yield ReadFailure(path, os_problem(path, exc))
        return
    if problem is not None:
        yield ReadFailure(path, problem)
        return

    found_any = False
    cp1252_lines: list[int] = []
    try:
        for lineno, raw, size in _jsonl_lines(handle, max_bytes):
            where = f"{path.name}, line {lineno}"
            if raw is None:
                found_any = True
                yield ReadFailure(path, f"{where}: {too_large(size, max_bytes)}")
                continue
            # Lines are split on b"\n" only: str.splitlines() would also split inside a
            # record's text at characters such as U+2028, which JSON allows unescaped.
            try:
                line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
            except UnicodeDecodeError:
                if not cp1252_lines:
                    log.warning("%s, line %d: not valid UTF-8, decoded as cp1252", path, lineno)
                cp1252_lines.append(lineno)
                line = raw.decode("cp1252", errors="replace")
            if not line.strip():
                continue
            found_any = True
            yield _jsonl_record(path, where, line, meta)
    except OSError as exc:
        yield ReadFailure(path, os_problem(path, exc))
        return
    if len(cp1252_lines) > 1:
        log.warning("%s: %d lines were not valid UTF-8 and were decoded as cp1252",
                    path, len(cp1252_lines))
    if not found_any:
        yield ReadFailure(path, "empty")


def _jsonl_lines(
    handle: BinaryIO, max_bytes: int
) -> Iterator[tuple[int, bytearray | None, int]]:
    """``(line number, bytes without the line break, size)``; bytes ``None`` if over the limit.

    A line is read in chunks; once it is longer than ``max_bytes`` what was read is dropped and
    the rest only counted, so about ``max_bytes`` is the most ever held in memory.
    """
    chunk_size = min(max_bytes + 1, _JSONL_CHUNK)
    lineno = 0
    while True:
        buffer: bytearray | None = bytearray()
        size = 0
        ended = False
        while True:
            chunk = handle.readline(chunk_size)
            if not chunk:
                break
            ended = chunk.endswith(b"\n")
            size += len(chunk) - ended
            if buffer is not None:
                if size > max_bytes:
                    buffer = None  # too large: stop keeping it
                else:
                    buffer += chunk[:-1] if ended else chunk
            if ended:
                break
        if not size and not ended:
            return  # end of file
        lineno += 1
        yield lineno, buffer, size


def _jsonl_record(
    path: Path, where: str, line: str, meta: dict[str, dict[str, Any]]
) -> SourceDocument | ReadFailure:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return ReadFailure(path, f"{where}: invalid JSON ({exc.msg})")
    except RecursionError:  # [[[[... nested deeper than the parser can go
        return ReadFailure(path, f"{where}: invalid JSON (nested too deeply)")
    if not isinstance(record, dict):
        return ReadFailure(path, f"{where}: expected a JSON object")
    doc_id, body = record.get("id"), record.get("text")
    if isinstance(doc_id, int) and not isinstance(doc_id, bool):
        doc_id = str(doc_id)
    if not isinstance(doc_id, str) or not doc_id.strip():
        return ReadFailure(path, f"{where}: missing or invalid \"id\"")
    if not isinstance(body, str):
        return ReadFailure(path, f"{where}: missing or invalid \"text\"")
    if not body.strip():
        return ReadFailure(path, f"{where}: empty")
    doc_id = doc_id.strip()
    own = {key: _optional_str(record.get(key), key, where) for key in ("date", "url", "title")}
    return _make_document(doc_id, body, path, own=own, sidecar=meta.get(doc_id, {}))


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


