"""The SPARQL 1.1 Protocol endpoint at ``/sparql``: read-only, bounded, negotiated.

A query arrives in one of the protocol's three ways (GET ``?query=``, a form-encoded POST,
a POST of ``application/sparql-query``), is checked by :mod:`kratomkg.querying.safety`
exactly as ``kratomkg query`` checks it (no update, no ``SERVICE``, no ``LOAD``, no ``FROM``
of a graph the store does not hold), then runs on the source's store within the server's
:class:`~kratomkg.serve.limits.Limits`. The answer is written by the same writers as the
command line, in the format the ``Accept`` header prefers. Status codes:

* 400: the query is malformed or refused, or names a graph the store does not hold;
* 406: no format the client accepts fits the query form;
* 413: the query string or the body is over ``max_request_bytes``;
* 415: a POST body of another media type;
* 502: the backend server failed (``--backend``);
* 503: the query ran longer than ``timeout`` and was stopped (as Fuseki answers it:
  the service refuses work that long; the same query will be refused again).

An answer cut at ``max_rows`` carries ``Kratomkg-Truncated: N`` (the rows or triples kept).
"""

from __future__ import annotations

import io
import re
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from kratomkg.errors import QueryError
from kratomkg.querying.results import QueryResult, write_result
from kratomkg.querying.safety import (
    CheckedQuery,
    check_query,
    refuse_remote_datasets,
    with_prefixes,
)
from kratomkg.serve.conneg import negotiate
from kratomkg.serve.limits import DEFAULT_LIMITS, Limits
from kratomkg.serve.source import Source

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import BaseRoute

__all__ = [
    "GRAPH_TYPES",
    "RESULT_TYPES",
    "TRUNCATED_HEADER",
    "rewrite_dataset",
    "service_description",
    "sparql_routes",
]

#: The header that tells an answer was cut at the row limit; its value is the rows kept.
TRUNCATED_HEADER = "Kratomkg-Truncated"

#: SELECT / ASK answers: media type -> writer name in kratomkg.querying.results. The first
#: is the default; ``application/json`` is what many clients ask for JSON results by.
RESULT_TYPES: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
}
#: CONSTRUCT / DESCRIBE answers: media type -> RDF writer in kratomkg.export.rdf.
GRAPH_TYPES: dict[str, str] = {
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "text/plain": "ntriples",
}
#: The canonical media type each writer's answer is labelled with.
_LABEL = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
_FORM = "application/x-www-form-urlencoded"
_DIRECT = "application/sparql-query"
_UPDATE = "application/sparql-update"
#: What a GET without a query may get: the service description, or the editor for people.
_DESCRIPTION_TYPES = ("text/turtle", "text/html", "application/n-triples", "application/ld+json")

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
_FORMATS = Namespace("http://www.w3.org/ns/formats/")

#: How long the list of a backend's graphs is trusted before it is asked again, in seconds.
_GRAPHS_TTL = 60.0


class ProtocolError(Exception):
    """A request the endpoint answers with ``status`` and a one-line plain-text message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# --- the dataset of a request ------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
    |(?P<comment>\#[^\n]*)
    |(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
        |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
    |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    |(?P<word>[A-Za-z_?$][\w\-.:]*|[\w\-.]*:[\w\-.:%]*)
    |(?P<open>[({\[])
    |(?P<close>[)}\]])
    |(?P<other>.)
    """,
    re.X | re.S,
)
_FORMS = {"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"}
#: Where the dataset clauses of a SELECT or DESCRIBE end (DESCRIBE may have no WHERE).
_AFTER_DATASET = {"WHERE", "FROM", "ORDER", "LIMIT", "OFFSET", "GROUP", "HAVING", "VALUES"}


@dataclass(frozen=True)
class _Token:
    kind: str
    start: int
    end: int
    text: str


def _tokens(text: str) -> list[_Token]:
    """Split a (parsed, so well-formed) query into tokens, comments and spaces left out."""
    tokens = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("ws", "comment"):
            tokens.append(_Token(kind, match.start(), match.end(), match.group()))
    return tokens


def _dataset_position(tokens: list[_Token]) -> int:
    """Index of the token where the query's dataset clauses begin (they follow its head)."""
    depth, index = 0, 0
    while index < len(tokens):  # the prologue, then the form keyword
        token = tokens[index]
        index += 1
        if token.kind == "word" and token.text.upper() in _FORMS and depth == 0:
            form = token.text.upper()
            break
    else:
        raise QueryError("query: no SELECT, CONSTRUCT, DESCRIBE or ASK found")
    if form == "ASK":
        return index
    if form == "CONSTRUCT" and index < len(tokens) and tokens[index].text == "{":
        depth = 0
        while index < len(tokens):  # skip the template
            token = tokens[index]
            index += 1
            depth += token.kind == "open"
            depth -= token.kind == "close"
            if depth == 0:
                break
        return index
    depth = 0
    while index < len(tokens):
        token = tokens[index]
        if depth == 0 and (
            token.text == "{" or (token.kind == "word" and token.text.upper() in _AFTER_DATASET)
        ):
            return index
        depth += token.kind == "open"
        depth -= token.kind == "close"
        index += 1
    return index


