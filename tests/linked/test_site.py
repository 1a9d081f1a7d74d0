"""The static linked-data site that ``kratomkg build`` writes into ``dist/site/``."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path, PurePosixPath
from unittest import mock
from urllib.parse import unquote, urlsplit
from urllib.request import Request

import pyoxigraph
import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from kratomkg._version import __version__
from kratomkg.loading import version_iri
from kratomkg.namespaces import ONTOLOGY_IRI
from kratomkg.site.build import HOSTED_SITE_URL, MANIFEST_COPY, site_digest
from kratomkg.site.htaccess import SITE_SUFFIXES, site_root_path
from kratomkg.site.ontology_docs import external_resources
from kratomkg.site.pages import resources
from kratomkg.site.paths import document_path
from tests.linked.site_release import built_release, page_links, shipped_graph

EXTERNAL = ("http:", "https:", "mailto:", "data:", "javascript:")


@pytest.fixture(scope="module")
def release() -> Path:
    return built_release()


@pytest.fixture(scope="module")
def site(release: Path) -> Path:
    return release / "site"


@pytest.fixture(scope="module")
def graph() -> Graph:
    return shipped_graph()


@pytest.fixture(scope="module")
def pages(site: Path) -> dict[str, tuple[list[str], set[str]]]:
    """Site path of every HTML page -> (its href/src values, its ids)."""
    result = {}
    for path in sorted(site.rglob("*.html")):
        parsed = page_links(path)
        result[path.relative_to(site).as_posix()] = (parsed.links, parsed.ids)
    return result


def _resource_iris(graph: Graph) -> list[URIRef]:
    return [iri for iri in resources(graph) if iri != ONTOLOGY_IRI]


def _target(page: str, link: str) -> tuple[str, str] | None:
    """Return (site path, fragment) a relative ``link`` on ``page`` points at."""
    if link.startswith(EXTERNAL):
        return None
    parts = urlsplit(link)
    assert not parts.scheme, f"{page}: {link}"
    assert not parts.netloc, f"{page}: {link}"
    base = PurePosixPath(page).parent
    joined = os.path.normpath((base / unquote(parts.path)).as_posix()) if parts.path else page
    if joined == ".":
        joined = "index.html"
    elif parts.path.endswith("/"):
        joined = f"{joined}/index.html"
    return joined, parts.fragment


def test_site_has_every_document_of_the_layout(site: Path, graph: Graph) -> None:
    for name in (
        "index.html",
        "404.html",
        "search.html",
        "site.css",
        "search.json",
        "viewer.html",
        "void.ttl",
        ".htaccess",
        "w3id.htaccess",
        "ontology/index.html",
        "ontology/kratomkg.ttl",
    ):
        assert (site / name).is_file(), name
    iris = _resource_iris(graph)
    assert len(iris) > 100
    for iri in iris:
        for suffix in SITE_SUFFIXES:
            path = document_path(iri, suffix)
            assert path is not None
            assert (site / path).is_file(), path
    assert json.loads((site / "search.json").read_text(encoding="utf-8"))


def test_downloads_are_the_release_files(release: Path, site: Path) -> None:
    files = sorted(p.name for p in release.iterdir() if p.is_file())
    assert sorted(p.name for p in (site / "downloads").iterdir()) == files
    for name in files:
        assert (site / "downloads" / name).read_bytes() == (release / name).read_bytes(), name


def test_manifest_names_the_site_digest(release: Path, site: Path) -> None:
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    every = [p for p in site.rglob("*") if p.is_file()]
    assert manifest["site"]["files"] == len(every)
    assert manifest["site"]["sha256"] == site_digest(site)
    # The digest is that of the sha256sum listing, so standard tools can check it.
    listing = "".join(
        f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(site).as_posix()}\n"
        for p in sorted(every, key=lambda p: p.relative_to(site).as_posix())
        if p.relative_to(site).as_posix() != MANIFEST_COPY
    )
    assert hashlib.sha256(listing.encode()).hexdigest() == manifest["site"]["sha256"]


def test_every_relative_link_and_fragment_resolves(
    site: Path, pages: dict[str, tuple[list[str], set[str]]]
) -> None:
    broken: list[str] = []
    checked = 0
    root = site_root_path(HOSTED_SITE_URL)  # where the test's release is published
    for page, (links, _ids) in pages.items():
        for link in links:
            if page == "404.html":
                # The host serves 404.html at whatever address was missing (id/x/y), where
                # a relative link points nowhere: its links start from the site's path.
                assert link.startswith((*EXTERNAL, root, "#")), f"404.html: {link}"
                link = link.removeprefix(root)
            else:
                assert not link.startswith("/"), f"{page}: {link} is not relative"
            target = _target(page, link)
            if target is None:
                continue
            path, fragment = target
            checked += 1
            assert not path.startswith(".."), f"{page}: {link} leaves the site"
            if not (site / path).is_file():
                broken.append(f"{page}: {link}")
            elif (
                fragment
                and path in pages
                and path != "viewer.html"  # viewer.html#kid:NAME is read by its script
                and fragment not in pages[path][1]
            ):
                broken.append(f"{page}: {link} (no id {fragment!r})")
    assert checked > 1000
    assert not broken, broken[:20]


def test_every_resource_page_is_reachable_from_the_landing_page(
    pages: dict[str, tuple[list[str], set[str]]], graph: Graph
) -> None:
    seen = {"index.html"}
    todo = ["index.html"]
    while todo:
        page = todo.pop()
        for link in pages[page][0]:
            target = _target(page, link)
            if target and target[0] in pages and target[0] not in seen:
                seen.add(target[0])
                todo.append(target[0])
    wanted = {document_path(iri, "html") for iri in _resource_iris(graph)}
    assert wanted - seen == set()
    assert "ontology/index.html" in seen


def test_no_page_loads_anything_from_another_host(site: Path) -> None:
    for path in site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert external_resources(text) == [], path.name


def test_turtle_and_jsonld_descriptions_parse_and_agree(site: Path, graph: Graph) -> None:
    for iri in _resource_iris(graph)[::7]:  # rdflib's JSON-LD reader is slow: a sample
        turtle = site / str(document_path(iri, "ttl"))
        jsonld = site / str(document_path(iri, "jsonld"))
        from_turtle = Graph().parse(turtle, format="turtle")
        from_jsonld = Graph().parse(jsonld, format="json-ld")
        assert isomorphic(from_turtle, from_jsonld), iri
        assert (iri, None, None) in from_turtle


def test_every_turtle_document_parses_with_oxigraph(site: Path) -> None:
    files = sorted(site.rglob("*.ttl"))
    assert len(files) > 100
    for path in files:
        triples = list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE))
        assert triples, path


def test_descriptions_hold_every_triple_about_their_resource(site: Path, graph: Graph) -> None:
    missing: list[str] = []
    for iri in _resource_iris(graph):
        description = Graph().parse(site / str(document_path(iri, "ttl")), format="turtle")
        for triple in graph.triples((iri, None, None)):
            if triple not in description:
                missing.append(f"{iri}: {triple}")
        for triple in graph.triples((None, None, iri)):
            if triple not in description:
                missing.append(f"{iri} (incoming): {triple}")
    assert not missing, missing[:10]


def test_ontology_documents_describe_the_ontology(site: Path) -> None:
    ontology = Graph().parse(site / "ontology" / "kratomkg.ttl", format="turtle")
    assert (ONTOLOGY_IRI, None, None) in ontology
    html = (site / "ontology" / "index.html").read_text(encoding="utf-8")
    assert "kratomkg ontology" in html
    # Links to the graph's own IRIs go to the site's pages, so they work offline; only
    # the version IRI keeps its persistent address, and that leads to these docs.
    leftover = set(re.findall(r'href="(https://w3id\.org/kratomkg/[^"]*)"', html))
    assert leftover <= {str(version_iri())}
    for link in leftover:
        assert document_path(link) == "ontology/index.html", link
        assert (site / str(document_path(link))).is_file()
    assert 'href="index.html"' in html


# A small reading of the mod_rewrite rules the site's .htaccess holds: enough to follow
# which document a request with an Accept header is sent to.
_RULE = re.compile(r"^Rewrite(Cond|Rule)\s+(.*)$")


def _rewrite(htaccess: str, path: str, accept: str, exists: set[str]) -> tuple[str, str] | None:
    conditions: list[bool] = []
    for line in htaccess.splitlines():
        match = _RULE.match(line.strip())
        if not match:
            continue
        words = shlex.split(match.group(2))
        if match.group(1) == "Cond":
            test, pattern = words[0], words[1]
            if test == "%{REQUEST_FILENAME}":
                conditions.append(path in exists)
            else:
                assert test == "%{HTTP_ACCEPT}"
                conditions.append(re.search(pattern, accept, re.IGNORECASE) is not None)
            continue
        pattern, target = words[0], words[1]
        flags = words[2] if len(words) > 2 else ""
        ok, conditions = all(conditions), []
        found = re.search(pattern, path)  # unanchored, as mod_rewrite reads a pattern
        if ok and found:
            if target == "-":
                return None
            result = found.expand(re.sub(r"\$(\d)", r"\\\1", target))
            status = re.search(r"R=(\d+)", flags)
            return (status.group(1) if status else "", result)
    return None


class _Sent(Exception):
    """Stops rdflib's request once its headers are known."""


