"""kratomkg: an evidence-first knowledge graph of kratom (Mitragyna speciosa).

The public API is re-exported here. Names are resolved lazily (PEP 562) so that
``import kratomkg`` and ``kratomkg --help`` stay fast: rdflib and pySHACL load only when a
function that needs them is first used.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from kratomkg._version import __version__

if TYPE_CHECKING:
    from kratomkg.checking import CheckReport, check
    from kratomkg.counts import Stats, stats
    from kratomkg.derivation import derive
    from kratomkg.errors import (
        ExportError,
        InputError,
        KratomKGError,
        ParseError,
        QueryError,
        UnknownFormatError,
        ValidationFailedError,
    )
    from kratomkg.export.projection import to_networkx
    from kratomkg.export.rdf import serialize
    from kratomkg.export.registry import export_graph
    from kratomkg.loading import load
    from kratomkg.querying.engine import query
    from kratomkg.querying.named import NamedQuery, named_queries, named_query
    from kratomkg.querying.pushing import PushResult, push
    from kratomkg.querying.results import QueryResult
    from kratomkg.release import BuildResult, build
    from kratomkg.report import ValidationReport, ValidationResult
    from kratomkg.shacl import validate_endpoint, validate_store
    from kratomkg.store_loading import load_store
    from kratomkg.validation import validate, validate_files

__all__ = [
    "BuildResult",
    "CheckReport",
    "ExportError",
    "InputError",
    "KratomKGError",
    "NamedQuery",
    "ParseError",
    "PushResult",
    "QueryError",
    "QueryResult",
    "Stats",
    "UnknownFormatError",
    "ValidationFailedError",
    "ValidationReport",
    "ValidationResult",
    "__version__",
    "build",
    "check",
    "derive",
    "export_graph",
    "load",
    "load_store",
    "named_queries",
    "named_query",
    "push",
    "query",
    "serialize",
    "stats",
    "to_networkx",
    "validate",
    "validate_endpoint",
    "validate_files",
    "validate_store",
]

_LOCATIONS: dict[str, str] = {
    "BuildResult": "kratomkg.release",
    "build": "kratomkg.release",
    "check": "kratomkg.checking",
    "CheckReport": "kratomkg.checking",
    "derive": "kratomkg.derivation",
    "ExportError": "kratomkg.errors",
    "InputError": "kratomkg.errors",
    "KratomKGError": "kratomkg.errors",
    "ParseError": "kratomkg.errors",
    "QueryError": "kratomkg.errors",
    "UnknownFormatError": "kratomkg.errors",
    "ValidationFailedError": "kratomkg.errors",
    "serialize": "kratomkg.export.rdf",
    "export_graph": "kratomkg.export.registry",
    "to_networkx": "kratomkg.export.projection",
    "load": "kratomkg.loading",
    "query": "kratomkg.querying.engine",
    "NamedQuery": "kratomkg.querying.named",
    "named_queries": "kratomkg.querying.named",
    "named_query": "kratomkg.querying.named",
    "push": "kratomkg.querying.pushing",
    "PushResult": "kratomkg.querying.pushing",
    "QueryResult": "kratomkg.querying.results",
    "ValidationReport": "kratomkg.report",
    "ValidationResult": "kratomkg.report",
    "Stats": "kratomkg.counts",
    "stats": "kratomkg.counts",
    "validate": "kratomkg.validation",
    "validate_files": "kratomkg.validation",
    "validate_endpoint": "kratomkg.shacl",
    "validate_store": "kratomkg.shacl",
    "load_store": "kratomkg.store_loading",
}


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    try:
        module = _LOCATIONS[name]
    except KeyError:
        raise AttributeError(f"module 'kratomkg' has no attribute {name!r}") from None
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
