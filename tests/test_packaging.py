"""The wheel carries the Turtle sources; the public API is explicit."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import kratomkg

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_contains_ontology_kb_and_shapes(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = tmp_path.glob("kratomkg-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        f"kratomkg/_data/{p.relative_to(ROOT).as_posix()}"
        for pattern in ("ontology/*.ttl", "ontology/kb/*.ttl", "shapes/*.ttl")
        for p in ROOT.glob(pattern)
    }
    assert expected, "no Turtle sources found in the tree"
    assert expected <= names
    # every derivation rule and every named query ships
    from kratomkg.derivation import RULES
    from kratomkg.querying.named import named_queries

    assert {f"kratomkg/rules/{rule}.rq" for rule in RULES} <= names
    assert {f"kratomkg/queries/{name}.rq" for name in named_queries()} <= names
    assert "kratomkg/py.typed" in names
    # The offline viewer inlines the vendored Cytoscape.js; its licence travels with it.
    assert "kratomkg/export/vendor/cytoscape.min.js" in names
    assert "kratomkg/export/vendor/cytoscape.LICENSE" in names
    assert "kratomkg/export/viewer.html" in names


def test_public_api_is_sorted_and_importable() -> None:
    assert kratomkg.__all__ == sorted(kratomkg.__all__)
    for name in kratomkg.__all__:
        assert getattr(kratomkg, name) is not None


def test_importing_the_cli_does_not_load_rdflib() -> None:
    code = "import sys, kratomkg.cli; print('rdflib' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
