"""Rules found in Java method bodies: guards, status transitions, calculations, schedules,
messaging, and the comment-labelled side effects of a method.

Each finder looks at one parsed method (tree-sitter, through core.index.java_ast)
and returns `Found` records with the minimal line spans that prove them: the
`if` line through the failing statement, the one setter line, the annotation.
Naming (status labels, domains) happens later in `core.rules.extract`.
"""

from __future__ import annotations

import bisect
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
    _nested: tuple[list[int], list[int]] | None = field(default=None, init=False, repr=False, compare=False)

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
        if java_ast.enclosing(node, _SCOPES) is not None or java_ast.enclosing(owner, _SCOPES) is not None:
            continue  # a method of an anonymous class or a local class: part of the method around it
        if node.has_error:
            continue  # the parser recovered from broken code here: its branches and returns cannot be trusted
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


def code_text(source: str) -> str:
    """Java source without its comments (a `throw` in a comment is not one)."""
    return _COMMENT.sub(" ", source)


def code(node: Node | None) -> str:
    """Source of a node without its comments, on one line (conditions quoted in rules)."""
    return squash(code_text(text(node)))


def _statements(block: Node | None) -> list[Node]:
    if block is None:
        return []
    if block.type == "block":
        return [c for c in block.named_children if c.type not in ("line_comment", "block_comment")]
    return [block]


def _string_literals(node: Node) -> str:
    """The message a failure carries: its string literals ('' when the message is built from values,
    `order.getOrderSn() + " : 支付金额不符合"`: the pieces alone are no message a caller sees)."""
    for concat in java_ast.walk(node, {"binary_expression"}):
        operands = [concat.child_by_field_name("left"), concat.child_by_field_name("right")]
        if any(o is not None and o.type == "string_literal" for o in operands) and \
                any(o is not None and o.type not in ("string_literal", "binary_expression") for o in operands):
            return ""
    found = [text(s)[1:-1] for s in java_ast.walk(node, {"string_literal"})]
    return "".join(found).strip()


def _call_name(stmt: Node) -> tuple[str, str, Node] | None:
    """(receiver, name, invocation) of an expression statement or return that is a call."""
    target = stmt.named_children[0] if stmt.type in ("expression_statement", "return_statement") and stmt.named_children else None
    if target is None or target.type != "method_invocation":
        return None
    return text(target.child_by_field_name("object")), text(target.child_by_field_name("name")), target


def _message_expr(call: Node | None) -> dict:
    """A failure's message given as a named constant (`ServiceResultEnum.NO_PERMISSION_ERROR.getResult()`),
    kept as `message_expr` for `annotate` to resolve to its text; {} when a literal or nothing is passed."""
    args = call.child_by_field_name("arguments") if call is not None else None
    for arg in (args.named_children if args is not None else []):
        if _CONST_REF.fullmatch(squash(text(arg))):
            return {"message_expr": squash(text(arg))}
    return {}


def failure(stmt: Node) -> dict | None:
    """What a failing statement does: throw, an assertion helper, or returning a failed result."""
    if stmt.type == "throw_statement":
        expr = stmt.named_children[0] if stmt.named_children else None
        created = expr is not None and expr.type == "object_creation_expression"
        exc = text(expr.child_by_field_name("type")) if created else ""
        message = _string_literals(stmt)
        return {"action": "throw", "exception": exc or text(expr), "message": message,
                **({} if message or not created else _message_expr(expr))}
    call = _call_name(stmt)
    if call and call[1] in FAIL_CALLS and not _LOGGER.search(call[0]):
        action = "return_failed" if stmt.type == "return_statement" else "assert"
        message = _string_literals(call[2])
        return {"action": action, "helper": f"{call[0]}.{call[1]}" if call[0] else call[1],
                "message": message, **({} if message else _message_expr(call[2]))}
    if stmt.type == "return_statement":
        value = stmt.named_children[0] if stmt.named_children else None
        return {"action": "return", "value": squash(text(value)) if value is not None else "", "message": ""}
    return None


MAX_EVIDENCE = 40  # longest span that still reads as one verifiable piece of code
MAX_GAP = 12       # a governing header further above than this is cited as its own line, not by a long span
_LOOPS = frozenset({"for_statement", "enhanced_for_statement", "while_statement", "do_statement"})
_SCOPES = java_ast.METHOD_DECLARATIONS | {"lambda_expression"}


def _own(node: Node, method: Method) -> bool:
    """The node runs as part of the method itself, not of a lambda or an anonymous class's method in it.

    One walk per method finds the outermost nested scopes; each call is then a binary search over
    their byte ranges: O(log scopes), where climbing ancestors cost O(depth) per node (quadratic in
    nesting: minutes for 10,000 nested ifs).
    """
    if method._nested is None:
        starts, ends = [], []
        for scope in java_ast.walk(method.node, _SCOPES):
            if scope != method.node and not (starts and scope.start_byte < ends[-1]):
                starts.append(scope.start_byte)
                ends.append(scope.end_byte)
        method._nested = (starts, ends)
    starts, ends = method._nested
    i = bisect.bisect_right(starts, node.start_byte) - 1
    if i < 0 or node.start_byte >= ends[i] or node.end_byte > ends[i]:
        return True
    return node.start_byte == starts[i] and node.end_byte == ends[i]   # the lambda itself runs in the method


def _loop_header(loop: Node) -> str:
    """`for (OrderItem item : items)` / `while (n > 0)`: the header as written, without the body."""
    body = loop.child_by_field_name("body")
    if loop.type == "do_statement":
        return f"do … while {code(loop.child_by_field_name('condition'))}"
    head = text(loop)[: body.start_byte - loop.start_byte] if body is not None else text(loop)
    return squash(_COMMENT.sub(" ", head)).rstrip("{ ").strip()


def _context(node: Node, stop: Node) -> list[dict]:
    """The `if` branches and loops that govern `node` inside the method, outermost first.

    An `if` entry records which branch leads to the node: `then` (its condition
    holds), `else` (it does not), or `prior` (it is an earlier sibling of an
    `else if` chain, so its condition must be false to get here; the node is
    not nested in it). A loop entry records its header.
    """
    out = []
    child, parent = node, node.parent
    while parent is not None and parent != stop:
        if parent.type == "if_statement":
            alt = parent.child_by_field_name("alternative")
            if child == parent.child_by_field_name("consequence"):
                branch = "then"
            elif alt is not None and child == alt:
                branch = "prior" if child.type == "if_statement" else "else"
            else:
                branch = None   # the node is in the condition itself
            if branch:
                cond = strip_parens(code(parent.child_by_field_name("condition")))
                out.append({"condition": cond, "holds": branch == "then", "branch": branch, "line": lines(parent)[0]})
        elif parent.type in _LOOPS and child == parent.child_by_field_name("body"):
            out.append({"loop": _loop_header(parent), "line": lines(parent)[0]})
        elif parent.type in _SCOPES:
            break
        child, parent = parent, parent.parent
    return list(reversed(out))


def _enclosing_conditions(node: Node, stop: Node) -> list[dict]:
    """Conditions of the `if`s around `node` inside the method, outermost first, as rule facts
    (`branch` tells an enclosing `if` from an earlier `else if` sibling)."""
    return [c for c in _context(node, stop) if "condition" in c]


def _governed_spans(first: int, last: int, context: list[dict]) -> list[tuple[int, int]]:
    """Evidence for lines first..last that also shows what governs them: the span grows up to each
    enclosing `if`/`else if`/loop header while it stays within MAX_EVIDENCE lines; a header
    further away is cited as its own line."""
    start, extra = first, []
    for c in reversed(context):
        if last - c["line"] + 1 <= MAX_EVIDENCE and start - c["line"] <= MAX_GAP:
            start = min(start, c["line"])
        else:
            extra.append((c["line"], c["line"]))
    return [(start, last), *extra]


def merge_near(spans: list[tuple[int, int]], gap: int = 3) -> list[tuple[int, int]]:
    """Spans of one file merged when they overlap or lie within `gap` lines, as long as the merged
    span stays within MAX_EVIDENCE: a reader sees one piece of code, not scattered lines."""
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1] + gap and max(e, out[-1][1]) - out[-1][0] + 1 <= MAX_EVIDENCE:
            out[-1][1] = max(out[-1][1], e)
        elif out and e <= out[-1][1]:
            continue   # already shown
        else:
            out.append([max(s, out[-1][1] + 1) if out else s, e])   # overlapping but too long together: continue it
    return [(s, e) for s, e in out]


