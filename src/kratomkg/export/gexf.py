"""GEXF 1.3 for Gephi: typed attribute columns, and ``viz`` colours, sizes and positions.

Gephi shows a GEXF file as drawn here: nodes coloured by type and placed at the projection's
deterministic positions, claim edges coloured by derived certainty. Written as text so that the
output is byte-identical between runs.
"""

from __future__ import annotations

import networkx as nx

from kratomkg._version import __version__
from kratomkg.export._attrs import columns, text
from kratomkg.export._xml import xml_attr

__all__ = ["write_gexf"]

# The node label and id are GEXF attributes of <node> itself, not attribute columns.
_OWN = ("label",)


def _rgb(color: object) -> tuple[int, int, int]:
    value = str(color).lstrip("#")
    if len(value) != 6:
        value = "9E9E9E"
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _viz_color(color: object) -> str:
    r, g, b = _rgb(color)
    return f'<viz:color r="{r}" g="{g}" b="{b}" a="1.0"/>'


def _attvalues(attrs: dict[str, object], cols: list[tuple[str, str]], where: str) -> list[str]:
    values = [
        f'<attvalue for="{number}" value="{xml_attr(text(attrs[name], kind), where)}"/>'
        for number, (name, kind) in enumerate(cols)
        if name in attrs
    ]
    if not values:
        return []
    return ["<attvalues>", *(f"  {v}" for v in values), "</attvalues>"]


def write_gexf(graph: nx.MultiDiGraph[str]) -> str:
    """Serialize a projected graph (see :func:`kratomkg.export.projection.to_networkx`)."""
    node_cols = columns((attrs for _, attrs in graph.nodes(data=True)), skip=_OWN)
    edge_cols = columns((attrs for *_, attrs in graph.edges(data=True)), skip=_OWN)
    view = xml_attr(str(graph.graph.get("view", "")))
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        ' xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">',
        "  <meta>",
        f"    <creator>kratomkg {xml_attr(__version__)}</creator>",
        f"    <description>kratomkg knowledge graph, {view} view</description>",
        "  </meta>",
        '  <graph defaultedgetype="directed" mode="static">',
    ]
    for scope, cols in (("node", node_cols), ("edge", edge_cols)):
        lines.append(f'    <attributes class="{scope}" mode="static">')
        for number, (name, kind) in enumerate(cols):
            lines.append(f'      <attribute id="{number}" title="{xml_attr(name)}" type="{kind}"/>')
        lines.append("    </attributes>")
    lines.append("    <nodes>")
    for node, attrs in graph.nodes(data=True):
        where = f"node {node}"
        label = xml_attr(str(attrs.get("label", node)), where)
        lines.append(f'      <node id="{xml_attr(node, where)}" label="{label}">')
        lines += [f"        {line}" for line in _attvalues(attrs, node_cols, where)]
        lines.append(f"        {_viz_color(attrs.get('color'))}")
        x, y = float(str(attrs.get("x", 0.0))), float(str(attrs.get("y", 0.0)))
        # GEXF's y axis points up, the projection's (like the screen's) points down.
        lines.append(f'        <viz:position x="{x:.1f}" y="{-y:.1f}" z="0.0"/>')
        lines.append('        <viz:size value="10.0"/>')
        lines.append("      </node>")
    lines += ["    </nodes>", "    <edges>"]
    for number, (u, v, key, attrs) in enumerate(graph.edges(keys=True, data=True)):
        where = f"edge {u} -> {v} ({key})"
        label = xml_attr(str(attrs.get("label", key)), where)
        lines.append(
            f'      <edge id="e{number}" source="{xml_attr(u, where)}"'
            f' target="{xml_attr(v, where)}" label="{label}">'
        )
        lines += [f"        {line}" for line in _attvalues(attrs, edge_cols, where)]
        lines.append(f"        {_viz_color(attrs.get('color'))}")
        lines.append("      </edge>")
    lines += ["    </edges>", "  </graph>", "</gexf>"]
    return "\n".join(lines) + "\n"
