"""Attribute columns of a projected graph: their names, in order, and one type per column.

GraphML, GEXF and the Neo4j CSV headers declare a type for each attribute; a column is
numeric or boolean only when every value in it is, otherwise it is text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["FIRST", "Column", "columns", "text"]

# Columns every node and edge has, shown first; the rest follow in name order.
FIRST = ("label", "type", "kind", "rel", "iri", "color")

Column = tuple[str, str]  # (name, "boolean" | "integer" | "double" | "string")


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "double"
    return "string"


def columns(rows: Iterable[Mapping[str, object]], skip: Iterable[str] = ()) -> list[Column]:
    """Return the attribute columns of ``rows`` with the narrowest type that fits all values."""
    kinds: dict[str, set[str]] = {}
    for row in rows:
        for name, value in row.items():
            kinds.setdefault(name, set()).add(_kind(value))
    for name in skip:
        kinds.pop(name, None)
    result: list[Column] = []
    for name in sorted(kinds, key=lambda n: (FIRST.index(n) if n in FIRST else len(FIRST), n)):
        found = kinds[name]
        if len(found) == 1:
            result.append((name, found.pop()))
        elif found <= {"integer", "double"}:
            result.append((name, "double"))
        else:
            result.append((name, "string"))
    return result


def text(value: object, kind: str) -> str:
    """Render ``value`` for a column of type ``kind`` (booleans as ``true``/``false``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if kind == "double" and isinstance(value, (int, float)):
        return repr(float(value))
    return str(value)
