"""A flow folded to what a curator can read: repeated calls drawn once, whole layers collapsed into the
node that calls them, and an optional depth limit.

A flow like mall's `POST /order/generateOrder` has ~100 steps (every SQL statement, every repeated helper
call, every `Asserts.fail`); drawn whole, no label is legible. Folding keeps the call structure: a hidden
step's callees attach to its nearest visible caller, and the caller counts what it hides ("+3 dao, 2 sql"),
so nothing disappears without a trace. Pure functions over a stored flow (storage.domain_store.get_flow).
"""

from __future__ import annotations

from collections import Counter

from core.domain.graph import short_name

# step kind -> the layer a curator collapses or expands
LAYER_OF = {"entry": "controller", "controller": "controller", "service": "service", "service_impl": "service",
            "component": "component", "dao": "dao", "mapper": "dao", "sql": "sql", "other": "other"}
LAYERS = ("controller", "service", "component", "dao", "sql", "other")
DEFAULT_COLLAPSED = ("sql", "other")


def layer(step: dict) -> str:
    return LAYER_OF.get(step["kind"], "other")


def fold(flow: dict, collapsed: tuple[str, ...] | frozenset[str] = DEFAULT_COLLAPSED, max_depth: int | None = None,
         ) -> dict:
    """{"nodes": [...], "edges": [...], "steps": n} with each node
    {id, label, owner, method, layer, kind, path, start_line, end_line, calls, folded: {layer: n}, depth,
    order (its place among its caller's callees drawn, from 1; 0 for the entry)}.

    Steps of kind "again" (a call to a method already drawn) add to that node's `calls` and, from another
    caller, an edge to it. The entry step is never hidden.
    """
    collapsed = frozenset(collapsed)
    nodes: list[dict] = []
    edges: dict[tuple[str, str], int] = {}
    by_symbol: dict[str, dict] = {}
    stack: list[tuple[int, dict | None]] = []   # (depth, visible node standing for that step, or None)

    def visible_parent() -> dict | None:
        return next((node for _, node in reversed(stack) if node is not None), None)

    for index, step in enumerate(flow["steps"]):
        depth = step["depth"]
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parent = visible_parent()
        if step["kind"] == "again":
            target = by_symbol.get(step["symbol_id"])
            if target is not None:
                target["calls"] += 1
                shown = max_depth is None or depth <= max_depth
                if shown and parent is not None and parent is not target:
                    edges[(parent["id"], target["id"])] = edges.get((parent["id"], target["id"]), 0) + 1
            stack.append((depth, None))
            continue
        kind_layer = layer(step)
        hidden = index > 0 and (kind_layer in collapsed or (max_depth is not None and depth > max_depth))
        if hidden:
            if parent is not None:
                parent["folded"][kind_layer if kind_layer in collapsed else "deeper"] += 1
            stack.append((depth, None))
            continue
        owner, _, method = short_name(step["symbol_id"]).rpartition(".")
        if step["kind"] == "sql":
            method = f"{(step.get('sql_kind') or 'sql').upper()} {method}"
        node = {"id": f"n{index}", "label": f"{owner}.{method}" if owner else method, "owner": owner,
                "method": method, "layer": kind_layer, "kind": step["kind"], "path": step["path"],
                "start_line": step["start_line"], "end_line": step["end_line"], "calls": 1, "folded": Counter(),
                "depth": depth, "symbol_id": step["symbol_id"], "order": 0, "callees": 0}
        nodes.append(node)
        by_symbol.setdefault(step["symbol_id"], node)
        if parent is not None:
            edges[(parent["id"], node["id"])] = edges.get((parent["id"], node["id"]), 0) + 1
            parent["callees"] += 1
            node["order"] = parent["callees"]
        stack.append((depth, node))
    return {"nodes": nodes, "steps": len(flow["steps"]),
            "edges": [{"source": s, "target": t, "count": n} for (s, t), n in edges.items()]}


def folded_text(node: dict) -> str:
    """"+3 dao · 2 sql · 4 deeper" for what a node hides; empty when it hides nothing."""
    return " · ".join(f"+{n} {name}" for name, n in sorted(node["folded"].items()) if n)


def default_depth(flow: dict, collapsed: tuple[str, ...] | frozenset[str] = DEFAULT_COLLAPSED) -> int | None:
    """The deepest call level whose folded graph fits the view at zoom 1 (None: the whole flow fits; 1 when
    nothing deeper does)."""
    if fits(fold(flow, collapsed)):
        return None
    deepest = max((s["depth"] for s in flow["steps"]), default=0)
    return next((d for d in range(deepest - 1, 1, -1) if fits(fold(flow, collapsed, d))), 1)


# Layout, in pixels at zoom 1. A node shows up to three short lines in a 13 px face: its class, its method in
# bold, what it folds away in italics. Measured in Chromium, a character of a Java name takes up to 7.7 px
# plain and 8.5 px bold; a node is as wide as its widest line needs, so no label is cut.
CHAR_PX = (7.8, 8.7, 7.8)   # per line: class, method (bold), folded (italic)
PAD_PX = 24
NODE_H = 64
ROW_H = 72           # node height plus the gap below it
GAP_X = 40           # between a caller and the column of its callees
GAP_SUB = 20         # between two sub-columns of one caller's callees
MAX_COLUMN_H = 12 * ROW_H
VIEW_W, VIEW_H = 1140, 920   # the graph's frame in a 1600 x 1000 window beside the sidebar
BOX_PAD = 12         # around the callees of a caller whose column wraps
BOX_TOP = 30         # the box's title line


