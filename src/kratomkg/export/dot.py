"""Graphviz DOT: quoted IDs, ``#RRGGBB`` colours, short edge labels, details in tooltips.

Every ID and value is a double-quoted string (a CURIE such as ``kid:mor`` is not a valid
bare ID), colours are six-digit hex (Graphviz warns on three-digit ones), and only
attributes Graphviz knows are written, so ``dot -Tsvg`` renders the file without warnings.
The SVG output keeps each node's IRI as a link and its details as a tooltip.
"""

from __future__ import annotations

import networkx as nx

from kratomkg._version import __version__

__all__ = ["write_dot"]


def _quote(value: object) -> str:
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return f'"{text}"'


def _attrs(pairs: dict[str, object]) -> str:
    return ", ".join(f"{name}={_quote(value)}" for name, value in pairs.items())


def _color(value: object, default: str = "#9E9E9E") -> str:
    text = str(value)
    ok = len(text) == 7 and text[0] == "#" and all(c in "0123456789abcdefABCDEF" for c in text[1:])
    return text if ok else default


# Line style of a claim edge by its derived status (Graphviz style names).
_STATUS_STYLES = {"Contested": "dashed", "Refuted": "dotted"}


def _edge_label(attrs: dict[str, object]) -> str:
    # A claim's own label is a sentence; its rating is what a reader of the picture needs.
    key = "rating" if attrs.get("kind") == "claim" else "label"
    return str(attrs.get(key, ""))


def _tooltip(attrs: dict[str, object], names: tuple[str, ...]) -> str:
    return "\n".join(f"{name}: {attrs[name]}" for name in names if name in attrs)


def write_dot(graph: nx.MultiDiGraph[str]) -> str:
    """Serialize a projected graph (see :func:`kratomkg.export.projection.to_networkx`)."""
    view = str(graph.graph.get("view", "summary"))
    full = view == "full"
    graph_attrs: dict[str, object] = {
        "label": f"kratomkg {__version__} ({view} view)",
        "labelloc": "t",
        "fontsize": "20",
        "rankdir": "LR",
        "nodesep": "0.25",
        "ranksep": "2.5" if full else "1.2",
        "bgcolor": "#FFFFFF",
    }
    lines = [
        'digraph "kratomkg" {',
        f"  graph [{_attrs(graph_attrs)}];",
        '  node [shape="box", style="rounded,filled", fontcolor="#FFFFFF", fontsize="11",'
        ' penwidth="0.5"];',
        '  edge [fontsize="9", fontcolor="#444444", arrowsize="0.7"];',
    ]
    for node, attrs in graph.nodes(data=True):
        pairs: dict[str, object] = {
            "label": attrs.get("label", node),
            "fillcolor": _color(attrs.get("color")),
            "tooltip": _tooltip(attrs, ("type", "iri", "definition")),
        }
        if str(attrs.get("iri", "")).startswith(("http://", "https://")):
            pairs["URL"] = attrs["iri"]
        lines.append(f"  {_quote(node)} [{_attrs(pairs)}];")
    for u, v, attrs in graph.edges(data=True):
        pairs = {
            "label": _edge_label(attrs),
            "color": _color(attrs.get("color")),
            "tooltip": _tooltip(
                attrs,
                (
                    "label",
                    "certainty",
                    "status",
                    "preclinical_support",
                    "condition",
                    "evidence_count",
                    "measurements",
                    "iri",
                ),
            ),
        }
        if attrs.get("kind") == "claim":
            pairs["penwidth"] = f"{1.0 + 0.6 * float(str(attrs.get('certainty_rank', 0))):.1f}"
            # The status is drawn as the line style too, so it never rests on colour alone.
            style = _STATUS_STYLES.get(str(attrs.get("status_key", "")))
            if style:
                pairs["style"] = style
        lines.append(f"  {_quote(u)} -> {_quote(v)} [{_attrs(pairs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
