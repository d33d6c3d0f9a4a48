"""Scale-out by shards: documents are independent named graphs, so machines can build
parts of a corpus separately and push them into one shared store."""
from __future__ import annotations

import shutil

from conftest import REPO
from typer.testing import CliRunner

from kg.cli import app
from kg.queries import load_query
from kg.remote import endpoint_for, remote_query
from kg.results import run_query
from kg.store import load_store

pytest_plugins = ["store_servers"]
runner = CliRunner()


def rows(result) -> list[tuple]:
    return sorted(tuple(r[c] for c in result.columns) for r in result.rows)


def test_two_shards_pushed_give_the_results_of_one_build(oxigraph_server, tmp_path):
    files = sorted((REPO / "corpus").glob("*.txt"))
    shards = [files[:3], files[3:]]
    for n, shard in enumerate(shards):
        folder = tmp_path / f"shard{n}"
        folder.mkdir()
        for f in shard:
            shutil.copy(f, folder)
        shutil.copy(REPO / "corpus" / "metadata.json", folder)
        out = tmp_path / f"shard{n}.trig"
        assert runner.invoke(app, ["build", str(folder), "--out", str(out)]).exit_code == 0
        pushed = runner.invoke(app, ["push", str(out), "--endpoint", oxigraph_server.url])
        assert pushed.exit_code == 0, pushed.output

    whole = tmp_path / "whole.trig"
    assert runner.invoke(app, ["build", str(REPO / "corpus"), "--out", str(whole)]).exit_code == 0
    local = load_store([whole])
    endpoint = endpoint_for(oxigraph_server.url, "oxigraph")
    for name in ("meetings", "agreements", "demands", "actors"):
        query = load_query(name)
        assert rows(remote_query(endpoint, query, {})) == rows(run_query(local, query, {})), name
