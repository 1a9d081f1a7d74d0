"""Every row of the robustness table, run through the real ``kratomkg`` console script.

A row fails on any breach of the bad-input contract (see :mod:`tests.robustness.cases`):
the wrong exit code, anything but the expected stderr lines, a traceback, a file of the
user's changed, or a connection to the loopback listener that stands for the network.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.robustness.cases import CASES, Case, run_case
from tests.robustness.netguard import NetGuard

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = ("validate", "build", "stats", "query", "export", "push", "check", "queries")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case, guard: NetGuard, tmp_path: Path) -> None:
    outcome = run_case(case, tmp_path / "case", guard)
    assert outcome.passed, f"{case.id}: {'; '.join(outcome.problems)}\nstderr:\n{outcome.stderr}"


def test_case_ids_are_unique_slugs() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) for i in ids)


def test_the_table_covers_every_command_and_input_format() -> None:
    assert len(CASES) >= 60
    assert {c.command for c in CASES} >= set(COMMANDS)
    assert any("--engine" in c.args and "pyshacl" in c.args for c in CASES)
    assert any(c.command == "validate" and "--engine" not in c.args for c in CASES)
    exports = {c.args[c.args.index("--format") + 1] for c in CASES if c.command == "export"}
    from kratomkg.cli import EXPORT_FORMAT_NAMES

    assert exports == set(EXPORT_FORMAT_NAMES)
    suffixes = {Path(name).suffix for c in CASES for name in (*c.args, *c.files)}
    rdf = {".ttl", ".nt", ".nq", ".trig", ".jsonld", ".rdf", ".owl", ".xml"}
    articles = {".txt", ".md", ".html"}
    assert rdf | articles | {".rq"} <= suffixes


def test_every_untrusted_reference_points_at_the_listener() -> None:
    """A case that names something remote is a network case, so its count is checked."""
    for case in CASES:
        texts = [*case.args, *(v for v in case.files.values() if isinstance(v, str))]
        if any("{net}" in t for t in texts):
            assert case.network, case.id


def test_the_robustness_doc_lists_every_case() -> None:
    doc = (ROOT / "docs" / "robustness.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([a-z0-9-]+)` \|", doc, re.MULTILINE))
    assert listed == {c.id for c in CASES}
