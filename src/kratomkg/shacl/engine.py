"""Run the compiled shapes on an Oxigraph store or a remote SPARQL 1.1 endpoint.

Both runners turn each row into the same :class:`~kratomkg.report.ValidationResult` that the
pySHACL engine produces, so reports, exit codes and tests do not depend on the engine.
"""

from __future__ import annotations

import os
import re
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from rdflib import RDFS, BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.term import Node

from kratomkg.errors import InputError, QueryError
from kratomkg.parse import quiet_rdflib_terms
from kratomkg.report import ValidationReport, ValidationResult, term_text
from kratomkg.shacl.compiler import CompiledConstraint, compile_shapes
from kratomkg.shacl.literals import decode
from kratomkg.shacl.prebinding import substitute

if TYPE_CHECKING:
    from pyoxigraph import Store

__all__ = [
    "ENGINE_NAME",
    "Term",
    "compiled_shapes",
    "endpoint_executor",
    "run",
    "store_executor",
    "validate_compiled",
    "validate_endpoint",
    "validate_store",
]

ENGINE_NAME = "sparql"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@dataclass(frozen=True)
class Term:
    """An RDF term from a result row, whichever engine returned it.

    A literal keeps the datatype the store holds (an as-written literal's private
    datatype included), so it can be written back into a query and match; :meth:`rdflib`
    gives the term as the source wrote it.
    """

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
        datatype = URIRef(decode(self.value, self.datatype))
        return RdfLiteral(self.value, datatype=datatype, normalize=False)

    def sparql(self) -> str:
        """Write the term in SPARQL as the store holds it (not for blank nodes)."""
        if self.kind == "iri":
            return f"<{self.value}>"
        text = '"' + _escape(self.value) + '"'
        if self.language:
            return f"{text}@{self.language}"
        return f"{text}^^<{self.datatype or _XSD_STRING}>"

    def report_text(self) -> str:
        """Write the term as the pySHACL engine's report writes it (IRI, ``_:id``, literal N3)."""
        return term_text(self.rdflib()) or ""


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


Row = Mapping[str, Term]
#: Runs a SELECT (with the given terms pre-bound) and returns its rows, or an ASK's answer.
Executor = Callable[[str, Mapping[str, Term]], "list[Row] | bool"]


@lru_cache(maxsize=1)
def compiled_shapes() -> tuple[CompiledConstraint, ...]:
    """Compile the shipped shapes, once per process."""
    from kratomkg.namespaces import PREFIXES
    from kratomkg.validation import load_shapes

    return compile_shapes(load_shapes(), default_prefixes=PREFIXES)


def compiled_for_endpoint(
    subclasses: Mapping[URIRef, Iterable[Node]] | None = None,
) -> tuple[CompiledConstraint, ...]:
    """Compile the shipped shapes for a remote endpoint: plain literals, portable SPARQL.

    ``subclasses`` is what :func:`subclasses_of` found on that endpoint.
    """
    key = None
    if subclasses is not None:  # rdflib terms hash, so the mapping itself is the cache key
        key = tuple(sorted(((c, tuple(m)) for c, m in subclasses.items()), key=str))
    return _compiled_for_endpoint(key)


@lru_cache(maxsize=4)
def _compiled_for_endpoint(
    key: tuple[tuple[URIRef, tuple[Node, ...]], ...] | None,
) -> tuple[CompiledConstraint, ...]:
    from kratomkg.namespaces import PREFIXES
    from kratomkg.validation import load_shapes

    return compile_shapes(
        load_shapes(),
        encoded=False,
        default_prefixes=PREFIXES,
        portable=True,
        subclasses=None if key is None else dict(key),
    )


def subclasses_of(execute: Executor, classes: Iterable[URIRef]) -> dict[URIRef, tuple[Node, ...]]:
    """Each class with its subclasses in the data (``rdfs:subClassOf*``), itself included.

    Asked once per class at the top of a query, where every SPARQL server walks the
    hierarchy right; the compiled tests then name the classes (see ``portable`` in
    :func:`~kratomkg.shacl.compiler.compile_shapes`).
    """
    found: dict[URIRef, tuple[Node, ...]] = {}
    for cls in classes:
        query = f"SELECT DISTINCT ?sub WHERE {{ ?sub <{RDFS.subClassOf}>* <{cls}> }}"
        members: set[Node] = {cls}
        for row in _rows(execute, query, {}):
            term = row.get("sub")
            if term is not None and term.kind != "literal":
                members.add(term.rdflib())
        found[cls] = tuple(sorted(members, key=lambda n: n.n3()))
    return found


def endpoint_constraints(execute: Executor) -> tuple[CompiledConstraint, ...]:
    """Compile the shipped shapes for the endpoint ``execute`` queries."""
    from kratomkg.shacl.compiler import named_classes
    from kratomkg.validation import load_shapes

    return compiled_for_endpoint(subclasses_of(execute, named_classes(load_shapes())))


_PLACEHOLDER = re.compile(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}")


