"""The Domain map page body: the map as tables, a chosen flow as a graph, and the code behind any row or node."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.evidence_view import render_code_span
from app.state import database
from core.domain.graph import flow_dot, flow_graph, short_name
from storage import domain_store, index_store
from storage import repos as repo_store


def _names(values) -> str:
    return ", ".join(values or [])


def _table(rows: list[dict], columns: dict[str, callable], key: str) -> dict | None:
    """A table with single-row selection; returns the selected row's record."""
    if not rows:
        st.caption("None found.")
        return None
    frame = pd.DataFrame([{name: fn(r) for name, fn in columns.items()} for r in rows])
    event = st.dataframe(frame, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row", key=key)
    picked = event.selection.rows if event is not None else []
    return rows[picked[0]] if picked else None


def _open(root: str | None, encodings: dict[str, str], rec: dict | None) -> None:
    if rec and rec.get("path"):
        render_code_span(root, rec["path"], rec["start_line"], rec["end_line"], encodings.get(rec["path"]))
    else:
        st.caption("Select a row to open its code.")


def render() -> None:
    st.title("Domain map")
    db = database()
    with db.connect() as con:
        repos = repo_store.list_repos(con)
    if not repos:
        st.info("No repository indexed yet: run the pipeline on the **Pipeline** page; the domain map appears here "
                "after the **map** stage has run.", icon=":material/info:")
        return
    left, right = st.columns(2)
    repo = left.selectbox("Repository", repos, format_func=lambda r: r["repo_id"])
    repo_id, root = repo["repo_id"], repo["root"]
    with db.connect() as con:
        counts = domain_store.map_counts(con, repo_id)
        if not counts.get("classes"):
            st.info("This repository has no domain map yet: run the **map** stage on the Pipeline page "
                    "(or `python -m core map`).", icon=":material/info:")
            return
        flows_all = domain_store.flows(con, repo_id)
        domains = sorted({d for f in flows_all for d in (f["domains"] or [])})
        domain = right.selectbox("Domain", [None, *domains], format_func=lambda d: d or "all")
        data = {
            "modules": domain_store.modules(con, repo_id),
            "classes": domain_store.classes(con, repo_id, domain=domain),
            "entities": domain_store.entities(con, repo_id, domain=domain),
            "dicts": domain_store.status_dicts(con, repo_id, domain=domain),
            "endpoints": domain_store.endpoints(con, repo_id, domain=domain),
            "operations": domain_store.operations(con, repo_id, domain=domain),
            "flows": domain_store.flows(con, repo_id, domain=domain),
        }
        encodings = index_store.file_encodings(con, repo_id)
        handlers = {e["handler_id"]: index_store.get_symbol(con, repo_id, e["handler_id"]) for e in data["endpoints"]}

    cols = st.columns(6)
    for col, (label, key) in zip(cols, (("classes", "classes"), ("endpoints", "endpoints"), ("entities", "entities"),
                                        ("status dicts", "status_dicts"), ("operations", "operations"), ("flows", "flows"))):
        col.metric(label, counts.get(key, 0))

    tabs = st.tabs(["Flows", "Modules & layers", "Entities", "Status dictionaries", "Endpoints", "Operations"])
    with tabs[0]:
        _flows(data["flows"], root, encodings)
    with tabs[1]:
        layers = sorted({layer for m in data["modules"] for layer in m["layers"]})
        st.dataframe(pd.DataFrame([{"module": m["module"] or "(root)", "classes": m["classes"],
                                    **{layer: m["layers"].get(layer, 0) for layer in layers}} for m in data["modules"]]),
                     hide_index=True, width="stretch")
        picked = _table(data["classes"], {"class": lambda r: r["name"], "layer": lambda r: r["layer"],
                                          "module": lambda r: r["module"], "domains": lambda r: _names(r["domains"]),
                                          "generated": lambda r: r["is_generated"], "path": lambda r: r["path"]}, "map-classes")
        _open(root, encodings, picked)
    with tabs[2]:
        picked = _table(data["entities"], {"entity": lambda r: r["name"], "tables": lambda r: _names(r["tables"]),
                                           "domains": lambda r: _names(r["domains"]), "path": lambda r: r["path"]}, "map-ent")
        _open(root, encodings, picked)
    with tabs[3]:
        picked = _table(data["dicts"], {
            "owner": lambda r: r["owner"], "field": lambda r: r["field"], "source": lambda r: r["source"],
            "values": lambda r: "; ".join(f"{e['code']} → {e['label']}" for e in r["entries"]),
            "domains": lambda r: _names(r["domains"])}, "map-dicts")
        _open(root, encodings, picked)
    with tabs[4]:
        picked = _table(data["endpoints"], {
            "method": lambda r: r["http_method"], "route": lambda r: r["route"],
            "handler": lambda r: short_name(r["handler_id"]), "summary": lambda r: r["summary"] or "",
            "domains": lambda r: _names(r["domains"])}, "map-endpoints")
        _open(root, encodings, handlers.get(picked["handler_id"]) if picked else None)
    with tabs[5]:
        picked = _table(data["operations"], {
            "operation": lambda r: short_name(r["symbol_id"]), "signature": lambda r: r["signature"] or "",
            "domains": lambda r: _names(r["domains"]), "path": lambda r: r["path"]}, "map-ops")
        _open(root, encodings, picked)


def _flows(flows: list[dict], root: str | None, encodings: dict[str, str]) -> None:
    if not flows:
        st.caption("No flows for this selection.")
        return
    st.dataframe(pd.DataFrame([{"flow": f["name"], "entry": f["entry_kind"], "steps": len(f["steps"]),
                                "domains": _names(f["domains"])} for f in flows]), hide_index=True, width="stretch")
    flow = st.selectbox("Flow", flows, format_func=lambda f: f"{f['name']} · {short_name(f['entry_id'])} ({f['entry_kind']})",
                        key="map-flow")
    left, right = st.columns([1, 1], gap="large")
    with left:
        st.graphviz_chart(flow_dot(flow), width="stretch")
    with right:
        nodes = flow_graph(flow)["nodes"]
        node = st.selectbox("Open the code of a node", nodes, key="map-node",
                            format_func=lambda n: f"{n['label']} · {n['kind']}")
        render_code_span(root, node["path"], node["start_line"], node["end_line"], encodings.get(node["path"]))
