"""The records that cross stage boundaries (see ARCHITECTURE.md, Contracts).

Evidence and trace are the product's promise: every claim in a sample can be
checked against exact source lines. The models enforce the shape of that
promise; `core.validate` checks that it still holds against the files.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

TaskType = Literal["qa", "design"]
Language = Literal["en", "zh"]
RuleKind = Literal[
    "guard", "transition", "sql_invariant", "calculation",
    "schedule", "messaging", "status_dict", "side_effects",
]
ReviewStatus = Literal["pending", "accepted", "edited", "rejected"]
CheckResult = Literal["pass", "warn", "fail"]


class Span(BaseModel):
    """A place in the repository: path relative to the root, 1-based inclusive lines."""

    model_config = ConfigDict(frozen=True)

    path: str
    start_line: int = Field(ge=1)
    end_line: int = Field(ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.end_line < self.start_line:
            raise ValueError(f"end_line {self.end_line} before start_line {self.start_line}")
        return self

    def label(self) -> str:
        return f"{self.path}:{self.start_line}-{self.end_line}"


class Evidence(Span):
    """Exact source lines a sample relies on; `sha256` is of the whole file at index time."""

    id: str = Field(pattern=r"^E\d+$")
    sha256: str
    text: str


class TraceStep(BaseModel):
    """One checkable claim, citing evidence ids of the same sample."""

    claim: str = Field(min_length=1)
    evidence_ids: list[str] = Field(min_length=1)


class ReuseItem(BaseModel):
    component: str
    why: str
    evidence_ids: list[str] = Field(default_factory=list)


class LayerChange(BaseModel):
    layer: str            # controller | service | service_impl | dao | mapper_xml | model | dto | component | config | sql
    component: str        # class, file or table name, following the repo's conventions
    change: str
    is_new: bool = False


class DesignProposal(BaseModel):
    """Scenario 2: a design constrained by the existing architecture."""

    understanding: str
    reuse: list[ReuseItem] = Field(default_factory=list)
    changes: list[LayerChange] = Field(default_factory=list)
    data_changes: list[str] = Field(default_factory=list)
    flow: list[str] = Field(default_factory=list)
    risks: list[str] = Field(default_factory=list)
    test_plan: list[str] = Field(default_factory=list)


class GeneratorInfo(BaseModel):
    backend: str
    model: str | None = None
    prompt_hash: str | None = None
    input_hash: str
    created_at: datetime
    tokens_in: int | None = None
    tokens_out: int | None = None
    cost_usd: float | None = None


class SampleSource(BaseModel):
    kind: Literal["rule", "flow", "map", "requirement"]
    ref: str
    rule_kind: str | None = None
    question_kind: str | None = None


class Sample(BaseModel):
    """A QA pair (question/answer) or a design (requirement/proposal)."""

    sample_id: str
    version: int = 1
    repo_id: str
    task_type: TaskType
    domain: str
    language: Language
    question: str = Field(min_length=1)
    answer: str = Field(min_length=1)
    design: DesignProposal | None = None
    evidence: list[Evidence] = Field(min_length=1)
    trace: list[TraceStep] = Field(min_length=1)
    source: SampleSource
    generator: GeneratorInfo

    @model_validator(mode="after")
    def _trace_cites_own_evidence(self) -> Sample:
        ids = [e.id for e in self.evidence]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate evidence ids: {ids}")
        known = set(ids)
        for step in self.trace:
            missing = [i for i in step.evidence_ids if i not in known]
            if missing:
                raise ValueError(f"trace claim cites unknown evidence {missing}: {step.claim!r}")
        if self.task_type == "design" and self.design is None:
            raise ValueError("a design sample needs its design proposal")
        return self

    def content_hash(self) -> str:
        """What makes two generations of the same sample the same version."""
        body = self.model_dump(mode="json", include={
            "question", "answer", "design", "evidence", "trace", "domain", "language", "task_type",
        })
        return sha256_text(json.dumps(body, sort_keys=True, ensure_ascii=False))


class Rule(BaseModel):
    """A business rule found deterministically in the code."""

    rule_id: str
    repo_id: str
    kind: RuleKind
    domain: str
    symbol_id: str | None = None
    statement_en: str
    statement_zh: str
    evidence: list[Span] = Field(min_length=1)
    facts: dict = Field(default_factory=dict)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
