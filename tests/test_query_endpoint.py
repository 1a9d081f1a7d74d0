"""A real Oxigraph server: push through the Graph Store Protocol, query through --endpoint."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import BNode, Dataset, Literal, URIRef

import kratomkg
from kratomkg.cli import cli
from kratomkg.errors import QueryError
from kratomkg.querying.engine import load_for_query
from kratomkg.querying.named import named_queries, named_query
from kratomkg.querying.stores import EndpointStore, MemoryStore, OxigraphStore

from .query_support import answer, oxigraph_server
from .test_query import write_previous_release


def count(base: str, graph: str | None = None) -> int:
    pattern = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "GRAPH ?g { ?s ?p ?o }"
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"
    request = urllib.request.Request(  # noqa: S310 - a local test server
        f"{base}/query?{urllib.parse.urlencode({'query': query})}",
        headers={"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        document = json.load(response)
    return int(document["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module")
def current(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Dataset]]:
    """A server holding the shipped graph, pushed twice (the second push must add nothing)."""
    dataset = load_for_query()
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph") / "store") as base:
        kratomkg.push(f"{base}/store", dataset)
        kratomkg.push(f"{base}/store", dataset)
        yield base, dataset


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Dataset]]:
    """A server holding the shipped graph and a previous release in the 'previous' graph."""
    folder = tmp_path_factory.mktemp("compare")
    write_previous_release(load_for_query(), folder / "previous.nt")
    dataset = load_for_query(compare=folder / "previous.nt")
    with oxigraph_server(folder / "store") as base:
        kratomkg.push(f"{base}/store", dataset, replace=True)
        yield base, dataset


def test_pushing_twice_does_not_duplicate(current: tuple[str, Dataset]) -> None:
    base, dataset = current
    expected = sum(
        len(g)
        for g in dataset.graphs()
        if isinstance(g.identifier, URIRef)
        and len(g)
        and not str(g.identifier).startswith("urn:x-rdflib:")
    )
    assert count(base) == expected


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_every_named_query_agrees_on_memory_oxigraph_and_endpoint(
    name: str, current: tuple[str, Dataset], compared: tuple[str, Dataset]
) -> None:
    base, dataset = compared if named_query(name).compares_releases else current
    memory = kratomkg.query(named=name, store=MemoryStore(dataset))
    oxigraph = kratomkg.query(named=name, store=OxigraphStore.from_dataset(lambda: dataset))
    endpoint = kratomkg.query(named=name, store=EndpointStore(f"{base}/query"))
    assert answer(memory) == answer(oxigraph) == answer(endpoint)
    assert len(memory) > 0


def test_parameters_reach_the_endpoint_escaped(current: tuple[str, Dataset]) -> None:
    base, dataset = current
    nasty = 'a "quote" } ; DROP ALL ; # \\ back\nslash \t tab é'
    query = "SELECT ?p WHERE { }"
    for store in (MemoryStore(dataset), EndpointStore(f"{base}/query")):
        result = kratomkg.query(query, params={"p": Literal(nasty)}, store=store)
        assert result.rows == [(Literal(nasty),)]
    result = kratomkg.query(query, params={"p": '"chat"@fr'}, store=EndpointStore(f"{base}/query"))
    assert result.rows == [(Literal("chat", lang="fr"),)]


def test_replace_drops_what_the_new_push_no_longer_has(tmp_path: Path) -> None:
    graph = "urn:kratomkg:test"
    first, second = Dataset(), Dataset()
    g1, g2 = first.graph(URIRef(graph)), second.graph(URIRef(graph))
    for i in range(5):
        g1.add((URIRef(f"urn:s{i}"), URIRef("urn:p"), Literal(i)))
    g1.add((BNode(), URIRef("urn:p"), Literal("blank")))
    for i in range(3):
        g2.add((URIRef(f"urn:s{i}"), URIRef("urn:p"), Literal(i)))
    with oxigraph_server(tmp_path / "store") as base:
        store = f"{base}/store"
        kratomkg.push(store, first)
        kratomkg.push(store, first)  # blank nodes are skolemized: no duplicate
        assert count(base, graph) == 6
        kratomkg.push(store, second)  # merge keeps the old triples
        assert count(base, graph) == 6
        kratomkg.push(store, second, replace=True)
        assert count(base, graph) == 3


def test_cli_push_and_query_endpoint(tmp_path: Path, runner: CliRunner) -> None:
    with oxigraph_server(tmp_path / "store") as base:
        pushed = runner.invoke(cli, ["push", "--endpoint", f"{base}/store", "--replace"])
        assert pushed.exit_code == 0, pushed.output
        assert "PUT <https://w3id.org/kratomkg/graph/kb>" in pushed.output
        again = runner.invoke(cli, ["push", "--endpoint", f"{base}/store"])
        assert again.exit_code == 0, again.output
        result = runner.invoke(
            cli,
            [
                "query",
                "--named",
                "receptor-ligands",
                "--endpoint",
                f"{base}/query",
                "--format",
                "csv",
            ],
        )
        assert result.exit_code == 0, result.output
        assert "https://w3id.org/kratomkg/id/mitragynine" in result.stdout
        graph = runner.invoke(
            cli,
            [
                "query",
                "--named",
                "claim-graph",
                "--endpoint",
                f"{base}/query",
                "--format",
                "ntriples",
            ],
        )
        assert graph.exit_code == 0, graph.output
        assert "<https://w3id.org/kratomkg/id/claim-mitragynine-analgesia>" in graph.stdout


def test_endpoint_errors_are_one_line(tmp_path: Path, runner: CliRunner) -> None:
    with oxigraph_server(tmp_path / "store") as base:
        wrong = runner.invoke(cli, ["query", "ASK {}", "--endpoint", f"{base}/nowhere"])
    assert wrong.exit_code == 2
    assert "HTTP 404" in wrong.stderr
    assert len(wrong.stderr.strip().splitlines()) == 1
    down = runner.invoke(cli, ["query", "ASK {}", "--endpoint", f"{base}/query"])
    assert down.exit_code == 2
    assert "cannot reach the server" in down.stderr
    with pytest.raises(QueryError, match="http"):
        EndpointStore("file:///etc/passwd")