# ------------------------------------------------------------- finders --
def _chain_top(node: Node) -> Node:
    """The first `if` of the `if / else if` chain that `node` belongs to (itself when it starts one)."""
    while node.parent is not None and node.parent.type == "if_statement" and \
            node.parent.child_by_field_name("alternative") == node:
        node = node.parent
    return node


def guards(method: Method) -> list[Found]:
    """`if (cond) { fail(...) }`: a condition that stops the operation, with its message.

    Evidence is the whole `if` (from the head of its `else if` chain, so the
    sibling conditions that must be false are visible) through the failing
    branch, grown to the enclosing `if`/loop headers while it stays tight.
    """
    out = []
    for node in _own_nodes(method, frozenset({"if_statement"})):
        cond = strip_parens(code(node.child_by_field_name("condition")))
        for branch, holds in ((node.child_by_field_name("consequence"), True),
                              (node.child_by_field_name("alternative"), False)):
            stmts = _statements(branch)
            if not stmts or (branch is not None and branch.type == "if_statement"):
                continue
            fail = failure(stmts[0]) if len(stmts) <= 2 else None
            if fail is None or (fail["action"] == "return" and (len(stmts) != 1 or not _LITERAL.match(fail["value"]))):
                continue  # `return success(x)` / `return found` are results, not early exits
            if fail["action"] == "return" and not holds:
                continue  # `if (..) {..} else { return true; }`: the method's result, not an early exit
            if_line = lines(node)[0]
            fail_start, end = lines(stmts[0])
            if end - if_line + 1 > MAX_BLOCK:
                continue
            top = _chain_top(node)
            label_line = lines(top)[0]
            branch_end = lines(branch)[1]
            first = label_line if branch_end - label_line + 1 <= MAX_EVIDENCE else if_line
            spans = _governed_spans(first, branch_end if branch_end - first + 1 <= MAX_EVIDENCE else end,
                                    _context(top, method.node))
            if first != label_line:
                spans.append((label_line, label_line))
            comment = comment_above(method, label_line)
            if comment:
                spans.append((label_line - 1, label_line - 1))  # the label the code gives this check
            context = _context(node, method.node)
            sources = _local_sources(method, node.child_by_field_name("condition"), if_line)   # cited by plan
            prior = path_to(node, method)   # "exactly when" holds only once the earlier exits did not fire
            out.append(Found("guard", method, merge_near(spans, gap=1), {
                **method.identity,
                "condition": cond, "holds": holds, **fail,
                "comment": comment,
                "within": [c for c in context if "condition" in c],
                "loops": [c for c in context if "loop" in c],
                "line": if_line, "fail_line": fail_start, "sources": sources,
                "before": prior["exits"], "before_known": not prior["blocked"],
                "before_spans": merge_near([(e["line"], e["exit_line"]) for e in prior["exits"]] +
                                           [(s["line"], s["end_line"]) for e in prior["exits"] for s in e["sources"]] +
                                           [(c["line"], c["line"]) for e in prior["exits"] for c in e["within"]]),
                "exit_sites": _exit_sites(method, fail),
                "same_subject": [e for e in prior["exits"] if _subjects(e["condition"]) & _subjects(cond)],
                "code_after": _code_after(node, method),
            }))
    exits = _early_exits(method)
    checks = _checking_calls(method) if out else []
    for g in out:
        g.facts["method_exits"] = exits   # all guards of the method together answer "what stops it" only if equal
        g.facts["calls_checks"] = checks  # ... and only if no helper it calls can stop it too
    return out


_SUBJECT = re.compile(r"(?<![\w.])([a-z]\w*(?:\.get\w+\(\))*)")


def _subjects(condition: str) -> set[str]:
    """The values a condition tests (`commentId`, `order.getStatus()`): an earlier exit on the same value
    decides which of its values ever reach a later check ("where is the check" must show both)."""
    return {m for m in _SUBJECT.findall(condition) if m not in ("null", "true", "false")}


def _within_sources(within: list[dict], target: Node, method: Method) -> None:
    """Where the locals of the `if`s around a setter come from (`status = statusParam.getStatus()`): "`status.equals(2)`
    holds" does not say it is the requested status, not the stored one."""
    node = target.parent
    while node is not None and node != method.node:
        if node.type == "if_statement":
            for c in within:
                if "condition" in c and c["line"] == lines(node)[0]:
                    c["sources"] = _local_sources(method, node.child_by_field_name("condition"), c["line"])
        node = node.parent


def _code_after(node: Node, method: Method) -> bool:
    """Some statement of the method can run after `node` (in its block or an enclosing one, or a loop's next
    round): "returns and skips the rest of the method" says nothing when the check is the method's last step."""
    child, parent = node, node.parent
    while parent is not None and parent != method.node:
        if parent.type in _LOOPS:
            return True
        if parent.type == "block" and any(st.start_byte > child.end_byte for st in _statements(parent)):
            return True
        child, parent = parent, parent.parent
    return False


def _exit_key(fail: dict) -> tuple[str, str]:
    """What an exit does, whatever its message: `return WxPayNotifyResponse.fail(..)`, `throw new X(..)`, `return null`."""
    return fail["action"], fail.get("helper") or fail.get("exception") or fail.get("value") or ""


def _exit_sites(method: Method, fail: dict) -> int:
    """How many statements of the method exit the way `fail` does, with any message and anywhere (a `catch`
    block, an `else`, a plain statement): "when does M return X" lists them all or is not asked."""
    key = _exit_key(fail)
    return sum(1 for st in _own_nodes(method, frozenset({"return_statement", "throw_statement", "expression_statement"}))
               if _own(st, method) and (f := failure(st)) is not None and _exit_key(f) == key)


def _checking_calls(method: Method) -> list[str]:
    """Calls in the method to a same-class helper that throws or fails, or to a `check…`/`validate…` method:
    each is a way to stop the method that its own `if`s do not show (mall's generateOrder → lockStock)."""
    helpers = _throwing_helpers(method)
    found = set()
    for call in _own_nodes(method, frozenset({"method_invocation"})):
        obj, name = text(call.child_by_field_name("object")), text(call.child_by_field_name("name"))
        if (obj in ("", "this") and name in helpers) or _CHECK_CALL.match(name):
            found.add(name)
    return sorted(found)


def _early_exits(method: Method) -> int:
    """How many `if` branches of the method leave it: any `return`, `throw` or failure helper among the
    branch's statements (`return ResponseUtil.unlogin()` too, which `guards` does not take as a check), so
    that "what can stop M" is asked only when the guards found are all of them."""
    count = 0
    for node in _own_nodes(method, frozenset({"if_statement"})):
        if not _own(node, method):
            continue
        for branch in (node.child_by_field_name("consequence"), node.child_by_field_name("alternative")):
            if branch is None or branch.type == "if_statement":
                continue
            if any(st.type in ("return_statement", "throw_statement") or failure(st) for st in _statements(branch)):
                count += 1
    for node in _own_nodes(method, frozenset({"catch_clause"})):   # a `catch` that returns or throws stops it too
        if _own(node, method) and _branch_exit(_statements(node.child_by_field_name("body"))) is not None:
            count += 1
    return count


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
        written = write_call(call, method)
        path = path_to(call, method)
        within = _enclosing_conditions(call, method.node)
        _within_sources(within, call, method)
        # what "under which condition" cites besides the setter; other questions need none of it
        path_spans = [(e["line"], e["exit_line"]) for e in path["exits"]] + \
            [(c["line"], c["line"]) for e in path["exits"] for c in e["within"]] + \
            [(s["line"], s["end_line"]) for c in within for s in c.get("sources") or []] + \
            [(s["line"], s["end_line"]) for e in path["exits"] for s in e["sources"]] + \
            [(c["line"], c["line"]) for c in path["within"]] + [(c["line"], c["end_line"]) for c in path["selects"]] + \
            [(c["write_line"], c["write_end_line"]) for c in path["selects"] if c.get("write_line")]
        out.append(Found("transition", method, spans, {
            **method.identity,
            "entity": types.get(receiver, ""), "receiver": receiver, "field": field_name, "to": value,
            **({} if _CODE.fullmatch(value) else {"to_expr": value}),
            "comment": comment, "inline_dict": inline_dict(comment), "line": line,
            "within": within,
            "exits": path["exits"], "loops": [c for c in path["within"] if "loop" in c], "complete": path["complete"],
            "selects": path["selects"], "path_spans": merge_near(path_spans),
            # the call that persists the value (plan cites it: "it sets X" is shown to take effect)
            "write": {"call": code(written)[:120], "line": lines(written)[0], "end_line": _write_end(written, method),
                      # the branches the write sits in and the setter does not: the value is stored only there
                      "within": [c for c in _enclosing_conditions(written, method.node)
                                 if c["line"] not in {w["line"] for w in within}]}
            if written is not None else None,
            "rewritten": {"call": code(again)[:120], "line": lines(again)[0]}
            if (again := rewrite_call(call, method, written)) is not None else None,
        }))
    return out


