"""The served site in a real browser: landing page, a claim page, the query editor, ontology docs.

Each page is loaded from a real ``kratomkg serve`` process into headless Chromium with every
request that leaves the server's own origin blocked and recorded, so "no console error" and
"nothing fetched from another host" are checked on what a visitor's browser really does. The
screenshots go to ``docs/serve-*.png`` when ``KRATOMKG_SCREENSHOTS=1`` (to refresh the ones
the documentation shows), to the test's temporary folder otherwise.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from rdflib import URIRef

import kratomkg
from kratomkg.site.paths import document_path
from tests.browser import chromium

DOCS = Path(__file__).resolve().parents[2] / "docs"
SCHEMA = "https://schema.org/"
#: Besides schema.org, the IRIs the embedded markup may expand to.
ALLOWED_VOCABULARIES = (
    SCHEMA,
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://www.w3.org/2000/01/rdf-schema#",
    "http://www.w3.org/2001/XMLSchema#",
    "https://w3id.org/kratomkg/ontology/",
)
KKG = "PREFIX kkg: <https://w3id.org/kratomkg/ontology/>\n"
#: What the editor test types: one row per claim with no human evidence.
TYPED_QUERY = (
    KKG
    + "SELECT ?claim ?statement WHERE {\n"
    + "  ?claim a kkg:Claim ; kkg:certainty kkg:NoHumanEvidence ; kkg:statement ?statement .\n"
    + "} ORDER BY ?claim\n"
)
#: How long a page (or a query the editor sends) may take, in milliseconds.
WAIT_MS = 30_000


def screenshot_path(name: str, tmp_path: Path) -> Path:
    """``docs/NAME`` when screenshots are asked for, the test's tmp folder otherwise."""
    if os.environ.get("KRATOMKG_SCREENSHOTS") == "1":
        return DOCS / name
    return tmp_path / name


class Visit:
    """One browser page confined to the server: what it logged and what it tried to fetch."""

    def __init__(self, browser: Any, base: str, **context_options: Any) -> None:
        self.origin = "{0.scheme}://{0.netloc}".format(urlsplit(base))
        self.context = browser.new_context(**context_options)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.external: list[str] = []
        self.requests: list[tuple[str, str]] = []
        self.context.route("**/*", self._route)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _route(self, route: Any) -> None:
        request = route.request
        url = request.url
        own = url == self.origin or url.startswith(self.origin + "/")
        if own or url.startswith(("data:", "blob:", "about:")):
            self.requests.append((request.method, url))
            route.continue_()
        else:
            self.external.append(url)
            route.abort()

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def assert_clean(self) -> None:
        """No console error and no request to any host but the server."""
        assert self.external == [], f"requests left the server: {self.external}"
        assert self.errors == [], f"console errors: {self.errors}"

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def visit(browser: Any, server_url: str) -> Iterator[Visit]:
    opened = Visit(browser, server_url, viewport={"width": 1280, "height": 900})
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def claim() -> tuple[URIRef, str]:
    """A claim of the shipped graph and its statement, as ``kratomkg.query`` answers."""
    result = kratomkg.query(
        KKG + "SELECT ?claim ?statement WHERE { ?claim a kkg:Claim ; kkg:statement ?statement "
        "; kkg:certainty ?certainty } ORDER BY ?claim LIMIT 1"
    )
    ((iri, statement),) = result.rows
    assert isinstance(iri, URIRef)
    return iri, str(statement)


def page_url(server_url: str, iri: URIRef) -> str:
    path = document_path(iri, "html")
    assert path is not None
    return server_url + path


def test_landing_page_loads_offline_and_links_the_query_editor(
    visit: Visit, server_url: str, tmp_path: Path
) -> None:
    visit.page.goto(server_url, wait_until="networkidle", timeout=WAIT_MS)
    assert visit.page.locator("h1").count() == 1
    assert visit.page.locator('a[href="sparql"]').count() >= 1
    visit.page.screenshot(path=str(screenshot_path("serve-landing.png", tmp_path)))
    visit.assert_clean()


def test_claim_page_shows_the_statement_and_loads_offline(
    visit: Visit, server_url: str, claim: tuple[URIRef, str], tmp_path: Path
) -> None:
    iri, statement = claim
    visit.page.goto(page_url(server_url, iri), wait_until="networkidle", timeout=WAIT_MS)
    assert statement in visit.page.locator("main").inner_text()
    visit.page.screenshot(path=str(screenshot_path("serve-claim.png", tmp_path)))
    visit.assert_clean()


def _refuse_remote(url: str, options: Any = None) -> Any:
    raise AssertionError(f"the JSON-LD processor tried to fetch {url}")


