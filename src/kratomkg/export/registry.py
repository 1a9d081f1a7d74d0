"""The one registry of export formats, read by ``kratomkg export`` and ``kratomkg build``.

RDF formats write the triples themselves (named graphs kept where the format can); graph
formats write the networkx projection (:func:`~kratomkg.export.projection.to_networkx`) in
its ``summary`` or ``full`` view.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import networkx as nx
from rdflib import Dataset, Graph

from kratomkg.errors import ExportError, UnknownFormatError
from kratomkg.export.csv import write_edges_csv, write_nodes_csv
from kratomkg.export.cyjs import write_cyjs
from kratomkg.export.dot import write_dot
from kratomkg.export.gexf import write_gexf
from kratomkg.export.graphml import write_graphml
from kratomkg.export.projection import VIEWS, View, to_networkx
from kratomkg.export.rdf import RDF_FORMATS, serialize
from kratomkg.export.viewer import write_viewer
from kratomkg.namespaces import GRAPH_USER

__all__ = [
    "EXPORT_FORMATS",
    "ExportFormat",
    "export_graph",
    "release_files",
    "shared_projections",
]

Writer = Callable[[Dataset, View], str]


@dataclass(frozen=True)
class ExportFormat:
    """One export format: its name, file extension, media type, writer and whether it has views."""

    name: str
    extension: str
    media_type: str
    description: str
    write: Writer
    views: bool


# The projection is the costly part of a graph export, and ``kratomkg build`` writes several
# formats of the same, unchanging dataset in a row. Inside ``shared_projections()`` each
# projection is computed once; outside it nothing is cached, so a dataset changed between
# two exports is never exported stale.
_SHARED: ContextVar[dict[tuple[int, str], nx.MultiDiGraph[str]] | None] = ContextVar(
    "kratomkg_shared_projections", default=None
)


@contextmanager
def shared_projections() -> Iterator[None]:
    """Compute each (dataset, view) projection once while the block runs."""
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def _projection(dataset: Dataset, view: View) -> nx.MultiDiGraph[str]:
    shared = _SHARED.get()
    if shared is None:
        return to_networkx(dataset, view)
    key = (id(dataset), view)
    if key not in shared:
        shared[key] = to_networkx(dataset, view)
    return shared[key]


def _rdf(name: str) -> Writer:
    return lambda dataset, _view: serialize(dataset, name)


def _graph(writer: Callable[[nx.MultiDiGraph[str]], str]) -> Writer:
    return lambda dataset, view: writer(_projection(dataset, view))


def _rdf_formats() -> list[ExportFormat]:
    return [
        ExportFormat(
            name, spec.extension, spec.media_type, f"RDF ({name})", _rdf(name), views=False
        )
        for name, spec in RDF_FORMATS.items()
    ]


EXPORT_FORMATS: dict[str, ExportFormat] = {
    fmt.name: fmt
    for fmt in (
        *_rdf_formats(),
        ExportFormat(
            "graphml",
            ".graphml",
            "application/graphml+xml",
            "GraphML with yEd styling (yEd, Gephi, Cytoscape, networkx, igraph)",
            _graph(write_graphml),
            views=True,
        ),
        ExportFormat(
            "gexf",
            ".gexf",
            "application/gexf+xml",
            "GEXF 1.3 with colours and positions (Gephi)",
            _graph(write_gexf),
            views=True,
        ),
        ExportFormat(
            "dot",
            ".dot",
            "text/vnd.graphviz",
            "Graphviz DOT",
            _graph(write_dot),
            views=True,
        ),
        ExportFormat(
            "cyjs",
            ".cyjs",
            "application/json",
            "Cytoscape.js JSON (Cytoscape Desktop, Cytoscape.js)",
            _graph(write_cyjs),
            views=True,
        ),
        ExportFormat(
            "csv-nodes",
            "-nodes.csv",
            "text/csv",
            "node table, Neo4j bulk-import headers",
            _graph(write_nodes_csv),
            views=True,
        ),
        ExportFormat(
            "csv-edges",
            "-edges.csv",
            "text/csv",
            "relationship table, Neo4j bulk-import headers",
            _graph(write_edges_csv),
            views=True,
        ),
        ExportFormat(
            "html",
            ".html",
            "text/html",
            "self-contained interactive viewer (any browser, offline)",
            lambda dataset, view: write_viewer(dataset, view, _projection(dataset, view)),
            views=True,
        ),
    )
}


def export_graph(
    data: Dataset | Graph, fmt: str, view: str | None = None, *, pages: str | None = None
) -> str:
    """Return ``data`` in the export format ``fmt`` (see :data:`EXPORT_FORMATS`).

    ``view`` (``summary``, the default, or ``full``) applies to the graph formats only;
    passing it with an RDF format is an error rather than being silently ignored.
    ``pages`` (``html`` only) is the relative prefix from the viewer to the linked-data
    site, so each panel links to its resource's page.
    """
    try:
        spec = EXPORT_FORMATS[fmt]
    except KeyError:
        choices = ", ".join(EXPORT_FORMATS)
        raise UnknownFormatError(
            "--format", f"unknown export format {fmt!r}; choose one of {choices}"
        ) from None
    if view is not None and view not in VIEWS:
        raise ExportError(f"unknown view {view!r}: choose one of {', '.join(VIEWS)}")
    if view is not None and not spec.views:
        raise ExportError(f"--view applies to graph formats only; {fmt} writes every triple")
    if isinstance(data, Dataset):
        dataset = data
    else:
        dataset = Dataset(default_union=True)
        target = dataset.graph(GRAPH_USER)
        for triple in data:
            target.add(triple)
    chosen: View = "full" if view == "full" else "summary"
    if pages is not None:
        if fmt != "html":
            raise ExportError(f"pages applies to the html viewer only, not to {fmt}")
        return write_viewer(dataset, chosen, _projection(dataset, chosen), pages=pages)
    return spec.write(dataset, chosen)


# Graph formats whose full view goes into a release as well. A full-view DOT file is left
# out: Graphviz needs minutes to lay out every triple, and the summary is what it is for.
_FULL_IN_RELEASE = ("graphml", "gexf", "cyjs", "csv-nodes", "csv-edges")


def release_files() -> dict[str, Callable[[Dataset], str]]:
    """File name -> writer for every export that ``kratomkg build`` puts in a release."""
    result: dict[str, Callable[[Dataset], str]] = {}
    for name, spec in EXPORT_FORMATS.items():
        if name in RDF_FORMATS:
            continue  # release.py writes the RDF files itself, with the manifest's names
        stem = "viewer" if name == "html" else "kratomkg"
        result[f"{stem}{spec.extension}"] = _bound(spec, "summary")
        if name in _FULL_IN_RELEASE:
            result[f"kratomkg-full{spec.extension}"] = _bound(spec, "full")
    return dict(sorted(result.items()))


def _bound(spec: ExportFormat, view: View) -> Callable[[Dataset], str]:
    return lambda dataset: spec.write(dataset, view)
