"""Named queries and endpoint validation on two real servers: Virtuoso 7 and Oxigraph.

Each server holds every case in a named graph of its own, and the URL the client is given
names that graph as the dataset's default graph (``default-graph-uri``), so one server
answers for the shipped release and for each invalid fixture. The shipped case is the
``kratomkg.nt`` that ``kratomkg build`` writes; a fixture is loaded with the ontology and
the derived triples, as a release holds them. The reference is the embedded SPARQL engine
(``validate_store`` on ``load_store``), compared on (focus, path, component, severity).
"""

from __future__ import annotations

import csv
import io
import json
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, URIRef

import kratomkg
from kratomkg import build, load
from kratomkg.cli import cli
from kratomkg.derivation import derive
from kratomkg.loading import union_graph
from kratomkg.querying.engine import load_for_query
from kratomkg.querying.named import named_queries, named_query
from kratomkg.querying.stores import MemoryStore
from kratomkg.report import ValidationReport
from kratomkg.shacl import validate_endpoint, validate_store
from kratomkg.shacl.engine import (
    Executor,
    endpoint_constraints,
    run,
    store_executor,
)
from kratomkg.store_loading import load_store

from .conftest import DATA, MINIMAL
from .query_support import answer, oxigraph_server
from .test_query import write_previous_release
from .virtuoso import FormExecutor, Virtuoso, virtuoso_server

FIXTURES = [
    DATA / "invalid" / "claim-hand-typed-rating.ttl",
    DATA / "invalid" / "claim-no-risk.ttl",
    DATA / "invalid" / "source-no-identifier.ttl",
    DATA / "invalid" / "evidence-bad-sample-size.ttl",
    DATA / "invalid" / "compound-found-in-compound.ttl",
]
CASES = ["shipped", *(f.stem for f in FIXTURES)]
CASE_GRAPH = "urn:kratomkg:test:case:"
#: Long enough for any query on these small graphs; short enough that a server that never
#: answers fails the test in seconds, not in the default five minutes.
TIMEOUT = 10.0

Key = set[tuple[str, str | None, str, str]]


def key(report: ValidationReport) -> Key:
    return {(r.focus_node, r.path, r.constraint, r.severity) for r in report.results}


def graph_names(dataset: Dataset) -> list[str]:
    """The non-empty named graphs, as ``kratomkg push`` would send them."""
    return sorted(
        str(g.identifier)
        for g in dataset.graphs()
        if isinstance(g.identifier, URIRef)
        and len(g)
        and not str(g.identifier).startswith("urn:x-rdflib:")
    )


# --- the data ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each case as the N-Triples file a server loads: the built release, each fixture."""
    folder = tmp_path_factory.mktemp("cases")
    release = folder / "dist"
    build(release)
    files = {"shipped": release / "kratomkg.nt"}
    for fixture in FIXTURES:
        dataset = load([MINIMAL, fixture])
        derive(dataset)
        path = folder / f"{fixture.stem}.nt"
        union_graph(dataset).serialize(path, format="nt", encoding="utf-8")
        files[fixture.stem] = path
    return files


@pytest.fixture(scope="module")
def embedded() -> dict[str, ValidationReport]:
    """The reference: the embedded SPARQL engine on each case."""
    reports = {"shipped": validate_store(load_store())}
    for fixture in FIXTURES:
        reports[fixture.stem] = validate_store(load_store([MINIMAL, fixture]))
    return reports


@pytest.fixture(scope="module")
def current() -> Dataset:
    return load_for_query()


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    """The shipped graph with a previous release in the 'previous' graph."""
    folder = tmp_path_factory.mktemp("previous")
    write_previous_release(load_for_query(), folder / "previous.nt")
    return load_for_query(compare=folder / "previous.nt")


# --- the servers -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def virtuoso(
    tmp_path_factory: pytest.TempPathFactory, cases: dict[str, Path], compared: Dataset
) -> Iterator[Virtuoso]:
    """One Virtuoso with every case in its own graph and the query dataset's named graphs."""
    folder = tmp_path_factory.mktemp("virtuoso")
    with virtuoso_server(folder / "db") as server:
        for name, path in cases.items():
            server.load(path, CASE_GRAPH + name)
        for graph in graph_names(compared):
            path = folder / "graph.nt"
            compared.graph(URIRef(graph)).serialize(path, format="nt", encoding="utf-8")
            server.load(path, graph)
            assert server.count(graph) == len(compared.graph(URIRef(graph))), graph
        yield server


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory, cases: dict[str, Path]) -> Iterator[str]:
    """An Oxigraph server with every case in its own graph (Graph Store Protocol PUT)."""
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph") / "store") as base:
        for name, path in cases.items():
            target = urllib.parse.urlencode({"graph": CASE_GRAPH + name})
            request = urllib.request.Request(  # noqa: S310 - a local test server
                f"{base}/store?{target}",
                data=path.read_bytes(),
                headers={"Content-Type": "application/n-triples"},
                method="PUT",
            )
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                assert response.status in (200, 201, 204)
        yield base


def virtuoso_case_url(server: Virtuoso, case: str) -> str:
    return server.sparql_url([CASE_GRAPH + case])


def oxigraph_case_url(base: str, case: str) -> str:
    return f"{base}/query?{urllib.parse.urlencode({'default-graph-uri': CASE_GRAPH + case})}"


