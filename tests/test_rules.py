"""extract on examples/shop against its ground truth (EXPECTED.md), plus the readable rendering."""

from __future__ import annotations

import re

import pytest

from core.rules import sql_rules
from core.rules.render import condition_text, cron_text, formula_text, negate_text
from storage import rules_store, samples_store
from tests.conftest import EXAMPLE_REPO


def expected_rules() -> list[dict]:
    rows = []
    for line in (EXAMPLE_REPO / "EXPECTED.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"\|\s*(R\d+)\s*\|\s*(\w+)\s*\|\s*(\w+)\s*\|(.+)\|\s*(\S+)\s*\|\s*(\d+)-(\d+)\s*\|\s*$", line)
        if m:
            rows.append({"id": m[1], "kind": m[2], "domain": m[3], "statement": m[4].strip(), "path": m[5],
                         "start": int(m[6]), "end": int(m[7])})
    return rows


def _overlaps(ev: dict, exp: dict) -> bool:
    return ev["path"] == exp["path"] and ev["start_line"] <= exp["end"] and exp["start"] <= ev["end_line"]


@pytest.fixture(scope="module")
def shop(_pipeline_template):
    from storage import Database

    db = Database(_pipeline_template, wait=2)
    with db.connect() as con:
        rules = rules_store.list_rules(con, "shop")
        samples = samples_store.list_samples(con, "shop", task_type="qa")
    return rules, samples


def test_expected_file_is_parsed():
    assert len(expected_rules()) >= 50


@pytest.mark.parametrize("exp", expected_rules(), ids=lambda e: e["id"])
def test_every_expected_rule_is_extracted_and_covered_by_qa(shop, exp):
    rules, samples = shop
    hits = [r for r in rules if r["kind"] == exp["kind"] and any(_overlaps(e, exp) for e in r["evidence"])]
    assert hits, f"{exp['id']} ({exp['kind']}) not extracted: {exp['statement']}"
    assert exp["domain"] in {r["domain"] for r in hits}, f"{exp['id']} extracted in another domain"
    covered = [s for s in samples if any(_overlaps(e, exp) for e in s["payload"]["evidence"])]
    assert covered, f"{exp['id']} is extracted but no QA sample cites its lines"


def test_rule_evidence_is_tight(shop):
    """Evidence holds the statement and the condition that governs it, but stays within MAX_EVIDENCE lines
    (it was < 20 lines of bare statements: one line hid the `if` two lines above)."""
    from core.rules.java_rules import MAX_EVIDENCE

    rules, _ = shop
    for r in rules:
        if r["kind"] != "side_effects":
            assert all(e["end_line"] - e["start_line"] < MAX_EVIDENCE for e in r["evidence"]), r["statement_en"]


def test_status_names_come_from_the_dictionary(shop):
    rules, _ = shop
    pay = [r for r in rules if r["kind"] == "transition" and r["facts"].get("method", "").endswith("paySuccess")]
    assert pay and "0 (" in pay[0]["statement_en"] and "1 (" in pay[0]["statement_en"]


def test_condition_rendering():
    assert condition_text("order == null || order.getStatus() != 0") == "`order` is null, or `order.getStatus()` is not `0`"
    assert condition_text("!hasStock(items)") == "`hasStock(items)` is false"
    assert "为空" in condition_text("CollectionUtils.isEmpty(list)", "zh")
    assert condition_text("null == order") == "`order` is null"   # not "`null` is `order`"
    assert formula_text("order.getTotalAmount().add(order.getFreightAmount()).subtract(order.getCouponAmount())") == \
        "totalAmount + freightAmount - couponAmount"
    assert formula_text("a.add(b).foo().subtract(c)") is None
    assert cron_text("0 0/10 * ? * ?") == "every 10 minutes"
    assert cron_text("0 30 2 * * ?") == "every day at minute 30 of hour 2"   # the cron's own numbers


def test_negation_reads_as_the_opposite_condition():
    assert negate_text("order.getStatus()==3||order.getStatus()==4") == \
        "`order.getStatus()` is not `3` and `order.getStatus()` is not `4`"
    assert negate_text("count > 0 && list != null") == "`count` is at most `0`, or `list` is null"
    assert negate_text("!items.isEmpty()") == "`items.isEmpty()` is true"
    assert negate_text("a.equals(b)") == "`a` does not equal `b`"


RETURN_APPLY = """
package demo;
class ReturnService {
    int updateStatus(Integer status) {
        if (status.equals(1)) {
            approve();
        } else if (status.equals(2)) {
            receive();
        } else {
            throw new IllegalStateException("unknown status");
        }
        return 1;
    }
}
"""


def test_a_guard_in_an_else_branch_cites_the_failing_line_and_every_enclosing_condition():
    from core.generate.qa_templates import Cite, guard_answer
    from core.models import Evidence
    from core.rules.java_rules import guards, methods_of

    (method,) = list(methods_of("demo/ReturnService.java", RETURN_APPLY))
    (guard,) = guards(method)
    facts = guard.facts
    assert facts["holds"] is False and facts["line"] == 7 and facts["fail_line"] == 10
    lines = RETURN_APPLY.splitlines()
    spans = sorted({(s, e) for s, e in guard.spans} | {(w["line"], w["line"]) for w in facts["within"]})
    evidence = [Evidence(id=f"E{n}", path="demo/ReturnService.java", start_line=s, end_line=e, sha256="x",
                         text="\n".join(lines[s - 1:e])) for n, (s, e) in enumerate(spans, 1)]
    body, trace = guard_answer("where_implemented", facts, "en", "seed", Cite(evidence), "demo/ReturnService.java")
    assert "when `status` does not equal `2`" in body and "`status` does not equal `1`" in body
    fail_claim = next(ids for claim, ids in trace if "throws" in claim)
    # the throw, inside one piece of code that also shows the `if` / `else if` chain it ends
    assert [(e.start_line, e.end_line) for e in evidence if e.id in fail_claim] == [(5, 11)]
    assert {i for _, ids in trace for i in ids} == {e.id for e in evidence}       # every line is cited


def test_every_evidence_item_of_every_sample_is_cited(shop):
    _, samples = shop
    uncited = []
    for s in samples:
        payload = s["payload"] if isinstance(s["payload"], dict) else __import__("json").loads(s["payload"])
        cited = {i for step in payload["trace"] for i in step["evidence_ids"]}
        missing = {e["id"] for e in payload["evidence"]} - cited
        if missing:
            uncited.append((s["question"], sorted(missing)))
    assert not uncited, uncited[:5]


REAL_PRICE = """
package demo;
class CouponService {
    BigDecimal realPrice(Item item, BigDecimal reduce) {
        return item.getPrice().subtract(reduce);
    }
}
"""


def test_a_returned_calculation_is_asked_about_as_the_methods_result():
    from core.generate.qa_templates import Cite, calc_answer, calc_questions
    from core.models import Evidence
    from core.rules.java_rules import calculations, methods_of

    (method,) = list(methods_of("a/CouponService.java", REAL_PRICE))
    (found,) = calculations(method)
    facts = found.facts
    questions = dict(calc_questions(facts, "en", "seed"))
    assert "return" in questions["how_computed"] and "`realPrice()`" not in questions["how_computed"]
    assert found.spans == [(4, 5)]                      # the signature with the return: the claim is about the method
    lines = REAL_PRICE.splitlines()
    ev = [Evidence(id="E1", path="a/CouponService.java", start_line=4, end_line=5, sha256="x", text="\n".join(lines[3:5]))]
    body, trace = calc_answer("how_computed", facts, "en", "seed", Cite(ev), "a/CouponService.java")
    assert body == "`CouponService.realPrice` returns price - reduce (`item.getPrice().subtract(reduce)`)."
    assert trace == [("line 5: returns price - reduce (`item.getPrice().subtract(reduce)`)", ["E1"])]


CART_MOVE = """
class CartService {
    public int moveItem(CartLine line) {
        CartLine old = new CartLine();
        old.setId(line.getId());
        old.setDeleteStatus(1);
        String sn = buildNumber(old);
        List<CartLine> seen = new ArrayList<>();
        seen.add(old);
        cartLineMapper.updateByPrimaryKeySelective(old);
        line.setId(null);
        add(line);
        return 1;
    }
    public void add(CartLine line) {
        line.setDeleteStatus(0);
        String sn = buildNumber(line);
        CartLine found = lookup(line);
        if (found == null) {
            cartLineMapper.insert(line);
        } else {
            cartLineMapper.updateByPrimaryKey(found);
        }
    }
}
"""


def test_a_setter_is_written_by_the_persisting_call_and_a_later_rewrite_is_noted():
    """The write is the mapper call that stores the record, not a call that only reads it (`buildNumber(old)`)
    nor a local list's `add`;
    a later write of another record of the same type (`add(line)`) means the setter's value is not what the
    method leaves the item in, while the other branch of an if/else is no rewrite."""
    from core.rules.java_rules import methods_of, transitions

    move, add = list(methods_of("a/CartService.java", CART_MOVE))
    (t,) = transitions(move)
    assert t.facts["write"]["call"] == "cartLineMapper.updateByPrimaryKeySelective(old)"
    assert t.facts["rewritten"]["call"] == "add(line)"
    (t,) = transitions(add)
    assert t.facts["write"]["call"] == "cartLineMapper.insert(line)" and t.facts["rewritten"] is None
    # the insert runs only for a new line: the answer says so
    assert [c["condition"] for c in t.facts["write"]["within"]] == ["found == null"]


SHIP = """
class ShipService {
    public Object ship(Parcel parcel) {
        if (parcel.getStatus() != 1) {
            return fail("not paid");
        }
        parcel.setStatus(2);
        if (parcelStore.updateIfUnchanged(parcel) == 0) {
            throw new IllegalStateException("changed meanwhile");
        }
        int count = parcel.getCount();
        if (count == -1) {
            return fail("expired");
        }
        if (count != 0) {
            return fail("already counted");
        }
        return ok();
    }
}
"""


def test_a_write_tested_by_an_if_is_cited_through_its_exit_and_a_check_names_earlier_checks_on_its_value():
    """`if (store.update(x) == 0) { throw .. }`: the write's span reaches the throw (not cut at the `if` line);
    the guard on `count != 0` carries the earlier exit on the same value (`count == -1`)."""
    from core.rules.java_rules import guards, methods_of, transitions

    (method,) = list(methods_of("a/ShipService.java", SHIP))
    (t,) = transitions(method)
    assert (t.facts["write"]["line"], t.facts["write"]["end_line"]) == (8, 10)
    last = next(g for g in guards(method) if g.facts["condition"] == "count != 0")
    assert [e["condition"] for e in last.facts["same_subject"]] == ["count == -1"]


EXPIRE_JOB = """
class VoucherJob {
    @Scheduled(fixedDelay = 60000)
    public void expire() {
        List<Voucher> due = voucherService.findDue();
        for (Voucher v : due) {
            v.setStatus(Voucher.EXPIRED);
            voucherService.updateById(v);
        }
    }
}
"""


def test_a_job_records_the_values_it_writes_and_when_runs_answers_the_schedule_alone():
    """A job's purpose is the value it sets (`v.setStatus(Voucher.EXPIRED)` for each due voucher), not only
    the calls it makes; "when does it run" is answered by the schedule, "what happens" names the writes."""
    from core.generate.qa_templates import schedule_answer
    from core.rules.java_rules import methods_of, schedules

    (method,) = list(methods_of("a/VoucherJob.java", EXPIRE_JOB))
    (job,) = schedules(method)
    assert [(w["receiver"], w["field"], w["value"]) for w in job.facts["writes"]] == [("v", "status", "Voucher.EXPIRED")]

    class Cite:
        def at(self, line, path):
            return f"E{line}"

    facts = {**job.facts, "method": "VoucherJob.expire", "class": "VoucherJob"}
    when, _ = schedule_answer("when_runs", facts, "en", "s", Cite(), "a/VoucherJob.java")
    what, trace = schedule_answer("what_happens", facts, "en", "s", Cite(), "a/VoucherJob.java")
    assert "Voucher.EXPIRED" not in when and "voucherService" not in when
    assert "sets on records: for each `v` in `due`: `v.status` to `Voucher.EXPIRED`" in what
    assert any("E7" in ids for _, ids in trace)
    # every value it sets, a computed one too: "the values each run sets" is the whole list (blind read 21H: S30)
    (timed,) = schedules(next(iter(methods_of("a/VoucherJob.java", EXPIRE_JOB.replace(
        "v.setStatus(Voucher.EXPIRED);", "v.setStatus(Voucher.EXPIRED);\n            v.setExpireTime(LocalDateTime.now());")))))
    assert [(w["field"], w["value"]) for w in timed.facts["writes"]] == [("status", "Voucher.EXPIRED"),
                                                                         ("expireTime", "LocalDateTime.now()")]


PRICING = """
class Pricing {
    public void price(Line line, int kind, BigDecimal base, BigDecimal rate) {
        if (kind == 1) {
            BigDecimal cut = base.multiply(rate);
            line.setCut(cut);
            line.setTotal(base.subtract(cut));
        } else if (kind == 2) {
            BigDecimal cut = base.subtract(rate);
            line.setCut(cut);
            line.setTotal(base.add(rate));
        } else {
            noCut(line);
        }
        int stock = line.getStock() - line.getLocked();
        if (kind == 1) {
            stock = stock - 1;
        } else {
            stock = stock + 1;
        }
    }
    private void noCut(Line line) {
        line.setCut(BigDecimal.ZERO);
    }
}
"""


def test_a_calculation_is_asked_only_with_all_its_sites_and_says_when_they_are_alternatives():
    """A local declared on two branches is two variables; a field a called helper also sets (`noCut`) has sites
    outside the method: neither is asked. Sites on the two branches of one `if` are alternatives."""
    from core.rules.java_rules import calculations, methods_of

    method = next(m for m in methods_of("a/Pricing.java", PRICING) if m.name == "price")
    found = {c.facts["target"]: c.facts for c in calculations(method)}
    assert "cut" not in found and "line.setCut" not in found
    assert found["line.setTotal"]["alternatives"] == "all"
    assert found["stock"]["alternatives"] == "some"   # the declaration runs before either branch


VOUCHER_PICK = """
class VoucherPick {
    public Voucher pick(Integer userId, Integer voucherId, Integer ownedId) {
        Owned owned = ownedService.findById(ownedId);
        if (owned == null) {
            owned = ownedService.firstOf(userId, voucherId);
        } else if (!voucherId.equals(owned.getVoucherId())) {
            return null;
        }
        return load(owned);
    }
}
"""


def test_a_guard_local_assigned_on_the_other_branch_is_not_its_source():
    """`else if (.. owned ..)` sees `owned` from `findById`, not from `firstOf` on the `if` branch above it."""
    from core.rules.java_rules import guards, methods_of

    (method,) = list(methods_of("a/VoucherPick.java", VOUCHER_PICK))
    g = next(g for g in guards(method) if "getVoucherId" in g.facts["condition"])
    assert [s["call"] for s in g.facts["sources"]] == ["ownedService.findById"]


def test_an_update_without_a_status_condition_is_not_asked_when_it_runs():
    """newbee `checkDone` (UPDATE ... SET order_status = 2 WHERE order_id IN (..)): the caller's loop decides, so
    "when can the statement set 2" was answered with the SET alone (blind reads Z S4, F S6); a WHERE on the
    status (mall `delivery`: status = 1) answers it."""
    from core.generate.qa_templates import _conditions_known

    assert not _conditions_known({"via": "sql", "from_codes": [], "conditions": ["order_id in (..)"]})
    assert _conditions_known({"via": "sql", "from_codes": ["1"], "conditions": ["status = 1"]})


def test_a_condition_on_a_loop_built_local_leaves_the_path_incomplete():
    """newbee closeOrder writes only `if (!StringUtils.hasText(errorOrderNos))`, a string the loop over the orders
    builds from its own checks: that condition alone is no answer to "when", so the path is not complete."""
    from core.rules import java_rules
    from core.rules.extract import _accumulated_test

    src = """package a;
class S {
    M m;
    String close(Long[] ids) {
        List<O> os = m.load(ids);
        String bad = "";
        for (O o : os) {
            if (o.getStatus() == 4) {
                bad += o.getNo();
            }
        }
        if (bad.isEmpty()) {
            m.closeAll(ids, 3);
            return "ok";
        }
        return bad;
    }
}
"""
    method = next(m for m in java_rules.methods_of("S.java", src) if m.name == "close")
    assert _accumulated_test(method, {"within": [{"condition": "bad.isEmpty()"}], "exits": []})
    assert not _accumulated_test(method, {"within": [{"condition": "os != null"}], "exits": []})
    write = {"call": "m.closeAll(bad, 3)"}   # the rows written are those the loop collected
    assert _accumulated_test(method, {"within": [{"condition": "os != null"}], "exits": [], "write": write})


def test_an_exit_rejecting_listed_codes_leaves_the_others():
    """newbee cancelOrder returns early when the status is 4, -1, -2 or -3: the move starts from any other code."""
    from core.rules.extract import _codes_excluded

    codes = {"Status.DONE.getCode()": "4", "Status.CLOSED.getCode()": "-1"}
    cond = "order.getStatus().intValue() == Status.DONE.getCode() || (order.getStatus() == Status.CLOSED.getCode())"
    assert _codes_excluded({"condition": cond, "holds": True}, "getStatus()", codes.get) == {"4", "-1"}
    assert _codes_excluded({"condition": cond + " || order.isLocked()", "holds": True}, "getStatus()", codes.get) is None
    assert _codes_excluded({"condition": cond, "holds": False}, "getStatus()", codes.get) is None


def test_a_statement_or_method_of_another_domains_class_that_changes_stock_is_in_stock(shop):
    """examples/shop PrdGoodsDao / PrdGoodsServiceImpl belong to products (no requested domain): what adjusts
    prd_goods.stock_num in place, and the check on its row count, are stock rules; the price statement and the
    price method's checks are in no requested domain, so they yield no rule at all."""
    rules, samples = shop
    prd = [r for r in rules if "PrdGoods" in (r["symbol_id"] or "")]
    by_stmt = {r["facts"].get("statement"): r for r in prd if r["kind"] == "sql_invariant"}
    assert set(by_stmt) == {"deductQuantity", "restoreQuantity"} and {r["domain"] for r in prd} == {"stock"}
    # a comma inside `#{count,jdbcType=INTEGER}` no longer cuts the assignment short
    assert by_stmt["deductQuantity"]["facts"]["changes"][0]["text"] == "stock_num = stock_num - #{count,jdbcType=INTEGER}"
    guards = [r for r in prd if r["kind"] == "guard"]
    assert [g["facts"]["method"] for g in guards] == ["PrdGoodsServiceImpl.deductStock"]
    asked = {(s["source_ref"], s["question_kind"]) for s in samples if s["language"] == "en"}
    deduct, restore = by_stmt["deductQuantity"]["rule_id"], by_stmt["restoreQuantity"]["rule_id"]
    assert {(deduct, "why"), (deduct, "under_which_condition"), (restore, "under_which_condition")} <= asked
    # "why check it in the UPDATE" is asked only about a bound on the changed column (sell_status is none)
    assert (restore, "why") not in asked
    # the row the statement selects is said with its bound: "only on rows where stock_num >= .." read as every row
    what = next(s for s in samples if s["source_ref"] == deduct and s["question_kind"] == "what_happens"
                and s["language"] == "en")
    assert by_stmt["deductQuantity"]["facts"]["keys"] == ["id = #{goodsId,jdbcType=BIGINT}"]
    assert "on the row where `id = #{goodsId,jdbcType=BIGINT}`, but only if" in what["answer"]


def test_a_foreach_of_whole_updates_is_a_batch_and_gets_no_why_question():
    """A `<foreach>` whose body is a whole UPDATE runs one statement per item in one call (allowMultiQueries) and
    returns one count: one item failing its bound stops no other item, and the count does not say which failed, so
    "why check it in the WHERE ... the caller detects it from the count" is not asked. The stock bound of a single
    UPDATE still is, without the premise "instead of in Java first" (callers often check in Java too)."""
    from core.generate.qa_templates import sql_questions
    lines = ['<update id="takeStock">',
             '  <foreach collection="items" item="it">',
             '    update inv_item set qty = qty - #{it.n} where item_id = #{it.id} and qty &gt;= #{it.n};',
             '  </foreach>',
             '</update>']
    stmt = {"kind": "update", "sql": "update inv_item set qty = qty - #{it.n} where item_id = #{it.id} and qty >= #{it.n};",
            "tables": ["inv_item"], "namespace": "x.InvDao", "statement": "takeStock", "stmt_id": "s1", "path": "Inv.xml",
            "start_line": 1, "end_line": 5}
    facts = sql_rules.find(stmt, lines)[0].facts
    assert facts["batch"] is True
    assert "why" not in {k for k, _ in sql_questions(facts, "en", "s")}
    from core.generate.qa_templates import Cite, sql_answer
    body, _ = sql_answer("under_which_condition", facts, "en", "s", Cite([]), "Inv.xml")
    assert "one UPDATE per item of the list it loops over" in body
    assert "the UPDATE statements of the other items still run" in body
    assert "reports no affected row" not in body
    single = sql_rules.find({**stmt, "start_line": 3, "end_line": 3}, lines)[0].facts
    assert single["batch"] is False
    why = dict(sql_questions(single, "en", "s"))["why"]
    assert "WHERE clause?" in why and "in Java" not in why


def test_a_local_compared_by_method_call_says_where_it_comes_from():
    """`aftersale.getAmount().compareTo(amount) > 0` tests `amount` (the paid price minus freight): the guard says so
    (blind read 20A: litemall S9 asked about `amount` without ever saying what it is); `update(order) == 0` still
    tests no `order`."""
    from core.rules import java_rules

    src = """class A {
    Object submit(Apply apply, Order order) {
        BigDecimal amount = order.getActualPrice().subtract(order.getFreightPrice());
        if (apply.getAmount().compareTo(amount) > 0) {
            return fail("bad amount");
        }
        Order saved = mapper.load(order.getId());
        if (mapper.update(saved) == 0) {
            return fail("changed");
        }
        return ok();
    }
}
"""
    method = next(java_rules.methods_of("A.java", src))
    found = {f.facts["condition"]: f.facts for f in java_rules.guards(method)}
    amount = found["apply.getAmount().compareTo(amount) > 0"]["sources"]
    assert [(s["var"], s["expr"]) for s in amount] == [
        ("amount", "order.getActualPrice().subtract(order.getFreightPrice())")]
    assert found["mapper.update(saved) == 0"]["sources"] == []


def test_a_loader_that_filters_on_the_callers_argument_makes_the_same_check_dead():
    """`order = orderService.findById(userId, orderId)` loads only the user's order (`andUserIdEqualTo(userId)`), so
    `!order.getUserId().equals(userId)` after it never fires (blind read 20C: litemall S10/S39 presented it as a
    live rule)."""
    from core.rules.extract import Extractor
    loader = {"signature": "public LitemallOrder findById(Integer userId, Integer orderId)"}
    text = ("public LitemallOrder findById(Integer userId, Integer orderId) {\n"
            "    example.or().andIdEqualTo(orderId).andUserIdEqualTo(userId).andDeletedEqualTo(false);\n}")
    body = "LitemallOrder order = orderService.findById(userId, orderId);"
    at = body.index("findById(") + len("findById(")
    assert Extractor._bound_criteria(loader, text, body, at) == {"Id": "orderId", "UserId": "userId"}
    # an argument that is an expression binds nothing; the others still do (blind read 21H: litemall S27,
    # `findById(userId, groupon.getOrderId())`)
    assert Extractor._bound_criteria(loader, text, body.replace("userId, orderId", "uid + 1, orderId"), at) == \
        {"Id": "orderId"}
    called = body.replace("userId, orderId", "userId, groupon.getOrderId()")
    assert Extractor._bound_criteria(loader, text, called, at) == {"UserId": "userId"}
