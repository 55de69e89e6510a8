"""The domain map that explains: state machines from transition rules, flows folded and laid out to be
read at zoom 1, and the counts that link rules and flows to their samples."""

from __future__ import annotations

import re

import pytest

from core.domain import flow_fold
from core.domain.state_machine import UNKNOWN, build, to_dot
from storage import domain_store, rules_store


@pytest.fixture
def shop(shop_db):
    with shop_db.connect() as con:
        yield con


def _order_status(con):
    machines = build(rules_store.rules_of_kind(con, "shop", "transition"), domain_store.status_dicts(con, "shop"))
    return next(m for m in machines if m.key == "OrdOrder.status"), machines


def test_order_status_machine_has_labelled_states_and_the_methods_between_them(shop):
    machine, machines = _order_status(shop)
    assert machines[0] is machine, "the busiest field comes first: the order status"
    assert [(s["code"], s["label"]) for s in machine.states] == [
        ("0", "待付款"), ("1", "待发货"), ("2", "已发货"), ("3", "已完成"), ("4", "已关闭"), ("5", "无效订单")]
    moves = {(tuple(t.from_codes), t.to, t.method_name) for t in machine.transitions}
    assert {(("0",), "1", "paySuccess"), (("0",), "4", "cancelOrder"), (("2",), "3", "confirmReceiveOrder"),
            (("1",), "2", "delivery"), (("0",), "4", "close"), (("0",), "4", "closeOrders")} <= moves
    # created without a status test before it: drawn from "not derived", not from an invented state
    create = next(t for t in machine.transitions if t.method_name == "generateOrder")
    assert create.from_codes == [] and create.to == "0"
    dot = to_dot(machine)
    arrows = {(a, b): (label.split("\\n"), tip) for a, b, label, tip in
              re.findall(r'"s([^"]+)" -> "s([^"]+)" \[label="([^"]*)", tooltip="([^"]*)"', dot)}
    assert "paySuccess" in arrows[("0", "1")][0] and "delivery (SQL)" in arrows[("1", "2")][0]
    assert "generateOrder" in arrows[(UNKNOWN, "0")][0]
    assert "OrdPortalOrderServiceImpl.generateOrder: no status test before the write" in arrows[(UNKNOWN, "0")][1]
    assert '"s5" [label="5\\n无效订单"' in dot, "a state nothing writes is still shown"


def _transition(**facts):
    base = {"entity": "Ticket", "field": "state", "to": "2", "method": "TicketService.close", "from_codes": [],
            "dict_id": "Ticket.state", "labels": {"1": "open", "2": "closed"}}
    return {"rule_id": facts.pop("rule_id", "r1"), "kind": "transition", "domain": "support", "symbol_id": None,
            "evidence": [{"path": "T.java", "start_line": 9, "end_line": 9}], "facts": base | facts}


def test_unknown_from_state_shows_the_guard_the_code_has_and_invents_no_state():
    rule = _transition(receiver="t", exits=[{"condition": "t.getState() != 1", "line": 7},
                                            {"condition": "user == null", "line": 5},
                                            {"condition": "rules.getState() == 3", "line": 6}])
    machine = build([rule], [{"dict_id": "Ticket.state", "entries": [{"code": "1", "label": "open"},
                                                                       {"code": "2", "label": "closed"}]}])[0]
    t = machine.transitions[0]
    assert t.from_codes == [] and t.guards == ["t.getState() != 1"]
    assert machine.has_unknown_from and [s["code"] for s in machine.states] == ["1", "2"]
    assert '"s?" -> "s2"' in to_dot(machine) and '"s1" -> "s2"' not in to_dot(machine)
    # a guard extraction linked is preferred; codes outside the dictionary become states with their facts' label
    linked = _transition(rule_id="r2", to="3", from_codes=["2"], labels={"3": "archived"},
                         requires=[{"condition": "t.getState() != 2", "line": 4}])
    machine = build([rule, linked], [])[0]
    assert [(s["code"], s["label"]) for s in machine.states] == [("2", "closed"), ("3", "archived")]
    assert next(t for t in machine.transitions if t.to == "3").guards == ["t.getState() != 2"]