def _rdflib_accept() -> str:
    """Return the Accept header rdflib's ``Graph.parse`` sends for a URL of unknown format."""
    sent: list[str] = []

    def capture(request: Request) -> None:
        sent.append(str(request.get_header("Accept")))
        raise _Sent

    with mock.patch("rdflib.parser._urlopen", capture), pytest.raises(_Sent):
        Graph().parse("http://example.org/id/x")
    return sent[0]


RDFLIB_ACCEPT = _rdflib_accept()

# Accept header -> the document the rules send it to: the one ``kratomkg serve`` answers it
# with, where the static site has that document.
NEGOTIATION = [
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),
    ("text/turtle", "ttl"),
    ("application/ld+json", "jsonld"),
    (RDFLIB_ACCEPT, "ttl"),  # names RDF/XML, N3, Turtle, JSON-LD, … without weights
    ("text/turtle, application/ld+json;q=0.1", "ttl"),
    ("text/n3", "ttl"),
    ("application/json", "jsonld"),
    ("application/n-triples", "html"),  # no such document on the site: the page
    ("*/*", "html"),
    ("", "html"),
]


def test_rdflib_names_both_turtle_and_jsonld() -> None:
    """The rules must not read rdflib's header as a request for JSON-LD."""
    assert "text/turtle" in RDFLIB_ACCEPT
    assert "application/ld+json" in RDFLIB_ACCEPT


