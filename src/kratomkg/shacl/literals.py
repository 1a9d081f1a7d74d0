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

from kratomkg.parse import quiet_rdflib_terms

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
    "sparql_value",
]

AS_WRITTEN = "urn:kratomkg:shacl:as-written:"
ILL_FORMED = "urn:kratomkg:shacl:ill-formed:"
_XSD = str(XSD)
_XSD_STRING = str(XSD.string)
_XSD_INTEGER = str(XSD.integer)
_CANONICAL_INTEGER = re.compile(r"0|-?[1-9][0-9]*")

# Lexical forms checked here first: rdflib does not check the first ones (it answers
# "unknown"), and it reads the others with Python's lenient ISO parser, which takes a bare
# date as an xsd:dateTime.
_ZONE = r"(Z|[+-][0-9]{2}:[0-9]{2})?"
_LEXICAL: dict[str, re.Pattern[str]] = {
    str(XSD.gYear): re.compile(r"-?[0-9]{4,}" + _ZONE),
    str(XSD.gYearMonth): re.compile(r"-?[0-9]{4,}-[0-9]{2}" + _ZONE),
    str(XSD.date): re.compile(r"-?[0-9]{4,}-[0-9]{2}-[0-9]{2}" + _ZONE),
    str(XSD.dateTime): re.compile(
        r"-?[0-9]{4,}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?" + _ZONE
    ),
    str(XSD.time): re.compile(r"[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?" + _ZONE),
}


def _ox() -> Any:
    import pyoxigraph

    return pyoxigraph


@lru_cache(maxsize=1)
def _scratch() -> Any:
    return _ox().Store()


def ill_formed(lexical: str, datatype: str) -> bool:
    """Whether ``lexical`` is outside the lexical space of the XSD ``datatype``."""
    if datatype in _LEXICAL and _LEXICAL[datatype].fullmatch(lexical) is None:
        return True
    with quiet_rdflib_terms():
        return bool(RdfLiteral(lexical, datatype=URIRef(datatype)).ill_typed)


@lru_cache(maxsize=65536)
def _stored_datatype(lexical: str, datatype: str) -> str | None:
    """Return the datatype to store ``"lexical"^^datatype`` under (None: kept as is)."""
    if not datatype.startswith(_XSD) or datatype == _XSD_STRING:
        return None
    if datatype == _XSD_INTEGER and _CANONICAL_INTEGER.fullmatch(lexical):
        return None  # the common case, answered without asking the store
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


_TTL_PREFIX = re.compile(
    rb"@?prefix\s+([A-Za-z][\w.-]*)?:\s*<http://www\.w3\.org/2001/XMLSchema#>", re.I
)
_DATATYPE_TAG = re.compile(rb"\^\^(?:<([^>]*)>|([A-Za-z][\w.-]*)?:([A-Za-z]+))")
# Number-like tokens after a separator (cheap to find), each then read as Turtle's INTEGER,
# DECIMAL or DOUBLE ("12." is 12 then ".").
_TTL_TOKEN = re.compile(rb"[\s,;(\[]([+-]?[0-9][0-9.eE+-]*)")
_TTL_NUMBER = re.compile(
    rb"[+-]?(?:[0-9]+\.[0-9]*[eE][+-]?[0-9]+|(?:[0-9]*\.[0-9]+|[0-9]+)(?:[eE][+-]?[0-9]+)?)"
)
_XSD_BYTES = b"http://www.w3.org/2001/XMLSchema#"


def _number_datatype(token: bytes) -> str:
    if b"e" in token or b"E" in token:
        return str(XSD.double)
    return str(XSD.decimal) if b"." in token else str(XSD.integer)


def _changes(lexical: bytes, datatype: str) -> bool:
    if b"\\" in lexical:
        return True  # an escape: only a parser knows the lexical form
    return _stored_datatype(lexical.decode("utf-8", "replace"), datatype) is not None


def _may_change(data: bytes, fmt: str) -> bool:
    """Whether any literal of ``data`` may be stored differently from how it is written.

    N-Triples and N-Quads write every typed literal in full, so one scan of the bytes finds
    them all. Turtle and TriG are scanned for typed literals and bare numbers, digits in
    strings and comments included: a false alarm costs a second parse, never a wrong
    answer. Other formats are always parsed again.
    """
    if fmt not in ("nt", "nquads", "turtle", "trig"):
        # JSON-LD writes its numbers and booleans canonically; a typed literal in JSON-LD or
        # RDF/XML names XSD somewhere (an IRI, a prefix, an entity).
        return b"XMLSchema" in data or b"xsd" in data
    if b"'^^" in data:
        return True  # a typed literal in a single-quoted string: left to the parser
    xsd_prefixes = {m.group(1) or b"" for m in _TTL_PREFIX.finditer(data)}
    typed: set[tuple[bytes, bytes]] = set()
    # Anchored on "^^", the rare token: the lexical form runs back to the opening quote.
    for match in _DATATYPE_TAG.finditer(data):
        end = match.start() - 1
        if end < 0 or data[end : end + 1] != b'"':
            return True
        start = data.rfind(b'"', 0, end)
        iri, prefix, local = match.groups()
        if iri:
            datatype = iri
        elif (prefix or b"") in xsd_prefixes:
            datatype = _XSD_BYTES + local
        else:
            return True  # a prefix this scan cannot resolve
        if start < 0 or data[start - 2 : start + 1] == b'"""' or data[start - 1 : start] == b"\\":
            return True  # a long string, or an escaped quote: only a parser knows
        typed.add((data[start + 1 : end], datatype))
    if any(_changes(lex, dt.decode("utf-8", "replace")) for lex, dt in typed):
        return True
    if fmt in ("nt", "nquads"):
        return False  # every other literal there is a plain or language-tagged string
    for token in set(_TTL_TOKEN.findall(data)):
        number = _TTL_NUMBER.match(token)
        if number is not None and _changes(number.group(0), _number_datatype(number.group(0))):
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
    try:
        quads = list(ox.parse(input=data, format=rdf_format, base_iri=base or None))
    except MemoryError:
        # A statement longer than the streaming parser's 16 MiB (the file was loaded whole):
        # this file's literals keep the forms Oxigraph stored.
        return
    for quad in quads:
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
