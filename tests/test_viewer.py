"""The offline HTML viewer, driven in Debian's headless Chromium through Playwright.

The browser is the system's ``/usr/bin/chromium`` (Playwright never downloads one). Every
request that is not ``file:``, ``data:``, ``blob:`` or ``about:`` is blocked and recorded;
the page must not make any. The last test writes the screenshot shown in the README.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import Dataset

from kratomkg import export_graph, load, to_networkx
from kratomkg.export.viewer import CYTOSCAPE_VERSION, cytoscape_source, embed_json

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("KRATOMKG_CHROMIUM", "/usr/bin/chromium")
REQUIRE_REAL_PARTS = os.environ.get("KRATOMKG_REQUIRE_REAL_PARTS") == "1"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
LOCAL = ("file:", "data:", "blob:", "about:")


def _missing(reason: str) -> None:
    if REQUIRE_REAL_PARTS:
        pytest.fail(f"{reason} (KRATOMKG_REQUIRE_REAL_PARTS=1)")
    pytest.skip(reason)


class Browser:
    """One Chromium page plus everything it logged and everything it tried to fetch."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        self.external: list[str] = []

    def open(self, path: Path) -> None:
        self.page.goto(path.as_uri())
        self.page.wait_for_function("() => window.cy && window.cy.nodes().length > 0")

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if shutil.which(CHROMIUM) is None:
        _missing(f"Chromium not found at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the Python package 'playwright' is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = chromium.new_context(viewport={"width": 1600, "height": 1000})
        page = context.new_page()
        state = Browser(page)

        def route(request_route: Any) -> None:
            url = request_route.request.url
            if url.startswith(LOCAL):
                request_route.continue_()
            else:
                state.external.append(url)
                request_route.abort()

        context.route("**/*", route)

        def console(message: Any) -> None:
            if message.type == "error":
                state.errors.append(message.text)

        page.on("console", console)
        page.on("pageerror", lambda exc: state.errors.append(str(exc)))
        yield state
        context.close()
        chromium.close()


@pytest.fixture(scope="module")
def viewer(shipped: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("viewer") / "viewer.html"
    path.write_text(export_graph(shipped, "html"), encoding="utf-8")
    return path


@pytest.fixture
def page(browser: Browser, viewer: Path) -> Browser:
    browser.open(viewer)
    return browser


def test_page_is_self_contained(viewer: Path) -> None:
    html = viewer.read_text(encoding="utf-8")
    assert "<script src" not in html
    assert "<link" not in html
    assert cytoscape_source() in html
    assert f'"cytoscape":"{CYTOSCAPE_VERSION}"' in html
    assert f'"{CYTOSCAPE_VERSION}"' in cytoscape_source()  # the vendored file is that version
    assert "Content-Security-Policy" in html


def test_embedded_json_escapes_markup() -> None:
    text = embed_json({"label": "</script><script>alert('x')</script> & more"})
    assert "<" not in text
    assert ">" not in text
    assert "&" not in text
    assert "\\u003c/script\\u003e" in text


def test_graph_renders_every_node(page: Browser, shipped: Dataset) -> None:
    expected = to_networkx(shipped)
    counts = page.js(
        """() => {
          const box = document.getElementById('cy').getBoundingClientRect();
          const inside = cy.nodes().filter(n => {
            const b = n.renderedBoundingBox();
            return n.visible() && b.w > 0 && b.x1 >= -1 && b.y1 >= -1
              && b.x2 <= box.width + 1 && b.y2 <= box.height + 1;
          });
          return {nodes: cy.nodes().length, edges: cy.edges().length, inside: inside.length};
        }"""
    )
    assert counts["nodes"] == expected.number_of_nodes()
    assert counts["edges"] == expected.number_of_edges()
    assert counts["inside"] == counts["nodes"], "every node is drawn inside the viewport"
    assert page.js("() => cy.$id('kid:mitragynine').data('label')") == "mitragynine"


def test_type_filter_hides_and_shows_nodes(page: Browser) -> None:
    risks = page.js("() => cy.nodes('[type = \"Risk\"]').length")
    assert risks > 0
    page.page.click("#type-filters input[data-key='Risk']")
    hidden = page.js(
        """() => ({
          risks: cy.nodes('[type = "Risk"]').filter(n => n.visible()).length,
          others: cy.nodes('[type != "Risk"]').filter(n => !n.visible()).length,
        })"""
    )
    assert hidden == {"risks": 0, "others": 0}
    page.page.click("#type-filters input[data-key='Risk']")
    assert page.js("() => cy.nodes('[type = \"Risk\"]').filter(n => n.visible()).length") == risks


def test_grade_filter_hides_claim_edges_of_that_grade(page: Browser) -> None:
    key = page.js("() => cy.edges('[kind = \"claim\"]')[0].data('grade_key')")
    page.page.click(f"#grade-filters input[data-key='{key}']")
    visible = page.js(
        "(k) => cy.edges('[kind = \"claim\"]').filter(e => e.data('grade_key') === k"
        " && e.visible()).length",
        key,
    )
    others = page.js(
        "(k) => cy.edges('[kind = \"claim\"]').filter(e => e.data('grade_key') !== k"
        " && !e.visible()).length",
        key,
    )
    assert (visible, others) == (0, 0)


def test_search_highlights_matching_nodes(page: Browser) -> None:
    page.page.fill("#search", "mitragynine")
    matches = page.js("() => cy.nodes('.match').map(n => n.id())")
    assert "kid:mitragynine" in matches
    assert "kid:mor" not in matches
    assert "match" in page.page.inner_text("#search-info")


def _click_at(page: Browser, position: dict[str, float]) -> None:
    box = page.js("() => document.getElementById('cy').getBoundingClientRect().toJSON()")
    page.page.mouse.click(box["x"] + position["x"], box["y"] + position["y"])


def test_clicking_a_claim_edge_shows_its_evidence_with_a_doi(page: Browser) -> None:
    # Claim edges whose evidence cites a DOI; zoom in on each until a real click hits one.
    candidates = page.js(
        """() => cy.edges('[kind = "claim"]').filter(e => {
             const c = kratomkgViewer.data.claims[e.data('iri')];
             return c.evidence.some(ev => ev.citations.some(s => s.doi));
           }).map(e => e.id())"""
    )
    assert candidates
    for edge_id in candidates[:15]:
        position = page.js(
            """(id) => { const e = cy.$id(id); cy.zoom(3); cy.center(e);
                         return e.renderedMidpoint(); }""",
            edge_id,
        )
        _click_at(page, position)
        iri = page.js("(id) => cy.$id(id).data('iri')", edge_id)
        if page.page.get_attribute("#panel", "data-claim") == iri:
            break
    else:
        pytest.fail("no click on a claim edge opened its evidence panel")
    panel = page.page.locator("#panel")
    assert panel.locator(".card.evidence").count() >= 1
    doi_links = panel.locator("a[href^='https://doi.org/10.']")
    assert doi_links.count() >= 1
    assert panel.locator(".card.risk").count() >= 1
    text = panel.inner_text()
    assert "Supports" in text or "supports" in text


def test_clicking_a_node_lists_its_claims_and_opens_one(page: Browser) -> None:
    position = page.js(
        """() => { const n = cy.$id('kid:mitragynine'); cy.zoom(2); cy.center(n);
                   return n.renderedPosition(); }"""
    )
    _click_at(page, position)
    buttons = page.page.locator("#panel button.claim-link")
    assert buttons.count() >= 1
    assert page.page.inner_text("#panel h3") == "mitragynine"
    buttons.first.click()
    assert page.page.get_attribute("#panel", "data-claim")
    assert page.page.locator("#panel .card.evidence").count() >= 1


def test_no_console_error_and_no_external_request(browser: Browser, viewer: Path) -> None:
    browser.open(viewer)
    browser.page.wait_for_timeout(300)
    assert browser.errors == []
    assert browser.external == []


def test_hostile_labels_stay_text(browser: Browser, tmp_path: Path) -> None:
    hostile = "</script><script>window.pwned = 1</script><img src=x onerror=alert(1)> & co"
    data = tmp_path / "hostile.ttl"
    data.write_text(
        "@prefix kkg: <https://w3id.org/kratomkg/ontology/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        f'<https://example.org/x> a kkg:Compound ; rdfs:label "{hostile}" .\n',
        encoding="utf-8",
    )
    page_file = tmp_path / "hostile.html"
    page_file.write_text(export_graph(load([data]), "html"), encoding="utf-8")
    browser.open(page_file)
    assert browser.js("() => window.pwned") is None
    label = browser.js("() => cy.nodes('[type = \"Compound\"]')[0].data('label')")
    assert label == " ".join(hostile.split())
    assert browser.errors == []
    assert browser.external == []


def test_screenshot_for_the_readme(page: Browser) -> None:
    """Write docs/viewer.png: the graph with one claim's evidence panel open."""
    page.js(
        """() => { const e = cy.$id(cy.edges('[kind = "claim"]').filter(
                     x => x.data('grade_key') === 'SystematicReview')[0].id());
                   e.select(); kratomkgViewer.showClaim(e.data('iri')); cy.fit(undefined, 30); }"""
    )
    page.page.wait_for_timeout(200)
    target = ROOT / "docs" / "viewer.png"
    target.parent.mkdir(exist_ok=True)
    page.page.screenshot(path=str(target))
    assert target.stat().st_size > 20_000
