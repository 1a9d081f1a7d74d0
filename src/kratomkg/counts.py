"""Count what the knowledge graph holds: resources by class, evidence by design, ratings.

Evidence is counted by the *facts* curators record (its study design); claims and risks by
the ratings the rules derive from those facts (certainty of the human evidence, status).
Every scale is listed in full, zeros included and in its own order, so two releases' counts
line up row for row.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from os import PathLike
from typing import Any

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from kratomkg.derivation import derive
from kratomkg.namespaces import GRAPH_DERIVED, GRAPH_KB, GRAPH_ONTOLOGY, GRAPH_USER, KKG
from kratomkg.report import curie

__all__ = [
    "STATS_FORMATS",
    "ClaimRating",
    "Stats",
    "claim_ratings",
    "count_files",
    "stats",
    "stats_store",
]

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
    "ClaimAppearance",
    "Evidence",
    "Source",
)
# Design classes in the order evidence is counted: the human ladder first (by the certainty
# each design starts from), then reviews, preclinical work and authority statements.
_DESIGN_CLASSES = ("HumanStudyDesign", "ReviewDesign", "PreclinicalDesign", "AuthorityDesign")
# Status in the order a reader weighs it; kkg:EvidenceStatus has no rank of its own.
_STATUS_ORDER = ("Supported", "Contested", "Refuted", "NoEvidence")


@dataclass(frozen=True)
class Stats:
    """Counts of the knowledge graph, in a stable order."""

    classes: dict[str, int]
    evidence_designs: dict[str, int]
    claim_certainty: dict[str, int]
    claim_status: dict[str, int]
    risk_certainty: dict[str, int]
    triples: dict[str, int]

    def to_json(self) -> str:
        """Render as a JSON object."""
        return json.dumps(self.__dict__, indent=2) + "\n"

    def to_text(self) -> str:
        """Render as aligned plain-text tables."""
        blocks = [
            _table("class", "count", self.classes),
            _table("evidence design", "evidence", self.evidence_designs),
            _table("claim certainty", "claims", self.claim_certainty),
            _table("claim status", "claims", self.claim_status),
            _table("risk certainty", "risks", self.risk_certainty),
            _table("named graph", "triples", self.triples),
        ]
        return "\n".join(blocks)

    def render(self, fmt: str) -> str:
        """Render in one of :data:`STATS_FORMATS`."""
        return getattr(self, STATS_FORMATS[fmt])()  # type: ignore[no-any-return]


@dataclass(frozen=True)
class ClaimRating:
    """One claim's derived rating, as the release report lists it."""

    claim: str
    certainty: str
    status: str
    preclinical_support: str


def _table(left: str, right: str, rows: dict[str, int]) -> str:
    width = max([len(left), *(len(k) for k in rows)])
    lines = [f"{left:<{width}}  {right:>9}", f"{'-' * width}  {'-' * 9}"]
    lines += [f"{key:<{width}}  {value:>9}" for key, value in rows.items()]
    return "\n".join(lines) + "\n"


def _label(graph: Graph, node: Node) -> str:
    label = graph.value(node, RDFS.label)
    return str(label) if label is not None else str(node).rsplit("/", 1)[-1]


def _rank(graph: Graph, node: Node | None) -> int:
    rank = graph.value(node, KKG.rank) if node is not None else None
    return int(str(rank)) if rank is not None else 0


def _ensure_derived(dataset: Dataset) -> None:
    if len(dataset.graph(GRAPH_DERIVED)) == 0:
        derive(dataset)


def _instance_data(dataset: Dataset) -> Graph:
    data = Graph()
    for graph_name in (GRAPH_KB, GRAPH_USER):
        for triple in dataset.graph(graph_name):
            data.add(triple)
    return data


def _designs(ontology: Graph) -> list[Node]:
    """Every study design of the ontology, in ladder order (see ``_DESIGN_CLASSES``)."""
    ordered: list[Node] = []
    for name in _DESIGN_CLASSES:
        members = set(ontology.subjects(RDF.type, KKG[name])) - set(ordered)
        start = {d: _rank(ontology, ontology.value(d, KKG.startCertainty)) for d in members}
        ordered += sorted(members, key=lambda d: (-start[d], _label(ontology, d)))
    return ordered


def _certainties(ontology: Graph) -> list[Node]:
    """Every certainty of the ontology, most certain first."""
    found = set(ontology.subjects(RDF.type, KKG.Certainty))
    return sorted(found, key=lambda c: (-_rank(ontology, c), str(c)))


def _statuses(ontology: Graph) -> list[Node]:
    found = set(ontology.subjects(RDF.type, KKG.EvidenceStatus))
    known = [KKG[name] for name in _STATUS_ORDER if KKG[name] in found]
    return known + sorted(found - set(known), key=str)


