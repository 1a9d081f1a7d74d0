"""The named competency queries: SPARQL files shipped in ``kratomkg/queries/``.

Each ``NAME.rq`` starts with a comment header that documents it and declares its parameters::

    # title: Compounds acting on a receptor
    # description: Which compounds act on a receptor, how, with what value and source.
    # param: receptor (iri, default kid:mor): the receptor, e.g. kid:mor
    # requires: previous

``param`` lines give the variable the parameter binds, its kind (iri, literal, integer or
any) and an optional default; ``requires: previous`` marks a query that compares the current
graph with a previous release loaded into :data:`GRAPH_PREVIOUS`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

from rdflib import URIRef
from rdflib.term import Node

from kratomkg.errors import QueryError
from kratomkg.querying.bindings import check_name, parse_value

__all__ = ["GRAPH_PREVIOUS", "NamedQuery", "Parameter", "named_queries", "named_query"]

# Where --compare loads the previous release; the release-comparison queries read it.
GRAPH_PREVIOUS = URIRef("https://w3id.org/kratomkg/graph/previous")

_HEADER = re.compile(r"^#\s*(title|description|param|requires):\s*(.*?)\s*$")
_PARAM = re.compile(r"^(\w+)\s*\((\w+)(?:,\s*default\s+(\S+?))?\)\s*:?\s*(.*)$")
_KINDS = ("iri", "literal", "integer", "any")


@dataclass(frozen=True)
class Parameter:
    """A parameter of a named query: the variable it binds, its kind and default."""

    name: str
    kind: str
    default: str | None
    description: str


@dataclass(frozen=True)
class NamedQuery:
    """A shipped competency query with its documented header."""

    name: str
    title: str
    description: str
    parameters: tuple[Parameter, ...]
    requires: tuple[str, ...]
    text: str

    @property
    def compares_releases(self) -> bool:
        """Whether the query reads a previous release (``--compare``)."""
        return "previous" in self.requires

    def bindings(self, given: dict[str, str] | None = None) -> dict[str, Node]:
        """Turn ``--param`` strings into RDF terms, filling in defaults; refuse unknown names."""
        given = dict(given or {})
        known = {p.name: p for p in self.parameters}
        for name in given:
            if name not in known:
                accepted = ", ".join(known) or "none"
                raise QueryError(
                    f"--named {self.name}: unknown parameter '{name}' (parameters: {accepted})"
                )
        result: dict[str, Node] = {}
        for param in self.parameters:
            value = given.get(param.name, param.default)
            if value is None:
                raise QueryError(
                    f"--named {self.name}: missing --param {param.name}=... ({param.description})"
                )
            result[param.name] = parse_value(value, param.kind, f"--param {param.name}")
        return result


def _parse(name: str, text: str) -> NamedQuery:
    fields: dict[str, list[str]] = {"title": [], "description": [], "param": [], "requires": []}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match:
            fields[match.group(1)].append(match.group(2))
    parameters = []
    for spec in fields["param"]:
        match = _PARAM.match(spec)
        if not match or match.group(2) not in _KINDS:
            raise QueryError(f"queries/{name}.rq: bad '# param:' line: {spec}")
        parameters.append(
            Parameter(check_name(match.group(1)), match.group(2), match.group(3), match.group(4))
        )
    if not fields["title"] or not fields["description"]:
        raise QueryError(f"queries/{name}.rq: the header needs '# title:' and '# description:'")
    return NamedQuery(
        name=name,
        title=fields["title"][0],
        description=" ".join(fields["description"]),
        parameters=tuple(parameters),
        requires=tuple(fields["requires"]),
        text=text,
    )


@lru_cache(maxsize=1)
def _all() -> dict[str, NamedQuery]:
    folder = files("kratomkg") / "queries"
    found = sorted(
        (entry.name.removesuffix(".rq"), entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".rq")
    )
    return {name: _parse(name, text) for name, text in found}


def named_queries() -> dict[str, NamedQuery]:
    """Return every shipped named query by name, in name order."""
    return dict(_all())


def named_query(name: str) -> NamedQuery:
    """Return the named query ``name``; the error lists the known names."""
    queries = _all()
    try:
        return queries[name]
    except KeyError:
        known = ", ".join(queries)
        raise QueryError(f"--named: unknown query '{name}' (named queries: {known})") from None
