"""SHACL validation as SPARQL: the shapes compiled to queries that return their violations.

pySHACL walks the shapes in Python, node by node; at a million triples that takes minutes.
Here each constraint of the shipped shapes becomes one SPARQL SELECT whose rows are the
violations, so the whole validation runs inside a SPARQL engine: an in-memory Oxigraph store
(:func:`validate_store`) or any SPARQL 1.1 endpoint (:func:`validate_endpoint`), where a graph
too big for one machine already lives. The compiler accepts only the SHACL features it
translates faithfully and refuses any other, so no constraint is ever skipped in silence.
"""

from __future__ import annotations

from kratomkg.shacl.compiler import CompiledConstraint, UnsupportedShapeError, compile_shapes
from kratomkg.shacl.engine import ENGINE_NAME, validate_endpoint, validate_store

__all__ = [
    "ENGINE_NAME",
    "CompiledConstraint",
    "UnsupportedShapeError",
    "compile_shapes",
    "validate_endpoint",
    "validate_store",
]
