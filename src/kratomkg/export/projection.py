"""Project the RDF graph onto a property graph (networkx) that graph tools can draw.

RDF keeps a claim as a node with its evidence, risks and sources around it; a person looking
at a picture wants to see *compound -> effect*. Two views are offered:

* ``summary``: compounds, plants and plant products, receptors, effects, conditions and risks
  are the nodes; a receptor interaction becomes a compound -> receptor edge (action, assay,
  measured values, source), a claim becomes one subject -> effect edge (its derived
  certainty, status, preclinical support and explanation, evidence counts, condition, risks,
  sources, and the sources it appears in), plus effect -> condition and subject -> risk
  edges. Risk nodes carry their own derived certainty, status and explanation.
* ``full``: every RDF resource is a node and every triple between resources an edge; literal
  values become node attributes.

Every node carries ``label``, ``type``, ``iri``, ``color`` (``#RRGGBB``, by type) and a
deterministic position ``x``/``y``; every attribute value is a ``str``, ``int``, ``float`` or
``bool`` (lists are joined with ``"; "``, missing values are left out), so every writer
(GraphML, GEXF, DOT, CSV, Cytoscape.js) accepts the graph unchanged. Nodes and edges are
inserted in sorted order, so the same data always gives the same graph.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Literal as TypingLiteral
from typing import get_args

import networkx as nx
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from kratomkg._version import __version__
from kratomkg.derivation import derive_graph
from kratomkg.errors import ExportError
from kratomkg.loading import union_graph
from kratomkg.namespaces import KKG
from kratomkg.report import curie

__all__ = [
    "CERTAINTY_COLORS",
    "FALLBACK_COLOR",
    "STATUS_COLORS",
    "STATUS_ORDER",
    "TYPE_COLORS",
    "UNRATED",
    "VIEWS",
    "Scalar",
    "View",
    "node_key",
    "source_graph",
    "to_networkx",
]

View = TypingLiteral["summary", "full"]
VIEWS: tuple[str, ...] = get_args(View)
Scalar = str | int | float | bool

# Node colours by type (colour-blind-friendly hues, dark enough for white label text).
TYPE_COLORS: dict[str, str] = {
    "Plant": "#2E7D32",
    "PlantProduct": "#7CB342",
    "Compound": "#1565C0",
    "Receptor": "#6A1B9A",
    "Effect": "#EF6C00",
    "Condition": "#00838F",
    "Risk": "#C62828",
    "Claim": "#F9A825",
    "Evidence": "#8D6E63",
    "Source": "#546E7A",
    "ReceptorInteraction": "#9575CD",
    "Measurement": "#B39DDB",
    "ClaimAppearance": "#FFD54F",
    "EvidenceAppraisal": "#A1887F",
    "StudyDesign": "#6D4C41",
    "Certainty": "#FFB300",
    "EvidenceStatus": "#FB8C00",
    "PreclinicalSupport": "#8E7CC3",
    "EvidenceDirection": "#FFCA28",
    "Severity": "#E57373",
    "PharmacologicalAction": "#BA68C8",
    "MeasureType": "#CE93D8",
    "Class": "#78909C",
    "Property": "#90A4AE",
    "Ontology": "#455A64",
    "Resource": "#9E9E9E",
}
FALLBACK_COLOR = TYPE_COLORS["Resource"]

# Claim-edge colours by derived certainty, most certain first. The four GRADE levels are
# steps of viridis (perceptually uniform, readable with every common colour-vision
# deficiency), darkest for high certainty and cut before viridis' yellow end so that the
# palest step still shows on a white page. "No human evidence" is not a fifth step of the
# same scale but grey, because it is the absence of a rating, not a low one.
CERTAINTY_COLORS: dict[str, str] = {
    "HighCertainty": "#440154",
    "ModerateCertainty": "#3B528B",
    "LowCertainty": "#21918C",
    "VeryLowCertainty": "#5EC962",
    "NoHumanEvidence": "#9E9E9E",
}
# A claim or risk the rules left unrated (only possible in data that violates the shapes).
UNRATED = ("Unrated", "not rated")
UNRATED_COLOR = "#D9D9D9"
# Status badges use Okabe-Ito hues (distinct under colour-vision deficiencies); on claim
# edges the status is also the line style (contested dashed, refuted dotted), so it never
# rests on colour alone.
STATUS_COLORS: dict[str, str] = {
    "Supported": "#009E73",
    "Contested": "#E69F00",
    "Refuted": "#D55E00",
    "NoEvidence": "#9E9E9E",
    UNRATED[0]: UNRATED_COLOR,
}
STATUS_ORDER: tuple[str, ...] = tuple(STATUS_COLORS)

# Types shown in the summary view, most specific first.
_SUMMARY_TYPES = ("Compound", "PlantProduct", "Plant", "Receptor", "Effect", "Condition", "Risk")
# Extra kratomkg types told apart in the full view, checked after the summary types.
_FULL_TYPES = (
    "Claim",
    "Evidence",
    "Source",
    "ReceptorInteraction",
    "Measurement",
    "ClaimAppearance",
    "EvidenceAppraisal",
    "StudyDesign",
    "Certainty",
    "EvidenceStatus",
    "PreclinicalSupport",
    "EvidenceDirection",
    "Severity",
    "PharmacologicalAction",
    "MeasureType",
)
_META_TYPES: tuple[tuple[str, tuple[URIRef, ...]], ...] = (
    ("Ontology", (OWL.Ontology,)),
    ("Class", (OWL.Class, RDFS.Class)),
    (
        "Property",
        (
            RDF.Property,
            OWL.ObjectProperty,
            OWL.DatatypeProperty,
            OWL.AnnotationProperty,
            OWL.FunctionalProperty,
        ),
    ),
)
# Attribute names the writers use themselves; a literal property with one of these local
# names is stored under "<prefix>_<name>" instead.
_RESERVED = frozenset(
    {"id", "label", "type", "iri", "color", "kind", "rel", "x", "y", "name", "source", "target"}
    | {"value"}  # the node id in Cytoscape.js JSON, where networkx reads it
)
_INTEGER_TYPES = {XSD.integer, XSD.int, XSD.long, XSD.short, XSD.nonNegativeInteger}
_INTEGER_TYPES |= {XSD.positiveInteger, XSD.unsignedInt, XSD.unsignedLong}
_FLOAT_TYPES = {XSD.decimal, XSD.double, XSD.float}
_EDGE_COLORS = {
    "interaction": "#7E57C2",
    "for_condition": "#4DB6AC",
    "risk": "#E57373",
    "material": "#A1887F",
}


def node_key(node: Node) -> str:
    """Return the node id used in every graph export: a CURIE, ``<iri>`` or ``_:label``."""
    if isinstance(node, BNode):
        return f"_:{node}"
    return curie(str(node))


def source_graph(data: Dataset | Graph) -> Graph:
    """Return one graph holding every triple of ``data``, with its derived ratings.

    A Dataset contributes the union of its named graphs. When the data has claims but no
    derived certainty yet (``derive`` was not run), :func:`~kratomkg.derivation.derive_graph`
    adds the rules' output to this copy, so a picture never shows an unrated claim and the
    caller's data is never modified.
    """
    if isinstance(data, Dataset):
        graph = union_graph(data)
    else:
        graph = Graph()
        for triple in data:
            graph.add(triple)
    has_claims = (None, RDF.type, KKG.Claim) in graph
    if has_claims and (None, KKG.certainty, None) not in graph:
        for triple in derive_graph(graph):
            graph.add(triple)
    return graph


def local_name(node: Node | None) -> str:
    """Return the last path segment of an IRI (``kkg:LowCertainty`` -> ``LowCertainty``)."""
    return str(node).rsplit("/", 1)[-1] if node is not None else ""


def _clean(text: str) -> str:
    return " ".join(text.split())


class _Reader:
    """Read labels, types and values from the source graph, with the class hierarchy."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._appraisals: dict[Node, dict[Node, Node]] | None = None
        self._members: dict[str, set[Node]] = {}
        for name in (*_SUMMARY_TYPES, *_FULL_TYPES):
            classes = {KKG[name], *graph.transitive_subjects(RDFS.subClassOf, KKG[name])}
            self._members[name] = {s for c in classes for s in graph.subjects(RDF.type, c)}
        for name, metas in _META_TYPES:
            self._members[name] = {s for c in metas for s in graph.subjects(RDF.type, c)}

    def instances(self, type_name: str) -> list[Node]:
        return sorted(self._members[type_name], key=node_key)

    def type_of(self, node: Node, names: Iterable[str]) -> str:
        for name in names:
            if node in self._members[name]:
                return name
        return "Resource"

    def label(self, node: Node) -> str:
        labels = [o for o in self.graph.objects(node, RDFS.label) if isinstance(o, Literal)]
        labels += [o for o in self.graph.objects(node, SKOS.prefLabel) if isinstance(o, Literal)]
        if labels:
            best = sorted(labels, key=lambda lit: (lit.language not in ("en", None), str(lit)))
            return _clean(str(best[0]))
        return node_key(node)

    def value(self, node: Node, predicate: URIRef) -> Node | None:
        values = sorted(self.graph.objects(node, predicate), key=_term_key)
        return values[0] if values else None

    def objects(self, node: Node, predicate: URIRef) -> list[Node]:
        return sorted(set(self.graph.objects(node, predicate)), key=_term_key)

    def text(self, node: Node, predicate: URIRef) -> str | None:
        values = self.objects(node, predicate)
        if not values:
            return None
        return "; ".join(self.label(v) if not isinstance(v, Literal) else _clean(v) for v in values)

    def rank(self, node: Node | None) -> int:
        rank = self.value(node, KKG.rank) if node is not None else None
        return int(rank) if isinstance(rank, Literal) else 0

    def appraisals(self, rated: Node) -> dict[Node, Node]:
        """Return the derived appraisals of ``rated`` (a claim or risk), keyed by the evidence."""
        if self._appraisals is None:
            index: dict[Node, dict[Node, Node]] = defaultdict(dict)
            for appraisal in sorted(set(self.graph.subjects(KKG.appraisedFor, None)), key=str):
                target = self.value(appraisal, KKG.appraisedFor)
                evidence = self.value(appraisal, KKG.appraises)
                if target is not None and evidence is not None:
                    index[target].setdefault(evidence, appraisal)
            self._appraisals = dict(index)
        return self._appraisals.get(rated, {})

    def appearances(self, claim: Node) -> list[Node]:
        """Return the claim appearances that assert ``claim``, in IRI order."""
        return sorted(set(self.graph.subjects(KKG.asserts, claim)), key=node_key)


