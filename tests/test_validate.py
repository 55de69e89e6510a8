"""The validate stage: each check on samples built to pass or to break it, duplicates, re-validation."""

from __future__ import annotations

import json

import pytest
from test_validate_support import CONFIG, decide, design, find_line, indexed_shop, qa, store

from core.cli import main
from core.validate import revalidate_sample, validate_repo
from core.validate.checks import CHECK_NAMES, SampleChecker
from core.validate.dedup import find_duplicates
from core.validate.runner import load_facts
from core.validate.secrets import find_secrets
from storage import review_store

SERVICE = "shop-portal/src/main/java/io/acdp/shop/portal/service/impl/OrdPortalOrderServiceImpl.java"
EXAMPLE_CLASS = "shop-common/src/main/java/io/acdp/shop/common/model/OrdOrderExample.java"
GOOD_Q = "What must hold before a member can confirm receipt of an order?"
GOOD_A = ("`confirmReceiveOrder` only accepts an order whose status is 2 (shipped); otherwise it fails with "
          "\"该订单还未发货！\". It then sets the status to 3.")


@pytest.fixture
def shop(tmp_path):
    db, root = indexed_shop(tmp_path)
    start = find_line(root, SERVICE, "if (order.getStatus() != 2)")
    return db, root, (SERVICE, start, start + 3)


def results(db, sample_id: str) -> dict[str, tuple[str, str]]:
    with db.connect() as con:
        return {c["check_name"]: (c["result"], c["message"]) for c in review_store.checks_for(con, sample_id, 1)}


def quality(db, sample_id: str) -> tuple:
    with db.connect() as con:
        return con.execute("SELECT status, score, dup_cluster, dup_keep FROM sample_quality WHERE sample_id = ?",
                           [sample_id]).fetchone()


def test_a_grounded_sample_passes_every_check(shop):
    db, root, span = shop
    store(db, [qa(root, "good", GOOD_Q, GOOD_A, [span])])
    counts = validate_repo(db, "shop")
    assert counts["checked"] == 1 and counts["fail"] == 0
    got = results(db, "good")
    assert set(got) == set(CHECK_NAMES)
    assert all(r == "pass" for r, _ in got.values()), got
    assert quality(db, "good") == ("pass", 1.0, None, True)


def test_a_changed_source_file_fails_its_samples_naming_the_file(shop):
    db, root, span = shop
    store(db, [qa(root, "good", GOOD_Q, GOOD_A, [span])])
    with (root / SERVICE).open("a", encoding="utf-8") as fh:
        fh.write("// edited after indexing\n")
    validate_repo(db, "shop")
    result, message = results(db, "good")["evidence"]
    assert result == "fail" and SERVICE in message and "changed" in message
    assert quality(db, "good")[0] == "fail"


def test_invented_identifiers_fail_a_qa_sample_and_are_named(shop):
    db, root, span = shop
    answer = GOOD_A + " The check lives in `OrderReceiptGuard.verify()` and updates oms_receipt_log."
    store(db, [qa(root, "invented", GOOD_Q, answer, [span])])
    validate_repo(db, "shop")
    result, message = results(db, "invented")["grounding"]
    assert result == "fail"
    assert "OrderReceiptGuard" in message and "oms_receipt_log" in message and "confirmReceiveOrder" not in message


def test_a_design_may_name_what_it_proposes_but_must_reuse_what_exists(shop):
    db, root, span = shop
    answer = "Add `OrdOrderAuditService` next to `OrdPortalOrderService`; it calls insertAuditRow(."
    store(db, [design(root, "d1", answer.replace("insertAuditRow(.", "done."), [span], "OrdOrderAuditService"),
               design(root, "d2", answer, [span], "OrdOrderAuditService"),
               design(root, "d3", answer, [span], "OrdOrderAuditService", reuse="OrdOrderAuditLogDao.insert")])
    validate_repo(db, "shop")
    assert results(db, "d1")["grounding"][0] == "pass"
    result, message = results(db, "d2")["grounding"]
    assert result == "warn" and "insertAuditRow" in message and "OrdOrderAuditService" not in message
    result, message = results(db, "d3")["grounding"]
    assert result == "fail" and "OrdOrderAuditLogDao" in message


