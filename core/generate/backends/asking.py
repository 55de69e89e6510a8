"""Asking an LLM for one sample, and asking for many at once.

`ask` is the loop every LLM backend shares: the response cache first, then
the call, with
- transient errors (rate limits, overload, timeouts) retried by the policy;
- `max_tokens` answered by one retry with twice the budget, a refusal
  recorded and never retried;
- the answer put through the gate (the schema and evidence ids, then the
  same checks `validate` runs); a failing answer gets one repair round in
  which the model sees exactly what failed;
- three samples in a row that exhaust their retries stop the run (a server
  that is down fails every sample; waiting minutes per sample helps no one);
- what was paid for cached: a passing answer, or a failure recorded as such
  (asked again only with `--retry-failed`).

`ask_all` runs `ask` over many items with N requests in flight. The first
item goes alone, so a wrong key or model costs one call, not N; a fatal
error or an exhausted budget stops the workers, and everything finished
before that is still handed back.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from core.generate.backends.base import Fatal, ItemFailed, ResponseCache, RetryPolicy, Transient
from core.generate.backends.ledger import Call, Ledger
from core.generate.work import DraftRejected, Outcome, Usage, WorkItem, check_draft

GIVE_UP_RUN = 3    # samples in a row that exhausted their retries: the server is down, not this sample
Gate = Callable[[WorkItem, object], list[str]]   # (item, draft) -> what failed; empty: it passes


def no_gate(item: WorkItem, draft) -> list[str]:
    return []


@dataclass
class Reply:
    """One model response: what to cache, the structured output, its bill, and why the model stopped."""

    raw: dict
    output: dict | str
    call: Call
    stop: str = "end"             # end | max_tokens | refusal


@dataclass
class Asker:
    """What `ask` needs from a backend and from the run."""

    call: Callable[[WorkItem, str | None, int], Reply]      # (item, feedback, max_tokens) -> Reply
    prompt_chars: Callable[[WorkItem], int]
    max_tokens: int
    policy: RetryPolicy
    ledger: Ledger
    gate: Gate = no_gate
    retry_failed: bool = False
    gave_up_in_a_row: int = 0       # items whose retries all failed, since the last answer: 3 stop the run

    def problems(self, item: WorkItem, output) -> tuple[object | None, list[str]]:
        try:
            draft = check_draft(item, output)
        except DraftRejected as exc:
            return None, [str(exc)]
        return draft, self.gate(item, draft)


def _usage(calls: list[Call]) -> Usage:
    costs = [c.cost_usd for c in calls]
    return Usage(
        tokens_in=sum(c.input_tokens + c.cache_read + c.cache_write for c in calls),
        tokens_out=sum(c.output_tokens for c in calls),
        cost_usd=None if not calls or None in costs else round(sum(costs), 6),
    )


def repair_note(problems: list[str]) -> str:
    return ("Your previous answer failed these checks:\n" + "\n".join(f"- {p}" for p in problems)
            + "\nAnswer again, fixing exactly these problems; keep everything else that was right.")


def from_cache(asker: Asker, item: WorkItem, cache: ResponseCache) -> Outcome | None:
    """A cached answer that still passes, or a recorded failure (unless the run retries failures)."""
    cached = cache.get(item.input_hash)
    if cached is None:
        return None
    if cached.get("failed"):
        if asker.retry_failed:
            return None
        return Outcome(item, error=f"recorded failure (generate --retry-failed asks again): {cached['failed']}",
                       usage=Usage(**cached.get("usage", {})), attempts=0, raw=cached)
    draft, problems = asker.problems(item, cached["output"])
    if problems and asker.retry_failed:
        return None
    if problems:
        return Outcome(item, error="cached answer fails the gate (generate --retry-failed asks again): "
                       + "; ".join(problems), attempts=0, raw=cached)
    return Outcome(item, draft, Usage(**cached.get("usage", {})), attempts=0, raw=cached)


def ask(asker: Asker, item: WorkItem, cache: ResponseCache, first: Reply | None = None,
        stop: threading.Event | None = None) -> Outcome:
    """Answer one item (see the module doc). `first` is a reply already in hand (a batch result);
    `stop`, once set, ends the item before its next request."""
    if first is None and (done := from_cache(asker, item, cache)) is not None:
        return done
    calls: list[Call] = []
    feedback: str | None = None
    max_tokens, grown, repaired, tries = asker.max_tokens, False, False, 0
    while True:
        if first is not None:
            reply, first = first, None
        else:
            if stop is not None and stop.is_set():
                return Outcome(item, error="run stopped", usage=_usage(calls), attempts=len(calls) + tries, calls=calls)
            reserved = asker.ledger.worst_case(asker.prompt_chars(item) + len(feedback or ""), max_tokens)
            asker.ledger.reserve(reserved)
            asker.policy.hold()
            try:
                reply = asker.call(item, feedback, max_tokens)
            except Transient as exc:
                asker.ledger.settle(reserved, None)
                tries += 1
                if tries >= asker.policy.attempts:
                    asker.gave_up_in_a_row += 1
                    if asker.gave_up_in_a_row >= GIVE_UP_RUN:
                        raise Fatal(f"the server kept failing ({exc}): {GIVE_UP_RUN} samples in a row gave up after "
                                    f"{tries} tries each, so the run stops; try again later") from None
                    return Outcome(item, error=f"{exc} (gave up after {tries} tries)", usage=_usage(calls),
                                   attempts=len(calls) + tries, calls=calls)
                asker.policy.pause(tries, exc.wait, exc.throttled)
                continue
            except ItemFailed as exc:
                asker.ledger.settle(reserved, None)
                return Outcome(item, error=str(exc), usage=_usage(calls), attempts=len(calls) + tries + 1, calls=calls)
            except BaseException:
                asker.ledger.settle(reserved, None)
                raise
            asker.ledger.settle(reserved, reply.call)
            asker.gave_up_in_a_row = 0
        calls.append(reply.call)
        if reply.stop == "max_tokens" and not grown:
            grown, max_tokens = True, max_tokens * 2
            continue
        if reply.stop == "max_tokens":
            reason = f"answer cut off at max_tokens twice (last budget {max_tokens})"
        elif reply.stop == "refusal":
            reason = "the model refused to answer"
        else:
            draft, problems = asker.problems(item, reply.output)
            record = {"output": reply.output, "usage": _usage(calls).__dict__, "response": reply.raw}
            if not problems:
                cache.put(item.input_hash, record)
                return Outcome(item, draft, _usage(calls), attempts=len(calls) + tries, raw=record, calls=calls)
            if not repaired:
                repaired, feedback = True, repair_note(problems)
                continue
            reason = "failed the gate after one repair round: " + "; ".join(problems)
        record = {"output": reply.output, "usage": _usage(calls).__dict__, "response": reply.raw, "failed": reason}
        cache.put(item.input_hash, record)
        return Outcome(item, error=reason, usage=_usage(calls), attempts=len(calls) + tries, raw=record, calls=calls)


def ask_all(asker: Asker, items: list[WorkItem], cache: ResponseCache, concurrency: int = 1) -> Iterator[Outcome]:
    """`ask` over `items`, up to `concurrency` at once, yielding outcomes as they finish.

    Workers take the next item themselves, so they keep going while the caller stores what came back.
    A fatal error or an exhausted budget is raised after every outcome finished so far has been yielded.
    """
    pending = []
    for item in items:       # cached answers and recorded failures need no worker
        done = from_cache(asker, item, cache)
        if done is None:
            pending.append(item)
        else:
            yield done
    if not pending:
        return
    yield ask(asker, pending[0], cache)          # alone: a bad key or model stops the run after one call
    stop = threading.Event()
    work: queue.SimpleQueue[WorkItem] = queue.SimpleQueue()
    for item in pending[1:]:
        work.put(item)
    results: queue.SimpleQueue[tuple[str, object]] = queue.SimpleQueue()

    def worker() -> None:
        try:
            while not stop.is_set():
                try:
                    item = work.get_nowait()
                except queue.Empty:
                    return
                results.put(("outcome", ask(asker, item, cache, stop=stop)))
        except BaseException as exc:  # Fatal, BudgetExhausted, or a bug: every worker stops taking work
            stop.set()
            results.put(("error", exc))
        finally:
            results.put(("done", None))

    workers = [threading.Thread(target=worker, name=f"llm-{n}", daemon=True)
               for n in range(min(max(1, concurrency), len(pending) - 1))]
    for thread in workers:
        thread.start()
    problem: BaseException | None = None
    running = len(workers)
    try:
        while running:
            kind, value = results.get()
            if kind == "done":
                running -= 1
            elif kind == "error":
                problem = problem or value
            elif value.error != "run stopped":
                yield value
    finally:
        stop.set()                               # the caller stopped early (Ctrl-C): no new requests
    if problem is not None:
        raise problem
