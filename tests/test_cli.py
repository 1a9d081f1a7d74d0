"""The command line: exit codes, messages and help, run in-process with CliRunner."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import kratomkg
from kratomkg.cli import REPORT_FORMAT_NAMES, STATS_FORMAT_NAMES, cli
from kratomkg.counts import STATS_FORMATS
from kratomkg.report import REPORT_FORMATS

from .conftest import DATA, MINIMAL

BAD = DATA / "bad-input"


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert kratomkg.__version__ in result.output


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_with_an_example(runner: CliRunner, command: str) -> None:
    result = runner.invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output
    assert f"kratomkg {command}" in result.output


def test_format_choices_match_the_registries() -> None:
    assert tuple(REPORT_FORMATS) == REPORT_FORMAT_NAMES
    assert tuple(STATS_FORMATS) == STATS_FORMAT_NAMES


def test_validate_shipped_graph_exits_0(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["validate"])
    assert result.exit_code == 0, result.output
    assert "conforms" in result.output


def test_validate_json_report(runner: CliRunner) -> None:
    result = runner.invoke(
        cli,
        ["validate", str(MINIMAL), str(DATA / "invalid" / "claim-no-risk.ttl"), "--format", "json"],
    )
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["conforms"] is False
    assert payload["violations"] == 1
    assert payload["results"][0]["focus_node"] == "https://example.org/test/bad"
    assert payload["results"][0]["shape"] == "https://w3id.org/kratomkg/shapes/Claim-risk"


def test_validate_turtle_report_is_rdf(runner: CliRunner) -> None:
    from rdflib import Graph
    from rdflib.namespace import SH

    result = runner.invoke(
        cli,
        [
            "validate",
            str(MINIMAL),
            str(DATA / "invalid" / "claim-no-risk.ttl"),
            "--format",
            "turtle",
        ],
    )
    assert result.exit_code == 1
    graph = Graph().parse(data=result.stdout, format="turtle")
    assert len(list(graph.subjects(SH.resultSeverity, SH.Violation))) == 1


def test_validate_with_kb_merges_the_shipped_graph(runner: CliRunner, tmp_path: Path) -> None:
    # A claim that reuses shipped resources only resolves when the shipped graph is merged.
    extra = tmp_path / "extra.ttl"
    extra.write_text(
        "@prefix kkg: <https://w3id.org/kratomkg/ontology/> .\n"
        "@prefix kid: <https://w3id.org/kratomkg/id/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        'kid:claim-test a kkg:Claim ; rdfs:label "test"@en ;\n'
        "  kkg:claimSubject kid:mitragynine ; kkg:claimedEffect kid:effect-analgesia ;\n"
        # a proposition of its own: the shipped graph already claims analgesia in general
        "  kkg:forCondition kid:condition-fibromyalgia ;\n"
        "  kkg:hasEvidence kid:ev-vicknasingam2020-cold-pressor ;\n"
        "  kkg:hasRisk kid:risk-dependence .\n",
        encoding="utf-8",
    )
    alone = runner.invoke(cli, ["validate", str(extra)])
    merged = runner.invoke(cli, ["validate", str(extra), "--with-kb"])
    assert alone.exit_code == 1
    assert merged.exit_code == 0, merged.output


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("malformed.ttl", "line 4"),
        ("malformed.nt", "line 2"),
        ("broken.jsonld", "line 4"),
        ("remote-context.jsonld", "remote or external @context"),
        ("entity.rdf", "no external entities"),
        ("notes.xyz", "unknown RDF format '.xyz'"),
        ("does-not-exist.ttl", "no such file"),
    ],
)
def test_bad_input_is_one_line_exit_2(runner: CliRunner, name: str, expected: str) -> None:
    result = runner.invoke(cli, ["validate", str(BAD / name)])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert name in lines[0]
    assert expected in lines[0]
    assert "Traceback" not in result.output


def test_empty_and_binary_files_are_refused(runner: CliRunner, tmp_path: Path) -> None:
    empty = tmp_path / "empty.ttl"
    empty.write_text("", encoding="utf-8")
    binary = tmp_path / "binary.ttl"
    binary.write_bytes(bytes(range(256)) * 4)
    comments = tmp_path / "comments.ttl"
    comments.write_text("# nothing but a comment\n", encoding="utf-8")
    for path, message in (
        (empty, "file is empty"),
        (binary, "binary"),
        (comments, "no RDF statements"),
    ):
        result = runner.invoke(cli, ["validate", str(path)])
        assert result.exit_code == 2
        assert message in result.stderr
        assert str(path) in result.stderr


def test_unknown_option_is_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["validate", "--format", "yaml"])
    assert result.exit_code == 2


def test_stats_table_and_json(runner: CliRunner) -> None:
    text = runner.invoke(cli, ["stats"])
    assert text.exit_code == 0
    assert "Claim" in text.output
    assert "evidence design" in text.output
    assert "claim certainty" in text.output
    data = json.loads(runner.invoke(cli, ["stats", "--format", "json"]).output)
    assert data["classes"]["Claim"] > 0
    # every claim and every risk is rated exactly once, on the whole scale
    assert sum(data["claim_certainty"].values()) == data["classes"]["Claim"]
    assert sum(data["claim_status"].values()) == data["classes"]["Claim"]
    assert sum(data["risk_certainty"].values()) == data["classes"]["Risk"]
    assert list(data["claim_certainty"]) == [
        "high",
        "moderate",
        "low",
        "very low",
        "no human evidence",
    ]
    assert list(data["claim_status"]) == ["supported", "contested", "refuted", "no evidence"]
    assert sum(data["evidence_designs"].values()) == data["classes"]["Evidence"]


def test_installed_entry_point_runs() -> None:
    exe = shutil.which("kratomkg") or str(Path(sys.executable).parent / "kratomkg")
    done = subprocess.run(
        [exe, "validate", str(MINIMAL)], capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "conforms" in done.stdout
    module = subprocess.run(
        [sys.executable, "-m", "kratomkg", "--version"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert module.returncode == 0
    assert kratomkg.__version__ in module.stdout
