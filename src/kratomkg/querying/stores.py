"""Three places to run SPARQL behind one small protocol: rdflib, Oxigraph, a remote server.

* ``memory``: rdflib over the loaded Dataset, the embedded default; parameters go in as
  ``initBindings``; the time limit cancels the evaluation (rdflib is pure Python, so the
  worker thread is interrupted between two bytecodes).
* ``oxigraph``: pyoxigraph (the ``[fast]`` extra), in memory or on disk (``path``);
  parameters go in as a VALUES block (Oxigraph's ``substitutions`` only accept
  projected variables). A persistent store remembers a fingerprint of what
  it was loaded from, so an unchanged graph is never parsed or loaded again.
* ``endpoint``: any SPARQL 1.1 Protocol server; parameters go in as a VALUES block.

Each returns a :class:`~kratomkg.querying.results.QueryResult` of rdflib terms, so answers
from the three compare directly (Oxigraph writes numbers in canonical form: ``1260`` where
the source says ``1260.0``; the values are equal).
"""

from __future__ import annotations

import ctypes
import http.client
import json
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol, TypeVar

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from kratomkg.errors import QueryError
from kratomkg.querying.bindings import inject_values
from kratomkg.querying.results import QueryResult
from kratomkg.querying.safety import CheckedQuery, refuse_remote_datasets

__all__ = [
    "STORES",
    "EndpointStore",
    "MemoryStore",
    "OxigraphStore",
    "Store",
    "http_opener",
]

T = TypeVar("T")
FINGERPRINT_FILE = "kratomkg-fingerprint"


class Store(Protocol):
    """Where a checked query runs: ``run`` returns its answer or raises QueryError."""

    name: str

    def run(self, query: CheckedQuery, bindings: Mapping[str, Node], timeout: float) -> QueryResult:
        """Evaluate ``query`` with ``bindings`` in at most ``timeout`` seconds."""
        ...


class _Cancelled(BaseException):
    """Raised inside a worker thread whose query ran out of time."""


def _timed(func: Callable[[], T], timeout: float, source: str, cancel: bool) -> T:
    """Run ``func`` in a worker thread; give up (and cancel it if possible) after ``timeout``."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = func()
        except _Cancelled:
            pass
        except BaseException as exc:  # handed to the caller's thread below
            outcome["error"] = exc

    worker = threading.Thread(target=target, name="kratomkg-query", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        if cancel and worker.ident is not None:
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(worker.ident), ctypes.py_object(_Cancelled)
            )
            worker.join(2.0)
        raise QueryError(f"{source}: the query ran longer than its time limit of {timeout:g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]


# --- memory (rdflib) ---------------------------------------------------------------------


class MemoryStore:
    """rdflib's SPARQL engine over a Dataset whose default graph is the union of its graphs."""

    name = "memory"

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset

    def graph_names(self) -> set[str]:
        """IRIs of the non-empty named graphs (rdflib would fetch an unknown FROM graph)."""
        return {
            str(g.identifier)
            for g in self.dataset.graphs()
            if isinstance(g.identifier, URIRef) and len(g)
        }

    def run(self, query: CheckedQuery, bindings: Mapping[str, Node], timeout: float) -> QueryResult:
        """Evaluate ``query`` with rdflib, ``bindings`` passed as ``initBindings``."""
        refuse_remote_datasets(query, self.graph_names())

        def evaluate() -> QueryResult:
            answer = self.dataset.query(query.text, initBindings=dict(bindings))  # type: ignore[arg-type]
            if answer.type == "ASK":
                return QueryResult(form=query.form, boolean=bool(answer.askAnswer))
            if answer.type in ("CONSTRUCT", "DESCRIBE"):
                graph = Graph()
                for triple in answer:
                    graph.add(triple)  # type: ignore[arg-type]
                return QueryResult(form=query.form, graph=graph)
            variables = tuple(str(v) for v in answer.vars or ())
            rows = [tuple(row) for row in answer]  # type: ignore[arg-type]
            return QueryResult(form=query.form, variables=variables, rows=rows)  # type: ignore[arg-type]

        return _timed(evaluate, timeout, query.source, cancel=True)


# --- oxigraph ----------------------------------------------------------------------------


def _from_oxigraph(term: Any) -> Node | None:
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value, datatype=None if datatype == str(XSD.string) else datatype)
    raise QueryError(f"unsupported RDF term from Oxigraph: {term!r}")


def _nquads(dataset: Dataset) -> bytes:
    """Write the dataset's named graphs as N-Quads, the form Oxigraph loads fastest."""
    lines: list[str] = []
    for graph in dataset.graphs():
        if not isinstance(graph.identifier, URIRef) or not len(graph):
            continue
        suffix = f" <{graph.identifier}> .\n"
        for line in graph.serialize(format="nt").splitlines():
            if line.endswith(" ."):
                lines.append(line[:-2] + suffix)
    return "".join(lines).encode("utf-8")


def _open(ox: Any, path: Path) -> Any:
    try:
        return ox.Store(str(path))
    except OSError as exc:
        raise QueryError(f"{path}: cannot open the Oxigraph store ({exc})") from None


