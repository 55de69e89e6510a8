"""generate on examples/shop: grounded evidence, determinism, resumability, versioning that keeps
review decisions, failures that do not stop a run, design proposals and user requirements."""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path

import httpx2
import pytest

from core.answer_format import render_design
from core.context import Context
from core.errors import UserError
from core.evidence import SourceCache, verify_evidence
from core.generate import stage as gen_stage
from core.generate.backends.template import TemplateBackend
from core.models import Sample
from storage import rules_store, samples_store
from tests.conftest import EXAMPLE_REPO

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "examples" / "requirements.yaml"
_CJK = re.compile(r"[\u4e00-\u9fff]")


def gen_args(**kw) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    gen_stage.add_arguments(parser)
    args = parser.parse_args([])
    for k, v in kw.items():
        setattr(args, k, v)
    return args


def ctx_for(db, lang: str = "both", backend: str = "template") -> Context:
    return Context(db=db, repo=EXAMPLE_REPO, domains=["order", "stock"], backend=backend, lang=lang)


def current(db, **kw) -> list[dict]:
    with db.connect() as con:
        return samples_store.list_samples(con, "shop", **kw)


def test_samples_are_grounded_and_exact(shop_db):
    rows = current(shop_db)
    with shop_db.connect() as con:
        encodings = {f["path"]: f["encoding"] for f in rules_store.files(con, "shop")}
    files = SourceCache(EXAMPLE_REPO, encodings)
    counts = Counter((r["task_type"], r["language"]) for r in rows)
    assert counts[("qa", "en")] >= 150 and counts[("qa", "zh")] == counts[("qa", "en")]
    assert counts[("design", "en")] >= 8     # one count endpoint per entity, no filter a status filter implies
    for row in rows:
        sample = Sample.model_validate(row["payload"])
        for ev in sample.evidence:
            assert verify_evidence(files, ev) is None, (sample.sample_id, ev.label())
        if sample.task_type == "qa" and row["source_kind"] == "rule" and row["rule_kind"] != "side_effects":
            # tight: the statement and its governing condition, not whole methods (java_rules.MAX_EVIDENCE)
            assert all(e.end_line - e.start_line < 40 for e in sample.evidence), sample.question
        if sample.language == "zh":
            assert _CJK.search(sample.answer), sample.answer
        if sample.task_type == "design":
            assert sample.answer == render_design(sample.design, sample.language)
        assert row["backend"] == "template" and row["input_hash"] and row["prompt_hash"]


def test_question_kinds_cover_the_brief(shop_db):
    kinds = Counter(r["question_kind"] for r in current(shop_db, task_type="qa"))
    for kind in ("what_happens", "under_which_condition", "why", "where_implemented", "which_values", "how_computed"):
        assert kinds[kind] > 0, kind


def test_no_comment_step_or_undo_questions(shop_db):
    """Dropped kinds: comment-labelled steps (a comment's nesting is not the code's: an inner remark took the
    outer step's write) and undo pairs from table + direction (mall's refund of an integration that was never
    persisted read as a real reversal)."""
    kinds = Counter(r["question_kind"] for r in current(shop_db, task_type="qa"))
    assert kinds["steps_of"] == 0 and kinds["undo"] == 0


def test_template_backend_is_deterministic(shop_db):
    ctx = ctx_for(shop_db)
    with shop_db.connect() as con:
        before = {r["sample_id"]: r["content_hash"] for r in samples_store.list_samples(con, "shop")}
    counts = gen_stage.run(ctx, gen_args())
    assert counts["unchanged_input"] == counts["planned"] and counts.get("new", 0) == 0   # nothing regenerated
    data = gen_stage.load(ctx, "shop")
    items = gen_stage.plan(ctx, gen_args(), "shop", data)
    backend = TemplateBackend()
    first = [o.draft.model_dump_json() for o in backend.generate(items[:300], None)]
    second = [o.draft.model_dump_json() for o in backend.generate(gen_stage.plan(ctx, gen_args(), "shop", data)[:300], None)]
    assert first == second
    after = {r["sample_id"]: r["content_hash"] for r in current(shop_db)}
    assert after == before


