"""Materialised query results (kg.views): a build keeps the rows of the queries without
parameters, and they answer only the identical query on the identical store."""
from __future__ import annotations

import gc
import json
import shutil
import sqlite3
import zlib
from pathlib import Path

import pyoxigraph
import pytest
from conftest import REPO
from typer.testing import CliRunner

from kg.cli import app
from kg.manifest import MANIFEST_NAME
from kg.pipeline import build_dataset
from kg.queries import load_query
from kg.results import QueryResult, run_query, to_csv
from kg.views import VIEWS_NAME, Views, materialised_queries, query_key, views_revision

runner = CliRunner()

# a meeting written for this test, in a construction the seeds use
NEW_MEETING = ("\n\nAm Donnerstag traf die Außenministerin Annalena Baerbock in Ankara "
               "den türkischen Außenminister Hakan Fidan.\n")


def build(paths: list[Path], store_dir: Path, **kwargs) -> None:
    result = build_dataset(paths, store_dir=store_dir, **kwargs)
    del result
    gc.collect()  # close the on-disk store before anything else opens it


def revision(store_dir: Path) -> str:
    return json.loads((store_dir / MANIFEST_NAME).read_text(encoding="utf-8"))["revision"]


def assert_views_equal_live(store_dir: Path) -> None:
    store = pyoxigraph.Store.read_only(str(store_dir))
    views = Views(store_dir)
    for query in materialised_queries():
        kept = views.get(query)
        assert kept is not None, f"{query.name} was not kept"
        live = run_query(store, query)
        assert kept.columns == live.columns, query.name
        assert kept.rows == live.rows, query.name  # the same rows in the same order
        assert to_csv(kept) == to_csv(live), query.name


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", folder)
    return folder


@pytest.mark.parametrize("corpus_name", ["corpus", "tests/blind"])
def test_a_build_keeps_each_query_without_parameters_as_it_runs_live(corpus_name, tmp_path):
    store_dir = tmp_path / "store"
    build([REPO / corpus_name], store_dir)
    assert views_revision(store_dir) == revision(store_dir)
    assert_views_equal_live(store_dir)
    names = {q.name for q in materialised_queries()}
    assert {"meetings", "agreements", "demands", "actors", "network-relations", "sides", "evidence"} <= names
    assert not any(q.params for q in materialised_queries())


def test_a_changed_document_renews_the_views(corpus, tmp_path):
    store_dir = tmp_path / "store"
    build([corpus], store_dir)
    first = revision(store_dir)
    build([corpus], store_dir)  # nothing changed: same revision, views kept
    assert revision(store_dir) == first == views_revision(store_dir)

    article = sorted(corpus.glob("*.txt"))[0]
    article.write_text(article.read_text(encoding="utf-8") + NEW_MEETING, encoding="utf-8")
    build([corpus], store_dir)
    assert revision(store_dir) != first
    assert views_revision(store_dir) == revision(store_dir)
    assert_views_equal_live(store_dir)
    meetings = Views(store_dir).get(load_query("meetings"))
    assert any({"Hakan Fidan", "Annalena Baerbock"} == {r["actor1_label"], r["actor2_label"]} for r in meetings.rows)

    article.unlink()  # a removed document renews them too
    build([corpus], store_dir)
    assert_views_equal_live(store_dir)
    assert not any(r["doc"] == article.stem for r in Views(store_dir).get(load_query("meetings")).rows)


def test_views_of_another_store_state_are_not_used(corpus, tmp_path):
    store_dir = tmp_path / "store"
    build([corpus], store_dir)
    article = sorted(corpus.glob("*.txt"))[0]
    article.write_text(article.read_text(encoding="utf-8") + NEW_MEETING, encoding="utf-8")
    build([corpus], store_dir, views=False)  # the store changed, its views were not renewed
    assert views_revision(store_dir) != revision(store_dir)
    views = Views(store_dir)
    assert all(views.get(q) is None for q in materialised_queries())
    live = runner.invoke(app, ["query", "meetings", "--store", str(store_dir), "--format", "csv"])
    assert live.exit_code == 0
    assert "Hakan Fidan" in live.stdout

    build([corpus], store_dir)  # nothing to extract, but the views are behind: renewed
    assert views_revision(store_dir) == revision(store_dir)
    kept = runner.invoke(app, ["query", "meetings", "--store", str(store_dir), "--format", "csv"])
    assert kept.stdout == live.stdout


