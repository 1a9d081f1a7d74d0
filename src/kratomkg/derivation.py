"""Derive what must never be typed by hand: claim grades and plain effect edges.

The rules are SPARQL CONSTRUCT queries shipped in ``kratomkg/rules/``, so the same rules run
on rdflib, on Oxigraph or on a remote endpoint. Their output replaces the ``derived`` named
graph, which makes derive() idempotent.
"""

from __future__ import annotations

from importlib.resources import files

from rdflib import Dataset, Graph

from kratomkg.namespaces import GRAPH_DERIVED, GRAPH_KB, GRAPH_ONTOLOGY, GRAPH_USER

__all__ = ["RULES", "derive", "rule_text"]

RULES: tuple[str, ...] = ("evidence-grade", "claimed-effect")


def rule_text(name: str) -> str:
    """Return the SPARQL text of the derivation rule ``name``."""
    return (files("kratomkg") / "rules" / f"{name}.rq").read_text(encoding="utf-8")


def derive(dataset: Dataset) -> Graph:
    """Compute the derived triples of ``dataset`` into its ``derived`` graph and return it."""
    source = Graph()
    for graph_name in (GRAPH_ONTOLOGY, GRAPH_KB, GRAPH_USER):
        for triple in dataset.graph(graph_name):
            source.add(triple)
    dataset.remove_graph(dataset.graph(GRAPH_DERIVED))
    derived = dataset.graph(GRAPH_DERIVED)
    for rule in RULES:
        for row in source.query(rule_text(rule)):
            if isinstance(row, tuple) and len(row) == 3:
                derived.add(row)
    return derived
