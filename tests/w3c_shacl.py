"""Read the W3C SHACL test suite and compare a validation report with the one it expects.

The suite's manifests name, for each case, a data graph, a shapes graph and either the
expected ``sh:ValidationReport`` or ``sht:Failure`` (a processor must refuse the shapes).
Most cases keep data, shapes and expected report in one file, so that file is parsed once
and the same :class:`~rdflib.Graph` serves as all three: a blank node the expected report
names is then the very term the engine sees in the data.

Reports are compared as the suite asks, minus messages and source shapes: ``sh:conforms``,
and the multiset of results keyed by focus node, path, value, constraint component and
severity. A blank node that is not the input's own term (a complex ``sh:resultPath`` the
report copies, say) is matched by the shape of what hangs off it, not by its label.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Final
from typing import Literal as TypingLiteral
from urllib.parse import unquote, urlsplit

import rdflib
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from kratomkg.parse import quiet_rdflib_terms
from kratomkg.report import ValidationReport

__all__ = [
    "ENV_VAR",
    "FAILURE",
    "Case",
    "ExpectedReport",
    "ResultTerms",
    "find_suite",
    "load_cases",
    "read_case_list",
    "report_differences",
    "validate_entry_ids",
]

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")

#: Points at a copy of the suite (its ``tests/`` folder, or the folder holding it).
ENV_VAR: Final = "KRATOMKG_W3C_SHACL_TESTS"
_VENDORED = Path(__file__).resolve().parent / "data" / "w3c-shacl"
_SHARED = Path(__file__).resolve().parents[2] / "shared" / "w3c-shacl-tests"

#: The expectation of a case whose shapes a processor must refuse (``mf:result sht:Failure``).
FAILURE: Final = "failure"


@dataclass(frozen=True)
class ResultTerms:
    """The parts of one validation result that the comparison looks at."""

    focus: Node | None
    path: Node | None
    value: Node | None
    component: Node | None
    severity: Node | None


_PREDICATES: Final = {
    "focus": SH.focusNode,
    "path": SH.resultPath,
    "value": SH.value,
    "component": SH.sourceConstraintComponent,
    "severity": SH.resultSeverity,
}


@dataclass(frozen=True)
class ExpectedReport:
    """The report a case expects; ``graph`` holds the blank-node structures it names."""

    conforms: bool
    results: tuple[ResultTerms, ...]
    graph: Graph


@dataclass(frozen=True)
class Case:
    """One ``sht:Validate`` entry: what to validate against what, and what must come out."""

    id: str
    label: str
    status: str
    data_file: Path
    shapes_file: Path
    data: Graph
    shapes: Graph
    expected: ExpectedReport | TypingLiteral["failure"]

    def inputs(self) -> tuple[Graph, Graph]:
        """Give copies of the data and shapes graphs for one run: one graph when one file.

        pySHACL adds triples to the shapes graph it is given (``owl:Class rdfs:subClassOf
        rdfs:Class``), and a test file is data, shapes and expected report at once: each
        run gets its own copy so that no run sees another's additions. A copy holds the
        very terms of the parsed file, blank nodes included, and its prefix bindings.
        """
        data = _copy(self.data)
        return (data, data) if self.shapes is self.data else (data, _copy(self.shapes))


def _copy(graph: Graph) -> Graph:
    copy = Graph()
    for prefix, namespace in graph.namespaces():
        copy.bind(prefix, namespace, override=True, replace=True)
    copy += graph
    return copy


def _suite_folder(folder: Path) -> Path | None:
    """Accept either the suite's ``tests/`` folder or the folder that holds it."""
    for candidate in (folder, folder / "tests"):
        if (candidate / "manifest.ttl").is_file():
            return candidate
    return None


