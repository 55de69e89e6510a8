"""The checks of `validate`, as the gate an LLM answer passes during generation (one gate, one code)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from core.models import Sample
from core.validate.checks import FAIL, Limits, SampleChecker
from core.validate.runner import load_facts
from storage import Database


def generation_gate(db: Database, repo_id: str, limits: Limits | None = None) -> Callable[[Sample], list[str]]:
    """sample -> the checks it fails, as 'name: why' (empty: it passes). Safe to call from many threads."""
    checker = SampleChecker(load_facts(db, repo_id), limits)
    lock = threading.Lock()

    def gate(sample: Sample) -> list[str]:
        with lock:
            outcomes = checker.check(sample)
        return [f"{o.name}: {o.message}" for o in outcomes if o.result == FAIL]

    return gate
