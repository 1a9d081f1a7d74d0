"""The HTML report of ``kratomkg check``: the article with its claims highlighted, one page.

A reader who got a link to an article wants to see, in the article itself, which sentences
make health claims and what the evidence says about each. The page shows the text with every
claim appearance highlighted (a ``<mark>`` per stretch of text, linked to the panel of every
claim it makes), then a panel per claim: what was understood (subject, effect, condition,
framing, negation) and the verdict (certainty, status, explanation, evidence for and
against, risks, related claims). The ClaimReview markup of :mod:`kratomkg.checking.claimreview`
is embedded, so a published report is also machine-readable.

The page is one self-contained file: CSS and a few lines of optional JavaScript are inline
and pinned by a Content-Security-Policy (their SHA-256 hashes, ``default-src 'none'``), so it
opens from disk or a mail attachment and makes no request of any kind. Everything works
without JavaScript (the links are plain anchors, panels are always shown). Text from the
article and the report is escaped by Jinja's autoescape; only ``http(s)`` links are made
clickable. The output depends on the report dict only (no clock, no randomness), so the same
report gives the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

import jinja2
from markupsafe import Markup

from kratomkg.checking.claimreview import (
    NO_EVIDENCE,
    certainty_words,
    claim_reviews,
    rating_name,
    source_links,
)

__all__ = ["CERTAINTY_KEYS", "certainty_key", "embed_jsonld", "html_report", "paragraphs"]

CERTAINTY_KEYS: dict[int, str] = {
    4: "high",
    3: "moderate",
    2: "low",
    1: "very-low",
    0: "no-human-evidence",
}
"""CSS class suffix (``c-<key>``) of each certainty rank; ``none`` = no evidence in the graph."""

# Lowest first: a stretch of text shared by claims of different certainty takes the lowest,
# so the highlight never looks more reassuring than the weakest claim it carries.
_KEY_ORDER = ("none", "no-human-evidence", "very-low", "low", "moderate", "high")
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")
_NOT_CLASS = re.compile(r"[^a-z0-9-]+")
FRAMING_WORDS: dict[str, str] = {
    "PlainAssertion": "plain assertion",
    "Hedged": "hedged",
    "Testimonial": "testimonial",
    "Marketing": "marketing",
    "ReportsStudy": "reports a study",
    "ReportsAnimalResearch": "reports animal or lab research",
    "RegulatorWarning": "regulator warning",
}
"""Plain words for the local names of kkg:Framing individuals."""
DIRECTION_WORDS: dict[str, str] = {
    "supports": "supports",
    "disputes": "disputes",
    "null": "finds no effect",
    "inconclusive": "inconclusive",
}


@dataclass(frozen=True)
class Segment:
    """A run of text inside a highlight, with the roles of the words matched there."""

    text: str
    roles: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ref:
    """A small superscript link from a highlight to one panel."""

    href: str
    text: str
    label: str
    css: str


@dataclass
class Mark:
    """One highlighted stretch of the text: the union of overlapping appearance spans."""

    id: str
    start: int
    end: int
    claims: list[str] = field(default_factory=list)
    risks: list[str] = field(default_factory=list)
    css: str = ""
    segments: list[Segment] = field(default_factory=list)
    refs: list[Ref] = field(default_factory=list)


@dataclass
class Paragraph:
    """A paragraph of the text (``start``/``end`` index document.text) and its pieces."""

    start: int
    end: int
    pieces: list[str | Mark] = field(default_factory=list)


@dataclass
class _Span:
    start: int
    end: int
    kind: str  # "claim" or "risk"
    owner: str  # claim-N or risk-N
    index: int  # which appearance of the owner
    matches: Sequence[Mapping[str, Any]]


def certainty_key(verdict: Mapping[str, Any] | None) -> str:
    """Return the CSS key of a verdict's certainty, ``none`` when the graph has no match."""
    if not verdict or verdict.get("match") != "graph" or not verdict.get("certainty"):
        return "none"
    return CERTAINTY_KEYS.get(int(verdict["certainty"].get("rank", -1)), "none")


