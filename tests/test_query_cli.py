"""kratomkg query / queries: formats, safety, parameters, time limit, persistent store."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef

import kratomkg
from kratomkg import store_loading
from kratomkg.cli import QUERY_FORMAT_NAMES, STORE_NAMES, cli
from kratomkg.errors import QueryError
from kratomkg.export.rdf import RDF_FORMATS
from kratomkg.querying import engine
from kratomkg.querying.bindings import inject_values, parse_value
from kratomkg.querying.named import named_queries
from kratomkg.querying.results import GRAPH_FORMATS, RESULT_FORMATS, render
from kratomkg.querying.safety import check_query, with_prefixes
from kratomkg.querying.stores import STORES, MemoryStore

KID = "https://w3id.org/kratomkg/id/"


def test_format_and_store_choices_match_the_registries() -> None:
    assert (*RESULT_FORMATS, *GRAPH_FORMATS) == QUERY_FORMAT_NAMES
    assert set(GRAPH_FORMATS) <= set(RDF_FORMATS)
    assert STORE_NAMES == STORES


@pytest.mark.parametrize("command", ["query", "queries", "push"])
def test_help_shows_an_example(runner: CliRunner, command: str) -> None:
    result = runner.invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output
    assert f"kratomkg {command}" in result.output


def test_queries_lists_every_named_query(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["queries"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(named_queries())
    shown = runner.invoke(cli, ["queries", "contested-claims"])
    assert shown.exit_code == 0
    assert "kkg:Contested" in shown.stdout


def _run(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(cli, ["query", "--named", "receptor-ligands", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_w3c_json(runner: CliRunner) -> None:
    document = json.loads(_run(runner, "--format", "json"))
    assert document["head"]["vars"][0] == "compound"
    values = {b["compound"]["value"] for b in document["results"]["bindings"]}
    assert KID + "mitragynine" in values
    assert all(b["compound"]["type"] == "uri" for b in document["results"]["bindings"])


def test_w3c_xml(runner: CliRunner) -> None:
    root = ET.fromstring(_run(runner, "--format", "xml"))  # noqa: S314 - our own output
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    names = [v.get("name") for v in root.findall("r:head/r:variable", ns)]
    assert names[0] == "compound"
    uris = {u.text for u in root.findall(".//r:binding[@name='compound']/r:uri", ns)}
    assert KID + "7-hydroxymitragynine" in uris


def test_w3c_csv_and_tsv(runner: CliRunner) -> None:
    text = _run(runner, "--format", "csv")
    assert text.splitlines()[0] == "compound,action,measure,value,unit,source,doi,pmid"
    crlf = render(kratomkg.query(named="metabolites"), "csv")
    assert crlf.startswith("metabolite,parent,steps\r\n")  # W3C CSV: CRLF line ends
    rows = list(csv.DictReader(io.StringIO(text)))
    assert KID + "mitragynine" in {r["compound"] for r in rows}
    tsv = _run(runner, "--format", "tsv").splitlines()
    assert tsv[0].startswith("?compound\t?action")
    assert f"<{KID}mitragynine>" in {line.split("\t")[0] for line in tsv[1:]}


def test_table_is_the_default(runner: CliRunner) -> None:
    result = runner.invoke(
        cli,
        ["query", "--named", "receptor-ligands", "--param", "receptor=kid:mor"],
        env={"COLUMNS": "200"},  # wide enough that no name wraps
    )
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.splitlines()[0].split()[0] == "compound"
    assert "mitragynine" in text  # by its label (CURIEs only for IRIs without one)
    assert text.rstrip().endswith("rows)")


@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_construct_formats(runner: CliRunner, fmt: str) -> None:
    result = runner.invoke(cli, ["query", "--named", "claim-graph", "--format", fmt])
    assert result.exit_code == 0, result.output
    parser = {"turtle": "turtle", "jsonld": "json-ld", "ntriples": "nt"}[fmt]
    graph = Graph().parse(data=result.stdout, format=parser)
    assert (URIRef(KID + "claim-mitragynine-analgesia"), None, None) in graph


def test_table_format_for_a_graph_is_refused(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["query", "--named", "claim-graph", "--format", "csv"])
    assert result.exit_code == 2
    assert "turtle" in result.stderr


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
        ("LOAD <http://example.org/data.ttl>", "LOAD is refused"),
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "updates are refused"),
        ("DROP ALL", "updates are refused"),
        ("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", "FROM <http://example.org/g>"),
        ("SELECT ?s\nWHERE {\n  ?s kkg:label\n}", "line 3, column 3"),
        ("", "empty"),
    ],
)
def test_refused_and_malformed_queries_exit_2(runner: CliRunner, query: str, expected: str) -> None:
    result = runner.invoke(cli, ["query", query])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0], result.stderr


def test_local_from_graph_is_allowed(runner: CliRunner) -> None:
    query = "ASK FROM <https://w3id.org/kratomkg/graph/kb> WHERE { kid:mitragynine a kkg:Compound }"
    for store in STORE_NAMES:
        result = runner.invoke(cli, ["query", query, "--store", store])
        assert result.exit_code == 0, result.output
        assert result.stdout == "yes\n"


def test_malformed_file_names_the_file(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "bad.rq"
    path.write_text("SELECT ?x WHERE {\n  ?x ?y\n}\n", encoding="utf-8")
    result = runner.invoke(cli, ["query", "--file", str(path)])
    assert result.exit_code == 2
    assert "bad.rq: line 2" in result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--named", "nope"], "unknown query 'nope'"),
        (["--named", "receptor-ligands", "--param", "ligand=kid:x"], "unknown parameter"),
        (["--named", "receptor-ligands", "--param", "receptor=<http://x> }"], "is not an IRI"),
        (["--named", "receptor-ligands", "--param", "receptor=<http://x>y>"], "not a valid IRI"),
        (["--named", "release-diff"], "--compare"),
        (["--named", "metabolites", "--param", "broken"], "NAME=VALUE"),
        (["ASK {}", "--named", "metabolites"], "exactly one"),
        (["--named", "metabolites", "--store-path", "x"], "--store oxigraph"),
    ],
)
def test_usage_errors(runner: CliRunner, args: list[str], expected: str) -> None:
    result = runner.invoke(cli, ["query", *args])
    assert result.exit_code == 2
    assert expected in result.stderr, result.stderr


def test_compare_runs_the_release_diff(runner: CliRunner, tmp_path: Path) -> None:
    from .test_query import FAKE, write_previous_release

    previous = tmp_path / "previous.nt"
    write_previous_release(engine.load_for_query(), previous)
    result = runner.invoke(
        cli, ["query", "--named", "release-diff", "--compare", str(previous), "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    assert f"removed,{FAKE[0]},{FAKE[1]},{FAKE[2]}" in result.stdout


@pytest.mark.parametrize(
    "extra",
    [
        ["tests/data/valid/minimal.ttl", "--named", "claims-by-certainty"],
        ["tests/data/valid/minimal.ttl", "--with-kb", "--named", "receptor-ligands"],
        ["--named", "release-diff", "--compare", "{previous}"],
    ],
    ids=["files", "files-with-kb", "compare"],
)
def test_oxigraph_store_loads_files_straight_into_oxigraph(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: list[str]
) -> None:
    """The same answer as the memory store, and rdflib never parses the files."""
    from .test_query import write_previous_release

    previous = tmp_path / "previous.nt"
    write_previous_release(engine.load_for_query(), previous)
    args = ["query", *(a.replace("{previous}", str(previous)) for a in extra), "--format", "csv"]
    memory = runner.invoke(cli, args)
    assert memory.exit_code == 0, memory.output

    def no_rdflib(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("--store oxigraph parsed the files with rdflib")

    monkeypatch.setattr(engine, "load_for_query", no_rdflib)
    fast = runner.invoke(cli, [*args, "--store", "oxigraph"])
    assert fast.exit_code == 0, fast.output
    assert sorted(fast.stdout.splitlines()) == sorted(memory.stdout.splitlines())
    assert len(memory.stdout.splitlines()) > 1


def test_memory_query_stops_at_the_time_limit() -> None:
    store = MemoryStore(engine.load_for_query())
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with pytest.raises(QueryError, match=r"time limit of 0\.5 s"):
        kratomkg.query(endless, store=store, timeout=0.5)
    import threading

    assert not any(t.name == "kratomkg-query" and t.is_alive() for t in threading.enumerate())


def test_timeout_option(runner: CliRunner) -> None:
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    result = runner.invoke(cli, ["query", endless, "--timeout", "0.5"])
    assert result.exit_code == 2
    assert "time limit" in result.stderr


def test_persistent_oxigraph_store_is_reused(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "oxi"
    args = ["query", "--named", "metabolites", "--store", "oxigraph", "--store-path", str(path)]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output

    def no_loading(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("an unchanged store must not be reloaded")

    monkeypatch.setattr(store_loading, "load_store", no_loading)
    second = runner.invoke(cli, args)
    assert second.exit_code == 0, second.output
    assert second.stdout == first.stdout
    extra = tmp_path / "extra.ttl"
    extra.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    changed = runner.invoke(cli, [*args, "--data", str(extra)])
    # a changed input is loaded again (here: the patched loader is reached)
    assert isinstance(changed.exception, AssertionError)
    assert "must not be reloaded" in str(changed.exception)


def test_output_file_is_written(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "answer.json"
    result = runner.invoke(
        cli, ["query", "--named", "metabolites", "--format", "json", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["head"]["vars"] == [
        "metabolite",
        "parent",
        "steps",
    ]


# --- parameters and the VALUES block --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("kid:mor", "iri", URIRef(KID + "mor")),
        ("mor", "iri", URIRef(KID + "mor")),
        ("<https://example.org/x>", "any", URIRef("https://example.org/x")),
        ('"chat"@fr', "any", Literal("chat", lang="fr")),
        ('"say \\"hi\\""', "any", Literal('say "hi"')),
        (
            '"5"^^xsd:integer',
            "any",
            Literal("5", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer")),
        ),
        ("42", "any", Literal(42)),
        ("plain words", "any", Literal("plain words")),
    ],
)
def test_parameter_values(text: str, kind: str, expected: object) -> None:
    assert parse_value(text, kind) == expected


@pytest.mark.parametrize(
    ("query", "where"),
    [
        ("SELECT ?x WHERE { ?x ?p ?o }", "WHERE { VALUES"),
        ("CONSTRUCT { ?x ?p ?o } WHERE { ?x ?p ?o }", "WHERE { VALUES"),
        ("CONSTRUCT WHERE { ?x ?p ?o }", "}\n VALUES"),
        ('# a { brace\nASK { ?x ?p "}{" }', "ASK { VALUES"),
        ("SELECT ?x WHERE { ?x <urn:a#b> ?o }", "WHERE { VALUES"),
        ("DESCRIBE ?x", "?x\n VALUES"),
    ],
)
def test_values_block_goes_into_the_where_group(query: str, where: str) -> None:
    text = inject_values(query, {"x": URIRef("urn:v")})
    assert where in text
    assert "VALUES (?x) { (<urn:v>) }" in text
    check_query(text)


def test_values_block_and_init_bindings_agree() -> None:
    store = MemoryStore(engine.load_for_query())
    query = "SELECT (COUNT(?i) AS ?n) WHERE { ?i kkg:target ?receptor }"
    checked = with_prefixes(check_query(query))
    bound = store.run(checked, {"receptor": URIRef(KID + "mor")}, 30)
    injected = store.run(
        type(checked)(
            inject_values(checked.text, {"receptor": URIRef(KID + "mor")}), "SELECT", "q"
        ),
        {},
        30,
    )
    assert bound.rows == injected.rows
    assert int(str(bound.rows[0][0])) > 0


def test_readme_query_examples_run(runner: CliRunner) -> None:
    import re
    import shlex

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    examples = re.findall(r"^\$ kratomkg (query .+)\n(.+)$", readme, flags=re.MULTILINE)
    assert len(examples) >= 3
    for command, header in examples:
        # the README shows tables as a terminal 100 columns wide prints them
        result = runner.invoke(cli, shlex.split(command), env={"COLUMNS": "100"})
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines()[0] == header  # same columns as shown
