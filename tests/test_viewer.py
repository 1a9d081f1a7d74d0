"""The offline HTML viewer, driven in Debian's headless Chromium through Playwright.

The browser is the system's ``/usr/bin/chromium`` (Playwright never downloads one). Every
request that is not ``file:``, ``data:``, ``blob:`` or ``about:`` is blocked and recorded;
the page must not make any. The README's screenshots are written by
``tests/linked/test_viewer_site.py`` when ``KRATOMKG_SCREENSHOTS=1`` is set.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from kratomkg import export_graph, load, to_networkx
from kratomkg.export.projection import CERTAINTY_COLORS, source_graph
from kratomkg.export.viewer import CYTOSCAPE_VERSION, cytoscape_source, embed_json
from kratomkg.namespaces import KID, KKG

from .browser import chromium, watch

ROOT = Path(__file__).resolve().parents[1]


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
    with chromium() as launched:
        context = launched.new_context(viewport={"width": 1600, "height": 1000})
        page = context.new_page()
        state = Browser(page)
        watch(context, page, state.errors, state.external)
        yield state
        context.close()


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


@pytest.mark.parametrize(
    ("box", "attr"), [("certainty", "certainty_key"), ("status", "status_key")]
)
def test_rating_filter_hides_claim_edges_of_that_rating(page: Browser, box: str, attr: str) -> None:
    key = page.js(f"() => cy.edges('[kind = \"claim\"]')[0].data('{attr}')")
    page.page.click(f"#{box}-filters input[data-key='{key}']")
    counts = page.js(
        """([a, k]) => {
          const claims = cy.edges('[kind = "claim"]');
          return {
            hidden: claims.filter(e => e.data(a) === k && e.visible()).length,
            others: claims.filter(e => e.data(a) !== k && !e.visible()).length,
          };
        }""",
        [attr, key],
    )
    assert counts == {"hidden": 0, "others": 0}


def test_legends_list_the_whole_certainty_scale_with_counts(
    page: Browser, shipped: Dataset
) -> None:
    graph = source_graph(shipped)
    rows = page.page.locator("#certainty-filters label.filter")
    labels = [rows.nth(i).inner_text().rsplit("\n", 1)[0].strip() for i in range(rows.count())]
    assert labels == ["high", "moderate", "low", "very low", "no human evidence"]
    counts = page.js("() => kratomkgViewer.data.certainties.map(c => [c.key, c.count])")
    claims = list(graph.subjects(RDF.type, KKG.Claim))
    expected = Counter(str(graph.value(c, KKG.certainty)).rsplit("/", 1)[-1] for c in claims)
    assert {k: n for k, n in counts if n} == dict(expected)
    # edges are coloured by certainty; "no human evidence" is grey
    colours = page.js(
        """() => cy.edges('[kind = "claim"]').map(e => [e.data('certainty_key'),
                 e.style('line-color')])"""
    )
    for key, colour in colours:
        r, g, b = (int(x) for x in colour.removeprefix("rgb(").rstrip(")").split(","))
        assert f"#{r:02X}{g:02X}{b:02X}" == CERTAINTY_COLORS[key], key
    assert page.js(
        '() => cy.edges(\'[kind = "claim"][status_key = "Contested"]\')'
        ".every(e => e.style('line-style') === 'dashed')"
    )


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
    assert "Certainty" in text
    assert "Status" in text


def _open_claim(page: Browser, iri: str) -> Any:
    assert page.js("(iri) => kratomkgViewer.showClaim(iri)", iri)
    assert page.page.get_attribute("#panel", "data-claim") == iri
    return page.page.locator("#panel")


def _text(graph: Graph, node: Node, predicate: URIRef) -> str:
    return " ".join(str(graph.value(node, predicate)).split())


def test_claim_panel_shows_rating_explanation_appraisals_and_appearances(
    page: Browser, shipped: Dataset
) -> None:
    graph = source_graph(shipped)
    # A claim of the seed article with human evidence: it has every section.
    claims = sorted(
        (
            c
            for a in graph.subjects(KKG.appearsIn, KID["src-seed-article"])
            for c in graph.objects(a, KKG.asserts)
            if set(graph.subjects(KKG.appraisedFor, c))
        ),
        key=str,
    )
    assert claims
    claim = claims[0]
    panel = _open_claim(page, str(claim))
    text = " ".join(panel.inner_text().split())
    certainty = graph.value(claim, KKG.certainty)
    status = graph.value(claim, KKG.status)
    preclinical = graph.value(claim, KKG.preclinicalSupport)
    badge = panel.locator("dd .badge.certainty")
    assert badge.inner_text() == str(graph.value(certainty, RDFS.label))
    assert panel.locator("dd .badge.status").inner_text() == str(graph.value(status, RDFS.label))
    assert str(graph.value(preclinical, RDFS.label)) in text
    # the "why": the derived explanation, word for word
    assert " ".join(panel.locator("p.why").inner_text().split()) == _text(
        graph, claim, KKG.explanation
    )
    # every line of evidence, with its design, direction, and appraisal text for this claim
    evidence = set(graph.objects(claim, KKG.hasEvidence))
    cards = panel.locator(".card.evidence")
    assert cards.count() == len(evidence)
    for e in evidence:
        card = panel.locator(f".card.evidence[data-evidence='{e}']")
        card_text = " ".join(card.inner_text().split())
        design = graph.value(e, KKG.design)
        assert str(graph.value(design, RDFS.label)) in card_text
        assert str(graph.value(graph.value(e, KKG.direction), RDFS.label)) in card_text
        appraisals = set(graph.subjects(KKG.appraisedFor, claim)) & set(
            graph.subjects(KKG.appraises, e)
        )
        for appraisal in appraisals:
            assert _text(graph, appraisal, KKG.appraisalText) in card_text
        for source in graph.objects(e, KKG.citation):
            doi, pmid = graph.value(source, KKG.doi), graph.value(source, KKG.pmid)
            if doi is not None:
                assert card.locator(f"a[href='https://doi.org/{doi}']").count() >= 1
            if pmid is not None:
                href = f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"
                assert card.locator(f"a[href='{href}']").count() >= 1
    # the risks, each with its own certainty
    for risk in graph.objects(claim, KKG.hasRisk):
        card = panel.locator(f".card.risk[data-risk='{risk}']")
        label = graph.value(graph.value(risk, KKG.certainty), RDFS.label)
        assert card.locator(".badge.certainty").inner_text() == str(label)
    # where the claim was made: the exact sentence and the source
    appearances = list(graph.subjects(KKG.asserts, claim))
    assert panel.locator(".card.appearance").count() == len(appearances)
    for appearance in appearances:
        card = panel.locator(f".card.appearance[data-appearance='{appearance}']")
        for quote in graph.objects(appearance, KKG.quote):
            assert " ".join(str(quote).split()) in " ".join(card.inner_text().split())
        where = graph.value(appearance, KKG.appearsIn)
        assert str(graph.value(where, RDFS.label) or "") in card.inner_text()


def test_risk_node_shows_its_own_rating(page: Browser, shipped: Dataset) -> None:
    graph = source_graph(shipped)
    risk = KID["risk-dependence"]
    position = page.js(
        """(id) => { const n = cy.$id(id); cy.zoom(2); cy.center(n);
                     return n.renderedPosition(); }""",
        "kid:risk-dependence",
    )
    _click_at(page, position)
    assert page.page.get_attribute("#panel", "data-risk") == str(risk)
    panel = page.page.locator("#panel")
    label = graph.value(graph.value(risk, KKG.certainty), RDFS.label)
    assert panel.locator("dd .badge.certainty").inner_text() == str(label)
    assert " ".join(panel.locator("p.why").inner_text().split()) == _text(
        graph, risk, KKG.explanation
    )
    assert panel.locator(".card.evidence").count() == len(set(graph.objects(risk, KKG.hasEvidence)))


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
