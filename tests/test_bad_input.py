"""Bad input for kg.read: every problem is a ReadFailure with its path and a specific reason,
every good document is still read, nothing raises. Real files, sockets, pipes and symlinks;
no mocks.

Permissions and root: these tests usually run as root, and root ignores file modes, so a
``chmod 000`` file is perfectly readable for it. To test a *real* "permission denied", the
reader runs in a forked child that has dropped its privileges to the ``nobody`` user (root may
do that; the child then gets EACCES from the kernel like any user). As an ordinary user no
fork is needed: ``chmod 000`` works directly. Because ``nobody`` must be able to reach the
files, those tests use a temporary folder with mode 0755 instead of pytest's ``tmp_path``
(whose parent folders are private to the user running the tests). Independently of the user,
the corpus also holds a Unix socket named like a document: opening a socket fails with ENXIO
even for root, so that entry is unreadable for everyone.
"""
from __future__ import annotations

import codecs
import json
import logging
import os
import pickle
import pwd
import shutil
import socket
import tempfile
import time
import traceback
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.model import SourceDocument
from kg.read import MAX_DOCUMENT_BYTES, ReadFailure, read_documents

T = TypeVar("T")
Item = SourceDocument | ReadFailure

GOOD_TXT = "Rubio traf Lawrow am Dienstag in Riad. Beide sprachen über die Ukraine.\n"
GOOD_MD = "# Telefonat\n\nMacron telefonierte mit Selenskyj über einen Waffenstillstand.\n"
CP1252_TEXT = "Außenminister Wadephul – „Gespräch“ mit Sybiha in Kiew."
HTML_PAGE = """<!doctype html><html><head><title>Treffen in Paris</title>
<style>body { font-family: serif } .lawrow { display: none }</style>
<script>window.tracking = "Merz traf niemanden";</script></head>
<body><nav>Startseite</nav><p>Merz empfing Starmer in Berlin.</p>
<script type="text/javascript">document.write("Werbung")</script></body></html>"""


def rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def open_tmp() -> Iterator[Path]:
    """A temporary folder that the ``nobody`` user may enter (see the module docstring)."""
    folder = Path(tempfile.mkdtemp(prefix="kg-bad-input-"))
    folder.chmod(0o755)
    yield folder
    for dirpath, dirnames, filenames in os.walk(folder):  # undo chmod 000 before deleting
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            if not path.is_symlink():
                path.chmod(0o755 if path.is_dir() else 0o644)
    shutil.rmtree(folder, ignore_errors=True)


def as_unprivileged(run: Callable[[], T]) -> T:
    """``run()`` under a user for whom file permissions apply (see the module docstring).

    Not root: just call it. Root: fork, drop to ``nobody`` in the child (for good, before
    anything is read), send the pickled result back through a pipe.
    """
    if os.geteuid() != 0:
        return run()
    try:
        nobody = pwd.getpwnam("nobody")
        uid, gid = nobody.pw_uid, nobody.pw_gid
    except KeyError:
        uid = gid = 65534
    # Codecs are imported on first use, and ``nobody`` may not be allowed to read the Python
    # installation (e.g. under /root/.pyenv): load the ones the reader uses before dropping.
    for codec in ("utf-8", "utf-8-sig", "cp1252", "utf-16"):
        codecs.lookup(codec)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never return into pytest
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
            assert os.geteuid() == uid and os.getegid() == gid
            payload = ("ok", run())
        except BaseException:  # noqa: BLE001 - reported in the parent
            payload = ("error", traceback.format_exc())
        try:
            with os.fdopen(write_end, "wb") as out:
                pickle.dump(payload, out)
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as inp:
        data = inp.read()
    os.waitpid(pid, 0)
    status, value = pickle.loads(data)
    if status != "ok":
        pytest.fail(f"reader in the unprivileged child failed:\n{value}")
    return value


