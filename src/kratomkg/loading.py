"""Load the ontology, the shipped knowledge base and user files into one Dataset.

Each part goes into its own named graph (ontology, kb, user; derive() adds a fourth), so
exports can keep them apart while validation and queries see their union. Everything is
parsed once; later steps share the same Dataset.
"""

from __future__ import annotations

from collections.abc import Iterable
from os import PathLike
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL

from kratomkg._version import __version__
from kratomkg.namespaces import GRAPH_KB, GRAPH_ONTOLOGY, GRAPH_USER, ONTOLOGY_IRI, PREFIXES
from kratomkg.parse import parse_into
from kratomkg.resources import kb_files, ontology_file

__all__ = ["empty_dataset", "load", "union_graph", "version_iri"]


def version_iri(version: str = __version__) -> URIRef:
    """Return the ``owl:versionIRI`` of the ontology for ``version``."""
    return URIRef(f"{ONTOLOGY_IRI}/{version}")


def empty_dataset() -> Dataset:
    """Return a Dataset whose default graph is the union of its named graphs, with prefixes."""
    dataset = Dataset(default_union=True)
    for prefix, namespace in PREFIXES.items():
        dataset.bind(prefix, namespace, override=True, replace=True)
    return dataset


def union_graph(dataset: Dataset) -> Graph:
    """Copy every named graph of ``dataset`` into one plain graph, with kratomkg's prefixes.

    Validators and serializers want one graph; the Dataset keeps the parts apart.
    """
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def load(
    paths: Iterable[str | PathLike[str]] = (),
    *,
    kb: bool | None = None,
) -> Dataset:
    """Load the ontology plus the shipped knowledge base and/or the given files.

    With no ``paths`` the shipped knowledge base is loaded. With ``paths`` only those files
    are loaded (next to the ontology) unless ``kb=True`` asks for the shipped graph too.
    The ontology's ``owl:versionIRI`` and ``owl:versionInfo`` are stamped from the package
    version, the one place the version is written.
    """
    user_paths = [Path(p) for p in paths]
    include_kb = not user_paths if kb is None else kb
    dataset = empty_dataset()

    ontology = dataset.graph(GRAPH_ONTOLOGY)
    parse_into(ontology, ontology_file())
    ontology.add((ONTOLOGY_IRI, OWL.versionIRI, version_iri()))
    ontology.add((ONTOLOGY_IRI, OWL.versionInfo, Literal(__version__)))

    if include_kb:
        graph = dataset.graph(GRAPH_KB)
        for path in kb_files():
            parse_into(graph, path)
    if user_paths:
        graph = dataset.graph(GRAPH_USER)
        for path in user_paths:
            parse_into(graph, path)
    return dataset
