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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from kratomkg.errors import QueryError
from kratomkg.namespaces import PREFIXES

__all__ = [
    "GRAPH_FORMATS",
    "RESULT_FORMATS",
    "QueryResult",
    "ResultFormat",
    "render",
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


def n3(term: Node) -> str:
    """Encode ``term`` as in N-Triples (tabs and newlines escaped, so TSV stays one line)."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        text = _quote(str(term))
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype:
            return f"{text}^^<{term.datatype}>"
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


def _json(result: QueryResult) -> str:
    if result.boolean is not None:
        document: dict[str, object] = {"head": {}, "boolean": result.boolean}
    else:
        bindings = [
            {v: _json_term(t) for v, t in zip(result.variables, row, strict=True) if t is not None}
            for row in result.rows
        ]
        document = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


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


def _xml(result: QueryResult) -> str:
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
        "  <head>",
        *(f"    <variable name={quoteattr(v)}/>" for v in result.variables),
        "  </head>",
    ]
    if result.boolean is not None:
        lines.append(f"  <boolean>{'true' if result.boolean else 'false'}</boolean>")
    else:
        lines.append("  <results>")
        for row in result.rows:
            lines.append("    <result>")
            for var, term in zip(result.variables, row, strict=True):
                if term is not None:
                    lines.append(
                        f"      <binding name={quoteattr(var)}>{_xml_term(term)}</binding>"
                    )
            lines.append("    </result>")
        lines.append("  </results>")
    lines.append("</sparql>")
    return "\n".join(lines) + "\n"


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


def _csv(result: QueryResult) -> str:
    # W3C SPARQL 1.1 CSV: plain values, RFC 4180 quoting, CRLF line ends.
    head, rows = _table_rows(result)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(head)
    writer.writerows(rows)
    return buffer.getvalue()


def _tsv(result: QueryResult) -> str:
    # W3C SPARQL 1.1 TSV: '?var' header, terms encoded as in Turtle/N-Triples.
    if result.boolean is not None:
        return f"?boolean\n{'true' if result.boolean else 'false'}\n"
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines += ["\t".join("" if t is None else n3(t) for t in row) for row in result.rows]
    return "\n".join(lines) + "\n"


_CELL = 60


def _cell(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _CELL else text[: _CELL - 1] + "…"


def _table(result: QueryResult) -> str:
    if result.boolean is not None:
        return ("yes" if result.boolean else "no") + "\n"
    head = list(result.variables)
    rows = [[_cell(curie(t)) for t in row] for row in result.rows]
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(head)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(head), line(["-" * w for w in widths]), *(line(r) for r in rows)]
    out.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    return "\n".join(out) + "\n"


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
        ResultFormat("csv", "text/csv", _csv),
        ResultFormat("tsv", "text/tab-separated-values", _tsv),
        ResultFormat("json", "application/sparql-results+json", _json),
        ResultFormat("xml", "application/sparql-results+xml", _xml),
    )
}

# CONSTRUCT/DESCRIBE formats: the names of the RDF writers (kratomkg.export.rdf) used for them.
GRAPH_FORMATS: tuple[str, ...] = ("turtle", "jsonld", "ntriples")


def render(result: QueryResult, fmt: str | None = None) -> str:
    """Write ``result`` in ``fmt`` (default: table for SELECT/ASK, turtle for graphs)."""
    from kratomkg.export.rdf import RDF_FORMATS

    if result.graph is not None:
        fmt = fmt or "turtle"
        if fmt not in GRAPH_FORMATS:
            raise QueryError(
                f"format '{fmt}' is for SELECT and ASK answers; a {result.form} query gives a "
                f"graph: use one of {', '.join(GRAPH_FORMATS)}"
            )
        dataset = Dataset()
        for triple in result.graph:
            dataset.add(triple)
        return RDF_FORMATS[fmt].write(dataset)
    fmt = fmt or "table"
    if fmt not in RESULT_FORMATS:
        raise QueryError(
            f"format '{fmt}' is for CONSTRUCT and DESCRIBE graphs; a {result.form} query "
            f"gives a table: use one of {', '.join(RESULT_FORMATS)}"
        )
    return RESULT_FORMATS[fmt].write(result)
