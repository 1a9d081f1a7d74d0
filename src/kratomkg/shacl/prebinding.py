"""Pre-bound variables of SHACL-SPARQL queries: the checks SHACL demands and two ways to bind.

SHACL (section 5.6) runs a constraint's query once per focus node with ``$this`` (and
``$value``, the component's parameters, ``$currentShape``) *substituted* everywhere in the
query: inside UNION branches, nested groups, FILTERs and sub-SELECTs alike. It forbids what
would make that substitution ill-defined (MINUS, VALUES, SERVICE, ``AS $this``, a sub-SELECT
that drops a pre-bound variable), and a processor must refuse such queries.

A per-focus query is exact but costs one query per focus node. When every use of the
pre-bound variables sits where joining the focus nodes into the query's top-level group gives
the same answers (:func:`joinable`), the compiler does that instead: one query for all focus
nodes. Everything else is run per focus node, substituted as text (:func:`substitute`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = [
    "PreBindingError",
    "QueryParts",
    "check_query",
    "joinable",
    "mask",
    "split_query",
    "substitute",
]


class PreBindingError(ValueError):
    """A SHACL-SPARQL query that SHACL says a processor must reject."""


_IRI = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_STRING = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'',
    re.DOTALL,
)
_COMMENT = re.compile(r"#[^\n]*")


def mask(text: str) -> str:
    """Blank out strings, IRIs and comments (same length), so keywords are found in code only."""
    out = list(text)
    position = 0
    while position < len(text):
        char = text[position]
        match = None
        if char in "\"'":
            match = _STRING.match(text, position)
        elif char == "<":
            match = _IRI.match(text, position)
        elif char == "#":
            match = _COMMENT.match(text, position)
        if match is None:
            position += 1
            continue
        for i in range(match.start() + 1, match.end() - 1):
            if out[i] != "\n":
                out[i] = " "
        if char == "#":
            out[match.start()] = " "
        position = match.end()
    return "".join(out)


@dataclass(frozen=True)
class QueryParts:
    """A SELECT or ASK query cut where the compiler needs it.

    ``head`` runs from the start to the keyword's projection end (``SELECT ... WHERE`` or
    ``ASK``), ``body`` is the text inside the outer WHERE braces, and ``tail`` is what follows
    the closing brace (solution modifiers).
    """

    prologue: str
    form: str  # "SELECT" or "ASK"
    projection: str
    body: str
    tail: str


_FORM = re.compile(r"\b(SELECT|ASK)\b", re.IGNORECASE)
_WHERE = re.compile(r"\bWHERE\b", re.IGNORECASE)


def _closing_brace(masked: str, opening: int) -> int:
    depth = 0
    for i in range(opening, len(masked)):
        if masked[i] == "{":
            depth += 1
        elif masked[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    raise PreBindingError("unbalanced braces in the query")


def split_query(text: str) -> QueryParts:
    """Cut ``text`` into prologue, form, projection, WHERE body and tail."""
    masked = mask(text)
    form = _FORM.search(masked)
    if form is None:
        raise PreBindingError("not a SELECT or ASK query")
    brace = masked.find("{", form.end())
    if brace < 0:
        raise PreBindingError("the query has no WHERE clause")
    projection_end = brace
    where = _WHERE.search(masked, form.end(), brace)
    if where is not None:
        projection_end = where.start()
    end = _closing_brace(masked, brace)
    return QueryParts(
        prologue=text[: form.start()],
        form=form.group(1).upper(),
        projection=text[form.end() : projection_end],
        body=text[brace + 1 : end],
        tail=text[end + 1 :],
    )


def _variable(names: Iterable[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(n) for n in sorted(names))
    return re.compile(r"[?$](" + alternatives + r")(?![A-Za-z0-9_\u00b7\u0300-\u036f])")


_MINUS = re.compile(r"\bMINUS\b", re.IGNORECASE)
_VALUES = re.compile(r"\bVALUES\b", re.IGNORECASE)
_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)
_SUBSELECT = re.compile(r"\bSELECT\b", re.IGNORECASE)


def check_query(text: str, prebound: Iterable[str]) -> None:
    """Refuse a query that SHACL 5.6.1 says cannot be pre-bound, naming what is wrong."""
    names = set(prebound)
    masked = mask(text)
    for pattern, what in ((_MINUS, "MINUS"), (_VALUES, "VALUES"), (_SERVICE, "SERVICE")):
        if pattern.search(masked):
            raise PreBindingError(f"{what} is not allowed in a SHACL-SPARQL query")
    variable = _variable(names)
    for match in re.finditer(r"\bAS\s+([?$][A-Za-z_][A-Za-z0-9_]*)", masked, re.IGNORECASE):
        if variable.fullmatch(match.group(1)):
            raise PreBindingError(f"'AS {match.group(1)}' binds a pre-bound variable")
    selects = list(_SUBSELECT.finditer(masked))
    required = names - {"currentShape", "shapesGraph"}
    used = {m.group(1) for m in variable.finditer(masked)} & required
    for match in selects[1:]:  # the first is the query's own form
        brace = masked.find("{", match.end())
        where = _WHERE.search(masked, match.end(), brace if brace >= 0 else len(masked))
        projection = masked[match.end() : where.start() if where else brace]
        if "*" in projection:
            raise PreBindingError("a sub-SELECT must name the pre-bound variables, not use *")
        projected = {m.group(1) for m in variable.finditer(projection)}
        missing = sorted(used - projected) or sorted(required - projected)
        if missing:
            raise PreBindingError(f"a sub-SELECT does not return ${missing[0]}")


_BLOCK_KEYWORD = re.compile(r"(NOT\s+EXISTS|EXISTS|OPTIONAL)\s*$", re.IGNORECASE)


def joinable(body: str, prebound: Iterable[str]) -> bool:
    """Whether joining the bindings into the top-level group equals substituting them.

    True when every use of a pre-bound variable sits in the top-level group itself or only
    inside (NOT) EXISTS and OPTIONAL blocks: these see the outer bindings, so a focus node
    joined first constrains them exactly as its substitution would. A use inside a UNION
    branch, a nested group, GRAPH or a sub-SELECT is evaluated apart from the top-level
    bindings, where only substitution gives SHACL's answer.
    """
    masked = mask(body)
    variable = _variable(set(prebound))
    stack: list[bool] = []  # per open brace: is it a transparent block?
    cursor = 0
    for match in re.finditer(r"[{}]|[?$][A-Za-z_][A-Za-z0-9_]*", masked):
        token = match.group(0)
        if token == "{":  # noqa: S105 - a brace, not a password
            stack.append(_BLOCK_KEYWORD.search(masked[cursor : match.start()]) is not None)
        elif token == "}":  # noqa: S105
            if stack:
                stack.pop()
        elif variable.fullmatch(token) and not all(stack):
            return False
        cursor = match.end()
    return True


_BOUND_CALL = r"\bBOUND\s*\(\s*{}\s*\)"


def substitute(text: str, values: Mapping[str, str]) -> str:
    """Substitute each pre-bound variable of ``text`` by its SPARQL term (SHACL 5.6).

    ``BOUND($x)`` becomes ``true``; a pre-bound variable is dropped from every projection
    (its value is known), and a projection left empty returns a constant instead.
    """
    if not values:
        return text
    variable = _variable(values)
    masked = mask(text)
    # 1. BOUND($x) -> true
    edits: list[tuple[int, int, str]] = []
    for name in values:
        pattern = re.compile(
            _BOUND_CALL.format(r"[?$]" + re.escape(name) + r"(?![A-Za-z0-9_])"), re.IGNORECASE
        )
        edits.extend((m.start(), m.end(), "(true)") for m in pattern.finditer(masked))
    # 2. projections: drop the variables; 3. everywhere else: the term
    projections: list[tuple[int, int]] = []
    for match in _FORM.finditer(masked):
        brace = masked.find("{", match.end())
        where = _WHERE.search(masked, match.end(), brace if brace >= 0 else len(masked))
        projections.append((match.end(), where.start() if where else brace))
    for start, end in projections:
        edits.append((start, end, ""))  # written from the original text below
    covered = [(s, e) for s, e, _ in edits]
    for match in variable.finditer(masked):
        if any(s <= match.start() < e for s, e in covered):
            continue
        edits.append((match.start(), match.end(), values[match.group(1)]))
    out, position = [], 0
    for start, end, replacement in sorted(edits):
        if start < position:
            continue
        out.append(text[position:start])
        if (start, end) in projections:  # from the text: masking blanked its IRIs
            replacement = variable.sub("", text[start:end])
            # A variable standing in for a term (a blank node Oxigraph binds) must be
            # projected: Oxigraph substitutes only variables a projection names.
            replacement += "".join(f" {v}" for v in sorted(set(values.values())) if v[0] == "?")
            if replacement.strip().upper() in ("", "DISTINCT", "REDUCED"):
                # each projection its own name: one SELECT may not rebind a nested one's
                replacement += f" (1 AS ?prebound{projections.index((start, end))}_) "
        out.append(replacement)
        position = end
    out.append(text[position:])
    return "".join(out)
