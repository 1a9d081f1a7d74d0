"""Dereferencing the graph over HTTP: documents, landing page, search, downloads, VoID.

An RDF client must be able to follow an IRI to its description (rdflib does it against a
real ``kratomkg serve`` process), a crawler must be able to revalidate any document with its
``ETag``, and the site around the documents (landing page, search, viewer, downloads, the
dataset description) must be served for the loaded data, from the embedded store and from
a remote SPARQL backend alike.
"""

from __future__ import annotations

import re
import urllib.request
import warnings
from collections.abc import Iterator, Mapping
from html.parser import HTMLParser
from importlib.resources import files
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID
from rdflib.term import Node
from starlette.applications import Starlette
from starlette.exceptions import StarletteDeprecationWarning

from kratomkg.loading import union_graph
from kratomkg.namespaces import KID, KKG, ONTOLOGY_IRI
from kratomkg.querying.results import QueryResult
from kratomkg.querying.safety import CheckedQuery
from kratomkg.querying.stores import Store
from kratomkg.serve.app import create_app_for
from kratomkg.serve.editor import editor_routes
from kratomkg.serve.limits import Limits
from kratomkg.serve.linked import DOWNLOADS, linked_routes
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
DOCUMENTS = {
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
def graph(source: Source) -> Graph:
    assert source.graph is not None
    return source.graph


@pytest.fixture(scope="module")
def client(source: Source) -> Iterator[TestClient]:
    with TestClient(Starlette(routes=linked_routes(source)), follow_redirects=False) as test:
        yield test


@pytest.fixture(scope="module")
def remote(source: Source) -> Iterator[TestClient]:
    """The routes over a store known only through SPARQL, as a remote backend is."""
    backend = Source(store=source.store, graph=None, dataset=None, backend="sparql")
    with TestClient(Starlette(routes=linked_routes(backend)), follow_redirects=False) as test:
        yield test


# -- a real server, a real RDF client -------------------------------------------------------


def test_rdflib_dereferences_an_iri_on_the_real_server(server_url: str, graph: Graph) -> None:
    fetched = Graph().parse(server_url + "id/mitragynine")
    assert (KID.mitragynine, RDF.type, KKG.Compound) in fetched
    assert isomorphic(fetched, describe(graph, KID.mitragynine))


def test_rdflib_asking_for_json_ld_gets_json_ld(server_url: str, graph: Graph) -> None:
    fetched = Graph().parse(server_url + "id/mitragynine", format="json-ld")
    assert isomorphic(fetched, describe(graph, KID.mitragynine))


def test_the_real_server_answers_head_with_the_documents_etag(server_url: str) -> None:
    url = server_url + "id/mitragynine.ttl"
    with urllib.request.urlopen(url, timeout=30) as got:  # noqa: S310
        etag = got.headers["ETag"]
        assert got.read()
    request = urllib.request.Request(url, method="HEAD")  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as head:  # noqa: S310
        assert head.status == 200
        assert head.headers["ETag"] == etag
        assert head.read() == b""


# -- documents ------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", list(DOCUMENTS))
def test_a_document_links_its_alternates(client: TestClient, suffix: str) -> None:
    response = client.get(f"/id/mitragynine.{suffix}")
    assert response.status_code == 200
    links = re.findall(r'<([^>]+)>; rel="alternate"; type="([^"]+)"', response.headers["link"])
    assert sorted(links) == sorted(
        (f"mitragynine.{other}", media) for other, media in DOCUMENTS.items() if other != suffix
    )
    for target, media in links:
        linked = client.get("/id/" + target)
        assert linked.headers["content-type"].split(";")[0] == media


def test_the_ontology_documents(client: TestClient, source: Source) -> None:
    assert source.dataset is not None
    turtle = client.get("/ontology/kratomkg.ttl")
    assert turtle.headers["content-type"].startswith("text/turtle")
    parsed = Graph().parse(data=turtle.text, format="turtle")
    assert isomorphic(parsed, ontology_graph(source.dataset))
    docs = client.get("/ontology/index.html")
    assert docs.headers["content-type"].startswith("text/html")
    assert "Claim" in docs.text
    term = client.get("/ontology/Claim.jsonld")
    assert (KKG.Claim, None, None) in Graph().parse(data=term.text, format="json-ld")


@pytest.mark.parametrize(
    "path",
    ["/id/mitragynine.ttl", "/id/mitragynine.html", "/ontology/kratomkg.ttl", "/void.ttl"],
)
def test_a_document_is_revalidated_with_its_etag(client: TestClient, path: str) -> None:
    first = client.get(path)
    etag = first.headers["etag"]
    assert etag.startswith('"')
    assert etag.endswith('"')
    assert client.get(path).headers["etag"] == etag  # the same bytes, the same tag
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        cached = client.get(path, headers={"If-None-Match": header})
        assert cached.status_code == 304
        assert cached.content == b""
        assert cached.headers["etag"] == etag
    changed = client.get(path, headers={"If-None-Match": '"something-else"'})
    assert changed.status_code == 200
    assert changed.content == first.content


def test_different_documents_have_different_etags(client: TestClient) -> None:
    tags = {client.get(f"/id/mitragynine.{suffix}").headers["etag"] for suffix in DOCUMENTS}
    tags.add(client.get("/id/effect-analgesia.ttl").headers["etag"])
    assert len(tags) == len(DOCUMENTS) + 1


def test_head_answers_like_get_without_a_body(client: TestClient) -> None:
    got = client.get("/id/mitragynine.jsonld")
    head = client.head("/id/mitragynine.jsonld")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == got.headers["etag"]
    assert client.head("/id/mitragynine", headers={"Accept": "text/turtle"}).status_code == 303


# -- the site around the documents -----------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/index.html"])
def test_the_landing_page_links_the_served_site(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    for target in ("sparql", "viewer.html", "ontology/index.html", "void.ttl", "site.css"):
        assert f'href="{target}"' in response.text
    for name in DOWNLOADS:
        assert f'href="downloads/{name}"' in response.text


def test_search_finds_a_compound_for_people(client: TestClient) -> None:
    response = client.get("/search", params={"q": "mitragynine"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert 'href="id/mitragynine.html"' in response.text
    assert "accept" in response.headers["vary"].lower()


def test_search_answers_json_to_a_client_that_prefers_it(client: TestClient) -> None:
    response = client.get(
        "/search", params={"q": "mitragynine"}, headers={"Accept": "application/json"}
    )
    assert response.headers["content-type"].startswith("application/json")
    hits = response.json()
    assert str(KID.mitragynine) in [hit["iri"] for hit in hits]
    assert all({"iri", "label", "kind", "path"} <= set(hit) for hit in hits)
    nothing = client.get(
        "/search", params={"q": "zzz-no-such-words"}, headers={"Accept": "application/json"}
    )
    assert nothing.json() == []


def test_the_stylesheet_is_served(client: TestClient) -> None:
    response = client.get("/site.css")
    assert response.headers["content-type"].startswith("text/css")
    assert response.content == (files("kratomkg.site") / "static" / "site.css").read_bytes()


def test_the_viewer_links_each_node_to_its_page(client: TestClient) -> None:
    response = client.get("/viewer.html")
    assert response.status_code == 200
    assert "id/mitragynine.html" in response.text


def test_an_unknown_path_gets_the_not_found_page(client: TestClient) -> None:
    response = client.get("/no/such/page.html")
    assert response.status_code == 404
    assert 'href="../../site.css"' in response.text  # links work from where it was asked


# -- downloads and the dataset description --------------------------------------------------


def test_the_downloads_hold_the_loaded_graph(client: TestClient, source: Source) -> None:
    assert source.dataset is not None
    response = client.get("/downloads/kratomkg.nt")
    assert response.headers["content-type"].startswith("application/n-triples")
    parsed = Graph().parse(data=response.text, format="nt")
    assert isomorphic(parsed, union_graph(source.dataset))
    assert client.get("/downloads/nothing.ttl").status_code == 404
    listing = client.get("/downloads/")
    assert all(f'href="{name}"' in listing.text for name in DOWNLOADS)


def void_of(response_text: str, fmt: str) -> Graph:
    return Graph().parse(data=response_text, format=fmt)


def test_the_dataset_description_lists_every_download(client: TestClient) -> None:
    response = client.get("/.well-known/void")
    assert response.headers["content-type"].startswith("text/turtle")
    assert "accept" in response.headers["vary"].lower()
    assert response.headers["content-location"] == BASE + "void.ttl"
    void = void_of(response.text, "turtle")
    endpoints = set(void.objects(None, VOID.sparqlEndpoint))
    assert endpoints == {URIRef(BASE + "sparql")}
    distributions = set(void.subjects(RDF.type, DCAT.Distribution))
    titles = {str(void.value(d, DCTERMS.title)) for d in distributions}
    assert titles == set(DOWNLOADS)
    for dist in distributions:
        name = str(void.value(dist, DCTERMS.title))
        size = void.value(dist, DCAT.byteSize)
        assert isinstance(size, Literal)
        assert size.toPython() == len(client.get(f"/downloads/{name}").content)


@pytest.mark.parametrize(
    ("accept", "fmt"), [("application/ld+json", "json-ld"), ("application/n-triples", "nt")]
)
def test_the_dataset_description_by_negotiation(client: TestClient, accept: str, fmt: str) -> None:
    turtle = void_of(client.get("/void.ttl").text, "turtle")
    response = client.get("/.well-known/void", headers={"Accept": accept})
    assert response.headers["content-type"].startswith(accept)
    assert isomorphic(void_of(response.text, fmt), turtle)


# -- a remote backend -----------------------------------------------------------------------


def test_a_remote_backend_serves_the_pages_and_descriptions(
    remote: TestClient, graph: Graph
) -> None:
    assert remote.get("/id/mitragynine", headers={"Accept": "text/turtle"}).status_code == 303
    page = remote.get("/id/mitragynine.html")
    assert page.status_code == 200
    assert "mitragynine" in page.text.lower()
    turtle = remote.get("/id/mitragynine.ttl")
    parsed = Graph().parse(data=turtle.text, format="turtle")
    assert isomorphic(parsed, describe(graph, KID.mitragynine))
    assert remote.get("/id/no-such-thing").status_code == 404


def test_a_remote_backend_serves_the_ontology(remote: TestClient, source: Source) -> None:
    assert source.dataset is not None
    turtle = remote.get("/ontology/kratomkg.ttl")
    parsed = Graph().parse(data=turtle.text, format="turtle")
    assert isomorphic(parsed, ontology_graph(source.dataset))


def test_a_remote_backend_serves_landing_and_search(remote: TestClient) -> None:
    landing = remote.get("/")
    assert landing.status_code == 200
    assert 'href="id/mitragynine.html"' in landing.text
    hits = remote.get(
        "/search", params={"q": "mitragynine"}, headers={"Accept": "application/json"}
    )
    assert str(KID.mitragynine) in [hit["iri"] for hit in hits.json()]


@pytest.mark.parametrize("words", ['"} } CONSTRUCT {', "back\\slash", "line\nbreak", "'x'"])
def test_a_remote_backend_searches_for_any_words(remote: TestClient, words: str) -> None:
    # Words that occur nowhere, written to break out of a SPARQL literal if they could.
    response = remote.get("/search", params={"q": words}, headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.json() == []


def test_a_remote_backend_describes_the_whole_dataset(remote: TestClient, source: Source) -> None:
    assert source.dataset is not None
    void = void_of(remote.get("/void.ttl").text, "turtle")
    dataset = URIRef(BASE + "void.ttl")
    whole = void.value(dataset, URIRef("http://xmlns.com/foaf/0.1/primaryTopic"))
    assert whole is not None
    triples = void.value(whole, VOID.triples)
    assert isinstance(triples, Literal)
    assert triples.toPython() == len(union_graph(source.dataset))
    subsets = {g.identifier: len(g) for g in source.dataset.graphs() if len(g)}
    for subset, size in subsets.items():
        counted = void.value(URIRef(str(subset)), VOID.triples)
        assert isinstance(counted, Literal)
        assert counted.toPython() == size


def test_a_remote_backend_offers_no_viewer_or_downloads(remote: TestClient) -> None:
    assert remote.get("/viewer.html").status_code == 404
    assert remote.get("/downloads/kratomkg.ttl").status_code == 404


# -- every link the documents and pages give leads somewhere --------------------------------


class _Hrefs(HTMLParser):
    """Collect every ``href`` and ``src`` of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.targets += [value for name, value in attrs if name in {"href", "src"} and value]


def relative_links(page: str) -> set[str]:
    """Return the page's links to its own site: relative, without their fragments."""
    parser = _Hrefs()
    parser.feed(page)
    links = {urldefrag(target)[0] for target in parser.targets}
    return {link for link in links if link and not urlsplit(link).scheme}


def sample_of_pages(links: set[str]) -> list[str]:
    """Return every link but the resource and term pages, and the first three of each kind.

    The pages under ``id/`` and ``ontology/`` are all answered by one route each (a remote
    backend runs one CONSTRUCT per page), so a few of each stand for the hundreds.
    """
    kept: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    for link in sorted(links):
        folder, _, name = link.replace("../", "").rpartition("/")
        kind = (folder, name.rpartition(".")[2])
        if folder in {"id", "ontology"} and name != "index.html":
            seen[kind] = seen.get(kind, 0) + 1
            if seen[kind] > 3:
                continue
        kept.append(link)
    return kept


@pytest.mark.parametrize("iri", [KID.mitragynine, KKG.Claim, ONTOLOGY_IRI], ids=str)
@pytest.mark.parametrize("suffix", list(DOCUMENTS))
def test_every_alternate_a_document_links_is_served(
    client: TestClient, iri: URIRef, suffix: str
) -> None:
    own = document_path(iri, suffix)
    assert own is not None
    response = client.get("/" + own)
    assert response.status_code == 200, own
    links = re.findall(r'<([^>]+)>; rel="alternate"; type="([^"]+)"', response.headers["link"])
    assert len(links) == len(DOCUMENTS) - 1
    for target, media in links:
        linked = client.get(urljoin(BASE + own, target))
        assert linked.status_code == 200, (own, target)
        assert linked.headers["content-type"].split(";")[0] == media


@pytest.fixture(scope="module")
def remote_app(source: Source) -> Iterator[TestClient]:
    """The whole app (endpoint, editor, pages) over a store known only through SPARQL."""
    backend = Source(store=source.store, graph=None)
    with TestClient(create_app_for(backend), follow_redirects=False) as test:
        yield test


@pytest.mark.parametrize("path", ["/index.html", "/id/mitragynine.html", "/search?q=kratom"])
def test_a_remote_backend_links_only_what_it_serves(remote_app: TestClient, path: str) -> None:
    page = remote_app.get(path)
    assert page.status_code == 200
    links = relative_links(page.text)
    assert links
    assert not [link for link in links if "viewer.html" in link or "downloads/" in link]
    for link in sample_of_pages(links):
        answer = remote_app.get(urljoin(BASE + path.lstrip("/"), link))
        assert answer.status_code in {200, 303}, (path, link, answer.status_code)


def test_a_local_graph_still_links_the_viewer_and_the_downloads(client: TestClient) -> None:
    landing = relative_links(client.get("/index.html").text)
    assert {"viewer.html", "downloads/kratomkg.ttl"} <= landing
    assert "../viewer.html" in relative_links(client.get("/id/mitragynine.html").text)


class _TimedStore:
    """A store that records the time limit each query is given, and then runs it."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.name = store.name
        self.timeouts: list[float] = []

    def run(
        self,
        query: CheckedQuery,
        bindings: Mapping[str, Node],
        timeout: float,
        limit: int | None = None,
    ) -> QueryResult:
        self.timeouts.append(timeout)
        return self.store.run(query, bindings, timeout, limit)


def test_a_remote_backends_pages_obey_the_servers_query_timeout(source: Source) -> None:
    store = _TimedStore(source.store)
    app = create_app_for(Source(store=store, graph=None), limits=Limits(timeout=2.5))
    with TestClient(app, follow_redirects=False) as test:
        for path in ("/index.html", "/id/mitragynine", "/id/mitragynine.ttl", "/void.ttl"):
            assert test.get(path).status_code in {200, 303}, path
        assert test.get("/search", params={"q": "kratom"}).status_code == 200
    assert store.timeouts
    assert set(store.timeouts) == {2.5}


@pytest.mark.parametrize("header", ["W/{tag}", '"other", {tag}', "*"])
def test_an_editor_asset_is_revalidated_like_a_document(header: str) -> None:
    with TestClient(Starlette(routes=editor_routes())) as test:
        first = test.get("/static/editor.js")
        assert first.status_code == 200
        tag = first.headers["etag"]
        again = test.get("/static/editor.js", headers={"If-None-Match": header.format(tag=tag)})
        assert again.status_code == 304
        assert again.headers["etag"] == tag
        changed = test.get("/static/editor.js", headers={"If-None-Match": '"other"'})
        assert changed.status_code == 200
