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
LLM_CHUNK = 10      # LLM answers are written every few, so an interrupted run keeps what it paid for


def add_arguments(parser) -> None:
    from core.generate.backends.base import RetryPolicy

    g = parser.add_argument_group("generate")
    g.add_argument("--model", help="LLM model (anthropic: default the newest generally available Sonnet in the "
                                   "installed SDK; openai: or OPENAI_MODEL)")
    g.add_argument("--base-url", dest="base_url", help="OpenAI-compatible server, e.g. http://localhost:8000/v1 "
                                                        "(or OPENAI_BASE_URL; Claude: ANTHROPIC_BASE_URL)")
    g.add_argument("--requirements", type=Path, help="YAML file of user requirements for design samples "
                                                      "(see examples/requirements.yaml)")
    g.add_argument("--max-attempts", dest="max_attempts", type=int, default=RetryPolicy.attempts,
                   help=f"retry policy: {RetryPolicy().describe()}; a rate limit pauses every worker. "
                        "A bad key (401), no permission (403), an unknown model (404) or no credit (402, billing) "
                        "stops the run at once. An answer cut off at max_tokens is asked once more with twice the "
                        "budget; a refusal is recorded, not retried; an answer failing the validate checks gets one "
                        "repair round")
    g.add_argument("--concurrency", type=int, default=4,
                   help="LLM requests in flight at once for direct calls (default 4; a vLLM server gains from 16+)")
    g.add_argument("--budget-usd", dest="budget_usd", type=float,
                   help="stop before the run's LLM spend (every attempt, priced for --model) could exceed this")
    g.add_argument("--retry-failed", dest="retry_failed", action="store_true",
                   help="ask again for samples whose answer was recorded as failed (otherwise never paid twice)")
    g.add_argument("--batch", choices=("auto", "always", "never"), default="auto",
                   help="Anthropic Message Batches API (half price): auto = for 50+ new samples (default)")
    g.add_argument("--batch-wait", dest="batch_wait", type=float, default=360,
                   help="minutes to poll a batch before leaving it for the next run to collect (default 360)")
    g.add_argument("--cancel-batch", dest="cancel_batch", action="store_true",
                   help="cancel this repository's unfinished Message Batches for --model, and generate nothing")
    g.add_argument("--limit", type=int, help="generate at most N new samples this run (try a backend cheaply)")


class _DbCache:
    """llm_cache for one run: the run's items read in one query up front, written with the samples (`_flush`),
    so workers never wait on the database and the stage never holds the DuckDB file while waiting on an API.
    Another input (one of a stored batch, say) is looked up when asked for."""

    def __init__(self, db, backend: str, model: str, input_hashes: list[str]):
        from storage import samples_store

        self.db, self.backend, self.model = db, backend, model
        self.looked_up = set(input_hashes)
        with db.connect() as con:
            self.entries = samples_store.cache_get_many(con, input_hashes, backend, model)

    def get(self, input_hash: str) -> dict | None:
        if input_hash not in self.looked_up:
            from storage import samples_store

            with self.db.connect() as con:
                found = samples_store.cache_get(con, input_hash, self.backend, self.model)
            self.looked_up.add(input_hash)
            if found is not None:
                self.entries[input_hash] = found
        return self.entries.get(input_hash)

    def put(self, input_hash: str, response: dict) -> None:
        self.entries[input_hash] = response


class _DbBatches:
    """The stored Message Batches of one repository, backend and model (see storage.llm_store)."""

    def __init__(self, db, repo_id: str, backend: str, model: str):
        self.db, self.key = db, (repo_id, backend, model)

    def open_batches(self) -> list[tuple[str, dict[str, str]]]:
        from storage import llm_store

        with self.db.connect() as con:
            return llm_store.open_batches(con, *self.key)

    def submitted(self, batch_id: str, mapping: dict[str, str]) -> None:
        from storage import llm_store

        with self.db.transaction() as con:
            llm_store.add_batch(con, batch_id, *self.key, mapping)

    def finished(self, batch_id: str, status: str) -> None:
        from storage import llm_store

        with self.db.connect() as con:
            llm_store.finish_batch(con, batch_id, status)


def load(ctx, repo_id: str) -> dict:
    from storage import index_store, rules_store

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
            "endpoints": rules_store.endpoints(con, repo_id),
            "config_keys": index_store.config_keys(con, repo_id),
        }