def _iris(node: Any) -> Iterator[str]:
    """Every type and property IRI in expanded JSON-LD (values' datatypes included)."""
    if isinstance(node, list):
        for item in node:
            yield from _iris(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@type":
                yield from value if isinstance(value, list) else [value]
            elif not key.startswith("@"):
                yield key
            if key not in ("@id", "@value", "@language"):
                yield from _iris(value)


def _nodes(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for item in node:
            yield from _nodes(item)
    elif isinstance(node, dict):
        yield node
        for key, value in node.items():
            if not key.startswith("@") or key in ("@graph", "@list", "@set"):
                yield from _nodes(value)


def test_claim_page_markup_is_schema_org_and_states_the_claim(
    visit: Visit, server_url: str, claim: tuple[URIRef, str]
) -> None:
    from pyld import jsonld  # type: ignore[import-untyped]

    iri, statement = claim
    visit.page.goto(page_url(server_url, iri), wait_until="networkidle", timeout=WAIT_MS)
    blocks = visit.page.locator('script[type="application/ld+json"]').all_text_contents()
    assert len(blocks) == 1
    expanded = jsonld.expand(json.loads(blocks[0]), {"documentLoader": _refuse_remote})
    assert expanded, "the markup expands to nothing"
    outside = sorted(i for i in set(_iris(expanded)) if not i.startswith(ALLOWED_VOCABULARIES))
    assert outside == [], f"terms outside schema.org: {outside}"
    (node,) = [n for n in _nodes(expanded) if n.get("@id") == str(iri) and "@type" in n]
    assert SCHEMA + "Claim" in node["@type"]
    assert [v["@value"] for v in node[SCHEMA + "text"]] == [statement]


@pytest.mark.parametrize("which", ["claim page", "query editor", "landing page"])
def test_page_fits_a_phone_screen(
    browser: Any, server_url: str, claim: tuple[URIRef, str], which: str
) -> None:
    url = {
        "claim page": page_url(server_url, claim[0]),
        "query editor": server_url + "sparql",
        "landing page": server_url,
    }[which]
    phone = Visit(
        browser,
        server_url,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    try:
        phone.page.goto(url, wait_until="networkidle", timeout=WAIT_MS)
        widths = phone.page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[1] == 390, "the page does not declare a device-width viewport"
        assert widths[0] <= widths[1], f"the page is {widths[0]} px wide on a {widths[1]} px screen"
        phone.assert_clean()
    finally:
        phone.close()


def test_query_editor_runs_a_typed_query_on_the_server(
    visit: Visit, server_url: str, tmp_path: Path
) -> None:
    expected = kratomkg.query(TYPED_QUERY).rows
    assert 0 < len(expected) <= 50, "the query should fit on the table's first page"
    page = visit.page
    page.goto(server_url + "sparql", wait_until="networkidle", timeout=WAIT_MS)
    page.wait_for_selector(".yasqe .CodeMirror", timeout=WAIT_MS)
    page.click(".yasqe .CodeMirror-code")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(TYPED_QUERY)
    page.click(".yasqe_queryButton")
    rows = page.locator(".yasr table.dataTable tbody tr")
    page.wait_for_function(
        "n => document.querySelectorAll('.yasr table.dataTable tbody tr').length === n",
        arg=len(expected),
        timeout=WAIT_MS,
    )
    assert rows.count() == len(expected)
    first = rows.first.inner_text()
    assert str(expected[0][1]) in first
    sent = [url for method, url in visit.requests if method == "POST"]
    assert sent == [server_url + "sparql"], f"the editor queried {sent}"
    page.screenshot(path=str(screenshot_path("serve-editor.png", tmp_path)))
    visit.assert_clean()


def test_query_editor_completes_from_this_server_only(visit: Visit, server_url: str) -> None:
    """Typing a prefix and a class name asks no remote service (prefix.cc, LOV) for completions."""
    page = visit.page
    page.goto(server_url + "sparql", wait_until="networkidle", timeout=WAIT_MS)
    page.wait_for_selector(".yasqe .CodeMirror", timeout=WAIT_MS)
    page.click(".yasqe .CodeMirror-code")
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type("PREFIX foaf: ", delay=40)
    page.keyboard.press("Enter")
    page.keyboard.type("SELECT * WHERE { ?x a schema:Drug ; schema:nam", delay=40)
    page.wait_for_timeout(1500)
    assert "schema:nam" in page.locator(".yasqe .CodeMirror").inner_text()
    visit.assert_clean()


def test_query_editor_opens_a_named_query_in_a_new_tab(visit: Visit, server_url: str) -> None:
    page = visit.page
    page.goto(server_url + "sparql", wait_until="networkidle", timeout=WAIT_MS)
    page.wait_for_selector(".yasqe .CodeMirror", timeout=WAIT_MS)
    link = page.locator('a[data-example="claims-by-certainty"]')
    link.click()
    tab = page.locator(".tabPanel.active .CodeMirror")
    assert "claim" in tab.inner_text().lower()
    assert page.url == server_url + "sparql", "the link was followed instead of opening a tab"
    assert page.locator("[role=tab], .tab").filter(has_text=link.inner_text()).count() >= 1
    visit.assert_clean()


def test_query_editor_works_without_javascript(browser: Any, server_url: str) -> None:
    plain = Visit(browser, server_url, java_script_enabled=False, accept_downloads=True)
    try:
        plain.page.goto(server_url + "sparql", wait_until="networkidle", timeout=WAIT_MS)
        form = plain.page.locator('form[method="get"][action="sparql"]')
        assert form.count() == 1
        textarea = form.locator("textarea[name=query]")
        label = plain.page.locator(f'label[for="{textarea.get_attribute("id")}"]')
        assert label.count() == 1
        textarea.fill("PREFIX kkg: <https://w3id.org/kratomkg/ontology/>\nASK { ?c a kkg:Claim }")
        # A browser asks for HTML or XML first: the endpoint answers SPARQL results XML,
        # which the browser saves as a file.
        with plain.page.expect_download(timeout=WAIT_MS) as answer:
            form.locator("button[type=submit]").click()
        saved = Path(answer.value.path()).read_text(encoding="utf-8")
        assert "/sparql?query=" in answer.value.url
        assert "<boolean>true</boolean>" in saved.replace(" ", "")
        assert plain.external == []
    finally:
        plain.close()


def test_ontology_docs_load_offline(visit: Visit, server_url: str, tmp_path: Path) -> None:
    visit.page.goto(server_url + "ontology/", wait_until="networkidle", timeout=WAIT_MS)
    assert visit.page.locator("h1").count() >= 1
    assert "Claim" in visit.page.locator("body").inner_text()
    visit.page.screenshot(path=str(screenshot_path("serve-ontology.png", tmp_path)))
    visit.assert_clean()
