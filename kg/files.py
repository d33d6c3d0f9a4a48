"""Finding input files and opening them without surprises (stage read).

Folders are walked in sorted order, each visited once by its resolved path; files are opened
without following them into devices or blocking on pipes; the first bytes decide whether a
file is text. Every problem becomes a short reason for a ``ReadFailure`` (see kg.read).
"""
from __future__ import annotations

import errno
import glob
import logging
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from kg.formats import DOCUMENT_SUFFIXES
from kg.model import ReadFailure

log = logging.getLogger("kg.read")  # the stage's logger: warnings name the file read

SNIFF_BYTES = 8192  # how much of a file the binary check looks at
CONTROL_SHARE_LIMIT = 0.10  # more control characters than this in the sniffed bytes: binary
# C0 controls and DEL, except \t \n \v \f \r and ESC (ANSI colour codes in logs are text).
_CONTROL_BYTES = bytes(b for b in [*range(0x20), 0x7F] if b not in b"\t\n\x0b\x0c\r\x1b")



def walk(root: Path, visited: set[str]) -> Iterator[Path | ReadFailure]:
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
            yield ReadFailure(folder, os_problem(folder, exc))
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
                    if suffix in DOCUMENT_SUFFIXES or not suffix:
                        children.append(ReadFailure(child, os_problem(child, exc)))
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
            elif suffix in DOCUMENT_SUFFIXES:
                children.append(child)
        stack.extend(reversed(children))


def file_key(file: Path) -> str:
    """Identity of a file for "read once": its resolved path, if it resolves at all."""
    try:
        if os.path.exists(file):
            return os.path.realpath(file)
    except (OSError, ValueError):
        pass
    return os.path.abspath(file)


def open_regular(path: Path) -> tuple[BinaryIO, int] | str:
    """``(binary handle, size)`` for a regular file, else the reason it cannot be read.

    Opened non-blocking, so a named pipe with a document's name cannot hang the run; it is
    rejected by ``fstat`` before anything is read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except (OSError, ValueError) as exc:
        return os_problem(path, exc)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            return f"not a regular file ({file_kind(info.st_mode)})"
        if flags & getattr(os, "O_NONBLOCK", 0):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb"), info.st_size
    except OSError as exc:
        os.close(fd)
        return os_problem(path, exc)


def os_problem(path: Path, exc: Exception) -> str:
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
            return f"not a regular file ({file_kind(mode)})"
    if isinstance(exc, ValueError):  # an embedded NUL byte in the path
        return f"invalid path ({exc})"
    message = getattr(exc, "strerror", None) or str(exc)
    return f"cannot read: {message[:1].lower()}{message[1:]}"


def file_kind(mode: int) -> str:
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


def too_large(size: int, limit: int) -> str:
    def mb(n: int) -> str:
        return f"{n / 1_000_000:.1f}".removesuffix(".0") + " MB"

    shown, allowed = mb(size), mb(limit)
    if shown == allowed or limit < 1_000_000:  # rounding would hide the difference
        shown, allowed = f"{size:,} bytes", f"{limit:,} bytes"
    return f"too large: {shown}, limit {allowed}"


def binary_problem(head: bytes) -> str | None:
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


def decode(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        log.warning("%s: not valid UTF-8, decoded as cp1252", path)
        # cp1252 leaves five byte values undefined; replace them rather than fail.
        return data.decode("cp1252", errors="replace")


# ---------------------------------------------------------------------------- temporary files
# kg writes every output through a temporary file beside it, named ".NAME.kgPID.XXXX.tmp",
# and renames it into place. A process killed meanwhile leaves that file behind; the next
# write of the same NAME removes such leftovers of processes that no longer run.
STALE_UNNAMED_SECONDS = 15 * 60  # a temp file of an older kg (no pid in its name) this old is dead


def temp_file(path: Path) -> tuple[int, Path]:
    """``(fd, temporary path)`` beside ``path`` for writing it atomically (see above)."""
    remove_stale_temps(path)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.kg{os.getpid()}.", suffix=".tmp")
    return fd, Path(name)


def remove_stale_temps(path: Path) -> int:
    """Remove the temporary files that dead kg processes left beside ``path``; how many."""
    removed = 0
    try:
        candidates = list(path.parent.glob(f".{glob.escape(path.name)}.*.tmp"))
    except OSError:
        return 0
    for candidate in candidates:
        middle = candidate.name[len(path.name) + 2: -len(".tmp")]
        if not _abandoned(candidate, middle):
            continue
        try:
            candidate.unlink()
            removed += 1
        except OSError:
            pass  # not ours to remove after all, or gone already
    return removed


def _abandoned(candidate: Path, middle: str) -> bool:
    pid_part = middle.split(".", 1)[0]
    if pid_part.startswith("kg") and pid_part[2:].isdigit():
        return not _running(int(pid_part[2:]))
    if "." in middle:  # not a name kg made
        return False
    try:  # an older kg named its temp files ".NAME.XXXXXXXX.tmp"
        return time.time() - candidate.stat().st_mtime > STALE_UNNAMED_SECONDS
    except OSError:
        return False


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # alive, owned by someone else
    return True
