"""The viewer as part of the linked-data site: page links, claim list, permalinks, search,
phone layout and legible labels, driven in Debian's headless Chromium.

Every browser test also checks that the page logged no error and asked for nothing beyond
its own file. With ``KRATOMKG_SCREENSHOTS=1`` the last tests rewrite ``docs/viewer.png``
and ``docs/viewer-phone.png``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF, RDFS

from kratomkg import export_graph, load
from kratomkg.errors import ExportError
from kratomkg.export.projection import source_graph
from kratomkg.export.registry import shared_projections
from kratomkg.export.viewer import page_paths, write_viewer
from kratomkg.namespaces import KID, KKG

from ..browser import chromium, watch
from ..conftest import MINIMAL

ROOT = Path(__file__).resolve().parents[2]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


class Tab:
    """One Chromium page with what it logged and what it tried to fetch."""

    def __init__(self, context: Any) -> None:
        self.context = context
        self.page = context.new_page()
        self.errors: list[str] = []
        self.external: list[str] = []
        watch(context, self.page, self.errors, self.external)

    def open(self, path: Path, fragment: str = "") -> None:
        self.page.goto(path.as_uri() + fragment)
        self.page.wait_for_function("() => window.cy && window.kratomkgViewer")

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def panel_claim(self) -> str | None:
        value: str | None = self.page.get_attribute("#panel", "data-claim")
        return value

    def assert_clean(self) -> None:
        assert self.errors == []
        assert self.external == []


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def _tab(browser: Any, viewport: dict[str, int]) -> Iterator[Tab]:
    context = browser.new_context(viewport=viewport)
    tab = Tab(context)
    yield tab
    tab.assert_clean()
    context.close()


@pytest.fixture
def desktop(browser: Any) -> Iterator[Tab]:
    yield from _tab(browser, DESKTOP)


@pytest.fixture
def phone(browser: Any) -> Iterator[Tab]:
    yield from _tab(browser, PHONE)


@pytest.fixture(scope="module")
def pages(shipped: Dataset, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The viewer as a release writes it (one folder above the site) and a standalone one.

    Both come from one projection of the graph, the costly part of writing a viewer.
    """
    folder = tmp_path_factory.mktemp("viewers")
    written = {}
    with shared_projections():
        for name, prefix in (("linked", "site/"), ("standalone", None), ("again", "site/")):
            path = folder / f"{name}.html"
            path.write_text(export_graph(shipped, "html", pages=prefix), encoding="utf-8")
            written[name] = path
    return written


@pytest.fixture(scope="module")
def linked(pages: dict[str, Path]) -> Path:
    return pages["linked"]


@pytest.fixture(scope="module")
def standalone(pages: dict[str, Path]) -> Path:
    return pages["standalone"]


@pytest.fixture(scope="module")
def graph(shipped: Dataset) -> Graph:
    """The triples the viewer reads (computed once: it takes seconds)."""
    return source_graph(shipped)


def _claims(graph: Graph) -> list[URIRef]:
    return sorted(c for c in graph.subjects(RDF.type, KKG.Claim) if isinstance(c, URIRef))


def _curie(iri: str) -> str:
    return "kid:" + iri.removeprefix(str(KID))


# -- page links -------------------------------------------------------------------------


def test_page_paths_cover_resources_claims_risks_and_terms() -> None:
    # the full view's nodes include ontology terms, blank nodes and outside IRIs
    nodes = [
        {"data": {"iri": str(KID.mitragynine)}},
        {"data": {"iri": str(KKG.Compound)}},
        {"data": {"iri": "https://creativecommons.org/licenses/by/4.0/"}},
        {"data": {"iri": str(KID) + "a/b"}},
        {"data": {}},
    ]
    claim, risk = str(KID["claim-x"]), str(KID["risk-y"])
    paths = page_paths({"elements": {"nodes": nodes}, "claims": {claim: {}}, "risks": {risk: {}}})
    assert paths == {
        str(KID.mitragynine): "id/mitragynine.html",
        str(KKG.Compound): "ontology/Compound.html",
        claim: "id/claim-x.html",
        risk: "id/risk-y.html",
    }


