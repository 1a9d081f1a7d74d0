"""A deterministic RDF/XML writer.

rdflib's own RDF/XML writers follow the store's internal order, which changes from run to
run. This one writes "flat" RDF/XML: one ``rdf:Description`` per subject, subjects,
predicates and objects sorted, every property a qualified element name from the kratomkg
prefix map (generated ``ns1``, ``ns2`` ... prefixes for other namespaces), literals with
their language or datatype, blank nodes as ``rdf:nodeID``. Every RDF/XML parser reads it;
nothing depends on nesting or abbreviations.
"""

from __future__ import annotations

import re

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from kratomkg.errors import ExportError
from kratomkg.export._xml import xml_attr, xml_text
from kratomkg.namespaces import PREFIXES

__all__ = ["write_rdfxml"]

_RDF_NS = str(RDF)
_NAME_START = r"A-Za-z_\u00C0-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\uFFFD"
_NAME_CHAR = _NAME_START + r"\-.0-9\u00B7\u0300-\u036F\u203F-\u2040"
_NCNAME = re.compile(f"[{_NAME_START}][{_NAME_CHAR}]*")
_NCNAME_TAIL = re.compile(f"[{_NAME_START}][{_NAME_CHAR}]*$")
# rdf: names that RDF/XML reserves for its own syntax (or, for rdf:li, rewrites to rdf:_n):
# a property with one of these IRIs cannot be written as a property element.
_RESERVED = {
    _RDF_NS + name
    for name in (
        "RDF",
        "ID",
        "about",
        "parseType",
        "resource",
        "nodeID",
        "datatype",
        "Description",
        "li",
        "aboutEach",
        "aboutEachPrefix",
        "bagID",
    )
}


def _split(predicate: str) -> tuple[str, str]:
    """Split a property IRI into (namespace, local name), the local name a valid NCName."""
    best: tuple[str, str] | None = None
    for namespace in PREFIXES.values():
        local = predicate[len(namespace) :]
        fits = predicate.startswith(namespace) and _NCNAME.fullmatch(local)
        if fits and (best is None or len(namespace) > len(best[0])):
            best = (namespace, local)
    if best is not None:
        return best
    # Other namespaces: the longest tail that is an NCName (after '#', '/', ...).
    tail = _NCNAME_TAIL.search(predicate)
    if tail is not None and tail.start() > 0:
        return predicate[: tail.start()], tail.group()
    raise ExportError(f"property <{predicate}> cannot be written as an RDF/XML element name")


def _node_id(node: BNode) -> str:
    return "b" + re.sub(r"[^A-Za-z0-9_]", "_", str(node))


def _sort_key(term: Node) -> tuple[int, str, str, str]:
    if isinstance(term, URIRef):
        return (0, str(term), "", "")
    if isinstance(term, BNode):
        return (1, str(term), "", "")
    if isinstance(term, Literal):
        return (2, str(term), term.language or "", str(term.datatype or ""))
    return (3, str(term), "", "")


def _object(qname: str, obj: Node, where: str) -> str:
    if isinstance(obj, URIRef):
        return f'<{qname} rdf:resource="{xml_attr(str(obj), where)}"/>'
    if isinstance(obj, BNode):
        return f'<{qname} rdf:nodeID="{_node_id(obj)}"/>'
    if isinstance(obj, Literal):
        attrs = ""
        if obj.language:
            attrs = f' xml:lang="{xml_attr(obj.language, where)}"'
        elif obj.datatype is not None:
            attrs = f' rdf:datatype="{xml_attr(str(obj.datatype), where)}"'
        return f"<{qname}{attrs}>{xml_text(str(obj), where)}</{qname}>"
    raise ExportError(f"{where}: cannot write {obj!r} in RDF/XML")


def write_rdfxml(graph: Graph) -> str:
    """Serialize ``graph`` (blank nodes already canonically labelled) as flat RDF/XML."""
    prefixes = {namespace: prefix for prefix, namespace in PREFIXES.items()}
    names: dict[str, tuple[str, str]] = {}
    for predicate in sorted({str(p) for p in graph.predicates(unique=True)}):
        if predicate in _RESERVED:
            raise ExportError(f"property <{predicate}> is reserved by RDF/XML and cannot be used")
        names[predicate] = _split(predicate)
    extra = sorted({ns for ns, _ in names.values()} - set(prefixes))
    for number, namespace in enumerate(extra, start=1):
        prefixes[namespace] = f"ns{number}"
    prefixes[_RDF_NS] = "rdf"

    used = {ns for ns, _ in names.values()} | {_RDF_NS}
    declarations = "".join(
        f'\n    xmlns:{prefixes[ns]}="{xml_attr(ns)}"'
        for ns in sorted(used, key=lambda ns: prefixes[ns])
    )
    lines = ['<?xml version="1.0" encoding="utf-8"?>', f"<rdf:RDF{declarations}>"]
    for subject in sorted(set(graph.subjects(unique=True)), key=_sort_key):
        where = f"node {subject.n3()}"
        if isinstance(subject, BNode):
            lines.append(f'  <rdf:Description rdf:nodeID="{_node_id(subject)}">')
        else:
            lines.append(f'  <rdf:Description rdf:about="{xml_attr(str(subject), where)}">')
        pairs = sorted(
            graph.predicate_objects(subject), key=lambda po: (str(po[0]), _sort_key(po[1]))
        )
        for prop, obj in pairs:
            namespace, local = names[str(prop)]
            lines.append("    " + _object(f"{prefixes[namespace]}:{local}", obj, where))
        lines.append("  </rdf:Description>")
    lines.append("</rdf:RDF>")
    return "\n".join(lines) + "\n"
