"""The data contract, driven by fixture files: one invalid file per constraint."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kratomkg import load, validate
from kratomkg.cli import cli
from kratomkg.report import curie

from .conftest import DATA, MINIMAL, expected_shapes

INVALID = sorted((DATA / "invalid").glob("*.ttl"))
WARNING = sorted((DATA / "warning").glob("*.ttl"))


def test_minimal_graph_conforms_without_warnings() -> None:
    report = validate(load([MINIMAL]))
    assert report.conforms, report.to_text()
    assert report.results == ()


@pytest.mark.parametrize("fixture", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_fixture_breaks_exactly_its_rule(fixture: Path) -> None:
    report = validate(load([MINIMAL, fixture]))
    assert not report.conforms, f"{fixture.name} should violate the shapes"
    violated = {r.shape for r in report.results if r.severity == "Violation"}
    assert violated == expected_shapes(fixture), report.to_text()
    for result in report.results:
        assert result.message, "every constraint carries an sh:message"
        assert result.focus_node


@pytest.mark.parametrize("fixture", WARNING, ids=[p.stem for p in WARNING])
def test_weak_evidence_warns_but_conforms(fixture: Path) -> None:
    report = validate(load([MINIMAL, fixture]))
    assert report.conforms, report.to_text()
    assert {r.shape for r in report.results} == expected_shapes(fixture)
    assert all(r.severity == "Warning" for r in report.results)


def test_every_shape_constraint_has_a_message() -> None:
    from rdflib import Graph
    from rdflib.namespace import RDF, SH

    from kratomkg.resources import shape_files

    shapes = Graph()
    for path in shape_files():
        shapes.parse(path)
    constraints = set(shapes.subjects(RDF.type, SH.PropertyShape)) | set(
        shapes.subjects(RDF.type, SH.SPARQLConstraint)
    )
    assert constraints
    missing = [str(c) for c in constraints if shapes.value(c, SH.message) is None]
    assert missing == []


def test_every_named_constraint_has_an_invalid_fixture() -> None:
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDF, SH

    from kratomkg.resources import shape_files

    shapes = Graph()
    for path in shape_files():
        shapes.parse(path)
    named = {
        str(s)
        for kind in (SH.PropertyShape, SH.SPARQLConstraint)
        for s in shapes.subjects(RDF.type, kind)
        if isinstance(s, URIRef)
    }
    covered: set[str] = set()
    for fixture in [*INVALID, *WARNING]:
        covered |= expected_shapes(fixture)
    assert sorted(named - covered) == []


@pytest.mark.parametrize("fixture", INVALID[:3], ids=[p.stem for p in INVALID[:3]])
def test_cli_exits_1_and_names_focus_node_and_rule(runner: CliRunner, fixture: Path) -> None:
    result = runner.invoke(cli, ["validate", str(MINIMAL), str(fixture)])
    assert result.exit_code == 1, result.output
    for shape in expected_shapes(fixture):
        assert curie(shape) in result.output
    assert "ex" in result.output or "https://example.org/test/" in result.output


def test_shapes_pyshacl_refuses_are_an_error_never_a_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """A SPARQL constraint pySHACL will not run (it holds VALUES) must not read as 'conforms'."""
    from rdflib import Graph

    import kratomkg.validation as validation
    from kratomkg.errors import InputError

    refused = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <https://example.org/shapes/> .
        ex:S a sh:NodeShape ;
            sh:targetClass <https://w3id.org/kratomkg/ontology/Claim> ;
            sh:sparql [ sh:message "x" ;
                sh:select "SELECT $this WHERE { VALUES ?x { 1 } $this ?p ?x }" ] .
        """,
        format="turtle",
    )
    monkeypatch.setattr(validation, "load_shapes", lambda: refused)
    with pytest.raises(InputError, match="pySHACL could not validate"):
        validation.validate(load([MINIMAL]))
