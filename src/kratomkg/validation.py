"""Validate a knowledge graph against the kratomkg shapes with pySHACL.

The data graph is the union of the ontology, the knowledge base or user files, and the
derived graph, so ``sh:class`` and ``sh:targetClass`` follow ``rdfs:subClassOf`` without
running inference, and every claim and risk is checked to carry its derived rating.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from os import PathLike

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kratomkg import _sparql
from kratomkg.derivation import derive
from kratomkg.errors import InputError
from kratomkg.loading import load, union_graph
from kratomkg.parse import parse_into
from kratomkg.report import Severity, ValidationReport, ValidationResult
from kratomkg.resources import shape_files

__all__ = ["load_shapes", "union_graph", "validate", "validate_files"]


@lru_cache(maxsize=1)
def load_shapes() -> Graph:
    """Parse the shipped SHACL shapes once per process."""
    shapes = Graph()
    for path in shape_files():
        parse_into(shapes, path)
    return shapes


def _text(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, BNode):
        return f"_:{node}"
    if isinstance(node, Literal):
        return node.n3()
    return str(node)


def _results(report_graph: Graph) -> list[ValidationResult]:
    results: list[ValidationResult] = []
    for node in report_graph.subjects(RDF.type, SH.ValidationResult):
        severity_iri = report_graph.value(node, SH.resultSeverity)
        severity: Severity = "Violation"
        if severity_iri == SH.Warning:
            severity = "Warning"
        elif severity_iri == SH.Info:
            severity = "Info"
        path = report_graph.value(node, SH.resultPath)
        messages = sorted(str(m) for m in report_graph.objects(node, SH.resultMessage))
        constraint = report_graph.value(node, SH.sourceConstraintComponent)
        results.append(
            ValidationResult(
                severity=severity,
                focus_node=_text(report_graph.value(node, SH.focusNode)) or "",
                path=str(path) if isinstance(path, URIRef) else _text(path),
                value=_text(report_graph.value(node, SH.value)),
                message=messages[0] if messages else "constraint violated",
                # A SPARQL-based constraint is reported under its node shape; name the
                # constraint itself so the result points at the exact rule that broke.
                shape=_text(
                    report_graph.value(node, SH.sourceConstraint)
                    or report_graph.value(node, SH.sourceShape)
                ),
                constraint=str(constraint),
            )
        )
    return results


def validate(dataset: Dataset | None = None) -> ValidationReport:
    """Validate ``dataset`` (by default the shipped knowledge graph) against the shapes.

    The derived graph is recomputed first, so a rating typed by hand meets the rules' rating
    and the shapes catch it (the first rule flags a typed rating even when the two agree).
    """
    import pyshacl  # heavy: imported only when validation runs

    _sparql.install()
    if dataset is None:
        dataset = load()
    derive(dataset)
    conforms, report_graph, _ = pyshacl.validate(
        union_graph(dataset),
        shacl_graph=load_shapes(),
        inference="none",
        advanced=False,  # no SHACL-AF feature is used; core + SHACL-SPARQL only
        allow_warnings=True,
        abort_on_first=False,
    )
    if not isinstance(report_graph, Graph):
        # pySHACL returns its refusal (say, a SPARQL constraint it may not run) instead of a
        # report; checking nothing must never read as "conforms".
        raise InputError("shapes", f"pySHACL could not validate with these shapes: {report_graph}")
    report = ValidationReport.from_results(_results(report_graph))
    if not conforms and report.conforms:  # pragma: no cover - engine disagreement guard
        raise RuntimeError("pySHACL reported non-conformance without a violation result")
    return report


def validate_files(
    paths: Iterable[str | PathLike[str]], *, with_kb: bool = False
) -> ValidationReport:
    """Validate exactly the given files against the ontology (plus the shipped graph)."""
    return validate(load(paths, kb=with_kb))
