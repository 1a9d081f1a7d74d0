"""Real SPARQL clients (SPARQLWrapper, Apache Jena's rsparql) against a real ``kratomkg serve``.

Every named query, with its parameters' defaults, must give a client the answer that
``kratomkg query`` gives.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

import kratomkg
from kratomkg.querying.bindings import inject_values
from kratomkg.querying.engine import load_for_query
from kratomkg.querying.named import named_queries, named_query
from kratomkg.querying.safety import check_query, with_prefixes

from ..consumers import jena_classpath
from .conftest import answer_key, rows_key, term_key


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    """The shipped graph with its derived triples, as the server holds it."""
    return load_for_query()


def full_text(name: str) -> str:
    """The named query as a client sends it: defaults bound, kratomkg prefixes declared."""
    definition = named_query(name)
    text = inject_values(definition.text, definition.bindings())
    return with_prefixes(check_query(text, name)).text


def expected(name: str, dataset: Dataset) -> object:
    """``kratomkg query``'s answer (the release comparisons, without a previous release)."""
    if named_query(name).compares_releases:
        return answer_key(kratomkg.query(full_text(name), dataset=dataset))
    return answer_key(kratomkg.query(named=name, dataset=dataset))


def json_term(value: dict[str, str]) -> Node:
    if value["type"] == "uri":
        return URIRef(value["value"])
    if value["type"] == "bnode":
        return BNode(value["value"])
    return Literal(value["value"], lang=value.get("xml:lang"), datatype=value.get("datatype"))


def json_answer(document: dict[str, object]) -> object:
    if "boolean" in document:
        return document["boolean"]
    head, results = document["head"], document["results"]
    assert isinstance(head, dict)
    assert isinstance(results, dict)
    rows = [{k: json_term(v) for k, v in b.items()} for b in results["bindings"]]
    return rows_key(head["vars"], rows)


def graph_answer(graph: Graph) -> object:
    return sorted(tuple(term_key(t) for t in triple) for triple in graph)


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_sparqlwrapper_gets_the_answers_of_kratomkg_query(
    name: str, server_url: str, dataset: Dataset
) -> None:
    from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper

    client = SPARQLWrapper(f"{server_url}sparql")
    client.setQuery(full_text(name))
    client.setMethod(POST)
    checked = check_query(full_text(name), name)
    # SPARQLWrapper guesses the form from keywords and takes the "added" of release-diff
    # for an ADD update; the form is known, so say it
    client.queryType = checked.form
    graph = checked.returns_graph
    client.setReturnFormat(TURTLE if graph else JSON)
    converted = client.queryAndConvert()
    if graph:
        got = graph_answer(Graph().parse(data=converted.decode("utf-8"), format="turtle"))  # type: ignore[union-attr]
    else:
        got = json_answer(converted)  # type: ignore[arg-type]
    want = expected(name, dataset)
    assert want != []
    assert want is not None
    assert got == want


@pytest.fixture(scope="session")
def jena(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The command line that runs Jena's rsparql (Debian's libapache-jena-java)."""
    return ["java", "-cp", jena_classpath(tmp_path_factory.mktemp("jena")), "arq.rsparql"]


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_jena_rsparql_gets_the_answers_of_kratomkg_query(
    name: str, server_url: str, dataset: Dataset, jena: list[str], tmp_path: Path
) -> None:
    query = tmp_path / f"{name}.rq"
    query.write_text(full_text(name), encoding="utf-8")
    graph = check_query(full_text(name), name).returns_graph
    done = subprocess.run(
        [
            *jena,
            "--service",
            f"{server_url}sparql",
            "--query",
            str(query),
            "--results",
            "N-TRIPLES" if graph else "json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    if graph:
        got = graph_answer(Graph().parse(data=done.stdout, format="nt"))
    else:
        got = json_answer(json.loads(done.stdout))
    assert got == expected(name, dataset)
