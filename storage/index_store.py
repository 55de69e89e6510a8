"""The index tables: files, skipped files, chunks, symbols, calls, SQL statements, config keys.

Writes go in bulk through Arrow tables (one round trip per table, not per
row). Reads return plain dicts with JSON columns decoded, for the later
stages and the app.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence

import duckdb
import numpy as np

from storage.rows import dict_rows

FILE_COLS = ("repo_id", "path", "sha256", "size", "encoding", "language", "module", "line_count", "parse_errors",
             "is_generated")
CHUNK_COLS = ("repo_id", "chunk_id", "path", "start_line", "end_line", "kind", "symbol_id", "header", "text")
SYMBOL_COLS = ("repo_id", "symbol_id", "kind", "name", "parent_id", "package", "path", "start_line", "end_line",
               "signature", "type", "modifiers", "annotations", "doc", "extends")
CALL_COLS = ("repo_id", "caller_id", "callee_name", "callee_id", "receiver_type", "path", "line", "receiver_raw",
             "arg_count", "via", "impl_id", "status")
SQL_COLS = ("repo_id", "stmt_id", "namespace", "statement", "kind", "path", "start_line", "end_line", "sql", "tables",
            "method_id")
CONFIG_COLS = ("repo_id", "path", "key", "value", "line", "masked")
_JSON_COLS = frozenset({"parse_errors", "annotations", "extends", "tables"})
_PER_FILE_TABLES = ("files", "chunks", "symbols", "calls", "sql_statements", "config_keys")


def bulk_insert(con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str], rows: list[tuple],
                or_ignore: bool = False) -> int:
    """Insert many rows in one statement; `rows` are tuples in `columns` order.

    The rows travel as a dict of NumPy object arrays that DuckDB scans directly: one
    round trip per table, about as fast as Arrow and without the pandas import that
    building Arrow arrays from Python lists costs (0.3 s). `or_ignore` keeps the first
    row of a duplicate key (the same class declared in two modules, the same statement
    id in two mapper files) instead of failing the run.
    """
    if not rows:
        return 0
    frame = {col: np.array([row[i] for row in rows], dtype=object) for i, col in enumerate(columns)}
    name = f"_bulk_{table}"
    con.register(name, frame)
    try:
        verb = "INSERT OR IGNORE" if or_ignore else "INSERT"
        con.execute(f"{verb} INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM {name}")
    finally:
        with contextlib.suppress(duckdb.Error):   # an aborted transaction must report its own error
            con.unregister(name)
    return len(rows)


def _dicts(cursor: duckdb.DuckDBPyConnection) -> list[dict]:
    return dict_rows(cursor, _JSON_COLS)


# ------------------------------------------------------------------ writes --

def file_hashes(con: duckdb.DuckDBPyConnection, repo_id: str) -> dict[str, str]:
    """path -> sha256 of every indexed file, to decide what must be parsed again."""
    return dict(con.execute("SELECT path, sha256 FROM files WHERE repo_id = ?", [repo_id]).fetchall())


def delete_files(con: duckdb.DuckDBPyConnection, repo_id: str, paths: Iterable[str]) -> None:
    """Remove everything the index holds for these files (changed or deleted)."""
    paths = list(paths)
    if not paths:
        return
    for table in _PER_FILE_TABLES:
        con.execute(f"DELETE FROM {table} WHERE repo_id = ? AND path IN (SELECT unnest(?))", [repo_id, paths])


def replace_skipped(con: duckdb.DuckDBPyConnection, repo_id: str, skipped: list[tuple[str, str]]) -> None:
    con.execute("DELETE FROM skipped_files WHERE repo_id = ?", [repo_id])
    unique = dict(skipped)
    bulk_insert(con, "skipped_files", ("repo_id", "path", "reason"), [(repo_id, p, r) for p, r in unique.items()])


def calls_for_resolution(con: duckdb.DuckDBPyConnection, repo_id: str) -> list[tuple]:
    """Every call row of the repo in CALL_COLS order (they are re-resolved as a whole)."""
    return con.execute(f"SELECT {', '.join(CALL_COLS)} FROM calls WHERE repo_id = ?", [repo_id]).fetchall()


def replace_calls(con: duckdb.DuckDBPyConnection, repo_id: str, rows: list[tuple]) -> None:
    con.execute("DELETE FROM calls WHERE repo_id = ?", [repo_id])
    bulk_insert(con, "calls", CALL_COLS, rows)


def symbols_for_resolution(con: duckdb.DuckDBPyConnection, repo_id: str) -> list[tuple]:
    """(symbol_id, kind, name, parent_id, type, extends, modifiers) for the repository-wide resolver."""
    return con.execute(
        "SELECT symbol_id, kind, name, parent_id, type, extends, modifiers FROM symbols "
        "WHERE repo_id = ? AND kind IN ('class', 'interface', 'enum', 'method', 'constructor', 'field', 'enum_constant')",
        [repo_id],
    ).fetchall()


def sql_links_input(con: duckdb.DuckDBPyConnection, repo_id: str) -> list[tuple[str, str, str]]:
    return con.execute("SELECT stmt_id, namespace, statement FROM sql_statements WHERE repo_id = ?", [repo_id]).fetchall()


def set_sql_links(con: duckdb.DuckDBPyConnection, repo_id: str, links: dict[str, str | None]) -> None:
    """stmt_id -> method symbol id (or None)."""
    if not links:
        return
    con.execute(
        "UPDATE sql_statements s SET method_id = l.method_id "
        "FROM (SELECT unnest(?) AS stmt_id, CAST(unnest(?) AS VARCHAR) AS method_id) l "
        "WHERE s.repo_id = ? AND s.stmt_id = l.stmt_id", [list(links), list(links.values()), repo_id])


# ------------------------------------------------------------------- reads --

def file_encodings(con: duckdb.DuckDBPyConnection, repo_id: str, paths: Sequence[str] | None = None) -> dict[str, str]:
    """path -> encoding recorded at index time (read evidence back with `core.source.read_source`),
    of every file or only of `paths` (one sample's evidence need not read a whole repository's)."""
    if paths is None:
        return dict(con.execute("SELECT path, encoding FROM files WHERE repo_id = ?", [repo_id]).fetchall())
    return dict(con.execute(
        "SELECT path, encoding FROM files WHERE repo_id = ? AND list_contains(?, path)", [repo_id, list(paths)]
    ).fetchall())


def get_file(con: duckdb.DuckDBPyConnection, repo_id: str, path: str) -> dict | None:
    rows = _dicts(con.execute(f"SELECT {', '.join(FILE_COLS)} FROM files WHERE repo_id = ? AND path = ?",
                              [repo_id, path]))
    return rows[0] if rows else None


def list_files(con: duckdb.DuckDBPyConnection, repo_id: str, language: str | None = None) -> list[dict]:
    sql = f"SELECT {', '.join(FILE_COLS)} FROM files WHERE repo_id = ?"
    params: list = [repo_id]
    if language:
        sql += " AND language = ?"
        params.append(language)
    return _dicts(con.execute(sql + " ORDER BY path", params))


def skipped_files(con: duckdb.DuckDBPyConnection, repo_id: str) -> list[dict]:
    return _dicts(con.execute("SELECT path, reason FROM skipped_files WHERE repo_id = ? ORDER BY path", [repo_id]))


def chunks_for_path(con: duckdb.DuckDBPyConnection, repo_id: str, path: str) -> list[dict]:
    return _dicts(con.execute(
        f"SELECT {', '.join(CHUNK_COLS[1:])} FROM chunks WHERE repo_id = ? AND path = ? ORDER BY start_line",
        [repo_id, path]))


def chunks_for_symbol(con: duckdb.DuckDBPyConnection, repo_id: str, symbol_id: str) -> list[dict]:
    """The chunk(s) of a method, class or SQL statement; several when a long method was split."""
    return _dicts(con.execute(
        f"SELECT {', '.join(CHUNK_COLS[1:])} FROM chunks WHERE repo_id = ? AND symbol_id = ? ORDER BY start_line",
        [repo_id, symbol_id]))


def chunks_containing(con: duckdb.DuckDBPyConnection, repo_id: str, path: str, start_line: int,
                      end_line: int | None = None) -> list[dict]:
    """Chunks that hold the whole span start..end of `path`, narrowest first."""
    end_line = start_line if end_line is None else end_line
    return _dicts(con.execute(
        f"SELECT {', '.join(CHUNK_COLS[1:])} FROM chunks WHERE repo_id = ? AND path = ? "
        "AND start_line <= ? AND end_line >= ? ORDER BY end_line - start_line",
        [repo_id, path, start_line, end_line]))


def get_symbol(con: duckdb.DuckDBPyConnection, repo_id: str, symbol_id: str) -> dict | None:
    rows = _dicts(con.execute(f"SELECT {', '.join(SYMBOL_COLS[1:])} FROM symbols WHERE repo_id = ? AND symbol_id = ?",
                              [repo_id, symbol_id]))
    return rows[0] if rows else None


def members(con: duckdb.DuckDBPyConnection, repo_id: str, parent_id: str, kind: str | None = None) -> list[dict]:
    """Fields, methods, constants and nested types declared directly in `parent_id`."""
    sql = f"SELECT {', '.join(SYMBOL_COLS[1:])} FROM symbols WHERE repo_id = ? AND parent_id = ?"
    params: list = [repo_id, parent_id]
    if kind:
        sql += " AND kind = ?"
        params.append(kind)
    return _dicts(con.execute(sql + " ORDER BY start_line", params))


def symbols_of_kind(con: duckdb.DuckDBPyConnection, repo_id: str, kinds: Sequence[str]) -> list[dict]:
    marks = ", ".join("?" for _ in kinds)
    return _dicts(con.execute(
        f"SELECT {', '.join(SYMBOL_COLS[1:])} FROM symbols WHERE repo_id = ? AND kind IN ({marks}) "
        "ORDER BY path, start_line", [repo_id, *kinds]))


def callees(con: duckdb.DuckDBPyConnection, repo_id: str, caller_id: str) -> list[dict]:
    """Calls made by a method in source order, with resolved targets (callee_id / impl_id)."""
    return _dicts(con.execute(
        f"SELECT {', '.join(CALL_COLS[1:])} FROM calls WHERE repo_id = ? AND caller_id = ? ORDER BY line",
        [repo_id, caller_id]))


def callers(con: duckdb.DuckDBPyConnection, repo_id: str, symbol_id: str) -> list[dict]:
    """Calls that reach `symbol_id`, directly or as the implementation of an interface method."""
    return _dicts(con.execute(
        f"SELECT {', '.join(CALL_COLS[1:])} FROM calls WHERE repo_id = ? AND (callee_id = ? OR impl_id = ?) "
        "ORDER BY path, line", [repo_id, symbol_id, symbol_id]))


def resolved_calls(con: duckdb.DuckDBPyConnection, repo_id: str) -> list[tuple[str, str, str | None, int, str]]:
    """(caller_id, callee_id, impl_id, line, path) of every resolved call, for graph walks."""
    return con.execute(
        "SELECT caller_id, callee_id, impl_id, line, path FROM calls "
        "WHERE repo_id = ? AND callee_id IS NOT NULL ORDER BY caller_id, line", [repo_id]).fetchall()


def sql_statements(con: duckdb.DuckDBPyConnection, repo_id: str) -> list[dict]:
    return _dicts(con.execute(f"SELECT {', '.join(SQL_COLS[1:])} FROM sql_statements WHERE repo_id = ? "
                              "ORDER BY path, start_line", [repo_id]))


def sql_for_method(con: duckdb.DuckDBPyConnection, repo_id: str, method_id: str) -> list[dict]:
    """The mapper statement(s) a DAO / mapper method runs."""
    return _dicts(con.execute(f"SELECT {', '.join(SQL_COLS[1:])} FROM sql_statements WHERE repo_id = ? "
                              "AND method_id = ?", [repo_id, method_id]))


def get_sql_statement(con: duckdb.DuckDBPyConnection, repo_id: str, stmt_id: str) -> dict | None:
    rows = _dicts(con.execute(f"SELECT {', '.join(SQL_COLS[1:])} FROM sql_statements WHERE repo_id = ? "
                              "AND stmt_id = ?", [repo_id, stmt_id]))
    return rows[0] if rows else None


def config_keys(con: duckdb.DuckDBPyConnection, repo_id: str, prefix: str | None = None) -> list[dict]:
    sql = "SELECT path, key, value, line, masked FROM config_keys WHERE repo_id = ?"
    params: list = [repo_id]
    if prefix:
        sql += " AND key LIKE ?"
        params.append(prefix + "%")
    return _dicts(con.execute(sql + " ORDER BY path, line", params))


def index_stats(con: duckdb.DuckDBPyConnection, repo_id: str) -> dict:
    """Counts for reports: files, chunks, symbols, calls and the resolved / linked shares."""
    one = lambda sql: con.execute(sql, [repo_id]).fetchone()[0]  # noqa: E731
    calls_total = one("SELECT count(*) FROM calls WHERE repo_id = ?")
    resolved = one("SELECT count(*) FROM calls WHERE repo_id = ? AND status = 'resolved'")
    external = one("SELECT count(*) FROM calls WHERE repo_id = ? AND status = 'external'")
    sql_total = one("SELECT count(*) FROM sql_statements WHERE repo_id = ?")
    linked = one("SELECT count(*) FROM sql_statements WHERE repo_id = ? AND method_id IS NOT NULL")
    in_repo = calls_total - external
    return {
        "files": one("SELECT count(*) FROM files WHERE repo_id = ?"),
        "java_files": one("SELECT count(*) FROM files WHERE repo_id = ? AND language = 'java'"),
        "java_bytes": one("SELECT coalesce(sum(size), 0) FROM files WHERE repo_id = ? AND language = 'java'"),
        "skipped": one("SELECT count(*) FROM skipped_files WHERE repo_id = ?"),
        "parse_error_files": one("SELECT count(*) FROM files WHERE repo_id = ? AND parse_errors IS NOT NULL"),
        "chunks": one("SELECT count(*) FROM chunks WHERE repo_id = ?"),
        "symbols": one("SELECT count(*) FROM symbols WHERE repo_id = ?"),
        "calls": calls_total,
        "calls_resolved": resolved,
        "calls_external": external,
        "calls_resolved_pct": round(100.0 * resolved / in_repo, 1) if in_repo else 0.0,   # of calls into repo code
        "calls_resolved_pct_all": round(100.0 * resolved / calls_total, 1) if calls_total else 0.0,
        "sql_statements": sql_total,
        "sql_linked": linked,
        "sql_linked_pct": round(100.0 * linked / sql_total, 1) if sql_total else 0.0,
        "config_keys": one("SELECT count(*) FROM config_keys WHERE repo_id = ?"),
    }
