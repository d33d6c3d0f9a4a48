"""kg events: PLOVER JSONL checked against a JSON Schema written from the PLOVER manual,
CAMEO TSV in PETRARCH's shape, and CSV with the rows of the saved query ``events``."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pyoxigraph
import pytest
from conftest import REPO
from typer.testing import CliRunner

from kg.cli import app
from kg.codes import load_codebook
from kg.events import event_rows, normalised_table
from kg.pipeline import build_dataset
from kg.queries import load_query
from kg.results import run_query

SCHEMA = json.loads((Path(__file__).parent / "fixtures" / "plover_event.schema.json").read_text(encoding="utf-8"))
runner = CliRunner()


def kg(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> tuple[pyoxigraph.Store, Path]:
    store = build_dataset([REPO / "corpus"]).store
    path = tmp_path_factory.mktemp("events") / "seeds.nq"
    store.dump(path, pyoxigraph.RdfFormat.N_QUADS)
    return store, path


def _event_count(store) -> int:
    query = "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e <https://kg.example.org/ontology#cameoCode> ?c }"
    return int(next(iter(store.query(query, use_default_graph_as_union=True)))["n"].value)


def test_plover_jsonl_of_the_seeds_is_valid_and_covers_every_dated_event(seeds):
    store, path = seeds
    result = kg("events", path, "--format", "plover-jsonl")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for record in records:
        errors = sorted(validator.iter_errors(record), key=str)
        assert not errors, (record["id"], [e.message for e in errors])
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)) >= 30
    left_out = _event_count(store) - len(records)
    assert (f"{left_out} events without a full date left out" in result.stderr) == (left_out > 1)
    # what the records say, beyond the schema
    visit = next(r for r in records if r.get("mode") == ["visit"] and r.get("event_loc", {}).get("name") == "Riad")
    assert visit["cameo_code"] == "042" and visit["event"] == ["CONSULT"] and visit["quad_code"] == 1
    assert {a["code"] for a in visit["source"]} == {"RUS"} and {a["code"] for a in visit["recipient"]} == {"SAU"}
    assert visit["event_loc"]["cc3"] == "SAU" and visit["event_loc"]["wikidata"] == "Q3692"
    lawrow = next(a for a in visit["source"] if a["actor_text"] == "Sergej Lawrow")
    assert lawrow == {"actor_text": "Sergej Lawrow", "code": "RUS", "sector": "GOV", "cameo_code": "RUSGOV"}
    usa = next(a for r in records for a in r["source"] if a["actor_text"] == "USA")
    assert usa == {"actor_text": "USA", "code": "USA", "cameo_code": "USA", "identifier_id": "Q30", "identifier_text": "USA"}
    call = next(r for r in records if r["kg_relation"] == "phone-call")
    assert call["cameo_code"] == "041" and call["mode"] == ["phone"] and call["recipient"] == []


def test_cameo_tsv_has_petrarchs_columns_and_known_codes(seeds):
    _, path = seeds
    result = kg("events", path, "--format", "cameo-tsv")
    assert result.exit_code == 0, result.output
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    book = load_codebook()
    assert len(lines) >= 30
    for date, source, target, code, event, doc, text in lines:
        assert len(date) == 8 and date.isdigit()
        assert code in book.cameo
        for actor in (source, target):
            assert actor == "---" or (len(actor) % 3 == 0 and actor.isupper()), actor
        assert event.startswith("https://kg.example.org/id/event/") and doc and text
    # a meeting of Americans and Russians is one USAGOV-RUSGOV line, not one per person
    riad = [line for line in lines if line[3] == "044"]
    assert {(s, t) for _, s, t, *_ in riad} == {("RUSGOV", "USAGOV")}
    assert len(riad) == len({line[4] for line in riad})


def test_csv_has_the_rows_of_the_saved_query(seeds):
    store, path = seeds
    exported = kg("events", path, "--format", "csv")
    queried = kg("query", "events", "--data", path, "--format", "csv")
    assert exported.exit_code == queried.exit_code == 0
    exported_rows = list(csv.reader(io.StringIO(exported.stdout)))
    queried_rows = list(csv.reader(io.StringIO(queried.stdout)))
    assert exported_rows[0] == queried_rows[0]
    assert len(exported_rows) - 1 == _event_count(store)
    # the same events and values; kg events sorts the lists inside a cell
    saved = load_query("events")
    result = run_query(store, saved, {})
    assert sorted(exported_rows[1:]) == sorted(normalised_table(result))
    assert [row[0] for row in exported_rows[1:]] == [row[0] for row in queried_rows[1:]]


def test_lists_in_a_cell_stay_aligned(seeds):
    store, _ = seeds
    for row in event_rows(run_query(store, load_query("events"), {})):
        for actor in row.sources + row.targets:
            assert actor.code == "" or actor.code.startswith(actor.country or actor.code[:3])
            assert actor.sector == "" or actor.sector in actor.code


def test_events_writes_a_file_and_refuses_a_missing_folder(seeds, tmp_path):
    _, path = seeds
    out = tmp_path / "events.jsonl"
    result = kg("events", path, "--out", out)
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").count("\n") >= 30 and f"-> {out}" in result.stderr
    bad = kg("events", path, "--out", tmp_path / "absent" / "events.jsonl")
    assert bad.exit_code == 2
    assert bad.stderr.strip().startswith("kg: error:") and "does not exist" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


def test_events_needs_some_data(tmp_path):
    result = kg("events", tmp_path / "absent.nq")
    assert result.exit_code == 2 and "absent.nq" in result.stderr
    assert "Traceback" not in result.output
