"""A SPARQL processor for rdflib that parses each distinct query text once.

pySHACL evaluates a SPARQL-based constraint by sending the same query text once per focus
node; rdflib re-parses it every time, and parsing dominates validation (about 60 ms a node).
rdflib documents prepared queries as reusable with different initial bindings, so caching
the prepared query by its text changes nothing but the speed. The processor is installed
through rdflib's own plugin registry, only when validation first runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from rdflib import plugin
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.evaluate import evalQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Processor
from rdflib.term import Identifier

__all__ = ["CachingSPARQLProcessor", "install"]


@lru_cache(maxsize=512)
def _prepare(text: str, base: str | None, namespaces: tuple[tuple[str, str], ...]) -> Query:
    return translateQuery(parseQuery(text), base, dict(namespaces))


class CachingSPARQLProcessor(SPARQLProcessor):
    """rdflib's SPARQL processor with prepared queries cached by their text."""

    def query(  # type: ignore[override]
        self,
        strOrQuery: str | Query,
        initBindings: Mapping[str, Identifier] | None = None,
        initNs: Mapping[str, Any] | None = None,
        base: str | None = None,
        DEBUG: bool = False,
    ) -> Mapping[str, Any]:
        """Evaluate ``strOrQuery``, preparing each distinct query text only once."""
        if isinstance(strOrQuery, str):
            namespaces = tuple(sorted((k, str(v)) for k, v in (initNs or {}).items()))
            strOrQuery = _prepare(strOrQuery, base, namespaces)
        return evalQuery(self.graph, strOrQuery, initBindings or {}, base)


def install() -> None:
    """Make the caching processor rdflib's default ``sparql`` processor."""
    plugin.register("sparql", Processor, "kratomkg._sparql", "CachingSPARQLProcessor")
