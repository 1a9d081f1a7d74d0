"""SHACL property paths as SPARQL property paths.

The two languages express the same paths (SHACL section 2.3.1 defines each SHACL path by the
SPARQL path it stands for), so the translation is one-to-one and the SPARQL engine walks the
path itself, however long the data's chains are.
"""

from __future__ import annotations

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

__all__ = ["PathError", "sparql_path"]

_UNARY = {
    SH.inversePath: "^",
    SH.zeroOrMorePath: "*",
    SH.oneOrMorePath: "+",
    SH.zeroOrOnePath: "?",
}


class PathError(ValueError):
    """A node that is not a well-formed SHACL path."""


def _is_list(shapes: Graph, node: Node) -> bool:
    return node == RDF.nil or (node, RDF.first, None) in shapes


def sparql_path(shapes: Graph, node: Node, *, _seen: frozenset[Node] = frozenset()) -> str:
    """Write the SHACL path at ``node`` of ``shapes`` as a SPARQL property path.

    Every composite part is bracketed, so the result can stand anywhere a SPARQL path can.
    """
    if isinstance(node, URIRef):
        return f"<{node}>"
    if not isinstance(node, BNode):
        raise PathError(f"{node.n3()} is not a path (an IRI or a blank node)")
    if node in _seen:
        raise PathError("the path refers to itself")
    seen = _seen | {node}
    if _is_list(shapes, node):
        members = list(Collection(shapes, node))
        if len(members) < 2:
            raise PathError("a sequence path needs at least two members")
        return "(" + "/".join(sparql_path(shapes, m, _seen=seen) for m in members) + ")"
    predicates = set(shapes.predicates(node, None))
    if SH.alternativePath in predicates:
        if len(predicates) != 1 or len(list(shapes.objects(node, SH.alternativePath))) != 1:
            raise PathError("an alternative path holds one sh:alternativePath and nothing else")
        members_node = shapes.value(node, SH.alternativePath)
        if members_node is None or not _is_list(shapes, members_node):
            raise PathError("sh:alternativePath needs an RDF list")
        members = list(Collection(shapes, members_node))
        if len(members) < 2:
            raise PathError("an alternative path needs at least two members")
        return "(" + "|".join(sparql_path(shapes, m, _seen=seen) for m in members) + ")"
    unary = [p for p in predicates if p in _UNARY]
    if len(unary) != 1 or len(predicates) != 1:
        raise PathError(f"blank node {node.n3()} is not a SHACL path")
    operator = unary[0]
    values = list(shapes.objects(node, operator))
    if len(values) != 1:
        raise PathError(f"{operator.n3()} takes exactly one path")
    inner = sparql_path(shapes, values[0], _seen=seen)
    if operator == SH.inversePath:
        return f"(^{inner})"
    return f"({inner}{_UNARY[URIRef(str(operator))]})"
