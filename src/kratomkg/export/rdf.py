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
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import NamespaceManager, split_uri

from kratomkg.export._jsonld import has_odd_types, jsonld_nodes
from kratomkg.export._turtle import write_turtle
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


_BROKEN_ESCAPE = re.compile(r"%[0-9A-Fa-f]?$")


def _namespaces(graphs: Iterable[Graph]) -> NamespaceManager:
    """Return one prefix map for ``graphs``: kratomkg's prefixes, then generated ones.

    rdflib's Turtle writer invents ``ns1``, ``ns2`` ... for a predicate namespace it has no
    prefix for, numbered in the order it meets them, which follows the store and changes
    from run to run. Generating them here first, in sorted predicate order, gives the same
    data the same prefixes; sharing the map between the graphs of a TriG file keeps one
    prefix meaning one namespace throughout the file.
    """
    manager = NamespaceManager(Graph(), bind_namespaces="rdflib")
    for prefix, namespace in PREFIXES.items():
        manager.bind(prefix, namespace, override=True, replace=True)
    predicates = {p for graph in graphs for p in graph.predicates(unique=True)}
    for predicate in sorted(p for p in predicates if isinstance(p, URIRef)):
        try:
            namespace, _local = split_uri(predicate)
        except ValueError:  # no namespace can be split off: written as a full IRI
            continue
        if not _BROKEN_ESCAPE.search(namespace):  # "…%4" + "1" would declare no IRI
            manager.compute_qname(predicate, generate=True)
    return manager


def _with_namespaces(graph: Graph, manager: NamespaceManager) -> Graph:
    """Return a graph holding ``graph``'s triples that writes names with ``manager``."""
    target = Graph(namespace_manager=manager)
    for triple in graph:
        target.add(triple)
    return target


def _lines(text: str) -> list[str]:
    """Split N-Triples text at its line ends only.

    ``str.splitlines`` also splits at U+0085, U+2028, U+001C ... which the N-Triples
    writer leaves unescaped inside literals, and would cut such a literal in two.
    """
    return text.split("\n")


def _sorted_lines(text: str) -> str:
    lines = sorted({line for line in _lines(text) if line.strip()})
    return "\n".join(lines) + "\n"


def _turtle(dataset: Dataset) -> str:
    graph = _stable(union_graph(dataset))
    return write_turtle(_with_namespaces(graph, _namespaces([graph])))


def _ntriples(dataset: Dataset) -> str:
    return _sorted_lines(_stable(union_graph(dataset)).serialize(format="nt"))


def _rdfxml(dataset: Dataset) -> str:
    return write_rdfxml(_stable(union_graph(dataset)))


def _named_graphs(dataset: Dataset) -> list[Graph]:
    graphs = [g for g in dataset.graphs() if len(g) and not isinstance(g.identifier, BNode)]
    return sorted(graphs, key=lambda g: str(g.identifier))


def _stable_graphs(dataset: Dataset) -> list[Graph]:
    """Return the named graphs of ``dataset``, blank nodes labelled canonically across all.

    A blank node may sit in several graphs (a user's claim and its derived rating), and it
    must keep one label in the whole N-Quads or TriG file. Each quad is encoded as a triple
    whose predicate stands for its (graph, predicate) pair, the one graph is labelled
    canonically, and the triples are decoded back into their graphs.
    """
    graphs = _named_graphs(dataset)
    if not any(_has_bnodes(graph) for graph in graphs):
        return graphs
    pairs = sorted({(str(g.identifier), str(p)) for g in graphs for p in g.predicates(unique=True)})
    code = {pair: URIRef(f"urn:kratomkg:quad-predicate:{n}") for n, pair in enumerate(pairs)}
    decode = {encoded: pair for pair, encoded in code.items()}
    encoded = Graph()
    for graph in graphs:
        name = str(graph.identifier)
        for s, p, o in graph:
            encoded.add((s, code[(name, str(p))], o))
    result = {str(g.identifier): Graph(identifier=g.identifier) for g in graphs}
    for s, p, o in to_canonical_graph(encoded):
        name, predicate = decode[URIRef(str(p))]
        result[name].add((s, URIRef(predicate), o))
    return [result[str(g.identifier)] for g in graphs]


def _nquads(dataset: Dataset) -> str:
    lines: list[str] = []
    for graph in _stable_graphs(dataset):
        for line in _lines(graph.serialize(format="nt")):
            if line.endswith(" ."):  # "s p o ." becomes "s p o <graph> ."
                lines.append(f"{line[:-2]} <{graph.identifier}> .")
    return _sorted_lines("\n".join(lines))


_PREFIX_LINE = re.compile(r"@prefix ([^:\s]*): <([^>]*)> \.")


def _trig(dataset: Dataset) -> str:
    graphs = _stable_graphs(dataset)
    manager = _namespaces(graphs)
    declared = {p: str(ns) for p, ns in PREFIXES.items()}
    seen: dict[BNode, int] = {}
    for graph in graphs:
        for node in {t for triple in graph for t in triple if isinstance(t, BNode)}:
            seen[node] = seen.get(node, 0) + 1
    shared = {node for node, count in seen.items() if count > 1}  # labels span the file
    blocks: list[str] = []
    for graph in graphs:
        text = write_turtle(_with_namespaces(graph, manager), shared)
        # rdflib writes the prefixes this graph uses first, then a blank line: move them
        # to the top of the file (a line inside a multi-line literal may start with
        # anything, so only a head made of prefix lines is taken). The body is not
        # re-indented, which would change the content of multi-line literals.
        head, _, body = text.partition("\n\n")
        prefixes = [_PREFIX_LINE.fullmatch(line) for line in head.splitlines()]
        if all(prefixes):
            declared.update({m.group(1): m.group(2) for m in prefixes if m is not None})
        else:
            body = text
        blocks.append(f"<{graph.identifier}> {{\n{body.strip()}\n}}\n")
    prefix_lines = [f"@prefix {p}: <{ns}> ." for p, ns in sorted(declared.items())]
    return "\n".join(["\n".join(prefix_lines) + "\n", *blocks])


def _normalise_jsonld(value: Any, ordered: bool = False) -> Any:
    """Sort keys and the arrays that stand for sets; keep ``@list`` arrays in their order.

    A JSON-LD array is an unordered set of values except under ``@list``, where the order
    is the RDF list's order, so sorting it would change the data.
    """
    if isinstance(value, dict):
        return {key: _normalise_jsonld(value[key], key == "@list") for key in sorted(value)}
    if isinstance(value, list):
        items = [_normalise_jsonld(item, ordered) for item in value]  # arrays in @list too
        if ordered:
            return items
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    return value


def _jsonld(dataset: Dataset) -> str:
    graph = _stable(union_graph(dataset))
    # "@type" holds IRIs only; data with another rdf:type value keeps rdf:type a property.
    nodes = jsonld_nodes(graph, JSONLD_CONTEXT, use_rdf_type=has_odd_types(graph))
    ordered = sorted(
        (_normalise_jsonld(node) for node in nodes), key=lambda node: str(node.get("@id", ""))
    )
    document = {"@context": JSONLD_CONTEXT, "@graph": ordered}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


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
