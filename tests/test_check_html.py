"""The HTML report of ``kratomkg check``: escaping and structure in Python, behaviour in Chromium.

The browser is the system's ``/usr/bin/chromium`` driven by Playwright, as in
tests/test_viewer.py: every request that is not ``file:``, ``data:``, ``blob:`` or ``about:``
is blocked and recorded, and the page must make none; console errors (a CSP refusal of the
inline style or script would be one) fail the test. Offsets are checked against the DOM
itself: the text of each paragraph, read back from the page, must be the slice of
document.text its ``data-start``/``data-end`` name, and each ``<mark>`` must begin where its
offset says. The screenshot test writes docs/check-report.png when
KRATOMKG_WRITE_SCREENSHOTS=1.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import itertools
import json
import os
import re
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from kratomkg.checking.claimreview import NO_EVIDENCE, claim_reviews
from kratomkg.checking.html import _marks, _spans, html_report, paragraphs
from kratomkg.export.projection import CERTAINTY_COLORS

from .browser import chromium as launch_chromium
from .browser import watch
from .test_check_claimreview import sample_report

ROOT = Path(__file__).resolve().parents[1]
WRITE_SCREENSHOTS = os.environ.get("KRATOMKG_WRITE_SCREENSHOTS") == "1"
HOSTILE = "</script><script>window.pwned = 1</script><img src=x onerror=alert(1)> & <!-- co"


# --- pure Python: structure and escaping ---------------------------------------------------


class Elements(HTMLParser):
    """Every start tag of a page, with its attributes, and the text of its script elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self._in: str | None = None
        self._attrs: dict[str, str | None] = {}
        self._buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._in, self._attrs, self._buffer = tag, dict(attrs), []

    def handle_data(self, data: str) -> None:
        if self._in:
            self._buffer.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in == "script":
            self.scripts.append((self._attrs, "".join(self._buffer)))
        elif tag == self._in == "style":
            self.styles.append("".join(self._buffer))
        if tag == self._in:
            self._in = None


def parse(page: str) -> Elements:
    parser = Elements()
    parser.feed(page)
    parser.close()
    return parser


def hostile_report() -> dict[str, Any]:
    """The sample report with hostile markup in the text and in every kind of field."""
    doc = sample_report(url="javascript:alert(1)")
    text = doc["document"]["text"]
    doc["document"]["text"] = text + HOSTILE + "\n"
    start = len(text)
    doc["document"]["name"] = HOSTILE
    claim = doc["claims"][1]
    claim["statement"] = HOSTILE
    claim["effect"]["text"] = HOSTILE
    claim["appearances"].append(
        {
            "sentence": HOSTILE,
            "start": start,
            "end": start + len(HOSTILE),
            "framing": [HOSTILE],
            "polarity": "affirmed",
            "matches": [],
            "notes": [HOSTILE],
        }
    )
    first = doc["claims"][0]["verdict"]
    first["explanation"] = HOSTILE
    first["evidenceFor"][0]["finding"] = HOSTILE
    first["evidenceFor"][0]["source"]["url"] = "javascript:alert(2)"
    first["evidenceFor"][0]["source"]["label"] = HOSTILE
    return doc


def test_hostile_text_stays_text() -> None:
    doc = hostile_report()
    page = html_report(doc)
    elements = parse(page)
    tags = [tag for tag, _ in elements.tags]
    assert tags.count("script") == 2  # the JSON-LD and the page's own script, nothing else
    assert "img" not in tags
    for tag, attrs in elements.tags:
        assert not any(name.startswith("on") for name in attrs), tag
        href = attrs.get("href") or ""
        assert not href.lower().startswith(("javascript:", "data:")), href
    assert "window.pwned" not in "".join(body for _, body in elements.scripts[1:])
    assert page.count("&lt;/script&gt;&lt;script&gt;window.pwned") >= 5
    (attrs, body), _ = elements.scripts
    assert attrs == {"type": "application/ld+json"}
    assert "</script" not in body.lower()
    assert "<!--" not in body
    assert json.loads(body) == claim_reviews(doc)


def _csp(page: str) -> dict[str, str]:
    match = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert match, "the page has a Content-Security-Policy"
    return dict(part.strip().split(" ", 1) for part in match.group(1).split(";"))


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_page_is_self_contained_and_pinned_by_its_policy() -> None:
    page = html_report(sample_report())
    elements = parse(page)
    for tag, attrs in elements.tags:
        assert tag not in ("link", "img", "iframe", "object", "embed", "base"), tag
        assert "src" not in attrs, tag
        assert "style" not in attrs, f"inline style attribute on {tag} (the CSP forbids it)"
    (style,) = elements.styles
    assert "url(" not in style
    assert "@import" not in style
    assert "@font-face" not in style
    policy = _csp(page)
    assert policy["default-src"] == "'none'"
    assert policy["style-src"] == _sha256(style)
    assert policy["script-src"] == _sha256(elements.scripts[1][1])
    assert '<html lang="en">' in page
    assert 'name="viewport"' in page


