"""Three places to run SPARQL behind one small protocol: rdflib, Oxigraph, a remote server.

* ``memory``: rdflib over the loaded Dataset, the embedded default; parameters go in as
  ``initBindings``.
* ``oxigraph``: pyoxigraph (the ``[fast]`` extra), in memory or on disk (``path``);
  parameters go in as a VALUES block (Oxigraph's ``substitutions`` only accept
  projected variables). A persistent store remembers a fingerprint of what
  it was loaded from, so an unchanged graph is never parsed or loaded again.

The two local stores evaluate in a worker process forked from this one (on Linux), which is
killed when the time limit passes: neither a regular expression inside Python's ``re`` nor
Oxigraph's Rust code can be interrupted from a thread, and a killed process stops for real.
* ``endpoint``: any SPARQL 1.1 Protocol server; parameters go in as a VALUES block.

Each returns a :class:`~kratomkg.querying.results.QueryResult` of rdflib terms, so answers
from the three compare directly (Oxigraph writes numbers in canonical form: ``1260`` where
the source says ``1260.0``; the values are equal).
"""

from __future__ import annotations

import contextlib
import ctypes
import http.client
import json
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
import warnings
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
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

    def run(
        self,
        query: CheckedQuery,
        bindings: Mapping[str, Node],
        timeout: float,
        limit: int | None = None,
    ) -> QueryResult:
        """Evaluate ``query`` with ``bindings`` in at most ``timeout`` seconds.

        With ``limit``, keep the first ``limit`` rows (or graph triples) and mark the
        result ``truncated`` if there were more.
        """
        ...


class _Cancelled(BaseException):
    """Raised inside a worker thread whose query ran out of time."""


def _overrun(source: str, timeout: float) -> QueryError:
    return QueryError(f"{source}: the query ran longer than its time limit of {timeout:g} s")


def _timed(func: Callable[[], T], timeout: float, source: str, cancel: bool) -> T:
    """Run ``func`` in a worker thread; give up (and cancel it if possible) after ``timeout``.

    Only where no worker process can be forked: a thread cannot be stopped while it is
    inside C code (a regular expression, Oxigraph), so there the limit bounds the wait only.
    """
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
        raise _overrun(source, timeout)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]


# --- answers as a stream of messages -----------------------------------------------------

#: Rows (or triples) per message from a worker process: large enough that pickling costs
#: little per row, small enough that neither side holds a second copy of a huge answer.
_BATCH = 5000

Message = tuple[str, Any]


@dataclass(frozen=True)
class _Job:
    """What a worker needs to answer one query; plain data, so it crosses a pipe."""

    text: str
    form: str
    source: str
    bindings: dict[str, Node] = field(default_factory=dict)
    limit: int | None = None
    #: Whether the default graph is the union of all graphs: not when the query names its
    #: own dataset (FROM, FROM NAMED), which Oxigraph's union flag would override.
    union: bool = True


def _stream(head: QueryResult, items: Iterable[Any], limit: int | None) -> Iterator[Message]:
    """Yield an answer as messages: its head, batches of rows or triples, then the end.

    Graph triples are counted once each (a CONSTRUCT may produce one twice), so a limit
    of N leaves N triples in the graph. With a limit, evaluation stops at the first item
    past it: that item only tells that the answer was cut.
    """
    yield ("head", head)
    seen: set[Any] | None = set() if head.returns_graph else None
    batch: list[Any] = []
    count, truncated = 0, False
    for item in items:
        if seen is not None:
            if item in seen:
                continue
            seen.add(item)
        if limit is not None and count >= limit:
            truncated = True
            break
        batch.append(item)
        count += 1
        if len(batch) >= _BATCH:
            yield ("items", batch)
            batch = []
    if batch:
        yield ("items", batch)
    yield ("end", truncated)


def _assemble(messages: Iterable[Message]) -> QueryResult:
    """Build the QueryResult that :func:`_stream` sent; raise the error a worker sent."""
    result = QueryResult(form="SELECT")
    for kind, value in messages:
        if kind == "head":
            result = value
            if result.returns_graph:
                result.graph = Graph()
        elif kind == "items":
            if result.graph is not None:
                for triple in value:
                    result.graph.add(triple)
            else:
                result.rows.extend(value)
        elif kind == "end":
            result.truncated = bool(value)
            return result
        elif kind == "error":
            raise value
    raise QueryError("the query's answer ended early")


# --- worker processes --------------------------------------------------------------------