def rating(reader: _Reader, node: Node) -> dict[str, Scalar]:
    """Return the derived rating of a claim or risk as flat attributes (labels, keys, rank).

    Keys are local names (``LowCertainty``, ``Contested``) so that tools can filter and
    style on them; labels are the ontology's words ("low", "contested") for people.
    """
    certainty = reader.value(node, KKG.certainty)
    status = reader.value(node, KKG.status)
    preclinical = reader.value(node, KKG.preclinicalSupport)
    certainty_key = local_name(certainty) if certainty is not None else UNRATED[0]
    certainty_label = reader.label(certainty) if certainty is not None else UNRATED[1]
    status_key = local_name(status) if status is not None else UNRATED[0]
    status_label = reader.label(status) if status is not None else UNRATED[1]
    if certainty_key == "NoHumanEvidence" or certainty is None:
        summary = certainty_label
    else:
        summary = f"{certainty_label} certainty, {status_label}"
    return {
        "certainty": certainty_label,
        "certainty_key": certainty_key,
        "certainty_rank": reader.rank(certainty),
        "status": status_label,
        "status_key": status_key,
        "preclinical_support": reader.label(preclinical) if preclinical is not None else "",
        "preclinical_support_key": local_name(preclinical),
        "rating": summary,
        "explanation": reader.text(node, KKG.explanation) or "",
    }


