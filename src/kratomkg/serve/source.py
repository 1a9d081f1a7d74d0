"""Where the server's answers come from: the embedded store, or a remote SPARQL server.

Both kinds answer SPARQL through the same :class:`~kratomkg.querying.stores.Store`
protocol, so the endpoint, the entity pages and the dataset description never ask which
one they have. Pages are rendered by the same Python functions as the static site: the
embedded source hands them the whole graph (it is small and already in memory); the remote
one fetches a resource's neighbourhood with one CONSTRUCT and hands them that.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rdflib import Dataset, Graph, URIRef
from rdflib.term import Node

from kratomkg.querying.safety import check_query
from kratomkg.querying.stores import EndpointStore, MemoryStore, OxigraphStore, Store

__all__ = ["Source", "local_source", "remote_source"]

#: How long a page's own query may take when nothing sets a limit, in seconds.
PAGE_QUERY_TIMEOUT = 30.0


@dataclass
class Source:
    """A store to run SPARQL on, and the local graph when there is one."""

    store: Store
    #: The whole graph (ontology, data, derived triples) when it is held locally; None
    #: when the data lives on a remote server.
    graph: Graph | None
    #: The dataset the local graph came from (for counts and the dataset description).
    dataset: Dataset | None = None
    #: The remote server's query URL, when there is one.
    backend: str | None = None
    #: How long each query of a page, a search or the dataset description may take, in
    #: seconds: the server's own query limit, so a slow backend fails a page as it fails a
    #: query sent to the endpoint.
    timeout: float = PAGE_QUERY_TIMEOUT

    def construct(
        self, text: str, bindings: Mapping[str, Node] | None = None, *, source: str = "<page>"
    ) -> Graph:
        """Run a CONSTRUCT (or DESCRIBE) on the store and return its graph."""
        result = self.store.run(check_query(text, source), bindings or {}, self.timeout)
        return result.graph if result.graph is not None else Graph()

    def neighbourhood(self, iri: URIRef) -> Graph:
        """Return a graph holding everything the page and description of ``iri`` need."""
        if self.graph is not None:
            return self.graph
        from kratomkg.site.describe import NEIGHBOURHOOD_QUERY

        return self.construct(NEIGHBOURHOOD_QUERY, {"resource": iri}, source="neighbourhood")


def local_source(paths: Iterable[str | os.PathLike[str]] = (), *, kb: bool | None = None) -> Source:
    """Load and derive ``paths`` (and the shipped graph) and hold them in the embedded store.

    Oxigraph answers the endpoint when pyoxigraph is installed (it is, with ``[serve]``);
    rdflib's own engine otherwise, with the same answers.
    """
    from kratomkg.loading import union_graph
    from kratomkg.querying.engine import load_for_query

    dataset = load_for_query(paths, kb=kb)
    store: Store
    try:
        import pyoxigraph  # noqa: F401
    except ImportError:  # pragma: no cover - depends on the installed extras
        store = MemoryStore(dataset)
    else:
        store = OxigraphStore.from_dataset(lambda: dataset)
    return Source(store=store, graph=union_graph(dataset), dataset=dataset)


def remote_source(url: str, user: str | None = None, password: str | None = None) -> Source:
    """Answer from the SPARQL 1.1 server at ``url``, which holds a pushed release."""
    return Source(store=EndpointStore(url, user=user, password=password), graph=None, backend=url)
