"""Parse RDF files safely, turning every failure into one clear :class:`ParseError`.

Parsing a user's file never touches the network: JSON-LD documents that reference a remote
``@context`` (or ``@import``) are refused, RDF/XML with a DTD or entity declarations is
refused (no external entities), and ``owl:imports`` is never followed.

Both loading paths (rdflib here, Oxigraph in :mod:`kratomkg.store_loading`) run the same
checks, so a file loads on both or is refused on both with the same one-line error:

* JSON-LD is checked before any JSON-LD processor sees it: nesting deeper than
  :data:`MAX_JSONLD_DEPTH` (recursive processors overflow the stack), a top level that is not
  an object or array, keyword values of the wrong JSON type (``"@id": 5``) and IRIs that can
  never be valid are refused, naming the JSON path.
* Every IRI rdflib parsed is checked with Oxigraph's IRI rules (RFC 3987) when pyoxigraph is
  installed, otherwise against the characters no IRI may hold; rdflib alone accepts
  ``<http://x/{a}>`` and later fails to write it.
* Literals of any length are read; Oxigraph's 16 MiB streaming buffer is worked around in
  :mod:`kratomkg.store_loading`.
* rdflib's log records and warnings about single terms (an ill-typed literal such as
  ``"abc"^^xsd:integer``, an IRI it finds suspicious) are silenced while parsing and
  validating (:func:`quiet_rdflib_terms`): the shapes report such literals as findings,
  invalid IRIs are refused here, and a traceback per term would bury the verdict.
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any
from xml.sax import SAXParseException

from rdflib import Dataset, Graph, URIRef
from rdflib.exceptions import ParserError as RdflibParserError
from rdflib.plugins.parsers.notation3 import BadSyntax

from kratomkg.errors import InputError, ParseError, UnknownFormatError

__all__ = [
    "INPUT_FORMATS",
    "MAX_JSONLD_DEPTH",
    "format_for",
    "parse_file",
    "parse_into",
    "quiet_rdflib_terms",
]

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
# Deepest JSON-LD nesting (objects and arrays) accepted. rdflib's JSON-LD processor recurses
# a few frames per level and overflows Python's stack at about 330 levels; real documents
# stay far below 100.
MAX_JSONLD_DEPTH = 100


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


# Characters no IRI may hold (RFC 3987), and a "%" that does not start an escape.
_NEVER_IN_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f]|%(?![0-9A-Fa-f]{2})')
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
# Keyword -> the JSON types its value may have (None: JSON null, allowed inside @context).
_STRING_KEYWORDS = ("@id", "@vocab", "@base", "@language", "@index", "@direction")


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dict):
        return "an object"
    return "an array" if isinstance(value, list) else "a string"


def _pointer(where: Iterable[str | int]) -> str:
    """Write a JSON path as a JSON Pointer (RFC 6901), the form JSON tools accept."""
    return "/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in where)


def _too_deep(path: Path, text: str) -> ParseError:
    """Refuse JSON nested deeper than the limit, at the bracket that crosses it."""
    depth = 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_JSONLD_DEPTH:
                at = match.start()
                line = text.count("\n", 0, at) + 1
                return ParseError(
                    path,
                    f"JSON nested deeper than {MAX_JSONLD_DEPTH} levels is refused",
                    line,
                    at - (text.rfind("\n", 0, at) + 1) + 1,
                )
        elif token in ("]", "}"):
            depth -= 1
    return ParseError(path, f"JSON nested deeper than {MAX_JSONLD_DEPTH} levels is refused")


def _bad_iri(path: Path, key: str, value: str, where: Iterable[str | int]) -> ParseError | None:
    if value.startswith(("_:", "@")):
        return None
    match = _NEVER_IN_IRI.search(value)
    if match is None:
        return None
    return ParseError(
        path,
        f"JSON-LD {key} {value!r} at {_pointer(where)} is not a valid IRI "
        f"(character {match.group()!r})",
    )


def _check_jsonld(path: Path, text: str) -> None:
    """Refuse JSON-LD that either processor would crash on, or that they would read apart.

    The walk is iterative (no recursion, whatever the depth), and runs on both loading paths:
    rdflib quietly accepts ``"@id": 5`` where Oxigraph refuses it, Oxigraph quietly drops a
    triple whose IRI is invalid where rdflib keeps it, and rdflib's recursive processor
    overflows the stack on deep nesting. Term names declared in any ``@context`` are
    collected first, so a ``@type`` or key that is a term is never mistaken for an IRI.
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(path, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise _too_deep(path, text) from None
    if not isinstance(document, dict | list):
        raise ParseError(
            path, f"a JSON-LD document must be a JSON object or array, not {_json_type(document)}"
        )
    terms: set[str] = set()
    coerced: set[str] = set()  # terms whose string values are IRIs ("@type": "@id")
    json_terms: set[str] = set()  # terms whose values are JSON literals ("@type": "@json")
    later: list[tuple[str, str, tuple[str | int, ...]]] = []  # IRI checks that need the terms
    stack: list[tuple[Any, tuple[str | int, ...], bool]] = [(document, (), False)]
    while stack:
        node, where, in_context = stack.pop()
        if len(where) >= MAX_JSONLD_DEPTH:
            raise _too_deep(path, text)
        if not in_context and where and where[-1] in json_terms:
            continue  # a JSON literal: its content is data, not JSON-LD
        if isinstance(node, list):
            stack.extend((item, (*where, i), in_context) for i, item in enumerate(node))
            continue
        if not isinstance(node, dict):
            continue
        # The @context goes on the stack last, so its terms are known before its siblings.
        context = node.get("@context")
        if context is not None and not isinstance(context, str | dict | list):
            raise ParseError(
                path,
                f"JSON-LD @context at {_pointer((*where, '@context'))} must be null, a string, "
                f"an object or an array, not {_json_type(context)}",
            )
        for key, value in sorted(node.items(), key=lambda item: item[0] == "@context"):
            here = (*where, key)
            if key in ("@context", "@import"):
                remote = _remote_context(value)
                if remote is not None:
                    raise ParseError(
                        path,
                        f"JSON-LD refers to a remote or external @context '{remote}'; kratomkg "
                        "never fetches contexts: inline the context in the document",
                    )
            if in_context and not key.startswith("@"):
                terms.add(key)
                kind = value.get("@type") if isinstance(value, dict) else None
                if kind in ("@id", "@vocab"):
                    coerced.add(key)
                elif kind == "@json":
                    json_terms.add(key)
            _check_keyword(path, key, value, here, in_context, later)
            if not in_context and not key.startswith("@"):
                later.append(("key", key, here))
                strings = value if isinstance(value, list) else [value]
                later.extend(
                    ("value", v, here)
                    for v in strings
                    if isinstance(v, str) and _NEVER_IN_IRI.search(v)
                )
            if key == "@value" and isinstance(value, dict | list):
                if node.get("@type") == "@json":
                    continue  # a JSON literal: its content is data, not JSON-LD
                raise ParseError(
                    path,
                    f"JSON-LD @value at {_pointer(here)} must be a string, number, boolean or "
                    f"null, not {_json_type(value)}",
                )
            if isinstance(value, dict | list):
                stack.append((value, here, in_context or key == "@context"))
    for kind, value, where in later:
        if kind == "value" and where[-1] not in coerced:
            continue
        if kind != "value" and value in terms:
            continue
        error = _bad_iri(path, "property" if kind == "key" else kind, value, where)
        if error is not None:
            raise error


def _check_keyword(
    path: Path,
    key: str,
    value: Any,
    where: tuple[str | int, ...],
    in_context: bool,
    later: list[tuple[str, str, tuple[str | int, ...]]],
) -> None:
    """Check the JSON type of one keyword's value (JSON-LD 1.1, section 9)."""
    if key in _STRING_KEYWORDS:
        if isinstance(value, str) or (value is None and (in_context or key == "@language")):
            if key in ("@id", "@vocab", "@base") and isinstance(value, str):
                error = _bad_iri(path, key, value, where)
                if error is not None:
                    raise error
            return
        raise ParseError(
            path, f"JSON-LD {key} at {_pointer(where)} must be a string, not {_json_type(value)}"
        )
    if key == "@type":
        values = value if isinstance(value, list) and not in_context else [value]
        for i, item in enumerate(values):
            if isinstance(item, str):
                later.append(("@type", item, where))
            elif not (item is None and in_context):
                at = (*where, i) if values is value else where
                raise ParseError(
                    path,
                    f"JSON-LD @type at {_pointer(at)} must be a string or an array of strings, "
                    f"not {_json_type(item)}",
                )
    elif key in ("@graph", "@included") and not isinstance(value, dict | list):
        raise ParseError(
            path,
            f"JSON-LD {key} at {_pointer(where)} must be an object or an array, "
            f"not {_json_type(value)}",
        )
    elif key == "@reverse" and not in_context and not isinstance(value, dict):
        raise ParseError(
            path,
            f"JSON-LD @reverse at {_pointer(where)} must be an object, not {_json_type(value)}",
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


class _TermComplaints(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (
            message.startswith("Failed to convert Literal lexical form")
            or "does not look like a valid URI" in message
        )


@contextmanager
def quiet_rdflib_terms() -> Iterator[None]:
    """Silence rdflib's per-term complaints (ill-typed literals, invalid IRIs) for a while.

    rdflib logs a traceback when ``"abc"^^xsd:integer`` cannot become a Python value, warns
    when such a literal is written back, and logs each IRI it finds suspicious. The literal
    is kept and the shapes report it as a finding; an invalid IRI is refused as a
    :class:`ParseError`; a line per term on stderr would bury that one line. Only those
    messages are dropped, and only inside the block; also usable as a decorator.
    """
    logger = logging.getLogger("rdflib.term")
    records = _TermComplaints()
    logger.addFilter(records)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Serializing weird numerical")
            yield
    finally:
        logger.removeFilter(records)


@lru_cache(maxsize=1)
def _iri_rules() -> Callable[[str], str | None]:
    """Return a check giving why a string is not an IRI (or None), as strict as Oxigraph.

    With pyoxigraph installed its own parser decides, so both engines refuse the same IRIs;
    without it, the characters no IRI may hold and a missing scheme are caught.
    """
    try:
        from pyoxigraph import NamedNode
    except ImportError:  # pragma: no cover - depends on the installed extras

        def by_characters(iri: str) -> str | None:
            match = _NEVER_IN_IRI.search(iri)
            if match:
                return f"invalid IRI character {match.group()!r}"
            return None if _SCHEME.match(iri) else "no scheme found in an absolute IRI"

        return by_characters

    def by_oxigraph(iri: str) -> str | None:
        try:
            NamedNode(iri)
        except ValueError as exc:
            return str(exc)
        return None

    return by_oxigraph


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_IRI_DELIMITERS = re.compile(r"[/#?:]")


def _iri_line(text: str, iri: str) -> int | None:
    """Find the line that wrote ``iri``: whole, or the piece around its first bad character.

    A prefixed name or a relative IRI does not appear whole in the file, but the segment
    holding the offending character does.
    """
    match = _NEVER_IN_IRI.search(iri)
    bad = match.start() if match else None
    cuts = [0, *(m.end() for m in _IRI_DELIMITERS.finditer(iri)), len(iri)]
    if bad is None:
        starts, ends = [0], [len(iri)]
    else:
        starts = [cut for cut in cuts if cut <= bad]
        ends = [cut for cut in reversed(cuts) if cut > bad]
    for start in starts:
        for end in ends:
            at = text.find(iri[start:end])
            if at >= 0:
                return text.count("\n", 0, at) + 1
    return None


def _check_iris(path: Path, text: str, statements: Iterable[tuple[Any, ...]]) -> None:
    """Refuse a statement with an invalid IRI, as Oxigraph's parsers do."""
    problem = _iri_rules()
    seen: set[str] = set()
    for statement in statements:
        for term in statement:
            iri = term if isinstance(term, URIRef) else getattr(term, "datatype", None)
            if iri is None or iri in seen:
                continue
            seen.add(iri)
            reason = problem(iri)
            if reason is not None:
                raise ParseError(path, f"invalid IRI <{iri}> ({reason})", _iri_line(text, iri))


def rdfxml_error(path: Path, exc: SAXParseException) -> ParseError:
    """Describe malformed RDF/XML with expat's line and column, alike on both loading paths."""
    return ParseError(
        path,
        f"invalid RDF/XML ({exc.getMessage()})",
        exc.getLineNumber(),
        exc.getColumnNumber(),
    )


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
    with quiet_rdflib_terms():
        _parse_text(parsed, path, text, fmt)
        names: set[tuple[Any]] = set()  # graph names of quads: Oxigraph checks them too
        if isinstance(parsed, Dataset):
            statements = []
            for s, p, o, graph in parsed.quads((None, None, None, None)):
                statements.append((s, p, o))
                names.add((getattr(graph, "identifier", graph),))
        else:
            statements = list(parsed)
        if not statements:
            raise InputError(path, "contains no RDF statements")
        _check_iris(path, text, chain(statements, names))
        before = len(target)
        for triple in statements:
            target.add(triple)
    return len(target) - before


def _parse_text(parsed: Graph, path: Path, text: str, fmt: str) -> None:
    try:
        parsed.parse(data=text, format=fmt, publicID=path.resolve().as_uri())
    except RecursionError:
        raise ParseError(path, f"invalid {fmt} document (nested too deeply)") from None
    except BadSyntax as exc:
        raise _bad_syntax(path, exc) from None
    except SAXParseException as exc:
        raise rdfxml_error(path, exc) from None
    except RdflibParserError as exc:
        if fmt in ("nt", "nquads"):
            raise _locate_ntriples_error(path, text, fmt) from None
        raise ParseError(path, _first_line(str(exc))) from None
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        # rdflib's JSON-LD and XML parsers report structural problems with plain exceptions.
        raise ParseError(path, f"invalid {fmt} document ({_first_line(str(exc))})") from None


def parse_file(path: Path | str) -> Graph:
    """Parse one RDF file into a new graph (see :func:`parse_into`)."""
    graph = Graph()
    parse_into(graph, path)
    return graph