def test_an_interrupted_build_leaves_every_query_live(corpus, tmp_path):
    store_dir = tmp_path / "store"
    build([corpus], store_dir)
    manifest = json.loads((store_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    manifest["state"] = "building"  # what a build killed part way leaves
    (store_dir / MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    assert Views(store_dir).get(load_query("meetings")) is None


def test_only_the_identical_query_text_is_answered(corpus, tmp_path):
    store_dir = tmp_path / "store"
    build([corpus], store_dir)
    views = Views(store_dir)
    meetings = load_query("meetings")
    assert views.get(meetings) is not None
    edited = tmp_path / "meetings.rq"
    edited.write_text(meetings.text + "\n# my own copy\n", encoding="utf-8")
    assert views.get(load_query(edited)) is None
    assert views.get(meetings, {"actor": "Lawrow"}) is None
    assert views.get(load_query("actor")) is None  # a query with parameters is never kept


def test_a_damaged_views_file_only_costs_time(corpus, tmp_path):
    store_dir = tmp_path / "store"
    build([corpus], store_dir)
    expected = runner.invoke(app, ["query", "meetings", "--store", str(store_dir), "--format", "csv"]).stdout
    (store_dir / VIEWS_NAME).write_bytes(b"this is not a database" * 100)
    result = runner.invoke(app, ["query", "meetings", "--store", str(store_dir), "--format", "csv"])
    assert result.exit_code == 0
    assert result.stdout == expected
    build([corpus], store_dir)  # the next build makes them again
    assert views_revision(store_dir) == revision(store_dir)

    db = sqlite3.connect(str(store_dir / VIEWS_NAME))
    with db:
        db.execute("UPDATE chunk SET data = ?", (b"not zlib",))
    db.close()
    assert Views(store_dir).get(load_query("meetings")) is None


def test_build_reports_the_views(corpus, tmp_path):
    store_dir = tmp_path / "store"
    result = runner.invoke(app, ["build", str(corpus), "--store", str(store_dir)])
    assert result.exit_code == 0, result.output
    count = len(materialised_queries())
    assert f"views: {count} query results kept" in result.stderr
    again = runner.invoke(app, ["build", str(corpus), "--store", str(store_dir)])
    assert "views:" not in again.stderr  # nothing changed, nothing recomputed
    none = runner.invoke(app, ["build", str(corpus), "--store", str(tmp_path / "other"), "--no-views"])
    assert none.exit_code == 0 and "views:" not in none.stderr
    assert not (tmp_path / "other" / VIEWS_NAME).exists()


def test_a_result_kept_as_csv_reads_back_the_same_rows():
    rows = [{"a": 'quote " and, comma', "b": "line\nbreak\r\nand return"}, {"a": "", "b": "Ünïcödé – „x“"},
            {"a": "  spaces  ", "b": ""}]
    result = QueryResult(["a", "b"], rows)
    kept = QueryResult(["a", "b"], csv_text=to_csv(result))
    assert kept.rows == rows
    assert kept.values() == [[r["a"], r["b"]] for r in rows]
    assert kept == result
    assert to_csv(kept) == to_csv(result)


def test_results_bigger_than_a_chunk_read_back_whole(corpus, tmp_path, monkeypatch):
    import kg.views

    monkeypatch.setattr(kg.views, "CHUNK_CHARS", 300)  # many chunks per result
    store_dir = tmp_path / "store"
    build([corpus], store_dir)
    db = sqlite3.connect(str(store_dir / VIEWS_NAME))
    chunks = db.execute("SELECT COUNT(*) FROM chunk").fetchone()[0]
    db.close()
    assert chunks > 2 * len(materialised_queries())
    assert_views_equal_live(store_dir)


def test_the_cli_reads_kept_rows_unless_told_not_to(corpus, tmp_path, monkeypatch):
    """A kept result changed behind kg's back shows that `kg query --store` reads it, and
    that KG_VIEWS=off does not."""
    store_dir = tmp_path / "store"
    build([corpus], store_dir)
    live = runner.invoke(app, ["query", "documents", "--store", str(store_dir), "--format", "csv"]).stdout
    key = query_key(load_query("documents"))
    db = sqlite3.connect(str(store_dir / VIEWS_NAME))
    with db:
        db.execute("DELETE FROM chunk WHERE key = ?", (key,))
        header = live.splitlines()[0]
        fake = f"{header}\nmarker,2099-01-01" + "," * (header.count(",") - 1) + "\n"  # one row, every column
        db.execute("INSERT INTO chunk VALUES (?, 0, ?)", (key, zlib.compress(fake.encode())))
    db.close()
    kept = runner.invoke(app, ["query", "documents", "--store", str(store_dir), "--format", "csv"])
    assert kept.stdout == fake
    monkeypatch.setenv("KG_VIEWS", "off")
    assert runner.invoke(app, ["query", "documents", "--store", str(store_dir), "--format", "csv"]).stdout == live
