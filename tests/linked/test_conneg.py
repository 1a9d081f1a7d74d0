"""Content negotiation on the IRIs: ``303 See Other`` to the document in the asked-for format.

Every kind of IRI the graph mints (the resources under ``kid:``, the terms under ``kkg:``
and the ontology's own IRI) is asked for with every media type a client may send, and the
document the redirect names must then be served with its type and hold the resource's
description. Most requests go to the application in process; a sample goes to a real
``kratomkg serve`` process.
"""

from __future__ import annotations

import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF
from starlette.applications import Starlette
from starlette.exceptions import StarletteDeprecationWarning
from starlette.routing import Mount

from kratomkg.namespaces import KID, KKG, ONTOLOGY_IRI
from kratomkg.serve.conneg import negotiate
from kratomkg.serve.linked import linked_routes
from kratomkg.serve.source import Source, local_source
from kratomkg.site.describe import describe
from kratomkg.site.ontology_docs import ontology_graph
from kratomkg.site.paths import document_path

with warnings.catch_warnings():
    # starlette prefers its httpx fork; its TestClient works the same on httpx itself.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

# pyLODE, which writes the ontology documentation, reads its stylesheet without closing it.
pytestmark = pytest.mark.filterwarnings(r"ignore:unclosed file .*pylode\.css:ResourceWarning")

BASE = "http://testserver/"

# The kinds of resource, by the class whose first instance (in IRI order) stands for it.
RESOURCE_KINDS = {
    "claim": KKG.Claim,
    "compound": KKG.Compound,
    "receptor": KKG.Receptor,
    "effect": KKG.Effect,
    "condition": KKG.Condition,
    "risk": KKG.Risk,
    "source": KKG.ScholarlyArticle,
    "evidence": KKG.Evidence,
}
KINDS = [*RESOURCE_KINDS, "ontology class", "ontology property", "ontology"]

# Accept header -> the document suffix it must be redirected to.
ACCEPTS = {
    "text/html": "html",
    "text/turtle": "ttl",
    "application/ld+json": "jsonld",
    "application/n-triples": "nt",
    "application/rdf+xml": "rdf",
    "text/turtle;q=0.5, application/ld+json": "jsonld",
    "application/rdf+xml;q=0.9, text/turtle": "ttl",
    "*/*": "html",
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8": "html",
    "": "html",
}

CONTENT_TYPES = {
    "html": "text/html",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
}
RDFLIB_FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "nt": "nt", "rdf": "xml"}


@pytest.fixture(scope="module")
def source() -> Source:
    return local_source()


@pytest.fixture(scope="module")
def client(source: Source) -> Iterator[TestClient]:
    with TestClient(Starlette(routes=linked_routes(source)), follow_redirects=False) as test:
        yield test


def iri_of(kind: str, graph: Graph) -> URIRef:
    """Return the IRI standing for ``kind``: the first instance of its class, or a term."""
    if kind == "ontology":
        return ONTOLOGY_IRI
    if kind == "ontology class":
        return KKG.Claim
    if kind == "ontology property":
        return KKG.hasClaimedEffect
    instances = sorted(
        s
        for s in graph.subjects(RDF.type, RESOURCE_KINDS[kind])
        if isinstance(s, URIRef) and s.startswith(str(KID))
    )
    assert instances, f"the shipped graph has no {kind}"
    return instances[0]


def expected_description(source: Source, iri: URIRef) -> Graph:
    assert source.graph is not None
    assert source.dataset is not None
    if iri == ONTOLOGY_IRI:
        return ontology_graph(source.dataset)
    return describe(source.graph, iri)


def iri_path(iri: URIRef) -> str:
    """The path the IRI is dereferenced at: its path below https://w3id.org/kratomkg/."""
    return "/" + str(iri).removeprefix("https://w3id.org/kratomkg/")


def test_the_terms_chosen_are_what_they_stand_for(source: Source) -> None:
    assert source.graph is not None
    assert (KKG.Claim, RDF.type, OWL.Class) in source.graph
    assert (KKG.hasClaimedEffect, RDF.type, OWL.ObjectProperty) in source.graph


@pytest.fixture(scope="module")
def real(server_url: str) -> Iterator[httpx.Client]:
    """A plain HTTP client of the real server process (uvicorn on loopback)."""
    with httpx.Client(base_url=server_url, follow_redirects=False, timeout=60) as http:
        yield http


@pytest.mark.parametrize("accept", list(ACCEPTS))
@pytest.mark.parametrize("kind", KINDS)
def test_an_iri_is_redirected_to_the_negotiated_document(
    real: httpx.Client, server_url: str, source: Source, kind: str, accept: str
) -> None:
    """Every kind of IRI, every media type, asked of the real server over HTTP."""
    assert source.graph is not None
    iri = iri_of(kind, source.graph)
    suffix = ACCEPTS[accept]
    response = real.get(iri_path(iri), headers={"Accept": accept})
    assert response.status_code == 303
    assert response.headers["location"] == server_url + str(document_path(iri, suffix))
    assert "accept" in response.headers["vary"].lower()

    document = real.get(response.headers["location"])
    assert document.status_code == 200
    assert document.headers["content-type"].split(";")[0] == CONTENT_TYPES[suffix]
    if suffix == "html":
        assert document.text.lstrip().lower().startswith("<!doctype html")
        return
    parsed = Graph().parse(data=document.content, format=RDFLIB_FORMATS[suffix])
    expected = expected_description(source, iri)
    assert (iri, None, None) in parsed
    assert isomorphic(parsed, expected)


