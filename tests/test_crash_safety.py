"""Nothing lost: builds killed with SIGKILL at many points, damaged stores and manifests,
leftover temporary files, documents longer than spaCy's limit, unwritable outputs.

The crashes are real: ``kg build`` runs in a subprocess and gets SIGKILL. The final store is
compared quad for quad with a clean build of the same documents.
"""
from __future__ import annotations

import gc
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import REPO

from kg.manifest import MANIFEST_NAME
from kg.pipeline import build_dataset

pytest_plugins = ["store_servers"]

KG = [sys.executable, "-m", "kg.cli"]
# small batches: many checkpoints, so the kills land between, before and inside them
CHECKPOINT = "600"


def run_kg(*args: str, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    done = subprocess.run([*KG, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})
    assert "Traceback" not in done.stderr, done.stderr
    return done


def store_quads(path: Path) -> set[str]:
    store = ox.Store.read_only(str(path))
    try:
        return {str(q) for q in store}
    finally:
        del store
        gc.collect()


@pytest.fixture(scope="module")
def originals(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("originals")
    for source in (REPO / "corpus", REPO / "tests" / "blind" / "corpus", REPO / "tests" / "heldout" / "corpus"):
        for path in sorted(source.glob("*.txt")):
            shutil.copy(path, folder / f"{source.parent.name}_{path.name}")
    return folder


@pytest.fixture(scope="module")
def built(originals, tmp_path_factory) -> tuple[Path, set[str]]:
    """A store built from the originals (copied for each scenario) and its quads."""
    store = tmp_path_factory.mktemp("built") / "store"
    assert run_kg("build", str(originals), "--store", str(store)).returncode == 0
    return store, store_quads(store)


def changed_copy(originals: Path, folder: Path, count: int) -> Path:
    docs = folder / "docs"
    shutil.copytree(originals, docs)
    for path in sorted(docs.glob("*.txt"))[:count]:
        path.write_text(path.read_text(encoding="utf-8") + "\nDer Außenminister reiste danach nach Genf.\n",
                        encoding="utf-8")
    return docs


def kill_after_manifest_saves(args: list[str], manifest: Path, saves: int, env: dict) -> bool:
    """Start ``kg`` and SIGKILL it right after its ``saves``-th manifest write (0: at once
    after start-up); True when it was killed, False when it finished first."""
    process = subprocess.Popen([*KG, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env={**os.environ, **env})
    seen, last = 0, _inode(manifest)
    deadline = time.monotonic() + 300
    while process.poll() is None and seen < saves and time.monotonic() < deadline:
        now = _inode(manifest)
        if now != last:
            seen, last = seen + 1, now
        time.sleep(0.0005)
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait()
    assert b"Traceback" not in process.stderr.read()
    process.stderr.close()
    return process.returncode == -signal.SIGKILL


def _inode(path: Path) -> int:
    try:
        return os.stat(path).st_ino
    except FileNotFoundError:
        return 0


def test_interrupted_incremental_build_never_loses_a_graph(originals, built, tmp_path):
    """Issue scenario: change most documents, kill the re-build, restore the documents, build
    again: at every kill point the store ends identical to a clean build."""
    reference_store, reference = built
    killed = 0
    kill_points = [1, 2, 3, 4, 5, 6, 8, 10, 13, 17]  # manifest writes before the kill
    for point in kill_points:
        round_dir = tmp_path / f"kill{point}"
        store = round_dir / "store"
        shutil.copytree(reference_store, store)
        docs = changed_copy(originals, round_dir, 20)
        killed += kill_after_manifest_saves(["build", str(docs), "--store", str(store)], store / MANIFEST_NAME,
                                            point, {"KG_CHECKPOINT_QUADS": CHECKPOINT})
        shutil.rmtree(docs)
        shutil.copytree(originals, docs)
        final = run_kg("build", str(docs), "--store", str(store))
        assert final.returncode == 0, final.stderr
        assert store_quads(store) == reference, f"kill point {point}: {final.stderr}"
        manifest = json.loads((store / MANIFEST_NAME).read_text(encoding="utf-8"))
        assert manifest["state"] == "complete" and len(manifest["documents"]) == len(list(originals.glob("*.txt")))
        assert not list(store.glob(".*.tmp")), "a temporary manifest was left behind"
        shutil.rmtree(round_dir)
    assert killed >= 8, f"only {killed} of {len(kill_points)} builds were killed before they finished"


def test_a_graph_missing_from_the_store_is_found_and_rebuilt(originals, built, tmp_path):
    store_dir = tmp_path / "store"
    shutil.copytree(built[0], store_dir)
    store = ox.Store(str(store_dir))
    victim = sorted(g.value for g in store.named_graphs())[3]
    store.remove_graph(ox.NamedNode(victim))
    store.flush()
    del store
    gc.collect()
    done = run_kg("build", str(originals), "--store", str(store_dir))
    assert done.returncode == 0
    assert "repaired: 1 document without their graph: rebuilt" in done.stderr
    assert "kg build: 1 document," in done.stderr
    assert store_quads(store_dir) == built[1]


def test_after_an_interrupted_build_half_loaded_graphs_are_rebuilt_and_strays_dropped(originals, built, tmp_path):
    store_dir = tmp_path / "store"
    shutil.copytree(built[0], store_dir)
    store = ox.Store(str(store_dir))
    graphs = sorted(g.value for g in store.named_graphs())
    half = list(store.quads_for_pattern(None, None, None, ox.NamedNode(graphs[0])))
    for quad in half[: len(half) // 2]:
        store.remove(quad)
    stray = ox.NamedNode("https://kg.example.org/graph/a-document-no-manifest-claims")
    store.add(ox.Quad(stray, stray, ox.Literal("left over"), stray))
    store.flush()
    del store
    gc.collect()
    manifest_path = store_dir / MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["state"] = "building"  # what a build leaves when it is killed
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    done = run_kg("build", str(originals), "--store", str(store_dir))
    assert done.returncode == 0
    assert "1 document with an incomplete graph: rebuilt" in done.stderr
    assert "1 graph of no document: dropped" in done.stderr
    assert store_quads(store_dir) == built[1]


@pytest.mark.parametrize("content", ["[1, 2, 3]", '{"documents": [1]}', "{not json", '{"documents": {"a": 5}}'])
def test_an_unusable_manifest_means_a_full_rebuild_not_a_traceback(originals, built, tmp_path, content):
    store_dir = tmp_path / "store"
    shutil.copytree(built[0], store_dir)
    (store_dir / MANIFEST_NAME).write_text(content, encoding="utf-8")
    done = run_kg("build", str(originals), "--store", str(store_dir))
    assert done.returncode == 0, done.stderr
    assert "build manifest unreadable" in done.stderr and "every document rebuilt" in done.stderr
    assert store_quads(store_dir) == built[1]


def test_a_manifest_of_an_older_kg_still_skips_unchanged_documents(originals, built, tmp_path):
    store_dir = tmp_path / "store"
    shutil.copytree(built[0], store_dir)
    path = store_dir / MANIFEST_NAME
    manifest = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({"kg": "0.old", "documents": {k: v["hash"] for k, v in manifest["documents"].items()}}),
                    encoding="utf-8")
    done = run_kg("build", str(originals), "--store", str(store_dir))
    assert "kg build: 0 documents," in done.stderr and "repaired" not in done.stderr
    assert store_quads(store_dir) == built[1]


def test_a_damaged_store_is_one_line_for_every_command(built, tmp_path):
    store_dir = tmp_path / "store"
    shutil.copytree(built[0], store_dir)
    for sst in store_dir.glob("*.sst"):
        size = sst.stat().st_size
        with sst.open("r+b") as handle:  # same size, scrambled blocks
            handle.seek(size // 3)
            handle.write(os.urandom(min(4000, size // 3)))
    commands = [["query", "meetings", "--store"], ["show", "Lawrow", "--store"], ["timeline", "--store"],
                ["viz", "--out", str(tmp_path / "n.html"), "--store"], ["build", str(REPO / "corpus"), "--store"]]
    for command in commands:
        done = run_kg(*command, str(store_dir))
        assert done.returncode == 2, (command, done.stderr)
        assert done.stderr.count("\n") == 1 and "the store is damaged" in done.stderr, done.stderr


def test_leftover_temporary_files_of_dead_processes_are_removed(tmp_path):
    out = tmp_path / "graph.ttl"
    dead = tmp_path / ".graph.ttl.kg999999999.abcd1234.tmp"  # no such pid
    alive = tmp_path / f".graph.ttl.kg{os.getpid()}.efgh5678.tmp"  # a writer still running
    older_kg = tmp_path / ".graph.ttl.x1y2z3w4.tmp"  # older naming, untouched for an hour
    foreign = tmp_path / ".graph.ttl.notes.tmp.tmp"  # not a name kg makes
    for path in (dead, alive, older_kg, foreign):
        path.write_bytes(b"half a graph")
    hour_ago = time.time() - 3600
    os.utime(older_kg, (hour_ago, hour_ago))
    assert run_kg("build", str(REPO / "corpus"), "--out", str(out)).returncode == 0
    assert not dead.exists() and not older_kg.exists()
    assert alive.exists() and foreign.exists()
    assert out.is_file()


def test_export_killed_midway_leaves_a_temporary_file_the_next_run_removes(tmp_path):
    store = tmp_path / "store"
    docs = [str(p) for p in sorted((REPO / "tests").glob("*/corpus"))] + [str(REPO / "corpus")]
    assert run_kg("build", *docs, "--store", str(store)).returncode == 0
    out = tmp_path / "graph.nq"
    pattern = ".graph.nq.kg*.tmp"
    for _attempt in range(10):
        process = subprocess.Popen([*KG, "build", *docs, "--store", str(store), "--out", str(out)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while process.poll() is None and not any(p.stat().st_size for p in tmp_path.glob(pattern) if p.exists()):
            time.sleep(0.0005)
        process.send_signal(signal.SIGKILL)
        process.wait()
        if list(tmp_path.glob(pattern)) and not out.exists():
            break
        out.unlink(missing_ok=True)
    leftovers = list(tmp_path.glob(pattern))
    assert leftovers, "could not kill the export while it was writing"
    assert run_kg("build", *docs, "--store", str(store), "--out", str(out)).returncode == 0
    assert not list(tmp_path.glob(pattern))
    assert out.is_file()


def test_unwritable_output_folder_fails_before_the_extraction(tmp_path):
    folder = Path("/proc") if os.geteuid() == 0 else tmp_path / "read-only"
    if folder != Path("/proc"):
        folder.mkdir()
        folder.chmod(0o555)
    done = run_kg("build", str(REPO / "corpus"), "--out", str(folder / "graph.ttl"))
    assert done.returncode == 2
    assert done.stderr.startswith(f"kg: error: {folder / 'graph.ttl'}: cannot write in {folder}")
    assert done.stderr.count("\n") == 1


def seed_text() -> str:
    return "\n\n".join(p.read_text(encoding="utf-8").split("\n", 1)[1] for p in sorted((REPO / "corpus").glob("*.txt")))


def test_documents_over_a_million_characters_build_and_an_oversized_one_is_named(tmp_path):
    """spaCy refuses texts over 1,000,000 characters; kg extracts them in pieces, with the
    evidence offsets of the whole document. A file over the 20 MB limit is named and
    skipped; the rest of the folder builds."""
    docs = tmp_path / "docs"
    shutil.copytree(REPO / "corpus", docs)
    body = seed_text()
    long_text = "Eine lange Sammlung\n\n" + "\n\n".join([body] * (1_500_000 // len(body) + 1))
    (docs / "long.txt").write_text(long_text, encoding="utf-8")
    record = {"id": "long-line", "date": "2025-02-18", "text": "\n\n".join([body] * (1_100_000 // len(body) + 1))}
    (docs / "lines.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n"
                                      + json.dumps({"id": "short-line", "text": body[:3000]}) + "\n", encoding="utf-8")
    with (docs / "huge.txt").open("wb") as handle:
        handle.truncate(25_000_000)  # 25 MB of NUL bytes, decided by the size alone
    out = tmp_path / "graph.nq"
    done = run_kg("build", str(docs), "--out", str(out), "--store", str(tmp_path / "store"), "--workers", "2")
    assert done.returncode == 1, done.stderr  # one document failed, the others were built
    assert f"failed: {docs / 'huge.txt'}: too large: 25 MB, limit 20 MB" in done.stderr
    assert "kg build: 8 documents," in done.stderr
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.N_QUADS)
    graphs = {g.value.rsplit("/", 1)[-1] for g in store.named_graphs()}
    assert {"long", "long-line", "short-line"} <= graphs
    begin = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#beginIndex"
    far = store.query(f"SELECT (MAX(?b) AS ?m) WHERE {{ GRAPH ?g {{ ?s <{begin}> ?b }} FILTER(STRENDS(STR(?g), '/long')) }}")
    last_evidence = int(next(iter(far))["m"].value)
    assert 1_000_000 < last_evidence < len(long_text)  # evidence found past spaCy's limit


def test_pieces_give_the_same_findings_as_one_doc(extractor, monkeypatch):
    """A document cut into pieces yields the events of the whole (the seed articles are
    far apart enough that no rule spans a cut)."""
    from kg.clean import clean_document
    from kg.model import SourceDocument
    from kg.pieces import pieces

    text = seed_text()
    spans = pieces(text, limit=6000)
    assert len(spans) > 3 and spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    assert all(text[end - 1] in "\n .!?\"»«“”" or text[end - 1].isspace() for _, end in spans[:-1])
    whole = extractor.document(clean_document(SourceDocument("whole", text)))
    monkeypatch.setattr("kg.pieces.PIECE_CHARS", 6000)
    cut = extractor.document(clean_document(SourceDocument("whole", text)))
    key = lambda r: sorted((tuple(sorted(m.sides)), m.evidence[0].start) for m in r.meetings)  # noqa: E731
    assert key(cut) and key(cut) == key(whole)
    assert [a.evidence[0].start for a in cut.agreements] == [a.evidence[0].start for a in whole.agreements]


def test_build_dataset_library_call_builds_a_long_text(tmp_path):
    (tmp_path / "long.txt").write_text("Titel\n\n" + "\n\n".join([seed_text()] * 40), encoding="utf-8")
    result = build_dataset([tmp_path], keep_results=True)
    assert not result.failures and result.documents == 1
    assert max(e.start for m in result.results[0].meetings for e in m.evidence) > 1_000_000


def test_push_of_an_article_over_a_million_characters(oxigraph_server, tmp_path):
    article = tmp_path / "long-article.txt"
    article.write_text("Titel\n\n" + "\n\n".join([seed_text()] * 36), encoding="utf-8")
    assert article.stat().st_size > 1_000_000
    done = run_kg("push", str(article), "--endpoint", oxigraph_server.url)
    assert done.returncode == 0, done.stderr
    assert "kg push: 1 loaded, 1 merged, 0 unchanged, 0 failed" in done.stderr  # and the actors graph
    graph = "https://kg.example.org/id/graph/long-article"
    answer = run_kg("query", "meetings", "--endpoint", oxigraph_server.url, "--format", "csv")
    assert answer.returncode == 0 and "long-article" in answer.stdout
    assert graph in done.stderr


def test_push_of_a_document_over_the_size_limit_names_it_and_fails(oxigraph_server, tmp_path):
    article = tmp_path / "huge.txt"
    with article.open("wb") as handle:
        handle.truncate(50_000_000)
    done = run_kg("push", str(article), str(REPO / "corpus" / "004_d3fc333e34ecd65f.txt"),
                  "--endpoint", oxigraph_server.url)
    assert done.returncode == 1
    assert f"failed: {article}: too large: 50 MB, limit 20 MB" in done.stderr
    assert "1 loaded" in done.stderr  # the other article still went in
