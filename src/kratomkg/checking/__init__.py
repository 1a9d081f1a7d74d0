"""``kratomkg check``: what a text claims about kratom, and what the evidence says.

Pipeline: read (``source``) → split (``segment``) → match the graph's lexicon and read the
cues (``extract``) → group into propositions and set them against the graph's derived
verdicts (``assess``) → render (``render``, ``claimreview``, ``html``). The report is a
versioned JSON document (:data:`~kratomkg.checking.assess.SCHEMA`); every renderer reads only
that document.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kratomkg.checking.assess import SCHEMA, assess
from kratomkg.checking.extract import extract
from kratomkg.checking.index import CheckIndex, index_from_dataset, shipped_index
from kratomkg.checking.source import MAX_BYTES, Article, article_from_bytes, read_article

__all__ = [
    "CERTAINTY_LEVELS",
    "MAX_BYTES",
    "SCHEMA",
    "Article",
    "CheckIndex",
    "CheckReport",
    "check",
    "check_bytes",
    "check_file",
    "index_from_dataset",
    "read_article",
    "shipped_index",
]

#: ``--fail-below`` levels, by the rank of kkg:certainty.
CERTAINTY_LEVELS = {"high": 4, "moderate": 3, "low": 2, "very-low": 1}


@dataclass(frozen=True)
class CheckReport:
    """A checked article: the report document plus convenience views of it."""

    document: Mapping[str, Any] = field(repr=False)

    @property
    def claims(self) -> list[dict[str, Any]]:
        """The claims found, in order of first appearance."""
        return list(self.document["claims"])

    @property
    def risks_named(self) -> list[dict[str, Any]]:
        """The graph's risks that the text names."""
        return list(self.document["risksNamed"])

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON document (schema :data:`SCHEMA`)."""
        return dict(self.document)

    def weak_claims(self, level: str) -> list[dict[str, Any]]:
        """Affirmed effect claims whose certainty is below ``level`` (or not in the graph)."""
        threshold = CERTAINTY_LEVELS[level]
        weak = []
        for claim in self.claims:
            if claim["kind"] != "effect" or claim["polarity"] != "affirmed":
                continue
            certainty = claim["verdict"]["certainty"]
            if certainty is None or certainty.get("rank", 0) < threshold:
                weak.append(claim)
        return weak


def check(
    text: str,
    *,
    name: str = "<text>",
    url: str | None = None,
    date: str | None = None,
    format: str = "text",
    index: CheckIndex | None = None,
) -> CheckReport:
    """Check ``text`` (already plain text) against the shipped graph or ``index``."""
    index = shipped_index() if index is None else index
    split, instances, risks = extract(index, text)
    document = {"name": name, "url": url, "date": date, "format": format}
    return CheckReport(assess(index, text, split, instances, risks, document))


def check_file(
    path: str | Path,
    *,
    url: str | None = None,
    date: str | None = None,
    index: CheckIndex | None = None,
    max_bytes: int = MAX_BYTES,
) -> CheckReport:
    """Read an article file (``-`` for standard input) and check it."""
    article = read_article(path, max_bytes=max_bytes)
    return check(
        article.text, name=article.name, url=url, date=date, format=article.format, index=index
    )


def check_bytes(raw: bytes, name: str, **options: Any) -> CheckReport:
    """Check raw bytes as an article named ``name`` (format from the name or the content)."""
    article = article_from_bytes(raw, name)
    return check(article.text, name=article.name, format=article.format, **options)
