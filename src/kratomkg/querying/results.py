"""Query answers, store-independent, and their W3C serializations.

Every store hands back a :class:`QueryResult` made of rdflib terms, so one set of writers
serves them all and answers from different stores compare with ``==``. SELECT and ASK
answers are written in the W3C SPARQL 1.1 results formats (JSON, XML, CSV, TSV) or as an
aligned text table for people; CONSTRUCT and DESCRIBE graphs go through the deterministic
RDF writers of :mod:`kratomkg.export.rdf`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TextIO
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from kratomkg.errors import QueryError
from kratomkg.namespaces import PREFIXES
from kratomkg.querying.bindings import _BAD_IRI

__all__ = [
    "GRAPH_FORMATS",
    "RESULT_FORMATS",
    "QueryResult",
    "ResultFormat",
    "render",
    "write_result",
]

Row = tuple[Node | None, ...]


@dataclass
class QueryResult:
    """One answer: a table of bindings (SELECT), a boolean (ASK) or a graph (CONSTRUCT)."""

    form: str
    variables: tuple[str, ...] = ()
    rows: list[Row] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None
    #: The answer had more rows (or triples) than the limit it was run with.
    truncated: bool = False

    @property
    def returns_graph(self) -> bool:
        """Whether the answer is an RDF graph (CONSTRUCT, DESCRIBE) rather than a table."""
        return self.form in ("CONSTRUCT", "DESCRIBE")

    def __len__(self) -> int:
        if self.graph is not None:
            return len(self.graph)
        return len(self.rows) if self.boolean is None else 1

    def column(self, name: str) -> list[Node | None]:
        """Return the values bound to ``name``, one per row."""
        index = self.variables.index(name)
        return [row[index] for row in self.rows]

    def records(self) -> list[dict[str, Node]]:
        """Return the rows as dicts, leaving unbound variables out."""
        return [
            {v: t for v, t in zip(self.variables, row, strict=True) if t is not None}
            for row in self.rows
        ]


# --- term encodings ---------------------------------------------------------------------

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _quote(text: str) -> str:
    return '"' + "".join(_ESCAPES.get(ch, ch) for ch in text) + '"'


def _iriref(iri: str) -> str:
    """Write ``<iri>``, refusing an IRI that would end the ``<...>`` or break the query.

    The encoding goes into SPARQL sent to servers (VALUES blocks, label look-ups), where a
    ``>`` or a space in an IRI would let the rest of it be read as query text.
    """
    if _BAD_IRI.search(iri):
        raise QueryError(f"cannot encode IRI {iri!r}: it holds a character no IRI may hold")
    return f"<{iri}>"


def n3(term: Node) -> str:
    """Encode ``term`` as in N-Triples (tabs and newlines escaped, so TSV stays one line)."""
    if isinstance(term, URIRef):
        return _iriref(str(term))
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        text = _quote(str(term))
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype:
            return f"{text}^^{_iriref(str(term.datatype))}"
        return text
    raise QueryError(f"cannot encode RDF term {term!r}")


def curie(term: Node | None) -> str:
    """Show ``term`` the way people read it: a CURIE, a literal's text, ``_:b`` for a bnode."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if term.startswith(namespace) and len(term) > len(namespace):
                return f"{prefix}:{term[len(namespace) :]}"
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


# --- SELECT / ASK writers ---------------------------------------------------------------


def _json_term(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if isinstance(term, Literal):
        value = {"type": "literal", "value": str(term)}
        if term.language:
            value["xml:lang"] = term.language
        elif term.datatype:
            value["datatype"] = str(term.datatype)
        return value
    raise QueryError(f"cannot encode RDF term {term!r}")


#: Rows written per call to the output stream: few calls, and no copy of the whole answer.
_CHUNK = 1000


def _chunks(lines: Iterable[str], out: TextIO) -> None:
    """Write ``lines`` to ``out`` a chunk of them at a time."""
    chunk: list[str] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) >= _CHUNK:
            out.write("".join(chunk))
            chunk = []
    if chunk:
        out.write("".join(chunk))


def _to_text(write: Callable[[QueryResult, TextIO], None]) -> Callable[[QueryResult], str]:
    """Turn a streaming writer into the string writer :func:`render` needs."""

    def text(result: QueryResult) -> str:
        buffer = io.StringIO()
        write(result, buffer)
        return buffer.getvalue()

    return text


