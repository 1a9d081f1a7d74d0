"""The release: complete, round-trippable, deterministic, and atomic."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from kratomkg import build, load
from kratomkg.cli import cli
from kratomkg.errors import ValidationFailedError
from kratomkg.export.rdf import RDF_FORMATS
from kratomkg.loading import union_graph
from kratomkg.namespaces import GRAPH_DERIVED

from .conftest import DATA, MINIMAL


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("release") / "dist"
    build(out)
    return out


@pytest.fixture(scope="module")
def source() -> Dataset:
    dataset = load()
    from kratomkg import derive

    derive(dataset)
    return dataset


def test_release_holds_every_artefact(release: Path) -> None:
    names = {p.name for p in release.iterdir()}
    expected = {f"kratomkg{spec.extension}" for spec in RDF_FORMATS.values()}
    expected |= {"manifest.json", "report.md", "context.jsonld", "kratomkg.shapes.ttl"}
    assert expected <= names
    assert not [n for n in names if n.startswith(".")], "no temp files left behind"


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "jsonld"])
def test_triple_files_round_trip_isomorphic(release: Path, source: Dataset, fmt: str) -> None:
    spec = RDF_FORMATS[fmt]
    parsed = Graph().parse(
        release / f"kratomkg{spec.extension}",
        format={"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld"}[fmt],
    )
    assert isomorphic(parsed, union_graph(source))


@pytest.mark.parametrize("fmt", ["trig", "nquads"])
def test_quad_files_keep_named_graphs(release: Path, source: Dataset, fmt: str) -> None:
    spec = RDF_FORMATS[fmt]
    parsed = Dataset()
    parsed.parse(release / f"kratomkg{spec.extension}", format=fmt)
    names = {g.identifier for g in parsed.graphs() if len(g)}
    expected = {g.identifier for g in source.graphs() if len(g)}
    assert names == expected
    for name in expected:
        assert isomorphic(parsed.graph(name), source.graph(name)), name


def test_manifest_matches_files(release: Path) -> None:
    import kratomkg

    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] == kratomkg.__version__
    assert manifest["ontology_version_iri"].endswith("/" + kratomkg.__version__)
    assert manifest["validation"]["conforms"] is True
    assert manifest["triples"][str(GRAPH_DERIVED)] > 0
    for name, info in manifest["files"].items():
        data = (release / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == info["sha256"], name
        assert len(data) == info["bytes"]


def test_report_counts_ratings_and_lists_every_claim(release: Path, source: Dataset) -> None:
    from collections import Counter

    from rdflib.namespace import RDF, RDFS
    from rdflib.term import Node

    from kratomkg.namespaces import GRAPH_KB, KKG
    from kratomkg.report import curie

    text = (release / "report.md").read_text(encoding="utf-8")
    derived, kb = source.graph(GRAPH_DERIVED), source.graph(GRAPH_KB)
    claims = set(kb.subjects(RDF.type, KKG.Claim))
    assert claims

    def label(node: Node | None) -> str:
        return str(source.value(node, RDFS.label))

    for claim in claims:
        certainty = label(derived.value(claim, KKG.certainty))
        status = label(derived.value(claim, KKG.status))
        assert f"| `{curie(str(claim))}` | {certainty} | {status} |" in text, claim
    counts = Counter(label(derived.value(c, KKG.certainty)) for c in claims)
    section = text.split("## Claims by derived certainty", 1)[1].split("##", 1)[0]
    for name in ("high", "moderate", "low", "very low", "no human evidence"):
        assert f"| {name} | {counts.get(name, 0)} |" in section, name
    assert "## Evidence by study design" in text
    assert "## Claims by derived status" in text
    assert "evidence level" not in text.lower()
    assert "derived grade" not in text.lower()


def test_ontology_version_is_stamped_from_the_package(release: Path) -> None:
    import kratomkg

    text = (release / "kratomkg.ttl").read_text(encoding="utf-8")
    assert f'owl:versionInfo "{kratomkg.__version__}"' in text


def test_same_input_gives_byte_identical_release(release: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    build(again)
    for path in sorted(p for p in release.rglob("*") if p.is_file()):  # site/ too
        name = path.relative_to(release)
        assert (again / name).read_bytes() == path.read_bytes(), name


def test_failed_build_writes_nothing_and_keeps_previous_release(
    tmp_path: Path, runner: CliRunner
) -> None:
    out = tmp_path / "dist"
    out.mkdir()
    (out / "previous.txt").write_text("the last good release", encoding="utf-8")
    invalid = load([MINIMAL, DATA / "invalid" / "claim-no-evidence.ttl"])
    with pytest.raises(ValidationFailedError) as caught:
        build(out, dataset=invalid)
    assert caught.value.exit_code == 1
    assert [p.name for p in tmp_path.iterdir()] == ["dist"]
    assert (out / "previous.txt").read_text(encoding="utf-8") == "the last good release"


def test_cli_build_reports_progress(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["build", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "validating" in result.stderr
    assert (tmp_path / "out" / "kratomkg.ttl").is_file()
