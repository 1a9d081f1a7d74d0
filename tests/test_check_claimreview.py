"""ClaimReview JSON-LD of a check report: offline expansion and schema.org conformance.

The markup is expanded with pyld and a document loader that refuses every fetch, so the
inline context is proved enough. Every type and property in the expanded markup must be a
term of the real schema.org vocabulary (a vendored subset of release 30.0, see
tests/data/schemaorg/README.md), each property must be allowed on the type it is used on
(``schema:domainIncludes``, through superclasses) and each value must fit its
``schema:rangeIncludes``.

``sample_report()`` builds the report dict the HTML tests use too: the text is written out
once and every span is computed from it with ``str.find``, so offsets are always right.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld  # type: ignore[import-untyped]

from kratomkg.checking.claimreview import NO_EVIDENCE, claim_reviews, source_links

SCHEMA = "https://schema.org/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
VOCABULARY = Path(__file__).parent / "data" / "schemaorg" / "schemaorg-subset.jsonld"
KID = "https://w3id.org/kratomkg/id/"
KKG = "https://w3id.org/kratomkg/ontology/"

PARAGRAPHS = (
    "Kratom is the best painkiller for my back pain. It also supports the immune system "
    "and it is not addictive at all, I never had withdrawal.",
    "A 2023 trial found that kratom does not relieve depression. Studies suggest kratom "
    "may ease opioid withdrawal, but the FDA warns it can cause liver damage.",
    "Our premium capsules give you energy\nand focus, every day. Heavy use is linked to seizures.",
)
TEXT = "\n\n".join(PARAGRAPHS) + "\n"

CERTAINTY = {
    4: ("HighCertainty", "high"),
    3: ("ModerateCertainty", "moderate"),
    2: ("LowCertainty", "low"),
    1: ("VeryLowCertainty", "very low"),
    0: ("NoHumanEvidence", "no human evidence"),
}


def certainty(rank: int) -> dict[str, Any]:
    local, label = CERTAINTY[rank]
    return {"iri": KKG + local, "label": label, "rank": rank}


def span(text: str, after: int = 0) -> tuple[int, int]:
    start = TEXT.index(text, after)
    return start, start + len(text)


def term(text: str, role: str, local: str, label: str, within: str) -> dict[str, Any]:
    base = TEXT.index(within)
    start = TEXT.index(text, base)
    return {
        "text": text,
        "start": start,
        "end": start + len(text),
        "role": role,
        "iri": (KKG if role == "framing" else KID) + local,
        "label": label,
        "lexicon": "skos:hiddenLabel",
    }


def appearance(
    sentence: str, framing: list[str], polarity: str, matches: list[dict[str, Any]]
) -> dict[str, Any]:
    start, end = span(sentence)
    return {
        "sentence": sentence,
        "start": start,
        "end": end,
        "framing": framing,
        "polarity": polarity,
        "matches": matches,
        "notes": [],
    }


def source(
    key: str, label: str, doi: str | None, pmid: str | None, url: str | None = None
) -> dict[str, Any]:
    return {
        "iri": KID + "src-" + key,
        "label": label,
        "year": label[-4:],
        "doi": doi,
        "pmid": pmid,
        "url": url,
    }


def evidence(
    key: str, design: str, direction: str, finding: str, src: dict[str, Any], rank: int
) -> dict[str, Any]:
    return {
        "iri": KID + "ev-" + key,
        "design": design,
        "direction": direction,
        "finding": finding,
        "source": src,
        "certainty": certainty(rank),
    }


def risk(local: str, label: str, rank: int, mentioned: bool) -> dict[str, Any]:
    return {
        "iri": KID + local,
        "label": label,
        "certainty": certainty(rank),
        "mentionedInText": mentioned,
    }


def entity(local: str | None, label: str, text: str) -> dict[str, Any]:
    return {"iri": KID + local if local else None, "label": label, "text": text}


def verdict(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "match": "graph",
        "claim": None,
        "via": None,
        "certainty": None,
        "status": None,
        "explanation": None,
        "preclinicalSupport": None,
        "evidenceFor": [],
        "evidenceAgainst": [],
        "risks": [],
        "related": [],
    }
    base.update(fields)
    return base


def claim(number: int, kind: str, statement: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": f"claim-{number}",
        "kind": kind,
        "subject": entity("kratom-leaf", "kratom leaf", "kratom"),
        "effect": None,
        "condition": None,
        "comparator": None,
        "risk": None,
        "polarity": "affirmed",
        "hedged": False,
        "framing": ["PlainAssertion"],
        "statement": statement,
        "appearances": [],
        "verdict": verdict(match="none"),
    }
    base.update(fields)
    return base


def sample_report(url: str | None = "https://forum.example/t/123") -> dict[str, Any]:
    """A report with every feature a renderer must show (see the module docstring)."""
    s1 = "Kratom is the best painkiller for my back pain."
    s2 = (
        "It also supports the immune system and it is not addictive at all, I never had withdrawal."
    )
    s3 = "A 2023 trial found that kratom does not relieve depression."
    s4 = "Studies suggest kratom may ease opioid withdrawal"  # a clause: overlaps s4 whole
    s4_whole = s4 + ", but the FDA warns it can cause liver damage."
    s5 = "Our premium capsules give you energy\nand focus, every day."
    s6 = "Heavy use is linked to seizures."  # names a risk, makes no claim
    bath = source("bath2020", "Bath et al. 2020", "10.1000/example", None)
    # a long DOI, as real ones are: it must wrap on a phone
    trial = source(
        "trial2023", "Trial et al. 2023", "10.2174/2405461503666180420120649", "31234567"
    )
    singh = source("singh2014", "Singh et al. 2014", "10.1000/singh", None)
    cohort = source("cohort2021", "Cohort et al. 2021", None, "30111222")
    fda = source("fda2019", "FDA advisory 2019", None, None, "https://www.fda.gov/example")
    dependence = risk("risk-dependence", "Dependence", 1, True)
    withdrawal = risk("risk-withdrawal-syndrome", "Withdrawal syndrome", 1, True)
    liver = risk("risk-liver-injury", "Liver injury", 2, True)
    seizures = risk("risk-seizures", "Seizures", 1, True)
    claims = [
        claim(
            1,
            "effect",
            "Kratom leaf relieves low back pain.",
            subject=entity("kratom-leaf", "kratom leaf", "Kratom"),
            effect=entity("effect-analgesia", "analgesia", "painkiller"),
            condition=entity("condition-low-back-pain", "low back pain", "back pain"),
            framing=["Testimonial"],
            appearances=[
                appearance(
                    s1,
                    ["Testimonial"],
                    "affirmed",
                    [
                        term("Kratom", "subject", "kratom-leaf", "kratom leaf", s1),
                        term("painkiller", "effect", "effect-analgesia", "analgesia", s1),
                        term("back pain", "condition", "condition-low-back-pain", "lbp", s1),
                        term("my", "framing", "Testimonial", "testimonial", s1),
                    ],
                )
            ],
            verdict=verdict(
                claim={
                    "iri": KID + "claim-kratom-leaf-analgesia-low-back-pain",
                    "label": "Kratom leaf relieves low back pain",
                    "statement": "Kratom leaf relieves low back pain.",
                },
                certainty=certainty(1),
                status={"iri": KKG + "Supported", "label": "supported"},
                explanation="Supported, very low certainty. One survey of self-selected users.",
                preclinicalSupport={"iri": KKG + "NoPreclinicalEvidence", "label": "none"},
                evidenceFor=[
                    evidence(
                        "bath2020",
                        "cross-sectional survey",
                        "supports",
                        "Survey respondents reported using kratom for back pain.",
                        bath,
                        1,
                    )
                ],
                risks=[
                    dependence,
                    withdrawal,
                    risk("risk-drug-interactions", "Drug interactions", 2, False),
                ],
                related=[
                    {
                        "iri": KID + "claim-kratom-leaf-analgesia-chronic-pain",
                        "label": "Kratom leaf relieves chronic pain",
                        "certainty": certainty(2),
                    }
                ],
            ),
        ),
        claim(
            2,
            "effect",
            "Kratom leaf supports the immune system.",
            subject=entity("kratom-leaf", "kratom leaf", "It"),
            effect=entity(None, "supports the immune system", "supports the immune system"),
            appearances=[appearance(s2, ["PlainAssertion"], "affirmed", [])],
        ),
        claim(
            3,
            "safety",
            "Kratom leaf does not cause dependence.",
            subject=entity("kratom-leaf", "kratom leaf", "it"),
            risk=entity("risk-dependence", "Dependence", "not addictive"),
            polarity="negated",
            framing=["Testimonial"],
            appearances=[
                appearance(
                    s2,
                    ["Testimonial"],
                    "negated",
                    [term("not addictive", "risk", "risk-dependence", "Dependence", s2)],
                )
            ],
            verdict=verdict(
                certainty=certainty(1),
                explanation="The graph records dependence as a risk (very low certainty).",
                # as the extraction reports it: evidence for the risk is against the claim
                evidenceAgainst=[
                    evidence(
                        "singh2014",
                        "cross-sectional survey",
                        "supports",
                        "Most long-term users scored as dependent.",
                        singh,
                        1,
                    )
                ],
                risks=[dependence],
            ),
        ),
        claim(
            4,
            "effect",
            "Kratom leaf does not relieve depression.",
            effect=entity("effect-antidepressant", "antidepressant", "relieve depression"),
            condition=entity("condition-depression", "depression", "depression"),
            polarity="negated",
            framing=["ReportsStudy"],
            appearances=[
                appearance(
                    s3,
                    ["ReportsStudy"],
                    "negated",
                    [
                        term("kratom", "subject", "kratom-leaf", "kratom leaf", s3),
                        term("trial", "framing", "ReportsStudy", "reports study", s3),
                    ],
                )
            ],
            verdict=verdict(
                claim={
                    "iri": KID + "claim-kratom-leaf-antidepressant-depression",
                    "label": "Kratom leaf relieves depression",
                    "statement": "Kratom leaf relieves depression.",
                },
                certainty=certainty(2),
                status={"iri": KKG + "Contested", "label": "contested"},
                explanation="Contested, low certainty.",
                preclinicalSupport={"iri": KKG + "PreclinicalSupports", "label": "supports"},
                evidenceFor=[
                    evidence("cohort2021", "cohort study", "supports", "Mood improved.", cohort, 2)
                ],
                evidenceAgainst=[
                    evidence(
                        "trial2023",
                        "randomised controlled trial",
                        "null",
                        "No difference from placebo.",
                        trial,
                        2,
                    )
                ],
            ),
        ),
        claim(
            5,
            "effect",
            "Kratom leaf may ease opioid withdrawal.",
            effect=entity("effect-withdrawal-relief", "withdrawal relief", "ease"),
            condition=entity(
                "condition-opioid-withdrawal", "opioid withdrawal", "opioid withdrawal"
            ),
            hedged=True,
            framing=["ReportsStudy", "Hedged"],
            appearances=[appearance(s4, ["ReportsStudy", "Hedged"], "affirmed", [])],
            verdict=verdict(
                claim={
                    "iri": KID + "claim-kratom-leaf-withdrawal-relief",
                    "label": "Kratom leaf relieves opioid withdrawal",
                    "statement": "Kratom leaf relieves opioid withdrawal.",
                },
                certainty=certainty(3),
                status={"iri": KKG + "Supported", "label": "supported"},
                explanation=None,
                evidenceFor=[
                    evidence("fda2019", "regulator statement", "supports", "Noted use.", fda, 3),
                    # the same source twice: cited once
                    evidence("cohort2021b", "cohort study", "supports", "Less craving.", cohort, 2),
                    evidence(
                        "cohort2021c", "cohort study", "supports", "Fewer symptoms.", cohort, 2
                    ),
                ],
                risks=[liver],
            ),
        ),
        claim(
            6,
            "effect",
            "Kratom powder or tea gives energy.",
            subject=entity("kratom-powder-tea", "kratom powder / tea", "capsules"),
            effect=entity("effect-stimulation", "stimulation", "energy"),
            framing=["Marketing"],
            appearances=[appearance(s5, ["Marketing"], "affirmed", [])],
            verdict=verdict(
                claim={
                    "iri": KID + "claim-kratom-leaf-stimulation",
                    "label": "Kratom leaf is stimulating",
                    "statement": "Kratom leaf is stimulating.",
                },
                via="kratom powder / tea is prepared from kratom leaf; the graph grades the leaf",
                certainty=certainty(0),
                status={"iri": KKG + "NoEvidence", "label": "no evidence"},
                preclinicalSupport={"iri": KKG + "PreclinicalSupports", "label": "supports"},
            ),
        ),
    ]
    liver_start, liver_end = span(s4_whole)
    document = {
        "name": "forum.txt",
        "url": url,
        "date": "2026-11-30",
        "format": "text",
        "sha256": "sha256:" + "ab" * 32,
        "characters": len(TEXT),
        "sentences": 7,
        "text": TEXT,
    }
    return {
        "schema": "https://w3id.org/kratomkg/check/report/1",
        "generator": {"name": "kratomkg", "version": "0.3.0"},
        "document": document,
        "summary": {
            "claims": len(claims),
            "matched": sum(c["verdict"]["match"] == "graph" for c in claims),
            "unmatched": sum(c["verdict"]["match"] == "none" for c in claims),
            "safetyClaims": sum(c["kind"] == "safety" for c in claims),
            "risksNamed": 3,
            "lowestCertainty": certainty(0),
        },
        "claims": claims,
        "risksNamed": [
            {
                "risk": {k: v for k, v in withdrawal.items() if k != "mentionedInText"},
                "appearances": [
                    {
                        "sentence": s2,
                        "start": span(s2)[0],
                        "end": span(s2)[1],
                        "matches": [
                            term("withdrawal", "risk", "risk-withdrawal-syndrome", "W", s2)
                        ],
                    }
                ],
            },
            {
                "risk": {k: v for k, v in liver.items() if k != "mentionedInText"},
                "appearances": [
                    {
                        "sentence": s4_whole,
                        "start": liver_start,
                        "end": liver_end,
                        "matches": [
                            term("liver damage", "risk", "risk-liver-injury", "Liver", s4_whole)
                        ],
                    }
                ],
            },
            {
                "risk": {k: v for k, v in seizures.items() if k != "mentionedInText"},
                "appearances": [
                    {
                        "sentence": s6,
                        "start": span(s6)[0],
                        "end": span(s6)[1],
                        "matches": [term("seizures", "risk", "risk-seizures", "Seizures", s6)],
                    }
                ],
            },
        ],
    }


def test_sample_report_spans_index_the_text() -> None:
    # the fixture itself: every span and match is where it says it is
    doc = sample_report()
    text = doc["document"]["text"]
    groups = [*doc["claims"], *doc["risksNamed"]]
    for group in groups:
        for app in group["appearances"]:
            assert text[app["start"] : app["end"]] == app["sentence"]
            for match in app["matches"]:
                assert text[match["start"] : match["end"]] == match["text"]
                assert app["start"] <= match["start"] < match["end"] <= app["end"]


# --- offline expansion ---------------------------------------------------------------------


class RemoteFetchError(AssertionError):
    """Raised by the document loader: the markup must not need any remote document."""


def refuse(url: str, options: Any = None) -> Any:
    raise RemoteFetchError(f"JSON-LD processor tried to fetch {url}")


def expand(document: Any) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = jsonld.expand(document, {"documentLoader": refuse})
    return result


def test_loader_really_refuses_remote_contexts() -> None:
    # the guard works: the same call with a remote context fails
    with pytest.raises(jsonld.JsonLdError) as info:
        expand({"@context": "https://schema.org/", "name": "x"})
    assert isinstance(info.value.__cause__, RemoteFetchError)


@pytest.fixture(scope="module")
def markup() -> dict[str, Any]:
    return claim_reviews(sample_report())


@pytest.fixture(scope="module")
def expanded(markup: dict[str, Any]) -> list[dict[str, Any]]:
    return expand(markup)


def test_context_is_inline(markup: dict[str, Any]) -> None:
    assert isinstance(markup["@context"], dict)
    assert markup["@context"]["@vocab"] == SCHEMA
    assert "http" not in json.dumps(markup["@context"]).replace(SCHEMA, "")


def test_one_claim_review_per_claim(markup: dict[str, Any], expanded: list[dict[str, Any]]) -> None:
    doc = sample_report()
    reviews = [n for n in expanded if SCHEMA + "ClaimReview" in n.get("@type", [])]
    assert len(markup["@graph"]) == len(doc["claims"]) == len(reviews)
    ids = [r["@id"] for r in reviews]
    assert len(set(ids)) == len(ids)
    for review, item in zip(markup["@graph"], doc["claims"], strict=True):
        assert review["@id"] == f"urn:kratomkg:check:sha256:{'ab' * 32}:{item['id']}"
        assert review["claimReviewed"] == item["statement"]


def _values(node: dict[str, Any], prop: str) -> list[Any]:
    values: list[Any] = node.get(SCHEMA + prop, [])
    return values


def _one(node: dict[str, Any], prop: str) -> Any:
    values = _values(node, prop)
    assert len(values) == 1, f"{prop}: {values}"
    value = values[0]
    return value.get("@value", value.get("@id", value))


def test_every_review_has_the_required_properties(expanded: list[dict[str, Any]]) -> None:
    doc = sample_report()
    for node, item in zip(expanded, doc["claims"], strict=True):
        assert node["@type"] == [SCHEMA + "ClaimReview"]
        assert _one(node, "claimReviewed") == item["statement"]
        (claim_node,) = _values(node, "itemReviewed")
        assert claim_node["@type"] == [SCHEMA + "Claim"]
        appearances = _values(claim_node, "appearance")
        assert len(appearances) == len(item["appearances"])
        for work, app in zip(appearances, item["appearances"], strict=True):
            assert work["@type"] == [SCHEMA + "CreativeWork"]
            assert _one(work, "url") == "https://forum.example/t/123"
            assert _one(work, "text") == app["sentence"]
        assert _values(claim_node, "firstAppearance") == appearances[:1]
        (rating,) = _values(node, "reviewRating")
        assert rating["@type"] == [SCHEMA + "Rating"]
        assert _one(rating, "bestRating") == 4
        assert _one(rating, "worstRating") == 0
        expected_rank = (item["verdict"]["certainty"] or {"rank": 0})["rank"]
        assert _one(rating, "ratingValue") == expected_rank
        name = _one(rating, "alternateName")
        assert isinstance(name, str)
        assert name
        if item["verdict"]["explanation"]:
            assert _one(rating, "ratingExplanation") == item["verdict"]["explanation"]
        else:
            assert SCHEMA + "ratingExplanation" not in rating
        (author,) = _values(node, "author")
        assert author["@type"] == [SCHEMA + "Organization"]
        assert _one(author, "name") == "kratomkg"
        assert _one(author, "url") == "https://w3id.org/kratomkg"
        assert _one(node, "datePublished") == "2026-11-30"
        assert SCHEMA + "url" not in node  # the article's URL is not the review's
        lines = item["verdict"]["evidenceFor"] + item["verdict"]["evidenceAgainst"]
        cited = {c["@id"] for c in _values(node, "citation")}
        assert cited == {line["source"]["iri"] for line in lines}


def test_ratings_say_what_they_mean() -> None:
    reviews = {r["@id"].rsplit(":", 1)[1]: r for r in claim_reviews(sample_report())["@graph"]}

    def name(key: str) -> str:
        value: str = reviews[key]["reviewRating"]["alternateName"]
        return value

    assert name("claim-1") == (
        "Very low certainty: supported (strongest evidence: cross-sectional survey)"
    )
    assert reviews["claim-2"]["reviewRating"]["ratingValue"] == 0
    assert name("claim-2") == NO_EVIDENCE
    assert "citation" not in reviews["claim-2"]
    assert name("claim-3") == (
        "Very low certainty: the graph records dependence as a risk, which this claim denies"
    )
    assert name("claim-4").startswith("Low certainty: the text denies a graph claim; contested")
    assert name("claim-6") == "No human evidence: preclinical evidence: supports"


def test_citations_link_doi_and_pubmed() -> None:
    reviews = claim_reviews(sample_report())["@graph"]
    by_id = {c["@id"]: c for r in reviews for c in r.get("citation", [])}
    trial = by_id[KID + "src-trial2023"]
    assert trial["@type"] == "ScholarlyArticle"
    assert trial["sameAs"] == [
        "https://doi.org/10.2174/2405461503666180420120649",
        "https://pubmed.ncbi.nlm.nih.gov/31234567/",
    ]
    assert trial["url"] == "https://doi.org/10.2174/2405461503666180420120649"
    assert trial["name"] == "Trial et al. 2023"
    assert trial["datePublished"] == "2023"
    assert by_id[KID + "src-cohort2021"]["sameAs"] == "https://pubmed.ncbi.nlm.nih.gov/30111222/"
    fda = by_id[KID + "src-fda2019"]
    assert fda["@type"] == "CreativeWork"
    assert fda["url"] == "https://www.fda.gov/example"
    assert "sameAs" not in fda
    # claim-5 cites the cohort source twice in its evidence: listed once
    claim5 = next(r for r in reviews if r["@id"].endswith(":claim-5"))
    assert [c["@id"] for c in claim5["citation"]] == [KID + "src-fda2019", KID + "src-cohort2021"]
    assert source_links({"doi": "10.1/x", "pmid": "9", "url": None}) == [
        "https://doi.org/10.1/x",
        "https://pubmed.ncbi.nlm.nih.gov/9/",
    ]


def test_safety_claim_cites_risk_evidence_when_present() -> None:
    doc = sample_report()
    safety = doc["claims"][2]
    src = source("risk2020", "Risk review 2020", "10.1000/risk", None)
    safety["verdict"]["risks"][0] = {
        **safety["verdict"]["risks"][0],
        "evidence": [evidence("risk2020", "systematic review", "supports", "Dep.", src, 1)],
    }
    (review,) = [r for r in claim_reviews(doc)["@graph"] if r["@id"].endswith(":claim-3")]
    assert [c["sameAs"] for c in review["citation"]] == [
        "https://doi.org/10.1000/singh",
        "https://doi.org/10.1000/risk",
    ]


def test_without_url_or_date_the_file_name_is_used_and_nothing_invented() -> None:
    doc = sample_report(url=None)
    doc["document"]["date"] = None
    markup = claim_reviews(doc)
    for review in markup["@graph"]:
        assert "datePublished" not in review
        assert "url" not in review
        for work in review["itemReviewed"]["appearance"]:
            assert "url" not in work
            assert work["name"] == "forum.txt"
    doc["document"]["name"] = "-"
    first = claim_reviews(doc)["@graph"][0]
    assert first["itemReviewed"]["appearance"][0]["name"] == "standard input"
    expand(markup)  # still expands offline


def test_review_url_sets_url_and_ids() -> None:
    markup = claim_reviews(sample_report(), review_url="https://example.org/check/forum.html")
    first = markup["@graph"][0]
    assert first["@id"] == first["url"] == "https://example.org/check/forum.html#claim-1"
    expanded = expand(markup)
    assert _one(expanded[0], "url") == "https://example.org/check/forum.html#claim-1"


def test_output_is_deterministic_and_input_untouched() -> None:
    doc = sample_report()
    before = copy.deepcopy(doc)
    first = json.dumps(claim_reviews(doc), ensure_ascii=False)
    second = json.dumps(claim_reviews(copy.deepcopy(doc)), ensure_ascii=False)
    assert first == second
    assert doc == before
    assert list(claim_reviews(doc)["@graph"][0]) == [
        "@type",
        "@id",
        "claimReviewed",
        "itemReviewed",
        "reviewRating",
        "citation",
        "author",
        "datePublished",
    ]


def test_empty_report_gives_an_empty_graph() -> None:
    doc = sample_report()
    doc["claims"] = []
    assert claim_reviews(doc)["@graph"] == []


# --- schema.org conformance ----------------------------------------------------------------


class Vocabulary:
    """The vendored schema.org subset, expanded: classes, superclasses, domains, ranges."""

    def __init__(self, path: Path) -> None:
        nodes = expand(json.loads(path.read_text(encoding="utf-8")))
        graph = nodes[0].get("@graph", nodes)
        self.classes: set[str] = set()
        self.properties: set[str] = set()
        self.data_types: set[str] = set()
        self.parents: dict[str, set[str]] = {}
        self.domains: dict[str, set[str]] = {}
        self.ranges: dict[str, set[str]] = {}
        for node in graph:
            iri = node["@id"]
            types = set(node.get("@type", []))
            refs = {
                key: {v["@id"] for v in node.get(key, []) if "@id" in v}
                for key in (
                    RDFS + "subClassOf",
                    SCHEMA + "domainIncludes",
                    SCHEMA + "rangeIncludes",
                )
            }
            if RDFS + "Class" in types:
                self.classes.add(iri)
                self.parents[iri] = refs[RDFS + "subClassOf"]
            if SCHEMA + "DataType" in types:
                self.data_types.add(iri)
            if "http://www.w3.org/1999/02/22-rdf-syntax-ns#Property" in types:
                self.properties.add(iri)
                self.domains[iri] = refs[SCHEMA + "domainIncludes"]
                self.ranges[iri] = refs[SCHEMA + "rangeIncludes"]

    def ancestors(self, cls: str) -> set[str]:
        seen = {cls}
        todo = [cls]
        while todo:
            for parent in self.parents.get(todo.pop(), set()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    def is_data_type(self, cls: str) -> bool:
        return bool(self.ancestors(cls) & self.data_types)


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary(VOCABULARY)


def test_vendored_vocabulary_is_the_real_one(vocabulary: Vocabulary) -> None:
    # a few facts of schema.org itself, so a hand-made "vocabulary" would not pass
    assert SCHEMA + "Review" in vocabulary.ancestors(SCHEMA + "ClaimReview")
    assert SCHEMA + "Thing" in vocabulary.ancestors(SCHEMA + "ScholarlyArticle")
    assert vocabulary.domains[SCHEMA + "claimReviewed"] == {SCHEMA + "ClaimReview"}
    assert vocabulary.ranges[SCHEMA + "appearance"] == {SCHEMA + "CreativeWork"}
    assert vocabulary.is_data_type(SCHEMA + "URL")
    assert "30.0" in VOCABULARY.read_text(encoding="utf-8")


def walk(node: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str, dict[str, Any]]]:
    """Yield (subject node, property IRI, value object) for every statement, recursively."""
    for key, values in node.items():
        if key.startswith("@"):
            continue
        for value in values:
            yield node, key, value
            if isinstance(value, dict) and "@value" not in value:
                yield from walk(value)


def test_every_term_is_schema_org_and_used_within_its_domain_and_range(
    expanded: list[dict[str, Any]], vocabulary: Vocabulary
) -> None:
    statements = [s for review in expanded for s in walk(review)]
    assert len(statements) > 50
    used_props = set()
    for subject, prop, value in statements:
        used_props.add(prop)
        assert prop in vocabulary.properties, f"{prop} is not in the vendored schema.org subset"
        types = subject.get("@type", [])
        assert types, f"{prop} is used on an untyped node"
        for cls in types:
            assert cls in vocabulary.classes, f"{cls} is not in the vendored schema.org subset"
            assert vocabulary.ancestors(cls) & vocabulary.domains[prop], (
                f"{prop} is not allowed on {cls}"
            )
        ranges = vocabulary.ranges[prop]
        if "@value" in value or set(value) == {"@id"}:
            # a literal, or an IRI standing for a URL (url, sameAs)
            allowed = {r for r in ranges if vocabulary.is_data_type(r)}
            assert allowed, f"{prop} takes no literal value"
            if set(value) == {"@id"}:
                assert SCHEMA + "URL" in allowed, f"{prop} does not take a URL"
        else:
            for cls in value["@type"]:
                assert vocabulary.ancestors(cls) & ranges, f"{cls} is not in the range of {prop}"
    for review in expanded:
        for cls in review["@type"]:
            assert cls in vocabulary.classes
    assert {SCHEMA + p for p in ("appearance", "citation", "ratingExplanation")} <= used_props


def test_conformance_check_catches_a_wrong_property(vocabulary: Vocabulary) -> None:
    # the walk above would fail on a property outside its domain: prove it can
    bad = expand(
        {
            "@context": {"@vocab": SCHEMA},
            "@type": "Rating",
            "claimReviewed": "x",
        }
    )[0]
    (subject, prop, _value) = next(walk(bad))
    assert not vocabulary.ancestors(subject["@type"][0]) & vocabulary.domains[prop]