def test_pages_prefix_is_written_and_deterministic(pages: dict[str, Path], graph: Graph) -> None:
    first = pages["linked"].read_bytes()
    assert first == pages["again"].read_bytes()
    text = first.decode("utf-8")
    assert '"root":"site/"' in text
    assert '"id/mitragynine.html"' in text
    claims = _claims(graph)
    assert all(f'"id/{c.rsplit("/", 1)[1]}.html"' in text for c in claims)
    assert '"paths"' not in pages["standalone"].read_text(encoding="utf-8")
    # the Content-Security-Policy still forbids every request
    assert "default-src 'none'" in text
    assert "connect-src" not in text


def test_pages_prefix_gets_its_trailing_slash() -> None:
    small = load([MINIMAL])
    assert '"root":"site/"' in write_viewer(small, pages="site")
    assert '"root":""' in write_viewer(small, pages="")


@pytest.mark.parametrize("bad", ["javascript:alert(1)//", "data:text/html,x"])
def test_pages_refuses_a_script_or_data_url(shipped: Dataset, bad: str) -> None:
    with pytest.raises(ExportError, match="relative path"):
        write_viewer(shipped, pages=bad)


def test_pages_applies_to_the_viewer_only(shipped: Dataset) -> None:
    with pytest.raises(ExportError, match="html viewer only"):
        export_graph(shipped, "graphml", pages="site/")


def test_panels_link_to_the_page_of_their_claim_and_node(
    desktop: Tab, linked: Path, graph: Graph
) -> None:
    desktop.open(linked)
    claim = str(_claims(graph)[0])
    assert desktop.js("(iri) => kratomkgViewer.open(iri)", claim)
    link = desktop.page.locator("#panel a.page-link")
    assert link.inner_text() == "Page for this claim"
    assert link.get_attribute("href") == "site/id/" + claim.rsplit("/", 1)[1] + ".html"
    assert desktop.js("() => kratomkgViewer.open('kid:mitragynine')")
    assert link.inner_text() == "Page for this compound"
    assert link.get_attribute("href") == "site/id/mitragynine.html"
    assert desktop.js("() => kratomkgViewer.open('kid:risk-dependence')")
    assert link.get_attribute("href") == "site/id/risk-dependence.html"


def test_standalone_viewer_has_no_page_links(desktop: Tab, standalone: Path, graph: Graph) -> None:
    desktop.open(standalone)
    assert desktop.js("(iri) => kratomkgViewer.open(iri)", str(_claims(graph)[0]))
    assert desktop.js("() => kratomkgViewer.open('kid:mitragynine')")
    assert desktop.page.locator("a.page-link").count() == 0


# -- claim list -------------------------------------------------------------------------


def test_claim_list_lists_every_claim_by_certainty(
    desktop: Tab, linked: Path, graph: Graph
) -> None:
    desktop.open(linked)
    items = desktop.page.locator("#claim-list button")
    assert items.count() == len(_claims(graph))
    listed = desktop.js(
        "() => [...document.querySelectorAll('#claim-list button')].map(b => b.dataset.claim)"
    )
    assert set(listed) == {str(c) for c in _claims(graph)}
    rank = {
        str(c): int(str(graph.value(graph.value(c, KKG.certainty), KKG.rank)))
        for c in _claims(graph)
    }
    ranks = [rank[iri] for iri in listed]
    assert ranks == sorted(ranks, reverse=True)
    assert len(set(ranks)) > 1, "the shipped claims span several certainties"
    # each entry names its certainty in words and shows its colour
    first = items.first
    word = graph.value(graph.value(URIRef(listed[0]), KKG.certainty), RDFS.label)
    assert first.locator(".word").inner_text() == str(word)
    assert (
        first.locator(".chip").evaluate("e => getComputedStyle(e).backgroundColor")
        != "rgba(0, 0, 0, 0)"
    )
    # alphabetical order on request
    desktop.page.select_option("#claim-order", "label")
    labels = desktop.js(
        """() => [...document.querySelectorAll('#claim-list button')]
                 .map(b => kratomkgViewer.data.claims[b.dataset.claim].label.toLowerCase())"""
    )
    assert labels == sorted(labels)