def certainty_color(key: str) -> str:
    """Return the colour of a certainty key; unrated claims are drawn in a pale grey."""
    return CERTAINTY_COLORS.get(key, UNRATED_COLOR)


def _term_key(term: Node) -> tuple[int, str, str]:
    if isinstance(term, Literal):
        return (2, str(term), f"{term.language or ''}|{term.datatype or ''}")
    return (1 if isinstance(term, BNode) else 0, str(term), "")


def _attr_name(predicate: URIRef) -> str:
    iri = str(predicate)
    local = re.split(r"[#/:]", iri)[-1] or "value"
    name = re.sub(r"\W", "_", local)
    if name[0].isdigit():
        name = "_" + name
    if name in _RESERVED:
        prefix = re.sub(r"\W", "_", curie(iri).split(":", 1)[0].strip("<"))
        name = f"{prefix}_{name}"
    return name


def _scalar(literal: Literal) -> Scalar:
    value = literal.toPython()
    if literal.datatype == XSD.boolean and isinstance(value, bool):
        return value
    if literal.datatype in _INTEGER_TYPES and isinstance(value, int):
        return value
    if literal.datatype in _FLOAT_TYPES and isinstance(value, (int, float, Decimal)):
        result = float(value)
        if math.isfinite(result):
            return result
    return _clean(str(literal))