def _filled(ox: Any, path: Path | None, data: bytes, fingerprint: str | None) -> Any:
    store = ox.Store() if path is None else _open(ox, path)
    store.clear()
    store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
    store.flush()
    if path is not None and fingerprint:
        (path / FINGERPRINT_FILE).write_text(fingerprint + "\n", encoding="utf-8")
    return store


class OxigraphStore:
    """pyoxigraph: the fast local store, in memory or persistent on disk."""

    name = "oxigraph"

    def __init__(self, store: Any) -> None:
        self.store = store

    @staticmethod
    def _module() -> Any:
        try:
            import pyoxigraph
        except ImportError:  # pragma: no cover - depends on the installed extras
            raise QueryError(
                "--store oxigraph needs pyoxigraph: pip install 'kratomkg[fast]'"
            ) from None
        return pyoxigraph

    @classmethod
    def from_dataset(
        cls,
        load: Callable[[], Dataset],
        path: Path | None = None,
        fingerprint: str | None = None,
    ) -> OxigraphStore:
        """Open a store holding the Dataset that ``load`` returns.

        With ``path``, the store lives on disk; if it was last filled from data with the same
        ``fingerprint``, it is used as it is and ``load`` is never called.
        """
        ox = cls._module()
        if path is not None:
            path = Path(path)
            marker = path / FINGERPRINT_FILE
            fresh = marker.is_file() and marker.read_text(encoding="utf-8").strip() == fingerprint
            if fingerprint and fresh:
                return cls(_open(ox, path))
        # Parse before the store opens: nothing the loader leaves behind can pin it open.
        return cls(_filled(ox, path, _nquads(load()), fingerprint))

    def close(self) -> None:
        """Release the store (an on-disk store is locked while it is open)."""
        self.store = None

    def graph_names(self) -> set[str]:
        """IRIs of the store's named graphs."""
        return {g.value for g in self.store.named_graphs() if hasattr(g, "value")}

    def run(self, query: CheckedQuery, bindings: Mapping[str, Node], timeout: float) -> QueryResult:
        """Evaluate ``query`` with Oxigraph, ``bindings`` passed as a VALUES block."""
        ox = self._module()
        refuse_remote_datasets(query, self.graph_names())
        text = inject_values(query.text, bindings)

        def evaluate() -> QueryResult:
            try:
                answer = self.store.query(text, use_default_graph_as_union=True)
                if isinstance(answer, ox.QueryBoolean):
                    return QueryResult(form=query.form, boolean=bool(answer))
                if isinstance(answer, ox.QueryTriples):
                    graph = Graph()
                    for t in answer:
                        graph.add(
                            (
                                _from_oxigraph(t.subject),
                                _from_oxigraph(t.predicate),
                                _from_oxigraph(t.object),
                            )  # type: ignore[arg-type]
                        )
                    return QueryResult(form=query.form, graph=graph)
                variables = tuple(v.value for v in answer.variables)
                rows = [
                    tuple(_from_oxigraph(solution[v]) for v in variables) for solution in answer
                ]
                return QueryResult(form=query.form, variables=variables, rows=rows)
            except SyntaxError as exc:
                raise QueryError(f"{query.source}: Oxigraph refused the query: {exc}") from None
            except OSError as exc:
                raise QueryError(f"{query.source}: Oxigraph failed: {exc}") from None

        # Oxigraph evaluates in Rust with the GIL released: it cannot be interrupted, so on
        # timeout the answer is abandoned (the daemon thread ends with the process).
        return _timed(evaluate, timeout, query.source, cancel=False)


# --- remote endpoint ---------------------------------------------------------------------


def http_opener(url: str, user: str | None = None, password: str | None = None) -> Any:
    """Return a urllib opener for an http(s) ``url``, with Basic and Digest auth for ``user``."""
    import urllib.request

    if not url.startswith(("http://", "https://")):
        raise QueryError(f"{url}: an endpoint must be an http:// or https:// URL")
    import urllib.parse

    try:
        parts = urllib.parse.urlsplit(url)
        _ = parts.port  # raises on a port that is not a number
    except ValueError as exc:
        raise QueryError(f"{url}: not a usable URL ({exc})") from None
    if not parts.hostname:
        raise QueryError(f"{url}: not a usable URL (no host)")
    handlers: list[Any] = []
    if user is not None:
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, url, user, password or "")
        handlers += [
            urllib.request.HTTPBasicAuthHandler(manager),
            urllib.request.HTTPDigestAuthHandler(manager),
        ]
    return urllib.request.build_opener(*handlers)


