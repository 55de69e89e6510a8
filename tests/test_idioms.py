"""Java idioms beyond one code base's habits, pinned on examples/shop and on small sources written here.

Constant classes and enums as status dictionaries (with labels from comments or a mapping method),
transitions and guards written with constants, entities from JPA / MyBatis-Plus annotations and MyBatis
result mappings, services without interfaces, MVC controllers returning views, inactive components.
"""

from __future__ import annotations

import argparse

import pytest

from core.context import Context
from core.domain import architecture as arch
from core.domain import constants as const
from core.domain import stage as map_stage
from core.domain.entities import annotated_table, result_types
from core.domain.status_dicts import code_field_line, constant_groups, fallback, group_key, without_sentinels
from core.index import stage as index_stage
from core.rules import stage as extract_stage
from core.rules.java_rules import named_value
from storage import Database, domain_store, rules_store
from tests.conftest import EXAMPLE_REPO

COMMON = "io.acdp.shop.common"
PORTAL = "io.acdp.shop.portal"
REFUND_CONST = f"{COMMON}.constant.OrdRefundConstant"
PAY_ENUM = f"{COMMON}.enums.OrdPaymentStatusEnum"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Database:
    """index + map + extract on examples/shop (no generation: these are facts about the code)."""
    db = Database(tmp_path_factory.mktemp("idioms") / "shop.duckdb", wait=0.5)
    ctx = Context(db=db, repo=EXAMPLE_REPO, domains=["order", "stock"])
    index_stage.run(ctx, argparse.Namespace(full=False))
    map_stage.run(ctx, argparse.Namespace(domain_config=None))
    extract_stage.run(ctx, argparse.Namespace())
    return db


@pytest.fixture(scope="module")
def table(shop: Database) -> const.ConstantTable:
    with shop.connect() as con:
        return const.load(con, "shop")


# ------------------------------------------------------------- constants --
def test_constants_resolve_to_value_label_and_declaration(table: const.ConstantTable):
    approved = table.resolve("OrdRefundConstant.STATUS_APPROVED")
    assert (approved.value, approved.label, approved.label_source) == ("20", "已同意", "mapping")
    assert approved.line == 11 and (approved.label_start, approved.label_end) == (30, 31)   # `case 20: return "已同意";`
    assert approved.text() == "20 (已同意)"
    assert table.resolve(f"{REFUND_CONST}.STATUS_APPROVED") is approved                 # fully qualified
    assert table.resolve("STATUS_APPROVED", REFUND_CONST) is approved                   # unqualified in its class
    assert table.resolve("Short.valueOf(OrdRefundConstant.STATUS_APPROVED)") is approved
    reason = table.resolve("OrdRefundConstant.REASON_QUALITY")                          # a Javadoc label
    assert (reason.value, reason.label, reason.label_source) == ("1", "退款原因类型：商品问题", "comment")


def test_enum_code_getter_resolves_but_label_getter_does_not(table: const.ConstantTable):
    success = table.resolve("(byte) OrdPaymentStatusEnum.SUCCESS.getPayStatus()")
    assert (success.kind, success.value, success.label, success.accessor) == ("enum", "1", "支付成功", "payStatus")
    assert table.resolve("OrdPaymentStatusEnum.SUCCESS.getLabel()") is None
    assert table.resolve("OrdPaymentStatusEnum.SUCCESS.ordinal()") is None
    assert table.resolve("42") is None and table.resolve("order.getStatus()") is None