def read_with_warnings(paths: list[Path], **kwargs) -> tuple[list[Item], list[str]]:
    """All items, plus the warnings ``kg.read`` logged meanwhile."""
    messages: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    logger = logging.getLogger("kg.read")
    handler, old_level = Collect(level=logging.WARNING), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    try:
        return list(read_documents(paths, **kwargs)), messages
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


def make_socket(path: Path) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.bind(str(path))  # the socket file stays after the socket is closed


# --------------------------------------------------------------------------- the corpus


def build_bad_corpus(root: Path) -> tuple[Path, int]:
    """One file (or folder, link, ...) per kind of bad input, plus two good articles."""
    corpus = root / "corpus"
    corpus.mkdir()
    corpus.chmod(0o755)
    (corpus / "a_good.txt").write_text(GOOD_TXT, encoding="utf-8")
    # A PNG header: NUL bytes from offset 8 on, although the suffix says text.
    (corpus / "b_binary.txt").write_bytes(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)))
    # No NUL, but half of the bytes are control characters.
    (corpus / "b_controls.md").write_bytes(b"\x01\x02\x03\x04\x05" * 10 + b"Text " * 10)
    (corpus / "c_cp1252.txt").write_bytes(CP1252_TEXT.encode("cp1252"))
    (corpus / "d_blank.md").write_text(" \n\t\r\n  \n", encoding="utf-8")
    (corpus / "d_empty.txt").write_bytes(b"")
    limit = 1_000_000
    (corpus / "e_large.txt").write_bytes(b"Lange Rede. " * 125_000)  # 1.5 MB
    (corpus / "f_page.html").write_text(HTML_PAGE, encoding="utf-8")
    (corpus / "g_batch.jsonl").write_text(
        json.dumps({"id": "g1", "text": "Wang Yi traf Baerbock in München."}) + "\n"
        + '{"id": "g2", "text": "abgeschnitten\n'  # broken: unterminated string
        + json.dumps({"id": "g3", "text": "Sehr lang. " * 100_000}) + "\n"  # 1.1 MB line
        + "\n"
        + json.dumps({"id": "g5", "text": "Fidan sprach mit Araghchi."}) + "\n",
        encoding="utf-8",
    )
    secret = corpus / "h_secret.txt"
    secret.write_text("Geheim.", encoding="utf-8")
    secret.chmod(0o000)
    locked = corpus / "i_locked"
    locked.mkdir()
    (locked / "inside.txt").write_text("Unerreichbar.", encoding="utf-8")
    locked.chmod(0o000)
    (corpus / "j_loop.txt").symlink_to("j_loop.txt")  # a link to itself
    (corpus / "k_broken.txt").symlink_to("missing.txt")
    (corpus / "l_back").symlink_to("..")  # back to the corpus' parent: a folder cycle
    make_socket(corpus / "m_socket.txt")
    os.mkfifo(corpus / "n_pipe.txt")  # would block a plain open() forever
    (corpus / "notes.pdf").write_bytes(b"%PDF-1.7")  # other suffix: skipped silently
    (corpus / ".swap.txt").write_bytes(b"\x00" * 10)  # hidden: skipped silently
    (corpus / "z_good.md").write_text(GOOD_MD, encoding="utf-8")
    return corpus, limit


