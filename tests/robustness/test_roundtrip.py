"""Every RDF export reads back as the graph that went in, for random graphs.

The graphs hold IRIs (with unicode, sub-delimiters, empty and odd local names, kratomkg's
own namespaces), blank nodes, RDF collections (well-formed, empty and broken ones), and
literals: plain, language-tagged and typed (xsd:string, integer, decimal, double, boolean,
date, a custom datatype, and ill-typed lexical forms), with quotes, backslashes, newlines,
control characters and astral-plane characters. Each goes through the public export API
in every RDF format and is parsed back by rdflib and by pyoxigraph; both must give a graph
isomorphic to the input. Quad formats also carry two named graphs sharing blank nodes.

The examples are derandomized (a fixed seed), so CI runs the same cases every time.
``KRATOMKG_ROUNDTRIP_EXAMPLES`` raises the count and ``KRATOMKG_ROUNDTRIP_RANDOM=1`` draws
fresh cases (see benchmarks/roundtrip_more.py).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal

import pyoxigraph
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic, to_isomorphic
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from kratomkg.export import RDF_FORMATS, export_graph
from kratomkg.namespaces import KID, KKG

EXAMPLES = int(os.environ.get("KRATOMKG_ROUNDTRIP_EXAMPLES", "40"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=os.environ.get("KRATOMKG_ROUNDTRIP_RANDOM") != "1",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
#: How many examples each property ran, read by the benchmark.
RUNS: Counter[str] = Counter()

# Format name -> (pyoxigraph format, rdflib parser name).
PARSERS: dict[str, tuple[pyoxigraph.RdfFormat, str]] = {
    "turtle": (pyoxigraph.RdfFormat.TURTLE, "turtle"),
    "ntriples": (pyoxigraph.RdfFormat.N_TRIPLES, "nt"),
    "nquads": (pyoxigraph.RdfFormat.N_QUADS, "nquads"),
    "trig": (pyoxigraph.RdfFormat.TRIG, "trig"),
    "jsonld": (pyoxigraph.RdfFormat.JSON_LD, "json-ld"),
    "rdfxml": (pyoxigraph.RdfFormat.RDF_XML, "xml"),
}
QUAD_FORMATS = sorted(name for name, spec in RDF_FORMATS.items() if spec.quads)

# --- terms ---------------------------------------------------------------------------

NAMESPACES = [
    "http://example.org/ns#",
    "http://example.org/path/",
    "https://例え.jp/語彙/",
    "urn:x-test:",
    "http://example.org/ns2#",
    str(KKG),
    str(KID),
]
# Pieces of IRIs that a prefixed name cannot always hold: sub-delimiters, ':', '~',
# percent-escapes ('%' alone is no IRI), non-ASCII letters, an astral-plane letter.
_LOCAL_ALPHABET = st.sampled_from(
    [*"abcXYZ019_-.~/", *"!$&'()*+,;=:", "%41", "%e9", "é", "ß", "漢", "ก", "\U0001d518"]
)
# An NCName: what an RDF/XML property element name must end with.
_NCNAME_ALPHABET = st.sampled_from([*"abcXYZ019_-.", "é", "漢", "ก"])


def _locals(alphabet: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(alphabet, max_size=6).map("".join)


def iris(alphabet: st.SearchStrategy[str] = _LOCAL_ALPHABET) -> st.SearchStrategy[URIRef]:
    return st.builds(
        lambda ns, local: URIRef(ns + local), st.sampled_from(NAMESPACES), _locals(alphabet)
    )


def ncname_predicates() -> st.SearchStrategy[URIRef]:
    """Predicates RDF/XML can write as an element: the IRI ends in an NCName."""
    start = st.sampled_from([*"abcXYZ_", "é", "漢"])
    return st.builds(
        lambda ns, first, rest: URIRef(ns + first + rest),
        st.sampled_from(NAMESPACES),
        start,
        _locals(_NCNAME_ALPHABET),
    )


# Characters XML 1.0 cannot carry at all, not even escaped: RDF/XML refuses them
# (kratomkg raises ExportError), so its literals are drawn without them.
_XML_FORBIDDEN = {chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]}
_XML_FORBIDDEN |= {"\ufffe", "\uffff"}
_SPECIALS = [
    '"',
    "'",
    "\\",
    "\n",
    "\r",
    "\t",
    '"""',
    "'''",
    "\\u0041",
    "\U0001f600",
    "\x00",
    "\x7f",
]