@pytest.mark.parametrize(("accept", "suffix"), NEGOTIATION)
def test_htaccess_negotiates_every_suffix_to_an_existing_document(
    site: Path, graph: Graph, accept: str, suffix: str
) -> None:
    text = (site / ".htaccess").read_text(encoding="utf-8")
    exists = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    for iri in _resource_iris(graph)[::50]:
        path = str(document_path(iri, "html"))[: -len(".html")]
        assert _rewrite(text, path, accept, exists) == ("303", f"{path}.{suffix}")
        assert f"{path}.{suffix}" in exists
        assert _rewrite(text, f"{path}.{suffix}", accept, exists) is None  # served as is
    for ontology in ("ontology", "ontology/", f"ontology/{__version__}"):  # and its version IRI
        target = _rewrite(text, ontology, accept, exists)
        assert target is not None, ontology
        assert target[1] in exists


@pytest.mark.parametrize(("accept", "suffix"), NEGOTIATION)
def test_w3id_rules_send_persistent_iris_to_the_hosted_documents(
    site: Path, graph: Graph, accept: str, suffix: str
) -> None:
    text = (site / "w3id.htaccess").read_text(encoding="utf-8")
    hosted = re.search(r"Redirects to the published linked-data site at (\S+)", text)
    assert hosted is not None
    for iri in _resource_iris(graph)[::50]:
        path = str(document_path(iri, "html"))[: -len(".html")]
        assert _rewrite(text, path, accept, set()) == ("303", f"{hosted.group(1)}{path}.{suffix}")
    assert _rewrite(text, "void.ttl", accept, set()) == ("302", f"{hosted.group(1)}void.ttl")
    docs = "index.html" if suffix == "html" else f"kratomkg.{suffix}"
    for ontology in ("ontology", f"ontology/{__version__}"):
        assert _rewrite(text, ontology, accept, set()) == (
            "303",
            f"{hosted.group(1)}ontology/{docs}",
        )


