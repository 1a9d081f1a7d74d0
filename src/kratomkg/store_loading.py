"""Load RDF files straight into an in-memory Oxigraph store, for graphs of millions of triples.

rdflib keeps every triple as Python objects (about 1.3 kB each); Oxigraph keeps them as
compact binary keys, parses several times faster and holds 100k claims in a few hundred MB.
The layout is the one :func:`kratomkg.loading.load` builds (named graphs ontology, kb, user,
derived), the derivation rules are the same SPARQL files, and bad input fails with the same
errors: each file is read once, the checks of :mod:`kratomkg.parse` run on its bytes, and
Oxigraph parses the same bytes; its syntax errors become :class:`~kratomkg.errors.ParseError`
with line and column (for RDF/XML, found with the XML reader when Oxigraph gives none).
Literals of any length load: a statement longer than Oxigraph's 16 MiB streaming buffer is
parsed whole instead.
"""

from __future__ import annotations

import codecs
import io
import re
import xml.sax
import xml.sax.handler
from collections.abc import Iterable
from itertools import chain
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kratomkg._version import __version__
from kratomkg.derivation import run_rules
from kratomkg.errors import InputError, ParseError
from kratomkg.namespaces import GRAPH_DERIVED, GRAPH_KB, GRAPH_ONTOLOGY, GRAPH_USER, ONTOLOGY_IRI
from kratomkg.parse import _check_jsonld, _check_xml, format_for, rdfxml_error
from kratomkg.resources import kb_files, ontology_file

if TYPE_CHECKING:
    from pyoxigraph import Store

__all__ = ["dataset_to_store", "derive_store", "load_file", "load_store"]

_CHUNK = 1 << 20
_OWL = "http://www.w3.org/2002/07/owl#"
_OXIGRAPH_FORMATS = {
    "turtle": "TURTLE",
    "nt": "N_TRIPLES",
    "nquads": "N_QUADS",
    "trig": "TRIG",
    "json-ld": "JSON_LD",
    "xml": "RDF_XML",
}
_QUAD_FORMATS = {"nquads", "trig"}
_POSITION = re.compile(r"^Parser error (?:at|between) lines? \d+[^:]*: ")


def _require_pyoxigraph() -> Any:
    try:
        import pyoxigraph
    except ImportError:  # pragma: no cover - depends on the installed extras
        raise InputError(
            "pyoxigraph", "the SPARQL engine needs the [fast] extra: pip install 'kratomkg[fast]'"
        ) from None
    return pyoxigraph


def _read_checked(path: Path, fmt: str) -> bytes:
    """Read ``path`` once and run the checks of :func:`kratomkg.parse._read_text` on it.

    One read serves the checks and the parser, so a named pipe works and a big file is read
    from disk once; the bytes are then held while Oxigraph parses them.
    """
    if not path.exists():
        raise InputError(path, "no such file")
    if path.is_dir():
        raise InputError(path, "is a directory, not an RDF file")
    try:
        with path.open("rb") as stream:
            data = stream.read()
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror})") from None
    if b"\x00" in data[:8192]:
        raise InputError(path, "binary content: this is not a text RDF file")
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    view = memoryview(data)
    content = False
    text_parts: list[str] = []
    keep_text = fmt in ("json-ld", "xml")
    offset = 0
    try:
        for offset in range(0, len(data), _CHUNK):
            text = decoder.decode(view[offset : offset + _CHUNK])
            content = content or bool(text.strip())
            if keep_text:
                text_parts.append(text)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise InputError(
            path,
            f"binary or non-UTF-8 content at byte {offset + exc.start}: "
            "RDF files must be UTF-8 text",
        ) from None
    if not content:
        raise InputError(path, "file is empty")
    if fmt == "json-ld":
        _check_jsonld(path, "".join(text_parts))
    elif fmt == "xml":
        _check_xml(path, "".join(text_parts))
        _check_xml_syntax(path, data)
    return data


