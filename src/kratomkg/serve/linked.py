"""The linked-data side of the server: every IRI of the graph answers on the web.

``https://w3id.org/kratomkg/id/NAME`` names a thing (a compound, a claim, a study), not a
document, and its IRI is a slash IRI, so the server answers it with ``303 See Other`` to the
document in the format the client negotiated (``id/NAME.html`` for people, ``.ttl``,
``.jsonld``, ``.nt``, ``.rdf`` for machines), as the "Cool URIs for the Semantic Web" note and
DBpedia / Wikidata do. The documents themselves are plain resources with a fixed type, an
``ETag`` and ``Link: rel="alternate"`` pointers to their siblings, so a crawler can revalidate
them cheaply and find every format from any one of them.

The site has the same layout as the static ``dist/site/`` (see :mod:`kratomkg.site.paths`),
and the pages come from the same functions, so a page reads the same served or published.

With a remote backend (``source.graph is None``) a page is rendered from the resource's
neighbourhood (one CONSTRUCT), the landing page from a CONSTRUCT of every resource's type
and label, search from a CONSTRUCT of the resources whose values contain the words, and the
dataset description from a triple count; the viewer and the downloads need the whole graph
in memory and are not offered there.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from functools import lru_cache
from importlib.resources import files
from typing import Final, TypeVar

from rdflib import RDF, XSD, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.term import Node
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from kratomkg.errors import QueryError
from kratomkg.namespaces import GRAPH_ONTOLOGY, KID, ONTOLOGY_IRI
from kratomkg.serve.conneg import entity_tag, negotiate, none_match
from kratomkg.serve.source import Source
from kratomkg.site.paths import DOCUMENT_FORMATS, document_path, iri_for_path, relative_root

__all__ = ["DOWNLOADS", "linked_routes"]

#: Document suffix -> the serializer of :mod:`kratomkg.export.rdf` that writes it.
RDF_WRITERS: Final[dict[str, str]] = {
    "ttl": "turtle",
    "jsonld": "jsonld",
    "nt": "ntriples",
    "rdf": "rdfxml",
}

#: Document suffix -> the Content-Type it is served with.
CONTENT_TYPES: Final[dict[str, str]] = {
    "html": "text/html; charset=utf-8",
    "ttl": "text/turtle; charset=utf-8",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
}

# What a client may ask for -> the document that answers it. The order breaks ties between
# equally weighted types: HTML first (a browser, or a client with no preference), then
# Turtle (what most RDF clients, rdflib among them, read best). The aliases come last, so
# they only win when a client names nothing better (rdflib asks ``text/plain`` for nt).
_OFFERS: Final[dict[str, str]] = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/turtle": "ttl",
    "application/ld+json": "jsonld",
    "application/n-triples": "nt",
    "application/rdf+xml": "rdf",
    "application/x-turtle": "ttl",
    "text/n3": "ttl",
    "application/json": "jsonld",
    "text/plain": "nt",
}

#: The release files served under ``downloads/``: name -> media type.
DOWNLOADS: Final[dict[str, str]] = {
    "kratomkg.ttl": "text/turtle; charset=utf-8",
    "kratomkg.nt": "application/n-triples",
    "kratomkg.nq": "application/n-quads",
    "kratomkg.trig": "application/trig",
    "kratomkg.jsonld": "application/ld+json",
    "kratomkg.rdf": "application/rdf+xml",
    "context.jsonld": "application/ld+json",
}
_DOWNLOAD_WRITERS: Final[dict[str, str]] = {
    "kratomkg.ttl": "turtle",
    "kratomkg.nt": "ntriples",
    "kratomkg.nq": "nquads",
    "kratomkg.trig": "trig",
    "kratomkg.jsonld": "jsonld",
    "kratomkg.rdf": "rdfxml",
}

# The dataset description by negotiation: Turtle is the default (what VoID readers expect).
_VOID_OFFERS: Final[dict[str, str]] = {
    "text/turtle": "ttl",
    "application/ld+json": "jsonld",
    "application/n-triples": "nt",
    "application/rdf+xml": "rdf",
    "application/json": "jsonld",
    "text/plain": "nt",
}

_ONTOLOGY_QUERY: Final = (
    f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GRAPH_ONTOLOGY}> {{ ?s ?p ?o }} }}"
)

# The landing page of a remote backend: every resource's types and names, nothing more.
_INDEX_QUERY: Final = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
CONSTRUCT {{ ?s a ?type ; rdfs:label ?label ; skos:prefLabel ?pref ; schema:name ?name }}
WHERE {{
  ?s a ?type .
  FILTER(STRSTARTS(STR(?s), "{KID}"))
  OPTIONAL {{ ?s rdfs:label ?label }}
  OPTIONAL {{ ?s skos:prefLabel ?pref }}
  OPTIONAL {{ ?s schema:name ?name }}
}}
"""

