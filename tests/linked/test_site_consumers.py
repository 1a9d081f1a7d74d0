"""Every RDF document of the static site, read by independent parsers.

Raptor's ``rapper`` and Apache Jena RIOT (strict) read every Turtle file; pyld (offline:
any remote context is refused) and rdflib read every JSON-LD file. The site's files are
written by kratomkg's own writers, so only readers that share no code with them can
show that other tools accept them.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph

from tests.browser import missing
from tests.consumers import jena_classpath
from tests.linked.site_release import built_release


@pytest.fixture(scope="module")
def site() -> Path:
    return built_release() / "site"


def _turtle_files(site: Path) -> list[Path]:
    files = sorted(site.rglob("*.ttl"))
    assert len(files) > 100
    return files


def test_rapper_reads_every_turtle_document(site: Path) -> None:
    if shutil.which("rapper") is None:
        missing("rapper (Debian package raptor2-utils) is not installed")
    failures = []
    for path in _turtle_files(site):
        run = subprocess.run(
            ["rapper", "-i", "turtle", "-c", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        count = re.search(r"returned (\d+) triples", run.stderr)
        if run.returncode or re.search(r"rapper: (Error|Warning)", run.stderr) or not count:
            failures.append(f"{path.relative_to(site)}: {run.stderr.strip()}")
        elif int(count.group(1)) == 0:
            failures.append(f"{path.relative_to(site)}: no triples")
    assert not failures, failures[:5]


def test_jena_riot_reads_every_turtle_document_strictly(site: Path, tmp_path: Path) -> None:
    files = _turtle_files(site)
    run = subprocess.run(
        ["java", "-cp", jena_classpath(tmp_path), "riotcmd.riot", "--strict", "--count"]
        + [str(p) for p in files],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    problems = [line for line in run.stderr.splitlines() if re.search(r"\b(WARN|ERROR)\b", line)]
    assert run.returncode == 0, run.stderr[-2000:]
    assert not problems, problems[:5]
    counts = [int(n) for n in re.findall(r"Triples\s*=\s*(\d+)", run.stdout + run.stderr)]
    assert counts, run.stdout[-500:] + run.stderr[-500:]
    assert sum(counts) >= len(files)


def _refuse(url: str, options: Any = None) -> Any:
    raise RuntimeError(f"no network: the document asked for {url}")


def test_pyld_and_rdflib_read_every_jsonld_document_offline(site: Path) -> None:
    pyld = pytest.importorskip("pyld")
    files = sorted(site.rglob("*.jsonld"))
    assert len(files) > 100

    for path in files:
        document = json.loads(path.read_text(encoding="utf-8"))
        nquads = pyld.jsonld.to_rdf(
            document, {"format": "application/n-quads", "documentLoader": _refuse}
        )
        lines = {line for line in nquads.splitlines() if line.strip()}
        graph = Graph().parse(path, format="json-ld")
        if set(document) != {"@context"}:  # context.jsonld, a context only, has no data
            assert lines, path
        assert len(lines) == len(graph), path.relative_to(site)