def _step(depth, kind, name, **extra):
    return {"depth": depth, "kind": kind, "symbol_id": f"p.{name.split('.')[0]}#{name.split('.')[1]}()",
            "path": "A.java", "start_line": depth + 1, "end_line": depth + 2, **extra}


def test_fold_draws_repeats_once_and_folds_collapsed_layers_into_their_caller():
    flow = {"flow_id": "f", "steps": [
        _step(0, "entry", "Ctl.create"),
        _step(1, "service_impl", "Svc.create"),
        _step(2, "service_impl", "Svc.check"),
        _step(3, "mapper", "Mapper.select"),
        _step(4, "sql", "Mapper.select", sql_kind="select"),
        _step(2, "again", "Svc.check"),
        _step(2, "other", "Asserts.fail"),
        _step(1, "other", "Result.ok"),
    ]}
    graph = flow_fold.fold(flow)
    by_label = {n["label"]: n for n in graph["nodes"]}
    assert list(by_label) == ["Ctl.create", "Svc.create", "Svc.check", "Mapper.select"]
    assert by_label["Svc.check"]["calls"] == 2
    assert flow_fold.folded_text(by_label["Mapper.select"]) == "+1 sql"
    assert flow_fold.folded_text(by_label["Ctl.create"]) == "+1 other"
    assert {(e["source"], e["target"], e["count"]) for e in graph["edges"]} == {("n0", "n1", 1), ("n1", "n2", 2),
                                                                               ("n2", "n3", 1)}
    shallow = flow_fold.fold(flow, max_depth=2)
    assert [n["label"] for n in shallow["nodes"]] == ["Ctl.create", "Svc.create", "Svc.check"]
    assert flow_fold.folded_text(shallow["nodes"][2]) == "+1 deeper · +1 sql"  # a folded layer counts as itself
    everything = flow_fold.fold(flow, collapsed=())
    assert len(everything["nodes"]) == 7 and everything["steps"] == 8


def _rects(graph):
    placed = flow_fold.layout(graph)
    return placed, {n["id"]: (*placed["positions"][n["id"]], flow_fold.node_width(n), flow_fold.NODE_H)
                    for n in graph["nodes"]}


def test_layout_of_a_wide_flow_is_a_boxed_grid_that_fits_a_window_at_zoom_1():
    steps = [_step(0, "entry", "Ctl.generateOrder"), _step(1, "service_impl", "OrderServiceImpl.generateOrder")]
    steps += [_step(2, "service_impl", f"OrderServiceImpl.step{i:02d}WithALongerName") for i in range(24)]
    graph = flow_fold.fold({"flow_id": "f", "steps": steps})
    placed, rects = _rects(graph)
    assert len(placed["boxes"]) == 1 and len(placed["boxed"]) == 24
    for a, (ax, ay, aw, ah) in rects.items():
        for b, (bx, by, bw, bh) in rects.items():
            assert a == b or ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay, (a, b)
    box = placed["boxes"][0]
    for nid in placed["boxed"]:
        x, y, w, h = rects[nid]
        assert box["x"] <= x and x + w <= box["x"] + box["w"] and box["y"] < y and y + h <= box["y"] + box["h"]
    right = max(box["x"] + box["w"], *(x + w for x, _, w, _ in rects.values()))
    bottom = max(box["y"] + box["h"], *(y + h for _, y, _, h in rects.values()))
    assert right <= 1140 and bottom <= 920, "the whole graph shows at zoom 1 in the page of a 1600 x 1000 window"
    assert [graph["nodes"][i]["order"] for i in range(2, 5)] == [1, 2, 3]
    assert flow_fold.node_lines(graph["nodes"][2])[1] == "1 · step00WithALongerName"


