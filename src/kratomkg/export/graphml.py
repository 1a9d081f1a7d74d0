"""GraphML that yEd draws with labels and type colours, and that every other reader loads.

Plain GraphML keys carry the attributes (networkx, igraph, Gephi and Cytoscape read them);
yEd ignores those for drawing and looks for its own yFiles extension instead, so each node
also carries a ``y:ShapeNode`` (geometry, fill colour, ``y:NodeLabel``) and each edge a
``y:PolyLineEdge`` (colour, arrow, ``y:EdgeLabel``). Readers that do not know yFiles skip
those two keys.
"""

from __future__ import annotations

import networkx as nx

from kratomkg.export._attrs import columns, text
from kratomkg.export._xml import xml_attr, xml_text

__all__ = ["write_graphml"]

_TYPES = {"boolean": "boolean", "integer": "long", "double": "double", "string": "string"}
_LABEL_WIDTH_PER_CHAR = 7.0


def _shape_node(attrs: dict[str, object], where: str) -> str:
    label = str(attrs.get("label", ""))
    width = max(60.0, min(260.0, 16.0 + _LABEL_WIDTH_PER_CHAR * len(label)))
    x, y = float(str(attrs.get("x", 0.0))), float(str(attrs.get("y", 0.0)))
    color = xml_attr(str(attrs.get("color", "#9E9E9E")))
    return (
        "<y:ShapeNode>"
        f'<y:Geometry height="30.0" width="{width:.1f}" x="{x - width / 2:.1f}" y="{y - 15:.1f}"/>'
        f'<y:Fill color="{color}" transparent="false"/>'
        '<y:BorderStyle color="#333333" type="line" width="1.0"/>'
        '<y:NodeLabel alignment="center" autoSizePolicy="content" fontFamily="Dialog" '
        'fontSize="12" fontStyle="plain" textColor="#FFFFFF" visible="true" '
        f'modelName="internal" modelPosition="c">{xml_text(label, where)}</y:NodeLabel>'
        '<y:Shape type="roundrectangle"/>'
        "</y:ShapeNode>"
    )


# yFiles line type of a claim edge by its derived status, so it never rests on colour alone.
_STATUS_LINES = {"Contested": "dashed", "Refuted": "dotted"}


def _poly_line_edge(attrs: dict[str, object], where: str) -> str:
    color = xml_attr(str(attrs.get("color", "#9E9E9E")))
    label = str(attrs.get("rating", attrs.get("label", "")))
    line = _STATUS_LINES.get(str(attrs.get("status_key", "")), "line")
    return (
        "<y:PolyLineEdge>"
        f'<y:LineStyle color="{color}" type="{line}" width="2.0"/>'
        '<y:Arrows source="none" target="standard"/>'
        '<y:EdgeLabel fontFamily="Dialog" fontSize="10" textColor="#333333" visible="true">'
        f"{xml_text(label, where)}</y:EdgeLabel>"
        '<y:BendStyle smoothed="true"/>'
        "</y:PolyLineEdge>"
    )


def write_graphml(graph: nx.MultiDiGraph[str]) -> str:
    """Serialize a projected graph (see :func:`kratomkg.export.projection.to_networkx`)."""
    node_cols = columns(attrs for _, attrs in graph.nodes(data=True))
    edge_cols = columns(attrs for *_, attrs in graph.edges(data=True))
    graph_cols = columns([graph.graph])
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        ' xmlns:y="http://www.yworks.com/xml/graphml"'
        ' xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns'
        ' http://www.yworks.com/xml/schema/graphml/1.1/ygraphml.xsd">',
    ]
    ids: dict[tuple[str, str], str] = {}
    for scope, cols in (("graph", graph_cols), ("node", node_cols), ("edge", edge_cols)):
        for number, (name, kind) in enumerate(cols):
            key = ids[(scope, name)] = f"{scope[0]}{number}"
            lines.append(
                f'  <key id="{key}" for="{scope}" attr.name="{xml_attr(name)}"'
                f' attr.type="{_TYPES[kind]}"/>'
            )
    lines.append('  <key id="ng" for="node" yfiles.type="nodegraphics"/>')
    lines.append('  <key id="eg" for="edge" yfiles.type="edgegraphics"/>')
    lines.append('  <graph id="kratomkg" edgedefault="directed">')
    for name, kind in graph_cols:
        value = xml_text(text(graph.graph[name], kind))
        lines.append(f'    <data key="{ids[("graph", name)]}">{value}</data>')
    for node, attrs in graph.nodes(data=True):
        where = f"node {node}"
        lines.append(f'    <node id="{xml_attr(node, where)}">')
        for name, kind in node_cols:
            if name in attrs:
                value = xml_text(text(attrs[name], kind), where)
                lines.append(f'      <data key="{ids[("node", name)]}">{value}</data>')
        lines.append(f'      <data key="ng">{_shape_node(attrs, where)}</data>')
        lines.append("    </node>")
    for number, (u, v, key, attrs) in enumerate(graph.edges(keys=True, data=True)):
        where = f"edge {u} -> {v} ({key})"
        lines.append(
            f'    <edge id="e{number}" source="{xml_attr(u, where)}" target="{xml_attr(v, where)}">'
        )
        for name, kind in edge_cols:
            if name in attrs:
                value = xml_text(text(attrs[name], kind), where)
                lines.append(f'      <data key="{ids[("edge", name)]}">{value}</data>')
        lines.append(f'      <data key="eg">{_poly_line_edge(attrs, where)}</data>')
        lines.append("    </edge>")
    lines += ["  </graph>", "</graphml>"]
    return "\n".join(lines) + "\n"
