"""Parse RDF files safely, turning every failure into one clear :class:`ParseError`.

Parsing a user's file never touches the network: JSON-LD documents that reference a remote
``@context`` (or ``@import``) are refused, RDF/XML with a DTD or entity declarations is
refused (no external entities), and ``owl:imports`` is never followed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.sax import SAXParseException

from rdflib import Dataset, Graph
from rdflib.exceptions import ParserError as RdflibParserError
from rdflib.plugins.parsers.notation3 import BadSyntax

from kratomkg.errors import InputError, ParseError, UnknownFormatError

__all__ = ["INPUT_FORMATS", "format_for", "parse_file", "parse_into"]

# File extension -> rdflib parser name. One registry: the CLI help lists these keys.
INPUT_FORMATS: dict[str, str] = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".ntriples": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}
_QUAD_FORMATS = {"nquads", "trig"}


def format_for(path: Path) -> str:
    """Return the rdflib parser name for ``path``, judged by its extension."""
    suffix = path.suffix.lower()
    try:
        return INPUT_FORMATS[suffix]
    except KeyError:
        known = ", ".join(sorted(INPUT_FORMATS))
        raise UnknownFormatError(
            path, f"unknown RDF format '{suffix or '(no extension)'}' (known: {known})"
        ) from None


def _read_text(path: Path) -> str:
    if not path.exists():
        raise InputError(path, "no such file")
    if path.is_dir():
        raise InputError(path, "is a directory, not an RDF file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror})") from None
    if not data.strip():
        raise InputError(path, "file is empty")
    if b"\x00" in data[:8192]:
        raise InputError(path, "binary content: this is not a text RDF file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            path, f"binary or non-UTF-8 content at byte {exc.start}: RDF files must be UTF-8 text"
        ) from None


def _iter_contexts(node: Any) -> Iterator[Any]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("@context", "@import"):
                yield value
            yield from _iter_contexts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _iter_contexts(item)


def _remote_context(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        for item in value:
            found = _remote_context(item)
            if found:
                return found
    if isinstance(value, dict) and isinstance(value.get("@import"), str):
        return str(value["@import"])
    return None


def _check_jsonld(path: Path, text: str) -> None:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(path, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    for context in _iter_contexts(document):
        remote = _remote_context(context)
        if remote is not None:
            raise ParseError(
                path,
                f"JSON-LD refers to a remote or external @context '{remote}'; kratomkg never "
                "fetches contexts: inline the context in the document",
            )


_DTD = re.compile(r"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def _check_xml(path: Path, text: str) -> None:
    match = _DTD.search(text)
    if match:
        line = text.count("\n", 0, match.start()) + 1
        raise ParseError(
            path, "RDF/XML with a DTD or entity declaration is refused (no external entities)", line
        )


def _locate_ntriples_error(path: Path, text: str, fmt: str) -> ParseError:
    """Find the first line rdflib's N-Triples/N-Quads parser rejects (it does not say)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        probe = Dataset() if fmt == "nquads" else Graph()
        try:
            probe.parse(data=line, format=fmt)
        except (RdflibParserError, BadSyntax, ValueError) as exc:
            return ParseError(path, f"invalid {fmt} statement ({_first_line(str(exc))})", number)
    return ParseError(path, f"invalid {fmt} document")


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else "syntax error"


def _bad_syntax(path: Path, exc: BadSyntax) -> ParseError:
    text: bytes | str = exc._str
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    offset = min(exc._i, len(text))
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return ParseError(path, f"bad syntax ({exc._why})", line, column)


def parse_into(target: Graph, path: Path | str) -> int:
    """Parse the RDF file ``path`` into ``target`` and return how many triples it added.

    Quads (TriG, N-Quads) are flattened into ``target``: kratomkg keeps its own named
    graphs, and a user's graph names carry no meaning for validation.
    """
    path = Path(path)
    fmt = format_for(path)
    text = _read_text(path)
    if fmt == "json-ld":
        _check_jsonld(path, text)
    elif fmt == "xml":
        _check_xml(path, text)
    parsed: Graph = Dataset() if fmt in _QUAD_FORMATS else Graph()
    try:
        parsed.parse(data=text, format=fmt, publicID=path.resolve().as_uri())
    except BadSyntax as exc:
        raise _bad_syntax(path, exc) from None
    except SAXParseException as exc:
        raise ParseError(
            path,
            f"invalid RDF/XML ({exc.getMessage()})",
            exc.getLineNumber(),
            exc.getColumnNumber(),
        ) from None
    except RdflibParserError as exc:
        if fmt in ("nt", "nquads"):
            raise _locate_ntriples_error(path, text, fmt) from None
        raise ParseError(path, _first_line(str(exc))) from None
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        # rdflib's JSON-LD and XML parsers report structural problems with plain exceptions.
        raise ParseError(path, f"invalid {fmt} document ({_first_line(str(exc))})") from None
    if isinstance(parsed, Dataset):
        statements = [(s, p, o) for s, p, o, _graph in parsed.quads((None, None, None, None))]
    else:
        statements = list(parsed)
    if not statements:
        raise InputError(path, "contains no RDF statements")
    before = len(target)
    for triple in statements:
        target.add(triple)
    return len(target) - before


def parse_file(path: Path | str) -> Graph:
    """Parse one RDF file into a new graph (see :func:`parse_into`)."""
    graph = Graph()
    parse_into(graph, path)
    return graph
