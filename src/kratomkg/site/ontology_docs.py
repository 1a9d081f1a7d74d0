"""The ontology's documentation page, ``ontology/index.html``, generated with pyLODE.

pyLODE writes one self-contained page (its stylesheet inline, its icons as ``data:`` URLs)
from the ontology graph alone. Two things are made right here for the site: links to
kratomkg's own IRIs become relative links to the site's pages, so the documentation works
from disk and below any sub-path, and anything that would still make the browser fetch
from another host (a stylesheet, script, image or font) is removed, so the page never
depends on a host the site does not control.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.metadata
import logging
import re
import sys
import types
import warnings
from collections.abc import Iterator
from typing import Any, Final

from rdflib import Dataset, Graph

from kratomkg.namespaces import GRAPH_ONTOLOGY, KID, KKG, ONTOLOGY_IRI, PREFIXES

__all__ = ["external_resources", "ontology_graph", "ontology_html"]


def ontology_graph(dataset: Dataset) -> Graph:
    """Return a copy of the ontology named graph (with its version stamps), prefixes bound."""
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    for triple in dataset.graph(GRAPH_ONTOLOGY):
        graph.add(triple)
    return graph


@contextlib.contextmanager
def _root_logger_kept() -> Iterator[None]:
    """Keep pyLODE from configuring the root logger, and put it back as it was.

    Importing pyLODE calls ``logging.basicConfig(level=DEBUG)`` and pyLODE logs through
    the module-level ``logging.info``, which installs a stderr handler of its own: left
    alone, either would add log lines to the output of this and every later command.
    """
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    if not handlers:  # logging.basicConfig and logging.info configure no root with a handler
        root.addHandler(logging.NullHandler())
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def _ontpub() -> Any:
    """Import pyLODE's ``OntPub`` whatever the installed release's packaging.

    pyLODE 3.4.1 reads its own version from a ``pyproject.toml`` that its wheel does not
    install (and with ``tomllib``, absent before Python 3.11), so importing it fails. Its
    version is then taken from the installed distribution's metadata instead.
    """
    try:
        from pylode import OntPub  # type: ignore[import-untyped]
    except (FileNotFoundError, ModuleNotFoundError):
        for name in [m for m in sys.modules if m == "pylode" or m.startswith("pylode.")]:
            del sys.modules[name]  # the half-imported package is imported again below
        stub = types.ModuleType("pylode.version")
        stub.__version__ = importlib.metadata.version("pylode")  # type: ignore[attr-defined]
        sys.modules["pylode.version"] = stub
        OntPub = importlib.import_module("pylode").OntPub
    return OntPub


# Resource-loading markup that points at another host (links, <a href>, stay: they load
# nothing until followed).
_EXTERNAL_TAG: Final = re.compile(
    r"<(?:script|img|iframe|source|audio|video|embed)\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//"
    r"[^>]*>(?:\s*</(?:script|iframe|audio|video)>)?"
    r"|<link\b(?=[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//)[^>]*>",
    re.IGNORECASE,
)
_EXTERNAL_CSS: Final = re.compile(
    r"@import\s+(?:url\()?\s*[\"']?(?:https?:)?//[^;]*;|url\(\s*[\"']?(?:https?:)?//[^)]*\)",
    re.IGNORECASE,
)


def external_resources(html: str) -> list[str]:
    """Return the markup of ``html`` that would make a browser fetch from another host."""
    return [m.group(0) for m in _EXTERNAL_TAG.finditer(html)] + [
        m.group(0) for m in _EXTERNAL_CSS.finditer(html)
    ]


def _local_links(html: str) -> str:
    """Point links at kratomkg IRIs to the site's own pages, relative to ``ontology/``."""
    ontology = re.escape(str(ONTOLOGY_IRI))

    def term(match: re.Match[str]) -> str:
        name = match.group(1)
        return f'href="{name}.html"' if name else 'href="index.html"'

    def resource(match: re.Match[str]) -> str:
        return f'href="../id/{match.group(1)}.html"'

    html = re.sub(rf'href="{ontology}/?"', 'href="index.html"', html)
    html = re.sub(rf'href="{re.escape(str(KKG))}([A-Za-z0-9_.-]*)"', term, html)
    html = re.sub(rf'href="{re.escape(str(KID))}([A-Za-z0-9_.-]+)"', resource, html)
    # pyLODE links every IRI of the namespace to a section of the page, also those it
    # writes no section for (the version IRI): those keep their full IRI instead.
    ids = set(re.findall(r'\bid="([^"]+)"', html))

    def dangling(match: re.Match[str]) -> str:
        name = match.group(1)
        return match.group(0) if name in ids else f'href="{KKG}{name}"'

    return re.sub(r'href="#([^"]+)"', dangling, html)


def ontology_html(dataset: Dataset) -> str:
    """Return the ontology documentation page, the same bytes for the same ontology."""
    with _root_logger_kept(), warnings.catch_warnings():
        # pyLODE reads its stylesheet through a file it leaves to the garbage collector.
        warnings.simplefilter("ignore", ResourceWarning)
        ontpub = _ontpub()(ontology_graph(dataset), sort_subjects=True)
        html: str = ontpub.make_html()
    html = _local_links(html)
    html = _EXTERNAL_TAG.sub("", html)
    html = _EXTERNAL_CSS.sub("none", html)
    # pyLODE's page names no language and no encoding (a page opened from disk needs it), and
    # has no viewport, so a phone would lay it out 980 px wide and shrink it.
    html = html.replace("<html>", '<html lang="en">', 1).replace(
        "<head>",
        '<head>\n    <meta charset="utf-8">\n'
        '    <meta name="viewport" content="width=device-width, initial-scale=1">',
        1,
    )
    return html if html.endswith("\n") else html + "\n"
