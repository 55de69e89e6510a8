"""LLM generation as a production run: the gate, stop reasons, fatal errors, retries, batches that
survive, budget, concurrency, the judge. Against recorded / locally built HTTP responses (no network)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import httpx2
import pytest
from llm_standin import StandIn, answer_for
from test_backends import MemoryCache, fixture, item

from core.context import Context
from core.errors import UserError
from core.generate import stage as gen_stage
from core.generate.backends.anthropic_backend import AnthropicBackend
from core.generate.backends.base import Fatal, RetryPolicy
from core.generate.backends.ledger import Ledger
from core.generate.backends.openai_backend import OpenAIBackend
from core.generate.backends.prices import PRICES, newest_sonnet, price_of, sdk_models
from storage import llm_store, samples_store

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "shop"


def args(**kw) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    gen_stage.add_arguments(parser)
    ns = parser.parse_args([])
    ns.__dict__.update(kw)
    return ns


def ctx(db, backend: str = "anthropic") -> Context:
    return Context(db=db, repo=EXAMPLE, domains=["order", "stock"], backend=backend, lang="en")


def message(output: dict, stop: str = "tool_use", n_in: int = 1000, n_out: int = 100) -> dict:
    return {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-5-5",
            "content": [{"type": "tool_use", "id": "toolu_1", "name": "submit_sample", "input": output}],
            "stop_reason": stop, "stop_sequence": None,
            "usage": {"input_tokens": n_in, "output_tokens": n_out, "cache_read_input_tokens": 0,
                      "cache_creation_input_tokens": 0}}


def prompt_of(request) -> str:
    return json.loads(request.content)["messages"][0]["content"]


def use_anthropic(monkeypatch, handler, **kw) -> None:
    """The stage builds its Claude backend on this transport (everything else as on the command line)."""
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    client = httpx2.Client(transport=httpx2.MockTransport(handler))

    def make(name, a, repo_context="", gate=None, batches=None, files=None):
        from core.generate.backends.asking import no_gate

        return AnthropicBackend(
            model=a.model or newest_sonnet(), repo_context=repo_context, gate=gate or no_gate, files=files,
            http_client=client, policy=RetryPolicy(attempts=3, jitter=0, sleep=lambda s: None),
            batch=a.batch, concurrency=a.concurrency, retry_failed=a.retry_failed,
            ledger=Ledger(a.model or newest_sonnet(), a.budget_usd), batch_wait=a.batch_wait * 60, **kw)

    monkeypatch.setattr("core.generate.backends.make_backend", make)


# ------------------------------------------------------------------ gate --
def test_gate_passes_a_true_paraphrase_and_repairs_or_records_a_false_answer(shop_db, monkeypatch):
    asked: dict[str, int] = {}
    bodies = []

    def handler(request):
        prompt = prompt_of(request)
        bodies.append(prompt)
        question = prompt.rsplit("(language: en):\n", 1)[1].split("\n")[0]
        asked[question] = asked.get(question, 0) + 1
        true = answer_for(prompt, design=False)
        false = dict(true, answer=true["answer"] + " It retries 37 times, see `OrderRetryPolicy.retryForever()`.")
        order = list(asked)                            # in the order first asked
        if question == order[0]:                       # first item: true at once
            return httpx2.Response(200, json=message(true))
        if question == order[1]:                       # second: false, then repaired
            return httpx2.Response(200, json=message(false if asked[question] == 1 else true))
        return httpx2.Response(200, json=message(false))   # third: false twice -> recorded failure

    use_anthropic(monkeypatch, handler)
    counts = gen_stage.run(ctx(shop_db), args(limit=3, batch="never", concurrency=1))
    assert counts["new_version"] + counts["unchanged"] == 2 and counts["failed"] == 1
    assert sorted(asked.values()) == [1, 2, 2] and counts["llm_calls"] == 5
    repair = next(b for b in bodies if "failed these checks" in b)
    assert "numbers not in evidence: 37" in repair or "OrderRetryPolicy" in repair     # it sees what failed
    with shop_db.connect() as con:
        failures = samples_store.list_failures(con, "shop")
        spent = llm_store.spend(con, "shop")
    assert len(failures) == 1 and failures[0]["reason"].startswith("failed the gate after one repair round")
    assert spent["calls"] == 5 and spent["cost_usd"] == pytest.approx(5 * (1000 * 2 + 100 * 10) / 1e6)
    assert counts["cost_usd"] == pytest.approx(spent["cost_usd"])          # every attempt counted

    calls_before = len(bodies)
    again = gen_stage.run(ctx(shop_db), args(limit=1, batch="never"))     # the one left: the failed item
    assert len(bodies) == calls_before and again["failed"] == 1           # a paid failure is not asked again
    gen_stage.run(ctx(shop_db), args(limit=1, batch="never", retry_failed=True))
    assert len(bodies) == calls_before + 2                                 # asked again (and repaired once)


# --------------------------------------------------- stop reasons, errors --
def anthropic(handler, monkeypatch, **kw) -> tuple[AnthropicBackend, list[float]]:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    waits: list[float] = []
    backend = AnthropicBackend(model="claude-sonnet-5-5", batch="never", http_client=httpx2.Client(
        transport=httpx2.MockTransport(handler)), policy=RetryPolicy(attempts=4, jitter=0, sleep=waits.append), **kw)
    return backend, waits


def test_max_tokens_gets_one_larger_retry_and_a_refusal_is_recorded_not_retried(monkeypatch):
    budgets = []
    good = fixture("anthropic_message_qa.json")

    def handler(request):
        body = json.loads(request.content)
        budgets.append(body["max_tokens"])
        if "(1)" in body["messages"][0]["content"]:
            return httpx2.Response(200, json=dict(good, stop_reason="refusal", content=[]))
        return httpx2.Response(200, json=dict(good, stop_reason="max_tokens") if len(budgets) == 1 else good)

    backend, _ = anthropic(handler, monkeypatch)
    cache = MemoryCache()
    cut, refused = backend.generate([item(0), item(1)], cache)
    assert cut.draft is not None and budgets[:2] == [4096, 8192] and cut.attempts == 2
    assert refused.error == "the model refused to answer" and refused.attempts == 1 and len(budgets) == 3
    assert cache.data[item(1).input_hash]["failed"] == "the model refused to answer"
    assert len(cut.calls) == 2 and backend.ledger.calls == 3               # the cut-off attempt is paid too


def test_a_bad_key_stops_the_run_after_one_call_even_with_concurrency(monkeypatch):
    calls = []

    def handler(request):
        calls.append(1)
        return httpx2.Response(401, json=fixture("anthropic_error_401.json"))

    backend, _ = anthropic(handler, monkeypatch, concurrency=8)
    with pytest.raises(Fatal, match="rejected the key in ANTHROPIC_API_KEY"):
        list(backend.generate([item(n) for n in range(20)], MemoryCache()))
    assert len(calls) == 1


@pytest.mark.parametrize(("status", "message_text"), [(404, "model: claude-nope"), (403, "not allowed"),
                                                      (400, "Your credit balance is too low")])
def test_unknown_model_permission_and_billing_stop_the_run(monkeypatch, status, message_text):
    def handler(request):
        return httpx2.Response(status, json={"type": "error", "error": {"type": "x", "message": message_text}})

    backend, _ = anthropic(handler, monkeypatch)
    with pytest.raises(Fatal) as err:
        list(backend.generate([item(0), item(1)], MemoryCache()))
    assert "\n" not in str(err.value) and message_text in str(err.value)


@pytest.mark.parametrize("status", [529, 408, 409, 503])
def test_overloaded_and_timeouts_are_retried_with_retry_after(monkeypatch, status):
    calls = []

    def handler(request):
        calls.append(1)
        if len(calls) == 1:
            return httpx2.Response(status, json={"type": "error", "error": {"type": "overloaded_error", "message": "x"}},
                                   headers={"retry-after": "3"})
        return httpx2.Response(200, json=fixture("anthropic_message_qa.json"))

    backend, waits = anthropic(handler, monkeypatch)
    [outcome] = backend.generate([item()], MemoryCache())
    assert outcome.draft is not None and outcome.attempts == 2 and waits == [3.0]


def test_retry_policy_backs_off_and_is_in_the_help():
    waits: list[float] = []
    policy = RetryPolicy(attempts=8, base=2, cap=60, jitter=0, sleep=waits.append)
    for attempt in range(1, 8):
        policy.pause(attempt, None)
    assert waits == [2, 4, 8, 16, 32, 60, 60] and sum(waits) > 7          # 529 no longer gives up after 7 s
    policy.pause(1, 0.25)
    assert waits[-1] == 0.25
    import io
    from contextlib import redirect_stdout

    parser = argparse.ArgumentParser()
    gen_stage.add_arguments(parser)
    with redirect_stdout(io.StringIO()) as out:
        parser.print_help()
    text = " ".join(out.getvalue().split())
    assert "429, 5xx and 529" in text and "retry-after" in text and "(401)" in text


# --------------------------------------------------------------- batches --
def batch_server(state: dict):
    """A Message Batches API that keeps a batch in progress until `state['ended']`."""

    def handler(request):
        path = request.url.path
        if request.method == "POST" and path == "/v1/messages/batches":
            state["creates"] += 1
            state["requests"] = json.loads(request.content)["requests"]
            return httpx2.Response(200, json=dict(fixture("anthropic_batch_in_progress.json"), id="msgbatch_1"))
        if path == "/v1/messages/batches/msgbatch_1/cancel":
            state["cancelled"] = True
            return httpx2.Response(200, json=dict(fixture("anthropic_batch_in_progress.json"), id="msgbatch_1",
                                                  processing_status="canceling"))
        if path == "/v1/messages/batches/msgbatch_1":
            name = "anthropic_batch_ended.json" if state["ended"] else "anthropic_batch_in_progress.json"
            results = "https://api.anthropic.com/v1/messages/batches/msgbatch_1/results" if state["ended"] else None
            return httpx2.Response(200, json=dict(fixture(name), id="msgbatch_1", results_url=results))
        if path == "/v1/messages/batches/msgbatch_1/results":
            lines = [json.dumps({"custom_id": r["custom_id"], "result": {"type": "succeeded", "message": message(
                answer_for(r["params"]["messages"][0]["content"], design=False))}}) for r in state["requests"]]
            return httpx2.Response(200, content="\n".join(lines).encode())
        state["direct"] += 1
        return httpx2.Response(200, json=message(answer_for(prompt_of(request), design=False)))

    return handler


def test_a_batch_interrupted_after_submission_resumes_without_a_second_submission(shop_db, monkeypatch):
    state = {"creates": 0, "direct": 0, "ended": False, "cancelled": False}
    use_anthropic(monkeypatch, batch_server(state))
    first = gen_stage.run(ctx(shop_db), args(limit=4, batch="always", batch_wait=0))     # deadline: leave it
    assert state["creates"] == 1 and first["waiting_in_batch"] == 4 and first.get("new_version", 0) == 0
    with shop_db.connect() as con:
        [(batch_id, mapping)] = llm_store.open_batches(con, "shop", "anthropic", newest_sonnet())
    assert batch_id == "msgbatch_1" and len(mapping) == 4                 # stored before polling started

    state["ended"] = True
    second = gen_stage.run(ctx(shop_db), args(limit=4, batch="always"))
    assert state["creates"] == 1 and state["direct"] == 0                  # resumed, not submitted again
    assert second["new_version"] + second["unchanged"] == 4 and second["cost_usd"] == pytest.approx(
        4 * (1000 * 2 + 100 * 10) / 1e6 / 2)                               # batch price
    with shop_db.connect() as con:
        assert llm_store.open_batches(con, "shop", "anthropic", newest_sonnet()) == []


def test_cancel_batch_cancels_the_stored_batch(shop_db, monkeypatch):
    state = {"creates": 0, "direct": 0, "ended": False, "cancelled": False}
    use_anthropic(monkeypatch, batch_server(state))
    gen_stage.run(ctx(shop_db), args(limit=3, batch="always", batch_wait=0))
    counts = gen_stage.run(ctx(shop_db), args(cancel_batch=True))
    assert state["cancelled"] and counts == {"cancelled_batches": 1}
    with shop_db.connect() as con:
        assert [b["status"] for b in llm_store.list_batches(con, "shop")] == ["cancelled"]


# ---------------------------------------------------------------- budget --
def test_budget_stops_the_run_before_it_would_be_exceeded(shop_db, monkeypatch):
    calls = []

    def handler(request):
        calls.append(1)
        return httpx2.Response(200, json=message(answer_for(prompt_of(request), design=False), n_in=3000, n_out=300))

    use_anthropic(monkeypatch, handler)
    with pytest.raises(UserError, match="stopped before exceeding --budget-usd 0.2"):
        gen_stage.run(ctx(shop_db), args(batch="never", budget_usd=0.2, concurrency=4))
    with shop_db.connect() as con:
        spent = llm_store.spend(con, "shop")
    assert 0 < spent["calls"] == len(calls) and spent["cost_usd"] <= 0.2  # what was paid for is kept
    assert spent["calls"] < 60


def test_budget_needs_a_price():
    with pytest.raises(UserError, match="needs a price"):
        Ledger("my-local-qwen", budget_usd=1.0)


# ----------------------------------------------------------- model choice --
def test_default_model_is_the_newest_ga_sonnet_and_every_current_model_has_a_price():
    assert newest_sonnet() == "claude-sonnet-5-5"
    unpriced = [m for m in sdk_models() if price_of(m) is None]
    assert unpriced == ["claude-mythos-preview"]                          # retired 2026-06-30
    assert price_of("claude-sonnet-4-5-20250929") == PRICES["claude-sonnet-4-5"]
    assert price_of("claude-fable-5-1").cost(0, 0, read=1_000_000) == pytest.approx(0.25)   # 0.025x cache read


# ----------------------------------------------------------- concurrency --
def test_concurrent_requests_with_rate_limits_lose_nothing(monkeypatch):
    server = StandIn(delay=0.05, fail_every=5).start()
    try:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
        backend = AnthropicBackend(model="claude-sonnet-5-5", batch="never", concurrency=8,
                                   policy=RetryPolicy(attempts=6, base=0.05, jitter=0))
        items = [item(n) for n in range(40)]
        outcomes = list(backend.generate(items, MemoryCache()))
    finally:
        server.shutdown()
    assert sorted(o.item.sample_id for o in outcomes) == sorted(i.sample_id for i in items)
    assert all(o.draft is not None for o in outcomes) and server.failed >= 7


def test_openai_backend_runs_concurrently_through_the_official_client(monkeypatch):
    server = StandIn(delay=0.05).start()
    try:
        backend = OpenAIBackend(model="Qwen/Qwen2.5-7B-Instruct", base_url=server.url + "/v1", concurrency=8)
        outcomes = list(backend.generate([item(n) for n in range(16)], MemoryCache()))
    finally:
        server.shutdown()
    assert len(outcomes) == 16 and all(o.draft is not None for o in outcomes)
    assert backend.ledger.calls == 16 and backend.ledger.totals()["cost_usd"] is None   # self-hosted: no price


# ----------------------------------------------------------------- judge --
def test_judge_verdicts_land_as_checks(shop_db, monkeypatch):
    from core.validate.judge import judge_repo
    from storage import checks_store

    def handler(request):
        prompt = prompt_of(request)
        verdict = "wrong" if "OrdPortalOrderServiceImpl" in prompt else "correct"
        return httpx2.Response(200, json=dict(message({"verdict": verdict, "reason": "line 12 says otherwise"}),
                                              content=[{"type": "tool_use", "id": "t", "name": "submit",
                                                        "input": {"verdict": verdict, "reason": "line 12"}}]))

    backend, _ = anthropic(handler, monkeypatch, concurrency=4)
    counts = judge_repo(shop_db, "shop", backend, concurrency=4)
    assert counts["judged"] > 0 and counts["judge_wrong"] > 0 and counts["judge_correct"] > 0
    with shop_db.connect() as con:
        rows = con.execute("SELECT c.result, q.status FROM checks c JOIN sample_quality q USING (sample_id, version) "
                           "WHERE c.check_name = 'judge'").fetchall()
        again = judge_repo(shop_db, "shop", backend)
        judged = checks_store.versions_with_check(con, "shop", "judge")
    assert {r for r, _ in rows} == {"pass", "fail"} and all(s == "fail" for r, s in rows if r == "fail")
    assert again == {"judged": 0} and len(judged) == counts["judged"]     # versions judged once
    from storage.review_store import QueueFilter, queue_page

    with shop_db.connect() as con:                                          # the review queue puts them first
        failing = queue_page(con, QueueFilter(task_type="qa", validation=("fail",)), limit=500)
        by_score = queue_page(con, QueueFilter(task_type="qa", sort="lowest score"), limit=5)
        wrong = {sid for sid, r in con.execute("SELECT sample_id, result FROM checks WHERE check_name = 'judge'"
                                               ).fetchall() if r == "fail"}
    assert failing and {r["sample_id"] for r in failing} <= wrong and by_score[0]["sample_id"] in wrong


def test_estimate_before_the_run_counts_what_would_be_asked(shop_db, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    small = gen_stage.estimate(ctx(shop_db), args(limit=3))
    big = gen_stage.estimate(ctx(shop_db), args())
    assert small["to_ask"] == 3 and not small["batch"] and small["model"] == "claude-sonnet-5-5"
    assert big["to_ask"] > 50 and big["batch"] and 0 < big["cost_usd"] < big["to_ask"] * small["cost_usd"] / 3


def test_a_server_that_stays_down_stops_the_run_after_three_samples(monkeypatch):
    calls = []

    def handler(request):
        calls.append(1)
        return httpx2.Response(503, json={"type": "error", "error": {"type": "api_error", "message": "down"}})

    backend, waits = anthropic(handler, monkeypatch)
    seen = []
    with pytest.raises(Fatal, match="3 samples in a row gave up after 4 tries"):
        for outcome in backend.generate([item(n) for n in range(10)], MemoryCache()):
            seen.append(outcome)
    assert len(seen) == 2 and len(calls) == 12 and waits[:3] == [2, 4, 8]


def test_a_stored_batch_is_closed_only_when_every_answer_in_it_is_kept(shop_db, monkeypatch):
    state = {"creates": 0, "direct": 0, "ended": False, "cancelled": False}
    use_anthropic(monkeypatch, batch_server(state))
    gen_stage.run(ctx(shop_db), args(limit=4, batch="always", batch_wait=0))
    state["ended"] = True
    part = gen_stage.run(ctx(shop_db), args(limit=2, batch="always"))       # a smaller run: 2 of the 4
    with shop_db.connect() as con:
        still_open = llm_store.open_batches(con, "shop", "anthropic", newest_sonnet())
    assert part["new_version"] + part["unchanged"] == 2 and len(still_open) == 1
    rest = gen_stage.run(ctx(shop_db), args(limit=2, batch="always"))       # the other 2: from the same batch
    assert rest["new_version"] + rest["unchanged"] == 2 and state["creates"] == 1 and state["direct"] == 0
    with shop_db.connect() as con:
        assert llm_store.open_batches(con, "shop", "anthropic", newest_sonnet()) == []


def test_the_gate_keeps_a_true_expert_paraphrase_and_names_what_a_false_one_gets_wrong(shop_db):
    """The gate is validate's own checks: an answer in its own words passes when it is true to the evidence."""
    from core.models import Sample
    from core.validate.gate import generation_gate

    with shop_db.connect() as con:
        rows = samples_store.list_samples(con, "shop", task_type="qa", language="en")
    row = next(r for r in rows if r["question"].startswith("What does `OrdOrderServiceImpl.delete` verify"))
    sample = Sample.model_validate(row["payload"] if isinstance(row["payload"], dict) else json.loads(row["payload"]))
    gate = generation_gate(shop_db, "shop")
    true = ("For every id in `ids`, `delete` loads the order with `orderMapper.selectByPrimaryKey(id)` and stops the "
            "whole deletion through `Asserts.fail` as soon as one order is missing (\"订单不存在\") or is not closed, "
            "that is, its status is anything but 4 (\"只能删除已关闭的订单\"). Only orders that pass both checks are "
            "deleted.")
    # 9: the evidence now shows OrdOrder's status dictionary beside the check (0 to 5), so a code outside it
    false = true.replace("anything but 4", "anything but 9").replace("`Asserts.fail`", "`OrderGuard.failFast`")
    assert gate(sample.model_copy(update={"answer": true})) == []
    problems = gate(sample.model_copy(update={"answer": false}))
    assert any("numbers not in evidence: 9" in p for p in problems), problems
    assert any(p.startswith("grounding:") and "OrderGuard" in p for p in problems), problems
