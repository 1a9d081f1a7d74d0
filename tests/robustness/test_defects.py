"""Regression tests: each test pins down one way kratomkg once failed its users.

A validator must never pass what it did not check; a limit must be a real limit; nothing
the user had is moved aside. The servers here are deliberately wrong ones (a tiny HTTP
server on loopback that answers whatever the case needs); real servers are tested in
tests/test_query_endpoint.py and tests/test_sparql_engine.py.
"""

from __future__ import annotations

import http.server
import json
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import CliRunner

from kratomkg.cli import cli


class _Answers(http.server.BaseHTTPRequestHandler):
    """Answer every POST with the body the test set, as JSON; count the requests."""

    body: bytes = b"{}"
    content_type = "application/sparql-results+json"
    seen: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.seen.append(self.rfile.read(length).decode("utf-8", "replace"))
        self.send_response(200)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def server() -> Iterator[tuple[str, type[_Answers]]]:
    handler = type("Handler", (_Answers,), {"seen": []})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/query", handler
    finally:
        httpd.shutdown()
        httpd.server_close()


def _one_line_exit_2(result: object, *needles: str) -> None:
    stderr = result.stderr  # type: ignore[attr-defined]
    assert result.exit_code == 2, (result.exit_code, stderr)  # type: ignore[attr-defined]
    assert "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
    for needle in needles:
        assert needle in stderr


@pytest.mark.parametrize(
    "body",
    [
        b'{"not": "sparql"}',
        b'{"head": {}}',
        b'{"head": {"vars": ["this"]}, "results": {}}',
        b'{"head": {"vars": ["this"]}, "results": {"bindings": [{"this": {"value": "x"}}]}}',
        b"<html>It works!</html>",
        b"[]",
    ],
    ids=["other-json", "no-results", "no-bindings", "term-without-type", "html", "array"],
)
def test_validate_endpoint_never_conforms_on_an_answer_that_is_not_sparql(
    runner: CliRunner, server: tuple[str, type[_Answers]], body: bytes
) -> None:
    """A 200 reply that is not SPARQL results was read as "no violations"."""
    url, handler = server
    handler.body = body
    result = runner.invoke(cli, ["validate", "--endpoint", url])
    _one_line_exit_2(result, url)
    assert "conforms" not in result.output


def test_validate_endpoint_refuses_an_endpoint_without_kratomkg_data(
    runner: CliRunner, server: tuple[str, type[_Answers]]
) -> None:
    """An endpoint whose default graph is empty (data in named graphs) "conformed"."""
    url, handler = server
    handler.body = json.dumps({"head": {}, "boolean": False}).encode()
    result = runner.invoke(cli, ["validate", "--endpoint", url])
    _one_line_exit_2(result, url, "--union-default-graph", "no kratomkg release")
    assert len(handler.seen) == 1, "it must stop after asking, not run the constraints"
    # Queries go as a form POST (``query=…``), the one way every SPARQL 1.1 server answers.
    (question,) = urllib.parse.parse_qs(handler.seen[0])["query"]
    assert "owl#Ontology" in question


def test_query_endpoint_answer_that_is_not_sparql_is_one_line(
    runner: CliRunner, server: tuple[str, type[_Answers]]
) -> None:
    """A 200 reply of other JSON was a KeyError traceback."""
    url, handler = server
    handler.body = b'{"results": []}'
    result = runner.invoke(cli, ["query", "SELECT * WHERE { ?s ?p ?o }", "--endpoint", url])
    _one_line_exit_2(result, url, "not SPARQL 1.1 JSON results")


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e300", "0", "-5", "soon"])
@pytest.mark.parametrize(
    "command", [["query", "ASK {}"], ["push", "--endpoint", "http://127.0.0.1:9/store"]]
)
def test_timeout_must_be_a_real_time_limit(
    runner: CliRunner, command: list[str], value: str
) -> None:
    """--timeout nan, inf or 1e300 gave a traceback."""
    result = runner.invoke(cli, [*command, "--timeout", value])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "--timeout" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_query_api_refuses_a_timeout_that_is_no_limit() -> None:
    from kratomkg import QueryError, query

    for value in (float("nan"), float("inf"), 1e300, 0.0):
        with pytest.raises(QueryError, match="--timeout"):
            query("ASK {}", timeout=value)


