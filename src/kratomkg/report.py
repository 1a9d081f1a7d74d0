"""The result of a validation, independent of the engine that produced it.

A :class:`ValidationReport` lists :class:`ValidationResult` records (focus node, path,
value, severity, message, shape, constraint component) and renders them as text for
people, JSON for programs and Turtle (the W3C SHACL report vocabulary) for RDF tools.
Results are sorted so that the same data always gives the same report. Each result keeps
the RDF terms the engine reported as well as their text, so the Turtle report writes an
IRI as an IRI and a literal with its own datatype or language, never a string made of it.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Literal as TypingLiteral

import curies
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import RDF, SH
from rdflib.term import Node
from rdflib.util import from_n3

from kratomkg.namespaces import PREFIXES

__all__ = [
    "REPORT_FORMATS",
    "Severity",
    "ValidationReport",
    "ValidationResult",
    "curie",
    "term_text",
]

Severity = TypingLiteral["Violation", "Warning", "Info"]
_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@functools.cache
def _converter() -> curies.Converter:
    """Return the kratomkg prefix map as a ``curies`` converter (longest namespace wins)."""
    return curies.Converter.from_prefix_map({p: str(ns) for p, ns in PREFIXES.items()})


def curie(iri: str | None) -> str:
    """Shorten ``iri`` with the kratomkg prefix map (the full IRI when no prefix fits)."""
    if iri is None:
        return "-"
    short = _converter().compress(iri)
    if short is not None and not short.endswith(":"):
        return short
    return f"<{iri}>" if ":" in iri else iri


def term_text(node: Node | None) -> str | None:
    """Write a term as reports show it: an IRI bare, a blank node ``_:id``, a literal in N3."""
    if node is None:
        return None
    if isinstance(node, BNode):
        return f"_:{node}"
    if isinstance(node, Literal):
        return node.n3()
    return str(node)


@dataclass(frozen=True, order=True)
class ValidationResult:
    """One SHACL result: which node broke which rule, and how badly.

    The text fields are what the text and JSON reports show; ``shape`` names the rule that
    broke (a SPARQL-based constraint itself, else the shape). The ``*_term`` fields hold
    the RDF terms of the SHACL report: ``shape_term`` is ``sh:sourceShape`` (the node or
    property shape) and ``constraint_term`` ``sh:sourceConstraint`` (SPARQL-based
    constraints only). Build results with :meth:`from_terms`; a result made from text
    alone has its terms read back from the text when the Turtle report is written.
    """

    severity: Severity
    focus_node: str
    path: str | None
    value: str | None
    message: str
    shape: str | None
    constraint: str
    focus_term: Node | None = field(default=None, compare=False, repr=False)
    path_term: Node | None = field(default=None, compare=False, repr=False)
    value_term: Node | None = field(default=None, compare=False, repr=False)
    shape_term: Node | None = field(default=None, compare=False, repr=False)
    constraint_term: Node | None = field(default=None, compare=False, repr=False)
    component_term: Node | None = field(default=None, compare=False, repr=False)
    #: The ``sh:resultSeverity`` IRI when it is not one of SHACL's three (SHACL allows any
    #: IRI); ``severity`` is then "Violation", so a severity nobody defined still fails.
    severity_term: Node | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_terms(
        cls,
        *,
        severity: Severity,
        focus: Node,
        path: Node | None,
        value: Node | None,
        message: str,
        source_shape: Node | None,
        component: Node,
        source_constraint: Node | None = None,
        severity_term: Node | None = None,
    ) -> ValidationResult:
        """Build a result from the terms of a SHACL report, both engines alike."""
        return cls(
            severity=severity,
            focus_node=term_text(focus) or "",
            path=term_text(path),
            value=term_text(value),
            message=message,
            shape=term_text(source_constraint or source_shape),
            constraint=str(component),
            focus_term=focus,
            path_term=path,
            value_term=value,
            shape_term=source_shape,
            constraint_term=source_constraint,
            component_term=component,
            severity_term=severity_term,
        )

    def sort_key(self) -> tuple[int, str, str, str, str, str, str]:
        """Order results by severity, then node, path, shape, message, value, component."""
        return (
            _SEVERITY_ORDER[self.severity],
            self.focus_node,
            self.path or "",
            self.shape or "",
            self.message,
            self.value or "",
            self.constraint,
        )


@dataclass(frozen=True)
class ValidationReport:
    """Whether the data conforms, and every result that says why not."""

    conforms: bool
    results: tuple[ValidationResult, ...] = field(default_factory=tuple)
    engine: str = "pyshacl"
    #: The shapes graph, when the results name its blank nodes: a complex ``sh:resultPath``
    #: is a blank-node structure there, which the Turtle report copies so that it stays a
    #: path (``[ sh:inversePath ex:p ]``) rather than a bare, meaningless label.
    shapes: Graph | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_results(
        cls,
        results: list[ValidationResult],
        engine: str = "pyshacl",
        shapes: Graph | None = None,
    ) -> ValidationReport:
        """Build a report; it conforms when no result is a violation.

        Equal results are all kept: SHACL reports one per violating pair (``sh:lessThan``)
        or per constraint (two ``sh:class`` values), which can read the same.
        """
        ordered = tuple(sorted(results, key=ValidationResult.sort_key))
        conforms = not any(r.severity == "Violation" for r in ordered)
        return cls(conforms=conforms, results=ordered, engine=engine, shapes=shapes)

    @property
    def shacl_conforms(self) -> bool:
        """SHACL's verdict: true only when there is no result at all, warnings included.

        ``conforms`` is kratomkg's verdict (no Violation), which decides the exit code and
        the build: a Warning marks weak but honest evidence. A SHACL report
        (``sh:conforms``) must carry SHACL's own verdict, so test harnesses and other
        validators read it as the standard says.
        """
        return not self.results

    @property
    def violation_count(self) -> int:
        """Number of results with severity Violation."""
        return sum(1 for r in self.results if r.severity == "Violation")

    @property
    def warning_count(self) -> int:
        """Number of results with severity Warning."""
        return sum(1 for r in self.results if r.severity == "Warning")

    def summary(self) -> str:
        """One line: the verdict and the counts."""
        verdict = "conforms" if self.conforms else "does NOT conform"
        return (
            f"kratomkg: the data {verdict} "
            f"({self.violation_count} violation(s), {self.warning_count} warning(s))"
        )

    def to_text(self) -> str:
        """Render for people: one block per result, then the summary line."""
        lines: list[str] = []
        for r in self.results:
            lines.append(f"{r.severity}: {curie(r.focus_node)}")
            if r.path:
                lines.append(f"  path:  {curie(r.path)}")
            if r.value and r.value != r.focus_node:
                shown = r.value if r.value.startswith('"') else curie(r.value)
                lines.append(f"  value: {shown}")
            lines.append(f"  rule:  {curie(r.shape)} ({curie(r.constraint)})")
            lines.append(f"  {r.message}")
        lines.append(self.summary())
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        """Render for programs: a JSON object with the verdicts, counts and results.

        ``conforms`` is kratomkg's verdict (no Violation); ``shaclConforms`` is SHACL's (no
        result at all, as ``sh:conforms`` in the Turtle report).
        """
        payload = {
            "conforms": self.conforms,
            "shaclConforms": self.shacl_conforms,
            "engine": self.engine,
            "violations": self.violation_count,
            "warnings": self.warning_count,
            "results": [_json_result(r) for r in self.results],
        }
        return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"

    def to_graph(self) -> Graph:
        """Express the report in the W3C SHACL validation-report vocabulary."""
        graph = Graph()
        graph.bind("sh", SH)
        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace, override=True, replace=True)
        report = BNode()
        graph.add((report, RDF.type, SH.ValidationReport))
        graph.add((report, SH.conforms, Literal(self.shacl_conforms)))
        for r in self.results:
            node = BNode()
            graph.add((report, SH.result, node))
            graph.add((node, RDF.type, SH.ValidationResult))
            graph.add((node, SH.resultSeverity, r.severity_term or SH[r.severity]))
            graph.add((node, SH.focusNode, r.focus_term or _term(r.focus_node)))
            graph.add((node, SH.resultMessage, Literal(r.message)))
            component = r.component_term or URIRef(r.constraint)
            graph.add((node, SH.sourceConstraintComponent, component))
            path = r.path_term or (_term(r.path) if r.path else None)
            if path is not None:
                graph.add((node, SH.resultPath, path))
                if isinstance(path, BNode) and self.shapes is not None:
                    _copy_structure(self.shapes, path, graph)
            shape = r.shape_term or (_term(r.shape) if r.shape else None)
            if shape is not None:
                graph.add((node, SH.sourceShape, shape))
            if r.constraint_term is not None:
                graph.add((node, SH.sourceConstraint, r.constraint_term))
            value = r.value_term or (_value(r.value) if r.value else None)
            if value is not None:
                graph.add((node, SH.value, value))
        return graph

    def to_turtle(self) -> str:
        """Render as Turtle, with blank nodes labelled canonically so output is stable."""
        canonical = Graph()
        for triple in to_canonical_graph(self.to_graph()):
            canonical.add(triple)
        for prefix, namespace in PREFIXES.items():
            canonical.bind(prefix, namespace, override=True, replace=True)
        return canonical.serialize(format="turtle")

    def render(self, fmt: str) -> str:
        """Render in one of :data:`REPORT_FORMATS`."""
        return getattr(self, REPORT_FORMATS[fmt])()  # type: ignore[no-any-return]


def _copy_structure(source: Graph, node: Node, target: Graph) -> None:
    """Copy the SHACL path at ``node``: its list cells and path operators, nothing else.

    A node can carry more than the path (a list cell that is also ``sh:inversePath`` in a
    malformed shape); the report names the path that was evaluated, read as
    :func:`kratomkg.shacl.paths.sparql_path` reads it: a list first.
    """
    if not isinstance(node, BNode):
        return
    if (node, RDF.first, None) in source:
        for predicate in (RDF.first, RDF.rest):
            value = source.value(node, predicate)
            if value is not None:
                target.add((node, predicate, value))
                _copy_structure(source, value, target)
        return
    for operator, inner in source.predicate_objects(node):
        if operator in _PATH_OPERATORS:
            target.add((node, operator, inner))
            _copy_structure(source, inner, target)


_PATH_OPERATORS = frozenset(
    {SH.inversePath, SH.alternativePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath}
)


def _term(value: str) -> URIRef | BNode:
    return BNode(value[2:]) if value.startswith("_:") else URIRef(value)


def _value(text: str) -> Node:
    """Read back a value written by :func:`term_text` (a literal is in N3, an IRI bare)."""
    if text.startswith('"'):
        term = from_n3(text)
        if isinstance(term, Literal):
            return term
    return _term(text)


def _json_result(result: ValidationResult) -> dict[str, str | None]:
    """Give the JSON form of a result: its text fields, in their declared order."""
    return {
        "severity": result.severity,
        "focus_node": result.focus_node,
        "path": result.path,
        "value": result.value,
        "message": result.message,
        "shape": result.shape,
        "constraint": result.constraint,
    }


# Output format name -> rendering method; the CLI's --format choices come from here.
REPORT_FORMATS: dict[str, str] = {"text": "to_text", "json": "to_json", "turtle": "to_turtle"}
