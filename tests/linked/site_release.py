"""One built release (with its site) shared by the site tests of a test session.

A build loads, validates and writes everything (tens of seconds on a busy machine), so it
is made once per process, on first use, and removed when the process ends.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from html.parser import HTMLParser
from pathlib import Path

from rdflib import Graph

from kratomkg.loading import load, union_graph
from kratomkg.release import build
from kratomkg.validation import validate


@functools.lru_cache(maxsize=1)
def built_release() -> Path:
    """Return the folder of a release built by ``kratomkg.release.build``."""
    folder = Path(tempfile.mkdtemp(prefix="kratomkg-site-test-"))
    atexit.register(shutil.rmtree, folder, True)
    build(folder / "dist")
    return folder / "dist"


@functools.lru_cache(maxsize=1)
def shipped_graph() -> Graph:
    """Return the shipped graph with its derived triples, as the site was made from."""
    dataset = load()
    validate(dataset)
    return union_graph(dataset)


class PageLinks(HTMLParser):
    """Collects the ``href``/``src`` values and the ``id``s of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in {"href", "src"}:
                self.links.append(value)
            elif name in {"id", "name"} and (name == "id" or tag == "a"):
                self.ids.add(value)


def page_links(path: Path) -> PageLinks:
    parser = PageLinks()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser
