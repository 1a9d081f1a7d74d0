"""Readable reports: terminal text (coloured on a terminal) and Markdown.

Both read only the report document, so what a person reads is what the JSON says. The
certainty is always written in words; colour only repeats it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["FORMATS", "render", "render_json", "render_markdown", "render_text"]

FORMATS = ("text", "markdown", "json", "claimreview", "html")

_COLOURS = {4: "green", 3: "green", 2: "yellow", 1: "red", 0: "magenta"}
_FRAMING_WORDS = {
    "PlainAssertion": "stated as fact",
    "Hedged": "hedged",
    "Testimonial": "testimony",
    "Marketing": "marketing",
    "ReportsStudy": "reports a study",
    "ReportsAnimalResearch": "reports animal research",
    "RegulatorWarning": "regulator warning",
}


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _link(source: Mapping[str, Any]) -> str:
    if source.get("doi"):
        return f"https://doi.org/{source['doi']}"
    if source.get("pmid"):
        return f"https://pubmed.ncbi.nlm.nih.gov/{source['pmid']}/"
    return str(source.get("url") or source.get("iri") or "")


def _certainty_words(certainty: Mapping[str, Any] | None) -> str:
    if certainty is None:
        return "no evidence in the graph"
    label = str(certainty.get("label", "?"))
    return label if label == "no human evidence" else f"{label} certainty"


def _framing(claim: Mapping[str, Any]) -> str:
    return ", ".join(_FRAMING_WORDS.get(f, f) for f in claim["framing"])


def _evidence_line(ev: Mapping[str, Any]) -> str:
    source = ev.get("source") or {}
    name = source.get("label") or ev.get("iri", "").rsplit("/", 1)[-1]
    parts = [str(name)]
    if ev.get("design"):
        parts.append(str(ev["design"]))
    if ev.get("direction"):
        parts.append(str(ev["direction"]))
    if ev.get("certainty"):
        parts.append(_certainty_words(ev["certainty"]))
    link = _link(source)
    return " · ".join(parts) + (f" — {link}" if link else "")


def _risk_line(risk: Mapping[str, Any]) -> str:
    mark = "" if risk.get("mentionedInText") else " (not mentioned in the text)"
    return f"{risk['label']}: {_certainty_words(risk.get('certainty'))}{mark}"


def _headline(doc: Mapping[str, Any]) -> str:
    s = doc["summary"]
    name = doc["document"]["name"]
    if not s["claims"]:
        return (
            f"{name}: no health claim about kratom found"
            f" ({doc['document']['sentences']} sentences read)"
        )
    return (
        f"{name}: {s['claims']} claim(s), {s['matched']} in the graph,"
        f" {s['unmatched']} with no evidence"
        f" in the graph, {s['safetyClaims']} safety claim(s); {s['risksNamed']} risk(s) named"
    )


def render_text(doc: Mapping[str, Any], *, color: bool = False) -> str:
    """Return the report as terminal text; ``color`` adds ANSI colour (for a terminal)."""
    import click

    def style(text: str, **kw: Any) -> str:
        return click.style(text, **kw) if color else text

    out = [style(_headline(doc), bold=True), ""]
    for number, claim in enumerate(doc["claims"], start=1):
        verdict = claim["verdict"]
        certainty = verdict["certainty"]
        rank = certainty.get("rank", 0) if certainty else 0
        badge = _certainty_words(certainty).upper()
        out.append(style(f"[{number}] {claim['statement']}", bold=True))
        polarity = (
            "  (the text denies it)"
            if claim["polarity"] == "negated" and claim["kind"] == "effect"
            else ""
        )
        out.append(f"    framed as: {_framing(claim)}{polarity}")
        for appearance in claim["appearances"][:3]:
            out.append(
                f"    “{_short(appearance['sentence'])}”"
                f" [{appearance['start']}–{appearance['end']}]"
            )
        if len(claim["appearances"]) > 3:
            out.append(f"    … and {len(claim['appearances']) - 3} more sentence(s)")
        if verdict["match"] == "none":
            out.append(
                "    "
                + style("NO EVIDENCE IN THE GRAPH", fg="magenta", bold=True)
                + ": the graph has no such proposition"
            )
            for related in verdict["related"]:
                out.append(
                    f"    related (not the same claim): {related['label']}"
                    f" — {_certainty_words(related['certainty'])}"
                )
        else:
            colour = _COLOURS.get(rank, "white") if certainty else "magenta"
            if verdict["claim"]:
                out.append(f"    graph: {verdict['claim']['label']} <{verdict['claim']['iri']}>")
            line = "    certainty: " + style(badge, fg=colour, bold=True)
            if verdict["status"]:
                line += f" · status: {verdict['status']['label']}"
            if verdict["preclinicalSupport"]:
                line += f" · preclinical: {verdict['preclinicalSupport']['label']}"
            out.append(line)
            if verdict["via"]:
                out.append(f"    note: {verdict['via']}")
            if verdict["explanation"]:
                out.append(f"    why: {_short(verdict['explanation'], 400)}")
            for ev in verdict["evidenceFor"]:
                out.append(f"    for:     {_evidence_line(ev)}")
            for ev in verdict["evidenceAgainst"]:
                out.append(f"    against: {_evidence_line(ev)}")
            for risk in verdict["risks"]:
                out.append(f"    risk:    {_risk_line(risk)}")
        out.append("")
    if doc["risksNamed"]:
        out.append(style("Risks the text names", bold=True))
        for entry in doc["risksNamed"]:
            words = sorted({m["text"] for a in entry["appearances"] for m in a["matches"]})
            out.append(
                f"  {entry['risk']['label']}: {_certainty_words(entry['risk']['certainty'])}"
                f" (“{'”, “'.join(words)}”)"
            )
    return "\n".join(out).rstrip() + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(doc: Mapping[str, Any]) -> str:
    """Return the report as Markdown."""
    document = doc["document"]
    out = [f"# What the evidence says: {document['name']}", "", _headline(doc) + ".", ""]
    if document.get("url"):
        out += [f"Source: <{document['url']}>", ""]
    if doc["claims"]:
        out += ["| # | claim | framed as | certainty | status |", "|---|---|---|---|---|"]
        for number, claim in enumerate(doc["claims"], start=1):
            verdict = claim["verdict"]
            status = verdict["status"]["label"] if verdict["status"] else ""
            out.append(
                f"| {number} | {_md(claim['statement'])} | {_framing(claim)} | "
                f"{_certainty_words(verdict['certainty'])} | {status} |"
            )
        out.append("")
    for number, claim in enumerate(doc["claims"], start=1):
        verdict = claim["verdict"]
        out += [f"## {number}. {claim['statement']}", ""]
        for appearance in claim["appearances"]:
            out.append(f"> {_short(appearance['sentence'], 600)}")
            out.append(">")
        out[-1] = ""
        out.append(
            f"- **Framed as:** {_framing(claim)}"
            + (" (negated)" if claim["polarity"] == "negated" else "")
        )
        if verdict["match"] == "none":
            out.append("- **No evidence in the graph:** kratomkg has no such proposition.")
            for related in verdict["related"]:
                out.append(
                    f"- Related, not the same claim: {related['label']}"
                    f" ({_certainty_words(related['certainty'])})"
                )
        else:
            if verdict["claim"]:
                out.append(
                    f"- **Graph claim:** [{verdict['claim']['label']}]({verdict['claim']['iri']})"
                )
            out.append(f"- **Certainty:** {_certainty_words(verdict['certainty'])}")
            if verdict["status"]:
                out.append(f"- **Status:** {verdict['status']['label']}")
            if verdict["preclinicalSupport"]:
                out.append(f"- **Preclinical support:** {verdict['preclinicalSupport']['label']}")
            if verdict["via"]:
                out.append(f"- **Note:** {verdict['via']}")
            if verdict["explanation"]:
                out.append(f"- **Why:** {_md(verdict['explanation'])}")
            for label, key in (("For", "evidenceFor"), ("Against", "evidenceAgainst")):
                for ev in verdict[key]:
                    out.append(f"- **{label}:** {_md(_evidence_line(ev))}")
            for risk in verdict["risks"]:
                out.append(f"- **Risk:** {_md(_risk_line(risk))}")
        out.append("")
    if doc["risksNamed"]:
        out += ["## Risks the text names", ""]
        for entry in doc["risksNamed"]:
            out.append(
                f"- {entry['risk']['label']}: {_certainty_words(entry['risk']['certainty'])}"
            )
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_json(doc: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> str:
    """Return the report document(s) as JSON (UTF-8, two-space indent)."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render(docs: Sequence[Mapping[str, Any]], format: str, *, color: bool = False) -> str:
    """Render one or more report documents in ``format``."""
    if format == "json":
        return render_json(docs[0] if len(docs) == 1 else list(docs))
    if format == "claimreview":
        from kratomkg.checking.claimreview import claim_reviews

        reviews = [claim_reviews(d) for d in docs]
        if len(reviews) == 1:
            return render_json(reviews[0])
        merged = dict(reviews[0])
        merged["@graph"] = [item for r in reviews for item in r["@graph"]]
        return render_json(merged)
    if format == "html":
        from kratomkg.checking.html import html_report

        if len(docs) != 1:
            raise ValueError("--format html writes one article per page; give one ARTICLE")
        return html_report(docs[0])
    renderer: Callable[[Mapping[str, Any]], str]
    if format == "markdown":
        renderer = render_markdown
    elif format == "text":
        return "\n".join(render_text(d, color=color) for d in docs)
    else:
        raise ValueError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
    return "\n".join(renderer(d) for d in docs)