def _count(
    ontology: Graph, scale: list[Node], values: Counter[Node], unrated: int = 0
) -> dict[str, int]:
    counts = {_label(ontology, node): values.get(node, 0) for node in scale}
    if unrated:
        counts["not rated"] = unrated
    return counts


def _assemble(
    ontology: Graph,
    classes: dict[str, int],
    designs: Counter[Node],
    no_design: int,
    ratings: dict[str, tuple[Counter[Node], int]],
    triples: dict[str, int],
) -> Stats:
    """Lay raw counts out on the ontology's scales; both counters end here, so they agree."""
    evidence_designs = _count(ontology, _designs(ontology), designs)
    if no_design:
        evidence_designs["no design recorded"] = no_design
    certainties, statuses = _certainties(ontology), _statuses(ontology)
    return Stats(
        classes=classes,
        evidence_designs=evidence_designs,
        claim_certainty=_count(ontology, certainties, *ratings["claim certainty"]),
        claim_status=_count(ontology, statuses, *ratings["claim status"]),
        risk_certainty=_count(ontology, certainties, *ratings["risk certainty"]),
        triples=triples,
    )


_RATINGS = {
    "claim certainty": ("Claim", KKG.certainty),
    "claim status": ("Claim", KKG.status),
    "risk certainty": ("Risk", KKG.certainty),
}


def stats(dataset: Dataset) -> Stats:
    """Count the instance data of ``dataset`` (knowledge base and user files)."""
    _ensure_derived(dataset)
    ontology = dataset.graph(GRAPH_ONTOLOGY)
    data = _instance_data(dataset)
    classes: dict[str, int] = {}
    members_of: dict[str, set[Node]] = {}
    for name in COUNTED_CLASSES:
        members = {KKG[name], *ontology.transitive_subjects(RDFS.subClassOf, KKG[name])}
        members_of[name] = {s for c in members for s in data.subjects(RDF.type, c)}
        classes[name] = len(members_of[name])

    designs = [data.value(e, KKG.design) for e in members_of["Evidence"]]
    design_counts: Counter[Node] = Counter(d for d in designs if d is not None)
    derived = dataset.graph(GRAPH_DERIVED)

    def rated(kind: str, predicate: URIRef) -> tuple[Counter[Node], int]:
        values = [derived.value(node, predicate) for node in members_of[kind]]
        found: Counter[Node] = Counter(v for v in values if v is not None)
        return found, sum(v is None for v in values)

    triples = {
        str(g.identifier).rsplit("/", 1)[-1]: len(g)
        for g in sorted(dataset.graphs(), key=lambda g: str(g.identifier))
        if len(g)
    }
    ratings = {key: rated(kind, predicate) for key, (kind, predicate) in _RATINGS.items()}
    return _assemble(ontology, classes, design_counts, designs.count(None), ratings, triples)


# --- the same counts in SPARQL, on an Oxigraph store -----------------------------------------


def _members(name: str) -> str:
    """Return a SPARQL group binding ``?s`` to each instance of ``kkg:name`` or a subclass."""
    return f"""{{ SELECT DISTINCT ?s WHERE {{
      {{ BIND(<{KKG[name]}> AS ?class) }}
      UNION {{ GRAPH <{GRAPH_ONTOLOGY}> {{ ?class <{RDFS.subClassOf}>+ <{KKG[name]}> }} }}
      VALUES ?data {{ <{GRAPH_KB}> <{GRAPH_USER}> }}
      GRAPH ?data {{ ?s <{RDF.type}> ?class }}
    }} }}"""


def _per_member(name: str, graphs: tuple[URIRef, ...], predicate: URIRef) -> str:
    """Count members of ``kkg:name`` by one value of ``predicate`` (unbound: no value).

    One value a member, as ``Graph.value`` takes it in the rdflib counter: a member with
    two values is counted once.
    """
    values = " ".join(f"<{g}>" for g in graphs)
    return f"""SELECT ?value (COUNT(*) AS ?n) WHERE {{
      {{ SELECT ?s (SAMPLE(?v) AS ?value) WHERE {{
          {_members(name)}
          OPTIONAL {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s <{predicate}> ?v }} }}
      }} GROUP BY ?s }}
    }} GROUP BY ?value"""


def _rdflib(term: Any) -> Node | None:
    """Return an Oxigraph term as rdflib (the counts only meet IRIs and numbers)."""
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    return BNode(term.value)


def _solutions(store: Any, query: str) -> list[tuple[Node | None, ...]]:
    answer = store.query(query)
    names = [v.value for v in answer.variables]
    return [tuple(_rdflib(row[n]) for n in names) for row in answer]