def test_build_api_refuses_a_file_where_the_release_goes(tmp_path: Path) -> None:
    """``kratomkg.build(path)`` moved a regular file at path aside to a hidden name."""
    from kratomkg import InputError, build

    target = tmp_path / "notes.txt"
    target.write_text("my notes", encoding="utf-8")
    with pytest.raises(InputError, match="not a folder"):
        build(target)
    assert target.read_text(encoding="utf-8") == "my notes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize("engine", ["pyshacl", "sparql"])
def test_warnings_only_report_names_both_verdicts(runner: CliRunner, engine: str) -> None:
    """With warnings only, the SHACL report said sh:conforms true."""
    from rdflib import Graph, Literal
    from rdflib.namespace import SH

    from tests.conftest import DATA, MINIMAL

    warning = sorted((DATA / "warning").glob("*.ttl"))[0]
    files = [str(MINIMAL), str(warning)]
    as_json = runner.invoke(cli, ["validate", *files, "--engine", engine, "--format", "json"])
    assert as_json.exit_code == 0, as_json.output  # kratomkg: warnings do not fail
    payload = json.loads(as_json.stdout)
    assert payload["conforms"] is True
    assert payload["shaclConforms"] is False
    assert payload["warnings"] >= 1
    as_turtle = runner.invoke(cli, ["validate", *files, "--engine", engine, "--format", "turtle"])
    graph = Graph().parse(data=as_turtle.stdout, format="turtle")
    assert set(graph.objects(None, SH.conforms)) == {Literal(False)}  # SHACL: any result


