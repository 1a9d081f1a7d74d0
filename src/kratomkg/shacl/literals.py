"""Literals as written: keep the source's lexical form and datatype where Oxigraph would not.

Oxigraph stores a literal by its value: ``"1"^^xsd:int`` becomes ``"1"^^xsd:integer``,
``"1.50"^^xsd:decimal`` becomes ``"1.5"``, ``"300"^^xsd:byte`` an integer. Two triples that
differ only so merge into one. SHACL judges the term as written (``sh:datatype``,
``sh:pattern``, ``sh:in``, counts), so the store's canonical form would give wrong verdicts.

Such a literal is stored under a private datatype that Oxigraph keeps verbatim:
``"1"^^<urn:kratomkg:shacl:as-written:http://www.w3.org/2001/XMLSchema#int>``, or
``…:ill-formed:…`` when the lexical form is not in the datatype's lexical space at all. The
encoding is one-to-one, so term equality and counts stay exact; the compiled queries read
the datatype and value through it (:data:`DATATYPE_OF`, :func:`value_of`), and every term a
query returns is decoded (:func:`decode`) before it reaches a report. Literals that Oxigraph
keeps as they are (nearly all in practice) are stored unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.namespace import XSD
from rdflib.term import Node

if TYPE_CHECKING:
    from pyoxigraph import Store

__all__ = [
    "AS_WRITTEN",
    "ILL_FORMED",
    "decode",
    "encode",
    "files_to_store",
    "graph_to_store",
    "keep_written_forms",
    "sparql_datatype",
    "sparql_value",
]

AS_WRITTEN = "urn:kratomkg:shacl:as-written:"
ILL_FORMED = "urn:kratomkg:shacl:ill-formed:"
_XSD = str(XSD)
_XSD_STRING = str(XSD.string)

# Lexical spaces rdflib does not check (it answers "unknown" for them).
_LEXICAL: dict[str, re.Pattern[str]] = {
    str(XSD.gYear): re.compile(r"-?[0-9]{4,}(Z|[+-][0-9]{2}:[0-9]{2})?"),
    str(XSD.gYearMonth): re.compile(r"-?[0-9]{4,}-[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})?"),
    str(XSD.date): re.compile(r"-?[0-9]{4,}-[0-9]{2}-[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})?"),
}


def _ox() -> Any:
    import pyoxigraph

    return pyoxigraph


@lru_cache(maxsize=1)
def _scratch() -> Any:
    return _ox().Store()


def ill_formed(lexical: str, datatype: str) -> bool:
    """Whether ``lexical`` is outside the lexical space of the XSD ``datatype``."""
    verdict = RdfLiteral(lexical, datatype=URIRef(datatype)).ill_typed
    if verdict is None and datatype in _LEXICAL:
        return _LEXICAL[datatype].fullmatch(lexical) is None
    return bool(verdict)


@lru_cache(maxsize=65536)
def _stored_datatype(lexical: str, datatype: str) -> str | None:
    """Return the datatype to store ``"lexical"^^datatype`` under (None: kept as is)."""
    if not datatype.startswith(_XSD) or datatype == _XSD_STRING:
        return None
    if ill_formed(lexical, datatype):
        return ILL_FORMED + datatype
    ox = _ox()
    store = _scratch()
    quad = ox.Quad(
        ox.NamedNode("urn:s"),
        ox.NamedNode("urn:p"),
        ox.Literal(lexical, datatype=ox.NamedNode(datatype)),
    )
    store.add(quad)
    stored = next(iter(store)).object
    store.clear()
    if stored.value == lexical and stored.datatype.value == datatype:
        return None
    return AS_WRITTEN + datatype


def encode(literal: Any) -> Any:
    """Return the Oxigraph literal to store for ``literal`` (itself when Oxigraph keeps it)."""
    datatype = literal.datatype
    if datatype is None or literal.language:
        return literal
    stored = _stored_datatype(literal.value, datatype.value)
    if stored is None:
        return literal
    ox = _ox()
    return ox.Literal(literal.value, datatype=ox.NamedNode(stored))


def decode(lexical: str, datatype: str) -> str:
    """Return the source datatype of a stored literal's datatype."""
    if datatype.startswith(AS_WRITTEN):
        return datatype[len(AS_WRITTEN) :]
    if datatype.startswith(ILL_FORMED):
        return datatype[len(ILL_FORMED) :]
    return datatype