def plan(ctx, args, repo_id: str, data: dict) -> list:
    """Every sample this run should have, as work items (not yet sealed for a backend)."""
    from core.generate.atomicity import atomicity_items
    from core.generate.contract_facts import contract_items
    from core.generate.design import learn_conventions, load_requirements
    from core.generate.entry_facts import without_overlaps
    from core.generate.flow_facts import READS
    from core.generate.lifecycle_facts import without_lookups
    from core.generate.new_record import new_record_items, without_told
    from core.generate.plan import Planner, unique_questions
    from core.generate.query_facts import query_items
    from core.generate.reach_facts import reach_items
    from core.generate.requirements import RequirementDeriver
    from core.generate.time_facts import time_items

    planner = Planner(repo_id, ctx.repo_root(), data, ctx.domains, ctx.languages)
    rules = data["rules"]
    items = planner.rule_items([r for r in rules if r["kind"] != "side_effects"])
    items += planner.flow_items(data["flows"]) + planner.table_items() + planner.table_items(READS) \
        + planner.read_items(data["flows"])
    lifecycles = planner.lifecycle_items(rules)   # covers the bare "which values" lookups of its fields
    entries = planner.entry_items(rules)   # cover the guards' "where is the check behind MSG" of their messages
    items = without_overlaps(without_lookups(items, lifecycles), entries) + lifecycles + entries
    items += time_items(planner, rules)   # which code sets a time field (`paymentTime`), and to what
    items += query_items(planner)   # which rows a data-access method reads or writes
    items += atomicity_items(planner)   # which writes a failure after the first one rolls back
    items += contract_items(planner)   # what a caller sends to an endpoint and gets back
    items += reach_items(planner)   # which entry points end up running a shared method
    items += without_told(new_record_items(planner), items)   # the fixed values a method gives a record it creates
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


def sample_of(item, draft, backend, repo_id: str, usage=None):
    """The Sample a draft becomes: what is stored, and what the gate checks before it is."""
    from core.answer_format import render_design
    from core.generate.work import Usage
    from core.models import GeneratorInfo, Sample, TraceStep

    usage = usage or Usage()
    design = getattr(draft, "design", None)
    answer = render_design(design, item.language) if design is not None else draft.answer
    return Sample(
        sample_id=item.sample_id, repo_id=repo_id, task_type=item.task_type, domain=item.domain, language=item.language,
        question=getattr(draft, "question", None) or item.question, answer=answer, design=design,
        evidence=item.evidence, trace=[TraceStep(claim=t.claim, evidence_ids=t.evidence_ids) for t in draft.trace],
        source=item.source,
        generator=GeneratorInfo(backend=backend.name, model=backend.model, prompt_hash=backend.prompt_hash,
                                input_hash=item.input_hash, created_at=datetime.now(UTC).replace(tzinfo=None),
                                tokens_in=usage.tokens_in, tokens_out=usage.tokens_out, cost_usd=usage.cost_usd),
    )


def to_row(outcome, backend, repo_id: str) -> dict:
    item = outcome.item
    sample = sample_of(item, outcome.draft, backend, repo_id, outcome.usage)
    now = sample.generator.created_at
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


def _backend(ctx, args, repo_id: str, data: dict):
    """The backend for this run, gated by the validate checks and with the repository's sources at hand."""
    from core.evidence import SourceCache
    from core.generate.backends import make_backend
    from core.validate.gate import generation_gate

    if ctx.backend == "template":
        return make_backend(ctx.backend, args)
    checks = generation_gate(ctx.db, repo_id)
    holder: dict = {}

    def gate(item, draft) -> list[str]:
        return checks(sample_of(item, draft, holder["backend"], repo_id))

    backend = make_backend(ctx.backend, args, repo_context=repo_context(repo_id, data, ctx.domains), gate=gate,
                           files=SourceCache(ctx.repo_root()))
    holder["backend"] = backend
    if hasattr(backend, "batches"):
        backend.batches = _DbBatches(ctx.db, repo_id, backend.name, backend.model or "")
    return backend


def _todo(ctx, args, repo_id: str, data: dict, backend) -> tuple[list, list]:
    from storage import samples_store

    items = plan(ctx, args, repo_id, data)
    for item in items:
        item.seal(backend.name, backend.model, backend.prompt_hash)
    with ctx.db.connect() as con:
        current = samples_store.current_versions(con, repo_id)
    todo = [i for i in items if current.get(i.sample_id, {}).get("input_hash") != i.input_hash]
    if getattr(args, "limit", None):
        todo = todo[: args.limit]
    return items, todo


def estimate(ctx, args) -> dict:
    """What a run would ask and roughly cost, before it starts: new samples, tokens, USD (list price)."""
    from core.generate.backends.anthropic_backend import BATCH_MIN
    from core.generate.backends.asking import from_cache
    from core.generate.backends.prices import price_of
    from core.generate.backends.prompts import INSTRUCTIONS

    repo_id = ctx.repo_id()
    data = load(ctx, repo_id)
    if not data["rules"]:
        raise UserError(f"no rules for {repo_id!r} in domains {','.join(ctx.domains)}: run `python -m core extract` first")
    backend = _backend(ctx, args, repo_id, data)
    _, todo = _todo(ctx, args, repo_id, data, backend)
    asker = getattr(backend, "asker", None)
    if asker is None:
        return {"backend": backend.name, "model": None, "to_ask": 0, "tokens_in": 0, "tokens_out": 0, "cost_usd": 0.0}
    cache = _DbCache(ctx.db, backend.name, backend.model or "", [i.input_hash for i in todo])
    ask = [i for i in todo if from_cache(asker, i, cache) is None]
    shared = len(INSTRUCTIONS) + len(getattr(backend, "repo_context", ""))     # prompt-cached after the first request
    fresh = int(sum(asker.prompt_chars(i) - shared for i in ask) / 3.5)
    cached = int(shared * len(ask) / 3.5)
    tokens_out = sum(OUTPUT_GUESS[i.task_type] for i in ask)
    batch = backend.name == "anthropic" and (args.batch == "always" or (args.batch == "auto" and len(ask) >= BATCH_MIN))
    price = price_of(backend.model)
    return {"backend": backend.name, "model": backend.model, "to_ask": len(ask), "cached": len(todo) - len(ask),
            "tokens_in": fresh + cached, "tokens_out": tokens_out, "batch": batch,
            "cost_usd": price.cost(fresh, tokens_out, read=cached, batch=batch) if price else None}


