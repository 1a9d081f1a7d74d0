"""Shared fixtures: data folders, the shipped graph (loaded once), a CLI runner."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset

from kratomkg import load

DATA = Path(__file__).parent / "data"
MINIMAL = DATA / "valid" / "minimal.ttl"
_EXPECT = re.compile(r"^# expect: (.+)$", re.MULTILINE)
KKS = "https://w3id.org/kratomkg/shapes/"


def expected_shapes(path: Path) -> set[str]:
    """Read the '# expect: kks:A kks:B' header of a fixture as full shape IRIs."""
    match = _EXPECT.search(path.read_text(encoding="utf-8"))
    assert match, f"{path.name} has no '# expect:' header"
    return {KKS + token.removeprefix("kks:") for token in match.group(1).split()}


@pytest.fixture(scope="session")
def shipped() -> Dataset:
    """The shipped knowledge graph, loaded once (tests must not modify it)."""
    return load()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
