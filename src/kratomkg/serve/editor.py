"""The query editor a browser gets at ``/sparql``: YASGUI, served from this package.

The page works three ways: with JavaScript it is YASGUI (syntax highlighting, prefix
completion, a results table), loaded from the vendored copy under ``/static/yasgui/``;
without JavaScript it is a plain HTML form that sends the query to the same endpoint; and a
program never sees it at all (it asks ``/sparql`` for results, not for HTML). Nothing is
fetched from another host: YASGUI's remote lookups (prefix.cc, Linked Open Vocabularies,
the endpoint catalogue) are configured off in ``assets/editor.js``, and the page's
Content-Security-Policy lets it talk to its own origin only, so a share link naming another
endpoint cannot make the browser send the query elsewhere.

Every URL on the page is relative (``sparql``, ``static/...``, ``index.html``), like every
other page of the site, so the editor works at a host's root and below a sub-path.
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass
from functools import cache, lru_cache
from html import escape
from importlib.resources import files
from typing import TYPE_CHECKING

from kratomkg._version import __version__
from kratomkg.namespaces import PREFIXES
from kratomkg.serve.conneg import entity_tag, none_match

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import BaseRoute

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "EXAMPLE_QUERY",
    "YASGUI_STYLE_HASHES",
    "editor_headers",
    "editor_page",
    "editor_routes",
    "examples",
]

#: The two ``<style>`` elements YASGUI's table inserts (its column resizer's rules, and the
#: cursor while a column is dragged), allowed by hash: their text is fixed in the vendored
#: bundle, so no other inline style is allowed. Updating the bundle means checking these.
YASGUI_STYLE_HASHES = (
    "'sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk='",
    "'sha256-c0O6TmFAkgpNbHxKAa1BrveWHHopjEtC47i0PzMudxg='",
)

#: What the editor page may load and talk to: its own origin only. ``data:`` images are
#: YASGUI's inline icons. Sent as a header by :func:`editor_headers` and repeated in the
#: page's ``<meta>``, so the page is confined even where a host drops the header.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; "
    f"style-src 'self' {' '.join(YASGUI_STYLE_HASHES)}; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'"
)

#: Cache lifetime of the editor's static files: an hour; a new release of the package
#: changes their ETag, so a browser revalidates cheaply after that.
STATIC_MAX_AGE = 3600


def _prologue() -> str:
    width = max(len(prefix) for prefix in PREFIXES)
    return "\n".join(
        f"PREFIX {prefix + ':':<{width + 1}} <{namespace}>"
        for prefix, namespace in PREFIXES.items()
    )


#: The query the editor opens with: every claim, the best supported first, with the
#: sentence it makes. Certainty levels carry ``kkg:rank`` (higher is better supported).
EXAMPLE_QUERY = (
    _prologue()
    + """

