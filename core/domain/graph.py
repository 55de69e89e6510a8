"""A flow as a graph (nodes and edges) and as Graphviz DOT for `st.graphviz_chart`.

Pure functions over a stored flow (`storage.domain_store.get_flow`): the app
draws, this module decides what is drawn.
"""

from __future__ import annotations

_SHAPES = {"entry": "doubleoctagon", "controller": "box", "service": "box", "service_impl": "box",
           "component": "box", "dao": "cylinder", "mapper": "cylinder", "sql": "note"}
_COLORS = {"entry": "#fde68a", "controller": "#e0e7ff", "service": "#dbeafe", "service_impl": "#dbeafe",
           "component": "#e0f2fe", "dao": "#dcfce7", "mapper": "#dcfce7", "sql": "#f3f4f6"}


def short_name(symbol_id: str) -> str:
    """`pkg.OmsPortalOrderServiceImpl#generateOrder(OrderParam)` -> `OmsPortalOrderServiceImpl.generateOrder`."""
    if "#" in symbol_id:
        owner, method = symbol_id.split("#", 1)
        return f"{owner.rsplit('.', 1)[-1]}.{method.split('(', 1)[0]}"
    parts = symbol_id.rsplit(".", 2)
    return ".".join(parts[-2:])


def flow_graph(flow: dict) -> dict:
    """{"nodes": [{id, label, kind, path, start_line, end_line}], "edges": [{source, target, label}]}.

    Edges go from each step to the nearest earlier step one level shallower (its caller).
    """
    nodes, edges = [], []
    stack: list[tuple[int, str]] = []   # (depth, node id) of the current call path
    for index, step in enumerate(flow["steps"]):
        node_id = f"n{index}"
        label = short_name(step["symbol_id"])
        if step["kind"] == "sql":
            label = f"{step.get('sql_kind', 'sql').upper()} {label}"
        nodes.append({"id": node_id, "label": label, "kind": step["kind"], "path": step["path"],
                      "start_line": step["start_line"], "end_line": step["end_line"]})
        while stack and stack[-1][0] >= step["depth"]:
            stack.pop()
        if stack:
            line = step.get("call_line")
            edges.append({"source": stack[-1][1], "target": node_id, "label": f"L{line}" if line else ""})
        stack.append((step["depth"], node_id))
    return {"nodes": nodes, "edges": edges}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def flow_dot(flow: dict) -> str:
    """Graphviz DOT source of a flow, top to bottom, nodes shaped and coloured by layer."""
    graph = flow_graph(flow)
    lines = ["digraph flow {", "  rankdir=TB;", '  node [fontname="Helvetica", fontsize=10, style=filled];',
             '  edge [fontname="Helvetica", fontsize=8];']
    for node in graph["nodes"]:
        tooltip = f"{node['path']}:{node['start_line']}-{node['end_line']}"
        lines.append(f"  {node['id']} [label={_quote(node['label'])}, shape={_SHAPES.get(node['kind'], 'box')}, "
                     f"fillcolor={_quote(_COLORS.get(node['kind'], '#ffffff'))}, tooltip={_quote(tooltip)}];")
    for edge in graph["edges"]:
        lines.append(f"  {edge['source']} -> {edge['target']} [label={_quote(edge['label'])}];")
    lines.append("}")
    return "\n".join(lines)
