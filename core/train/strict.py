"""Strict validation of a model's answer against the indexed repository.

A fine-tuned model is only useful if its answers stay checkable: the layout
of `core.answer_format` is followed, every cited file and line range exists,
no class, method, field or table is invented, and the cited lines hold what
each reasoning claim says (`core.train.support`). Identifiers are recognised
by shape (CamelCase, camelCase, snake_case, UPPER_SNAKE) so ordinary words
never count, and are looked up in every name the index recorded (symbols,
their signatures and types, SQL tables and columns, config keys).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from core.answer_format import parse_answer
from core.train.support import CodeSpans, claim_problems

_SHAPES = re.compile(
    r"^(?:[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+"      # CamelCase: OrderService, OmsOrderItem
    r"|[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+"         # camelCase: cancelOrder, lockStock
    r"|[a-z][a-z0-9]*(?:_[a-z0-9]+)+"             # snake_case: oms_order, delete_status
    r"|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)$"           # UPPER_SNAKE: ORDER_TIMEOUT
)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FILE_NAME = re.compile(r"[\w./\\-]+\.(?:java|xml|ya?ml|properties|sql|md|json)\b")
# Names from the JDK and Spring a correct answer may use although the repo never declares them.
PLATFORM_NAMES = frozenset("""
BigDecimal BigInteger LocalDate LocalDateTime ArrayList HashMap HashSet LinkedList TreeMap
RuntimeException IllegalArgumentException IllegalStateException NullPointerException
NumberFormatException IOException InterruptedException StringBuilder TimeUnit ThreadLocal
AtomicInteger AtomicLong ConcurrentHashMap CompletableFuture SimpleDateFormat
RestController RequestMapping GetMapping PostMapping PutMapping DeleteMapping RequestBody RequestParam
PathVariable ResponseBody Autowired Transactional SpringBootApplication MapperScan ConfigurationProperties
JdbcTemplate RabbitTemplate RabbitListener RedisTemplate StringRedisTemplate KafkaTemplate PageHelper
toString hashCode equals getClass valueOf compareTo isEmpty RoundingMode HALF_UP HALF_EVEN ROUND_HALF_UP
CollectionUtils StringUtils ObjectUtils BeanUtils MyBatis MyBatisPlus RabbitMQ MySQL SpringBoot
REQUIRES_NEW TransactionSynchronizationManager registerSynchronization afterCommit
""".split())
# the layer tags of a design answer's "Changes by layer" lines (core.models.LayerChange.layer)
LAYER_NAMES = frozenset({"service_impl", "mapper_xml"})
_CHANGES = ("Changes by layer", "分层改动")
_DATA = ("Data changes", "数据变更")
_HEADING = re.compile(r"^##\s+(.*?)\s*$")
_CHANGE_LINE = re.compile(r"^\s*-\s*\[[^\]]+\]\s*(?P<component>[^:：]+?)\s*(?P<new>\(new\)|（新增）)?\s*[:：]\s*(?P<change>.*)$")


@dataclass
class RepoFacts:
    """What an answer is checked against: file line counts and every known identifier."""

    line_counts: dict[str, int]
    identifiers: set[str] = field(default_factory=set)
    code: CodeSpans | None = None       # None: support is not checked (no repository text at hand)

    @classmethod
    def from_texts(cls, line_counts: dict[str, int], texts: Iterable[str | None],
                   code: CodeSpans | None = None) -> RepoFacts:
        """`texts`: symbol ids, names, signatures, types, SQL, table names ... as stored by the index."""
        known = set(PLATFORM_NAMES)
        for text in texts:
            if text:
                known.update(_WORD.findall(text))
        return cls(line_counts=dict(line_counts), identifiers=known, code=code)


@dataclass
class StrictCheck:
    layout_ok: bool
    citations_ok: bool
    unknown_identifiers: list[str]
    problems: list[str]
    supported: bool | None = None       # every claim held by its cited lines; None when not checked
    unsupported: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.layout_ok and self.citations_ok and not self.unknown_identifiers and self.supported is not False


def identifiers_in(text: str) -> list[str]:
    """Code-shaped names in prose, in order of first use, file names left out."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(_FILE_NAME.sub(" ", text)):
        if _SHAPES.match(word):
            seen.setdefault(word)
    return list(seen)


def proposed_names(body: str) -> set[str]:
    """Names a design answer introduces: components marked (new), what its changes add, its data changes.

    A design may add classes, methods, tables and columns; what must exist is
    everything else it names, the components it changes included.
    """
    proposed: set[str] = set()
    section = None
    for line in body.splitlines():
        if heading := _HEADING.match(line):
            section = heading[1]
        elif section in _DATA:
            proposed.update(identifiers_in(line))
        elif section in _CHANGES and (change := _CHANGE_LINE.match(line)):
            proposed.update(identifiers_in(change["change"]))
            if change["new"]:
                proposed.update(identifiers_in(change["component"]))
    return proposed


