"""Validate any data against any shapes: a general SHACL processor on either engine.

kratomkg's own validation adds its ontology, derived ratings and shipped shapes. This is
the plain SHACL job underneath, given only a data graph and a shapes graph, so the engines
can be held to the W3C SHACL test suite and used on data that has nothing to do with kratom.
"""

from __future__ import annotations

from collections.abc import Iterable
from os import PathLike
from pathlib import Path

from rdflib import Graph

from kratomkg.errors import InputError
from kratomkg.parse import parse_into, quiet_rdflib_terms
from kratomkg.report import ValidationReport

__all__ = [
    "GENERAL_ENGINES",
    "validate_endpoint_with_shapes",
    "validate_graphs",
    "validate_shapes",
]

#: The engines :func:`validate_graphs` runs.
GENERAL_ENGINES = ("sparql", "pyshacl")


@quiet_rdflib_terms()
def _pyshacl(data: Graph, shapes: Graph) -> ValidationReport:
    import pyshacl

    from kratomkg.validation import results_of

    _conforms, report_graph, _text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=False,
        allow_warnings=True,
        abort_on_first=False,
    )
    if not isinstance(report_graph, Graph):
        raise InputError("shapes", f"pySHACL could not validate with these shapes: {report_graph}")
    return ValidationReport.from_results(results_of(report_graph), shapes=shapes)


def validate_graphs(data: Graph, shapes: Graph, *, engine: str = "sparql") -> ValidationReport:
    """Validate ``data`` against ``shapes`` alone, and nothing else.

    The SPARQL engine compiles the shapes before it reads any data, so a shape it cannot
    translate faithfully is refused (:class:`~kratomkg.shacl.UnsupportedShapeError`)
    whatever the data.
    """
    if engine == "pyshacl":
        return _pyshacl(data, shapes)
    if engine != "sparql":
        raise InputError("--engine", f"unknown engine {engine!r} (use sparql or pyshacl)")
    from kratomkg.shacl.compiler import compile_shapes
    from kratomkg.shacl.engine import validate_compiled
    from kratomkg.shacl.literals import graph_to_store

    constraints = compile_shapes(shapes)
    store = graph_to_store(data)
    return validate_compiled(store, constraints, shapes=shapes)


def _parse_all(paths: Iterable[str | PathLike[str]], what: str) -> Graph:
    graph = Graph()
    files = [Path(p) for p in paths]
    if not files:
        raise InputError(what, "no file given")
    for path in files:
        parse_into(graph, path)
    return graph


def validate_shapes(
    data: Iterable[str | PathLike[str]],
    shapes: Iterable[str | PathLike[str]],
    *,
    engine: str = "sparql",
) -> ValidationReport:
    """Validate the RDF files ``data`` against the shapes in the files ``shapes``.

    This is ``kratomkg validate DATA... --shapes SHAPES...``: no kratomkg ontology, shapes
    or derivation is added. Files are read with the same checks and one-line errors as
    every other command.
    """
    shapes_graph = _parse_all(shapes, "--shapes")
    if engine == "sparql":
        from kratomkg.shacl.compiler import compile_shapes
        from kratomkg.shacl.engine import validate_compiled
        from kratomkg.shacl.literals import files_to_store

        constraints = compile_shapes(shapes_graph)
        store = files_to_store([Path(p) for p in data])
        return validate_compiled(store, constraints, shapes=shapes_graph)
    return validate_graphs(_parse_all(data, "DATA"), shapes_graph, engine=engine)


def validate_endpoint_with_shapes(
    url: str,
    shapes: Iterable[str | PathLike[str]],
    *,
    timeout: float = 300.0,
) -> ValidationReport:
    """Validate the default graph of the SPARQL endpoint at ``url`` against ``shapes``.

    The queries are those of the embedded engine, compiled for plain literals (a remote
    store keeps literals its own way; ill-formed ones are caught by their lexical pattern
    for the common XSD types only) and in the portable form, with the subclasses of each
    class the shapes name looked up on the endpoint first.
    """
    from kratomkg.errors import InputError as _InputError
    from kratomkg.querying.stores import http_opener
    from kratomkg.shacl.compiler import compile_shapes, named_classes
    from kratomkg.shacl.engine import _threads, endpoint_executor, run, subclasses_of

    if not url.startswith(("http://", "https://")):
        raise _InputError(url, "the SPARQL endpoint must be an http:// or https:// URL")
    shapes_graph = _parse_all(shapes, "--shapes")
    execute = endpoint_executor(url, http_opener(url), timeout)
    subclasses = subclasses_of(execute, named_classes(shapes_graph))
    constraints = compile_shapes(shapes_graph, encoded=False, portable=True, subclasses=subclasses)
    return run(execute, constraints, threads=_threads(), shapes=shapes_graph)
