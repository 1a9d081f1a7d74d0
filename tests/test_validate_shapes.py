"""``kratomkg validate DATA --shapes SHAPES``: a plain SHACL processor, on either engine."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH, XSD

from kratomkg.cli import cli
from kratomkg.shacl import UnsupportedShapeError
from kratomkg.shacl.general import validate_graphs, validate_shapes

HEAD = """
@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
SHAPES = (
    HEAD
    + """
ex:PersonShape a sh:NodeShape ;
    sh:targetClass ex:Person ;
    sh:property [ sh:path ex:age ; sh:maxCount 1 ; sh:datatype xsd:integer ] ;
    sh:property [ sh:path ( ex:knows ex:name ) ; sh:minCount 1 ] ;
    sh:property [ sh:path [ sh:inversePath ex:knows ] ; sh:node ex:Named ] ;
    sh:property [ sh:path ex:code ; sh:pattern "^[0-9]{3}$" ] .
ex:Named a sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .
"""
)
DATA = (
    HEAD
    + """
ex:ann a ex:Person ; ex:name "Ann" ; ex:knows ex:bob ; ex:age 30 ; ex:code "007" .
ex:bob a ex:Person ; ex:knows ex:cy ; ex:age "41"^^xsd:int, 41 ; ex:code "7" .
ex:cy a ex:Person ; ex:name "Cy" ; ex:knows ex:ann .
"""
)


def _keys(report: object) -> set[tuple[str, str | None, str, str | None]]:
    return {
        (r.focus_node, r.path if r.path and not r.path.startswith("_:") else r.path and "_:",
         r.constraint.rsplit("#", 1)[-1], r.value)
        for r in report.results  # type: ignore[attr-defined]
    }  # fmt: skip


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    data, shapes = tmp_path / "data.ttl", tmp_path / "shapes.ttl"
    data.write_text(DATA, encoding="utf-8")
    shapes.write_text(SHAPES, encoding="utf-8")
    return data, shapes


EXPECTED = {
    # bob: two ages once written (an xsd:int beside an xsd:integer), one of them not integer
    ("http://example.org/bob", "http://example.org/age", "MaxCountConstraintComponent", None),
    (
        "http://example.org/bob",
        "http://example.org/age",
        "DatatypeConstraintComponent",
        '"41"^^<http://www.w3.org/2001/XMLSchema#int>',
    ),
    # bob knows cy who has a name, but bob's code is not three digits
    ("http://example.org/bob", "http://example.org/code", "PatternConstraintComponent", '"7"'),
    # ann knows bob, who has no name: the sequence path finds nothing from ann? it finds
    # nothing from bob (cy has a name), so only the inverse path's sh:node fails, for cy
    ("http://example.org/ann", "_:", "MinCountConstraintComponent", None),
    ("http://example.org/cy", "_:", "NodeConstraintComponent", "http://example.org/bob"),
}


def test_files_are_validated_against_the_given_shapes_only(files: tuple[Path, Path]) -> None:
    data, shapes = files
    report = validate_shapes([data], [shapes], engine="sparql")
    assert _keys(report) == EXPECTED, report.to_text()
    assert not report.shacl_conforms


def test_both_engines_agree_on_general_shapes(files: tuple[Path, Path]) -> None:
    data, shapes = files
    sparql = validate_shapes([data], [shapes], engine="sparql")
    reference = validate_shapes([data], [shapes], engine="pyshacl")
    assert _keys(sparql) == _keys(reference) == EXPECTED


def test_literals_are_judged_as_written_not_as_stored(tmp_path: Path) -> None:
    """Oxigraph would store "01" as 1 and "2011-01-01"^^xsd:dateTime unchanged but valid."""
    data = tmp_path / "data.nt"
    data.write_text(
        f'<http://example.org/a> <http://example.org/code> "01"^^<{XSD.integer}> .\n'
        f'<http://example.org/a> <http://example.org/when> "2011-01-01"^^<{XSD.dateTime}> .\n',
        encoding="utf-8",
    )
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        HEAD
        + """
ex:S a sh:NodeShape ; sh:targetNode ex:a ;
    sh:property [ sh:path ex:code ; sh:maxLength 1 ; sh:in ( 1 ) ] ;
    sh:property [ sh:path ex:when ; sh:datatype xsd:dateTime ] .
""",
        encoding="utf-8",
    )
    report = validate_shapes([data], [shapes], engine="sparql")
    found = {(r.constraint.rsplit("#", 1)[-1], r.value) for r in report.results}
    code = '"01"^^<http://www.w3.org/2001/XMLSchema#integer>'
    when = '"2011-01-01"^^<http://www.w3.org/2001/XMLSchema#dateTime>'
    assert found == {
        ("MaxLengthConstraintComponent", code),  # "01" is two characters as written
        ("InConstraintComponent", code),  # and a different term from 1
        ("DatatypeConstraintComponent", when),  # ill-formed for xsd:dateTime
    }, report.to_text()