def _by_value(rows: list[tuple[Node | None, ...]]) -> tuple[Counter[Node], int]:
    found: Counter[Node] = Counter()
    missing = 0
    for value, count in rows:
        if value is None:
            missing += int(str(count))
        else:
            found[value] += int(str(count))
    return found, missing


def _ontology_of(store: Any) -> Graph:
    """Copy the ontology graph of ``store`` into rdflib (small: the scales' labels, order)."""
    import pyoxigraph as ox

    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(str(GRAPH_ONTOLOGY)))
    graph = Graph()
    graph.parse(data=data.decode("utf-8"), format="nt")
    return graph


def stats_store(store: Any) -> Stats:
    """Count an Oxigraph store loaded by :func:`kratomkg.store_loading.load_store`.

    The same counts as :func:`stats`, computed by SPARQL in Oxigraph, so a graph of
    millions of triples is counted without building it in rdflib. The derived graph is
    computed first if the store has none.
    """
    import pyoxigraph as ox

    from kratomkg.store_loading import derive_store

    if not store.contains_named_graph(ox.NamedNode(str(GRAPH_DERIVED))):
        derive_store(store)
    ontology = _ontology_of(store)
    classes = {}
    for name in COUNTED_CLASSES:
        rows = _solutions(store, f"SELECT (COUNT(*) AS ?n) WHERE {_members(name)}")
        classes[name] = int(str(rows[0][0]))
    data_graphs = (GRAPH_KB, GRAPH_USER)
    designs, no_design = _by_value(
        _solutions(store, _per_member("Evidence", data_graphs, KKG.design))
    )
    ratings = {
        key: _by_value(_solutions(store, _per_member(kind, (GRAPH_DERIVED,), predicate)))
        for key, (kind, predicate) in _RATINGS.items()
    }
    rows = _solutions(
        store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    )
    sizes = {str(g): int(str(n)) for g, n in rows if g is not None and n is not None}
    triples = {g.rsplit("/", 1)[-1]: sizes[g] for g in sorted(sizes) if sizes[g]}
    return _assemble(ontology, classes, designs, no_design, ratings, triples)


#: How ``count_files`` may count: ``auto`` takes Oxigraph when pyoxigraph is installed.
COUNT_ENGINES = ("auto", "oxigraph", "rdflib")


def count_files(
    paths: Iterable[str | PathLike[str]] = (),
    *,
    kb: bool | None = None,
    engine: str = "auto",
) -> Stats:
    """Load files as :func:`kratomkg.loading.load` does and count them: the API of ``stats``.

    rdflib holds every triple as Python objects (gigabytes for a million triples); with
    pyoxigraph installed the files go straight into an Oxigraph store and are counted in
    SPARQL, with the same result.
    """
    if engine not in COUNT_ENGINES:
        raise ValueError(f"unknown engine {engine!r} (engines: {', '.join(COUNT_ENGINES)})")
    if engine == "auto":
        from importlib.util import find_spec

        engine = "oxigraph" if find_spec("pyoxigraph") is not None else "rdflib"
    if engine == "oxigraph":
        from kratomkg.store_loading import load_store

        return stats_store(load_store(paths, kb=kb))
    from kratomkg.loading import load

    return stats(load(paths, kb=kb))


def claim_ratings(dataset: Dataset) -> list[ClaimRating]:
    """Every claim of the instance data with its derived rating, most certain first.

    Claims of equal certainty are listed by status (supported, contested, refuted, no
    evidence) and then by CURIE, so the list is the same on every build.
    """
    _ensure_derived(dataset)
    ontology = dataset.graph(GRAPH_ONTOLOGY)
    derived = dataset.graph(GRAPH_DERIVED)
    data = _instance_data(dataset)
    status_order = {node: i for i, node in enumerate(_statuses(ontology))}
    rows: list[tuple[int, int, str, ClaimRating]] = []
    for claim in set(data.subjects(RDF.type, KKG.Claim)):
        certainty = derived.value(claim, KKG.certainty)
        status = derived.value(claim, KKG.status)
        preclinical = derived.value(claim, KKG.preclinicalSupport)
        name = curie(str(claim))
        rating = ClaimRating(
            claim=name,
            certainty=_label(ontology, certainty) if certainty is not None else "not rated",
            status=_label(ontology, status) if status is not None else "not rated",
            preclinical_support=_label(ontology, preclinical) if preclinical is not None else "",
        )
        rank = _rank(ontology, certainty) if certainty is not None else -1
        last = len(status_order)
        order = status_order.get(status, last) if status is not None else last
        rows.append((-rank, order, name, rating))
    return [row[3] for row in sorted(rows, key=lambda r: r[:3])]


STATS_FORMATS: dict[str, str] = {"text": "to_text", "json": "to_json"}
