"""Score ``kratomkg check`` against hand-annotated articles.

An annotated article is ``NAME.<txt|md|html>`` with ``NAME.expected.json`` beside it (the
format of ``tests/data/articles/README.md``). A claim is compared by its proposition:
(kind, subject, effect, condition, comparator, polarity) for effect claims, (subject,
denied risk) for safety claims. That is stricter than (subject, effect, condition): a
right proposition with the wrong polarity or comparator counts as a miss and a false
alarm. A claim outside the lexicon ("helps my blood pressure") is matched by its sentence.
Framing is right when the set of framings of a found claim equals the annotated set.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kratomkg.checking import CheckIndex, check_file

__all__ = ["ArticleScore", "Score", "evaluate", "score_article"]

_ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm", ".markdown")


def _local(iri: str | None) -> str | None:
    return None if iri is None else iri.rsplit("/", 1)[-1]


def _sentence_of(text: str, starts: list[int], fragment: str) -> int:
    at = text.find(fragment)
    if at < 0:
        return -1
    index = 0
    for i, start in enumerate(starts):
        if start <= at:
            index = i
    return index


@dataclass
class ArticleScore:
    """The comparison for one article."""

    name: str
    expected: set[tuple[Any, ...]]
    found: set[tuple[Any, ...]]
    framing_right: int
    framing_total: int
    risks_expected: set[str]
    risks_found: set[str]
    unmatched_reported: bool
    framings: dict[tuple[Any, ...], tuple[list[str], list[str]]] = field(default_factory=dict)

    @property
    def true_positives(self) -> int:
        """Propositions both annotated and found: the numerator of recall and precision."""
        return len(self.expected & self.found)

    @property
    def recall(self) -> float:
        """Share of the annotated propositions found (1.0 when none are annotated)."""
        return self.true_positives / len(self.expected) if self.expected else 1.0

    @property
    def precision(self) -> float:
        """Share of the found propositions that are annotated (1.0 when none are found)."""
        return self.true_positives / len(self.found) if self.found else 1.0

    @property
    def framing_accuracy(self) -> float:
        """Share of the matched propositions whose framings equal the annotated ones."""
        return self.framing_right / self.framing_total if self.framing_total else 1.0

    @property
    def missed(self) -> list[tuple[Any, ...]]:
        """Annotated propositions not found, in a stable order for reports."""
        return sorted(self.expected - self.found, key=repr)

    @property
    def spurious(self) -> list[tuple[Any, ...]]:
        """Found propositions not in the annotation, in a stable order for reports."""
        return sorted(self.found - self.expected, key=repr)


@dataclass
class Score:
    """Scores over a set of articles (micro-averaged over propositions)."""

    articles: list[ArticleScore]

    def _sum(self, attr: str) -> int:
        return sum(getattr(a, attr) for a in self.articles)

    @property
    def recall(self) -> float:
        """Micro-averaged recall: every annotated proposition counts once."""
        total = sum(len(a.expected) for a in self.articles)
        return self._sum("true_positives") / total if total else 1.0

    @property
    def precision(self) -> float:
        """Micro-averaged precision: every found proposition counts once."""
        total = sum(len(a.found) for a in self.articles)
        return self._sum("true_positives") / total if total else 1.0

    @property
    def framing_accuracy(self) -> float:
        """Micro-averaged framing accuracy over the matched propositions."""
        total = self._sum("framing_total")
        return self._sum("framing_right") / total if total else 1.0


def _found_key(claim: Mapping[str, Any], text: str, starts: list[int]) -> tuple[Any, ...]:
    subject = _local(claim["subject"]["iri"])
    if claim["kind"] == "safety":
        return ("safety", subject, _local((claim["risk"] or {}).get("iri")))
    effect = claim["effect"] or {}
    if effect.get("iri") is None:
        first = claim["appearances"][0]["start"]
        return ("unknown", subject, starts.index(first) if first in starts else -1)
    return (
        "effect",
        subject,
        _local(effect["iri"]),
        _local((claim["condition"] or {}).get("iri")),
        _local((claim["comparator"] or {}).get("iri")),
        claim["polarity"],
    )


def _expected_key(claim: Mapping[str, Any], text: str, starts: list[int]) -> tuple[Any, ...]:
    if claim["kind"] == "safety":
        return ("safety", claim["subject"], claim.get("risk"))
    if claim.get("effect") is None:
        return ("unknown", claim["subject"], _sentence_of(text, starts, claim["sentences"][0]))
    condition = claim.get("condition") or (
        ("?" + claim["conditionText"]) if claim.get("conditionText") else None
    )
    comparator = claim.get("comparator") or (
        ("?" + claim["comparatorText"]) if claim.get("comparatorText") else None
    )
    return (
        "effect",
        claim["subject"],
        claim["effect"],
        condition,
        comparator,
        claim.get("polarity", "affirmed"),
    )


def score_article(article: Path, *, index: CheckIndex | None = None) -> ArticleScore:
    """Check ``article`` and compare the report with ``<name>.expected.json``."""
    gold = json.loads(
        article.with_name(article.stem + ".expected.json").read_text(encoding="utf-8")
    )
    report = check_file(article, index=index).to_dict()
    text = report["document"]["text"]
    from kratomkg.checking.segment import sentences

    starts = [s.start for s in sentences(text)]
    found: dict[tuple[Any, ...], Mapping[str, Any]] = {}
    for claim in report["claims"]:
        found.setdefault(_found_key(claim, text, starts), claim)
    expected = {_expected_key(c, text, starts): c for c in gold["claims"]}
    right = total = 0
    framings: dict[tuple[Any, ...], tuple[list[str], list[str]]] = {}
    for key in expected.keys() & found.keys():
        total += 1
        want, got = sorted(expected[key].get("framing", [])), sorted(found[key]["framing"])
        framings[key] = (want, got)
        right += want == got
    unmatched_ok = all(
        c["verdict"]["match"] == "none"
        for key, c in found.items()
        if key[0] == "unknown"
        or any(isinstance(part, str) and part.startswith("?") for part in key)
    )
    return ArticleScore(
        name=article.name,
        expected=set(expected),
        found=set(found),
        framing_right=right,
        framing_total=total,
        risks_expected=set(gold.get("risksNamed", [])),
        risks_found={_local(r["risk"]["iri"]) or "" for r in report["risksNamed"]},
        unmatched_reported=unmatched_ok,
        framings=framings,
    )


def articles_in(folder: Path) -> list[Path]:
    """Return the annotated articles in ``folder``, by name."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix in _ARTICLE_SUFFIXES and p.with_name(p.stem + ".expected.json").is_file()
    )


def evaluate(paths: Iterable[Path], *, index: CheckIndex | None = None) -> Score:
    """Score every annotated article in ``paths``."""
    return Score([score_article(p, index=index) for p in paths])
