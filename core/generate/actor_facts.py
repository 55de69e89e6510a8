"""Where a module's code already finds who acted: a current-user accessor, or a fixed name it writes to the column.

A design that adds "who changed it" (track_changes) or copies a history row (record_history) must say what to store.
"With who acted" left the one real decision open (blind reads 24HH, 24II, 24JJ); the repository usually answers it
itself: mall-portal's services call `memberService.getCurrentMember()`, and mall-admin's order service writes the
fixed "后台管理员" to `operate_man`. Both are reported per module, each with the line that shows it, and only as
what the code does today: which to use for a new write stays the designer's call.
"""

from __future__ import annotations

import re

from core.generate.design import Ref

_ACCESSOR = re.compile(r"^(?:get)?(?:Current|current|Login|login|LoggedIn|SignedIn)[A-Z]\w*$")


def _module_of(data: dict, path: str) -> str | None:
    return next((f.get("module") for f in data["files"] if f["path"] == path), None)


def actor_sources(r, modules: list[str], who_field: str | None) -> list[dict]:
    """Per module (in order): the accessor its code calls for the current user, and the first fixed string it sets
    on the who field. [{module, kind: accessor|fixed, text, label, path, line}]"""
    out = []
    for module in dict.fromkeys(m for m in modules if m):
        impl = None
        for c in r.data["calls"]:
            name = c["callee_name"].rsplit(".", 1)[-1]
            if not _ACCESSOR.match(name) or "." not in c["callee_name"] or c["path"] in r.code.generated_paths \
                    or _module_of(r.data, c["path"]) != module:
                continue
            target = r.code.methods.get(c.get("callee_id") or "")
            if target is None:
                continue
            ret = re.search(rf"(\w+)\s+{re.escape(name)}\s*\(\s*\)", target.get("signature") or "")
            bodies = [m for m in r.code.methods.values() if m["name"] == name and m.get("path")
                      and (r.code.classes.get(m.get("parent_id") or "") or {}).get("kind") == "class"
                      and re.search(rf"\b{re.escape(name)}\s*\(\s*\)", m.get("signature") or "")]
            if ret and ret.group(1) != "void" and len(bodies) == 1:
                impl = (c, bodies[0], ret.group(1))
                break
        if impl:
            c, m, ret = impl
            out.append({"module": module, "kind": "accessor", "text": c["callee_name"] + "()", "type": ret,
                        "label": f"{m['parent_id'].rsplit('.', 1)[-1]}.{m['name']}", "path": m["path"],
                        "line": m["start_line"], "end": min(m["end_line"], m["start_line"] + 8)})
        if who_field:
            setter = re.compile(rf"\.set{who_field[:1].upper()}{who_field[1:]}\(\s*\"([^\"]+)\"\s*\)")
            hit = next(((f["path"], n, mm.group(1)) for f in r.data["files"] if f.get("module") == module
                        and f["path"].endswith(".java") and f["path"] not in r.code.generated_paths
                        for n, t in enumerate(r.files.get(f["path"]).lines, 1) if (mm := setter.search(t))), None)
            if hit:
                m = r.code.method_at(hit[0], hit[1])
                out.append({"module": module, "kind": "fixed", "text": hit[2], "path": hit[0], "line": hit[1],
                            "end": hit[1], "label": f"{m['parent_id'].rsplit('.', 1)[-1]}.{m['name']}" if m else ""})
    return out


def actor_refs(sources: list[dict], column: str) -> list[Ref]:
    return [Ref(s["label"], f"returns the current `{s['type']}`" if s["kind"] == "accessor"
                else f'sets {column} to the fixed "{s["text"]}"',
                f"返回当前的 `{s['type']}`" if s["kind"] == "accessor" else f"把 {column} 设为固定的“{s['text']}”",
                s["path"], s["line"], s["end"]) for s in sources]


def actor_words(sources: list[dict], column: str, lang: str) -> str:
    """'in mall-portal, `memberService.getCurrentMember()` returns the current `UmsMember` (X.java:139); in mall-admin,
    `OmsOrderServiceImpl.delivery` writes the fixed "后台管理员" to operate_man (Y.java:51)'."""
    en, zh = [], []
    for s in sources:
        at = f"{s['path'].rsplit('/', 1)[-1]}:{s['line']}"
        if s["kind"] == "accessor":
            en.append(f"in {s['module']}, `{s['text']}` returns the current `{s['type']}` ({at})")
            zh.append(f"{s['module']} 中 `{s['text']}` 返回当前的 `{s['type']}`（{at}）")
        else:
            en.append(f"in {s['module']}, `{s['label']}` writes the fixed \"{s['text']}\" to {column} ({at})")
            zh.append(f"{s['module']} 中 `{s['label']}` 把 {column} 写成固定的“{s['text']}”（{at}）")
    return "; ".join(en) if lang == "en" else "；".join(zh)