def test_clicking_a_listed_claim_opens_selects_and_centres_it(desktop: Tab, linked: Path) -> None:
    desktop.open(linked)
    item = desktop.page.locator("#claim-list button").nth(3)
    iri = item.get_attribute("data-claim")
    item.click()
    assert desktop.panel_claim() == iri
    assert desktop.page.locator("#panel .card.evidence").count() >= 1
    state = desktop.js(
        """(iri) => {
          const e = cy.edges().filter(x => x.data('iri') === iri)[0];
          const m = e.renderedMidpoint();
          return {selected: e.selected(), dx: Math.abs(m.x - cy.width() / 2),
                  dy: Math.abs(m.y - cy.height() / 2), hash: location.hash};
        }""",
        iri,
    )
    assert state["selected"]
    assert state["dx"] < 5
    assert state["dy"] < 5
    assert state["hash"] == "#" + _curie(str(iri))
    assert item.get_attribute("aria-current") == "true"


# -- permalinks -------------------------------------------------------------------------


def test_permalink_opens_the_claim(desktop: Tab, linked: Path, graph: Graph) -> None:
    claim = str(_claims(graph)[5])
    desktop.open(linked, "#" + _curie(claim))
    assert desktop.panel_claim() == claim
    assert desktop.page.locator("#panel .card.evidence").count() >= 1
    assert desktop.js("(iri) => cy.edges().filter(x => x.data('iri') === iri)[0].selected()", claim)


def test_permalink_opens_a_node_and_follows_hash_changes(desktop: Tab, linked: Path) -> None:
    desktop.open(linked, "#kid:mitragynine")
    assert desktop.page.inner_text("#panel h3") == "mitragynine"
    assert desktop.js("() => cy.$id('kid:mitragynine').selected()")
    desktop.js("() => { location.hash = '#kid:risk-dependence'; }")
    desktop.page.wait_for_function(
        "() => document.getElementById('panel').dataset.risk === 'https://w3id.org/kratomkg/id/risk-dependence'"
    )
    assert desktop.js("() => cy.$id('kid:risk-dependence').selected()")


def test_selecting_in_the_graph_updates_the_address(desktop: Tab, linked: Path) -> None:
    desktop.open(linked)
    position = desktop.js(
        """() => { const n = cy.$id('kid:mitragynine'); cy.zoom(2); cy.center(n);
                   return n.renderedPosition(); }"""
    )
    box = desktop.js("() => document.getElementById('cy').getBoundingClientRect().toJSON()")
    desktop.page.mouse.click(box["x"] + position["x"], box["y"] + position["y"])
    assert desktop.js("() => location.hash") == "#kid:mitragynine"
    history = desktop.js("() => history.length")
    desktop.page.locator("#panel button.claim-link").first.click()
    claim = desktop.panel_claim()
    assert claim
    assert desktop.js("() => location.hash") == "#" + _curie(claim)
    assert desktop.js("() => history.length") == history, "the address is replaced, not pushed"


def test_unknown_permalink_shows_a_notice(desktop: Tab, linked: Path) -> None:
    desktop.open(linked, "#kid:no-such-thing")
    notice = desktop.page.locator("#notice")
    assert notice.is_visible()
    assert "kid:no-such-thing" in notice.inner_text()
    assert desktop.panel_claim() is None
    desktop.js("() => kratomkgViewer.open('kid:mitragynine')")
    assert not notice.is_visible()


