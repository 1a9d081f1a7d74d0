"""The linked-data site: one page and one RDF description per resource of the graph.

``kratomkg build`` writes it into ``dist/site/`` (static files any web host can publish
behind the w3id redirects), and ``kratomkg serve`` renders the same pages on request.
"""

from __future__ import annotations

from kratomkg.site.describe import NEIGHBOURHOOD_QUERY, describe
from kratomkg.site.paths import DOCUMENT_FORMATS, SITE_BASE, document_path, site_path

# The pages (kratomkg.site.pages, kratomkg.site.schemaorg) are not imported here: they pull
# in Jinja and the viewer's projection, which a caller that only needs paths does not want.
__all__ = [
    "DOCUMENT_FORMATS",
    "NEIGHBOURHOOD_QUERY",
    "SITE_BASE",
    "describe",
    "document_path",
    "site_path",
]