def _message(template: str, row: Row, constants: Mapping[str, Node]) -> str:
    if "{" not in template:
        return template

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in row:
            return row[name].value
        if name in constants:
            node = constants[name]
            return str(node)
        return match.group(0)

    return _PLACEHOLDER.sub(fill, template)


def _result(constraint: CompiledConstraint, row: Row) -> ValidationResult:
    focus = row["this"]
    value = row.get(constraint.value_column)
    if value is None and constraint.value_is_focus:
        value = focus
    path = row.get("path")
    path_term = path.rdflib() if path is not None else constraint.path
    source_shape = constraint.source_shape
    if source_shape is None:  # a constraint compiled without its terms: read its name
        name = constraint.shape
        source_shape = BNode(name[2:]) if name.startswith("_:") else URIRef(name)
    return ValidationResult.from_terms(
        severity=constraint.severity,
        focus=focus.rdflib(),
        path=path_term,
        value=value.rdflib() if value is not None else None,
        message=_message(constraint.message, row, dict(constraint.constants)),
        source_shape=source_shape,
        component=URIRef(constraint.component),
        source_constraint=constraint.source_constraint,
        severity_term=constraint.severity_term,
    )


def _rows(execute: Executor, query: str, bindings: Mapping[str, Term]) -> list[Row]:
    answer = execute(query, bindings)
    if isinstance(answer, bool):  # pragma: no cover - the compiler makes SELECTs here
        raise QueryError("a compiled constraint is not a SELECT query")
    return answer


def _results_of(execute: Executor, constraint: CompiledConstraint) -> list[Row]:
    """Run a per-focus constraint's query for each focus row; return the violation rows."""
    if constraint.focus_query is None:  # pragma: no cover - callers check
        raise QueryError("not a per-focus constraint")
    rows: list[Row] = []
    constants = {name: _node_term(node) for name, node in constraint.constants}
    for focus in _rows(execute, constraint.focus_query, {}):
        bindings = {**constants, **{k: v for k, v in focus.items() if k in ("this", "value")}}
        answer = execute(constraint.query, bindings)
        if constraint.ask:
            if answer is False:
                rows.append(focus)
            continue
        if isinstance(answer, bool):  # pragma: no cover - the compiler makes SELECTs here
            raise QueryError("a per-focus SELECT constraint answered like an ASK")
        for row in answer:
            rows.append({**row, "this": focus["this"]})
    return rows


def _node_term(node: Node) -> Term:
    if isinstance(node, URIRef):
        return Term("iri", str(node))
    if isinstance(node, BNode):
        return Term("bnode", str(node))
    literal = RdfLiteral(node)
    return Term("literal", str(literal), str(literal.datatype or _XSD_STRING), literal.language)


def _threads() -> int:
    return max(1, min(4, os.cpu_count() or 1))


@quiet_rdflib_terms()
def run(
    execute: Executor,
    constraints: Iterable[CompiledConstraint] | None = None,
    *,
    threads: int = 1,
    shapes: Graph | None = None,
) -> ValidationReport:
    """Run every compiled constraint through ``execute`` and collect the report.

    Constraints that share a query run it once. With ``threads`` > 1 the queries run in
    parallel: Oxigraph releases the GIL while it evaluates one, so two cores do twice the
    work; the report is sorted, so it does not depend on the order they finish in.
    """
    chosen = list(compiled_shapes() if constraints is None else constraints)
    jobs: dict[tuple[str, str | None], CompiledConstraint] = {}
    for constraint in chosen:
        key = (constraint.query, constraint.focus_query)
        if constraint.focus_query is not None:
            key = (constraint.query, f"{constraint.focus_query}#{constraint.constants}")
        jobs.setdefault(key, constraint)

    def work(constraint: CompiledConstraint) -> list[Row]:
        if constraint.focus_query is not None:
            return _results_of(execute, constraint)
        return _rows(execute, constraint.query, {})

    if threads > 1 and len(jobs) > 1:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            answers = dict(zip(jobs, pool.map(work, jobs.values()), strict=True))
    else:
        answers = {key: work(c) for key, c in jobs.items()}
    results: list[ValidationResult] = []
    for constraint in chosen:
        key = (constraint.query, constraint.focus_query)
        if constraint.focus_query is not None:
            key = (constraint.query, f"{constraint.focus_query}#{constraint.constants}")
        for row in answers[key]:
            if "this" not in row:
                continue
            if constraint.flag is not None:
                flag = row.get(constraint.flag)
                if flag is None or flag.value not in ("true", "1"):
                    continue
            results.append(_result(constraint, row))
    return ValidationReport.from_results(results, engine=ENGINE_NAME, shapes=shapes)


def _oxigraph_term(term: Any) -> Term:
    from pyoxigraph import BlankNode, NamedNode

    if isinstance(term, NamedNode):
        return Term("iri", term.value)
    if isinstance(term, BlankNode):
        return Term("bnode", term.value)
    return Term("literal", term.value, term.datatype.value, term.language)