def texts(xml: bool) -> st.SearchStrategy[str]:
    chars = st.characters(codec="utf-8")  # lone surrogates are not text
    pieces = st.one_of(st.text(chars, max_size=8), st.sampled_from(_SPECIALS))
    text = st.lists(pieces, max_size=4).map("".join)
    if xml:
        text = text.map(lambda s: "".join(c for c in s if c not in _XML_FORBIDDEN))
    return text


LANGUAGES = st.sampled_from(["en", "th", "en-US", "zh-Hant-TW", "x-private", "de-CH-1996"])
CUSTOM = URIRef("http://example.org/datatypes#temperature")


def literals(xml: bool) -> st.SearchStrategy[Literal]:
    text = texts(xml)
    return st.one_of(
        text.map(Literal),
        st.builds(lambda t, lang: Literal(t, lang=lang), text, LANGUAGES),
        text.map(lambda t: Literal(t, datatype=XSD.string)),
        st.integers(min_value=-(10**30), max_value=10**30).map(Literal),
        st.decimals(allow_nan=False, allow_infinity=False, places=4).map(
            lambda d: Literal(Decimal(d), datatype=XSD.decimal)
        ),
        st.floats(allow_nan=True, allow_infinity=True).map(
            lambda f: Literal(f, datatype=XSD.double)
        ),
        st.booleans().map(Literal),
        st.dates().map(Literal),
        text.map(lambda t: Literal(t, datatype=CUSTOM)),
        # Lexical forms rdflib does not normalise or cannot read as a value.
        st.sampled_from(["01", "+5", "abc", "1.50", "1e3", "-0", " 7 "]).map(
            lambda t: Literal(t, datatype=XSD.integer)
        ),
        st.sampled_from(["TRUE", "yes", "1", "0"]).map(lambda t: Literal(t, datatype=XSD.boolean)),
        st.sampled_from(["2024-13-01", "24-01-01", "2024-02-29Z"]).map(
            lambda t: Literal(t, datatype=XSD.date)
        ),
    )


@st.composite
def graphs(draw: st.DrawFn, xml: bool = False) -> Graph:
    """Draw a graph; ``xml`` keeps it to what RDF/XML can carry (see the comments above)."""
    bnodes = [BNode() for _ in range(draw(st.integers(0, 4)))]
    subject_iris = draw(st.lists(iris(), min_size=1, max_size=4))
    subjects: list[Node] = [*subject_iris, *bnodes]
    predicate_pool = st.one_of(
        ncname_predicates() if xml else iris(),
        st.sampled_from([RDF.type, RDF.first, RDF.rest, RDF.value]),
    )
    objects = st.one_of(
        st.sampled_from(subjects),
        iris(),
        literals(xml),
        st.just(RDF.nil),
    )
    graph = Graph()
    for _ in range(draw(st.integers(1, 12))):
        graph.add((draw(st.sampled_from(subjects)), draw(predicate_pool), draw(objects)))
    # Well-formed RDF collections (JSON-LD writes them as @list, Turtle as ( ... )).
    for _ in range(draw(st.integers(0, 2))):
        members = draw(st.lists(objects, max_size=4))
        head: Node = RDF.nil
        if members:
            head = BNode()
            Collection(graph, head, members)
        graph.add((draw(st.sampled_from(subjects)), draw(predicate_pool), head))
    return graph


# --- comparison ------------------------------------------------------------------------


def _plain(term: Node) -> Node:
    """RDF 1.1 makes "x" and "x"^^xsd:string one term, and language tags case-insensitive;
    rdflib keeps them apart, so both sides are brought to one form before comparing."""
    if isinstance(term, Literal):
        if term.language:
            return Literal(str(term), lang=term.language.lower())
        if term.datatype == XSD.string:
            return Literal(str(term))
    return term


def _normalised(triples: Iterable[tuple[Node, Node, Node]]) -> Graph:
    graph = Graph()
    for s, p, o in triples:
        graph.add((s, p, _plain(o)))
    return graph


def _rdflib_back(text: str, fmt: str) -> Dataset:
    dataset = Dataset()
    dataset.parse(data=text, format=PARSERS[fmt][1])
    return dataset


