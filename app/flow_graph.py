"""A flow as an interactive graph: left to right, layers collapsible, pan and zoom, a click opens the code.

Drawn with streamlit-flow-component (React Flow; its JavaScript ships inside the wheel, nothing is fetched):
it pans, zooms and returns the node clicked (no minimap: it would cover nodes at the bottom right). Positions come from
core.domain.flow_fold.layout, so the graph opens at zoom 1 with every label at its full size, whatever
the size of the flow; folding (repeats, collapsed layers, a depth limit) keeps it small enough to read.
"""

from __future__ import annotations

import html

import streamlit as st
from streamlit_flow import StreamlitFlowEdge, StreamlitFlowNode, StreamlitFlowState, streamlit_flow
from streamlit_flow.layouts import ManualLayout

from app.evidence_view import render_code_span
from core.domain import flow_fold

_COLORS = {"controller": "#fde68a", "service": "#dbeafe", "component": "#e0f2fe", "dao": "#dcfce7",
           "sql": "#f3f4f6", "other": "#f5f5f4"}
HEIGHT = 920


def _content(node: dict) -> str:
    """Node text as Markdown: class on the first line, method in bold, what it folds away in italics."""
    lines = flow_fold.node_lines(node)
    out = [html.escape(lines[0]), f"**{html.escape(lines[1])}**"]
    if len(lines) > 2:
        out.append(f"*{html.escape(lines[2])}*")
    return "  \n".join(out)


def _state(graph: dict) -> StreamlitFlowState:
    placed = flow_fold.layout(graph)
    positions = placed["positions"]
    boxes = [StreamlitFlowNode(
        id=b["id"], pos=(b["x"], b["y"]), data={"content": f"*{html.escape(b['label'])}*"}, node_type="default",
        source_position="right", target_position="left", draggable=False, selectable=False, z_index=-1,
        style={"width": f"{b['w']}px", "height": f"{b['h']}px", "padding": "5px 10px", "fontSize": "12px",
               "textAlign": "left", "color": "#475569", "background": "rgba(241, 245, 249, 0.6)",
               "border": "1px dashed #94a3b8"},
    ) for b in placed["boxes"]]
    nodes = [StreamlitFlowNode(
        id=n["id"], pos=positions[n["id"]], data={"content": _content(n)}, node_type="default",
        source_position="right", target_position="left", draggable=False, selectable=True,
        style={"width": f"{flow_fold.node_width(n)}px", "height": f"{flow_fold.NODE_H}px", "padding": "4px 8px",
               "fontSize": "13px", "lineHeight": "16px", "textAlign": "left", "whiteSpace": "nowrap",
               "background": _COLORS.get(n["layer"], "#ffffff"), "border": "1px solid #94a3b8"},
    ) for n in graph["nodes"]]
    callers = {b["caller"]: b["id"] for b in placed["boxes"]}
    # one arrow from a caller to the box of its callees, instead of one per callee
    links = [{**e, "label": f"×{e['count']}" if e["count"] > 1 else ""} for e in graph["edges"]
             if not (e["source"] in callers and e["target"] in placed["boxed"])]
    links += [{"source": caller, "target": box, "label": ""} for caller, box in callers.items()]
    edges = [StreamlitFlowEdge(
        id=f"e-{e['source']}-{e['target']}", source=e["source"], target=e["target"], edge_type="smoothstep",
        marker_end={"type": "arrowclosed"}, label=e["label"], style={"stroke": "#64748b"},
    ) for e in links]
    return StreamlitFlowState(nodes=[*boxes, *nodes], edges=edges)


def render(flow: dict, root: str | None, encodings: dict[str, str], key: str) -> None:
    """Controls (layers, depth), the graph, and below it the code of the node clicked (the entry at first)."""
    deepest = max((s["depth"] for s in flow["steps"]), default=0)
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    shown = left.pills("Layers shown (the others fold into their caller)", flow_fold.LAYERS, selection_mode="multi",
                       default=[x for x in flow_fold.LAYERS if x not in flow_fold.DEFAULT_COLLAPSED],
                       key=f"{key}-layers")
    collapsed = tuple(x for x in flow_fold.LAYERS if x not in shown)
    suggested = flow_fold.default_depth(flow, collapsed)
    depth = right.slider("Call depth shown", 1, max(deepest, 2), suggested or max(deepest, 2), key=f"{key}-depth",
                         help="deeper calls fold into the last caller shown (its '+n deeper')")
    graph = flow_fold.fold(flow, collapsed, depth)
    st.caption(f"{len(graph['nodes'])} of {graph['steps']} steps drawn: repeated calls once (×n), "
               f"{', '.join(collapsed) or 'no'} layers folded, depth ≤ {depth}. Drag to pan, scroll to zoom; "
               "click a node to open its code below.")
    widget_key = f"{key}-{flow['flow_id']}-{'.'.join(collapsed)}-{depth}"
    state_key = f"{widget_key}-state"   # the component keeps its own value under its widget key
    if state_key not in st.session_state:
        st.session_state[state_key] = _state(graph)
    st.session_state[state_key] = streamlit_flow(
        widget_key, st.session_state[state_key], height=HEIGHT, fit_view=False, show_controls=True, show_minimap=False,
        layout=ManualLayout(), get_node_on_click=True, pan_on_drag=True, allow_zoom=True, min_zoom=0.1,
        hide_watermark=True)
    by_id = {n["id"]: n for n in graph["nodes"]}
    node = by_id.get(st.session_state[state_key].selected_id) or graph["nodes"][0]
    st.markdown(f"**{html.escape(node['label'])}** · {node['layer']} · `{node['path']}:{node['start_line']}`"
                + (f" · called {node['calls']}×" if node["calls"] > 1 else ""))
    render_code_span(root, node["path"], node["start_line"], node["end_line"], encodings.get(node["path"]))