_ACCESSOR = re.compile(r"^(?:get|set|is)([A-Z]\w*)$")


def known(name: str, facts: RepoFacts) -> bool:
    """In the index, a plural of a name that is, or an accessor of a known field (Lombok's @Data
    declares none in the source)."""
    if name in facts.identifiers or name in LAYER_NAMES or (name.endswith("s") and name[:-1] in facts.identifiers):
        return True
    accessor = _ACCESSOR.match(name)
    return bool(accessor) and accessor[1][0].lower() + accessor[1][1:] in facts.identifiers


def check_output(text: str, facts: RepoFacts) -> StrictCheck:
    parsed = parse_answer(text)
    problems = list(parsed.problems)
    citations_ok = bool(parsed.citations)
    for cid, span in parsed.citations.items():
        lines = facts.line_counts.get(span.path)
        if lines is None:
            citations_ok = False
            problems.append(f"[{cid}] cites {span.path}, which is not in the indexed repository")
        elif span.end_line > lines:
            citations_ok = False
            problems.append(f"[{cid}] cites lines {span.start_line}-{span.end_line} of {span.path}, which has {lines}")
    if not parsed.citations and not parsed.problems:
        problems.append("no citations")
    # the body is the whole text when the sections are missing; evidence lines are paths, not prose
    prose = "\n".join([parsed.body, *(claim for claim, _ in parsed.trace)])
    proposed = proposed_names(parsed.body)
    unknown = [name for name in identifiers_in(prose) if name not in proposed and not known(name, facts)]
    if unknown:
        problems.append("names absent from the repository: " + ", ".join(unknown[:10]))
    supported, unsupported = None, []
    if facts.code is not None:
        unsupported = _unsupported_claims(parsed, facts.code, frozenset(proposed))
        supported = bool(parsed.trace) and citations_ok and not unsupported
        problems += unsupported
    return StrictCheck(layout_ok=parsed.layout_ok, citations_ok=citations_ok, unknown_identifiers=unknown,
                       problems=problems, supported=supported, unsupported=unsupported)


def _unsupported_claims(parsed, code: CodeSpans, proposed: frozenset[str]) -> list[str]:
    """One line per reasoning claim whose cited lines do not hold what it says."""
    out = []
    for n, (claim, ids) in enumerate(parsed.trace, 1):
        spans = [parsed.citations[i] for i in ids if i in parsed.citations]
        if problems := claim_problems(claim, spans, code, proposed):
            out.append(f"claim {n} not supported by {''.join(f'[{i}]' for i in ids)}: " + "; ".join(problems))
    return out


_ROUGE_TOKEN = re.compile(r"[\u3400-\u9fff]|[a-z0-9_]+")


def rouge_tokens(text: str) -> list[str]:
    """Lower-cased words, and single characters for CJK text (which has no spaces)."""
    return _ROUGE_TOKEN.findall(text.lower())


def rouge_l(candidate: str, reference: str) -> float:
    """ROUGE-L F1 (beta 1): longest common subsequence of tokens over both lengths."""
    cand, ref = rouge_tokens(candidate), rouge_tokens(reference)
    if not cand or not ref:
        return 0.0
    previous = [0] * (len(ref) + 1)
    for c in cand:
        current = [0]
        for j, r in enumerate(ref, 1):
            current.append(previous[j - 1] + 1 if c == r else max(previous[j], current[j - 1]))
        previous = current
    lcs = previous[-1]
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(cand), lcs / len(ref)
    return 2 * precision * recall / (precision + recall)


MEASURES = ("layout_pct", "citation_pct", "identifier_pct", "support_pct")


def measures(rows: list[dict]) -> dict:
    """Answers, layout compliance %, citation validity %, identifier-clean %, supported %, mean ROUGE-L.

    support_pct is None for results stored before the support check existed.
    """
    n = len(rows)
    judged = [r for r in rows if r.get("supported") is not None]
    return {
        "answers": n,
        "layout_pct": round(100 * sum(bool(r["layout_ok"]) for r in rows) / n, 1),
        "citation_pct": round(100 * sum(bool(r["citations_ok"]) for r in rows) / n, 1),
        "identifier_pct": round(100 * sum(not r["unknown_identifiers"] for r in rows) / n, 1),
        "support_pct": round(100 * sum(bool(r["supported"]) for r in judged) / len(judged), 1) if judged else None,
        "rouge_l": round(sum(r["overlap"] or 0.0 for r in rows) / n, 4),
    }


def summarize(rows: list[dict]) -> dict[str, dict]:
    """`measures` per model kind (base, tuned, reference)."""
    return {kind: measures([r for r in rows if r["model_kind"] == kind])
            for kind in sorted({r["model_kind"] for r in rows})}