def node_lines(node: dict) -> list[str]:
    """What a node shows: its class, its call order and method (×n when called more than once), what it
    folds away."""
    order = f"{node['order']} · " if node["order"] else ""
    lines = [node["owner"] or node["kind"], order + node["method"] + (f" ×{node['calls']}" if node["calls"] > 1 else "")]
    hidden = folded_text(node)
    return [*lines, hidden] if hidden else lines


def node_width(node: dict) -> int:
    return int(max(len(line) * px for line, px in zip(node_lines(node), CHAR_PX)) + PAD_PX)


def layout(graph: dict) -> dict:
    """Left-to-right positions for a folded graph, laid out on its call tree:
    {"positions": {node id: (x, y)}, "boxes": [{id, caller, x, y, w, h, label}], "boxed": {node ids}}.

    A caller's callees stand in a column to its right in call order. A column of calls that call nothing
    drawn, taller than MAX_COLUMN_H, wraps into further sub-columns inside a box titled with the caller, and
    one arrow goes from the caller to the box (arrows to a second sub-column would pass behind the first and
    seem to come from its nodes), so a method with two dozen callees (generateOrder) reads as a compact
    numbered grid at zoom 1.
    """
    nodes = {n["id"]: n for n in graph["nodes"]}
    children: dict[str, list[str]] = {nid: [] for nid in nodes}
    has_parent: set[str] = set()
    for edge in graph["edges"]:   # the first edge into a node is its tree parent; the rest are repeat calls
        if edge["target"] not in has_parent and edge["target"] != edge["source"]:
            children[edge["source"]].append(edge["target"])
            has_parent.add(edge["target"])
    sizes: dict[str, tuple[int, int]] = {}
    cols_of: dict[str, list[list[str]]] = {}

    def columns(nid: str) -> list[list[str]]:
        if nid not in cols_of:
            cols: list[list[str]] = [[]]
            height = 0
            for kid in children[nid]:
                h = size(kid)[1]
                if cols[-1] and height + h > MAX_COLUMN_H:
                    cols.append([])
                    height = 0
                cols[-1].append(kid)
                height += h
            cols_of[nid] = cols
        return cols_of[nid]

    def block(nid: str) -> tuple[int, int, bool]:
        cols = columns(nid) if all(not children[k] for k in children[nid]) else [children[nid]]
        boxed = len(cols) > 1
        w = sum(max(size(k)[0] for k in col) for col in cols) + GAP_SUB * (len(cols) - 1)
        h = max(sum(size(k)[1] for k in col) for col in cols)
        return (w + 2 * BOX_PAD, h + BOX_TOP, True) if boxed else (w, h, False)

    def size(nid: str) -> tuple[int, int]:
        if nid not in sizes:
            own_w = node_width(nodes[nid])
            if not children[nid]:
                sizes[nid] = (own_w, ROW_H)
            else:
                w, h, _ = block(nid)
                sizes[nid] = (own_w + GAP_X + w, max(ROW_H, h))
        return sizes[nid]

    positions: dict[str, tuple[int, int]] = {}
    boxes: list[dict] = []
    boxed: set[str] = set()

    def place(nid: str, x: int, y: int) -> None:
        positions[nid] = (x, y)
        if not children[nid]:
            return
        left = x + node_width(nodes[nid]) + GAP_X
        w, h, is_boxed = block(nid)
        if is_boxed:
            boxes.append({"id": f"box-{nid}", "caller": nid, "x": left, "y": y, "w": w, "h": h - ROW_H + NODE_H + BOX_PAD,
                          "label": f"called by {nodes[nid]['label']}, in call order"})
            boxed.update(children[nid])
            left, y = left + BOX_PAD, y + BOX_TOP
        for col in columns(nid) if is_boxed else [children[nid]]:
            top = y
            for kid in col:
                place(kid, left, top)
                top += size(kid)[1]
            left += max(size(k)[0] for k in col) + GAP_SUB

    top = 0
    for root in (nid for nid in nodes if nid not in has_parent):
        place(root, 0, top)
        top += size(root)[1]
    return {"positions": positions, "boxes": boxes, "boxed": boxed}


def extent(graph: dict) -> tuple[int, int]:
    """Width and height of the laid-out graph, in pixels at zoom 1."""
    placed = layout(graph)
    nodes = {n["id"]: n for n in graph["nodes"]}
    rects = [(x + node_width(nodes[nid]), y + NODE_H) for nid, (x, y) in placed["positions"].items()]
    rects += [(b["x"] + b["w"], b["y"] + b["h"]) for b in placed["boxes"]]
    return max((r[0] for r in rects), default=0), max((r[1] for r in rects), default=0)


def fits(graph: dict, width: int = VIEW_W, height: int = VIEW_H) -> bool:
    w, h = extent(graph)
    return w <= width and h <= height