# ------------------------------------------------ exits on a statement's path --
_CHECK_CALL = re.compile(r"^(check|verify|validate|assert|ensure|require)[A-Z]?")
_WRITE_CALL = re.compile(r"^(update|insert|delete|lock|reduce|release|add|save|decrease|increase)")


def _contains(outer: Node, inner: Node) -> bool:
    return outer.start_byte <= inner.start_byte and inner.end_byte <= outer.end_byte


def _exclusive(branch: Node, target: Node, method: Method) -> bool:
    """`branch` and `target` sit in different branches of one `if`: reaching one means not running the other.

    That `if` is the innermost one above `branch` that also holds `target`, found by descending from
    the method while a node holds both: O(depth of their common ancestor). Climbing `.parent` from
    `branch` cost O(depth²) per call in tree-sitter, minutes for 2,000 nested ifs.
    """
    node, innermost = method.node, None
    while node is not None and node != branch and _contains(node, target):
        if node.type == "if_statement" and node != method.node:
            innermost = node
        node = node.child_with_descendant(branch)
    if innermost is None:
        return False
    sides = [innermost.child_by_field_name("consequence"), innermost.child_by_field_name("alternative")]
    side_b = next((s for s in sides if s is not None and _contains(s, branch)), None)
    side_t = next((s for s in sides if s is not None and _contains(s, target)), None)
    return side_b is not None and side_t is not None and side_b != side_t


def _branch_exit(stmts: list[Node]) -> dict | None:
    """How a branch leaves the method or the iteration: a failure or return (as `failure` reads it), or
    `continue`/`break`; None when it runs on."""
    for st in stmts:
        fail = failure(st)
        if fail is not None:
            return {**fail, "exit_line": lines(st)[0]}
        if st.type in ("continue_statement", "break_statement"):
            return {"action": st.type.split("_")[0], "message": "", "exit_line": lines(st)[0]}
    return None


_PRESENCE_TEST = re.compile(r"^(is|non|not)(Not)?(Empty|Null|Blank)$")
_COMPARES = re.compile(r"^(compareTo|equals|equalsIgnoreCase|isBefore|isAfter|before|after|compare)$")


def _local_sources(method: Method, condition: Node, before: int) -> list[dict]:
    """Locals a condition tests that were assigned from a call (`count = stockDao.lockStock(..)` before
    `if (count == 0)`): where the value comes from is the real rule, so it is named and cited."""
    # `update(order) == 0` tests no `order`; `CollectionUtils.isEmpty(list)` and `x.compareTo(amount)` do test
    # `list` and `amount` (blind read 20A: litemall S9 never said `amount` is the paid price minus freight)
    names = {text(n) for n in java_ast.walk(condition, {"identifier"})
             if n.parent is None or n.parent.type != "argument_list" or any(pat.match(
                 text(n.parent.parent.child_by_field_name("name")) if n.parent.parent is not None else "")
                 for pat in (_PRESENCE_TEST, _COMPARES))}
    found: dict[str, dict] = {}
    helpers = None
    for node in _own_nodes(method, frozenset({"variable_declarator", "assignment_expression"})):
        if not _own(node, method) or lines(node)[0] >= before:
            continue
        target = node.child_by_field_name("name" if node.type == "variable_declarator" else "left")
        value = node.child_by_field_name("value" if node.type == "variable_declarator" else "right")
        if target is None or value is None or text(target) not in names or value.type != "method_invocation":
            continue
        if _exclusive(node, condition, method):
            continue   # assigned on the other branch of an if/else: not the value this condition sees
        call = text(value.child_by_field_name("name"))
        obj = text(value.child_by_field_name("object"))
        criteria = _criteria_of(value, method)
        if obj in ("", "this") and helpers is None:
            helpers = _helper_bodies(method)
        found[text(target)] = {"var": text(target), "expr": code(value)[:160], "end_line": lines(node)[1],
                               # a same-class helper that returns under conditions of its own (`getUseCoupon` gives
                               # null when no listed coupon matches): "when" is in its body, which no answer shows
                               "chosen": obj in ("", "this")
                               and len(re.findall(r"\breturn\b", (helpers or {}).get(call, ""))) > 1,
                               "call": squash(f"{obj}.{call}" if obj else call),   # one line: a claim is one line
                               "update_count": bool(_WRITE_CALL.match(call)) and bool(re.search(r"(Dao|Mapper)$", obj)),
                               # the span starts at the criteria the call is given, when they are built just before
                               "line": criteria["line"] if criteria else lines(node)[0],
                               **({"criteria": criteria["criteria"]} if criteria else {})}
    return sorted(found.values(), key=lambda s: s["line"])


def _criteria_of(call: Node, method: Method) -> dict | None:
    """`example.createCriteria().andIdEqualTo(id).andStatusEqualTo(0)` built for an Example the call is given, in
    the few lines above it: "`list` comes from `mapper.selectByExample(example)`" says nothing without them."""
    args = _arg_names(call)
    for chain in _own_nodes(method, frozenset({"method_invocation"})):
        if text(chain.child_by_field_name("name")) != "createCriteria" or \
                text(chain.child_by_field_name("object")) not in args:
            continue
        while chain.parent is not None and chain.parent.type in ("method_invocation", "field_access"):
            chain = chain.parent
        if 0 <= lines(call)[0] - lines(chain)[1] <= MAX_GAP // 2 and chain.end_byte < call.start_byte:
            return {"criteria": re.sub(r"\s+\.", ".", code(chain)), "line": lines(chain)[0]}
    return None


def _throwing_helpers(method: Method) -> set[str]:
    """Names of methods of the same class whose body throws or calls a failure helper: a call to one of
    them before a statement is a check this method's facts do not show."""
    owner = java_ast.enclosing(method.node, TYPE_DECLARATIONS)
    body = owner.child_by_field_name("body") if owner is not None else None
    out = set()
    for decl in (body.named_children if body is not None else []):
        if decl.type == "method_declaration" and decl != method.node:
            src = text(decl.child_by_field_name("body"))
            if re.search(r"\bthrow\b|\.(" + "|".join(FAIL_CALLS) + r")\(", src):
                out.add(text(decl.child_by_field_name("name")))
    return out


def _first_arg(call: Node) -> str | None:
    args = call.child_by_field_name("arguments")
    return text(args.named_children[0]) if args is not None and args.named_children else None


def _alternatives(stmts: list[Node], method: Method) -> str | None:
    """"all" where every two of the statements sit on different branches of an `if` (one of them runs),
    "some" where only some pairs do, None where they all run in turn."""
    pairs = [_exclusive(a, b, method) for i, a in enumerate(stmts) for b in stmts[i + 1:]]
    return ("all" if all(pairs) else "some") if any(pairs) else None


def _helper_bodies(method: Method) -> dict[str, str]:
    """The bodies of the methods of the same class that `method` calls unqualified (`handleNoReduce(..)`): what
    they set is part of what the method computes."""
    called = {text(c.child_by_field_name("name")) for c in _own_nodes(method, frozenset({"method_invocation"}))
              if text(c.child_by_field_name("object")) in ("", "this")}
    owner = java_ast.enclosing(method.node, TYPE_DECLARATIONS)
    body = owner.child_by_field_name("body") if owner is not None else None
    return {text(d.child_by_field_name("name")): text(d.child_by_field_name("body"))
            for d in (body.named_children if body is not None else [])
            if d.type == "method_declaration" and d != method.node and text(d.child_by_field_name("name")) in called}