def find_suite() -> Path | None:
    """Find the suite's ``tests/`` folder: the variable's copy, the vendored one, the shared one.

    A variable that names no suite is an error rather than a reason to fall back, so a
    mistyped path never runs some other copy instead.
    """
    configured = os.environ.get(ENV_VAR)
    if configured:
        found = _suite_folder(Path(configured))
        if found is None:
            raise FileNotFoundError(f"{ENV_VAR}={configured} holds no manifest.ttl")
        return found
    for folder in (_VENDORED, _SHARED):
        found = _suite_folder(folder)
        if found is not None:
            return found
    return None


@contextmanager
def _as_written() -> Iterator[None]:
    """Parse literals exactly as the files write them, quietly.

    rdflib rewrites ``"1"^^xsd:boolean`` as ``"true"`` by default, and a case exists to
    show that ``sh:uniqueLang "1"^^xsd:boolean`` does not switch the constraint on: the
    engines must see the term the file holds. Some cases hold ill-typed literals on
    purpose (``"none"^^xsd:boolean``), and rdflib's complaints about them are noise here.
    """
    before = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        with quiet_rdflib_terms(), warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=UserWarning, module="rdflib.term")
            yield
    finally:
        rdflib.NORMALIZE_LITERALS = before


class _Files:
    """Parse each file of the suite once, whatever number of cases and manifests name it."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._graphs: dict[Path, Graph] = {}

    def graph(self, path: Path) -> Graph:
        if path not in self._graphs:
            graph = Graph()
            with _as_written():
                graph.parse(path, format="turtle", publicID=path.as_uri())
            self._graphs[path] = graph
        return self._graphs[path]

    def path_of(self, iri: Node) -> Path:
        if not isinstance(iri, URIRef) or not iri.startswith("file:"):
            raise ValueError(f"{iri!r} does not name a file of the suite")
        path = Path(unquote(urlsplit(str(iri)).path)).resolve()
        if not path.is_relative_to(self.root):
            raise ValueError(f"{iri} lies outside the suite folder {self.root}")
        return path

    def case_id(self, iri: Node) -> str:
        return self.path_of(iri).relative_to(self.root).as_posix()


def _single(graph: Graph, subject: Node, predicate: URIRef) -> Node | None:
    values = list(graph.objects(subject, predicate))
    if len(values) > 1:
        raise ValueError(f"{subject.n3()} has {len(values)} values for {predicate.n3()}")
    return values[0] if values else None


def _result_terms(graph: Graph, node: Node) -> ResultTerms:
    return ResultTerms(**{name: _single(graph, node, p) for name, p in _PREDICATES.items()})


def _expected(
    files: _Files, graph: Graph, entry: Node
) -> ExpectedReport | TypingLiteral["failure"]:
    result = _single(graph, entry, MF.result)
    if result == SHT.Failure:
        return FAILURE
    if result is None or (result, RDF.type, SH.ValidationReport) not in graph:
        raise ValueError(f"{files.case_id(entry)}: mf:result is neither a report nor sht:Failure")
    conforms = _single(graph, result, SH.conforms)
    if not isinstance(conforms, Literal) or conforms.datatype != XSD.boolean:
        raise ValueError(f"{files.case_id(entry)}: sh:conforms is not an xsd:boolean")
    results = tuple(_result_terms(graph, r) for r in graph.objects(result, SH.result))
    return ExpectedReport(conforms=bool(conforms.toPython()), results=results, graph=graph)


def _case(files: _Files, graph: Graph, entry: Node) -> Case:
    case_id = files.case_id(entry)
    if (entry, RDF.type, SHT.Validate) not in graph:
        raise ValueError(f"{case_id}: not an sht:Validate entry (no other kind is known)")
    action = _single(graph, entry, MF.action)
    data_iri = _single(graph, action, SHT.dataGraph) if action is not None else None
    shapes_iri = _single(graph, action, SHT.shapesGraph) if action is not None else None
    if data_iri is None or shapes_iri is None:
        raise ValueError(f"{case_id}: mf:action names no data graph or no shapes graph")
    data_file, shapes_file = files.path_of(data_iri), files.path_of(shapes_iri)
    label = _single(graph, entry, RDFS.label) or _single(graph, entry, MF.name) or case_id
    status = _single(graph, entry, MF.status)
    return Case(
        id=case_id,
        label=str(label),
        status=str(status).removeprefix(str(SHT)) if status is not None else "",
        data_file=data_file,
        shapes_file=shapes_file,
        data=files.graph(data_file),
        shapes=files.graph(shapes_file),
        expected=_expected(files, graph, entry),
    )


def load_cases(root: Path) -> list[Case]:
    """Read ``root/manifest.ttl`` and every manifest it includes into cases, sorted by id."""
    files = _Files(root)
    cases: dict[str, Case] = {}
    todo, seen = [files.root / "manifest.ttl"], set()
    while todo:
        manifest = todo.pop()
        if manifest in seen:
            continue
        seen.add(manifest)
        graph = files.graph(manifest)
        for node in graph.subjects(RDF.type, MF.Manifest):
            todo.extend(files.path_of(i) for i in graph.objects(node, MF.include))
            for entries in graph.objects(node, MF.entries):
                for entry in Collection(graph, entries):
                    case = _case(files, graph, entry)
                    if case.id in cases:
                        raise ValueError(f"{case.id}: listed twice")
                    cases[case.id] = case
    return [cases[key] for key in sorted(cases)]


def validate_entry_ids(root: Path) -> set[str]:
    """Give the id of every ``sht:Validate`` entry in any Turtle file, reached or not.

    An independent census: an entry no manifest includes (or one the reader failed to
    follow) shows as a difference from the ids :func:`load_cases` gives.
    """
    files = _Files(root)
    return {
        files.case_id(entry)
        for path in sorted(files.root.rglob("*.ttl"))
        for entry in files.graph(path).subjects(RDF.type, SHT.Validate)
    }


def read_case_list(path: Path) -> dict[str, str]:
    """Read a list of case ids, one a line, each optionally followed by its reason.

    ``#`` starts a comment line; text after the id (a leading ``#`` dropped) is the reason.
    """
    listed: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        case_id, _, reason = line.partition(" ")
        if case_id in listed:
            raise ValueError(f"{path.name}:{number}: {case_id} is listed twice")
        listed[case_id] = reason.strip().removeprefix("#").strip()
    return listed


# -- comparison ------------------------------------------------------------------------------


def _holder(node: BNode, holders: Sequence[Graph]) -> Graph | None:
    """The first graph in which ``node`` has triples of its own."""
    return next((g for g in holders if (node, None, None) in g), None)


def _shape_of(node: Node, graph: Graph | None, open_nodes: frozenset[Node] = frozenset()) -> object:
    """Unfold the triples reachable from ``node`` through blank nodes into a nested value.

    Labels vanish and a blank node reached twice counts as two copies: a path is a value,
    and ``( _:p _:p )`` with ``_:p sh:inversePath ex:p`` is the same path as the suite's
    ``( [ sh:inversePath ex:p ] [ sh:inversePath ex:p ] )``.
    """
    if not isinstance(node, BNode):
        return _term_key(node)
    if node in open_nodes:  # a cycle: no path is one, but it must not loop forever
        return ("cycle",)
    if graph is None:
        return ("blank", ())
    inner = open_nodes | {node}
    return (
        "blank",
        tuple(
            sorted(
                (repr(_term_key(p)), repr(_shape_of(o, graph, inner)))
                for p, o in graph.predicate_objects(node)
            )
        ),
    )


def _term_key(term: Node) -> object:
    """Key a term for comparison; a literal as an RDF term (lexical form, datatype, language).

    Comparing by value would let ``"1"^^xsd:int`` pass for ``"1"^^xsd:integer``.
    """
    if isinstance(term, Literal):
        return ("literal", str(term), term.datatype, term.language)
    return (type(term).__name__, str(term))


class _Terms:
    """Compare a term of the expected report with one of the actual report."""

    def __init__(self, expected: Sequence[Graph], actual: Sequence[Graph]) -> None:
        self.expected = expected
        self.actual = actual

    def same(self, want: Node | None, got: Node | None) -> bool:
        if want is None or got is None:
            return want is None and got is None
        if isinstance(want, BNode) and isinstance(got, BNode):
            if want == got:  # the input's own blank node, named by both reports
                return True
            return _shape_of(want, _holder(want, self.expected)) == _shape_of(
                got, _holder(got, self.actual)
            )
        return _term_key(want) == _term_key(got)

    def same_result(self, want: ResultTerms, got: ResultTerms) -> bool:
        return all(
            self.same(getattr(want, f.name), getattr(got, f.name)) for f in fields(ResultTerms)
        )

    def show(self, result: ResultTerms, holders: Sequence[Graph]) -> str:
        parts = []
        for f in fields(ResultTerms):
            term = getattr(result, f.name)
            if term is None:
                continue
            text = term.n3()
            if isinstance(term, BNode):
                text += " " + _turtle(term, _holder(term, holders))
            parts.append(f"{f.name}={text}")
        return ", ".join(parts)


def _turtle(node: Node, graph: Graph | None, depth: int = 0) -> str:
    """Write a blank node's structure inline (``[ sh:inversePath <p> ]``) for messages."""
    if not isinstance(node, BNode):
        return node.n3()
    if graph is None or depth > 8:
        return "[]"
    inner = "; ".join(
        f"{p.n3()} {_turtle(o, graph, depth + 1)}" for p, o in sorted(graph.predicate_objects(node))
    )
    return f"[ {inner} ]"


