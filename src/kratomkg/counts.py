"""Count what the knowledge graph holds: resources by class, evidence by level, grades."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF, RDFS

from kratomkg.derivation import derive
from kratomkg.namespaces import GRAPH_DERIVED, GRAPH_KB, GRAPH_ONTOLOGY, GRAPH_USER, KKG

__all__ = ["STATS_FORMATS", "Stats", "stats"]

# The classes a curator counts, in the order of the data model.
COUNTED_CLASSES: tuple[str, ...] = (
    "Plant",
    "PlantProduct",
    "Compound",
    "Receptor",
    "ReceptorInteraction",
    "Measurement",
    "Effect",
    "Condition",
    "Risk",
    "Claim",
    "Evidence",
    "Source",
)


@dataclass(frozen=True)
class Stats:
    """Counts of the knowledge graph, in a stable order."""

    classes: dict[str, int]
    evidence_levels: dict[str, int]
    grades: dict[str, int]
    triples: dict[str, int]

    def to_json(self) -> str:
        """Render as a JSON object."""
        return json.dumps(self.__dict__, indent=2) + "\n"

    def to_text(self) -> str:
        """Render as aligned plain-text tables."""
        blocks = [
            _table("class", "count", self.classes),
            _table("evidence level", "evidence", self.evidence_levels),
            _table("claim grade", "claims", self.grades),
            _table("named graph", "triples", self.triples),
        ]
        return "\n".join(blocks)

    def render(self, fmt: str) -> str:
        """Render in one of :data:`STATS_FORMATS`."""
        return getattr(self, STATS_FORMATS[fmt])()  # type: ignore[no-any-return]


def _table(left: str, right: str, rows: dict[str, int]) -> str:
    width = max([len(left), *(len(k) for k in rows)])
    lines = [f"{left:<{width}}  {right:>9}", f"{'-' * width}  {'-' * 9}"]
    lines += [f"{key:<{width}}  {value:>9}" for key, value in rows.items()]
    return "\n".join(lines) + "\n"


def _label(graph: Graph, node: URIRef) -> str:
    label = graph.value(node, RDFS.label)
    return str(label) if label is not None else str(node).rsplit("/", 1)[-1]


def stats(dataset: Dataset) -> Stats:
    """Count the instance data of ``dataset`` (knowledge base and user files)."""
    if len(dataset.graph(GRAPH_DERIVED)) == 0:
        derive(dataset)
    ontology = dataset.graph(GRAPH_ONTOLOGY)
    data = Graph()
    for graph_name in (GRAPH_KB, GRAPH_USER):
        for triple in dataset.graph(graph_name):
            data.add(triple)
    classes: dict[str, int] = {}
    for name in COUNTED_CLASSES:
        members = {KKG[name], *ontology.transitive_subjects(RDFS.subClassOf, KKG[name])}
        classes[name] = len({s for c in members for s in data.subjects(RDF.type, c)})

    levels = sorted(
        ontology.subjects(RDF.type, KKG.EvidenceLevel),
        key=lambda level: int(str(ontology.value(level, KKG.rank) or 0)),
    )
    level_counts = Counter(data.objects(None, KKG.evidenceLevel))
    evidence_levels = {
        _label(ontology, lvl): level_counts.get(lvl, 0) for lvl in levels if isinstance(lvl, URIRef)
    }

    derived = dataset.graph(GRAPH_DERIVED)
    grade_counts = Counter(derived.objects(None, KKG.evidenceGrade))
    grade_order = [KKG.Unsupported, KKG.Contested, *levels]
    grades = {
        _label(ontology, g): grade_counts.get(g, 0) for g in grade_order if isinstance(g, URIRef)
    }

    triples = {
        str(g.identifier).rsplit("/", 1)[-1]: len(g)
        for g in sorted(dataset.graphs(), key=lambda g: str(g.identifier))
        if len(g)
    }
    return Stats(classes=classes, evidence_levels=evidence_levels, grades=grades, triples=triples)


STATS_FORMATS: dict[str, str] = {"text": "to_text", "json": "to_json"}
