"""Node and edge tables in the CSV layout of Neo4j's bulk importer (``neo4j-admin import``).

Headers follow Neo4j's conventions: ``id:ID`` and ``:LABEL`` for nodes, ``:START_ID``,
``:END_ID`` and ``:TYPE`` for relationships, and a type suffix on non-text columns
(``evidence_count:long``, ``x:double``, ``flag:boolean``). Empty cells mean "no value".
The same tables open in any spreadsheet, in Gephi's and in Cytoscape's table importers.

    neo4j-admin database import full --nodes=kratomkg-nodes.csv \\
        --relationships=kratomkg-edges.csv kratomkg
"""

from __future__ import annotations

import csv
import io

import networkx as nx

from kratomkg.export._attrs import columns, text

__all__ = ["write_edges_csv", "write_nodes_csv"]

_SUFFIX = {"boolean": ":boolean", "integer": ":long", "double": ":double", "string": ""}


def _table(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def write_nodes_csv(graph: nx.MultiDiGraph[str]) -> str:
    """Write the node table: one row per node, ``:LABEL`` is the node's type."""
    cols = columns(attrs for _, attrs in graph.nodes(data=True))
    header = ["id:ID", ":LABEL", *(f"{name}{_SUFFIX[kind]}" for name, kind in cols)]
    rows = [
        [
            node,
            str(attrs.get("type", "Resource")),
            *(text(attrs[n], k) if n in attrs else "" for n, k in cols),
        ]
        for node, attrs in graph.nodes(data=True)
    ]
    return _table(header, rows)


def write_edges_csv(graph: nx.MultiDiGraph[str]) -> str:
    """Write the relationship table: one row per edge, ``:TYPE`` from the edge's ``rel``."""
    cols = columns(attrs for *_, attrs in graph.edges(data=True))
    header = [":START_ID", ":END_ID", ":TYPE", "key"]
    header += [f"{name}{_SUFFIX[kind]}" for name, kind in cols]
    rows = [
        [
            u,
            v,
            str(attrs.get("rel", "RELATED_TO")),
            str(key),
            *(text(attrs[n], k) if n in attrs else "" for n, k in cols),
        ]
        for u, v, key, attrs in graph.edges(keys=True, data=True)
    ]
    return _table(header, rows)
