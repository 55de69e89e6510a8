"""The one system prompt and the one assistant answer layout.

Export writes samples in this layout, training teaches it, and strict
inference validation parses model output with `parse_answer`, so what a
model is trained on is exactly what it is checked against.

Layout of an assistant message::

    <answer or design proposal>

    Evidence:
    [E1] path/to/File.java:12-18
    [E2] path/to/Mapper.xml:40-44

    Reasoning:
    1. <claim> [E1]
    2. <claim> [E1][E2]

Chinese answers use 证据： and 推理： as section markers; the parser takes both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.models import DesignProposal, Sample, Span

SYSTEM_PROMPT = (
    "You are a senior engineer on this Java code base. You answer questions about its "
    "business rules and workflows and propose designs that fit its existing architecture. "
    "Ground every statement in the code. After the answer, list the code you rely on under "
    "'Evidence:' as lines '[E1] path/to/File.java:12-18' (repository-relative path, 1-based "
    "inclusive lines), then under 'Reasoning:' a numbered list of short checkable claims, each "
    "citing evidence ids such as [E1]. Cite only files and lines that exist and name only "
    "classes, methods, fields and tables that exist in the repository. Answer in the language "
    "of the question."
)

_MARKERS = {
    "en": ("Evidence:", "Reasoning:"),
    "zh": ("证据：", "推理："),
}
_DESIGN_HEADINGS = {
    "en": ("Understanding", "Reuse", "Changes by layer", "Data changes", "Flow", "Risks", "Test plan"),
    "zh": ("需求理解", "复用的现有组件", "分层改动", "数据变更", "流程", "风险", "测试计划"),
}
_DESIGN_REQUEST = {
    "en": "Requirement: {q}\n\nPropose a design that fits the existing architecture of this repository.",
    "zh": "需求：{q}\n\n请给出符合本仓库现有架构的设计方案。",
}


def render_user(sample: Sample) -> str:
    if sample.task_type == "design":
        return _DESIGN_REQUEST[sample.language].format(q=sample.question)
    return sample.question


def render_design(design: DesignProposal, language: str) -> str:
    """The design proposal as the markdown body of a design answer."""
    new_tag = " (new)" if language == "en" else "（新增）"
    reuse = [f"- {r.component}: {r.why}" + "".join(f" [{i}]" for i in r.evidence_ids) for r in design.reuse]
    changes = [f"- [{c.layer}] {c.component}{new_tag if c.is_new else ''}: {c.change}" for c in design.changes]
    flow = [f"{n}. {step}" for n, step in enumerate(design.flow, 1)]
    bodies = (
        [design.understanding], reuse, changes, [f"- {d}" for d in design.data_changes], flow,
        [f"- {r}" for r in design.risks], [f"- {t}" for t in design.test_plan],
    )
    return "\n\n".join(
        f"## {heading}\n" + "\n".join(lines)
        for heading, lines in zip(_DESIGN_HEADINGS[language], bodies)
        if lines
    )


def render_assistant(sample: Sample) -> str:
    evidence_marker, reasoning_marker = _MARKERS[sample.language]
    evidence = "\n".join(f"[{e.id}] {e.label()}" for e in sample.evidence)
    reasoning = "\n".join(
        f"{n}. {step.claim} " + "".join(f"[{i}]" for i in dict.fromkeys(step.evidence_ids))  # two lines of one item: cited once
        for n, step in enumerate(sample.trace, 1)
    )
    return f"{sample.answer.strip()}\n\n{evidence_marker}\n{evidence}\n\n{reasoning_marker}\n{reasoning}"


def to_messages(sample: Sample) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": render_user(sample)},
        {"role": "assistant", "content": render_assistant(sample)},
    ]


@dataclass
class ParsedAnswer:
    """A model answer taken apart; `problems` is empty when the layout is followed."""

    body: str
    citations: dict[str, Span] = field(default_factory=dict)
    trace: list[tuple[str, list[str]]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def layout_ok(self) -> bool:
        return not self.problems


_EVIDENCE_HEAD = re.compile(r"^\s*(Evidence:|证据[:：])\s*$", re.M)
_REASONING_HEAD = re.compile(r"^\s*(Reasoning:|推理[:：])\s*$", re.M)
_CITATION = re.compile(r"^\s*\[(E\d+)\]\s+(\S+?):(\d+)-(\d+)\s*$")
_STEP = re.compile(r"^\s*\d+\.\s+(.*?)\s*((?:\[E\d+\]\s*)+)$")
_IDS = re.compile(r"\[(E\d+)\]")


def parse_answer(text: str) -> ParsedAnswer:
    ev = _EVIDENCE_HEAD.search(text)
    rs = _REASONING_HEAD.search(text)
    if not ev or not rs or rs.start() < ev.end():
        return ParsedAnswer(body=text.strip(), problems=["missing 'Evidence:' and 'Reasoning:' sections in that order"])
    parsed = ParsedAnswer(body=text[: ev.start()].strip())
    if not parsed.body:
        parsed.problems.append("empty answer before the evidence section")
    for line in filter(str.strip, text[ev.end(): rs.start()].splitlines()):
        m = _CITATION.match(line)
        if not m:
            parsed.problems.append(f"evidence line not of the form '[E1] path:start-end': {line.strip()[:80]!r}")
            continue
        start, end = int(m[3]), int(m[4])
        if start < 1 or end < start:
            parsed.problems.append(f"bad line range in {line.strip()!r}")
            continue
        parsed.citations[m[1]] = Span(path=m[2], start_line=start, end_line=end)
    for line in filter(str.strip, text[rs.end():].splitlines()):
        m = _STEP.match(line)
        if not m:
            parsed.problems.append(f"reasoning line without cited evidence: {line.strip()[:80]!r}")
            continue
        ids = _IDS.findall(m[2])
        unknown = [i for i in ids if i not in parsed.citations]
        if unknown:
            parsed.problems.append(f"claim cites evidence not listed: {unknown}")
        parsed.trace.append((m[1], ids))
    if not parsed.citations:
        parsed.problems.append("no evidence listed")
    if not parsed.trace:
        parsed.problems.append("no reasoning steps")
    return parsed
