"""Validate a knowledge graph against the kratomkg shapes with pySHACL.

The data graph is the union of the ontology, the knowledge base or user files, and the
derived graph, so ``sh:class`` and ``sh:targetClass`` follow ``rdfs:subClassOf`` without
running inference, and every claim and risk is checked to carry its derived rating.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from os import PathLike

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import SH

from kratomkg import _sparql
from kratomkg.derivation import derive
from kratomkg.errors import InputError
from kratomkg.loading import load, union_graph
from kratomkg.parse import parse_into, quiet_rdflib_terms
from kratomkg.report import Severity, ValidationReport, ValidationResult
from kratomkg.resources import shape_files

__all__ = ["load_shapes", "results_of", "union_graph", "validate", "validate_files"]


@lru_cache(maxsize=1)
def load_shapes() -> Graph:
    """Parse the shipped SHACL shapes once per process."""
    shapes = Graph()
    for path in shape_files():
        parse_into(shapes, path)
    return shapes


def results_of(report_graph: Graph) -> list[ValidationResult]:
    """Read pySHACL's report graph back into engine-independent results."""
    results: list[ValidationResult] = []
    # The report's own results only: a nested shape's results hang below them (sh:detail).
    for node in report_graph.objects(None, SH.result):
        severity_iri = report_graph.value(node, SH.resultSeverity)
        severity: Severity = "Violation"
        if severity_iri == SH.Warning:
            severity = "Warning"
        elif severity_iri == SH.Info:
            severity = "Info"
        messages = sorted(str(m) for m in report_graph.objects(node, SH.resultMessage))
        # pySHACL's own terms go through unchanged: the Turtle report writes them back as
        # they are, and the text report names a SPARQL-based constraint (the exact rule
        # that broke) rather than the node shape that holds it.
        results.append(
            ValidationResult.from_terms(
                severity=severity,
                focus=report_graph.value(node, SH.focusNode) or URIRef(""),
                path=report_graph.value(node, SH.resultPath),
                value=report_graph.value(node, SH.value),
                message=messages[0] if messages else "constraint violated",
                source_shape=report_graph.value(node, SH.sourceShape),
                component=report_graph.value(node, SH.sourceConstraintComponent) or URIRef(""),
                source_constraint=report_graph.value(node, SH.sourceConstraint),
                severity_term=severity_iri
                if severity_iri not in (SH.Violation, SH.Warning, SH.Info)
                else None,
            )
        )
    return results


@quiet_rdflib_terms()
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
    report = ValidationReport.from_results(results_of(report_graph))
    if not conforms and report.conforms:  # pragma: no cover - engine disagreement guard
        raise RuntimeError("pySHACL reported non-conformance without a violation result")
    return report


def validate_files(
    paths: Iterable[str | PathLike[str]], *, with_kb: bool = False
) -> ValidationReport:
    """Validate exactly the given files against the ontology (plus the shipped graph)."""
    return validate(load(paths, kb=with_kb))


# --- narrowing a report to the user's own files, and the exit level -------------------------

#: The levels ``kratomkg validate --fail-on`` takes, each with the severities that fail it.
FAIL_ON: dict[str, frozenset[str]] = {
    "violation": frozenset({"Violation"}),
    "warning": frozenset({"Violation", "Warning"}),
}


def fails(report: ValidationReport, level: str = "violation") -> bool:
    """Whether ``report`` holds a result at ``level`` or above (ROBOT's ``--fail-on``).

    ``violation`` is kratomkg's verdict (a Warning marks weak but honest evidence);
    ``warning`` lets a curation pipeline hold weak evidence back too.
    """
    return any(r.severity in FAIL_ON[level] for r in report.results)


def only_results_about(report: ValidationReport, focus_nodes: Iterable[str]) -> ValidationReport:
    """Keep the results whose focus node is one of ``focus_nodes`` (IRIs or ``_:id``)."""
    keep = set(focus_nodes)
    mine = [r for r in report.results if r.focus_node in keep]
    return ValidationReport.from_results(mine, engine=report.engine)


def described_in_user_files(data: object, focus_nodes: Iterable[str]) -> set[str]:
    """Which of ``focus_nodes`` the user's files describe (are the subject of a triple in).

    ``data`` is what the engine validated: an rdflib Dataset (pySHACL) or an Oxigraph store
    (the SPARQL engine), both with the user's files in the ``user`` named graph. Only the
    report's focus nodes are looked up, so a large store is never scanned.
    """
    from rdflib import BNode

    from kratomkg.namespaces import GRAPH_USER

    def term(text: str) -> URIRef | BNode:
        return BNode(text[2:]) if text.startswith("_:") else URIRef(text)

    if isinstance(data, Dataset):
        user = data.graph(GRAPH_USER)
        return {n for n in set(focus_nodes) if next(user.predicate_objects(term(n)), None)}
    import pyoxigraph as ox

    graph = ox.NamedNode(str(GRAPH_USER))

    def oxigraph(text: str) -> object:
        return ox.BlankNode(text[2:]) if text.startswith("_:") else ox.NamedNode(text)

    store = data
    return {
        n
        for n in set(focus_nodes)
        if next(iter(store.quads_for_pattern(oxigraph(n), None, None, graph)), None)  # type: ignore[attr-defined]
    }


@lru_cache(maxsize=1)
def shipped_subjects() -> frozenset[str]:
    """IRIs the shipped knowledge base describes (parsed once, only when a hint may be due)."""
    from kratomkg.resources import kb_files

    graph = Graph()
    for path in kb_files():
        parse_into(graph, path)
    return frozenset(str(s) for s in graph.subjects() if isinstance(s, URIRef))


def with_kb_hint(report: ValidationReport) -> str | None:
    """Return a hint for results naming resources the shipped graph describes, else None.

    Validated alone, a claim that points at shipped evidence or risks breaks the class
    rules ("Claim has no evidence"): the resources are real, only not loaded. The hint
    names how many results that is and the first such resource.
    """
    from kratomkg.report import curie

    shipped = shipped_subjects()
    named = [r.value for r in report.results if r.value and r.value in shipped]
    if not named:
        return None
    return (
        f"kratomkg: hint: {len(named)} result(s) name resources the shipped graph describes "
        f"(e.g. {curie(sorted(named)[0])}); add --with-kb to validate your files with it"
    )