def _arg_names(call: Node) -> set[str]:
    args = call.child_by_field_name("arguments")
    return {text(a) for a in (args.named_children if args is not None else [])}


def _criteria_around(target: Node, method: Method) -> list[dict]:
    """MyBatis example criteria that decide which rows a setter reaches: a lookup before it (`selectByExample`
    then the setter on what it found), or the criteria of the `...ByExample(record, example)` write that
    takes the record the setter fills (the WHERE of that UPDATE is the rule)."""
    receiver = text(target.child_by_field_name("object"))
    writes = [call for call in _own_nodes(method, frozenset({"method_invocation"}))
              if _own(call, method) and call.start_byte > target.end_byte]
    out = []
    for call in _own_nodes(method, frozenset({"method_invocation"})):
        if not _own(call, method) or text(call.child_by_field_name("name")) != "createCriteria":
            continue
        chain = call
        while chain.parent is not None and chain.parent.type in ("method_invocation", "field_access"):
            chain = chain.parent
        example = text(call.child_by_field_name("object"))
        entry = {"criteria": re.sub(r"\s+\.", ".", code(chain)), "line": lines(chain)[0], "end_line": lines(chain)[1]}
        if chain.end_byte < target.start_byte:
            if any(text(c.child_by_field_name("name")).startswith("select") and example in _arg_names(c)
                   for c in _own_nodes(method, frozenset({"method_invocation"}))
                   if chain.end_byte < c.start_byte < target.start_byte):
                out.append({**entry, "when": "lookup"})   # the record set was read with these criteria
        elif (w := next((w for w in writes if {receiver, example} <= _arg_names(w)), None)) is not None:
            # the write that uses the criteria: the claim "it writes with these criteria" cites both
            out.append({**entry, "when": "write", "write_line": lines(w)[0], "write_end_line": lines(w)[1]})
    return out


# a call that stores a record: mapper / DAO / repository / service writes (`insertSelective`, `updateById`,
# `save`, `add`), not any call that happens to take the record (`generateOrderSn(order)` only reads it)
_CONTAINER = re.compile(r"(List|Set|Collection|Map|Queue|Deque|Stack|Vector|Builder|Joiner)$|\[\]$")
_PERSIST_CALL = re.compile(r"^(insert|update|save|persist|merge|add|create|upsert|replace|store|batch(Insert|Update|Save))")


def _persisting_calls(target: Node, method: Method, after: int) -> list[Node]:
    """Calls after byte `after` that store a record passed to them: a persisting name called on a bean or on
    this class (`orderMapper.insert(order)`, `add(cartItem)`), not on a local collection (`list.add(x)`)."""
    types = _receiver_types(method)
    return sorted((c for c in _own_nodes(method, frozenset({"method_invocation"}))
                   if _own(c, method) and c.start_byte > after
                   and _PERSIST_CALL.match(text(c.child_by_field_name("name")))
                   and not _CONTAINER.search(types.get(text(c.child_by_field_name("object")), ""))),
                  key=lambda c: c.start_byte)


def write_call(target: Node, method: Method) -> Node | None:
    """The call that makes a setter's value take effect: the first later persisting call that is given the
    record (`mapper.updateByExampleSelective(record, example)`); None when there is none in the method."""
    receiver = text(target.child_by_field_name("object"))
    if not receiver:
        return None
    return next((c for c in _persisting_calls(target, method, target.end_byte) if receiver in _arg_names(c)), None)


def _write_end(call: Node, method: Method) -> int:
    """The last line to cite for a write: a write tested by an `if` (`if (update(order) == 0) { return fail(..) }`)
    is cited through that branch, so the exit it leads to is not cut off at the `if (...) {` line."""
    stmt = java_ast.enclosing(call, frozenset({"if_statement", "expression_statement", "local_variable_declaration",
                                               "return_statement"}), root=method.node)
    cond = stmt.child_by_field_name("condition") if stmt is not None and stmt.type == "if_statement" else None
    branch = stmt.child_by_field_name("consequence") if cond is not None and _contains(cond, call) else None
    if branch is not None and lines(branch)[1] - lines(call)[0] < 6:
        return lines(branch)[1]
    return lines(call)[1]


def rewrite_call(target: Node, method: Method, written: Node | None) -> Node | None:
    """A later write that stores the record again, or another record of the same type (`updateAttr` marks the
    old cart row deleted, then `add(cartItem)` inserts the item anew with deleteStatus 0): what the method
    "leaves the record in" is then not the setter's value alone."""
    receiver = text(target.child_by_field_name("object"))
    types = _receiver_types(method)
    kind = types.get(receiver)
    after = written.end_byte if written is not None else target.end_byte
    return next((c for c in _persisting_calls(target, method, after)   # the record stored is the first argument
                 if (first := _first_arg(c)) and (first == receiver or (kind and types.get(first) == kind))
                 and not _exclusive(c, written or target, method)), None)   # the other branch of an if/else


def _written_at(target: Node, method: Method) -> int:
    """Where the value a setter puts on a record takes effect (`write_call`), else the setter itself. An exit
    between the two stops the change as surely as one before the setter."""
    call = write_call(target, method)
    return call.start_byte if call is not None else target.start_byte


def _own_context(exit_node: Node, target: Node, method: Method) -> list[dict]:
    """The branches and loops around an earlier exit that do not also hold `target`: the exit only runs there
    (mall's "该优惠券不可用" sits in the `else` of `if (couponId == null)`; said without it, the answer claimed
    every order needs a valid coupon)."""
    shared = {(c["line"], c.get("branch")) for c in _context(target, method.node)}
    return [c for c in _context(exit_node, method.node) if (c["line"], c.get("branch")) not in shared]


def path_to(target: Node, method: Method) -> dict:
    """Everything that must hold for the method to reach `target`: every earlier early exit on its path
    (`if (c) throw/return/fail/continue/break`, a `catch` that returns or throws), in code order, and the
    `if`/loop conditions around it. `complete` is False where that list cannot be the whole story: the
    statement runs in a loop (which elements it visits is decided elsewhere), inside a `try` whose
    `catch` exits, behind a `switch` that exits, or after a call to a helper that can itself fail."""
    exits, blocked = [], False
    start = _written_at(target, method)
    for node in _own_nodes(method, frozenset({"if_statement"})):
        if not _own(node, method) or node.start_byte >= start:
            continue
        cond = node.child_by_field_name("condition")
        for branch, holds in ((node.child_by_field_name("consequence"), True),
                              (node.child_by_field_name("alternative"), False)):
            if branch is None or branch.type == "if_statement" or _contains(branch, target) \
                    or branch.start_byte >= start or _exclusive(branch, target, method):
                continue
            ex = _branch_exit(_statements(branch))
            if ex is None:
                continue
            if ex["action"] in ("continue", "break"):
                loop = java_ast.enclosing(branch, _LOOPS | {"switch_expression", "switch_block"}, root=method.node)
                if loop is None or not _contains(loop, target):
                    continue   # it only ends an earlier loop's iteration
            if_line = lines(node)[0]
            exits.append({"condition": strip_parens(code(cond)), "holds": holds, "line": if_line, **ex,
                          "sources": _local_sources(method, cond, if_line), "within": _own_context(node, target, method)})
    for node in _own_nodes(method, frozenset({"catch_clause"})):
        if not _own(node, method) or node.start_byte >= start or _contains(node, target):
            continue
        ex = _branch_exit(_statements(node.child_by_field_name("body")))
        if ex is None:
            continue
        if node.parent is not None and _contains(node.parent, target):
            blocked = True   # the statement is inside the try: which calls before it can throw is unknown
            continue
        caught = next((text(c) for c in node.named_children if c.type == "catch_formal_parameter"), "")
        exits.append({"condition": f"catch ({squash(caught)})", "catch": True, "holds": True,
                      "line": lines(node)[0], **ex, "sources": [], "within": _own_context(node, target, method)})
    for node in _own_nodes(method, frozenset({"switch_expression", "switch_statement"})):
        if _own(node, method) and node.start_byte < start and not _contains(node, target) and \
                re.search(r"\b(return|throw)\b", text(node)):
            blocked = True
    helpers = _throwing_helpers(method)
    for call in _own_nodes(method, frozenset({"method_invocation"})):
        if not _own(call, method) or call.start_byte >= start:
            continue
        name, obj = text(call.child_by_field_name("name")), text(call.child_by_field_name("object"))
        if (obj in ("", "this") and name in helpers) or _CHECK_CALL.match(name):
            blocked = True
    selects = _criteria_around(target, method)
    context = _context(target, method.node)
    # which elements a loop or a stream lambda visits is decided elsewhere
    looped = any("loop" in c for c in context) or not _own(target, method)
    return {"exits": sorted(exits, key=lambda e: e["line"]), "within": context, "complete": not (blocked or looped),
            "blocked": blocked, "selects": selects}


