"""What the checker needs from the graph, read once by SPARQL: the lexicon and the verdicts.

The lexicon is the graph's own labels (``rdfs:label``, ``skos:altLabel``,
``skos:hiddenLabel``) on materials, compounds, effects, conditions, risks and framings;
extending it means adding labels to the graph, never editing code. The verdicts are the
derived certainty, status, explanation and appraised evidence of every claim and risk, so a
report shows exactly what ``kratomkg query`` would.

The shipped graph is read through Oxigraph when pyoxigraph is installed (the whole load,
derivation and read take about 0.3 s) and through rdflib otherwise (about 5 s); either way
the index is built once per process.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kratomkg.checking.segment import exact_words, normalise, stem

__all__ = ["CheckIndex", "Entry", "EvidenceLine", "GraphClaim", "Term", "shipped_index"]

KKG = "https://w3id.org/kratomkg/ontology/"
KID = "https://w3id.org/kratomkg/id/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"

#: Lexicon roles by class. A term of the Plant class is not a claim subject: claims are
#: about the leaf, its preparations and its compounds (kratom leaf carries "kratom").
ROLES = {
    KKG + "Compound": "subject",
    KKG + "PlantProduct": "subject",
    KKG + "Effect": "effect",
    KKG + "Condition": "condition",
    KKG + "Risk": "risk",
    KKG + "Framing": "framing",
}
_LEXICON_PROPERTIES = {
    RDFS + "label": "rdfs:label",
    SKOS + "prefLabel": "skos:prefLabel",
    SKOS + "altLabel": "skos:altLabel",
    SKOS + "hiddenLabel": "skos:hiddenLabel",
    KKG + "symptomLabel": "kkg:symptomLabel",
}

_PREFIXES = f"""PREFIX kkg: <{KKG}>
PREFIX rdfs: <{RDFS}>
PREFIX skos: <{SKOS}>
"""

Q_LEXICON = (
    _PREFIXES
    + """SELECT ?term ?class ?property ?label ?display WHERE {
  VALUES ?class { kkg:Compound kkg:PlantProduct kkg:Effect kkg:Condition kkg:Risk kkg:Framing }
  VALUES ?property { rdfs:label skos:prefLabel skos:altLabel skos:hiddenLabel kkg:symptomLabel }
  ?term a ?class ; ?property ?label .
  OPTIONAL { ?term rdfs:label ?display }
  FILTER (LANG(?label) = "" || LANGMATCHES(LANG(?label), "en"))
}"""
)
Q_CLAIMS = (
    _PREFIXES
    + """SELECT ?claim ?label ?statement ?subject ?effect ?condition ?comparator ?certainty
       ?status ?explanation ?preclinical WHERE {
  ?claim a kkg:Claim ; kkg:claimSubject ?subject ; kkg:claimedEffect ?effect .
  OPTIONAL { ?claim rdfs:label ?label }
  OPTIONAL { ?claim kkg:statement ?statement }
  OPTIONAL { ?claim kkg:forCondition ?condition }
  OPTIONAL { ?claim kkg:comparator ?comparator }
  OPTIONAL { ?claim kkg:certainty ?certainty }
  OPTIONAL { ?claim kkg:status ?status }
  OPTIONAL { ?claim kkg:explanation ?explanation }
  OPTIONAL { ?claim kkg:preclinicalSupport ?preclinical }
}"""
)
Q_RISKS = (
    _PREFIXES
    + """SELECT ?risk ?label ?certainty ?status ?explanation ?of WHERE {
  ?risk a kkg:Risk .
  OPTIONAL { ?risk rdfs:label ?label }
  OPTIONAL { ?risk kkg:certainty ?certainty }
  OPTIONAL { ?risk kkg:status ?status }
  OPTIONAL { ?risk kkg:explanation ?explanation }
  OPTIONAL { ?risk kkg:riskOf ?of }
}"""
)
Q_CLAIM_RISKS = _PREFIXES + "SELECT ?claim ?risk WHERE { ?claim a kkg:Claim ; kkg:hasRisk ?risk }"
Q_EVIDENCE = (
    _PREFIXES
    + """SELECT ?target ?evidence ?direction ?design ?finding ?human ?line ?source ?source_label
       ?year ?doi ?pmid ?url WHERE {
  { ?target a kkg:Claim } UNION { ?target a kkg:Risk }
  ?target kkg:hasEvidence ?evidence .
  OPTIONAL { ?evidence kkg:direction ?direction }
  OPTIONAL { ?evidence kkg:design/rdfs:label ?design }
  OPTIONAL { ?evidence kkg:finding ?finding }
  OPTIONAL { ?evidence kkg:studiedIn ?human FILTER (?human = kkg:HumanParticipants) }
  OPTIONAL {
    ?appraisal kkg:appraisedFor ?target ; kkg:appraises ?evidence ; kkg:lineCertainty ?line
  }
  OPTIONAL {
    ?evidence kkg:citation ?source .
    OPTIONAL { ?source rdfs:label ?source_label }
    OPTIONAL { ?source kkg:year ?year }
    OPTIONAL { ?source kkg:doi ?doi }
    OPTIONAL { ?source kkg:pmid ?pmid }
    OPTIONAL { ?source kkg:url ?url }
  }
}"""
)
Q_SCALES = (
    _PREFIXES
    + """SELECT ?term ?label ?rank WHERE {
  VALUES ?class { kkg:Certainty kkg:EvidenceStatus kkg:PreclinicalSupport kkg:EvidenceDirection }
  ?term a ?class .
  OPTIONAL { ?term rdfs:label ?label }
  OPTIONAL { ?term kkg:rank ?rank }
}"""
)
Q_LINKS = (
    _PREFIXES
    + """SELECT ?from ?property ?to WHERE {
  VALUES ?property { kkg:reliefEffect kkg:preparedFrom kkg:productOf }
  ?from ?property ?to .
}"""
)


@dataclass(frozen=True, slots=True)
class Term:
    """A resource of the graph the text can name."""

    iri: str
    role: str
    label: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One lexicon label: the term it names and the property it came from."""

    term: Term
    label: str
    lexicon: str


