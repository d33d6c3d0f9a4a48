"""Score saved-query output against a gold file (the rules of the project's referee).

Actor labels are mapped to gold ids through the gold alias table: an exact (normalised)
alias, else the one alias contained as a whole word, else a unique surname. met-with is
scored on unordered actor pairs per document: recall over the gold ``core`` pairs,
precision over ``core`` plus every cross-side pair of a gold meeting; rows whose actors
cannot be mapped count against precision. agreed-to and demanded rows match a gold item
of the same document when the actor is an allowed party and a gold keyword occurs in
``content``.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import InputError
from kg.model import EVENT_RELATIONS
from kg.queries import load_query
from kg.results import run_query

# the referee's names of the relations: "meet", "agree", "demand"
RELATIONS = tuple(r.short for r in EVENT_RELATIONS)
MEET, AGREE, DEMAND = RELATIONS
# saved query whose rows are scored for each relation
QUERY_OF = {MEET: "meetings", AGREE: "agreements", DEMAND: "demands"}

Gold = dict[str, Any]
Row = dict[str, str]


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float


def norm(text: str | None) -> str:
    """Case-, accent- and punctuation-insensitive form used for every comparison."""
    text = (text or "").replace("ß", "ss").casefold()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^\w ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


class ActorTable:
    """Maps system labels to gold actor ids."""

    def __init__(self, table: dict[str, dict[str, Any]]) -> None:
        self.exact: dict[str, set[str]] = {}
        self.surname: dict[str, set[str]] = {}
        for actor_id, actor in table.items():
            forms = {actor["label"], *actor.get("aliases", [])}
            for form in forms:
                self.exact.setdefault(norm(form), set()).add(actor_id)
            if actor.get("type") == "Person":
                for form in forms:
                    tokens = norm(form).split()
                    if tokens:
                        self.surname.setdefault(tokens[-1], set()).add(actor_id)

    def map(self, label: str) -> str | None:
        normed = norm(label)
        if not normed:
            return None
        hit = self.exact.get(normed)
        if hit and len(hit) == 1:
            return next(iter(hit))
        # a label that contains exactly one known alias (longer than 3 chars) as whole words
        candidates = {
            actor_id
            for form, ids in self.exact.items()
            if len(form) > 3 and re.search(r"\b%s\b" % re.escape(form), normed)
            for actor_id in ids
        }
        if len(candidates) == 1:
            return candidates.pop()
        tokens = normed.split()
        hit = self.surname.get(tokens[-1]) if tokens else None
        if hit and len(hit) == 1:
            return next(iter(hit))
        return None


def doc_id(value: str | None) -> str:
    """The document id of a ``doc`` value: a bare id, a file name or a document IRI."""
    value = (value or "").strip().rstrip("/>")
    value = re.split(r"[/#]", value)[-1]
    return re.sub(r"\.(txt|md|html?)$", "", value)


def column(row: Row, *names: str) -> str:
    """The first of ``names`` present in ``row`` (case-insensitive, a leading ? ignored)."""
    for name in names:
        for key, value in row.items():
            if key and key.lstrip("?").lower() == name:
                return value or ""
    return ""


def _keyword_hit(keywords: Iterable[str], content: str) -> bool:
    normed = norm(content)
    return any(norm(keyword) in normed for keyword in keywords)


def _prf(true_pos_precision: int, n_system: int, true_pos_recall: int, n_gold: int) -> Score:
    precision = true_pos_precision / n_system if n_system else 0.0
    recall = true_pos_recall / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1)


def _score_meetings(actors: ActorTable, docs: dict[str, Gold], rows: list[Row]) -> Score:
    system_pairs: set[tuple[str, frozenset[str]]] = set()
    unmapped: set[tuple[str, str, str]] = set()
    for row in rows:
        doc = doc_id(column(row, "doc", "document", "source"))
        label_a, label_b = column(row, "actor1_label", "a_label"), column(row, "actor2_label", "b_label")
        id_a, id_b = actors.map(label_a), actors.map(label_b)
        if id_a and id_b and id_a != id_b:
            system_pairs.add((doc, frozenset((id_a, id_b))))
        elif id_a != id_b or not id_a:
            # an actor the gold does not know: a wrong row, unless both sides are the
            # same known actor (a self-pair is ignored)
            unmapped.add((doc, norm(label_a), norm(label_b)))
    required: set[tuple[str, frozenset[str]]] = set()
    allowed: set[tuple[str, frozenset[str]]] = set()
    for doc, gold_doc in docs.items():
        for meeting in gold_doc.get("meetings", []):
            core = {frozenset(pair) for pair in meeting.get("core", []) if len(set(pair)) == 2}
            required |= {(doc, pair) for pair in core}
            sides = meeting.get("sides", [])
            for i, side1 in enumerate(sides):
                for side2 in sides[i + 1 :]:
                    allowed |= {
                        (doc, frozenset((x, y))) for x in side1 for y in side2 if x != y
                    }
            allowed |= {(doc, pair) for pair in core}
    n_system = len(system_pairs) + len(unmapped)
    return _prf(len(system_pairs & allowed), n_system, len(system_pairs & required), len(required))


def _score_items(
    actors: ActorTable,
    docs: dict[str, Gold],
    rows: list[Row],
    actor_columns: tuple[str, ...],
    items_key: str,
    allowed_actors: Callable[[Gold], set[str | None]],
) -> Score:
    """agreed-to / demanded: distinct (doc, actor, content) rows against gold items."""
    system_rows = {
        (
            doc_id(column(row, "doc", "document", "source")),
            actors.map(column(row, *actor_columns)),
            norm(column(row, "content", "object", "topic")),
        )
        for row in rows
    }
    gold_items = [
        (doc, index, item)
        for doc, gold_doc in docs.items()
        for index, item in enumerate(gold_doc.get(items_key, []))
    ]
    # acceptable items (``acceptable_agreements``/``acceptable_demands``): a row for one is
    # correct, but none is required for recall (as ../eval/score.py counts them)
    acceptable = [(doc, item) for doc, gold_doc in docs.items() for item in gold_doc.get("acceptable_" + items_key, [])]

    def fits(doc: str, actor_id: str | None, content: str, gold_doc: str, item: Gold) -> bool:
        return gold_doc == doc and actor_id in allowed_actors(item) and _keyword_hit(item.get("keywords", []), content)

    hit_items: set[tuple[str, int]] = set()
    good_rows = 0
    for doc, actor_id, content in system_rows:
        matched = [(gold_doc, index) for gold_doc, index, item in gold_items if fits(doc, actor_id, content, gold_doc, item)]
        if matched:
            good_rows += 1
            hit_items.update(matched)
        elif any(fits(doc, actor_id, content, gold_doc, item) for gold_doc, item in acceptable):
            good_rows += 1
    return _prf(good_rows, len(system_rows), len(hit_items), len(gold_items))


def score(gold: Gold, rows: dict[str, list[Row]]) -> dict[str, Score]:
    """Precision/recall/F1 for meet, agree and demand.

    ``rows`` holds the rows of the ``meetings``, ``agreements`` and ``demands`` queries
    (as printed in CSV: column name -> string); a missing key counts as no rows.
    """
    actors = ActorTable(gold["actors"])
    docs = {d["id"]: d for d in gold["documents"]}
    return {
        MEET: _score_meetings(actors, docs, rows.get("meetings", [])),
        AGREE: _score_items(
            actors,
            docs,
            rows.get("agreements", []),
            ("party_label", "actor_label"),
            "agreements",
            lambda item: set(item.get("parties", [])) | set(item.get("core_parties", [])),
        ),
        DEMAND: _score_items(
            actors,
            docs,
            rows.get("demands", []),
            ("actor_label", "party_label"),
            "demands",
            lambda item: {item.get("actor")} | set(item.get("also_ok", [])),
        ),
    }


def parse_goals(spec: str) -> dict[str, float]:
    """``--min-f1 meet=0.8,agree=0.7`` as {relation: goal}."""
    goals: dict[str, float] = {}
    for item in spec.split(","):
        name, sep, value = item.partition("=")
        try:
            if not sep or name.strip() not in RELATIONS:
                raise ValueError
            goals[name.strip()] = float(value)
        except ValueError:
            raise InputError(f"bad --min-f1 {item!r}: expected e.g. meet=0.8,agree=0.7,demand=0.7") from None
    return goals


def load_gold(path: Path) -> Gold:
    try:
        gold = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: cannot read gold file: {' '.join(str(exc).split())[:160]}") from None
    if not isinstance(gold, dict) or "actors" not in gold or "documents" not in gold:
        raise InputError(f"{path}: not a gold file (expected 'actors' and 'documents')")
    return gold


def evaluate_store(gold_path: Path, store: ox.Store) -> dict[str, Score]:
    """Run the meetings/agreements/demands saved queries on ``store`` and score them."""
    gold = load_gold(gold_path)
    rows = {name: run_query(store, load_query(name)).rows for name in QUERY_OF.values()}
    return score(gold, rows)


def format_scores(scores: dict[str, Score]) -> str:
    """The referee's report: one line per relation, then the F1 summary line."""
    lines = [
        f"{name:7s} P={s.precision:.2f} R={s.recall:.2f} F1={s.f1:.2f}"
        for name, s in scores.items()
    ]
    lines.append("F1 " + " ".join(f"{name}={s.f1:.2f}" for name, s in scores.items()))
    return "\n".join(lines) + "\n"