# Claims by certainty: the best-supported claims first, with the sentence each one makes.
SELECT ?claim ?certainty ?statement
WHERE {
  ?claim a kkg:Claim ;
      kkg:certainty ?level .
  ?level rdfs:label ?certainty .
  OPTIONAL { ?level kkg:rank ?rank }
  OPTIONAL { ?claim kkg:statement ?statement }
}
ORDER BY DESC(?rank) ?claim
"""
)


@dataclass(frozen=True)
class Example:
    """A named query as the editor offers it: ready to run, defaults filled in."""

    name: str
    title: str
    description: str
    query: str


@lru_cache(maxsize=1)
def examples() -> tuple[Example, ...]:
    """Return the shipped named queries that run on the served graph alone, parameters bound.

    A parameter's default goes in as a VALUES block (as ``kratomkg query --named`` binds
    it), so a query loaded into the editor runs at once and shows where to change it.
    Queries that compare with a previous release are left out: the server holds one graph.
    """
    from kratomkg.querying.bindings import inject_values
    from kratomkg.querying.named import named_queries

    found: list[Example] = []
    for name, named in sorted(named_queries().items()):
        if named.compares_releases:
            continue
        text = inject_values(named.text, named.bindings())
        found.append(Example(name, named.title, named.description, text))
    return tuple(found)


def _json_for_script(value: object) -> str:
    """JSON that is safe inside ``<script type="application/json">`` (no ``</script>``)."""
    text = json.dumps(value, ensure_ascii=False, indent=None, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def editor_page(root: str = "") -> str:
    """Return the editor page; ``root`` is the relative prefix to the site root.

    The endpoint is ``{root}sparql`` (the page is served there, so by default the editor
    queries its own address).
    """
    r = escape(root, quote=True)
    config = {
        "endpoint": f"{root}sparql",
        "query": EXAMPLE_QUERY,
        "prefixes": PREFIXES,
        "examples": {
            example.name: {"title": example.title, "query": example.query} for example in examples()
        },
    }
    items = "\n".join(
        f'      <li><a href="{r}sparql?query={escape(urllib.parse.quote(example.query))}"'
        f' data-example="{escape(example.name)}">{escape(example.title)}</a>'
        f' <span class="example-description">{escape(example.description)}</span></li>'
        for example in examples()
    )
    prefixes = "\n".join(
        f"        <li><code>{escape(prefix)}:</code> <code>{escape(namespace)}</code></li>"
        for prefix, namespace in PREFIXES.items()
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">
  <title>SPARQL query editor · kratomkg</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="{r}site.css">
  <link rel="stylesheet" href="{r}static/yasgui/yasgui.min.css">
  <link rel="stylesheet" href="{r}static/editor.css">
  <script type="application/json" id="editor-config">{_json_for_script(config)}</script>
  <script src="{r}static/yasgui/yasgui.min.js" defer></script>
  <script src="{r}static/editor.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to the content</a>
<header class="site">
  <nav aria-label="Site">
    <ul>
      <li><a href="{r}index.html">kratomkg home</a></li>
      <li><a href="{r}viewer.html">Interactive viewer</a></li>
      <li><a href="{r}ontology/index.html">Ontology documentation</a></li>
      <li><a href="{r}search">Search</a></li>
      <li><a href="{r}sparql" aria-current="page">SPARQL query editor</a></li>
    </ul>
  </nav>
</header>
  <main id="main" class="editor">
    <h1>SPARQL query editor</h1>
    <p>Ask the kratom knowledge graph in SPARQL 1.1. This page is also the endpoint:
    programs send <code>query=</code> to <a href="{r}sparql"><code>sparql</code></a>
    (GET or POST, the SPARQL 1.1 Protocol) and get results as JSON, XML, CSV or TSV, and
    graphs as Turtle, N-Triples, JSON-LD or RDF/XML, as their <code>Accept</code> header
    asks. The endpoint only reads: updates, <code>SERVICE</code> and <code>LOAD</code> are
    refused, and long queries are stopped.</p>
    <noscript>
      <p>Without JavaScript the editor is a plain form: write a query and send it to the
      endpoint, <code>sparql</code>; the browser shows or saves its answer (SPARQL results
      XML, or Turtle for a <code>CONSTRUCT</code>).</p>
      <form method="get" action="{r}sparql" class="plain-query">
        <label for="plain-query">SPARQL query</label>
        <textarea id="plain-query" name="query" rows="18" cols="80"
          spellcheck="false">{escape(EXAMPLE_QUERY)}</textarea>
        <button type="submit">Run query</button>
      </form>
    </noscript>
    <div id="yasgui" aria-label="SPARQL query editor and results"></div>
    <section aria-labelledby="examples-heading">
      <h2 id="examples-heading">Example queries</h2>
      <p>The competency queries shipped with kratomkg. With JavaScript each opens in a new
      editor tab; without it, the link runs the query.</p>
      <ul class="examples">
{items}
      </ul>
    </section>
    <section aria-labelledby="prefixes-heading">
      <h2 id="prefixes-heading">Prefixes</h2>
      <ul class="prefixes">
{prefixes}
      </ul>
    </section>
  </main>
<footer class="site">
  <p>kratomkg {__version__}: an evidence-first knowledge graph of kratom.
  <a href="{r}void.ttl">Dataset description (VoID)</a>;
  the editor is <a href="{r}static/yasgui/README.md">YASGUI</a>
  (<a href="{r}static/yasgui/LICENSE">MIT licence</a>).</p>
</footer>
</body>
</html>
"""


def editor_headers() -> dict[str, str]:
    """Headers for the editor page's response: the CSP, and no framing by other sites."""
    return {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY + "; frame-ancestors 'self'",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }


@dataclass(frozen=True)
class _Asset:
    body: bytes
    media_type: str
    etag: str


#: URL path below /static/ -> (package folder, file name, media type).
_ASSETS: dict[str, tuple[str, str, str]] = {
    "yasgui/yasgui.min.js": ("vendor/yasgui", "yasgui.min.js", "text/javascript; charset=utf-8"),
    "yasgui/yasgui.min.css": ("vendor/yasgui", "yasgui.min.css", "text/css; charset=utf-8"),
    "yasgui/LICENSE": ("vendor/yasgui", "LICENSE", "text/plain; charset=utf-8"),
    "yasgui/README.md": ("vendor/yasgui", "README.md", "text/markdown; charset=utf-8"),
    "editor.js": ("assets", "editor.js", "text/javascript; charset=utf-8"),
    "editor.css": ("assets", "editor.css", "text/css; charset=utf-8"),
}


@cache
def _asset(path: str) -> _Asset:
    """Read a static file from the package once (it never changes while serving)."""
    folder, name, media_type = _ASSETS[path]
    resource = files("kratomkg.serve")
    for part in folder.split("/"):
        resource = resource / part
    body = (resource / name).read_bytes()
    return _Asset(body, media_type, entity_tag(body))


def editor_routes() -> list[BaseRoute]:
    """Routes serving the editor's static files at ``/static/yasgui/...`` and ``/static/...``.

    Explicit routes rather than a static-files mount: the set of files is fixed, each gets
    its exact media type, an ETag (so a revalidation costs a 304) and ``nosniff``, and the
    files are read through :mod:`importlib.resources`, so they are found wherever the
    package is installed.
    """
    from starlette.responses import Response
    from starlette.routing import Route

    def route(path: str) -> Route:
        async def serve_asset(request: Request) -> Response:
            asset = _asset(path)
            headers = {
                "ETag": asset.etag,
                "Cache-Control": f"public, max-age={STATIC_MAX_AGE}",
                "X-Content-Type-Options": "nosniff",
            }
            if none_match(request.headers.get("if-none-match"), asset.etag):
                return Response(status_code=304, headers=headers)
            body = b"" if request.method == "HEAD" else asset.body
            response = Response(body, headers=headers, media_type=None)
            response.headers["Content-Type"] = asset.media_type
            if request.method == "HEAD":
                response.headers["Content-Length"] = str(len(asset.body))
            return response

        return Route(f"/static/{path}", serve_asset, methods=["GET", "HEAD"])

    return [route(path) for path in _ASSETS]