def status_criteria(method: Method) -> list[tuple[str, str, int]]:
    """`andStatusEqualTo(0)` / `andStatusIn(...)` in MyBatis example criteria: (field, values, line)."""
    out = []
    for call in _own_nodes(method, frozenset({"method_invocation"})):
        name = text(call.child_by_field_name("name"))
        m = re.fullmatch(r"and(\w*Status)(EqualTo|In|NotEqualTo)", name)
        if m:
            args = squash(text(call.child_by_field_name("arguments"))).strip("()")
            out.append((lower_first(m[1]) + ("!=" if m[2] == "NotEqualTo" else ""), args, lines(call)[0]))
        elif name in ("eq", "in", "ne"):   # MyBatis-Plus wrapper: `.eq(Order::getStatus, 0)`, `.in(Order::getStatus, 0, 1)`
            first, _, rest = squash(text(call.child_by_field_name("arguments"))).strip("()").partition(",")
            w = _WRAPPER_FIELD.match(first.strip())
            if w and rest.strip():
                out.append((lower_first(w[2]) + ("!=" if name == "ne" else ""), rest.strip(), lines(call)[0]))
    return out


NUMERIC_TYPES = frozenset({"int", "long", "short", "byte", "double", "float", "Integer", "Long", "Short", "Byte",
                           "Double", "Float", "BigDecimal", "BigInteger", "Number", "AtomicInteger", "AtomicLong"})
_CHAIN = frozenset({"add", "subtract", "multiply", "divide"})
_NUMBER_OF = frozenset({"setScale", "negate", "abs", "pow", "remainder", "max", "min", "intValue", "longValue",
                        "doubleValue", "compareTo", "signum"})
_NOT_A_NUMBER = re.compile(r"(List|Map|Set|Ids|Items|Names|Array|Collection|Str|String|Name|Sn|Time|Date)$")
MAX_SITES = 8     # more assignment sites than this do not make one readable answer


def _value_types(method: Method) -> dict[str, str]:
    """Declared types of the method's locals and parameters, and of its class's fields: what tells
    `total.add(x)` on a BigDecimal from `service.add(address)` or `list.add(item)`."""
    types: dict[str, str] = {}
    owner = java_ast.enclosing(method.node, TYPE_DECLARATIONS)
    body = owner.child_by_field_name("body") if owner is not None else None
    for decl in (body.named_children if body is not None else []):
        if decl.type == "field_declaration":
            typ = re.sub(r"<.*>", "", text(decl.child_by_field_name("type")))
            for var in decl.named_children:
                if var.type == "variable_declarator":
                    types[text(var.child_by_field_name("name"))] = typ
    return {**types, **_receiver_types(method)}


def _numeric(node: Node | None, types: dict[str, str]) -> bool:
    """Whether an expression is a number as far as the code shows: a numeric literal or variable, a
    BigDecimal built or chained, a getter of a scalar; never a collection, a string or a service call."""
    if node is None:
        return False
    kind = node.type
    if kind in ("decimal_integer_literal", "decimal_floating_point_literal", "hex_integer_literal"):
        return True
    if kind in ("parenthesized_expression", "unary_expression"):
        return bool(node.named_children) and _numeric(node.named_children[-1], types)
    if kind == "identifier":
        return types.get(text(node)) in NUMERIC_TYPES
    if kind == "field_access":
        obj, name = text(node.child_by_field_name("object")), text(node.child_by_field_name("field"))
        return obj in ("BigDecimal", "BigInteger") or (obj == "this" and types.get(name) in NUMERIC_TYPES)
    if kind in ("object_creation_expression", "cast_expression"):
        return re.sub(r"<.*>", "", text(node.child_by_field_name("type"))) in NUMERIC_TYPES
    if kind == "binary_expression":
        return _is_arith(node, types)
    if kind == "method_invocation":
        name, obj = text(node.child_by_field_name("name")), node.child_by_field_name("object")
        args = node.child_by_field_name("arguments")
        if name in _CHAIN:
            return _is_chain(node, types)
        if text(obj) in ("BigDecimal", "BigInteger", "Math"):
            return True
        if name in _NUMBER_OF:
            return obj is None or _numeric(obj, types) or name in ("intValue", "longValue", "doubleValue", "compareTo")
        return bool(re.match(r"get[A-Z]", name)) and not (args and args.named_children) and not _NOT_A_NUMBER.search(name)
    return False


def _is_arith(node: Node, types: dict[str, str]) -> bool:
    """`a * b`, `price - reduce`: + - * / on numbers (a `+` on a String is concatenation, not arithmetic)."""
    if node.type != "binary_expression":
        return False
    op = node.child_by_field_name("operator")
    if op is None or text(op) not in _ARITH or any(c.type == "string_literal" for c in java_ast.walk(node)):
        return False
    return _numeric(node.child_by_field_name("left"), types) and _numeric(node.child_by_field_name("right"), types)


def _is_chain(node: Node, types: dict[str, str]) -> bool:
    """`a.add(b).multiply(c)` on BigDecimal: the receiver and the operand are numbers (not `list.add(item)`)."""
    if node.type != "method_invocation" or text(node.child_by_field_name("name")) not in _CHAIN:
        return False
    args = node.child_by_field_name("arguments")
    operand = args.named_children[0] if args is not None and args.named_children else None
    return _numeric(node.child_by_field_name("object"), types) and _numeric(operand, types)


def _assignment(node: Node, types: dict[str, str]) -> tuple[str, str, Node] | None:
    """(target, operator, value) of a declaration with a value, an assignment or a setter call;
    None where the target is declared as something other than a number."""
    if node.type == "variable_declarator":
        value = node.child_by_field_name("value")
        declared = re.sub(r"<.*>", "", text(node.parent.child_by_field_name("type")))
        if value is None or declared not in NUMERIC_TYPES:
            return None
        return text(node.child_by_field_name("name")), "init", value
    if node.type == "assignment_expression":
        left = text(node.child_by_field_name("left"))
        if left in types and types[left] not in NUMERIC_TYPES:
            return None
        return left, text(node.child_by_field_name("operator")), node.child_by_field_name("right")
    name = text(node.child_by_field_name("name"))
    args = node.child_by_field_name("arguments")
    if name.startswith("set") and len(name) > 3 and args is not None and len(args.named_children) == 1:
        return f"{text(node.child_by_field_name('object'))}.{name}".lstrip("."), "set", args.named_children[0]
    return None


def _dead_store(method: Method, receiver: str, last: Node) -> bool:
    """`skuStock.setLockStock(..)` on a local `skuStock` that no later statement of the method mentions: the
    object is neither saved nor passed on, so the value it is given has no effect (mall lockStock locks the stock
    through a DAO call with other arguments; blind read B0 took the dead store for the mechanism)."""
    if not re.fullmatch(r"[a-z]\w*", receiver):
        return False
    declared = any(text(d.child_by_field_name("name")) == receiver
                   for d in _own_nodes(method, frozenset({"variable_declarator"})))
    if not declared:
        return False   # a parameter or a field: the caller or the object sees the value
    used = [n for n in _own_nodes(method, frozenset({"identifier"}))
            if text(n) == receiver and n.start_byte > last.end_byte]
    loop = java_ast.enclosing(last, _LOOPS, root=method.node)
    if loop is not None:   # a later iteration may read what an earlier one set
        used += [n for n in java_ast.walk(loop, {"identifier"}) if text(n) == receiver and n.start_byte < last.start_byte
                 and not _declares(n)]
    return not used