def _literal_attributes(reader: _Reader, node: Node) -> dict[str, Scalar]:
    grouped: dict[str, list[Literal]] = defaultdict(list)
    for predicate, obj in reader.graph.predicate_objects(node):
        if isinstance(obj, Literal) and predicate != RDFS.label and isinstance(predicate, URIRef):
            grouped[_attr_name(predicate)].append(obj)
    attrs: dict[str, Scalar] = {}
    for name in sorted(grouped):
        values = grouped[name]
        english = [v for v in values if v.language in ("en", None)]
        values = sorted(english or values, key=_term_key)
        if len(values) == 1:
            attrs[name] = _scalar(values[0])
        else:
            attrs[name] = "; ".join(_clean(str(v)) for v in values)
    return attrs


# Object properties drawn as edges (or summarised as counts) in the summary view.
_SUMMARY_LINKS = {RDF.type, KKG.productOf, KKG.foundIn, KKG.metaboliteOf, KKG.hasEvidence}
_SUMMARY_LINKS |= {KKG.hasClaimedEffect}
# Ratings are written by :func:`rating` (label, key and rank), not as a bare label.
_SUMMARY_LINKS |= {KKG.certainty, KKG.status, KKG.preclinicalSupport}


def _object_attributes(reader: _Reader, node: Node) -> dict[str, Scalar]:
    """Other links of a summary node as text: a label where the target has one, else its IRI."""
    grouped: dict[str, set[str]] = defaultdict(set)
    for predicate, obj in reader.graph.predicate_objects(node):
        linked = isinstance(predicate, URIRef) and predicate not in _SUMMARY_LINKS
        if linked and not isinstance(obj, Literal) and isinstance(predicate, URIRef):
            has_label = (obj, RDFS.label, None) in reader.graph
            grouped[_attr_name(predicate)].add(reader.label(obj) if has_label else str(obj))
    return {name: "; ".join(sorted(values)) for name, values in sorted(grouped.items())}


def _node_attributes(reader: _Reader, node: Node, type_name: str) -> dict[str, Scalar]:
    attrs: dict[str, Scalar] = {
        "label": reader.label(node),
        "type": type_name,
        "iri": str(node) if isinstance(node, URIRef) else node_key(node),
        "color": TYPE_COLORS.get(type_name, FALLBACK_COLOR),
    }
    for name, value in _literal_attributes(reader, node).items():
        attrs.setdefault(name, value)
    return attrs


def _citations(reader: _Reader, evidence: Iterable[Node]) -> tuple[str, str]:
    """Return (source labels, DOIs) cited by ``evidence``, each joined and sorted."""
    sources = sorted({s for e in evidence for s in reader.graph.objects(e, KKG.citation)}, key=str)
    labels = sorted({reader.label(s) for s in sources})
    dois = sorted({str(d) for s in sources for d in reader.graph.objects(s, KKG.doi)})
    return "; ".join(labels), "; ".join(dois)


def _add_edge(
    graph: nx.MultiDiGraph[str], u: str, v: str, key: str, attrs: dict[str, Scalar]
) -> None:
    graph.add_edge(u, v, key=key, **{k: val for k, val in attrs.items() if val != ""})


