"""What a Claude call costs, and which model a run uses when none is named.

Prices are Anthropic's published list prices in USD per million tokens for
every model id in the installed SDK's model list (`anthropic.types.Model`).
Cache writes (5-minute TTL, the only one this tool requests) cost 1.25x input;
cache reads 0.1x input, except on the Mythos-class 5.1/5.2 models (0.025x);
the Message Batches API halves everything. claude-mythos-preview (retired
2026-06-30) has no price: a model missing here gets cost None, and a run with
`--budget-usd` refuses it rather than guessing.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass

CACHE_WRITE = 1.25
CACHE_READ = 0.1
BATCH = 0.5


@dataclass(frozen=True)
class Price:
    input: float             # USD per million fresh input tokens
    output: float            # USD per million output tokens
    cache_read: float = CACHE_READ

    def cost(self, fresh: int, out: int, read: int = 0, written: int = 0, batch: bool = False) -> float:
        usd = (fresh * self.input + read * self.input * self.cache_read + written * self.input * CACHE_WRITE
               + out * self.output) / 1e6
        return round(usd * (BATCH if batch else 1.0), 6)


# Keys are model ids without a date suffix; dated ids (claude-sonnet-4-5-20250929) match their base.
PRICES: dict[str, Price] = {
    "claude-fable-5-2": Price(10.0, 50.0, 0.025), "claude-mythos-5-2": Price(10.0, 50.0, 0.025),
    "claude-fable-5-1": Price(10.0, 50.0, 0.025), "claude-mythos-5-1": Price(10.0, 50.0, 0.025),
    "claude-fable-5": Price(10.0, 50.0), "claude-mythos-5": Price(10.0, 50.0),
    "claude-opus-5-5": Price(4.0, 20.0), "claude-opus-5": Price(5.0, 25.0),
    "claude-opus-4-8": Price(5.0, 25.0), "claude-opus-4-7": Price(5.0, 25.0), "claude-opus-4-6": Price(5.0, 25.0),
    "claude-opus-4-5": Price(5.0, 25.0), "claude-opus-4-1": Price(15.0, 75.0), "claude-opus-4": Price(15.0, 75.0),
    "claude-sonnet-5-5": Price(2.0, 10.0), "claude-sonnet-5": Price(2.0, 10.0),
    "claude-sonnet-4-6": Price(3.0, 15.0), "claude-sonnet-4-5": Price(3.0, 15.0), "claude-sonnet-4": Price(3.0, 15.0),
    "claude-haiku-5-5": Price(0.1, 0.5), "claude-haiku-4-5": Price(1.0, 5.0), "claude-3-5-haiku": Price(0.8, 4.0),
}
_DATED = re.compile(r"-\d{8}$")


def price_of(model: str | None) -> Price | None:
    """The price of a model id; a dated id is priced as its base id."""
    if not model:
        return None
    return PRICES.get(_DATED.sub("", model))


def sdk_models() -> list[str]:
    """Every model id the installed anthropic SDK lists, newest first (the SDK's own order)."""
    from anthropic.types import Model

    literal = next(a for a in typing.get_args(Model) if typing.get_origin(a) is typing.Literal)
    return list(typing.get_args(literal))


def newest_sonnet() -> str:
    """The newest generally available Sonnet the installed SDK knows: no preview, not deprecated, not dated."""
    from anthropic._data import DEPRECATED_MODELS

    def version(model: str) -> tuple[int, ...]:
        return tuple(int(p) for p in model.removeprefix("claude-sonnet-").split("-"))

    sonnets = [m for m in sdk_models() if re.fullmatch(r"claude-sonnet-\d+(-\d)?", m) and m not in DEPRECATED_MODELS]
    return max(sonnets, key=version)