def rewrite_dataset(text: str, default: Sequence[str], named: Sequence[str]) -> str:
    """Give ``text`` the dataset of a request's ``default-graph-uri`` / ``named-graph-uri``.

    The protocol's parameters override the query's own ``FROM`` and ``FROM NAMED``
    clauses, so those are dropped and the parameters written in their place. Rewriting the
    text (rather than handing the graphs to one store's API) lets every store, a remote
    one included, answer it, and the rewritten text is checked again like any query.
    """
    if not default and not named:
        return text
    tokens = _tokens(text)
    index = _dataset_position(tokens)
    start = tokens[index].start if index < len(tokens) else len(text)
    end = start
    while index < len(tokens) and tokens[index].text.upper() == "FROM":
        index += 1
        if index < len(tokens) and tokens[index].text.upper() == "NAMED":
            index += 1
        end = tokens[index].end
        index += 1
    clauses = [f"FROM <{iri}>" for iri in default] + [f"FROM NAMED <{iri}>" for iri in named]
    return text[:start] + " ".join(clauses) + "\n" + text[end:]


def _check_iri(iri: str, parameter: str) -> str:
    if not iri or re.search(r"[<>\"{}|^`\\\x00-\x20]", iri):
        raise ProtocolError(400, f"{parameter}: not an IRI: {iri!r}")
    return iri