def test_bad_input_corpus(open_tmp: Path) -> None:
    corpus, limit = build_bad_corpus(open_tmp)

    items, warnings = as_unprivileged(
        lambda: read_with_warnings([open_tmp], max_bytes=limit)
    )

    def row(item: Item) -> tuple[str, str, str]:
        if isinstance(item, SourceDocument):
            return ("doc", rel(item.path, corpus), item.doc_id)
        return ("fail", rel(item.path, corpus), item.reason)

    assert [row(i) for i in items] == [
        ("doc", "a_good.txt", "a_good"),
        ("fail", "b_binary.txt", "binary file (NUL byte at offset 8)"),
        ("fail", "b_controls.md", "binary file (50% control characters in the first 100 bytes)"),
        ("doc", "c_cp1252.txt", "c_cp1252"),
        ("fail", "d_blank.md", "empty"),
        ("fail", "d_empty.txt", "empty"),
        ("fail", "e_large.txt", "too large: 1.5 MB, limit 1 MB"),
        ("doc", "f_page.html", "f_page"),
        ("doc", "g_batch.jsonl", "g1"),
        ("fail", "g_batch.jsonl",
         "g_batch.jsonl, line 2: invalid JSON (Unterminated string starting at)"),
        ("fail", "g_batch.jsonl", "g_batch.jsonl, line 3: too large: 1.1 MB, limit 1 MB"),
        ("doc", "g_batch.jsonl", "g5"),
        ("fail", "h_secret.txt", "cannot read: permission denied"),
        ("fail", "i_locked", "cannot read: permission denied"),
        ("fail", "j_loop.txt", "symlink loop (too many levels of symbolic links)"),
        ("fail", "k_broken.txt", "broken symlink (target 'missing.txt' does not exist)"),
        ("fail", "l_back",
         f"symlink loop (points back to its ancestor folder {os.path.realpath(open_tmp)})"),
        ("fail", "m_socket.txt", "not a regular file (socket)"),
        ("fail", "n_pipe.txt", "not a regular file (named pipe)"),
        ("doc", "z_good.md", "z_good"),
    ]

    # The good documents are complete and correct.
    by_id = {i.doc_id: i for i in items if isinstance(i, SourceDocument)}
    assert by_id["a_good"].text == GOOD_TXT
    assert by_id["z_good"].text == GOOD_MD
    assert by_id["c_cp1252"].text == CP1252_TEXT
    assert by_id["f_page"].text == "Merz empfing Starmer in Berlin."  # no script, style, nav
    assert by_id["f_page"].title == "Treffen in Paris"
    assert by_id["g5"].text == "Fidan sprach mit Araghchi."
    # cp1252 was detected and decoded, with a warning naming the file.
    assert any(str(corpus / "c_cp1252.txt") in m and "cp1252" in m for m in warnings)
    # Every failure names an existing entry of the corpus (not a folder above it).
    for item in items:
        assert os.path.lexists(item.path) and item.path.parent == corpus

    # Deterministic: the same again (the reader keeps no state between calls).
    again, _ = as_unprivileged(lambda: read_with_warnings([open_tmp], max_bytes=limit))
    assert again == items


def test_permission_denied_file_and_folder_named_explicitly(open_tmp: Path) -> None:
    secret = open_tmp / "secret.txt"
    secret.write_text("Geheim.", encoding="utf-8")
    secret.chmod(0o000)
    locked = open_tmp / "locked"
    locked.mkdir()
    (locked / "a.txt").write_text("A.", encoding="utf-8")
    locked.chmod(0o000)
    meta_dir = open_tmp / "meta"
    meta_dir.mkdir()
    (meta_dir / "b.txt").write_text("B.", encoding="utf-8")
    (meta_dir / "metadata.json").write_text("{}", encoding="utf-8")
    (meta_dir / "metadata.json").chmod(0o000)

    items, _ = as_unprivileged(lambda: read_with_warnings([secret, locked, meta_dir]))

    assert [(type(i).__name__, i.path, getattr(i, "reason", None)) for i in items] == [
        ("ReadFailure", secret, "cannot read: permission denied"),
        ("ReadFailure", locked, "cannot read: permission denied"),
        ("ReadFailure", meta_dir / "metadata.json",
         "metadata sidecar ignored: cannot read: permission denied"),
        ("SourceDocument", meta_dir / "b.txt", None),  # the document itself is still read
    ]


# --------------------------------------------------------------------------- size


def write_big(path: Path, size: int, prefix: bytes = b"", suffix: bytes = b"") -> None:
    """A real (not sparse) file of exactly ``size`` bytes of text."""
    chunk = b"Der Aussenminister traf seinen Amtskollegen. " * 20_000
    with path.open("wb") as out:
        out.write(prefix)
        while out.tell() < size - len(suffix):
            out.write(chunk[: size - len(suffix) - out.tell()])
        out.write(suffix)
    assert path.stat().st_size == size