# Search on a remote backend: every triple of the (at most 200) resources with a value
# containing the words; the page's own search then ranks them as it does locally. The words
# are bound inside the sub-select (a VALUES block outside it would not reach it), written as
# a SPARQL literal by the same function that writes every bound term.
_SEARCH_QUERY: Final = """
CONSTRUCT { ?s ?p ?o }
WHERE {
  {
    SELECT DISTINCT ?s WHERE {
      VALUES ?q { WORDS }
      ?s ?matched ?value .
      FILTER(STRSTARTS(STR(?s), "https://w3id.org/kratomkg/"))
      FILTER(!isBlank(?value) && CONTAINS(LCASE(STR(?value)), LCASE(STR(?q))))
    } LIMIT 200
  }
  ?s ?p ?o .
}
"""

_EXISTS_QUERY: Final = "ASK { ?resource ?p ?o }"

# The dataset description of a remote backend: the size of each kratomkg graph, and of all.
_GRAPH_COUNTS_QUERY: Final = """
SELECT ?g (COUNT(*) AS ?triples)
WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "https://w3id.org/kratomkg/graph/")) }
GROUP BY ?g
"""
_TOTAL_COUNTS_QUERY: Final = """
SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
WHERE {
  SELECT DISTINCT ?s ?p ?o WHERE {
    GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "https://w3id.org/kratomkg/graph/"))
  }
}
"""

_VOID = "http://rdfs.org/ns/void#"
# Stands for the server's root URL in the dataset description until a request names it.
_HERE: Final = "urn:x-kratomkg:here/"
#: How many of the server's addresses (``Host`` headers) keep a dataset description.
VOID_ADDRESSES: Final = 4
_SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
T = TypeVar("T")


def _integer(value: Node) -> Literal:
    return Literal(int(str(value)), datatype=XSD.integer)


