"""RDF exports: every format parses back isomorphic, twice byte-identical, RDF/XML escaping."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, XSD

from kratomkg import derive, load
from kratomkg.cli import EXPORT_FORMAT_NAMES, VIEW_NAMES, cli
from kratomkg.errors import ExportError
from kratomkg.export import EXPORT_FORMATS, RDF_FORMATS, VIEWS, export_graph, serialize
from kratomkg.loading import union_graph
from kratomkg.namespaces import GRAPH_USER

from .conftest import MINIMAL

RDFLIB_NAMES = {
    "turtle": "turtle",
    "ntriples": "nt",
    "jsonld": "json-ld",
    "rdfxml": "xml",
    "nquads": "nquads",
    "trig": "trig",
}


@pytest.fixture(scope="module")
def derived() -> Dataset:
    """The shipped graph with its derived triples (a copy: the shared fixture stays as is)."""
    dataset = load()
    derive(dataset)
    return dataset


@pytest.fixture(scope="module")
def second_load() -> Dataset:
    dataset = load()
    derive(dataset)
    return dataset


def test_registry_lists_every_rdf_format_and_the_cli_mirrors_it() -> None:
    assert set(RDF_FORMATS) <= set(EXPORT_FORMATS)
    assert tuple(EXPORT_FORMATS) == EXPORT_FORMAT_NAMES
    assert VIEWS == VIEW_NAMES
    assert set(RDFLIB_NAMES) == set(RDF_FORMATS)


@pytest.mark.parametrize("fmt", sorted(RDF_FORMATS))
def test_rdf_export_round_trips_isomorphic(derived: Dataset, fmt: str) -> None:
    text = serialize(derived, fmt)
    if RDF_FORMATS[fmt].quads:
        parsed = Dataset()
        parsed.parse(data=text, format=RDFLIB_NAMES[fmt])
        names = {g.identifier for g in parsed.graphs() if len(g)}
        assert names == {g.identifier for g in derived.graphs() if len(g)}
        for name in names:
            assert isomorphic(parsed.graph(name), derived.graph(name)), name
    else:
        parsed_graph = Graph().parse(data=text, format=RDFLIB_NAMES[fmt])
        assert len(parsed_graph) == len(union_graph(derived))
        assert isomorphic(parsed_graph, union_graph(derived))


@pytest.mark.parametrize(
    ("fmt", "view"),
    [(name, None) for name, spec in EXPORT_FORMATS.items() if not spec.views]
    + [(name, view) for name, spec in EXPORT_FORMATS.items() if spec.views for view in VIEWS],
)
def test_every_export_is_byte_identical_twice(
    derived: Dataset, second_load: Dataset, fmt: str, view: str | None
) -> None:
    # Two independent loads: nothing may depend on the store's internal order.
    assert (
        export_graph(derived, fmt, view).encode() == export_graph(second_load, fmt, view).encode()
    )


def _tricky_graph() -> Graph:
    graph = Graph()
    ex = "https://example.org/tricky/"
    s = URIRef(ex + "thing?a=1&b=2")
    node = BNode()
    graph.add((s, RDF.type, URIRef(ex + "Kind")))
    graph.add((s, RDFS.label, Literal('</script> & <b>"quoted"</b>', lang="en")))
    graph.add((s, RDFS.comment, Literal("line one\nline two\r\n\ttabbed ]]> end")))
    graph.add((s, URIRef(ex + "count"), Literal(3, datatype=XSD.integer)))
    graph.add((s, URIRef(ex + "ratio"), Literal("0.50", datatype=XSD.decimal)))
    graph.add((s, URIRef("http://other.example/vocab#has-part"), node))
    graph.add((node, URIRef("urn:example:1prop"), Literal("urn predicate, digit-led local name")))
    graph.add((node, RDFS.label, Literal("ünïcødé · 中文 · emoji 🌿")))
    return graph


def test_rdfxml_writer_escapes_and_names_every_property() -> None:
    source = _tricky_graph()
    dataset = Dataset()
    for triple in source:
        dataset.graph(GRAPH_USER).add(triple)
    text = serialize(dataset, "rdfxml")
    assert "</script>" not in text
    assert "&lt;/script&gt;" in text
    assert isomorphic(Graph().parse(data=text, format="xml"), source)
    assert text == serialize(dataset, "rdfxml")


@pytest.mark.parametrize(
    ("triple", "message"),
    [
        (
            (URIRef("https://example.org/a"), RDFS.label, Literal("bell \x07 character")),
            r"U\+0007",
        ),
        (
            (URIRef("https://example.org/a"), URIRef(str(RDF) + "li"), Literal("x")),
            "reserved by RDF/XML",
        ),
        (
            (URIRef("https://example.org/a"), URIRef("https://example.org/1/"), Literal("x")),
            "cannot be written as an RDF/XML element name",
        ),
    ],
    ids=["control-character", "rdf-li", "no-local-name"],
)
def test_rdfxml_refuses_what_it_cannot_write(
    triple: tuple[URIRef, URIRef, Literal], message: str
) -> None:
    dataset = Dataset()
    dataset.graph(GRAPH_USER).add(triple)
    with pytest.raises(ExportError, match=message):
        serialize(dataset, "rdfxml")


def test_export_accepts_a_plain_graph() -> None:
    graph = _tricky_graph()
    parsed = Graph().parse(data=export_graph(graph, "turtle"), format="turtle")
    assert isomorphic(parsed, graph)


def test_view_with_an_rdf_format_is_an_error(derived: Dataset) -> None:
    with pytest.raises(ExportError, match="graph formats only"):
        export_graph(derived, "turtle", "full")
    with pytest.raises(ExportError, match="unknown view"):
        export_graph(derived, "graphml", "everything")


def test_cli_export_to_stdout_and_file(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["export", "--format", "ntriples", "-o", "-"])
    assert result.exit_code == 0, result.stderr
    parsed = Graph().parse(data=result.stdout, format="nt")
    # every triple, the derived ratings included
    assert (None, URIRef("https://w3id.org/kratomkg/ontology/certainty"), None) in parsed
    assert (None, URIRef("https://w3id.org/kratomkg/ontology/appraisalText"), None) in parsed

    target = tmp_path / "out" / "graph.gexf"
    result = runner.invoke(cli, ["export", "--format", "gexf", "--view", "full", "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert target.read_text(encoding="utf-8").startswith('<?xml version="1.0"')
    assert [p.name for p in target.parent.iterdir()] == ["graph.gexf"], "no temp file left"


def test_cli_export_of_user_files(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["export", str(MINIMAL), "--format", "turtle"])
    assert result.exit_code == 0, result.stderr
    mine = Graph().parse(MINIMAL)
    exported = Graph().parse(data=result.stdout, format="turtle")
    assert set(mine) <= set(exported)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "turtle", "--view", "full"], "graph formats only"),
        (["--format", "yaml"], "Invalid value for '--format'"),
    ],
)
def test_cli_export_usage_errors_exit_2(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(cli, ["export", *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.output


def test_cli_export_help_has_an_example(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["export", "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output
    assert "kratomkg export" in result.output


def test_build_writes_every_export() -> None:
    from kratomkg.export import release_files
    from kratomkg.release import ARTEFACTS

    assert "kratomkg.rdf" in ARTEFACTS
    assert set(release_files()) <= set(ARTEFACTS)
    assert {"viewer.html", "kratomkg.graphml", "kratomkg-full.gexf", "kratomkg-edges.csv"} <= set(
        release_files()
    )