def timed_peak(paths: list[Path], **kwargs) -> tuple[list[Item], float, int]:
    """Items, seconds taken and peak Python memory allocated while reading."""
    tracemalloc.start()
    try:
        start = time.perf_counter()
        items = list(read_documents(paths, **kwargs))
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return items, seconds, peak


def test_default_limit_is_20_mb() -> None:
    assert MAX_DOCUMENT_BYTES == 20_000_000


@pytest.mark.parametrize("name", ["huge.txt", "huge.html", "huge.md"])
def test_50_mb_file_is_too_large_fast_without_reading_it(tmp_path: Path, name: str) -> None:
    big = tmp_path / name
    write_big(big, 50_000_000)
    items, seconds, peak = timed_peak([big])
    assert items == [ReadFailure(big, "too large: 50 MB, limit 20 MB")]
    assert seconds < 2.0
    assert peak < 1_000_000  # decided from the size: the 50 MB were never read


def test_50_mb_jsonl_line_is_too_large_and_the_other_lines_are_read(tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    first = json.dumps({"id": "vorher", "text": "Erster Artikel."}).encode() + b"\n"
    last = b"\n" + json.dumps({"id": "nachher", "text": "Letzter Artikel."}).encode() + b"\n"
    write_big(big, 50_000_000, prefix=first + b'{"id": "riesig", "text": "', suffix=b'"}' + last)
    items, seconds, peak = timed_peak([big])
    assert [getattr(i, "doc_id", None) for i in items] == ["vorher", None, "nachher"]
    assert items[1] == ReadFailure(
        big, "big.jsonl, line 2: too large: 50 MB, limit 20 MB")
    assert seconds < 2.0
    # At most about one document's worth (the 20 MB limit, plus the growth slack of the
    # buffer) is held while the line is found to be too long; never the 50 MB line or file.
    assert peak < 30_000_000


def test_limit_applies_per_jsonl_line_not_to_the_file(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    records = [json.dumps({"id": f"r{n}", "text": f"Meldung {n}."}) for n in range(200)]
    path.write_text("\n".join(records) + "\n", encoding="utf-8")
    assert path.stat().st_size > 5_000
    items = list(read_documents([path], max_bytes=100))  # every line < 100 bytes
    assert [i.doc_id for i in items] == [f"r{n}" for n in range(200)]


def test_limit_boundaries(tmp_path: Path) -> None:
    (tmp_path / "exact.txt").write_bytes(b"x" * 100)
    (tmp_path / "over.txt").write_bytes(b"x" * 101)
    (tmp_path / "lines.jsonl").write_bytes(
        b'{"id": "a", "text": "' + b"y" * 77 + b'"}\n'  # exactly 100 bytes before the break
        + b'{"id": "b", "text": "' + b"y" * 77 + b'"}\r\n'  # 101: "\r" is part of the line
        + b'{"id": "c", "text": "' + b"y" * 77 + b'"}'  # 100, last line without a break
    )
    items = list(read_documents([tmp_path], max_bytes=100))
    assert [(i.path.name, getattr(i, "doc_id", None) or i.reason) for i in items] == [
        ("exact.txt", "exact"),
        ("lines.jsonl", "a"),
        ("lines.jsonl", "lines.jsonl, line 2: too large: 101 bytes, limit 100 bytes"),
        ("lines.jsonl", "c"),
        ("over.txt", "too large: 101 bytes, limit 100 bytes"),
    ]


def test_invalid_limit_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        list(read_documents([], max_bytes=0))


# --------------------------------------------------------------------------- binary / encoding


@pytest.mark.parametrize("name", ["x.txt", "x.md", "x.html", "x.htm", "x.jsonl"])
def test_binary_file_with_a_supported_suffix(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 4)  # a zip archive
    assert list(read_documents([path])) == [
        ReadFailure(path, "binary file (NUL byte at offset 5)")]


def test_nul_byte_beyond_the_sniffed_head_is_not_binary(tmp_path: Path) -> None:
    # Only the first 8 KB are inspected; a later NUL is kept as text (like git and grep).
    path = tmp_path / "late.txt"
    path.write_bytes(b"Text. " * 2000 + b"\x00")
    [doc] = read_documents([path])
    assert isinstance(doc, SourceDocument) and doc.text.endswith("\x00")


def test_a_few_control_characters_are_still_text(tmp_path: Path) -> None:
    path = tmp_path / "form.txt"
    text = "Seite 1\x0cSeite 2\x1b[1mfett\x1b[0m\tTab\x07Glocke.\r\n" * 20
    path.write_text(text, encoding="utf-8")
    [doc] = read_documents([path])
    assert isinstance(doc, SourceDocument) and doc.text == text


def test_utf16_is_reported_as_unsupported_encoding(tmp_path: Path) -> None:
    path = tmp_path / "windows.txt"
    path.write_bytes("Rubio traf Lawrow.".encode("utf-16"))  # with byte-order mark
    [failure] = read_documents([path])
    assert isinstance(failure, ReadFailure)
    assert failure.reason.startswith("unsupported encoding (UTF-16")


def test_jsonl_cp1252_lines_decoded_per_line_with_one_warning(tmp_path: Path, caplog) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        json.dumps({"id": "u", "text": "Gespräch"}, ensure_ascii=False).encode("utf-8") + b"\n"
        + json.dumps({"id": "w1", "text": "Äußerung"}, ensure_ascii=False).encode("cp1252")
        + b"\n"
        + json.dumps({"id": "w2", "text": "„Zitat“"}, ensure_ascii=False).encode("cp1252")
    )
    with caplog.at_level(logging.WARNING, logger="kg.read"):
        items = list(read_documents([path]))
    # A UTF-8 line stays UTF-8 even when other lines are cp1252.
    assert [(i.doc_id, i.text) for i in items] == [
        ("u", "Gespräch"), ("w1", "Äußerung"), ("w2", "„Zitat“")]
    messages = [r.getMessage() for r in caplog.records]
    assert any(str(path) in m and "line 2" in m and "cp1252" in m for m in messages)
    assert any("2 lines" in m for m in messages) and len(messages) == 2


def test_deeply_nested_jsonl_line_is_a_failure(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_text("[" * 200_000 + "\n" + '{"id": "ok", "text": "Text."}\n', encoding="utf-8")
    items = list(read_documents([path]))
    assert items[0] == ReadFailure(path, "deep.jsonl, line 1: invalid JSON (nested too deeply)")
    assert items[1].doc_id == "ok"


def test_html_with_unknown_marked_section_does_not_raise(tmp_path: Path) -> None:
    # html.parser raises AssertionError on "<![foo]>"; browsers skip it as a bogus comment.
    path = tmp_path / "word.html"
    path.write_text("<p>Vor</p><![foo]><![ x]><p>Nach</p>", encoding="utf-8")
    [doc] = read_documents([path])
    assert isinstance(doc, SourceDocument) and doc.text == "Vor\n\nNach"


# --------------------------------------------------------------------------- links, special files


def test_explicit_symlink_loop_and_broken_symlink(tmp_path: Path) -> None:
    (tmp_path / "a.txt").symlink_to("b.txt")
    (tmp_path / "b.txt").symlink_to("a.txt")
    (tmp_path / "dangling.md").symlink_to(tmp_path / "gone.md")
    (tmp_path / "dirloop").symlink_to("dirloop")
    items = list(read_documents(
        [tmp_path / "a.txt", tmp_path / "dangling.md", tmp_path / "dirloop"]))
    assert items == [
        ReadFailure(tmp_path / "a.txt", "symlink loop (too many levels of symbolic links)"),
        ReadFailure(tmp_path / "dangling.md",
                    f"broken symlink (target '{tmp_path / 'gone.md'}' does not exist)"),
        ReadFailure(tmp_path / "dirloop", "symlink loop (too many levels of symbolic links)"),
    ]


def test_symlinked_folders_are_followed_once_and_cycles_reported(tmp_path: Path) -> None:
    root = Path(os.path.realpath(tmp_path)) / "root"  # messages name resolved paths
    (root / "real").mkdir(parents=True)
    (root / "real" / "doc.txt").write_text("Text.", encoding="utf-8")
    (root / "alias").symlink_to("real")  # same folder twice: read once, no failure
    (root / "real" / "up").symlink_to("..")  # cycle: root/real/up -> root
    (root / "real" / "self").symlink_to(".")  # cycle: root/real/self -> root/real
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "ext.md").write_text("Draußen.", encoding="utf-8")
    (root / "zlink").symlink_to(outside)  # a real folder elsewhere: followed

    start = time.perf_counter()
    items = list(read_documents([root, root / "real"]))
    assert time.perf_counter() - start < 2.0  # no runaway recursion
    assert [(rel(i.path, root), getattr(i, "doc_id", None) or i.reason) for i in items] == [
        ("alias/doc.txt", "doc"),
        ("alias/self", f"symlink loop (points back to its ancestor folder {root / 'real'})"),
        ("alias/up", f"symlink loop (points back to its ancestor folder {root})"),
        ("zlink/ext.md", "ext"),
    ]


def test_broken_links_with_other_suffixes_are_skipped_in_folders(tmp_path: Path) -> None:
    (tmp_path / "bild.png").symlink_to("fehlt.png")  # not a document: silent, as other files
    (tmp_path / "ordner").symlink_to("fehlt")  # no suffix: may be a folder, so reported
    (tmp_path / "a.txt").write_text("A.", encoding="utf-8")
    items = list(read_documents([tmp_path]))
    assert [(i.path.name, getattr(i, "doc_id", None) or i.reason) for i in items] == [
        ("a.txt", "a"),
        ("ordner", "broken symlink (target 'fehlt' does not exist)"),
    ]


def test_explicit_special_files(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    make_socket(tmp_path / "sock.md")
    items = list(read_documents([tmp_path / "pipe.txt", tmp_path / "sock.md"]))
    assert items == [
        ReadFailure(tmp_path / "pipe.txt", "not a regular file (named pipe)"),
        ReadFailure(tmp_path / "sock.md", "not a regular file (socket)"),
    ]


def test_folder_named_like_a_file_is_walked(tmp_path: Path) -> None:
    (tmp_path / "artikel.txt").mkdir()
    (tmp_path / "artikel.txt" / "innen.md").write_text("Innen.", encoding="utf-8")
    [doc] = read_documents([tmp_path / "artikel.txt"])
    assert isinstance(doc, SourceDocument) and doc.doc_id == "innen"


def test_deep_folder_tree_does_not_hit_the_recursion_limit(tmp_path: Path) -> None:
    folder = tmp_path
    for _ in range(150):  # deeper would exceed PATH_MAX on some systems
        folder = folder / "d"
    folder.mkdir(parents=True)
    (folder / "tief.txt").write_text("Tief.", encoding="utf-8")
    [doc] = read_documents([tmp_path])
    assert isinstance(doc, SourceDocument) and doc.doc_id == "tief"


# --------------------------------------------------------------------------- properties


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.binary(max_size=600),
    suffix=st.sampled_from([".txt", ".md", ".html", ".jsonl"]),
    max_bytes=st.one_of(st.just(MAX_DOCUMENT_BYTES), st.integers(min_value=1, max_value=300)),
)
def test_arbitrary_bytes_never_raise(data: bytes, suffix: str, max_bytes: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"doc{suffix}"
        path.write_bytes(data)
        items = list(read_documents([path], max_bytes=max_bytes))
        items_via_folder = list(read_documents([Path(tmp)], max_bytes=max_bytes))
    assert items == items_via_folder
    assert items  # something is always reported: a document or why there is none
    for item in items:
        assert isinstance(item, (SourceDocument, ReadFailure))
        assert item.path == path
        if isinstance(item, ReadFailure):
            assert item.reason and not item.reason.startswith("unexpected error")
        else:
            assert item.text.strip()