@pytest.mark.parametrize("answer, problem", [
    (GOOD_A.replace("is 2", "is 5"), "numbers not in evidence: 5"),
    (GOOD_A.replace("该订单还未发货！", "订单已取消"), "quoted text not in evidence"),
    (GOOD_A + " The guard is `order.getStatus() != 7`.", "code not in evidence"),
])
def test_answer_must_agree_with_its_evidence(shop, answer, problem):
    db, root, span = shop
    store(db, [qa(root, "s", GOOD_Q, answer, [span])])
    validate_repo(db, "shop")
    result, message = results(db, "s")["consistency"]
    assert result == "fail" and problem in message


def test_consistency_accepts_what_careful_answers_write(shop):
    """Counts, endpoints, XML-escaped SQL and messages built by concatenation are not inventions."""
    db, root, _ = shop
    dao = "shop-admin/src/main/resources/dao/InvSkuStockDao.xml"
    start = find_line(root, dao, '<update id="releaseLockStock">')
    msg = find_line(root, SERVICE, "积分抵扣金额不能超过订单金额的")
    store(db, [
        qa(root, "sql", "Under which condition does `releaseLockStock` update a row?",
           "Only when `lock_stock >= #{quantity}` holds; otherwise `POST /sku/release` reports 0 affected rows "
           "and the 2 steps after it are skipped.", [(dao, start, start + 4)]),
        qa(root, "concat", "Which message does getUseIntegrationAmount fail with?",
           "It fails with \"积分抵扣金额不能超过订单金额的%\".", [(SERVICE, msg, msg)]),
    ])
    validate_repo(db, "shop")
    assert results(db, "sql")["consistency"] == ("pass", "")
    assert results(db, "concat")["consistency"] == ("pass", "")


def test_quoted_code_may_leave_out_comments_and_mybatis_tags(shop):
    db, root, span = shop
    sample = qa(root, "q", GOOD_Q, "It runs `stock = CASE id WHEN #{id} THEN stock - #{n} END` after `a == null || a <= 0`.",
                [span])
    text = ("stock = CASE id\n<foreach collection=\"items\" item=\"item\">\n  WHEN #{id} THEN stock - #{n}\n"
            "</foreach>\nEND\nif (a == null // none yet\n    || a <= 0) {")
    sample.evidence[0] = sample.evidence[0].model_copy(update={"text": text})
    checker = SampleChecker(load_facts(db, "shop"))
    assert checker.consistency(sample).result == "pass"
    sample.evidence[0] = sample.evidence[0].model_copy(update={"text": text.replace("END", "")})
    assert checker.consistency(sample).result == "fail"


def test_trace_evidence_not_cited_is_flagged(shop):
    db, root, span = shop
    other = (SERVICE, span[1] - 3, span[1] - 2)
    store(db, [qa(root, "t", GOOD_Q, GOOD_A, [span, other], claims=[("status 2 is required", ["E1"])])])
    validate_repo(db, "shop")
    result, message = results(db, "t")["trace"]
    assert result == "warn" and "E2" in message


def test_secrets_in_config_evidence_fail_and_are_masked(shop):
    db, root, span = shop
    line = find_line(root, CONFIG, "secret: fake-jwt")
    question, answer = "Which settings does the JWT filter read?", "The token settings come from the `jwt` block."
    masked = qa(root, "cfg", question, answer, [(CONFIG, line - 2, line + 2)])
    assert "fake-jwt-secret-do-not-use" not in masked.evidence[0].text    # masked when read (core.masking)
    # evidence holding the secret (e.g. stored before masking): the export gate still fails it
    raw_text = "\n".join((root / CONFIG).read_text(encoding="utf-8").splitlines()[line - 3:line + 2])
    raw = masked.model_copy(update={"sample_id": "cfg-raw", "evidence": [
        masked.evidence[0].model_copy(update={"text": raw_text})]})
    store(db, [masked, raw])
    validate_repo(db, "shop")
    assert results(db, "cfg")["secrets"][0] == "pass" and results(db, "cfg")["evidence"][0] == "pass"
    result, message = results(db, "cfg-raw")["secrets"]
    assert result == "fail" and CONFIG in message
    assert "fake-jwt-secret-do-not-use" not in message  # never echo the secret itself


