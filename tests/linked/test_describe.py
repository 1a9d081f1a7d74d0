"""The RDF description of a resource, and the neighbourhood query a remote server runs.

The neighbourhood is fetched the way a server backed by a SPARQL endpoint fetches it (one
CONSTRUCT on an Oxigraph store, the resource bound as a VALUES block), and the description
and page computed from it must be exactly those computed from the whole graph.
"""

from __future__ import annotations

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kratomkg.loading import union_graph
from kratomkg.namespaces import KID, KKG
from kratomkg.querying.engine import load_for_query
from kratomkg.site.describe import NEIGHBOURHOOD_QUERY, describe
from kratomkg.site.pages import SiteContext, render_resource

pytest.importorskip("pyoxigraph")

from kratomkg.querying.stores import OxigraphStore
from kratomkg.serve.source import Source

CLAIM = KID["claim-kratom-leaf-analgesia-chronic-pain"]
KINDS = (
    "Claim",
    "Compound",
    "Receptor",
    "Effect",
    "Condition",
    "Risk",
    "Source",
    "Evidence",
    "EvidenceAppraisal",
    "ClaimAppearance",
    "ReceptorInteraction",
    "Class",
    "Property",
    "Term",
)


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return load_for_query()


@pytest.fixture(scope="module")
def graph(dataset: Dataset) -> Graph:
    return union_graph(dataset)


@pytest.fixture(scope="module")
def remote(dataset: Dataset) -> Source:
    """A source with no local graph: pages must come from the neighbourhood query."""
    return Source(store=OxigraphStore.from_dataset(lambda: dataset), graph=None)


@pytest.fixture(scope="module")
def samples(graph: Graph) -> dict[str, URIRef]:
    """One resource of every kind, the most linked one (the hardest neighbourhood)."""
    context = SiteContext(graph)
    best: dict[str, tuple[int, URIRef]] = {}
    for iri in context.resources():
        links = len(list(graph.predicate_objects(iri))) + len(list(graph.subject_predicates(iri)))
        kind = context.kind(iri)
        if kind not in best or links > best[kind][0]:
            best[kind] = (links, iri)
    return {kind: iri for kind, (_, iri) in best.items()}


def test_every_kind_has_a_sample(samples: dict[str, URIRef]) -> None:
    assert set(KINDS) <= set(samples)


@pytest.mark.parametrize("kind", KINDS)
def test_neighbourhood_gives_the_same_description_and_page(
    kind: str, graph: Graph, remote: Source, samples: dict[str, URIRef]
) -> None:
    iri = samples[kind]
    neighbourhood = remote.neighbourhood(iri)
    assert len(neighbourhood) < len(graph)
    expected = describe(graph, iri)
    assert len(expected) > 0
    assert set(describe(neighbourhood, iri)) == set(expected)
    page = render_resource(graph, iri)
    assert page is not None
    assert render_resource(neighbourhood, iri) == page


def test_claim_description_holds_what_a_reader_needs(graph: Graph) -> None:
    description = describe(graph, CLAIM)
    # Its own triples, with the derived rating.
    assert (CLAIM, RDF.type, KKG.Claim) in description
    assert (CLAIM, KKG.certainty, None) in description
    assert (CLAIM, KKG.explanation, None) in description
    # Every line of evidence in full, and the sources they cite.
    evidence = set(graph.objects(CLAIM, KKG.hasEvidence))
    assert len(evidence) == 7
    for line in evidence:
        assert set(graph.predicate_objects(line)) == set(description.predicate_objects(line))
        for source in graph.objects(line, KKG.citation):
            assert (source, KKG.title, None) in description
    # The appraisals (which point at the claim) and the risks with their ratings.
    appraisals = set(graph.subjects(KKG.appraisedFor, CLAIM))
    assert appraisals
    for appraisal in appraisals:
        assert (appraisal, KKG.lineCertainty, None) in description
    for risk in graph.objects(CLAIM, KKG.hasRisk):
        assert (risk, KKG.certainty, None) in description
        assert (risk, KKG.status, None) in description
    # Where it appeared: the quoted sentence and the source.
    appearances = set(graph.subjects(KKG.asserts, CLAIM))
    assert appearances
    for appearance in appearances:
        assert (appearance, KKG.quote, None) in description
        for source in graph.objects(appearance, KKG.appearsIn):
            assert (source, RDFS.label, None) in description
    # Linked resources are named: the certainty's label, the subject's type.
    certainty = graph.value(CLAIM, KKG.certainty)
    assert (certainty, RDFS.label, None) in description
    assert (KID["kratom-leaf"], RDF.type, None) in description
    # Prefixes are bound so a Turtle serialization is readable.
    assert dict(description.namespaces())["kid"] == URIRef(str(KID))


def test_description_of_a_compound_has_incoming_links_and_labels(graph: Graph) -> None:
    compound = KID.mitragynine
    description = describe(graph, compound)
    claims = set(graph.subjects(KKG.claimSubject, compound))
    assert claims
    for claim in claims:
        assert (claim, KKG.claimSubject, compound) in description
        assert (claim, RDFS.label, None) in description
    # A linked resource is summarised (type and label), not described in full.
    plant = KID["mitragyna-speciosa"]
    assert (compound, KKG.foundIn, plant) in description
    assert (plant, RDF.type, KKG.Plant) in description
    assert (plant, RDFS.label, None) in description
    assert (plant, KKG.ncbiTaxonId, None) not in description
    # Nothing else leaks in: every triple touches the compound or names a linked resource.
    for s, p, o in description:
        assert compound in (s, o) or p in (RDF.type, RDFS.label, SKOS.prefLabel)


def test_unknown_iri_has_an_empty_description(graph: Graph) -> None:
    assert len(describe(graph, KID["no-such-resource"])) == 0
    assert len(describe(graph, URIRef("https://example.org/x"))) == 0


def test_description_is_deterministic(graph: Graph) -> None:
    first = describe(graph, CLAIM).serialize(format="nt")
    again = describe(graph, CLAIM).serialize(format="nt")
    assert sorted(first.splitlines()) == sorted(again.splitlines())


def test_query_binds_the_resource_everywhere() -> None:
    # Every mention of the resource is the one variable the server binds.
    assert "$resource" in NEIGHBOURHOOD_QUERY
    assert "?resource" not in NEIGHBOURHOOD_QUERY


def test_small_graph_description() -> None:
    graph = Graph()
    a, b = KID.a, KID.b
    graph.add((a, RDF.type, KKG.Compound))
    graph.add((a, KKG.foundIn, b))
    graph.add((b, RDFS.label, Literal("bee", lang="en")))
    graph.add((b, KKG.ncbiTaxonId, Literal("1")))
    assert set(describe(graph, a)) == {
        (a, RDF.type, KKG.Compound),
        (a, KKG.foundIn, b),
        (b, RDFS.label, Literal("bee", lang="en")),
    }
    assert set(describe(graph, b)) == {
        (b, RDFS.label, Literal("bee", lang="en")),
        (b, KKG.ncbiTaxonId, Literal("1")),
        (a, KKG.foundIn, b),
        (a, RDF.type, KKG.Compound),
    }
