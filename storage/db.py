"""Connections to the DuckDB file, and the schema migrations.

A DuckDB file admits one writing process at a time. Every caller (CLI, app,
tests) therefore opens a connection for one unit of work and closes it, so
the lock is held only while work happens. When another process holds the
file we wait a little (a pipeline stage may be finishing) and then raise
`DatabaseLocked`, whose message names the holder and what to do.

That lock is per connection, so two pipeline runs would interleave their
stages. `Database.run_lock` is the lock of a whole run: an advisory `flock`
on `<db>.run.lock`, held from before the first stage to after the last,
released by the kernel when the holder dies (even by `kill -9`). A second
run gets `RunBusy` (exit 3) at once, naming the holder's PID and command;
with `ACDP_DB_WAIT=SECONDS` it waits up to that long for the whole run.

A file that is not a DuckDB database is refused with a clear message before
DuckDB sees it, and DuckDB never installs or loads an extension on its own
(a SQLite file passed as --db made it try to download one).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import sys
import threading
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


class RunBusy(DatabaseLocked):
    """Another pipeline run holds this database's run lock."""

    def __init__(self, path: Path, pid: int | None, command: str, waited: float):
        self.path, self.pid, self.command = path, pid, command
        who = f"process {pid} ({command})" if pid else "another process"
        wait = f" (waited {waited:g} s)" if waited else ""
        StorageError.__init__(
            self, f"database {path} is busy: a pipeline run by {who} holds it{wait}. One run at a time per "
            f"database: wait for it to finish, set ACDP_DB_WAIT=SECONDS to wait for it, or pass another --db.")


_CONNECT_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
_DUCKDB_MAGIC = b"DUCK"   # bytes 8..12 of every DuckDB database file


def _check_file(path: Path) -> None:
    """A StorageError unless `path` is absent, empty, or a DuckDB database file."""
    if path.is_dir():
        raise StorageError(f"--db {path} is a directory; pass a DuckDB file (e.g. data/acdp.duckdb)")
    if path.exists() and not path.is_file():
        raise StorageError(f"--db {path} is not a regular file; pass a DuckDB file (e.g. data/acdp.duckdb)")
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StorageError(f"cannot read database {path}: {exc.strerror or exc}") from None
    if head and head[8:12] != _DUCKDB_MAGIC:
        kind = "a SQLite database" if head.startswith(b"SQLite format 3") else "not a DuckDB database"
        raise StorageError(f"--db {path} is {kind}; pass a DuckDB file (a new path creates one)")


_held: dict[str, list] = {}          # lock path -> [thread id, depth, file object] of this process
_held_guard = threading.Lock()


def _holder(lock_path: Path) -> tuple[int | None, str]:
    try:
        info = json.loads(lock_path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return None, "unknown command"
    return info.get("pid"), info.get("command") or "unknown command"


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

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".run.lock")

    @contextmanager
    def run_lock(self, command: str | None = None, wait: float | None = None) -> Iterator[bool]:
        """Hold this database's run lock for the block; yields True where this call took it (not re-entered).

        Re-entrant in the thread that holds it (a run's stages each ask again); any other run, in
        this process or another, gets RunBusy at once, or after up to `wait` seconds
        (default $ACDP_DB_WAIT, else 0) while the lock stays taken.
        """
        key = str(self.lock_path.resolve())
        me = threading.get_ident()
        with _held_guard:
            mine = _held.get(key)
            if mine is not None and mine[0] == me:
                mine[1] += 1
                entered = True
            else:
                entered = False
        if entered:
            try:
                yield False
            finally:
                with _held_guard:
                    _held[key][1] -= 1
            return
        _check_file(self.path)
        wait = float(os.environ.get("ACDP_DB_WAIT", 0) or 0) if wait is None else wait
        deadline = time.monotonic() + wait
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fh = self.lock_path.open("a+", encoding="utf-8")
        except OSError as exc:
            raise StorageError(f"cannot create {self.lock_path} beside the database: {exc.strerror or exc}") from None
        try:
            while True:
                try:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        pid, holder = _holder(self.lock_path)
                        raise RunBusy(self.path, pid, holder, wait) from None
                    time.sleep(0.2)
            fh.seek(0)
            fh.truncate()
            fh.write(json.dumps({"pid": os.getpid(), "command": command or " ".join(sys.argv)[:200]}))
            fh.flush()
            with _held_guard:
                _held[key] = [me, 0, fh]
            try:
                yield True
            finally:
                with _held_guard:
                    del _held[key]
                fh.seek(0)
                fh.truncate()
                fh.flush()
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        finally:
            fh.close()

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        _check_file(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create the folder of database {self.path}: {exc.strerror or exc}") from None
        deadline = time.monotonic() + self.wait
        while True:
            try:
                con = duckdb.connect(str(self.path), config=_CONNECT_CONFIG)
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
