"""Evidence a reader can verify without opening the file: whole statements and the condition that governs them.

A rule or a flow step is found on one line (a call, a setter, an `if`), but
one line hides what makes it true: the rest of a call spread over several
lines, or the `if` two lines above that decides whether it runs at all. The
outline here re-parses a cited Java file and widens a span to the whole
statement, then up to the header of the innermost `if` / `else` / loop
around it inside the same method, as long as the result stays short enough to
read (MAX_LINES). The same outline tells flow facts which conditions and
loops enclose a call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Node, Tree

from core.evidence import SourceCache
from core.index import java_ast
from core.index.java_ast import lines, text
from core.models import Span
from core.rules.java_rules import named_value
from core.rules.render import squash, strip_parens

MAX_LINES = 40
MAX_HEADER = 6          # a longer condition is cited as its first lines only
MERGE_GAP = 2           # spans of one file this close together read better as one
SHORT_METHOD = 15       # a statement this close to its method's signature is cited with it
MAX_VALUE = 80          # a longer value set on a record is named by its line, not quoted
SIGNED_SPAN = 20        # a span grows up to its method's declaration while the whole stays this short
STATEMENTS = frozenset({
    "expression_statement", "local_variable_declaration", "return_statement", "throw_statement", "if_statement",
    "for_statement", "enhanced_for_statement", "while_statement", "do_statement", "try_statement",
    "try_with_resources_statement", "switch_expression", "yield_statement", "break_statement", "continue_statement",
    "synchronized_statement", "labeled_statement", "assert_statement",
})
LOOPS = frozenset({"for_statement", "enhanced_for_statement", "while_statement", "do_statement"})
_LEAD = re.compile(r"\s*(\}\s*(else\b\s*)?)?")
_BODY_FIELDS = ("consequence", "alternative", "body")
_SCOPE_ENDS = frozenset({"method_declaration", "constructor_declaration", "class_body"})
FILLS = re.compile(r"(?i)copy|fill|merge|populate|convert|assign")   # calls that put values on an argument


@dataclass(frozen=True)
class Control:
    """An `if` branch or loop that encloses a statement: what decides whether (or how often) it runs."""

    kind: str          # if | else | loop | catch | lambda | and | or (short-circuit) | skip / stop (continue / break)
    code: str          # the condition as written (for a loop: its header)
    line: int          # first line of the header
    header_end: int    # last line of the header (where the body opens)
    branch_line: int   # the line where the enclosing branch starts (the `else` line for an else branch)


class JavaOutline:
    """Parsed Java files of one repository, read through the planner's SourceCache."""

    def __init__(self, files: SourceCache):
        self.files = files
        self._trees: dict[str, Tree] = {}

    def _tree(self, path: str) -> Tree | None:
        if not path.endswith(".java"):
            return None
        if path not in self._trees:
            self._trees[path] = java_ast.parse(self.files.get(path).text)
        return self._trees[path]

    def node_at(self, path: str, line: int) -> Node | None:
        """The smallest named node starting on `line` at its first non-blank column (or covering it)."""
        tree = self._tree(path)
        source_lines = self.files.get(path).lines if tree is not None else []
        if tree is None or not 1 <= line <= len(source_lines):
            return None
        raw = source_lines[line - 1]
        lead = _LEAD.match(raw)   # `} else if (...)`: the `if`, not the block the brace closes
        col = len(raw[: lead.end()].encode("utf-8"))
        return tree.root_node.named_descendant_for_point_range((line - 1, col), (line - 1, col))

    def statement_at(self, path: str, line: int) -> Node | None:
        """The innermost statement a line belongs to, inside a method; None outside method bodies."""
        node = self.node_at(path, line)
        while node is not None and node.type not in STATEMENTS:
            if node.type in _SCOPE_ENDS:
                return None
            node = node.parent
        return node

    def controls(self, path: str, line: int, callee: str | None = None) -> list[Control]:
        """The `if` branches and loops around the statement on `line`, inside its method, outermost first; with
        `callee`, also the short-circuit (`a && callee()`) and ternary conditions inside the statement itself."""
        stmt = self.statement_at(path, line)
        out: list[Control] = []
        child, parent = stmt, stmt.parent if stmt is not None else None
        while parent is not None and parent.type not in _SCOPE_ENDS:
            control = _control(parent, child)
            if control is not None:
                out.append(control)
            if parent.type == "block":
                out += reversed(_skips_before(parent, child))
            child, parent = parent, parent.parent
        call = self._call(stmt, line, callee) if stmt is not None and callee else None
        if call is None and stmt is not None and callee:   # `items.forEach(mapper::insert)`: once per element
            call = next((r for r in java_ast.walk(stmt, {"method_reference"}) if text(r).endswith(f"::{callee}")), None)
        return list(reversed(out)) + (_inner_controls(call, stmt) if call is not None else [])

    def set_values(self, path: str, line: int, callee: str, record: str | None = None) -> list[dict]:
        """Every value put on the record a write call on `line` is given, before it in the same method
        (`coupon.setStatus(STATUS_EXPIRED)`, `coupon.setCount(coupon.getCount() - 1)`, then
        `couponService.updateById(coupon)`): what the write stores, which the statement's SQL (`update ... set`
        every column of the record) does not say. Each with the branches and loops it sits in that the call does
        not (`controls`); a setter on the other branch of an `if` around the call is left out. The record is the
        argument named `record`, else the first one. [{receiver, field, value (None when too long to quote), line,
        controls}] in code order; [] when none or no call found."""
        call = self._call_at(path, line, callee)
        args = call.child_by_field_name("arguments") if call is not None else None
        names = [text(a) for a in args.named_children if a.type == "identifier"] if args is not None else []
        if record is None and args is not None and args.named_children and args.named_children[0].type == "identifier":
            record = names[0]
        if record not in names:
            return []
        body = java_ast.enclosing(call, {"method_declaration", "constructor_declaration", "lambda_expression"})
        around = {(c.line, c.kind) for c in self.controls(path, line)}
        out = []
        for c in java_ast.walk(body, {"method_invocation"}) if body is not None else []:
            name, obj, a = text(c.child_by_field_name("name")), text(c.child_by_field_name("object")), \
                c.child_by_field_name("arguments")
            if obj != record or not re.match(r"set[A-Z]", name) or a is None or len(a.named_children) != 1 \
                    or c.start_byte > call.start_byte:
                continue
            at = lines(c)[0]
            own = [x for x in self.controls(path, at) if (x.line, x.kind) not in around]
            if any(x.line == y for x in own for y, _ in around):
                continue   # the other branch of an `if` the write sits in: never set on the way to this write
            raw = squash(text(a.named_children[0]))
            value = named_value(raw) or raw   # every value it sets, not only the fixed ones (blind read B0: a
            out.append({"receiver": record, "field": name[3].lower() + name[4:], "setter": name,  # partial list
                        "value": value if len(value) <= MAX_VALUE else None, "line": at,   # read as all)
                        "controls": [{"kind": x.kind, "code": x.code, "line": x.line} for x in own]})
        return out

    def record_origin(self, path: str, line: int, callee: str, record: str) -> dict | None:
        """Where the record a write call is given comes from, in its method: `new` (a fresh object: the setters
        are all it holds), `param` (what the method receives), `read` (a value a call returned, such as a row
        loaded by key), or `other`; with `fills`, the calls before the write that take it as an argument
        (`BeanUtils.copyProperties(param, record)`, by a copying name) and so put more on it than the setters
        say. None when unknown."""
        call = self._call_at(path, line, callee)
        body = java_ast.enclosing(call, {"method_declaration", "constructor_declaration"}) if call is not None else None
        if body is None:
            return None
        origin = None
        formal = body.child_by_field_name("parameters")
        if any(text(p.child_by_field_name("name")) == record for p in (formal.named_children if formal else [])):
            origin = {"kind": "param", "code": None, "line": lines(body)[0]}
        for node in java_ast.walk(body, {"variable_declarator", "assignment_expression"}):
            if node.start_byte > call.start_byte:
                break
            name, value = (node.child_by_field_name("name"), node.child_by_field_name("value")) \
                if node.type == "variable_declarator" else (node.child_by_field_name("left"), node.child_by_field_name("right"))
            if text(name) == record and value is not None:
                kind = {"object_creation_expression": "new", "method_invocation": "read"}.get(value.type, "other")
                origin = {"kind": kind, "code": squash(text(value)), "line": lines(value)[0]}
        if origin is None:
            return None
        origin["fills"] = [{"code": squash(text(c)), "line": lines(c)[0]}
                           for c in java_ast.walk(body, {"method_invocation"})
                           if origin["line"] <= lines(c)[0] and c.end_byte < call.start_byte
                           and FILLS.search(text(c.child_by_field_name("name")))
                           and text(c.child_by_field_name("object")) != record
                           and any(text(a) == record for a in (c.child_by_field_name("arguments").named_children
                                                              if c.child_by_field_name("arguments") else []))]
        return origin

    def call_frame(self, path: str, line: int, callee: str) -> dict | None:
        """The call to `callee` on `line` seen from its method: the arguments it passes (as written), the method's
        parameter names, and the names assigned anew (`x = ..`) before the call. What lets a caller's value be
        followed down a call chain: a record set up by the caller is the one written only when the callee writes
        its own parameter unchanged; a parameter stored as a value is what the caller passes. None when not found."""
        call = self._call_at(path, line, callee)
        body = java_ast.enclosing(call, {"method_declaration", "constructor_declaration"}) if call is not None else None
        if body is None:
            return None
        formal = body.child_by_field_name("parameters")
        params = [text(p.child_by_field_name("name")) for p in (formal.named_children if formal is not None else [])
                  if p.child_by_field_name("name") is not None]
        assigned = {text(a.child_by_field_name("left")) for a in java_ast.walk(body, {"assignment_expression"})
                    if a.start_byte < call.start_byte}
        args = call.child_by_field_name("arguments")
        return {"args": [squash(text(a)) for a in (args.named_children if args is not None else [])],
                "params": params, "assigned": assigned}

    def _call_at(self, path: str, line: int, name: str) -> Node | None:
        """The call to `name` on `line`, found in the statement holding that line."""
        stmt = self.statement_at(path, line)
        return self._call(stmt, line, name) if stmt is not None else None

    @staticmethod
    def _call(stmt: Node, line: int, name: str) -> Node | None:
        for call in java_ast.walk(stmt, {"method_invocation"}):
            if text(call.child_by_field_name("name")) == name and line in (lines(call)[0],
                                                                          lines(call.child_by_field_name("name"))[0]):
                return call
        return None

    def widen(self, span: Span) -> list[Span]:
        """The span grown to whole statements and the header of the innermost branch or loop around it.

        One span when that reads in MAX_LINES; else the statement and the header as two;
        the span unchanged where it is not inside a method body (declarations, XML, enums).
        """
        first, last = self.statement_at(span.path, span.start_line), self.statement_at(span.path, span.end_line)
        if first is None or last is None:
            return [span]
        start = min(span.start_line, _extent(first, span.start_line)[0])
        end = max(span.end_line, _extent(last, span.end_line)[1])
        if end - start + 1 > MAX_LINES:
            start, end = span.start_line, span.end_line
        controls = [c for c in self.controls(span.path, span.start_line) if c.line < start]
        if not controls:   # a statement straight in the method body: its signature says whose statement it is
            head = _signature_line(first)
            if head is not None and end - head + 1 <= SHORT_METHOD:
                start = min(start, head)
            return [Span(path=span.path, start_line=start, end_line=end)]
        near = controls[-1]
        if end - near.line + 1 <= MAX_LINES:
            return [Span(path=span.path, start_line=near.line, end_line=end)]
        header = Span(path=span.path, start_line=near.line, end_line=min(near.header_end, near.line + MAX_HEADER - 1))
        spans = [header]
        if near.kind == "else" and near.branch_line < start:
            spans.append(Span(path=span.path, start_line=near.branch_line, end_line=near.branch_line))
        return spans + [Span(path=span.path, start_line=start, end_line=end)]


    def signature(self, span: Span) -> tuple[int, int] | None:
        """The lines of the declaration of the method a span sits in (its name's line to the line its body opens,
        at most MAX_HEADER); None where the span is not inside a method body."""
        # a span may open on a comment line and close on a brace, which are no statements: a line between is
        node = next((n for line in range(span.start_line, span.end_line + 1)
                     if (n := self.statement_at(span.path, line)) is not None), None)
        while node is not None and node.type not in ("method_declaration", "constructor_declaration", "class_body"):
            node = node.parent
        if node is None or node.type == "class_body" or node.child_by_field_name("body") is None:
            return None
        first, opens = lines(node.child_by_field_name("name"))[0], lines(node.child_by_field_name("body"))[0]
        return first, min(opens, first + MAX_HEADER - 1)

    def declared(self, span: Span) -> tuple[int, int] | None:
        """The lines of the method whose declaration the span shows and nothing else (an item `with_signatures`
        added); None for any other span. Such an item names whose lines the other items are: it is not one more
        place a reader must check, and a claim citing lines of that method cites it too."""
        node = self.node_at(span.path, span.start_line)
        while node is not None and node.type not in ("method_declaration", "constructor_declaration", "class_body"):
            node = node.parent
        body = node.child_by_field_name("body") if node is not None and node.type != "class_body" else None
        if body is None or not lines(node.child_by_field_name("name"))[0] <= span.start_line <= span.end_line \
                <= lines(body)[0]:
            return None
        return lines(node)

    def declares(self, span: Span) -> bool:
        return self.declared(span) is not None

    def with_signatures(self, spans: list[Span]) -> list[Span]:
        """Each span inside a method, with that method's declaration shown: an answer saying which method does
        what ("`add` sets it", a call chain) cannot be checked from lines that start mid-method (blind read B0:
        evidence_context 84 % on mall). The span grows up to the declaration where that stays short (SIGNED_SPAN
        lines); else the declaration is an item of its own, put before the method's first span."""
        out: list[Span] = []
        for span in spans:
            sig = self.signature(span)
            shown = sig is None or any(s.path == span.path and s.start_line <= sig[0] <= s.end_line
                                       for s in [*out, *spans])
            if not shown and span.end_line - sig[0] + 1 <= SIGNED_SPAN:
                span = Span(path=span.path, start_line=sig[0], end_line=span.end_line)
            elif not shown:
                out.append(Span(path=span.path, start_line=sig[0], end_line=sig[1]))
            out.append(span)
        return merge(out)