# -- search -----------------------------------------------------------------------------


def _results(tab: Tab, query: str) -> list[str]:
    tab.page.fill("#search", query)
    refs: list[str] = tab.js(
        "() => [...document.querySelectorAll('#search-results button')].map(b => b.dataset.ref)"
    )
    return refs


def test_search_finds_a_claim_by_doi_and_pmid(desktop: Tab, linked: Path, graph: Graph) -> None:
    desktop.open(linked)
    claim = next(
        c
        for c in _claims(graph)
        for e in graph.objects(c, KKG.hasEvidence)
        for s in graph.objects(e, KKG.citation)
        if graph.value(s, KKG.doi) is not None and graph.value(s, KKG.pmid) is not None
    )
    source = next(
        s
        for e in graph.objects(claim, KKG.hasEvidence)
        for s in graph.objects(e, KKG.citation)
        if graph.value(s, KKG.doi) is not None and graph.value(s, KKG.pmid) is not None
    )
    doi, pmid = str(graph.value(source, KKG.doi)), str(graph.value(source, KKG.pmid))
    assert str(claim) in _results(desktop, f"doi:{doi}")
    assert str(claim) in _results(desktop, doi.upper())
    assert str(claim) in _results(desktop, f"PMID:{pmid}")
    desktop.page.locator(f"#search-results button[data-ref='{claim}']").click()
    assert desktop.panel_claim() == str(claim)


def test_search_finds_a_claim_by_a_word_of_its_statement(
    desktop: Tab, linked: Path, graph: Graph
) -> None:
    desktop.open(linked)
    labels = " ".join(str(o).lower() for o in graph.objects(None, RDFS.label))
    for claim in _claims(graph):
        words = re.findall(r"[a-z]{6,}", str(graph.value(claim, KKG.statement)).lower())
        fresh = [w for w in words if w not in labels]
        if fresh:
            break
    else:
        pytest.fail("no claim statement has a word found in no label")
    assert str(claim) in _results(desktop, fresh[0])
    assert "match" in desktop.page.inner_text("#search-info")


def test_search_finds_identifiers_and_curies(desktop: Tab, linked: Path, graph: Graph) -> None:
    desktop.open(linked)
    cid = str(graph.value(KID.mitragynine, KKG.pubchemCid))
    assert _results(desktop, f"CID {cid}")[:1] == ["kid:mitragynine"]
    assert _results(desktop, "kid:mitragynine")[0] == "kid:mitragynine"
    accession = next((r, str(a)) for r, a in graph.subject_objects(KKG.uniprotAccession))
    assert _results(desktop, accession[1]) == [_curie(str(accession[0]))]
    assert _results(desktop, "zzzz-no-such-thing") == []
    assert desktop.page.inner_text("#search-info").startswith("0 matches")


def test_search_is_keyboard_accessible(desktop: Tab, linked: Path) -> None:
    desktop.open(linked)
    assert desktop.page.locator("label[for='search']").inner_text().strip().lower() == "search"
    desktop.page.focus("#search")
    desktop.page.keyboard.type("mitragynine")
    desktop.page.keyboard.press("ArrowDown")
    first = desktop.js("() => document.activeElement.dataset.ref")
    assert first == "kid:mitragynine"
    desktop.page.keyboard.press("ArrowDown")
    second = desktop.js("() => document.activeElement.dataset.ref")
    assert second
    assert second != first
    desktop.page.keyboard.press("ArrowUp")
    desktop.page.keyboard.press("Enter")
    assert desktop.page.inner_text("#panel h3") == "mitragynine"


# -- phone layout and labels ------------------------------------------------------------