def test_changed_sample_is_a_new_version_and_review_stays(shop_db, monkeypatch):
    from core import review

    qa = current(shop_db, task_type="qa", language="en")
    target = next(r for r in qa if r["rule_kind"] == "guard")
    review.decide(shop_db, target["sample_id"], target["version"], "accept", "alice")
    from core.generate import qa_templates

    original = qa_templates.guard_answer

    def reworded(*a, **kw):
        body, trace = original(*a, **kw)
        return body + " (reworded)", trace

    monkeypatch.setitem(qa_templates.QA, "guard", (qa_templates.guard_questions, reworded))
    monkeypatch.setattr(TemplateBackend, "prompt_hash", "changed-templates")
    counts = gen_stage.run(ctx_for(shop_db), gen_args())
    assert counts["new_version"] > 0
    with shop_db.connect() as con:
        versions = samples_store.sample_versions(con, target["sample_id"])
        from storage import review_store

        state = review_store.get_state(con, target["sample_id"], 1)
    assert [v["version"] for v in versions] == [1, 2]
    assert [v["is_current"] for v in versions] == [False, True]
    assert versions[1]["answer"].endswith("(reworded)") and not versions[0]["answer"].endswith("(reworded)")
    assert state and state["status"] == "accepted"                      # the decision stays on version 1


def test_failures_are_recorded_and_the_run_goes_on(shop_db, monkeypatch):
    from core.generate.work import Outcome

    class Flaky(TemplateBackend):
        name = "flaky"
        prompt_hash = "flaky"

        def generate(self, items, cache):
            for n, item in enumerate(items):
                yield Outcome(item, error="500 server error", attempts=4) if n % 3 == 0 else next(
                    super().generate([item], cache))

    monkeypatch.setattr("core.generate.backends.make_backend", lambda *a, **kw: Flaky())
    counts = gen_stage.run(ctx_for(shop_db, lang="en"), gen_args())
    with shop_db.connect() as con:
        failures = samples_store.list_failures(con, "shop")
    assert counts["failed"] == len(failures) > 0
    assert counts["new_version"] + counts["unchanged"] > 2 * counts["failed"] - 3
    assert {f["reason"] for f in failures} == {"500 server error"} and {f["attempts"] for f in failures} == {4}


def test_openai_backend_through_the_stage_is_resumable(shop_db, monkeypatch):
    calls = []

    def handler(request):
        body = json.loads(request.content)
        calls.append(body)
        prompt = body["messages"][1]["content"]
        is_zh = "language: zh" in prompt
        answer = "根据证据回答。" if is_zh else "Answered from the quoted evidence."
        content = {"answer": answer, "trace": [{"claim": "see the code", "evidence_ids": ["E1"]}]}
        if body["response_format"]["json_schema"]["name"] == "design_sample":
            content = {"design": {"understanding": answer}, "trace": [{"claim": "see the code", "evidence_ids": ["E1"]}]}
        return httpx2.Response(200, json={
            "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "qwen",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": json.dumps(content, ensure_ascii=False)},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}})

    from core.generate.backends.openai_backend import OpenAIBackend

    monkeypatch.setenv("OPENAI_BASE_URL", "http://vllm.test/v1")
    monkeypatch.setattr("core.generate.backends.make_backend", lambda name, args, repo_context="", **kw: OpenAIBackend(
        model="Qwen/Qwen2.5-7B-Instruct", repo_context=repo_context,
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)), **kw))
    ctx = ctx_for(shop_db, lang="en", backend="openai")
    first = gen_stage.run(ctx, gen_args(limit=3))
    second = gen_stage.run(ctx, gen_args(limit=3))
    assert len(calls) == 6 and first["new_version"] == 3 and second["new_version"] == 3     # resumed, not repeated
    assert "Repository: shop" in calls[0]["messages"][0]["content"]
    rows = [r for r in current(shop_db) if r["backend"] == "openai"]
    assert len(rows) == 6 and all(r["model"] == "Qwen/Qwen2.5-7B-Instruct" and r["tokens_in"] == 100 for r in rows)


def test_user_requirements_become_design_samples(shop_db):
    counts = gen_stage.run(ctx_for(shop_db, lang="en"), gen_args(requirements=REQUIREMENTS))
    assert counts["new"] > 0
    designs = [r for r in current(shop_db, task_type="design") if r["source_kind"] == "requirement"]
    assert designs
    for row in designs:
        sample = Sample.model_validate(row["payload"])
        assert sample.design.reuse and all(r.evidence_ids for r in sample.design.reuse)
        assert any(c.component.startswith(("Ord", "Inv")) for c in sample.design.changes)   # the repo's prefixes


