"""The interface every generator implements, and the retry policy LLM backends share.

A backend turns work items into outcomes. It may answer one item at a time
(template, OpenAI-compatible servers) or submit them together (the Anthropic
Message Batches API), so the interface takes the whole list and yields
outcomes as they are ready. A failed item is an outcome with an error, never
an exception: one bad answer must not stop a run of thousands.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from core.errors import UserError
from core.generate.work import Outcome, WorkItem


class ResponseCache(Protocol):
    """Raw model responses by input hash (llm_cache), so a re-run never pays twice."""

    def get(self, input_hash: str) -> dict | None: ...
    def put(self, input_hash: str, response: dict) -> None: ...


class NoCache:
    def get(self, input_hash: str) -> dict | None:
        return None

    def put(self, input_hash: str, response: dict) -> None:
        pass


class Backend(Protocol):
    name: str
    model: str | None
    prompt_hash: str

    def generate(self, items: list[WorkItem], cache: ResponseCache) -> Iterator[Outcome]: ...


class Transient(Exception):
    """A failure worth retrying (429, 5xx, timeout); `wait` is the server's Retry-After, if any."""

    def __init__(self, reason: str, wait: float | None = None):
        super().__init__(reason)
        self.wait = wait


class ItemFailed(Exception):
    """A failure retrying will not fix (a 400 for this request): the item is recorded as failed."""


@dataclass
class RetryPolicy:
    """Exponential backoff: `base`, 2*base, 4*base ... capped at `cap`, honouring Retry-After."""

    attempts: int = 4
    base: float = 1.0
    cap: float = 60.0
    sleep: Callable[[float], None] = time.sleep

    def pause(self, attempt: int, hint: float | None) -> None:
        delay = min(self.cap, self.base * 2 ** (attempt - 1))
        self.sleep(min(self.cap, hint) if hint is not None else delay)


def retry_after(headers) -> float | None:
    value = headers.get("retry-after") if headers is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def make_backend(name: str, args, *, repo_context: str = "") -> Backend:
    """The backend named on the command line, configured from its flags and environment."""
    policy = RetryPolicy(attempts=max(1, getattr(args, "max_attempts", 4)))
    if name == "template":
        from core.generate.backends.template import TemplateBackend

        return TemplateBackend()
    if name == "anthropic":
        from core.generate.backends.anthropic_backend import AnthropicBackend

        return AnthropicBackend(
            model=getattr(args, "model", None), repo_context=repo_context, policy=policy,
            batch=getattr(args, "batch", "auto"),
        )
    if name == "openai":
        from core.generate.backends.openai_backend import OpenAIBackend

        return OpenAIBackend(
            model=getattr(args, "model", None), base_url=getattr(args, "base_url", None),
            repo_context=repo_context, policy=policy,
        )
    raise UserError(f"unknown backend {name!r}: use template, anthropic or openai")
