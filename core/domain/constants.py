"""Named constants and what they stand for: `OrderUtil.STATUS_PAY` is `201`, labelled `已付款`.

Code bases rarely write a status code as a bare number. litemall keeps
`public static final Short STATUS_PAY = 201;` in a constant class and maps the
codes to text in a method (`if (status == 201) return "已付款";`); newbee-mall
writes `NewBeeMallOrderStatusEnum.ORDER_PAID.getOrderStatus()` for an enum
constant `ORDER_PAID(1, "已支付")`. A rule that quotes the expression teaches
nothing; a rule that says `201 (已付款)` and cites the declaration does.

The table is built at map time from the index (every `static final` field
with a literal value, every enum constant with its code and label arguments),
stored in `map_constants`, and read back by later stages as a `ConstantTable`
whose `resolve(expr)` turns an expression into the `Constant` it names.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

from core.index import java_ast
from core.index.java_ast import lines, text
from core.rules.render import balanced_parens

_VALUE_TYPES = frozenset({"int", "Integer", "short", "Short", "long", "Long", "byte", "Byte", "String", "char",
                          "Character"})
_INT = re.compile(r"^-?\d+$")
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_NUMBER_LITERAL = r"-?\d+[lL]?"
_CAST = re.compile(r"^\(\s*(?:byte|short|int|long|char|Byte|Short|Integer|Long|String)\s*\)\s*")
_BOXING = re.compile(r"^(?:Byte|Short|Integer|Long|String)\.valueOf\((.*)\)$")
_UNBOXING = re.compile(r"\.(?:intValue|shortValue|byteValue|longValue|toString)\(\)$")
_ACCESSOR = re.compile(r"^(.+)\.(?:get|is)?(\w+?)(\(\))?$")
_COMMENT_MARKS = re.compile(r"^\s*(/\*\*?|\*/|\*|//)\s*|\s*\*/\s*$")
CODE_TYPES = frozenset({"int", "Integer", "short", "Short", "long", "Long", "byte", "Byte"})


@dataclass(frozen=True)
class Constant:
    """One named value: a `static final` field or an enum constant."""

    const_id: str              # fully qualified: pkg.OrderUtil.STATUS_PAY
    owner: str                 # the declaring class's symbol id
    name: str                  # STATUS_PAY
    kind: str                  # field | enum | predicate (a static boolean test of one field for one code)
    value: str | None          # "201"; a String constant without its quotes; an enum constant's code argument
    label: str | None          # 已付款 (from a comment, the enum's label argument, or a mapping method)
    label_source: str | None   # comment | enum | mapping | None
    path: str
    line: int                  # the declaration's line: evidence that the name means the value
    label_start: int | None = None   # lines of `path` that prove the label (comment, `if ... return "..."`)
    label_end: int | None = None
    accessor: str | None = None      # enum: the field holding the code (orderStatus), read by getOrderStatus()
    value_type: str | None = None    # field: its declared type (Short); enum: None

    @property
    def owner_name(self) -> str:
        return self.owner.rsplit(".", 1)[-1]

    @property
    def qualified_name(self) -> str:
        """`OrderUtil.STATUS_PAY`, the way code usually writes it."""
        return f"{self.owner_name}.{self.name}"

    @property
    def is_code(self) -> bool:
        """An integer code (a status, a type), as opposed to a string or a bare enum name."""
        return self.value is not None and bool(_INT.match(self.value))

    def text(self) -> str:
        """`201 (已付款)`; the value alone when no label is known; the name when there is no value."""
        if self.value is None:
            return self.name
        if self.label and self.label != self.name:
            return f"{self.value} ({self.label})"
        return self.value

    def evidence(self) -> list[tuple[int, int]]:
        """Lines of `path` proving the value and the label, merged when they touch."""
        spans = [(self.line, self.line)]
        if self.label_start is not None:
            spans.append((self.label_start, self.label_end or self.label_start))
        spans.sort()
        out = [spans[0]]
        for s, e in spans[1:]:
            if s <= out[-1][1] + 1:
                out[-1] = (out[-1][0], max(out[-1][1], e))
            else:
                out.append((s, e))
        return out

    def row(self, repo_id: str) -> tuple:
        d = asdict(self)
        return (repo_id, *[d[c] for c in CONSTANT_FIELDS])


CONSTANT_FIELDS = ("const_id", "owner", "name", "kind", "value", "label", "label_source", "path", "line",
                   "label_start", "label_end", "accessor", "value_type")


# ------------------------------------------------------------ building --
def comment_label(doc: str | None) -> str | None:
    """The first prose line of a comment (`/** 已付款 */`, `// paid`), without markers and tags."""
    for raw in (doc or "").splitlines():
        line = _COMMENT_MARKS.sub("", raw).strip()
        line = _COMMENT_MARKS.sub("", line).strip()
        if line and not line.startswith("@"):
            return line[:80]
    return None


def field_value(signature: str | None, name: str) -> str | None:
    """The literal a field is initialised with: `... STATUS_PAY = 201;` -> "201", `= "paid"` -> "paid"."""
    if not signature:
        return None
    m = re.search(rf"\b{re.escape(name)}\s*=\s*(?:\(\s*\w+\s*\)\s*)?({_NUMBER_LITERAL}|\"(?:[^\"\\]|\\.)*\"|'.')\s*[,;]",
                  signature)
    if not m:
        return None
    raw = m.group(1)
    if raw.startswith('"'):
        return raw[1:-1]
    if raw.startswith("'"):
        return raw[1]
    return raw.rstrip("lL")


def _split_args(args: str) -> list[str]:
    """Top-level comma-separated arguments (commas inside strings or calls do not split)."""
    parts, depth, quote, cur = [], 0, None, []
    for ch in args:
        if quote:
            cur.append(ch)
            if ch == quote and (len(cur) < 2 or cur[-2] != "\\"):
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    if "".join(cur).strip():
        parts.append("".join(cur).strip())
    return parts


def enum_arguments(signature: str | None) -> list[str]:
    """The constructor arguments of an enum constant `PAID(1, "已支付") {...}` -> ['1', '"已支付"']."""
    if not signature or "(" not in signature:
        return []
    head = signature.split("{", 1)[0]
    if ")" not in head:
        return []
    return _split_args(head[head.index("(") + 1: head.rindex(")")])


def enum_code_and_label(args: list[str]) -> tuple[int | None, int | None]:
    """Positions of the code argument (first integer, else first string) and the label (the next string)."""
    ints = [i for i, a in enumerate(args) if _INT.match(a.rstrip("lL"))]
    strings = [i for i, a in enumerate(args) if a.startswith('"')]
    if ints:
        return ints[0], (strings[0] if strings else None)
    if strings:
        return strings[0], (strings[1] if len(strings) > 1 else None)
    return None, None


def _unquote(arg: str) -> str:
    return arg[1:-1] if arg.startswith('"') else arg.rstrip("lL")


def constants_of(cls: dict, members: list[dict], doc_start: Callable[[dict], int]) -> list[Constant]:
    """The constants one class declares (before mapping-method labels are applied)."""
    out: list[Constant] = []
    if cls["kind"] == "enum":
        instance_fields = [m["name"] for m in members if m["kind"] == "field" and "static" not in (m["modifiers"] or "")]
        for c in (m for m in members if m["kind"] == "enum_constant"):
            args = enum_arguments(c["signature"])
            code_at, label_at = enum_code_and_label(args)
            label = _unquote(args[label_at]) if label_at is not None else comment_label(c["doc"])
            source = "enum" if label_at is not None else ("comment" if label else None)
            accessor = instance_fields[code_at] if code_at is not None and len(instance_fields) == len(args) else None
            start = doc_start(c) if source == "comment" else c["start_line"]
            out.append(Constant(
                c["symbol_id"], cls["symbol_id"], c["name"], "enum",
                _unquote(args[code_at]) if code_at is not None else None, label, source, c["path"], c["start_line"],
                start if label else None, c["end_line"] if label else None, accessor, None))
        return out
    implicit = cls["kind"] == "interface"   # interface fields are static final without saying so
    for m in members:
        mods = m["modifiers"] or ""
        if m["kind"] != "field" or not (implicit or ("static" in mods and "final" in mods)):
            continue
        if (m["type"] or "").strip() not in _VALUE_TYPES:
            continue
        value = field_value(m["signature"], m["name"])
        if value is None:
            continue
        label = comment_label(m["doc"])
        out.append(Constant(
            m["symbol_id"], cls["symbol_id"], m["name"], "field", value, label, "comment" if label else None,
            m["path"], m["start_line"], doc_start(m) if label else None, m["end_line"] if label else None, None,
            m["type"].strip()))
    return out


# ------------------------------------------------- mapping methods --
def mapping_labels(source: str, class_name: str, names: dict[str, str]) -> dict[str, tuple[str, int, int]]:
    """code -> (label, first line, last line) from methods of `class_name` that return a text per code.

    `if (status == 101) { return "未付款"; }`, `case STATUS_PAY: return "已付款";` and
    `case 201 -> "已付款";` all count; a constant name in the condition is turned into its
    value through `names` (constant name -> value). Only String-returning methods are read.
    """
    out: dict[str, tuple[str, int, int]] = {}
    tree = java_ast.parse(source)
    for cls in java_ast.walk(tree.root_node, {"class_declaration", "enum_declaration", "interface_declaration"}):
        if text(cls.child_by_field_name("name")) != class_name:
            continue
        for method in java_ast.method_declarations(cls):
            if text(method.child_by_field_name("type")) != "String" or method.child_by_field_name("body") is None:
                continue
            for code, label, start, end in _method_mappings(method, names):
                out.setdefault(code, (label, start, end))
    return out


def _code_of(node, names: dict[str, str]) -> str | None:
    raw = re.sub(r"\s+", "", text(node))
    raw = _CAST.sub("", raw)
    if _INT.match(raw.rstrip("lL")):
        return raw.rstrip("lL")
    return names.get(raw.rsplit(".", 1)[-1])


def _returned_string(stmt) -> str | None:
    """`return "x";` / `yield "x";` (alone in a block, or the statement itself) -> x."""
    if stmt is not None and stmt.type == "block":
        inner = [c for c in stmt.named_children if c.type not in ("line_comment", "block_comment")]
        stmt = inner[0] if len(inner) == 1 else None
    if stmt is None or stmt.type not in ("return_statement", "yield_statement") or not stmt.named_children:
        return None
    value = stmt.named_children[0]
    return text(value)[1:-1] if value.type == "string_literal" else None


def _method_mappings(method, names: dict[str, str]) -> Iterable[tuple[str, str, int, int]]:
    for node in java_ast.walk(method, {"if_statement", "switch_block_statement_group", "switch_rule"}):
        if node.type == "if_statement":
            cond = node.child_by_field_name("condition")
            inner = cond.named_children[0] if cond is not None and cond.named_children else None
            label = _returned_string(node.child_by_field_name("consequence"))
            if inner is None or label is None:
                continue
            code = None
            if inner.type == "binary_expression" and text(inner.child_by_field_name("operator")) == "==":
                code = _code_of(inner.child_by_field_name("right"), names) or \
                    _code_of(inner.child_by_field_name("left"), names)
            elif inner.type == "method_invocation" and text(inner.child_by_field_name("name")) == "equals":
                args = inner.child_by_field_name("arguments")
                code = _code_of(args.named_children[0], names) if args is not None and args.named_children else None
            if code is not None:
                yield code, label, lines(node)[0], lines(node.child_by_field_name("consequence"))[1]
            continue
        labels = [c for c in node.named_children if c.type == "switch_label"]
        body = [c for c in node.named_children if c.type not in ("switch_label", "line_comment", "block_comment")]
        if node.type == "switch_rule":
            value = body[0] if body else None
            label = text(value)[1:-1] if value is not None and value.type == "string_literal" else \
                (_returned_string(value) if value is not None else None)
            if value is not None and value.type == "expression_statement" and value.named_children \
                    and value.named_children[0].type == "string_literal":
                label = text(value.named_children[0])[1:-1]
        else:
            label = _returned_string(body[0]) if body else None
        if label is None:
            continue
        for case in labels:
            for value in case.named_children:
                code = _code_of(value, names)
                if code is not None:
                    yield code, label, lines(node)[0], lines(node)[1]


def with_mapping_labels(consts: list[Constant], source: str | None, class_name: str) -> tuple[list[Constant], dict]:
    """Constants of one class with labels from its mapping method (a label there beats a comment),
    and the mapping itself (code -> (label, start, end)), which may name codes no constant has."""
    fields = [c for c in consts if c.kind == "field" and c.is_code]
    if not source or not fields:
        return consts, {}
    mapping = mapping_labels(source, class_name, {c.name: c.value for c in fields})
    if not mapping:
        return consts, {}
    out = []
    for c in consts:
        found = mapping.get(c.value) if c.kind == "field" and c.is_code else None
        if found:
            label, start, end = found
            c = Constant(c.const_id, c.owner, c.name, c.kind, c.value, label, "mapping", c.path, c.line, start, end,
                         c.accessor, c.value_type)
        out.append(c)
    return out, mapping


# ------------------------------------------------------ status tests --
_GETTER_READ = re.compile(r"^(\w+)\.get(\w+)\(\)(?:\.(?:intValue|shortValue|byteValue|longValue)\(\))?$")


def status_predicates(source: str, owner: str, class_name: str, consts: list[Constant]) -> list[Constant]:
    """Static boolean methods that test one field for one code: `return STATUS_PAY == o.getOrderStatus()
    .shortValue();` or `STATUS_PAY.equals(o.getOrderStatus())` -> a Constant of kind "predicate" whose
    value is the code, accessor the field, label the code's label, lines the method."""
    by_name = {c.name: c for c in consts if c.kind == "field" and c.is_code}
    out = []
    tree = java_ast.parse(source)
    for cls in java_ast.walk(tree.root_node, {"class_declaration", "interface_declaration"}):
        if text(cls.child_by_field_name("name")) != class_name:
            continue
        for method in java_ast.method_declarations(cls):
            if java_ast.enclosing(method, {"class_declaration", "interface_declaration"}) != cls:
                continue
            found = _tested_code(method, by_name)
            if found is None:
                continue
            field, code = found
            name = text(method.child_by_field_name("name"))
            label = next((c.label for c in consts if c.value == code and c.label), None)
            start, end = lines(method)
            out.append(Constant(f"{owner}#{name}", owner, name, "predicate", code, label, None,
                                consts[0].path if consts else "", start, start, end, field, "boolean"))
    return out


