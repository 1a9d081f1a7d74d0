"""Generate kratomkg-shaped graphs of any size, with known broken claims.

Usage:
    python benchmarks/generate.py --claims 10k --broken-rate 0.01 --out /tmp/claims-10k.ttl

Writes a Turtle file (validated together with the ontology: ``kratomkg validate FILE``) and,
beside it, ``FILE.violations.json``: the exact set of results the shapes must report, as
(focus node, path, constraint component, severity). Each claim has a subject, an effect,
one Evidence described by the facts curators record (design, whom it studied, the material,
route and outcome, sample size, randomised/blinded/controlled for trials, self-selected
sample for observational designs, the designs a review pools, direction including
kkg:Null, finding, source), one Risk, and one kkg:ClaimAppearance (the quoted sentence of a
generated post), about 25 triples a claim, plus shared pools of compounds, effects,
conditions, risks, sources and posts. The designs rotate over human trials, observational
studies, case reports, reviews and preclinical work, so the rating rules meet every path. A
chosen fraction of claims is broken, each in one of the ways listed in ``BREAKAGES`` (every
kind of rule in the shapes: cardinality, class, pattern, SPARQL rule, and the warnings).
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

KKG = "https://w3id.org/kratomkg/ontology/"
SH = "http://www.w3.org/ns/shacl#"
GEN = "https://example.org/gen/"
KKS = "https://w3id.org/kratomkg/shapes/"

MIN_COUNT = SH + "MinCountConstraintComponent"
MAX_COUNT = SH + "MaxCountConstraintComponent"
CLASS = SH + "ClassConstraintComponent"
PATTERN = SH + "PatternConstraintComponent"
SPARQL = SH + "SPARQLConstraintComponent"

N_COMPOUNDS = 20
N_EFFECTS = 10
N_CONDITIONS = 10
N_RISKS = 10
CLAIMS_PER_SOURCE = 10
# Designs of unbroken evidence, each with the facts the shapes ask of it: (whom it studied,
# route, outcome kind, extra facts). Every study of people carries a sample size.
DESIGNS: dict[str, tuple[str, str, str, str]] = {
    "InVitroStudy": ("CellsOrTissues", "NoRoute", "SurrogateOutcome", ""),
    "AnimalStudy": ("AnimalModel", "IntraperitonealRoute", "SurrogateOutcome",
                    'kkg:species "mouse"'),
    "CaseReport": ("HumanParticipants", "OralRoute", "ClinicalOutcome", ""),
    "CrossSectionalSurvey": ("HumanParticipants", "OralRoute", "SelfReportedOutcome",
                             "kkg:selfSelectedSample true"),
    "CohortStudy": ("HumanParticipants", "OralRoute", "ClinicalOutcome",
                    "kkg:selfSelectedSample false"),
    "NonRandomisedTrial": ("HumanParticipants", "OralRoute", "SurrogateOutcome",
                           "kkg:randomised false ; kkg:blinded false ; kkg:controlled true"),
    "RandomisedControlledTrial": ("HumanParticipants", "OralRoute", "ClinicalOutcome",
                                  "kkg:randomised true ; kkg:blinded true ; kkg:controlled true"),
    "SystematicReview": ("HumanParticipants", "OralRoute", "ClinicalOutcome",
                         "kkg:poolsDesign kkg:RandomisedControlledTrial , kkg:CohortStudy ; "
                         "kkg:studyCount 6"),
}  # fmt: skip
HUMAN = {name for name, facts in DESIGNS.items() if facts[0] == "HumanParticipants"}
FRAMINGS = ("PlainAssertion", "Testimonial", "Hedged", "Marketing", "ReportsStudy")

Violation = tuple[str, str | None, str, str]

HEADER = """\
@prefix kkg: <https://w3id.org/kratomkg/ontology/> .
@prefix gen: <https://example.org/gen/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