def test_design_follows_the_repository_conventions(shop_db):
    designs = [Sample.model_validate(r["payload"]) for r in current(shop_db, task_type="design", language="en")]
    kinds = Counter(json.loads(json.dumps(d.source.question_kind)) for d in designs)
    assert {"new_field", "idempotent", "sql_guard", "new_endpoint"} <= set(kinds)
    layers = {c.layer for d in designs for c in d.design.changes}
    assert {"controller", "service", "service_impl", "dao", "mapper_xml", "model"} <= layers
    assert all(d.design.risks and d.design.test_plan for d in designs)


def test_bad_requirements_file_is_a_user_error(shop_db, tmp_path):
    bad = tmp_path / "req.yaml"
    bad.write_text("requirements:\n  - en: no id here\n", encoding="utf-8")
    with pytest.raises(UserError, match="entry 1 needs"):
        gen_stage.run(ctx_for(shop_db, lang="en"), gen_args(requirements=bad))
    with pytest.raises(UserError, match="not found"):
        gen_stage.run(ctx_for(shop_db, lang="en"), gen_args(requirements=tmp_path / "missing.yaml"))


def test_generate_without_rules_says_what_to_run(db):
    with pytest.raises(UserError, match="extract"):
        gen_stage.run(Context(db=db, repo=EXAMPLE_REPO, domains=["order"]), gen_args())


def test_llm_cache_round_trip_and_make_backend_flags(db, monkeypatch):
    from datetime import datetime

    assert gen_stage._DbCache(db, "anthropic", "claude-sonnet-4-6", ["abc"]).get("abc") is None
    with db.connect() as con:
        samples_store.cache_put(con, "abc", "anthropic", "claude-sonnet-4-6",
                                {"output": {"answer": "x"}, "usage": {"tokens_in": 3}}, datetime(2026, 1, 1))
    cache = gen_stage._DbCache(db, "anthropic", "claude-sonnet-4-6", ["abc", "def"])
    assert cache.get("abc")["usage"]["tokens_in"] == 3 and cache.get("def") is None
    assert gen_stage._DbCache(db, "anthropic", "other-model", ["abc"]).get("abc") is None   # keyed by model too

    from core.generate.backends import make_backend

    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    backend = make_backend("anthropic", gen_args(model="claude-haiku-4-5", max_attempts=2, batch="never"))
    assert backend.model == "claude-haiku-4-5" and backend.policy.attempts == 2 and backend.batch == "never"
    assert "sk-ant-test" not in json.dumps(backend.tools) + backend.prompt_hash


def test_shifted_code_gives_new_versions_of_the_same_samples(tmp_path):
    """A line inserted above the rules moves every span; ids stay, so reviews follow their samples."""
    import shutil

    from core.cli import main

    repo = tmp_path / "shop"
    shutil.copytree(EXAMPLE_REPO, repo)
    db_file = str(tmp_path / "shift.duckdb")
    assert main(["run", "--repo", str(repo), "--db", db_file, "--lang", "en"]) == 0
    from storage import Database

    db = Database(db_file)
    before = {r["sample_id"]: r for r in current(db, language="en")}
    impl = repo / "shop-portal/src/main/java/io/acdp/shop/portal/service/impl/OrdPortalOrderServiceImpl.java"
    impl.write_text("// a new first line\n" + impl.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["run", "--repo", str(repo), "--db", db_file, "--lang", "en"]) == 0
    after = {r["sample_id"]: r for r in current(db, language="en")}
    assert set(after) == set(before)                # no sample lost, none new

    def cites_impl(row: dict) -> bool:
        payload = json.loads(row["payload"]) if isinstance(row["payload"], str) else row["payload"]
        return any(e["path"].endswith(impl.name) for e in payload["evidence"])

    moved = {sid for sid, row in before.items() if cites_impl(row)}
    assert moved and moved != set(before)
    for sid, row in after.items():
        assert row["version"] == before[sid]["version"] + (sid in moved), sid
