"""`generate`: QA and design samples from the extracted rules, flows and the domain map.

The run is resumable: every planned sample has an input hash (question,
facts, evidence, generator, prompt), and a sample whose current version was
made from the same input is not generated again. Results are stored in
chunks, so an interrupted run keeps what it finished. LLM responses are also
cached by input hash (llm_cache), so even a deleted sample is not paid twice.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from core.errors import UserError

CHUNK = 200


def add_arguments(parser) -> None:
    g = parser.add_argument_group("generate")
    g.add_argument("--model", help="LLM model name (anthropic default claude-sonnet-4-6; openai: or OPENAI_MODEL)")
    g.add_argument("--base-url", dest="base_url", help="OpenAI-compatible server, e.g. http://localhost:8000/v1 "
                                                        "(or OPENAI_BASE_URL)")
    g.add_argument("--requirements", type=Path, help="YAML file of user requirements for design samples "
                                                      "(see examples/requirements.yaml)")
    g.add_argument("--max-attempts", dest="max_attempts", type=int, default=4,
                   help="LLM tries per sample before it is recorded as failed (default 4)")
    g.add_argument("--batch", choices=("auto", "always", "never"), default="auto",
                   help="Anthropic Message Batches API: auto = for 50+ new samples (default)")
    g.add_argument("--limit", type=int, help="generate at most N new samples this run (try a backend cheaply)")


class _DbCache:
    """llm_cache, opened per call: the stage never holds the DuckDB file while waiting on an API."""

    def __init__(self, db, backend: str, model: str):
        self.db, self.backend, self.model = db, backend, model

    def get(self, input_hash: str) -> dict | None:
        from storage import samples_store

        with self.db.connect() as con:
            return samples_store.cache_get(con, input_hash, self.backend, self.model)

    def put(self, input_hash: str, response: dict) -> None:
        from storage import samples_store

        with self.db.connect() as con:
            samples_store.cache_put(con, input_hash, self.backend, self.model, response, datetime.now(UTC).replace(tzinfo=None))


def load(ctx, repo_id: str) -> dict:
    from storage import rules_store

    with ctx.db.connect() as con:
        return {
            "rules": rules_store.list_rules(con, repo_id, ctx.domains),
            "files": rules_store.files(con, repo_id),
            "classes": rules_store.map_classes(con, repo_id),
            "status_dicts": rules_store.status_dicts(con, repo_id),
            "sql_statements": rules_store.sql_statements(con, repo_id),
            "entities": rules_store.entities(con, repo_id),
            "symbols": rules_store.symbols(con, repo_id, ("method", "field", "constructor")),
            "calls": rules_store.calls(con, repo_id),
            "flows": rules_store.flows(con, repo_id),
        }


def plan(ctx, args, repo_id: str, data: dict) -> list:
    """Every sample this run should have, as work items (not yet sealed for a backend)."""
    from core.generate.design import learn_conventions, load_requirements
    from core.generate.plan import Planner, unique_questions
    from core.generate.requirements import RequirementDeriver

    planner = Planner(repo_id, ctx.repo_root(), data, ctx.domains, ctx.languages)
    rules = data["rules"]
    items = planner.rule_items([r for r in rules if r["kind"] != "side_effects"])
    items += planner.steps_items(rules) + planner.undo_items() + planner.flow_items(data["flows"]) + planner.table_items()
    conventions = {d: learn_conventions(data["classes"], data["sql_statements"], d) for d in ctx.domains}
    deriver = RequirementDeriver(data, rules, planner.files, conventions)
    specs = [spec for d in ctx.domains for spec in deriver.derive(d)]
    if getattr(args, "requirements", None):
        for req in load_requirements(args.requirements):
            if req["domain"] in ctx.domains and (spec := deriver.user(req, ctx.domains)):
                specs.append(spec)
    items += planner.design_items(specs, conventions)
    return unique_questions(items)


def repo_context(repo_id: str, data: dict, domains: list[str]) -> str:
    """The shared context every LLM request starts with (prompt-cached): conventions and dictionaries."""
    lines = [f"Repository: {repo_id}. Domains in scope: {', '.join(domains)}."]
    layers = Counter(c["layer"] for c in data["classes"] if set(c.get("domains") or []) & set(domains))
    lines.append("Classes per layer: " + ", ".join(f"{k} {v}" for k, v in sorted(layers.items())))
    for d in data["status_dicts"][:40]:
        if set(d.get("domains") or []) & set(domains):
            lines.append(f"{d['owner']}.{d['field']}: " + "; ".join(f"{e['code']}={e['label']}" for e in d["entries"]))
    return "\n".join(lines)


def to_row(outcome, backend, repo_id: str) -> dict:
    from core.answer_format import render_design
    from core.models import GeneratorInfo, Sample, TraceStep

    item, draft = outcome.item, outcome.draft
    now = datetime.now(UTC).replace(tzinfo=None)
    design = getattr(draft, "design", None)
    answer = render_design(design, item.language) if design is not None else draft.answer
    sample = Sample(
        sample_id=item.sample_id, repo_id=repo_id, task_type=item.task_type, domain=item.domain, language=item.language,
        question=item.question, answer=answer, design=design, evidence=item.evidence,
        trace=[TraceStep(claim=t.claim, evidence_ids=t.evidence_ids) for t in draft.trace], source=item.source,
        generator=GeneratorInfo(backend=backend.name, model=backend.model, prompt_hash=backend.prompt_hash,
                                input_hash=item.input_hash, created_at=now, tokens_in=outcome.usage.tokens_in,
                                tokens_out=outcome.usage.tokens_out, cost_usd=outcome.usage.cost_usd),
    )
    return {
        "sample_id": sample.sample_id, "repo_id": repo_id, "task_type": sample.task_type, "domain": sample.domain,
        "language": sample.language, "source_kind": item.source.kind, "source_ref": item.source.ref,
        "rule_kind": item.source.rule_kind, "question_kind": item.source.question_kind, "question": sample.question,
        "answer": sample.answer, "payload": sample.model_dump(mode="json"), "content_hash": sample.content_hash(),
        "backend": backend.name, "model": backend.model, "prompt_hash": backend.prompt_hash, "input_hash": item.input_hash,
        "tokens_in": outcome.usage.tokens_in, "tokens_out": outcome.usage.tokens_out, "cost_usd": outcome.usage.cost_usd,
        "created_at": now,
    }


def check(ctx, args) -> None:
    """A missing API key or server URL fails before the stages ahead of generation run."""
    from core.generate.backends import make_backend

    make_backend(ctx.backend, args, repo_context="")


def run(ctx, args) -> dict:
    from core.generate.backends import make_backend
    from core.generate.backends.base import NoCache
    from storage import samples_store

    repo_id = ctx.repo_id()
    data = load(ctx, repo_id)
    if not data["rules"]:
        raise UserError(f"no rules for {repo_id!r} in domains {','.join(ctx.domains)}: run `python -m core extract` first")
    backend = make_backend(ctx.backend, args, repo_context=repo_context(repo_id, data, ctx.domains))
    items = plan(ctx, args, repo_id, data)
    for item in items:
        item.seal(backend.name, backend.model, backend.prompt_hash)
    with ctx.db.connect() as con:
        current = samples_store.current_versions(con, repo_id)
    todo = [i for i in items if current.get(i.sample_id, {}).get("input_hash") != i.input_hash]
    if getattr(args, "limit", None):
        todo = todo[: args.limit]
    cache = NoCache() if backend.name == "template" else _DbCache(ctx.db, backend.name, backend.model or "")
    counts = Counter(planned=len(items), unchanged_input=len(items) - len(todo))
    ctx.progress.start("generate", len(todo))
    rows, failed = [], []
    for outcome in backend.generate(todo, cache):
        if outcome.draft is None:
            failed.append(outcome)
        else:
            rows.append(to_row(outcome, backend, repo_id))
        ctx.progress.advance()
        if len(rows) + len(failed) >= CHUNK:
            _flush(ctx, repo_id, backend.name, rows, failed, counts)
            rows, failed = [], []
    _flush(ctx, repo_id, backend.name, rows, failed, counts)
    ctx.progress.finish(f"{counts['new']} new, {counts['new_version']} new versions, {counts['unchanged']} unchanged, "
                        f"{counts['unchanged_input']} skipped (same input), {counts['failed']} failed")
    return dict(counts)


def _flush(ctx, repo_id: str, backend: str, rows: list[dict], failed: list, counts: Counter) -> None:
    from storage import samples_store

    now = datetime.now(UTC).replace(tzinfo=None)
    with ctx.db.transaction() as con:
        counts.update(samples_store.save_samples(con, rows))
        samples_store.clear_failures(con, repo_id, [r["input_hash"] for r in rows])
        for o in failed:
            samples_store.record_failure(con, repo_id, o.item.input_hash, o.item.source.ref, backend,
                                         o.error or "unknown", o.attempts, now)
    counts["failed"] += len(failed)
    counts["tokens_in"] += sum(r["tokens_in"] or 0 for r in rows)
    counts["tokens_out"] += sum(r["tokens_out"] or 0 for r in rows)
