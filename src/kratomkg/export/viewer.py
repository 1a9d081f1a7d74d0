"""The offline viewer: one self-contained HTML file built on Cytoscape.js.

The page inlines Cytoscape.js (vendored in ``vendor/``, see its README for version and
licence), its own script and style, and the graph as JSON, so it opens from disk with no
network request at all; a Content-Security-Policy forbids any. It offers filters by node
type and by evidence grade, a search by label, and an evidence panel: clicking a claim edge
(or a claim node in the full view) shows the claim's grade, each line of evidence (level,
direction, finding, citation with DOI link) and its risks. The Cytoscape instance is
exposed as ``window.cy`` so that tests and power users can script it.

The embedded JSON has ``<``, ``>`` and ``&`` escaped as ``\\u003c``, ``\\u003e``, ``\\u0026``,
so no text in the graph can close the script element or inject markup.
"""

from __future__ import annotations

import json
from collections import Counter
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
    GRADE_COLORS,
    TYPE_COLORS,
    View,
    _Reader,
    source_graph,
    to_networkx,
)
from kratomkg.namespaces import KKG

__all__ = ["CYTOSCAPE_VERSION", "cytoscape_source", "embed_json", "write_viewer"]

CYTOSCAPE_VERSION = "3.34.4"
CYTOSCAPE_LICENSE = "MIT"
_DIRECTION_ORDER = {"Supports": 0, "Disputes": 1, "Inconclusive": 2}


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


def _local(node: Node | None) -> str:
    return str(node).rsplit("/", 1)[-1] if node is not None else ""


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


def _evidence(reader: _Reader, evidence: Node) -> dict[str, Any]:
    level = reader.value(evidence, KKG.evidenceLevel)
    direction = reader.value(evidence, KKG.direction)
    info: dict[str, Any] = {
        "iri": str(evidence),
        "label": reader.label(evidence),
        "level": reader.label(level) if level is not None else "",
        "level_rank": reader.rank(level),
        "direction": reader.label(direction) if direction is not None else "",
        "direction_key": _local(direction),
        "citations": [_source(reader, s) for s in reader.objects(evidence, KKG.citation)],
    }
    for key, predicate in (
        ("finding", KKG.finding),
        ("design", KKG.studyDesign),
        ("population", KKG.population),
        ("sample_size", KKG.sampleSize),
    ):
        text = reader.text(evidence, predicate)
        if text:
            info[key] = text
    return info


def _risk(reader: _Reader, risk: Node) -> dict[str, Any]:
    severity = reader.value(risk, KKG.severity)
    info: dict[str, Any] = {
        "iri": str(risk),
        "label": reader.label(risk),
        "severity": reader.label(severity) if severity is not None else "",
        "severity_rank": reader.rank(severity),
    }
    for key, predicate in (("likelihood", KKG.likelihood), ("definition", SKOS.definition)):
        text = reader.text(risk, predicate)
        if text:
            info[key] = text
    return info


def claim_details(reader: _Reader) -> dict[str, dict[str, Any]]:
    """Every claim with its evidence, citations and risks, keyed by claim IRI."""
    claims: dict[str, dict[str, Any]] = {}
    for claim in sorted(set(reader.graph.subjects(RDF.type, KKG.Claim)), key=str):
        if not isinstance(claim, URIRef):
            continue
        grade = reader.value(claim, KKG.evidenceGrade)
        evidence = [_evidence(reader, e) for e in reader.objects(claim, KKG.hasEvidence)]
        evidence.sort(
            key=lambda e: (_DIRECTION_ORDER.get(e["direction_key"], 3), -e["level_rank"], e["iri"])
        )
        risks = [_risk(reader, r) for r in reader.objects(claim, KKG.hasRisk)]
        risks.sort(key=lambda r: (-r["severity_rank"], r["label"]))
        subject = reader.value(claim, KKG.claimSubject)
        effect = reader.value(claim, KKG.claimedEffect)
        claims[str(claim)] = {
            "iri": str(claim),
            "label": reader.label(claim),
            "statement": reader.text(claim, KKG.statement) or "",
            "subject": reader.label(subject) if subject is not None else "",
            "effect": reader.label(effect) if effect is not None else "",
            "conditions": [reader.label(c) for c in reader.objects(claim, KKG.forCondition)],
            "via": [reader.label(v) for v in reader.objects(claim, KKG.viaInteraction)],
            "grade": reader.label(grade) if grade is not None else "unsupported",
            "grade_key": _local(grade) or "Unsupported",
            "evidence": evidence,
            "risks": risks,
            "appears_in": [_source(reader, s) for s in reader.objects(claim, KKG.appearsIn)],
        }
    return claims


def viewer_data(
    data: Dataset | Graph, view: View = "summary", graph: nx.MultiDiGraph[str] | None = None
) -> dict[str, Any]:
    """Everything the page shows, as one JSON-ready object (``graph``: a ready projection)."""
    if graph is None:
        graph = to_networkx(data, view)
    reader = _Reader(source_graph(data))
    types = Counter(str(attrs["type"]) for _, attrs in graph.nodes(data=True))
    grades = Counter(
        str(attrs.get("grade_key"))
        for *_, attrs in graph.edges(data=True)
        if attrs.get("kind") == "claim"
    )
    grade_labels: dict[str, tuple[str, int]] = {}
    for *_, attrs in graph.edges(data=True):
        if attrs.get("kind") == "claim":
            grade_labels[str(attrs["grade_key"])] = (
                str(attrs["grade"]),
                int(str(attrs["grade_rank"])),
            )
    order = list(GRADE_COLORS)
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
        "grades": [
            {
                "key": key,
                "label": grade_labels[key][0],
                "rank": grade_labels[key][1],
                "color": GRADE_COLORS.get(key, TYPE_COLORS["Resource"]),
                "count": grades[key],
            }
            for key in sorted(grades, key=lambda k: -order.index(k) if k in order else 1)
        ],
        "elements": cytoscape_elements(graph),
        "claims": claim_details(reader),
    }


def write_viewer(
    data: Dataset | Graph, view: View = "summary", graph: nx.MultiDiGraph[str] | None = None
) -> str:
    """Return the viewer page for ``data`` as one self-contained HTML document."""
    payload = viewer_data(data, view, graph)
    title = f"kratomkg {__version__}: interactive graph ({view} view)"
    page = (files("kratomkg.export") / "viewer.html").read_text(encoding="utf-8")
    page = page.replace("{{TITLE}}", title)
    page = page.replace("{{CYTOSCAPE_VERSION}}", CYTOSCAPE_VERSION)
    page = page.replace("{{CYTOSCAPE_LICENSE}}", CYTOSCAPE_LICENSE)
    # The data and the library go in last, so no placeholder inside them is ever replaced.
    head, _, rest = page.partition("{{DATA}}")
    middle, _, tail = rest.partition("{{CYTOSCAPE}}")
    return head + embed_json(payload) + middle + cytoscape_source() + tail
