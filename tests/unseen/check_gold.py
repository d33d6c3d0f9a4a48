#!/usr/bin/env python3
"""Consistency check for the held-out gold (no project code is imported).

usage: python tests/unseen/check_gold.py [GOLD.json] [CORPUS_DIR]

Checks: gold.json loads; every actor id used anywhere exists in the actors table;
every evidence string occurs verbatim in its article; core pairs join actors from
different sides of their meeting; no alias maps to two actors; every actor label maps
back to itself with the referee's alias rules; every document has metadata; word counts.
"""
import importlib.util
import json
import sys
from pathlib import Path

here = Path(__file__).resolve().parent
gold_path = Path(sys.argv[1]) if len(sys.argv) > 1 else here / "gold.json"
corpus = Path(sys.argv[2]) if len(sys.argv) > 2 else here / "corpus"
gold = json.loads(gold_path.read_text(encoding="utf-8"))
meta = json.loads((corpus / "metadata.json").read_text(encoding="utf-8"))
actors = gold["actors"]
errors = []


def need(aid, where):
    if aid is not None and aid not in actors:
        errors.append(f"{where}: unknown actor id {aid!r}")


def evid(text, ev, where):
    if ev not in text:
        errors.append(f"{where}: evidence not verbatim in article: {ev[:70]!r}")


score_py = Path("/work/shared/eval/score.py")
norm = None
if score_py.exists():
    spec = importlib.util.spec_from_file_location("score", score_py)
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    norm = score.norm
    table = score.Actors(actors)
    for aid, a in actors.items():
        if table.map(a["label"]) != aid:
            errors.append(f"actor {aid}: label {a['label']!r} maps to {table.map(a['label'])!r}")
    for form, ids in table.exact.items():
        if len(ids) > 1:
            errors.append(f"alias {form!r} is shared by {sorted(ids)}")

for aid, a in actors.items():
    if a.get("type") not in {"Person", "Country", "Organization"}:
        errors.append(f"actor {aid}: bad type {a.get('type')!r}")

ids = set()
for doc in gold["documents"]:
    d = doc["id"]
    ids.add(d)
    f = corpus / f"{d}.txt"
    if not f.exists():
        errors.append(f"{d}: missing article {f}")
        continue
    text = f.read_text(encoding="utf-8")
    if d not in meta:
        errors.append(f"{d}: no metadata entry")
    words = len(text.split())
    if not 180 <= words <= 450:
        errors.append(f"{d}: {words} words (outside 180-450)")
    for i, m in enumerate(doc["meetings"]):
        w = f"{d} meeting {i}"
        side_of = {}
        for k, s in enumerate(m["sides"]):
            for a in s:
                need(a, w)
                side_of.setdefault(a, set()).add(k)
        for p in m["core"]:
            for a in p:
                need(a, w)
            if len(set(p)) != 2:
                errors.append(f"{w}: core pair {p} is not a pair")
            elif not any(x != y for x in side_of.get(p[0], ()) for y in side_of.get(p[1], ())):
                errors.append(f"{w}: core pair {p} not across two sides")
        evid(text, m["evidence"], w)
    for i, a in enumerate(doc["agreements"]):
        w = f"{d} agreement {i}"
        for x in a["parties"] + a["core_parties"]:
            need(x, w)
        if not set(a["core_parties"]) <= set(a["parties"]):
            errors.append(f"{w}: core_parties not within parties")
        evid(text, a["evidence"], w)
        if norm and not any(norm(k) in norm(a["evidence"]) for k in a["keywords"]):
            errors.append(f"{w}: no keyword occurs in the evidence")
    for i, dm in enumerate(doc["demands"]):
        w = f"{d} demand {i}"
        need(dm["actor"], w)
        need(dm["addressee"], w)
        for x in dm["also_ok"]:
            need(x, w)
        evid(text, dm["evidence"], w)
        if norm and not any(norm(k) in norm(dm["evidence"]) for k in dm["keywords"]):
            errors.append(f"{w}: no keyword occurs in the evidence")
    for i, pc in enumerate(doc.get("phone_calls", [])):
        w = f"{d} phone_call {i}"
        for s in pc["sides"]:
            for x in s:
                need(x, w)
        evid(text, pc["evidence"], w)

for f in sorted(corpus.glob("*.txt")):
    if f.stem not in ids:
        errors.append(f"{f.name}: article without gold entry")
for k in meta:
    if k not in ids:
        errors.append(f"metadata entry {k} without gold document")

for e in errors:
    print("ERROR", e)
print(f"{len(gold['documents'])} documents, {len(actors)} actors, {len(errors)} errors")
sys.exit(1 if errors else 0)