def test_mapping_method_labels_codes_by_if_chain_switch_and_equals():
    source = """
class Codes {
    static final int A = 1;
    static String text(int s) {
        if (s == 1) { return "one"; }
        if (Integer.valueOf(2).equals(s)) return "two";
        switch (s) {
            case A: return "still one";
            case 3: return "three";
        }
        return null;
    }
    static String arrow(int s) {
        return switch (s) { case 4 -> "four"; case 5 -> { yield "five"; } default -> "?"; };
    }
    static int notText(int s) { if (s == 6) { return 6; } return 0; }
}"""
    found = const.mapping_labels(source, "Codes", {"A": "1"})
    consts = [const.Constant("x.Codes.A", "x.Codes", "A", "field", "1", "one", "mapping", "Codes.java", 3)]
    tests = """
class Codes {
    static boolean isA(Order o) { return A == o.getState().intValue(); }
    static boolean isTwo(Order o) { return Integer.valueOf(2).equals(o.getState()); }
    static boolean either(Order o) { return A == o.getState() || 2 == o.getState(); }
}"""
    preds = {p.name: (p.value, p.accessor, p.label) for p in const.status_predicates(tests, "x.Codes", "Codes", consts)}
    assert preds == {"isA": ("1", "state", "one")}     # one field against one code, nothing else
    assert {k: v[0] for k, v in found.items()} == {"1": "one", "3": "three", "4": "four", "5": "five"}
    assert found["1"][1:] == (5, 5)


def test_named_values_a_transition_may_set():
    assert named_value("(byte) 2") == "2"
    assert named_value("OrderUtil.STATUS_CANCEL") == "OrderUtil.STATUS_CANCEL"
    assert named_value("(byte) Status.PAID.getCode()") == "(byte) Status.PAID.getCode()"
    assert named_value("newStatus") is None and named_value("order.getStatus() + 1") is None


# --------------------------------------------------------- dictionaries --
def test_status_like_constant_groups():
    assert group_key("STATUS_PAY", "OrderUtil") == "STATUS_"
    assert group_key("RULE_STATUS_ON", "GrouponConstant") == "RULE_STATUS_"
    assert group_key("PAID_STATUS", "Flags") == "_STATUS"
    assert group_key("PAID", "OrderStatus") == ""           # every constant of a status class
    assert group_key("TYPE_COMMON", "CouponConstant") is None
    one = const.Constant("a.C.STATUS_X", "a.C", "STATUS_X", "field", "1", None, None, "C.java", 3)
    assert constant_groups([one], "C") == {}                # a single code is no dictionary


def test_constant_class_and_enum_are_dictionaries_linked_to_their_entity_field(shop: Database):
    with shop.connect() as con:
        dicts = {d["dict_id"]: d for d in domain_store.status_dicts(con, "shop")}
    refund = dicts[f"{REFUND_CONST}.STATUS_*"]
    assert refund["source"] == "constants" and refund["owner"] == "OrdRefundConstant"
    assert [(e["code"], e["label"], e["name"]) for e in refund["entries"]] == [
        ("10", "申请中", "STATUS_APPLIED"), ("20", "已同意", "STATUS_APPROVED"),
        ("30", "已拒绝", "STATUS_REJECTED"), ("40", "已退款", "STATUS_REFUNDED")]
    assert all(e["line"] and e["label_lines"] for e in refund["entries"])     # each label is proven
    assert (refund["entity"], refund["entity_field"]) == (f"{COMMON}.entity.OrdRefund", "refundStatus")
    assert not any(d.startswith(f"{REFUND_CONST}.REASON") for d in dicts)   # not status-like
    pay = dicts[PAY_ENUM]
    assert [(e["code"], e["label"]) for e in pay["entries"]] == [("0", "待支付"), ("1", "支付成功"), ("2", "支付失败")]
    assert (pay["entity"], pay["entity_field"]) == (f"{COMMON}.entity.OrdPayment", "payStatus")


_ENUM_WITH_LOOKUP = """public enum ShipStatus {
    UNKNOWN(-9, "UNKNOWN"),
    WAITING(0, "待发货"),
    SHIPPED(1, "已发货");

    private final int shipState;
    private final String text;

    public static ShipStatus of(int code) {
        for (ShipStatus s : ShipStatus.values()) {
            if (s.shipState == code) {
                return s;
            }
        }
        return UNKNOWN;
    }
}"""


