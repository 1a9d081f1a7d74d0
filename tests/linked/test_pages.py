"""The HTML pages of the linked-data site, rendered from the shipped graph.

Every page is rendered once per module; the tests read them as a browser without
JavaScript would: the links, headings, landmarks and the embedded schema.org JSON-LD.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from importlib.resources import files
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kratomkg.loading import union_graph
from kratomkg.namespaces import KID, KKG
from kratomkg.querying.engine import load_for_query
from kratomkg.site.pages import (
    SiteContext,
    render_index,
    render_not_found,
    render_resource,
    render_search,
    resources,
    search,
    search_index,
)
from kratomkg.site.paths import document_path as _document_path
from kratomkg.site.schemaorg import SCHEMA_TERMS, schema_jsonld


def document_path(node: object) -> str | None:
    return _document_path(str(node))


CLAIM = KID["claim-kratom-leaf-analgesia-chronic-pain"]
SCHEMA = "https://schema.org/"


class Page(HTMLParser):
    """What a test reads from a page: tags with attributes, headings, text, scripts."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.headings: list[int] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self.text_parts: list[str] = []
        self._script: dict[str, str] | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        self.tags.append((tag, attributes))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "script":
            self._script = attributes

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self.scripts.append((self._script, data))
        else:
            self.text_parts.append(data)

    @property
    def text(self) -> str:
        text = " ".join(" ".join(self.text_parts).split())
        return re.sub(r"\(\s+", "(", re.sub(r"\s+([),.:;])", r"\1", text))

    def hrefs(self, tag: str = "a") -> list[str]:
        return [a["href"] for t, a in self.tags if t == tag and "href" in a]

    def jsonld(self) -> list[Any]:
        return [
            json.loads(body) for a, body in self.scripts if a.get("type") == "application/ld+json"
        ]


@pytest.fixture(scope="module")
def graph() -> Graph:
    return union_graph(load_for_query())


@pytest.fixture(scope="module")
def pages(graph: Graph) -> dict[URIRef, str]:
    rendered = {}
    for iri in resources(graph):
        page = render_resource(graph, iri)
        assert page is not None, iri
        rendered[iri] = page
    return rendered


@pytest.fixture(scope="module")
def parsed(pages: dict[URIRef, str]) -> dict[URIRef, Page]:
    return {iri: Page(text) for iri, text in pages.items()}


def test_every_subject_in_the_namespaces_gets_a_page(graph: Graph) -> None:
    expected = {
        s
        for s in graph.subjects()
        if isinstance(s, URIRef) and str(s).startswith((str(KID), str(KKG)))
    }
    listed = resources(graph)
    assert listed == sorted(expected, key=str)
    assert len(listed) > 600
    assert any(str(i).startswith(str(KKG)) for i in listed)


def test_claim_page_shows_the_claim_and_its_evidence(
    graph: Graph, parsed: dict[URIRef, Page]
) -> None:
    page = parsed[CLAIM]
    text = page.text
    assert str(graph.value(CLAIM, KKG.statement)) in text
    certainty = str(graph.value(graph.value(CLAIM, KKG.certainty), RDFS.label))
    status = str(graph.value(graph.value(CLAIM, KKG.status), RDFS.label))
    assert f"{certainty} certainty, {status}" in text
    explanation = " ".join(str(graph.value(CLAIM, KKG.explanation)).split())
    assert explanation[:60] in text
    links = page.hrefs()
    evidence = list(graph.objects(CLAIM, KKG.hasEvidence))
    assert len(evidence) == 7
    for line in evidence:
        assert f"../{document_path(line)}" in links
        assert str(graph.value(graph.value(line, KKG.design), RDFS.label)) in text
        for source in graph.objects(line, KKG.citation):
            doi = graph.value(source, KKG.doi)
            if doi is not None:
                assert f"https://doi.org/{doi}" in links
            pmid = graph.value(source, KKG.pmid)
            if pmid is not None:
                assert f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" in links
    for risk in graph.objects(CLAIM, KKG.hasRisk):
        assert f"../{document_path(risk)}" in links
        assert str(graph.value(risk, RDFS.label)) in text
    for appearance in graph.subjects(KKG.asserts, CLAIM):
        quote = " ".join(str(graph.value(appearance, KKG.quote)).split())
        assert quote in text
    assert "../viewer.html#kid:claim-kratom-leaf-analgesia-chronic-pain" in links


