"""Apache Jena from Debian, an independent consumer of kratomkg's outputs (RIOT, rsparql).

Jena shares no code with rdflib or Oxigraph, so a file it accepts is RDF by more than one
reading. It runs from Debian's ``libapache-jena-java`` jars; Debian's jena-core misses the
message files of its embedded Xerces, which are copied out of the jar into a folder put on
the class path (without them, Jena fails on the first XML Schema datatype message).
"""

from __future__ import annotations

import re
import shutil
import zipfile
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
