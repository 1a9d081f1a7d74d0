"""Load RDF files straight into an in-memory Oxigraph store, for graphs of millions of triples.

rdflib keeps every triple as Python objects (about 1.3 kB each); Oxigraph keeps them as
compact binary keys, parses several times faster and holds 100k claims in a few hundred MB.
The layout is the one :func:`kratomkg.loading.load` builds (named graphs ontology, kb, user,
derived), the derivation rules are the same SPARQL files, and bad input fails with the same
errors: the file checks of :mod:`kratomkg.parse` run first, streaming over the file, and
Oxigraph's syntax errors become :class:`~kratomkg.errors.ParseError` with line and column.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kratomkg._version import __version__
from kratomkg.derivation import run_rules
from kratomkg.errors import InputError, ParseError
from kratomkg.namespaces import GRAPH_DERIVED, GRAPH_KB, GRAPH_ONTOLOGY, GRAPH_USER, ONTOLOGY_IRI
from kratomkg.parse import _check_jsonld, _check_xml, format_for
from kratomkg.resources import kb_files, ontology_file

if TYPE_CHECKING:
    from pyoxigraph import Store

__all__ = ["dataset_to_store", "derive_store", "load_store"]

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
_POSITION = re.compile(r"^Parser error (?:at|between) line (\d+) column (\d+)[^:]*: ")


def _require_pyoxigraph() -> Any:
    try:
        import pyoxigraph
    except ImportError:  # pragma: no cover - depends on the installed extras
        raise InputError(
            "pyoxigraph", "the SPARQL engine needs the [fast] extra: pip install 'kratomkg[fast]'"
        ) from None
    return pyoxigraph


def _check_file(path: Path, fmt: str) -> None:
    """Run the checks of :func:`kratomkg.parse._read_text`, streaming over the file."""
    if not path.exists():
        raise InputError(path, "no such file")
    if path.is_dir():
        raise InputError(path, "is a directory, not an RDF file")
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    offset = 0
    content = False
    text_parts: list[str] = []
    keep_text = fmt in ("json-ld", "xml")
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(_CHUNK):
                if offset == 0 and b"\x00" in chunk[:8192]:
                    raise InputError(path, "binary content: this is not a text RDF file")
                text = decoder.decode(chunk)  # a decoding error is reported below
                content = content or bool(text.strip())
                if keep_text:
                    text_parts.append(text)
                offset += len(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise InputError(
            path,
            f"binary or non-UTF-8 content at byte {offset + exc.start}: "
            "RDF files must be UTF-8 text",
        ) from None
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror})") from None
    if not content:
        raise InputError(path, "file is empty")
    if fmt == "json-ld":
        _check_jsonld(path, "".join(text_parts))
    elif fmt == "xml":
        _check_xml(path, "".join(text_parts))


def _parse_error(path: Path, fmt: str, exc: SyntaxError) -> ParseError:
    message = str(exc.msg if exc.msg else exc).strip().splitlines()[0]
    match = _POSITION.match(message)
    if match:
        message = message[match.end() :]
    message = re.sub(r" \(line \d+\)$", "", message)
    line = exc.lineno if exc.lineno else None
    column = exc.offset if exc.offset and line else None
    return ParseError(path, f"invalid {fmt} document ({message})", line, column)


def _load_file(store: Store, path: Path, graph: Any) -> None:
    ox = _require_pyoxigraph()
    fmt = format_for(path)
    _check_file(path, fmt)
    rdf_format = getattr(ox.RdfFormat, _OXIGRAPH_FORMATS[fmt])
    base = path.resolve().as_uri()
    try:
        first = next(iter(ox.parse(path=path, format=rdf_format, base_iri=base)), None)
        if first is None:
            raise InputError(path, "contains no RDF statements")
        if fmt in _QUAD_FORMATS:
            # kratomkg keeps its own named graphs: a user's graph names carry no meaning here.
            store.bulk_extend(
                ox.Quad(q.subject, q.predicate, q.object, graph)
                for q in ox.parse(path=path, format=rdf_format, base_iri=base)
            )
        else:
            store.bulk_load(path=path, format=rdf_format, base_iri=base, to_graph=graph)
    except SyntaxError as exc:
        raise _parse_error(path, fmt, exc) from None


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
    _load_file(store, ontology_file(), ontology)
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
            _load_file(store, path, ox.NamedNode(str(GRAPH_KB)))
    for path in user_paths:
        _load_file(store, path, ox.NamedNode(str(GRAPH_USER)))
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
    return store