def _declares(identifier: Node) -> bool:
    """The identifier is the name a local declaration introduces (not a use of the variable)."""
    parent = identifier.parent
    return parent is not None and parent.type == "variable_declarator" and parent.child_by_field_name("name") == identifier


def _accumulation(target: str, op: str, value: Node, types: dict[str, str]) -> tuple[str, str] | None:
    """(`+` or `-`, the term) when the site adds to or takes from the target's own value:
    `t += x`, `t = t + x`, `t = t.add(x)`."""
    if op in ("+=", "-="):
        return op[0], code(value)
    if op != "=":
        return None
    if value.type == "method_invocation" and text(value.child_by_field_name("name")) in ("add", "subtract") \
            and text(value.child_by_field_name("object")) == target and _is_chain(value, types):
        args = value.child_by_field_name("arguments").named_children
        return ("+" if text(value.child_by_field_name("name")) == "add" else "-"), code(args[0])
    if value.type == "binary_expression" and text(value.child_by_field_name("left")) == target:
        op_node = value.child_by_field_name("operator")
        if text(op_node) in ("+", "-") and _is_arith(value, types):
            return text(op_node), code(value.child_by_field_name("right"))
    return None


def _site(method: Method, node: Node, stmt: Node, op: str, value: Node, types: dict[str, str]) -> dict:
    start, end = lines(stmt)
    arithmetic = _is_chain(value, types) or _is_arith(value, types) or (op in ("+=", "-=", "*=", "/=") and _numeric(value, types))
    return {"line": start, "end_line": end, "op": op, "expression": code(value), "arithmetic": arithmetic,
            "bigdecimal": _is_chain(value, types), "context": _context(stmt, method.node),
            "comment": comment_above(method, start)}


def _site_spans(method: Method, sites: list[dict]) -> list[tuple[int, int]]:
    spans = []
    for s in sites:
        spans += _governed_spans(s["line"], s["end_line"], s["context"])
        if s.get("comment"):
            spans.append((s["line"] - 1, s["line"] - 1))
    return merge_near(spans)


def calculations(method: Method) -> list[Found]:
    """What a method computes: for each target with numeric arithmetic (`+ - * /` on numbers, BigDecimal
    chains, `+=`), EVERY assignment site of that target in the method, each with the branches and loops
    around it, so "how is X computed in M" has one complete answer."""
    types = _value_types(method)
    groups: dict[str, list[dict]] = {}
    nodes: dict[str, list[Node]] = {}
    for node in _own_nodes(method, frozenset({"variable_declarator", "assignment_expression", "method_invocation"})):
        found = _assignment(node, types) if _own(node, method) else None
        if found is None:
            continue
        target, op, value = found
        stmt = node.parent if node.type == "variable_declarator" else node
        site = _site(method, node, stmt, op, value, types)
        site["accumulates"] = _accumulation(target, op, value, types)
        if value.type == "identifier":   # `total += count`: where `count` comes from is what the sum means
            site["sources"] = _local_sources(method, value, lines(stmt)[0])
        groups.setdefault(target, []).append(site)
        nodes.setdefault(target, []).append(stmt)
    out = []
    helpers = _helper_bodies(method)
    for target, sites in groups.items():
        sites.sort(key=lambda s: s["line"])
        arith = [s for s in sites if s["arithmetic"]]
        if not arith or len(sites) > MAX_SITES or any(s["end_line"] - s["line"] + 1 > MAX_BLOCK for s in sites):
            continue
        if sum(s["op"] == "init" for s in sites) > 1:
            continue   # a local declared in several branches is several variables: no one answer
        setter = target.rsplit(".", 1)[-1] if sites[0]["op"] == "set" else None
        if setter and any(f".{setter}(" in body for body in helpers.values()):
            continue   # a helper it calls sets the same field too: the sites here are not the whole answer
        if setter and _dead_store(method, target.rsplit(".", 1)[0], nodes[target][-1]):
            continue   # set on a local nothing reads afterwards: the value never goes anywhere
        for site, stmt in zip(sites, sorted(nodes[target], key=lambda n: n.start_byte)):
            if setter:   # "and when" is only the branches around it where nothing before it can end the method
                path = path_to(stmt, method)
                site["earlier_exits"] = bool(path["exits"]) or path["blocked"]
        site_label = next((st["comment"] for st in arith + sites if st["comment"] and not inline_dict(st["comment"])), None)
        loops = [c for c in arith[0]["context"] if "loop" in c]
        # a comment above a loop labels that loop only: not a value also computed in other loops
        one_loop = loops and all(any(c.get("line") == loops[-1]["line"] for c in s["context"]) for s in sites)
        loop_label = comment_above(method, loops[-1]["line"]) if one_loop and not site_label else None
        spans = _site_spans(method, sites) + ([(loops[-1]["line"] - 1,) * 2] if loop_label else []) + \
            [(src["line"], src["end_line"]) for st in sites for src in st.get("sources") or []]
        out.append(Found("calculation", method, merge_near(spans), {
            **method.identity, "target": target, "sites": sites, "expression": arith[0]["expression"],
            # sites on different branches of one `if`: alternatives, only one of them runs ("all" / "some" pairs)
            "alternatives": _alternatives(nodes[target], method),
            "comment": site_label or loop_label, "doc": _doc_above(method),
            **({"comment_line": loops[-1]["line"] - 1} if loop_label else {}),
            "line": arith[0]["line"],
        }))
    return out + _returned_values(method, types)


_COMPARE = frozenset({"<", "<=", ">", ">="})
_CONSTANT = re.compile(r"^([A-Z][A-Z0-9_]*|\w+\.[A-Z][A-Z0-9_]*|-?\d+(\.\d+)?[LDF]?|true|false|null)$")


def _is_business_expr(node: Node, types: dict[str, str]) -> bool:
    """A returned expression worth a rule: arithmetic on numbers, or a comparison of amounts/counts
    (`stock <= lowStock`, not `x != null`)."""
    if _is_chain(node, types) or _is_arith(node, types):
        return True
    if node.type != "binary_expression":
        return False
    op = text(node.child_by_field_name("operator"))
    if op in ("&&", "||"):
        return _is_business_expr(node.child_by_field_name("left"), types) or \
            _is_business_expr(node.child_by_field_name("right"), types)
    return op in _COMPARE and _numeric(node.child_by_field_name("left"), types) and \
        _numeric(node.child_by_field_name("right"), types)


def _exits_before(node: Node, method: Method) -> list[dict]:
    """Earlier `if (c) return …;` statements in the blocks around `node`: the method only gets to
    `node` when none of them returned (an `otherwise` in words)."""
    out = []
    child, parent = node, node.parent
    while parent is not None and parent != method.node:
        if parent.type == "block":
            for stmt in _statements(parent):
                if stmt.start_byte >= child.start_byte:
                    break
                branch = _statements(stmt.child_by_field_name("consequence")) if stmt.type == "if_statement" else []
                if branch and branch[-1].type == "return_statement" and stmt.child_by_field_name("alternative") is None:
                    out.append({"condition": strip_parens(code(stmt.child_by_field_name("condition"))),
                                "line": lines(stmt)[0]})
        child, parent = parent, parent.parent
    return sorted(out, key=lambda c: c["line"])


def _after_failure(ret: Node) -> bool:
    """The statement right before `ret` in its block is a failure (a throw or an assertion helper)."""
    stmts = _statements(ret.parent) if ret.parent is not None and ret.parent.type == "block" else []
    i = next((n for n, st in enumerate(stmts) if st == ret), 0)
    return i > 0 and (failure(stmts[i - 1]) or {}).get("action") in ("throw", "assert")


