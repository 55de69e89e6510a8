"""Spring MVC interceptors and the paths they are registered for.

An interceptor runs around every handler its patterns match, so the SQL it reaches (newbee's cart-count
interceptor counts the user's cart rows on every storefront page) is part of what a request reads or writes.
An answer about one endpoint's queries that leaves it out is incomplete (blind read 20A: newbee S11).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.generate.flow_facts import write_sites

_REGISTER = re.compile(r"\.addInterceptor\(\s*(?:new\s+)?([\w.]+?)(?:\(\s*\))?\s*\)")
_PATTERNS = re.compile(r"\.(addPathPatterns|excludePathPatterns)\(([^)]*)\)")
_HOOKS = ("preHandle", "postHandle", "afterCompletion")


@dataclass(frozen=True)
class Interceptor:
    cls: str                       # symbol id of the interceptor class
    path: str                      # where it is registered
    line: int
    include: tuple[str, ...] | None   # None: patterns the scan cannot read (a constant, an array), so any path
    exclude: tuple[str, ...]

    def matches(self, route: str) -> bool:
        if any(ant_match(p, route) for p in self.exclude):
            return False
        return self.include is None or not self.include or any(ant_match(p, route) for p in self.include)


def ant_match(pattern: str, path: str) -> bool:
    """Spring's AntPathMatcher on a route: `**` any number of segments, `*` within one, `?` one character;
    `/admin/**` matches `/admin` too. A `{var}` in the route is one segment like any other."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("/**", i):
            out, i = out + "(/.*)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.fullmatch(out, path.rstrip("/") or "/") is not None


def registered(data: dict, files) -> list[Interceptor]:
    """Every `registry.addInterceptor(x)` chain in the Java sources, resolved to the interceptor's class (by a field's
    declared type or a `new X()`)."""
    by_name = {c["symbol_id"].rsplit(".", 1)[-1]: c["symbol_id"] for c in data["classes"]}
    out = []
    for f in data["files"]:
        if not f["path"].endswith(".java"):
            continue
        text = files.get(f["path"]).text
        if ".addInterceptor(" not in text:
            continue
        for m in _REGISTER.finditer(text):
            name = m.group(1).rsplit(".", 1)[-1]
            typed = re.search(rf"\b([A-Z]\w*)\s+{re.escape(name)}\s*[;=]", text)
            cls = by_name.get(name) or (by_name.get(typed.group(1)) if typed else None)
            if cls is None:
                continue
            end = text.find(";", m.end())
            include, exclude, readable = [], [], True
            for kind, args in _PATTERNS.findall(text[m.end(): end if end > 0 else None]):
                found = re.findall(r'"([^"]*)"', args)
                readable &= bool(found) and not re.sub(r'"[^"]*"|[\s,]', "", args)
                (include if kind == "addPathPatterns" else exclude).extend(found)
            out.append(Interceptor(cls, f["path"], text.count("\n", 0, m.start()) + 1,
                                   tuple(include) if readable else None, tuple(exclude)))
    return out


def touching(planner, route: str, kinds: frozenset[str]) -> list[Interceptor]:
    """The interceptors registered for `route` whose hooks reach a statement of `kinds`."""
    hits = []
    for icp in planner.interceptors:
        if not icp.matches(route):
            continue
        hooks = [m for m in planner.graph.methods
                 if m.split("#")[0] == icp.cls and m.split("#")[-1].split("(")[0] in _HOOKS]
        if any(write_sites(planner.graph.walk(m), planner.stmts, kinds) for m in hooks):
            hits.append(icp)
    return hits