def embed_jsonld(data: Any) -> Markup:
    """Serialise JSON for a ``<script type="application/ld+json">`` element.

    Inside a script element the HTML parser only looks for ``</script`` (and ``<!--``), so
    ``</`` becomes ``<\\/`` and ``<!--`` becomes ``\\u003c!--``: both are the same JSON string,
    and no text in the report can end the element or start markup.
    """
    text = json.dumps(data, ensure_ascii=False, indent=2)
    text = text.replace("</", "<\\/").replace("<!--", "\\u003c!--")
    return Markup(text)  # noqa: S704 - escaped for the script-data context above


def html_report(doc: Mapping[str, Any], *, review_url: str | None = None) -> str:
    """Render a check report (the SPEC's JSON dict) as one self-contained HTML page.

    ``review_url``, where the page will be published if known, is passed on to the embedded
    ClaimReview markup (its ``url`` and ``@id``; see :func:`claim_reviews`).
    """
    document: Mapping[str, Any] = doc.get("document") or {}
    claims: list[Mapping[str, Any]] = list(doc.get("claims") or [])
    risks_named: list[Mapping[str, Any]] = list(doc.get("risksNamed") or [])
    text = str(document.get("text") or "")
    spans = _spans(claims, risks_named, len(text))
    marks = _marks(spans, text, claims, risks_named)
    mark_of = {(s.owner, s.index): m.id for m in marks for s in spans if _inside(s, m)}
    template = _environment().get_template("report.html.j2")
    page = template.render(
        doc=doc,
        document=document,
        summary=doc.get("summary") or {},
        generator=doc.get("generator") or {},
        claims=claims,
        risks_named=risks_named,
        paragraphs=paragraphs(text, marks),
        mark_of=mark_of,
        jsonld=embed_jsonld(claim_reviews(doc, review_url=review_url)),
        certainty_scale=[(key, _scale_label(rank)) for rank, key in CERTAINTY_KEYS.items()],
        NO_EVIDENCE=NO_EVIDENCE,
    )
    return page if page.endswith("\n") else page + "\n"