# --- named queries ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_named_query_on_virtuoso_gives_the_embedded_answer(
    name: str, virtuoso: Virtuoso, current: Dataset, compared: Dataset
) -> None:
    dataset = compared if named_query(name).compares_releases else current
    graphs = graph_names(dataset)
    url = virtuoso.sparql_url(graphs, graphs)  # GRAPH ?g must not meet Virtuoso's own graphs
    memory = kratomkg.query(named=name, store=MemoryStore(dataset))
    endpoint = kratomkg.query(named=name, endpoint=url)
    assert answer(endpoint) == answer(memory)
    assert len(memory) > 0


def _csv_rows(text: str) -> list[list[str]]:
    return sorted(csv.reader(io.StringIO(text)))


def test_cli_query_endpoint_on_virtuoso(
    virtuoso: Virtuoso, current: Dataset, runner: CliRunner
) -> None:
    graphs = graph_names(current)
    args = ["query", "--named", "claims-by-certainty", "--format", "csv"]
    local = runner.invoke(cli, args)
    remote = runner.invoke(cli, [*args, "--endpoint", virtuoso.sparql_url(graphs, graphs)])
    assert remote.exit_code == local.exit_code == 0, remote.output
    assert _csv_rows(remote.stdout) == _csv_rows(local.stdout)
    assert len(_csv_rows(local.stdout)) > 1


# --- endpoint validation ---------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_validate_endpoint_on_oxigraph_gives_the_embedded_results(
    case: str, oxigraph: str, embedded: dict[str, ValidationReport]
) -> None:
    report = validate_endpoint(oxigraph_case_url(oxigraph, case), timeout=TIMEOUT)
    reference = embedded[case]
    assert report.conforms == reference.conforms
    assert key(report) == key(reference), report.to_text() + reference.to_text()
    assert case == "shipped" or not reference.conforms  # a fixture breaks a rule


@pytest.mark.parametrize("case", CASES)
def test_validate_endpoint_on_virtuoso_gives_the_embedded_results(
    case: str, virtuoso: Virtuoso, embedded: dict[str, ValidationReport]
) -> None:
    """The whole client path: protocol (the query as a form POST) and compiled SPARQL.

    The next test sends the same queries as a form, so a failure here and not there lies
    in the request, one there lies in the SPARQL.
    """
    report = validate_endpoint(virtuoso_case_url(virtuoso, case), timeout=TIMEOUT)
    reference = embedded[case]
    assert report.conforms == reference.conforms
    assert key(report) == key(reference), report.to_text() + reference.to_text()


def _oxigraph_executor(path: Path) -> Executor:
    import pyoxigraph

    store = pyoxigraph.Store()
    store.load(path=str(path), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return store_executor(store)


@pytest.mark.parametrize("case", CASES)
def test_virtuoso_answers_every_compiled_constraint_as_oxigraph_does(
    case: str, virtuoso: Virtuoso, cases: dict[str, Path]
) -> None:
    """Each compiled constraint, alone, on Virtuoso and on an embedded Oxigraph store.

    Both hold the same N-Triples file and run the same portable queries (compiled with the
    subclasses Virtuoso finds). The failure lists every constraint whose results differ,
    with its query and what Virtuoso said, so each can be traced to a construct.
    """
    local = _oxigraph_executor(cases[case])
    remote = FormExecutor(virtuoso_case_url(virtuoso, case), timeout=TIMEOUT)
    differences: list[str] = []
    constraints = endpoint_constraints(remote)
    assert constraints
    assert endpoint_constraints(local) == constraints, "both stores hold the same hierarchy"
    for constraint in constraints:
        expected = key(run(local, [constraint]))
        before = dict(remote.errors)
        found = key(run(remote, [constraint]))
        error = next((e for q, e in remote.errors.items() if q not in before), None)
        if expected != found or error is not None:
            differences.append(
                f"{constraint.shape} {constraint.component.rsplit('#', 1)[-1]}: "
                f"{len(expected)} results on Oxigraph, {len(found)} on Virtuoso"
                f" (only Oxigraph: {sorted(expected - found)[:2]};"
                f" only Virtuoso: {sorted(found - expected)[:2]})"
                + (f"\n  Virtuoso: {error.splitlines()[0]}" if error else "")
                + f"\n  query: {constraint.query}"
                + (f"\n  focus query: {constraint.focus_query}" if constraint.focus_query else "")
            )
    assert not differences, f"{len(differences)} of {len(constraints)} constraints differ:\n" + (
        "\n".join(differences)
    )


def test_virtuoso_sees_only_the_named_default_graph(virtuoso: Virtuoso) -> None:
    """Without ``default-graph-uri`` Virtuoso's default graph holds all graphs, its own too."""
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def count(url: str) -> int:
        request = urllib.request.Request(  # noqa: S310 - a local test server
            url,
            data=urllib.parse.urlencode({"query": query}).encode("utf-8"),
            headers={"Accept": "application/sparql-results+json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            document = json.load(response)
        return int(document["results"]["bindings"][0]["n"]["value"])

    shipped = virtuoso.count(CASE_GRAPH + "shipped")
    assert count(virtuoso_case_url(virtuoso, "shipped")) == shipped
    assert count(f"{virtuoso.base}/sparql") > shipped
