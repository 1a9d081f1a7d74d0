"""The command line as a newcomer meets it: readable tables, focused reports, one interface.

Query tables fit the terminal and name resources by their labels; validate can report only
the user's own results and fail on warnings; query takes its data files like every other
command; stats counts on Oxigraph with the same answer as rdflib.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS

from kratomkg.cli import cli
from kratomkg.querying.results import QueryResult

from ..conftest import DATA, MINIMAL

KID = "https://w3id.org/kratomkg/id/"
ROOT = Path(__file__).resolve().parents[2]
ENGINES = ("pyshacl", "sparql")

# A claim that reuses shipped resources: it only resolves with the shipped graph merged.
CLAIM_ON_SHIPPED = (
    "@prefix kkg: <https://w3id.org/kratomkg/ontology/> .\n"
    "@prefix kid: <https://w3id.org/kratomkg/id/> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    'kid:claim-test a kkg:Claim ; rdfs:label "test"@en ;\n'
    "  kkg:claimSubject kid:mitragynine ; kkg:claimedEffect kid:effect-analgesia ;\n"
    "  kkg:forCondition kid:condition-fibromyalgia ;\n"
    "  kkg:hasEvidence kid:ev-vicknasingam2020-cold-pressor"
)


def _invoke(runner: CliRunner, *args: str, columns: str | None = "80") -> tuple[int, str, str]:
    result = runner.invoke(cli, list(args), env={"COLUMNS": columns, "NO_COLOR": None})
    return result.exit_code, result.stdout, result.stderr


# --- query tables ----------------------------------------------------------------------------


@pytest.mark.parametrize("columns", ["60", "80", "132"])
def test_query_table_fits_the_terminal_width(runner: CliRunner, columns: str) -> None:
    code, out, err = _invoke(runner, "query", "--named", "article-claims", columns=columns)
    assert code == 0, err
    widths = [len(line) for line in out.splitlines()]
    assert max(widths) <= int(columns)
    assert out.rstrip().endswith("rows)")


def test_query_table_is_80_columns_without_a_terminal(runner: CliRunner) -> None:
    code, out, err = _invoke(runner, "query", "--named", "article-claims", columns=None)
    assert code == 0, err
    assert max(len(line) for line in out.splitlines()) <= 80


def test_query_table_names_resources_by_their_labels(runner: CliRunner, shipped: object) -> None:
    code, out, err = _invoke(
        runner, "query", "--named", "receptor-ligands", "--param", "receptor=kid:kor", columns="200"
    )
    assert code == 0, err
    label = shipped.value(URIRef(KID + "mitragynine"), RDFS.label)  # type: ignore[attr-defined]
    assert str(label) in out
    body = out.splitlines()[2:-1]
    assert not any("kid:mitragynine" in line for line in body)
    csv_code, csv_out, _ = _invoke(
        runner, "query", "--named", "receptor-ligands", "--param", "receptor=kid:kor",
        "--format", "csv",
    )  # fmt: skip
    assert csv_code == 0
    assert KID + "mitragynine" in csv_out  # CSV stays raw: full IRIs, no labels


def test_query_table_wraps_long_text_instead_of_cutting_it() -> None:
    from kratomkg.querying.table import render_table

    text = " ".join(f"word{i}" for i in range(80))
    result = QueryResult(
        form="SELECT", variables=("name", "text"), rows=[(Literal("short"), Literal(text))]
    )
    table = render_table(result, width=50)
    lines = table.splitlines()
    assert max(len(line) for line in lines) <= 50
    assert "…" not in table
    words = [w for line in lines[2:-1] for w in line.split() if w.startswith("word")]
    assert words == text.split()


def test_query_records_format_gives_one_record_per_row(runner: CliRunner) -> None:
    code, out, err = _invoke(
        runner, "query", "--named", "receptor-ligands", "--param", "receptor=kid:kor",
        "--format", "records",
    )  # fmt: skip
    assert code == 0, err
    csv_code, csv_out, _ = _invoke(
        runner, "query", "--named", "receptor-ligands", "--param", "receptor=kid:kor",
        "--format", "csv",
    )  # fmt: skip
    assert csv_code == 0
    rows = len(csv_out.strip().splitlines()) - 1
    assert sum(line.startswith("compound:") for line in out.splitlines()) == rows
    assert "mitragynine" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_query_records_keep_long_text_whole() -> None:
    from kratomkg.querying.table import render_records

    text = " ".join(f"word{i}" for i in range(80))
    result = QueryResult(form="SELECT", variables=("quote",), rows=[(Literal(text),)])
    lines = render_records(result, width=40).splitlines()
    assert lines[0].startswith("quote:")
    assert max(len(line) for line in lines) <= 40
    words = [w for line in lines for w in line.split() if w.startswith("word")]
    assert words == text.split()


def test_table_colour_is_off_off_a_terminal_and_under_no_color(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kratomkg.querying.table import color_wanted, render_table

    class Terminal:
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert color_wanted(Terminal())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not color_wanted(Terminal())
    assert not color_wanted(sys.stdout if not sys.stdout.isatty() else None)
    result = QueryResult(form="SELECT", variables=("x",), rows=[(Literal("a"),)])
    assert "\x1b[" in render_table(result, width=40, color=True)
    assert "\x1b[" not in render_table(result, width=40, color=False)
    code, out, _ = _invoke(runner, "query", "--named", "metabolites")
    assert code == 0
    assert "\x1b[" not in out


# --- validate: --only-mine, --fail-on, the --with-kb hint ---------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_validate_only_mine_reports_only_the_users_resources(
    runner: CliRunner, tmp_path: Path, engine: str
) -> None:
    mine = tmp_path / "mine.ttl"
    mine.write_text(CLAIM_ON_SHIPPED + " .\n", encoding="utf-8")  # no risk: one violation
    args = ["validate", str(mine), "--with-kb", "--engine", engine, "--format", "json"]
    code, out, _ = _invoke(runner, *args)
    everything = json.loads(out)
    assert code == 1
    assert everything["warnings"] > 0  # the shipped graph's own warnings
    code, out, err = _invoke(runner, *args, "--only-mine")
    assert code == 1
    report = json.loads(out)
    assert report["violations"] == 1
    assert report["warnings"] == 0
    assert {r["focus_node"] for r in report["results"]} == {KID + "claim-test"}
    assert "--only-mine" in err


def test_validate_only_mine_needs_files(runner: CliRunner) -> None:
    code, _, err = _invoke(runner, "validate", "--only-mine")
    assert code == 2
    assert "No such option" not in err
    assert "--only-mine: needs FILES" in err


@pytest.mark.parametrize("engine", ENGINES)
def test_validate_fail_on_warning_exits_1_on_a_warning(runner: CliRunner, engine: str) -> None:
    code, out, _ = _invoke(runner, "validate", "--engine", engine, "--format", "json")
    assert code == 0
    assert json.loads(out)["warnings"] > 0
    code, _, _ = _invoke(runner, "validate", "--engine", engine, "--fail-on", "violation")
    assert code == 0
    code, _, _ = _invoke(runner, "validate", "--engine", engine, "--fail-on", "warning")
    assert code == 1


@pytest.mark.parametrize("engine", ENGINES)
def test_validate_hints_at_with_kb_when_values_live_in_the_shipped_graph(
    runner: CliRunner, tmp_path: Path, engine: str
) -> None:
    mine = tmp_path / "mine.ttl"
    mine.write_text(CLAIM_ON_SHIPPED + " ; kkg:hasRisk kid:risk-dependence .\n", encoding="utf-8")
    code, _, err = _invoke(runner, "validate", str(mine), "--engine", engine)
    assert code == 1
    hints = [line for line in err.splitlines() if "--with-kb" in line]
    assert len(hints) == 1, err
    assert "hint" in hints[0]
    code, _, err = _invoke(runner, "validate", str(mine), "--with-kb", "--engine", engine)
    assert code == 0
    assert "hint" not in err
    broken = DATA / "invalid" / "claim-no-risk.ttl"
    code, _, err = _invoke(runner, "validate", str(MINIMAL), str(broken), "--engine", engine)
    assert code == 1
    assert "hint" not in err  # nothing of the shipped graph is named: no hint


# --- one interface: positional FILES for query, stats --with-kb, --param warnings -------------


def test_query_takes_data_files_positionally(runner: CliRunner) -> None:
    select = "SELECT ?c WHERE { ?c a kkg:Compound } ORDER BY ?c"
    positional = _invoke(runner, "query", select, str(MINIMAL), "--format", "csv")
    alias = _invoke(runner, "query", select, "--data", str(MINIMAL), "--format", "csv")
    assert positional[0] == 0, positional[2]
    assert positional == alias
    assert "https://example.org/test/alkaloid" in positional[1]
    assert KID + "mitragynine" not in positional[1]
    named = _invoke(runner, "query", "--named", "metabolites", str(MINIMAL), "--format", "csv")
    assert named[0] == 0, named[2]
    assert "https://example.org/test/metabolite" in named[1]
    with_kb = _invoke(
        runner, "query", "--named", "metabolites", str(MINIMAL), "--with-kb", "--format", "csv"
    )
    assert "https://example.org/test/metabolite" in with_kb[1]
    assert KID in with_kb[1]


def test_query_with_named_reads_every_argument_as_a_file(runner: CliRunner) -> None:
    code, _, err = _invoke(runner, "query", "--named", "metabolites", "missing.ttl")
    assert code == 2
    assert "missing.ttl" in err
    assert len(err.strip().splitlines()) == 1


def test_query_help_documents_positional_files(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["query", "--help"])
    assert "[QUERY] [FILES]..." in result.output


def test_stats_with_kb_and_no_files_says_what_it_counts(runner: CliRunner) -> None:
    code, out, err = _invoke(runner, "stats", "--with-kb")
    plain = _invoke(runner, "stats")
    assert code == 0
    assert out == plain[1]
    assert "--with-kb" in err
    assert "shipped" in err
    assert plain[2] == ""


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
def test_query_warns_when_a_bound_iri_is_not_in_the_graph(runner: CliRunner, store: str) -> None:
    args = ["query", "--named", "receptor-ligands", "--store", store, "--format", "csv"]
    code, out, err = _invoke(runner, *args, "--param", "receptor=kid:no-such-receptor")
    assert code == 0
    assert len(out.strip().splitlines()) == 1  # the header: no rows
    warnings = err.strip().splitlines()
    assert len(warnings) == 1, err
    assert "no-such-receptor" in warnings[0]
    code, _, err = _invoke(runner, *args, "--param", "receptor=kid:kor")
    assert code == 0
    assert err == ""


def test_query_param_takes_a_bare_slug_for_an_iri_parameter(runner: CliRunner) -> None:
    args = ["query", "--named", "receptor-ligands", "--format", "csv"]
    assert _invoke(runner, *args, "--param", "receptor=kor") == _invoke(
        runner, *args, "--param", "receptor=kid:kor"
    )
    docs = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert "--param receptor=mor" in docs


def test_shell_completion_is_documented_and_works() -> None:
    docs = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert "_KRATOMKG_COMPLETE=bash_source kratomkg" in docs
    exe = Path(sys.executable).parent / "kratomkg"
    env = {**os.environ, "_KRATOMKG_COMPLETE": "bash_source"}
    done = subprocess.run(
        [str(exe)], capture_output=True, text=True, env=env, check=False, timeout=60
    )
    assert done.returncode == 0
    assert "complete " in done.stdout
    assert "_KRATOMKG_COMPLETE" in done.stdout


# --- stats on Oxigraph ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paths", "kb"),
    [
        ((), None),
        ((MINIMAL,), None),
        ((MINIMAL, DATA / "warning" / "evidence-no-design.ttl"), True),
    ],
    ids=["shipped", "fixture", "fixture-with-kb"],
)
def test_stats_on_oxigraph_equal_stats_on_rdflib(paths: tuple[Path, ...], kb: bool | None) -> None:
    from kratomkg.counts import count_files

    fast = count_files(paths, kb=kb, engine="oxigraph")
    reference = count_files(paths, kb=kb, engine="rdflib")
    assert fast == reference
    assert fast.to_text() == reference.to_text()
    assert sum(fast.classes.values()) > 0


def test_stats_command_counts_without_building_an_rdflib_graph(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kratomkg.loading

    reference = _invoke(runner, "stats", "--format", "json")
    assert reference[0] == 0

    def no_rdflib(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("stats must load into Oxigraph when pyoxigraph is installed")

    monkeypatch.setattr(kratomkg.loading, "load", no_rdflib)
    fast = _invoke(runner, "stats", "--format", "json")
    assert fast == reference
