"""Streaming, parallel and incremental builds into an on-disk pyoxigraph store."""
from __future__ import annotations

import gc
import shutil
from pathlib import Path

import pyoxigraph
import pytest
from conftest import REPO
from typer.testing import CliRunner

from kg.cli import app
from kg.pipeline import MANIFEST_NAME, build_dataset

runner = CliRunner()


def quads(store: pyoxigraph.Store) -> set[str]:
    return {str(q) for q in store}


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", folder)
    return folder


@pytest.fixture(scope="module")
def fresh_quads() -> set[str]:
    return quads(build_dataset([REPO / "corpus"]).store)


def build(corpus: Path, store_dir: Path, **kwargs):
    result = build_dataset([corpus], store_dir=store_dir, **kwargs)
    summary = (result.documents, result.skipped, result.removed, quads(result.store))
    del result
    gc.collect()  # close the on-disk store before the next build opens it
    return summary


def test_rebuild_skips_unchanged_documents(corpus, tmp_path, fresh_quads):
    store_dir = tmp_path / "store"
    assert build(corpus, store_dir)[:3] == (5, 0, 0)
    assert (store_dir / MANIFEST_NAME).is_file()
    documents, skipped, removed, content = build(corpus, store_dir)
    assert (documents, skipped, removed) == (0, 5, 0)
    assert content == fresh_quads


def test_changed_document_replaces_its_graph_and_removed_one_is_dropped(corpus, tmp_path):
    store_dir = tmp_path / "store"
    build(corpus, store_dir)
    changed = corpus / "004_d3fc333e34ecd65f.txt"
    changed.write_text(changed.read_text(encoding="utf-8").replace("Putin fordert", "Putin verlangt"), encoding="utf-8")
    (corpus / "002_4ac01c6979724380.txt").unlink()
    documents, skipped, removed, content = build(corpus, store_dir)
    assert (documents, skipped, removed) == (1, 3, 1)
    assert content == quads(build_dataset([corpus]).store)  # as if built from scratch
    assert not any("002_4ac01c6979724380" in q for q in content)


def test_rerun_after_a_crash_finishes_without_duplicates(corpus, tmp_path, fresh_quads):
    store_dir = tmp_path / "store"

    def crash(documents: int, words: int) -> None:
        if documents == 3:
            raise KeyboardInterrupt  # the process dies after three documents

    try:
        build_dataset([corpus], store_dir=store_dir, progress=crash)
    except KeyboardInterrupt:
        pass
    gc.collect()
    documents, skipped, removed, content = build(corpus, store_dir)
    assert documents + skipped == 5
    assert content == fresh_quads


def test_two_workers_build_the_same_graph(fresh_quads):
    result = build_dataset([REPO / "corpus"], workers=2)
    assert result.documents == 5 and quads(result.store) == fresh_quads


def test_cli_store_then_query_without_reparsing(corpus, tmp_path):
    store_dir = tmp_path / "store"
    first = runner.invoke(app, ["build", str(corpus), "--store", str(store_dir)])
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, ["build", str(corpus), "--store", str(store_dir)])
    assert "0 documents, 5 unchanged" in again.output
    result = runner.invoke(app, ["query", "meetings", "--store", str(store_dir), "--format", "csv"])
    assert result.exit_code == 0 and "Marco Rubio,Sergej Lawrow" in result.output


def test_strict_makes_unreadable_documents_fatal_and_writes_nothing(corpus, tmp_path):
    (corpus / "broken.jsonl").write_text('{"id": "x", "text": "Merz traf Macron."}\n{broken\n', encoding="utf-8")
    out = tmp_path / "g.ttl"
    lenient = runner.invoke(app, ["build", str(corpus), "--out", str(out)])
    assert lenient.exit_code == 1 and out.exists() and "broken.jsonl" in lenient.output
    out.unlink()
    strict = runner.invoke(app, ["build", str(corpus), "--out", str(out), "--strict"])
    assert strict.exit_code == 2 and not out.exists()


@pytest.mark.parametrize("suffix", [".trig", ".nq", ".ttl", ".nt"])
def test_streamed_export_of_big_stores_holds_the_same_graph(monkeypatch, tmp_path, suffix):
    import kg.export
    from kg.export import write_dataset

    store = build_dataset([REPO / "corpus" / "004_d3fc333e34ecd65f.txt"]).store
    sorted_file = write_dataset(store, tmp_path / f"sorted{suffix}")
    monkeypatch.setattr(kg.export, "SORTED_EXPORT_LIMIT", 10)  # force the streaming path
    streamed_file = write_dataset(store, tmp_path / f"streamed{suffix}")
    fmt = pyoxigraph.RdfFormat.from_extension(suffix.lstrip("."))
    parse = lambda f: {str(x) for x in pyoxigraph.parse(path=str(f), format=fmt)}  # noqa: E731
    assert parse(streamed_file) == parse(sorted_file)


