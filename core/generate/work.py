"""What a backend is asked to write, and what it must hand back.

A `WorkItem` is one sample to produce: the question (already phrased, so the
sample id and the question kind are fixed before any backend runs), the facts
extracted from the code, and the only evidence the answer may cite. Backends
return a `QADraft` or `DesignDraft`; `check_draft` is the gate every draft
passes, whatever wrote it: a draft citing evidence it was not given is
rejected (an LLM backend retries, then records the failure).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from pydantic import BaseModel, Field, ValidationError

from core.models import DesignProposal, Evidence, SampleSource, sha256_text

_CJK = re.compile(r"[\u4e00-\u9fff]")


class ClaimDraft(BaseModel):
    claim: str = Field(min_length=1, description="one short checkable statement about the code")
    evidence_ids: list[str] = Field(min_length=1, description="ids of the evidence items that prove the claim, e.g. E1")


class QADraft(BaseModel):
    """A backend's answer to a question; an LLM may also word the question as an expert would."""

    question: str | None = Field(default=None, description="optional: the same question, worded as an engineer "
                                 "who knows this code would ask it (same meaning, same language)")
    answer: str = Field(min_length=1, description="the answer, in the language of the question")
    trace: list[ClaimDraft] = Field(min_length=1, description="the claims the answer rests on, in order")


class DesignDraft(BaseModel):
    """A backend's design proposal for a requirement."""

    design: DesignProposal
    trace: list[ClaimDraft] = Field(min_length=1, description="the claims about existing code the design rests on")


@dataclass
class WorkItem:
    sample_id: str
    repo_id: str
    task_type: str                  # qa | design
    domain: str
    language: str                   # en | zh
    source: SampleSource
    question: str
    facts: dict                     # what the extractor found; templates render it, LLM prompts quote it
    evidence: list[Evidence]        # E1..En: the only evidence the answer may cite
    input_hash: str = ""
    extra: dict = field(default_factory=dict)

    def seal(self, backend: str, model: str | None, prompt_hash: str) -> None:
        """Fix the input hash: same inputs to the same generator = same hash = no new call."""
        body = {
            "task": self.task_type, "lang": self.language, "q": self.question, "facts": self.facts,
            "evidence": [[e.path, e.start_line, e.end_line, e.sha256] for e in self.evidence],
            "backend": backend, "model": model, "prompt": prompt_hash,
        }
        self.input_hash = sha256_text(json.dumps(body, sort_keys=True, ensure_ascii=False, default=str))

    def draft_model(self) -> type[QADraft] | type[DesignDraft]:
        return DesignDraft if self.task_type == "design" else QADraft


class DraftRejected(ValueError):
    """The output does not pass the gate; the message says why (fed back on retry)."""


def check_draft(item: WorkItem, raw: dict | str) -> QADraft | DesignDraft:
    """Parse and validate a backend's output against the item it answers."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise DraftRejected(f"output is not JSON: {exc.msg} at {exc.pos}") from None
    try:
        draft = item.draft_model().model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise DraftRejected(f"output does not match the schema: {where}: {first['msg']}") from None
    given = {e.id for e in item.evidence}
    cited = {i for step in draft.trace for i in step.evidence_ids}
    if isinstance(draft, DesignDraft):
        cited |= {i for r in draft.design.reuse for i in r.evidence_ids}
    unknown = sorted(cited - given)
    if unknown:
        raise DraftRejected(f"cites evidence it was not given: {unknown} (allowed: {sorted(given)})")
    text = draft.answer if isinstance(draft, QADraft) else draft.design.understanding
    if item.language == "zh" and not _CJK.search(text):
        raise DraftRejected("the question is in Chinese but the answer is not")
    return draft


@dataclass
class Usage:
    tokens_in: int | None = None
    tokens_out: int | None = None
    cost_usd: float | None = None


@dataclass
class Outcome:
    """One item's result: a draft, or the reason it failed after `attempts` tries."""

    item: WorkItem
    draft: QADraft | DesignDraft | None = None
    usage: Usage = field(default_factory=Usage)
    error: str | None = None
    attempts: int = 1
    raw: dict | None = None        # the model response to cache (LLM backends)
    calls: list = field(default_factory=list)   # every paid request (ledger.Call), for the usage records
    pending: bool = False          # still in a submitted batch: neither a sample nor a failure yet
