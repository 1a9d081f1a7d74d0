"""Deterministic RDF serializations: same graph in, byte-identical file out.

rdflib's Turtle writer already sorts its output; the other writers follow the store's
internal order, which varies between runs. Here N-Triples and N-Quads are sorted line by
line, TriG is assembled from per-graph Turtle blocks in graph-IRI order, and JSON-LD is
compacted with a local context and then normalised (nodes by ``@id``, keys sorted), and
RDF/XML comes from a flat, sorted writer of our own (:mod:`kratomkg.export.rdfxml`). Blank
nodes, which only user data may contain, are relabelled canonically first.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rdflib import BNode, Dataset, Graph
from rdflib.compare import to_canonical_graph

from kratomkg.export.rdfxml import write_rdfxml
from kratomkg.loading import union_graph
from kratomkg.namespaces import PREFIXES

__all__ = [
    "JSONLD_CONTEXT",
    "RDF_FORMATS",
    "RdfFormat",
    "jsonld_context_document",
    "serialize",
]

# The JSON-LD context shipped in every release, inline and as context.jsonld beside it:
# prefixes only, so every key stays a compact IRI and nothing is silently dropped.
JSONLD_CONTEXT: dict[str, str] = dict(sorted(PREFIXES.items()))


def jsonld_context_document() -> str:
    """Return ``context.jsonld``: the local context as a standalone document."""
    return json.dumps({"@context": JSONLD_CONTEXT}, indent=2, sort_keys=True) + "\n"


def _has_bnodes(graph: Graph) -> bool:
    return any(isinstance(t, BNode) for triple in graph for t in triple)


def _stable(graph: Graph) -> Graph:
    """Return ``graph`` with canonical blank-node labels (itself when it has none)."""
    if not _has_bnodes(graph):
        return graph
    canonical = Graph()
    for triple in to_canonical_graph(graph):
        canonical.add(triple)
    return _bind(canonical)


def _bind(graph: Graph) -> Graph:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def _sorted_lines(text: str) -> str:
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return "\n".join(lines) + "\n"


def _turtle(dataset: Dataset) -> str:
    return _stable(union_graph(dataset)).serialize(format="turtle")


def _ntriples(dataset: Dataset) -> str:
    return _sorted_lines(_stable(union_graph(dataset)).serialize(format="nt"))


def _rdfxml(dataset: Dataset) -> str:
    return write_rdfxml(_stable(union_graph(dataset)))


def _named_graphs(dataset: Dataset) -> list[Graph]:
    graphs = [g for g in dataset.graphs() if len(g) and not isinstance(g.identifier, BNode)]
    return sorted(graphs, key=lambda g: str(g.identifier))


def _nquads(dataset: Dataset) -> str:
    lines: list[str] = []
    for graph in _named_graphs(dataset):
        for line in _stable(graph).serialize(format="nt").splitlines():
            if line.endswith(" ."):  # "s p o ." becomes "s p o <graph> ."
                lines.append(f"{line[:-2]} <{graph.identifier}> .")
    return _sorted_lines("\n".join(lines))


def _trig(dataset: Dataset) -> str:
    prefix_lines = [f"@prefix {p}: <{ns}> ." for p, ns in sorted(PREFIXES.items())]
    blocks = ["\n".join(prefix_lines) + "\n"]
    for graph in _named_graphs(dataset):
        text = _bind(_stable(graph)).serialize(format="turtle")
        # rdflib writes the prefix block first, then a blank line: drop only that block
        # (a line inside a multi-line literal may start with anything). The body is not
        # re-indented, which would change the content of multi-line literals.
        head, _, body = text.partition("\n\n")
        if not all(line.startswith("@prefix") for line in head.splitlines()):
            body = text
        blocks.append(f"<{graph.identifier}> {{\n{body.strip()}\n}}\n")
    return "\n".join(blocks)


def _normalise_jsonld(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _normalise_jsonld(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        items = [_normalise_jsonld(item) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    return value


def _jsonld(dataset: Dataset) -> str:
    graph = _stable(union_graph(dataset))
    text = graph.serialize(format="json-ld", context=JSONLD_CONTEXT, auto_compact=True)
    document = json.loads(text)
    if "@graph" not in document:  # a single node compacts without @graph
        document = {"@context": document.pop("@context"), "@graph": [document]}
    document["@graph"] = sorted(
        (_normalise_jsonld(node) for node in document["@graph"]),
        key=lambda node: str(node.get("@id", "")),
    )
    ordered = {"@context": JSONLD_CONTEXT, "@graph": document["@graph"]}
    return json.dumps(ordered, indent=2, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class RdfFormat:
    """One RDF serialization: its name, file extension, media type and writer."""

    name: str
    extension: str
    media_type: str
    write: Callable[[Dataset], str]
    quads: bool = False


# Registry of RDF formats; ``kratomkg export --format`` and ``kratomkg build`` read it.
RDF_FORMATS: dict[str, RdfFormat] = {
    fmt.name: fmt
    for fmt in (
        RdfFormat("turtle", ".ttl", "text/turtle", _turtle),
        RdfFormat("ntriples", ".nt", "application/n-triples", _ntriples),
        RdfFormat("nquads", ".nq", "application/n-quads", _nquads, quads=True),
        RdfFormat("trig", ".trig", "application/trig", _trig, quads=True),
        RdfFormat("jsonld", ".jsonld", "application/ld+json", _jsonld),
        RdfFormat("rdfxml", ".rdf", "application/rdf+xml", _rdfxml),
    )
}


def serialize(dataset: Dataset, fmt: str) -> str:
    """Serialize ``dataset`` in the RDF format named ``fmt`` (see :data:`RDF_FORMATS`)."""
    return RDF_FORMATS[fmt].write(dataset)
