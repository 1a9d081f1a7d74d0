"""The SPARQL engine against pySHACL: same verdict, same results, on every fixture and more."""

from __future__ import annotations

import sys
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph

from kratomkg import load, validate
from kratomkg.cli import ENGINE_NAMES, cli
from kratomkg.derivation import derive
from kratomkg.errors import InputError, KratomKGError
from kratomkg.loading import union_graph
from kratomkg.report import ValidationReport
from kratomkg.shacl import (
    ENGINE_NAME,
    UnsupportedShapeError,
    compile_shapes,
    validate_endpoint,
    validate_store,
)
from kratomkg.store_loading import dataset_to_store, load_store

from .conftest import DATA, MINIMAL
from .query_support import oxigraph_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from generate import generate, planted_violations  # type: ignore[import-not-found]

FIXTURES = sorted([*(DATA / "invalid").glob("*.ttl"), *(DATA / "warning").glob("*.ttl")])
BAD_INPUT = sorted((DATA / "bad-input").iterdir())

Key = set[tuple[str, str | None, str, str]]


def key(report: ValidationReport) -> Key:
    return {(r.focus_node, r.path, r.constraint, r.severity) for r in report.results}


def assert_same(reference: ValidationReport, candidate: ValidationReport) -> None:
    assert candidate.engine == ENGINE_NAME
    assert candidate.conforms == reference.conforms
    assert key(candidate) == key(reference), candidate.to_text() + reference.to_text()


@pytest.mark.parametrize("fixture", [MINIMAL, *FIXTURES], ids=lambda p: p.stem)
def test_fixture_gives_the_same_results_as_pyshacl(fixture: Path) -> None:
    reference = validate(load([MINIMAL, fixture]))
    candidate = validate_store(load_store([MINIMAL, fixture]))
    assert_same(reference, candidate)
    # Messages, values and rule names agree too, so the text report is the same.
    assert candidate.to_text() == reference.to_text()


def test_shipped_graph_gives_the_same_results_as_pyshacl(shipped: Dataset) -> None:
    reference = validate(load())
    assert_same(reference, validate_store(load_store()))
    assert len(list(load_store())) >= len(shipped)


def test_a_loaded_dataset_can_be_validated_by_either_engine() -> None:
    dataset = load([MINIMAL, DATA / "invalid" / "claim-no-risk.ttl"])
    reference = validate(dataset)
    assert_same(reference, validate_store(dataset_to_store(dataset)))


