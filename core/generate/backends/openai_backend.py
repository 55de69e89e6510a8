"""Any OpenAI-compatible /v1/chat/completions server (vLLM serving Qwen2.5, say), through the official client.

The answer is requested as `response_format: json_schema` (vLLM enforces it
with guided decoding); servers that ignore it still get the schema in the
prompt, and the gate rejects what does not fit. Every request sends
`max_tokens`, and `finish_reason` is read: `length` gets one retry with twice
the budget, `content_filter` is recorded as a refusal. Many requests run at
once (`--concurrency`): a vLLM server batches them on the GPU. Base URL,
model and key come from flags or OPENAI_BASE_URL / OPENAI_MODEL /
OPENAI_API_KEY (the key is optional: local servers rarely need one).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

from core.errors import UserError
from core.generate.backends.asking import Asker, Gate, Reply, ask_all, no_gate
from core.generate.backends.base import Fatal, ItemFailed, ResponseCache, RetryPolicy, Transient, retry_after
from core.generate.backends.ledger import Call, Ledger
from core.generate.backends.prompts import INSTRUCTIONS, prompt_hash, user_prompt
from core.generate.work import DesignDraft, Outcome, QADraft, WorkItem

MAX_TOKENS = 4096
_STOPS = {"length": "max_tokens", "content_filter": "refusal"}


class OpenAIBackend:
    name = "openai"

    def __init__(
        self,
        model: str | None = None,
        base_url: str | None = None,
        *,
        repo_context: str = "",
        policy: RetryPolicy | None = None,
        http_client=None,
        timeout: float = 300.0,
        ledger: Ledger | None = None,
        gate: Gate = no_gate,
        concurrency: int = 1,
        retry_failed: bool = False,
        files=None,
    ):
        import openai

        base_url = base_url or os.environ.get("OPENAI_BASE_URL")
        self.model = model or os.environ.get("OPENAI_MODEL")
        if not base_url:
            raise UserError("--backend openai needs the server: pass --base-url URL or set OPENAI_BASE_URL "
                            "(e.g. http://localhost:8000/v1)")
        if not self.model:
            raise UserError("--backend openai needs a model name: pass --model NAME or set OPENAI_MODEL")
        self._errors = openai
        self.base_url = base_url.rstrip("/")
        self.client = openai.OpenAI(base_url=self.base_url, api_key=os.environ.get("OPENAI_API_KEY") or "none",
                                    max_retries=0, timeout=timeout, http_client=http_client)
        self.policy = policy or RetryPolicy()
        self.ledger = ledger or Ledger(None)          # self-hosted: tokens counted, no price
        self.repo_context, self.files, self.concurrency = repo_context, files, concurrency
        self.schemas = {"qa": QADraft.model_json_schema(), "design": DesignDraft.model_json_schema()}
        self.prompt_hash = prompt_hash(list(self.schemas.values()))
        self.asker = Asker(self.call, self.prompt_chars, MAX_TOKENS, self.policy, self.ledger, gate, retry_failed)

    def _system(self, schema: dict) -> str:
        system = INSTRUCTIONS + (f"\n\n<repository>\n{self.repo_context}\n</repository>" if self.repo_context else "")
        return system + "\n\nReply with one JSON object matching this schema:\n" + json.dumps(schema, ensure_ascii=False)

    def prompt_chars(self, item: WorkItem) -> int:
        return len(self._system(self.schemas[item.task_type])) + len(user_prompt(item, None, self.files))

    def _create(self, system: str, prompt: str, schema: dict, name: str, max_tokens: int) -> Reply:
        err = self._errors
        try:
            completion = self.client.chat.completions.create(
                model=self.model, max_tokens=max_tokens, temperature=0.2,
                messages=[{"role": "system", "content": system}, {"role": "user", "content": prompt}],
                response_format={"type": "json_schema", "json_schema": {"name": name, "schema": schema}},
            )
        except err.APIStatusError as exc:
            status = exc.status_code
            if status in (401, 403):
                raise Fatal(f"{self.base_url} refused the request ({status}): check OPENAI_API_KEY") from None
            if status == 404:
                raise Fatal(f"{self.base_url} does not serve model {self.model!r} (404): pass --model") from None
            if status == 429:
                raise Transient("429 rate limited", retry_after(exc.response.headers), throttled=True) from None
            if status in (408, 409) or status >= 500:
                raise Transient(f"{status} from the server", retry_after(exc.response.headers)) from None
            raise ItemFailed(f"{status} {exc.response.text[:300]}") from None
        except err.APITimeoutError:
            raise Transient("timeout") from None
        except err.APIConnectionError as exc:
            raise Transient(f"connection error: {exc}") from None
        except err.APIResponseValidationError:
            raise Transient("response is not a chat completion") from None
        if not completion.choices:
            raise Transient("response is not a chat completion")
        choice = completion.choices[0]
        usage = completion.usage
        call = Call(usage.prompt_tokens if usage else 0, usage.completion_tokens if usage else 0,
                    stop=choice.finish_reason or "")
        content = choice.message.content or ""
        return Reply(completion.model_dump(mode="json"), _strip_fence(content), call,
                     _STOPS.get(choice.finish_reason, "end"))

    def call(self, item: WorkItem, feedback: str | None, max_tokens: int) -> Reply:
        schema = self.schemas[item.task_type]
        return self._create(self._system(schema), user_prompt(item, feedback, self.files), schema,
                            f"{item.task_type}_sample", max_tokens)

    def complete(self, system: str, prompt: str, schema: dict, max_tokens: int = 1024) -> Reply:
        """A one-off structured call (the judge)."""
        reply = self._create(system + "\n\nReply with one JSON object matching this schema:\n" + json.dumps(schema),
                             prompt, schema, "result", max_tokens)
        try:
            reply.output = json.loads(reply.output) if isinstance(reply.output, str) else reply.output
        except json.JSONDecodeError:
            reply.output = {}
        return reply

    def generate(self, items: list[WorkItem], cache: ResponseCache) -> Iterator[Outcome]:
        yield from ask_all(self.asker, items, cache, self.concurrency)


def _strip_fence(content: str) -> str:
    """Servers without guided decoding often wrap JSON in a ```json fence."""
    text = content.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    return text.strip()