def test_output_is_deterministic_and_input_untouched() -> None:
    doc = sample_report()
    before = copy.deepcopy(doc)
    assert html_report(doc) == html_report(copy.deepcopy(doc))
    assert doc == before


def test_palette_is_the_viewers() -> None:
    page = html_report(sample_report())
    names = {
        "HighCertainty": "high",
        "ModerateCertainty": "moderate",
        "LowCertainty": "low",
        "VeryLowCertainty": "very-low",
        "NoHumanEvidence": "no-human-evidence",
    }
    for local, key in names.items():
        assert f"--{key}: {CERTAINTY_COLORS[local].lower()};" in page


def test_a_blank_line_inside_a_span_does_not_split_it() -> None:
    doc = sample_report()
    text = "Kratom cured my pain.\n\nReally, it did. Another paragraph.\n\nLast one."
    sentence = "Kratom cured my pain.\n\nReally, it did."
    doc["document"]["text"] = text
    doc["claims"] = doc["claims"][:1]
    doc["risksNamed"] = []
    appearance = doc["claims"][0]["appearances"][0]
    appearance.update(sentence=sentence, start=0, end=len(sentence), matches=[])
    page = html_report(doc)
    paragraph_tags = [
        attrs for tag, attrs in parse(page).tags if tag == "p" and "data-start" in attrs
    ]
    assert [(a["data-start"], a["data-end"]) for a in paragraph_tags] == [
        ("0", str(len("Kratom cured my pain.\n\nReally, it did. Another paragraph."))),
        (str(text.index("Last")), str(len(text))),
    ]
    assert f'data-start="0" data-end="{len(sentence)}"' in page
    # the pieces of each paragraph put back together are the text, character for character
    marks = _marks(_spans(doc["claims"], [], len(text)), text, doc["claims"], [])
    rebuilt = [
        "".join(
            p if isinstance(p, str) else "".join(s.text for s in p.segments) for p in par.pieces
        )
        for par in paragraphs(text, marks)
    ]
    assert rebuilt == [text[: text.index("\n\nLast")], "Last one."]


def test_empty_report_renders() -> None:
    doc = sample_report()
    doc["document"]["text"] = ""
    doc["claims"] = []
    doc["risksNamed"] = []
    doc["summary"].update(claims=0, matched=0, unmatched=0, safetyClaims=0, risksNamed=0)
    doc["summary"]["lowestCertainty"] = None
    page = html_report(doc)
    assert "No health claim about kratom was found in this text." in page
    assert "<mark" not in page
    assert json.loads(parse(page).scripts[0][1])["@graph"] == []


# --- Chromium ------------------------------------------------------------------------------