def test_an_enum_lookup_sentinel_is_no_status_and_the_code_field_is_found():
    entries = [{"code": "-9", "label": "UNKNOWN", "name": "UNKNOWN"}, {"code": "0", "label": "待发货", "name": "WAITING"},
               {"code": "1", "label": "已发货", "name": "SHIPPED"}]
    assert [e["name"] for e in without_sentinels(entries, _ENUM_WITH_LOOKUP)] == ["WAITING", "SHIPPED"]
    # a fallback with a business label is a status rows may hold (newbee PayStatusEnum DEFAULT(-1, "支付失败"))
    labelled = [{**entries[0], "label": "支付失败"}, *entries[1:]]
    assert without_sentinels(labelled, _ENUM_WITH_LOOKUP) == labelled
    stream = _ENUM_WITH_LOOKUP.replace("return UNKNOWN;", "").replace("for (", "return Arrays.stream(values()).filter("
                                                                       ").findFirst().orElse(UNKNOWN); // (")
    assert len(without_sentinels(entries, stream)) == 2
    assert code_field_line(_ENUM_WITH_LOOKUP, "shipState") == 6
    assert code_field_line(_ENUM_WITH_LOOKUP, "code") is None
    # left out of the codes, but said apart, with the lookup that hands it out (blind read 21G: newbee S19)
    assert fallback(_ENUM_WITH_LOOKUP) == {"code": "-9", "label": "UNKNOWN", "name": "UNKNOWN", "line": 2,
                                           "returned_at": 15, "method": "of"}
    assert fallback(_ENUM_WITH_LOOKUP.replace('UNKNOWN(-9, "UNKNOWN")', 'UNKNOWN(-9, "支付失败")')) is None


def test_a_dictionary_answer_names_the_lookup_fallback_it_leaves_out(shop: Database):
    """OrdShipStatus declares UNKNOWN(-1, "UNKNOWN"), which `of` returns for any other code: "which codes does it
    define" lists the statuses and says the fallback apart, citing its declaration and the return."""
    from core.generate.qa_templates import Cite, dict_answer
    rule = next(r for r in _rules(shop, "status_dict") if r["facts"]["dict_id"] == SHIP_ENUM)
    fb = rule["facts"]["fallback"]
    assert (fb["name"], fb["code"], fb["method"]) == ("UNKNOWN", "-1", "of")
    assert "UNKNOWN" not in [e["name"] for e in rule["facts"]["entries"]]
    cited = [(e["start_line"], e["end_line"]) for e in rule["evidence"]]
    assert any(a <= fb["line"] <= b for a, b in cited) and any(a <= fb["returned_at"] <= b for a, b in cited)
    from core.models import Evidence
    cite = Cite([Evidence(id=f"E{n}", sha256="-", text="-", **{k: e[k] for k in ("path", "start_line", "end_line")})
                 for n, e in enumerate(rule["evidence"], 1)])
    body, claims = dict_answer("which_values", rule["facts"], "en", "s", cite, rule["evidence"][0]["path"])
    assert any("also declares `UNKNOWN`" in c and len(ids) == 2 for c, ids in claims)
    assert "`OrdShipStatus` also declares `UNKNOWN` = -1 (\"UNKNOWN\"), which `of` returns for a code no other " \
           "constant has: it marks an unknown code, not a status." in body


def test_an_enum_dictionary_names_its_real_code_field(shop: Database):
    """OrdPaymentStatusEnum keeps its code in `payStatus`: the rule says so and cites the field, and nothing
    speaks of a `OrdPaymentStatusEnum.code` that does not exist (newbee blind reads Z/F: `PayTypeEnum.code`)."""
    rule = next(r for r in _rules(shop, "status_dict") if r["facts"]["dict_id"] == PAY_ENUM)
    assert (rule["facts"]["code_field"], rule["facts"]["code_field_line"]) == ("payStatus", 11)
    assert any(e["start_line"] <= 11 <= e["end_line"] for e in rule["evidence"])
    assert "(the code is its field `payStatus`)" in rule["statement_en"] and ".code" not in rule["statement_en"]


