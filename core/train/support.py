"""Does the code an answer cites hold what its reasoning claims say?

A citation that points at an existing file and an existing line range is not
yet grounding: moved a few lines, it still "exists". Each reasoning claim is
therefore checked against the text of the lines it cites: every code name it
uses (in backticks or code-shaped), every quoted literal, every number written
in code, and every line number it mentions ("line 71", "第 64 行") must be found
there. A name also counts as found when

* a cited span lies inside its declaration (`OrderServiceImpl.close` for lines
  in the body of `close`) or the file is named for it; it is a field of a type
  enclosing the span, or the doc comment of an enclosing declaration names it
  (a constants class documented as "ord_refund.refund_status");
* a field of that type is used there (`orderDao` for `OrdOrderDao`);
* it is in the body of a method the cited lines call (`isApplied(refund)`) of
  their own file or of a class they name: one call deep, as a reader of those
  lines would look it up;
* a span that starts a type's declaration (its annotation line) holds the
  declaration's header through its `{`: it is one declaration;
* the cited lines declare a type extending a persistence base of MyBatis-Plus
  or Spring Data (`extends BaseMapper<OrdPayment>`), and it is one of the
  methods that base declares (`updateById`, `save`).

Names are compared the way MyBatis and Lombok map them: `lock_stock` =
`lockStock`, `getPayAmount` = `payAmount`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from core.models import Span

_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+")
_BACKTICKS = re.compile(r"`([^`]+)`")
_LITERAL = re.compile(r'"([^"\n]+)"|“([^”\n]+)”')
_LINE_REF = re.compile(r"\blines?\s+(\d+)(?:\s*[-–]\s*(\d+))?|第\s*(\d+)\s*(?:[-–至到]\s*(\d+)\s*)?行")
_ACCESSOR = re.compile(r"^(?:get|set|is)(?=[A-Z])")
_CODE_SHAPED = re.compile(
    r"^(?:[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+|[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+"
    r"|[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)$"
)
_FILE_NAME = re.compile(r"[\w./\\-]+\.(?:java|xml|ya?ml|properties|sql|md|json)\b")


def canonical(name: str) -> str:
    """One spelling for a field, its accessors and its column: getLockStock, lockStock, lock_stock -> lockstock."""
    return _ACCESSOR.sub("", name).replace("_", "").lower()


_TYPES = ("class", "interface", "enum", "record", "annotation")
# the write and read methods a repository interface inherits from its framework base (no source declares them)
_SPRING_DATA = ("save saveAll saveAndFlush saveAllAndFlush delete deleteById deleteAll deleteAllById deleteAllInBatch "
                "deleteInBatch findById findAll findAllById existsById count flush getById getReferenceById")
FRAMEWORK_BASES: dict[str, frozenset[str]] = {
    "BaseMapper": frozenset("insert deleteById deleteByMap delete deleteBatchIds deleteByIds updateById update "
                            "selectById selectBatchIds selectByIds selectByMap selectOne selectCount selectList "
                            "selectMaps selectObjs selectPage selectMapsPage exists insertOrUpdate".split()),
    **{base: frozenset(_SPRING_DATA.split()) for base in
       ("CrudRepository", "JpaRepository", "PagingAndSortingRepository", "ListCrudRepository")},
}
_EXTENDS = re.compile(r"\bextends\s+([\w\s,<>.?]+)")


@dataclass(frozen=True)
class Declaration:
    path: str
    start: int
    end: int
    name: str
    kind: str
    doc: str = ""


@dataclass
class CodeSpans:
    """The repository's lines and the declarations around them.

    `read_lines(path)` gives a file's lines (None when unreadable); the
    declarations are the index's classes, methods, fields and SQL statements.
    """

    read_lines: Callable[[str], list[str] | None]
    by_path: dict[str, list[Declaration]] = field(default_factory=dict)
    methods: dict[str, list[Declaration]] = field(default_factory=dict)
    field_types: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, read_lines: Callable[[str], list[str] | None],
                  rows: Iterable[tuple[str, int, int, str, str | None, str | None, str | None]]) -> CodeSpans:
        """rows: (path, start_line, end_line, name, kind, type, doc) of symbols and SQL statements."""
        spans = cls(read_lines)
        for path, start, end, name, kind, type_, doc in rows:
            decl = Declaration(path, start, end, name, kind or "", doc or "")
            spans.by_path.setdefault(path, []).append(decl)
            if kind in ("method", "sql"):
                spans.methods.setdefault(name, []).append(decl)
            if kind == "field" and type_:
                spans.field_types.setdefault(name, set()).update(_TOKEN.findall(type_))
        return spans

    def text(self, path: str, start: int, end: int) -> str | None:
        lines = self.read_lines(path)
        if lines is None or end > len(lines):
            return None
        return "\n".join(lines[start - 1: end])

    def enclosing(self, span: Span) -> list[Declaration]:
        return [d for d in self.by_path.get(span.path, ()) if d.start <= span.start_line and span.end_line <= d.end]

    def headers(self, span: Span) -> list[str]:
        """The header (through its `{`) of each type whose declaration starts at the span's first line."""
        lines = self.read_lines(span.path) or []
        out = []
        for d in self.by_path.get(span.path, ()):
            if d.kind in _TYPES and d.start == span.start_line:
                end = next((n for n in range(d.start, min(d.end, d.start + 8) + 1) if "{" in lines[n - 1]), d.start)
                out.append("\n".join(lines[d.start - 1: end]))
        return out

    def fields_of(self, owner: Declaration) -> list[str]:
        return [d.name for d in self.by_path.get(owner.path, ())
                if d.kind == "field" and owner.start <= d.start and d.end <= owner.end]

    def called_bodies(self, span: Span, words: set[str]) -> list[str]:
        """Bodies of the methods the span's words name, declared in its own file or a file it names."""
        bodies = []
        for word in words:
            for decl in self.methods.get(word, ()):
                if decl.path == span.path or PurePosixPath(decl.path).name.split(".")[0] in words:
                    bodies.append(self.text(decl.path, decl.start, decl.end) or "")
        return bodies


