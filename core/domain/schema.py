"""Table schemas as the repository states them: DDL files first, then MyBatis result maps, then model fields.

A design may only name a column that one of these sources shows (or one it
adds, marked new). DDL carries the column comments, which say what a column
means, so a new field is not proposed when a column with that meaning exists.
Every column keeps the line that proves it, for evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from core.evidence import SourceCache
from core.index.walk import MAX_FILE_BYTES, SKIP_DIRS

_CREATE = re.compile(r"^\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?[`\"]?(\w+)[`\"]?\s*\(", re.I)
_DDL_COL = re.compile(r"^\s*[`\"]?(\w+)[`\"]?\s+(\w+(?:\s*\([\d,\s]+\))?)(.*)$")
_COMMENT = re.compile(r"COMMENT\s+'((?:[^'\\]|\\.)*)'", re.I)
_NOT_COLUMN = frozenset({"primary", "key", "unique", "index", "constraint", "foreign", "fulltext", "check"})
_RESULT_MAP = re.compile(r"<resultMap\b[^>]*\btype=\"([\w.]+)\"")
_RESULT = re.compile(r"<(?:id|result)\b[^>]*\bcolumn=\"(\w+)\"")
_SKIP_DIRS = SKIP_DIRS | {"dist"}


def snake(name: str) -> str:
    """Java field name -> column name, the way MyBatis generator and JPA default naming map them."""
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def camel(column: str) -> str:
    """Column name -> Java field name, the inverse of `snake` (`low_stock` -> `lowStock`)."""
    head, *rest = column.split("_")
    return head + "".join(x[:1].upper() + x[1:] for x in rest)


@dataclass
class Column:
    name: str
    sql_type: str
    comment: str
    path: str
    line: int


@dataclass
class Table:
    name: str
    source: str                       # ddl | result_map | model
    path: str
    start_line: int
    end_line: int
    columns: dict[str, Column] = field(default_factory=dict)

    def has_meaning(self, words: tuple[str, ...]) -> Column | None:
        """A column whose name or comment says one of these words (a field with that meaning exists)."""
        for col in self.columns.values():
            text = f"{col.name} {col.comment}".lower()
            if any(w.lower() in text for w in words):
                return col
        return None


def _ddl_files(root: Path) -> list[Path]:
    out = []
    for p in sorted(root.rglob("*.sql")):
        # only what the index holds (core.index.walk): a cited DDL line must be one the strict checker knows
        if not _SKIP_DIRS & set(p.relative_to(root).parts) and p.stat().st_size <= MAX_FILE_BYTES:
            out.append(p)
    return out


def ddl_tables(root: Path, files: SourceCache) -> dict[str, Table]:
    """CREATE TABLE blocks of the repository's .sql files; the first definition of a table wins."""
    tables: dict[str, Table] = {}
    for p in _ddl_files(root):
        rel = p.relative_to(root).as_posix()
        try:
            lines = files.get(rel).lines
        except Exception:   # unreadable or undecodable dump: not a schema we can cite
            continue
        current: Table | None = None
        for n, line in enumerate(lines, 1):
            if current is None:
                m = _CREATE.match(line)
                if m and m.group(1).lower() not in tables:
                    current = Table(m.group(1).lower(), "ddl", rel, n, n)
                continue
            if line.lstrip().startswith(")"):
                current.end_line = n
                tables[current.name] = current
                current = None
                continue
            m = _DDL_COL.match(line)
            if m and m.group(1).lower() not in _NOT_COLUMN:
                c = _COMMENT.search(m.group(3))
                current.columns[m.group(1).lower()] = Column(m.group(1).lower(), m.group(2), c.group(1) if c else "", rel, n)
    return tables


def result_map_tables(files: SourceCache, sql_statements: list[dict], models: dict[str, str]) -> dict[str, Table]:
    """Columns of the result maps in mapper XML files, for the table their statements read.

    `models` maps a model's qualified name to its table (from the domain map's entities).
    """
    tables: dict[str, Table] = {}
    for path in sorted({s["path"] for s in sql_statements}):
        lines = files.get(path).lines
        current: str | None = None
        for n, line in enumerate(lines, 1):
            if m := _RESULT_MAP.search(line):
                current = models.get(m.group(1))
                if current and current not in tables:
                    tables[current] = Table(current, "result_map", path, n, n)
                elif current in tables and tables[current].path != path:
                    current = None
            if current and (m := _RESULT.search(line)):
                t = tables[current]
                t.columns.setdefault(m.group(1).lower(), Column(m.group(1).lower(), "", "", path, n))
                t.end_line = n
            if "</resultMap>" in line:
                current = None
    return tables


def model_table(table: str, fields: list[dict]) -> Table | None:
    """Columns from a model's fields (snake-cased), the last resort where no DDL or result map exists."""
    cols = {snake(f["name"]): Column(snake(f["name"]), f.get("type") or "", "", f["path"], f["start_line"])
            for f in fields if "static" not in (f.get("modifiers") or "")}
    if not cols:
        return None
    first = min(c.line for c in cols.values())
    return Table(table, "model", fields[0]["path"], first, max(c.line for c in cols.values()), cols)


def load_schema(root: Path, files: SourceCache, data: dict) -> dict[str, Table]:
    """Every table the repository describes, by name (lower case)."""
    models = {e["symbol_id"]: e["tables"][0].lower() for e in data["entities"] if e.get("tables")}
    schema = ddl_tables(root, files)
    for name, t in result_map_tables(files, data["sql_statements"], models).items():
        schema.setdefault(name, t)
    fields_by_class: dict[str, list[dict]] = {}
    for s in data["symbols"]:
        if s["kind"] == "field" and s.get("parent_id"):
            fields_by_class.setdefault(s["parent_id"], []).append(s)
    for model, table in models.items():
        if table not in schema and (t := model_table(table, fields_by_class.get(model, []))):
            schema[table] = t
    return schema