gen:plant a kkg:Plant ; rdfs:label "generated plant" ; kkg:ncbiTaxonId "170351" .
"""


def parse_size(text: str) -> int:
    """Read 1000, 1k, 10k, 1M as a number of claims."""
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * factor)


def _effects(claims: int) -> int:
    """How many effects the claims need so that no two claims share subject and effect.

    A claim is one proposition (subject, effect, condition, comparator) and the shapes
    reject two claims stating the same one, so claim *i* pairs compound ``i % N_COMPOUNDS``
    with effect ``i // N_COMPOUNDS``: a pool that grows with the graph, one effect per
    ``N_COMPOUNDS`` claims.
    """
    return max(N_EFFECTS, (claims + N_COMPOUNDS - 1) // N_COMPOUNDS)


def _pools(out: TextIO, claims: int) -> None:
    for i in range(N_COMPOUNDS):
        out.write(
            f'gen:compound-{i} a kkg:Compound ; rdfs:label "compound {i}" ; '
            f'kkg:pubchemCid "{900000 + i}" ; kkg:foundIn gen:plant .\n'
        )
    for i in range(_effects(claims)):
        out.write(f'gen:effect-{i} a kkg:Effect ; rdfs:label "effect {i}" .\n')
    for i in range(N_CONDITIONS):
        out.write(
            f'gen:condition-{i} a kkg:Condition ; rdfs:label "condition {i}" ; '
            f'skos:definition "A generated condition." .\n'
        )
    for i in range(N_RISKS):
        out.write(
            f'gen:risk-{i} a kkg:Risk ; rdfs:label "risk {i}" ; kkg:severity kkg:Moderate ; '
            f"kkg:riskOf gen:compound-{i % N_COMPOUNDS} ; kkg:hasEvidence gen:risk-evidence .\n"
        )
    out.write(
        'gen:risk-evidence a kkg:Evidence ; rdfs:label "risk evidence" ; '
        "kkg:design kkg:CaseReport ; kkg:studiedIn kkg:HumanParticipants ; "
        "kkg:materialStudied gen:compound-0 ; kkg:route kkg:OralRoute ; "
        "kkg:outcomeKind kkg:ClinicalOutcome ; kkg:sampleSize 1 ; kkg:direction kkg:Supports ; "
        'kkg:studyDesign "case report" ; kkg:finding "A patient was harmed." ; '
        "kkg:citation gen:source-0 .\n"
    )


def _post(out: TextIO, number: int) -> None:
    """A generated social-media post: where claims appear, never evidence for them."""
    out.write(
        f'gen:post-{number} a kkg:SocialMediaArticle ; rdfs:label "post {number}" ; '
        f'kkg:url "https://example.org/gen/post/{number}"^^xsd:anyURI .\n'
    )


def _source(out: TextIO, name: str, doi: str) -> None:
    out.write(
        f'gen:{name} a kkg:ScholarlyArticle ; rdfs:label "{name}" ; kkg:title "Study {name}" ; '
        f'kkg:year "2020"^^xsd:gYear ; kkg:doi "{doi}" .\n'
    )


def _direction(i: int) -> str:
    """Mostly supporting evidence, with some finding no effect and some disputing."""
    if i % 17 == 5:
        return "Null"
    if i % 13 == 7:
        return "Disputes"
    return "Supports"


class Claim:
    """The parts of one generated claim, which a breakage may change before it is written."""

    def __init__(self, i: int) -> None:
        self.i = i
        self.iri = f"{GEN}claim-{i}"
        self.evidence = f"{GEN}evidence-{i}"
        self.subject = f"gen:compound-{i % N_COMPOUNDS}"
        self.effect = f"gen:effect-{i // N_COMPOUNDS}"
        self.risk: str | None = f"gen:risk-{i % N_RISKS}"
        self.has_evidence = True
        self.design = list(DESIGNS)[i % len(DESIGNS)]
        self.sample_size = self.design in HUMAN
        self.design_details = True
        self.dropped_facts: set[str] = set()
        self.source: str | None = f"gen:source-{i // CLAIMS_PER_SOURCE}"
        self.post = f"gen:post-{i // CLAIMS_PER_SOURCE}"
        self.extra: list[str] = []

    def write(self, out: TextIO) -> None:
        i = self.i
        links = f"kkg:claimSubject {self.subject} ; kkg:claimedEffect {self.effect}"
        if self.has_evidence:
            links += f" ; kkg:hasEvidence gen:evidence-{i}"
        if self.risk:
            links += f" ; kkg:hasRisk {self.risk}"
        out.write(f'gen:claim-{i} a kkg:Claim ; rdfs:label "claim {i}" ; {links} .\n')
        out.write(
            f"gen:appearance-{i} a kkg:ClaimAppearance ; kkg:asserts gen:claim-{i} ; "
            f"kkg:appearsIn {self.post} ; kkg:framing kkg:{FRAMINGS[i % len(FRAMINGS)]} ; "
            f'kkg:quote "Compound {i % N_COMPOUNDS} gives effect {i // N_COMPOUNDS}."@en .\n'
        )
        population, route, outcome, facts = DESIGNS[self.design]
        evidence = (
            f'gen:evidence-{i} a kkg:Evidence ; rdfs:label "evidence {i}" ; '
            f"kkg:design kkg:{self.design} ; kkg:studiedIn kkg:{population} ; "
            f"kkg:materialStudied {self.subject} ; kkg:route kkg:{route} ; "
            f"kkg:outcomeKind kkg:{outcome} ; kkg:direction kkg:{_direction(i)} ; "
            f'kkg:finding "Finding {i}."'
        )
        kept = [f for f in facts.split(" ; ") if f and f.split()[0] not in self.dropped_facts]
        if kept:
            evidence += " ; " + " ; ".join(kept)
        if self.design_details:
            evidence += f' ; kkg:studyDesign "design {i % 7}"'
        if self.sample_size:
            evidence += f" ; kkg:sampleSize {1 if self.design == 'CaseReport' else 10 + i % 990}"
        if self.source:
            evidence += f" ; kkg:citation {self.source}"
        out.write(evidence + " .\n")
        for line in self.extra:
            out.write(line + "\n")


def _no_evidence(c: Claim) -> list[Violation]:
    c.has_evidence = False
    return [(c.iri, KKG + "hasEvidence", MIN_COUNT, "Violation")]


def _no_risk(c: Claim) -> list[Violation]:
    c.risk = None
    return [(c.iri, KKG + "hasRisk", MIN_COUNT, "Violation")]


def _evidence_no_source(c: Claim) -> list[Violation]:
    c.source = None
    return [(c.evidence, KKG + "citation", MIN_COUNT, "Violation")]


def _bad_doi(c: Claim) -> list[Violation]:
    c.source = f"gen:source-bad-{c.i}"
    c.extra.append(
        f'gen:source-bad-{c.i} a kkg:ScholarlyArticle ; rdfs:label "bad source {c.i}" ; '
        f'kkg:doi "https://doi.org/10.1234/bad.{c.i}" .'
    )
    return [(f"{GEN}source-bad-{c.i}", KKG + "doi", PATTERN, "Violation")]


def _wrong_class(c: Claim) -> list[Violation]:
    # A condition of its own, so two broken claims never state the same proposition.
    c.effect = f"gen:condition-as-effect-{c.i}"
    c.extra.append(
        f'{c.effect} a kkg:Condition ; rdfs:label "condition e{c.i}" ; '
        'skos:definition "A generated condition." .'
    )
    return [(c.iri, KKG + "claimedEffect", CLASS, "Violation")]


def _bad_identifier(c: Claim) -> list[Violation]:
    c.subject = f"gen:compound-bad-{c.i}"
    c.extra.append(
        f'gen:compound-bad-{c.i} a kkg:Compound ; rdfs:label "bad compound {c.i}" ; '
        f'kkg:pubchemCid "CID{c.i}" .'
    )
    return [(f"{GEN}compound-bad-{c.i}", KKG + "pubchemCid", PATTERN, "Violation")]


def _hand_typed_certainty(c: Claim) -> list[Violation]:
    c.design, c.sample_size = "AnimalStudy", False
    c.extra.append(f"gen:claim-{c.i} kkg:certainty kkg:HighCertainty .")
    # The rules derive "no human evidence" beside the typed one: two certainties, and the
    # first rule flags the typed property.
    return [
        (c.iri, KKG + "certainty", MAX_COUNT, "Violation"),
        (c.iri, None, SPARQL, "Violation"),
    ]


def _claim_appears_in(c: Claim) -> list[Violation]:
    c.extra.append(f"gen:claim-{c.i} kkg:appearsIn {c.post} .")
    return [(c.iri, KKG + "appearsIn", MAX_COUNT, "Violation")]


def _trial_without_blinding(c: Claim) -> list[Violation]:
    c.design, c.sample_size = "RandomisedControlledTrial", True
    c.dropped_facts.add("kkg:blinded")
    return [(c.evidence, None, SPARQL, "Violation")]


def _unbacked_effect(c: Claim) -> list[Violation]:
    compound = f"{GEN}compound-{c.i % N_COMPOUNDS}"
    c.extra.append(f'gen:effect-unbacked-{c.i} a kkg:Effect ; rdfs:label "effect u{c.i}" .')
    c.extra.append(f"<{compound}> kkg:hasClaimedEffect gen:effect-unbacked-{c.i} .")
    return [(compound, None, SPARQL, "Violation")]


def _no_design_details(c: Claim) -> list[Violation]:
    c.design_details = False
    return [(c.evidence, KKG + "studyDesign", MIN_COUNT, "Warning")]


def _no_sample_size(c: Claim) -> list[Violation]:
    c.design, c.sample_size = "CrossSectionalSurvey", False
    return [(c.evidence, None, SPARQL, "Warning")]


BREAKAGES: dict[str, Callable[[Claim], list[Violation]]] = {
    "missing-evidence": _no_evidence,
    "missing-risk": _no_risk,
    "evidence-without-source": _evidence_no_source,
    "malformed-doi": _bad_doi,
    "wrong-class": _wrong_class,
    "bad-identifier-pattern": _bad_identifier,
    "hand-typed-certainty": _hand_typed_certainty,
    "claim-appears-in-source": _claim_appears_in,
    "trial-without-blinding": _trial_without_blinding,
    "unbacked-effect-edge": _unbacked_effect,
    "evidence-without-design-details-warning": _no_design_details,
    "human-study-without-size-warning": _no_sample_size,
}


def generate(claims: int, broken_rate: float, out_path: Path, seed: int = 1) -> dict[str, object]:
    """Write the graph and its sidecar; return the sidecar document."""
    rng = random.Random(seed)
    kinds = list(BREAKAGES)
    planted: set[Violation] = set()
    counts = dict.fromkeys(kinds, 0)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with out_path.open("w", encoding="utf-8", buffering=1 << 20) as out:
        out.write(HEADER)
        _pools(out, claims)
        for s in range((claims + CLAIMS_PER_SOURCE - 1) // CLAIMS_PER_SOURCE + 1):
            _source(out, f"source-{s}", f"10.1234/gen.{s}")
            _post(out, s)
        for i in range(claims):
            claim = Claim(i)
            if rng.random() < broken_rate:
                kind = rng.choice(kinds)
                counts[kind] += 1
                planted.update(BREAKAGES[kind](claim))
            claim.write(out)
    document: dict[str, object] = {
        "claims": claims,
        "broken_rate": broken_rate,
        "seed": seed,
        "broken_claims": counts,
        "violations": sorted([list(v) for v in planted], key=lambda v: [str(x) for x in v]),
    }
    sidecar = sidecar_path(out_path)
    sidecar.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    return document


def sidecar_path(path: Path) -> Path:
    """Where the planted violations of ``path`` are recorded."""
    return path.with_name(path.name + ".violations.json")


def planted_violations(path: Path) -> set[Violation]:
    """Read back the planted (focus, path, component, severity) set of a generated file."""
    document = json.loads(sidecar_path(path).read_text(encoding="utf-8"))
    return {(v[0], v[1], v[2], v[3]) for v in document["violations"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", default="1k", help="number of claims: 1000, 10k, 1M ...")
    parser.add_argument("--broken-rate", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="Turtle file to write")
    args = parser.parse_args()
    document = generate(parse_size(args.claims), args.broken_rate, args.out, args.seed)
    print(f"wrote {args.out} ({document['claims']} claims, {len(document['violations'])} results)")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