def _environment() -> jinja2.Environment:
    """Build the Jinja environment: autoescape always on, helpers the template needs."""
    environment = jinja2.Environment(
        loader=jinja2.FunctionLoader(_load_template),
        autoescape=True,
        undefined=jinja2.ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["csp_hash"] = _csp_hash
    environment.filters["safe_url"] = _safe_url
    environment.filters["css_key"] = _css_key
    environment.globals.update(
        certainty_key=certainty_key,
        certainty_badge=_certainty_badge,
        rating_name=rating_name,
        source_links=_source_link_list,
        framing_words=_framing_words,
        direction_words=lambda d: DIRECTION_WORDS.get(str(d), str(d)),
        claim_number=_claim_number,
    )
    return environment


def _load_template(name: str) -> str:
    """Read a template shipped in the package (works from a wheel and from the tree)."""
    resource = files("kratomkg") / "checking" / "templates" / name
    return resource.read_text(encoding="utf-8")


def _csp_hash(content: str) -> Markup:
    """Return the CSP source (``'sha256-…'``) that allows exactly this inline block.

    The result is quotes and base64 only, so it is marked safe (no ``&#39;`` in the policy).
    """
    digest = hashlib.sha256(str(content).encode("utf-8")).digest()
    return Markup(f"'sha256-{base64.b64encode(digest).decode('ascii')}'")  # noqa: S704


def _safe_url(url: Any) -> str | None:
    """Return the URL if it is http(s), else None (no ``javascript:`` or ``data:`` link)."""
    if isinstance(url, str) and url.lower().startswith(("https://", "http://")):
        return url
    return None


def _css_key(value: Any) -> str:
    """Turn a role or other token into a safe CSS class fragment."""
    return _NOT_CLASS.sub("-", str(value).lower()).strip("-") or "x"


def _scale_label(rank: int) -> str:
    """Return the legend text of a rank ("very low certainty", "no human evidence")."""
    labels = {4: "high", 3: "moderate", 2: "low", 1: "very low", 0: "no human evidence"}
    return certainty_words({"rank": rank, "label": labels[rank]}).lower()


def _certainty_badge(certainty: Mapping[str, Any] | None) -> dict[str, str]:
    """Return the class key and words of a certainty badge (text, never colour only)."""
    if not certainty:
        return {"key": "none", "text": NO_EVIDENCE}
    key = CERTAINTY_KEYS.get(int(certainty.get("rank", -1)), "none")
    return {"key": key, "text": certainty_words(certainty).lower()}


def _source_link_list(source: Mapping[str, Any]) -> list[dict[str, str]]:
    """Return the links of a source with their visible text (DOI, PMID, web page)."""
    result: list[dict[str, str]] = []
    for link in source_links(source):
        if link.startswith("https://doi.org/"):
            text = f"doi:{source.get('doi')}"
        elif link.startswith("https://pubmed.ncbi.nlm.nih.gov/"):
            text = f"PubMed {source.get('pmid')}"
        else:
            text = "web page"
        if _safe_url(link):
            result.append({"href": link, "text": text})
    return result


def _framing_words(framing: Iterable[str] | None) -> str:
    """Return framing local names as plain words ("testimonial, hedged")."""
    words = [
        FRAMING_WORDS.get(f, re.sub(r"(?<!^)(?=[A-Z])", " ", f).lower()) for f in framing or []
    ]
    return ", ".join(words) if words else "none recorded"


def _claim_number(claim_id: str) -> str:
    """Return the visible number of ``claim-7`` (``7``), or the id itself."""
    return claim_id.rsplit("-", 1)[-1] if claim_id.startswith("claim-") else claim_id


def _spans(
    claims: Sequence[Mapping[str, Any]], risks_named: Sequence[Mapping[str, Any]], length: int
) -> list[_Span]:
    """Collect every appearance span (claims and named risks), clipped to the text."""
    spans: list[_Span] = []
    owners: list[tuple[str, str, Sequence[Mapping[str, Any]]]] = [
        ("claim", str(c.get("id")), c.get("appearances") or []) for c in claims
    ]
    owners += [
        ("risk", f"risk-{n}", r.get("appearances") or []) for n, r in enumerate(risks_named, 1)
    ]
    for kind, owner, appearances in owners:
        for index, appearance in enumerate(appearances):
            start = max(0, min(length, int(appearance.get("start", 0))))
            end = max(0, min(length, int(appearance.get("end", 0))))
            if start < end:
                spans.append(_Span(start, end, kind, owner, index, appearance.get("matches") or []))
    return spans


def _inside(span: _Span, mark: Mark) -> bool:
    return mark.start <= span.start and span.end <= mark.end


def _marks(
    spans: Sequence[_Span],
    text: str,
    claims: Sequence[Mapping[str, Any]],
    risks_named: Sequence[Mapping[str, Any]],
) -> list[Mark]:
    """Merge overlapping spans into highlights, each linked to every claim and risk it holds.

    Identical or overlapping sentence spans (one sentence making two claims, a clause inside
    a sentence that names a risk) become one ``<mark>`` covering their union, so no span is
    split across elements and no text is highlighted twice.
    """
    order = {str(c.get("id")): n for n, c in enumerate(claims)}
    by_id = {str(c.get("id")): c for c in claims}
    groups: list[list[_Span]] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if groups and span.start < max(s.end for s in groups[-1]):
            groups[-1].append(span)
        else:
            groups.append([span])
    marks: list[Mark] = []
    for number, group in enumerate(groups, 1):
        start, end = min(s.start for s in group), max(s.end for s in group)
        claim_ids = sorted({s.owner for s in group if s.kind == "claim"}, key=order.__getitem__)
        risk_ids = sorted(
            {s.owner for s in group if s.kind == "risk"}, key=lambda r: int(r.split("-")[1])
        )
        mark = Mark(f"m-{number}", start, end, claim_ids, risk_ids)
        if claim_ids:
            keys = [certainty_key(by_id[c].get("verdict")) for c in claim_ids]
            mark.css = f"claim c-{min(keys, key=_KEY_ORDER.index)}"
        else:
            mark.css = "risk"
        mark.segments = _segments(text, start, end, [m for s in group for m in s.matches])
        for claim_id in claim_ids:
            claim = by_id[claim_id]
            badge = _certainty_badge((claim.get("verdict") or {}).get("certainty"))
            if certainty_key(claim.get("verdict")) == "none":
                badge = {"key": "none", "text": NO_EVIDENCE.lower()}
            mark.refs.append(
                Ref(
                    f"#{claim_id}",
                    _claim_number(claim_id),
                    f"Claim {_claim_number(claim_id)}: {claim.get('statement', '')} "
                    f"({badge['text']})",
                    f"c-{badge['key']}",
                )
            )
        for risk_id in risk_ids:
            risk = (risks_named[int(risk_id.split("-")[1]) - 1].get("risk")) or {}
            mark.refs.append(
                Ref(
                    f"#{risk_id}",
                    f"R{risk_id.split('-')[1]}",
                    f"Risk named: {risk.get('label', '')}",
                    "risk",
                )
            )
        marks.append(mark)
    return marks


def _segments(
    text: str, start: int, end: int, matches: Sequence[Mapping[str, Any]]
) -> list[Segment]:
    """Split a highlight at the matched words, so they can be underlined by role."""
    inside = []
    for match in matches:
        try:
            m_start, m_end = int(match["start"]), int(match["end"])
        except (KeyError, TypeError, ValueError):
            continue
        m_start, m_end = max(start, m_start), min(end, m_end)
        if m_start < m_end:
            inside.append((m_start, m_end, match))
    cuts = sorted({start, end, *(s for s, _, _ in inside), *(e for _, e, _ in inside)})
    segments: list[Segment] = []
    for left, right in itertools.pairwise(cuts):
        covering = [m for s, e, m in inside if s <= left and right <= e]
        roles = tuple(dict.fromkeys(_css_key(m.get("role", "")) for m in covering))
        labels = tuple(
            dict.fromkeys(f"{m.get('role', '')}: {m.get('label', '')}" for m in covering)
        )
        segments.append(Segment(text[left:right], roles, labels))
    return segments


def paragraphs(text: str, marks: Sequence[Mark]) -> list[Paragraph]:
    """Split the text at blank lines into paragraphs, never inside a highlight.

    Single newlines stay in the text (the page shows them with ``white-space: pre-line``).
    A blank line that falls inside a highlighted span is kept inside its paragraph, so every
    span stays in one ``<mark>``.
    """
    cuts = [
        (m.start(), m.end())
        for m in _BLANK_LINE.finditer(text)
        if not any(k.start < m.end() and m.start() < k.end for k in marks)
    ]
    bounds = [0, *(c for cut in cuts for c in cut), len(text)]
    result: list[Paragraph] = []
    for left, right in zip(bounds[::2], bounds[1::2], strict=True):
        chunk = text[left:right]
        start = left + len(chunk) - len(chunk.lstrip())
        end = left + len(chunk.rstrip())
        inner = [k for k in marks if left <= k.start and k.end <= right]
        if inner:
            start, end = min(start, inner[0].start), max(end, inner[-1].end)
        if start >= end:
            continue
        paragraph = Paragraph(start, end)
        position = start
        for mark in inner:
            if position < mark.start:
                paragraph.pieces.append(text[position : mark.start])
            paragraph.pieces.append(mark)
            position = mark.end
        if position < end:
            paragraph.pieces.append(text[position:end])
        result.append(paragraph)
    return result
