"""kg.evaluate must score exactly like the referee script ../shared/eval/score.py."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.evaluate import Score, evaluate_store, format_scores, score
from kg.queries import load_query
from kg.results import run_query, to_csv
from kg.store import load_store
from kg.vocab import DEFAULT_BASE_IRI

TESTS = Path(__file__).parent
FIXTURE = TESTS / "fixtures" / "query_sample.trig"
REFEREE = TESTS.parent.parent / "shared" / "eval" / "score.py"

GOLD = {
    "actors": {
        "usa": {"label": "USA", "aliases": ["Washington", "Vereinigte Staaten"], "type": "Country"},
        "russia": {"label": "Russland", "aliases": ["Moskau", "Kreml"], "type": "Country"},
        "ukraine": {"label": "Ukraine", "aliases": ["Kiew"], "type": "Country"},
        "turkey": {"label": "Türkei", "aliases": ["Ankara"], "type": "Country"},
        "rubio": {"label": "Marco Rubio", "aliases": ["Rubio"], "type": "Person"},
        "waltz": {"label": "Mike Waltz", "aliases": [], "type": "Person"},
        "witkoff": {"label": "Steve Witkoff", "aliases": ["Witkoff"], "type": "Person"},
        "lavrov": {"label": "Sergej Lawrow", "aliases": ["Lawrow"], "type": "Person"},
        "zelensky": {"label": "Wolodymyr Selenskyj", "aliases": ["Selenskyj"], "type": "Person"},
        "erdogan": {"label": "Recep Tayyip Erdogan", "aliases": ["Erdogan"], "type": "Person"},
    },
    "documents": [
        {
            "id": "001_riad",
            "meetings": [
                {
                    "core": [["rubio", "lavrov"], ["usa", "russia"], ["witkoff", "lavrov"]],
                    "sides": [["usa", "rubio", "waltz", "witkoff"], ["russia", "lavrov"]],
                }
            ],
            "agreements": [
                {"parties": ["usa", "russia"], "core_parties": [], "keywords": ["Ukraine-Kriegs"]},
                {"parties": ["usa", "russia"], "keywords": ["Gipfel", "persönliches Treffen"]},
            ],
            "demands": [{"actor": "russia", "also_ok": [], "keywords": ["Wahlen"]}],
        },
        {
            "id": "002_ankara",
            "meetings": [
                {
                    "core": [["zelensky", "erdogan"]],
                    "sides": [["zelensky"], ["erdogan"]],
                }
            ],
            "agreements": [{"parties": ["ukraine"], "core_parties": ["turkey"], "keywords": ["Gefangene"]}],
            "demands": [
                {"actor": "zelensky", "also_ok": ["ukraine"], "keywords": ["Verhandlungstisch"]},
                {"actor": "ukraine", "keywords": ["Waffenstillstand"]},
            ],
        },
    ],
}

COLUMNS = {
    "meetings": ["actor1_label", "actor2_label", "date", "place_label", "doc", "evidence"],
    "agreements": ["party_label", "content", "date", "doc", "evidence"],
    "demands": ["actor_label", "content", "addressee_label", "doc", "evidence"],
}

# hand-made rows for the awkward cases: unknown actors, self-pairs, duplicates, document
# IRIs and file names as doc, surnames, contained aliases, rows of an unknown document
TRICKY = {
    "meetings": [
        {"actor1_label": "Lawrow", "actor2_label": "Rubio", "doc": f"{DEFAULT_BASE_IRI}doc/001_riad"},
        {"actor1_label": "Sergej Lawrow", "actor2_label": "Marco Rubio", "doc": "001_riad.txt"},
        {"actor1_label": "Marco Rubio", "actor2_label": "Rubio", "doc": "001_riad"},
        {"actor1_label": "Unbekannter Diplomat", "actor2_label": "Rubio", "doc": "001_riad"},
        {"actor1_label": "Unbekannter Diplomat", "actor2_label": "Unbekannter Diplomat", "doc": "001_riad"},
        {"actor1_label": "Witkoff", "actor2_label": "Herr Lawrow", "doc": "001_riad"},
        {"actor1_label": "Waltz", "actor2_label": "Rubio", "doc": "001_riad"},
        {
            "actor1_label": "Präsident Erdogan",
            "actor2_label": "Selenskyj",
            "doc": f"<{DEFAULT_BASE_IRI}doc/002_ankara>",
        },
        {"actor1_label": "", "actor2_label": "", "doc": "002_ankara"},
    ],
    "agreements": [
        {"party_label": "Washington", "content": "ein Ende des Ukraine-Kriegs", "doc": "001_riad"},
        {"party_label": "Washington", "content": "ein Ende des Ukraine-Kriegs", "doc": "001_riad"},
        {"party_label": "Moskau", "content": "ein persönliches Treffen", "doc": "001_riad"},
        {"party_label": "Kiew", "content": "Gefangenenaustausch", "doc": "002_ankara"},
        {"party_label": "Türkei", "content": "Gefangenenaustausch", "doc": "001_riad"},
        {"party_label": "Niemand", "content": "Gefangenenaustausch", "doc": "002_ankara"},
    ],
    "demands": [
        {"actor_label": "Selenskyj", "content": "Platz am Verhandlungstisch", "doc": "002_ankara"},
        {"actor_label": "Kiew", "content": "am VERHANDLUNGSTISCH", "doc": "002_ankara"},
        {"actor_label": "Moskau", "content": "Waffenstillstand", "doc": "002_ankara"},
        {"actor_label": "", "content": "Wahlen", "doc": "001_riad"},
    ],
}


def referee(gold: dict, rows: dict[str, list[dict[str, str]]], folder: Path) -> str:
    """The referee's printed report for ``rows`` written as the CSVs it reads."""
    if not REFEREE.is_file():
        pytest.skip(f"referee script not found at {REFEREE}")
    folder.mkdir(parents=True, exist_ok=True)
    for name, items in rows.items():
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS[name], lineterminator="\n")
            writer.writeheader()
            writer.writerows({c: item.get(c, "") for c in COLUMNS[name]} for item in items)
    gold_path = folder / "gold.json"
    gold_path.write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(REFEREE), str(gold_path), str(folder)],
        capture_output=True, text=True, check=True,
    )
    return done.stdout


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return load_store([FIXTURE])


