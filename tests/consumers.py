"""Independent consumers of kratomkg's outputs: Raptor's ``rapper`` and Apache Jena (Debian).

They share no code with rdflib or Oxigraph, so a file both accept is RDF by more than one
reading. Jena runs from Debian's ``libapache-jena-java`` jars; Debian's jena-core misses the
message files of its embedded Xerces, which are copied out of the jar into a folder put on
the class path (without them, Jena fails on the first XML Schema datatype message).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections.abc import Sequence
from pathlib import Path

from tests.browser import missing

JARS = Path("/usr/share/java")
_JENA_JARS = (
    "jena-base", "jena-core", "jena-iri", "jena-arq", "jena-cmds", "slf4j-api", "slf4j-simple",
    "commons-csv", "commons-io", "commons-lang3", "commons-codec", "commons-compress",
    "commons-cli", "dexx.collection", "gson", "httpclient", "httpclient-cache", "httpcore",
    "commons-logging", "jcl-over-slf4j", "jackson-core", "jackson-databind",
    "jackson-annotations", "jsonld-java", "titanium-json-ld", "jakarta.json-api", "protobuf",
    "thrift", "guava",
)  # fmt: skip
# Jena's own log lines that say nothing about the input.
_NOISE = re.compile(
    r"\] (INFO|WARN) org\.apache\.jena\.riot(\.RDFLanguages)? - "
    r"(File:|java-jsonld|Minimum jarfiles|If using a Jena)"
)


def jena_classpath(scratch: Path) -> str:
    """Return a class path for Jena's command-line tools (or skip / fail without Jena)."""
    core = JARS / "jena-core.jar"
    if shutil.which("java") is None or not core.is_file():
        missing("Apache Jena (Debian libapache-jena-java) and java are needed")
    fix = scratch / "jena-fix"
    if not (fix / "xerces").is_dir():
        prefix = "org/apache/jena/ext/xerces/"
        with zipfile.ZipFile(core) as jar:
            for name in jar.namelist():
                if name.startswith(prefix) and name.endswith(".properties"):
                    target = fix / "xerces" / name[len(prefix) :]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(jar.read(name))
    jars = [str(JARS / f"{name}.jar") for name in _JENA_JARS if (JARS / f"{name}.jar").is_file()]
    return ":".join([str(fix), *jars])


def riot_validate(files: Sequence[Path], scratch: Path, *, syntax: str | None = None) -> list[str]:
    """Strictly parse ``files`` with Jena RIOT in one run; return its complaints (none = OK)."""
    command = ["java", "-cp", jena_classpath(scratch), "riotcmd.riot", "--validate", "--strict"]
    if syntax:
        command += ["--syntax", syntax]
    done = subprocess.run(
        [*command, *map(str, files)], capture_output=True, text=True, timeout=600, check=False
    )
    complaints = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        if line.strip() and not _NOISE.search(line)
    ]
    if done.returncode != 0 and not complaints:
        complaints.append(f"riot exited {done.returncode}")
    return complaints


def rapper_count(path: Path, syntax: str) -> int:
    """Return how many triples ``rapper`` reads from ``path``; raise on any error or warning."""
    if shutil.which("rapper") is None:
        missing("rapper (Debian raptor2-utils) is needed")
    done = subprocess.run(
        ["rapper", "-i", syntax, "-c", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    problems = [ln for ln in done.stderr.splitlines() if "Error" in ln or "Warning" in ln]
    if done.returncode != 0 or problems:
        raise AssertionError(f"rapper rejected {path}: {problems or done.returncode}")
    found = re.search(r"returned (\d+) triples", done.stderr)
    return int(found.group(1)) if found else 0


def rsparql(service: str, query: Path, scratch: Path, results: str = "json") -> str:
    """Run Jena's ``rsparql`` (a real SPARQL protocol client) and return its output."""
    done = subprocess.run(
        [
            "java",
            "-cp",
            jena_classpath(scratch),
            "arq.rsparql",
            "--service",
            service,
            "--query",
            str(query),
            "--results",
            results,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"rsparql failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout
