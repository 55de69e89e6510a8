"""Rules found by `extract`, and the read side of the index and domain map that extraction and
generation need (files, symbols, calls, SQL, map_*), as plain rows.

Rules are replaced per repository and domain on every extract run: they are
derived data, fully determined by the index, so there is nothing to keep.
"""

from __future__ import annotations

import json

import duckdb

from storage.rows import dict_rows

RULE_COLUMNS = ("rule_id", "kind", "domain", "symbol_id", "statement_en", "statement_zh", "evidence", "facts")


def replace_rules(con: duckdb.DuckDBPyConnection, repo_id: str, domains: list[str], rules: list[dict]) -> None:
    con.execute("DELETE FROM rules WHERE repo_id = ? AND list_contains(?, domain)", [repo_id, list(domains)])
    if rules:
        con.executemany(
            "INSERT OR REPLACE INTO rules VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[repo_id, r["rule_id"], r["kind"], r["domain"], r.get("symbol_id"), r["statement_en"],
              r["statement_zh"], json.dumps(r["evidence"], ensure_ascii=False),
              json.dumps(r.get("facts") or {}, ensure_ascii=False)] for r in rules],
        )


def list_rules(con: duckdb.DuckDBPyConnection, repo_id: str, domains: list[str] | None = None) -> list[dict]:
    where, params = "repo_id = ?", [repo_id]
    if domains:
        where += " AND list_contains(?, domain)"
        params.append(list(domains))
    rows = con.execute(
        f"SELECT {', '.join(RULE_COLUMNS)} FROM rules WHERE {where} ORDER BY domain, kind, rule_id", params
    ).fetchall()
    return [_rule(row) for row in rows]


def _rule(row: tuple) -> dict:
    rec = dict(zip(RULE_COLUMNS, row))
    rec["evidence"] = json.loads(rec["evidence"])
    rec["facts"] = json.loads(rec["facts"]) if rec["facts"] else {}
    return rec


# ------------------------------------------------ index and map, read side --
def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list, json_cols: tuple[str, ...] = ()) -> list[dict]:
    return dict_rows(con.execute(sql, params), json_cols)


def files(con: duckdb.DuckDBPyConnection, repo_id: str) -> list[dict]:
    return _rows(con, "SELECT path, sha256, encoding, language, module, line_count, is_generated FROM files "
                      "WHERE repo_id = ? ORDER BY path", [repo_id])


def map_classes(con: duckdb.DuckDBPyConnection, repo_id: str) -> list[dict]:
    return _rows(
        con,
        "SELECT c.symbol_id, c.layer, c.module, c.domains, c.is_generated, c.inactive, s.name, s.path, s.start_line, "
        "s.end_line, s.annotations, s.extends, s.kind FROM map_classes c "
        "LEFT JOIN symbols s ON s.repo_id = c.repo_id AND s.symbol_id = c.symbol_id "
        "WHERE c.repo_id = ? ORDER BY c.symbol_id",
        [repo_id], ("domains", "annotations", "extends"),
    )


def symbols(con: duckdb.DuckDBPyConnection, repo_id: str, kinds: tuple[str, ...] = ()) -> list[dict]:
    where, params = "repo_id = ?", [repo_id]
    if kinds:
        where += " AND list_contains(?, kind)"
        params.append(list(kinds))
    return _rows(
        con,
        "SELECT symbol_id, kind, name, parent_id, package, path, start_line, end_line, signature, type, "
        f"modifiers, annotations, doc FROM symbols WHERE {where} ORDER BY path, start_line",
        params, ("annotations",),
    )


def calls(con: duckdb.DuckDBPyConnection, repo_id: str) -> list[dict]:
    return _rows(con, "SELECT caller_id, callee_name, callee_id, impl_id, receiver_type, path, line FROM calls "
                      "WHERE repo_id = ? ORDER BY path, line", [repo_id])


def sql_statements(con: duckdb.DuckDBPyConnection, repo_id: str) -> list[dict]:
    return _rows(
        con,
        "SELECT stmt_id, namespace, statement, kind, path, start_line, end_line, sql, tables, method_id "
        "FROM sql_statements WHERE repo_id = ? ORDER BY path, start_line",
        [repo_id], ("tables",),
    )


def status_dicts(con: duckdb.DuckDBPyConnection, repo_id: str) -> list[dict]:
    return _rows(
        con,
        "SELECT dict_id, owner, field, source, domains, path, start_line, end_line, entries, entity, entity_field "
        "FROM map_status_dicts WHERE repo_id = ? ORDER BY dict_id",
        [repo_id], ("domains", "entries"),
    )


def entities(con: duckdb.DuckDBPyConnection, repo_id: str) -> list[dict]:
    return _rows(con, "SELECT symbol_id, tables, domains FROM map_entities WHERE repo_id = ? ORDER BY symbol_id",
                 [repo_id], ("tables", "domains"))


def endpoints(con: duckdb.DuckDBPyConnection, repo_id: str) -> list[dict]:
    return _rows(con, "SELECT http_method, route, handler_id, domains, summary FROM map_endpoints "
                      "WHERE repo_id = ? ORDER BY route, http_method", [repo_id], ("domains",))


def operations(con: duckdb.DuckDBPyConnection, repo_id: str) -> list[dict]:
    return _rows(con, "SELECT symbol_id, domains FROM map_operations WHERE repo_id = ? ORDER BY symbol_id",
                 [repo_id], ("domains",))


def flows(con: duckdb.DuckDBPyConnection, repo_id: str) -> list[dict]:
    return _rows(
        con,
        "SELECT flow_id, entry_kind, entry_id, name, domains, steps FROM map_flows WHERE repo_id = ? ORDER BY flow_id",
        [repo_id], ("domains", "steps"),
    )


def rules_of_kind(con: duckdb.DuckDBPyConnection, repo_id: str, kind: str, domain: str | None = None) -> list[dict]:
    """Rules of one kind (e.g. every transition, for the state machines), of one domain or all."""
    return [r for r in list_rules(con, repo_id, [domain] if domain else None) if r["kind"] == kind]


def get_rule(con: duckdb.DuckDBPyConnection, repo_id: str, rule_id: str) -> dict | None:
    """One rule by id (a sample's source), or None when extraction no longer finds it."""
    rows = con.execute(f"SELECT {', '.join(RULE_COLUMNS)} FROM rules WHERE repo_id = ? AND rule_id = ?",
                       [repo_id, rule_id]).fetchall()
    return _rule(rows[0]) if rows else None