class _Graphs:
    """The named graphs a source holds: asked once of a local store, now and then of a backend."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.cached: tuple[float, set[str]] | None = None

    def names(self) -> set[str]:
        local = getattr(self.source.store, "graph_names", None)
        if local is not None:
            return set(local())
        now = time.monotonic()
        if self.cached is None or now - self.cached[0] > _GRAPHS_TTL:
            checked = check_query(
                "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "graph list"
            )
            result = self.source.store.run(checked, {}, 30.0)
            self.cached = (now, {str(row[0]) for row in result.rows if row[0] is not None})
        return self.cached[1]


# --- reading a request -------------------------------------------------------------------


@dataclass(frozen=True)
class _Request:
    """A protocol request, read: the query (if any) and the dataset it asks for."""

    query: str | None
    default: tuple[str, ...]
    named: tuple[str, ...]


async def _body(request: Request, cap: int) -> bytes:
    """Read the request body, refused with 413 as soon as it is known to be over ``cap`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > cap:
        raise ProtocolError(413, f"the request body is over the limit of {cap} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise ProtocolError(413, f"the request body is over the limit of {cap} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _parse(raw: str, what: str) -> dict[str, list[str]]:
    try:
        return urllib.parse.parse_qs(
            raw, keep_blank_values=True, strict_parsing=False, errors="strict"
        )
    except (UnicodeDecodeError, ValueError):
        raise ProtocolError(400, f"the {what} is not valid UTF-8 form encoding") from None


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise ProtocolError(400, f"give one '{name}' parameter, not {len(values)}")
    return values[0] if values else None


async def _read(request: Request, limits: Limits) -> _Request:
    raw = request.scope.get("query_string", b"")
    if len(raw) > limits.max_request_bytes:
        raise ProtocolError(
            413, f"the query string is over the limit of {limits.max_request_bytes} bytes"
        )
    url_params = _parse(raw.decode("latin-1"), "query string")
    params = url_params
    query = None
    if request.method == "POST":
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = await _body(request, limits.max_request_bytes)
        if media == _FORM:
            try:
                form = _parse(body.decode("utf-8"), "request body")
            except UnicodeDecodeError:
                raise ProtocolError(400, "the request body is not UTF-8") from None
            if "update" in form:
                raise ProtocolError(
                    400, "query: SPARQL updates are refused: this endpoint only reads"
                )
            if "query" in url_params:
                raise ProtocolError(400, "give the query in the body or the URL, not both")
            params = {**url_params, **form}
            query = _one(params, "query")
        elif media == _DIRECT:
            try:
                query = body.decode("utf-8")
            except UnicodeDecodeError:
                raise ProtocolError(400, "the query is not UTF-8") from None
        elif media == _UPDATE:
            raise ProtocolError(400, "query: SPARQL updates are refused: this endpoint only reads")
        else:
            raise ProtocolError(
                415,
                f"a POST body must be {_FORM} or {_DIRECT}, not {media or 'untyped'}",
            )
    else:
        if "update" in params:
            raise ProtocolError(400, "query: SPARQL updates are refused: this endpoint only reads")
        query = _one(params, "query")
    return _Request(
        query=query,
        default=tuple(
            _check_iri(i, "default-graph-uri") for i in params.get("default-graph-uri", [])
        ),
        named=tuple(_check_iri(i, "named-graph-uri") for i in params.get("named-graph-uri", [])),
    )


# --- answering ---------------------------------------------------------------------------


def _text(status: int, message: str) -> Response:
    from starlette.responses import PlainTextResponse

    return PlainTextResponse(
        message.rstrip("\n") + "\n", status_code=status, headers={"Vary": "Accept"}
    )


def _checked(request: _Request, graphs: _Graphs) -> CheckedQuery:
    """Check the query (and the graphs it names) as ``kratomkg query`` does; 400 if refused."""
    if request.query is None:
        raise ProtocolError(400, "no query")
    try:
        checked = check_query(request.query, "query")
        if request.default or request.named:
            held = graphs.names()
            for parameter, iris in (
                ("default-graph-uri", request.default),
                ("named-graph-uri", request.named),
            ):
                for iri in iris:
                    if iri not in held:
                        raise ProtocolError(
                            400, f"{parameter} <{iri}> is refused: it names no graph of this store"
                        )
            text = rewrite_dataset(request.query, request.default, request.named)
            checked = check_query(text, "query")
        if checked.datasets:
            refuse_remote_datasets(checked, graphs.names())
    except QueryError as exc:
        raise ProtocolError(400, str(exc)) from None
    return with_prefixes(checked)


def _status(exc: QueryError, remote: bool) -> int:
    """Choose the status for a store's error: 503 for an overrun, 502 for a failing backend."""
    message = str(exc)
    if "time limit" in message:
        return 503
    if remote and not re.search(r"HTTP 4\d\d", message):
        return 502
    return 400


def _answer(result: QueryResult, media: str) -> tuple[bytes, str]:
    fmt = GRAPH_TYPES[media] if result.returns_graph else RESULT_TYPES[media]
    if fmt == "rdfxml":
        from kratomkg.export.rdf import RDF_FORMATS

        dataset = Dataset()
        for triple in result.graph or Graph():
            dataset.add(triple)
        text = RDF_FORMATS["rdfxml"].write(dataset)
    else:
        out = io.StringIO()
        write_result(result, fmt, out)
        text = out.getvalue()
    label = _LABEL[fmt]
    charset = "" if label == "application/ld+json" else "; charset=utf-8"
    return text.encode("utf-8"), label + charset


def service_description(endpoint: str) -> Graph:
    """Describe the endpoint at ``endpoint``, minimally, as a SPARQL 1.1 Service Description."""
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("formats", _FORMATS)
    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for result_format in (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "JSON-LD",
        "RDF_XML",
    ):
        graph.add((service, SD.resultFormat, _FORMATS[result_format]))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    graph.add(
        (
            service,
            URIRef("http://purl.org/dc/terms/description"),
            Literal(
                "kratomkg: a read-only SPARQL 1.1 endpoint over the kratom knowledge graph",
                lang="en",
            ),
        )
    )
    return graph


def _describe(request: Request, accept: str | None) -> Response:
    from starlette.responses import HTMLResponse, Response

    media = negotiate(accept, _DESCRIPTION_TYPES)
    if media is None:
        return _text(406, f"no acceptable format; this URL offers {', '.join(_DESCRIPTION_TYPES)}")
    if media == "text/html":
        from kratomkg.serve.editor import editor_headers, editor_page

        return HTMLResponse(editor_page(), headers={"Vary": "Accept", **editor_headers()})
    endpoint = str(request.url.replace(query=""))
    result = QueryResult(form="CONSTRUCT", graph=service_description(endpoint))
    body, label = _answer(result, media)
    return Response(body, media_type=None, headers={"Content-Type": label, "Vary": "Accept"})


def sparql_routes(source: Source, limits: Limits = DEFAULT_LIMITS) -> list[BaseRoute]:
    """Return the ``/sparql`` route: the SPARQL 1.1 Protocol over ``source``, within ``limits``."""
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import Response
    from starlette.routing import Route

    graphs = _Graphs(source)
    remote = source.backend is not None

    async def endpoint(request: Request) -> Response:
        accept = request.headers.get("accept")
        try:
            read = await _read(request, limits)
            if read.query is None:
                if request.method == "GET":
                    return _describe(request, accept)
                raise ProtocolError(400, "no query: give it as 'query=' or as the body")
            checked = await run_in_threadpool(_checked, read, graphs)
            offers = list(GRAPH_TYPES if checked.returns_graph else RESULT_TYPES)
            media = negotiate(accept, offers)
            if media is None:
                raise ProtocolError(
                    406,
                    f"no acceptable format for a {checked.form} answer; "
                    f"this endpoint writes {', '.join(offers)}",
                )
            try:
                result = await run_in_threadpool(
                    source.store.run, checked, {}, limits.timeout, limits.max_rows
                )
            except QueryError as exc:
                raise ProtocolError(_status(exc, remote), str(exc)) from None
            body, label = await run_in_threadpool(_answer, result, media)
        except ProtocolError as exc:
            return _text(exc.status, exc.message)
        headers = {"Content-Type": label, "Vary": "Accept"}
        if result.truncated:
            headers[TRUNCATED_HEADER] = str(limits.max_rows)
        return Response(body, headers=headers)

    return [Route("/sparql", endpoint, methods=["GET", "POST"], name="sparql")]