def _returned_values(method: Method, types: dict[str, str]) -> list[Found]:
    """What a method returns when that is a computed value (`return stock <= lowStock`) or a value
    chosen by conditions (`if (amount >= free) return 0; return freight;`): EVERY return statement of
    the method, each with the conditions that lead to it."""
    rets = [r for r in _own_nodes(method, frozenset({"return_statement"})) if _own(r, method)]
    values = [r.named_children[0] if r.named_children else None for r in rets]
    if not rets or None in values or len(rets) > MAX_SITES or any(
            lines(r)[1] - lines(r)[0] + 1 > MAX_BLOCK for r in rets):
        return []
    if any(_after_failure(r) for r in rets):
        return []   # `fail(..); return false;`: the helper throws, so what the method "returns" there is moot
    business = any(_is_business_expr(v, types) for v in values)
    chosen = len(rets) >= 2 and all(_CONSTANT.match(squash(text(v))) for v in values)
    if not (business or chosen):
        return []
    sites = []
    for ret, value in zip(rets, values):
        site = _site(method, ret, ret, "return", value, types)
        site["arithmetic"] = _is_business_expr(value, types)
        site["exits_before"] = _exits_before(ret, method)
        site["after_returns"] = bool(sites)   # an earlier `return` (in a loop or branch) may have ended the method
        sites.append(site)
    sites.sort(key=lambda s: s["line"])
    spans = _site_spans(method, sites)
    for s in sites:
        spans += [(e["line"], e["line"]) for e in s["exits_before"]]
    decl = lines(method.node)[0]
    spans.append((decl, decl))   # the signature: the claim is about the method's result
    return [Found("calculation", method, merge_near(spans), {
        **method.identity, "target": f"{method.name}()", "sites": sites,
        "expression": next((s["expression"] for s in sites if s["arithmetic"]), sites[-1]["expression"]),
        "comment": None, "doc": _doc_above(method), "line": sites[0]["line"], "decl_line": decl,
    })]


def _blocks(method: Method) -> Iterator[list[Node]]:
    """Statement lists of every block in the method, outermost first."""
    body = method.body
    if body is None:
        return
    for block in java_ast.walk(body, {"block"}):
        yield _statements(block)


MAX_JOB_CALLS = 8


def _job_calls(method: Method) -> list[dict] | None:
    """Every call a job's body makes apart from getters, setters, logging and static helpers, in source order,
    each with the loops and branches around it; None when that list cannot be complete and short (a lambda
    or an anonymous class in the body, or more than MAX_JOB_CALLS calls)."""
    body = method.body
    if body is None or any(True for _ in java_ast.walk(body, {"lambda_expression", "class_body"})):
        return None
    out = []
    for call in java_ast.walk(body, {"method_invocation"}):
        name, obj = text(call.child_by_field_name("name")), text(call.child_by_field_name("object"))
        args = call.child_by_field_name("arguments")
        n_args = len(args.named_children) if args is not None else 0
        if _LOGGER.search(obj.rsplit(".", 1)[-1] or "x") or name in ("info", "debug", "warn", "error", "trace") \
                or obj[:1].isupper() or (re.match(r"(get|is)[A-Z]", name) and n_args == 0) \
                or (re.match(r"set[A-Z]", name) and n_args == 1):
            continue
        out.append({"call": f"{obj}.{name}" if obj else name, "line": lines(call.child_by_field_name("name"))[0],
                    "context": _context(call, method.node)})
    return sorted(out, key=lambda c: c["line"]) if len(out) <= MAX_JOB_CALLS else None


def _job_writes(method: Method) -> list[dict]:
    """The values a job puts on records (`coupon.setStatus(STATUS_EXPIRED)`, `order.setComments((short) 0)`):
    a code or a named constant, as written, with the loops and branches around the setter. They are
    what the job is for; its calls alone ("calls `couponService.updateById`") do not say it."""
    out = []
    for call in java_ast.walk(method.body, {"method_invocation"}):
        name = text(call.child_by_field_name("name"))
        args = call.child_by_field_name("arguments")
        if not re.match(r"set[A-Z]", name) or args is None or len(args.named_children) != 1:
            continue
        expr = squash(text(args.named_children[0]))
        value = named_value(expr) or (expr if len(expr) <= 60 else None)   # `LocalDateTime.now()` is set too (blind
        if value is None or call.child_by_field_name("object") is None:    # read 21H: litemall S30 left it out)
            continue
        out.append({"receiver": text(call.child_by_field_name("object")), "field": lower_first(name[3:]),
                    "value": value, "line": lines(call.child_by_field_name("name"))[0],
                    "context": _context(call, method.node)})
    return sorted(out, key=lambda w: w["line"])


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


def _class_head(method: Method) -> tuple[int, int]:
    """Lines of the declaring class's head: the comments and annotations above it through its name, where a
    commented-out `//@Component` shows that the class is not a bean."""
    owner = java_ast.enclosing(method.node, TYPE_DECLARATIONS)
    name_line = lines(owner.child_by_field_name("name"))[0]
    start = lines(owner)[0]
    while start > 1 and start > name_line - 8 and re.match(r"\s*(//|@|/\*|\*)", method.lines_of[start - 2]):
        start -= 1
    return start, name_line


def schedules(method: Method) -> list[Found]:
    """`@Scheduled` methods: when they run, and the calls the method body makes (in order, its own calls)."""
    out = []
    for name, args, line in method.annotations:
        if name != "Scheduled":
            continue
        cron = re.search(r'cron\s*=\s*"([^"]+)"', args)
        rate = re.search(r"(fixedRate|fixedDelay)(?:String)?\s*=\s*([^,)]+)", args)   # `60 * 60 * 1000` whole
        sites = _job_calls(method)
        decl = lines(method.node.child_by_field_name("name"))[0]
        spans = [(line, decl)]
        for site in sites or []:
            spans += _governed_spans(site["line"], site["line"], site["context"])
        writes = _job_writes(method) if sites is not None else []
        spans += [(w["line"], w["line"]) for w in writes]
        out.append(Found("schedule", method, merge_near(spans), {
            **method.identity,
            "cron": cron[1] if cron else None, "rate": f"{rate[1]} = {squash(rate[2])}" if rate else None,
            "calls": [c["call"] for c in sites or []], "call_sites": sites, "doc": _doc_above(method),
            "writes": writes,
            "line": line, "class_head": list(_class_head(method)),
        }))
    return out


_CONST_REF = re.compile(r"(?:\b[A-Z]\w*\.)+[A-Z][A-Z0-9_]+\b(?:\.get\w+\(\))?|\b[A-Z][A-Z0-9_]{2,}\b")


def _constant_texts(facts: dict) -> list[str]:
    """The code of a rule's conditions and computed values, where a named constant may stand for a code."""
    texts = [facts.get("condition") or ""] + [w["condition"] for w in facts.get("within") or []]
    for site in facts.get("sites") or []:
        texts += [site["expression"]] + [c["condition"] for c in site.get("context") or [] if "condition" in c]
    return texts


def annotate(item: Found, resolve, inactive: str | None) -> None:
    """What a finder cannot know from one method, given by the map: the value and label of each named
    constant a guard or calculation uses (`OrderUtil.STATUS_PAY` -> 201 "已付款", its declaration cited), and
    whether the class of a job or listener is inactive (the reason, and the class head as evidence)."""
    if item.kind in ("guard", "calculation"):
        found = {}
        for t in _constant_texts(item.facts):
            for m in _CONST_REF.finditer(t):
                const = found.get(m[0]) or resolve(m[0])
                if const is None or const.value is None or m[0] in found:
                    continue
                found[m[0]] = const
                item.spans.extend((const.path, s, e) for s, e in const.evidence())
        named = item.facts.get("message_expr")
        const = resolve(named) if named else None
        if const is not None and const.value and not re.fullmatch(r"-?\d+", const.value):
            item.facts["message"] = const.value   # the text the named message stands for, cited at its declaration
            item.spans.extend((const.path, s, e) for s, e in const.evidence())
            item.facts["message_line"], item.facts["message_path"] = const.line, const.path
        if found:
            item.facts["constants"] = [{"expr": k, "value": c.value, "label": c.label, "path": c.path, "line": c.line,
                                        "label_line": c.label_start} for k, c in found.items()]
    if item.kind == "transition":
        for ex in item.facts.get("exits") or []:
            const = resolve(ex["message_expr"]) if ex.get("message_expr") else None
            if const is not None and const.value and not re.fullmatch(r"-?\d+", const.value):
                ex["message"] = const.value   # the text is quoted: its declaration is cited wherever the exit is said
                ex["message_spans"] = [(const.path, s, e) for s, e in const.evidence()]
                item.facts["path_spans"] += ex["message_spans"]
    if item.kind in ("schedule", "messaging") and inactive:
        item.facts["inactive"] = inactive
        if item.facts.get("class_head"):
            item.spans.append(tuple(item.facts["class_head"]))


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
            "handler_line": decl_line, "class_head": list(_class_head(method)),
        }))
    return out