def http_call(opener: Any, request: Any, timeout: float, what: str) -> tuple[int, str, bytes]:
    """Send ``request``; return (status, content type, body) or raise a one-line QueryError."""
    import urllib.error

    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as exc:
        body = exc.read().decode("utf-8", "replace").strip().splitlines()
        detail = f": {body[0][:300]}" if body else ""
        raise QueryError(f"{what}: HTTP {exc.code} {exc.reason}{detail}") from None
    except urllib.error.URLError as exc:
        raise QueryError(f"{what}: cannot reach the server ({exc.reason})") from None
    except TimeoutError:
        raise QueryError(f"{what}: no answer within the time limit of {timeout:g} s") from None
    except http.client.HTTPException as exc:
        # a reply that is not HTTP (BadStatusLine), or a server that closed the connection
        said = " ".join(str(exc).split())[:120]  # the server's words, on one line
        reason = type(exc).__name__ + (f": {said}" if said else "")
        raise QueryError(
            f"{what}: the server's reply is not a valid HTTP answer ({reason})"
        ) from None
    except ConnectionError as exc:
        raise QueryError(f"{what}: the connection failed ({exc.strerror or exc})") from None
    except ValueError as exc:  # a URL urllib cannot parse, e.g. "http://[::1"
        raise QueryError(f"{what}: not a usable URL ({exc})") from None


def _json_term(value: Mapping[str, str]) -> Node:
    kind = value.get("type")
    if kind == "uri":
        return URIRef(value["value"])
    if kind == "bnode":
        return BNode(value["value"])
    if kind in ("literal", "typed-literal"):
        datatype = value.get("datatype")
        if value.get("xml:lang"):
            return Literal(value["value"], lang=value["xml:lang"])
        if datatype == str(XSD.string):
            datatype = None
        return Literal(value["value"], datatype=datatype)
    raise QueryError(f"unexpected term in the server's answer: {dict(value)}")


def read_sparql_json(
    body: bytes, url: str
) -> tuple[bool | None, tuple[str, ...], list[dict[str, dict[str, str]]]]:
    """Parse a SPARQL 1.1 JSON results document strictly: (boolean, variables, bindings).

    Anything else (an HTML page, ``{}``, JSON of another shape) is an error naming the
    server, never an empty answer: an empty answer would let a validator report "conforms"
    for data it never saw. Every term of every binding has a known ``type`` and a string
    ``value``.
    """

    def refuse(reason: str) -> QueryError:
        return QueryError(f"{url}: the answer is not SPARQL 1.1 JSON results ({reason})")

    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise refuse("not JSON") from None
    if not isinstance(document, dict) or not isinstance(document.get("head"), dict):
        raise refuse('no "head" object')
    if "boolean" in document:
        if not isinstance(document["boolean"], bool):
            raise refuse('"boolean" is not true or false')
        return document["boolean"], (), []
    head_vars = document["head"].get("vars")
    results = document.get("results")
    if not isinstance(head_vars, list) or not all(isinstance(v, str) for v in head_vars):
        raise refuse('no "head.vars" list')
    if not isinstance(results, dict) or not isinstance(results.get("bindings"), list):
        raise refuse('no "results.bindings" list')
    for binding in results["bindings"]:
        if not isinstance(binding, dict) or not all(
            isinstance(term, dict)
            and term.get("type") in ("uri", "bnode", "literal", "typed-literal")
            and isinstance(term.get("value"), str)
            for term in binding.values()
        ):
            raise refuse(f"a malformed binding {json.dumps(binding)[:120]}")
    return None, tuple(head_vars), results["bindings"]


class EndpointStore:
    """Any SPARQL 1.1 Protocol server (query URL, e.g. Oxigraph's /query, Fuseki's /ds/sparql)."""

    name = "endpoint"

    def __init__(self, url: str, user: str | None = None, password: str | None = None) -> None:
        self.url = url
        self.opener = http_opener(url, user, password)

    def run(self, query: CheckedQuery, bindings: Mapping[str, Node], timeout: float) -> QueryResult:
        """Send ``query`` (``bindings`` as a VALUES block) and read the W3C answer."""
        import urllib.parse
        import urllib.request

        text = inject_values(query.text, bindings)
        accept = (
            "application/n-triples, text/turtle;q=0.9"
            if query.returns_graph
            else "application/sparql-results+json"
        )
        request = urllib.request.Request(  # noqa: S310 - scheme checked in http_opener
            self.url,
            data=urllib.parse.urlencode({"query": text}).encode("utf-8"),
            headers={
                "Accept": accept,
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            },
            method="POST",
        )
        _status, content_type, body = http_call(
            self.opener, request, timeout, f"{query.source} on {self.url}"
        )
        if query.returns_graph:
            graph = Graph()
            fmt = "turtle" if "turtle" in content_type else "nt"
            try:
                graph.parse(data=body.decode("utf-8"), format=fmt)
            except Exception as exc:
                raise QueryError(f"{self.url}: unreadable graph in the answer ({exc})") from None
            return QueryResult(form=query.form, graph=graph)
        boolean, variables, answers = read_sparql_json(body, self.url)
        if boolean is not None:
            return QueryResult(form=query.form, boolean=boolean)
        rows = [tuple(_json_term(a[v]) if v in a else None for v in variables) for a in answers]
        return QueryResult(form=query.form, variables=variables, rows=rows)


# The store names ``kratomkg query --store`` offers (an endpoint is chosen with --endpoint).
STORES: tuple[str, ...] = ("memory", "oxigraph")
