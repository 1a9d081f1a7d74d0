"""Regression tests for bad input files, on both loading paths.

The rdflib path (``--engine pyshacl``, ``export``) and the Oxigraph path (the default ``sparql``
engine of ``validate``) must take the same input the same way: a file either loads on both, or
is refused on both with one stderr line naming the file (and the line or JSON path where it
is known) and exit code 2, never a traceback.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pyoxigraph import NamedNode, QuerySolutions

from kratomkg import load
from kratomkg.cli import cli
from kratomkg.errors import ParseError
from kratomkg.parse import MAX_JSONLD_DEPTH
from kratomkg.store_loading import load_store
from tests.conftest import MINIMAL

EX = '{"ex": "https://example.org/"}'
TTL_HEAD = (
    "@prefix ex: <https://example.org/> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
)
RDF_HEAD = (
    '<?xml version="1.0"?>\n'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:ex="https://example.org/">\n'
)
COMMANDS = {
    "sparql": ["validate"],
    "pyshacl": ["validate", "--engine", "pyshacl"],
    "export": ["export", "--format", "turtle"],
}


def _refused(result: Result, path: Path) -> str:
    """Assert the one-line, exit-2 refusal of ``path``; return the line."""
    stderr = result.stderr
    assert result.exit_code == 2, (result.exit_code, stderr[-2000:])
    assert "Traceback" not in result.output
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr[-2000:]
    assert str(path) in lines[0]
    return lines[0]


def _refused_everywhere(runner: CliRunner, path: Path) -> dict[str, str]:
    """Run every loading command on ``path``; each must refuse it in one line."""
    return {
        name: _refused(runner.invoke(cli, [*args, str(path)]), path)
        for name, args in COMMANDS.items()
    }


def _nested(levels: int) -> str:
    return (
        f'{{"@context": {EX}, "@id": "ex:a", "ex:b": '
        + '{"ex:c": ' * levels
        + '"x"'
        + "}" * levels
        + "}"
    )


JSONLD_REFUSED = {
    "nested-objects": (_nested(400), f"deeper than {MAX_JSONLD_DEPTH}"),
    "nested-arrays": ("[" * 100_000 + "]" * 100_000, f"deeper than {MAX_JSONLD_DEPTH}"),
    "bare-string": ('"hello"', "must be a JSON object or array"),
    "bare-number": ("5", "must be a JSON object or array"),
    "id-number": (f'{{"@context": {EX}, "@id": 5, "ex:b": "x"}}', "@id"),
    "id-object": (f'{{"@context": {EX}, "@id": {{"a": 1}}, "ex:b": "x"}}', "@id"),
    "type-number": (f'{{"@context": {EX}, "@id": "ex:a", "@type": 7, "ex:b": "x"}}', "@type"),
    "type-list-of-numbers": (
        f'{{"@context": {EX}, "@id": "ex:a", "@type": [1], "ex:b": "x"}}',
        "@type",
    ),
    "vocab-number": (
        '{"@context": {"@vocab": 5}, "@id": "https://example.org/a", "b": "x"}',
        "@vocab",
    ),
    "base-list": (
        '{"@context": {"@base": ["x"]}, "@id": "a", "https://example.org/b": "x"}',
        "@base",
    ),
    "graph-of-ids": (
        f'{{"@context": {EX}, "@graph": [{{"@id": true, "ex:b": "x"}}]}}',
        "/@graph/0/@id",
    ),
    "context-number": ('{"@context": 5, "@id": "https://example.org/a"}', "@context"),
    "value-object": (
        '{"@id": "https://example.org/a", "https://example.org/p": {"@value": {"a": 1}}}',
        "@value",
    ),
}
JSONLD_ACCEPTED = {
    "json-literal": (
        '{"@context": {"p": {"@id": "https://example.org/p", "@type": "@json"}}, '
        '"@id": "https://example.org/a", "p": {"a": [1, {"@id": 5}]}}'
    ),
    "terms-with-spaces": (
        '{"@context": {"My Type": "https://example.org/T", "full name": "https://example.org/n"},'
        ' "@id": "https://example.org/a", "@type": "My Type", "full name": "x y"}'
    ),
}


@pytest.mark.parametrize("name", sorted(JSONLD_ACCEPTED))
def test_jsonld_keywords_are_checked_only_where_they_are_keywords(
    runner: CliRunner, tmp_path: Path, name: str
) -> None:
    path = tmp_path / f"{name}.jsonld"
    path.write_text(JSONLD_ACCEPTED[name], encoding="utf-8")
    for engine in ("sparql", "pyshacl"):
        result = runner.invoke(cli, ["validate", "--engine", engine, str(path)])
        assert result.exit_code == 0, (engine, result.output)


@pytest.mark.parametrize("name", sorted(JSONLD_REFUSED))
def test_unusable_jsonld_is_refused_the_same_way_on_both_paths(
    runner: CliRunner, tmp_path: Path, name: str
) -> None:
    """Deep nesting was a RecursionError, a bare string an UnboundLocalError, and ``@id: 5``
    loaded on the rdflib path (exported as Python text) while the SPARQL engine refused it."""
    text, needle = JSONLD_REFUSED[name]
    path = tmp_path / f"{name}.jsonld"
    path.write_text(text, encoding="utf-8")
    lines = _refused_everywhere(runner, path)
    assert all(needle in line for line in lines.values()), lines
    assert lines["sparql"] == lines["pyshacl"]


def test_deeply_nested_jsonld_names_the_line(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonld"
    path.write_text(_nested(40).replace('{"ex:c": ', '{"ex:c":\n', 1) + "\n", encoding="utf-8")
    assert path.read_text(encoding="utf-8").count("\n") == 2
    deep = tmp_path / "deeper.jsonld"
    deep.write_text("\n\n" + _nested(MAX_JSONLD_DEPTH + 5), encoding="utf-8")
    with pytest.raises(ParseError) as reference:
        load([deep])
    with pytest.raises(ParseError) as candidate:
        load_store([deep])
    assert reference.value.line == candidate.value.line == 3


def test_jsonld_nested_within_the_limit_loads_on_both_paths(tmp_path: Path) -> None:
    path = tmp_path / "nested.jsonld"
    path.write_text(_nested(MAX_JSONLD_DEPTH - 5), encoding="utf-8")
    dataset = load([path])
    store = load_store([path], derive=False)
    user = "https://w3id.org/kratomkg/graph/user"
    in_store = sum(1 for _ in store.quads_for_pattern(None, None, None, NamedNode(user)))
    assert in_store == len(dataset.graph(dataset.graph(user).identifier)) == MAX_JSONLD_DEPTH - 4


INVALID_IRIS = {
    "space.nt": '<http://exa mple.org/a> <https://example.org/p> "x" .\n',
    "brace.nt": (
        '<https://example.org/a> <https://example.org/p> "x" .\n'
        '<http://x/{a}> <https://example.org/p> "x" .\n'
    ),
    "not-an-iri.nt": "<https://example.org/a> <https://example.org/p> <not an iri> .\n",
    "space.ttl": TTL_HEAD + "\nex:a ex:p <http://exa mple.org/a> .\n",
    "brace.ttl": TTL_HEAD + "\nex:a ex:p <http://x/{a}> .\n",
    "pipe.ttl": TTL_HEAD + "\nex:a ex:p <http://x/a|b> .\n",
    "percent.ttl": TTL_HEAD + "\nex:a ex:p <http://x/%zz> .\n",
    "port.ttl": TTL_HEAD + "\nex:a ex:p <http://x:port/> .\n",
    "prefix.ttl": "@prefix ex: <http://exa mple.org/> .\nex:a ex:p 'x' .\n",
    "space.rdf": RDF_HEAD + '<rdf:Description rdf:about="http://exa mple.org/a">\n<ex:p>x</ex:p>\n'
    "</rdf:Description>\n</rdf:RDF>\n",
    "resource.rdf": RDF_HEAD + '<rdf:Description rdf:about="https://example.org/a">\n'
    '<ex:p rdf:resource="http://x/{a}"/>\n</rdf:Description>\n</rdf:RDF>\n',
    "graph.nq": '<https://example.org/a> <https://example.org/p> "x" <http://x/{g}> .\n',
    "graph.trig": TTL_HEAD + "\n<http://x/{g}> { ex:a ex:p 'x' . }\n",
    "id.jsonld": '{"@id": "http://x/{a}", "https://example.org/p": "x"}',
    "space.jsonld": '{"@id": "http://exa mple.org/a", "https://example.org/p": "x"}',
    "object.jsonld": (
        '{"@id": "https://example.org/a", "https://example.org/p": {"@id": "not an iri"}}'
    ),
    "key.jsonld": '{"@id": "https://example.org/a", "http://x/{p}": "x"}',
}
# Where the bad IRI is, when the syntax has lines.
IRI_LINES = {
    "space.nt": 1,
    "brace.nt": 2,
    "not-an-iri.nt": 1,
    "space.ttl": 4,
    "brace.ttl": 4,
    "pipe.ttl": 4,
    "percent.ttl": 4,
    "port.ttl": 4,
    "prefix.ttl": 1,
    "space.rdf": 3,
    "resource.rdf": 4,
    "graph.nq": 1,
    "graph.trig": 4,
}


def _rdflib_records(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.startswith("rdflib")]


@pytest.mark.parametrize("name", sorted(INVALID_IRIS))
def test_invalid_iris_are_refused_on_both_paths(
    runner: CliRunner, tmp_path: Path, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    """The rdflib path let invalid IRIs through: pySHACL exited 1 and export gave a traceback."""
    path = tmp_path / name
    path.write_text(INVALID_IRIS[name], encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        lines = _refused_everywhere(runner, path)
    assert _rdflib_records(caplog) == []
    line = IRI_LINES.get(name)
    if line is not None:
        assert all(f"line {line}" in text for text in lines.values()), lines
    else:
        assert all("@id" in text or "IRI" in text for text in lines.values()), lines


def test_a_valid_file_still_loads_after_the_iri_checks(runner: CliRunner) -> None:
    for args in COMMANDS.values():
        result = runner.invoke(cli, [*args, str(MINIMAL)])
        assert result.exit_code == 0, result.output


BIG = 17 * 1024 * 1024


@pytest.fixture(scope="module")
def big_literal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "big.ttl"
    path.write_text(TTL_HEAD + 'ex:a ex:note """' + "a" * BIG + '""" .\n', encoding="utf-8")
    return path


@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_a_literal_over_16_mib_is_read_by_both_engines(
    runner: CliRunner, big_literal: Path, engine: str
) -> None:
    """Oxigraph's streaming parser stopped at 16 MiB with a MemoryError traceback."""
    result = runner.invoke(cli, ["validate", "--engine", engine, str(big_literal)])
    assert result.exit_code == 0, result.output[-2000:]
    assert "Traceback" not in result.output


