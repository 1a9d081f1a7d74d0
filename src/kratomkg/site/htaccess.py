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

__all__ = ["NEGOTIATED", "SITE_SUFFIXES", "site_htaccess", "w3id_htaccess"]

# The documents the static site holds for every resource; only these are negotiated.
SITE_SUFFIXES: Final = ("html", "ttl", "jsonld")

# Accept-header pattern -> suffix, in the order tried. HTML comes first, so a browser (which
# also accepts */*) always gets the page; a client that names no known type gets it too.
NEGOTIATED: Final = (
    (r"text/html|application/xhtml\+xml", "html"),
    (r"application/ld\+json|application/json", "jsonld"),
    (r"text/turtle|application/x-turtle|text/n3|text/\*", "ttl"),
)

_NAME: Final = r"([^/]+)"


def _negotiation(target: str) -> list[str]:
    """Return the rewrite rules sending ``id/NAME``, ``ontology/NAME`` and ``ontology``."""
    lines: list[str] = []
    for accept, suffix in NEGOTIATED:
        lines += [
            f"# {DOCUMENT_FORMATS[suffix]}",
            f'RewriteCond "%{{HTTP_ACCEPT}}" "{accept}" [NC]',
            f'RewriteRule "^ontology/?$" "{target}ontology/{_ontology_document(suffix)}" [R=303,L]',
            f'RewriteCond "%{{HTTP_ACCEPT}}" "{accept}" [NC]',
            f'RewriteRule "^(id|ontology)/{_NAME}$" "{target}$1/$2.{suffix}" [R=303,L]',
        ]
    lines += [
        "# anything else: the page",
        f'RewriteRule "^ontology/?$" "{target}ontology/index.html" [R=303,L]',
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


def site_htaccess(site_url: str) -> str:
    """Return ``.htaccess`` for the site's folder on an Apache host (mod_rewrite).

    A request for a document that exists is served as it is; ``id/NAME`` and
    ``ontology/NAME`` without a suffix get a 303 to the negotiated document. The
    not-found page needs a path from the host's root, taken from ``site_url``.
    """
    root = urlsplit(site_url).path or "/"
    root = root if root.endswith("/") else root + "/"
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
        "# A document named with its suffix: the same document on the site.",
        f'RewriteRule "^(.+)\\.({"|".join(SITE_SUFFIXES)}|json|css)$" "{target}$1.$2" [R=302,L]',
        *_negotiation(target),
        "# Everything else (the landing page, void.ttl, downloads/): the same path.",
        f'RewriteRule "^(.*)$" "{target}$1" [R=302,L]',
        "",
    ]
    return "\n".join(lines)
