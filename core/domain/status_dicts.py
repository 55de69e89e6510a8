"""Status dictionaries: what the integer codes of a status-like field mean.

Chinese code bases document them inline, in a comment or a Swagger
annotation: `订单状态：0->待付款；1->待发货；2->已发货`, or in English
`0->lock; 1->reduce`. Enums carry them as constants with a code argument.
A dictionary needs at least two distinct codes, so a stray `1->` in prose is
not mistaken for one.
"""

from __future__ import annotations

import re

_ENTRY = re.compile(
    r"(?<![\w.])(-?\d{1,3})\s*(?:->|=>|→|：|:|=|-)\s*([^;；,，、。\n\"*/()（）]+?)\s*(?=[;；,，、。\n\"*/)）]|$)"
)
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_INT = re.compile(r"^-?\d+$")


def parse_entries(text: str | None) -> list[dict]:
    """[{"code": "0", "label": "待付款"}, ...] from a comment or annotation text; [] when none."""
    if not text:
        return []
    entries: list[dict] = []
    seen: set[str] = set()
    for match in _ENTRY.finditer(text):
        code, label = match.group(1), match.group(2).strip(" \t'`*")
        if not label or code in seen or _INT.match(label):
            continue
        seen.add(code)
        entries.append({"code": code, "label": label})
    return entries if len(entries) >= 2 else []


def annotation_texts(annotations: list[dict] | None) -> list[str]:
    """String arguments of annotations such as @ApiModelProperty(value = "...") / @Schema(description = "...")."""
    out = []
    for ann in annotations or []:
        out += [m.group(1) for m in _STRING.finditer(ann.get("args") or "")]
    return out


def field_dictionary(doc: str | None, annotations: list[dict] | None) -> tuple[list[dict], str] | None:
    """(entries, source) for a field, preferring the annotation (it is what the API documents)."""
    for value in annotation_texts(annotations):
        entries = parse_entries(value)
        if entries:
            return entries, "annotation"
    entries = parse_entries(doc)
    return (entries, "comment") if entries else None


def enum_entry(signature: str | None, doc: str | None, name: str) -> dict | None:
    """An enum constant like `PAID(1, "已支付")` -> {"code": "1", "label": "已支付", "name": "PAID"}."""
    if not signature or "(" not in signature:
        return None
    args = signature[signature.index("(") + 1 : signature.rindex(")") if ")" in signature else None]
    parts = [a.strip() for a in args.split(",")]
    code = next((p for p in parts if _INT.match(p)), None)
    if code is None:
        return None
    label = next((m.group(1) for m in _STRING.finditer(args)), None)
    if label is None and doc:
        label = re.sub(r"^[/*\s]+|[/*\s]+$", "", doc.splitlines()[0]) or None
    return {"code": code, "label": label or name, "name": name}


_GROUP = re.compile(r"^(?:\w*?_)?(?:STATUS|STATE)_|_(?:STATUS|STATE)$")
_STATUS_CLASS = re.compile(r"(Status|State)(Const|Constant|Constants|Enum|Code|Codes)?$")


def group_key(name: str, class_name: str) -> str | None:
    """The status-like part a constant's name shares with its siblings: `STATUS_`, `ORDER_STATUS_`,
    `RULE_STATUS_`, `_STATUS` (PAID_STATUS); every name of a class called `OrderStatus` shares ``."""
    m = _GROUP.search(name)
    if m:
        return m.group(0)
    return "" if _STATUS_CLASS.search(class_name) else None


def constant_groups(constants: list, class_name: str) -> dict[str, list]:
    """Status dictionaries of one constant class: >= 2 integer constants with one status-like prefix
    and distinct codes, keyed by that prefix, in declaration order."""
    groups: dict[str, list] = {}
    for c in constants:
        if c.kind != "field" or not c.is_code:
            continue
        key = group_key(c.name, class_name)
        if key is not None:
            groups.setdefault(key, []).append(c)
    return {k: v for k, v in groups.items() if len({c.value for c in v}) >= 2}