def _oxigraph_term(term: object) -> Node:
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    assert isinstance(term, pyoxigraph.Literal)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def _oxigraph_back(text: str, fmt: str) -> list[tuple[Node, Node, Node, str | None]]:
    quads = []
    for quad in pyoxigraph.parse(text.encode("utf-8"), format=PARSERS[fmt][0]):
        graph = quad.graph_name
        name = graph.value if isinstance(graph, pyoxigraph.NamedNode) else None
        s, p, o = (_oxigraph_term(t) for t in (quad.subject, quad.predicate, quad.object))
        quads.append((s, p, o, name))
    return quads


def _n3(triple: tuple[Node, Node, Node]) -> str:
    return " ".join(term.n3() for term in triple)


def _assert_same(expected: Graph, actual: Graph, fmt: str, parser: str, text: str) -> None:
    left, right = _normalised(expected), _normalised(actual)
    if isomorphic(left, right):
        return
    missing = sorted(_n3(t) for t in to_isomorphic(left) - to_isomorphic(right))
    extra = sorted(_n3(t) for t in to_isomorphic(right) - to_isomorphic(left))
    raise AssertionError(f"{fmt} read back by {parser} differs\n{missing=}\n{extra=}\n{text}")


def _round_trip(graph: Graph, fmt: str) -> None:
    RUNS[fmt] += 1
    text = export_graph(graph, fmt)
    assert export_graph(graph, fmt) == text, f"{fmt} export is not deterministic"
    back = _rdflib_back(text, fmt)
    merged = _normalised((s, p, o) for s, p, o, _g in back.quads((None, None, None, None)))
    _assert_same(graph, merged, fmt, "rdflib", text)
    oxigraph = _normalised((s, p, o) for s, p, o, _g in _oxigraph_back(text, fmt))
    _assert_same(graph, oxigraph, fmt, "pyoxigraph", text)


# --- properties ------------------------------------------------------------------------

# RDF/XML needs every predicate to end in an NCName (the element name) and cannot carry
# the characters XML 1.0 forbids; it gets the restricted generator, the rest the full one.
TEXT_FORMATS = sorted(name for name in RDF_FORMATS if name != "rdfxml")


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
@SETTINGS
@given(graph=graphs())
def test_export_reads_back_isomorphic(fmt: str, graph: Graph) -> None:
    _round_trip(graph, fmt)


@SETTINGS
@given(graph=graphs(xml=True))
def test_rdfxml_export_reads_back_isomorphic(graph: Graph) -> None:
    _round_trip(graph, "rdfxml")


@st.composite
def datasets(draw: st.DrawFn) -> tuple[Dataset, list[tuple[Node, Node, Node, str]]]:
    """Two named graphs drawn over one pool of blank nodes, so some are shared."""
    first, second = draw(graphs()), draw(graphs())
    shared = {b: BNode() for g in (first, second) for t in g for b in t if isinstance(b, BNode)}
    pool = list(shared.values())
    if pool:  # rename some blank nodes of the second graph to ones of the first
        for node in {b for t in second for b in t if isinstance(b, BNode)}:
            shared[node] = draw(st.sampled_from(pool))
    dataset = Dataset(default_union=True)
    quads = []
    for name, graph in (("http://example.org/g/1", first), ("http://example.org/g/é", second)):
        target = dataset.graph(URIRef(name))
        for s, p, o in graph:
            s = shared.get(s, s) if isinstance(s, BNode) else s
            o = shared.get(o, o) if isinstance(o, BNode) else o
            target.add((s, p, o))
            quads.append((s, p, o, name))
    return dataset, quads


def _as_graph(quads: Iterable[tuple[Node, Node, Node, str | None]]) -> Graph:
    """Fold the graph name into the predicate so that graph isomorphism compares quads."""
    return _normalised((s, URIRef(f"{g}@@{p}"), o) for s, p, o, g in quads)


@pytest.mark.parametrize("fmt", QUAD_FORMATS)
@SETTINGS
@given(drawn=datasets())
def test_quad_export_keeps_graphs_and_shared_blank_nodes(
    fmt: str, drawn: tuple[Dataset, list[tuple[Node, Node, Node, str]]]
) -> None:
    dataset, quads = drawn
    RUNS[f"{fmt} (2 graphs)"] += 1
    text = export_graph(dataset, fmt)
    back = _rdflib_back(text, fmt)
    read = [(s, p, o, str(g)) for s, p, o, g in back.quads((None, None, None, None))]
    expected = _as_graph(quads)
    _assert_same(expected, _as_graph(read), fmt, "rdflib", text)
    _assert_same(expected, _as_graph(_oxigraph_back(text, fmt)), fmt, "pyoxigraph", text)