def test_compound_page_shows_identifiers_interactions_and_claims(
    graph: Graph, parsed: dict[URIRef, Page]
) -> None:
    compound = KID.mitragynine
    page = parsed[compound]
    links = page.hrefs()
    cid = graph.value(compound, KKG.pubchemCid)
    assert f"https://pubchem.ncbi.nlm.nih.gov/compound/{cid}" in links
    assert str(graph.value(compound, KKG.inchiKey)) in page.text
    for claim in graph.subjects(KKG.claimSubject, compound):
        assert f"../{document_path(claim)}" in links
    interactions = list(graph.subjects(KKG.ligand, compound))
    assert interactions
    for ri in interactions:
        assert f"../{document_path(graph.value(ri, KKG.target))}" in links
    assert "Ki = 1260 nM" in page.text


def test_receptor_page_lists_its_ligands(graph: Graph, parsed: dict[URIRef, Page]) -> None:
    links = parsed[KID.mor].hrefs()
    ligands = {graph.value(ri, KKG.ligand) for ri in graph.subjects(KKG.target, KID.mor)}
    assert KID.mitragynine in ligands
    for ligand in ligands:
        assert f"../{document_path(ligand)}" in links


def test_source_page_links_out_and_back(graph: Graph, parsed: dict[URIRef, Page]) -> None:
    source = KID["src-doi-10-1016-j-drugalcdep-2017-03-007"]
    links = parsed[source].hrefs()
    assert "https://doi.org/10.1016/j.drugalcdep.2017.03.007" in links
    citing = list(graph.subjects(KKG.citation, source))
    assert citing
    for node in citing:
        assert f"../{document_path(node)}" in links
        for claim in graph.subjects(KKG.hasEvidence, node):
            assert f"../{document_path(claim)}" in links


def test_risk_page_shows_its_rating_and_claims(graph: Graph, parsed: dict[URIRef, Page]) -> None:
    risk = KID["risk-dependence"]
    page = parsed[risk]
    certainty = str(graph.value(graph.value(risk, KKG.certainty), RDFS.label))
    assert f"Certainty {certainty}" in page.text
    for claim in graph.subjects(KKG.hasRisk, risk):
        assert f"../{document_path(claim)}" in page.hrefs()


def test_ontology_term_page(graph: Graph, parsed: dict[URIRef, Page]) -> None:
    page = parsed[KKG.Compound]
    links = page.hrefs()
    assert "../ontology/index.html" in links
    assert "../ontology/Material.html" in links  # its superclass
    for compound in graph.subjects(RDF.type, KKG.Compound):
        assert f"../{document_path(compound)}" in links
    prop = parsed[KKG.claimSubject]
    assert "../ontology/Claim.html" in prop.hrefs()  # its domain


def test_every_page_is_accessible_and_self_contained(
    pages: dict[URIRef, str], parsed: dict[URIRef, Page]
) -> None:
    for iri, page in parsed.items():
        text = pages[iri]
        assert text.startswith('<!DOCTYPE html>\n<html lang="en">'), iri
        tags = [t for t, _ in page.tags]
        for landmark in ("header", "nav", "main", "footer"):
            assert tags.count(landmark) == 1, (iri, landmark)
        assert page.headings[0] == 1
        assert page.headings.count(1) == 1, iri
        for before, after in zip(page.headings, page.headings[1:], strict=False):
            assert after <= before + 1, (iri, page.headings)
        assert (
            "meta",
            {"name": "viewport", "content": "width=device-width, initial-scale=1"},
        ) in page.tags
        name = str(iri).rsplit("/", 1)[-1]
        assert (
            "link",
            {"rel": "alternate", "type": "text/turtle", "href": f"{name}.ttl"},
        ) in page.tags
        assert f"{name}.jsonld" in page.hrefs()
        assert str(iri) in page.text
        for tag, attrs in page.tags:
            assert "src" not in attrs, (iri, tag)
            href = attrs.get("href", "")
            if tag != "a":
                assert not re.match(r"(?i)^\s*(https?:)?//", href), (iri, tag, href)
            assert not href.startswith("/"), (iri, href)
            assert not href.lower().startswith(("javascript:", "data:")), (iri, href)