def store_executor(store: Store) -> Executor:
    """Run queries on ``store``: pre-bound terms written into the text, blank nodes bound.

    A blank node cannot be written into a query (it would be a new variable), so it is
    named by a variable that Oxigraph's ``substitutions`` binds; every other term is
    substituted as text, which SHACL defines pre-binding to be.
    """
    import pyoxigraph as ox

    def execute(query: str, bindings: Mapping[str, Term]) -> list[Row] | bool:
        substitutions: dict[Any, Any] = {}
        if bindings:
            written: dict[str, str] = {}
            for name, term in bindings.items():
                if term.kind == "bnode":
                    variable = f"prebound_{name}_"
                    written[name] = f"?{variable}"
                    substitutions[ox.Variable(variable)] = ox.BlankNode(term.value)
                else:
                    written[name] = term.sparql()
            query = substitute(query, written)
        try:
            solutions = store.query(
                query, use_default_graph_as_union=True, substitutions=substitutions or None
            )
        except (SyntaxError, OSError, ValueError) as exc:
            raise QueryError(f"a compiled constraint failed on the store: {exc}") from None
        if isinstance(solutions, ox.QueryBoolean):
            return bool(solutions)
        if not isinstance(solutions, ox.QuerySolutions):  # pragma: no cover - by build
            raise QueryError("a compiled constraint is not a SELECT or ASK query")
        names = [v.value for v in solutions.variables]
        rows: list[Row] = []
        for solution in solutions:
            row: dict[str, Term] = {}
            for name in names:
                term = solution[name]
                if term is not None:
                    row[name] = _oxigraph_term(term)
            rows.append(row)
        return rows

    return execute


def validate_store(store: Store, *, threads: int | None = None) -> ValidationReport:
    """Validate the union of every graph in the Oxigraph ``store`` against the shapes.

    The store must already hold the ontology and the derived triples
    (see :func:`kratomkg.store_loading.load_store`).
    """
    return run(store_executor(store), threads=_threads() if threads is None else threads)


def validate_compiled(
    store: Store,
    constraints: Iterable[CompiledConstraint],
    *,
    shapes: Graph | None = None,
    threads: int | None = None,
) -> ValidationReport:
    """Validate ``store`` against already compiled constraints (any shapes, not kratomkg's)."""
    return run(
        store_executor(store),
        constraints,
        threads=_threads() if threads is None else threads,
        shapes=shapes,
    )


def _json_term(binding: Mapping[str, str]) -> Term:
    kind = binding["type"]
    if kind == "uri":
        return Term("iri", binding["value"])
    if kind == "bnode":
        return Term("bnode", binding["value"])
    language = binding.get("xml:lang")
    datatype = binding.get("datatype", _LANG_STRING if language else _XSD_STRING)
    return Term("literal", binding["value"], datatype, language)


def validate_endpoint(
    url: str, *, timeout: float = 300.0, threads: int | None = None
) -> ValidationReport:
    """Validate the default graph of the SPARQL 1.1 endpoint at ``url`` against the shapes.

    The queries are sent as they run locally (SPARQL 1.1 protocol, POST, JSON results). The
    endpoint's default graph must hold the data with the ontology and the derived triples,
    as ``kratomkg build`` writes them (``dist/kratomkg.nt``).
    """
    if not url.startswith(("http://", "https://")):
        raise InputError(url, "the SPARQL endpoint must be an http:// or https:// URL")

    from kratomkg.querying.stores import http_opener

    if threads is None:
        threads = _threads()

    opener = http_opener(url)
    _require_kratomkg_data(url, opener, timeout)
    execute = endpoint_executor(url, opener, timeout)
    return run(execute, endpoint_constraints(execute), threads=threads)


def _form(query: str) -> bytes:
    """Encode a query as an HTML form, the POST every SPARQL 1.1 server reads.

    A direct POST (``application/sparql-query``) is in the protocol too, but Virtuoso 7.2
    never answers one.
    """
    return urllib.parse.urlencode({"query": query}).encode("ascii")


def endpoint_executor(url: str, opener: Any, timeout: float) -> Executor:
    """Run queries on a SPARQL 1.1 endpoint (POST, JSON results), pre-bound terms as text."""
    from kratomkg.querying.stores import http_call, read_sparql_json

    def execute(query: str, bindings: Mapping[str, Term]) -> list[Row] | bool:
        if bindings:
            if any(t.kind == "bnode" for t in bindings.values()):
                raise QueryError(
                    f"endpoint {url}: a SPARQL constraint must run per focus node, and a blank"
                    " node focus cannot be named in a query sent to a remote endpoint"
                )
            query = substitute(query, {n: t.sparql() for n, t in bindings.items()})
        request = urllib.request.Request(  # noqa: S310 - scheme checked by the caller
            url,
            data=_form(query),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/sparql-results+json",
            },
            method="POST",
        )
        _status, _type, body = http_call(opener, request, timeout, f"endpoint {url}")
        boolean, _variables, bindings_ = read_sparql_json(body, url)
        if boolean is not None:
            return bool(boolean)
        return [{name: _json_term(term) for name, term in b.items()} for b in bindings_]

    return execute


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
        data=_form(_HOLDS_KRATOMKG),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
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