def _summary(reader: _Reader) -> nx.MultiDiGraph[str]:
    g = reader.graph
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    nodes: dict[str, dict[str, Scalar]] = {}

    def ensure(node: Node) -> str:
        key = node_key(node)
        if key not in nodes:
            type_name = reader.type_of(node, _SUMMARY_TYPES)
            attrs = _node_attributes(reader, node, type_name)
            for name, value in _object_attributes(reader, node).items():
                attrs.setdefault(name, value)
            evidence = reader.objects(node, KKG.hasEvidence)
            if evidence:
                attrs["evidence_count"] = len(evidence)
                attrs["sources"], attrs["dois"] = _citations(reader, evidence)
            if type_name == "Risk":
                attrs["severity_rank"] = reader.rank(reader.value(node, KKG.severity))
                attrs.update(rating(reader, node))
            nodes[key] = {k: v for k, v in attrs.items() if v != ""}
        return key

    for type_name in _SUMMARY_TYPES:
        for node in reader.instances(type_name):
            ensure(node)

    edges: list[tuple[str, str, str, dict[str, Scalar]]] = []
    for material, predicate, rel in (
        ("PlantProduct", KKG.productOf, "PRODUCT_OF"),
        ("Compound", KKG.foundIn, "FOUND_IN"),
        ("Compound", KKG.metaboliteOf, "METABOLITE_OF"),
    ):
        for node in reader.instances(material):
            for other in reader.objects(node, predicate):
                label = reader.label(predicate) if (predicate, None, None) in g else rel.lower()
                attrs: dict[str, Scalar] = {
                    "kind": "material",
                    "rel": rel,
                    "label": label,
                    "iri": str(predicate),
                    "color": _EDGE_COLORS["material"],
                }
                edges.append((ensure(node), ensure(other), f"{rel}:{node_key(other)}", attrs))

    for ri in reader.instances("ReceptorInteraction"):
        ligand, target = reader.value(ri, KKG.ligand), reader.value(ri, KKG.target)
        if ligand is None or target is None:
            continue
        measures = []
        for m in reader.objects(ri, KKG.hasMeasurement):
            kind = reader.value(m, KKG.measureType)
            value, unit = reader.value(m, KKG.value), reader.value(m, KKG.unit)
            parts = [reader.label(kind) if kind is not None else "value", "=", str(value or "?")]
            measures.append(" ".join([*parts, str(unit)] if unit is not None else parts))
        action = reader.text(ri, KKG.action) or "interacts with"
        sources, dois = _citations(reader, [ri])
        attrs = {
            "kind": "interaction",
            "rel": "ACTS_ON",
            "label": action,
            "action": action,
            "assay": reader.text(ri, KKG.assay) or "",
            "species": reader.text(ri, KKG.species) or "",
            "measurements": "; ".join(sorted(measures)),
            "comment": reader.text(ri, RDFS.comment) or "",
            "sources": sources,
            "dois": dois,
            "iri": str(ri),
            "color": _EDGE_COLORS["interaction"],
        }
        edges.append((ensure(ligand), ensure(target), node_key(ri), attrs))

    conditions_of: Counter[tuple[str, str]] = Counter()
    risks_of: Counter[tuple[str, str]] = Counter()
    for claim in sorted(set(g.subjects(RDF.type, KKG.Claim)), key=node_key):
        subject, effect = (
            reader.value(claim, KKG.claimSubject),
            reader.value(claim, KKG.claimedEffect),
        )
        if subject is None or effect is None:
            continue
        evidence = reader.objects(claim, KKG.hasEvidence)
        directions = Counter(reader.value(e, KKG.direction) for e in evidence)
        conditions = reader.objects(claim, KKG.forCondition)
        risks = reader.objects(claim, KKG.hasRisk)
        comparator = reader.value(claim, KKG.comparator)
        appearances = reader.appearances(claim)
        appears_in = {s for a in appearances for s in reader.objects(a, KKG.appearsIn)}
        sources, dois = _citations(reader, evidence)
        attrs = {
            "kind": "claim",
            "rel": "CLAIMED_EFFECT",
            "label": reader.label(claim),
            "statement": reader.text(claim, KKG.statement) or "",
            **rating(reader, claim),
            "evidence_count": len(evidence),
            "human_evidence": len(reader.appraisals(claim)),
            "supporting": directions[KKG.Supports],
            "disputing": directions[KKG.Disputes],
            "no_effect": directions[KKG.Null],
            "inconclusive": directions[KKG.Inconclusive],
            "condition": "; ".join(reader.label(c) for c in conditions),
            "condition_iri": "; ".join(str(c) for c in conditions),
            "comparator": reader.label(comparator) if comparator is not None else "",
            "risks": "; ".join(sorted(reader.label(r) for r in risks)),
            "via": "; ".join(node_key(v) for v in reader.objects(claim, KKG.viaInteraction)),
            "appearances": len(appearances),
            "appears_in": "; ".join(sorted({reader.label(s) for s in appears_in})),
            "sources": sources,
            "dois": dois,
            "iri": str(claim),
        }
        attrs["color"] = certainty_color(str(attrs["certainty_key"]))
        u, v = ensure(subject), ensure(effect)
        edges.append((u, v, node_key(claim), attrs))
        for condition in conditions:
            conditions_of[(v, ensure(condition))] += 1
        for risk in risks:
            risks_of[(u, ensure(risk))] += 1

    for (u, v), count in sorted(conditions_of.items()):
        attrs = {"kind": "for_condition", "rel": "CLAIMED_FOR", "label": "claimed for"}
        attrs |= {"claims": count, "color": _EDGE_COLORS["for_condition"]}
        edges.append((u, v, f"for:{v}", attrs))
    for (u, v), count in sorted(risks_of.items()):
        attrs = {"kind": "risk", "rel": "HAS_RISK", "label": "risk", "claims": count}
        attrs |= {"severity": nodes[v].get("severity", ""), "color": _EDGE_COLORS["risk"]}
        attrs |= {"certainty": nodes[v].get("certainty", "")}
        edges.append((u, v, f"risk:{v}", attrs))

    for key in sorted(nodes):
        graph.add_node(key, **nodes[key])
    for u, v, key, attrs in sorted(edges, key=lambda e: (e[0], e[1], e[2])):
        _add_edge(graph, u, v, key, attrs)
    return graph