# ----------------------------------------------------------- transitions --
def _rules(shop: Database, kind: str) -> list[dict]:
    with shop.connect() as con:
        return [r for r in rules_store.list_rules(con, "shop") if r["kind"] == kind]


def test_transitions_to_constants_and_enum_codes_resolve(shop: Database):
    by_method = {r["facts"]["method"]: r for r in _rules(shop, "transition") if r["facts"].get("method")}
    approve = by_method["OrdRefundService.approve"]["facts"]
    assert (approve["entity"], approve["field"], approve["to"], approve["from_codes"]) == \
        ("OrdRefund", "refundStatus", "20", ["10"])     # `!STATUS_APPLIED.equals(refund.getRefundStatus())` guard
    assert approve["to_constant"]["name"] == "OrdRefundConstant.STATUS_APPROVED"
    assert approve["labels"]["20"] == "已同意" and approve["dict_id"] == f"{REFUND_CONST}.STATUS_*"
    paid = by_method["OrdRefundService.markPaid"]["facts"]
    assert (paid["entity"], paid["to"], paid["from_codes"], paid["labels"]["1"]) == ("OrdPayment", "1", ["0"], "支付成功")
    expired = by_method["OrdRefundService.rejectExpired"]["facts"]   # `(short) 30`: a cast literal
    assert expired["to"] == "30" and "to_constant" not in expired and expired["labels"]["30"] == "已拒绝"


def test_status_test_methods_limit_the_states_a_transition_starts_from(shop: Database, table: const.ConstantTable):
    pred, arg = table.predicate("OrdRefundConstant.isApplied(refund)")
    assert (pred.kind, pred.value, pred.accessor, pred.label, arg) == ("predicate", "10", "refundStatus", "申请中", "refund")
    assert table.resolve("OrdRefundConstant.isApplied") is None          # a test is not a value
    reject = next(r["facts"] for r in _rules(shop, "transition") if r["facts"].get("method") == "OrdRefundService.reject")
    # `if (!OrdRefundConstant.isApplied(refund)) { return; }`: an early return limits the change like a failure
    assert (reject["to"], reject["from_codes"]) == ("30", ["10"])
    assert reject["requires"][0]["action"] == "return" and reject["requires"][0]["line"] == 87


def test_constant_dictionary_rule_cites_each_label(shop: Database):
    rule = next(r for r in _rules(shop, "status_dict") if r["facts"]["dict_id"] == f"{REFUND_CONST}.STATUS_*")
    spans = [(e["start_line"], e["end_line"]) for e in rule["evidence"]]
    for entry in rule["facts"]["entries"]:
        start, end = entry["label_lines"]
        assert any(s <= start and end <= e for s, e in spans), entry
    describes = rule["facts"]["describes"]
    assert (describes["entity"], describes["field"]) == ("OrdRefund", "refundStatus")


# -------------------------------------------------------------- entities --
def test_entities_from_annotations_and_result_maps_not_package_names(shop: Database):
    with shop.connect() as con:
        found = {e["name"]: (e["tables"], e["source"]) for e in domain_store.entities(con, "shop")}
        layers = domain_store.layer_of(con, "shop")
    assert found["OrdRefund"] == (["ord_refund"], "jpa")
    assert found["OrdPayment"] == (["ord_payment"], "mybatis_plus")
    assert found["OrdOrder"] == (["ord_order"], "resultMap")
    assert found["MktCoupon"] == (["mkt_coupon"], "table_name")       # a MktCouponMapper, no XML
    assert "ConfirmOrderResult" not in found and "OrdOrderParam" not in found   # DTOs have no table
    assert layers[f"{COMMON}.entity.OrdRefund"] == "model"


