"""Rules found in Java method bodies: guards, status transitions, calculations, schedules,
messaging, and the comment-labelled side effects of a method.

Each finder looks at one parsed method (tree-sitter, through core.index.java_ast)
and returns `Found` records with the minimal line spans that prove them: the
`if` line through the failing statement, the one setter line, the annotation.
Naming (status labels, domains) happens later in `core.rules.extract`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from tree_sitter import Node

from core.domain.constants import normalise
from core.domain.status_dicts import parse_entries
from core.index import java_ast
from core.index.java_ast import TYPE_DECLARATIONS, lines, text
from core.rules.render import lower_first, squash, strip_parens

FAIL_CALLS = frozenset({"fail", "failed", "validateFailed", "error", "forbidden", "unauthorized"})
_STATUS_SETTER = re.compile(r"^set(\w*Status)$")
_ARITH = frozenset({"+", "-", "*", "/"})
_LITERAL = re.compile(r"^(|-?\d+L?|true|false|null|\w+\.empty\w*\(\)|new \w+<>\(\))$")
_LOGGER = re.compile(r"(?i)^(log|logger)$")
_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
SEND_CALLS = frozenset({"convertAndSend", "send", "sendAndReceive"})
MAX_BLOCK = 12  # longest span we still call minimal evidence


@dataclass
class Method:
    """A method in a parsed file, with what the finders need to know about it."""

    path: str
    class_id: str          # fq name of the declaring class
    class_name: str
    name: str
    node: Node
    lines_of: list[str]    # the file's lines (for comments)
    annotations: list[tuple[str, str, int]] = field(default_factory=list)   # (name, args, line)
    class_annotations: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.class_name}.{self.name}"

    @property
    def body(self) -> Node | None:
        return self.node.child_by_field_name("body")

    @property
    def identity(self) -> dict[str, str]:
        """The facts every rule found in a method starts with."""
        return {"method": self.label, "class": self.class_name, "method_name": self.name}


@dataclass
class Found:
    kind: str
    method: Method
    spans: list[tuple[int, int]]           # file lines, 1-based inclusive, minimal
    facts: dict


def comment_above(method: Method, line: int) -> str | None:
    """The `//` comment on the line right above `line` (1-based), the way code labels a step."""
    idx = line - 2
    if idx < 0:
        return None
    prev = method.lines_of[idx].strip()
    if prev.startswith("//"):
        return prev.lstrip("/").strip() or None
    return None


def inline_dict(comment: str | None) -> dict[str, str]:
    """`订单状态：0->待付款；1->待发货` -> {'0': '待付款', '1': '待发货'} (the map's own parser)."""
    return {e["code"]: e["label"] for e in parse_entries(comment)}


# ------------------------------------------------------------- parsing --
def _annotations(node: Node) -> list[tuple[str, str, int]]:
    mods = java_ast.modifiers(node)
    out = []
    for ann in (mods.named_children if mods else []):
        if ann.type in ("annotation", "marker_annotation"):
            name = text(ann.child_by_field_name("name"))
            args = text(ann.child_by_field_name("arguments"))
            out.append((name.rsplit(".", 1)[-1], args.strip("()"), lines(ann)[0]))
    return out


def methods_of(path: str, source_text: str) -> Iterator[Method]:
    """Every method and constructor of a Java file, with its class's fq name."""
    tree = java_ast.parse(source_text)
    root = tree.root_node
    package = ""
    for child in root.named_children:
        if child.type == "package_declaration":
            package = squash(text(child)).removeprefix("package").strip().rstrip(";").strip()
    file_lines = source_text.splitlines()
    for node in java_ast.method_declarations(root):
        owner = java_ast.enclosing(node, TYPE_DECLARATIONS)
        if owner is None:
            continue  # an anonymous class body inside a method: handled with its enclosing method
        if java_ast.enclosing(owner, java_ast.METHOD_DECLARATIONS) is not None:
            continue
        names = []
        cursor = owner
        while cursor is not None:
            names.append(text(cursor.child_by_field_name("name")))
            cursor = java_ast.enclosing(cursor, TYPE_DECLARATIONS)
        class_name = names[0]
        class_id = ".".join(filter(None, [package, *reversed(names)]))
        yield Method(
            path=path, class_id=class_id, class_name=class_name, name=text(node.child_by_field_name("name")),
            node=node, lines_of=file_lines, annotations=_annotations(node), class_annotations=_annotations(owner),
        )


def _own_nodes(method: Method, types: frozenset[str]) -> Iterator[Node]:
    """Nodes of `types` anywhere in the method body: anonymous classes and lambdas in it belong to it
    (`methods_of` does not yield their methods on their own)."""
    body = method.body
    if body is None:
        return
    yield from java_ast.walk(body, types)


def code(node: Node | None) -> str:
    """Source of a node without its comments, on one line (conditions quoted in rules)."""
    return squash(_COMMENT.sub(" ", text(node)))


def _statements(block: Node | None) -> list[Node]:
    if block is None:
        return []
    if block.type == "block":
        return [c for c in block.named_children if c.type not in ("line_comment", "block_comment")]
    return [block]


def _string_literals(node: Node) -> str:
    """The message a failure carries: its string literals, concatenated pieces joined."""
    found = [text(s)[1:-1] for s in java_ast.walk(node, {"string_literal"})]
    return "".join(found).strip()


def _call_name(stmt: Node) -> tuple[str, str, Node] | None:
    """(receiver, name, invocation) of an expression statement or return that is a call."""
    target = stmt.named_children[0] if stmt.type in ("expression_statement", "return_statement") and stmt.named_children else None
    if target is None or target.type != "method_invocation":
        return None
    return text(target.child_by_field_name("object")), text(target.child_by_field_name("name")), target


def _failure(stmt: Node) -> dict | None:
    """What a failing statement does: throw, an assertion helper, or returning a failed result."""
    if stmt.type == "throw_statement":
        expr = stmt.named_children[0] if stmt.named_children else None
        exc = text(expr.child_by_field_name("type")) if expr is not None and expr.type == "object_creation_expression" else ""
        return {"action": "throw", "exception": exc or text(expr), "message": _string_literals(stmt)}
    call = _call_name(stmt)
    if call and call[1] in FAIL_CALLS and not _LOGGER.search(call[0]):
        action = "return_failed" if stmt.type == "return_statement" else "assert"
        return {"action": action, "helper": f"{call[0]}.{call[1]}" if call[0] else call[1],
                "message": _string_literals(call[2])}
    if stmt.type == "return_statement":
        value = stmt.named_children[0] if stmt.named_children else None
        return {"action": "return", "value": squash(text(value)) if value is not None else "", "message": ""}
    return None


def _enclosing_conditions(node: Node, stop: Node) -> list[dict]:
    """Conditions of the `if`s around `node` inside the method, outermost first, as rule facts."""
    out = []
    child, parent = node, node.parent
    while parent is not None and parent != stop:
        if parent.type == "if_statement":
            cond = strip_parens(code(parent.child_by_field_name("condition")))
            holds = parent.child_by_field_name("consequence") == child
            out.append({"condition": cond, "holds": holds, "line": lines(parent)[0]})
        child, parent = parent, parent.parent
    return list(reversed(out))


# ------------------------------------------------------------- finders --
def guards(method: Method) -> list[Found]:
    """`if (cond) { fail(...) }`: a condition that stops the operation, with its message."""
    out = []
    for node in _own_nodes(method, frozenset({"if_statement"})):
        cond = strip_parens(code(node.child_by_field_name("condition")))
        for branch, holds in ((node.child_by_field_name("consequence"), True),
                              (node.child_by_field_name("alternative"), False)):
            stmts = _statements(branch)
            if not stmts or (branch is not None and branch.type == "if_statement"):
                continue
            fail = _failure(stmts[0]) if len(stmts) <= 2 else None
            if fail is None or (fail["action"] == "return" and (len(stmts) != 1 or not _LITERAL.match(fail["value"]))):
                continue  # `return success(x)` / `return found` are results, not early exits
            if_line = lines(node)[0]
            fail_start, end = lines(stmts[0])
            if end - if_line + 1 > MAX_BLOCK:
                continue
            # minimal: the `if` line through the failing statement (for an else branch, both ends)
            spans = [(if_line, end)] if holds else [(if_line, if_line), (fail_start, end)]
            if comment_above(method, if_line):
                spans.append((if_line - 1, if_line - 1))  # the label the code gives this check
            outer = _enclosing_conditions(node, method.node)
            out.append(Found("guard", method, spans, {
                **method.identity,
                "condition": cond, "holds": holds, **fail,
                "comment": comment_above(method, if_line),
                "within": outer,
                "line": if_line, "fail_line": fail_start,
            }))
    return out


def _receiver_types(method: Method) -> dict[str, str]:
    """Local variable -> declared type, plus parameters (to name the entity a setter acts on)."""
    types: dict[str, str] = {}
    for node in java_ast.walk(method.node, {"local_variable_declaration", "formal_parameter"}):
        typ = re.sub(r"<.*>", "", text(node.child_by_field_name("type")))
        if node.type == "formal_parameter":
            types[text(node.child_by_field_name("name"))] = typ
        for decl in node.named_children:
            if decl.type == "variable_declarator":
                types[text(decl.child_by_field_name("name"))] = typ
    for node in java_ast.walk(method.node, {"enhanced_for_statement"}):
        types[text(node.child_by_field_name("name"))] = re.sub(r"<.*>", "", text(node.child_by_field_name("type")))
    return types


_CODE = re.compile(r"-?\d+")
_NAMED = re.compile(r"(?:[A-Za-z_]\w*\.)*[A-Z][A-Z0-9_]*(?:\.(?:get\w+\(\)|[a-z]\w*))?")


def named_value(expr: str) -> str | None:
    """A code a status is set to or compared with, as written: `2`, `(byte) 2`, or a name that the
    constant table can resolve (`OrderUtil.STATUS_PAY`, `(byte) Status.PAID.getCode()`); else None
    (a variable or a computed value is not a known state)."""
    plain = normalise(expr)
    if _CODE.fullmatch(plain):
        return plain
    return expr if _NAMED.fullmatch(plain) else None


def transitions(method: Method) -> list[Found]:
    """`entity.setXxxStatus(<code or constant>)`: the state an operation moves an entity to, and what must hold
    first. A constant (`OrderUtil.STATUS_PAY`, an enum's code getter) is kept as `to_expr`; extraction
    resolves it to its code, label and declaration through the map's constant table."""
    out = []
    types = None
    for call in _own_nodes(method, frozenset({"method_invocation"})):
        m = _STATUS_SETTER.match(text(call.child_by_field_name("name")))
        args = call.child_by_field_name("arguments")
        if not m or args is None or len(args.named_children) != 1:
            continue
        value = named_value(squash(text(args.named_children[0])))
        if value is None:
            continue
        if types is None:
            types = _receiver_types(method)
        receiver = text(call.child_by_field_name("object"))
        line = lines(call.child_by_field_name("name"))[0]
        comment = comment_above(method, line)
        field_name = lower_first(m[1])
        spans = [(line, line)] + ([(line - 1, line - 1)] if inline_dict(comment) else [])
        out.append(Found("transition", method, spans, {
            **method.identity,
            "entity": types.get(receiver, ""), "receiver": receiver, "field": field_name, "to": value,
            **({} if _CODE.fullmatch(value) else {"to_expr": value}),
            "comment": comment, "inline_dict": inline_dict(comment), "line": line,
            "within": _enclosing_conditions(call, method.node),
        }))
    return out


def status_criteria(method: Method) -> list[tuple[str, str, int]]:
    """`andStatusEqualTo(0)` / `andStatusIn(...)` in MyBatis example criteria: (field, values, line)."""
    out = []
    for call in _own_nodes(method, frozenset({"method_invocation"})):
        name = text(call.child_by_field_name("name"))
        m = re.fullmatch(r"and(\w*Status)(EqualTo|In|NotEqualTo)", name)
        if m:
            args = squash(text(call.child_by_field_name("arguments"))).strip("()")
            out.append((lower_first(m[1]) + ("!=" if m[2] == "NotEqualTo" else ""), args, lines(call)[0]))
    return out


def _is_arith(node: Node) -> bool:
    if node.type != "binary_expression":
        return False
    op = node.child_by_field_name("operator")
    return op is not None and text(op) in _ARITH and any(
        c.type in ("method_invocation", "identifier", "field_access") for c in java_ast.walk(node)
    ) and not any(c.type == "string_literal" for c in java_ast.walk(node))


def _is_chain(node: Node) -> bool:
    return node.type == "method_invocation" and text(node.child_by_field_name("name")) in (
        "add", "subtract", "multiply", "divide")


def calculations(method: Method) -> list[Found]:
    """Assignments whose value is arithmetic: BigDecimal add/subtract/multiply chains or + - * /."""
    out = []
    seen_lines: set[int] = set()
    for node in _own_nodes(method, frozenset({"variable_declarator", "assignment_expression", "method_invocation"})):
        if node.type == "variable_declarator":
            target, value = text(node.child_by_field_name("name")), node.child_by_field_name("value")
        elif node.type == "assignment_expression":
            target, value = text(node.child_by_field_name("left")), node.child_by_field_name("right")
        else:
            name = text(node.child_by_field_name("name"))
            args = node.child_by_field_name("arguments")
            if not (name.startswith("set") and len(name) > 3 and args is not None and len(args.named_children) == 1):
                continue
            target = f"{text(node.child_by_field_name('object'))}.{name}".lstrip(".")
            value = args.named_children[0]
        if value is None or not (_is_chain(value) or _is_arith(value)):
            continue
        start, end = lines(node)
        if start in seen_lines or end - start + 1 > MAX_BLOCK:
            continue
        seen_lines.update(range(start, end + 1))
        stmt = node.parent if node.type == "variable_declarator" else node
        note = comment_above(method, lines(stmt)[0])
        out.append(Found("calculation", method, [(lines(stmt)[0], end)] + ([(lines(stmt)[0] - 1,) * 2] if note else []), {
            **method.identity,
            "target": target, "expression": code(value), "bigdecimal": _is_chain(value),
            "comment": note, "line": start,
            "in_loop": java_ast.enclosing(node, {"for_statement", "enhanced_for_statement", "while_statement"}) is not None,
        }))
    return out + _returned_values(method, seen_lines)


_COMPARE = frozenset({"<", "<=", ">", ">="})


def _is_business_expr(node: Node) -> bool:
    """A returned expression worth a rule: arithmetic, or a comparison of amounts/counts (not `x != null`)."""
    if _is_chain(node) or _is_arith(node):
        return True
    if node.type != "binary_expression":
        return False
    ops = {text(n.child_by_field_name("operator")) for n in java_ast.walk(node, {"binary_expression"})}
    return bool(ops & _COMPARE) and any(c.type == "method_invocation" for c in java_ast.walk(node))


def _returned_values(method: Method, seen_lines: set[int]) -> list[Found]:
    """What a method returns when that is a computed value: `return stock <= lowStock`, piecewise constants."""
    out = []
    for ret in _own_nodes(method, frozenset({"return_statement"})):
        value = ret.named_children[0] if ret.named_children else None
        start, end = lines(ret)
        if value is None or start in seen_lines or end - start + 1 > MAX_BLOCK:
            continue
        outer = _enclosing_conditions(ret, method.node)
        if _is_business_expr(value):
            span_start = outer[-1]["line"] if outer and start - outer[-1]["line"] < 4 else start
            note = comment_above(method, start)
            out.append(Found("calculation", method, [(span_start, end)] + ([(start - 1, start - 1)] if note else []), {
                **method.identity,
                "target": f"{method.name}()", "expression": code(value), "bigdecimal": _is_chain(value),
                "comment": note, "line": start, "in_loop": False,
                "when": outer[-1:],
            }))
            seen_lines.update(range(start, end + 1))
    out += _piecewise(method, seen_lines)
    return out


def _piecewise(method: Method, seen_lines: set[int]) -> list[Found]:
    """`if (cond) return A; return B;` with constant A, B: a value chosen by a threshold."""
    out = []
    for stmts in _blocks(method):
        for first, second in zip(stmts, stmts[1:]):
            if first.type != "if_statement" or second.type != "return_statement":
                continue
            branch = _statements(first.child_by_field_name("consequence"))
            if len(branch) != 1 or branch[0].type != "return_statement" or first.child_by_field_name("alternative"):
                continue
            then_value = squash(text(branch[0].named_children[0])) if branch[0].named_children else ""
            else_value = squash(text(second.named_children[0])) if second.named_children else ""
            if not (_CONSTANT.match(then_value) and _CONSTANT.match(else_value)):
                continue
            start, end = lines(first)[0], lines(second)[1]
            if start in seen_lines:
                continue
            seen_lines.update(range(start, end + 1))
            out.append(Found("calculation", method, [(start, end)], {
                **method.identity,
                "target": f"{method.name}()", "expression": f"{strip_parens(text(first.child_by_field_name('condition')))} "
                f"? {then_value} : {else_value}", "bigdecimal": False, "piecewise": {
                    "condition": strip_parens(code(first.child_by_field_name("condition"))),
                    "then": then_value, "else": else_value},
                "comment": comment_above(method, start), "line": start, "in_loop": False,
            }))
    return out


_CONSTANT = re.compile(r"^([A-Z][A-Z0-9_]*|\w+\.[A-Z][A-Z0-9_]*|-?\d+(\.\d+)?[LDF]?|true|false)$")


def _blocks(method: Method) -> Iterator[list[Node]]:
    """Statement lists of every block in the method, outermost first."""
    body = method.body
    if body is None:
        return
    for block in java_ast.walk(body, {"block"}):
        yield _statements(block)


def _body_calls(method: Method, limit: int = 4) -> list[tuple[str, int]]:
    """The first calls a method makes (receiver.name(...)), for 'what does the job do'."""
    out = []
    body = method.body
    for stmt in _statements(body):
        for call in java_ast.walk(stmt, {"method_invocation"}):
            name = text(call.child_by_field_name("name"))
            if name in ("info", "debug", "warn", "error") or call.parent.type == "method_invocation":
                continue
            obj = text(call.child_by_field_name("object"))
            out.append((f"{obj}.{name}" if obj else name, lines(call)[0]))
            break
        if len(out) >= limit:
            break
    return out


def schedules(method: Method) -> list[Found]:
    out = []
    for name, args, line in method.annotations:
        if name != "Scheduled":
            continue
        cron = re.search(r'cron\s*=\s*"([^"]+)"', args)
        rate = re.search(r"(fixedRate|fixedDelay)\s*=\s*(\w+)", args)
        calls = _body_calls(method)
        spans = [(line, line)] + [(ln, ln) for _, ln in calls[:2]]
        out.append(Found("schedule", method, spans, {
            **method.identity,
            "cron": cron[1] if cron else None, "rate": f"{rate[1]}={rate[2]}" if rate else None,
            "calls": [c for c, _ in calls], "doc": _doc_above(method), "line": line,
        }))
    return out


def _doc_above(method: Method) -> str | None:
    """The first sentence of the Javadoc above the method, if any."""
    start = method.node.start_point[0]
    i = start - 1
    while i >= 0 and method.lines_of[i].strip().startswith("@"):
        i -= 1
    if i >= 0 and method.lines_of[i].strip().endswith("*/"):
        j = i
        while j >= 0 and "/**" not in method.lines_of[j]:
            j -= 1
        body = " ".join(ln.strip().lstrip("/*").strip() for ln in method.lines_of[j: i + 1])
        body = body.replace("*/", "").strip()
        return body.split("@", 1)[0].strip() or None
    return None


def messaging(method: Method) -> list[Found]:
    """Sending to a broker (with a per-message delay), listening on a queue, dead-letter routing."""
    out = []
    for call in _own_nodes(method, frozenset({"method_invocation"})):
        name = text(call.child_by_field_name("name"))
        obj = text(call.child_by_field_name("object"))
        args = call.child_by_field_name("arguments")
        arg_texts = [squash(text(a)) for a in (args.named_children if args else [])]
        line = lines(call.child_by_field_name("name"))[0]
        if name in SEND_CALLS and re.search(r"(?i)amqp|rabbit|kafka|jms|template", obj):
            delay = None
            for inner in java_ast.walk(call, {"method_invocation"}):
                if text(inner.child_by_field_name("name")) in ("setExpiration", "setDelay", "setHeader"):
                    inner_args = inner.child_by_field_name("arguments")
                    delay = {"call": text(inner.child_by_field_name("name")),
                             "value": squash(text(inner_args))[1:-1], "line": lines(inner)[0]}
            spans = [(line, line)] + ([(delay["line"], delay["line"])] if delay else [])
            out.append(Found("messaging", method, spans, {
                **method.identity, "role": "send",
                "exchange": arg_texts[0] if len(arg_texts) > 2 else None,
                "routing_key": arg_texts[1] if len(arg_texts) > 2 else (arg_texts[0] if arg_texts else None),
                "payload": arg_texts[2] if len(arg_texts) > 2 else (arg_texts[1] if len(arg_texts) > 1 else None),
                "delay": delay, "comment": comment_above(method, line), "line": line,
            }))
        elif name == "registerSynchronization":
            hook = next((m for m in java_ast.method_declarations(call)
                         if text(m.child_by_field_name("name")) in ("afterCommit", "afterCompletion")), None)
            if hook is None:
                continue
            inner = list(java_ast.walk(hook, {"method_invocation"}))
            start = lines(call)[0]
            stmt = java_ast.enclosing(call, {"expression_statement"}) or call
            out.append(Found("messaging", method, [(start - (1 if start > 1 and "final " in method.lines_of[start - 2] else 0),
                                                     lines(stmt)[1])], {
                **method.identity, "role": "after_commit",
                "hook": text(hook.child_by_field_name("name")),
                "calls": [text(c.child_by_field_name("name")) for c in inner][:2], "line": start,
                "comment": comment_above(method, start) or comment_above(method, start - 1),
            }))
        elif name == "withArgument" and arg_texts and "dead-letter" in arg_texts[0]:
            out.append(Found("messaging", method, [(line, line)], {
                **method.identity,
                "role": "dead_letter", "argument": arg_texts[0].strip('"'),
                "value": arg_texts[1] if len(arg_texts) > 1 else None, "line": line,
                "comment": _trailing_comment(method, line),
            }))
    listeners = ("RabbitListener", "KafkaListener", "JmsListener")
    listen = [a for a in method.annotations + method.class_annotations if a[0] in listeners]
    handler = any(a[0] in ("RabbitHandler", "RabbitListener", "KafkaListener", "JmsListener") for a in method.annotations)
    if listen and handler:
        name, args, line = listen[0]
        queues = re.findall(r'"([^"]+)"', args)
        calls = _body_calls(method)
        decl_line = lines(method.node)[0]
        spans = [(line, line), (decl_line, decl_line)] + [(ln, ln) for _, ln in calls[:1]]
        out.append(Found("messaging", method, sorted(set(spans)), {
            **method.identity, "role": "listen",
            "queues": queues, "annotation": name, "calls": [c for c, _ in calls], "line": line,
            "handler_line": decl_line,
        }))
    return out


def _trailing_comment(method: Method, line: int) -> str | None:
    raw = method.lines_of[line - 1]
    if "//" in raw:
        return raw.split("//", 1)[1].strip() or None
    return None


def _significant_calls(stmt: Node) -> list[Node]:
    """Calls that do something: not getters, plain setters, logging or collection plumbing."""
    out = []
    for call in java_ast.walk(stmt, {"method_invocation"}):
        name = text(call.child_by_field_name("name"))
        args = call.child_by_field_name("arguments")
        if name in _PLUMBING or name in FAIL_CALLS or (name.startswith(("get", "is")) and not (args and args.named_children)):
            continue
        if text(call.child_by_field_name("object"))[:1].isupper():
            continue  # static helpers (Collections.singletonList, CollectionUtils.isEmpty) are plumbing
        if name.startswith("set") and not _STATUS_SETTER.match(name):
            continue
        out.append(call)
    return out


_PLUMBING = frozenset({
    "add", "put", "get", "remove", "contains", "info", "debug", "warn", "error", "equals", "compareTo", "size",
    "valueOf", "isEmpty", "toString", "format", "append", "subtract", "multiply", "divide", "setScale",
})


def side_effects(method: Method, min_steps: int = 2) -> list[Found]:
    """The ordered, comment-labelled steps of a method: `//锁定库存` followed by `lockStock(...)`.

    A comment labels the statements up to the next labelled one; the step's
    call is the last significant call of that block (after loading data comes
    the effect), and its evidence runs from the comment to that call.
    """
    blocks: list[tuple[str, int, list[Node]]] = []
    for stmts in _blocks(method):
        current: tuple[str, int, list[Node]] | None = None
        for stmt in stmts:
            start = lines(stmt)[0]
            label = comment_above(method, start)
            if label and not inline_dict(label):
                current = (label, start - 1, [stmt])
                blocks.append(current)
            elif current is not None:
                current[2].append(stmt)
    blocks.sort(key=lambda b: b[1])
    steps = []
    bounds = [b[1] for b in blocks[1:]] + [10**9]
    for (label, comment_line, stmts), limit in zip(blocks, bounds):
        calls = [c for stmt in stmts for c in _significant_calls(stmt) if lines(c)[0] < limit]
        first = stmts[0]
        # a labelled check is the step when it fails early, or when the block calls nothing
        if first.type == "if_statement" and (
                not calls or any(_failure(st) for st in _statements(first.child_by_field_name("consequence"))[:1])):
            name_line = lines(first)[0]
            step = {"label": label, "check": strip_parens(code(first.child_by_field_name("condition"))),
                    "line": name_line}
        elif calls:
            call = calls[-1]
            name_line = lines(call.child_by_field_name("name"))[0]
            obj = text(call.child_by_field_name("object"))
            name = text(call.child_by_field_name("name"))
            step = {"label": label, "call": f"{obj}.{name}" if obj else name, "line": name_line}
        else:
            continue
        if name_line - comment_line + 1 > MAX_BLOCK:
            name_line = lines(stmts[0])[0]
            step["line"] = name_line
        step["span"] = [comment_line, name_line]
        steps.append(step)
    if len(steps) < min_steps:
        return []
    return [Found("side_effects", method, [tuple(s["span"]) for s in steps], {
        **method.identity, "steps": steps,
        "line": steps[0]["line"],
    })]


FINDERS = (guards, transitions, calculations, schedules, messaging, side_effects)
