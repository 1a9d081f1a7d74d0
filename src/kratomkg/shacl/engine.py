"""Run the compiled shapes on an Oxigraph store or a remote SPARQL 1.1 endpoint.

Both runners turn each row into the same :class:`~kratomkg.report.ValidationResult` that the
pySHACL engine produces, so reports, exit codes and tests do not depend on the engine.
"""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from rdflib import BNode, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.term import Node

from kratomkg.errors import InputError, QueryError
from kratomkg.parse import quiet_rdflib_terms
from kratomkg.report import ValidationReport, ValidationResult, term_text
from kratomkg.shacl.compiler import CompiledConstraint, compile_shapes

if TYPE_CHECKING:
    from pyoxigraph import Store

__all__ = ["ENGINE_NAME", "Term", "compiled_shapes", "run", "validate_endpoint", "validate_store"]

ENGINE_NAME = "sparql"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@dataclass(frozen=True)
class Term:
    """An RDF term from a result row, whichever engine returned it."""

    kind: str  # "iri", "bnode" or "literal"
    value: str
    datatype: str | None = None
    language: str | None = None

    def rdflib(self) -> Node:
        """Return the rdflib term, as the pySHACL engine's report holds it.

        A simple literal has no datatype in rdflib (the parser leaves ``xsd:string``
        implicit), so an ``xsd:string`` from the store becomes one without.
        """
        if self.kind == "iri":
            return URIRef(self.value)
        if self.kind == "bnode":
            return BNode(self.value)
        if self.language:
            return RdfLiteral(self.value, lang=self.language)
        if self.datatype in (None, _XSD_STRING):
            return RdfLiteral(self.value)
        return RdfLiteral(self.value, datatype=URIRef(self.datatype))

    def report_text(self) -> str:
        """Write the term as the pySHACL engine's report writes it (IRI, ``_:id``, literal N3)."""
        return term_text(self.rdflib()) or ""


Row = Mapping[str, Term]
Executor = Callable[[CompiledConstraint], Iterable[Row]]


@lru_cache(maxsize=1)
def compiled_shapes() -> tuple[CompiledConstraint, ...]:
    """Compile the shipped shapes, once per process."""
    from kratomkg.validation import load_shapes

    return compile_shapes(load_shapes())


def _message(template: str, row: Row) -> str:
    if "{" not in template:
        return template
    for name, term in row.items():
        if name.endswith("_"):
            continue
        placeholder = re.compile(r"\{[?$]" + re.escape(name) + r"\}")
        template = placeholder.sub(term.value.replace("\\", "\\\\"), template)
    return template


def _result(constraint: CompiledConstraint, row: Row) -> ValidationResult:
    focus = row["this"]
    value = row.get("value")
    if value is None and constraint.value_is_focus:
        value = focus
    path = row.get("path")
    path_term = path.rdflib() if path is not None else None
    if path_term is None and constraint.path is not None:
        path_term = URIRef(constraint.path)
    source_shape = constraint.source_shape
    if source_shape is None:  # a constraint compiled without its terms: read its name
        name = constraint.shape
        source_shape = BNode(name[2:]) if name.startswith("_:") else URIRef(name)
    return ValidationResult.from_terms(
        severity=constraint.severity,
        focus=focus.rdflib(),
        path=path_term,
        value=value.rdflib() if value is not None else None,
        message=_message(constraint.message, row),
        source_shape=source_shape,
        component=URIRef(constraint.component),
        source_constraint=constraint.source_constraint,
    )


@quiet_rdflib_terms()
def run(
    execute: Executor, constraints: Iterable[CompiledConstraint] | None = None
) -> ValidationReport:
    """Run every compiled constraint through ``execute`` and collect the report."""
    results: list[ValidationResult] = []
    rows_by_query: dict[str, list[Row]] = {}
    for constraint in compiled_shapes() if constraints is None else constraints:
        if constraint.query not in rows_by_query:  # constraints of one shape share a query
            rows_by_query[constraint.query] = list(execute(constraint))
        for row in rows_by_query[constraint.query]:
            if "this" not in row:
                continue
            if constraint.flag is not None:
                flag = row.get(constraint.flag)
                if flag is None or flag.value not in ("true", "1"):
                    continue
            results.append(_result(constraint, row))
    return ValidationReport.from_results(results, engine=ENGINE_NAME)