def test_cli_writes_a_shacl_report(runner: CliRunner, files: tuple[Path, Path]) -> None:
    data, shapes = files
    result = runner.invoke(
        cli, ["validate", str(data), "--shapes", str(shapes), "--format", "turtle"]
    )
    assert result.exit_code == 1, result.output
    report = Graph().parse(data=result.stdout, format="turtle")
    node = next(report.subjects(SH.conforms, None))
    assert report.value(node, SH.conforms) == Literal(False)
    assert len(set(report.objects(node, SH.result))) == len(EXPECTED)
    # a complex sh:resultPath is written as its path structure, not a bare blank node
    assert (None, SH.inversePath, URIRef("http://example.org/knows")) in report


def test_cli_conforming_data_exits_0(runner: CliRunner, tmp_path: Path) -> None:
    data, shapes = tmp_path / "d.ttl", tmp_path / "s.ttl"
    data.write_text(HEAD + "ex:a ex:age 3 .\n", encoding="utf-8")
    shapes.write_text(
        HEAD + "ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:age ; "
        "sh:property [ sh:path ex:age ; sh:datatype xsd:integer ] .\n",
        encoding="utf-8",
    )
    for engine in ("sparql", "pyshacl"):
        result = runner.invoke(
            cli, ["validate", str(data), "--shapes", str(shapes), "--engine", engine]
        )
        assert result.exit_code == 0, result.output
        assert "conforms" in result.output


def test_cli_refuses_uncompiled_shapes_in_one_line(runner: CliRunner, tmp_path: Path) -> None:
    data, shapes = tmp_path / "d.ttl", tmp_path / "s.ttl"
    data.write_text(HEAD + "ex:a a ex:C .\n", encoding="utf-8")
    shapes.write_text(
        HEAD + "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:node ex:S ; sh:nodeKind sh:IRI .\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        cli, ["validate", str(data), "--shapes", str(shapes), "--engine", "sparql"]
    )
    assert result.exit_code == 2
    assert "recursive" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "args",
    [
        ["--shapes", "{shapes}"],  # no data
        ["{data}", "--shapes", "{missing}"],
        ["{data}", "--shapes", "{shapes}", "--with-kb"],
    ],
)
def test_cli_misuse_exits_2(
    runner: CliRunner, files: tuple[Path, Path], tmp_path: Path, args: list[str]
) -> None:
    data, shapes = files
    filled = [a.format(data=data, shapes=shapes, missing=tmp_path / "nope.ttl") for a in args]
    result = runner.invoke(cli, ["validate", *filled])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_refusal_happens_before_the_data_is_read() -> None:
    shapes = Graph().parse(
        data=HEAD + "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:node ex:S .", format="turtle"
    )
    with pytest.raises(UnsupportedShapeError, match="recursive"):
        validate_graphs(Graph(), shapes, engine="sparql")


def test_graphs_in_memory_keep_their_datatypes() -> None:
    data = Graph()
    a, age = URIRef("http://example.org/a"), URIRef("http://example.org/age")
    data.add((a, age, Literal("1", datatype=XSD.int)))
    data.add((a, age, Literal("1", datatype=XSD.integer)))
    shapes = Graph().parse(
        data=HEAD + "ex:S a sh:NodeShape ; sh:targetNode ex:a ; "
        "sh:property [ sh:path ex:age ; sh:maxCount 1 ] .",
        format="turtle",
    )
    report = validate_graphs(data, shapes, engine="sparql")
    assert [r.constraint.rsplit("#", 1)[-1] for r in report.results] == [
        "MaxCountConstraintComponent"
    ]