class Tab:
    """One Chromium page plus everything it logged and everything it tried to fetch."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        self.external: list[str] = []

    def open(self, path: Path) -> None:
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with launch_chromium() as browser:
        yield browser


def _tab(chromium: Any, **options: Any) -> Iterator[Tab]:
    context = chromium.new_context(**options)
    page = context.new_page()
    tab = Tab(page)
    watch(context, page, tab.errors, tab.external)
    yield tab
    context.close()


@pytest.fixture
def tab(chromium: Any) -> Iterator[Tab]:
    yield from _tab(chromium, viewport={"width": 1200, "height": 900})


@pytest.fixture
def no_js_tab(chromium: Any) -> Iterator[Tab]:
    yield from _tab(chromium, viewport={"width": 1200, "height": 900}, java_script_enabled=False)


@pytest.fixture
def phone_tab(chromium: Any) -> Iterator[Tab]:
    yield from _tab(
        chromium, viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True
    )


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("check") / "report.html"
    path.write_text(html_report(sample_report()), encoding="utf-8")
    return path


@pytest.fixture
def page(tab: Tab, report_file: Path) -> Tab:
    tab.open(report_file)
    return tab


READ_MARKS = """() => {
  // Offsets read back from the DOM: walk each paragraph's text (the superscript links are
  // not part of the article) and note where each <mark> begins.
  const out = {paragraphs: [], marks: []};
  for (const p of document.querySelectorAll('.article-text p[data-start]')) {
    const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
    let text = '';
    const seen = new Set();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest('sup.refs')) continue;
      const mark = node.parentElement.closest('mark');
      if (mark && !seen.has(mark)) {
        seen.add(mark);
        const refs = mark.nextElementSibling && mark.nextElementSibling.matches('sup.refs')
          ? [...mark.nextElementSibling.querySelectorAll('a')].map(a => a.getAttribute('href'))
          : [];
        out.marks.push({id: mark.id, domStart: +p.dataset.start + text.length,
                        start: +mark.dataset.start, end: +mark.dataset.end,
                        text: mark.textContent, refs: refs,
                        claims: (mark.dataset.claims || '').split(' ').filter(Boolean),
                        risks: (mark.dataset.risks || '').split(' ').filter(Boolean),
                        cls: mark.className});
      }
      text += node.data;
    }
    out.paragraphs.push({start: +p.dataset.start, end: +p.dataset.end, text: text});
  }
  return out;
}"""


def test_no_console_error_and_no_external_request(page: Tab) -> None:
    page.page.wait_for_timeout(200)
    page.page.click("#m-1")
    page.page.wait_for_timeout(100)
    assert page.errors == []
    assert page.external == []


def test_every_appearance_is_inside_a_mark_linked_to_its_panel(page: Tab) -> None:
    doc = sample_report()
    text = doc["document"]["text"]
    dom = page.js(READ_MARKS)
    assert dom["paragraphs"]
    for paragraph in dom["paragraphs"]:
        assert paragraph["text"] == text[paragraph["start"] : paragraph["end"]]
    # nothing of the text is lost between paragraphs but whitespace
    covered = "".join(p["text"] for p in dom["paragraphs"])
    assert re.sub(r"\s", "", covered) == re.sub(r"\s", "", text)
    marks = dom["marks"]
    for mark in marks:
        assert mark["domStart"] == mark["start"], mark["id"]
        assert mark["text"] == text[mark["start"] : mark["end"]]
        assert mark["refs"] == [f"#{c}" for c in mark["claims"]] + [f"#{r}" for r in mark["risks"]]
    ids = [m["id"] for m in marks]
    assert len(set(ids)) == len(ids)
    for claim in doc["claims"]:
        assert page.page.locator(f"section#{claim['id']}").count() == 1
        for appearance in claim["appearances"]:
            holders = [
                m
                for m in marks
                if claim["id"] in m["claims"]
                and m["start"] <= appearance["start"]
                and appearance["end"] <= m["end"]
            ]
            assert len(holders) == 1, (claim["id"], appearance["sentence"])
            assert "claim" in holders[0]["cls"].split()
            # the panel links back to the same highlight
            panel = page.page.locator(f"section#{claim['id']}")
            assert panel.locator(f"a[href='#{holders[0]['id']}']").count() >= 1
    for number, named in enumerate(doc["risksNamed"], 1):
        for appearance in named["appearances"]:
            assert any(
                f"risk-{number}" in m["risks"]
                and m["start"] <= appearance["start"]
                and appearance["end"] <= m["end"]
                for m in marks
            )
    # one sentence making two claims (and naming a risk) is highlighted once, linked to all
    shared = next(m for m in marks if "claim-2" in m["claims"])
    assert shared["claims"] == ["claim-2", "claim-3"]
    assert shared["risks"] == ["risk-1"]
    assert "c-none" in shared["cls"].split()  # the lowest of "no evidence" and "very low"
    # a clause (claim 5) inside a sentence that names a risk: one mark, the whole sentence
    clause = next(m for m in marks if "claim-5" in m["claims"])
    assert clause["risks"] == ["risk-2"]
    assert clause["text"].endswith("liver damage.")
    risk_only = next(m for m in marks if m["risks"] == ["risk-3"])
    assert risk_only["claims"] == []
    assert risk_only["cls"] == "risk"
    assert len(marks) == 6


def test_each_claim_panel_shows_its_verdict(page: Tab) -> None:
    doc = sample_report()
    for claim in doc["claims"]:
        panel = page.page.locator(f"section#{claim['id']}")
        assert panel.is_visible()
        heading = " ".join(panel.locator("h3").inner_text().split())
        assert claim["statement"] in heading
        verdict = claim["verdict"]
        badge = panel.locator(".badges .badge.certainty")
        text = " ".join(panel.inner_text().split())
        if verdict["match"] == "none":
            assert badge.inner_text() == NO_EVIDENCE
            assert "c-none" in (badge.get_attribute("class") or "")
            continue
        label = verdict["certainty"]["label"]
        assert label in badge.inner_text()
        if verdict["status"]:
            assert panel.locator(".badges .badge.status").inner_text() == verdict["status"]["label"]
        if verdict["explanation"]:
            assert " ".join(panel.locator("p.why").inner_text().split()) == verdict["explanation"]
        if verdict["preclinicalSupport"]:
            assert "Preclinical support" in text
        if claim["polarity"] == "negated":
            assert panel.locator("strong.negated").count() >= 1
            assert "negated" in panel.locator(".badges").inner_text()
        for line in verdict["evidenceFor"] + verdict["evidenceAgainst"]:
            card = panel.locator(f".card.evidence[data-evidence='{line['iri']}']")
            card_text = " ".join(card.inner_text().split())
            assert line["design"] in card_text
            assert line["finding"] in card_text
            source = line["source"]
            if source["doi"]:
                assert card.locator(f"a[href='https://doi.org/{source['doi']}']").count() == 1
            if source["pmid"]:
                href = f"https://pubmed.ncbi.nlm.nih.gov/{source['pmid']}/"
                assert card.locator(f"a[href='{href}']").count() == 1
        for risk in verdict["risks"]:
            card = panel.locator(f".card.risk[data-risk='{risk['iri']}']")
            assert (
                card.locator(".badge.certainty").inner_text().startswith(risk["certainty"]["label"])
            )
            flagged = card.locator(".not-mentioned")
            assert flagged.count() == (0 if risk["mentionedInText"] else 1)
        for related in verdict["related"]:
            assert related["label"] in text
        for subject_part in ("subject", "effect", "condition"):
            part = claim[subject_part]
            if part:
                assert part["label"] in text
                assert f"“{part['text']}”" in text
    claim1 = page.page.locator("section#claim-1")
    assert claim1.locator(".not-mentioned").inner_text() == "not mentioned in the text"
    # which way the evidence points is said relative to what the text claims
    claim3 = page.page.locator("section#claim-3")
    assert claim3.locator("h4", has_text="Evidence against this safety claim").count() == 1
    assert "supports the risk" in claim3.locator(".card.evidence").inner_text()
    claim4 = page.page.locator("section#claim-4")
    assert claim4.locator("h4", has_text="Evidence for the graph’s claim").count() == 1
    claim6 = " ".join(page.page.locator("section#claim-6").inner_text().split())
    assert "Graded via" in claim6
    assert "prepared from kratom leaf" in claim6
    for number, named in enumerate(doc["risksNamed"], 1):
        section = page.page.locator(f"section#risk-{number}")
        assert named["risk"]["label"] in section.locator("h3").inner_text()


def test_embedded_jsonld_parses_to_the_claim_reviews(page: Tab) -> None:
    data = page.js(
        """() => JSON.parse(
             document.querySelector('script[type="application/ld+json"]').textContent)"""
    )
    assert data == claim_reviews(sample_report())


def test_clicking_highlights_and_numbers_opens_panels(page: Tab) -> None:
    page.page.click("#m-3")  # the text of a highlight, with JavaScript
    assert page.js("() => location.hash") == "#claim-4"
    page.page.click("#m-2 + sup.refs a[href='#claim-3']")  # a numbered link: plain anchor
    assert page.js("() => location.hash") == "#claim-3"
    assert page.js("() => document.querySelector(':target').id") == "claim-3"
    assert page.page.locator("section#claim-3").is_visible()
    in_view = page.js(
        """() => { const r = document.getElementById('claim-3').getBoundingClientRect();
                   return r.top >= 0 && r.top < window.innerHeight; }"""
    )
    assert in_view
    assert page.errors == []


def test_without_javascript_everything_is_shown_and_links_work(
    no_js_tab: Tab, report_file: Path
) -> None:
    no_js_tab.open(report_file)
    doc = sample_report()
    for claim in doc["claims"]:
        assert no_js_tab.page.locator(f"section#{claim['id']}").is_visible()
    assert no_js_tab.page.locator("mark").count() == 6
    no_js_tab.page.click("#m-1 + sup.refs a[href='#claim-1']")
    assert no_js_tab.page.url.endswith("#claim-1")
    assert no_js_tab.page.locator("section#claim-1:target").count() == 1
    assert no_js_tab.errors == []
    assert no_js_tab.external == []


def test_phone_layout_has_no_horizontal_scroll(phone_tab: Tab, report_file: Path) -> None:
    phone_tab.open(report_file)
    sizes = phone_tab.js(
        "() => ({scroll: document.documentElement.scrollWidth, view: window.innerWidth})"
    )
    # with is_mobile Chromium would zoom out to fit a too-wide page: compare with 360 itself
    assert sizes["view"] == 360
    assert sizes["scroll"] <= 360, "the page scrolls sideways on a phone"
    assert phone_tab.errors == []


def test_print_layout_hides_navigation_and_keeps_panels(page: Tab) -> None:
    page.page.emulate_media(media="print")
    assert not page.page.locator("nav.toc").is_visible()
    assert page.page.locator("section#claim-1").is_visible()
    assert page.page.locator("mark").first.is_visible()
    page.page.emulate_media(media="screen")


CONTRAST = """() => {
  const rgb = s => s.match(/[\\d.]+/g).slice(0, 4).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
    .reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = el => { for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c; }
    return [255, 255, 255]; };
  return [...document.querySelectorAll('.badge, mark, .not-mentioned, strong.negated, .said, a')]
    .map(el => { const f = lum(rgb(getComputedStyle(el).color)), b = lum(background(el));
      return [el.className || el.tagName, (Math.max(f, b) + 0.05) / (Math.min(f, b) + 0.05)]; });
}"""


def test_text_contrast_meets_wcag_aa(page: Tab) -> None:
    ratios = page.js(CONTRAST)
    assert len(ratios) > 40
    low = [(name, round(ratio, 2)) for name, ratio in ratios if ratio < 4.5]
    assert low == []


def test_headings_and_landmarks(page: Tab) -> None:
    levels = page.js("() => [...document.querySelectorAll('h1,h2,h3,h4')].map(h => +h.tagName[1])")
    assert levels[0] == 1
    assert levels.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), "no heading level is skipped"
    for landmark in ("header", "main", "nav", "footer"):
        assert page.page.locator(landmark).count() >= 1


def test_hostile_text_does_not_run_in_the_browser(tab: Tab, tmp_path: Path) -> None:
    path = tmp_path / "hostile.html"
    path.write_text(html_report(hostile_report()), encoding="utf-8")
    tab.open(path)
    assert tab.js("() => window.pwned") is None
    assert tab.page.locator("img").count() == 0
    marks = tab.js(READ_MARKS)["marks"]
    assert any(m["text"] == HOSTILE for m in marks)
    assert HOSTILE in tab.page.locator("section#claim-2 h3").inner_text()
    assert tab.errors == []
    assert tab.external == []


ARTICLES = sorted(
    p
    for p in (ROOT / "tests" / "data" / "articles").iterdir()
    if p.suffix in (".txt", ".md", ".html")
)


@pytest.mark.parametrize("article", ARTICLES, ids=[p.stem for p in ARTICLES])
def test_real_reports_highlight_every_claim(tab: Tab, article: Path, tmp_path: Path) -> None:
    """The report of each annotated article, from the real pipeline, in the browser."""
    from kratomkg.checking import check_file

    doc = check_file(article).to_dict()
    path = tmp_path / "report.html"
    path.write_text(html_report(doc), encoding="utf-8")
    tab.open(path)
    text = doc["document"]["text"]
    dom = tab.js(READ_MARKS)
    for paragraph in dom["paragraphs"]:
        assert paragraph["text"] == text[paragraph["start"] : paragraph["end"]]
    for mark in dom["marks"]:
        assert mark["domStart"] == mark["start"], mark["id"]
    for claim in doc["claims"]:
        assert tab.page.locator(f"section#{claim['id']}").count() == 1
        for appearance in claim["appearances"]:
            assert any(
                claim["id"] in m["claims"]
                and m["start"] <= appearance["start"]
                and appearance["end"] <= m["end"]
                for m in dom["marks"]
            ), (claim["id"], appearance["sentence"])
    assert tab.errors == []
    assert tab.external == []


def test_screenshot_for_the_docs(tab: Tab, tmp_path: Path) -> None:
    """Render a real report (the hedged blog post); write docs/check-report.png on request."""
    from kratomkg.checking import check_file

    report_file = tmp_path / "report.html"
    doc = check_file(ROOT / "tests" / "data" / "articles" / "hedged-blog.md").to_dict()
    report_file.write_text(html_report(doc), encoding="utf-8")
    tab.page.set_viewport_size({"width": 1100, "height": 1000})
    tab.open(report_file)
    tab.js("() => document.getElementById('article').scrollIntoView()")
    tab.page.wait_for_timeout(100)
    shot = tmp_path / "check-report.png"
    tab.page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000
    if WRITE_SCREENSHOTS:
        target = ROOT / "docs" / "check-report.png"
        target.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, target)