def _check_xml_syntax(path: Path, data: bytes) -> None:
    """Refuse XML that is not well-formed, with the line and words of the rdflib path.

    Oxigraph's RDF/XML parser gives no line for XML errors and takes a document cut short
    (no closing tags) as complete; expat, through the SAX reader rdflib uses, does neither.
    """
    try:
        # No DTD or entity gets here: _check_xml refused them before.
        reader = xml.sax.make_parser()  # noqa: S317
        reader.setFeature(xml.sax.handler.feature_namespaces, True)
        reader.setFeature(xml.sax.handler.feature_external_ges, False)
        reader.parse(io.BytesIO(data))
    except xml.sax.SAXParseException as exc:
        raise rdfxml_error(path, exc) from None


def _quoted_line(data: bytes, message: str) -> int | None:
    """Find the line of the text an error message quotes (Oxigraph's RDF/XML errors do)."""
    quoted = re.search(r"'([^']+)'", message)
    if quoted:
        at = data.find(quoted.group(1).encode("utf-8"))
        if at >= 0:
            return data.count(b"\n", 0, at) + 1
    return None


def _parse_error(path: Path, fmt: str, exc: SyntaxError, data: bytes) -> ParseError:
    message = str(exc.msg if exc.msg else exc).strip().splitlines()[0]
    match = _POSITION.match(message)
    if match:
        message = message[match.end() :]
    message = re.sub(r" \(line \d+\)$", "", message)
    line = exc.lineno if exc.lineno else None
    column = exc.offset if exc.offset and line else None
    if line is None and fmt == "xml":
        line = _quoted_line(data, message)
    return ParseError(path, f"invalid {fmt} document ({message})", line, column)


def _stream_into(
    ox: Any, store: Store, data: bytes, fmt: str, path: Path, base: str, graph: Any
) -> None:
    rdf_format = getattr(ox.RdfFormat, _OXIGRAPH_FORMATS[fmt])
    quads = iter(ox.parse(input=data, format=rdf_format, base_iri=base))
    first = next(quads, None)
    if first is None:
        raise InputError(path, "contains no RDF statements")
    if fmt in _QUAD_FORMATS:
        # kratomkg keeps its own named graphs: a user's graph names carry no meaning here.
        store.bulk_extend(
            ox.Quad(q.subject, q.predicate, q.object, graph) for q in chain([first], quads)
        )
    else:
        store.bulk_load(input=data, format=rdf_format, base_iri=base, to_graph=graph)


def _load_whole(
    ox: Any, store: Store, data: bytes, fmt: str, path: Path, base: str, graph: Any
) -> None:
    """Load a file holding a statement longer than Oxigraph's 16 MiB streaming buffer.

    ``Store.bulk_load`` of a byte string parses it whole, without that bound, so the file
    goes into a scratch store first (for its graph names and the empty check), then over.
    """
    scratch = ox.Store()
    scratch.bulk_load(
        input=data, format=getattr(ox.RdfFormat, _OXIGRAPH_FORMATS[fmt]), base_iri=base
    )
    if next(iter(scratch), None) is None:
        raise InputError(path, "contains no RDF statements")
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in scratch)


def load_file(store: Store, path: Path, graph: Any) -> None:
    """Load one RDF file into ``graph`` of ``store``, with the checks and errors of parse.

    A quad file's own graph names are dropped: everything goes into ``graph``. Literals
    keep the lexical form and datatype they are written with
    (:mod:`kratomkg.shacl.literals`), as SHACL judges them.
    """
    ox = _require_pyoxigraph()
    fmt = format_for(path)
    data = _read_checked(path, fmt)
    base = path.resolve().as_uri()
    try:
        try:
            _stream_into(ox, store, data, fmt, path, base, graph)
        except MemoryError as exc:
            # Oxigraph's streaming parser holds at most 16 MiB of one statement.
            if "buffer maximal size" not in str(exc):
                raise
            _load_whole(ox, store, data, fmt, path, base, graph)
    except SyntaxError as exc:
        raise _parse_error(path, fmt, exc, data) from None
    from kratomkg.shacl.literals import keep_written_forms

    rdf_format = getattr(ox.RdfFormat, _OXIGRAPH_FORMATS[fmt])
    keep_written_forms(store, data, fmt, rdf_format, base, graph)


