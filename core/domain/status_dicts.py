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