def fixture_rows(store: ox.Store) -> dict[str, list[dict[str, str]]]:
    return {name: run_query(store, load_query(name)).rows for name in COLUMNS}


def test_agrees_with_referee_on_fixture_output(store: ox.Store, tmp_path: Path) -> None:
    # the CSVs are written exactly as `kg query NAME --format csv` prints them
    for name in COLUMNS:
        (tmp_path / f"{name}.csv").write_text(to_csv(run_query(store, load_query(name))), encoding="utf-8")
    gold_path = tmp_path / "gold.json"
    gold_path.write_text(json.dumps(GOLD, ensure_ascii=False), encoding="utf-8")
    if not REFEREE.is_file():
        pytest.skip(f"referee script not found at {REFEREE}")
    expected = subprocess.run(
        [sys.executable, str(REFEREE), str(gold_path), str(tmp_path)],
        capture_output=True, text=True, check=True,
    ).stdout
    scores = evaluate_store(gold_path, store)
    assert format_scores(scores) == expected
    # the fixture was made so that no relation is trivially perfect or empty
    assert all(0 < s.f1 < 1 for s in scores.values())


def test_evaluate_store_scores_the_saved_queries(store: ox.Store, tmp_path: Path) -> None:
    gold_path = tmp_path / "gold.json"
    gold_path.write_text(json.dumps(GOLD), encoding="utf-8")
    assert evaluate_store(gold_path, store) == score(GOLD, fixture_rows(store))


@pytest.mark.parametrize(
    "subset",
    [("meetings", "agreements", "demands"), ("meetings",), ("agreements", "demands"), ()],
    ids=["all", "meetings-only", "no-meetings", "none"],
)
def test_agrees_with_referee_on_tricky_rows(subset: tuple[str, ...], tmp_path: Path) -> None:
    rows = {name: TRICKY[name] for name in subset}
    assert format_scores(score(GOLD, rows)) == referee(GOLD, rows, tmp_path)


def test_agrees_with_referee_on_combined_rows(store: ox.Store, tmp_path: Path) -> None:
    rows = {name: fixture_rows(store)[name] + TRICKY[name] for name in COLUMNS}
    assert format_scores(score(GOLD, rows)) == referee(GOLD, rows, tmp_path)


def test_known_values() -> None:
    rows = {
        "meetings": [
            {"actor1_label": "Rubio", "actor2_label": "Lawrow", "doc": "001_riad"},
            {"actor1_label": "Waltz", "actor2_label": "Lawrow", "doc": "001_riad"},  # side pair
            {"actor1_label": "Waltz", "actor2_label": "Rubio", "doc": "001_riad"},  # same side
            {"actor1_label": "Nobody", "actor2_label": "Rubio", "doc": "001_riad"},  # unmapped
        ]
    }
    scores = score(GOLD, rows)
    # 2 of 4 system pairs are allowed; 1 of 4 gold core pairs found
    assert scores["meet"] == Score(0.5, 0.25, 2 * 0.5 * 0.25 / (0.5 + 0.25))
    assert scores["agree"] == Score(0.0, 0.0, 0.0)


def test_acceptable_items_count_like_the_referee(tmp_path: Path) -> None:
    # an item a document lists as acceptable: a row for it is correct but not required
    gold = json.loads(json.dumps(GOLD))
    gold["documents"][0]["acceptable_agreements"] = [{"parties": ["usa", "russia"], "keywords": ["Botschaften"]}]
    gold["documents"][1]["acceptable_demands"] = [{"actor": "erdogan", "keywords": ["Gespräche"]}]
    rows = {
        "agreements": [
            {"party_label": "USA", "content": "ein Ende des Ukraine-Kriegs", "doc": "001_riad"},
            {"party_label": "USA", "content": "die Botschaften wieder zu besetzen", "doc": "001_riad"},
            {"party_label": "Türkei", "content": "die Botschaften wieder zu besetzen", "doc": "001_riad"},
        ],
        "demands": [{"actor_label": "Erdogan", "content": "neue Gespräche in Istanbul", "doc": "002_ankara"}],
    }
    scores = score(gold, rows)
    # 2 of 3 agreement rows are correct (one acceptable); recall stays 1 of 3 gold items
    assert scores["agree"].precision == pytest.approx(2 / 3)
    assert scores["agree"].recall == pytest.approx(1 / 3)
    assert scores["demand"].precision == 1.0 and scores["demand"].recall == 0.0
    assert format_scores(scores) == referee(gold, rows, tmp_path)
