"""Run a SPARQL query, ad hoc or named, on the store the user chose: the API behind the CLI.

The local stores are filled from the same loaded and derived Dataset, so a named query gives
the same answer on rdflib and on Oxigraph; an endpoint answers from whatever ``push`` put
there. Every query is checked by :mod:`kratomkg.querying.safety` before any store sees it.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping
from os import PathLike
from pathlib import Path

from rdflib import Dataset
from rdflib.term import Node

from kratomkg.errors import QueryError
from kratomkg.querying.bindings import check_name, parse_value
from kratomkg.querying.named import GRAPH_PREVIOUS, named_query
from kratomkg.querying.results import QueryResult
from kratomkg.querying.safety import check_query, with_prefixes
from kratomkg.querying.stores import EndpointStore, MemoryStore, OxigraphStore, Store

__all__ = ["DEFAULT_TIMEOUT", "MAX_TIMEOUT", "fingerprint", "load_for_query", "open_store", "query"]

DEFAULT_TIMEOUT = 30.0
#: The longest time limit accepted (a day): beyond it a timer overflows, and no query
#: that long is meant.
MAX_TIMEOUT = 86_400.0
StrPath = str | PathLike[str]


def load_for_query(
    paths: Iterable[StrPath] = (),
    *,
    kb: bool | None = None,
    compare: StrPath | None = None,
) -> Dataset:
    """Load and derive the graph a query runs on; ``compare`` adds a previous release.

    The previous release goes into :data:`~kratomkg.querying.named.GRAPH_PREVIOUS`, where
    the release-comparison queries look for it.
    """
    from kratomkg.derivation import derive
    from kratomkg.loading import load
    from kratomkg.parse import parse_into

    dataset = load(paths, kb=kb)
    derive(dataset)
    if compare is not None:
        parse_into(dataset.graph(GRAPH_PREVIOUS), Path(compare))
    return dataset


def fingerprint(
    paths: Iterable[StrPath] = (), *, kb: bool | None = None, compare: StrPath | None = None
) -> str:
    """Hash of everything a loaded graph depends on (version, rules, every input file's bytes).

    A persistent Oxigraph store filled from the same inputs has the same fingerprint, so it
    can be queried without parsing anything.
    """
    from importlib.resources import files

    from kratomkg._version import __version__
    from kratomkg.resources import kb_files, ontology_file

    user = [Path(p) for p in paths]
    inputs = [ontology_file()]
    if (not user) if kb is None else kb:
        inputs += kb_files()
    inputs += user
    digest = hashlib.sha256(f"kratomkg {__version__}\n".encode())
    rules = files("kratomkg") / "rules"
    for rule in sorted(rules.iterdir(), key=lambda r: r.name):
        digest.update(rule.name.encode() + b"\0" + rule.read_bytes())
    for role, group in (("input", inputs), ("previous", [Path(compare)] if compare else [])):
        for path in group:
            try:
                data = path.read_bytes()
            except OSError:
                data = b""  # loading reports the missing file properly
            digest.update(f"{role} {path.resolve()}\0".encode() + hashlib.sha256(data).digest())
    return digest.hexdigest()


def open_store(
    store: str = "memory",
    *,
    dataset: Dataset | None = None,
    path: StrPath | None = None,
    endpoint: str | None = None,
    user: str | None = None,
    password: str | None = None,
    fingerprint: str | None = None,
) -> Store:
    """Open a store: ``memory`` or ``oxigraph`` over ``dataset``, or a remote ``endpoint``.

    Without ``dataset`` the shipped graph is loaded and derived. For a persistent Oxigraph
    store (``path``) with a matching ``fingerprint`` nothing is loaded at all.
    """
    if endpoint is not None:
        return EndpointStore(endpoint, user=user, password=password)

    def get() -> Dataset:
        return dataset if dataset is not None else load_for_query()

    if store == "memory":
        return MemoryStore(get())
    if store == "oxigraph":
        return OxigraphStore.from_dataset(get, Path(path) if path else None, fingerprint)
    raise QueryError(f"--store: unknown store '{store}' (stores: memory, oxigraph)")


def _bindings(params: Mapping[str, str | Node]) -> dict[str, Node]:
    return {
        check_name(k): v if not isinstance(v, str) else parse_value(v, "any", f"--param {k}")
        for k, v in params.items()
    }


def query(
    sparql: str | None = None,
    *,
    named: str | None = None,
    params: Mapping[str, str | Node] | None = None,
    store: str | Store = "memory",
    dataset: Dataset | None = None,
    endpoint: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    source: str = "<query>",
    limit: int | None = None,
) -> QueryResult:
    """Run a SPARQL query (``sparql``) or a named competency query (``named``).

    ``params`` bind query variables (strings are read as in ``--param``: ``kid:mor``,
    ``<https://...>``, ``"text"@en``, ``42``); they are never pasted into the text. ``store``
    is ``memory``, ``oxigraph`` or an opened :class:`~kratomkg.querying.stores.Store`;
    ``endpoint`` sends the query to a SPARQL 1.1 Protocol server instead. The query is
    refused (:class:`~kratomkg.errors.QueryError`) if it is malformed, an update, or asks
    for ``SERVICE``, ``LOAD`` or a remote ``FROM``; it is stopped after ``timeout`` seconds.
    ``limit`` keeps the first ``limit`` rows (or graph triples); the result's ``truncated``
    tells whether the answer had more. A local store stops evaluating past the limit, so
    a limit also bounds the memory a huge answer takes.
    """
    if (sparql is None) == (named is None):
        raise QueryError("give either a SPARQL query or the name of a named query")
    raw = dict(params or {})
    if named is not None:
        definition = named_query(named)
        text, source = definition.text, f"--named {named}"
        strings = {k: v for k, v in raw.items() if isinstance(v, str)}
        bindings = definition.bindings(strings)
        bindings.update({check_name(k): v for k, v in raw.items() if not isinstance(v, str)})
    else:
        definition = None
        text = sparql or ""
        bindings = _bindings(raw)
    checked = with_prefixes(check_query(text, source))
    if not math.isfinite(timeout) or not 0 < timeout <= MAX_TIMEOUT:
        raise QueryError(
            f"--timeout must be a number of seconds above 0 and at most {MAX_TIMEOUT:g}"
            f" (got {timeout:g})"
        )
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise QueryError(f"--limit must be a whole number of rows above 0 (got {limit!r})")
    runner = (
        store
        if not isinstance(store, str)
        else open_store(store, dataset=dataset, endpoint=endpoint)
    )
    if definition is not None and definition.compares_releases:
        names = getattr(runner, "graph_names", None)
        if names is not None and str(GRAPH_PREVIOUS) not in names():
            raise QueryError(
                f"--named {named} compares two releases: give the previous one with "
                "--compare FILE (e.g. its kratomkg.nq)"
            )
    if limit is None:  # a Store written before limits existed still works
        return runner.run(checked, bindings, timeout)
    return runner.run(checked, bindings, timeout, limit=limit)
