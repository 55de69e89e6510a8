"""MyBatis-Plus wrappers read for query QA: `new LambdaQueryWrapper<Order>()` filled with `.eq(Order::getUserId, id)`
calls in a method, then passed to `mapper.selectList(w)` / `service.list(w)` / `update(entity, w)` / `delete(w)`.

A wrapper is read only when every call on it is a known comparison or ordering: `or()`, nested `and(..)`,
`last(..)` (raw SQL) or the wrapper handed to another method leave the question unasked. The boolean first argument
of `.eq(cond, col, val)` is the condition the comparison depends on.
"""

from __future__ import annotations

import re

NEW = re.compile(r"(?:(?:Lambda)?(?:Query|Update)Wrapper\s*<\s*(?P<decl>\w+)\s*>\s+)?\b(?P<var>\w+)\s*=\s*"
                 r"(?:new\s+(?:Lambda)?(?:Query|Update)Wrapper\s*<\s*(?P<new>\w*)\s*>\s*\(\s*\)|"
                 r"Wrappers\s*\.\s*<\s*(?P<call>\w+)\s*>\s*lambda(?:Query|Update)\s*\(\s*\))")
USE = re.compile(r"\b(\w+)\s*\.\s*(selectList|selectOne|selectCount|selectPage|selectMaps|selectObjs|list|getOne|count|"
                  r"page|delete|remove|update)\s*\(([^;]*)\)")
_OPS = {"eq": "=", "ne": "<>", "gt": ">", "ge": ">=", "lt": "<", "le": "<=", "in": "IN", "notIn": "NOT IN",
        "like": "LIKE %…%", "likeLeft": "LIKE %…", "likeRight": "LIKE …%", "notLike": "NOT LIKE %…%",
        "isNull": "IS NULL", "isNotNull": "IS NOT NULL", "between": "BETWEEN", "notBetween": "NOT BETWEEN"}
_ORDER = {"orderByAsc": "ASC", "orderByDesc": "DESC"}
IGNORED = {"select", "set", "setSql"}     # columns read or written: not which rows
VERBS = {"selectList": "select", "selectOne": "select one", "selectCount": "count", "selectPage": "select",
          "selectMaps": "select", "selectObjs": "select", "list": "select", "getOne": "select one", "count": "count",
          "page": "select", "delete": "delete", "remove": "delete", "update": "update"}


def wrapper_calls(chain: str) -> list[tuple[str, list[str]]] | None:
    """`.eq(A::getX, x).in(..)` -> [(eq, [A::getX, x]), ..]; None when the chain holds anything else."""
    out, pos = [], 0
    chain = chain.strip()
    while pos < len(chain):
        m = re.compile(r"\s*\.\s*(\w+)\s*\(").match(chain, pos)
        if not m:
            return None
        depth, i, args, start = 1, m.end(), [], m.end()
        while i < len(chain) and depth:
            ch = chain[i]
            if ch in "([":
                depth += 1
            elif ch in ")]":
                depth -= 1
            elif ch == "," and depth == 1:
                args.append(chain[start:i].strip())
                start = i + 1
            elif ch == '"':
                i = chain.index('"', i + 1)
            i += 1
        if depth:
            return None
        args.append(chain[start:i - 1].strip())
        out.append((m.group(1), [a for a in args if a]))
        pos = i
    return out


def column(arg: str) -> str | None:
    """`Order::getUserId` -> user_id; `"user_id"` -> user_id."""
    m = re.fullmatch(r"\w+::(?:get|is)(\w+)", arg)
    if m:
        return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", m.group(1)).lower()
    m = re.fullmatch(r'"(\w+)"', arg)
    return m.group(1) if m else None


def condition(name: str, args: list[str]) -> tuple[str | None, str, str] | None:
    """(the boolean it depends on or None, the column, the SQL text) of one comparison call; None if unknown."""
    if name not in _OPS:
        return None
    arity = {"isNull": 1, "isNotNull": 1, "between": 3, "notBetween": 3}.get(name, 2)
    when = None
    if len(args) == arity + 1:
        when, args = args[0], args[1:]
    if len(args) != arity or (col := column(args[0])) is None:
        return None
    values = " AND ".join(args[1:])
    return when, col, f"{col} {_OPS[name]}" + (f" {values}" if values else "")


def order(name: str, args: list[str]) -> str | None:
    if name not in _ORDER:
        return None
    cols = [column(a) for a in args if a not in ("true", "false")]
    return None if not cols or None in cols else ", ".join(f"{c} {_ORDER[name]}" for c in cols)