@dataclass(frozen=True)
class EvidenceLine:
    """One line of evidence on a claim or risk, as a report shows it."""

    iri: str
    direction: str | None
    design: str | None
    finding: str | None
    human: bool
    certainty: str | None
    source: Mapping[str, str | None]


@dataclass(frozen=True)
class GraphClaim:
    """A proposition of the graph with its derived verdict."""

    iri: str
    subject: str
    effect: str
    condition: str | None
    comparator: str | None
    values: Mapping[str, str | None]


@dataclass
class CheckIndex:
    """The lexicon trie plus everything a verdict needs, keyed by IRI."""

    trie: dict[str, Any] = field(default_factory=dict)
    terms: dict[str, Term] = field(default_factory=dict)
    claims: dict[tuple[str, str, str | None, str | None], GraphClaim] = field(default_factory=dict)
    claim_risks: dict[str, list[str]] = field(default_factory=dict)
    risks: dict[str, Mapping[str, str | None]] = field(default_factory=dict)
    risk_of: dict[str, set[str]] = field(default_factory=dict)
    evidence: dict[str, list[EvidenceLine]] = field(default_factory=dict)
    scales: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    relief: dict[str, str] = field(default_factory=dict)
    prepared_from: dict[str, str] = field(default_factory=dict)
    product_of: dict[str, str] = field(default_factory=dict)
    pairs: set[tuple[str, str]] = field(default_factory=set)
    max_length: int = 0
    compound_iris: set[str] = field(default_factory=set)
    cue_trie: dict[str, Any] = field(default_factory=dict)
    cue_first_stems: set[str] = field(default_factory=set)

    # --- building -----------------------------------------------------------------------

    @classmethod
    def from_rows(cls, select: Callable[[str], Iterable[Mapping[str, str | None]]]) -> CheckIndex:
        """Build the index from a function that runs a SELECT and yields rows of strings."""
        index = cls()
        displays: dict[str, str] = {}
        labels: list[tuple[str, str, str, str]] = []
        for row in select(Q_LEXICON):
            term, klass = str(row["term"]), str(row["class"])
            display = row.get("display") or row["label"] or term
            displays.setdefault(term, str(display))
            if klass == KKG + "Compound":
                index.compound_iris.add(term)
            lexicon = _LEXICON_PROPERTIES[str(row["property"])]
            role = "symptom" if lexicon == "kkg:symptomLabel" else ROLES[klass]
            labels.append((term, role, str(row["label"]), lexicon))
        for term, role, label, lexicon in sorted(labels):
            key = f"{role} {term}"
            entry_term = index.terms.setdefault(key, Term(term, role, displays[term]))
            index._add(Entry(entry_term, label, lexicon))
        for row in select(Q_SCALES):
            rank = row.get("rank")
            index.scales[str(row["term"])] = (
                str(row.get("label") or row["term"]),
                int(rank) if rank else None,
            )
        for row in select(Q_LINKS):
            source, prop, target = str(row["from"]), str(row["property"]), str(row["to"])
            if prop == KKG + "reliefEffect":
                index.relief[source] = target
                index.pairs.add((target, source))
            elif prop == KKG + "preparedFrom":
                index.prepared_from[source] = target
            else:
                index.product_of[source] = target
        for row in select(Q_CLAIMS):
            claim = GraphClaim(
                iri=str(row["claim"]),
                subject=str(row["subject"]),
                effect=str(row["effect"]),
                condition=_opt(row.get("condition")),
                comparator=_opt(row.get("comparator")),
                values={
                    k: _opt(row.get(k))
                    for k in (
                        "label",
                        "statement",
                        "certainty",
                        "status",
                        "explanation",
                        "preclinical",
                    )
                },
            )
            index.claims[(claim.subject, claim.effect, claim.condition, claim.comparator)] = claim
            if claim.condition:
                index.pairs.add((claim.effect, claim.condition))
        risks_by_claim: dict[str, set[str]] = defaultdict(set)
        for row in select(Q_CLAIM_RISKS):
            risks_by_claim[str(row["claim"])].add(str(row["risk"]))
        index.claim_risks = {k: sorted(v) for k, v in risks_by_claim.items()}
        risk_of: dict[str, set[str]] = defaultdict(set)
        for row in select(Q_RISKS):
            risk = str(row["risk"])
            index.risks[risk] = {
                k: _opt(row.get(k)) for k in ("label", "certainty", "status", "explanation")
            }
            if row.get("of"):
                risk_of[risk].add(str(row["of"]))
        index.risk_of = dict(risk_of)
        lines: dict[str, dict[str, EvidenceLine]] = defaultdict(dict)
        for row in select(Q_EVIDENCE):
            target, iri = str(row["target"]), str(row["evidence"])
            lines[target][iri] = EvidenceLine(
                iri=iri,
                direction=_opt(row.get("direction")),
                design=_opt(row.get("design")),
                finding=_opt(row.get("finding")),
                human=bool(row.get("human")),
                certainty=_opt(row.get("line")),
                source={
                    "iri": _opt(row.get("source")),
                    "label": _opt(row.get("source_label")),
                    "year": _opt(row.get("year")),
                    "doi": _opt(row.get("doi")),
                    "pmid": _opt(row.get("pmid")),
                    "url": _opt(row.get("url")),
                },
            )
        index.evidence = {t: [v[k] for k in sorted(v)] for t, v in lines.items()}
        return index

    def _add(self, entry: Entry) -> None:
        if entry.term.role == "framing":
            # Framing cues are function words ("may", "studies"): matched as written,
            # unstemmed, so "studies" never matches "study" in "for work or study". Their
            # own trie is entered only at words whose stem starts a cue.
            words = exact_words(entry.label)
            trie = self.cue_trie
            if words:
                self.cue_first_stems.add(stem(words[0]))
        else:
            words = normalise(entry.label)
            trie = self.trie
        if not words:
            return
        node = trie
        for word in words:
            node = node.setdefault(word, {})
        node.setdefault("", []).append(entry)
        self.max_length = max(self.max_length, len(words))

    # --- reading ------------------------------------------------------------------------

    def term(self, role: str, iri: str) -> Term | None:
        """Return the term ``iri`` in ``role``, if the lexicon has it."""
        return self.terms.get(f"{role} {iri}")

    def scale(self, iri: str | None) -> dict[str, Any] | None:
        """Return ``{"iri", "label", "rank"}`` for a certainty, status or support value."""
        if iri is None:
            return None
        label, rank = self.scales.get(iri, (iri.rsplit("/", 1)[-1], None))
        value: dict[str, Any] = {"iri": iri, "label": label}
        if rank is not None:
            value["rank"] = rank
        return value

    def rank(self, iri: str | None) -> int:
        """Return the rank of a certainty (-1 when unknown)."""
        if iri is None:
            return -1
        rank = self.scales.get(iri, ("", None))[1]
        return -1 if rank is None else rank


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