@pytest.mark.parametrize("text, config, found", [
    ("password: hunter2hunter", True, "credential"),
    ("password: ${DB_PASSWORD}", True, None),
    ("tokenHeader: Authorization", True, None),
    ('String password = passwordEncoder.encode(param.getPassword());', False, None),
    ('private static final String API_KEY = "sk-live-0123456789";', False, "credential"),
    ("contact ops@example.com for access", False, "email address"),
    ("call 13812345678 after payment", False, "phone number"),
    ("身份证 110101199003071234", False, "ID number"),
    ("Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345", False, "bearer token"),
    ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", False, "JWT"),
    ("aliyun.accessKeyId=LTAI5tAbCdEfGhIjKlMnOp", True, "credential"),
    ("order.setStatus(4); // 13 items max", False, None),
])
def test_secret_and_personal_data_patterns(text, config, found):
    hits = find_secrets(text, config)
    if found is None:
        assert hits == []
    else:
        assert any(h.startswith(found) for h in hits), hits


def test_language_length_and_generated_code(shop):
    db, root, span = shop
    example = find_line(root, EXAMPLE_CLASS, "public OrdOrderExample()")
    store(db, [
        qa(root, "zh-in-english", GOOD_Q, GOOD_A, [span], language="zh"),
        qa(root, "en-quotes-chinese", GOOD_Q, GOOD_A, [span]),
        qa(root, "zh-ok", "会员在什么情况下可以确认收货？",
           "只有状态为 2（已发货）的订单才能确认收货，否则 `confirmReceiveOrder` 会提示"
           "\u201c该订单还未发货！\u201d，之后状态变为 3。",
           [span], language="zh"),
        qa(root, "short", GOOD_Q, "Status 2.", [span]),
        qa(root, "labels", "What does `confirmReceiveOrder` need from an order?",
           "It needs status 2 (已发货) and sets status 3 (已完成).", [span]),
        qa(root, "mixed", GOOD_Q, "The steps are:\n1. 校验订单状态是否为已发货\n2. 修改订单状态为已完成并记录收货时间", [span]),
        qa(root, "generated", "What does the OrdOrderExample constructor set up?",
           "`OrdOrderExample` starts with an empty list of criteria.", [(EXAMPLE_CLASS, example, example + 2)]),
    ])
    validate_repo(db, "shop")
    assert results(db, "zh-in-english")["language"][0] == "fail"
    assert results(db, "en-quotes-chinese")["language"][0] == "pass"
    assert results(db, "zh-ok")["language"][0] == "pass"
    assert results(db, "short")["length"][0] == "fail"
    assert results(db, "labels")["language"][0] == "pass"  # Chinese status labels in an English answer
    assert results(db, "mixed")["language"][0] == "warn"   # comments quoted in the other language
    assert results(db, "generated")["generated_code"] == ("warn", "all evidence is in generated code (MyBatis Generator output)")
    assert results(db, "en-quotes-chinese")["generated_code"][0] == "pass"


def test_a_payload_that_is_not_a_sample_fails_schema_only(shop):
    db, root, span = shop
    store(db, [qa(root, "broken", GOOD_Q, GOOD_A, [span])])
    with db.connect() as con:  # simulate a hand-edited row: the trace cites evidence that does not exist
        payload = json.loads(con.execute("SELECT payload FROM samples WHERE sample_id = 'broken'").fetchone()[0])
        payload["trace"][0]["evidence_ids"] = ["E9"]
        con.execute("UPDATE samples SET payload = ? WHERE sample_id = 'broken'", [json.dumps(payload)])
    validate_repo(db, "shop")
    got = results(db, "broken")
    assert set(got) == {"schema", "duplicate"}  # nothing else can be checked on it
    assert got["schema"][0] == "fail" and "E9" in got["schema"][1]
    assert quality(db, "broken")[:2] == ("fail", 0.0)


