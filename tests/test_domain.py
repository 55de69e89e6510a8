"""The map stage: layers, endpoints, entities, status dictionaries, flows, domain profiles, flow graphs."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pytest

from core.cli import main
from core.context import Context
from core.domain import stage as map_stage
from core.domain.architecture import entry_kind
from core.domain.graph import flow_dot, flow_graph
from core.domain.profiles import BUILTIN, Labeler, load_profiles
from core.domain.status_dicts import parse_entries
from core.errors import UserError
from core.index import stage as index_stage
from storage import Database, domain_store

FIXTURE = Path(__file__).parent / "fixtures" / "index" / "mini"
IMPL = "org.demo.service.impl.TicketServiceImpl"


@pytest.fixture
def mapped(db: Database, tmp_path: Path) -> Database:
    repo = tmp_path / "mini"
    shutil.copytree(FIXTURE, repo)
    ctx = Context(db=db, repo=repo, domains=["order", "stock"])
    index_stage.run(ctx, argparse.Namespace(full=False))
    map_stage.run(ctx, argparse.Namespace(domain_config=None))
    return db


def test_layers_modules_and_endpoints(mapped: Database):
    with mapped.connect() as con:
        layers = {c["name"]: c["layer"] for c in domain_store.classes(con, "mini")}
        endpoints = domain_store.endpoints(con, "mini")
        modules = domain_store.modules(con, "mini")
    assert layers == {"TicketController": "controller", "TicketService": "service", "TicketServiceImpl": "service_impl",
                      "TicketDao": "dao", "Ticket": "model", "ExpireJob": "component", "HoldListener": "component"}
    assert [(e["http_method"], e["route"]) for e in endpoints] == [("POST", "/ticket/hold/{id}")]
    assert modules == [{"module": "app", "layers": {layer: list(layers.values()).count(layer) for layer in
                                                    set(layers.values())}, "classes": 7}]


def test_flows_from_every_kind_of_entry_reach_sql(mapped: Database):
    with mapped.connect() as con:
        flows = {f["entry_kind"]: f for f in domain_store.flows(con, "mini")}
    assert set(flows) == {"endpoint", "scheduled", "listener"}
    steps = flows["endpoint"]["steps"]
    assert [(s["depth"], s["kind"], s["symbol_id"].rsplit(".", 1)[-1]) for s in steps] == [
        (0, "entry", "TicketController#hold(Long,Integer)"),
        (1, "service_impl", "TicketServiceImpl#hold(Long,Integer)"),
        (2, "dao", "TicketDao#getById(Long)"),
        (3, "sql", "getById"),
        (2, "dao", "TicketDao#holdSeats(Long,Integer)"),
        (3, "sql", "holdSeats"),
    ]
    assert steps[1]["via_interface"] == "org.demo.service.TicketService#hold(Long,Integer)"
    assert steps[5]["stmt_id"] == "org.demo.dao.TicketDao.holdSeats" and steps[5]["start_line"] == 5
    assert [s["symbol_id"] for s in flows["scheduled"]["steps"]][1] == f"{IMPL}#closeExpired()"
    assert flows["listener"]["name"] == "listener HoldListener.onMessage"


def test_status_dictionary_and_entities(mapped: Database):
    with mapped.connect() as con:
        dicts = domain_store.status_dicts(con, "mini")
        entities = domain_store.entities(con, "mini")
        ops = {o["symbol_id"]: o["domains"] for o in domain_store.operations(con, "mini")}
    assert [(d["field"], d["start_line"], d["end_line"], d["source"]) for d in dicts] == [("state", 6, 7, "comment")]
    assert [e["label"] for e in dicts[0]["entries"]] == ["open", "held", "closed"]
    assert entities[0]["name"] == "Ticket" and entities[0]["tables"] == ["ord_ticket"]
    assert entities[0]["domains"] == ["order"]                      # ord_ table prefix
    assert ops[f"{IMPL}#hold(Long,Integer)"] == ["order"]           # reaches ord_ticket


def test_domain_filter_on_reads(mapped: Database):
    with mapped.connect() as con:
        assert domain_store.entities(con, "mini", domain="stock") == []
        assert len(domain_store.entities(con, "mini", domain="order")) == 1


def test_domain_config_file_adds_a_domain(tmp_path: Path, mapped: Database):
    config = tmp_path / "domains.yml"
    config.write_text("domains:\n  ticketing:\n    terms: [ticket, 票]\n    table_prefixes: [ord_tick]\n")
    profiles = load_profiles(config)
    assert "ticketing" in profiles and "order" in profiles
    ctx = Context(db=mapped, repo=tmp_path / "mini", domains=["ticketing"])
    map_stage.run(ctx, argparse.Namespace(domain_config=config))
    with mapped.connect() as con:
        assert domain_store.entities(con, "mini", domain="ticketing")[0]["name"] == "Ticket"
        assert domain_store.entities(con, "mini", domain="order") == []


def test_unknown_domain_lists_the_known_ones(tmp_path: Path, mapped: Database, capsys):
    rc = main(["map", "--repo", str(tmp_path / "mini"), "--db", str(mapped.path), "--domains", "order,shipping"])
    assert rc == 2
    err = capsys.readouterr().err
    assert "unknown domain shipping" in err and all(name in err for name in BUILTIN)


def test_bad_domain_config_is_a_user_error(tmp_path: Path):
    with pytest.raises(UserError, match="not found"):
        load_profiles(tmp_path / "missing.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("domains:\n  x:\n    words: [a]\n")
    with pytest.raises(UserError, match="unknown keys"):
        load_profiles(bad)


def test_status_entries_parse_chinese_and_english():
    assert [e["label"] for e in parse_entries("订单状态：0->待付款；1->待发货；2->已发货")] == ["待付款", "待发货", "已发货"]
    assert [e["code"] for e in parse_entries("change type: 0->lock; 1->reduce; 2->release")] == ["0", "1", "2"]
    assert parse_entries("创建时间 2018-09-10") == [] and parse_entries("1->only one") == []


def test_entry_kind_from_method_or_listener_class():
    def method(annotations: list[str], modifiers: str = "public", kind: str = "method") -> dict:
        return {"annotations": [{"name": a} for a in annotations], "modifiers": modifiers, "kind": kind}

    listener_class = [{"name": "org.springframework.amqp.rabbit.annotation.RabbitListener"}]
    assert entry_kind(method(["Scheduled"]), None) == "scheduled"
    assert entry_kind(method(["RabbitHandler"]), None) == "listener"
    assert entry_kind(method([]), None) is None
    assert entry_kind(method([]), listener_class) == "listener"   # handler inside a @RabbitListener class
    assert entry_kind(method([], "private"), listener_class) is None
    assert entry_kind(method([], "public static"), listener_class) is None
    assert entry_kind(method([], "public", "constructor"), listener_class) is None


def test_labeler_prefixes_terms_and_tables():
    labeler = Labeler([BUILTIN["order"], BUILTIN["stock"]])
    assert labeler.for_class("OmsCartItem") == ["order"] and labeler.for_class("Omsx") == []
    assert labeler.for_class("PortalOrderDao") == ["order"]
    assert labeler.for_table("pms_sku_stock") == ["stock"] and labeler.for_table("inv_stock_log") == ["stock"]
    assert labeler.for_text("锁定库存") == ["stock"]


def test_flow_graph_and_dot(mapped: Database):
    with mapped.connect() as con:
        flow = domain_store.flows(con, "mini", entry_kinds=["endpoint"])[0]
    graph = flow_graph(flow)
    assert len(graph["nodes"]) == len(flow["steps"])
    pairs = {(graph["nodes"][int(e["source"][1:])]["label"], graph["nodes"][int(e["target"][1:])]["label"])
             for e in graph["edges"]}
    assert ("TicketServiceImpl.hold", "TicketDao.holdSeats") in pairs
    assert ("TicketDao.holdSeats", "UPDATE TicketDao.holdSeats") in pairs
    assert len(graph["edges"]) == len(graph["nodes"]) - 1
    dot = flow_dot(flow)
    assert dot.startswith("digraph") and "n0 -> n1" in dot