def test_progress_counts_skipped_documents_and_reaches_the_estimate(corpus, tmp_path):
    from kg.read import count_documents

    store_dir = tmp_path / "store"
    (corpus / "more.jsonl").write_text(
        '{"id": "j1", "text": "Rubio traf Lawrow in Riad."}\n\n{"id": "j2", "text": "Putin empfing Witkoff."}\n',
        encoding="utf-8",
    )
    total = count_documents([corpus])
    assert total == 7  # five articles and two JSONL lines; the blank line is none

    def run() -> list[int]:
        seen: list[int] = []
        build(corpus, store_dir, progress=lambda done, words: seen.append(done))
        return seen

    assert run() == list(range(1, total + 1))
    assert run() == list(range(1, total + 1))  # all unchanged: skipped ones count too


def test_count_documents_skips_what_is_not_a_document(tmp_path):
    from kg.read import count_documents

    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / "b.pdf").write_bytes(b"%PDF")
    (tmp_path / ".hidden.txt").write_text("x", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.html").write_text("<p>x</p>", encoding="utf-8")
    assert count_documents([tmp_path, tmp_path / "missing"]) == 2


ACTORS_GRAPH = pyoxigraph.NamedNode("https://kg.example.org/id/graph/shared/actors")
LABEL = pyoxigraph.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")


def labels(store_dir: Path) -> set[str]:
    store = pyoxigraph.Store.read_only(str(store_dir))
    found = {q.object.value for q in store.quads_for_pattern(None, LABEL, None, None)}
    assert all(q.graph_name == ACTORS_GRAPH for q in store.quads_for_pattern(None, LABEL, None, None))
    del store
    gc.collect()
    return found


def test_actors_graph_follows_removed_and_changed_documents(tmp_path):
    corpus = tmp_path / "news"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Berlin, 3. März 2025. Bundeskanzler Olaf Scholz traf am Montag "
                                  "den französischen Präsidenten Emmanuel Macron in Paris.\n", encoding="utf-8")
    (corpus / "b.txt").write_text("Wien, 4. März 2025. Der polnische Außenminister Radosław Sikorski traf "
                                  "am Dienstag den Bundeskanzler Olaf Scholz in Wien.\n", encoding="utf-8")
    store_dir = tmp_path / "store"
    build(corpus, store_dir)
    before = labels(store_dir)
    assert {"Olaf Scholz", "Emmanuel Macron", "Radosław Sikorski"} <= before
    # Sikorski is mentioned only in b: removing b removes his description; Scholz stays
    (corpus / "b.txt").unlink()
    documents, skipped, removed, content = build(corpus, store_dir)
    assert (documents, skipped, removed) == (0, 1, 1)
    after = labels(store_dir)
    assert "Radosław Sikorski" not in after and {"Olaf Scholz", "Emmanuel Macron"} <= after
    assert not any("radoslaw" in q or "Sikorski" in q for q in content)
    # a changed document takes its old actors with it
    (corpus / "a.txt").write_text("Berlin, 3. März 2025. Bundeskanzler Olaf Scholz traf am Montag "
                                  "den italienischen Präsidenten Sergio Mattarella in Rom.\n", encoding="utf-8")
    documents, skipped, removed, content = build(corpus, store_dir)
    assert (documents, skipped, removed) == (1, 0, 0)
    assert "Emmanuel Macron" not in labels(store_dir)
    assert content == quads(build_dataset([corpus]).store)  # exactly as if built from scratch


def test_a_damaged_actors_graph_is_restored_by_the_next_build(corpus, tmp_path, fresh_quads):
    store_dir = tmp_path / "store"
    build(corpus, store_dir)
    store = pyoxigraph.Store(str(store_dir))
    described = list(store.quads_for_pattern(None, None, None, ACTORS_GRAPH))
    for quad in described[::3]:  # as a crash between a batch and the end of a build leaves it
        store.remove(quad)
    store.add(pyoxigraph.Quad(pyoxigraph.NamedNode("https://kg.example.org/id/actor/nobody"), LABEL,
                              pyoxigraph.Literal("Niemand"), ACTORS_GRAPH))
    store.flush()
    del store
    gc.collect()
    documents, skipped, removed, content = build(corpus, store_dir)
    assert (documents, skipped, removed) == (0, 5, 0)
    assert content == fresh_quads
