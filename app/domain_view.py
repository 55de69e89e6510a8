"""The Domain map page body: state machines of status fields, flows as graphs, rules, the map as tables, the
code behind any row or node, and links from a rule or flow to its samples (and back, via `?rule=` / `?flow=`)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import flow_graph, state_machine_view
from app.evidence_view import render_code_span
from app.source_samples import samples_list
from app.state import database
from core.domain.graph import short_name
from storage import domain_store, index_store, rules_store
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


def _linked() -> dict[str, str]:
    """What a link into the map asks for: `?rule=ID`, `?flow=ID`, `?domain=order` (read on every run)."""
    return {k: st.query_params[k] for k in ("rule", "flow", "domain") if st.query_params.get(k)}


def render() -> None:
    st.title("Domain map")
    db = database()
    with db.connect() as con:
        repos = repo_store.list_repos(con)
    if not repos:
        st.info("No repository indexed yet: run the pipeline on the **Pipeline** page; the domain map appears here "
                "after the **map** stage has run.", icon=":material/info:")
        return
    linked = _linked()
    left, right = st.columns(2)
    repo = left.selectbox("Repository", repos, format_func=lambda r: r["repo_id"])
    repo_id, root = repo["repo_id"], repo["root"]
    with db.connect() as con:
        counts = domain_store.map_counts(con, repo_id)
        if not counts.get("classes"):
            st.info("This repository has no domain map yet: run the **map** stage on the Pipeline page "
                    "(or `python -m core map`).", icon=":material/info:")
            return
        rule = rules_store.get_rule(con, repo_id, linked["rule"]) if "rule" in linked else None
        flow = domain_store.get_flow(con, repo_id, linked["flow"]) if "flow" in linked else None
        flows_all = domain_store.flows(con, repo_id)
        domains = sorted({d for f in flows_all for d in (f["domains"] or [])})
        wanted = linked.get("domain") or (rule or {}).get("domain")
        domain = right.selectbox("Domain", [None, *domains], format_func=lambda d: d or "all",
                                 index=domains.index(wanted) + 1 if wanted in domains else 0)
        data = {
            "modules": domain_store.modules(con, repo_id),
            "classes": domain_store.classes(con, repo_id, domain=domain),
            "entities": domain_store.entities(con, repo_id, domain=domain),
            "dicts": domain_store.status_dicts(con, repo_id, domain=domain),
            "all_dicts": domain_store.status_dicts(con, repo_id),
            "endpoints": domain_store.endpoints(con, repo_id, domain=domain),
            "operations": domain_store.operations(con, repo_id, domain=domain),
            "flows": domain_store.flows(con, repo_id, domain=domain),
            "rules": rules_store.list_rules(con, repo_id, [domain] if domain else None),
            "flow_samples": domain_store.sample_counts_by_source(con, repo_id, "flow"),
            "rule_samples": domain_store.sample_counts_by_source(con, repo_id, "rule"),
        }
        review = domain_store.domain_counts(con, repo_id, domain)
        encodings = index_store.file_encodings(con, repo_id)
        handlers = {e["handler_id"]: index_store.get_symbol(con, repo_id, e["handler_id"]) for e in data["endpoints"]}

    for kind, found in (("rule", rule), ("flow", flow)):
        if kind in linked and found is None:
            st.warning(f"The {kind} `{linked[kind]}` a sample links to is not in this map any more: extraction has "
                       "run again since the sample was generated. Run **generate** to bring the samples up to date.",
                       icon=":material/link_off:")
    scope = f"domain {domain}" if domain else "all domains"
    cols = st.columns(8)
    for col, (label, value) in zip(cols, (
            ("classes", len(data["classes"])), ("endpoints", len(data["endpoints"])),
            ("entities", len(data["entities"])), ("status dicts", len(data["dicts"])),
            ("operations", len(data["operations"])), ("flows", len(data["flows"])),
            ("rules", review["rules"]), ("samples", review["samples"]))):
        col.metric(label, value, help=f"in {scope}")
    st.caption(f"Figures for {scope}: {review['pending']} of {review['samples']} samples still pending review.")

    names = ["State machines", "Flows", "Rules", "Modules & layers", "Entities", "Status dictionaries", "Endpoints",
             "Operations"]
    tabs = st.tabs(names, default="Rules" if rule else "Flows" if flow else None)
    with tabs[0]:
        state_machine_view.render([r for r in data["rules"] if r["kind"] == "transition"], data["all_dicts"],
                                  repo_id, root, encodings)
    with tabs[1]:
        _flows(data["flows"], flow, data["flow_samples"], repo_id, root, encodings)
    with tabs[2]:
        _rules(data["rules"], rule, data["rule_samples"], repo_id, root, encodings)
    with tabs[3]:
        layers = sorted({layer for m in data["modules"] for layer in m["layers"]})
        st.dataframe(pd.DataFrame([{"module": m["module"] or "(root)", "classes": m["classes"],
                                    **{layer: m["layers"].get(layer, 0) for layer in layers}} for m in data["modules"]]),
                     hide_index=True, width="stretch")
        picked = _table(data["classes"], {"class": lambda r: r["name"], "layer": lambda r: r["layer"],
                                          "module": lambda r: r["module"], "domains": lambda r: _names(r["domains"]),
                                          "generated": lambda r: r["is_generated"], "path": lambda r: r["path"]}, "map-classes")
        _open(root, encodings, picked)
    with tabs[4]:
        picked = _table(data["entities"], {"entity": lambda r: r["name"], "tables": lambda r: _names(r["tables"]),
                                           "domains": lambda r: _names(r["domains"]), "path": lambda r: r["path"]}, "map-ent")
        _open(root, encodings, picked)
    with tabs[5]:
        picked = _table(data["dicts"], {
            "owner": lambda r: r["owner"], "field": lambda r: r["field"], "source": lambda r: r["source"],
            "values": lambda r: "; ".join(f"{e['code']} → {e['label']}" for e in r["entries"]),
            "domains": lambda r: _names(r["domains"])}, "map-dicts")
        _open(root, encodings, picked)
    with tabs[6]:
        picked = _table(data["endpoints"], {
            "method": lambda r: r["http_method"], "route": lambda r: r["route"],
            "handler": lambda r: short_name(r["handler_id"]), "summary": lambda r: r["summary"] or "",
            "domains": lambda r: _names(r["domains"])}, "map-endpoints")
        _open(root, encodings, handlers.get(picked["handler_id"]) if picked else None)
    with tabs[7]:
        picked = _table(data["operations"], {
            "operation": lambda r: short_name(r["symbol_id"]), "signature": lambda r: r["signature"] or "",
            "domains": lambda r: _names(r["domains"]), "path": lambda r: r["path"]}, "map-ops")
        _open(root, encodings, picked)


def _samples(counts: dict[str, dict], ref: str) -> str:
    c = counts.get(ref)
    return f"{c['samples']} ({c['pending']} pending)" if c else "0"


def _flows(flows: list[dict], linked: dict | None, counts: dict[str, dict], repo_id: str, root: str | None,
           encodings: dict[str, str]) -> None:
    if linked and all(f["flow_id"] != linked["flow_id"] for f in flows):
        flows = [linked, *flows]   # a flow a sample links to, outside the domain chosen
    if not flows:
        st.caption("No flows for this selection.")
        return
    st.dataframe(pd.DataFrame([{"flow": f["name"], "entry": f["entry_kind"], "steps": len(f["steps"]),
                                "domains": _names(f["domains"]), "samples": _samples(counts, f["flow_id"])}
                               for f in flows]), hide_index=True, width="stretch", height=220)
    ids = [f["flow_id"] for f in flows]
    biggest = max(range(len(flows)), key=lambda i: len(flows[i]["steps"]))
    flow = st.selectbox("Flow", flows, index=ids.index(linked["flow_id"]) if linked else biggest, key="map-flow",
                        format_func=lambda f: f"{f['name']} · {short_name(f['entry_id'])} ({f['entry_kind']}) · "
                                              f"{len(f['steps'])} steps")
    flow_graph.render(flow, root, encodings, key="map-flow-graph")
    with st.expander(f"Samples from this flow: {_samples(counts, flow['flow_id'])}"):
        samples_list(repo_id, "flow", [flow["flow_id"]])


def _rules(rules: list[dict], linked: dict | None, counts: dict[str, dict], repo_id: str, root: str | None,
           encodings: dict[str, str]) -> None:
    if linked and all(r["rule_id"] != linked["rule_id"] for r in rules):
        rules = [linked, *rules]
    if not rules:
        st.caption("No rules for this selection: run the **extract** stage.")
        return
    kinds = sorted({r["kind"] for r in rules})
    kind = st.pills("Rule kind", kinds, default=linked["kind"] if linked else None, key="map-rule-kind")
    shown = [r for r in rules if not kind or r["kind"] == kind]
    ids = [r["rule_id"] for r in shown]
    rule = st.selectbox("Rule", shown, key="map-rule",
                        index=ids.index(linked["rule_id"]) if linked and linked["rule_id"] in ids else 0,
                        format_func=lambda r: f"{r['kind']} · {r['statement_en'][:140]} · samples "
                                              f"{_samples(counts, r['rule_id'])}")
    st.markdown(f"**{rule['kind']}** · {rule['domain']} · `{rule['rule_id']}`")
    st.text(rule["statement_en"])
    for ev in rule["evidence"]:
        render_code_span(root, ev["path"], ev["start_line"], ev["end_line"], encodings.get(ev["path"]))
    samples_list(repo_id, "rule", [rule["rule_id"]])
