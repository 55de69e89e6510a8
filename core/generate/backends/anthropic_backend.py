"""Claude through the official SDK: tool-use structured output, batches, prompt caching, concurrency.

The answer comes back as the input of a forced tool call whose schema is the
draft model, so it parses straight into pydantic. The shared repository
context sits in a system block marked `cache_control` so thousands of
requests pay for it once. Direct calls run N at a time (`--concurrency`);
large runs go through the Message Batches API (half price), whose id and item
mapping are stored before polling starts, so an interrupted run resumes the
batch instead of paying for it again. The key is read from ANTHROPIC_API_KEY
only, handed to the SDK and never stored or logged; ANTHROPIC_BASE_URL (read
by the SDK) points it at another server.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from typing import Protocol

from core.errors import UserError
from core.generate.backends.asking import Asker, Gate, Reply, ask, ask_all, from_cache, no_gate
from core.generate.backends.base import Fatal, ItemFailed, ResponseCache, RetryPolicy, Transient, retry_after
from core.generate.backends.ledger import Call, Ledger
from core.generate.backends.prices import newest_sonnet, price_of
from core.generate.backends.prompts import INSTRUCTIONS, prompt_hash, user_prompt
from core.generate.work import DesignDraft, Outcome, QADraft, WorkItem

KEY_VARIABLE = "ANTHROPIC_API_KEY"
BATCH_MIN = 50          # below this a batch's latency is not worth the discount
MAX_TOKENS = 4096       # a `max_tokens` stop gets one retry with twice this
TOOL = "submit_sample"
FATAL = {401: f"the Anthropic API rejected the key in {KEY_VARIABLE} (401)",
         402: "the Anthropic account cannot pay for this request (402: billing)",
         403: "the key in ANTHROPIC_API_KEY may not use this model or API (403)",
         404: "the Anthropic API does not know model {model!r} (404): pass --model with a model id"}


class BatchStore(Protocol):
    """Submitted batches of this repository, backend and model, kept in DuckDB (storage.batches_store)."""

    def open_batches(self) -> list[tuple[str, dict[str, str]]]: ...       # (batch id, custom_id -> input hash)
    def submitted(self, batch_id: str, mapping: dict[str, str]) -> None: ...
    def finished(self, batch_id: str, status: str) -> None: ...


class MemoryBatches:
    """A BatchStore for one process (tests, `--batch never` runs)."""

    def __init__(self):
        self.batches: dict[str, tuple[dict[str, str], str]] = {}

    def open_batches(self):
        return [(bid, mapping) for bid, (mapping, status) in self.batches.items() if status == "open"]

    def submitted(self, batch_id, mapping):
        self.batches[batch_id] = (dict(mapping), "open")

    def finished(self, batch_id, status):
        self.batches[batch_id] = (self.batches[batch_id][0], status)


def call_of(model: str, usage, batch: bool = False, stop: str = "") -> Call:
    fresh = usage.input_tokens or 0
    read = getattr(usage, "cache_read_input_tokens", 0) or 0
    written = getattr(usage, "cache_creation_input_tokens", 0) or 0
    out = usage.output_tokens or 0
    price = price_of(model)
    cost = price.cost(fresh, out, read, written, batch) if price else None
    return Call(fresh, out, read, written, cost, batch, stop)


def _stop(reason: str | None) -> str:
    if reason in ("max_tokens", "model_context_window_exceeded"):
        return "max_tokens"
    return "refusal" if reason == "refusal" else "end"


class AnthropicBackend:
    name = "anthropic"

    def __init__(
        self,
        model: str | None = None,
        *,
        repo_context: str = "",
        policy: RetryPolicy | None = None,
        batch: str = "auto",
        http_client=None,
        poll_interval: float = 30.0,
        batch_wait: float = 6 * 3600.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        ledger: Ledger | None = None,
        gate: Gate = no_gate,
        concurrency: int = 1,
        retry_failed: bool = False,
        batches: BatchStore | None = None,
        files=None,
    ):
        import anthropic

        key = os.environ.get(KEY_VARIABLE)
        if not key:
            raise UserError(f"--backend anthropic needs an API key: set the environment variable {KEY_VARIABLE}")
        self.model = model or newest_sonnet()
        self.policy = policy or RetryPolicy()
        self.ledger = ledger or Ledger(self.model)
        self.batch = batch
        self.poll_interval, self.batch_wait, self.sleep, self.clock = poll_interval, batch_wait, sleep, clock
        self.repo_context, self.files = repo_context, files
        self.concurrency = concurrency
        self.batches = batches or MemoryBatches()
        self._errors = anthropic
        # Retries are ours (policy shared by every worker, budget checked per attempt), so the SDK's are off.
        self.client = anthropic.Anthropic(api_key=key, max_retries=0, timeout=300.0, http_client=http_client)
        self.tools = {kind: self._tool(kind) for kind in ("qa", "design")}
        self.prompt_hash = prompt_hash([t["input_schema"] for t in self.tools.values()])
        self.asker = Asker(self.call, self.prompt_chars, MAX_TOKENS, self.policy, self.ledger, gate, retry_failed)

    @staticmethod
    def _tool(task_type: str) -> dict:
        model = DesignDraft if task_type == "design" else QADraft
        return {
            "name": TOOL,
            "description": "Submit the design proposal and its trace." if task_type == "design"
            else "Submit the answer and its trace.",
            "input_schema": model.model_json_schema(),
        }

    def _system(self) -> list[dict]:
        blocks = [{"type": "text", "text": INSTRUCTIONS}]
        if self.repo_context:
            blocks.append({"type": "text", "text": self.repo_context, "cache_control": {"type": "ephemeral"}})
        else:
            blocks[0]["cache_control"] = {"type": "ephemeral"}
        return blocks

    def _params(self, item: WorkItem, feedback: str | None, max_tokens: int = MAX_TOKENS) -> dict:
        return {
            "model": self.model,
            "max_tokens": max_tokens,
            "system": self._system(),
            "messages": [{"role": "user", "content": user_prompt(item, feedback, self.files)}],
            "tools": [self.tools[item.task_type]],
            "tool_choice": {"type": "tool", "name": TOOL},
        }

    def prompt_chars(self, item: WorkItem) -> int:
        return len(INSTRUCTIONS) + len(self.repo_context) + len(user_prompt(item, None, self.files)) + 2000

    @staticmethod
    def _output(message) -> dict | str:
        for block in message.content:
            if block.type == "tool_use" and block.name == TOOL:
                return block.input
        texts = [getattr(b, "text", "") for b in message.content]
        return "".join(texts) or "{}"  # no tool call: check_draft rejects it with a reason

    def _reply(self, message, batch: bool = False) -> Reply:
        stop = _stop(message.stop_reason)
        return Reply(message.model_dump(mode="json"), self._output(message),
                     call_of(self.model, message.usage, batch, message.stop_reason or ""), stop)

    def _api(self, fn):
        """One SDK call with its errors sorted: fatal for the run, worth retrying, or this item's alone."""
        err = self._errors
        try:
            return fn()
        except err.APIStatusError as exc:
            status, text = exc.status_code, _message(exc)
            if status in FATAL or (status == 400 and "credit balance" in text.lower()):
                line = FATAL.get(status, "the Anthropic account has no credit left (400: billing)")
                raise Fatal(line.format(model=self.model) + (f": {text}" if text else "")) from None
            if status == 429:
                raise Transient("429 rate limited", retry_after(exc.response.headers), throttled=True) from None
            if status in (408, 409) or status >= 500:
                raise Transient(f"{status} {'overloaded' if status == 529 else 'server error'}",
                                retry_after(exc.response.headers)) from None
            raise ItemFailed(f"{status} {text}") from None
        except err.APITimeoutError:
            raise Transient("timeout") from None
        except err.APIConnectionError as exc:
            raise Transient(f"connection error: {exc}") from None

    def call(self, item: WorkItem, feedback: str | None, max_tokens: int) -> Reply:
        return self._reply(self._api(lambda: self.client.messages.create(**self._params(item, feedback, max_tokens))))

    def complete(self, system: str, prompt: str, schema: dict, max_tokens: int = 1024) -> Reply:
        """A one-off structured call (the judge): `schema` is the tool input the model must fill."""
        tool = {"name": "submit", "description": "Submit the result.", "input_schema": schema}
        message = self._api(lambda: self.client.messages.create(
            model=self.model, max_tokens=max_tokens, system=system, messages=[{"role": "user", "content": prompt}],
            tools=[tool], tool_choice={"type": "tool", "name": "submit"}))
        output = next((b.input for b in message.content if b.type == "tool_use"), {})
        return Reply(message.model_dump(mode="json"), output, call_of(self.model, message.usage),
                     _stop(message.stop_reason))

    # ---------------------------------------------------------------- runs --
    def generate(self, items: list[WorkItem], cache: ResponseCache) -> Iterator[Outcome]:
        by_hash = {i.input_hash: i for i in items}
        resumed: set[str] = set()
        for batch_id, mapping in self.batches.open_batches():      # an earlier run's batch: collect, never resubmit
            mine = {cid: by_hash[h] for cid, h in mapping.items() if h in by_hash and cache.get(h) is None}
            # closed only when none of its answers is left for a later run (one with other --limit, say)
            whole = all(h in by_hash or cache.get(h) is not None for h in mapping.values())
            resumed |= {i.input_hash for i in mine.values()}
            yield from self._collect(batch_id, mine, cache, close=whole)
        todo = [i for i in items if i.input_hash not in resumed]
        fresh = [i for i in todo if from_cache(self.asker, i, cache) is None]
        use_batch = self.batch == "always" or (self.batch == "auto" and len(fresh) >= BATCH_MIN)
        if use_batch and fresh:
            batched = {i.input_hash for i in fresh}
            yield from ask_all(self.asker, [i for i in todo if i.input_hash not in batched], cache, self.concurrency)
            yield from self._submit(fresh, cache)
        else:
            yield from ask_all(self.asker, todo, cache, self.concurrency)

    def _submit(self, items: list[WorkItem], cache: ResponseCache) -> Iterator[Outcome]:
        by_id = {item.input_hash[:64]: item for item in items}
        requests = [{"custom_id": cid, "params": self._params(item, None)} for cid, item in by_id.items()]
        reserved = sum(self.ledger.worst_case(self.prompt_chars(i), MAX_TOKENS) for i in items) * 0.5
        self.ledger.reserve(reserved)         # the whole batch must fit the budget before it is sent
        try:
            batch = self._retrying(lambda: self.client.messages.batches.create(requests=requests))
        finally:
            self.ledger.settle(reserved, None)
        self.batches.submitted(batch.id, {cid: item.input_hash for cid, item in by_id.items()})
        yield from self._collect(batch.id, by_id, cache)

    def _collect(self, batch_id: str, by_id: dict[str, WorkItem], cache: ResponseCache,
                 close: bool = True) -> Iterator[Outcome]:
        """Poll a stored batch until it ends or the deadline passes, then gate each result (repairs go direct)."""
        if not by_id:                 # nothing of this run in it: leave it to the run it belongs to
            if close:
                self.batches.finished(batch_id, "collected")
            return
        started = self.clock()
        batch = self._retrying(lambda: self.client.messages.batches.retrieve(batch_id))
        while batch.processing_status != "ended":
            if self.clock() - started >= self.batch_wait:
                for item in by_id.values():
                    yield Outcome(item, error=f"waiting in batch {batch_id}: run generate again to collect it",
                                  attempts=0, pending=True)
                return
            self.sleep(self.poll_interval)
            batch = self._retrying(lambda: self.client.messages.batches.retrieve(batch_id))
        seen = set()
        for entry in self._retrying(lambda: list(self.client.messages.batches.results(batch_id))):
            item = by_id.get(entry.custom_id)
            if item is None:
                continue
            seen.add(entry.custom_id)
            if entry.result.type == "succeeded":
                reply = self._reply(entry.result.message, batch=True)
                self.ledger.settle(0.0, reply.call)
                yield ask(self.asker, item, cache, first=reply)
            else:                                 # errored / expired / canceled: asked on its own
                yield ask(self.asker, item, cache)
        for cid, item in by_id.items():
            if cid not in seen:
                yield ask(self.asker, item, cache)
        if close:
            self.batches.finished(batch_id, "collected")

    def cancel_open_batches(self) -> list[str]:
        """`generate --cancel-batch`: cancel every stored unfinished batch of this run's model."""
        cancelled = []
        for batch_id, _ in self.batches.open_batches():
            self._retrying(lambda bid=batch_id: self.client.messages.batches.cancel(bid))
            self.batches.finished(batch_id, "cancelled")
            cancelled.append(batch_id)
        return cancelled

    def _retrying(self, fn):
        for attempt in range(1, self.policy.attempts + 1):
            try:
                return self._api(fn)
            except Transient as exc:
                if attempt == self.policy.attempts:
                    raise UserError(f"the Anthropic batch API kept failing: {exc}") from None
                self.policy.pause(attempt, exc.wait, exc.throttled)
            except ItemFailed as exc:
                raise UserError(f"the Anthropic batch API refused the request: {exc}") from None


def _message(exc) -> str:
    text = getattr(exc, "api_message", None)
    if text:
        return str(text)[:300]
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        return str(body.get("error", {}).get("message", ""))[:300]
    return ""
