"""Site paths of the graph's IRIs: what may be a name, and where the version IRI lives.

A path comes from a request URL when the server answers it, and the IRI read from it goes
into the SPARQL a remote backend is asked; so a name that no IRI may hold is refused here,
and the N-Triples encoder of query terms refuses such an IRI too.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node
from starlette.exceptions import StarletteDeprecationWarning

from kratomkg.errors import QueryError
from kratomkg.loading import version_iri
from kratomkg.namespaces import KID, KKG, ONTOLOGY_IRI
from kratomkg.querying.bindings import inject_values
from kratomkg.querying.results import QueryResult, n3
from kratomkg.querying.safety import CheckedQuery
from kratomkg.serve.app import create_app_for
from kratomkg.serve.source import Source
from kratomkg.site.paths import document_path, iri_for_path, site_path

with warnings.catch_warnings():
    # starlette prefers its httpx fork; its TestClient works the same on httpx itself.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

# A request path that, decoded, closes the IRI of the page's query and opens a SERVICE
# call to another server in the SPARQL a remote backend would be sent.
ATTACK = (
    "id/x%3E)%20%7D%20SERVICE%20%3Curn:x%3E%20%7B%20$a%20$b%20$c%20%7D"
    "%20VALUES%20($z)%20%7B%20(%3Curn:z"
)

NAMES = ["mitragynine", "claim-7-hydroxymitragynine-analgesia", "5ht1a", "a%41b"]


@pytest.mark.parametrize("name", NAMES)
def test_resource_names_map_to_their_pages_and_back(name: str) -> None:
    iri = KID[name]
    assert site_path(iri) == f"id/{name}"
    assert iri_for_path(f"id/{name}") == iri
    assert document_path(iri, "ttl") == f"id/{name}.ttl"


def test_term_names_map_to_their_pages_and_back() -> None:
    assert site_path(KKG.Compound) == "ontology/Compound"
    assert iri_for_path("ontology/Compound") == KKG.Compound


@pytest.mark.parametrize(
    "name",
    [
        unquote(ATTACK.removeprefix("id/")),
        "x>y",
        "x<y",
        'x"y',
        "x{y",
        "x}y",
        "x|y",
        "x^y",
        "x`y",
        "x\\y",
        "x y",
        "x\ty",
        "x\ny",
        "x\x00y",
        "x\x1fy",
        "x%y",
        "x%4",
        "x%zz",
        "x/y",
        "x?y",
        "x#y",
        "..",
    ],
)
def test_names_no_iri_segment_may_hold_are_refused(name: str) -> None:
    assert iri_for_path(f"id/{name}") is None
    assert iri_for_path(f"ontology/{name}") is None
    assert site_path(str(KID) + name) is None
    assert site_path(str(KKG) + name) is None


def test_the_attack_path_names_no_iri() -> None:
    assert iri_for_path(unquote(ATTACK)) is None


def test_version_iris_map_to_the_ontology_documentation() -> None:
    assert site_path(version_iri()) == "ontology/"
    assert document_path(version_iri()) == "ontology/index.html"
    assert document_path(version_iri(), "ttl") == "ontology/kratomkg.ttl"
    assert site_path(version_iri("12.0")) == "ontology/"
    assert iri_for_path(f"ontology/{version_iri().rsplit('/', 1)[-1]}") == ONTOLOGY_IRI
    assert iri_for_path("ontology/0.1.0") == ONTOLOGY_IRI


def test_resource_names_starting_with_digits_are_not_versions() -> None:
    assert site_path(KID["7"]) == "id/7"
    assert iri_for_path("id/0.1.0") == KID["0.1.0"]


@pytest.mark.parametrize(
    "term",
    [
        URIRef("x> } SERVICE <y"),
        URIRef("https://w3id.org/kratomkg/id/a b"),
        URIRef("urn:x{y}"),
        Literal("1", datatype=URIRef("urn:x> } SERVICE <y")),
    ],
)
def test_n3_refuses_iris_that_would_break_the_query(term: Node) -> None:
    with pytest.raises(QueryError, match="no IRI may hold"):
        n3(term)


def test_values_blocks_refuse_iris_that_would_break_the_query() -> None:
    with pytest.raises(QueryError):
        inject_values("ASK { ?resource ?p ?o }", {"resource": URIRef("x> } SERVICE <y")})


def test_n3_still_writes_ordinary_terms() -> None:
    assert n3(KID.mitragynine) == "<https://w3id.org/kratomkg/id/mitragynine>"
    assert n3(URIRef("urn:a%41")) == "<urn:a%41>"
    assert n3(Literal("1", datatype=KKG.x)) == f'"1"^^<{KKG}x>'


@dataclass
class RecordingStore:
    """A SPARQL backend that keeps the text it would be sent, and knows every IRI."""

    name: str = "recording"
    sent: list[str] = field(default_factory=list)

    def run(
        self,
        query: CheckedQuery,
        bindings: Mapping[str, Node],
        timeout: float,
        limit: int | None = None,
    ) -> QueryResult:
        # What a remote backend receives: the bindings written in as a VALUES block.
        self.sent.append(inject_values(query.text, bindings))
        if query.form == "ASK":
            return QueryResult(form=query.form, boolean=True)
        return QueryResult(form=query.form, graph=Graph())


@pytest.fixture
def backend() -> tuple[TestClient, RecordingStore]:
    store = RecordingStore()
    source = Source(store=store, graph=None, backend="http://backend.invalid/query")
    return TestClient(create_app_for(source), follow_redirects=False), store


def test_the_attack_path_is_not_found_and_reaches_no_backend(
    backend: tuple[TestClient, RecordingStore],
) -> None:
    client, store = backend
    for path in (ATTACK, ATTACK + ".ttl"):
        response = client.get("/" + path, headers={"Accept": "text/turtle"})
        assert response.status_code == 404, path
    assert not [text for text in store.sent if "SERVICE" in text]


def test_an_ordinary_path_is_asked_of_the_backend(
    backend: tuple[TestClient, RecordingStore],
) -> None:
    client, store = backend
    response = client.get("/id/mitragynine", headers={"Accept": "text/turtle"})
    assert response.status_code == 303
    assert response.headers["location"].endswith("/id/mitragynine.ttl")
    assert any(f"<{KID.mitragynine}>" in text for text in store.sent)


def test_the_version_iri_is_served_the_ontology_documentation(
    backend: tuple[TestClient, RecordingStore],
) -> None:
    client, _store = backend
    name = version_iri().rsplit("/", 1)[-1]
    response = client.get(f"/ontology/{name}", headers={"Accept": "text/turtle"})
    assert response.status_code == 303
    assert response.headers["location"] == "http://testserver/ontology/kratomkg.ttl"