def _skips_before(block: Node, child: Node) -> list[Control]:
    """`if (cond) continue;` / `break;` earlier in the same loop body: the statement after it runs only for the
    iterations that get past it, so 'once per iteration' would overstate it."""
    out = []
    for stmt in block.named_children:
        if stmt == child:
            break
        if stmt.type != "if_statement" or stmt.child_by_field_name("alternative") is not None:
            continue
        body = stmt.child_by_field_name("consequence")
        last = body.named_children[-1] if body is not None and body.type == "block" and body.named_children else body
        if last is None or last.type not in ("continue_statement", "break_statement") or last.named_children:
            continue   # a labelled continue/break targets an outer loop: left alone
        cond = stmt.child_by_field_name("condition")
        kind = "skip" if last.type == "continue_statement" else "stop"
        out.append(Control(kind, strip_parens(squash(text(cond))), lines(stmt)[0], lines(last)[1], lines(stmt)[0]))
    return out


def _inner_controls(call: Node, stmt: Node) -> list[Control]:
    """Conditions inside one statement that decide whether (or how often) a call in it runs: the left side of
    `&&` / `||` (evaluated first, the call only when it is true / false), a ternary's condition, and a lambda or
    method reference handed to another call (`forEach`); outermost first."""
    out = []
    child, parent = call, call.parent
    while parent is not None and parent != stmt:
        if child.type in ("method_reference", "lambda_expression") and parent.type == "argument_list" \
                and parent.parent is not None and parent.parent.type == "method_invocation":
            user = parent.parent
            name = squash(f"{text(user.child_by_field_name('object'))}.{text(user.child_by_field_name('name'))}")
            out.append(Control("lambda", name.lstrip("."), lines(user)[0], lines(user)[0], lines(user)[0]))
        elif parent.type == "binary_expression" and parent.child_by_field_name("right") == child:
            op = text(parent.child_by_field_name("operator"))
            left = parent.child_by_field_name("left")
            if op in ("&&", "||"):
                out.append(Control("and" if op == "&&" else "or", squash(text(left)), lines(left)[0], lines(left)[1],
                                   lines(left)[0]))
        elif parent.type == "ternary_expression" and child != parent.child_by_field_name("condition"):
            cond = parent.child_by_field_name("condition")
            kind = "if" if parent.child_by_field_name("consequence") == child else "else"
            out.append(Control(kind, strip_parens(squash(text(cond))), lines(cond)[0], lines(cond)[1], lines(cond)[0]))
        child, parent = parent, parent.parent
    return list(reversed(out))


