"""rdflib's Turtle writer, with two ways it can lose data taken out.

* It writes an ``xsd:double`` in the short numeric form through ``"%e"``, which keeps six
  significant digits: ``10000001.0`` came back as ``1e+07``. Doubles are written with
  their own lexical form and datatype instead.
* It invents a prefix for any predicate namespace it has no prefix for, splitting the IRI
  where the local name would start, also inside a percent-escape (``…p%`` + ``41``), and
  a ``@prefix`` with such a namespace is no IRI. Here it never invents prefixes: the
  caller binds them first (:func:`kratomkg.export.rdf._namespaces`), in a stable order.

It writes ``( ... )`` only for a chain of blank nodes that each hold exactly one
``rdf:first`` and one ``rdf:rest`` and are referenced nowhere else: rdflib's own test
took a node with two ``rdf:first`` values (writing one), a tail node referenced from
elsewhere (writing it twice as different nodes), and looped for ever on a cycle.

It also writes a blank node by its label, never as ``[ ... ]`` or ``( ... )``, when the
caller says it is shared with another graph of a TriG file: written inline in each graph,
it would read back as two different nodes.
"""

from __future__ import annotations

import io
from collections.abc import Collection

from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDF, XSD
from rdflib.plugins.serializers.turtle import TurtleSerializer
from rdflib.term import Node

__all__ = ["write_turtle"]


class _TurtleWriter(TurtleSerializer):
    def __init__(self, graph: Graph, labelled: Collection[Node]) -> None:
        super().__init__(graph)
        self._labelled = labelled

    def preprocess(self) -> None:
        super().preprocess()
        for node in self._labelled:  # seen "twice": never inlined, always labelled
            self._references[node] += 2

    def get_pname(self, uri: Node, gen_prefix: bool = True) -> str | None:
        return super().get_pname(uri, gen_prefix=False)

    def isValidList(self, l_: Node) -> bool:
        seen: set[Node] = set()
        node = l_
        while node != RDF.nil:
            if not isinstance(node, BNode) or node in seen or node in self._labelled:
                return False
            if node in self._serialized:  # a subject already written (a cycle via rdf:first)
                return False
            if node != l_ and self._references[node] != 1:  # only the previous rdf:rest
                return False
            pairs = list(self.store.predicate_objects(node))
            rests = [o for p, o in pairs if p == RDF.rest]
            firsts = [o for p, o in pairs if p == RDF.first]
            if len(pairs) != 2 or len(firsts) != 1 or len(rests) != 1:
                return False
            seen.add(node)
            node = rests[0]
        return True

    def label(self, node: Node, position: int) -> str:
        if isinstance(node, Literal) and node.datatype == XSD.double:
            return node._literal_n3(
                use_plain=False, qname_callback=lambda dt: self.get_pname(dt, False)
            )
        return super().label(node, position)


def write_turtle(graph: Graph, labelled: Collection[Node] = ()) -> str:
    """Serialize ``graph`` as Turtle with the prefixes bound in its namespace manager.

    The blank nodes in ``labelled`` are written as ``_:label`` wherever they occur.
    """
    stream = io.BytesIO()
    _TurtleWriter(graph, labelled).serialize(stream, encoding="utf-8")
    return stream.getvalue().decode("utf-8")
