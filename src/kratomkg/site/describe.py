"""The RDF description of one resource: what a linked-data client gets when it dereferences it.

A description must be readable on its own. The resource's own triples are not enough: a client
that fetches ``kid:claim-x`` also needs to know what the IRIs it points at are (their type
and label), who points at it, and, for a claim or a risk, the evidence behind its rating, the
derived appraisal of each line, the sources cited and where the claim was made. So
:func:`describe` returns a small, closed neighbourhood, computed from the graph alone (no
clock, no order of insertion), which the sorted serializers of :mod:`kratomkg.export.rdf`
turn into the same bytes every time.

A server that keeps its data on a remote SPARQL endpoint cannot call :func:`describe` on the
whole graph. :data:`NEIGHBOURHOOD_QUERY` is one CONSTRUCT returning a superset of what both
:func:`describe` and the entity page need for one resource, so such a server fetches that
and calls the same functions on it, with the same result.
"""

from __future__ import annotations

from typing import Final

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from kratomkg.namespaces import KID, KKG, PREFIXES

__all__ = ["NEIGHBOURHOOD_QUERY", "describe", "is_known"]

# Triples kept about a resource that is only linked to (not described in full).
_SUMMARY_PREDICATES: Final = (RDF.type, RDFS.label, SKOS.prefLabel)

_ONTOLOGY_SPACE: Final = "https://w3id.org/kratomkg/ontology"

NEIGHBOURHOOD_QUERY: Final[str] = f"""\
# Everything the description and the page of $resource are built from: the ontology (labels,
# ranks, class hierarchy), every triple of $resource, of the kid: resources one link away
# (either direction) and, for a kid: resource, of the kid: resources two links away.
CONSTRUCT {{ ?s ?p ?o }}
WHERE {{
  {{
    ?s ?p ?o .
    FILTER(STRSTARTS(STR(?s), "{_ONTOLOGY_SPACE}"))
  }}
  UNION
  {{
    $resource ?p ?o .
    BIND($resource AS ?s)
  }}
  UNION
  {{
    {{ $resource ?p1 ?s }} UNION {{ ?s ?p1 $resource }}
    FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{KID}"))
    ?s ?p ?o .
  }}
  UNION
  {{
    {{ $resource ?p1 ?n }} UNION {{ ?n ?p1 $resource }}
    FILTER(STRSTARTS(STR($resource), "{KID}"))
    FILTER(isIRI(?n) && STRSTARTS(STR(?n), "{KID}"))
    {{ ?n ?p2 ?s }} UNION {{ ?s ?p2 ?n }}
    FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{KID}"))
    ?s ?p ?o .
  }}
}}
"""
"""SPARQL CONSTRUCT returning a superset of what :func:`describe` and the page of ``$resource`` use.

Bind ``resource`` (rdflib ``initBindings``, or the VALUES block of
:func:`kratomkg.querying.bindings.inject_values`). ``$resource`` only ever occurs in triple
patterns of the group that also filters on it, so both ways of binding give the same answer.
"""


def is_known(graph: Graph, iri: URIRef) -> bool:
    """Return True when ``iri`` is the subject of at least one triple (it has a page)."""
    return (iri, None, None) in graph


def _add_all(out: Graph, graph: Graph, node: Node) -> None:
    for p, o in graph.predicate_objects(node):
        out.add((node, p, o))


def _rated_context(graph: Graph, rated: Node) -> set[Node]:
    """Return the resources that explain a claim's or a risk's rating, to describe in full.

    Its evidence, the derived appraisal of each line, the sources the evidence cites, for a
    claim its risks (their own triples carry their rating) and its appearances with the
    sources they appear in.
    """
    evidence = set(graph.objects(rated, KKG.hasEvidence))
    appraisals = set(graph.subjects(KKG.appraisedFor, rated))
    risks = set(graph.objects(rated, KKG.hasRisk))
    appearances = set(graph.subjects(KKG.asserts, rated))
    sources = {s for e in evidence for s in graph.objects(e, KKG.citation)}
    sources |= {s for a in appearances for s in graph.objects(a, KKG.appearsIn)}
    return evidence | appraisals | risks | appearances | sources


def describe(graph: Graph, iri: URIRef) -> Graph:
    """Return the RDF description of ``iri`` in ``graph`` (empty when it has no triples).

    Holds every triple of ``iri``, every triple pointing at it, ``rdf:type``, ``rdfs:label``
    and ``skos:prefLabel`` of every resource and property named there, and for a claim or a
    risk the full triples of its evidence, appraisals, sources, risks and appearances.
    """
    out = Graph()
    for prefix, namespace in PREFIXES.items():
        out.bind(prefix, namespace, override=True, replace=True)
    if not is_known(graph, iri):
        return out
    full: set[Node] = {iri}
    if (iri, RDF.type, KKG.Claim) in graph or (iri, RDF.type, KKG.Risk) in graph:
        full |= _rated_context(graph, iri)
    for node in full:
        _add_all(out, graph, node)
    for s, p in graph.subject_predicates(iri):
        out.add((s, p, iri))
    linked: set[Node] = set()
    for s, p, o in out:
        linked.update((s, p))
        if not isinstance(o, Literal):
            linked.add(o)
    for node in linked - full:
        for predicate in _SUMMARY_PREDICATES:
            for value in graph.objects(node, predicate):
                out.add((node, predicate, value))
    return out
