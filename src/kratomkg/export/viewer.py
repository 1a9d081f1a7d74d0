"""The offline viewer: one self-contained HTML file built on Cytoscape.js.

The page inlines Cytoscape.js (vendored in ``vendor/``, see its README for version and
licence), its own script and style, and the graph as JSON, so it opens from disk with no
network request at all; a Content-Security-Policy forbids any. It offers filters by node
type, by the derived certainty of each claim and by its status, a list of every claim
ordered by certainty, a search over names, claim statements, DOIs, PMIDs and identifiers
(PubChem CIDs, UniProt accessions, CURIEs such as ``kid:mitragynine``), and an
evidence panel: clicking a claim edge (or a claim node in the full view) shows the claim's
certainty, status and preclinical support, the derived explanation of why, each line of
evidence (design, direction, finding, the facts of the study, its appraisal, citation with
DOI and PubMed links), its risks with their own certainty, and where the claim was made
(the quoted sentence and its source). Clicking a risk node shows the risk's rating and
evidence the same way. The Cytoscape instance is exposed as ``window.cy`` so that tests and
power users can script it.

``viewer.html#kid:NAME`` (or ``#kkg:NAME``) opens that claim or node, and whatever is
opened is written back into the address, so a view can be shared. Given ``pages`` (the
relative path to the linked-data site), every panel links to its resource's page. On a
narrow screen the panels stack under the graph, and the labels of the claims' subjects and
effects grow as the graph zooms out so that they stay readable at fit-to-screen.

The embedded JSON has ``<``, ``>`` and ``&`` escaped as ``\\u003c``, ``\\u003e``, ``\\u0026``,
so no text in the graph can close the script element or inject markup.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from importlib.resources import files
from typing import Any

import networkx as nx
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS
from rdflib.term import Node

from kratomkg._version import __version__
from kratomkg.errors import ExportError
from kratomkg.export.cyjs import cytoscape_elements
from kratomkg.export.projection import (
    CERTAINTY_COLORS,
    STATUS_COLORS,
    STATUS_ORDER,
    TYPE_COLORS,
    UNRATED,
    View,
    _Reader,
    certainty_color,
    local_name,
    rating,
    source_graph,
    to_networkx,
)
from kratomkg.namespaces import KKG
from kratomkg.site.paths import document_path

__all__ = ["CYTOSCAPE_VERSION", "cytoscape_source", "embed_json", "page_paths", "write_viewer"]

CYTOSCAPE_VERSION = "3.34.4"
CYTOSCAPE_LICENSE = "MIT"
_DIRECTION_ORDER = {"Supports": 0, "Disputes": 1, "Null": 2, "Inconclusive": 3}
# Design classes in the order the panel lists their evidence: human lines (which the
# certainty rests on) first, then what is reported beside the rating.
_DESIGN_KINDS = (
    ("human", KKG.HumanStudyDesign),
    ("review", KKG.ReviewDesign),
    ("preclinical", KKG.PreclinicalDesign),
    ("authority", KKG.AuthorityDesign),
)
_KIND_ORDER = {"human": 0, "review": 0, "preclinical": 1, "authority": 2, "": 3}
# Facts of a study shown on its card, in this order, each named by its property's label.
_FACTS = (
    KKG.studiedIn,
    KKG.species,
    KKG.materialStudied,
    KKG.route,
    KKG.outcomeKind,
    KKG.conditionStudied,
    KKG.poolsDesign,
    KKG.population,
    KKG.studyDesign,
)
_FLAGS = (
    KKG.randomised,
    KKG.blinded,
    KKG.controlled,
    KKG.selfSelectedSample,
    KKG.doseResponse,
    KKG.largeEffect,
)


def cytoscape_source() -> str:
    """Return the vendored ``cytoscape.min.js``, checked to be safe to inline."""
    source = (files("kratomkg.export") / "vendor" / "cytoscape.min.js").read_text(encoding="utf-8")
    lowered = source.lower()
    if "</script" in lowered or "<!--" in lowered:
        raise ExportError(
            "vendor/cytoscape.min.js cannot be inlined: it contains '</script' or '<!--'"
        )
    return source


def embed_json(value: Any) -> str:
    """Serialize ``value`` as JSON that is safe inside an HTML ``<script>`` element."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def text_color(background: str) -> str:
    """Black or white, whichever contrasts more with ``background`` (WCAG luminance).

    Badges sit on the certainty and status colours, and the palest of those need dark text
    to stay readable.
    """

    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else float(((c + 0.055) / 1.055) ** 2.4)

    r, g, b = (channel(background[i : i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#111111" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#FFFFFF"


def _raw_text(reader: _Reader, node: Node, predicate: URIRef) -> str:
    """Return a literal with its line breaks kept (explanations go step by step)."""
    values = [v for v in reader.objects(node, predicate) if isinstance(v, Literal)]
    english = [v for v in values if v.language in ("en", None)] or values
    lines = "\n".join(str(v) for v in english).replace("\r\n", "\n").split("\n")
    return "\n".join(" ".join(line.split()) for line in lines).strip()


def _source(reader: _Reader, source: Node) -> dict[str, Any]:
    info: dict[str, Any] = {"iri": str(source), "label": reader.label(source)}
    for key, predicate in (
        ("title", KKG.title),
        ("year", KKG.year),
        ("venue", KKG.venue),
        ("doi", KKG.doi),
        ("pmid", KKG.pmid),
        ("pmcid", KKG.pmcid),
        ("url", KKG.url),
    ):
        value = reader.value(source, predicate)
        if isinstance(value, Literal):
            info[key] = " ".join(str(value).split())
    return info


def _design_kind(reader: _Reader, design: Node | None) -> str:
    for kind, cls in _DESIGN_KINDS:
        if design is not None and (design, RDF.type, cls) in reader.graph:
            return kind
    return ""


def _evidence(reader: _Reader, evidence: Node, appraisal: Node | None) -> dict[str, Any]:
    design = reader.value(evidence, KKG.design)
    direction = reader.value(evidence, KKG.direction)
    info: dict[str, Any] = {
        "iri": str(evidence),
        "label": reader.label(evidence),
        "design": reader.label(design) if design is not None else "",
        "design_key": local_name(design),
        "design_kind": _design_kind(reader, design),
        "direction": reader.label(direction) if direction is not None else "",
        "direction_key": local_name(direction),
        "citations": [_source(reader, s) for s in reader.objects(evidence, KKG.citation)],
        "facts": [],
    }
    finding = reader.text(evidence, KKG.finding)
    if finding:
        info["finding"] = finding
    for predicate in _FACTS:
        value = reader.text(evidence, predicate)
        if value:
            info["facts"].append([reader.label(predicate), value])
    for key, predicate in (("sample_size", KKG.sampleSize), ("study_count", KKG.studyCount)):
        number = reader.value(evidence, predicate)
        if isinstance(number, Literal):
            info[key] = str(number)
    flags = []
    for predicate in _FLAGS:
        flag = reader.value(evidence, predicate)
        if isinstance(flag, Literal) and isinstance(flag.toPython(), bool):
            name = reader.label(predicate)
            flags.append(name if flag.toPython() else f"not {name}")
    if flags:
        info["flags"] = flags
    if appraisal is not None:
        line = reader.value(appraisal, KKG.lineCertainty)
        info["appraisal"] = {
            "iri": str(appraisal),
            "text": _raw_text(reader, appraisal, KKG.appraisalText),
            "certainty": reader.label(line) if line is not None else UNRATED[1],
            "certainty_key": local_name(line) if line is not None else UNRATED[0],
            "certainty_rank": reader.rank(line),
        }
    return info


def _evidence_lines(reader: _Reader, rated: Node) -> list[dict[str, Any]]:
    """Return the evidence of a claim or risk with its appraisals, most telling first."""
    appraisals = reader.appraisals(rated)
    lines = [
        _evidence(reader, e, appraisals.get(e)) for e in reader.objects(rated, KKG.hasEvidence)
    ]
    lines.sort(
        key=lambda e: (
            0 if "appraisal" in e else 1 + _KIND_ORDER[e["design_kind"]],
            -e["appraisal"]["certainty_rank"] if "appraisal" in e else 0,
            _DIRECTION_ORDER.get(e["direction_key"], 4),
            e["iri"],
        )
    )
    return lines


def _rating(reader: _Reader, node: Node) -> dict[str, Any]:
    attrs = rating(reader, node)
    return {
        "certainty": attrs["certainty"],
        "certainty_key": attrs["certainty_key"],
        "certainty_rank": attrs["certainty_rank"],
        "status": attrs["status"],
        "status_key": attrs["status_key"],
        "preclinical_support": attrs["preclinical_support"],
        "preclinical_support_key": attrs["preclinical_support_key"],
        "rating": attrs["rating"],
        "explanation": _raw_text(reader, node, KKG.explanation),
    }


def _risk_summary(reader: _Reader, risk: Node) -> dict[str, Any]:
    severity = reader.value(risk, KKG.severity)
    info: dict[str, Any] = {
        "iri": str(risk),
        "label": reader.label(risk),
        "severity": reader.label(severity) if severity is not None else "",
        "severity_rank": reader.rank(severity),
        **{k: v for k, v in _rating(reader, risk).items() if k != "explanation"},
    }
    for key, predicate in (("likelihood", KKG.likelihood), ("definition", SKOS.definition)):
        text = reader.text(risk, predicate)
        if text:
            info[key] = text
    return info


def risk_details(reader: _Reader) -> dict[str, dict[str, Any]]:
    """Every risk with its rating, explanation, appraised evidence and claims, by IRI."""
    claims_of: dict[Node, list[str]] = {}
    for claim, risk in reader.graph.subject_objects(KKG.hasRisk):
        claims_of.setdefault(risk, []).append(str(claim))
    risks: dict[str, dict[str, Any]] = {}
    for risk in sorted(set(reader.graph.subjects(RDF.type, KKG.Risk)), key=str):
        if not isinstance(risk, URIRef):
            continue
        risks[str(risk)] = {
            **_risk_summary(reader, risk),
            "explanation": _raw_text(reader, risk, KKG.explanation),
            "evidence": _evidence_lines(reader, risk),
            "claims": sorted(set(claims_of.get(risk, []))),
        }
    return risks


def _appearance(reader: _Reader, appearance: Node) -> dict[str, Any]:
    sources = reader.objects(appearance, KKG.appearsIn)
    return {
        "iri": str(appearance),
        "quote": _raw_text(reader, appearance, KKG.quote),
        "framing": sorted(reader.label(f) for f in reader.objects(appearance, KKG.framing)),
        "sources": [_source(reader, s) for s in sources],
    }


def claim_details(reader: _Reader) -> dict[str, dict[str, Any]]:
    """Every claim with its rating, evidence, appraisals, risks and appearances, by IRI."""
    claims: dict[str, dict[str, Any]] = {}
    for claim in sorted(set(reader.graph.subjects(RDF.type, KKG.Claim)), key=str):
        if not isinstance(claim, URIRef):
            continue
        risks = [_risk_summary(reader, r) for r in reader.objects(claim, KKG.hasRisk)]
        risks.sort(key=lambda r: (-r["severity_rank"], -r["certainty_rank"], r["label"]))
        appearances = [_appearance(reader, a) for a in reader.appearances(claim)]
        appearances.sort(key=lambda a: ([s["label"] for s in a["sources"]], a["quote"], a["iri"]))
        subject = reader.value(claim, KKG.claimSubject)
        effect = reader.value(claim, KKG.claimedEffect)
        comparator = reader.value(claim, KKG.comparator)
        claims[str(claim)] = {
            "iri": str(claim),
            "label": reader.label(claim),
            "statement": reader.text(claim, KKG.statement) or "",
            "subject": reader.label(subject) if subject is not None else "",
            "effect": reader.label(effect) if effect is not None else "",
            "comparator": reader.label(comparator) if comparator is not None else "",
            "conditions": [reader.label(c) for c in reader.objects(claim, KKG.forCondition)],
            "via": [reader.label(v) for v in reader.objects(claim, KKG.viaInteraction)],
            **_rating(reader, claim),
            "evidence": _evidence_lines(reader, claim),
            "risks": risks,
            "appearances": appearances,
        }
    return claims


def _legend(
    reader: _Reader, keys: list[str], colors: dict[str, str], counts: Counter[str]
) -> list[dict[str, Any]]:
    rows = []
    for key in keys:
        color = colors.get(key, TYPE_COLORS["Resource"])
        label = UNRATED[1] if key == UNRATED[0] else reader.label(KKG[key])
        rows.append(
            {
                "key": key,
                "label": label,
                "rank": reader.rank(KKG[key]),
                "color": color,
                "text": text_color(color),
                "count": counts[key],
            }
        )
    return rows


def viewer_data(
    data: Dataset | Graph, view: View = "summary", graph: nx.MultiDiGraph[str] | None = None
) -> dict[str, Any]:
    """Everything the page shows, as one JSON-ready object (``graph``: a ready projection).

    The certainty and status legends always list the whole scale (the ontology's labels,
    in rank order), so the page shows what a claim could have been rated, not only what
    occurs; "not rated" appears only when the data holds an unrated claim.
    """
    if graph is None:
        graph = to_networkx(data, view)
    reader = _Reader(source_graph(data))
    types = Counter(str(attrs["type"]) for _, attrs in graph.nodes(data=True))
    claims = claim_details(reader)
    certainty_counts = Counter(str(c["certainty_key"]) for c in claims.values())
    status_counts = Counter(str(c["status_key"]) for c in claims.values())
    certainty_keys = list(CERTAINTY_COLORS)
    certainty_keys += [UNRATED[0]] if certainty_counts[UNRATED[0]] else []
    status_keys = [k for k in STATUS_ORDER if k != UNRATED[0] or status_counts[k]]
    certainty_palette = {k: certainty_color(k) for k in certainty_keys}
    return {
        "meta": {
            "version": __version__,
            "view": view,
            "nodes": graph.number_of_nodes(),
            "edges": graph.number_of_edges(),
            "cytoscape": CYTOSCAPE_VERSION,
        },
        "types": [
            {"name": name, "color": TYPE_COLORS.get(name, TYPE_COLORS["Resource"]), "count": n}
            for name, n in sorted(types.items(), key=lambda item: list(TYPE_COLORS).index(item[0]))
        ],
        "certainties": _legend(reader, certainty_keys, certainty_palette, certainty_counts),
        "statuses": _legend(reader, status_keys, STATUS_COLORS, status_counts),
        "elements": cytoscape_elements(graph),
        "claims": claims,
        "risks": risk_details(reader),
    }


def page_paths(payload: Mapping[str, Any]) -> dict[str, str]:
    """Site path of the HTML page of every node, claim and risk the viewer shows, by IRI.

    Only IRIs that the linked-data site publishes (``kid:`` resources and ``kkg:`` terms)
    get an entry; blank nodes and other vocabularies have no page to link to.
    """
    iris = {str(n["data"].get("iri", "")) for n in payload["elements"]["nodes"]}
    iris |= set(payload["claims"]) | set(payload["risks"])
    paths = {iri: document_path(iri, "html") for iri in iris if iri}
    return {iri: path for iri, path in sorted(paths.items()) if path is not None}


def _check_pages(pages: str) -> str:
    """Accept a relative prefix (``""``, ``"site/"``, ``"../"``) or an http(s) base URL.

    The prefix goes into link targets, so anything with another scheme (``javascript:``,
    ``data:``) is refused rather than written into the page.
    """
    scheme, colon, _rest = pages.partition(":")
    if colon and "/" not in scheme and scheme.lower() not in ("http", "https"):
        raise ExportError(f"pages must be a relative path or an http(s) URL, not {pages!r}")
    if pages and not pages.endswith("/"):
        pages += "/"
    return pages


def write_viewer(
    data: Dataset | Graph,
    view: View = "summary",
    graph: nx.MultiDiGraph[str] | None = None,
    *,
    pages: str | None = None,
) -> str:
    """Return the viewer page for ``data`` as one self-contained HTML document.

    ``pages`` is the relative prefix from the viewer to the linked-data site's root
    (``""`` beside it, ``"site/"`` from a release folder): with it, every panel links to
    the page of its node or claim. ``None`` writes no such links, for a viewer that travels
    alone.
    """
    root = None if pages is None else _check_pages(pages)
    payload = viewer_data(data, view, graph)
    if root is not None:
        payload["pages"] = {"root": root, "paths": page_paths(payload)}
    title = f"kratomkg {__version__}: interactive graph ({view} view)"
    page = (files("kratomkg.export") / "viewer.html").read_text(encoding="utf-8")
    page = page.replace("{{TITLE}}", title)
    page = page.replace("{{CYTOSCAPE_VERSION}}", CYTOSCAPE_VERSION)
    page = page.replace("{{CYTOSCAPE_LICENSE}}", CYTOSCAPE_LICENSE)
    # The data and the library go in last, so no placeholder inside them is ever replaced.
    head, _, rest = page.partition("{{DATA}}")
    middle, _, tail = rest.partition("{{CYTOSCAPE}}")
    return head + embed_json(payload) + middle + cytoscape_source() + tail