def _write_json(result: QueryResult, out: TextIO) -> None:
    # Byte for byte what json.dumps(document, indent=2) writes, one binding at a time.
    if result.boolean is not None or not result.rows:
        if result.boolean is not None:
            document: dict[str, object] = {"head": {}, "boolean": result.boolean}
        else:
            document = {"head": {"vars": list(result.variables)}, "results": {"bindings": []}}
        out.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        return
    marker = "kratomkg-bindings"
    document = {"head": {"vars": list(result.variables)}, "results": {"bindings": [marker]}}
    head, _, tail = json.dumps(document, indent=2, ensure_ascii=False).partition(
        f'      "{marker}"'
    )
    out.write(head)

    def bindings() -> Iterator[str]:
        for n, row in enumerate(result.rows):
            binding = {
                v: _json_term(t)
                for v, t in zip(result.variables, row, strict=True)
                if t is not None
            }
            text = json.dumps(binding, indent=2, ensure_ascii=False).replace("\n", "\n      ")
            yield ("      " if n == 0 else ",\n      ") + text

    _chunks(bindings(), out)
    out.write(tail + "\n")


def _xml_term(term: Node) -> str:
    if isinstance(term, URIRef):
        return f"<uri>{escape(str(term))}</uri>"
    if isinstance(term, BNode):
        return f"<bnode>{escape(str(term))}</bnode>"
    if isinstance(term, Literal):
        attribute = ""
        if term.language:
            attribute = f" xml:lang={quoteattr(term.language)}"
        elif term.datatype:
            attribute = f" datatype={quoteattr(str(term.datatype))}"
        return f"<literal{attribute}>{escape(str(term))}</literal>"
    raise QueryError(f"cannot encode RDF term {term!r}")


def _write_xml(result: QueryResult, out: TextIO) -> None:
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
        "  <head>",
        *(f"    <variable name={quoteattr(v)}/>" for v in result.variables),
        "  </head>",
    ]
    if result.boolean is not None:
        lines.append(f"  <boolean>{'true' if result.boolean else 'false'}</boolean>")
        lines.append("</sparql>")
        out.write("\n".join(lines) + "\n")
        return
    lines.append("  <results>")
    out.write("\n".join(lines) + "\n")

    def results() -> Iterator[str]:
        for row in result.rows:
            bound = [
                f"      <binding name={quoteattr(var)}>{_xml_term(term)}</binding>\n"
                for var, term in zip(result.variables, row, strict=True)
                if term is not None
            ]
            yield "    <result>\n" + "".join(bound) + "    </result>\n"

    _chunks(results(), out)
    out.write("  </results>\n</sparql>\n")


def _table_rows(result: QueryResult) -> tuple[Sequence[str], list[list[str]]]:
    if result.boolean is not None:
        return ("boolean",), [["true" if result.boolean else "false"]]
    return result.variables, [[_csv_value(t) for t in row] for row in result.rows]


