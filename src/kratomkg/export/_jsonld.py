"""Graph to JSON-LD node objects, losing nothing on the way back to RDF.

rdflib's JSON-LD writer is the base, with what it gets wrong for arbitrary data put right:

* With a context it writes every xsd:integer, xsd:boolean and xsd:double as a JSON number
  or boolean. That reads back as the canonical form ("1.5E3" for "1500.0"), and an
  ill-typed literal ("abc"^^xsd:integer) loses its datatype. Here a literal becomes a
  JSON value only when that value reads back as the very same literal.
* It writes an ``rdf:first``/``rdf:rest`` chain as ``@list`` even when a list node is
  shared, typed ``rdf:List`` or referenced from elsewhere, and the copy read back is then
  a different graph. Here only a chain of blank nodes, each holding exactly one
  ``rdf:first`` and one ``rdf:rest`` and referenced exactly once, becomes ``@list``.
* It writes only IRI subjects and unreferenced blank nodes, reaching the others through
  references: blank nodes that only reference each other (a cycle) were left out.
* It keeps a second value of a property only when the first is truthy: a first value
  ``""``, ``0`` or ``false`` was overwritten by the next.
* A compact IRI whose suffix starts with ``//`` reads back as an absolute IRI, so such an
  IRI is written in full.
"""

from __future__ import annotations

import re
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.plugins.serializers.jsonld import Converter
from rdflib.plugins.shared.jsonld.context import Context
from rdflib.term import IdentifiedNode, Identifier, Node

__all__ = ["has_odd_types", "jsonld_nodes"]

_CANONICAL_INTEGER = re.compile(r"-?(0|[1-9][0-9]*)")
_JSON_SAFE = 2**53  # beyond this a JSON reader may turn an integer into a float


def _native_is_exact(literal: Literal) -> bool:
    """Whether the JSON value rdflib writes for ``literal`` reads back as ``literal``."""
    text = str(literal)
    if literal.datatype == XSD.integer:
        return _CANONICAL_INTEGER.fullmatch(text) is not None and abs(int(text)) < _JSON_SAFE
    if literal.datatype == XSD.boolean:
        return text in ("true", "false")
    return literal.datatype == XSD.string  # a JSON string reads back as xsd:string


class _Context(Context):
    """A context that never writes a compact IRI that would read back as another IRI."""

    def shrink_iri(self, iri: str) -> str:
        compact: str = super().shrink_iri(iri)
        return _safe(iri, compact)

    def to_symbol(self, iri: str) -> str | None:
        compact: str | None = super().to_symbol(iri)
        return None if compact is None else _safe(iri, compact)


def _safe(iri: str, compact: str) -> str:
    _prefix, _, suffix = compact.partition(":")
    return iri if compact != iri and suffix.startswith("//") else compact


class _Converter(Converter):
    def __init__(self, context: Context, use_rdf_type: bool) -> None:
        super().__init__(context, True, use_rdf_type)
        self._lists: dict[Node, list[Node]] = {}

    def find_lists(self, graph: Graph) -> set[Node]:
        """Find the chains written as ``@list``; return every blank node they consume.

        A chain is written where its head is referenced, so a chain reached only from
        inside itself or from another unreached chain (a cycle through ``rdf:first``)
        would be written nowhere: such chains are left as plain triples.
        """
        references: dict[Node, int] = {}
        for o in graph.objects():
            references[o] = references.get(o, 0) + 1
        chains: dict[Node, tuple[list[Node], set[Node]]] = {}
        for head in references:
            found = self._chain(graph, head, references)
            if found is not None:
                chains[head] = found
        while True:
            consumed: set[Node] = set()
            for _items, nodes in chains.values():
                consumed |= nodes
            lost = consumed - self._reached(graph, chains, consumed)
            if not lost:
                break
            chains = {h: chain for h, chain in chains.items() if not chain[1] & lost}
        self._lists = {head: items for head, (items, _nodes) in chains.items()}
        return consumed

    @staticmethod
    def _reached(
        graph: Graph, chains: dict[Node, tuple[list[Node], set[Node]]], consumed: set[Node]
    ) -> set[Node]:
        """Return the list nodes written when every subject outside ``consumed`` is."""
        reached: set[Node] = set()
        todo = [o for s in set(graph.subjects()) if s not in consumed for o in graph.objects(s)]
        while todo:
            node = todo.pop()
            if node in chains and not chains[node][1] <= reached:
                items, nodes = chains[node]
                reached |= nodes
                todo.extend(items)
        return reached

    @staticmethod
    def _chain(
        graph: Graph, head: Node, references: dict[Node, int]
    ) -> tuple[list[Node], set[Node]] | None:
        if head == RDF.nil:
            return [], set()
        items: list[Node] = []
        nodes: set[Node] = set()
        node = head
        while node != RDF.nil:
            if not isinstance(node, BNode) or node in nodes or references.get(node) != 1:
                return None
            pairs = list(graph.predicate_objects(node))
            firsts = [o for p, o in pairs if p == RDF.first]
            rests = [o for p, o in pairs if p == RDF.rest]
            if len(pairs) != 2 or len(firsts) != 1 or len(rests) != 1:
                return None
            items.append(firsts[0])
            nodes.add(node)
            node = rests[0]
        return items, nodes

    def to_collection(self, graph: Graph, l_: Node) -> list[Node] | None:
        return self._lists.get(l_)

    def to_raw_value(
        self, graph: Graph, s: IdentifiedNode, o: Identifier, nodemap: dict[str, Any]
    ) -> Any:
        if isinstance(o, Literal) and o.datatype is not None and not _native_is_exact(o):
            return {
                self.context.type_key: self.context.to_symbol(o.datatype),
                self.context.value_key: str(o),
            }
        value = super().to_raw_value(graph, s, o, nodemap)
        if isinstance(o, Literal) and not isinstance(value, dict) and not value:
            # rdflib adds a second value of a property only when the first is truthy, so
            # "", 0 and false would be overwritten: give them the explicit object form.
            if o.datatype in (None, XSD.string):
                return {self.context.value_key: str(o)}
            return {
                self.context.type_key: self.context.to_symbol(o.datatype),
                self.context.value_key: str(o),
            }
        return value

    def from_graph(self, graph: Graph) -> list[dict[str, Any]]:
        consumed = self.find_lists(graph)
        nodemap: dict[str, Any] = {}
        for subject in set(graph.subjects()):
            if isinstance(subject, IdentifiedNode) and subject not in consumed:
                self.process_subject(graph, subject, nodemap)
        return list(nodemap.values())


def jsonld_nodes(graph: Graph, context: dict[str, str], *, use_rdf_type: bool) -> list[Any]:
    """Return the node objects of ``graph``, compacted with the prefix map ``context``."""
    converter = _Converter(_Context(context), use_rdf_type)
    return list(converter.from_graph(graph))


def has_odd_types(graph: Graph) -> bool:
    """Whether some ``rdf:type`` value is not an IRI (``@type`` holds IRIs only)."""
    return any(not isinstance(o, URIRef) for o in graph.objects(None, RDF.type))