def test_phone_layout_gives_the_graph_real_room(phone: Tab, linked: Path) -> None:
    phone.open(linked, "#kid:mitragynine")
    sizes = phone.js(
        """() => {
          const g = document.getElementById('cy').getBoundingClientRect();
          const p = document.getElementById('panel').getBoundingClientRect();
          return {height: g.height, width: g.width, cyHeight: cy.height(),
                  scroll: document.documentElement.scrollWidth, view: innerWidth,
                  panelTop: p.top + scrollY, graphBottom: g.bottom + scrollY};
        }"""
    )
    assert sizes["height"] >= 0.4 * PHONE["height"]
    assert sizes["cyHeight"] == pytest.approx(sizes["height"], abs=1)
    assert sizes["width"] == pytest.approx(PHONE["width"], abs=1)
    assert sizes["scroll"] <= sizes["view"], "nothing overflows horizontally"
    assert sizes["panelTop"] >= sizes["graphBottom"] - 1, "the panel stacks under the graph"
    # the claim list and filters fold away behind a button
    assert not phone.page.locator("#claim-list").is_visible()
    phone.page.click("#toggle-side")
    assert phone.page.locator("#claim-list").is_visible()
    assert phone.js("() => document.documentElement.scrollWidth <= innerWidth")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_labels_are_legible_after_fit(
    request: pytest.FixtureRequest, linked: Path, viewport: str
) -> None:
    tab: Tab = request.getfixturevalue(viewport)
    tab.open(linked)
    measure = """() => {
      cy.fit();
      const z = cy.zoom();
      const major = cy.edges('[kind = "claim"]').connectedNodes();
      const sizes = cy.nodes().map(n => ({
        id: n.id(), major: major.contains(n),
        px: n.numericStyle('font-size') * z,
        shown: n.numericStyle('font-size') * z >= n.numericStyle('min-zoomed-font-size')}));
      return {zoom: z, sizes: sizes};
    }"""
    result = tab.js(measure)
    assert result["zoom"] < 1, "the whole graph does not fit at full size"
    majors = [s for s in result["sizes"] if s["major"]]
    assert len(majors) >= 10
    assert all(s["shown"] and s["px"] >= 10 for s in majors), majors
    shown = [s for s in result["sizes"] if s["shown"]]
    assert all(s["px"] >= 10 for s in shown)
    # zoomed in, every label shows
    tab.js("() => { cy.zoom(2); }")
    assert tab.js(
        """() => cy.nodes().every(n => n.numericStyle('font-size') * cy.zoom()
                                   >= n.numericStyle('min-zoomed-font-size'))"""
    )


# -- screenshots ------------------------------------------------------------------------

SCREENSHOTS = os.environ.get("KRATOMKG_SCREENSHOTS") == "1"


def _highest_claim(tab: Tab) -> None:
    tab.js(
        """() => { const e = cy.edges('[kind = "claim"]').sort(
                     (a, b) => b.data('certainty_rank') - a.data('certainty_rank')
                       || (a.id() < b.id() ? -1 : 1))[0];
                   kratomkgViewer.open(e.data('iri')); cy.fit(undefined, 30); cy.center(e); }"""
    )
    tab.page.wait_for_timeout(200)


@pytest.mark.skipif(not SCREENSHOTS, reason="set KRATOMKG_SCREENSHOTS=1 to rewrite docs/*.png")
def test_screenshot_desktop(desktop: Tab, linked: Path) -> None:
    """Write docs/viewer.png: the graph with one claim's evidence panel open."""
    desktop.open(linked)
    _highest_claim(desktop)
    target = ROOT / "docs" / "viewer.png"
    desktop.page.screenshot(path=str(target))
    assert target.stat().st_size > 20_000


@pytest.mark.skipif(not SCREENSHOTS, reason="set KRATOMKG_SCREENSHOTS=1 to rewrite docs/*.png")
def test_screenshot_phone(phone: Tab, linked: Path) -> None:
    """Write docs/viewer-phone.png: the phone layout, graph above the claim's panel."""
    phone.open(linked)
    _highest_claim(phone)
    target = ROOT / "docs" / "viewer-phone.png"
    phone.page.screenshot(path=str(target))
    assert target.stat().st_size > 10_000
