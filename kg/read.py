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
import errno
import json
import logging
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, BinaryIO

from kg.errors import InputError
from kg.model import SourceDocument

log = logging.getLogger(__name__)

TEXT_SUFFIXES = frozenset({".txt", ".md"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
JSONL_SUFFIXES = frozenset({".jsonl"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES
SIDECAR_NAME = "metadata.json"

MAX_DOCUMENT_BYTES = 20 * 1000 * 1000  # per document: a file, or one JSONL line
SNIFF_BYTES = 8192  # how much of a file the binary check looks at
CONTROL_SHARE_LIMIT = 0.10  # more control characters than this in the sniffed bytes: binary

_DATE_RE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
# C0 controls and DEL, except \t \n \v \f \r and ESC (ANSI colour codes in logs are text).
_CONTROL_BYTES = bytes(b for b in [*range(0x20), 0x7F] if b not in b"\t\n\x0b\x0c\r\x1b")
_JSONL_CHUNK = 1 << 20  # JSONL lines are read in pieces of at most this size


@dataclass(frozen=True)
class ReadFailure:
    """A file (or one JSONL line) that could not be turned into a document."""

    path: Path
    reason: str


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
            yield ReadFailure(path, _os_problem(path, exc))
            continue
        entries: Iterable[Path | ReadFailure]
        if stat.S_ISDIR(mode):
            entries = _walk(path, seen_folders)
        elif not stat.S_ISREG(mode):
            yield ReadFailure(path, f"not a regular file ({_file_kind(mode)})")
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
            key = _file_key(file)
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
            entries: Iterable[Path | ReadFailure] = _walk(path, visited) if path.is_dir() else [path]
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


# --------------------------------------------------------------------------- discovery


def _walk(root: Path, visited: set[str]) -> Iterator[Path | ReadFailure]:
    """Supported files under ``root`` (and problems met on the way), hidden entries skipped.

    Depth-first with the entries of each folder sorted by name, i.e. sorted by relative path
    components (``a/1.txt`` < ``a/sub/0.md`` < ``b.txt``), so the order does not depend on the
    file system. Iterative, so deep trees cannot exhaust the recursion limit. ``visited`` holds
    the resolved paths of folders already walked in this call; each folder is walked once.
    """
    # A work item is a file to yield, a failure to yield, or (folder, resolved ancestors).
    stack: list[Path | ReadFailure | tuple[Path, tuple[str, ...]]] = [(root, ())]
    while stack:
        item = stack.pop()
        if not isinstance(item, tuple):
            yield item
            continue
        folder, ancestors = item
        real = os.path.realpath(folder)
        if real in visited:
            continue
        visited.add(real)
        ancestors = (*ancestors, real)
        try:
            with os.scandir(folder) as it:
                listing = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield ReadFailure(folder, _os_problem(folder, exc))
            continue

        children: list[Path | ReadFailure | tuple[Path, tuple[str, ...]]] = []
        for entry in listing:
            if entry.name.startswith("."):
                continue
            child = folder / entry.name
            suffix = child.suffix.lower()
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir()  # follows a symlink
            except OSError:
                is_link, is_dir = False, False
            if is_link:
                try:
                    is_dir = stat.S_ISDIR(os.stat(child).st_mode)
                except OSError as exc:  # broken, a loop of links, or not allowed
                    if suffix in SUPPORTED_SUFFIXES or not suffix:
                        children.append(ReadFailure(child, _os_problem(child, exc)))
                    continue
                if is_dir:
                    target = os.path.realpath(child)
                    if target in ancestors:
                        children.append(ReadFailure(
                            child, f"symlink loop (points back to its ancestor folder {target})"
                        ))
                        continue
            if is_dir:
                children.append((child, ancestors))
            elif suffix in SUPPORTED_SUFFIXES:
                children.append(child)
        stack.extend(reversed(children))


def _file_key(file: Path) -> str:
    """Identity of a file for "read once": its resolved path, if it resolves at all."""
    try:
        if os.path.exists(file):
            return os.path.realpath(file)
    except (OSError, ValueError):
        pass
    return os.path.abspath(file)


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
        opened = _open_regular(sidecar)
        if isinstance(opened, str):
            return None, opened
        handle, size = opened
        with handle:
            if size > self._max_bytes:
                return None, _too_large(size, self._max_bytes)
            try:
                data = handle.read(self._max_bytes + 1)
            except OSError as exc:
                return None, _os_problem(sidecar, exc)
        if len(data) > self._max_bytes:
            return None, _too_large(len(data), self._max_bytes)
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
    opened = _open_regular(path)
    if isinstance(opened, str):
        yield ReadFailure(path, opened)
        return
    handle, size = opened
    with handle:
        if suffix in JSONL_SUFFIXES:
            yield from _read_jsonl(path, handle, meta, max_bytes)
            return
        if size > max_bytes:  # decided from the size alone: nothing is read
            yield ReadFailure(path, _too_large(size, max_bytes))
            return
        try:
            data = handle.read(max_bytes + 1)
        except OSError as exc:
            yield ReadFailure(path, _os_problem(path, exc))
            return
    if len(data) > max_bytes:  # grew since it was opened
        yield ReadFailure(path, _too_large(len(data), max_bytes))
        return
    problem = _binary_problem(data[:SNIFF_BYTES])
    if problem is not None:
        yield ReadFailure(path, problem)
        return
    text = _decode(data, path)

    doc_id = path.stem
    head: dict[str, str | None] = {}
    if suffix in HTML_SUFFIXES:
        text, head = _html_to_text(text)
    if not text.strip():
        yield ReadFailure(path, "empty")
        return
    yield _make_document(doc_id, text, path, own=head, sidecar=meta.get(doc_id, {}))


def _read_jsonl(
    path: Path, handle: BinaryIO, meta: dict[str, dict[str, Any]], max_bytes: int
) -> Iterator[SourceDocument | ReadFailure]:
    try:
        problem = _binary_problem(handle.read(SNIFF_BYTES))
        handle.seek(0)
    except OSError as exc:
        yield ReadFailure(path, _os_problem(path, exc))
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
                yield ReadFailure(path, f"{where}: {_too_large(size, max_bytes)}")
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
        yield ReadFailure(path, _os_problem(path, exc))
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


def _open_regular(path: Path) -> tuple[BinaryIO, int] | str:
    """``(binary handle, size)`` for a regular file, else the reason it cannot be read.

    Opened non-blocking, so a named pipe with a document's name cannot hang the run; it is
    rejected by ``fstat`` before anything is read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except (OSError, ValueError) as exc:
        return _os_problem(path, exc)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            return f"not a regular file ({_file_kind(info.st_mode)})"
        if flags & getattr(os, "O_NONBLOCK", 0):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb"), info.st_size
    except OSError as exc:
        os.close(fd)
        return _os_problem(path, exc)


def _os_problem(path: Path, exc: Exception) -> str:
    """A short reason for an ``OSError`` met while opening or listing ``path``."""
    if isinstance(exc, PermissionError):
        return "cannot read: permission denied"
    code = getattr(exc, "errno", None)
    if code == errno.ELOOP:
        return "symlink loop (too many levels of symbolic links)"
    if code in (errno.ENOENT, errno.ENOTDIR):
        try:
            if os.path.islink(path):
                return f"broken symlink (target '{os.readlink(path)}' does not exist)"
        except OSError:
            pass
        return "not found"
    try:  # e.g. ENXIO when opening a socket
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        pass
    else:
        if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
            return f"not a regular file ({_file_kind(mode)})"
    if isinstance(exc, ValueError):  # an embedded NUL byte in the path
        return f"invalid path ({exc})"
    message = getattr(exc, "strerror", None) or str(exc)
    return f"cannot read: {message[:1].lower()}{message[1:]}"


def _file_kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "directory"),
        (stat.S_ISFIFO, "named pipe"),
        (stat.S_ISSOCK, "socket"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
    ):
        if test(mode):
            return name
    return "special file"


def _too_large(size: int, limit: int) -> str:
    def mb(n: int) -> str:
        return f"{n / 1_000_000:.1f}".removesuffix(".0") + " MB"

    shown, allowed = mb(size), mb(limit)
    if shown == allowed or limit < 1_000_000:  # rounding would hide the difference
        shown, allowed = f"{size:,} bytes", f"{limit:,} bytes"
    return f"too large: {shown}, limit {allowed}"


def _binary_problem(head: bytes) -> str | None:
    """Why the first bytes of a file say it is not text, or None."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        return "unsupported encoding (UTF-16/UTF-32 byte-order mark; save the file as UTF-8)"
    nul = head.find(b"\x00")
    if nul >= 0:
        return f"binary file (NUL byte at offset {nul})"
    if head:
        controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
        share = controls / len(head)
        if share > CONTROL_SHARE_LIMIT:
            return (f"binary file ({share:.0%} control characters "
                    f"in the first {len(head):,} bytes)")
    return None


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

    def parse_marked_section(self, i: int, report: int = 1) -> int:
        # "<![foo]>" with a keyword other than CDATA/if/endif/...: the standard library raises
        # AssertionError; a browser skips it as a bogus comment, and so do we.
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            end = self.rawdata.find(">", i + 3)
            return -1 if end < 0 else end + 1

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