def derive_store(store: Store) -> int:
    """Replace the derived graph of ``store`` with the rules' output; return its size.

    The same SPARQL CONSTRUCT rules as :func:`kratomkg.derivation.derive`, run in the same
    order, each over the union of the ontology, knowledge-base and user graphs plus what the
    earlier rules derived.
    """
    ox = _require_pyoxigraph()
    derived = ox.NamedNode(str(GRAPH_DERIVED))
    sources = [ox.NamedNode(str(g)) for g in (GRAPH_ONTOLOGY, GRAPH_KB, GRAPH_USER, GRAPH_DERIVED)]
    if store.contains_named_graph(derived):
        store.remove_graph(derived)

    def construct(query: str) -> list[Any]:
        triples = store.query(query, default_graph=sources)
        if not isinstance(triples, ox.QueryTriples):  # pragma: no cover - rules are CONSTRUCTs
            raise TypeError("a derivation rule is not a CONSTRUCT query")
        return list(triples)

    def add(triples: Any) -> None:
        store.extend({ox.Quad(t.subject, t.predicate, t.object, derived) for t in triples})

    run_rules(construct, add)
    return sum(1 for _ in store.quads_for_pattern(None, None, None, derived))


def load_store(
    paths: Iterable[str | PathLike[str]] = (),
    *,
    kb: bool | None = None,
    derive: bool = True,
) -> Store:
    """Load the ontology plus the shipped knowledge base and/or files into an Oxigraph store.

    Takes the same arguments as :func:`kratomkg.loading.load` and builds the same named
    graphs (with the version stamped on the ontology); the derived graph is computed unless
    ``derive=False``.
    """
    ox = _require_pyoxigraph()
    user_paths = [Path(p) for p in paths]
    include_kb = not user_paths if kb is None else kb
    store: Store = ox.Store()
    ontology = ox.NamedNode(str(GRAPH_ONTOLOGY))
    load_file(store, ontology_file(), ontology)
    iri = ox.NamedNode(str(ONTOLOGY_IRI))
    store.add(
        ox.Quad(
            iri,
            ox.NamedNode(_OWL + "versionIRI"),
            ox.NamedNode(f"{ONTOLOGY_IRI}/{__version__}"),
            ontology,
        )
    )
    store.add(ox.Quad(iri, ox.NamedNode(_OWL + "versionInfo"), ox.Literal(__version__), ontology))
    if include_kb:
        for path in kb_files():
            load_file(store, path, ox.NamedNode(str(GRAPH_KB)))
    for path in user_paths:
        load_file(store, path, ox.NamedNode(str(GRAPH_USER)))
    if derive:
        derive_store(store)
    return store


def dataset_to_store(dataset: Any) -> Store:
    """Copy an rdflib Dataset (as :func:`kratomkg.loading.load` returns) into a new store.

    N-Quads is the bridge: rdflib writes it, Oxigraph bulk-loads it. Blank-node labels are
    kept, so results about blank nodes name the same nodes as the pySHACL engine.
    """
    ox = _require_pyoxigraph()
    store: Store = ox.Store()
    data = dataset.serialize(format="nquads", encoding="utf-8")
    store.bulk_load(input=data, format=ox.RdfFormat.N_QUADS)
    from kratomkg.shacl.literals import keep_written_forms

    keep_written_forms(store, data, "nquads", ox.RdfFormat.N_QUADS, "", None)
    return store