def _code_names(claim: str) -> tuple[list[str], list[str]]:
    """Tokens written as code (backticks) and code-shaped names in the prose around them."""
    in_code = [tok for part in _BACKTICKS.findall(claim) for tok in _TOKEN.findall(part)]
    prose = _FILE_NAME.sub(" ", _BACKTICKS.sub(" ", claim))
    shaped = [w for w in _TOKEN.findall(prose) if _CODE_SHAPED.match(w)]
    return in_code, shaped


class _Held:
    """Everything the cited spans of one claim hold, in canonical spelling."""

    def __init__(self, spans: list[Span], texts: list[str], code: CodeSpans, proposed: frozenset[str]):
        texts = texts + [h for span in spans for h in code.headers(span)]
        words = set(_TOKEN.findall("\n".join(texts)))
        self.numbers = {w for w in words if w.isdigit()}
        names = {w for w in words if not w.isdigit()}
        for span in spans:
            enclosing = code.enclosing(span)
            names.add(PurePosixPath(span.path).name.split(".")[0])
            names.update(_TOKEN.findall(PurePosixPath(span.path).name))   # a claim may name the cited file itself
            for decl in enclosing:
                names.add(decl.name)
                names.update(_TOKEN.findall(decl.doc))
                if decl.kind in _TYPES:
                    names.update(code.fields_of(decl))
            for body in code.called_bodies(span, words):
                names.update(_TOKEN.findall(body))
        names.update(t for w in words for t in code.field_types.get(w, ()))
        for bases in _EXTENDS.findall("\n".join(texts)):  # texts: the cited lines and headers they start
            for base in _TOKEN.findall(bases):
                names.update(FRAMEWORK_BASES.get(base, ()))
        self.names = {canonical(n) for n in names if not n.isdigit()} | {canonical(p) for p in proposed}

    def __contains__(self, token: str) -> bool:
        if token.isdigit():
            return token in self.numbers
        c = canonical(token)
        return c in self.names or (c.endswith("s") and c[:-1] in self.names)


def claim_problems(claim: str, spans: list[Span], code: CodeSpans, proposed: frozenset[str] = frozenset()) -> list[str]:
    """What the claim says that the cited lines do not hold; empty when it is supported."""
    texts = [code.text(s.path, s.start_line, s.end_line) for s in spans]
    if not spans or any(t is None for t in texts):
        return ["cites lines that cannot be read"]
    held = _Held(spans, texts, code, proposed)
    problems = []
    for m in _LINE_REF.finditer(claim):
        first = int(m[1] or m[3])
        last = int(m[2] or m[4] or first)
        if not any(s.start_line <= first and last <= s.end_line for s in spans):
            problems.append(f"line {first} is outside the cited lines")
    claim = _LINE_REF.sub(" ", claim)
    in_code, shaped = _code_names(claim)
    missing = [t for t in dict.fromkeys([*in_code, *shaped]) if t not in held]
    if missing:
        problems.append("names not in the cited lines: " + ", ".join(missing[:8]))
    flat = " ".join(" ".join(texts).split())
    for m in _LITERAL.finditer(_BACKTICKS.sub(" ", claim)):
        literal = " ".join((m[1] or m[2]).split())
        if literal not in flat:
            problems.append(f"literal {literal[:40]!r} not in the cited lines")
    return problems
