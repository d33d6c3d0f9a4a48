"""The kg command line: output contracts and one-line errors."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.evaluate import evaluate_store, format_scores
from kg.queries import load_query
from kg.results import run_query, to_csv
from kg.store import load_store
from kg.vocab import KG

# rdflib (used by kg validate) calls its own deprecated APIs internally
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib")

FIXTURE = Path(__file__).parent / "fixtures" / "query_sample.trig"
MEETINGS_HEADER = "actor1_label,actor2_label,date,place_label,doc,evidence"

runner = CliRunner()


def kg(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("kg: error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert "Traceback" not in result.output


def test_no_arguments_shows_help() -> None:
    result = kg()
    assert "query" in result.output and "build" in result.output


def test_queries_lists_saved_queries() -> None:
    result = kg("queries")
    assert result.exit_code == 0, result.output
    for name in ("meetings", "agreements", "demands", "actors", "meetings-without"):
        assert name in result.stdout
    assert "Wikidata QID" in result.stdout


def test_query_csv_is_exactly_to_csv() -> None:
    result = kg("query", "meetings", "--data", FIXTURE, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.split("\n", 1)[0] == MEETINGS_HEADER
    expected = to_csv(run_query(load_store([FIXTURE]), load_query("meetings")))
    assert result.stdout == expected


def test_query_json_and_table() -> None:
    result = kg("query", "demands-on", "--data", FIXTURE, "--param", "actor=Kiew", "--format", "json")
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    assert row["actor_label"] == "Russland" and row["addressee_label"] == "Ukraine"
    result = kg("query", "meetings", "--data", FIXTURE)
    assert result.exit_code == 0, result.output
    assert "Lawrow" in result.stdout


def test_query_file_by_path(tmp_path: Path) -> None:
    path = tmp_path / "count.rq"
    path.write_text(f"SELECT (COUNT(DISTINCT ?m) AS ?meetings) WHERE {{ ?m a <{KG.Meeting}> }}\n")
    result = kg("query", path, "--data", FIXTURE, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout == "meetings\n2\n"


def test_several_data_files(tmp_path: Path) -> None:
    other = tmp_path / "empty.nt"
    other.write_text("")
    result = kg("query", "actors", "--data", FIXTURE, "--data", other, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("actor,label,type,doc\n")


@pytest.mark.parametrize(
    "param, fragments",
    [
        ("bogus=1", ("bogus",)),
        ("actor", ("--param", "actor", "name=value")),
        ("actor=<https://example.org/a b>", ("actor", "invalid IRI")),
    ],
)
def test_bad_param(param: str, fragments: tuple[str, ...]) -> None:
    result = kg("query", "actor", "--data", FIXTURE, "--param", param, "--format", "csv")
    assert_one_line_error(result, *fragments)
    assert result.stdout == ""


def test_missing_param() -> None:
    assert_one_line_error(kg("query", "actor", "--data", FIXTURE), "actor")


def test_missing_data_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.trig"
    assert_one_line_error(kg("query", "meetings", "--data", missing), "nowhere.trig")


def test_no_data() -> None:
    assert_one_line_error(kg("query", "meetings"), "--data")


def test_unparsable_data_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<urn:x:a> <urn:x:b> .\n")
    assert_one_line_error(kg("query", "meetings", "--data", bad), "bad.ttl")


def test_unknown_and_malformed_queries(tmp_path: Path) -> None:
    assert_one_line_error(kg("query", "no-such-query", "--data", FIXTURE), "no-such-query")
    broken = tmp_path / "broken.rq"
    broken.write_text("SELECT * WHERE {\n")
    assert_one_line_error(kg("query", broken, "--data", FIXTURE), "broken.rq")


def test_unreachable_endpoint_is_one_clear_line() -> None:
    # port 9 (discard) is closed on loopback: the store is not running
    result = kg("query", "meetings", "--endpoint", "http://127.0.0.1:9")
    assert result.exit_code == 2
    assert_one_line_error(result, "connection refused")


def test_endpoint_with_credentials_in_the_url_is_refused() -> None:
    result = kg("query", "meetings", "--endpoint", "http://user:secret@127.0.0.1:9")
    assert result.exit_code == 2
    assert_one_line_error(result, "credentials")
    assert "secret" not in result.output


def test_eval_prints_scores(tmp_path: Path) -> None:
    gold = tmp_path / "gold.json"
    gold.write_text(json.dumps({
        "actors": {
            "rubio": {"label": "Marco Rubio", "type": "Person"},
            "lavrov": {"label": "Sergej Lawrow", "type": "Person"},
        },
        "documents": [{"id": "001_riad", "meetings": [{"core": [["rubio", "lavrov"]], "sides": []}]}],
    }))
    result = kg("eval", gold, "--data", FIXTURE)
    assert result.exit_code == 0, result.output
    assert result.stdout == format_scores(evaluate_store(gold, load_store([FIXTURE])))
    assert result.stdout.startswith("meet    P=")
    below = kg("eval", gold, "--data", FIXTURE, "--min-f1", "meet=0.99")
    assert below.exit_code == 1
    assert "below goal: meet" in below.stdout


def test_eval_bad_gold(tmp_path: Path) -> None:
    gold = tmp_path / "gold.json"
    gold.write_text("{not json")
    assert_one_line_error(kg("eval", gold, "--data", FIXTURE), "gold.json")
    assert_one_line_error(kg("eval", tmp_path / "absent.json", "--data", FIXTURE), "absent.json")


def test_stats_and_validate() -> None:
    result = kg("stats", FIXTURE)
    assert result.exit_code == 0, result.output
    assert "Meeting" in result.stdout
    result = kg("validate", FIXTURE)
    assert result.exit_code == 0, result.output


def test_build_refuses_bad_output_before_extracting(tmp_path: Path) -> None:
    source = tmp_path / "doc.txt"
    source.write_text("Text.")
    assert_one_line_error(kg("build", source, "--out", tmp_path / "graph.xyz"), "graph.xyz")
    assert_one_line_error(kg("build", tmp_path / "absent.txt", "--out", tmp_path / "g.ttl"), "absent.txt")
    assert not (tmp_path / "g.ttl").exists()


def test_console_script_error_has_no_traceback(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", "query", "meetings", "--data", str(tmp_path / "x.nq")],
        capture_output=True, text=True,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"kg: error: {tmp_path / 'x.nq'}: no such file"]
