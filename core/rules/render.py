"""Turning code fragments into readable text: conditions, formulas, cron expressions.

A rule's statement must read like an engineer explaining the code, so
`order.getStatus() != 0` becomes "the order's status is not 0" rather than
being pasted verbatim; anything the rewriter does not understand is kept as
code in backticks, which is still true to the source.
"""

from __future__ import annotations

import re

_GETTER = re.compile(r"\b(\w+)\.(?:get|is)(\w+)\(\)")
_BARE_GETTER = re.compile(r"(?<![\w.])(?:get|is)([A-Z]\w*)\(\)")
_SPACES = re.compile(r"\s+")


def lower_first(name: str) -> str:
    return name[:1].lower() + name[1:] if name else name


def camel_words(name: str) -> str:
    """`lockStock` -> 'lock stock'; `OrdOrderItem` -> 'ord order item'."""
    return " ".join(w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", name))


def squash(code: str) -> str:
    return _SPACES.sub(" ", code).strip()


def strip_parens(code: str) -> str:
    code = squash(code)
    while code.startswith("(") and code.endswith(")") and balanced_parens(code[1:-1]):
        code = code[1:-1].strip()
    return code


def balanced_parens(code: str) -> bool:
    """Every `(` closed, never closed before opened: `(a) && (b)` is not one parenthesised whole."""
    depth = 0
    for ch in code:
        depth += ch == "("
        depth -= ch == ")"
        if depth < 0:
            return False
    return depth == 0


def split_top(code: str, ops: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Split at top-level operators (outside parentheses and strings); returns (parts, operators)."""
    parts, found, depth, start, i, quote = [], [], 0, 0, 0, None
    while i < len(code):
        ch = code[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0:
            op = next((o for o in ops if code.startswith(o, i)), None)
            if op:
                parts.append(code[start:i].strip())
                found.append(op)
                i += len(op)
                start = i
                continue
        i += 1
    parts.append(code[start:].strip())
    return parts, found


_COMPARE_EN = {"==": "is", "!=": "is not", ">=": "is at least", "<=": "is at most", ">": "is greater than", "<": "is less than"}
_COMPARE_ZH = {"==": "等于", "!=": "不等于", ">=": "大于等于", "<=": "小于等于", ">": "大于", "<": "小于"}


def _operand(code: str, lang: str) -> str:
    code = strip_parens(code)
    if code == "null":
        return "null" if lang == "en" else "空"
    return f"`{code}`"


def _atom(code: str, lang: str) -> str:
    code = strip_parens(code)
    m = re.fullmatch(r"(\w[\w.]*)\.equals\((.+)\)", code)
    neg = code.startswith("!")
    if neg:
        inner = strip_parens(code[1:])
        m2 = re.fullmatch(r"(.+)\.equals\((.+)\)", inner)
        if m2:
            return f"`{m2[1]}` does not equal `{m2[2]}`" if lang == "en" else f"`{m2[1]}` 与 `{m2[2]}` 不相等"
        m3 = re.fullmatch(r"(?:\w+\.)?isEmpty\((.+)\)", inner)
        if m3:
            return f"`{m3[1]}` is not empty" if lang == "en" else f"`{m3[1]}` 不为空"
        return f"`{inner}` is false" if lang == "en" else f"`{inner}` 为 false"
    if m:
        arg = strip_parens(m[2])
        return f"`{m[1]}` equals `{arg}`" if lang == "en" else f"`{m[1]}` 等于 `{arg}`"
    m = re.fullmatch(r"(?:\w+\.)?isEmpty\((.+)\)", code)
    if m:
        return f"`{m[1]}` is empty" if lang == "en" else f"`{m[1]}` 为空"
    m = re.fullmatch(r"(.+)\.compareTo\((.+)\)\s*(==|!=|>=|<=|>|<)\s*0", code)
    if m:
        table = _COMPARE_EN if lang == "en" else _COMPARE_ZH
        verb = {"==": "equals", "!=": "differs from"}.get(m[3], table[m[3]]) if lang == "en" else table[m[3]]
        return f"`{m[1]}` {verb} `{m[2]}`"
    parts, ops = split_top(code, ("==", "!=", ">=", "<=", ">", "<"))
    if len(parts) == 2 and ops and "->" not in code:
        left, right = parts
        if left == "null" and ops[0] in ("==", "!=") and right != "null":
            left, right = right, left   # `null == order` reads "`order` is null", not "`null` is `order`"
        if lang == "en":
            if right == "null":
                return f"`{left}` is {'null' if ops[0] == '==' else 'not null'}"
            return f"`{left}` {_COMPARE_EN[ops[0]]} {_operand(right, lang)}"
        if right == "null":
            return f"`{left}` {'为空' if ops[0] == '==' else '不为空'}"
        return f"`{left}` {_COMPARE_ZH[ops[0]]} {_operand(right, lang)}"
    return f"`{code}` is true" if lang == "en" else f"`{code}` 为 true"


def condition_text(code: str, lang: str = "en") -> str:
    """A boolean Java expression as words: `a == null || b` -> "`a` is null, or `b` is true"."""
    code = strip_parens(code)
    parts, ops = split_top(code, ("||",))
    if len(parts) > 1:
        glue = ", or " if lang == "en" else "，或者"
        return glue.join(condition_text(p, lang) for p in parts)
    parts, ops = split_top(code, ("&&",))
    if len(parts) > 1:
        glue = " and " if lang == "en" else "并且"
        return glue.join(condition_text(p, lang) for p in parts)
    return _atom(code, lang)


_FLIPPED = {"==": "!=", "!=": "==", ">=": "<", "<=": ">", ">": "<=", "<": ">="}


def negate_code(code: str) -> str:
    """`a == 3 || a == 4` -> `a != 3 && a != 4` (De Morgan, comparisons flipped)."""
    code = strip_parens(code)
    for op, dual in (("||", " && "), ("&&", " || ")):
        parts, _ = split_top(code, (op,))
        if len(parts) > 1:
            return dual.join(f"({negate_code(p)})" if dual == " && " else negate_code(p) for p in parts)
    if code.startswith("!") and balanced_parens(code[1:]):
        return strip_parens(code[1:])
    parts, ops = split_top(code, tuple(_FLIPPED))
    if len(parts) == 2 and "->" not in code:
        return f"{parts[0]} {_FLIPPED[ops[0]]} {parts[1]}"
    return f"!({code})"


def negate_text(code: str, lang: str = "en") -> str:
    """The condition under which `code` is false, in words (for `else` branches and early returns)."""
    return condition_text(negate_code(code), lang)


def field_of(expr: str) -> str:
    """`order.getTotalAmount()` -> 'totalAmount'; other code unchanged."""
    expr = _GETTER.sub(lambda m: lower_first(m[2]), expr)
    return _BARE_GETTER.sub(lambda m: lower_first(m[1]), expr)


_CHAIN_OPS = {"add": "+", "subtract": "-", "multiply": "×", "divide": "÷"}


def formula_text(expr: str) -> str | None:
    """A BigDecimal chain as arithmetic: `a.add(b).subtract(c)` -> 'a + b - c'; None if not a chain."""
    expr = squash(expr)
    steps = []
    rest = expr
    while True:
        m = re.search(r"\.(add|subtract|multiply|divide)\(", rest)
        if not m:
            break
        start = m.end()
        depth, i = 1, start
        while i < len(rest) and depth:
            depth += rest[i] == "("
            depth -= rest[i] == ")"
            i += 1
        if depth:
            return None
        head = rest[: m.start()]
        arg = rest[start: i - 1]
        if not steps:
            steps.append(_term(head))
        elif head.strip():
            return None  # something between the calls: not a plain chain
        args, _ = split_top(arg, (",",))
        if m[1] in ("multiply", "divide") and any(st[:1] in "+-" for st in steps[1:]):
            steps = [f"({' '.join(steps)})"]   # a chain runs left to right: `a.subtract(b).multiply(c)` is (a - b) × c
        steps.append(f"{_CHAIN_OPS[m[1]]} {_term(args[0])}")
        rest = rest[i:]
    if len(steps) < 2 or rest.strip():
        return None
    return " ".join(steps)


def _term(code: str) -> str:
    code = strip_parens(code)
    m = re.fullmatch(r"new BigDecimal\((.+)\)", code)
    if m:
        code = m[1]
    inner = formula_text(code)
    if inner:
        return f"({inner})"
    return field_of(code)


def cron_text(cron: str, lang: str = "en") -> str:
    """The common Spring cron shapes in words; anything else is quoted as is."""
    parts = cron.split()
    if len(parts) == 6:
        sec, minute, hour, dom, month, dow = parts
        wild = {"*", "?"}
        if dom in wild and month in wild and dow in wild:
            m = re.fullmatch(r"(?:0|\*)/(\d+)", minute)
            if sec == "0" and m and hour in wild:
                return f"every {m[1]} minutes" if lang == "en" else f"每 {m[1]} 分钟"
            m = re.fullmatch(r"(?:0|\*)/(\d+)", hour)
            if sec == "0" and minute.isdigit() and m:
                return f"every {m[1]} hours" if lang == "en" else f"每 {m[1]} 小时"
            if sec == "0" and minute.isdigit() and hour.isdigit():
                # the numbers as the cron writes them (`0 30 2`), not reformatted: a reader matches them to the code
                if minute == "0":
                    return f"every day at {hour} o'clock" if lang == "en" else f"每天 {hour} 点"
                return f"every day at minute {minute} of hour {hour}" if lang == "en" else f"每天 {hour} 点 {minute} 分"
            if sec == "0" and minute.isdigit() and hour in wild:
                return f"every hour at minute {minute}" if lang == "en" else f"每小时第 {minute} 分钟"
    return f"on cron `{cron}`" if lang == "en" else f"按 cron 表达式 `{cron}`"


def loop_text(header: str, lang: str = "en") -> str:
    """`for (OrderItem item : items)` -> "for each `item` in `items`"; other loops quoted as written."""
    m = re.fullmatch(r"for\s*\(\s*(?:final\s+)?[\w.<>\[\], ?]+?\s+(\w+)\s*:\s*(.+)\)", squash(header))
    if m:
        return f"for each `{m[1]}` in `{strip_parens(m[2])}`" if lang == "en" else f"对 `{strip_parens(m[2])}` 中的每个 `{m[1]}`"
    return f"inside the loop `{header}`" if lang == "en" else f"在循环 `{header}` 中"


def branch_text(cond: dict, lang: str = "en") -> str:
    """One governing `if` in words: the branch taken (`then`), or the condition being false (`else`, or an
    earlier `else if` sibling that did not match; that sibling does not enclose the code)."""
    if cond.get("holds", True):
        return condition_text(cond["condition"], lang)
    return negate_text(cond["condition"], lang)


def context_text(context: list[dict], lang: str = "en") -> str:
    """The loops and branches around a statement, outermost first, as one phrase:
    "for each `item` in `items`, when `item.getPrice()` is not null"."""
    parts = []
    for c in context:
        if "loop" in c:
            parts.append(loop_text(c["loop"], lang))
        else:
            words = branch_text(c, lang)
            if ", or " in words or "，或者" in words:
                words = f"({words})"   # one condition among several: keep its `or` together
            parts.append(("when " if lang == "en" else "当") + words + ("" if lang == "en" else "时"))
    return ", ".join(parts) if lang == "en" else "，".join(parts)