def _tested_code(method, by_name: dict[str, Constant]) -> tuple[str, str] | None:
    """(field, code) when a boolean method's body is one `return` comparing a field with one code."""
    if text(method.child_by_field_name("type")) != "boolean":
        return None
    body = method.child_by_field_name("body")
    stmts = [c for c in (body.named_children if body is not None else []) if c.type not in ("line_comment",
                                                                                             "block_comment")]
    if len(stmts) != 1 or stmts[0].type != "return_statement" or not stmts[0].named_children:
        return None
    expr = stmts[0].named_children[0]
    if expr.type == "binary_expression" and text(expr.child_by_field_name("operator")) == "==":
        sides = [expr.child_by_field_name("left"), expr.child_by_field_name("right")]
    elif expr.type == "method_invocation" and text(expr.child_by_field_name("name")) == "equals":
        args = expr.child_by_field_name("arguments")
        sides = [expr.child_by_field_name("object"), *(args.named_children if args is not None else [])]
    else:
        return None
    if len(sides) != 2 or None in sides:
        return None
    codes, fields = [], []
    for side in sides:
        raw = re.sub(r"\s+", "", text(side))
        read = _GETTER_READ.match(raw)
        if read:
            fields.append(read.group(2)[:1].lower() + read.group(2)[1:])
        elif _INT.match(raw):
            codes.append(raw)
        elif raw.rsplit(".", 1)[-1] in by_name:
            codes.append(by_name[raw.rsplit(".", 1)[-1]].value)
    return (fields[0], codes[0]) if len(fields) == 1 and len(codes) == 1 else None


