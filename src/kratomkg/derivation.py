"""Derive what must never be typed by hand: certainty ratings and plain effect edges.

The rules are SPARQL CONSTRUCT queries shipped in ``kratomkg/rules/``, one file a rule, run
in the order of :data:`RULES`. Each rule sees the source data *and* what the rules before it
derived, so the GRADE-style rating is built in documented steps (appraise each line of
evidence, downgrade, upgrade, combine, explain) instead of one opaque query. The same rules
run on rdflib, on Oxigraph and through any SPARQL 1.1 engine; their output replaces the
``derived`` named graph, which makes :func:`derive` idempotent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib.resources import files

from rdflib import Dataset, Graph
from rdflib.term import Node

from kratomkg.namespaces import GRAPH_DERIVED, GRAPH_KB, GRAPH_ONTOLOGY, GRAPH_USER

__all__ = ["RULES", "derive", "derive_graph", "rule_text", "run_rules"]

#: The rules in the order they run. ``asserted-derived`` comes first, so it sees the source
#: data alone and can flag a rating typed by hand even when it equals the derived one.
RULES: tuple[str, ...] = (
    "asserted-derived",
    "appraisal-start",
    "appraisal-risk-of-bias",
    "appraisal-indirectness",
    "appraisal-imprecision",
    "appraisal-upgrade",
    "appraisal-certainty",
    "certainty",
    "preclinical-support",
    "explanation",
    "claimed-effect",
)

Triple = tuple[Node, Node, Node]


def rule_text(name: str) -> str:
    """Return the SPARQL text of the derivation rule ``name``."""
    return (files("kratomkg") / "rules" / f"{name}.rq").read_text(encoding="utf-8")


def run_rules(
    construct: Callable[[str], Iterable[Triple]], add: Callable[[Iterable[Triple]], None]
) -> None:
    """Run every rule in order through ``construct``, handing each result to ``add``.

    ``construct`` evaluates a CONSTRUCT query over the source data plus everything ``add``
    has received so far; this is all a store needs to provide, so rdflib, Oxigraph and a
    remote endpoint share one rule runner.
    """
    for rule in RULES:
        add(list(construct(rule_text(rule))))


def derive_graph(source: Graph) -> Graph:
    """Return the triples the rules derive from ``source``, leaving ``source`` untouched."""
    working = Graph()
    for triple in source:
        working.add(triple)
    derived = Graph()

    def construct(query: str) -> Iterable[Triple]:
        return [row for row in working.query(query) if isinstance(row, tuple) and len(row) == 3]

    def add(triples: Iterable[Triple]) -> None:
        for triple in triples:
            working.add(triple)
            derived.add(triple)

    run_rules(construct, add)
    return derived


def derive(dataset: Dataset) -> Graph:
    """Compute the derived triples of ``dataset`` into its ``derived`` graph and return it."""
    source = Graph()
    for graph_name in (GRAPH_ONTOLOGY, GRAPH_KB, GRAPH_USER):
        for triple in dataset.graph(graph_name):
            source.add(triple)
    dataset.remove_graph(dataset.graph(GRAPH_DERIVED))
    derived = dataset.graph(GRAPH_DERIVED)
    for triple in derive_graph(source):
        derived.add(triple)
    return derived
