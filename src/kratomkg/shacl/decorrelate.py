"""Rewrite a SPARQL constraint's top-level ``FILTER NOT EXISTS`` as a left join.

Oxigraph plans the inside of NOT EXISTS without knowing that the outer variables are bound,
and then scans, for every focus node, every node that matches the pattern: a quadratic cost
(minutes for 10k claims). As a left join the pattern is planned with the outer variables
bound. The two forms are equivalent when every variable they share is bound in every outer
solution, which holds when the rest of the group is a plain basic graph pattern with
filters; otherwise the query is left as written.
"""

from __future__ import annotations

import re

__all__ = ["decorrelate"]

_NOT_EXISTS = re.compile(r"FILTER\s+NOT\s+EXISTS\s*\{", re.IGNORECASE)
_FILTER_CALL = re.compile(r"FILTER\s*\(", re.IGNORECASE)
_OUTER_KEYWORDS = re.compile(
    r"\b(OPTIONAL|UNION|MINUS|BIND|VALUES|GRAPH|SERVICE|EXISTS|SELECT)\b|[{}]", re.IGNORECASE
)
_VARIABLE = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")


def _closing(text: str, start: int, opening: str, closing: str) -> int:
    """Index just past the bracket that closes the one opened before ``start``."""
    depth, i, quote = 1, start, ""
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == opening:
            depth += 1
        elif char == closing:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return -1


def _decorrelate(group: str) -> str:
    """Rewrite ``group`` (the text after a group's opening brace, its closing brace included)."""
    blocks: list[tuple[int, int]] = []
    position = 0
    while match := _NOT_EXISTS.search(group, position):
        end = _closing(group, match.end(), "{", "}")
        if end < 0:
            return group
        blocks.append((match.start(), end))
        position = end
    group_end = _closing(group, 0, "{", "}")
    if not blocks or group_end < 0:
        return group
    outer = "".join(
        group[a:b]
        for a, b in zip(
            [0] + [e for _, e in blocks], [s for s, _ in blocks] + [group_end - 1], strict=True
        )
    )
    bgp = outer
    while match := _FILTER_CALL.search(bgp):
        end = _closing(bgp, match.end(), "(", ")")
        if end < 0:
            return group
        bgp = bgp[: match.start()] + bgp[end:]
    if _OUTER_KEYWORDS.search(bgp):
        return group
    bound = set(_VARIABLE.findall(bgp))
    mentioned = set(_VARIABLE.findall(outer))
    pieces: list[str] = []
    position = 0
    for number, (start, end) in enumerate(blocks):
        inner = group[_NOT_EXISTS.match(group, start).end() : end - 1]  # type: ignore[union-attr]
        if (set(_VARIABLE.findall(inner)) & mentioned) - bound:
            return group
        flag = f"?notExists{number}_"
        pieces.append(group[position:start])
        pieces.append(f"OPTIONAL {{ {inner} BIND (true AS {flag}) }} FILTER (!BOUND({flag}))")
        position = end
    return "".join(pieces) + group[position:]


def decorrelate(body: str) -> str:
    """Return the WHERE ``body`` with its top-level FILTER NOT EXISTS as left joins, if exact."""
    return _decorrelate(body + "}")[:-1]