def _control(parent: Node, child: Node) -> Control | None:
    """The Control `parent` is for `child` (a statement or block directly in one of its bodies), if any."""
    if parent.type == "if_statement":
        cond = parent.child_by_field_name("condition")
        code = strip_parens(squash(text(cond)))
        if parent.child_by_field_name("consequence") == child:
            return Control("if", code, lines(parent)[0], lines(cond)[1], lines(parent)[0])
        if parent.child_by_field_name("alternative") == child:
            return Control("else", code, lines(parent)[0], lines(cond)[1], lines(child)[0])
        return None
    if parent.type in LOOPS and parent.child_by_field_name("body") == child:
        body = parent.child_by_field_name("body")
        head_end = max(lines(parent)[0], lines(body)[0])
        header = squash(text(parent).split("{", 1)[0]) if parent.type != "do_statement" else "do"
        return Control("loop", header, lines(parent)[0], head_end, lines(parent)[0])
    if parent.type == "lambda_expression" and parent.parent is not None and parent.parent.parent is not None:
        call = parent.parent.parent   # lambda -> argument_list -> the call it is passed to (forEach, stream ...)
        if call.type == "method_invocation":
            name = squash(f"{text(call.child_by_field_name('object'))}.{text(call.child_by_field_name('name'))}")
            return Control("lambda", name.lstrip("."), lines(call)[0], lines(call)[0], lines(call)[0])
        return None
    if parent.type == "catch_clause":
        return Control("catch", squash(text(parent).split("{", 1)[0]), lines(parent)[0], lines(parent)[0],
                       lines(parent)[0])
    return None


