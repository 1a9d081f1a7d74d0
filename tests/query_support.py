"""Helpers shared by the query tests: an Oxigraph server, answers compared across stores."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.term import Node

from kratomkg.querying.results import QueryResult

_NUMERIC = {
    "http://www.w3.org/2001/XMLSchema#" + name
    for name in ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger")
}


def canonical(term: Node | None) -> object:
    """A comparison key: numbers by value (Oxigraph writes 1260 where the source says 1260.0)."""
    if isinstance(term, Literal) and term.datatype and str(term.datatype) in _NUMERIC:
        return ("number", str(Decimal(str(term.toPython())).normalize()))
    return term


def answer(result: QueryResult) -> object:
    """Store-independent form of an answer: sorted rows, a boolean, or a set of triples."""
    if result.graph is not None:
        return sorted(tuple(str(canonical(t)) for t in triple) for triple in result.graph)
    if result.boolean is not None:
        return result.boolean
    return (result.variables, sorted(tuple(str(canonical(t)) for t in row) for row in result.rows))


def require_real_part(reason: str) -> None:
    """Skip, or fail where the real parts are required (CI sets KRATOMKG_REQUIRE_REAL_PARTS=1)."""
    if os.environ.get("KRATOMKG_REQUIRE_REAL_PARTS") == "1":
        pytest.fail(f"{reason} (KRATOMKG_REQUIRE_REAL_PARTS=1)")
    pytest.skip(reason)


def oxigraph_binary() -> str | None:
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file():
        return str(beside)
    return shutil.which("oxigraph")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def oxigraph_server(location: Path) -> Iterator[str]:
    """Run ``oxigraph serve`` on 127.0.0.1 and a free port; yield its base URL; stop it."""
    binary = oxigraph_binary()
    if binary is None:
        require_real_part("the Oxigraph server is not installed (pip install oxigraph)")
        raise AssertionError("unreachable")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = (location.parent / f"{location.name}.log").open("wb")
    process = subprocess.Popen(
        [
            binary,
            "serve",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=1):  # noqa: S310
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("oxigraph serve did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
