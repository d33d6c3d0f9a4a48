"""Check RDF output against the SHACL shapes in ontology/shapes.ttl.

All given files are read into one dataset and the union of its graphs is validated, so a
node described across several document graphs (an actor mentioned in many articles) is
checked as a whole.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import BNode, Dataset, Graph, Literal, Node, URIRef
from rdflib.namespace import RDF

from kg import formats
from kg.errors import InputError
from kg.resources import ontology_file, shapes_file
from kg.vocab import PREFIXES, SH

_SHAPES_PREFIX = "https://kg.example.org/shapes#"


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool
    violations: int  # results with severity sh:Violation
    text: str  # readable report: one entry per result


def validate_graph(paths: list[Path]) -> ValidationReport:
    """Validate the union of the RDF files in ``paths`` against the kg shapes.

    Raises InputError (naming the file) for a missing file, an unknown suffix or a file that
    does not parse.
    """
    if not paths:
        raise InputError("no data files given to validate")
    data = _load_union([Path(p) for p in paths])
    shapes = Graph().parse(shapes_file(), format="turtle")
    ontology = Graph().parse(ontology_file(), format="turtle")
    conforms, results, _ = shacl_validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",  # the shapes target concrete classes and need no entailment
        abort_on_first=False,
        allow_warnings=False,
        meta_shacl=False,
        advanced=False,
    )
    return _summarise(bool(conforms), results)


def _load_union(paths: list[Path]) -> Graph:
    dataset = Dataset(default_union=True)
    for path in paths:
        fmt = formats.for_reading(path).rdflib
        if not path.is_file():
            raise InputError(f"{path}: file not found")
        try:
            dataset.parse(source=str(path), format=fmt)
        # The parsers raise many unrelated exception types (BadSyntax, JSONDecodeError,
        # ParserError, UnicodeDecodeError, ...); all mean "this file is not valid RDF".
        except Exception as exc:  # noqa: BLE001
            raise InputError(f"{path}: cannot parse as {fmt}: {' '.join(str(exc).split())[:200]}") from None
    # pyshacl validates each named graph of a dataset separately; copy the union into one
    # graph so constraints see every document's statements together.
    union = Graph()
    union += dataset.triples((None, None, None))
    return union


def _summarise(conforms: bool, results: Graph) -> ValidationReport:
    for prefix, iri in PREFIXES.items():
        results.bind(prefix, iri, override=True)
    results.bind("shapes", _SHAPES_PREFIX, override=True)

    entries: list[tuple[str, str, str, str, str]] = []
    violations = 0
    for result in results.subjects(RDF.type, SH.ValidationResult):
        severity = results.value(result, SH.resultSeverity)
        if severity == SH.Violation:
            violations += 1
        entries.append(
            (
                _show(results, results.value(result, SH.focusNode)),
                _show_path(results, results.value(result, SH.resultPath)),
                str(results.value(result, SH.resultMessage) or "(no message)"),
                _show(results, results.value(result, SH.value)),
                _local(severity),
            )
        )
    entries.sort()

    if conforms:
        lines = ["Conforms: yes (no violations)."]
    else:
        lines = [f"Conforms: no ({violations} violation{'s' if violations != 1 else ''})."]
    for number, (focus, path, message, value, severity) in enumerate(entries, start=1):
        lines.append("")
        lines.append(f"{number}. {severity}: {message}")
        lines.append(f"   focus node: {focus}")
        lines.append(f"   path:       {path}")
        if value != "-":
            lines.append(f"   value:      {value}")
    return ValidationReport(conforms=conforms, violations=violations, text="\n".join(lines) + "\n")


def _show(graph: Graph, node: Node | None) -> str:
    if node is None:
        return "-"
    if isinstance(node, BNode):
        return "(blank node)"
    if isinstance(node, (URIRef, Literal)):
        return node.n3(graph.namespace_manager)
    return str(node)


def _show_path(graph: Graph, path: Node | None) -> str:
    """SHACL property paths as SPARQL-like text (only the forms the shapes use)."""
    if path is None:
        return "-"
    if isinstance(path, BNode):
        inverse = graph.value(path, SH.inversePath)
        if inverse is not None:
            return "^" + _show_path(graph, inverse)
        return "(complex path)"
    return _show(graph, path)


def _local(node: Node | None) -> str:
    if node is None:
        return "Violation"
    text = str(node)
    return text.rsplit("#", 1)[-1]