def _oxigraph_term(term: Any) -> Term:
    from pyoxigraph import BlankNode, NamedNode

    if isinstance(term, NamedNode):
        return Term("iri", term.value)
    if isinstance(term, BlankNode):
        return Term("bnode", term.value)
    return Term("literal", term.value, term.datatype.value, term.language)


def validate_store(store: Store) -> ValidationReport:
    """Validate the union of every graph in the Oxigraph ``store`` against the shapes.

    The store must already hold the ontology and the derived triples
    (see :func:`kratomkg.store_loading.load_store`).
    """
    from pyoxigraph import QuerySolutions

    def execute(constraint: CompiledConstraint) -> Iterator[dict[str, Term]]:
        try:
            solutions = store.query(constraint.query, use_default_graph_as_union=True)
        except (SyntaxError, OSError, ValueError) as exc:
            raise QueryError(f"constraint {constraint.shape} failed on the store: {exc}") from None
        if not isinstance(solutions, QuerySolutions):  # pragma: no cover - SELECT by build
            raise QueryError(f"constraint {constraint.shape} is not a SELECT query")
        names = [v.value for v in solutions.variables]
        for solution in solutions:
            row: dict[str, Term] = {}
            for name in names:
                term = solution[name]
                if term is not None:
                    row[name] = _oxigraph_term(term)
            yield row

    return run(execute)


def _json_term(binding: Mapping[str, str]) -> Term:
    kind = binding["type"]
    if kind == "uri":
        return Term("iri", binding["value"])
    if kind == "bnode":
        return Term("bnode", binding["value"])
    language = binding.get("xml:lang")
    datatype = binding.get("datatype", _LANG_STRING if language else _XSD_STRING)
    return Term("literal", binding["value"], datatype, language)


def validate_endpoint(url: str, *, timeout: float = 300.0) -> ValidationReport:
    """Validate the default graph of the SPARQL 1.1 endpoint at ``url`` against the shapes.

    The queries are sent as they run locally (SPARQL 1.1 protocol, POST, JSON results). The
    endpoint's default graph must hold the data with the ontology and the derived triples,
    as ``kratomkg build`` writes them (``dist/kratomkg.nt``).
    """
    if not url.startswith(("http://", "https://")):
        raise InputError(url, "the SPARQL endpoint must be an http:// or https:// URL")

    from kratomkg.querying.stores import http_call, http_opener, read_sparql_json

    opener = http_opener(url)

    def execute(constraint: CompiledConstraint) -> list[dict[str, Term]]:
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            url,
            data=constraint.query.encode("utf-8"),
            headers={
                "Content-Type": "application/sparql-query; charset=utf-8",
                "Accept": "application/sparql-results+json",
            },
            method="POST",
        )
        what = f"endpoint {url}, constraint {constraint.shape}"
        _status, _type, body = http_call(opener, request, timeout, what)
        _boolean, _variables, bindings = read_sparql_json(body, url)
        return [{name: _json_term(term) for name, term in b.items()} for b in bindings]

    _require_kratomkg_data(url, opener, timeout)
    return run(execute)


#: The ontology header every kratomkg release carries in its default graph.
_HOLDS_KRATOMKG = (
    "ASK { <https://w3id.org/kratomkg/ontology> "
    "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/2002/07/owl#Ontology> }"
)


def _require_kratomkg_data(url: str, opener: Any, timeout: float) -> None:
    """Refuse to validate an endpoint whose default graph holds no kratomkg release.

    Against an empty default graph every constraint finds nothing, which would read as
    "conforms". The usual cause: data pushed into named graphs of a server that does not
    show them in its default graph (Oxigraph without --union-default-graph).
    """
    from kratomkg.querying.stores import http_call, read_sparql_json

    request = urllib.request.Request(  # noqa: S310 - scheme checked by the caller
        url,
        data=_HOLDS_KRATOMKG.encode("utf-8"),
        headers={
            "Content-Type": "application/sparql-query; charset=utf-8",
            "Accept": "application/sparql-results+json",
        },
        method="POST",
    )
    _status, _type, body = http_call(opener, request, timeout, f"endpoint {url}")
    holds, _variables, _bindings = read_sparql_json(body, url)
    if holds is not True:
        raise InputError(
            url,
            "the endpoint's default graph holds no kratomkg release (no ontology header), so"
            " there is nothing to validate; load dist/kratomkg.nt into its default graph, or"
            " after `kratomkg push` start Oxigraph with `serve --union-default-graph`",
        )