def test_duplicates_are_clustered_and_the_best_kept(shop):
    db, root, span = shop
    store(db, [
        qa(root, "a", GOOD_Q, GOOD_A, [span]),
        qa(root, "b", GOOD_Q, GOOD_A, [span]),                                   # exact copy of a
        qa(root, "c", GOOD_Q, GOOD_A.replace("It then", "Afterwards it"), [span]),  # near copy
        qa(root, "d", "Which statuses can an order be deleted in?",
           "Only completed (3) or closed (4) orders can be deleted.", [(SERVICE, 390, 391)]),
    ])
    decide(db, "c", "accepted")
    counts = validate_repo(db, "shop", dup_threshold=0.7)
    assert counts["dup_clusters"] == 1
    keep = {sid: quality(db, sid)[2:] for sid in "abcd"}
    assert keep == {"a": ("c", False), "b": ("c", False), "c": ("c", True), "d": (None, True)}  # accepted wins
    assert results(db, "b")["duplicate"][0] == "warn" and "of c" in results(db, "b")["duplicate"][1]
    assert results(db, "c")["duplicate"][0] == "pass"
    # a strict threshold keeps only the exact copies together
    validate_repo(db, "shop", dup_threshold=1.0)
    assert quality(db, "c")[2:] == (None, True) and quality(db, "a")[2] == quality(db, "b")[2] == "a"
    # copies are judged by the curator's edit: b rewritten is no copy of a any more
    rewritten = qa(root, "b", "What does confirming receipt change on the order?",
                   "Confirming receipt moves the order from status 2 (shipped) to status 3 (completed).", [span])
    decide(db, "b", "edited", edited=rewritten)
    validate_repo(db, "shop", dup_threshold=1.0)
    assert quality(db, "a")[2:] == quality(db, "b")[2:] == (None, True)


def test_minhash_finds_near_duplicates_and_leaves_distinct_texts_alone():
    base = "the order service checks the status of the order before it locks the stock of every sku in the cart "
    texts = [base * 3, base * 3 + " extra words here", "a completely different text about coupons and points " * 3,
             "一个 订单 只有 在 待付款 状态 下 才能 被 取消 并 释放 库存 " * 3, base * 3]
    dups = find_duplicates(texts, threshold=0.8)
    assert dups.root.tolist() == [0, 0, 2, 3, 0]
    assert dups.digest[0] == dups.digest[4] != dups.digest[1]
    with pytest.raises(ValueError):
        find_duplicates(texts, threshold=0)
    # the same template about different conditions is not a duplicate: operators count
    template = "the update only matches the row when {} holds, otherwise it changes nothing and returns zero"
    rules = [template.format("lock_stock + #{q} <= stock"), template.format("lock_stock - #{q} >= 0")]
    assert find_duplicates(rules, threshold=0.85).root.tolist() == [0, 1]


def test_revalidate_an_edit_replaces_its_checks_and_keeps_its_cluster(shop):
    db, root, span = shop
    bad = qa(root, "e", GOOD_Q, GOOD_A.replace("is 2", "is 5"), [span])
    store(db, [bad, qa(root, "e2", GOOD_Q, GOOD_A.replace("is 2", "is 5"), [span])])
    validate_repo(db, "shop")
    assert quality(db, "e")[0] == "fail"
    fixed = bad.model_copy(update={"answer": GOOD_A})
    decide(db, "e", "edited", edited=fixed)
    out = revalidate_sample(db, fixed)
    assert {r["check_name"]: r["result"] for r in out}["consistency"] == "pass"
    assert results(db, "e")["consistency"][0] == "pass"
    assert quality(db, "e")[0] == "pass" and quality(db, "e")[2] == "e"  # still in its duplicate cluster
    # the stage reads the edited payload too
    validate_repo(db, "shop")
    assert results(db, "e")["consistency"][0] == "pass"


def test_cli_rechecks_chosen_samples_and_rejects_unknown_ones(shop, capsys):
    db, root, span = shop
    store(db, [qa(root, "x", GOOD_Q, GOOD_A, [span]), qa(root, "y", GOOD_Q, "Status 2.", [span])])
    args = ["validate", "--db", str(db.path), "--repo", str(root)]
    assert main(args) == 0
    with db.connect() as con:
        before = con.execute("SELECT checked_at FROM checks WHERE sample_id = 'x' AND check_name = 'schema'").fetchone()
    assert main([*args, "--only-failed"]) == 0
    with db.connect() as con:
        after = con.execute("SELECT checked_at FROM checks WHERE sample_id = 'x' AND check_name = 'schema'").fetchone()
        runs = con.execute("SELECT counts FROM pipeline_runs WHERE stage = 'validate' ORDER BY run_id").fetchall()
    assert before == after  # x passed, so --only-failed left it alone
    assert [json.loads(r[0])["checked"] for r in runs] == [2, 1]
    assert main([*args, "--sample", "nope"]) == 2
    assert "no current sample with id nope" in capsys.readouterr().err
    assert main([*args, "--dup-threshold", "1.5"]) == 2
    other = db.path.parent / "empty.duckdb"
    assert main(["validate", "--db", str(other), "--repo", str(root)]) == 2
    assert "not indexed" in capsys.readouterr().err