def test_entity_annotation_and_result_map_parsing():
    assert annotated_table([{"name": "Entity", "args": ""}, {"name": "Table", "args": 'name = "t_order"'}],
                           "Order") == ("t_order", "jpa")
    assert annotated_table([{"name": "Entity", "args": ""}], "OrderItem") == ("order_item", "jpa")
    assert annotated_table([{"name": "TableName", "args": '"t_pay"'}], "Pay") == ("t_pay", "mybatis_plus")
    assert annotated_table([{"name": "Data", "args": ""}], "Pay") is None
    xml = """<mapper namespace="a.OrderMapper">
      <resultMap id="Base" type="a.Order"><id column="id" property="id"/></resultMap>
      <select id="byId" resultMap="Base">select * from t_order</select>
      <select id="count" resultType="java.lang.Integer">select count(*) from t_order</select>
    </mapper>"""
    assert result_types(xml) == [("a.OrderMapper", "byId", "a.Order"), ("a.OrderMapper", "count", "java.lang.Integer")]


# ------------------------------------------------- services, controllers --
def test_service_without_interface_and_mvc_controller_returning_views(shop: Database):
    with shop.connect() as con:
        layers = domain_store.layer_of(con, "shop")
        operations = {o["symbol_id"] for o in domain_store.operations(con, "shop")}
        endpoints = {(e["http_method"], e["route"]): e["handler_id"] for e in domain_store.endpoints(con, "shop")}
        flows = domain_store.flows(con, "shop", entry_kinds=["endpoint"])
    service = f"{PORTAL}.service.OrdRefundService"
    assert layers[service] == "service"
    assert f"{service}#approve(Long)" in operations
    assert endpoints[("GET", "/refund/list")] == f"{PORTAL}.page.OrdRefundPageController#list(Model)"
    approve = endpoints[("POST", "/refund/{id}/approve")]
    flow = next(f for f in flows if f["entry_id"] == approve)
    assert any(s["symbol_id"] == f"{service}#approve(Long)" for s in flow["steps"])


# -------------------------------------------------------------- inactive --
def test_commented_out_component_is_inactive_and_no_entry_point(shop: Database):
    with shop.connect() as con:
        inactive = domain_store.inactive_classes(con, "shop")
        flows = {f["name"] for f in domain_store.flows(con, "shop", entry_kinds=["scheduled", "listener"])}
    assert inactive == {f"{PORTAL}.component.RefundExpireTask": "@Component is commented out"}
    assert "scheduled OrderTimeoutCancelTask.cancelTimeOutOrder" in flows
    assert not any("RefundExpireTask" in f for f in flows)


def test_a_job_class_nothing_registers_is_inactive():
    job = {"name": "SyncJob", "annotations": [{"name": "Slf4j", "args": ""}]}
    assert arch.inactive_reason(job, ["public class SyncJob {"], True, set()).startswith("not a Spring bean")
    assert arch.inactive_reason(job, ["public class SyncJob {"], True, {"SyncJob"}) is None    # a @Bean creates it
    assert arch.inactive_reason(job, ["public class SyncJob {"], False, set()) is None         # no entry point
    live = {"name": "SyncJob", "annotations": [{"name": "Component", "args": ""}]}
    assert arch.inactive_reason(live, ["// @Component was here", "@Component"], True, set()) is None
    assert arch.commented_stereotype(["/**", " * job", " */", "// @Service", "public class X {"]) == "Service"


# ------------------------------------------------- Spring Data / JPA module --
SHIP_ENUM = f"{COMMON}.enums.OrdShipStatus"


