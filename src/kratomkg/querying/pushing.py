"""Load the graph into any SPARQL server through the SPARQL 1.1 Graph Store Protocol.

Pushing is idempotent. Each named graph (ontology, kb, user, derived; or everything into the
one ``graph`` IRI given) is sent with ``POST`` (merge) by default, or with ``PUT`` when
``replace`` is set, so the graph then holds exactly this push. RDF graphs are sets, so
merging the same triples twice stores them once; blank nodes, the one thing that would
multiply, are first replaced by stable IRIs derived from their canonical labels
(skolemized), so the same data always produces the same triples. Use ``replace`` when a new
release goes over an old one: a merge never deletes the triples the new release dropped.
"""

from __future__ import annotations

import urllib.parse
import urllib.request
from dataclasses import dataclass

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.compare import to_canonical_graph

from kratomkg.errors import QueryError
from kratomkg.querying.stores import http_call, http_opener

__all__ = ["SKOLEM_BASE", "PushResult", "push"]

# Blank nodes become IRIs under this base, from their canonical (content-derived) labels.
SKOLEM_BASE = "https://w3id.org/kratomkg/.well-known/genid/"


@dataclass(frozen=True)
class PushResult:
    """What was sent where: triples per graph IRI and the HTTP method used."""

    endpoint: str
    method: str
    graphs: dict[str, int]

    @property
    def triples(self) -> int:
        """Total triples sent."""
        return sum(self.graphs.values())


def _body(graph: Graph) -> bytes:
    """Sorted N-Triples (valid Turtle) with blank nodes skolemized to stable IRIs."""
    if any(isinstance(term, BNode) for triple in graph for term in triple):
        canonical = Graph()
        for s, p, o in to_canonical_graph(graph):
            canonical.add(
                tuple(  # type: ignore[arg-type]
                    URIRef(SKOLEM_BASE + str(t)) if isinstance(t, BNode) else t for t in (s, p, o)
                )
            )
        graph = canonical
    lines = sorted({line for line in graph.serialize(format="nt").splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8")


def _graphs(dataset: Dataset, target: str | None) -> dict[str, Graph]:
    named = sorted(
        (g for g in dataset.graphs() if isinstance(g.identifier, URIRef) and len(g)),
        key=lambda g: str(g.identifier),
    )
    named = [g for g in named if not str(g.identifier).startswith("urn:x-rdflib:")]
    if target is None:
        return {str(g.identifier): g for g in named}
    union = Graph()
    for g in named:
        for triple in g:
            union.add(triple)
    return {target: union}


def _graph_url(endpoint: str, graph: str) -> str:
    separator = "&" if urllib.parse.urlsplit(endpoint).query else "?"
    return f"{endpoint}{separator}{urllib.parse.urlencode({'graph': graph})}"


def push(
    endpoint: str,
    dataset: Dataset | None = None,
    *,
    graph: str | None = None,
    replace: bool = False,
    user: str | None = None,
    password: str | None = None,
    timeout: float = 300.0,
) -> PushResult:
    """Send ``dataset`` (default: the shipped graph, derived) to a Graph Store endpoint.

    ``endpoint`` is the server's Graph Store Protocol URL (Oxigraph ``/store``, Fuseki
    ``/DATASET/data``, GraphDB ``/repositories/ID/rdf-graphs/service``, Virtuoso
    ``/sparql-graph-crud-auth``). Each named graph goes to its own IRI unless ``graph``
    names one target graph for everything. ``replace`` uses PUT (the graph afterwards holds
    exactly this data) instead of POST (merge); either way pushing twice adds nothing.
    """
    if graph is not None and (":" not in graph or any(c in graph for c in ' <>"{}|^`\\')):
        raise QueryError(f"--graph: '{graph}' is not a valid IRI")
    if dataset is None:
        from kratomkg.querying.engine import load_for_query

        dataset = load_for_query()
    opener = http_opener(endpoint, user, password)
    method = "PUT" if replace else "POST"
    sent: dict[str, int] = {}
    for iri, content in _graphs(dataset, graph).items():
        request = urllib.request.Request(  # noqa: S310 - scheme checked in http_opener
            _graph_url(endpoint, iri),
            data=_body(content),
            headers={"Content-Type": "text/turtle; charset=utf-8"},
            method=method,
        )
        http_call(opener, request, timeout, f"push of <{iri}> to {endpoint}")
        sent[iri] = len(content)
    if not sent:
        raise QueryError("push: the graph is empty, nothing to send")
    return PushResult(endpoint=endpoint, method=method, graphs=sent)
