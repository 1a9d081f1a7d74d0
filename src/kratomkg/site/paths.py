"""Where each IRI of the graph lives on the linked-data site, and back.

The IRIs are minted under ``https://w3id.org/kratomkg/``; the site (static or served) keeps
the same paths below its own root, so ``…/id/mitragynine`` is ``id/mitragynine`` on the site
and its documents are ``id/mitragynine.html``, ``.ttl`` and ``.jsonld``. Keeping the paths
identical is what lets one set of w3id redirect rules point at any host.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import urlsplit

from rdflib import URIRef

from kratomkg.errors import InputError
from kratomkg.namespaces import KID, KKG, ONTOLOGY_IRI
from kratomkg.querying.bindings import _BAD_IRI

__all__ = [
    "DOCUMENT_FORMATS",
    "SITE_BASE",
    "check_site_url",
    "document_path",
    "iri_for_path",
    "relative_root",
    "site_path",
]

SITE_BASE: Final = "https://w3id.org/kratomkg/"

# Suffix -> media type of the documents that describe a resource. HTML is for people; the
# others are the RDF a linked-data client negotiates for.
DOCUMENT_FORMATS: Final[dict[str, str]] = {
    "html": "text/html",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
}

_SPACES: Final = ((str(KID), "id/"), (str(KKG), "ontology/"))

# A version IRI of the ontology is ``ontology/0.1.0``; no kkg: term starts with a digit, so
# these names are never terms.
_VERSION: Final = re.compile(r"\d+(?:\.\d+)*")
# A percent sign that does not start an escape (``%`` and two hex digits).
_BARE_PERCENT: Final = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _segment(name: str) -> bool:
    """Tell whether ``name`` can be the one path segment of an IRI of the graph.

    Besides ``/?#``, refuse what no IRI may hold (the check parameter values get) and a
    bare ``%``: a server decodes the request path, so a name reaching here from a URL
    could otherwise carry ``>`` or braces into the SPARQL a page is fetched with.
    """
    return (
        bool(name)
        and name not in {".", ".."}
        and not any(c in name for c in "/?#")
        and not _BAD_IRI.search(name)
        and not _BARE_PERCENT.search(name)
    )


def site_path(iri: str | URIRef) -> str | None:
    """Return ``id/NAME`` or ``ontology/NAME`` for a dereferenceable IRI, else None.

    Only one path segment is accepted after the namespace: a local name with a slash, a
    query or a fragment has no document of its own. The ontology's own IRI and its version
    IRIs (``ontology/0.1.0``) are the documentation's folder, ``ontology/``: a version has
    no page of its own, and the docs describe the version the site was built from.
    """
    text = str(iri)
    if text == str(ONTOLOGY_IRI):
        return "ontology/"
    for namespace, folder in _SPACES:
        if text.startswith(namespace):
            name = text[len(namespace) :]
            if not _segment(name):
                return None
            if folder == "ontology/" and _VERSION.fullmatch(name):
                return folder
            return folder + name
    return None


def iri_for_path(path: str) -> URIRef | None:
    """Return the IRI a site path (``id/NAME``, ``ontology/NAME``, ``ontology/``) names.

    A version path (``ontology/0.1.0``) names the ontology itself, whose documents are the
    ones the version IRI is served with.
    """
    if path in {"ontology", "ontology/"}:
        return ONTOLOGY_IRI
    for namespace, folder in _SPACES:
        if path.startswith(folder):
            name = path[len(folder) :]
            if not _segment(name):
                return None
            if folder == "ontology/" and _VERSION.fullmatch(name):
                return ONTOLOGY_IRI
            return URIRef(namespace + name)
    return None


def document_path(iri: str | URIRef, suffix: str = "html") -> str | None:
    """Return the site path of the ``suffix`` document describing ``iri`` (or None)."""
    path = site_path(iri)
    if path is None:
        return None
    if path.endswith("/"):
        return path + ("index.html" if suffix == "html" else f"kratomkg.{suffix}")
    return f"{path}.{suffix}"


def relative_root(page_path: str) -> str:
    """Return the relative prefix from the page at ``page_path`` back to the site root.

    Every link on the site is relative, so the same files work opened from disk, served at
    a host's root or published below a sub-path.
    """
    depth = page_path.count("/")
    return "../" * depth


def check_site_url(url: str) -> str:
    """Return ``url`` with a final slash, or raise if it cannot be the site's address.

    The redirect rules are written with it verbatim, so it must be an absolute http(s) URL
    with no character that Apache would read as the end of a rule or a back-reference.
    """
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise InputError("--site-url", f"'{url}' is not an absolute http(s) URL")
    if parts.query or parts.fragment or any(c in url for c in " \"'$%<>`{}|^\t\n"):
        raise InputError(
            "--site-url", f"'{url}' has a query, a fragment or a character rules cannot hold"
        )
    return url if url.endswith("/") else url + "/"