def test_annotation_sql_is_a_statement_and_jpql_is_not():
    from core.index.mybatis import annotation_statement
    mybatis = [{"name": "Update", "args": '"UPDATE t_pay SET status = 2 " + "WHERE id = #{id} AND status = 1"'}]
    assert annotation_statement(mybatis) == ("update", "UPDATE t_pay SET status = 2 WHERE id = #{id} AND status = 1")
    native = [{"name": "Modifying", "args": ""},
              {"name": "Query", "args": 'value = "update t_pay set status = 3 where id = ?1", nativeQuery = true'}]
    assert annotation_statement(native) == ("update", "update t_pay set status = 3 where id = ?1")
    assert annotation_statement([{"name": "Query", "args": '"update Pay p set p.status = 2"'}]) is None   # JPQL
    script = [{"name": "Select", "args": '{"<script>", "select * from t_pay where status = 1", "</script>"}'}]
    assert annotation_statement(script) == ("select", "select * from t_pay where status = 1")


def test_a_spring_data_module_yields_entity_dictionary_guard_and_transitions(shop: Database):
    """examples/shop OrdShipment: a JPA @Entity/@Table, an enum whose code field is `state` with an UNKNOWN lookup
    sentinel, a service without interface that checks the status, sets it and saves, and a native @Modifying
    @Query update; every part is found the way mapper XML and MyBatis entities are."""
    with shop.connect() as con:
        found = {e["name"]: (e["tables"], e["source"]) for e in domain_store.entities(con, "shop")}
        dicts = {d["dict_id"]: d for d in domain_store.status_dicts(con, "shop")}
    assert found["OrdShipment"] == (["ord_shipment"], "jpa")
    ship = dicts[SHIP_ENUM]
    assert [(e["code"], e["label"]) for e in ship["entries"]] == [("0", "待发货"), ("1", "已发货"), ("2", "已签收"),
                                                                   ("3", "已取消")]
    assert (ship["entity"], ship["entity_field"]) == (f"{COMMON}.entity.OrdShipment", "shipStatus")
    guard = next(r for r in _rules(shop, "guard") if r["facts"]["method"] == "OrdShipmentService.ship")
    assert '`OrdShipStatus.WAITING.getState()` is 0 ("待发货")' in guard["statement_en"]
    moves = {r["facts"].get("method") or r["facts"]["name"]: r["facts"] for r in _rules(shop, "transition")
             if r["facts"].get("entity") == "OrdShipment"}
    assert (moves["OrdShipmentService.ship"]["to"], moves["OrdShipmentService.ship"]["from_codes"]) == ("1", ["0"])
    # `if (status != WAITING) return shipment;` is no guard rule (a non-literal return) but still limits the move
    assert (moves["OrdShipmentService.cancel"]["to"], moves["OrdShipmentService.cancel"]["from_codes"]) == ("3", ["0"])
    # `updateStatus(id, OrdShipStatus.WAITING.getState())` runs `SET ship_status = :status`: the caller chooses 0
    reopen = moves["OrdShipmentService.reopen"]
    assert (reopen["to"], reopen["through"], reopen["write"]["line"]) == ("0", "OrdShipmentRepository.updateStatus",
                                                                          reopen["line"])
    received = moves["OrdShipmentRepository.markReceived"]
    assert (received["to"], received["from_codes"], received["labels"]["2"]) == ("2", ["1"], "已签收")


def test_a_mybatis_plus_update_wrapper_is_a_transition_limited_by_its_eq(shop: Database):
    """OrdPaymentReconcileService.failWaiting: `paymentMapper.update(null, new LambdaUpdateWrapper<OrdPayment>()
    .set(OrdPayment::getPayStatus, FAILED).eq(OrdPayment::getPayStatus, WAITING))` moves 0 -> 2 like a setter."""
    moves = [r["facts"] for r in _rules(shop, "transition")
             if r["facts"].get("method") == "OrdPaymentReconcileService.failWaiting"]
    assert [(f["entity"], f["field"], f["to"], f["from_codes"]) for f in moves] == [("OrdPayment", "payStatus", "2", ["0"])]
    assert moves[0]["write"]["call"] == "paymentMapper.update(null, new LambdaUpdateWrapper<OrdPayment>()"