def test_output_through_a_symlink_keeps_the_link(runner: CliRunner, tmp_path: Path) -> None:
    """-o renamed a temp file over a symbolic link, replacing the link."""
    import os

    real = tmp_path / "real.ttl"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.ttl"
    os.symlink(real, link)
    result = runner.invoke(cli, ["export", "--format", "turtle", "-o", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert os.readlink(link) == str(real)
    assert real.read_text(encoding="utf-8").startswith("@prefix")


def test_output_into_a_fifo_streams_into_it(runner: CliRunner, tmp_path: Path) -> None:
    """-o turned a FIFO into a regular file."""
    import os
    import stat

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as handle:
            received.append(handle.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    result = runner.invoke(cli, ["query", "ASK {}", "--format", "json", "-o", str(fifo)])
    reader.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert json.loads(received[0])["boolean"] is True


def test_output_into_a_device_writes_it_and_keeps_it_a_device(
    runner: CliRunner, tmp_path: Path
) -> None:
    """As root, -o /dev/full turned the device into a regular file."""
    import os
    import stat

    full = tmp_path / "full"
    try:
        os.mknod(full, stat.S_IFCHR | 0o666, os.makedev(1, 7))  # the same device as /dev/full
    except (PermissionError, OSError):
        pytest.skip("creating a device node needs root")
    result = runner.invoke(cli, ["export", "--format", "turtle", "-o", str(full)])
    assert result.exit_code == 2
    assert "No space left on device" in result.stderr
    assert stat.S_ISCHR(os.stat(full).st_mode), "the device must stay a device"


def test_output_onto_a_folder_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["export", "--format", "turtle", "-o", str(tmp_path)])
    _one_line_exit_2(result, str(tmp_path))


def test_curies_come_from_the_curies_library() -> None:
    """``curies`` was declared as a dependency but imported nowhere."""
    import curies

    from kratomkg.report import _converter, curie

    assert isinstance(_converter(), curies.Converter)
    assert curie("https://w3id.org/kratomkg/id/mor") == "kid:mor"
    assert curie("https://w3id.org/kratomkg/id/") == "<https://w3id.org/kratomkg/id/>"
    assert curie("https://example.org/x") == "<https://example.org/x>"


def test_build_clears_what_killed_builds_left(runner: CliRunner, tmp_path: Path) -> None:
    """Hidden staging and .old folders of killed builds piled up (168 MB)."""
    out = tmp_path / "dist"
    for litter in (".dist.abc123.staging", ".dist.def456.old"):
        (tmp_path / litter).mkdir()
        (tmp_path / litter / "kratomkg.ttl").write_text("half a release", encoding="utf-8")
    (tmp_path / ".notes.keep").mkdir()  # not ours: left alone
    result = runner.invoke(cli, ["build", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [".dist.lock", ".notes.keep", "dist"]


def test_a_release_caught_between_its_two_renames_comes_back(tmp_path: Path) -> None:
    """A build killed after moving the release aside, before moving the new one in, left no
    release folder at all; the next build then cleared the only copy as litter."""
    from kratomkg._io import release_lock

    old = tmp_path / ".dist.k1ll3d.old"
    old.mkdir()
    (old / "kratomkg.ttl").write_text("the previous release", encoding="utf-8")
    (tmp_path / ".dist.s7a6e.staging").mkdir()
    with release_lock(tmp_path / "dist"):
        assert (tmp_path / "dist" / "kratomkg.ttl").read_text() == "the previous release"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".dist.lock", "dist"]


def test_a_second_build_into_one_folder_fails_clearly(runner: CliRunner, tmp_path: Path) -> None:
    """Two concurrent builds into one --out had no lock."""
    import fcntl

    out = tmp_path / "dist"
    with open(tmp_path / ".dist.lock", "a+b") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # a build in progress
        result = runner.invoke(cli, ["build", "--out", str(out)])
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]  # after the progress lines
    assert last.startswith("kratomkg: error: ")
    assert "another kratomkg build" in last
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".dist.lock"]


@pytest.fixture
def raw_server(request: pytest.FixtureRequest) -> Iterator[str]:
    """A TCP server that answers every connection with ``request.param`` and hangs up."""
    import socket

    reply: bytes = request.param
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(2)
                try:
                    connection.recv(65536)
                    connection.sendall(reply)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


COMMANDS = {
    "query": lambda url: ["query", "ASK {}", "--endpoint", f"{url}/query"],
    "validate": lambda url: ["validate", "--endpoint", f"{url}/query"],
    "push": lambda url: ["push", "--endpoint", f"{url}/store"],
}


@pytest.mark.parametrize(
    "raw_server", [b"HELLO THERE\r\n\r\n", b""], ids=["not-http", "hangs-up"], indirect=True
)
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_reply_that_is_not_http_is_one_line_naming_the_endpoint(
    runner: CliRunner, raw_server: str, command: str
) -> None:
    """BadStatusLine and a closed connection gave tracebacks."""
    result = runner.invoke(cli, COMMANDS[command](raw_server))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("kratomkg: error: ")
    assert raw_server in last


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("url", ["http://[::1", "http://127.0.0.1:port", "http://"])
def test_a_malformed_url_is_one_line(runner: CliRunner, command: str, url: str) -> None:
    """A malformed URL (http://[::1) gave a traceback."""
    args = COMMANDS[command]("X")
    args = [url if a.startswith("X") else a for a in args]
    result = runner.invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert url in last


def test_a_query_file_that_is_not_utf8_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    """``query --file`` with non-UTF-8 bytes was a traceback."""
    path = tmp_path / "latin1.rq"
    path.write_bytes(b"# caf\xe9\nASK {}\n")
    result = runner.invoke(cli, ["query", "--file", str(path)])
    _one_line_exit_2(result, str(path), "line 1", "not UTF-8")
