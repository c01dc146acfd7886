"""SHACL validation of the store (or an exported file) against ``ontology/shapes.ttl``.

Each article's named graph is validated on its own with pyshacl, since each
is meant to stand alone (an article's graph describes every entity it refers
to); the ontology is mixed in, so ``sh:class kg:Entity`` accepts a
``kg:Person``. With ``inference="rdfs"`` pyshacl also applies RDFS inference.
The report lists each violation with its graph, focus node, path and message.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, BNode, Dataset, Graph, Literal, Namespace, URIRef

from kg.errors import ValidationError
from kg.ontology import load_turtle
from kg.query import compact
from kg.rdf import to_rdflib
from kg.store import KGStore

SH = Namespace("http://www.w3.org/ns/shacl#")
INFERENCE = ("none", "rdfs")
_FILE_FORMATS = {".ttl": "turtle", ".nt": "nt", ".nq": "nquads", ".trig": "trig", ".jsonld": "json-ld",
                 ".json": "json-ld", ".rdf": "xml", ".xml": "xml", ".owl": "xml", ".n3": "n3"}


@dataclass(frozen=True)
class Violation:
    """One SHACL result."""

    graph: str | None
    focus: str
    path: str | None
    message: str
    severity: str
    value: str | None = None


@dataclass
class ValidationReport:
    graphs: int = 0
    triples: int = 0
    results: list[Violation] = field(default_factory=list)

    @property
    def violations(self) -> list[Violation]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def conforms(self) -> bool:
        return not self.violations


def _show(term) -> str:
    if isinstance(term, URIRef):
        return compact(ox.NamedNode(str(term)))
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        text = " ".join(str(term).split())
        return repr(text if len(text) <= 60 else text[:59] + "…")
    return str(term)


def _path(results: Graph, node) -> str | None:
    path = results.value(node, SH.resultPath)
    if path is None:
        return None
    return "(a path expression)" if isinstance(path, BNode) else _show(path)


def _details(results: Graph, node) -> list[str]:
    """The messages of nested results (sh:detail), innermost first, with their paths."""
    out = []
    for detail in results.objects(node, SH.detail):
        inner = _details(results, detail)
        if inner:
            out.extend(inner)
            continue
        path = _path(results, detail)
        for message in sorted(str(m) for m in results.objects(detail, SH.resultMessage)):
            out.append(f"{path}: {message}" if path else message)
    return sorted(set(out))


def _results(results: Graph, graph: str | None) -> Iterator[Violation]:
    nested = set(results.objects(None, SH.detail))
    for node in results.subjects(RDF.type, SH.ValidationResult):
        if node in nested:
            continue
        path = _path(results, node)
        messages = sorted(str(m) for m in results.objects(node, SH.resultMessage))
        details = _details(results, node)
        if details:
            messages = [f"{'; '.join(messages)} ({'; '.join(details)})"]
        severity = results.value(node, SH.resultSeverity)
        value = results.value(node, SH.value)
        yield Violation(
            graph=graph,
            focus=_show(results.value(node, SH.focusNode)),
            path=path,
            message="; ".join(messages) or str(results.value(node, SH.sourceConstraintComponent)),
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            value=None if value is None else _show(value),
        )


class _Validator:
    def __init__(self, inference: str) -> None:
        if inference not in INFERENCE:
            raise ValidationError(f"unknown inference {inference!r}: use none or rdfs")
        self.inference = inference
        self.shapes = load_turtle("shapes.ttl")
        self.ontology = load_turtle("kg.ttl")

    def graph(self, data: Graph, name: str | None, report: ValidationReport) -> None:
        import pyshacl

        if len(data) == 0:
            return
        try:
            _conforms, results, _text = pyshacl.validate(
                data, shacl_graph=self.shapes, ont_graph=self.ontology, inference=self.inference,
                allow_warnings=True)
        except Exception as exc:  # pyshacl raises its own error types for bad shapes
            raise ValidationError(f"SHACL validation could not run: {' '.join(str(exc).split())}") from exc
        report.graphs += 1
        report.triples += len(data)
        report.results.extend(sorted(_results(results, name),
                                     key=lambda v: (v.focus, v.path or "", v.message)))


def validate_store(store: KGStore, inference: str = "none") -> ValidationReport:
    """Validate every article graph of the store (the default graph is only their merge)."""
    validator = _Validator(inference)
    report = ValidationReport()
    for name in store.graphs():
        dataset = to_rdflib(store.quads(name))
        validator.graph(dataset.graph(URIRef(name)), name, report)
    return report


def validate_file(path: str | Path, inference: str = "none") -> ValidationReport:
    """Validate an RDF file (format from its extension): each named graph, and the default graph."""
    path = Path(path)
    fmt = _FILE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValidationError(f"cannot tell the RDF syntax of {path} from its extension "
                              f"(use one of {', '.join(sorted(_FILE_FORMATS))})")
    dataset = Dataset()
    try:
        dataset.parse(path, format=fmt)
    except FileNotFoundError as exc:
        raise ValidationError(f"no such file: {path}") from exc
    except Exception as exc:  # rdflib's parsers raise many types
        raise ValidationError(f"cannot parse {path} as {fmt}: {' '.join(str(exc).split())[:200]}") from exc
    validator = _Validator(inference)
    report = ValidationReport()
    for graph in sorted(dataset.graphs(), key=lambda g: str(g.identifier)):
        is_default = graph.identifier == dataset.default_graph.identifier
        validator.graph(graph, None if is_default else str(graph.identifier), report)
    return report


def format_report(report: ValidationReport) -> str:
    """A readable report: violations grouped by graph, then a summary line."""
    lines: list[str] = []
    by_graph: dict[str | None, list[Violation]] = {}
    for result in report.results:
        by_graph.setdefault(result.graph, []).append(result)
    for graph, results in by_graph.items():
        lines.append(f"graph <{graph}>" if graph else "default graph")
        for r in results:
            where = f"focus {r.focus}" + (f"  path {r.path}" if r.path else "")
            value = f"  value {r.value}" if r.value else ""
            lines.append(f"  {r.severity}: {where}{value}")
            lines.append(f"      {r.message}")
    bad = {r.graph for r in report.violations}
    if report.conforms:
        extra = f" ({len(report.results)} warnings)" if report.results else ""
        lines.append(f"conforms: {report.graphs} graphs, {report.triples} triples, "
                     f"no violations{extra}")
    else:
        lines.append(f"{len(report.violations)} violations in {len(bad)} of {report.graphs} graphs "
                     f"({report.triples} triples checked against ontology/shapes.ttl)")
    return "\n".join(lines)
