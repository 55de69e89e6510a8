"""Connections to the DuckDB file, and the schema migrations.

A DuckDB file admits one writing process at a time. Every caller (CLI, app,
tests) therefore opens a connection for one unit of work and closes it, so
the lock is held only while work happens. When another process holds the
file we wait a little (a pipeline stage may be finishing) and then raise
`DatabaseLocked`, whose message names the holder and what to do.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb

DEFAULT_DB = Path("data/acdp.duckdb")
_LOCK_RE = re.compile(r"Conflicting lock is held in (?P<exe>.+?) \(PID (?P<pid>\d+)\)")


class StorageError(Exception):
    """A problem with the database that the user can act on."""


class DatabaseLocked(StorageError):
    def __init__(self, path: Path, pid: int | None, command: str):
        self.path, self.pid, self.command = path, pid, command
        who = f"process {pid} ({command})" if pid else "another process"
        super().__init__(
            f"database {path} is in use by {who}. DuckDB allows one process at a time: "
            f"wait for it to finish or stop it (kill {pid}), or pass another file with --db."
            if pid
            else f"database {path} is in use by {who}; stop it or pass another file with --db."
        )


def _holder_command(pid: int, fallback: str) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return fallback
    command = " ".join(raw.decode(errors="replace").replace("\0", " ").split())
    return command[:160] or fallback


def _locked_error(path: Path, exc: duckdb.IOException) -> DatabaseLocked | None:
    match = _LOCK_RE.search(str(exc))
    if not match:
        return None
    pid = int(match["pid"])
    return DatabaseLocked(path, pid, _holder_command(pid, match["exe"]))


class Database:
    """A DuckDB file plus the policy for opening it.

    `wait` is how long to keep retrying while another process holds the lock
    (default: $ACDP_DB_WAIT or 5 s); the app uses a short wait so the page can
    say what is going on quickly.
    """

    def __init__(self, path: str | Path = DEFAULT_DB, wait: float | None = None):
        self.path = Path(path)
        self.wait = float(os.environ.get("ACDP_DB_WAIT", 5.0)) if wait is None else wait
        self._migrated = False

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.wait
        while True:
            try:
                con = duckdb.connect(str(self.path))
                break
            except duckdb.IOException as exc:
                locked = _locked_error(self.path, exc)
                if locked is None:
                    raise StorageError(f"cannot open database {self.path}: {exc}") from exc
                if time.monotonic() >= deadline:
                    raise locked from None
                time.sleep(0.2)
        try:
            if not self._migrated:
                migrate(con)
                self._migrated = True
            yield con
        finally:
            con.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection whose work commits together or not at all."""
        with self.connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every file `NNN_name.sql` in storage/migrations."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        match = re.fullmatch(r"(\d{3})_(\w+)\.sql", entry.name)
        if match:
            found.append((int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    return sorted(found)


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply the migrations this file has not seen yet; return their versions."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version("
        "version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    done = {row[0] for row in con.execute("SELECT version FROM schema_version").fetchall()}
    applied = []
    for version, name, sql in migrations():
        if version in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute(
                "INSERT INTO schema_version VALUES (?, ?, now()::TIMESTAMP)", [version, name]
            )
        except Exception:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
        applied.append(version)
    return applied


def schema_versions(con: duckdb.DuckDBPyConnection) -> list[int]:
    return [r[0] for r in con.execute("SELECT version FROM schema_version ORDER BY 1").fetchall()]
