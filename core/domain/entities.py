"""Which classes are persisted entities, and their tables, whatever the persistence idiom.

A package name (`domain`, `model`) says little: mall's `domain` package holds
DTOs, litemall's `db.domain` holds generated entities. What does say it:

- JPA `@Entity` / `@Table(name = "t")`, MyBatis-Plus `@TableName("t")`
  (without a name, both map `OrderItem` to `order_item`);
- a MyBatis `<resultMap type="...">` or `resultType` used by a `<select>` that
  reads a single table;
- a model class named after a table its mapper's SQL touches (`OmsOrder` ->
  `oms_order`, MyBatis Generator's naming).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from core.domain.architecture import annotation_names, table_name_for

JPA = frozenset({"Entity", "Table"})
MYBATIS_PLUS = frozenset({"TableName"})
_ATTR = re.compile(r'([\w:]+)\s*=\s*"([^"]*)"')
_TAG = re.compile(r"<(resultMap|select|mapper)\b([^>]*)>", re.S)
_NAME_ARG = re.compile(r'\b(?:name|value)\s*=\s*"([^"]+)"')
_FIRST_STRING = re.compile(r'^\s*"([^"]+)"')


def annotated_table(annotations: list[dict] | None, class_name: str) -> tuple[str, str] | None:
    """(table, source) for a class carrying a JPA or MyBatis-Plus entity annotation, else None."""
    names = annotation_names(annotations)
    if not names & (JPA | MYBATIS_PLUS):
        return None
    source = "mybatis_plus" if names & MYBATIS_PLUS else "jpa"
    for ann in annotations or []:
        if ann["name"].rsplit(".", 1)[-1] in ("Table", "TableName"):
            args = ann.get("args") or ""
            m = _NAME_ARG.search(args) or _FIRST_STRING.match(args)
            if m:
                return m.group(1).strip("`").lower(), source
    return table_name_for(class_name), source


def result_types(xml: str) -> list[tuple[str, str, str]]:
    """(namespace, select id, result type) for every `<select>` of a mapper file whose result is a class:
    its `resultType`, or the `type` of the `<resultMap>` it names."""
    maps: dict[str, str] = {}
    selects: list[tuple[str, dict]] = []
    namespace = ""
    for tag, attrs in _TAG.findall(xml):
        values = dict(_ATTR.findall(attrs))
        if tag == "mapper":
            namespace = values.get("namespace", "")
        elif tag == "resultMap" and values.get("id") and values.get("type"):
            maps[values["id"]] = values["type"]
        elif tag == "select" and values.get("id"):
            selects.append((values["id"], values))
    out = []
    for sid, values in selects:
        typ = values.get("resultType") or maps.get(values.get("resultMap", "").rsplit(".", 1)[-1], "")
        if typ:
            out.append((namespace, sid, typ))
    return out


def from_result_maps(statements: list[dict], read: Callable[[str], str | None],
                     type_ids: dict[str, list[str]]) -> dict[str, list[str]]:
    """class symbol id -> tables, for classes a single-table `<select>` maps its rows to.

    `type_ids` maps a simple class name to the symbol ids of that name (a resultType may be an alias
    or a simple name); `read(path)` gives a mapper file's text.
    """
    tables_of = {(s["namespace"], s["statement"]): s["tables"] or [] for s in statements}
    out: dict[str, list[str]] = {}
    for path in sorted({s["path"] for s in statements}):
        xml = read(path)
        if not xml:
            continue
        for namespace, select_id, typ in result_types(xml):
            tables = tables_of.get((namespace, select_id), [])
            candidates = type_ids.get(typ.rsplit(".", 1)[-1], [])
            target = typ if typ in candidates else (candidates[0] if len(candidates) == 1 else None)
            if target is None or len(tables) != 1:
                continue
            out.setdefault(target, [])
            if tables[0] not in out[target]:
                out[target].append(tables[0])
    return out
