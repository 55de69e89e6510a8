"""The per-sample checks: each looks at one sample and says pass, warn or fail, and why.

Failing means "must not be trained on" (broken evidence, invented names,
secrets); warning means "a curator should look" (unused evidence, evidence
only in generated code). Duplicates are found across samples in
`core.validate.dedup`, not here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from core.evidence import SourceCache, verify_evidence
from core.models import Evidence, Sample
from core.validate.identifiers import Vocabulary, code_identifiers, word_tokens
from core.validate.secrets import find_secrets, is_config_path

PASS, WARN, FAIL = "pass", "warn", "fail"

# How much each check counts in the quality score (pass 1, warn 0.5, fail 0; weighted mean).
CHECK_WEIGHTS: dict[str, float] = {
    "schema": 3.0, "evidence": 3.0, "trace": 2.0, "grounding": 2.0, "consistency": 2.0,
    "secrets": 3.0, "length": 1.0, "language": 1.0, "generated_code": 0.5, "duplicate": 1.0,
}
CHECK_NAMES = tuple(CHECK_WEIGHTS)


@dataclass(frozen=True)
class CheckOutcome:
    name: str
    result: str          # pass | warn | fail
    message: str = ""


@dataclass(frozen=True)
class Limits:
    """Length bounds: below them a sample says nothing, above them it teaches rambling. A Chinese answer is not
    much shorter than its English twin when most of it is quoted code and paths (the shop's generateOrder writes:
    6726 en, 6074 zh characters), so its upper bound is 0.9 of the English one, not 0.75."""

    question_chars: tuple[int, int] = (8, 1500)
    answer_chars: dict[str, tuple[int, int]] = field(default_factory=lambda: {"en": (20, 8000), "zh": (8, 7200)})
    evidence_items: int = 12
    evidence_lines_per_item: int = 80      # above: evidence is not minimal (warn)
    trace_steps: int = 20


@dataclass
class RepoFacts:
    """What the checks need from the index, read once per validation run."""

    root: Path | None
    vocabulary: Vocabulary
    generated_paths: set[str] = field(default_factory=set)
    encodings: dict[str, str] = field(default_factory=dict)
    error_regions: dict[str, list[list[int]]] = field(default_factory=dict)   # path -> [[start, end]] unparsed


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
# code labels quoted from Chinese comments: "4 (已关闭)", "0 = PC订单", "0->待付款"
_LABELS = re.compile(r"[(（][^)）\n]*[)）]|\d+\s*(?:->|=|:|：)?\s*[A-Za-z]*[\u3400-\u4dbf\u4e00-\u9fff]+")
_QUOTED = re.compile(r'"([^"\n]{1,300})"|“([^”\n]{1,300})”|「([^」\n]{1,300})」')
_BACKTICK = re.compile(r"`([^`\n]{1,300})`")
_FENCE = re.compile(r"```[^\n]*\n(.*?)```", re.S)
_PLAIN_NAME = re.compile(r"[A-Za-z_][\w.]*(?:\(\))?")
_NUMBER = re.compile(r"(?<![A-Za-z0-9_.#\[-])\d+(?:\.\d+)?(?![A-Za-z0-9_])")
# a number that counts things in the answer ("19 steps", "3 个条件") is not a value the code must hold
_COUNTED = re.compile(
    r"(?<![\d.])\d+\s*(?:[A-Za-z]+\s+){0,2}?(?:steps?|items?|rows?|records?|statements?(?:\(s\))?|times|ways|places"
    r"|calls|cases|methods|checks|conditions|rules|states|values|fields|tables|classes|lines|layers|parts|points|paths"
    r"|步|个|条|种|处|次|项|层|类|行)(?![A-Za-z])"
    r"|(?:行数|条数|次数|个数|count|number of \w+)\s*(?:为|是|is|=|:)?\s*\d+")
# what an answer leaves out when it quotes code: line comments, block comments, MyBatis tags (<foreach> ...)
_CODE_NOISE = re.compile(r"//[^\n]*|/\*.*?\*/|<[^>\n]+>", re.S)
# derived descriptions the generators write in backticks: an endpoint, an entry point
_DESCRIPTOR = re.compile(r"(?:GET|POST|PUT|DELETE|PATCH|HEAD)\s+/\S*|(?:scheduled|listener|endpoint)\s+[\w.#]+")
# where a quoted message was concatenated or formatted in code ("..." + limit + "%")
_FORMAT_GAP = re.compile(r"%[sd]?|\{[^}]*\}|\.\.\.|…|\+")
_EVIDENCE_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_LIST_MARKER = re.compile(r"^\s*\d+[.)]\s", re.M)
_PATH_LIKE = re.compile(r"\S+\.(?:java|xml|ya?ml|properties|sql)\b(?::\d+(?:-\d+)?)?")
_PROSE_WORD = re.compile(r"\b[A-Za-z][a-z]+\b")
_PATH_OR_URL = re.compile(r"\S*[/\\]\S*")


@dataclass(frozen=True)
class _EvidenceFacts:
    """What the checks derive from one evidence item; many samples cite the same lines."""

    problem: str | None          # evidence verification
    tokens: frozenset[str]       # identifiers it names
    numbers: frozenset[str]
    squashed: str
    secrets: tuple[str, ...]


def _component_names(component: str) -> set[str]:
    """The code names in a component reference such as `OmsOrder.status` or `PortalOrderDao.xml`."""
    return {p for p in re.split(r"\W+", _PATH_LIKE.sub(" ", component))
            if len(p) > 1 and (p[0].isupper() or "_" in p or any(c.isupper() for c in p[1:]))}


def _names(names: list[str]) -> str:
    return ", ".join(names[:8]) + (f" (+{len(names) - 8} more)" if len(names) > 8 else "")


def _squash(text: str) -> str:
    """Whitespace- and case-insensitive form, XML entities decoded (mapper SQL), for finding quoted code."""
    return "".join(html.unescape(text).split()).lower()


class SampleChecker:
    """Runs every per-sample check; holds the caches that make 2,000 samples/s possible."""

    def __init__(self, facts: RepoFacts, limits: Limits | None = None):
        self.facts = facts
        self.limits = limits or Limits()
        self.files = SourceCache(facts.root, facts.encodings) if facts.root else None
        self._evidence: dict[tuple, _EvidenceFacts] = {}
        self._checks: tuple[Callable[[Sample], CheckOutcome], ...] = (
            self.evidence, self.trace, self.grounding, self.consistency,
            self.length, self.language, self.secrets, self.generated_code,
        )

    def check_json(self, payload: str, sample_id: str | None = None) -> list[CheckOutcome]:
        """Parse a stored payload and check it; a payload that does not parse fails `schema` only."""
        try:
            sample = Sample.model_validate_json(payload)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"]) or "sample"
            return [CheckOutcome("schema", FAIL, f"{where}: {err['msg']} ({exc.error_count()} errors)")]
        if sample_id is not None and sample.sample_id != sample_id:
            return [CheckOutcome("schema", FAIL, f"payload is for {sample.sample_id!r}, stored as {sample_id!r}")]
        return self.check(sample)

    def check(self, sample: Sample) -> list[CheckOutcome]:
        return [CheckOutcome("schema", PASS)] + [check(sample) for check in self._checks]

    # ------------------------------------------------------------------ checks
    def evidence(self, sample: Sample) -> CheckOutcome:
        problems = [f"[{e.id}] {p}" for e in sample.evidence if (p := self._of(e).problem)]
        if problems:
            return CheckOutcome("evidence", FAIL, "; ".join(problems))
        return CheckOutcome("evidence", PASS)

    def _of(self, ev: Evidence) -> _EvidenceFacts:
        key = (ev.path, ev.start_line, ev.end_line, ev.sha256, ev.text)
        facts = self._evidence.get(key)
        if facts is None:
            facts = self._evidence[key] = _EvidenceFacts(
                problem=(verify_evidence(self.files, ev) if self.files else "repository root unknown")
                or self._syntax_error(ev),
                tokens=frozenset(word_tokens(ev.text)),
                numbers=frozenset(_EVIDENCE_NUMBER.findall(ev.text)) | {str(ev.start_line), str(ev.end_line)},
                squashed=_squash(ev.text) + "\n" + _squash(_CODE_NOISE.sub(" ", html.unescape(ev.text))),
                secrets=tuple(find_secrets(ev.text, is_config_path(ev.path))),
            )
        return facts

    def _syntax_error(self, ev: Evidence) -> str | None:
        """Lines the parser could not read are no ground for a claim: what the index made of them is a guess."""
        for start, end in self.facts.error_regions.get(ev.path, ()):
            if start <= ev.end_line and ev.start_line <= end:
                return f"{ev.path}:{ev.start_line}-{ev.end_line} overlaps a syntax error (lines {start}-{end})"
        return None

    def trace(self, sample: Sample) -> CheckOutcome:
        known = {e.id for e in sample.evidence}
        cited = {i for step in sample.trace for i in step.evidence_ids}
        if sample.design:
            cited.update(i for item in sample.design.reuse for i in item.evidence_ids)
        unknown = sorted(cited - known)
        if unknown:
            return CheckOutcome("trace", FAIL, f"claims cite evidence the sample does not have: {', '.join(unknown)}")
        claims = [" ".join(step.claim.split()).lower() for step in sample.trace]
        repeated = len(claims) - len(set(claims))
        unused = sorted(known - cited, key=lambda i: int(i[1:]))
        problems = []
        if unused:
            problems.append(f"evidence not cited by any claim: {', '.join(unused)}")
        if repeated:
            problems.append(f"{repeated} repeated claim(s)")
        return CheckOutcome("trace", WARN, "; ".join(problems)) if problems else CheckOutcome("trace", PASS)

    def grounding(self, sample: Sample) -> CheckOutcome:
        """QA: every name must exist. Design: what it reuses must exist; what it only mentions
        (understanding, reasoning) must exist or be proposed by its changes, data changes or flow."""
        text = "\n".join([sample.question, sample.answer, *(s.claim for s in sample.trace)])
        own = frozenset().union(*(self._of(e).tokens for e in sample.evidence))
        vocabulary = self.facts.vocabulary
        if sample.design is None:
            unknown = vocabulary.unknown(code_identifiers(text), own)
            return CheckOutcome("grounding", FAIL, f"names not in the repository: {_names(unknown)}") if unknown \
                else CheckOutcome("grounding", PASS)
        design = sample.design
        reused = vocabulary.unknown({n for r in design.reuse for n in _component_names(r.component)}, own)
        if reused:
            return CheckOutcome("grounding", FAIL, f"reuses components not in the repository: {_names(reused)}")
        proposal = "\n".join([*(f"{c.component} {c.change}" for c in design.changes), *design.data_changes,
                               *design.flow, *design.risks, *design.test_plan])
        proposed = code_identifiers(proposal) | word_tokens(proposal) | {c.layer for c in design.changes}
        unknown = vocabulary.unknown(code_identifiers(text), own | proposed)
        if unknown:
            return CheckOutcome("grounding", WARN, f"names neither in the repository nor proposed: {_names(unknown)}")
        return CheckOutcome("grounding", PASS)

    def consistency(self, sample: Sample) -> CheckOutcome:
        if sample.task_type == "design":
            return CheckOutcome("consistency", PASS, "designs propose new values; not compared with evidence")
        facts = [self._of(e) for e in sample.evidence]
        squashed = "\n".join(f.squashed for f in facts)
        answer = sample.answer
        problems: list[str] = []
        for block in _FENCE.findall(answer):
            for line in filter(str.strip, block.splitlines()):
                if _squash(line) not in squashed:
                    problems.append(f"code line not in evidence: {line.strip()[:60]!r}")
        answer = _FENCE.sub(" ", answer)
        for quoted in _BACKTICK.findall(answer):
            code = quoted.strip()
            if not (_PLAIN_NAME.fullmatch(code) or _DESCRIPTOR.fullmatch(code)) and _squash(code) not in squashed:
                problems.append(f"code not in evidence: {quoted[:60]!r}")
        for groups in _QUOTED.findall(answer):
            quoted = next(g for g in groups if g)
            pieces = [_squash(p) for p in _FORMAT_GAP.split(quoted)]
            if not all(p in squashed for p in pieces if p):
                problems.append(f"quoted text not in evidence: {quoted[:60]!r}")
        prose = _COUNTED.sub(" ", _LIST_MARKER.sub(" ", _PATH_LIKE.sub(" ", _BACKTICK.sub(" ", answer))))
        allowed = frozenset().union(*(f.numbers for f in facts))
        missing = sorted({n for n in _NUMBER.findall(prose) if n not in allowed})
        if missing:
            problems.append(f"numbers not in evidence: {', '.join(missing[:8])}")
        if problems:
            return CheckOutcome("consistency", FAIL, "; ".join(problems[:5]))
        return CheckOutcome("consistency", PASS)

    def length(self, sample: Sample) -> CheckOutcome:
        lim = self.limits
        q_lo, q_hi = lim.question_chars
        a_lo, a_hi = lim.answer_chars[sample.language]
        fails = []
        if not q_lo <= len(sample.question) <= q_hi:
            fails.append(f"question has {len(sample.question)} chars (bounds {q_lo}-{q_hi})")
        if not a_lo <= len(sample.answer) <= a_hi:
            fails.append(f"answer has {len(sample.answer)} chars (bounds {a_lo}-{a_hi})")
        if fails:
            return CheckOutcome("length", FAIL, "; ".join(fails))
        warns = [
            f"[{e.id}] spans {e.end_line - e.start_line + 1} lines (evidence should be minimal, <= {lim.evidence_lines_per_item})"
            for e in sample.evidence if e.end_line - e.start_line + 1 > lim.evidence_lines_per_item
        ]
        if len(sample.evidence) > lim.evidence_items:
            warns.append(f"{len(sample.evidence)} evidence items (evidence should be minimal, <= {lim.evidence_items})")
        if len(sample.trace) > lim.trace_steps:
            warns.append(f"{len(sample.trace)} reasoning steps (at most {lim.trace_steps})")
        return CheckOutcome("length", WARN, "; ".join(warns)) if warns else CheckOutcome("length", PASS)

    def language(self, sample: Sample) -> CheckOutcome:
        """Plainly the other language fails; a mix (comments quoted in the other language) warns."""
        fails, warns = [], []
        for part, text in (("question", sample.question), ("answer", sample.answer)):
            if sample.language == "en":
                share = chinese_share(_LABELS.sub(" ", text), by_runs=True)
                if share > 0.3:
                    (fails if share > 0.7 else warns).append(f"{part} is {share:.0%} Chinese in an English sample")
            elif (share := chinese_share(text)) < 0.5:
                (fails if share < 0.15 else warns).append(f"{part} is only {share:.0%} Chinese in a Chinese sample")
        if fails:
            return CheckOutcome("language", FAIL, "; ".join(fails + warns))
        return CheckOutcome("language", WARN, "; ".join(warns)) if warns else CheckOutcome("language", PASS)

    def secrets(self, sample: Sample) -> CheckOutcome:
        found = []
        for e in sample.evidence:
            found += [f"[{e.id}] {e.path}: {hit}" for hit in self._of(e).secrets]
        text = "\n".join([sample.question, sample.answer, *(s.claim for s in sample.trace)])
        found += [f"text: {hit}" for hit in find_secrets(text, is_config=False)]
        if found:
            return CheckOutcome("secrets", FAIL, "; ".join(found[:5]))
        return CheckOutcome("secrets", PASS)

    def generated_code(self, sample: Sample) -> CheckOutcome:
        generated = self.facts.generated_paths
        if generated and all(e.path in generated for e in sample.evidence):
            return CheckOutcome("generated_code", WARN, "all evidence is in generated code (MyBatis Generator output)")
        return CheckOutcome("generated_code", PASS)


def chinese_share(text: str, by_runs: bool = False) -> float:
    """Chinese against English prose, code, paths and quotes left out (they are language-neutral).

    `by_runs` counts a run of CJK characters as one word: an English sentence naming
    a Chinese status label (待付款) is still English.
    """
    prose = _PATH_OR_URL.sub(" ", _QUOTED.sub(" ", _BACKTICK.sub(" ", _FENCE.sub(" ", text))))
    cjk = len((_CJK_RUN if by_runs else _CJK).findall(prose))
    words = sum(1 for w in _PROSE_WORD.findall(prose) if len(w) > 1)
    total = cjk + words
    return cjk / total if total else 0.0
