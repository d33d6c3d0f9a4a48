"""kg's exports, checked by tools that are not kg's own: Apache Jena's riot, rdflib, pyoxigraph.

The seed corpus is built once per module and written in every export format. riot (Jena
4.5 from Debian, see tests/jena.py) must validate every export — Turtle, TriG, N-Triples,
N-Quads and JSON-LD (with its JSON-LD 1.0 reader: kg's context needs nothing of 1.1) —
with exit 0 and not one error or warning line, and what riot reads from the JSON-LD must
be exactly the exported graph. A deliberately broken Turtle file shows that the check can
fail. Java and Jena are installed by .ci/run; when they are missing these tests fail
rather than skip, since a skipped validation would look like a passed one. rdflib and
pyoxigraph read the JSON-LD back too.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jena  # tests/jena.py: riot from Debian's Jena
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import to_isomorphic

from kg import formats
from kg.export import format_name, write_dataset

# rdflib's own parsers use its deprecated APIs internally
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib")

SUFFIXES = (".ttl", ".trig", ".nt", ".nq", ".jsonld")
RIOT_SYNTAX = {".ttl": None, ".trig": None, ".nt": None, ".nq": None, ".jsonld": "jsonld10"}  # None: by suffix
OX_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".jsonld": ox.RdfFormat.JSON_LD,
}


@dataclass(frozen=True)
class Exports:
    store: ox.Store
    paths: dict[str, Path]  # suffix -> exported file

    @property
    def quads(self) -> set[ox.Quad]:
        return set(self.store)

    @property
    def triples(self) -> set[ox.Triple]:
        return {quad.triple for quad in self.store}


@pytest.fixture(scope="module")
def exports(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Exports:
    from kg.pipeline import build_dataset

    result = build_dataset([corpus_dir])
    assert not result.failures, result.failures
    out = tmp_path_factory.mktemp("riot")
    paths = {suffix: write_dataset(result.store, out / f"corpus{suffix}") for suffix in SUFFIXES}
    exports = Exports(result.store, paths)
    # the corpus has several documents (named graphs) sharing nodes, so the union of the
    # graphs is smaller than the dataset: a format that keeps or drops graphs is told apart
    assert len({quad.graph_name for quad in result.store}) > 1
    assert len(exports.triples) < len(exports.quads)
    return exports


# riot's class path, or why riot cannot run
Classpath = str | jena.JenaUnavailable


@pytest.fixture(scope="module")
def riot_classpath() -> Classpath:
    """riot's class path, or why riot cannot run (each riot test then fails saying so)."""
    try:
        return jena.classpath()
    except jena.JenaUnavailable as exc:
        return exc


def riot(path: Path, classpath: Classpath, syntax: str | None = None) -> tuple[int, str]:
    problem = classpath if isinstance(classpath, jena.JenaUnavailable) else None
    if problem is None:
        try:
            return jena.riot_validate(path, syntax=syntax, cp=classpath)
        except jena.JenaUnavailable as exc:
            problem = exc
    pytest.fail(f"Apache Jena's riot cannot run: {problem}", pytrace=False)


@pytest.mark.parametrize("suffix", sorted(RIOT_SYNTAX))
def test_riot_validates_export(exports: Exports, riot_classpath: Classpath, suffix: str) -> None:
    path = exports.paths[suffix]
    code, output = riot(path, riot_classpath, RIOT_SYNTAX[suffix])
    assert code == 0, f"riot rejected {path.name} (exit {code}):\n{output}"
    assert jena.problem_lines(output) == [], f"riot reported problems in {path.name}:\n{output}"


def test_riot_rejects_broken_turtle(exports: Exports, riot_classpath: Classpath, tmp_path: Path) -> None:
    # the real Turtle export, with one statement at the end that lacks its final dot
    text = exports.paths[".ttl"].read_text(encoding="utf-8")
    assert text.endswith("\n")
    broken_line = text.count("\n") + 1
    broken = tmp_path / "broken.ttl"
    broken.write_text(
        text + '<https://kg.example.org/id/x> <https://kg.example.org/ontology#p> "no dot"\n',
        encoding="utf-8",
    )

    code, output = riot(broken, riot_classpath)
    assert code != 0, f"riot accepted a broken Turtle file:\n{output}"
    problems = jena.problem_lines(output)
    assert problems, f"riot failed without saying why:\n{output}"
    assert any("ERROR" in line for line in problems), output
    # the complaint points at the broken statement at the end of the file
    where = (f"line: {broken_line}", f"line: {broken_line + 1}")  # the statement, or the end
    assert any(mark in line for line in problems for mark in where), output


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_pyoxigraph_round_trip(exports: Exports, suffix: str) -> None:
    path = exports.paths[suffix]
    reloaded = ox.Store()
    reloaded.load(path=str(path), format=OX_FORMATS[suffix])
    if formats.by_name(format_name(path)).keeps_graphs:
        assert len(reloaded) == len(exports.quads)
        assert {quad.graph_name for quad in reloaded} == {quad.graph_name for quad in exports.store}
    else:
        # graph formats hold the union of all graphs, read back into the default graph
        assert len(reloaded) == len(exports.triples)
        assert {quad.graph_name for quad in reloaded} == {ox.DefaultGraph()}


def test_riot_reads_the_jsonld_as_the_exported_graph(exports: Exports, riot_classpath: Classpath) -> None:
    if isinstance(riot_classpath, jena.JenaUnavailable):
        pytest.fail(f"Apache Jena's riot cannot run: {riot_classpath}", pytrace=False)
    nquads = jena.riot_convert(exports.paths[".jsonld"], syntax="jsonld10", cp=riot_classpath)
    by_riot = rdflib.Graph()
    by_riot.parse(data=nquads, format="nt")  # the export is one graph: N-Quads without a graph name
    expected = rdflib.Graph()
    expected.parse(
        data=ox.serialize(sorted(exports.triples, key=str), format=ox.RdfFormat.N_TRIPLES).decode("utf-8"),
        format="nt",
    )
    assert len(by_riot) == len(exports.triples)
    assert to_isomorphic(by_riot) == to_isomorphic(expected)


def test_jsonld_read_back_by_rdflib_and_pyoxigraph(exports: Exports) -> None:
    path = exports.paths[".jsonld"]
    expected = rdflib.Graph()
    expected.parse(
        data=ox.serialize(sorted(exports.triples, key=str), format=ox.RdfFormat.N_TRIPLES).decode("utf-8"),
        format="nt",
    )

    by_rdflib = rdflib.Graph()
    by_rdflib.parse(path, format="json-ld")
    assert len(by_rdflib) == len(exports.triples)
    assert to_isomorphic(by_rdflib) == to_isomorphic(expected)

    by_oxigraph = rdflib.Graph()
    triples = ox.parse(path=str(path), format=ox.RdfFormat.JSON_LD)
    by_oxigraph.parse(
        data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8"), format="nt"
    )
    assert len(by_oxigraph) == len(exports.triples)
    assert to_isomorphic(by_oxigraph) == to_isomorphic(expected)
