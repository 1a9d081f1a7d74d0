"""``kratomkg serve --backend``: a real Oxigraph server holding a pushed release answers.

Every named query sent to the endpoint must give the answer of the embedded store, and the
endpoint's refusals apply before anything reaches the backend.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Dataset

import kratomkg
from kratomkg.querying.engine import load_for_query
from kratomkg.querying.named import named_queries, named_query

from ..query_support import oxigraph_server
from ..test_query import write_previous_release
from .conftest import answer_key, http, running_server
from .test_clients import full_text, graph_answer, json_answer


def backed(folder: Path, dataset: Dataset) -> Iterator[str]:
    """Push ``dataset`` to a fresh Oxigraph server; yield a kratomkg server in front of it."""
    with oxigraph_server(folder / "store") as base:
        kratomkg.push(f"{base}/store", dataset, replace=True)
        with running_server(["--backend", f"{base}/query"], log=folder / "serve.log") as url:
            yield url


@pytest.fixture(scope="module")
def current(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Dataset]]:
    """A kratomkg server in front of Oxigraph holding the shipped graph."""
    dataset = load_for_query()
    yield from ((url, dataset) for url in backed(tmp_path_factory.mktemp("current"), dataset))


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Dataset]]:
    """The same, with a previous release in the 'previous' graph (release comparisons)."""
    folder = tmp_path_factory.mktemp("compared")
    write_previous_release(load_for_query(), folder / "previous.nt")
    dataset = load_for_query(compare=folder / "previous.nt")
    yield from ((url, dataset) for url in backed(folder, dataset))


def ask(url: str, query: str, graph: bool) -> object:
    accept = "application/n-triples" if graph else "application/sparql-results+json"
    data = urllib.parse.urlencode({"query": query}).encode()
    status, _, body = http(
        f"{url}sparql",
        data=data,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
    )
    assert status == 200, body
    if graph:
        from rdflib import Graph

        return graph_answer(Graph().parse(data=body.decode("utf-8"), format="nt"))
    return json_answer(json.loads(body))


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_every_named_query_answers_as_the_embedded_store(
    name: str, current: tuple[str, Dataset], compared: tuple[str, Dataset]
) -> None:
    url, dataset = compared if named_query(name).compares_releases else current
    embedded = answer_key(kratomkg.query(named=name, store="oxigraph", dataset=dataset))
    graph = named_query(name).text.lstrip().upper().find("CONSTRUCT") >= 0
    assert embedded not in ([], None)
    assert ask(url, full_text(name), graph) == embedded


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", b"updates are refused"),
        ("SELECT * WHERE { SERVICE <http://remote.example/> { ?s ?p ?o } }", b"SERVICE"),
        ("SELECT * FROM <http://remote.example/g> WHERE { ?s ?p ?o }", b"FROM <http://remote"),
    ],
)
def test_refusals_apply_before_the_backend(
    current: tuple[str, Dataset], query: str, message: bytes
) -> None:
    url, _ = current
    status, _, body = http(f"{url}sparql?{urllib.parse.urlencode({'query': query})}")
    assert status == 400
    assert message in body


def test_only_graphs_the_backend_holds_can_be_named(current: tuple[str, Dataset]) -> None:
    url, _ = current
    kb = "https://w3id.org/kratomkg/graph/kb"
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    held = urllib.parse.urlencode({"query": query, "default-graph-uri": kb})
    assert http(f"{url}sparql?{held}")[0] == 200
    other = urllib.parse.urlencode({"query": query, "default-graph-uri": "urn:kratomkg:none"})
    status, _, body = http(f"{url}sparql?{other}")
    assert status == 400
    assert b"no graph of this store" in body