def sparql_datatype(variable: str) -> str:
    """Return a SPARQL expression for the source datatype of the literal in ``variable``."""
    text = f"STR(DATATYPE({variable}))"
    return (
        f'IF(STRSTARTS({text}, "{AS_WRITTEN}"), IRI(STRAFTER({text}, "{AS_WRITTEN}")), '
        f'IF(STRSTARTS({text}, "{ILL_FORMED}"), IRI(STRAFTER({text}, "{ILL_FORMED}")), '
        f"DATATYPE({variable})))"
    )


def sparql_value(variable: str) -> str:
    """Return a SPARQL expression for the value of ``variable``, for ``<`` and ``=``.

    An as-written literal is cast back to its datatype (the cast gives Oxigraph's value); an
    ill-formed one stays as stored, so every comparison with it fails, as SHACL requires.
    """
    text = f"STR(DATATYPE({variable}))"
    return (
        f'IF(isLiteral({variable}) && STRSTARTS({text}, "{AS_WRITTEN}"), '
        f'STRDT(STR({variable}), IRI(STRAFTER({text}, "{AS_WRITTEN}"))), {variable})'
    )


# --- loading ----------------------------------------------------------------------------------

_NT_TYPED = re.compile(
    rb'"((?:[^"\\\n]|\\.)*)"\^\^<(http://www\.w3\.org/2001/XMLSchema#[A-Za-z]+)>'
)


def _may_change(data: bytes, fmt: str) -> bool:
    """Whether any literal of ``data`` may be stored differently from how it is written.

    N-Triples and N-Quads write every typed literal in full, so one scan of the bytes finds
    them all, and a file whose literals all keep their form loads with no further work.
    """
    if fmt not in ("nt", "nquads"):
        return True
    for lexical, datatype in set(_NT_TYPED.findall(data)):
        if b"\\" in lexical:
            return True
        if _stored_datatype(lexical.decode("utf-8"), datatype.decode("ascii")) is not None:
            return True
    return False


def keep_written_forms(
    store: Store, data: bytes, fmt: str, rdf_format: Any, base: str, graph: Any
) -> None:
    """Put back, in ``graph`` of ``store``, the literals of ``data`` its loading rewrote.

    ``graph`` None keeps each quad's own graph.

    The file was loaded as usual; this parses it again only when it holds a literal that
    Oxigraph changes, swaps each such canonical triple for the as-written one, and keeps a
    canonical triple that the file also wrote as such.
    """
    if not _may_change(data, fmt):
        return
    ox = _ox()
    written: set[Any] = set()
    changed: list[tuple[Any, Any]] = []
    for quad in ox.parse(input=data, format=rdf_format, base_iri=base or None):
        target = quad.graph_name if graph is None else graph
        obj = quad.object
        if isinstance(obj, ox.Literal):
            stored = encode(obj)
            if stored is not obj:
                changed.append((ox.Quad(quad.subject, quad.predicate, stored, target), obj))
                continue
        written.add(ox.Quad(quad.subject, quad.predicate, obj, target))
    for quad, literal in changed:
        canonical = ox.Quad(quad.subject, quad.predicate, _canonical(literal), quad.graph_name)
        if canonical not in written:
            store.remove(canonical)
        store.add(quad)


def _canonical(literal: Any) -> Any:
    """Return the literal Oxigraph stores for ``literal``."""
    ox = _ox()
    store = _scratch()
    store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), literal))
    stored = next(iter(store)).object
    store.clear()
    return stored


def _ox_term(node: Node) -> Any:
    ox = _ox()
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if isinstance(node, RdfLiteral):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        datatype = str(node.datatype) if node.datatype else _XSD_STRING
        return encode(ox.Literal(str(node), datatype=ox.NamedNode(datatype)))
    raise TypeError(f"not an RDF term: {node!r}")


def ox_term(node: Node) -> Any:
    """Return the Oxigraph term for an rdflib term, literals as the store holds them."""
    return _ox_term(node)


def _quads(graph: Graph) -> Iterator[Any]:
    ox = _ox()
    for s, p, o in graph:
        yield ox.Quad(_ox_term(s), _ox_term(p), _ox_term(o), ox.DefaultGraph())


def graph_to_store(graph: Graph) -> Store:
    """Copy an rdflib graph into a new store, blank-node labels and written literals kept."""
    store: Store = _ox().Store()
    store.extend(_quads(graph))
    return store


def files_to_store(paths: Iterable[Path]) -> Store:
    """Load RDF files into the default graph of a new store, literals as written."""
    from kratomkg.store_loading import load_file

    ox = _ox()
    store: Store = ox.Store()
    for path in paths:
        load_file(store, path, ox.DefaultGraph())
    return store
