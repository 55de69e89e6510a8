"""Every paid call of a run, and the budget it may not exceed.

Each attempt counts, not only the one that produced the sample: a retry for
invalid output, the repair round, a larger-budget retry after `max_tokens`,
a refusal. Before a call, the worst case it could cost (its prompt, estimated
from the characters, plus its whole `max_tokens` budget) is reserved; a call
whose worst case would take the run past `--budget-usd` is not made. Workers
share one ledger, so the check holds with many requests in flight.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from core.errors import UserError
from core.generate.backends.prices import Price, price_of

CHARS_PER_TOKEN = 3.0     # conservative for code and Chinese text: over-estimates tokens, never under


class BudgetExhausted(Exception):
    """The next call could take the run past its budget; the run stops before making it."""


@dataclass
class Call:
    """One request's bill (input_tokens counts fresh input only; cache reads and writes apart)."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read: int = 0
    cache_write: int = 0
    cost_usd: float | None = None
    batch: bool = False
    stop: str = ""


@dataclass
class Ledger:
    model: str | None = None
    budget_usd: float | None = None
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read: int = 0
    cache_write: int = 0
    cost_usd: float = 0.0
    unpriced: int = 0
    _reserved: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.price: Price | None = price_of(self.model)
        if self.budget_usd is not None and self.price is None:
            raise UserError(f"--budget-usd needs a price for model {self.model!r}, and none is known "
                            "(see core/generate/backends/prices.py)")

    def worst_case(self, prompt_chars: int, max_tokens: int) -> float:
        if self.price is None:
            return 0.0
        return self.price.cost(int(prompt_chars / CHARS_PER_TOKEN) + 1, max_tokens)

    def reserve(self, usd: float) -> None:
        """Hold `usd` for a call about to be made, or refuse it (BudgetExhausted)."""
        with self._lock:
            if self.budget_usd is not None and self.cost_usd + self._reserved + usd > self.budget_usd:
                raise BudgetExhausted(
                    f"stopped before exceeding --budget-usd {self.budget_usd:g}: ${self.cost_usd:.4f} spent over "
                    f"{self.calls} calls, the next call could cost up to ${usd:.4f}")
            self._reserved += usd

    def settle(self, reserved: float, call: Call | None) -> None:
        """Release a reservation and book what the call really cost (None: the call never got billed)."""
        with self._lock:
            self._reserved = max(0.0, self._reserved - reserved)
            if call is None:
                return
            self.calls += 1
            self.input_tokens += call.input_tokens
            self.output_tokens += call.output_tokens
            self.cache_read += call.cache_read
            self.cache_write += call.cache_write
            if call.cost_usd is None:
                self.unpriced += 1
            else:
                self.cost_usd = round(self.cost_usd + call.cost_usd, 6)

    def totals(self) -> dict:
        return {"llm_calls": self.calls, "tokens_in": self.input_tokens + self.cache_read + self.cache_write,
                "tokens_out": self.output_tokens, "cache_read_tokens": self.cache_read,
                "cache_write_tokens": self.cache_write, "cost_usd": round(self.cost_usd, 6) if self.price else None}
