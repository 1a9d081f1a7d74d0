"""Apache rules that make the static site answer like a linked-data server.

A linked-data client asks for ``…/id/mitragynine`` with an ``Accept`` header and expects a
``303 See Other`` to the document in the format it wants. The site is plain files, so these
rules do that negotiation: ``.htaccess`` for the folder the site is published in (every
rule is relative to that folder), and ``w3id.htaccess``, the file to submit to the w3id.org
repository as ``kratomkg/.htaccess``, which sends ``https://w3id.org/kratomkg/…`` to the
hosted site the same way.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import urlsplit

from kratomkg.site.paths import DOCUMENT_FORMATS

__all__ = ["NEGOTIATED", "SITE_SUFFIXES", "site_htaccess", "site_root_path", "w3id_htaccess"]

# The documents the static site holds for every resource; only these are negotiated.
SITE_SUFFIXES: Final = ("html", "ttl", "jsonld")

# Accept-header pattern -> suffix, in the order tried. mod_rewrite matches patterns and
# cannot weigh q-values, so the order stands in for them, chosen to give what
# ``kratomkg serve`` gives for the headers clients send:
# - HTML first: a browser names text/html (and */*), and gets the page.
# - Turtle before JSON-LD: rdflib's default header names both (and RDF/XML, N-Triples, …)
#   without weights, and the server breaks that tie for Turtle; so does
#   ``text/turtle, application/ld+json;q=0.1``. text/n3 gets Turtle, which N3 readers read.
# - JSON-LD for a client that names ld+json (or json) and neither of the above.
# - Everything else gets the page: ``*/*`` or ``text/*`` alone (as the server, which puts
#   HTML first among equals), no header, and a client that names only N-Triples or RDF/XML.
#   The site has no such documents, and no answer it could parse exists; the page, with
#   its links to the Turtle and JSON-LD documents and the downloads, is the least wrong
#   answer (a 406 would leave it nothing to follow).
# What this cannot follow: a weight that reorders the types (``application/ld+json,
# text/turtle;q=0.5`` gets Turtle, ``text/turtle, text/html;q=0.1`` the page) or rules one
# out (``q=0``); the server reads those as written.
NEGOTIATED: Final = (
    (r"text/html|application/xhtml\+xml", "html"),
    (r"text/turtle|application/x-turtle|text/n3", "ttl"),
    (r"application/ld\+json|application/json", "jsonld"),
)

# Suffixes that name a document, as the server reads a path: a request ending in one is
# for that document (served, redirected or not found as it is) and is never negotiated, so
# ``id/NAME.nt`` does not become ``id/NAME.nt.html``. nt and rdf are the server's formats
# that the static site does not have: they are not found.
_DOCUMENT_SUFFIXES: Final = "|".join((*DOCUMENT_FORMATS, "json", "css"))

_NAME: Final = r"([^/]+)"
# The ontology's own IRI, with or without a final slash, and its version IRIs
# (``ontology/0.1.0``): all are documented by the ontology's pages.
_ONTOLOGY: Final = r"^ontology(/[0-9]+(\.[0-9]+)*)?/?$"


def _negotiation(target: str) -> list[str]:
    """Return the rewrite rules sending ``id/NAME``, ``ontology/NAME`` and ``ontology``."""
    lines: list[str] = []
    for accept, suffix in NEGOTIATED:
        lines += [
            f"# {DOCUMENT_FORMATS[suffix]}",
            f'RewriteCond "%{{HTTP_ACCEPT}}" "{accept}" [NC]',
            f'RewriteRule "{_ONTOLOGY}" "{target}ontology/{_ontology_document(suffix)}" [R=303,L]',
            f'RewriteCond "%{{HTTP_ACCEPT}}" "{accept}" [NC]',
            f'RewriteRule "^(id|ontology)/{_NAME}$" "{target}$1/$2.{suffix}" [R=303,L]',
        ]
    lines += [
        "# anything else: the page",
        f'RewriteRule "{_ONTOLOGY}" "{target}ontology/index.html" [R=303,L]',
        f'RewriteRule "^(id|ontology)/{_NAME}$" "{target}$1/$2.html" [R=303,L]',
    ]
    return lines


def _ontology_document(suffix: str) -> str:
    return "index.html" if suffix == "html" else f"kratomkg.{suffix}"


_TYPES: Final = [
    "AddType text/turtle .ttl",
    "AddType application/ld+json .jsonld",
    "AddType application/json .json",
    "AddCharset utf-8 .html .ttl .jsonld .json .css",
]

_VARY: Final = [
    "<IfModule mod_headers.c>",
    "    # The same address answers differently by Accept: caches must keep them apart.",
    '    Header always append Vary "Accept"',
    "</IfModule>",
]


def site_root_path(site_url: str) -> str:
    """Return the URL path the site is published at, from the host's root (``/kratomkg/``).

    The not-found page is served at whatever address was missing, at any depth, so a
    relative link on it would point nowhere; its links, and the ``ErrorDocument`` naming
    it, start from this path instead.
    """
    root = urlsplit(site_url).path or "/"
    return root if root.endswith("/") else root + "/"


def site_htaccess(site_url: str) -> str:
    """Return ``.htaccess`` for the site's folder on an Apache host (mod_rewrite).

    A request for a document that exists is served as it is; ``id/NAME`` and
    ``ontology/NAME`` without a suffix get a 303 to the negotiated document. The
    not-found page needs a path from the host's root, taken from ``site_url``.
    """
    root = site_root_path(site_url)
    lines = [
        "# kratomkg linked-data site: content negotiation for the IRIs of the graph.",
        "# Every rule is relative to the folder this file is in. Behind an Alias, set",
        "# RewriteBase to the folder's URL path.",
        "Options -MultiViews",
        "DirectoryIndex index.html",
        f"ErrorDocument 404 {root}404.html",
        *_TYPES,
        *_VARY,
        "",
        "RewriteEngine On",
        "# A file that exists (a .html, .ttl or .jsonld document) is served as it is.",
        'RewriteCond "%{REQUEST_FILENAME}" -f',
        'RewriteRule "^" "-" [L]',
        "# A document that does not exist (a .nt, say) is not found as it is.",
        f'RewriteRule "\\.({_DOCUMENT_SUFFIXES})$" "-" [L]',
        *_negotiation(""),
        "",
    ]
    return "\n".join(lines)


def w3id_htaccess(site_url: str) -> str:
    """Return the ``.htaccess`` to submit to the w3id.org repository as ``kratomkg/``.

    ``https://w3id.org/kratomkg/id/NAME`` (and ``ontology/NAME``, ``ontology``) get a 303
    to the negotiated document on the hosted site at ``site_url``; any other path below
    ``/kratomkg/`` (a document, ``void.ttl``, the landing page) is redirected to the same
    path on the site.
    """
    target = site_url if site_url.endswith("/") else site_url + "/"
    lines = [
        "# w3id.org/kratomkg: persistent IRIs of the kratomkg knowledge graph.",
        f"# Redirects to the published linked-data site at {target}",
        "Options +FollowSymLinks",
        *_VARY,
        "",
        "RewriteEngine on",
        "# A document named with its suffix: the same document on the site (which answers",
        "# 404 for one it does not have, such as .nt).",
        f'RewriteRule "^(.+)\\.({_DOCUMENT_SUFFIXES})$" "{target}$1.$2" [R=302,L]',
        *_negotiation(target),
        "# Everything else (the landing page, void.ttl, downloads/): the same path.",
        f'RewriteRule "^(.*)$" "{target}$1" [R=302,L]',
        "",
    ]
    return "\n".join(lines)