def _document(
    request: Request,
    body: bytes,
    media_type: str,
    headers: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """Answer with ``body`` and its ``ETag``, or ``304 Not Modified`` when the client has it."""
    etag = entity_tag(body)
    all_headers = {"ETag": etag, **(headers or {})}
    if status_code == 200 and none_match(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=all_headers)
    return Response(body, status_code=status_code, media_type=media_type, headers=all_headers)


def _alternates(iri: URIRef, own: str) -> str:
    """``Link`` header value pointing at the other documents of ``iri`` from its ``own`` one.

    Each sibling is named where :func:`~kratomkg.site.paths.document_path` puts it, not by
    swapping the suffix: the ontology's page is ``index.html`` beside ``kratomkg.ttl``. The
    documents of one IRI share a folder, so the file name alone is the relative reference.
    """
    links = []
    for suffix, media in DOCUMENT_FORMATS.items():
        path = document_path(iri, suffix)
        if suffix != own and path is not None:
            links.append(f'<{path.rsplit("/", 1)[-1]}>; rel="alternate"; type="{media}"')
    return ", ".join(links)


def _as_dataset(graph: Graph, name: URIRef = GRAPH_ONTOLOGY) -> Dataset:
    """Wrap ``graph`` in a Dataset, the input the deterministic serializers take."""
    from kratomkg.loading import empty_dataset

    dataset = empty_dataset()
    part = dataset.graph(name)
    for triple in graph:
        part.add(triple)
    return dataset


def _serialize(graph: Graph, suffix: str) -> bytes:
    from kratomkg.export.rdf import serialize

    return serialize(_as_dataset(graph), RDF_WRITERS[suffix]).encode("utf-8")


def _split(name: str) -> tuple[str, str | None]:
    """Split ``"mitragynine.ttl"`` into ``("mitragynine", "ttl")``, or give ``(name, None)``.

    Only a known document suffix is split off, so a name with some other dot stays whole.
    """
    stem, dot, suffix = name.rpartition(".")
    if dot and stem and suffix in DOCUMENT_FORMATS:
        return stem, suffix
    return name, None


def _memo(make: Callable[[str], T]) -> Callable[[str], T]:
    """Return ``make`` computing each key once; concurrent first calls wait for the one."""
    cache: dict[str, T] = {}
    lock = threading.Lock()

    def get(key: str) -> T:
        with lock:
            if key not in cache:
                cache[key] = make(key)
            return cache[key]

    return get


class _Linked:
    """The routes' shared state: the source and what is worth computing only once.

    The data never changes while the server runs, so every document is rendered once and
    kept (the shipped graph's documents are a few megabytes in all). The dataset description
    names the server's own address, which comes from the request (its ``Host``): it is
    computed once without the address, and only the last few addresses' copies are kept,
    so a client sending many ``Host`` headers cannot fill the memory.
    """

    def __init__(self, source: Source) -> None:
        self.source = source
        #: Whether the whole graph is here, so the viewer and the downloads are served.
        self.local = source.dataset is not None
        self.document = lru_cache(maxsize=4096)(self._document)
        self.ontology_graph = _memo(self._ontology_graph)
        self.ontology_dataset = _memo(self._ontology_dataset)
        self.index_graph = _memo(self._index_graph)
        self.landing = _memo(self._landing)
        self.download = _memo(self._download)
        self.void_description = _memo(self._void_description)
        self.void = lru_cache(maxsize=VOID_ADDRESSES)(self._void)
        self.viewer = _memo(self._viewer)

    # -- the data -------------------------------------------------------------------------

    def _ontology_graph(self, _: str = "") -> Graph:
        if self.source.dataset is not None:
            from kratomkg.site.ontology_docs import ontology_graph

            return ontology_graph(self.source.dataset)
        return self.source.construct(_ONTOLOGY_QUERY, source="ontology")

    def _ontology_dataset(self, _: str = "") -> Dataset:
        if self.source.dataset is not None:
            return self.source.dataset
        return _as_dataset(self.ontology_graph(""))

    def _index_graph(self, _: str = "") -> Graph:
        """Return what the landing page is drawn from: all of it, or every type and label."""
        if self.source.graph is not None:
            return self.source.graph
        graph = self.source.construct(_INDEX_QUERY, source="landing page")
        for triple in self.ontology_graph(""):
            graph.add(triple)
        return graph

    def _landing(self, _: str = "") -> bytes:
        from kratomkg.site.pages import render_index

        downloads = list(DOWNLOADS) if self.local else None
        page = render_index(
            self.index_graph(""), root="", endpoint=True, downloads=downloads, local=self.local
        )
        return page.encode("utf-8")

    def search_graph(self, q: str) -> Graph:
        """Return a graph holding every resource matching ``q`` (all of it, when local)."""
        if self.source.graph is not None:
            return self.source.graph
        from kratomkg.querying.results import n3

        text = _SEARCH_QUERY.replace("WORDS", n3(Literal(q)))
        graph = self.source.construct(text, source="search")
        for triple in self.ontology_graph(""):
            graph.add(triple)
        return graph

    def exists(self, iri: URIRef) -> bool:
        """Tell whether the graph describes ``iri`` (it is the subject of a triple)."""
        graph = self.source.graph
        if graph is not None:
            from kratomkg.site.describe import is_known

            return is_known(graph, iri)
        from kratomkg.querying.safety import check_query

        result = self.source.store.run(
            check_query(_EXISTS_QUERY, "exists"), {"resource": iri}, self.source.timeout
        )
        return bool(result.boolean)

    # -- documents ------------------------------------------------------------------------

    def _document(self, iri: URIRef, suffix: str) -> bytes | None:
        """Return the ``suffix`` document of ``iri``, or None when the graph does not know it."""
        if iri == ONTOLOGY_IRI:
            if suffix == "html":
                from kratomkg.site.ontology_docs import ontology_html

                return ontology_html(self.ontology_dataset("")).encode("utf-8")
            return _serialize(self.ontology_graph(""), suffix)
        graph = self.source.neighbourhood(iri)
        if suffix == "html":
            from kratomkg.site.pages import render_resource

            page = render_resource(graph, iri, root="../", endpoint=True, local=self.local)
            return None if page is None else page.encode("utf-8")
        from kratomkg.site.describe import describe

        description = describe(graph, iri)
        if not len(description):
            return None
        return _serialize(description, suffix)

    def _download(self, name: str) -> bytes:
        if name == "context.jsonld":
            from kratomkg.export.rdf import jsonld_context_document

            return jsonld_context_document().encode("utf-8")
        from kratomkg.export.rdf import serialize

        if self.source.dataset is None:
            raise QueryError("the downloads need the graph in memory")
        return serialize(self.source.dataset, _DOWNLOAD_WRITERS[name]).encode("utf-8")

    def download_sizes(self) -> dict[str, int]:
        """Return the size of every release file (none with a remote backend)."""
        if self.source.dataset is None:
            return {}
        return {name: len(self.download(name)) for name in DOWNLOADS}

    def _void_description(self, _: str = "") -> Graph:
        """Return the dataset description with :data:`_HERE` standing for the address."""
        from kratomkg.site.void import void_graph

        graph = void_graph(
            self.ontology_dataset(""),
            self.download_sizes(),
            endpoint=_HERE + "sparql",
            base=_HERE,
        )
        if self.source.dataset is None:
            self._remote_counts(graph)
        return graph

    def _void(self, base: str) -> Graph:
        """Return the dataset description of this server at ``base`` (its root URL).

        The downloads, the endpoint and the description's own IRI are all under ``base``,
        so a client reads the sizes and counts of the data this server holds next to the
        addresses it serves that data at.
        """
        described = self.void_description("")
        graph = Graph()
        for prefix, namespace in described.namespaces():
            graph.bind(prefix, namespace, override=True, replace=True)

        def here(node: Node) -> Node:
            if isinstance(node, URIRef) and node.startswith(_HERE):
                return URIRef(base + node[len(_HERE) :])
            return node

        for s, p, o in described:
            graph.add((here(s), p, here(o)))
        return graph

    def _remote_counts(self, graph: Graph) -> None:
        """Replace the counts of the ontology alone with the remote store's counts.

        The class and property partitions would need a query per class and property; they
        are left out rather than describing the ontology graph only.
        """
        from kratomkg.querying.safety import check_query

        def select(text: str, name: str) -> list[tuple[Node | None, ...]]:
            return self.source.store.run(check_query(text, name), {}, self.source.timeout).rows

        void = Namespace(_VOID)
        datasets = set(graph.subjects(RDF.type, void.Dataset))
        whole = [d for d in datasets if (None, void.subset, d) not in graph]
        for part in ("classPartition", "propertyPartition"):
            for node, partition in list(graph.subject_objects(void[part])):
                graph.remove((node, void[part], partition))
                graph.remove((partition, None, None))
        for node in whole:
            for name in ("classes", "properties"):
                graph.remove((node, void[name], None))
            for subset in list(graph.objects(node, void.subset)):
                graph.remove((node, void.subset, subset))
                graph.remove((subset, None, None))
            for g, triples in select(_GRAPH_COUNTS_QUERY, "graph counts"):
                if isinstance(g, URIRef) and triples is not None:
                    graph.add((node, void.subset, g))
                    graph.add((g, RDF.type, void.Dataset))
                    graph.add((g, RDF.type, _SD.Graph))
                    graph.add((g, void.triples, _integer(triples)))
            for triples, subjects in select(_TOTAL_COUNTS_QUERY, "counts"):
                if triples is not None and subjects is not None:
                    graph.set((node, void.triples, _integer(triples)))
                    graph.set((node, void.entities, _integer(subjects)))
                    graph.set((node, void.distinctSubjects, _integer(subjects)))

    def _viewer(self, _: str = "") -> bytes:
        from kratomkg.export.viewer import write_viewer

        if self.source.dataset is None:
            raise QueryError("the viewer needs the graph in memory")
        # Each node links to its page beside the viewer, at "id/NAME.html".
        return write_viewer(self.source.dataset, pages="").encode("utf-8")


def _path(request: Request) -> str:
    """Return the request's path below the application's root, without the leading slash."""
    root = request.scope.get("root_path", "")
    path: str = request.scope["path"]
    if root and path.startswith(root):
        path = path[len(root) :]
    return path.lstrip("/")


def _not_found(request: Request, what: str | None = None, *, local: bool = True) -> Response:
    """Answer with the helpful 404 page for people, one line of text for everyone else.

    The answer depends on ``Accept``, so it says so (``Vary``): a cache must not hand the
    page to an RDF client, nor the line of text to a browser. ``local`` is whether the
    viewer and the downloads it links to are served.
    """
    vary = {"Vary": "Accept"}
    path = _path(request)
    wanted = negotiate(request.headers.get("accept"), ["text/html", "text/plain"])
    if wanted == "text/html":
        from kratomkg.site.pages import render_not_found

        page = render_not_found(path, root=relative_root(path), endpoint=True, local=local)
        return Response(page, status_code=404, media_type="text/html", headers=vary)
    text = f"Not found: {what or '/' + path} is not in this graph.\n"
    return Response(text, status_code=404, media_type="text/plain", headers=vary)


def _absolute(request: Request, path: str) -> str:
    """Return the absolute URL of the site path ``path``, below the application's root.

    The root is the request's ``root_path``: where a proxy or a ``Mount`` put these routes
    (starlette's ``base_url`` names the outermost application's root instead).
    """
    root = request.scope.get("root_path", "").rstrip("/") + "/"
    return str(request.url.replace(path=root + path, query="", fragment=""))


def _upstream_error(exc: QueryError) -> Response:
    return Response(f"The SPARQL backend failed: {exc}\n", status_code=502, media_type="text/plain")


def linked_routes(source: Source) -> list[BaseRoute]:
    """Return the routes that make every IRI of ``source`` dereferenceable, and the site.

    The last route answers every other GET with the site's 404 page, so these routes go
    last when they are composed with others.
    """
    state = _Linked(source)

    def not_found(request: Request, what: str | None = None) -> Response:
        return _not_found(request, what, local=state.local)

    async def thing(request: Request, folder: str) -> Response:
        """``/id/NAME`` or ``/ontology/NAME``: the IRI itself, or one of its documents."""
        name: str = request.path_params["name"]
        stem, suffix = _split(name)
        if suffix is not None:
            return await document(request, folder + stem, suffix)
        return await see_other(request, folder + name)

    async def see_other(request: Request, path: str) -> Response:
        iri = iri_for_path(path)
        if iri is None:
            return not_found(request)
        try:
            known = iri == ONTOLOGY_IRI or await run_in_threadpool(state.exists, iri)
        except QueryError as exc:
            return _upstream_error(exc)
        if not known:
            return not_found(request, f"<{iri}>")
        wanted = negotiate(request.headers.get("accept"), list(_OFFERS))
        if wanted is None:
            choices = ", ".join(sorted(set(DOCUMENT_FORMATS.values())))
            return Response(
                f"Not acceptable: <{iri}> is described as {choices}.\n",
                status_code=406,
                media_type="text/plain",
                headers={"Vary": "Accept"},
            )
        target = document_path(iri, _OFFERS[wanted]) or ""
        return RedirectResponse(
            _absolute(request, target), status_code=303, headers={"Vary": "Accept"}
        )

    async def document(request: Request, path: str, suffix: str) -> Response:
        iri = iri_for_path(path)
        if iri is None:
            return not_found(request)
        try:
            body = await run_in_threadpool(state.document, iri, suffix)
        except QueryError as exc:
            return _upstream_error(exc)
        if body is None:
            return not_found(request, f"<{iri}>")
        headers = {"Link": _alternates(iri, suffix)}
        return _document(request, body, CONTENT_TYPES[suffix], headers)

    async def resource(request: Request) -> Response:
        return await thing(request, "id/")

    async def term(request: Request) -> Response:
        name: str = request.path_params["name"]
        if name == "index.html":
            return await document(request, "ontology/", "html")
        stem, suffix = _split(name)
        if stem == "kratomkg" and suffix is not None and suffix != "html":
            return await document(request, "ontology/", suffix)
        return await thing(request, "ontology/")

    async def ontology(request: Request) -> Response:
        return await see_other(request, "ontology/")

    async def landing(request: Request) -> Response:
        try:
            body = await run_in_threadpool(state.landing, "")
        except QueryError as exc:
            return _upstream_error(exc)
        return _document(request, body, CONTENT_TYPES["html"])

    async def search(request: Request) -> Response:
        from kratomkg.site.pages import render_search
        from kratomkg.site.pages import search as find

        q = request.query_params.get("q", "").strip()
        wanted = negotiate(request.headers.get("accept"), ["text/html", "application/json"])
        try:
            graph = await run_in_threadpool(state.search_graph, q) if q else state.index_graph("")
        except QueryError as exc:
            return _upstream_error(exc)
        vary = {"Vary": "Accept"}
        if wanted == "application/json":
            hits = await run_in_threadpool(find, graph, q) if q else []
            body = json.dumps(hits, ensure_ascii=False, default=str).encode("utf-8")
            return _document(request, body, "application/json", vary)
        page = await run_in_threadpool(
            lambda: render_search(graph, q, root="", endpoint=True, local=state.local).encode(
                "utf-8"
            )
        )
        return _document(request, page, CONTENT_TYPES["html"], vary)

    async def stylesheet(request: Request) -> Response:
        css = (files("kratomkg.site") / "static" / "site.css").read_bytes()
        return _document(request, css, "text/css; charset=utf-8")

    async def viewer(request: Request) -> Response:
        if source.dataset is None:
            return not_found(request, "the viewer (it needs the graph in memory)")
        body = await run_in_threadpool(state.viewer, "")
        return _document(request, body, CONTENT_TYPES["html"])

    async def downloads_index(request: Request) -> Response:
        if source.dataset is None:
            return not_found(request, "the downloads (they need the graph in memory)")
        items = "\n".join(f'<li><a href="{name}">{name}</a></li>' for name in DOWNLOADS)
        page = (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            "<title>kratomkg downloads</title>"
            '<link rel="stylesheet" href="../site.css"></head><body><main>'
            f'<h1>Downloads</h1><ul>\n{items}\n</ul><p><a href="../index.html">Home</a></p>'
            "</main></body></html>\n"
        )
        return _document(request, page.encode("utf-8"), CONTENT_TYPES["html"])

    async def download(request: Request) -> Response:
        name: str = request.path_params["file"]
        if name not in DOWNLOADS or source.dataset is None:
            return not_found(request)
        body = await run_in_threadpool(state.download, name)
        return _document(request, body, DOWNLOADS[name])

    async def void(request: Request, suffix: str | None = None) -> Response:
        headers: dict[str, str] = {}
        if suffix is None:
            wanted = negotiate(request.headers.get("accept"), list(_VOID_OFFERS))
            suffix = _VOID_OFFERS[wanted] if wanted is not None else "ttl"
            headers["Vary"] = "Accept"
            if suffix == "ttl":
                headers["Content-Location"] = _absolute(request, "void.ttl")
        try:
            graph = await run_in_threadpool(state.void, _absolute(request, ""))
        except QueryError as exc:
            return _upstream_error(exc)
        body = await run_in_threadpool(_serialize, graph, suffix)
        return _document(request, body, CONTENT_TYPES[suffix], headers)

    async def void_turtle(request: Request) -> Response:
        return await void(request, "ttl")

    async def elsewhere(request: Request) -> Response:
        return not_found(request)

    return [
        Route("/", landing),
        Route("/index.html", landing),
        Route("/search", search),
        Route("/site.css", stylesheet),
        Route("/viewer.html", viewer),
        Route("/downloads/", downloads_index),
        Route("/downloads/{file}", download),
        Route("/.well-known/void", void),
        Route("/void.ttl", void_turtle),
        Route("/ontology", ontology),
        Route("/ontology/", ontology),
        Route("/ontology/{name}", term),
        Route("/id/{name}", resource),
        Route("/{path:path}", elsewhere),
    ]
