"""Who acted, where the writing method already knows it: a local it fills from a current-user accessor.

A design that adds "who changed it" (track_changes) or copies a history row (record_history) must say what to store.
"With who acted" left the one real decision open (blind reads 24HH, 24II, 24JJ). Where the method that writes
already holds the current user (`UmsMember member = memberService.getCurrentMember();` in mall's
`confirmReceiveOrder`), the design says so, with the line. A module-wide accessor is not offered for other methods:
a batch job behind a login (mall's `cancelTimeOutOrder` closes every member's orders) is not the caller's own
action, and a fixed role label (mall-admin's "后台管理员") is not who acted (blind reads 24PP).
"""

from __future__ import annotations

import re

from core.generate.design import Ref

_ACCESSOR = r"(?:get)?(?:Current|current|Login|login|LoggedIn|SignedIn)[A-Z]\w*"


def actor_in(r, method: dict | None) -> dict | None:
    """`Type var = receiver.getCurrentX();` in the method's body: {label, var, type, call, path, line}."""
    if not method or not method.get("path"):
        return None
    lines = r.files.get(method["path"]).lines
    for n in range(method["start_line"], min(method["end_line"], len(lines)) + 1):
        m = re.search(rf"\b([A-Z]\w*)\s+(\w+)\s*=\s*((?:\w+\.)?{_ACCESSOR})\(\s*\)\s*;", lines[n - 1])
        if m:
            return {"label": f"{method['parent_id'].rsplit('.', 1)[-1]}.{method['name']}", "type": m.group(1),
                    "var": m.group(2), "call": m.group(3) + "()", "path": method["path"], "line": n}
    return None


def actor_refs(actors: list[dict]) -> list[Ref]:
    return [Ref(a["label"], f"holds the current `{a['type']}` in `{a['var']}`", f"在 `{a['var']}` 中持有当前的 `{a['type']}`",
                a["path"], a["line"], a["line"]) for a in actors]


def actor_words(actors: list[dict], lang: str) -> str:
    """'`X.add` already holds the current `UmsMember` in `currentMember` (`memberService.getCurrentMember()`, X.java:44)'."""
    def at(a: dict) -> str:
        return f"{a['path'].rsplit('/', 1)[-1]}:{a['line']}"
    if lang == "en":
        return "; ".join(f"`{a['label']}` already holds the current `{a['type']}` in `{a['var']}` (`{a['call']}`, "
                         f"{at(a)})" for a in actors)
    return "；".join(f"`{a['label']}` 已在 `{a['var']}` 中持有当前的 `{a['type']}`（`{a['call']}`，{at(a)}）"
                     for a in actors)