def _rdflib_select(dataset: Any) -> Callable[[str], Iterable[Mapping[str, str | None]]]:
    def select(query: str) -> Iterable[Mapping[str, str | None]]:
        result = dataset.query(query)
        names = [str(v) for v in result.vars]
        for row in result:
            yield {n: (None if v is None else str(v)) for n, v in zip(names, row, strict=True)}

    return select


def _oxigraph_select(store: Any) -> Callable[[str], Iterable[Mapping[str, str | None]]]:
    def select(query: str) -> Iterable[Mapping[str, str | None]]:
        solutions = store.query(query, use_default_graph_as_union=True)
        names = [v.value for v in solutions.variables]
        for solution in solutions:
            yield {n: (None if solution[n] is None else solution[n].value) for n in names}

    return select


def index_from_dataset(dataset: Any) -> CheckIndex:
    """Build the index from a loaded, derived rdflib Dataset (union default graph)."""
    return CheckIndex.from_rows(_rdflib_select(dataset))


@functools.cache
def shipped_index() -> CheckIndex:
    """Return the index of the shipped graph, built once per process."""
    try:
        import pyoxigraph  # noqa: F401
    except ImportError:
        from kratomkg.derivation import derive
        from kratomkg.loading import load

        dataset = load()
        derive(dataset)
        return index_from_dataset(dataset)
    from kratomkg.store_loading import load_store

    return CheckIndex.from_rows(_oxigraph_select(load_store()))
