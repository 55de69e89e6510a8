"""MyBatis mapper XML: each statement's namespace, id, kind, flattened SQL and exact lines.

expat reports the line of every start and end tag, which ElementTree drops;
the spans must be exact because they become evidence. Dynamic tags (`<if>`,
`<foreach>`, `<where>`, `<include>` ...) are flattened to their text so the
SQL can be read and its tables found; `<include refid>` pulls in the
namespace's `<sql>` fragment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.parsers import expat

STATEMENT_KINDS = ("select", "insert", "update", "delete")
_TABLE_RE = re.compile(
    r"\b(?:from|join|update|into)\s+([`\"\w.]+(?:\s+(?:as\s+)?\w+)?(?:\s*,\s*[`\"\w.]+(?:\s+(?:as\s+)?\w+)?)*)",
    re.IGNORECASE,
)
_SQL_WORDS = frozenset({
    "select", "where", "set", "values", "on", "left", "right", "inner", "outer", "join", "group", "order",
    "limit", "as", "dual", "having", "union", "and", "or", "not", "exists", "in", "lateral",
})
_SPACE = re.compile(r"[ \t]*\n\s*\n+")


@dataclass
class Statement:
    statement: str
    kind: str
    start_line: int
    end_line: int
    parts: list = field(default_factory=list)   # str or ("include", refid)
    sql: str = ""
    tables: list[str] = field(default_factory=list)


@dataclass
class Mapper:
    namespace: str
    statements: list[Statement]
    fragments: dict[str, tuple[int, int]]        # <sql id> -> lines, for chunks


def is_mapper(data: bytes) -> bool:
    return b"<mapper" in data and b"namespace" in data


def tables_in(sql: str) -> list[str]:
    """Table names after FROM / JOIN / UPDATE / INTO, in order of first use, lower-cased."""
    found: list[str] = []
    for match in _TABLE_RE.finditer(sql):
        for item in match.group(1).split(","):
            words = item.strip().split()
            if not words:
                continue
            name = words[0].strip("`\"").lower()
            if name and name not in _SQL_WORDS and not name.startswith("(") and re.fullmatch(r"[\w.]+", name) \
                    and name not in found:
                found.append(name)
    return found


def _flatten(parts: list, fragments: dict[str, list], depth: int = 0) -> str:
    out: list[str] = []
    for part in parts:
        if isinstance(part, tuple):
            refid = part[1].rsplit(".", 1)[-1]
            if depth < 5 and refid in fragments:
                out.append(_flatten(fragments[refid], fragments, depth + 1))
        else:
            out.append(part)
    return "".join(out)


def normalize_sql(raw: str) -> str:
    lines = [line.rstrip() for line in raw.splitlines()]
    lines = [line for line in lines if line.strip()]
    if not lines:
        return ""
    indent = min(len(line) - len(line.lstrip()) for line in lines)
    return "\n".join(line[indent:] for line in lines)


def parse_mapper(data: str | bytes) -> Mapper | None:
    """The mapper in `data`, or None when it is not a MyBatis mapper. Raises MalformedSource on bad XML.

    Give the decoded text (`core.source`): expat reads a str as UTF-8 whatever the XML declaration
    says, so a mapper declared `encoding="GBK"` or `gb2312` (encodings expat does not know) parses.
    """
    parser = expat.ParserCreate()
    namespace = ""
    statements: list[Statement] = []
    fragment_parts: dict[str, list] = {}
    fragment_lines: dict[str, tuple[int, int]] = {}
    stack: list[object] = []               # per open element: its Statement, fragment id, or None
    current: list | None = None            # parts being collected
    root_seen = False

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal namespace, current, root_seen
        line = parser.CurrentLineNumber
        if not root_seen:
            root_seen = True
            if tag != "mapper":
                raise _NotMapper
            namespace = attrs.get("namespace", "")
        owner: object = None
        if len(stack) == 1 and tag in STATEMENT_KINDS and "id" in attrs:
            owner = Statement(attrs["id"], tag, line, line)
            statements.append(owner)
            current = owner.parts
        elif len(stack) == 1 and tag == "sql" and "id" in attrs:
            owner = attrs["id"]
            fragment_parts[owner] = []
            fragment_lines[owner] = (line, line)
            current = fragment_parts[owner]
        elif current is not None and tag == "include" and "refid" in attrs:
            current.append(("include", attrs["refid"]))
        elif current is not None and tag in ("where", "set", "trim"):
            current.append(f" {tag.upper() if tag != 'trim' else attrs.get('prefix', '')} ")
        stack.append(owner)

    def end(tag: str) -> None:
        nonlocal current
        owner = stack.pop()
        line = parser.CurrentLineNumber
        if isinstance(owner, Statement):
            owner.end_line = line
            current = None
        elif isinstance(owner, str):
            fragment_lines[owner] = (fragment_lines[owner][0], line)
            current = None

    def chars(data_text: str) -> None:
        if current is not None:
            current.append(data_text)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(data, True)
    except _NotMapper:
        return None
    except expat.ExpatError as exc:
        raise MalformedSource(f"malformed XML: {expat.ErrorString(exc.code)}", exc.lineno) from None
    if not namespace:
        return None
    for stmt in statements:
        stmt.sql = normalize_sql(_flatten(stmt.parts, fragment_parts))
        stmt.tables = tables_in(stmt.sql)
        stmt.parts = []
    return Mapper(namespace, statements, fragment_lines)


class _NotMapper(Exception):
    pass


class MalformedSource(ValueError):
    """A file that does not parse; `line` is where the parser gave up."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


# ------------------------------------------------------- annotation SQL --
ANNOTATION_KINDS = {"Select": "select", "Update": "update", "Insert": "insert", "Delete": "delete"}
_JAVA_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_SCRIPT_TAG = re.compile(r"</?\w+[^>]*>")


def annotation_statement(annotations: list[dict]) -> tuple[str, str] | None:
    """(kind, sql) of a mapper method whose SQL sits in an annotation instead of XML: MyBatis
    `@Update("UPDATE t SET status = 2 WHERE id = #{id}")` (string pieces joined, `<script>` tags dropped)
    or Spring Data `@Query(value = "...", nativeQuery = true)`. JPQL (`@Query` without nativeQuery)
    names entities, not tables, so it is no SQL statement here."""
    for ann in annotations or []:
        name, args = ann.get("name", "").rsplit(".", 1)[-1], ann.get("args") or ""
        if name in ANNOTATION_KINDS:
            kind = ANNOTATION_KINDS[name]
        elif name == "Query" and re.search(r"\bnativeQuery\s*=\s*true\b", args):
            kind = None
        else:
            continue
        if name == "Query":   # only the value / positional string, not countQuery = "..."
            args = re.sub(r"\b(?:countQuery|name|countName)\s*=\s*\"(?:[^\"\\]|\\.)*\"", "", args)
        sql = " ".join(m.group(1).replace('\\"', '"') for m in _JAVA_STRING.finditer(args))
        sql = re.sub(r"\s+", " ", _SCRIPT_TAG.sub(" ", sql)).strip()
        if not sql:
            continue
        kind = kind or next((k for k in STATEMENT_KINDS if re.match(rf"\s*{k}\b", sql, re.I)), None)
        if kind:
            return kind, sql
    return None
