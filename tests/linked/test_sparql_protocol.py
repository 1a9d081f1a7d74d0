"""The SPARQL 1.1 Protocol at /sparql of a real ``kratomkg serve``: formats, refusals, limits."""

from __future__ import annotations

import csv
import io
import json
import time
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.term import Node
from rdflib.util import from_n3

import kratomkg
from kratomkg.querying.engine import load_for_query
from kratomkg.serve.conneg import negotiate
from kratomkg.serve.sparql import rewrite_dataset

from .conftest import answer_key, free_port, http, rows_key, running_server, term_key

SELECT = """
PREFIX kkg: <https://w3id.org/kratomkg/ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?compound ?label ?weight WHERE {
  ?compound a kkg:Compound ; rdfs:label ?label .
  OPTIONAL { ?compound kkg:molecularWeight ?weight }
}
"""
CONSTRUCT = """
PREFIX kkg: <https://w3id.org/kratomkg/ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT { ?c a kkg:Compound ; rdfs:label ?label } WHERE { ?c a kkg:Compound ; rdfs:label ?label }
"""
ASK = "PREFIX kkg: <https://w3id.org/kratomkg/ontology/> ASK { ?c a kkg:Compound }"
KB = "https://w3id.org/kratomkg/graph/kb"
SR = "{http://www.w3.org/2005/sparql-results#}"
#: Slow on any store: every pair of triples, each through a regular expression.
SLOW = """SELECT (COUNT(*) AS ?n) WHERE {
  ?a ?b ?c . ?d ?e ?f . ?g ?h ?i .
  FILTER (REGEX(CONCAT(STR(?c), STR(?f), STR(?i)), "^(a|b|ab|.)*z(a|b)*$"))
}"""


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    """The shipped graph with its derived triples, as the server holds it."""
    return load_for_query()


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second server with tight limits: 2 s per query, 5 rows, 2000-byte requests."""
    log = tmp_path_factory.mktemp("limited") / "serve.log"
    args = ["--timeout", "2", "--max-rows", "5", "--max-request-bytes", "2000"]
    with running_server(args, log=log) as url:
        yield url


def get(
    base: str, query: str, accept: str | None = None, **params: str
) -> tuple[int, dict[str, str], bytes]:
    qs = urllib.parse.urlencode({"query": query, **params})
    return http(f"{base}sparql?{qs}", headers={"Accept": accept} if accept else {})


def expected(query: str, dataset: Dataset) -> object:
    return answer_key(kratomkg.query(query, dataset=dataset))


def json_rows(body: bytes) -> object:
    document = json.loads(body)
    if "boolean" in document:
        return document["boolean"]

    def term(value: dict[str, str]) -> Node:
        if value["type"] == "uri":
            return URIRef(value["value"])
        return Literal(value["value"], lang=value.get("xml:lang"), datatype=value.get("datatype"))

    rows = [{k: term(v) for k, v in b.items()} for b in document["results"]["bindings"]]
    return rows_key(document["head"]["vars"], rows)


def xml_rows(body: bytes) -> object:
    root = ET.fromstring(body)  # noqa: S314 - our own server's answer
    boolean = root.find(f"{SR}boolean")
    if boolean is not None:
        return boolean.text == "true"
    variables = [v.get("name", "") for v in root.iter(f"{SR}variable")]
    rows = []
    for result in root.iter(f"{SR}result"):
        row: dict[str, Node] = {}
        for binding in result:
            value = binding[0]
            if value.tag == f"{SR}uri":
                row[binding.get("name", "")] = URIRef(value.text or "")
            else:
                row[binding.get("name", "")] = Literal(
                    value.text or "",
                    lang=value.get("{http://www.w3.org/XML/1998/namespace}lang"),
                    datatype=value.get("datatype"),
                )
        rows.append(row)
    return rows_key(variables, rows)


def graph_key(body: bytes, fmt: str) -> object:
    graph = Graph().parse(data=body.decode("utf-8"), format=fmt)
    return sorted(tuple(term_key(t) for t in triple) for triple in graph)


# --- the three ways to send a query ------------------------------------------------------


def test_get_post_form_and_post_direct_give_the_answer_of_kratomkg_query(
    server_url: str, dataset: Dataset
) -> None:
    want = expected(SELECT, dataset)
    assert want != []
    status, head, body = get(server_url, SELECT)
    assert status == 200, body
    assert head["content-type"].startswith("application/sparql-results+json")
    assert json_rows(body) == want
    form = urllib.parse.urlencode({"query": SELECT}).encode()
    status, _, body = http(
        f"{server_url}sparql",
        data=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 200, body
    assert json_rows(body) == want
    status, _, body = http(
        f"{server_url}sparql",
        data=SELECT.encode(),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert status == 200, body
    assert json_rows(body) == want


def test_undeclared_kratomkg_prefixes_are_known(server_url: str, dataset: Dataset) -> None:
    query = "SELECT ?c WHERE { ?c a kkg:Compound }"
    status, _, body = get(server_url, query)
    assert status == 200, body
    assert json_rows(body) == expected(query, dataset)


# --- result formats ----------------------------------------------------------------------


@pytest.mark.parametrize("query", [SELECT, ASK], ids=["select", "ask"])
def test_json_and_xml_results(server_url: str, dataset: Dataset, query: str) -> None:
    want = expected(query, dataset)
    status, head, body = get(server_url, query, "application/sparql-results+json")
    assert (status, json_rows(body)) == (200, want)
    status, head, body = get(server_url, query, "application/sparql-results+xml")
    assert status == 200
    assert head["content-type"].startswith("application/sparql-results+xml")
    assert head["vary"].lower().startswith("accept")
    assert xml_rows(body) == want


def test_csv_and_tsv_results(server_url: str, dataset: Dataset) -> None:
    # the server's store is Oxigraph, which writes numbers canonically (1260 for 1260.0)
    result = kratomkg.query(SELECT, store="oxigraph", dataset=dataset)
    plain = sorted(tuple("" if t is None else str(t) for t in row) for row in result.rows)
    status, head, body = get(server_url, SELECT, "text/csv")
    assert status == 200
    assert head["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert tuple(table[0]) == result.variables
    assert sorted(tuple(r) for r in table[1:]) == plain
    status, head, body = get(server_url, SELECT, "text/tab-separated-values")
    assert status == 200
    assert head["content-type"].startswith("text/tab-separated-values")
    lines = body.decode("utf-8").rstrip("\n").split("\n")
    variables = [v.removeprefix("?") for v in lines[0].split("\t")]
    assert tuple(variables) == result.variables
    rows = [
        {v: from_n3(cell) for v, cell in zip(variables, line.split("\t"), strict=True) if cell}
        for line in lines[1:]
    ]
    assert rows_key(variables, rows) == answer_key(result)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_construct_in_each_rdf_format(
    server_url: str, dataset: Dataset, accept: str, fmt: str
) -> None:
    status, head, body = get(server_url, CONSTRUCT, accept)
    assert status == 200, body
    assert head["content-type"].startswith(accept)
    assert graph_key(body, fmt) == expected(CONSTRUCT, dataset)


def test_accept_weights_and_wildcards_choose_the_format(server_url: str) -> None:
    _, head, _ = get(server_url, SELECT, "text/*;q=0.5, application/sparql-results+json;q=0.1")
    assert head["content-type"].startswith("text/csv")
    _, head, _ = get(server_url, SELECT, "application/sparql-results+xml;q=0.9, */*;q=0.1")
    assert head["content-type"].startswith("application/sparql-results+xml")
    _, head, _ = get(server_url, CONSTRUCT, "application/*")
    assert head["content-type"].startswith("application/n-triples")


@pytest.mark.parametrize(
    ("query", "accept"),
    [(SELECT, "image/png"), (CONSTRUCT, "application/sparql-results+json"), (ASK, "text/turtle")],
)
def test_nothing_acceptable_is_406(server_url: str, query: str, accept: str) -> None:
    status, head, body = get(server_url, query, accept)
    assert status == 406
    assert head["vary"].lower().startswith("accept")
    assert b"no acceptable format" in body


def test_negotiate_follows_q_values_and_specificity() -> None:
    offers = ["text/turtle", "application/n-triples"]
    assert negotiate(None, offers) == "text/turtle"
    assert negotiate("application/n-triples, text/turtle;q=0.5", offers) == "application/n-triples"
    assert negotiate("*/*;q=0.1, text/turtle;q=0", offers) == "application/n-triples"
    assert negotiate("text/*, text/turtle;q=0", offers) is None
    assert negotiate("text/html", offers) is None


# --- the dataset of a request ------------------------------------------------------------


def test_default_and_named_graph_parameters(server_url: str, dataset: Dataset) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    status, _, body = get(server_url, count, **{"default-graph-uri": KB})
    assert status == 200, body
    kb_only = json_rows(body)
    from_kb = "SELECT (COUNT(*) AS ?n) FROM <" + KB + "> WHERE { ?s ?p ?o }"  # noqa: S608
    assert kb_only == expected(from_kb, dataset)
    assert kb_only != json_rows(get(server_url, count)[2])
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    status, _, body = get(server_url, graphs, **{"named-graph-uri": KB})
    assert (status, json_rows(body)) == (200, [(f"<{KB}>",)])


def test_graph_parameters_override_the_query_dataset() -> None:
    text = "SELECT * FROM <urn:a> FROM NAMED <urn:b> WHERE { ?s ?p ?o }"
    rewritten = rewrite_dataset(text, ["urn:c"], [])
    assert "urn:a" not in rewritten
    assert "urn:b" not in rewritten
    assert "FROM <urn:c>" in rewritten
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    assert "} FROM NAMED <urn:n>\nWHERE" in rewrite_dataset(construct, [], ["urn:n"])


def test_unknown_graph_parameter_is_400(server_url: str) -> None:
    status, _, body = get(server_url, "ASK {}", **{"default-graph-uri": "http://remote.example/g"})
    assert status == 400
    assert b"default-graph-uri <http://remote.example/g> is refused" in body


# --- refusals ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "updates are refused"),
        ("LOAD <http://remote.example/data.ttl>", "LOAD is refused"),
        ("SELECT * WHERE { SERVICE <http://remote.example/sparql> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * FROM <http://remote.example/g> WHERE { ?s ?p ?o }", "FROM <http://remote"),
        ("SELECT * WHERE { ?s ?p ", "malformed SPARQL"),
    ],
)
def test_refused_queries_are_400_with_a_message(server_url: str, query: str, message: str) -> None:
    for status, head, body in (
        get(server_url, query),
        http(
            f"{server_url}sparql",
            data=query.encode(),
            headers={"Content-Type": "application/sparql-query"},
        ),
    ):
        assert status == 400
        assert head["content-type"].startswith("text/plain")
        assert message in body.decode("utf-8")
        assert len(body.decode("utf-8").strip().splitlines()) == 1


def test_updates_are_refused_in_every_form(server_url: str) -> None:
    update = "DELETE WHERE { ?s ?p ?o }"
    for data, media in (
        (urllib.parse.urlencode({"update": update}).encode(), "application/x-www-form-urlencoded"),
        (update.encode(), "application/sparql-update"),
    ):
        status, _, body = http(f"{server_url}sparql", data=data, headers={"Content-Type": media})
        assert status == 400
        assert b"updates are refused" in body
    status, _, _ = get(server_url, "ASK { ?s ?p ?o }")
    assert json.loads(get(server_url, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")[2])
    assert status == 200


def test_other_post_bodies_are_415(server_url: str) -> None:
    status, _, _ = http(
        f"{server_url}sparql", data=b"ASK {}", headers={"Content-Type": "text/plain"}
    )
    assert status == 415


# --- without a query ---------------------------------------------------------------------


def test_service_description_without_a_query(server_url: str) -> None:
    status, _, body = http(f"{server_url}sparql", headers={"Accept": "text/turtle"})
    assert status == 200
    graph = Graph().parse(data=body.decode("utf-8"), format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoint = URIRef(f"{server_url}sparql")
    assert (endpoint, URIRef(sd + "endpoint"), endpoint) in graph


def test_a_browser_gets_the_query_editor(server_url: str) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    status, head, body = http(f"{server_url}sparql", headers={"Accept": accept})
    assert status == 200
    assert head["content-type"].startswith("text/html")
    assert b"<html" in body.lower() or b"<!doctype html" in body.lower()


# --- limits ------------------------------------------------------------------------------


def test_an_overrunning_query_is_stopped_and_the_server_keeps_answering(limited: str) -> None:
    started = time.monotonic()
    status, _, body = get(limited, SLOW)
    elapsed = time.monotonic() - started
    assert status == 503, body
    assert b"time limit of 2 s" in body
    assert elapsed < 15
    status, _, body = get(limited, ASK)
    assert (status, json.loads(body)["boolean"]) == (200, True)


def test_answers_over_the_row_cap_are_cut_and_say_so(limited: str) -> None:
    status, head, body = get(limited, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    assert status == 200
    assert len(json.loads(body)["results"]["bindings"]) == 5
    assert head["kratomkg-truncated"] == "5"
    status, head, body = get(limited, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")
    assert status == 200
    assert len(body.decode().strip().splitlines()) == 5
    assert head["kratomkg-truncated"] == "5"
    status, head, body = get(limited, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 5")
    assert status == 200
    assert len(json.loads(body)["results"]["bindings"]) == 5
    assert "kratomkg-truncated" not in head


def test_requests_over_the_size_cap_are_413(limited: str) -> None:
    padding = "# " + "x" * 2500 + "\n"
    query = padding + "ASK {}"
    status, _, body = get(limited, query)
    assert status == 413
    assert b"2000 bytes" in body
    for data, media in (
        (urllib.parse.urlencode({"query": query}).encode(), "application/x-www-form-urlencoded"),
        (query.encode(), "application/sparql-query"),
    ):
        status, _, _ = http(f"{limited}sparql", data=data, headers={"Content-Type": media})
        assert status == 413
    small = "# " + "x" * 1500 + "\nASK {}"
    status, _, _ = http(
        f"{limited}sparql",
        data=small.encode(),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert status == 200


def test_serve_refuses_a_file_it_cannot_read(tmp_path: Path) -> None:
    import subprocess
    import sys

    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle <", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "kratomkg", "serve", str(bad), "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert "bad.ttl" in done.stderr
    assert "Traceback" not in done.stderr


def test_without_the_serve_extra_serve_says_what_to_install() -> None:
    import subprocess
    import sys

    script = (
        "import sys; sys.modules['uvicorn'] = None; sys.argv = ['kratomkg', 'serve'];"
        "from kratomkg.cli import main; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "kratomkg: error: kratomkg serve needs the serve extra: pip install 'kratomkg[serve]'"
    )


def test_importing_kratomkg_does_not_import_the_server_libraries() -> None:
    import subprocess
    import sys

    script = (
        "import sys, kratomkg, kratomkg.serve, kratomkg.cli;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('starlette', 'uvicorn')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"
