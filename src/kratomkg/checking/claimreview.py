"""schema.org ClaimReview markup for a ``kratomkg check`` report.

Fact-checkers publish ClaimReview so that search engines and aggregators can show what a claim
was reviewed against. This module turns the report document (the JSON dict of
``report.schema.json``, schema version 1) into one JSON-LD document with one ClaimReview per
claim, and nothing else: no rdflib, no network, no clock. The same report always gives the same
bytes, so a published report can be diffed and cached.

The context is inline (``@vocab`` is schema.org) rather than the remote
``https://schema.org`` context, so a JSON-LD processor expands the markup offline and a test
can prove that no term leaves the schema.org vocabulary.

What the rating means. ``ratingValue`` is the *certainty rank* of the human evidence the graph
holds (4 high, 3 moderate, 2 low, 1 very low, 0 no human evidence), not a true/false score.
For a negated effect claim ("kratom does not relieve pain") the rank is that of the graph's
affirmative claim, and for a safety claim ("not addictive") it is the certainty of the risk the
text denies, i.e. how strong the evidence is that the safety claim is wrong. ``alternateName``
says which, in plain words, so the number is never read on its own. A claim the graph has no
proposition for gets 0 and "No evidence in the graph".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "AUTHOR",
    "CONTEXT",
    "NO_EVIDENCE",
    "certainty_words",
    "claim_reviews",
    "rating_name",
    "source_links",
]

CONTEXT: dict[str, Any] = {
    "@vocab": "https://schema.org/",
    # As in schema.org's own context: these take IRIs, so they expand to nodes, not strings.
    "url": {"@type": "@id"},
    "sameAs": {"@type": "@id"},
}
"""The inline JSON-LD context: schema.org terms, no remote document to fetch."""

AUTHOR: dict[str, Any] = {
    "@type": "Organization",
    "name": "kratomkg",
    "url": "https://w3id.org/kratomkg",
}
"""Who made the review: the project, never a person (the checker is a program)."""

NO_EVIDENCE = "No evidence in the graph"
"""The rating name of a claim the graph has no proposition for (it is not "false")."""

BEST_RATING = 4
WORST_RATING = 0
_MAX_RISKS_NAMED = 3


def claim_reviews(doc: Mapping[str, Any], *, review_url: str | None = None) -> dict[str, Any]:
    """Return the ClaimReview JSON-LD (``{"@context", "@graph"}``) of a check report.

    ``doc`` is the report dict (``CheckReport.to_dict()``). ``review_url`` is where the report
    itself will be published, if known: a ClaimReview's ``url`` is the page of the *review*,
    not of the article reviewed, so it is only set from this argument (the article's URL goes
    on each appearance). With it, each review's ``@id`` is ``<review_url>#claim-N`` (the
    anchor of the claim's panel in the HTML report); without it, a URN built from the text's
    SHA-256 and the claim id, stable across runs.
    """
    document: Mapping[str, Any] = doc.get("document") or {}
    return {
        "@context": dict(CONTEXT),
        "@graph": [_claim_review(claim, document, review_url) for claim in doc.get("claims") or []],
    }


def source_links(source: Mapping[str, Any]) -> list[str]:
    """Return the resolvable links of an evidence source: DOI first, then PubMed, then URL.

    The DOI and PMID links are built as the SPEC says (``https://doi.org/<doi>``,
    ``https://pubmed.ncbi.nlm.nih.gov/<pmid>/``), so the HTML report and the markup agree.
    """
    links: list[str] = []
    doi = source.get("doi")
    pmid = source.get("pmid")
    url = source.get("url")
    if doi:
        links.append(f"https://doi.org/{doi}")
    if pmid:
        links.append(f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/")
    if url and url not in links:
        links.append(str(url))
    return links


def _claim_review(
    claim: Mapping[str, Any], document: Mapping[str, Any], review_url: str | None
) -> dict[str, Any]:
    """Build one ClaimReview, its keys always in the same order."""
    claim_id = str(claim.get("id", ""))
    review: dict[str, Any] = {
        "@type": "ClaimReview",
        "@id": _review_id(document, claim_id, review_url),
    }
    if review_url:
        review["url"] = f"{review_url}#{claim_id}"
    review["claimReviewed"] = str(claim.get("statement", ""))
    review["itemReviewed"] = _item_reviewed(claim, document)
    review["reviewRating"] = _rating(claim)
    citations = _citations(claim)
    if citations:
        review["citation"] = citations
    review["author"] = dict(AUTHOR)
    if document.get("date"):
        review["datePublished"] = str(document["date"])
    return review


def _review_id(document: Mapping[str, Any], claim_id: str, review_url: str | None) -> str:
    """Return a deterministic IRI for the review of one claim of one text."""
    if review_url:
        return f"{review_url}#{claim_id}"
    digest = str(document.get("sha256") or "").removeprefix("sha256:") or "unknown"
    return f"urn:kratomkg:check:sha256:{digest}:{claim_id}"


def _item_reviewed(claim: Mapping[str, Any], document: Mapping[str, Any]) -> dict[str, Any]:
    """Return the schema.org Claim: where in the article the claim is made, quoted."""
    appearances = [_appearance(a, document) for a in claim.get("appearances") or []]
    item: dict[str, Any] = {"@type": "Claim"}
    if appearances:
        item["appearance"] = appearances
        item["firstAppearance"] = dict(appearances[0])
    return item


def _appearance(appearance: Mapping[str, Any], document: Mapping[str, Any]) -> dict[str, Any]:
    """Return one appearance: the article (by URL, else by file name) and the sentence."""
    work: dict[str, Any] = {"@type": "CreativeWork"}
    if document.get("url"):
        work["url"] = str(document["url"])
    else:
        name = str(document.get("name") or "-")
        work["name"] = "standard input" if name == "-" else name
    work["text"] = str(appearance.get("sentence", ""))
    return work


def _rating(claim: Mapping[str, Any]) -> dict[str, Any]:
    """Return the Rating: certainty rank, the scale, and what the number means in words."""
    verdict: Mapping[str, Any] = claim.get("verdict") or {}
    certainty: Mapping[str, Any] | None = verdict.get("certainty")
    matched = verdict.get("match") == "graph" and certainty is not None
    rating: dict[str, Any] = {
        "@type": "Rating",
        "ratingValue": int(certainty.get("rank", 0)) if matched and certainty else 0,
        "bestRating": BEST_RATING,
        "worstRating": WORST_RATING,
        "alternateName": rating_name(claim),
    }
    if verdict.get("explanation"):
        rating["ratingExplanation"] = str(verdict["explanation"])
    return rating


def rating_name(claim: Mapping[str, Any]) -> str:
    """Say in plain words what a claim's rating means: the certainty and a short reason.

    Shared with the HTML report so the page and its markup say the same thing.
    """
    verdict: Mapping[str, Any] = claim.get("verdict") or {}
    certainty: Mapping[str, Any] | None = verdict.get("certainty")
    if verdict.get("match") != "graph" or certainty is None:
        return NO_EVIDENCE
    head = certainty_words(certainty)
    if claim.get("kind") == "safety":
        risks = [str(r.get("label", "")) for r in verdict.get("risks") or [] if r.get("label")]
        if not risks:
            return f"{head}: the graph records risks that this claim denies"
        noun = "a risk" if len(risks) == 1 else "risks"
        return f"{head}: the graph records {_join(risks)} as {noun}, which this claim denies"
    reason = _effect_reason(verdict)
    if claim.get("polarity") == "negated":
        return f"{head}: the text denies a graph claim; {reason}"
    return f"{head}: {reason}"


def certainty_words(certainty: Mapping[str, Any]) -> str:
    """Return "Very low certainty" (or "No human evidence" for rank 0), capitalised."""
    label = str(certainty.get("label") or "").strip()
    if int(certainty.get("rank", 0)) == 0 or not label:
        return _capital(label or "no human evidence")
    return _capital(label) if label.endswith("certainty") else f"{_capital(label)} certainty"


def _effect_reason(verdict: Mapping[str, Any]) -> str:
    """Name the status and the strongest design behind it, e.g. "supported (… survey)"."""
    status = str((verdict.get("status") or {}).get("label") or "rated")
    evidence_for: Sequence[Mapping[str, Any]] = verdict.get("evidenceFor") or []
    against: Sequence[Mapping[str, Any]] = verdict.get("evidenceAgainst") or []
    if evidence_for and evidence_for[0].get("design"):
        return f"{status} (strongest evidence: {evidence_for[0]['design']})"
    if against and against[0].get("design"):
        return f"{status} (strongest evidence against: {against[0]['design']})"
    parts = [] if status in ("rated", "no evidence") else [status]
    preclinical = (verdict.get("preclinicalSupport") or {}).get("label")
    if preclinical:
        parts.append(f"preclinical evidence: {preclinical}")
    return "; ".join(parts) or "no human evidence in the graph"


def _citations(claim: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return the sources of the evidence shown for a claim, each once, in report order.

    For a safety claim the sources come from the risks' evidence when the report carries it
    (an optional ``evidence`` list on each risk), else from ``evidenceFor``/``evidenceAgainst``.
    """
    verdict: Mapping[str, Any] = claim.get("verdict") or {}
    lines: list[Mapping[str, Any]] = [
        *(verdict.get("evidenceFor") or []),
        *(verdict.get("evidenceAgainst") or []),
    ]
    for risk in verdict.get("risks") or []:
        lines.extend(risk.get("evidence") or [])
    return _unique_sources(line.get("source") or {} for line in lines)


def _unique_sources(sources: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Turn sources into CreativeWorks, dropping repeats (same IRI, or same label and links)."""
    works: list[dict[str, Any]] = []
    seen: set[str] = set()
    for source in sources:
        links = source_links(source)
        key = str(source.get("iri") or "") or f"{source.get('label')}|{'|'.join(links)}"
        if key in seen or not (source.get("label") or links):
            continue
        seen.add(key)
        work: dict[str, Any] = {
            "@type": "ScholarlyArticle"
            if source.get("doi") or source.get("pmid")
            else "CreativeWork"
        }
        if source.get("iri"):
            work["@id"] = str(source["iri"])
        if source.get("label"):
            work["name"] = str(source["label"])
        if source.get("year"):
            work["datePublished"] = str(source["year"])
        scholarly = [link for link in links if link != source.get("url")]
        if scholarly:
            work["sameAs"] = scholarly if len(scholarly) > 1 else scholarly[0]
        if links:
            work["url"] = str(source.get("url") or links[0])
        works.append(work)
    return works


def _join(words: Sequence[str]) -> str:
    """Join labels for a sentence: "a", "a and b", "a, b and 2 more"."""
    shown = [_lower(w) for w in words[:_MAX_RISKS_NAMED]]
    rest = len(words) - len(shown)
    if rest:
        return f"{', '.join(shown)} and {rest} more"
    if len(shown) == 1:
        return shown[0]
    return f"{', '.join(shown[:-1])} and {shown[-1]}"


def _capital(text: str) -> str:
    """Upper-case the first letter only ("very low" -> "Very low")."""
    return text[:1].upper() + text[1:]


def _lower(label: str) -> str:
    """Lower-case a label's first letter for use mid-sentence, keeping acronyms ("CNS …")."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]