@pytest.mark.parametrize("suffix", [".nq", ".jsonld", ".nt"])
def test_a_literal_over_16_mib_loads_whole_in_every_streamed_syntax(
    tmp_path: Path, suffix: str
) -> None:
    value = "b" * BIG
    path = tmp_path / f"big{suffix}"
    if suffix == ".jsonld":
        path.write_text(
            json.dumps({"@id": "https://example.org/a", "https://example.org/p": value})
        )
    else:
        graph = " <https://example.org/g>" if suffix == ".nq" else ""
        path.write_text(f'<https://example.org/a> <https://example.org/p> "{value}"{graph} .\n')
    store = load_store([path], derive=False)
    rows = store.query("SELECT ?o WHERE { GRAPH ?g { <https://example.org/a> ?p ?o } }")
    assert isinstance(rows, QuerySolutions)
    (row,) = list(rows)
    assert len(row["o"].value) == BIG


def _ill_typed(old: str, new: str, tmp_path: Path) -> Path:
    text = MINIMAL.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "ill-typed.ttl"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("kkg:sampleSize 100 ;", 'kkg:sampleSize "abc"^^xsd:integer ;'),
        ('"12.5"^^xsd:decimal', '"abc"^^xsd:decimal'),
    ],
    ids=["integer", "decimal"],
)
def test_ill_typed_literals_are_findings_without_log_noise(
    runner: CliRunner,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    engine: str,
    old: str,
    new: str,
) -> None:
    """rdflib logged a traceback per ill-typed literal, burying the verdict on stderr."""
    path = _ill_typed(old, new, tmp_path)
    with caplog.at_level(logging.WARNING):
        result = runner.invoke(cli, ["validate", "--engine", engine, str(path)])
    assert _rdflib_records(caplog) == []
    assert result.exit_code == 1, result.output
    assert '"abc"^^<http://www.w3.org/2001/XMLSchema#' in result.stdout
    assert "Traceback" not in result.stderr
    assert "Failed to convert" not in result.stderr