def _full(reader: _Reader) -> nx.MultiDiGraph[str]:
    g = reader.graph
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    resources = {t for s, _, o in g for t in (s, o) if not isinstance(t, Literal)}
    order = (*_SUMMARY_TYPES, *_FULL_TYPES, *(name for name, _ in _META_TYPES))
    for node in sorted(resources, key=node_key):
        type_name = reader.type_of(node, order)
        node_attrs = _node_attributes(reader, node, type_name)
        if type_name in ("Claim", "Risk"):
            # The rating as attributes too, so tools can filter claims without following edges.
            for name, value in rating(reader, node).items():
                node_attrs.setdefault(name, value)
        graph.add_node(node_key(node), **{k: v for k, v in node_attrs.items() if v != ""})
    edges: list[tuple[str, str, str, dict[str, Scalar]]] = []
    for s, p, o in g:
        if isinstance(o, Literal) or not isinstance(p, URIRef):
            continue
        name = curie(str(p))
        rel = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", _attr_name(p)).upper()
        attrs: dict[str, Scalar] = {"kind": "triple", "rel": rel, "label": name, "iri": str(p)}
        attrs["color"] = FALLBACK_COLOR
        edges.append((node_key(s), node_key(o), name, attrs))
    for u, v, key, attrs in sorted(edges, key=lambda e: (e[0], e[1], e[2])):
        _add_edge(graph, u, v, key, attrs)
    return graph


def label_box(label: str) -> tuple[float, float]:
    """Approximate (width, height) in pixels of a node box showing ``label`` at 12 px."""
    lines = max(1, math.ceil(len(label) * 6.6 / 150))
    return min(164.0, 18.0 + len(label) * 6.6), 14.0 + 15.0 * lines


def _force_layout(n: int, pairs: list[tuple[int, int]]) -> list[list[float]]:
    """Force-directed positions in pixels (degree-weighted repulsion, as in ForceAtlas2).

    Hubs push each other apart harder than leaves, so the compounds and effects that carry
    most claims spread out and their neighbours gather around them. Fixed start, fixed
    number of steps: the result never varies.
    """
    pos = [
        [300.0 * math.cos(2 * math.pi * i / n), 300.0 * math.sin(2 * math.pi * i / n)]
        for i in range(n)
    ]
    degree = [0] * n
    for i, j in pairs:
        degree[i] += 1
        degree[j] += 1
    steps = 300
    for step in range(steps):
        disp = [[0.0, 0.0] for _ in range(n)]
        for i in range(n):
            xi, yi = pos[i]
            for j in range(i + 1, n):
                dx, dy = xi - pos[j][0], yi - pos[j][1]
                force = 100.0 * (degree[i] + 1) * (degree[j] + 1) / max(dx * dx + dy * dy, 1.0)
                disp[i][0] += dx * force
                disp[i][1] += dy * force
                disp[j][0] -= dx * force
                disp[j][1] -= dy * force
        for i, j in pairs:
            dx, dy = (pos[i][0] - pos[j][0]) * 0.05, (pos[i][1] - pos[j][1]) * 0.05
            disp[i][0] -= dx
            disp[i][1] -= dy
            disp[j][0] += dx
            disp[j][1] += dy
        cap = max(2.0, 60.0 * (1 - step / steps))  # cooling: moves shrink step by step
        for i in range(n):
            gravity = 0.06 * (degree[i] + 1)  # keeps unconnected nodes near the centre
            disp[i][0] -= pos[i][0] * gravity
            disp[i][1] -= pos[i][1] * gravity
            length = math.hypot(*disp[i])
            if length > cap:
                disp[i][0] *= cap / length
                disp[i][1] *= cap / length
            pos[i][0] += disp[i][0]
            pos[i][1] += disp[i][1]
    return pos


