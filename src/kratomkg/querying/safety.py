"""Check a SPARQL text before any store sees it: parse it, refuse what could reach out.

A local query must never touch the network, yet SPARQL can ask for it three ways: a
``SERVICE`` clause (federation), ``LOAD`` (an update that fetches a document) and ``FROM`` /
``FROM NAMED`` (rdflib fetches any graph it does not hold). All three are refused here, once,
for every store; ``FROM`` and ``FROM NAMED`` only when they name a graph the local store does
not hold, since a held graph is answered from the store itself. Updates are refused too:
``kratomkg query`` only reads, and ``kratomkg push`` writes through the Graph Store Protocol,
never through SPARQL Update. Parsing first also gives every malformed query the same
line-and-column message whatever store runs it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Collection, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from kratomkg.errors import QueryError

__all__ = [
    "CheckedQuery",
    "QuerySyntaxError",
    "check_query",
    "refuse_remote_datasets",
    "with_prefixes",
]

# Query forms as rdflib's parser names them.
_FORMS = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}


class QuerySyntaxError(QueryError):
    """A SPARQL text does not parse; ``line`` and ``column`` are 1-based."""

    def __init__(self, source: str, line: int, column: int, reason: str) -> None:
        self.source = source
        self.line = line
        self.column = column
        self.reason = reason
        super().__init__(f"{source}: line {line}, column {column}: {reason}")


@dataclass(frozen=True)
class CheckedQuery:
    """A query that parsed and asks for nothing remote.

    ``form`` is SELECT, ASK, CONSTRUCT or DESCRIBE; ``datasets`` lists the IRIs of its
    ``FROM`` and ``FROM NAMED`` clauses, which a local store must hold itself, and
    ``clauses`` the clause each of them came from (``FROM`` or ``FROM NAMED``), in the
    same order.
    """

    text: str
    form: str
    source: str
    datasets: tuple[str, ...] = ()
    clauses: tuple[str, ...] = ()

    @property
    def returns_graph(self) -> bool:
        """Whether the answer is an RDF graph (CONSTRUCT, DESCRIBE) rather than a table."""
        return self.form in ("CONSTRUCT", "DESCRIBE")


def _walk(node: Any) -> Iterator[Any]:
    """Yield every parse-tree node (rdflib CompValues, ParseResults, lists) under ``node``."""
    stack = [node]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, dict):  # CompValue is an OrderedDict
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)) or type(item).__name__ == "ParseResults":
            stack.extend(list(item))


def _name(node: Any) -> str | None:
    name = getattr(node, "name", None)
    return name if isinstance(name, str) else None


def _syntax_error(text: str, source: str, exc: Any) -> QuerySyntaxError:
    line, column = int(getattr(exc, "lineno", 1)), int(getattr(exc, "col", 1))
    loc = int(getattr(exc, "loc", 0))
    near = text[loc : loc + 20].split("\n", 1)[0].strip()
    where = f" near {near!r}" if near else " at the end of the query"
    return QuerySyntaxError(source, line, column, f"malformed SPARQL{where}")


# rdflib's SPARQL grammar keeps parse state in shared pyparsing objects: two threads parsing
# at once (the server checks queries in a thread pool) can corrupt each other's parse.
_PARSER_LOCK = threading.Lock()


@lru_cache(maxsize=256)
def check_query(text: str, source: str = "<query>") -> CheckedQuery:
    """Parse ``text`` and return it checked; raise :class:`QueryError` if it is unsafe.

    ``source`` names the query in messages (a file name, ``--named NAME`` or ``<query>``).
    Checks are cached by text: parsing costs more than running a small query on Oxigraph.
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    if not text.strip():
        raise QueryError(f"{source}: the query is empty")
    try:
        with _PARSER_LOCK:
            tree = parseQuery(text)
    except ParseException as exc:
        try:
            with _PARSER_LOCK:
                update = parseUpdate(text)
        except ParseException:
            raise _syntax_error(text, source, exc) from None
        if any(_name(node) == "Load" for node in _walk(update)):
            raise QueryError(
                f"{source}: LOAD is refused: a query never fetches data from the network"
            ) from None
        raise QueryError(
            f"{source}: SPARQL updates are refused: queries only read "
            "(use 'kratomkg push' to write to a server)"
        ) from None
    body = tree[1]
    form = _FORMS.get(_name(body) or "", "SELECT")
    datasets: list[str] = []
    clauses: list[str] = []
    for node in _walk(tree):
        name = _name(node)
        if name == "ServiceGraphPattern":
            raise QueryError(
                f"{source}: SERVICE <{node.get('term')}> is refused: "
                "a query never reaches other servers"
            )
        if name == "DatasetClause":
            # CompValue.get returns the key itself for a missing key: test with ``in``
            named = "named" in node
            datasets.append(str(node["named"] if named else node["default"]))
            clauses.append("FROM NAMED" if named else "FROM")
    return CheckedQuery(
        text=text,
        form=form,
        source=source,
        datasets=tuple(datasets),
        clauses=tuple(clauses),
    )


def refuse_remote_datasets(query: CheckedQuery, local_graphs: Collection[str]) -> None:
    """Refuse ``FROM`` / ``FROM NAMED`` IRIs that are no graph of the local store.

    rdflib would fetch such a graph from the web; Oxigraph would answer from an empty one.
    Both are refused, so a query gives the same answer (or the same error) on each store.
    A graph the store holds is allowed in either clause.
    """
    clauses = query.clauses or ("FROM",) * len(query.datasets)
    for iri, clause in zip(query.datasets, clauses, strict=False):
        if iri not in local_graphs:
            raise QueryError(
                f"{query.source}: {clause} <{iri}> is refused: it names no graph of the local "
                "store and a local query never fetches data from the network"
            )


def with_prefixes(query: CheckedQuery) -> CheckedQuery:
    """Declare the kratomkg prefixes (kkg:, kid:, rdfs: ...) the query did not declare itself.

    Every store then reads ``kkg:Compound`` the same way, even a remote server that knows
    none of kratomkg's prefixes. Line numbers in messages refer to the text as written,
    because the query was checked before this.
    """
    from kratomkg.namespaces import PREFIXES

    declared = {m.lower() for m in re.findall(r"\bPREFIX\s+([\w.-]*):", query.text, re.I)}
    missing = [(p, ns) for p, ns in PREFIXES.items() if p.lower() not in declared]
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in missing)
    return replace(query, text=prologue + query.text)
