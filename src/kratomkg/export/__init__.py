"""Export the knowledge graph: RDF serializations (and, in sub-modules, graph formats).

Formats are listed in one registry, :data:`EXPORT_FORMATS`, which the CLI's ``--format``
choices and ``kratomkg build`` both read.
"""

from __future__ import annotations

from kratomkg.export.rdf import (
    JSONLD_CONTEXT,
    RDF_FORMATS,
    RdfFormat,
    jsonld_context_document,
    serialize,
)

__all__ = [
    "JSONLD_CONTEXT",
    "RDF_FORMATS",
    "RdfFormat",
    "jsonld_context_document",
    "serialize",
]