def test_default_depth_shows_what_fits_at_zoom_1(shop):
    flows = domain_store.flows(shop, "shop")
    small = min(flows, key=lambda f: len(f["steps"]))
    assert flow_fold.default_depth(small) is None and flow_fold.fits(flow_fold.fold(small))
    deep = {"flow_id": "d", "steps": [_step(0, "entry", "Ctl.a")] + [
        _step(d, "service_impl", f"S{d}.m{i}") for i in range(20) for d in (1, 2, 3, 4, 5)]}
    depth = flow_fold.default_depth(deep)
    assert depth is not None and flow_fold.fits(flow_fold.fold(deep, max_depth=depth))
    assert depth == 1 or not flow_fold.fits(flow_fold.fold(deep, max_depth=depth + 1))


def test_samples_by_source_and_domain_counts_match_the_tables(shop):
    rule_counts = domain_store.sample_counts_by_source(shop, "shop", "rule")
    total = shop.execute("SELECT count(*) FROM samples WHERE is_current AND source_kind = 'rule'").fetchone()[0]
    assert sum(c["samples"] for c in rule_counts.values()) == total > 0
    ref, counts = max(rule_counts.items(), key=lambda kv: kv[1]["samples"])
    rows = domain_store.samples_of(shop, "shop", "rule", [ref])
    assert len(rows) == counts["samples"] and {r["source_ref"] for r in rows} == {ref}
    assert {r["status"] for r in rows} == {"pending"}
    rule = rules_store.get_rule(shop, "shop", ref)
    assert rule["rule_id"] == ref and rule["evidence"]
    assert rules_store.get_rule(shop, "shop", "no-such-rule") is None
    everything, order = domain_store.domain_counts(shop, "shop"), domain_store.domain_counts(shop, "shop", "order")
    stock = domain_store.domain_counts(shop, "shop", "stock")
    assert order["rules"] + stock["rules"] == everything["rules"] and 0 < order["rules"] < everything["rules"]
    assert order["samples"] == shop.execute(
        "SELECT count(*) FROM samples WHERE is_current AND domain = 'order'").fetchone()[0]


def test_the_page_figures_follow_the_domain_filter(monkeypatch, shop_db):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ACDP_DB", str(shop_db.path))
    monkeypatch.setenv("ACDP_REVIEWER", "ann")
    at = AppTest.from_file("../app/main.py", default_timeout=60)
    at.run()
    at.switch_page("../pages/domain_map.py").run()
    assert not at.exception, [e.value for e in at.exception]
    shown = {}
    for domain in (None, "order", "stock"):
        if domain:
            next(s for s in at.selectbox if s.label == "Domain").select(domain).run()
            assert not at.exception
        shown[domain] = {m.label: int(m.value) for m in at.metric}
        with shop_db.connect() as con:
            counts = domain_store.domain_counts(con, "shop", domain)
            expected = {"flows": len(domain_store.flows(con, "shop", domain=domain)),
                        "endpoints": len(domain_store.endpoints(con, "shop", domain=domain)),
                        "rules": counts["rules"], "samples": counts["samples"]}
        assert {k: shown[domain][k] for k in expected} == expected, domain
    assert shown["order"] != shown["stock"] and shown["order"]["rules"] < shown[None]["rules"]


def test_a_link_to_a_flow_or_rule_opens_it(monkeypatch, shop_db):
    from streamlit.testing.v1 import AppTest

    with shop_db.connect() as con:
        flow = next(f for f in domain_store.flows(con, "shop", domain="stock") if "order" not in f["domains"])
        rule = rules_store.rules_of_kind(con, "shop", "guard", "stock")[0]
    monkeypatch.setenv("ACDP_DB", str(shop_db.path))
    for param, value, key, field in (("flow", flow["flow_id"], "map-flow", "flow_id"),
                                     ("rule", rule["rule_id"], "map-rule", "rule_id")):
        at = AppTest.from_file("../pages/domain_map.py", default_timeout=60)
        at.query_params[param] = value
        at.query_params["domain"] = "order"   # a flow or rule outside the domain chosen is shown all the same
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.selectbox(key=key).value[field] == value
    at = AppTest.from_file("../pages/domain_map.py", default_timeout=60)
    at.query_params["rule"] = "gone-since-extract-ran-again"
    at.run()
    assert not at.exception and "not in this map any more" in at.warning[0].value
