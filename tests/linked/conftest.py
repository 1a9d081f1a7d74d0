"""A real ``kratomkg serve`` process (uvicorn) on 127.0.0.1, shared by the linked-data tests.

The server is started the way a user starts it, ``python -m kratomkg serve``, so the tests
exercise the command, the ASGI app and uvicorn together. :func:`running_server` starts
further servers with other options (limits, a backend) for the tests that need them.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest
from rdflib import BNode, URIRef
from rdflib.term import Node

from kratomkg.querying.pushing import SKOLEM_BASE
from kratomkg.querying.results import QueryResult, n3

from ..query_support import canonical

#: How long a server may take to load and derive the graph and start answering.
START_TIMEOUT = 90.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}sparql?query=ASK%7B%7D", timeout=2):  # noqa: S310
            return True
    except urllib.error.HTTPError:
        return True  # it answers, even if with an error: it is up
    except OSError:
        return False


@contextlib.contextmanager
def running_server(args: Sequence[str] = (), *, log: Path | None = None) -> Iterator[str]:
    """Run ``python -m kratomkg serve ARGS --port FREE``; yield ``http://127.0.0.1:PORT/``."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    sink = log.open("wb") if log is not None else subprocess.DEVNULL
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kratomkg",
            "serve",
            *args,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=sink,
        stderr=subprocess.STDOUT,
        env=env,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(url):
            if process.poll() is not None:
                detail = log.read_text(errors="replace")[-2000:] if log is not None else ""
                raise AssertionError(f"kratomkg serve exited with {process.returncode}\n{detail}")
            if time.monotonic() > deadline:
                raise AssertionError(f"kratomkg serve did not answer within {START_TIMEOUT:g} s")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log is not None:
            sink.close()  # type: ignore[union-attr]


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL (``http://127.0.0.1:PORT/``) of a server holding the shipped graph."""
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with running_server(log=log) as url:
        yield url


def term_key(term: Node | None) -> str:
    """A term as N-Triples-ish text, comparable across stores.

    Numbers compare by value; blank nodes (and the IRIs a push skolemizes them to) have no
    identity across stores, so they all read ``_:``.
    """
    if term is None:
        return ""
    if isinstance(term, BNode) or (isinstance(term, URIRef) and term.startswith(SKOLEM_BASE)):
        return "_:"
    key = canonical(term)
    return n3(term) if key is term else str(key)


def rows_key(variables: Sequence[str], rows: Sequence[Mapping[str, Node]]) -> object:
    """A table as the sorted list of its rows' term keys (variables in the given order)."""
    return sorted(tuple(term_key(row.get(v)) for v in variables) for row in rows)


def answer_key(result: QueryResult) -> object:
    """What :func:`rows_key` makes of a kratomkg answer (a boolean, a table or a graph)."""
    if result.boolean is not None:
        return result.boolean
    if result.graph is not None:
        return sorted(tuple(term_key(t) for t in triple) for triple in result.graph)
    return rows_key(result.variables, result.records())


def http(
    url: str,
    *,
    data: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 60.0,
) -> tuple[int, dict[str, str], bytes]:
    """GET (or POST ``data``) ``url``; return status, headers (lower-case names) and body."""
    request = urllib.request.Request(url, data=data, headers=dict(headers or {}))  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            head = {k.lower(): v for k, v in response.headers.items()}
            return response.status, head, response.read()
    except urllib.error.HTTPError as exc:
        head = {k.lower(): v for k, v in exc.headers.items()}
        return exc.code, head, exc.read()
