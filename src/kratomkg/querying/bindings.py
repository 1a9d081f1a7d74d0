"""Query parameters: ``--param name=value`` read into RDF terms, and a safe VALUES block.

Parameters never enter the query text as raw strings. rdflib takes them as ``initBindings``
and Oxigraph as ``substitutions``; a remote endpoint, which takes neither, gets a ``VALUES``
block whose terms are written by an N-Triples encoder (every quote, backslash and line break
escaped; IRIs checked for characters an IRI cannot hold) and placed at the start of the
query's outermost ``WHERE`` group, where it binds the variables as the other two do.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from kratomkg.errors import QueryError
from kratomkg.namespaces import KID, PREFIXES

__all__ = ["check_name", "inject_values", "parse_value"]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_CURIE = re.compile(r"^([A-Za-z][\w.-]*)?:(\S*)$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?\d*\.\d+$")
_UNESCAPES = {'"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "'": "'"}
_UNESCAPE = re.compile(r"\\([\"\\nrt'])")
_LITERAL = re.compile(r'^"(.*)"(?:@([A-Za-z]+(?:-[A-Za-z0-9]+)*)|\^\^(\S+))?$', re.DOTALL)


def check_name(name: str) -> str:
    """Return ``name`` (without a leading ``?``) if it is a valid SPARQL variable name."""
    name = name.removeprefix("?").removeprefix("$")
    if not _NAME.match(name):
        raise QueryError(f"--param: '{name}' is not a SPARQL variable name")
    return name


def _iri(text: str, where: str) -> URIRef:
    if _BAD_IRI.search(text) or ":" not in text:
        raise QueryError(f"{where}: '{text}' is not a valid IRI")
    return URIRef(text)


def _expand(text: str, where: str) -> URIRef | None:
    if text.startswith("<") and text.endswith(">"):
        return _iri(text[1:-1], where)
    if re.match(r"^(https?|urn|file|ftp|mailto):", text):
        return _iri(text, where)
    match = _CURIE.match(text)
    if match and (match.group(1) or "") in PREFIXES:
        return _iri(PREFIXES[match.group(1) or ""] + match.group(2), where)
    return None


def parse_value(text: str, kind: str = "any", where: str = "--param") -> Node:
    """Read one parameter value as an RDF term.

    ``kind`` is ``iri``, ``literal``, ``integer`` or ``any``. IRIs are written ``<...>``,
    as a CURIE with a kratomkg prefix (``kid:mor``), or, for an ``iri`` parameter, as a bare
    slug of a kratomkg resource (``mor`` means ``kid:mor``). Literals may be written in
    Turtle (``"text"@en``, ``"1"^^xsd:integer``); a bare number is a number.
    """
    iri = _expand(text, where)
    if kind == "iri":
        if iri is not None:
            return iri
        if re.match(r"^[\w.-]+$", text):
            return URIRef(KID[text])
        raise QueryError(f"{where}: '{text}' is not an IRI (write kid:slug or <https://...>)")
    if kind == "integer":
        if not _INTEGER.match(text):
            raise QueryError(f"{where}: '{text}' is not an integer")
        return Literal(text, datatype=XSD.integer)
    match = _LITERAL.match(text)
    if match:
        value = _UNESCAPE.sub(lambda m: _UNESCAPES[m.group(1)], match.group(1))
        if match.group(3):
            datatype = _expand(match.group(3), where)
            if datatype is None:
                raise QueryError(f"{where}: unknown datatype '{match.group(3)}'")
            return Literal(value, datatype=datatype)
        return Literal(value, lang=match.group(2))
    if kind == "any" and iri is not None:
        return iri
    if kind == "any" and _INTEGER.match(text):
        return Literal(text, datatype=XSD.integer)
    if kind == "any" and _DECIMAL.match(text):
        return Literal(text, datatype=XSD.decimal)
    return Literal(text)


# --- VALUES injection -------------------------------------------------------------------

_MASKED = re.compile(
    r"""'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|"""
    r"""<[^<>"{}|^`\\\x00-\x20]*>|\#[^\n]*""",
    re.DOTALL,
)


def _mask(text: str) -> str:
    """Blank out strings, IRIs and comments so braces and keywords can be found safely."""
    return _MASKED.sub(lambda m: " " * len(m.group(0)), text)


def _where_brace(text: str) -> int | None:
    """Return the index of the ``{`` opening the outermost WHERE group, if there is one."""
    masked = _mask(text)
    opens = []
    depth = 0
    for index, char in enumerate(masked):
        if char == "{":
            if depth == 0:
                opens.append(index)
            depth += 1
        elif char == "}":
            depth -= 1
    if not opens or re.search(r"\bCONSTRUCT\s+WHERE\b", masked, re.IGNORECASE):
        return None  # CONSTRUCT WHERE { } is its own template: VALUES goes after it
    template = re.search(r"\bCONSTRUCT\s*\{", masked, re.IGNORECASE)
    if template:
        return opens[1] if len(opens) > 1 else None
    return opens[0]


def inject_values(text: str, bindings: Mapping[str, Node]) -> str:
    """Return ``text`` with a VALUES block binding ``bindings`` inside its WHERE group."""
    from kratomkg.querying.results import n3

    if not bindings:
        return text
    names = [check_name(name) for name in bindings]
    terms = [n3(term) for term in bindings.values()]
    block = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(terms)}) }} "
    brace = _where_brace(text)
    if brace is None:  # DESCRIBE without WHERE: a trailing VALUES clause
        return f"{text}\n{block}\n"
    return text[: brace + 1] + block + text[brace + 1 :]
