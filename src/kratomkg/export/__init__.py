"""Export the knowledge graph: RDF serializations, graph-tool formats and an HTML viewer.

Formats are listed in one registry, :data:`EXPORT_FORMATS`, which the CLI's ``--format``
choices and ``kratomkg build`` both read. Graph formats are written from the networkx
projection returned by :func:`to_networkx`.
"""

from __future__ import annotations

from kratomkg.export.projection import VIEWS, to_networkx
from kratomkg.export.rdf import (
    JSONLD_CONTEXT,
    RDF_FORMATS,
    RdfFormat,
    jsonld_context_document,
    serialize,
)
from kratomkg.export.registry import EXPORT_FORMATS, ExportFormat, export_graph, release_files

__all__ = [
    "EXPORT_FORMATS",
    "JSONLD_CONTEXT",
    "RDF_FORMATS",
    "VIEWS",
    "ExportFormat",
    "RdfFormat",
    "export_graph",
    "jsonld_context_document",
    "release_files",
    "serialize",
    "to_networkx",
]