#: A query runs in a forked copy of this process, which is killed when its time is up:
#: the only way to stop Python's ``re`` (which holds the interpreter lock) or Oxigraph
#: (Rust, which Python cannot interrupt). ``fork`` shares the loaded graph with the copy,
#: so nothing is serialised to start it. Elsewhere a thread runs the query (see _timed).
FORKS = sys.platform.startswith("linux") and hasattr(os, "fork")


def _picklable(exc: BaseException) -> BaseException:
    """Return ``exc`` if it survives the pipe, else a QueryError carrying its message."""
    try:
        pickle.loads(pickle.dumps(exc))  # noqa: S301 - our own bytes, just written
    except Exception:
        return QueryError(str(exc) or type(exc).__name__)
    return exc


def _die_with_parent(parent: int) -> None:
    """Have Linux kill this worker when the process that forked it dies, however it dies."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _serve(
    connection: Connection, answer: Callable[[_Job], Iterator[Message]], parent: int
) -> None:
    """Answer jobs until the pipe closes, then exit at once: the worker's whole life.

    ``os._exit`` skips the parent's atexit handlers and the flushing of its buffered
    stdout, which the fork copied and which must be written once, by the parent.
    """
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        _die_with_parent(parent)
        import rdflib.plugins.sparql

        rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False  # never fetch a FROM graph
        while True:
            try:
                job = connection.recv()
            except EOFError:
                break
            try:
                for message in answer(job):
                    connection.send(message)
            except Exception as exc:
                connection.send(("error", _picklable(exc)))
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _stop(pid: int, connection: Connection) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
    connection.close()


class _Worker:
    """A forked copy of this process that answers queries, one at a time.

    Killing it is what stops an overrunning query. It is killed when its query overruns,
    when :meth:`stop` is called, when the object is garbage-collected or the interpreter
    exits, and (on Linux) when the process that forked it dies.
    """

    def __init__(self, answer: Callable[[_Job], Iterator[Message]]) -> None:
        ours, theirs = multiprocessing.Pipe()
        parent = os.getpid()
        with warnings.catch_warnings():
            # Python 3.12+ warns about forking a process that has threads; the worker
            # never runs the parent's code after the fork, only ``answer``, then _exit.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the worker, which never returns
            ours.close()
            _serve(theirs, answer, parent)
        theirs.close()
        self.pid = pid
        self.connection = ours
        self.busy = False
        self._finalizer = weakref.finalize(self, _stop, pid, ours)

    def alive(self) -> bool:
        """Whether the worker can take a job (it may have been killed with its thread)."""
        if not self._finalizer.alive:
            return False
        try:
            pid, _status = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            pid = self.pid
        if pid == self.pid:
            self._finalizer.detach()
            self.connection.close()
            return False
        return True

    def stop(self) -> None:
        """Kill the worker and reap it; it stops whatever it was computing."""
        self.busy = False
        self._finalizer()

    def ask(self, job: _Job, deadline: float, timeout: float) -> QueryResult:
        """Send ``job`` and collect its answer; kill the worker if ``deadline`` passes."""
        self.busy = True
        try:
            self.connection.send(job)
            result = _assemble(self._replies(job, deadline, timeout))
        finally:
            if self.busy:  # the exchange did not finish: the worker's state is unknown
                self.stop()
        return result

    def _replies(self, job: _Job, deadline: float, timeout: float) -> Iterator[Message]:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self.connection.poll(remaining):
                raise _overrun(job.source, timeout)
            try:
                message: Message = self.connection.recv()
            except (EOFError, OSError):
                raise QueryError(
                    f"{job.source}: the query's worker process ended without an answer"
                ) from None
            if message[0] in ("end", "error"):
                self.busy = False
            yield message


def _answer_once(
    answer: Callable[[_Job], Iterator[Message]], job: _Job, timeout: float, cancel: bool
) -> QueryResult:
    """Answer ``job`` in a worker forked for it alone (or a thread where none can fork)."""
    if not FORKS:
        return _timed(lambda: _assemble(answer(job)), timeout, job.source, cancel)
    worker = _Worker(answer)
    try:
        return worker.ask(job, time.monotonic() + timeout, timeout)
    finally:
        worker.stop()


# --- memory (rdflib) ---------------------------------------------------------------------


def _rdflib_answer(dataset: Dataset, job: _Job) -> Iterator[Message]:
    """Evaluate ``job`` with rdflib, ``bindings`` passed as ``initBindings``."""
    answer = dataset.query(job.text, initBindings=dict(job.bindings))  # type: ignore[arg-type]
    if answer.type == "ASK":
        return _stream(QueryResult(form=job.form, boolean=bool(answer.askAnswer)), (), job.limit)
    if answer.type in ("CONSTRUCT", "DESCRIBE"):
        return _stream(QueryResult(form=job.form), iter(answer), job.limit)
    names = list(answer.vars or ())
    variables = tuple(str(v) for v in names)
    # Read rdflib's solutions directly: iterating the Result keeps every solution it yields.
    solutions = getattr(answer, "_genbindings", None)
    if solutions is not None:
        answer._genbindings = None
        rows: Iterable[Any] = (tuple(b.get(v) for v in names) for b in solutions if b)
    else:
        rows = (tuple(row) for row in answer)  # type: ignore[arg-type]
    return _stream(QueryResult(form=job.form, variables=variables), rows, job.limit)


class MemoryStore:
    """rdflib's SPARQL engine over a Dataset whose default graph is the union of its graphs.

    Each query runs in a worker process forked for it, so the Dataset it sees is the one
    the caller holds at that moment, and a time limit stops even a regular expression
    that backtracks for minutes inside Python's ``re``.
    """

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

    def run(
        self,
        query: CheckedQuery,
        bindings: Mapping[str, Node],
        timeout: float,
        limit: int | None = None,
    ) -> QueryResult:
        """Evaluate ``query`` with rdflib; keep at most ``limit`` rows (or triples)."""
        refuse_remote_datasets(query, self.graph_names())
        job = _Job(query.text, query.form, query.source, dict(bindings), limit)
        dataset = self.dataset
        return _answer_once(lambda j: _rdflib_answer(dataset, j), job, timeout, cancel=True)


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


def _in_memory(ox: Any, disk: Any) -> Any:
    """Return an in-memory copy of an on-disk store; the disk handle closes as it is dropped.

    Queries run in a forked worker, and a fork copies only the forking thread: an open
    on-disk store has RocksDB threads (flush, compaction) that may hold a lock at that
    moment, which the copy then waits for forever. Reading the quads back from disk is
    still far faster than parsing and deriving the files again.
    """
    memory = ox.Store()
    memory.bulk_extend(disk.quads_for_pattern(None, None, None, None))
    return memory


def _filled(ox: Any, path: Path | None, data: bytes, fingerprint: str | None) -> Any:
    store = ox.Store() if path is None else _open(ox, path)
    store.clear()
    store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
    store.flush()
    if path is not None and fingerprint:
        (path / FINGERPRINT_FILE).write_text(fingerprint + "\n", encoding="utf-8")
    return store


def _oxigraph_answer(store: Any, job: _Job) -> Iterator[Message]:
    """Evaluate ``job`` with Oxigraph (its bindings are already a VALUES block).

    Each distinct term is converted once: the rows then share their rdflib terms, and a
    batch pickles (and the parent rebuilds) each of them once, not once per row.
    """
    import pyoxigraph as ox

    cache: dict[Any, Node | None] = {}

    def term(value: Any) -> Node | None:
        found = cache.get(value)
        if found is None and value is not None:
            if len(cache) >= 100_000:  # bounded: a huge answer of distinct terms
                cache.clear()
            found = cache[value] = _from_oxigraph(value)
        return found

    try:
        answer = store.query(job.text, use_default_graph_as_union=job.union)
        if isinstance(answer, ox.QueryBoolean):
            head = QueryResult(form=job.form, boolean=bool(answer))
            yield from _stream(head, (), job.limit)
        elif isinstance(answer, ox.QueryTriples):
            triples = ((term(t.subject), term(t.predicate), term(t.object)) for t in answer)
            yield from _stream(QueryResult(form=job.form), triples, job.limit)
        else:
            names = list(answer.variables)
            rows = (tuple(term(solution[v]) for v in names) for solution in answer)
            head = QueryResult(form=job.form, variables=tuple(v.value for v in names))
            yield from _stream(head, rows, job.limit)
    except SyntaxError as exc:
        raise QueryError(f"{job.source}: Oxigraph refused the query: {exc}") from None
    except OSError as exc:
        raise QueryError(f"{job.source}: Oxigraph failed: {exc}") from None


class OxigraphStore:
    """pyoxigraph: the fast local store, in memory or persistent on disk."""

    name = "oxigraph"

    def __init__(self, store: Any) -> None:
        self.store = store
        self._worker: _Worker | None = None
        self._lock = threading.Lock()

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
                return cls(_in_memory(ox, _open(ox, path)))
        # Parse before the store opens: nothing the loader leaves behind can pin it open.
        store = _filled(ox, path, _nquads(load()), fingerprint)
        return cls(store if path is None else _in_memory(ox, store))

    @classmethod
    def from_files(
        cls,
        paths: Iterable[str | os.PathLike[str]] = (),
        *,
        kb: bool | None = None,
        compare: str | os.PathLike[str] | None = None,
        path: Path | None = None,
        fingerprint: str | None = None,
    ) -> OxigraphStore:
        """Open a store holding ``paths`` (and the shipped graph), loaded straight into Oxigraph.

        The files never pass through rdflib: :func:`kratomkg.store_loading.load_store` parses
        and derives in Oxigraph, which holds millions of triples in a fraction of the time and
        memory. ``compare`` goes into the previous-release graph, as in
        :func:`kratomkg.querying.engine.load_for_query`; ``path`` and ``fingerprint`` work as
        in :meth:`from_dataset`.
        """
        from kratomkg.querying.named import GRAPH_PREVIOUS
        from kratomkg.store_loading import load_file, load_store

        ox = cls._module()
        if path is not None:
            path = Path(path)
            marker = path / FINGERPRINT_FILE
            fresh = marker.is_file() and marker.read_text(encoding="utf-8").strip() == fingerprint
            if fingerprint and fresh:
                return cls(_in_memory(ox, _open(ox, path)))
        store = load_store(paths, kb=kb)
        if compare is not None:
            load_file(store, Path(compare), ox.NamedNode(str(GRAPH_PREVIOUS)))
        if path is None:
            return cls(store)
        quads: bytes = store.dump(format=ox.RdfFormat.N_QUADS) or b""
        return cls(_in_memory(ox, _filled(ox, path, quads, fingerprint)))

    def close(self) -> None:
        """Release the store (an on-disk store is locked while it is open) and its worker."""
        if self._worker is not None:
            self._worker.stop()
            self._worker = None
        self.store = None

    def graph_names(self) -> set[str]:
        """IRIs of the store's named graphs."""
        return {g.value for g in self.store.named_graphs() if hasattr(g, "value")}

    def run(
        self,
        query: CheckedQuery,
        bindings: Mapping[str, Node],
        timeout: float,
        limit: int | None = None,
    ) -> QueryResult:
        """Evaluate ``query`` with Oxigraph, ``bindings`` passed as a VALUES block.

        Oxigraph evaluates in Rust, which nothing in Python can interrupt, so queries run in
        a worker process forked at the first query and kept for the next ones (a fast query
        then costs a round trip on a pipe, not a fork). A query that overruns its limit is
        stopped by killing the worker; the next query forks a new one.
        """
        refuse_remote_datasets(query, self.graph_names())
        job = _Job(
            inject_values(query.text, bindings),
            query.form,
            query.source,
            limit=limit,
            union=not query.datasets,
        )
        store = self.store
        if not FORKS:
            return _timed(
                lambda: _assemble(_oxigraph_answer(store, job)), timeout, job.source, False
            )
        deadline = time.monotonic() + timeout
        if not self._lock.acquire(timeout=timeout):  # another thread's query holds the worker
            raise _overrun(job.source, timeout)
        try:
            if self._worker is None or not self._worker.alive():
                self._worker = _Worker(lambda j: _oxigraph_answer(store, j))
            return self._worker.ask(job, deadline, timeout)
        finally:
            self._lock.release()


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

    def run(
        self,
        query: CheckedQuery,
        bindings: Mapping[str, Node],
        timeout: float,
        limit: int | None = None,
    ) -> QueryResult:
        """Send ``query`` (``bindings`` as a VALUES block) and read the W3C answer.

        The server sends its whole answer; ``limit`` cuts it after reading.
        """
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
            return _assemble(_stream(QueryResult(form=query.form), iter(graph), limit))
        boolean, variables, answers = read_sparql_json(body, self.url)
        if boolean is not None:
            return QueryResult(form=query.form, boolean=boolean)
        rows = (tuple(_json_term(a[v]) if v in a else None for v in variables) for a in answers)
        head = QueryResult(form=query.form, variables=variables)
        return _assemble(_stream(head, rows, limit))


# The store names ``kratomkg query --store`` offers (an endpoint is chosen with --endpoint).
STORES: tuple[str, ...] = ("memory", "oxigraph")