def _signature_line(stmt: Node) -> int | None:
    """The line naming the method (or constructor) a statement belongs to; None outside one."""
    node = stmt
    while node is not None and node.type not in ("method_declaration", "constructor_declaration", "class_body"):
        node = node.parent
    if node is None or node.type == "class_body":
        return None
    return lines(node.child_by_field_name("name"))[0]


def _extent(stmt: Node, line: int) -> tuple[int, int]:
    """Lines of a statement; for a compound one cited on its header, the header only (not its whole body)."""
    start, end = lines(stmt)
    bodies = [stmt.child_by_field_name(f) for f in _BODY_FIELDS]
    opened = [lines(b)[0] for b in bodies if b is not None]
    if opened and line <= min(opened):
        return start, min(opened)
    if end - start + 1 > MAX_LINES:
        return line, line
    return start, end


def merge(spans: list[Span]) -> list[Span]:
    """Spans of one file that overlap or nearly touch become one (while it stays within MAX_LINES),
    in the order their first part was given; spans another span covers go. A span grown by a merge is
    merged again with the others (two overlapping items would show the same lines twice)."""
    out: list[Span] = []
    for span in spans:
        at = len(out)
        while (n := next((n for n, kept in enumerate(out) if _joins(kept, span)), None)) is not None:
            kept = out.pop(n)
            at = min(at, n)
            span = Span(path=span.path, start_line=min(kept.start_line, span.start_line),
                        end_line=max(kept.end_line, span.end_line))
        out.insert(at, span)
    return _drop_covered(out)


def _joins(kept: Span, span: Span) -> bool:
    """`span` lies inside `kept`, or they overlap or nearly touch and together stay within MAX_LINES."""
    if kept.path != span.path:
        return False
    lo, hi = min(kept.start_line, span.start_line), max(kept.end_line, span.end_line)
    touching = span.start_line <= kept.end_line + MERGE_GAP + 1 and kept.start_line <= span.end_line + MERGE_GAP + 1
    covered = kept.start_line <= span.start_line and span.end_line <= kept.end_line
    return covered or (touching and hi - lo + 1 <= MAX_LINES)


def _drop_covered(spans: list[Span]) -> list[Span]:
    unique = list(dict.fromkeys(spans))
    return [s for s in unique if not any(
        o != s and o.path == s.path and o.start_line <= s.start_line and s.end_line <= o.end_line for o in unique)]
