"""The domain map tables (map_*): written whole by the `map` stage, read by later stages and the app."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from storage.index_store import bulk_insert
from storage.rows import dict_rows
from storage.sample_state import REVIEW_STATUS, SAMPLE_JOINS

CLASS_COLS = ("repo_id", "symbol_id", "layer", "module", "domains", "is_generated", "inactive")
ENDPOINT_COLS = ("repo_id", "http_method", "route", "handler_id", "domains", "summary")
ENTITY_COLS = ("repo_id", "symbol_id", "tables", "domains", "source")
DICT_COLS = ("repo_id", "dict_id", "owner", "field", "source", "domains", "path", "start_line", "end_line", "entries",
             "entity", "entity_field")
OPERATION_COLS = ("repo_id", "symbol_id", "domains")
FLOW_COLS = ("repo_id", "flow_id", "entry_kind", "entry_id", "name", "domains", "steps")
CONSTANT_COLS = ("repo_id", "const_id", "owner", "name", "kind", "value", "label", "label_source", "path", "line",
                 "label_start", "label_end", "accessor", "value_type")
MAP_TABLES = ("map_classes", "map_endpoints", "map_entities", "map_status_dicts", "map_operations", "map_flows",
              "map_constants")
_JSON = frozenset({"domains", "tables", "entries", "steps", "annotations"})


def replace_map(con: duckdb.DuckDBPyConnection, repo_id: str, rows: dict[str, list[tuple]]) -> None:
    """Replace the whole map of a repository; `rows` maps table name -> row tuples (JSON already dumped)."""
    cols = dict(zip(MAP_TABLES, (CLASS_COLS, ENDPOINT_COLS, ENTITY_COLS, DICT_COLS, OPERATION_COLS, FLOW_COLS,
                                 CONSTANT_COLS)))
    for table in MAP_TABLES:
        con.execute(f"DELETE FROM {table} WHERE repo_id = ?", [repo_id])
        bulk_insert(con, table, cols[table], rows.get(table, []), or_ignore=table != "map_endpoints")


def _dicts(cursor: duckdb.DuckDBPyConnection) -> list[dict]:
    return dict_rows(cursor, _JSON)


def _domain_filter(domain: str | None, column: str = "domains") -> tuple[str, list]:
    """SQL fragment keeping rows labelled with `domain` (all rows when None)."""
    if not domain:
        return "", []
    return f" AND list_contains(CAST({column} AS VARCHAR[]), ?)", [domain]


def modules(con: duckdb.DuckDBPyConnection, repo_id: str) -> list[dict]:
    """Per Maven module: class counts by layer, e.g. {"module": "shop-portal", "layers": {"controller": 2, ...}}."""
    rows = con.execute(
        "SELECT coalesce(module, ''), layer, count(*) FROM map_classes WHERE repo_id = ? "
        "GROUP BY ALL ORDER BY 1, 2", [repo_id]).fetchall()
    out: dict[str, dict] = {}
    for module, layer, n in rows:
        rec = out.setdefault(module, {"module": module, "layers": {}, "classes": 0})
        rec["layers"][layer] = n
        rec["classes"] += n
    return list(out.values())


def classes(con: duckdb.DuckDBPyConnection, repo_id: str, layer: str | None = None, domain: str | None = None,
            include_generated: bool = True) -> list[dict]:
    """Classes with their layer, module, domains and generated flag, plus name and path from the index."""
    where, params = _domain_filter(domain, "m.domains")
    if layer:
        where += " AND m.layer = ?"
        params.append(layer)
    if not include_generated:
        where += " AND NOT m.is_generated"
    return _dicts(con.execute(
        "SELECT m.symbol_id, s.name, s.kind, m.layer, m.module, m.domains, m.is_generated, m.inactive, s.path, "
        "s.start_line, s.end_line FROM map_classes m JOIN symbols s USING (repo_id, symbol_id) "
        f"WHERE m.repo_id = ?{where} ORDER BY m.module, m.layer, s.name",
        [repo_id, *params]))


def layer_of(con: duckdb.DuckDBPyConnection, repo_id: str) -> dict[str, str]:
    """class symbol id -> layer, for whoever needs to place a symbol in the architecture."""
    return dict(con.execute("SELECT symbol_id, layer FROM map_classes WHERE repo_id = ?", [repo_id]).fetchall())


def endpoints(con: duckdb.DuckDBPyConnection, repo_id: str, domain: str | None = None) -> list[dict]:
    where, params = _domain_filter(domain)
    return _dicts(con.execute(
        f"SELECT http_method, route, handler_id, domains, summary FROM map_endpoints WHERE repo_id = ?{where} "
        "ORDER BY route, http_method", [repo_id, *params]))


def entities(con: duckdb.DuckDBPyConnection, repo_id: str, domain: str | None = None) -> list[dict]:
    where, params = _domain_filter(domain, "e.domains")
    return _dicts(con.execute(
        "SELECT e.symbol_id, s.name, e.tables, e.domains, e.source, s.path, s.start_line, s.end_line FROM map_entities e "
        f"JOIN symbols s USING (repo_id, symbol_id) WHERE e.repo_id = ?{where} "
        "ORDER BY s.name", [repo_id, *params]))


def status_dicts(con: duckdb.DuckDBPyConnection, repo_id: str, domain: str | None = None) -> list[dict]:
    where, params = _domain_filter(domain)
    return _dicts(con.execute(
        f"SELECT {', '.join(DICT_COLS[1:])} FROM map_status_dicts WHERE repo_id = ?{where} ORDER BY owner, field",
        [repo_id, *params]))


def constants(con: duckdb.DuckDBPyConnection, repo_id: str) -> list[dict]:
    """Every named constant (core.domain.constants.ConstantTable takes these rows)."""
    return _dicts(con.execute(f"SELECT {', '.join(CONSTANT_COLS[1:])} FROM map_constants WHERE repo_id = ? "
                              "ORDER BY const_id", [repo_id]))


def inactive_classes(con: duckdb.DuckDBPyConnection, repo_id: str) -> dict[str, str]:
    """class symbol id -> why it never runs (a commented-out stereotype, never registered as a bean)."""
    return dict(con.execute("SELECT symbol_id, inactive FROM map_classes WHERE repo_id = ? AND inactive IS NOT NULL",
                            [repo_id]).fetchall())


def operations(con: duckdb.DuckDBPyConnection, repo_id: str, domain: str | None = None) -> list[dict]:
    """Service methods with their domains, signature and location."""
    where, params = _domain_filter(domain, "o.domains")
    return _dicts(con.execute(
        "SELECT o.symbol_id, s.name, s.parent_id, s.signature, o.domains, s.path, s.start_line, s.end_line "
        "FROM map_operations o JOIN symbols s USING (repo_id, symbol_id) "
        f"WHERE o.repo_id = ?{where} ORDER BY s.parent_id, s.start_line",
        [repo_id, *params]))


def flows(con: duckdb.DuckDBPyConnection, repo_id: str, domain: str | None = None,
          entry_kinds: Sequence[str] | None = None) -> list[dict]:
    where, params = _domain_filter(domain)
    if entry_kinds:
        where += f" AND entry_kind IN ({', '.join('?' for _ in entry_kinds)})"
        params += list(entry_kinds)
    return _dicts(con.execute(
        f"SELECT {', '.join(FLOW_COLS[1:])} FROM map_flows WHERE repo_id = ?{where} ORDER BY entry_kind, name",
        [repo_id, *params]))


def get_flow(con: duckdb.DuckDBPyConnection, repo_id: str, flow_id: str) -> dict | None:
    rows = _dicts(con.execute(f"SELECT {', '.join(FLOW_COLS[1:])} FROM map_flows WHERE repo_id = ? AND flow_id = ?",
                              [repo_id, flow_id]))
    return rows[0] if rows else None


def map_counts(con: duckdb.DuckDBPyConnection, repo_id: str) -> dict[str, int]:
    return {table.removeprefix("map_"): con.execute(f"SELECT count(*) FROM {table} WHERE repo_id = ?",
                                                    [repo_id]).fetchone()[0] for table in MAP_TABLES}


# ---------------------------------------------------- samples by source --
def samples_of(con: duckdb.DuckDBPyConnection, repo_id: str, source_kind: str, refs: Sequence[str]) -> list[dict]:
    """Current samples generated from these rules or flows (`source_kind` "rule" | "flow"), with their review
    status: what a curator opens from the domain map."""
    if not refs:
        return []
    return _dicts(con.execute(
        f"SELECT s.sample_id, s.source_ref, s.task_type, s.language, s.question_kind, s.question, "
        f"{REVIEW_STATUS} AS status FROM {SAMPLE_JOINS} WHERE s.is_current AND s.repo_id = ? AND s.source_kind = ? "
        f"AND list_contains(?, s.source_ref) ORDER BY s.source_ref, s.task_type, s.question_kind, s.language, "
        "s.sample_id", [repo_id, source_kind, list(refs)]))


def sample_counts_by_source(con: duckdb.DuckDBPyConnection, repo_id: str, source_kind: str) -> dict[str, dict]:
    """source_ref -> {"samples": n, "pending": n, "decided": n} over current samples."""
    rows = con.execute(
        f"SELECT s.source_ref, count(*), count(*) FILTER (WHERE {REVIEW_STATUS} = 'pending') FROM {SAMPLE_JOINS} "
        "WHERE s.is_current AND s.repo_id = ? AND s.source_kind = ? GROUP BY 1", [repo_id, source_kind]).fetchall()
    return {ref: {"samples": n, "pending": p, "decided": n - p} for ref, n, p in rows}


def domain_counts(con: duckdb.DuckDBPyConnection, repo_id: str, domain: str | None = None) -> dict[str, int]:
    """Rules and current samples (all, pending) of one domain (all domains when None), for the map's metrics."""
    where, params = (" AND domain = ?", [domain]) if domain else ("", [])
    rules = con.execute(f"SELECT count(*) FROM rules WHERE repo_id = ?{where}", [repo_id, *params]).fetchone()[0]
    where = where.replace("domain", "s.domain")
    samples, pending = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE {REVIEW_STATUS} = 'pending') FROM {SAMPLE_JOINS} "
        f"WHERE s.is_current AND s.repo_id = ?{where}", [repo_id, *params]).fetchone()
    return {"rules": rules, "samples": samples, "pending": pending}