def _pair(
    wanted: Sequence[ResultTerms],
    got: Sequence[ResultTerms],
    same: Callable[[ResultTerms, ResultTerms], bool],
) -> tuple[list[int], list[int]]:
    """Match results one to one (a maximum bipartite matching); give the unmatched of each."""
    options = [[j for j, g in enumerate(got) if same(w, g)] for w in wanted]
    owner: dict[int, int] = {}

    def place(i: int, tried: set[int]) -> bool:
        for j in options[i]:
            if j in tried:
                continue
            tried.add(j)
            if j not in owner or place(owner[j], tried):
                owner[j] = i
                return True
        return False

    for i in range(len(wanted)):
        place(i, set())
    matched = set(owner.values())
    return [i for i in range(len(wanted)) if i not in matched], [
        j for j in range(len(got)) if j not in owner
    ]


def _actual_results(graph: Graph) -> tuple[bool | None, list[ResultTerms]]:
    reports = list(graph.subjects(RDF.type, SH.ValidationReport))
    if len(reports) != 1:
        raise ValueError(f"the report graph holds {len(reports)} sh:ValidationReport nodes")
    conforms = _single(graph, reports[0], SH.conforms)
    verdict = bool(conforms.toPython()) if isinstance(conforms, Literal) else None
    return verdict, [_result_terms(graph, r) for r in graph.objects(reports[0], SH.result)]


def report_differences(
    expected: ExpectedReport,
    report: ValidationReport,
    *,
    data: Graph,
    shapes: Graph,
) -> list[str]:
    """List how ``report`` differs from ``expected`` (empty when they agree).

    The actual results are read from ``report.to_graph()``, the W3C form of the report; a
    blank node of theirs is described there first, then in the data, then in the shapes.
    """
    differences: list[str] = []
    if report.shacl_conforms != expected.conforms:
        differences.append(f"sh:conforms is {report.shacl_conforms}, expected {expected.conforms}")
    graph = report.to_graph()
    written, results = _actual_results(graph)
    if written != report.shacl_conforms:
        differences.append(
            f"to_graph() writes sh:conforms {written}, the report says {report.shacl_conforms}"
        )
    actual_holders = [graph, data, shapes]
    terms = _Terms([expected.graph], actual_holders)
    missing, extra = _pair(expected.results, results, terms.same_result)
    differences.extend(
        f"missing: {terms.show(expected.results[i], [expected.graph])}" for i in missing
    )
    differences.extend(f"unexpected: {terms.show(results[j], actual_holders)}" for j in extra)
    return differences
