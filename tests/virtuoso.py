"""A throw-away OpenLink Virtuoso 7 (Debian's ``virtuoso-opensource``) for the endpoint tests.

The server runs from a fresh database in a temporary folder, with its SQL and HTTP ports on
free loopback ports, from a copy of Debian's ``virtuoso.ini`` with three changes besides the
paths: the plugins are not loaded (wiki and WBXML hosting, not needed and not always
installed), and the ``[SPARQL]`` result-size and time limits are removed. Virtuoso answers a
query that hits either limit with a *partial* result and status 200 ("anytime" queries), which
a validator would read as "fewer violations".

Data goes in through ``isql`` (``DB.DBA.TTLP_MT``) into one named graph. A query sent to
``/sparql`` without a dataset sees every graph of the quad store, Virtuoso's own system
graphs included; :meth:`Virtuoso.sparql_url` therefore names the loaded graphs as the
default graph with ``default-graph-uri`` (and as the named graphs with ``named-graph-uri``,
for queries with ``GRAPH``), which Virtuoso reads from the URL of a POST as well.

Virtuoso 7.2 never answers a POST whose body is the query itself (``Content-Type:
application/sparql-query``): it waits for a body it has already read. :class:`FormExecutor`
sends the compiled SHACL queries as an HTML form (``query=...``) instead, the POST every
SPARQL 1.1 server reads, so the compiled SPARQL can be compared on Virtuoso apart from that.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kratomkg.errors import QueryError
from kratomkg.querying.stores import http_call, read_sparql_json
from kratomkg.shacl.engine import Row, Term
from kratomkg.shacl.prebinding import substitute

from .query_support import _free_port, require_real_part

SERVER = "virtuoso-t"
ISQL = "isql-vt"
DEBIAN_INI = Path("/usr/share/virtuoso-opensource-7/virtuoso.ini")
START_TIMEOUT = 60.0
# Limits whose "anytime" answers are partial results with status 200: removed.
_UNLIMITED = {("SPARQL", "ResultSetMaxRows"), ("SPARQL", "MaxQueryExecutionTime")}
_UNLIMITED |= {("SPARQL", "MaxQueryCostEstimationTime")}


def installed() -> bool:
    return bool(shutil.which(SERVER) and shutil.which(ISQL) and DEBIAN_INI.is_file())


def _ini(source: str, folder: Path, sql_port: int, http_port: int) -> str:
    """Debian's ini with the database in ``folder``, loopback ports, no plugins, no limits."""
    debian_db = "/var/lib/virtuoso-opensource-7/db"
    values = {
        ("Parameters", "ServerPort"): f"127.0.0.1:{sql_port}",
        ("Parameters", "DirsAllowed"): f"., {folder}",
        ("HTTPServer", "ServerPort"): f"127.0.0.1:{http_port}",
        ("HTTPServer", "ServerRoot"): str(folder),
        ("URIQA", "DefaultHost"): f"127.0.0.1:{http_port}",
    }
    lines: list[str] = []
    section = ""
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1]
            lines.append(line)
            continue
        name = stripped.split("=", 1)[0].strip() if "=" in stripped else ""
        if stripped.startswith(";") or not name:
            lines.append(line)
        elif (section, name) in values:
            lines.append(f"{name} = {values[section, name]}")
        elif (section, name) in _UNLIMITED or (section == "Plugins" and name.startswith("Load")):
            lines.append(";" + line)
        else:
            lines.append(line.replace(debian_db, str(folder)))
    return "\n".join(lines) + "\n"


