"""Commands that do not extract start without the NLP stack (spaCy, thinc, HanTa)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FIXTURE = Path(__file__).parent / "fixtures" / "query_sample.trig"

# every command in one fresh interpreter, in this order: the first one that imports the
# NLP stack is the one named in the failure
PROBE = """
import json, sys
from kg.cli import app
heavy = ("spacy", "thinc", "HanTa")
report = []
for args in json.loads(sys.argv[1]):
    try:
        app(args, standalone_mode=False)
    except SystemExit:
        pass
    except Exception as exc:  # a command failing is fine here (no server): imports are the point
        pass
    report.append([args[0], [m for m in heavy if m in sys.modules]])
print(json.dumps(report))
"""


def test_commands_that_do_not_extract_load_no_nlp(tmp_path: Path) -> None:
    graph = str(FIXTURE)
    commands = [
        ["query", "meetings", "--data", graph, "--format", "csv"],
        ["queries"],
        ["show", "Lawrow", "--data", graph],
        ["timeline", "--data", graph],
        ["stats", graph],
        ["validate", graph],
        ["viz", graph, "--out", str(tmp_path / "network.html")],
        ["registry", "--out", str(tmp_path / "registry.ttl")],
        ["push", graph, "--endpoint", "http://127.0.0.1:9", "--timeout", "1"],
        ["pull", "--endpoint", "http://127.0.0.1:9", "--graph", "urn:x:g", "--out", str(tmp_path / "p.nq"), "--timeout", "1"],
    ]
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(commands)], capture_output=True, text=True, timeout=300)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert [name for name, _ in report] == [c[0] for c in commands]
    assert all(not loaded for _, loaded in report), report
    assert (tmp_path / "network.html").exists()  # the commands really ran


# the actors are in the registry; the places and the other names are invented, so none of
# these words is in spaCy's vocabulary before the test
ZONE_TEXTS = [
    "Sergej Lawrow traf am Montag in Belvask seinen Amtskollegen Marco Rubio. Auch Elda Tramsik war dabei.",
    "Russland und die Ukraine vereinbarten in Fabbrosa eine Waffenruhe für die Region Quorvanien.",
    "Die Ukraine forderte am Dienstag den Abzug der russischen Truppen aus Mirelsk.",
    "Emmanuel Macron telefonierte mit Wolodymyr Selenskyj über die Gespräche in Belvask.",
    "Frankreich und Deutschland unterzeichneten in Fabbrosa ein Abkommen über Grenzkontrollen in Ostrovenien.",
]


def test_memory_zones_drop_new_words_and_change_no_result(extractor, monkeypatch) -> None:
    import kg.pipeline
    from kg.clean import clean_document
    from kg.model import SourceDocument

    monkeypatch.setattr(kg.pipeline, "ZONE_DOCUMENTS", 2)  # several zones over five documents
    docs = [clean_document(SourceDocument(f"zone-{n}", text, date="2025-03-03")) for n, text in enumerate(ZONE_TEXTS)]
    list(extractor.results([]))  # closes a zone that earlier single-document calls left open
    strings = extractor.nlp.vocab.strings
    before = len(strings)
    together = list(extractor.results(docs))
    assert len(strings) == before  # every word form the five documents added is gone again
    assert "Quorvanien" not in strings
    one_by_one = [extractor.document(d) for d in docs]
    list(extractor.results([]))
    assert together == one_by_one
    assert any(r.meetings for r in together) and any(r.agreements for r in together)


def test_a_document_extracted_while_a_build_streams_nests_no_memory_zone(extractor) -> None:
    from kg.clean import clean_document
    from kg.model import SourceDocument

    docs = [clean_document(SourceDocument(f"nest-{n}", text, date="2025-03-03")) for n, text in enumerate(ZONE_TEXTS)]
    streamed = []
    for result in extractor.results(docs[:3]):
        streamed.append(result)
        assert extractor.document(docs[3]) == extractor.document(docs[3])  # no nested zone opened
    assert len(streamed) == 3 and streamed[0].meetings