def _trailing_comment(method: Method, line: int) -> str | None:
    raw = method.lines_of[line - 1]
    if "//" in raw:
        return raw.split("//", 1)[1].strip() or None
    return None


_CODE_COMMENT = re.compile(r"[;{}]\s*$|^[\w.]+\(.*\)|^(TODO|FIXME)\b", re.I)


def _step_label(method: Method, line: int) -> str | None:
    """The one-line `//` comment that labels the statement on `line`: not commented-out code, a TODO, a value
    map, or the last line of a longer comment (an explanation, not a step name; a TODO above does not count)."""
    label, before = comment_above(method, line), comment_above(method, line - 1)
    if not label or inline_dict(label) or _CODE_COMMENT.search(label) or (before and not _CODE_COMMENT.search(before)):
        return None
    return label


def _names_a_value(label: str, stmt: Node) -> bool:
    """`//未使用` above `history.setUseStatus(0);`: a word or two naming the value set, not a step label
    (a step comment above a setter says what the step does: `//修改订单状态为取消`)."""
    call = _call_name(stmt)
    if call is None or stmt.type != "expression_statement" or not re.match(r"^set[A-Z]", call[1]):
        return False
    args = call[2].child_by_field_name("arguments")
    constant = args is not None and len(args.named_children) == 1 and bool(_CONSTANT.match(code(args.named_children[0])))
    short = len(label) <= 5 if re.search(r"[\u4e00-\u9fff]", label) else len(label.split()) <= 2
    return constant and short


def _exits_early(stmt: Node) -> bool:
    """An `if` whose branch ends in a return, throw or failure helper: a check, whatever its comment says."""
    if stmt.type != "if_statement":
        return False
    branch = _statements(stmt.child_by_field_name("consequence"))
    return bool(branch) and failure(branch[-1]) is not None


def side_effects(method: Method, min_steps: int = 2) -> list[Found]:
    """The comment-labelled blocks of a method: `//锁定库存` above `lockStock(...)` and what follows it.

    A comment right above a statement labels it and the statements after it in
    the same block, up to the next labelled one. Which calls of a block change
    data is decided at generation time, where calls are followed down to SQL:
    every call in the method's lines belongs to the innermost labelled block
    around it, or to none (then the labels do not tell the whole story).
    """
    blocks: list[list] = []          # [label, comment line, first line, last line]
    for stmts in _blocks(method):
        current: list | None = None
        for stmt in stmts:
            start, end = lines(stmt)
            label = _step_label(method, start)
            if label and _names_a_value(label, stmt):
                label = None
            if label:
                current = [label, start - 1, start, end]
                blocks.append(current)
            elif comment_above(method, start):
                current = None   # another kind of comment (an explanation, a TODO) ends the labelled block
            elif current is not None:
                current[3] = end
            if current is not None and _exits_early(stmt):
                current = None   # `// check the stock` labels up to its check, not what runs once the check passes
    if len(blocks) < min_steps:
        return []
    blocks.sort(key=lambda b: b[1])
    steps = [{"label": label, "line": comment, "start_line": first, "end_line": last}
             for label, comment, first, last in blocks]
    return [Found("side_effects", method, [(s["line"], min(s["end_line"], s["line"] + MAX_BLOCK - 1)) for s in steps], {
        **method.identity, "steps": steps, "line": steps[0]["line"],
    })]


FINDERS = (guards, transitions, calculations, schedules, messaging, side_effects)


# ------------------------------------------------ status passed to a statement --
def param_transitions(method: Method, writes: dict[tuple[str, int, str], list[dict]]) -> list[Found]:
    """`mapper.closeOrder(ids, Status.CLOSED.getCode())` where the statement runs `SET status = #{orderStatus}`:
    the caller moves the record to the code it passes, as a setter would. `writes` maps a resolved call of such a
    statement's method (path, line, method name) to its status parameters ({"index", "field", "entity",
    "statement"}); a variable argument is no known state. The call is both the change and its write."""
    out: list[Found] = []
    for call in _own_nodes(method, frozenset({"method_invocation"})):
        args = call.child_by_field_name("arguments")
        receiver = text(call.child_by_field_name("object"))
        line = lines(call.child_by_field_name("name"))[0]
        if args is None or not receiver:
            continue
        for w in writes.get((method.path, line, text(call.child_by_field_name("name"))), []):
            if w["index"] >= len(args.named_children):
                continue
            value = named_value(squash(text(args.named_children[w["index"]])))
            if value is None:
                continue
            path = path_to(call, method)
            within = _enclosing_conditions(call, method.node)
            _within_sources(within, call, method)
            path_spans = [(e["line"], e["exit_line"]) for e in path["exits"]] + \
                [(s["line"], s["end_line"]) for e in path["exits"] for s in e["sources"]] + \
                [(c["line"], c["line"]) for c in path["within"]]
            out.append(Found("transition", method, [(line, line)], {
                **method.identity, "entity": w["entity"], "receiver": receiver, "field": w["field"], "to": value,
                **({} if _CODE.fullmatch(value) else {"to_expr": value}), "through": w["statement"],
                "through_stmt": w["stmt"],
                "comment": None, "inline_dict": {}, "line": line, "within": within, "exits": path["exits"],
                "loops": [c for c in path["within"] if "loop" in c], "complete": path["complete"],
                "selects": path["selects"], "path_spans": merge_near(path_spans),
                # the whole call (a cut one misreads and is no code the evidence holds), else its first line
                "write": {"call": code(call) if len(code(call)) <= 200 else text(call).splitlines()[0].strip(),
                          "line": line, "end_line": lines(call)[1], "within": []},
                "rewritten": None}))
    return out


# ------------------------------------------------ MyBatis-Plus update wrappers --
_WRAPPER_FIELD = re.compile(r"^(\w+)::(?:get|is)(\w*Status)$")
_WRAPPER_HOPS = frozenset({"method_invocation", "argument_list", "object_creation_expression", "parenthesized_expression"})


def wrapper_transitions(method: Method) -> list[Found]:
    """MyBatis-Plus `mapper.update(null, new LambdaUpdateWrapper<E>().set(E::getStatus, V).eq(E::getStatus, W))`
    (or `lambdaUpdate().set(..)..update()`): the update moves the rows to V, as a setter and updateById would.
    Only a wrapper whose chain ends in the update call it is built for: one kept in a variable is not followed."""
    out: list[Found] = []
    for call in _own_nodes(method, frozenset({"method_invocation"})):
        args = call.child_by_field_name("arguments")
        if text(call.child_by_field_name("name")) != "set" or args is None or len(args.named_children) != 2:
            continue
        m = _WRAPPER_FIELD.match(squash(text(args.named_children[0])))
        value = named_value(squash(text(args.named_children[1]))) if m else None
        if value is None:
            continue
        written, node = None, call
        while node.parent is not None and node.parent.type in _WRAPPER_HOPS:
            node = node.parent
            if node.type == "method_invocation" and re.match(r"update", text(node.child_by_field_name("name"))):
                written = node
        if written is None:
            continue
        line = lines(call.child_by_field_name("name"))[0]
        path = path_to(written, method)
        within = _enclosing_conditions(written, method.node)
        _within_sources(within, written, method)
        path_spans = [(e["line"], e["exit_line"]) for e in path["exits"]] + \
            [(s["line"], s["end_line"]) for e in path["exits"] for s in e["sources"]] + \
            [(c["line"], c["line"]) for c in path["within"]]
        out.append(Found("transition", method, [(line, line)], {
            **method.identity, "entity": m[1], "receiver": None, "field": lower_first(m[2]), "to": value,
            **({} if _CODE.fullmatch(value) else {"to_expr": value}),
            "comment": None, "inline_dict": {}, "line": line, "within": within, "exits": path["exits"],
            "loops": [c for c in path["within"] if "loop" in c], "complete": path["complete"],
            "selects": path["selects"], "path_spans": merge_near(path_spans),
            # the update call's first line, not its whole wrapper chain (the chain is cited; cut mid-way it misreads)
            "write": {"call": text(written).splitlines()[0].strip(), "line": lines(written)[0],
                      "end_line": lines(written)[1], "within": []},
            "rewritten": None}))
    return out