@dataclass
class Virtuoso:
    """A running server: its ports, folder, and the graphs loaded so far."""

    folder: Path
    sql_port: int
    http_port: int
    process: subprocess.Popen[bytes]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def isql(self, statement: str, timeout: float = 300.0) -> str:
        """Run one SQL statement; fail with Virtuoso's message if it reports an error."""
        done = subprocess.run(
            [ISQL, f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={statement}"],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        output = done.stdout + done.stderr
        if done.returncode != 0 or "*** Error" in output:
            raise AssertionError(f"isql {statement[:200]!r} failed:\n{output.strip()}")
        return output

    def load(self, path: Path, graph: str) -> None:
        """Replace the named graph ``graph`` with the N-Triples (or Turtle) file ``path``."""
        inside = self.folder / "load" / path.name
        inside.parent.mkdir(exist_ok=True)
        shutil.copyfile(path, inside)
        self.isql(f"SPARQL CLEAR GRAPH <{graph}>;")
        # TTLP_MT reads Turtle, N-Triples included; flags 0: strict, no relaxed syntax.
        self.isql(f"DB.DBA.TTLP_MT(file_to_string_output('{inside}'), '', '{graph}', 0);")
        inside.unlink()

    def count(self, graph: str) -> int:
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        request = urllib.request.Request(  # noqa: S310 - a local test server
            f"{self.base}/sparql?{urllib.parse.urlencode({'query': query})}",
            headers={"Accept": "application/sparql-results+json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            document = json.load(response)
        return int(document["results"]["bindings"][0]["n"]["value"])

    def sparql_url(self, default: Iterable[str], named: Iterable[str] = ()) -> str:
        """The /sparql URL whose dataset is ``default`` (merged) and the ``named`` graphs."""
        params = [("default-graph-uri", g) for g in default]
        params += [("named-graph-uri", g) for g in named]
        return f"{self.base}/sparql?{urllib.parse.urlencode(params)}"

    def stop(self) -> None:
        """Shut down cleanly (checkpoint-free ``shutdown``), then by signal if it lingers."""
        if self.process.poll() is None:
            with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
                self.isql("shutdown();", timeout=20)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.terminate()
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()


def _wait_until_ready(server: Virtuoso, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            server.isql("select 1;", timeout=10)
            with urllib.request.urlopen(f"{server.base}/sparql?query=ASK%7B%7D", timeout=5):  # noqa: S310
                return
        except (AssertionError, OSError, subprocess.TimeoutExpired):
            if server.process.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
                raise AssertionError(f"Virtuoso did not start:\n{tail}") from None
            time.sleep(0.25)


@contextlib.contextmanager
def virtuoso_server(folder: Path) -> Iterator[Virtuoso]:
    """Start Virtuoso on a fresh database in ``folder``; yield it; shut it down.

    Without Virtuoso installed the test is skipped, or fails where the real parts are
    required (KRATOMKG_REQUIRE_REAL_PARTS=1).
    """
    if not installed():
        require_real_part(
            "Virtuoso is not installed (apt-get install virtuoso-opensource: "
            f"{SERVER}, {ISQL}, {DEBIAN_INI})"
        )
    folder.mkdir(parents=True, exist_ok=True)
    sql_port = _free_port()
    http_port = _free_port()
    while http_port == sql_port:
        http_port = _free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(
        _ini(DEBIAN_INI.read_text(encoding="utf-8"), folder, sql_port, http_port),
        encoding="utf-8",
    )
    log = folder / "stdout.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [SERVER, "-f", "-c", str(ini)], cwd=folder, stdout=sink, stderr=subprocess.STDOUT
        )
        server = Virtuoso(folder, sql_port, http_port, process)
        try:
            _wait_until_ready(server, log)
            yield server
        finally:
            server.stop()


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _json_term(value: Mapping[str, str]) -> Term:
    """A term of SPARQL JSON results (Virtuoso writes typed literals as 'typed-literal')."""
    if value["type"] == "uri":
        return Term("iri", value["value"])
    if value["type"] == "bnode":
        return Term("bnode", value["value"])
    language = value.get("xml:lang")
    datatype = value.get("datatype", _LANG_STRING if language else _XSD_STRING)
    return Term("literal", value["value"], datatype, language)


@dataclass
class FormExecutor:
    """Run compiled SHACL queries on ``url``, each sent as an HTML form (``query=...``).

    The query text is what ``validate_endpoint`` sends; only the request differs, so a
    difference found through it lies in the SPARQL, not in the protocol. A query the server
    refuses is recorded in ``errors`` with the server's words, and answers no rows.
    """

    url: str
    timeout: float = 60.0
    errors: dict[str, str] = field(default_factory=dict)

    def __call__(self, query: str, bindings: Mapping[str, Term]) -> list[Row] | bool:
        if bindings:
            query = substitute(query, {n: t.sparql() for n, t in bindings.items()})
        request = urllib.request.Request(  # noqa: S310 - a local test server
            self.url,
            data=urllib.parse.urlencode({"query": query}).encode("utf-8"),
            headers={"Accept": "application/sparql-results+json"},
            method="POST",
        )
        opener = urllib.request.build_opener()
        try:
            _status, _type, body = http_call(opener, request, self.timeout, self.url)
        except QueryError as exc:
            self.errors[query] = str(exc).removeprefix(f"{self.url}: ")
            return []
        boolean, _variables, rows = read_sparql_json(body, self.url)
        if boolean is not None:
            return bool(boolean)
        return [{name: _json_term(term) for name, term in row.items()} for row in rows]
