"""The robustness table: hostile, broken and odd inputs for every kratomkg command.

Each :class:`Case` is one row of data: the command line, the files its folder starts with,
the exit code it must end with and what its one stderr line must say. :func:`run_case`
runs the row through the real console script (``python -m kratomkg``) in a fresh folder,
so exit codes and tracebacks are the ones a user sees, and checks the contract every
command keeps on bad input:

* the expected exit code (2 for bad input, 0 or 1 when the input is fine);
* exactly the expected number of stderr lines (one for an error), each expected
  substring in them (the file, and the line where it is known), and no traceback;
* no file of the case's folder changed unless the row says the command writes it (so a
  ``-o`` target that existed before a failure is still byte-identical);
* no connection reached the loopback listener of :mod:`tests.robustness.netguard`: every
  remote reference in an untrusted input points at it, and so do the proxy variables.

``{net}`` in arguments, file contents and expected substrings stands for the listener's
URL. ``tests/robustness/test_cases.py`` runs every row; ``benchmarks/robustness_report.py``
runs them too and writes ``docs/robustness.md`` from this table.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tests.robustness.netguard import NetGuard, guarded_env

__all__ = ["CASES", "Case", "Fifo", "Folder", "Outcome", "run_case", "snapshot"]

TESTS = Path(__file__).resolve().parents[1]
BAD = TESTS / "data" / "bad-input"
MINIMAL = TESTS / "data" / "valid" / "minimal.ttl"
ARTICLES = TESTS / "data" / "articles"
NET = "{net}"
PREVIOUS = b"what the user had before\n"
MIB = 1 << 20


@dataclass(frozen=True)
class Fifo:
    """A named pipe; a writer feeds it ``content`` once the command opens it."""

    content: bytes


@dataclass(frozen=True)
class Folder:
    """A folder where a file is expected."""


Builder = Callable[[str], bytes]
Content = bytes | str | Builder | Fifo | Folder


@dataclass(frozen=True)
class Case:
    """One row: run ``kratomkg ARGS`` in a folder holding ``files``; expect ``exit``.

    ``stderr`` holds substrings the stderr lines must contain (together); ``lines`` is how
    many stderr lines there must be, progress lines (``kratomkg: ... ...``) aside.
    ``writes`` names the files the command may create or change; any other change fails.
    """

    id: str
    args: tuple[str, ...]
    about: str
    files: Mapping[str, Content] = field(default_factory=dict)
    exit: int = 2
    stderr: tuple[str, ...] = ()
    lines: int = 1
    writes: tuple[str, ...] = ()
    stdin: bytes | None = None
    timeout: float = 60.0
    network: bool = False

    @property
    def command(self) -> str:
        """The first word of the command line (validate, build, query ...)."""
        return self.args[0]


# ---------------------------------------------------------------------------------------
# Input builders. Small inputs: every case pays kratomkg's start-up and the ontology load.
# ---------------------------------------------------------------------------------------


def _bad(name: str) -> bytes:
    return (BAD / name).read_bytes()


def _minimal() -> bytes:
    return MINIMAL.read_bytes()


def _article(name: str) -> bytes:
    return (ARTICLES / name).read_bytes()


EX = "@prefix ex: <https://example.org/> .\n"
TRIPLE = EX + 'ex:a ex:b "c" .\n'
NT_TRIPLE = '<https://example.org/a> <https://example.org/b> "c" .\n'
NQ_MALFORMED = (
    '<https://example.org/a> <https://example.org/b> "c" <https://example.org/g> .\n'
    '<https://example.org/a> <https://example.org/b> "c" <https://example.org/g> <x> .\n'
)
TRIG_MALFORMED = EX + "ex:g {\n  ex:a ex:b ex:c .\n  ex:a ex:b .\n}\n"
BINARY = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01" + bytes(range(256)) * 4
LATIN1_TTL = (EX + 'ex:a ex:b "caf\xe9" .\n').encode("latin-1")
LATIN1_NT = ('<https://example.org/a> <https://example.org/b> "na\xefve" .\n').encode("latin-1")
INVALID_IRI_TTL = EX + 'ex:a ex:b "ok" .\n<https://exa mple.org/x y> ex:b "c" .\n'
ILL_TYPED_TTL = (
    EX + "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
    'ex:a ex:count "many"^^xsd:integer ; ex:when "yesterday"^^xsd:date .\n'
)
RDFXML_HEAD = (
    '<?xml version="1.0"?>\n'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
    ' xmlns:ex="https://example.org/">\n'
)
RDFXML_MALFORMED = (
    RDFXML_HEAD
    + '  <rdf:Description rdf:about="https://example.org/a">\n'
    + "    <ex:b>c</ex:c>\n"
    + "  </rdf:Description>\n</rdf:RDF>\n"
)
XXE_EXTERNAL_DTD = (
    '<?xml version="1.0"?>\n'
    '<!DOCTYPE rdf:RDF SYSTEM "{net}/kratom.dtd">\n'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
    ' xmlns:ex="https://example.org/">\n'
    '  <rdf:Description rdf:about="https://example.org/a"><ex:b>&ext;</ex:b>'
    "</rdf:Description>\n</rdf:RDF>\n"
)
XXE_PARAMETER_ENTITY = (
    '<?xml version="1.0"?>\n'
    '<!DOCTYPE rdf:RDF [ <!ENTITY % remote SYSTEM "{net}/evil.dtd"> %remote; ]>\n'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
    ' xmlns:ex="https://example.org/">\n'
    '  <rdf:Description rdf:about="https://example.org/a"><ex:b>c</ex:b>'
    "</rdf:Description>\n</rdf:RDF>\n"
)
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n'
    "<!DOCTYPE rdf:RDF [\n"
    '  <!ENTITY lol "lol">\n'
    + "".join(
        f'  <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + "]>\n"
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
    ' xmlns:ex="https://example.org/">\n'
    '  <rdf:Description rdf:about="https://example.org/a"><ex:b>&lol9;</ex:b>'
    "</rdf:Description>\n</rdf:RDF>\n"
)
OWL_IMPORTS_RDFXML = (
    '<?xml version="1.0"?>\n'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
    ' xmlns:owl="http://www.w3.org/2002/07/owl#">\n'
    '  <owl:Ontology rdf:about="https://example.org/onto">\n'
    '    <owl:imports rdf:resource="{net}/ontology.owl"/>\n'
    "  </owl:Ontology>\n</rdf:RDF>\n"
)


def _owl_imports_turtle(net: str) -> bytes:
    """The minimal valid graph plus an ontology header importing a remote IRI."""
    header = (
        "\n@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        f"<https://example.org/test/onto> a owl:Ontology ; owl:imports <{net}/ontology.ttl> .\n"
    )
    return _minimal() + header.encode()


def _deep_turtle(depth: int) -> Builder:
    return lambda _net: (
        EX + "ex:a ex:p " + "[ ex:p " * depth + "ex:z" + " ]" * depth + " .\n"
    ).encode()


def _deep_jsonld(depth: int) -> Builder:
    return lambda _net: (
        '{"@context": {"ex": "https://example.org/"}, "@id": "ex:a", "ex:p": '
        + '{"ex:p": ' * depth
        + '"z"'
        + "}" * depth
        + "}\n"
    ).encode()


def _huge_literal(mib: int) -> Builder:
    return lambda _net: (
        b'<https://example.org/a> <https://example.org/b> "' + b"x" * (mib * MIB) + b'" .\n'
    )


def _huge_article(_net: str) -> bytes:
    line = b"Kratom is said to relieve pain, but the evidence is weak.\n"
    return line * (11 * MIB // len(line))


def _many_lines_bad_end(_net: str) -> bytes:
    good = "".join(
        f"<https://example.org/s{i}> <https://example.org/p> <https://example.org/o> .\n"
        for i in range(20_000)
    )
    return (good + "<https://example.org/s> <https://example.org/p> .\n").encode()


REMOTE_CONTEXT = '{"@context": "{net}/context.jsonld", "@id": "https://example.org/a", "name": "x"}'
CATASTROPHIC_REGEX = 'SELECT ?x WHERE { BIND(REGEX("' + "a" * 40 + '!", "^(a+)+$") AS ?x) }'


# ---------------------------------------------------------------------------------------
# The table.
# ---------------------------------------------------------------------------------------

CASES: tuple[Case, ...] = (
    # --- validate, default engine (SPARQL on Oxigraph) -----------------------------------
    Case(
        "validate-ttl-malformed",
        ("validate", "bad.ttl"),
        "Turtle with an unterminated string",
        {"bad.ttl": _bad("malformed.ttl")},
        stderr=("bad.ttl", "line 4"),
    ),
    Case(
        "validate-ttl-empty",
        ("validate", "empty.ttl"),
        "an empty Turtle file",
        {"empty.ttl": b""},
        stderr=("empty.ttl", "empty"),
    ),
    Case(
        "validate-ttl-comments-only",
        ("validate", "nothing.ttl"),
        "Turtle with only comments",
        {"nothing.ttl": b"# nothing here\n"},
        stderr=("nothing.ttl", "no RDF statements"),
    ),
    Case(
        "validate-ttl-binary",
        ("validate", "image.ttl"),
        "a PNG saved as .ttl",
        {"image.ttl": BINARY},
        stderr=("image.ttl", "binary"),
    ),
    Case(
        "validate-ttl-latin1",
        ("validate", "latin1.ttl"),
        "Turtle in Latin-1, not UTF-8",
        {"latin1.ttl": LATIN1_TTL},
        stderr=("latin1.ttl", "UTF-8"),
    ),
    Case(
        "validate-ttl-directory",
        ("validate", "data.ttl"),
        "a folder named data.ttl",
        {"data.ttl": Folder()},
        stderr=("data.ttl", "directory"),
    ),
    Case(
        "validate-ttl-missing",
        ("validate", "missing.ttl"),
        "a file that does not exist",
        stderr=("missing.ttl", "no such file"),
    ),
    Case(
        "validate-ttl-fifo",
        ("validate", "pipe.ttl"),
        "a named pipe fed malformed Turtle",
        {"pipe.ttl": Fifo(_bad("malformed.ttl"))},
        stderr=("pipe.ttl",),
        timeout=30,
    ),
    Case(
        "validate-ttl-deep-nesting",
        ("validate", "deep.ttl"),
        "Turtle with blank nodes nested 50,000 deep",
        {"deep.ttl": _deep_turtle(50_000)},
        exit=0,
        lines=0,
    ),
    Case(
        "validate-nt-huge-literal",
        ("validate", "huge.nt"),
        "N-Triples with one 16 MiB literal",
        {"huge.nt": _huge_literal(16)},
        exit=0,
        lines=0,
    ),
    Case(
        "validate-ttl-invalid-iri",
        ("validate", "iri.ttl"),
        "an IRI with spaces",
        {"iri.ttl": INVALID_IRI_TTL},
        stderr=("iri.ttl", "line 3"),
    ),
    Case(
        "validate-ttl-owl-imports-remote",
        ("validate", "imports.ttl"),
        "a valid graph whose ontology owl:imports a remote IRI",
        {"imports.ttl": _owl_imports_turtle},
        exit=0,
        lines=0,
        network=True,
    ),
    Case(
        "validate-nt-malformed",
        ("validate", "bad.nt"),
        "N-Triples with a triple missing its object",
        {"bad.nt": _bad("malformed.nt")},
        stderr=("bad.nt", "line 2"),
    ),
    Case(
        "validate-nt-is-turtle",
        ("validate", "turtle.nt"),
        "Turtle (with @prefix) saved as .nt",
        {"turtle.nt": TRIPLE},
        stderr=("turtle.nt", "line 1"),
    ),
    Case(
        "validate-nt-bad-line-at-end",
        ("validate", "long.nt"),
        "20,000 good N-Triples lines, then a bad one",
        {"long.nt": _many_lines_bad_end},
        stderr=("long.nt", "line 20001"),
    ),
    Case(
        "validate-nq-malformed",
        ("validate", "bad.nq"),
        "N-Quads with a fifth term",
        {"bad.nq": NQ_MALFORMED},
        stderr=("bad.nq", "line 2"),
    ),
    Case(
        "validate-nq-graph-names",
        ("validate", "graphs.nq"),
        "well-formed N-Quads in a named graph",
        {"graphs.nq": NQ_MALFORMED.splitlines(True)[0]},
        exit=0,
        lines=0,
    ),
    Case(
        "validate-trig-malformed",
        ("validate", "bad.trig"),
        "TriG with a triple missing its object",
        {"bad.trig": TRIG_MALFORMED},
        stderr=("bad.trig", "line 4"),
    ),
    Case(
        "validate-jsonld-malformed",
        ("validate", "bad.jsonld"),
        "JSON-LD that is not JSON",
        {"bad.jsonld": _bad("broken.jsonld")},
        stderr=("bad.jsonld", "line 4"),
    ),
    Case(
        "validate-jsonld-remote-context",
        ("validate", "remote.jsonld"),
        "JSON-LD whose @context is a remote URL",
        {"remote.jsonld": REMOTE_CONTEXT},
        stderr=("remote.jsonld", "{net}/context.jsonld"),
        network=True,
    ),
    Case(
        "validate-jsonld-remote-context-list",
        ("validate", "list.jsonld"),
        "JSON-LD with a remote URL inside an @context list",
        {
            "list.jsonld": (
                '{"@context": [{"ex": "https://example.org/"}, "{net}/ctx"],'
                ' "@id": "ex:a", "ex:b": "c"}'
            )
        },
        stderr=("list.jsonld", "{net}/ctx"),
        network=True,
    ),
    Case(
        "validate-jsonld-context-import",
        ("validate", "import.jsonld"),
        "JSON-LD 1.1 @import of a remote context",
        {
            "import.jsonld": (
                '{"@context": {"@import": "{net}/imported", "ex": "https://example.org/"},'
                ' "@id": "ex:a", "ex:b": "c"}'
            )
        },
        stderr=("import.jsonld", "{net}/imported"),
        network=True,
    ),
    Case(
        "validate-jsonld-nested-remote-context",
        ("validate", "nested.json"),
        "a remote @context on a nested node (.json extension)",
        {
            "nested.json": (
                '{"@context": {"ex": "https://example.org/"}, "@id": "ex:a",'
                ' "ex:b": {"@context": "{net}/inner", "@id": "ex:c"}}'
            )
        },
        stderr=("nested.json", "{net}/inner"),
        network=True,
    ),
    Case(
        "validate-jsonld-deep-nesting",
        ("validate", "deep.jsonld"),
        "JSON-LD nested 100,000 objects deep",
        {"deep.jsonld": _deep_jsonld(100_000)},
        stderr=("deep.jsonld",),
    ),
    Case(
        "validate-jsonld-bare-string",
        ("validate", "string.jsonld"),
        "a JSON-LD document that is a bare string",
        {"string.jsonld": '"https://example.org/a"\n'},
        stderr=("string.jsonld",),
    ),
    Case(
        "validate-jsonld-id-number",
        ("validate", "id.jsonld"),
        'JSON-LD with "@id": 5',
        {"id.jsonld": '{"@id": 5, "https://example.org/b": "c"}\n'},
        stderr=("id.jsonld",),
    ),
    Case(
        "validate-jsonld-empty-object",
        ("validate", "empty.jsonld"),
        "the JSON-LD document {}",
        {"empty.jsonld": "{}\n"},
        stderr=("empty.jsonld", "no RDF statements"),
    ),
    Case(
        "validate-rdfxml-malformed",
        ("validate", "bad.rdf"),
        "RDF/XML with a mismatched tag",
        {"bad.rdf": RDFXML_MALFORMED},
        stderr=("bad.rdf", "line 4"),
    ),
    Case(
        "validate-rdfxml-xxe-external-dtd",
        ("validate", "xxe.rdf"),
        "RDF/XML with an external DTD at a remote URL",
        {"xxe.rdf": XXE_EXTERNAL_DTD},
        stderr=("xxe.rdf", "line 2", "DTD"),
        network=True,
    ),
    Case(
        "validate-rdfxml-local-entity",
        ("validate", "entity.rdf"),
        "RDF/XML with an entity reading /etc/passwd",
        {"entity.rdf": _bad("entity.rdf")},
        stderr=("entity.rdf", "line 2", "DTD"),
        network=True,
    ),
    Case(
        "validate-xml-parameter-entity",
        ("validate", "param.xml"),
        "a remote parameter entity (.xml extension)",
        {"param.xml": XXE_PARAMETER_ENTITY},
        stderr=("param.xml", "line 2"),
        network=True,
    ),
    Case(
        "validate-owl-billion-laughs",
        ("validate", "laughs.owl"),
        "the billion laughs entity expansion (.owl extension)",
        {"laughs.owl": BILLION_LAUGHS},
        stderr=("laughs.owl", "line 2"),
        network=True,
    ),
    Case(
        "validate-owl-imports-remote",
        ("validate", "onto.owl"),
        "an RDF/XML ontology that owl:imports a remote IRI",
        {"onto.owl": OWL_IMPORTS_RDFXML},
        exit=0,
        lines=0,
        network=True,
    ),
    Case(
        "validate-unknown-extension",
        ("validate", "notes.xyz"),
        "a file of unknown extension",
        {"notes.xyz": _bad("notes.xyz")},
        stderr=("notes.xyz", "unknown RDF format"),
    ),
    # --- validate --engine pyshacl (rdflib) ---------------------------------------------
    Case(
        "pyshacl-ttl-malformed",
        ("validate", "--engine", "pyshacl", "bad.ttl"),
        "Turtle with an unterminated string",
        {"bad.ttl": _bad("malformed.ttl")},
        stderr=("bad.ttl", "line 4"),
    ),
    Case(
        "pyshacl-nt-latin1",
        ("validate", "--engine", "pyshacl", "latin1.nt"),
        "N-Triples in Latin-1",
        {"latin1.nt": LATIN1_NT},
        stderr=("latin1.nt", "UTF-8"),
    ),
    Case(
        "pyshacl-trig-malformed",
        ("validate", "--engine", "pyshacl", "bad.trig"),
        "TriG with a triple missing its object",
        {"bad.trig": TRIG_MALFORMED},
        stderr=("bad.trig", "line 4"),
    ),
    Case(
        "pyshacl-jsonld-remote-context",
        ("validate", "--engine", "pyshacl", "remote.jsonld"),
        "JSON-LD whose @context is a remote URL",
        {"remote.jsonld": REMOTE_CONTEXT},
        stderr=("remote.jsonld", "{net}/context.jsonld"),
        network=True,
    ),
    Case(
        "pyshacl-rdfxml-malformed",
        ("validate", "--engine", "pyshacl", "bad.rdf"),
        "RDF/XML with a mismatched tag",
        {"bad.rdf": RDFXML_MALFORMED},
        stderr=("bad.rdf", "line 4"),
    ),
    Case(
        "pyshacl-rdfxml-xxe-external-dtd",
        ("validate", "--engine", "pyshacl", "xxe.rdf"),
        "RDF/XML with an external DTD at a remote URL",
        {"xxe.rdf": XXE_EXTERNAL_DTD},
        stderr=("xxe.rdf", "line 2"),
        network=True,
    ),
    Case(
        "pyshacl-ttl-invalid-iri",
        ("validate", "--engine", "pyshacl", "iri.ttl"),
        "an IRI with spaces",
        {"iri.ttl": INVALID_IRI_TTL},
        stderr=("iri.ttl",),
    ),
    Case(
        "pyshacl-ttl-ill-typed-literal",
        ("validate", "--engine", "pyshacl", "typed.ttl"),
        'ill-typed literals ("many"^^xsd:integer) on resources no shape targets',
        {"typed.ttl": ILL_TYPED_TTL},
        exit=0,
        lines=0,
    ),
    Case(
        "pyshacl-ttl-fifo",
        ("validate", "--engine", "pyshacl", "pipe.ttl"),
        "a named pipe fed malformed Turtle",
        {"pipe.ttl": Fifo(_bad("malformed.ttl"))},
        stderr=("pipe.ttl",),
        timeout=30,
    ),
    Case(
        "pyshacl-ttl-owl-imports-remote",
        ("validate", "--engine", "pyshacl", "imports.ttl"),
        "a valid graph whose ontology owl:imports a remote IRI",
        {"imports.ttl": _owl_imports_turtle},
        exit=0,
        lines=0,
        network=True,
    ),
    Case(
        "pyshacl-nq-empty",
        ("validate", "--engine", "pyshacl", "empty.nq"),
        "an N-Quads file of blank lines",
        {"empty.nq": b"\n\n  \n"},
        stderr=("empty.nq", "empty"),
    ),
    # --- stats (rdflib) ---------------------------------------------------------------------
    Case(
        "stats-ttl-deep-nesting",
        ("stats", "deep.ttl"),
        "Turtle with blank nodes nested 50,000 deep",
        {"deep.ttl": _deep_turtle(50_000)},
        exit=0,
        lines=0,
    ),
    Case(
        "stats-ttl-huge-literal",
        ("stats", "huge.ttl"),
        "Turtle with one 16 MiB literal",
        {"huge.ttl": _huge_literal(16)},
        exit=0,
        lines=0,
    ),
    Case(
        "stats-nt-long-literal",
        ("stats", "long.nt"),
        "N-Triples with one 4 MiB literal",
        {"long.nt": _huge_literal(4)},
        exit=0,
        lines=0,
    ),
    Case(
        "stats-json-is-turtle",
        ("stats", "data.json"),
        "Turtle saved as .json",
        {"data.json": TRIPLE},
        stderr=("data.json",),
    ),
    Case(
        "stats-trig-binary",
        ("stats", "--format", "json", "blob.trig"),
        "binary bytes as .trig",
        {"blob.trig": BINARY},
        stderr=("blob.trig", "binary"),
    ),
    Case(
        "stats-ttl-ill-typed-literal",
        ("stats", "typed.ttl"),
        "ill-typed literals",
        {"typed.ttl": ILL_TYPED_TTL},
        exit=0,
        lines=0,
    ),
    Case(
        "stats-missing-with-kb",
        ("stats", "--with-kb", "gone.nq"),
        "a missing file with --with-kb",
        stderr=("gone.nq", "no such file"),
    ),
    # --- query --------------------------------------------------------------------------------
    Case(
        "query-service",
        ("query", "SELECT * WHERE { SERVICE <{net}/sparql> { ?s ?p ?o } }"),
        "SERVICE to a remote endpoint",
        stderr=("SERVICE", "{net}/sparql", "refused"),
        network=True,
    ),
    Case(
        "query-service-oxigraph",
        (
            "query",
            "--data",
            "tiny.ttl",
            "--store",
            "oxigraph",
            "SELECT * WHERE { SERVICE SILENT <{net}/sparql> { ?s ?p ?o } }",
        ),
        "SERVICE SILENT on the Oxigraph store",
        {"tiny.ttl": TRIPLE},
        stderr=("SERVICE", "{net}/sparql"),
        network=True,
    ),
    Case(
        "query-load",
        ("query", "--data", "tiny.ttl", "LOAD <{net}/data.ttl>"),
        "a LOAD update",
        {"tiny.ttl": TRIPLE},
        stderr=("LOAD", "refused"),
        network=True,
    ),
    Case(
        "query-from-remote",
        ("query", "--data", "tiny.ttl", "SELECT * FROM <{net}/graph> WHERE { ?s ?p ?o }"),
        "FROM a remote graph",
        {"tiny.ttl": TRIPLE},
        stderr=("FROM <{net}/graph>", "refused"),
        network=True,
    ),
    Case(
        "query-from-named-remote",
        (
            "query",
            "--data",
            "tiny.ttl",
            "SELECT * FROM NAMED <{net}/named> WHERE { GRAPH ?g { ?s ?p ?o } }",
        ),
        "FROM NAMED a remote graph",
        {"tiny.ttl": TRIPLE},
        stderr=("FROM NAMED", "{net}/named", "refused"),
        network=True,
    ),
    Case(
        "query-file-service",
        ("query", "--data", "tiny.ttl", "--file", "remote.rq"),
        "a .rq file with SERVICE",
        {
            "tiny.ttl": TRIPLE,
            "remote.rq": "SELECT * WHERE {\n  SERVICE <{net}/q> { ?s ?p ?o }\n}\n",
        },
        stderr=("remote.rq", "SERVICE", "{net}/q"),
        network=True,
    ),
    Case(
        "query-file-malformed",
        ("query", "--data", "tiny.ttl", "--file", "bad.rq"),
        "a .rq file with a syntax error on line 2",
        {"tiny.ttl": TRIPLE, "bad.rq": "SELECT ?s\nWHERE { ?s ?p }\n"},
        stderr=("bad.rq", "line 2"),
    ),
    Case(
        "query-file-empty",
        ("query", "--data", "tiny.ttl", "--file", "empty.rq"),
        "an empty .rq file",
        {"tiny.ttl": TRIPLE, "empty.rq": b""},
        stderr=("empty.rq", "empty"),
    ),
    Case(
        "query-file-latin1",
        ("query", "--file", "latin1.rq"),
        "a .rq file in Latin-1",
        {"latin1.rq": b"ASK {}\n# caf\xe9\n"},
        stderr=("latin1.rq", "line 2", "UTF-8"),
    ),
    Case(
        "query-file-binary",
        ("query", "--file", "blob.rq"),
        "binary bytes as .rq",
        {"blob.rq": BINARY},
        stderr=("blob.rq",),
    ),
    Case(
        "query-file-missing",
        ("query", "--file", "gone.rq"),
        "a .rq file that does not exist",
        stderr=("gone.rq", "no such file"),
    ),
    Case(
        "query-data-ttl-malformed",
        ("query", "--data", "bad.ttl", "ASK {}"),
        "--data Turtle with an unterminated string",
        {"bad.ttl": _bad("malformed.ttl")},
        stderr=("bad.ttl", "line 4"),
    ),
    Case(
        "query-data-xxe-oxigraph",
        ("query", "--store", "oxigraph", "--data", "xxe.rdf", "ASK {}"),
        "--data RDF/XML with an external DTD, on Oxigraph",
        {"xxe.rdf": XXE_EXTERNAL_DTD},
        stderr=("xxe.rdf", "line 2"),
        network=True,
    ),
    Case(
        "query-data-remote-context",
        ("query", "--data", "remote.jsonld", "ASK {}"),
        "--data JSON-LD with a remote @context",
        {"remote.jsonld": '{"@context": "{net}/c", "@id": "https://example.org/a", "name": "x"}'},
        stderr=("remote.jsonld", "{net}/c"),
        network=True,
    ),
    Case(
        "query-describe-remote-iri",
        ("query", "--data", "tiny.ttl", "DESCRIBE <{net}/thing>"),
        "DESCRIBE of a remote IRI answers from the local graph",
        {"tiny.ttl": TRIPLE},
        exit=0,
        lines=0,
        network=True,
    ),
    Case(
        "query-regex-timeout",
        ("query", "--data", "tiny.ttl", "--timeout", "2", CATASTROPHIC_REGEX),
        "a catastrophically backtracking REGEX with --timeout 2",
        {"tiny.ttl": TRIPLE},
        stderr=("time limit",),
        timeout=45,
    ),
    Case(
        "query-output-kept-on-error",
        ("query", "--data", "tiny.ttl", "-o", "answer.csv", "SELECT ?s WHERE { ?s }"),
        "a malformed query with an -o file that exists",
        {"tiny.ttl": TRIPLE, "answer.csv": PREVIOUS},
        stderr=("line 1",),
    ),
    Case(
        "query-compare-missing",
        ("query", "--named", "release-diff", "--compare", "old.nq"),
        "release-diff against a release file that does not exist",
        stderr=("old.nq",),
    ),
    # --- export: every format -----------------------------------------------------------
    Case(
        "export-turtle-malformed",
        ("export", "--format", "turtle", "-o", "out.ttl", "bad.ttl"),
        "malformed Turtle; the -o file exists",
        {"bad.ttl": _bad("malformed.ttl"), "out.ttl": PREVIOUS},
        stderr=("bad.ttl", "line 4"),
    ),
    Case(
        "export-ntriples-is-turtle",
        ("export", "--format", "ntriples", "-o", "out.nt", "turtle.nt"),
        "Turtle saved as .nt",
        {"turtle.nt": TRIPLE, "out.nt": PREVIOUS},
        stderr=("turtle.nt", "line 1"),
    ),
    Case(
        "export-nquads-empty",
        ("export", "--format", "nquads", "-o", "out.nq", "empty.nq"),
        "an empty N-Quads file",
        {"empty.nq": b"", "out.nq": PREVIOUS},
        stderr=("empty.nq", "empty"),
    ),
    Case(
        "export-trig-binary",
        ("export", "--format", "trig", "-o", "out.trig", "blob.ttl"),
        "binary bytes as .ttl",
        {"blob.ttl": BINARY, "out.trig": PREVIOUS},
        stderr=("blob.ttl", "binary"),
    ),
    Case(
        "export-jsonld-remote-context",
        ("export", "--format", "jsonld", "-o", "out.jsonld", "in.jsonld"),
        "JSON-LD with a remote @context",
        {
            "in.jsonld": '{"@context": "{net}/ctx", "@id": "https://example.org/a", "name": "x"}',
            "out.jsonld": PREVIOUS,
        },
        stderr=("in.jsonld", "{net}/ctx"),
        network=True,
    ),
    Case(
        "export-rdfxml-invalid-iri",
        ("export", "--format", "rdfxml", "-o", "out.rdf", "iri.ttl"),
        "an IRI with spaces",
        {"iri.ttl": INVALID_IRI_TTL, "out.rdf": PREVIOUS},
        stderr=("iri.ttl",),
    ),
    Case(
        "export-graphml-xxe",
        ("export", "--format", "graphml", "-o", "out.graphml", "xxe.rdf"),
        "RDF/XML with an external DTD",
        {"xxe.rdf": XXE_EXTERNAL_DTD, "out.graphml": PREVIOUS},
        stderr=("xxe.rdf", "line 2"),
        network=True,
    ),
    Case(
        "export-gexf-missing",
        ("export", "--format", "gexf", "-o", "out.gexf", "gone.ttl"),
        "a missing input",
        {"out.gexf": PREVIOUS},
        stderr=("gone.ttl", "no such file"),
    ),
    Case(
        "export-dot-directory",
        ("export", "--format", "dot", "-o", "out.dot", "dir.nt"),
        "a folder named dir.nt",
        {"dir.nt": Folder(), "out.dot": PREVIOUS},
        stderr=("dir.nt", "directory"),
    ),
    Case(
        "export-cyjs-latin1",
        ("export", "--format", "cyjs", "-o", "out.json", "latin1.nt"),
        "N-Triples in Latin-1",
        {"latin1.nt": LATIN1_NT, "out.json": PREVIOUS},
        stderr=("latin1.nt", "UTF-8"),
    ),
    Case(
        "export-csv-nodes-context-import",
        ("export", "--format", "csv-nodes", "-o", "nodes.csv", "in.jsonld"),
        "JSON-LD @import of a remote context",
        {
            "in.jsonld": '{"@context": {"@import": "{net}/i"}, "@id": "https://example.org/a"}',
            "nodes.csv": PREVIOUS,
        },
        stderr=("in.jsonld", "{net}/i"),
        network=True,
    ),
    Case(
        "export-csv-edges-trig-malformed",
        ("export", "--format", "csv-edges", "-o", "edges.csv", "bad.trig"),
        "malformed TriG",
        {"bad.trig": TRIG_MALFORMED, "edges.csv": PREVIOUS},
        stderr=("bad.trig", "line 4"),
    ),
    Case(
        "export-html-owl-imports",
        ("export", "--format", "html", "-o", "view.html", "imports.ttl"),
        "a valid graph that owl:imports a remote IRI; the viewer is written",
        {"imports.ttl": _owl_imports_turtle},
        exit=0,
        stderr=("view.html",),
        writes=("view.html",),
        network=True,
    ),
    Case(
        "export-output-is-folder",
        ("export", "--format", "turtle", "-o", "out", "in.ttl"),
        "-o names a folder",
        {"in.ttl": _minimal(), "out": Folder()},
        stderr=("out",),
    ),
    # --- push: bad input never reaches the server -------------------------------------------
    Case(
        "push-ttl-malformed",
        ("push", "--endpoint", "{net}/store", "bad.ttl"),
        "malformed Turtle",
        {"bad.ttl": _bad("malformed.ttl")},
        stderr=("bad.ttl", "line 4"),
        network=True,
    ),
    Case(
        "push-jsonld-remote-context",
        ("push", "--endpoint", "{net}/store", "remote.jsonld"),
        "JSON-LD with a remote @context",
        {"remote.jsonld": '{"@context": "{net}/ctx", "@id": "https://example.org/a", "name": "x"}'},
        stderr=("remote.jsonld", "{net}/ctx"),
        network=True,
    ),
    Case(
        "push-rdfxml-billion-laughs",
        ("push", "--endpoint", "{net}/store", "laughs.rdf"),
        "the billion laughs",
        {"laughs.rdf": BILLION_LAUGHS},
        stderr=("laughs.rdf", "line 2"),
        network=True,
    ),
    Case(
        "push-nq-missing",
        ("push", "--endpoint", "{net}/store", "gone.nq"),
        "a missing file",
        stderr=("gone.nq", "no such file"),
        network=True,
    ),
    # --- check: articles ---------------------------------------------------------------------
    Case(
        "check-txt-binary",
        ("check", "post.txt"),
        "binary bytes as .txt",
        {"post.txt": BINARY},
        stderr=("post.txt", "binary"),
    ),
    Case(
        "check-md-latin1",
        ("check", "post.md"),
        "Markdown in Latin-1, bad byte on line 3",
        {"post.md": b"# Kratom\n\nKratom relieves pain.\nIt is caf\xe9 talk.\n"},
        stderr=("post.md", "line 4", "UTF-8"),
    ),
    Case(
        "check-txt-empty",
        ("check", "--format", "json", "-o", "report.json", "empty.txt"),
        "an empty article gives an empty report",
        {"empty.txt": b""},
        exit=0,
        stderr=("report.json",),
        writes=("report.json",),
    ),
    Case(
        "check-html-remote-resources",
        ("check", "--format", "html", "-o", "report.html", "page.html"),
        "HTML with a remote DTD, scripts, images and styles: nothing is fetched",
        {
            "page.html": '<!DOCTYPE html SYSTEM "{net}/html.dtd">\n<html><head>'
            '<link rel="stylesheet" href="{net}/s.css"><script src="{net}/s.js"></script>'
            '</head><body><img src="{net}/i.png"><iframe src="{net}/f"></iframe>'
            "<p>Kratom relieves pain.</p></body></html>\n"
        },
        exit=0,
        stderr=("report.html",),
        writes=("report.html",),
        network=True,
    ),
    Case(
        "check-html-vendor-page",
        ("check", "--format", "claimreview", "page.html"),
        "a real vendor page: claims reviewed, nothing fetched",
        {"page.html": _article("vendor-page.html")},
        exit=0,
        lines=0,
        network=True,
    ),
    Case(
        "check-directory",
        ("check", "posts.md"),
        "a folder named posts.md",
        {"posts.md": Folder()},
        stderr=("posts.md", "folder"),
    ),
    Case(
        "check-missing",
        ("check", "gone.txt"),
        "an article that does not exist",
        stderr=("gone.txt", "no such file"),
    ),
    Case(
        "check-fifo",
        ("check", "pipe.txt"),
        "a named pipe fed a binary article",
        {"pipe.txt": Fifo(BINARY)},
        stderr=("pipe.txt", "binary"),
        timeout=30,
    ),
    Case(
        "check-too-large",
        ("check", "big.txt"),
        "an 11 MB article",
        {"big.txt": _huge_article},
        stderr=("big.txt", "MB"),
    ),
    Case(
        "check-stdin-binary",
        ("check", "-"),
        "binary bytes on standard input",
        stdin=BINARY,
        stderr=("-", "binary"),
    ),
    Case(
        "check-control-characters",
        ("check", "ctl.txt"),
        "text full of control characters",
        {"ctl.txt": b"Kratom \x01\x02\x03 relieves pain.\n"},
        stderr=("ctl.txt", "control"),
    ),
    Case(
        "check-output-kept-on-error",
        ("check", "--format", "json", "-o", "report.json", "post.md"),
        "a binary article with an -o file that exists",
        {"post.md": BINARY, "report.json": PREVIOUS},
        stderr=("post.md", "binary"),
    ),
    # --- queries ------------------------------------------------------------------------------
    Case(
        "queries-unknown",
        ("queries", "no-such-query"),
        "a named query that does not exist",
        stderr=("no-such-query",),
    ),
    Case(
        "queries-path-traversal",
        ("queries", "../../../etc/passwd"),
        "a query name that is a path",
        stderr=("../../../etc/passwd",),
    ),
    # --- build --------------------------------------------------------------------------------
    Case(
        "build-out-is-file",
        ("build", "--out", "dist"),
        "--out names a regular file",
        {"dist": PREVIOUS},
        stderr=("dist",),
    ),
    Case(
        "build-out-under-file",
        ("build", "--out", "notes.txt/dist"),
        "--out lies under a regular file",
        {"notes.txt": PREVIOUS},
        stderr=("notes.txt",),
        timeout=120,
    ),
)


# ---------------------------------------------------------------------------------------
# Running a row.
# ---------------------------------------------------------------------------------------

_PROGRESS = re.compile(r"^kratomkg: .* \.\.\.$")


@dataclass
class Outcome:
    """What a case did, and every way it broke the contract (empty when it passed)."""

    case: Case
    returncode: int | None
    stderr: str
    problems: list[str]
    connections: int
    seconds: float
    lost: list[str]

    @property
    def passed(self) -> bool:
        """The case kept the whole contract."""
        return not self.problems


def snapshot(folder: Path) -> dict[str, tuple[int, str]]:
    """Every entry under ``folder``: (mtime in ns, SHA-256 or kind), keyed by relative path."""
    state: dict[str, tuple[int, str]] = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        if path.is_fifo():  # reading or writing a pipe touches its times: kind only
            state[str(path.relative_to(folder))] = (0, "fifo")
            continue
        digest = "folder" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
        state[str(path.relative_to(folder))] = (info.st_mtime_ns, digest)
    return state


def _expand(text: str, net: str) -> str:
    return text.replace(NET, net)


def _materialise(case: Case, folder: Path, net: str) -> list[tuple[Path, bytes]]:
    fifos: list[tuple[Path, bytes]] = []
    for name, content in case.files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Folder):
            path.mkdir()
        elif isinstance(content, Fifo):
            os.mkfifo(path)
            fifos.append((path, content.content))
        elif isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_bytes(_expand(content, net).encode("utf-8"))
        else:
            path.write_bytes(content(net))
    return fifos


def _feed(fifo: Path, data: bytes, stop: threading.Event) -> None:
    """Write ``data`` into ``fifo`` once a reader opens it; give up when ``stop`` is set."""
    while not stop.is_set():
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:  # ENXIO: no reader yet
            time.sleep(0.02)
            continue
        os.set_blocking(fd, True)
        try:
            os.write(fd, data)
        except OSError:  # the reader went away
            pass
        finally:
            os.close(fd)
        return


def run_case(case: Case, folder: Path, guard: NetGuard) -> Outcome:
    """Run one row in ``folder`` (empty, made for it) and judge it against its contract."""
    net = guard.url
    folder.mkdir(parents=True, exist_ok=True)
    fifos = _materialise(case, folder, net)
    before = snapshot(folder)
    stop = threading.Event()
    feeders = [
        threading.Thread(target=_feed, args=(path, data, stop), daemon=True) for path, data in fifos
    ]
    for feeder in feeders:
        feeder.start()
    env = guarded_env(dict(os.environ), guard)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("COLUMNS", None)
    args = [sys.executable, "-m", "kratomkg", *(_expand(a, net) for a in case.args)]
    guard.reset()
    problems: list[str] = []
    start = time.monotonic()
    try:
        done = subprocess.run(
            args,
            cwd=folder,
            env=env,
            input=case.stdin,
            stdin=None if case.stdin is not None else subprocess.DEVNULL,
            capture_output=True,
            timeout=case.timeout,
            check=False,
        )
        returncode: int | None = done.returncode
        stderr = done.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as exc:
        returncode = None
        raw = exc.stderr or b""
        stderr = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        problems.append(f"did not finish within {case.timeout:g} s")
    seconds = time.monotonic() - start
    stop.set()
    for feeder in feeders:
        feeder.join(timeout=5)
    time.sleep(0.05)  # let the listener count a connection made just before exit
    connections = guard.connections

    if returncode is not None and returncode != case.exit:
        problems.append(f"exit {returncode}, expected {case.exit}")
    if "Traceback" in stderr:
        problems.append("a traceback on stderr")
    lines = [line for line in stderr.splitlines() if line.strip() and not _PROGRESS.match(line)]
    if returncode is not None and len(lines) != case.lines:
        problems.append(f"{len(lines)} stderr line(s), expected {case.lines}")
    message = "\n".join(lines)
    for needle in case.stderr:
        wanted = _expand(needle, net)
        if wanted not in message:
            problems.append(f"stderr does not say {wanted!r}")
    if connections:
        problems.append(f"{connections} network connection(s) to the listener")
    after = snapshot(folder)
    lost: list[str] = []
    for name, state in before.items():
        if name in case.writes:
            continue
        if name not in after:
            lost.append(name)
            problems.append(f"{name} was removed")
        elif after[name] != state:
            lost.append(name)
            problems.append(f"{name} was changed")
    for name in sorted(set(after) - set(before)):
        if name not in case.writes:
            problems.append(f"{name} was created")
    for name in case.writes:
        if name not in after:
            problems.append(f"{name} was not written")
    return Outcome(case, returncode, stderr, problems, connections, seconds, lost)
