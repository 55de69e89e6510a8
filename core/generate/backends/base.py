"""The interface every generator implements, and the retry policy LLM backends share.

A backend turns work items into outcomes. It may answer one item at a time
(template, OpenAI-compatible servers) or submit them together (the Anthropic
Message Batches API), so the interface takes the whole list and yields
outcomes as they are ready. A failed item is an outcome with an error, never
an exception: one bad answer must not stop a run of thousands.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
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
    """A failure worth retrying (408, 409, 429, 5xx, 529, timeout); `wait` is the server's Retry-After, if any."""

    def __init__(self, reason: str, wait: float | None = None, throttled: bool = False):
        super().__init__(reason)
        self.wait = wait
        self.throttled = throttled      # a rate limit: every worker holds off, not only this one


class ItemFailed(Exception):
    """A failure retrying will not fix (a 400 for this request): the item is recorded as failed."""


class Fatal(UserError):
    """A failure no item can get past (bad key, no permission, unknown model, no credit): the run stops."""


RETRY_STATUSES = "408, 409, 429, 5xx and 529 (overloaded), timeouts and dropped connections"


@dataclass
class RetryPolicy:
    """Exponential backoff: `base`, 2*base, 4*base ... capped at `cap`, jittered by up to `jitter` of the
    delay; a server's Retry-After wins. A rate limit pauses every worker of the run until it has passed."""

    attempts: int = 8
    base: float = 2.0
    cap: float = 60.0
    jitter: float = 0.25
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    _resume_at: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _waited: threading.local = field(default_factory=threading.local)   # the pause this worker already sat out

    def delay(self, attempt: int, hint: float | None) -> float:
        if hint is not None and hint >= 0:
            return min(self.cap, hint)
        delay = min(self.cap, self.base * 2 ** (attempt - 1))
        return delay * (1 - self.jitter * random.random()) if self.jitter else delay

    def pause(self, attempt: int, hint: float | None, throttled: bool = False) -> None:
        wait = self.delay(attempt, hint)
        if throttled:
            with self._lock:
                self._resume_at = max(self._resume_at, self.clock() + wait)
                self._waited.until = self._resume_at
        self.sleep(wait)

    def hold(self) -> None:
        """Before a call: wait out a rate limit another worker ran into."""
        with self._lock:
            until = self._resume_at
            left = until - self.clock()
        if left > 0 and until > getattr(self._waited, "until", 0.0):
            self._waited.until = until
            self.sleep(left)

    def describe(self) -> str:
        return (f"{RETRY_STATUSES} are retried up to {self.attempts} tries with backoff {self.base:g}s, "
                f"{2 * self.base:g}s, {4 * self.base:g}s ... (at most {self.cap:g}s), honouring retry-after")


def retry_after(headers) -> float | None:
    """Seconds the server asks to wait: retry-after-ms, then retry-after as seconds or an HTTP date."""
    if headers is None:
        return None
    try:
        return float(headers.get("retry-after-ms")) / 1000
    except (TypeError, ValueError):
        pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def make_backend(name: str, args, *, repo_context: str = "", gate=None, batches=None, files=None) -> Backend:
    """The backend named on the command line, configured from its flags and environment.

    `gate` (item, draft) -> problems is the validate checks (the stage builds it from the database),
    `batches` the stored Message Batches, `files` the repository's sources for the prompts' surrounding code.
    """
    if name == "template":
        from core.generate.backends.template import TemplateBackend

        return TemplateBackend()
    from core.generate.backends.asking import no_gate
    from core.generate.backends.ledger import Ledger

    policy = RetryPolicy(attempts=max(1, getattr(args, "max_attempts", 8)))
    common = dict(repo_context=repo_context, policy=policy, gate=gate or no_gate, files=files,
                  concurrency=max(1, getattr(args, "concurrency", 1)), retry_failed=getattr(args, "retry_failed", False))
    budget = getattr(args, "budget_usd", None)
    if name == "anthropic":
        from core.generate.backends.anthropic_backend import AnthropicBackend
        from core.generate.backends.prices import newest_sonnet

        model = getattr(args, "model", None) or newest_sonnet()
        return AnthropicBackend(
            model=model, batch=getattr(args, "batch", "auto"), ledger=Ledger(model, budget), batches=batches,
            batch_wait=60.0 * getattr(args, "batch_wait", 360), **common,
        )
    if name == "openai":
        from core.generate.backends.openai_backend import OpenAIBackend

        model = getattr(args, "model", None)
        backend = OpenAIBackend(model=model, base_url=getattr(args, "base_url", None), **common)
        backend.ledger = Ledger(backend.model, budget)
        backend.asker.ledger = backend.ledger
        return backend
    raise UserError(f"unknown backend {name!r}: use template, anthropic or openai")
