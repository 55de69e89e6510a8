"""Methods application code calls by name through reflection, which no call edge shows.

mall's `PmsProductServiceImpl.relateAndInsertList(Object dao, ..)` runs `dao.getClass().getMethod("insertList",
..).invoke(..)` for seven product DAOs: an answer that lists "every caller" of `PmsSkuStockDao.insertList` from the
call graph would leave those out. Where the looked-up object is a parameter of the reflecting method and every call
of that method passes a field, the lookup is narrowed to those fields' types; otherwise it may reach any class.
"""

from __future__ import annotations

import re

from core.generate.lifecycle_facts import _argument, split_args

_LOOKUP = re.compile(r"(?:\b(\w+)\s*\.\s*getClass\(\)\s*\.\s*)?\bget(?:Declared)?Method\(\s*\"(\w+)\"")


def reflected_methods(data: dict, files, skip) -> dict[str, set[str] | None]:
    """Method name -> the simple names of the classes whose method of that name may be called by reflection, or
    None where any class may be (the receiver is not followed). `skip(path)` leaves out test sources."""
    methods = [s for s in data["symbols"] if s["kind"] == "method"]
    fields = {(s.get("parent_id"), s["name"]): s.get("type") for s in data["symbols"] if s["kind"] == "field"}
    out: dict[str, set[str] | None] = {}
    for f in data["files"]:
        if not f["path"].endswith(".java") or skip(f["path"]):
            continue
        text = files.get(f["path"]).text
        for m in _LOOKUP.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            owners = _receiver_types(data, files, methods, fields, f["path"], line, m.group(1))
            name = m.group(2)
            out[name] = None if owners is None or out.get(name, set()) is None else out.get(name, set()) | owners
    return out


def may_reflect(reflected: dict[str, set[str] | None], class_id: str, name: str) -> bool:
    """Whether `class_id`'s method `name` may be called by reflection."""
    return name in reflected and (reflected[name] is None or class_id.rsplit(".", 1)[-1] in reflected[name])


def _receiver_types(data: dict, files, methods: list[dict], fields: dict, path: str, line: int,
                    receiver: str | None) -> set[str] | None:
    """The types of the fields every caller of the enclosing method passes as `receiver`; None when unknown."""
    host = next((s for s in methods if s["path"] == path and s["start_line"] <= line <= s["end_line"]), None)
    if receiver is None or host is None:
        return None
    params = split_args((host.get("signature") or "").partition("(")[2].rpartition(")")[0])
    index = next((n for n, p in enumerate(params) if re.search(rf"\b{re.escape(receiver)}$", p)), None)
    calls = [c for c in data["calls"] if c.get("callee_id") == host["symbol_id"]]
    if index is None or not calls:
        return None
    types = set()
    for c in calls:
        arg = _argument(files.get(c["path"]).lines, c["line"], host["name"], index)
        owner = c["caller_id"].split("#")[0]
        typ = fields.get((owner, (arg or "").removeprefix("this.")))
        if typ is None:
            return None
        types.add(typ.split("<")[0])
    return types
