"""Claude through the official SDK: tool-use structured output, retries, batches, prompt caching.

The answer comes back as the input of a forced tool call whose schema is the
draft model, so it parses straight into pydantic. The shared repository
context sits in a system block marked `cache_control` so thousands of
requests pay for it once. Large runs go through the Message Batches API
(half price); batch items that fail or come back invalid are retried one by
one. The key is read from ANTHROPIC_API_KEY only, handed to the SDK and never
stored or logged.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

from core.errors import UserError
from core.generate.backends.base import ItemFailed, ResponseCache, RetryPolicy, Transient, retry_after
from core.generate.backends.prompts import INSTRUCTIONS, ask, prompt_hash, user_prompt
from core.generate.work import DesignDraft, DraftRejected, Outcome, QADraft, Usage, WorkItem, check_draft

DEFAULT_MODEL = "claude-sonnet-4-6"
KEY_VARIABLE = "ANTHROPIC_API_KEY"
BATCH_MIN = 50          # below this a batch's latency is not worth the discount
MAX_TOKENS = 4096
TOOL = "submit_sample"

# USD per million tokens: (input, output). Cache reads cost 0.1x input, cache writes 1.25x; batches half.
# Models missing here get cost None rather than a guess.
PRICES = {
    "claude-opus-4": (15.0, 75.0), "claude-opus-4-1": (15.0, 75.0), "claude-opus-4-5": (5.0, 25.0),
    "claude-opus-4-6": (5.0, 25.0), "claude-opus-4-7": (5.0, 25.0), "claude-opus-4-8": (5.0, 25.0),
    "claude-sonnet-4": (3.0, 15.0), "claude-haiku-4-5": (1.0, 5.0), "claude-3-5-haiku": (0.8, 4.0),
}


def price_of(model: str) -> tuple[float, float] | None:
    """Prices by the longest known prefix, so dated ids (claude-sonnet-4-5-20250929) match."""
    best = max((k for k in PRICES if model.startswith(k)), key=len, default=None)
    return PRICES[best] if best else None


def usage_of(model: str, usage, batch: bool = False) -> Usage:
    fresh = usage.input_tokens or 0
    read = getattr(usage, "cache_read_input_tokens", 0) or 0
    written = getattr(usage, "cache_creation_input_tokens", 0) or 0
    out = usage.output_tokens or 0
    prices = price_of(model)
    cost = None
    if prices:
        cost = (fresh * prices[0] + read * prices[0] * 0.1 + written * prices[0] * 1.25 + out * prices[1]) / 1e6
        cost = round(cost * (0.5 if batch else 1.0), 6)
    return Usage(tokens_in=fresh + read + written, tokens_out=out, cost_usd=cost)


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
        sleep: Callable[[float], None] = time.sleep,
    ):
        import anthropic

        key = os.environ.get(KEY_VARIABLE)
        if not key:
            raise UserError(f"--backend anthropic needs an API key: set the environment variable {KEY_VARIABLE}")
        self.model = model or DEFAULT_MODEL
        self.policy = policy or RetryPolicy()
        self.batch = batch
        self.poll_interval, self.sleep = poll_interval, sleep
        self.repo_context = repo_context
        self._errors = anthropic
        # Retries are ours (the run must go on after a final failure), so the SDK's are off.
        self.client = anthropic.Anthropic(api_key=key, max_retries=0, timeout=120.0, http_client=http_client)
        self.tools = {kind: self._tool(kind) for kind in ("qa", "design")}
        self.prompt_hash = prompt_hash([t["input_schema"] for t in self.tools.values()])

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

    def _params(self, item: WorkItem, feedback: str | None) -> dict:
        return {
            "model": self.model,
            "max_tokens": MAX_TOKENS,
            "system": self._system(),
            "messages": [{"role": "user", "content": user_prompt(item, feedback)}],
            "tools": [self.tools[item.task_type]],
            "tool_choice": {"type": "tool", "name": TOOL},
        }

    @staticmethod
    def _output(message) -> dict | str:
        for block in message.content:
            if block.type == "tool_use" and block.name == TOOL:
                return block.input
        texts = [getattr(b, "text", "") for b in message.content]
        return "".join(texts) or "{}"  # no tool call: check_draft rejects it with a reason

    def _call(self, item: WorkItem, feedback: str | None) -> tuple[dict, dict | str, Usage]:
        err = self._errors
        try:
            message = self.client.messages.create(**self._params(item, feedback))
        except err.AuthenticationError:
            raise UserError(f"the Anthropic API rejected the key in {KEY_VARIABLE} (401)") from None
        except err.RateLimitError as exc:
            raise Transient("429 rate limited", retry_after(exc.response.headers)) from None
        except err.APIStatusError as exc:
            if exc.status_code >= 500:
                raise Transient(f"{exc.status_code} server error", retry_after(exc.response.headers)) from None
            raise ItemFailed(f"{exc.status_code} {_message(exc)}") from None
        except err.APITimeoutError:
            raise Transient("timeout") from None
        except err.APIConnectionError as exc:
            raise Transient(f"connection error: {exc}") from None
        return message.model_dump(mode="json"), self._output(message), usage_of(self.model, message.usage)

    def generate(self, items: list[WorkItem], cache: ResponseCache) -> Iterator[Outcome]:
        fresh = [i for i in items if cache.get(i.input_hash) is None]
        use_batch = self.batch == "always" or (self.batch == "auto" and len(fresh) >= BATCH_MIN)
        batched = {i.input_hash for i in fresh} if use_batch else set()
        retry: list[WorkItem] = []
        for item in items:
            if item.input_hash not in batched:
                yield ask(item, self._call, self.policy, cache)
        if batched:
            for item, outcome in self._run_batch(fresh, cache):
                if outcome is None:
                    retry.append(item)
                else:
                    yield outcome
        for item in retry:
            yield ask(item, self._call, self.policy, cache)

    def _run_batch(self, items: list[WorkItem], cache: ResponseCache) -> Iterator[tuple[WorkItem, Outcome | None]]:
        """Submit items as one Message Batch; None for an item means 'retry it on its own'."""
        by_id = {item.input_hash[:64]: item for item in items}
        requests = [{"custom_id": cid, "params": self._params(item, None)} for cid, item in by_id.items()]
        batch = self._with_retries(lambda: self.client.messages.batches.create(requests=requests))
        batch_id = batch.id
        while batch.processing_status != "ended":
            self.sleep(self.poll_interval)
            batch = self._with_retries(lambda: self.client.messages.batches.retrieve(batch_id))
        seen = set()
        for entry in self._with_retries(lambda: list(self.client.messages.batches.results(batch_id))):
            item = by_id.get(entry.custom_id)
            if item is None:
                continue
            seen.add(entry.custom_id)
            if entry.result.type != "succeeded":
                yield item, None
                continue
            message = entry.result.message
            output = self._output(message)
            usage = usage_of(self.model, message.usage, batch=True)
            try:
                draft = check_draft(item, output)
            except DraftRejected:
                yield item, None
                continue
            record = {"output": output, "usage": usage.__dict__, "response": message.model_dump(mode="json")}
            cache.put(item.input_hash, record)
            yield item, Outcome(item, draft, usage, attempts=1, raw=record)
        for cid, item in by_id.items():
            if cid not in seen:
                yield item, None

    def _with_retries(self, fn):
        err = self._errors
        for attempt in range(1, self.policy.attempts + 1):
            try:
                return fn()
            except err.AuthenticationError:
                raise UserError(f"the Anthropic API rejected the key in {KEY_VARIABLE} (401)") from None
            except (err.RateLimitError, err.InternalServerError, err.APIConnectionError) as exc:
                if attempt == self.policy.attempts:
                    raise UserError(f"the Anthropic batch API kept failing: {type(exc).__name__}") from None
                headers = getattr(getattr(exc, "response", None), "headers", None)
                self.policy.pause(attempt, retry_after(headers))


def _message(exc) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        return str(body.get("error", {}).get("message", ""))[:300]
    return str(exc)[:300]