@pytest.mark.parametrize("suffix", ["nt", "rdf", *SITE_SUFFIXES])
def test_a_path_with_a_document_suffix_is_not_negotiated(
    site: Path, graph: Graph, suffix: str
) -> None:
    """``id/NAME.nt`` is that document (the site has none: not found), never ``.nt.html``."""
    w3id = (site / "w3id.htaccess").read_text(encoding="utf-8")
    htaccess = (site / ".htaccess").read_text(encoding="utf-8")
    hosted = re.search(r"Redirects to the published linked-data site at (\S+)", w3id)
    assert hosted is not None
    path = str(document_path(_resource_iris(graph)[0], suffix))
    for accept in ("text/html", RDFLIB_ACCEPT, "*/*"):
        assert _rewrite(w3id, path, accept, set()) == ("302", f"{hosted.group(1)}{path}")
        assert _rewrite(htaccess, path, accept, set()) is None  # served or not found as is


def test_not_found_page_names_no_path_and_links_from_the_site_root(site: Path) -> None:
    """The host shows 404.html at any missing address, so it cannot name it or link relatively."""
    html = (site / "404.html").read_text(encoding="utf-8")
    assert "404.html" not in html
    assert "There is no page at this address." in html
    root = site_root_path(HOSTED_SITE_URL)
    assert root == "/kratomkg/"
    assert f'href="{root}index.html"' in html
    assert f'action="{root}search.html"' in html
    htaccess = (site / ".htaccess").read_text(encoding="utf-8")
    assert f"ErrorDocument 404 {root}404.html" in htaccess


def test_htaccess_declares_the_rdf_media_types(site: Path) -> None:
    text = (site / ".htaccess").read_text(encoding="utf-8")
    assert "AddType text/turtle .ttl" in text
    assert "AddType application/ld+json .jsonld" in text
    assert 'Header always append Vary "Accept"' in text


def test_a_build_in_another_process_writes_the_same_site(site: Path, tmp_path: Path) -> None:
    """Another hash seed reorders every set and dict: the bytes must not change."""
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run(
        [sys.executable, "-m", "kratomkg", "build", "--out", str(tmp_path / "dist")],
        check=True,
        capture_output=True,
        env=env,
    )
    again = tmp_path / "dist" / "site"
    ours = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    theirs = sorted(p.relative_to(again).as_posix() for p in again.rglob("*") if p.is_file())
    assert ours == theirs
    differ = [n for n in ours if (site / n).read_bytes() != (again / n).read_bytes()]
    assert differ == []


def test_forked_workers_write_the_same_files_as_one_process(
    graph: Graph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The site's resources are split between forked workers; the bytes must not change."""
    import multiprocessing
    import threading

    from kratomkg.querying.stores import FORKS
    from kratomkg.site import build

    if not FORKS:
        pytest.skip("this system cannot fork")
    iris = [iri for iri in resources(graph) if iri != ONTOLOGY_IRI][:120]  # two workers
    rdf = build._Serializers(graph)
    forks: list[str] = []
    real = multiprocessing.get_context

    def spy(method: str | None = None) -> object:
        forks.append(str(method))
        return real(method)

    monkeypatch.setattr(multiprocessing, "get_context", spy)
    monkeypatch.setattr(threading, "active_count", lambda: 2)  # as if other threads ran
    alone = build._write_resources(graph, rdf, tmp_path / "alone", iris)
    assert forks == []
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    shared = build._write_resources(graph, rdf, tmp_path / "shared", iris)
    assert forks == ["fork"]
    assert shared == sorted(alone)
    assert len(alone) == 3 * len(iris)
    for path in alone:
        assert (tmp_path / "shared" / path).read_bytes() == (tmp_path / "alone" / path).read_bytes()
