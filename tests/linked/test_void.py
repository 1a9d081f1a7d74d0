"""The VoID + DCAT description of the dataset (``void.ttl``, ``/.well-known/void``)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any, cast

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, VOID, XSD
from starlette.applications import Starlette
from starlette.exceptions import StarletteDeprecationWarning

import kratomkg
from kratomkg.loading import load
from kratomkg.namespaces import KKG
from kratomkg.serve import linked
from kratomkg.serve.linked import DOWNLOADS, linked_routes
from kratomkg.serve.source import Source, local_source
from kratomkg.site.paths import SITE_BASE
from kratomkg.site.void import IANA_MEDIA_TYPES, void_graph
from kratomkg.validation import validate
from tests.linked.site_release import built_release

with warnings.catch_warnings():
    # starlette prefers its httpx fork; its TestClient works the same on httpx itself.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

DATASET = URIRef(f"{SITE_BASE}void.ttl#kratomkg")
SD = "http://www.w3.org/ns/sparql-service-description#"
# Registered media type of each kind of release file, by how its name ends.
EXPECTED_TYPES = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".nq": "application/n-quads",
    ".trig": "application/trig",
    ".jsonld": "application/ld+json",
    ".rdf": "application/rdf+xml",
    ".csv": "text/csv",
    ".json": "application/json",
    ".cyjs": "application/json",
    ".graphml": "application/xml",
    ".gexf": "application/xml",
    ".dot": "text/vnd.graphviz",
    ".html": "text/html",
    ".md": "text/markdown",
}


@pytest.fixture(scope="module")
def release() -> Path:
    return built_release()


@pytest.fixture(scope="module")
def void(release: Path) -> Graph:
    return Graph().parse(release / "site" / "void.ttl", format="turtle")


def _int(graph: Graph, subject: URIRef, predicate: URIRef) -> int:
    value = graph.value(subject, predicate)
    assert isinstance(value, Literal), (subject, predicate)
    return int(value)


def test_dataset_says_what_it_is(void: Graph) -> None:
    assert (DATASET, RDF.type, VOID.Dataset) in void
    assert (DATASET, RDF.type, DCAT.Dataset) in void
    assert void.value(DATASET, DCTERMS.title) is not None
    assert void.value(DATASET, DCTERMS.description) is not None
    # The data is CC BY 4.0 (the code is MIT), as the ontology header says.
    assert void.value(DATASET, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert str(void.value(DATASET, OWL.versionInfo)) == kratomkg.__version__
    assert str(void.value(DATASET, URIRef(str(DCAT) + "version"))) == kratomkg.__version__
    assert void.value(DATASET, VOID.uriSpace) == Literal("https://w3id.org/kratomkg/id/")
    assert (DATASET, VOID.vocabulary, URIRef(str(KKG))) in void
    assert list(void.objects(DATASET, VOID.exampleResource))
    assert void.value(DATASET, VOID.sparqlEndpoint) is None  # the static site has none


def test_counts_match_the_release(void: Graph, release: Path) -> None:
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    for name, count in manifest["triples"].items():
        assert (DATASET, VOID.subset, URIRef(name)) in void
        assert _int(void, URIRef(name), VOID.triples) == count
    whole = Graph().parse(release / "kratomkg.nt", format="nt")
    assert _int(void, DATASET, VOID.triples) == len(whole)
    parts = [p for p in void.objects(DATASET, VOID.propertyPartition) if isinstance(p, URIRef)]
    assert sum(_int(void, p, VOID.triples) for p in parts) == len(whole)
    claims = {s for s in whole.subjects(RDF.type, KKG.Claim)}
    by_class = {void.value(p, VOID["class"]): p for p in void.objects(DATASET, VOID.classPartition)}
    assert _int(void, by_class[KKG.Claim], VOID.entities) == len(claims)  # type: ignore[arg-type]


def test_every_release_file_is_a_distribution_with_type_and_size(
    void: Graph, release: Path
) -> None:
    files = sorted(p.name for p in release.iterdir() if p.is_file())
    assert "manifest.json" in files
    described = {}
    for dist in void.objects(DATASET, DCAT.distribution):
        url = str(void.value(dist, DCAT.downloadURL))
        described[url.removeprefix(f"{SITE_BASE}downloads/")] = dist
    assert sorted(described) == files
    for name, dist in described.items():
        local = release / "site" / "downloads" / name
        assert _int(void, dist, DCAT.byteSize) == local.stat().st_size, name  # type: ignore[arg-type]
        assert void.value(dist, DCAT.byteSize).datatype == XSD.nonNegativeInteger  # type: ignore[union-attr]
        kind = str(void.value(dist, DCAT.mediaType))
        ending = next(e for e in sorted(EXPECTED_TYPES, key=len, reverse=True) if name.endswith(e))
        assert kind == IANA_MEDIA_TYPES + EXPECTED_TYPES[ending], name
    dumps = {str(u) for u in void.objects(DATASET, VOID.dataDump)}
    assert f"{SITE_BASE}downloads/kratomkg.ttl" in dumps
    assert f"{SITE_BASE}downloads/report.md" not in dumps


def test_every_term_is_a_real_vocabulary_term(void: Graph) -> None:
    vocabularies = (VOID, DCAT, DCTERMS, FOAF, OWL, RDF)
    dcat3 = {URIRef(str(DCAT) + "version")}  # DCAT 3, not yet in rdflib's DCAT 2 list
    terms = set(void.predicates()) | set(void.objects(None, RDF.type))
    for term in terms:
        if str(term).startswith(SD):
            assert str(term) in {SD + "Graph"}
            continue
        defined = any(term in cast(Any, v) for v in vocabularies)  # closed term lists
        assert term in dcat3 or defined, term


def test_server_description_names_its_endpoint_and_its_own_address() -> None:
    dataset = load()
    validate(dataset)
    base = "http://127.0.0.1:8000/"
    graph = void_graph(
        dataset, {"kratomkg.ttl": 10}, endpoint="http://127.0.0.1:8000/sparql", base=base
    )
    ds = URIRef(f"{base}void.ttl#kratomkg")
    assert graph.value(ds, VOID.sparqlEndpoint) == URIRef("http://127.0.0.1:8000/sparql")
    assert graph.value(ds, VOID.dataDump) == URIRef(f"{base}downloads/kratomkg.ttl")


# -- the description a server answers with ---------------------------------------------------


@pytest.fixture(scope="module")
def served() -> Source:
    return local_source()


def _served_void(client: TestClient, host: str | None = None) -> Graph:
    headers = {"Host": host} if host is not None else {}
    response = client.get("/.well-known/void", headers=headers)
    assert response.status_code == 200
    return Graph().parse(data=response.text, format="turtle")


def test_a_server_describes_the_downloads_it_serves(served: Source) -> None:
    with TestClient(Starlette(routes=linked_routes(served))) as client:
        void = _served_void(client)
        base = str(client.base_url).rstrip("/") + "/"
        urls = [str(url) for url in void.objects(None, DCAT.downloadURL)]
        assert sorted(urls) == sorted(f"{base}downloads/{name}" for name in DOWNLOADS)
        for url in urls:
            download = client.get(url)
            assert download.status_code == 200, url
            dist = void.value(predicate=DCAT.downloadURL, object=URIRef(url))
            assert void.value(dist, DCAT.byteSize) == Literal(
                len(download.content), datatype=XSD.nonNegativeInteger
            )
        assert void.value(URIRef(f"{base}void.ttl"), FOAF.primaryTopic) == URIRef(
            f"{base}void.ttl#kratomkg"
        )


def test_a_server_keeps_a_description_for_a_few_addresses_only(
    served: Source, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[linked._Linked] = []

    class Recorded(linked._Linked):
        def __init__(self, source: Source) -> None:
            super().__init__(source)
            made.append(self)

    monkeypatch.setattr(linked, "_Linked", Recorded)
    with TestClient(Starlette(routes=linked_routes(served))) as client:
        for number in range(20):
            host = f"host-{number}.example:8080"
            void = _served_void(client, host)
            endpoints = set(void.objects(None, VOID.sparqlEndpoint))
            assert endpoints == {URIRef(f"http://{host}/sparql")}
    (state,) = made
    assert state.void.cache_info().currsize <= linked.VOID_ADDRESSES