def test_the_ontology_iri_with_a_trailing_slash_negotiates_too(client: TestClient) -> None:
    response = client.get("/ontology/", headers={"Accept": "text/turtle"})
    assert response.status_code == 303
    assert response.headers["location"] == BASE + "ontology/kratomkg.ttl"
    page = client.get("/ontology/", headers={"Accept": "text/html"})
    assert page.headers["location"] == BASE + "ontology/index.html"


def test_rdflib_default_accept_header_gets_turtle(client: TestClient) -> None:
    # What rdflib sends when parsing a URL without a format: every parser's type, all q=1.
    accept = "application/rdf+xml, text/n3, text/turtle, application/n-triples, application/ld+json"
    response = client.get("/id/mitragynine", headers={"Accept": accept})
    assert response.headers["location"] == BASE + "id/mitragynine.ttl"


def test_rdflib_ntriples_accept_header_gets_ntriples(client: TestClient) -> None:
    response = client.get("/id/mitragynine", headers={"Accept": "text/plain, */*;q=0.1"})
    assert response.headers["location"] == BASE + "id/mitragynine.nt"


def test_an_unacceptable_type_is_refused_with_406(client: TestClient) -> None:
    response = client.get("/id/mitragynine", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/turtle" in response.text
    assert "accept" in response.headers["vary"].lower()


@pytest.mark.parametrize("path", ["/id/no-such-thing", "/ontology/NoSuchTerm"])
def test_an_unknown_iri_is_not_found_for_people(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert path.lstrip("/") in response.text  # the page says what was asked for


@pytest.mark.parametrize("accept", ["text/turtle", "application/ld+json", "application/rdf+xml"])
def test_an_unknown_iri_is_not_found_for_rdf_clients(client: TestClient, accept: str) -> None:
    response = client.get("/id/no-such-thing", headers={"Accept": accept})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/plain")
    assert "https://w3id.org/kratomkg/id/no-such-thing" in response.text


@pytest.mark.parametrize("suffix", list(CONTENT_TYPES))
def test_an_unknown_iri_has_no_documents(client: TestClient, suffix: str) -> None:
    response = client.get(f"/id/no-such-thing.{suffix}")
    assert response.status_code == 404


def test_a_document_url_is_not_negotiated(client: TestClient) -> None:
    response = client.get("/id/mitragynine.ttl", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    assert "accept" not in response.headers.get("vary", "").lower()


def test_the_redirect_keeps_the_prefix_the_app_is_mounted_below(source: Source) -> None:
    app = Starlette(routes=[Mount("/kg", routes=linked_routes(source))])
    with TestClient(app, follow_redirects=False) as test:
        response = test.get("/kg/id/mitragynine", headers={"Accept": "text/turtle"})
        assert response.status_code == 303
        assert response.headers["location"] == BASE + "kg/id/mitragynine.ttl"
        document = test.get(response.headers["location"])
        assert document.status_code == 200
        assert (KID.mitragynine, None, None) in Graph().parse(data=document.text, format="turtle")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@pytest.mark.parametrize(
    ("accept", "suffix"), [("text/turtle", "ttl"), ("application/ld+json", "jsonld"), ("", "html")]
)
def test_the_real_server_redirects_by_accept(server_url: str, accept: str, suffix: str) -> None:
    opener = urllib.request.build_opener(_NoRedirect)
    url = server_url + "id/mitragynine"
    request = urllib.request.Request(url, headers={"Accept": accept})  # noqa: S310
    with pytest.raises(urllib.error.HTTPError) as caught:
        opener.open(request, timeout=30)
    redirect = caught.value
    redirect.close()
    assert redirect.code == 303
    assert redirect.headers["Location"] == f"{server_url}id/mitragynine.{suffix}"
    assert "accept" in redirect.headers["Vary"].lower()
    with urllib.request.urlopen(redirect.headers["Location"], timeout=30) as document:  # noqa: S310
        assert document.headers["Content-Type"].split(";")[0] == CONTENT_TYPES[suffix]


JSONLD_PROFILE = 'application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"'


@pytest.mark.parametrize(
    "accept",
    [
        JSONLD_PROFILE,
        "application/ld+json; profile=http://www.w3.org/ns/json-ld#expanded; q=0.9",
        "text/turtle;charset=utf-8;q=0.1, " + JSONLD_PROFILE,
    ],
)
def test_a_media_type_with_parameters_is_matched_by_its_type(
    client: TestClient, accept: str
) -> None:
    assert negotiate(accept, ["text/turtle", "application/ld+json"]) == "application/ld+json"
    response = client.get("/id/mitragynine", headers={"Accept": accept})
    assert response.status_code == 303
    assert response.headers["location"] == BASE + "id/mitragynine.jsonld"


def test_a_parameter_does_not_change_the_weight_of_a_range() -> None:
    accept = 'application/ld+json;profile="x";q=0, text/turtle;q=0.5'
    assert negotiate(accept, ["application/ld+json", "text/turtle"]) == "text/turtle"


@pytest.mark.parametrize("accept", ["text/html", "text/turtle", "application/ld+json"])
@pytest.mark.parametrize("path", ["/id/no-such-thing", "/no/such/page.html", "/id/nothing.ttl"])
def test_a_negotiated_not_found_says_it_varies_by_accept(
    client: TestClient, path: str, accept: str
) -> None:
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == 404
    assert "accept" in [v.strip().lower() for v in response.headers["vary"].split(",")]
