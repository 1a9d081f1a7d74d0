"""Group claim instances into propositions and set each against the graph.

A proposition is (kind, subject, effect, condition, comparator, polarity), or for a safety
claim (subject, denied risk). It matches a graph claim only when all of subject, effect,
condition and comparator are equal, with one documented step: a preparation of the leaf
(``kkg:preparedFrom``, e.g. powder and capsules) is graded by its leaf claim, and the
report says so. Anything else is *no evidence in the graph*; claims with the same subject
and effect for another condition are listed as related, never taken as the answer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from kratomkg._version import __version__
from kratomkg.checking.extract import Instance, Mention, iter_mentions
from kratomkg.checking.index import KKG, CheckIndex, EvidenceLine
from kratomkg.checking.segment import Sentence

__all__ = ["SCHEMA", "assess"]

SCHEMA = "https://w3id.org/kratomkg/check/report/1"
_EVIDENCE_SHOWN = 3
_AGAINST = {KKG + "Disputes", KKG + "Null"}


def _ref(mention: Mention | None, fallback: str | None = None) -> dict[str, Any] | None:
    if mention is None:
        if fallback is None:
            return None
        return {"iri": None, "label": fallback, "text": fallback}
    if mention.term is None:
        return {"iri": None, "label": mention.text, "text": mention.text}
    return {"iri": mention.term.iri, "label": mention.term.label, "text": mention.text}


def _key(inst: Instance) -> tuple[Any, ...]:
    def iri(m: Mention | None) -> str | None:
        if m is None:
            return None
        return m.term.iri if m.term else "text:" + m.text.lower()

    if inst.kind == "safety":
        return (
            "safety",
            iri(inst.subject),
            iri(inst.risk) if inst.risk and inst.risk.term else None,
        )
    effect = iri(inst.effect) if inst.effect else "text:" + (inst.effect_text or "").lower()
    return (
        "effect",
        iri(inst.subject),
        effect,
        iri(inst.condition),
        iri(inst.comparator),
        inst.polarity,
    )


def _statement(inst: Instance) -> str:
    subject = inst.subject.term.label if inst.subject.term else inst.subject.text
    subject = subject[:1].upper() + subject[1:]
    if inst.kind == "safety":
        if inst.risk is not None and inst.risk.term is not None:
            return f"{subject} does not cause {inst.risk.term.label.lower()}."
        return f"{subject} is safe, with no risks or side effects."
    negation = " does not produce" if inst.polarity == "negated" else " produces"
    effect = (
        inst.effect.term.label
        if inst.effect and inst.effect.term
        else (inst.effect_text or "an effect")
    )
    if inst.effect is None:
        verb = "does not " if inst.polarity == "negated" else ""
        return f"{subject} {verb}{inst.effect_text}."
    text = f"{subject}{negation} {effect}"
    if inst.condition is not None:
        text += f" for {inst.condition.term.label if inst.condition.term else inst.condition.text}"
    if inst.comparator is not None:
        cmp = inst.comparator.term.label if inst.comparator.term else inst.comparator.text
        text += f", more than {cmp}"
    return text + "."


def _match_dict(m: Mention, role: str | None = None) -> dict[str, Any]:
    return {
        "text": m.text,
        "start": m.start,
        "end": m.end,
        "role": role or m.role,
        "iri": m.term.iri if m.term else None,
        "label": m.term.label if m.term else m.text,
        "lexicon": m.lexicon,
    }


def _appearance(inst: Instance, text: str) -> dict[str, Any]:
    s = inst.sentence
    seen: set[tuple[int, int, str]] = set()
    matches = []
    roles = {
        id(inst.subject): "subject",
        id(inst.effect): "effect",
        id(inst.condition): "condition",
        id(inst.comparator): "comparator",
        id(inst.risk): "risk",
    }
    for m in iter_mentions(inst):
        role = roles.get(id(m), m.role)
        key = (m.start, m.end, role)
        if key in seen:
            continue
        seen.add(key)
        matches.append(_match_dict(m, role))
    matches.sort(key=lambda d: (d["start"], d["end"], d["role"]))
    return {
        "sentence": text[s.start : s.end],
        "start": s.start,
        "end": s.end,
        "framing": list(inst.framing),
        "polarity": inst.polarity,
        "matches": matches,
        "notes": list(dict.fromkeys(inst.notes)),
    }


class _Verdicts:
    """Reads verdicts out of the index."""

    def __init__(self, index: CheckIndex) -> None:
        self.index = index

    def evidence(self, line: EvidenceLine) -> dict[str, Any]:
        direction = line.direction.rsplit("/", 1)[-1].lower() if line.direction else None
        return {
            "iri": line.iri,
            "design": line.design,
            "direction": direction,
            "finding": line.finding,
            "source": dict(line.source),
            "certainty": self.index.scale(line.certainty),
        }

    def lines(self, target: str, against: bool) -> list[dict[str, Any]]:
        chosen = [
            line
            for line in self.index.evidence.get(target, [])
            if line.human
            and line.direction
            and ((line.direction in _AGAINST) == against)
            and line.direction != KKG + "Inconclusive"
        ]
        chosen.sort(key=lambda line: (-self.index.rank(line.certainty), line.iri))
        return [self.evidence(line) for line in chosen[:_EVIDENCE_SHOWN]]

    def risk(self, iri: str, mentioned: set[str]) -> dict[str, Any]:
        values = self.index.risks.get(iri, {})
        return {
            "iri": iri,
            "label": values.get("label") or iri.rsplit("/", 1)[-1],
            "certainty": self.index.scale(values.get("certainty")),
            "mentionedInText": iri in mentioned,
        }

    def subject_risks(self, subject: str) -> list[str]:
        """Risks the graph attaches to claims about ``subject`` or to its plant."""
        index = self.index
        subjects = {subject}
        if subject in index.prepared_from:
            subjects.add(index.prepared_from[subject])
        plants = {index.product_of[s] for s in subjects if s in index.product_of}
        found = {
            r
            for c in index.claims.values()
            if c.subject in subjects
            for r in index.claim_risks.get(c.iri, [])
        }
        found |= {r for r, of in index.risk_of.items() if of & (subjects | plants)}
        return sorted(found)

    def empty(self) -> dict[str, Any]:
        return {
            "match": "none",
            "claim": None,
            "via": None,
            "certainty": None,
            "status": None,
            "explanation": None,
            "preclinicalSupport": None,
            "evidenceFor": [],
            "evidenceAgainst": [],
            "risks": [],
            "related": [],
        }

    def for_effect(self, inst: Instance, mentioned: set[str]) -> dict[str, Any]:
        index = self.index
        verdict = self.empty()
        if inst.subject.term is None or inst.effect is None or inst.effect.term is None:
            return verdict
        if (inst.condition is not None and inst.condition.term is None) or (
            inst.comparator is not None and inst.comparator.term is None
        ):
            return verdict
        subject = inst.subject.term.iri
        effect = inst.effect.term.iri
        condition = inst.condition.term.iri if inst.condition and inst.condition.term else None
        comparator = inst.comparator.term.iri if inst.comparator and inst.comparator.term else None
        claim = index.claims.get((subject, effect, condition, comparator))
        via = None
        graded_subject = subject
        if claim is None and subject in index.prepared_from:
            graded_subject = index.prepared_from[subject]
            claim = index.claims.get((graded_subject, effect, condition, comparator))
            if claim is not None:
                parent = index.term("subject", graded_subject)
                parent_label = parent.label if parent else graded_subject
                via = (
                    f"{inst.subject.term.label} is prepared from {parent_label};"
                    " the graph grades the claim about the leaf"
                )
        verdict["related"] = [
            {
                "iri": c.iri,
                "label": c.values.get("label"),
                "certainty": index.scale(c.values.get("certainty")),
            }
            for c in sorted(index.claims.values(), key=lambda c: c.iri)
            if c.subject == graded_subject
            and c.effect == effect
            and (claim is None or c.iri != claim.iri)
        ]
        if claim is None:
            return verdict
        v = claim.values
        verdict.update(
            match="graph",
            claim={"iri": claim.iri, "label": v.get("label"), "statement": v.get("statement")},
            via=via,
            certainty=index.scale(v.get("certainty")),
            status=index.scale(v.get("status")),
            explanation=v.get("explanation"),
            preclinicalSupport=index.scale(v.get("preclinical")),
            evidenceFor=self.lines(claim.iri, against=False),
            evidenceAgainst=self.lines(claim.iri, against=True),
            risks=[self.risk(r, mentioned) for r in index.claim_risks.get(claim.iri, [])],
        )
        return verdict

    def for_safety(self, inst: Instance, mentioned: set[str]) -> dict[str, Any]:
        verdict = self.empty()
        if inst.subject.term is None:
            return verdict
        if inst.risk is not None and inst.risk.term is not None:
            risks = [inst.risk.term.iri]
            mentioned = mentioned | {inst.risk.term.iri}  # named, if only to be denied
        else:
            risks = self.subject_risks(inst.subject.term.iri)
        if not risks:
            return verdict
        shown = [self.risk(r, mentioned) for r in risks]
        shown.sort(key=lambda r: (-(r["certainty"] or {}).get("rank", -1), r["iri"]))
        best = shown[0]
        against: list[dict[str, Any]] = []
        supports: list[dict[str, Any]] = []
        for r in shown:
            against.extend(self.lines(r["iri"], against=False))
            supports.extend(self.lines(r["iri"], against=True))
        key = lambda e: (-(e["certainty"] or {}).get("rank", -1), e["iri"])  # noqa: E731
        names = ", ".join(r["label"].lower() for r in shown[:5]) + (" …" if len(shown) > 5 else "")
        certainty = best["certainty"]
        verdict.update(
            match="graph",
            certainty=certainty,
            explanation=(
                f"The graph records {names} as {'a risk' if len(shown) == 1 else 'risks'} of "
                f"{inst.subject.term.label}; the best-supported is graded "
                f"{(certainty or {}).get('label', 'ungraded')} certainty."
            ),
            evidenceFor=sorted(supports, key=key)[:_EVIDENCE_SHOWN],
            evidenceAgainst=sorted(against, key=key)[:_EVIDENCE_SHOWN],
            risks=shown,
        )
        return verdict


def assess(
    index: CheckIndex,
    text: str,
    split: Sequence[Sentence],
    instances: Iterable[Instance],
    risks_named: Iterable[tuple[Mention, Sentence]],
    document: Mapping[str, Any],
) -> dict[str, Any]:
    """Build the report document (schema :data:`SCHEMA`)."""
    verdicts = _Verdicts(index)
    named: dict[str, list[tuple[Mention, Sentence]]] = {}
    for mention, sentence in risks_named:
        if mention.term is not None:
            named.setdefault(mention.term.iri, []).append((mention, sentence))
    mentioned = set(named)
    groups: dict[tuple[Any, ...], list[Instance]] = {}
    for inst in instances:
        groups.setdefault(_key(inst), []).append(inst)
    claims: list[dict[str, Any]] = []
    for number, (_, group) in enumerate(groups.items(), start=1):
        first = group[0]
        appearances: list[dict[str, Any]] = []
        by_start: dict[int, dict[str, Any]] = {}
        for inst in group:
            appearance = _appearance(inst, text)
            same = by_start.get(appearance["start"])
            if same is None:
                appearances.append(appearance)
                by_start[appearance["start"]] = appearance
            else:
                known = {(m["start"], m["end"], m["role"]) for m in same["matches"]}
                same["matches"].extend(
                    m
                    for m in appearance["matches"]
                    if (m["start"], m["end"], m["role"]) not in known
                )
                same["matches"].sort(key=lambda d: (d["start"], d["end"], d["role"]))
                same["notes"] = list(dict.fromkeys(same["notes"] + appearance["notes"]))
        framing = sorted({f for a in appearances for f in a["framing"]})
        verdict = (
            verdicts.for_safety(first, mentioned)
            if first.kind == "safety"
            else verdicts.for_effect(first, mentioned)
        )
        claims.append(
            {
                "id": f"claim-{number}",
                "kind": first.kind,
                "subject": _ref(first.subject),
                "effect": _ref(first.effect, first.effect_text) if first.kind == "effect" else None,
                "condition": _ref(first.condition),
                "comparator": _ref(first.comparator),
                "risk": _ref(first.risk) if first.kind == "safety" else None,
                "polarity": first.polarity,
                "hedged": "Hedged" in framing,
                "framing": framing,
                "statement": _statement(first),
                "appearances": appearances,
                "verdict": verdict,
            }
        )
    risks_out = []
    for iri in sorted(named, key=lambda i: named[i][0][0].start):
        values = index.risks.get(iri, {})
        appearances_r: list[dict[str, Any]] = []
        risk_at: dict[int, dict[str, Any]] = {}
        for mention, sentence in named[iri]:
            match = _match_dict(mention, "risk")
            same = risk_at.get(sentence.start)
            if same is None:
                risk_at[sentence.start] = {
                    "sentence": text[sentence.start : sentence.end],
                    "start": sentence.start,
                    "end": sentence.end,
                    "matches": [match],
                }
                appearances_r.append(risk_at[sentence.start])
            elif match not in same["matches"]:
                same["matches"].append(match)
        risks_out.append(
            {
                "risk": {
                    "iri": iri,
                    "label": values.get("label") or iri.rsplit("/", 1)[-1],
                    "certainty": index.scale(values.get("certainty")),
                },
                "appearances": appearances_r,
            }
        )
    graded = [
        c["verdict"]["certainty"]
        for c in claims
        if c["verdict"]["certainty"] and c["kind"] == "effect"
    ]
    lowest = min(graded, key=lambda c: c.get("rank", -1)) if graded else None
    doc = dict(document)
    doc.update(
        sha256="sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest(),
        characters=len(text),
        sentences=len(split),
        text=text,
    )
    return {
        "schema": SCHEMA,
        "generator": {"name": "kratomkg", "version": __version__},
        "document": doc,
        "summary": {
            "claims": len(claims),
            "matched": sum(1 for c in claims if c["verdict"]["match"] == "graph"),
            "unmatched": sum(1 for c in claims if c["verdict"]["match"] == "none"),
            "safetyClaims": sum(1 for c in claims if c["kind"] == "safety"),
            "risksNamed": len(risks_out),
            "lowestCertainty": lowest,
        },
        "claims": claims,
        "risksNamed": risks_out,
    }