def constant_entries(group: list, mapping: dict[str, tuple[str, int, int]]) -> list[dict]:
    """Entries of a constant-class dictionary: each constant's code, label (its mapping-method text,
    its comment, else its name) and the lines proving them; then codes only the mapping method names."""
    entries = []
    for c in group:
        entry = {"code": c.value, "label": c.label or c.name, "name": c.name, "line": c.line}
        if c.label_start is not None:
            entry["label_lines"] = [c.label_start, c.label_end]
        entries.append(entry)
    named = {c.value for c in group}
    for code, (label, start, end) in mapping.items():
        if code not in named:
            entries.append({"code": code, "label": label, "name": None, "label_lines": [start, end]})
    return entries


_FALLBACK = re.compile(
    r"values\(\)[^;]*\)[\s\S]*?\}\s*return\s+(?:\w+\.)?([A-Z][A-Z0-9_]*)\s*;"   # a loop over values(), then return X;
    r"|\.orElse\(\s*(?:\w+\.)?([A-Z][A-Z0-9_]*)\s*\)"                              # stream().filter(..).findFirst().orElse(X)
    r"|default\s*:\s*return\s+(?:\w+\.)?([A-Z][A-Z0-9_]*)\s*;")                   # switch (code) {... default: return X;}
_SENTINEL_LABEL = re.compile(r"^(?:error|err|unknown|invalid|none|null|default|undefined|未知|错误|异常|无效)$", re.I)


def without_sentinels(entries: list[dict], enum_text: str | None) -> list[dict]:
    """An enum's entries less its lookup's sentinel: the constant the code-to-enum lookup returns when no code
    matches (`return DEFAULT;` after a loop over values(), `orElse(UNKNOWN)`, `default: return ERROR;`) AND
    whose label says it is no status ("ERROR", "未知"). No row stores it, so listing it as a status misleads
    (newbee-mall DEFAULT(-9, "ERROR")); a fallback with a business label (DEFAULT(-1, "支付失败")) stays."""
    if not enum_text:
        return entries
    fallback = {n for m in _FALLBACK.finditer(enum_text) for n in m.groups() if n}
    kept = [e for e in entries if not (e.get("name") in fallback and _SENTINEL_LABEL.match(e["label"].strip()))]
    return kept if len(kept) >= 2 else entries


_KEYWORDS = {"if", "for", "while", "switch", "catch", "synchronized", "return", "new"}


def fallback(enum_text: str | None) -> dict | None:
    """The sentinel `without_sentinels` leaves out of the codes, said apart: {name, code, label, line, returned_at}
    (1-based lines in `enum_text`). An answer to "which codes does it define" that skips a declared constant is
    incomplete (blind read 21G: newbee S19, `DEFAULT(-1, "ERROR")`), one that lists it as a status misleads."""
    if not enum_text:
        return None
    found = [(m, n) for m in _FALLBACK.finditer(enum_text) for n in m.groups() if n]
    for m, name in found:
        decl = re.search(rf"^\s*{name}\s*\(([^)]*)\)", enum_text, re.M)
        entry = enum_entry(f"{name}({decl.group(1)})", None, name) if decl else None
        if entry and _SENTINEL_LABEL.match(entry["label"].strip()):
            returned = m.start() + m.group(0).rfind(name)
            method = re.findall(r"\b(\w+)\s*\([^;{)]*\)\s*(?:throws\s[\w.,\s]+)?\{", enum_text[:m.start()])
            return {**entry, "line": enum_text.count("\n", 0, decl.start(1)) + 1,
                    "returned_at": enum_text.count("\n", 0, returned) + 1,
                    "method": next((x for x in reversed(method) if x not in _KEYWORDS), None)}
    return None


def code_field_line(enum_text: str | None, field: str | None) -> int | None:
    """The 1-based line declaring an enum's code field (`private int orderStatus;`), the evidence that the
    codes are read through it; None when it is not found."""
    if not enum_text or not field:
        return None
    decl = re.compile(rf"^\s*(?:(?:private|protected|public|final)\s+)*[\w<>\[\]]+\s+{re.escape(field)}\s*[;=]")
    return next((n for n, line in enumerate(enum_text.splitlines(), 1) if decl.match(line)), None)
