"""Any OpenAI-compatible /v1/chat/completions endpoint (vLLM serving Qwen2.5, say), over httpx2.

The answer is requested as `response_format: json_schema` (vLLM enforces it
with guided decoding); servers that ignore it still get the schema in the
prompt, and `check_draft` rejects what does not fit. Base URL, model and key
come from flags or OPENAI_BASE_URL / OPENAI_MODEL / OPENAI_API_KEY (the key is
optional: local servers rarely need one).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import httpx2

from core.errors import UserError
from core.generate.backends.base import ItemFailed, ResponseCache, RetryPolicy, Transient, retry_after
from core.generate.backends.prompts import INSTRUCTIONS, ask, prompt_hash, user_prompt
from core.generate.work import DesignDraft, Outcome, QADraft, Usage, WorkItem


class OpenAIBackend:
    name = "openai"

    def __init__(
        self,
        model: str | None = None,
        base_url: str | None = None,
        *,
        repo_context: str = "",
        policy: RetryPolicy | None = None,
        http_client: httpx2.Client | None = None,
        timeout: float = 300.0,
    ):
        base_url = base_url or os.environ.get("OPENAI_BASE_URL")
        self.model = model or os.environ.get("OPENAI_MODEL")
        if not base_url:
            raise UserError("--backend openai needs the server: pass --base-url URL or set OPENAI_BASE_URL "
                            "(e.g. http://localhost:8000/v1)")
        if not self.model:
            raise UserError("--backend openai needs a model name: pass --model NAME or set OPENAI_MODEL")
        self.url = base_url.rstrip("/") + "/chat/completions"
        headers = {}
        if key := os.environ.get("OPENAI_API_KEY"):
            headers["Authorization"] = f"Bearer {key}"
        self.client = http_client or httpx2.Client(timeout=timeout)
        self.headers = headers
        self.policy = policy or RetryPolicy()
        self.repo_context = repo_context
        self.schemas = {"qa": QADraft.model_json_schema(), "design": DesignDraft.model_json_schema()}
        self.prompt_hash = prompt_hash(list(self.schemas.values()))

    def _body(self, item: WorkItem, feedback: str | None) -> dict:
        schema = self.schemas[item.task_type]
        system = INSTRUCTIONS + (f"\n\n<repository>\n{self.repo_context}\n</repository>" if self.repo_context else "")
        system += "\n\nReply with one JSON object matching this schema:\n" + json.dumps(schema, ensure_ascii=False)
        return {
            "model": self.model,
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": user_prompt(item, feedback)},
            ],
            "response_format": {"type": "json_schema", "json_schema": {"name": f"{item.task_type}_sample", "schema": schema}},
            "temperature": 0.2,
        }

    def _call(self, item: WorkItem, feedback: str | None) -> tuple[dict, str, Usage]:
        try:
            response = self.client.post(self.url, json=self._body(item, feedback), headers=self.headers)
        except httpx2.TimeoutException:
            raise Transient("timeout") from None
        except httpx2.TransportError as exc:
            raise Transient(f"connection error: {type(exc).__name__}") from None
        status = response.status_code
        if status in (401, 403):
            raise UserError(f"{self.url} refused the request ({status}): check OPENAI_API_KEY")
        if status == 429 or status >= 500:
            raise Transient(f"{status} from the server", retry_after(response.headers))
        if status >= 400:
            raise ItemFailed(f"{status} {response.text[:300]}")
        try:
            body = response.json()
            content = body["choices"][0]["message"]["content"] or ""
        except (ValueError, KeyError, IndexError, TypeError):
            raise Transient("response is not a chat completion") from None
        usage = body.get("usage") or {}
        return body, _strip_fence(content), Usage(usage.get("prompt_tokens"), usage.get("completion_tokens"), None)

    def generate(self, items: list[WorkItem], cache: ResponseCache) -> Iterator[Outcome]:
        for item in items:
            yield ask(item, self._call, self.policy, cache)


def _strip_fence(content: str) -> str:
    """Servers without guided decoding often wrap JSON in a ```json fence."""
    text = content.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    return text.strip()