def _ring_layout(types: list[str], sizes: list[tuple[float, float]]) -> list[list[float]]:
    """Concentric rings, one per type (smallest type innermost), each ring long enough."""
    pos = [[0.0, 0.0] for _ in types]
    by_type: dict[str, list[int]] = defaultdict(list)
    for i, type_name in enumerate(types):
        by_type[type_name].append(i)
    radius = 0.0
    for members in sorted(by_type.values(), key=lambda m: (len(m), m[0])):
        circumference = sum(sizes[i][0] + 20.0 for i in members)
        radius = max(radius + 160.0, circumference / (2 * math.pi))
        for k, i in enumerate(members):
            angle = 2 * math.pi * k / len(members)
            pos[i] = [radius * math.cos(angle), radius * math.sin(angle)]
    return pos


def _remove_overlaps(pos: list[list[float]], sizes: list[tuple[float, float]]) -> None:
    """Push apart node boxes that overlap, along the axis where they overlap least."""
    n = len(pos)
    for _round in range(60):
        moved = False
        for i in range(n):
            for j in range(i + 1, n):
                dx, dy = pos[j][0] - pos[i][0], pos[j][1] - pos[i][1]
                ox = (sizes[i][0] + sizes[j][0]) / 2 + 12 - abs(dx)
                oy = (sizes[i][1] + sizes[j][1]) / 2 + 12 - abs(dy)
                if ox > 0 and oy > 0:
                    moved = True
                    if ox < oy:
                        shift = ox / 2 if dx >= 0 else -ox / 2
                        pos[i][0] -= shift
                        pos[j][0] += shift
                    else:
                        shift = oy / 2 if dy >= 0 else -oy / 2
                        pos[i][1] -= shift
                        pos[j][1] += shift
        if not moved:
            return


def _layout(graph: nx.MultiDiGraph[str]) -> None:
    """Give every node a deterministic position (``x``, ``y``, in pixels) to start from.

    Graphs of up to 250 nodes get a force-directed layout with overlapping label boxes
    pushed apart; larger ones (the full view) get concentric rings by type, which costs
    nothing and keeps each type together. Tools can re-run their own layout from there.
    """
    nodes = sorted(graph.nodes, key=lambda n: (str(graph.nodes[n]["type"]), n))
    if not nodes:
        return
    index = {node: i for i, node in enumerate(nodes)}
    sizes = [label_box(str(graph.nodes[node].get("label", node))) for node in nodes]
    if len(nodes) <= 250:
        pairs = sorted({tuple(sorted((index[u], index[v]))) for u, v in graph.edges() if u != v})
        pos = _force_layout(len(nodes), [(i, j) for i, j in pairs])
        _remove_overlaps(pos, sizes)
    else:
        pos = _ring_layout([str(graph.nodes[node]["type"]) for node in nodes], sizes)
    for node in nodes:
        x, y = pos[index[node]]
        graph.nodes[node]["x"] = round(x, 1)
        graph.nodes[node]["y"] = round(y, 1)


def to_networkx(data: Dataset | Graph, view: View = "summary") -> nx.MultiDiGraph[str]:
    """Project ``data`` onto a networkx ``MultiDiGraph`` in the ``summary`` or ``full`` view.

    See the module documentation for what each view holds. The input is not modified.
    """
    if view not in VIEWS:
        raise ExportError(f"unknown view {view!r}: choose one of {', '.join(VIEWS)}")
    reader = _Reader(source_graph(data))
    graph = _summary(reader) if view == "summary" else _full(reader)
    graph.graph.update({"name": "kratomkg", "view": view, "version": __version__})
    _layout(graph)
    return graph
