"""Cytoscape.js JSON (``.cyjs``): opens in Cytoscape Desktop and loads into Cytoscape.js.

The layout follows what Cytoscape Desktop writes for its own ``.cyjs`` files: a top-level
``data`` object for the network, ``elements.nodes`` / ``elements.edges`` with their columns
under ``data`` and node positions under ``position``. Desktop shows ``name`` as the node
label and ``interaction`` as the edge type, so both are filled in. Cytoscape.js reads the
same object with ``cy.json(document)``. networkx's ``cytoscape_graph`` reads it too: it
takes each node's id from ``data.value`` and the graph kind from the top-level
``directed`` and ``multigraph`` flags, which Cytoscape ignores.
"""

from __future__ import annotations

import json
from typing import Any

import networkx as nx

from kratomkg._version import __version__

__all__ = ["cytoscape_elements", "write_cyjs"]


def cytoscape_elements(graph: nx.MultiDiGraph[str]) -> dict[str, list[dict[str, Any]]]:
    """Return ``{"nodes": [...], "edges": [...]}`` in Cytoscape.js element form."""
    nodes = []
    for node, attrs in graph.nodes(data=True):
        data = {k: v for k, v in attrs.items() if k not in ("x", "y")}
        data |= {"id": node, "name": attrs.get("label", node)}
        position = {"x": attrs.get("x", 0.0), "y": attrs.get("y", 0.0)}
        nodes.append({"data": data, "position": position})
    edges = []
    for number, (u, v, key, attrs) in enumerate(graph.edges(keys=True, data=True)):
        data = dict(attrs)
        data |= {"id": f"e{number}", "source": u, "target": v, "key": key}
        data |= {"interaction": attrs.get("rel", "related_to"), "name": f"{u} ({key}) {v}"}
        edges.append({"data": data})
    return {"nodes": nodes, "edges": edges}


def write_cyjs(graph: nx.MultiDiGraph[str]) -> str:
    """Serialize a projected graph (see :func:`kratomkg.export.projection.to_networkx`)."""
    view = str(graph.graph.get("view", "summary"))
    elements = cytoscape_elements(graph)
    for node in elements["nodes"]:
        node["data"]["value"] = node["data"]["id"]
    document = {
        "format_version": "1.0",
        "generated_by": f"kratomkg-{__version__}",
        "target_cytoscapejs_version": "~3.34",
        "data": {
            "name": f"kratomkg ({view})",
            "shared_name": f"kratomkg ({view})",
            "view": view,
            "version": __version__,
        },
        "directed": True,
        "multigraph": True,
        "elements": elements,
    }
    return json.dumps(document, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