@pytest.mark.parametrize("seed", [1, 2])
def test_generated_graph_with_random_breakage(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "generated.ttl"
    generate(40, 0.5, path, seed=seed)
    planted = planted_violations(path)
    assert planted
    candidate = validate_store(load_store([path]))
    assert key(candidate) == planted
    reference = validate(load([path]))
    assert key(reference) == planted
    assert candidate.conforms == reference.conforms


@pytest.mark.parametrize("bad", BAD_INPUT, ids=lambda p: p.name)
def test_bad_input_fails_the_same_way(bad: Path) -> None:
    with pytest.raises(KratomKGError) as reference:
        load([bad])
    with pytest.raises(KratomKGError) as candidate:
        load_store([bad])
    assert type(candidate.value) is type(reference.value)
    assert str(candidate.value).startswith(str(bad))
    assert getattr(candidate.value, "line", None) == getattr(reference.value, "line", None)


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "file is empty"), (b"  \n", "file is empty"), (b"\x00\x01ttl", "binary content")],
)
def test_unusable_files_are_refused(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "data.ttl"
    path.write_bytes(content)
    with pytest.raises(InputError, match=reason):
        load_store([path])


def test_file_without_statements_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "prefixes.ttl"
    path.write_text("@prefix ex: <https://example.org/> .\n", encoding="utf-8")
    with pytest.raises(InputError, match="no RDF statements"):
        load_store([path])


def test_quads_are_flattened_into_the_user_graph(tmp_path: Path) -> None:
    path = tmp_path / "data.trig"
    text = (MINIMAL).read_text(encoding="utf-8")
    prefixes = "".join(line + "\n" for line in text.splitlines() if line.startswith("@prefix"))
    body = "".join(line + "\n" for line in text.splitlines() if not line.startswith("@prefix"))
    path.write_text(prefixes + "<https://example.org/g> {\n" + body + "}\n", encoding="utf-8")
    report = validate_store(load_store([path]))
    assert report.conforms, report.to_text()
    assert report.results == ()


SHAPES_HEAD = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/> .
"""


@pytest.mark.parametrize(
    "shape",
    [
        # recursion: SHACL leaves its meaning open
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:node ex:S ; sh:nodeKind sh:IRI .",
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:node ex:S ] .",
        # what SHACL says a processor must reject in a SPARQL constraint
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select "
        '"SELECT $this WHERE { SERVICE <http://x> { $this ?p ?o } }" ] .',
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select "
        '"SELECT $this WHERE { $this ?p ?o MINUS { $this ?p 1 } }" ] .',
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select "
        '"SELECT $this WHERE { VALUES ?o { 1 } $this ?p ?o }" ] .',
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select "
        '"SELECT $this WHERE { BIND (ex:x AS $this) }" ] .',
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select "
        '"SELECT $this WHERE { $this ?p ?o { SELECT ?o WHERE { ?s ?q ?o } } }" ] .',
        # no shapes graph in the store; SHACL-AF
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select "
        '"SELECT $this WHERE { GRAPH $shapesGraph { $this ?p ?o } }" ] .',
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:rule [ a sh:TripleRule ] .",
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:unknownParameter 1 .",
        # a property parameter on a node shape, a nested count too large to unroll
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:minCount 1 .",
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:node [ sh:property "
        "[ sh:path ex:p ; sh:minCount 9 ] ] .",
    ],
)
def test_uncompiled_shape_features_are_refused(shape: str) -> None:
    shapes = Graph().parse(data=SHAPES_HEAD + shape, format="turtle")
    with pytest.raises(UnsupportedShapeError, match="refuses"):
        compile_shapes(shapes)


def test_engine_choices_name_the_engines() -> None:
    assert ENGINE_NAMES == ("auto", "pyshacl", ENGINE_NAME)


def test_auto_engine_is_sparql_when_pyoxigraph_is_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib.util

    from kratomkg.cli import _resolve_engine

    assert _resolve_engine("pyshacl") == "pyshacl"
    assert _resolve_engine("auto") == ENGINE_NAME  # pyoxigraph is a test dependency
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert _resolve_engine("auto") == "pyshacl"


@pytest.mark.parametrize("fixture", FIXTURES[:4], ids=lambda p: p.stem)
def test_cli_engine_sparql_reports_like_pyshacl(runner: CliRunner, fixture: Path) -> None:
    args = ["validate", str(MINIMAL), str(fixture)]
    reference = runner.invoke(cli, [*args, "--engine", "pyshacl"])
    candidate = runner.invoke(cli, [*args, "--engine", "sparql"])
    assert candidate.exit_code == reference.exit_code, candidate.output
    assert candidate.output == reference.output


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "--endpoint", "http://127.0.0.1:9/query", str(MINIMAL)],
        ["validate", "--endpoint", "http://127.0.0.1:9/query", "--engine", "pyshacl"],
        ["validate", "--endpoint", "file:///etc/passwd"],
        ["validate", "--endpoint", "http://127.0.0.1:9/query"],  # nothing listens there
    ],
)
def test_cli_endpoint_misuse_exits_2(runner: CliRunner, args: list[str]) -> None:
    result = runner.invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def _put_default_graph(base: str, dataset: Dataset) -> None:
    """Replace the server's default graph (Graph Store Protocol) with the dataset's union."""
    graph = union_graph(dataset)
    body = graph.serialize(format="nt", encoding="utf-8")
    request = urllib.request.Request(  # noqa: S310 - a local test server
        f"{base}/store?default",
        data=body,
        headers={"Content-Type": "application/n-triples"},
        method="PUT",
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        assert response.status in (200, 201, 204)


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> object:
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph") / "store") as base:
        yield base


ENDPOINT_CASES = [
    MINIMAL,
    DATA / "invalid" / "claim-hand-typed-rating.ttl",
    DATA / "invalid" / "source-no-identifier.ttl",
    DATA / "invalid" / "evidence-bad-sample-size.ttl",
    DATA / "warning" / "human-study-no-sample-size.ttl",
]


@pytest.mark.parametrize("fixture", ENDPOINT_CASES, ids=lambda p: p.stem)
def test_endpoint_gives_the_same_results_as_pyshacl(endpoint: str, fixture: Path) -> None:
    dataset = load([MINIMAL, fixture])
    reference = validate(dataset)  # derives into the dataset, as a release holds it
    derive(dataset)
    _put_default_graph(endpoint, dataset)
    assert_same(reference, validate_endpoint(f"{endpoint}/query"))


def test_endpoint_validates_the_shipped_graph_from_the_cli(
    endpoint: str, runner: CliRunner
) -> None:
    dataset = load()
    derive(dataset)
    _put_default_graph(endpoint, dataset)
    reference = runner.invoke(cli, ["validate"])
    result = runner.invoke(cli, ["validate", "--endpoint", f"{endpoint}/query"])
    assert result.exit_code == reference.exit_code == 0, result.output
    assert result.output == reference.output


def test_endpoint_url_must_be_http() -> None:
    with pytest.raises(InputError):
        validate_endpoint("ftp://example.org/sparql")
