"""SELECT and ASK answers for people: a table that fits the terminal, or one record per row.

The machine formats (CSV, TSV, JSON, XML) write terms exactly; these two are for reading.
IRIs are shown by their label (``rdfs:label`` or ``skos:prefLabel`` in the queried graph,
looked up by :func:`fetch_labels`), else as a CURIE; long text is wrapped, never cut, so a
quoted sentence can be read whole. Layout is left to ``rich``, which measures the cells and
shares the width among the columns; colour is used only on a terminal, and never when
``NO_COLOR`` is set (https://no-color.org).
"""

from __future__ import annotations

import io
import os
import shutil
import textwrap
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from rdflib import Literal, URIRef
from rdflib.term import Node

if TYPE_CHECKING:
    from kratomkg.querying.results import QueryResult
    from kratomkg.querying.stores import Store

__all__ = [
    "color_wanted",
    "fetch_labels",
    "render_records",
    "render_table",
    "terminal_width",
]

#: The width used when the output is no terminal and ``COLUMNS`` is not set.
DEFAULT_WIDTH = 80
#: IRIs per label query: keeps each VALUES block, and so each request, small.
_LABEL_BATCH = 500
_LABEL_QUERY = """SELECT ?iri ?label ?kind WHERE {{
  VALUES ?iri {{ {iris} }}
  {{ ?iri <http://www.w3.org/2000/01/rdf-schema#label> ?label BIND(0 AS ?kind) }}
  UNION
  {{ ?iri <http://www.w3.org/2004/02/skos/core#prefLabel> ?label BIND(1 AS ?kind) }}
}}"""


def terminal_width() -> int:
    """Return the width to lay a table out in: ``COLUMNS``, the terminal's, or 80.

    ``shutil.get_terminal_size`` reads ``COLUMNS`` first and falls back to 80 columns when
    standard output is a pipe or a file, so piped output does not depend on the terminal
    the command happened to be started from.
    """
    width = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    return width if width > 0 else DEFAULT_WIDTH