def test_literal_logging_is_restored_after_loading(tmp_path: Path) -> None:
    logger = logging.getLogger("rdflib.term")
    before = (list(logger.filters), logger.disabled, logger.level)
    load([_ill_typed("kkg:sampleSize 100 ;", 'kkg:sampleSize "abc"^^xsd:integer ;', tmp_path)])
    assert (list(logger.filters), logger.disabled, logger.level) == before


MALFORMED_XML = {
    "mismatched.rdf": (RDF_HEAD + "<rdf:Description>\n</rdf:RDF>\n", 4),
    "unclosed.rdf": (
        RDF_HEAD + '<rdf:Description rdf:about="https://example.org/a">\n<ex:p>x\n',
        5,
    ),
    "truncated.rdf": (
        RDF_HEAD + '<rdf:Description rdf:about="https://example.org/a"><ex:p>x</ex:p>'
        "</rdf:Description>\n<rdf:Description>\n<ex:p>x\n",
        6,
    ),
    "unbound.rdf": (
        RDF_HEAD + "<rdf:Description>\n<zz:p>x</zz:p>\n</rdf:Description>\n</rdf:RDF>\n",
        4,
    ),
}


@pytest.mark.parametrize("name", sorted(MALFORMED_XML))
def test_malformed_rdf_xml_names_the_line_on_both_engines(
    runner: CliRunner, tmp_path: Path, name: str
) -> None:
    """The SPARQL engine reported malformed RDF/XML without a line number."""
    text, line = MALFORMED_XML[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    lines = {
        engine: _refused(runner.invoke(cli, ["validate", "--engine", engine, str(path)]), path)
        for engine in ("sparql", "pyshacl")
    }
    assert all(f"line {line}" in text for text in lines.values()), lines
    assert lines["sparql"] == lines["pyshacl"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_a_named_pipe_is_read_once(tmp_path: Path, engine: str) -> None:
    """The SPARQL engine opened each file three times, so a pipe hung it after the first read."""
    fifo = tmp_path / "data.ttl"
    os.mkfifo(fifo)
    payload = MINIMAL.read_bytes()

    def write_once() -> None:
        with fifo.open("wb") as stream:
            stream.write(payload)

    writer = threading.Thread(target=write_once, daemon=True)
    writer.start()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "kratomkg", "validate", "--engine", engine, str(fifo)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        if writer.is_alive():  # unblock the writer if the reader never opened the pipe
            with fifo.open("rb") as stream:
                stream.read()
        writer.join(timeout=10)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "the data conforms" in result.stdout