def _csv_value(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _write_csv(result: QueryResult, out: TextIO) -> None:
    # W3C SPARQL 1.1 CSV: plain values, RFC 4180 quoting, CRLF line ends.
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if result.boolean is not None:
        writer.writerows([["boolean"], ["true" if result.boolean else "false"]])
        out.write(buffer.getvalue())
        return
    writer.writerow(result.variables)
    for start in range(0, len(result.rows), _CHUNK):
        writer.writerows(
            [_csv_value(t) for t in row] for row in result.rows[start : start + _CHUNK]
        )
        out.write(buffer.getvalue())
        buffer.seek(0)
        buffer.truncate()
    out.write(buffer.getvalue())


def _write_tsv(result: QueryResult, out: TextIO) -> None:
    # W3C SPARQL 1.1 TSV: '?var' header, terms encoded as in Turtle/N-Triples.
    if result.boolean is not None:
        out.write(f"?boolean\n{'true' if result.boolean else 'false'}\n")
        return
    out.write("\t".join(f"?{v}" for v in result.variables) + "\n")
    rows = ("\t".join("" if t is None else n3(t) for t in row) + "\n" for row in result.rows)
    _chunks(rows, out)


def _write_ntriples(graph: Graph, out: TextIO) -> None:
    # The sorted N-Triples of kratomkg.export.rdf, line by line instead of as one string.
    from rdflib.plugins.serializers.nt import _nt_row

    from kratomkg.export.rdf import _stable

    encoded = (_nt_row(triple) for triple in _stable(graph))
    lines = sorted({line for row in encoded for line in row.splitlines() if line.strip()})
    _chunks((line + "\n" for line in lines), out)


_json = _to_text(_write_json)
_xml = _to_text(_write_xml)
_csv = _to_text(_write_csv)
_tsv = _to_text(_write_tsv)


def _table(result: QueryResult) -> str:
    # Laid out by kratomkg.querying.table (rich), which the CLI also calls with labels.
    from kratomkg.querying.table import render_table

    return render_table(result)


def _records(result: QueryResult) -> str:
    from kratomkg.querying.table import render_records

    return render_records(result)


@dataclass(frozen=True)
class ResultFormat:
    """One way to write a SELECT or ASK answer: its name, media type and writer."""

    name: str
    media_type: str
    write: Callable[[QueryResult], str]


# Registry of SELECT/ASK formats; ``kratomkg query --format`` lists these keys.
RESULT_FORMATS: dict[str, ResultFormat] = {
    fmt.name: fmt
    for fmt in (
        ResultFormat("table", "text/plain", _table),
        ResultFormat("records", "text/plain", _records),
        ResultFormat("csv", "text/csv", _csv),
        ResultFormat("tsv", "text/tab-separated-values", _tsv),
        ResultFormat("json", "application/sparql-results+json", _json),
        ResultFormat("xml", "application/sparql-results+xml", _xml),
    )
}

# CONSTRUCT/DESCRIBE formats: the names of the RDF writers (kratomkg.export.rdf) used for them.
GRAPH_FORMATS: tuple[str, ...] = ("turtle", "jsonld", "ntriples")


def _checked_format(result: QueryResult, fmt: str | None) -> str:
    """Return ``fmt`` (or the default) if it suits ``result``, else raise QueryError."""
    if result.graph is not None:
        fmt = fmt or "turtle"
        if fmt not in GRAPH_FORMATS:
            raise QueryError(
                f"format '{fmt}' is for SELECT and ASK answers; a {result.form} query gives a "
                f"graph: use one of {', '.join(GRAPH_FORMATS)}"
            )
        return fmt
    fmt = fmt or "table"
    if fmt not in RESULT_FORMATS:
        raise QueryError(
            f"format '{fmt}' is for CONSTRUCT and DESCRIBE graphs; a {result.form} query "
            f"gives a table: use one of {', '.join(RESULT_FORMATS)}"
        )
    return fmt


def render(result: QueryResult, fmt: str | None = None) -> str:
    """Write ``result`` in ``fmt`` (default: table for SELECT/ASK, turtle for graphs)."""
    from kratomkg.export.rdf import RDF_FORMATS

    fmt = _checked_format(result, fmt)
    if result.graph is not None:
        dataset = Dataset()
        for triple in result.graph:
            dataset.add(triple)
        return RDF_FORMATS[fmt].write(dataset)
    return RESULT_FORMATS[fmt].write(result)


# Writers that stream: rows go to the output as they are encoded, never as one string.
_STREAMED: dict[str, Callable[[QueryResult, TextIO], None]] = {
    "csv": _write_csv,
    "tsv": _write_tsv,
    "json": _write_json,
    "xml": _write_xml,
}


def write_result(result: QueryResult, fmt: str | None, out: TextIO) -> None:
    """Write ``result`` in ``fmt`` to ``out``, as :func:`render` would, but as it goes.

    CSV, TSV, JSON and XML answers and N-Triples graphs are written a chunk of rows at a
    time, so a million-row answer is never held a second time as text. The other formats
    (the table, Turtle, JSON-LD) lay out the whole answer at once and are written whole.
    """
    fmt = _checked_format(result, fmt)
    if result.graph is not None and fmt == "ntriples":
        _write_ntriples(result.graph, out)
    elif result.graph is None and fmt in _STREAMED:
        _STREAMED[fmt](result, out)
    else:
        out.write(render(result, fmt))