# ----------------------------------------------------------- resolving --
class ConstantTable:
    """Every constant of a repository, found by the way code names it.

    Keys: the fully qualified id (`pkg.OrderUtil.STATUS_PAY`), `OrderUtil.STATUS_PAY`, and the bare
    `STATUS_PAY` where only one class declares it (a static import, or code inside the class).
    """

    def __init__(self, constants: Iterable[Constant | dict]):
        self.by_id: dict[str, Constant] = {}
        short: dict[str, list[Constant]] = defaultdict(list)
        bare: dict[str, list[Constant]] = defaultdict(list)
        self.predicates: dict[str, Constant] = {}   # `OrderUtil.isPayStatus` / fq -> the code it tests for
        for c in constants:
            c = c if isinstance(c, Constant) else Constant(**{k: c[k] for k in CONSTANT_FIELDS})
            if c.kind == "predicate":
                self.predicates[c.const_id.replace("#", ".")] = self.predicates[c.qualified_name] = c
                continue
            self.by_id[c.const_id] = c
            short[c.qualified_name].append(c)
            bare[c.name].append(c)
        self.short = {k: v[0] for k, v in short.items() if len(v) == 1}
        self.bare = {k: v[0] for k, v in bare.items() if len(v) == 1}

    def __len__(self) -> int:
        return len(self.by_id)

    def of_owner(self, owner: str) -> list[Constant]:
        return [c for c in self.by_id.values() if c.owner == owner]

    def lookup(self, name: str, context: str | None = None) -> Constant | None:
        """A constant by the name code gives it: fq, `Class.NAME`, `Outer.Inner.NAME`, or `NAME`
        (first in the class `context`, where code refers to its own constants unqualified)."""
        name = re.sub(r"\s+", "", name)
        if name in self.by_id:
            return self.by_id[name]
        parts = name.split(".")
        if len(parts) == 1:
            if context and f"{context}.{name}" in self.by_id:
                return self.by_id[f"{context}.{name}"]
            return self.bare.get(name)
        return self.short.get(".".join(parts[-2:]))

    def predicate(self, call: str, context: str | None = None) -> tuple[Constant, str] | None:
        """(predicate, argument) for a call of a status test such as `OrderUtil.isPayStatus(order)`: the
        predicate's `value` is the code it tests for, its `accessor` the field it reads."""
        m = re.fullmatch(r"([\w.]+)\(\s*(\w+)\s*\)", re.sub(r"\s+", "", call))
        if not m:
            return None
        name = m.group(1)
        found = self.predicates.get(name) or (self.predicates.get(f"{context}.{name}") if context else None)
        return (found, m.group(2)) if found else None

    def resolve(self, expr: str, context: str | None = None) -> Constant | None:
        """The constant an expression stands for, through casts, boxing and an enum's code getter.

        `OrderUtil.STATUS_CANCEL`, `(byte) Status.PAID.getCode()`, `Short.valueOf(STATUS_PAY)`,
        `Status.PAID.code` -> the Constant; a literal, a label getter (`Status.PAID.getName()`) or
        an unknown name -> None.
        """
        e = normalise(expr)
        if not e or _INT.match(e):
            return None
        found = self.lookup(e, context)
        if found is not None:
            return found
        m = _ACCESSOR.match(e)
        if not m:
            return None
        const = self.lookup(m.group(1), context)
        if const is None or const.kind != "enum":
            return None
        member = m.group(2)[:1].lower() + m.group(2)[1:]
        if const.accessor is None or member == const.accessor:
            return const if member not in ("ordinal", "name") else None
        return None


def normalise(expr: str) -> str:
    """Strip what does not change which constant is meant: parentheses, casts, boxing, unboxing."""
    e = re.sub(r"\s+", "", expr or "")
    while True:
        before = e
        if e.startswith("(") and e.endswith(")") and balanced_parens(e[1:-1]):
            e = e[1:-1]
        e = _CAST.sub("", e)
        m = _BOXING.match(e)
        if m:
            e = m.group(1)
        e = _UNBOXING.sub("", e)
        if e == before:
            return e


def load(con, repo_id: str) -> ConstantTable:
    """The repository's constants as the map stored them."""
    from storage import domain_store

    return ConstantTable(domain_store.constants(con, repo_id))