def color_wanted(stream: Any) -> bool:
    """Whether to colour output written to ``stream``: only a terminal, and no ``NO_COLOR``."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty is not None and isatty())


def _label_rank(label: Node, kind: Node) -> tuple[int, int, str]:
    """Order candidate labels: rdfs:label before skos:prefLabel, English, untagged, others."""
    language = label.language if isinstance(label, Literal) else None
    lang_rank = 0 if language in ("en", "en-GB", "en-US") else 1 if not language else 2
    return (int(str(kind)), lang_rank, str(label))


def fetch_labels(store: Store, result: QueryResult, timeout: float = 30.0) -> dict[str, str]:
    """Return a label for every IRI of ``result`` that has one in the graph ``store`` holds.

    The labels are asked of the same store the query ran on, in SPARQL, so they come from
    the queried graph whichever store it is (rdflib, Oxigraph or a server); the answer
    itself keeps its raw terms, for the machine formats.
    """
    from kratomkg.querying.results import n3
    from kratomkg.querying.safety import CheckedQuery

    iris = sorted({str(t) for row in result.rows for t in row if isinstance(t, URIRef)})
    best: dict[str, tuple[tuple[int, int, str], str]] = {}
    for start in range(0, len(iris), _LABEL_BATCH):
        batch = iris[start : start + _LABEL_BATCH]
        text = _LABEL_QUERY.format(iris=" ".join(n3(URIRef(i)) for i in batch))
        answer = store.run(CheckedQuery(text, "SELECT", "<labels>"), {}, timeout)
        for iri, label, kind in answer.rows:
            if iri is None or label is None or kind is None:
                continue
            rank = _label_rank(label, kind)
            if str(iri) not in best or rank < best[str(iri)][0]:
                best[str(iri)] = (rank, " ".join(str(label).split()))
    return {iri: label for iri, (_rank, label) in best.items() if label}


def _show(term: Node | None, labels: Mapping[str, str]) -> str:
    from kratomkg.querying.results import curie

    if isinstance(term, URIRef) and str(term) in labels:
        return labels[str(term)]
    return curie(term)


def _cells(result: QueryResult, labels: Mapping[str, str] | None) -> list[list[str]]:
    shown = labels or {}
    return [[_show(term, shown) for term in row] for row in result.rows]


def _count(rows: int) -> str:
    return f"({rows} row{'' if rows == 1 else 's'})"


def _console(width: int, color: bool) -> Any:
    from rich.console import Console

    return Console(
        file=io.StringIO(),
        width=width,
        force_terminal=color,
        color_system="standard" if color else None,
        no_color=not color,
        highlight=False,
        markup=False,
        emoji=False,
        legacy_windows=False,
        soft_wrap=False,
    )


def _head_rule() -> Any:
    """Return a box with no borders, one rule of dashes under the header (ASCII for pipes)."""
    from rich.box import Box

    return Box("    \n    \n -  \n    \n    \n    \n    \n    \n", ascii=True)


def _column_widths(head: list[str], rows: list[list[str]], available: int) -> list[int]:
    """Share ``available`` characters among the columns.

    A column that fits gets its natural width. Otherwise every column first gets its
    longest word (so words are not broken while there is room), and what is left goes to
    the columns in proportion to the text they still lack: a column of long quotes widens,
    a column of short names does not.
    """
    natural = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(head)]
    if sum(natural) <= available:
        return natural
    words = [
        max([len(h), *(len(w) for r in rows for w in r[i].split())]) for i, h in enumerate(head)
    ]
    least = [min(n, w) for n, w in zip(natural, words, strict=True)]
    if sum(least) > available:
        # Not even the longest words fit: cap every column's share (long words then fold)
        # low enough to leave some width to the columns of running text (at most a
        # quarter); a column keeps the width of its name where it can.
        def capped(cap: int) -> list[int]:
            return [max(min(m, cap), min(len(h), m)) for m, h in zip(least, head, strict=True)]

        text = sum(
            min(n - w, 20) for n, w in zip(natural, words, strict=True) if n > max(2 * w, 40)
        )
        reserve = min(available // 4, text)
        budget = available - reserve
        cap = max(least)
        while cap > 1 and sum(capped(cap)) > budget:
            cap -= 1
        least = capped(cap)
        if sum(least) > available:
            least = [min(m, cap) for m in least]
        # What is left, the reserve apart, unbreaks words first, the shortest shortfall first.
        spare = available - reserve - sum(least)
        whole = [min(n, w) for n, w in zip(natural, words, strict=True)]
        for index in sorted(range(len(least)), key=lambda i: whole[i] - least[i]):
            grant = max(0, min(spare, whole[index] - least[index]))
            least[index] += grant
            spare -= grant
    spare = available - sum(least)
    lacking = [n - m for n, m in zip(natural, least, strict=True)]
    total = sum(lacking) or 1
    widths = [m + spare * lack // total for m, lack in zip(least, lacking, strict=True)]
    for index in sorted(range(len(widths)), key=lambda i: -lacking[i]):
        if sum(widths) >= available:
            break
        if widths[index] < natural[index]:
            widths[index] += 1
    return widths


def render_table(
    result: QueryResult,
    *,
    labels: Mapping[str, str] | None = None,
    width: int | None = None,
    color: bool = False,
) -> str:
    """Lay ``result`` out as columns in ``width`` characters (default: the terminal's).

    Long text wraps inside its cell (see :func:`_column_widths` for how the width is
    shared), and a row count closes the table. An ASK answer is ``yes`` or ``no``.
    """
    from rich.table import Table

    if result.boolean is not None:
        return ("yes" if result.boolean else "no") + "\n"
    width = width or terminal_width()
    head = list(result.variables)
    rows = [[" ".join(cell.split()) for cell in cells] for cells in _cells(result, labels)]
    gap = 2
    available = max(width - gap * (len(head) - 1), len(head))
    table = Table(
        box=_head_rule(),
        show_edge=False,
        pad_edge=False,
        padding=(0, gap - 1, 0, 0),
        header_style="bold" if color else "",
        border_style="dim" if color else "",
        expand=False,
    )
    for name, column_width in zip(head, _column_widths(head, rows, available), strict=True):
        table.add_column(name, width=column_width, overflow="fold", no_wrap=False)
    for cells in rows:
        table.add_row(*cells)
    console = _console(width, color)
    console.print(table)
    lines = [line.rstrip() for line in console.file.getvalue().splitlines()]
    lines.append(_count(len(result.rows)))
    return "\n".join(lines) + "\n"


def _wrapped(name: str, text: str, indent: int, width: int) -> Iterable[str]:
    head = f"{name}:".ljust(indent)
    if not text:
        return [head.rstrip()]
    return textwrap.wrap(
        text,
        width=max(width, indent + 10),
        initial_indent=head,
        subsequent_indent=" " * indent,
        break_long_words=True,
        break_on_hyphens=False,
    ) or [head.rstrip()]


def render_records(
    result: QueryResult,
    *,
    labels: Mapping[str, str] | None = None,
    width: int | None = None,
    color: bool = False,
) -> str:
    """Write each row as ``field: value`` lines, a blank line between rows.

    For answers with long text (quotes, explanations): every value gets the full width,
    wrapped under its own field name. Unbound variables are left out of their record.
    """
    if result.boolean is not None:
        return ("yes" if result.boolean else "no") + "\n"
    width = width or terminal_width()
    indent = max((len(v) for v in result.variables), default=0) + 2
    blocks: list[str] = []
    for row, cells in zip(result.rows, _cells(result, labels), strict=True):
        lines: list[str] = []
        for name, term, text in zip(result.variables, row, cells, strict=True):
            if term is None:
                continue
            field = list(_wrapped(name, " ".join(text.split()), indent, width))
            if color:
                field[0] = f"\x1b[1m{name}:\x1b[0m" + field[0][len(name) + 1 :]
            lines += field
        blocks.append("\n".join(lines))
    blocks.append(_count(len(result.rows)))
    return "\n\n".join(blocks) + "\n"