def expand(document: Any) -> list[dict[str, Any]]:
    from pyld import jsonld  # type: ignore[import-untyped]

    def refuse(url: str, options: Any = None) -> Any:
        raise AssertionError(f"the JSON-LD tried to load {url}")

    result: list[dict[str, Any]] = jsonld.expand(document, {"documentLoader": refuse})
    return result


def schema_terms_used(node: Any) -> set[str]:
    used: set[str] = set()
    if isinstance(node, list):
        for item in node:
            used |= schema_terms_used(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@type":
                used |= set(value)
            elif not key.startswith("@"):
                used.add(key)
            used |= schema_terms_used(value)
    return used


def test_embedded_jsonld_expands_offline_to_schema_org_only(
    graph: Graph, parsed: dict[URIRef, Page]
) -> None:
    allowed = {SCHEMA + t for t in SCHEMA_TERMS}
    types: set[str] = set()
    for iri, page in parsed.items():
        documents = page.jsonld()
        assert len(documents) == 1, iri
        assert documents[0] == json.loads(json.dumps(schema_jsonld(graph, iri)))
        expanded = expand(documents[0])
        assert expanded[0]["@id"] == str(iri)
        used = schema_terms_used(expanded)
        assert used <= allowed, (iri, used - allowed)
        types |= set(expanded[0]["@type"])
    for expected in (
        "Claim",
        "MolecularEntity",
        "MedicalCondition",
        "ScholarlyArticle",
        "DefinedTerm",
    ):
        assert SCHEMA + expected in types


def test_claim_jsonld_carries_the_rating_and_appearances(graph: Graph) -> None:
    markup = expand(schema_jsonld(graph, CLAIM))[0]
    assert markup["@type"] == [SCHEMA + "Claim"]
    rating = markup[SCHEMA + "review"][0][SCHEMA + "reviewRating"][0]
    rank = graph.value(graph.value(CLAIM, KKG.certainty), KKG.rank)
    assert isinstance(rank, Literal)
    assert rating[SCHEMA + "ratingValue"][0]["@value"] == int(rank)
    assert len(markup[SCHEMA + "appearance"]) == len(set(graph.subjects(KKG.asserts, CLAIM)))


def test_rendering_is_deterministic(graph: Graph, pages: dict[URIRef, str]) -> None:
    fresh = SiteContext(graph)
    for iri in (CLAIM, KID.mitragynine, KKG.Claim, KID["risk-dependence"]):
        assert fresh.render_resource(iri) == pages[iri]
    assert SiteContext(graph).render_index() == render_index(graph)


def test_unknown_resource_has_no_page(graph: Graph) -> None:
    assert render_resource(graph, KID["no-such-thing"]) is None
    assert render_resource(graph, URIRef("https://example.org/x")) is None
    assert schema_jsonld(graph, KID["no-such-thing"]) == {}


def test_labels_are_escaped() -> None:
    graph = Graph()
    evil = KID.evil
    label = '<script>alert("x")</script> & <b>'
    graph.add((evil, RDF.type, KKG.Compound))
    graph.add((evil, RDFS.label, Literal(label)))
    graph.add((evil, KKG.inchiKey, Literal("</script><img src=x>")))
    page = render_resource(graph, evil)
    assert page is not None
    assert "<script>alert" not in page
    assert "<img" not in page
    assert "<b>" not in page
    assert "&lt;script&gt;alert" in page
    parsed = Page(page)
    assert [s for a, s in parsed.scripts if a.get("type") != "application/ld+json"] == []
    assert parsed.jsonld()[0]["name"] == label
    assert "\\u003cscript\\u003e" in page
    index = render_index(graph)
    assert "<script>alert" not in index
    assert "&lt;script&gt;alert" in index


def test_index_reaches_every_resource_without_javascript(
    graph: Graph, pages: dict[URIRef, str]
) -> None:
    page = Page(render_index(graph))
    links = set(page.hrefs())
    for iri in pages:
        assert document_path(iri) in links, iri
    for target in ("viewer.html", "ontology/index.html", "void.ttl", "downloads/"):
        assert target in links
    assert "sparql" not in links
    forms = [a for t, a in page.tags if t == "form"]
    assert forms == [
        {"class": "search", "action": "search.html", "method": "get", "role": "search"}
    ]
    inputs = [a for t, a in page.tags if t == "input"]
    labels = {a.get("for") for t, a in page.tags if t == "label"}
    assert inputs
    assert all(i["id"] in labels for i in inputs)
    certainty = str(graph.value(graph.value(CLAIM, KKG.certainty), RDFS.label))
    assert f"Kratom leaf relieves chronic pain ({certainty} certainty" in page.text
    served = Page(render_index(graph, root="", endpoint=True, downloads=["kratomkg.ttl"]))
    assert "sparql" in served.hrefs()
    assert "downloads/kratomkg.ttl" in served.hrefs()
    assert [a["action"] for t, a in served.tags if t == "form"] == ["search"]


def test_search_finds_labels_dois_and_identifiers(graph: Graph) -> None:
    assert search(graph, "mitragynine")[0]["iri"] == str(KID.mitragynine)
    doi = search(graph, "10.1016/j.drugalcdep.2017.03.007")
    assert doi[0]["iri"] == str(KID["src-doi-10-1016-j-drugalcdep-2017-03-007"])
    assert doi[0]["path"] == "id/src-doi-10-1016-j-drugalcdep-2017-03-007.html"
    assert search(graph, "3034396")[0]["iri"] == str(KID.mitragynine)  # PubChem CID
    assert search(graph, "P35372")[0]["iri"] == str(KID.mor)  # UniProt accession
    assert search(graph, "   ") == []
    assert len(search(graph, "a", limit=3)) == 3
    index = search_index(graph)
    assert len(index) == len(resources(graph))
    assert all({"iri", "label", "kind", "path", "text"} <= set(e) for e in index)


def test_search_page_shows_hits_and_escapes_the_query(graph: Graph) -> None:
    page = render_search(graph, "mor", endpoint=True)
    assert 'href="id/mor.html"' in page
    evil = render_search(graph, "<script>x</script>", endpoint=True)
    assert "<script>x" not in evil
    assert "&lt;script&gt;x" in evil


def test_not_found_page_escapes_the_path() -> None:
    page = render_not_found("id/<b>nope</b>", root="../")
    assert "<b>nope" not in page
    assert "&lt;b&gt;nope" in page
    assert 'href="../index.html"' in page
    assert Page(page).headings == [1]


def _luminance(color: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else float(((c + 0.055) / 1.055) ** 2.4)

    r, g, b = (channel(int(color[i : i + 2], 16) / 255) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_stylesheet_text_contrast() -> None:
    css = (files("kratomkg.site") / "static" / "site.css").read_text(encoding="utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    rules = re.findall(r"([^{}]+)\{([^{}]*)\}", css)
    # The surfaces ordinary text and links sit on: every background whose rule does not set
    # its own (light) text colour, as a button does.
    backgrounds: set[str] = set()
    for _, body in rules:
        own = re.search(r"background(?:-color)?:\s*(#[0-9a-fA-F]{6})", body)
        color = re.search(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{6})", body)
        if own and (color is None or _luminance(color.group(1)) < 0.2):
            backgrounds.add(own.group(1))
    assert "#ffffff" in backgrounds
    checked = 0
    for selector, body in rules:
        color = re.search(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{6})", body)
        if color is None:
            continue
        own = re.search(r"background(?:-color)?:\s*(#[0-9a-fA-F]{6})", body)
        for background in [own.group(1)] if own else backgrounds:
            assert _contrast(color.group(1), background) >= 4.5, (selector.strip(), background)
            checked += 1
    assert checked > 5