OUTPUT_GUESS = {"qa": 450, "design": 1400}     # typical answer length in tokens, for the estimate only


def run(ctx, args) -> dict:
    from core.generate.backends.base import NoCache
    from core.generate.backends.ledger import BudgetExhausted

    repo_id = ctx.repo_id()
    data = load(ctx, repo_id)
    if not data["rules"]:
        raise UserError(f"no rules for {repo_id!r} in domains {','.join(ctx.domains)}: run `python -m core extract` first")
    backend = _backend(ctx, args, repo_id, data)
    if getattr(args, "cancel_batch", False):
        if not hasattr(backend, "cancel_open_batches"):
            raise UserError("--cancel-batch applies to --backend anthropic (Message Batches)")
        cancelled = backend.cancel_open_batches()
        ctx.progress.finish(f"cancelled {len(cancelled)} batch(es): {', '.join(cancelled) or 'none open'}")
        return {"cancelled_batches": len(cancelled)}
    items, todo = _todo(ctx, args, repo_id, data, backend)
    llm = backend.name != "template"
    cache = _DbCache(ctx.db, backend.name, backend.model or "", [i.input_hash for i in todo]) if llm else NoCache()
    counts = Counter(planned=len(items), unchanged_input=len(items) - len(todo))
    ctx.progress.start("generate", len(todo))
    chunk = LLM_CHUNK if llm else CHUNK
    done: list = []
    stopped = None
    try:
        for outcome in backend.generate(todo, cache):
            done.append(outcome)
            ctx.progress.advance()
            if len(done) >= chunk:
                _flush(ctx, repo_id, backend, done, counts)
                done = []
    except BudgetExhausted as exc:
        stopped = str(exc)
    finally:
        _flush(ctx, repo_id, backend, done, counts)
        ledger = getattr(backend, "ledger", None)
        if ledger is not None:
            counts.update({k: v for k, v in ledger.totals().items() if v is not None})
    spend = ""
    if llm:
        cost = f", ${counts['cost_usd']:.4f}" if "cost_usd" in counts else " (no price for this model)"
        spend = f", {counts['llm_calls']} LLM calls, {counts['tokens_in']} tokens in, {counts['tokens_out']} out{cost}"
    ctx.progress.finish(f"{counts['new']} new, {counts['new_version']} new versions, {counts['unchanged']} unchanged, "
                        f"{counts['unchanged_input']} skipped (same input), {counts['failed']} failed"
                        + (f", {counts['waiting_in_batch']} waiting in a batch" if counts["waiting_in_batch"] else "")
                        + spend)
    if stopped:
        left = len(todo) - sum(counts[k] for k in ("new", "new_version", "unchanged", "failed", "waiting_in_batch"))
        raise UserError(f"{stopped}; {left} samples not asked (raise --budget-usd and run again to continue)")
    return dict(counts)


def _flush(ctx, repo_id: str, backend, outcomes: list, counts: Counter) -> None:
    from storage import llm_store, samples_store

    rows = [to_row(o, backend, repo_id) for o in outcomes if o.draft is not None]
    failed = [o for o in outcomes if o.draft is None and not o.pending]
    paid = [o for o in outcomes if o.calls and o.raw is not None]      # answers and recorded failures paid for now
    calls = [(o.item.input_hash, c.input_tokens, c.output_tokens, c.cache_read, c.cache_write, c.cost_usd, c.batch,
              c.stop) for o in outcomes for c in o.calls]
    now = datetime.now(UTC).replace(tzinfo=None)
    with ctx.db.transaction() as con:
        counts.update(samples_store.save_samples(con, rows))
        samples_store.clear_failures(con, repo_id, [r["input_hash"] for r in rows])
        samples_store.clear_failures(con, repo_id, [o.item.input_hash for o in failed])   # the latest reason only
        for o in failed:
            samples_store.record_failure(con, repo_id, o.item.input_hash, o.item.source.ref, backend.name,
                                         o.error or "unknown", o.attempts, now)
        llm_store.add_calls(con, repo_id, backend.name, backend.model or "", calls)
        for o in paid:
            samples_store.cache_put(con, o.item.input_hash, backend.name, backend.model or "", o.raw, now)
    counts["failed"] += len(failed)
    counts["waiting_in_batch"] += sum(1 for o in outcomes if o.pending)
