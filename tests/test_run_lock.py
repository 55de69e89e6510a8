"""One pipeline run per database: a second run exits 3 before any stage; ACDP_DB_WAIT waits for the
whole run; runs a dead process left 'running' become 'interrupted'; a --db that is not DuckDB is a
user error; an export killed mid-way leaves no staging directory behind for good."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from core.cli import main
from core.context import Context
from core.pipeline import PIPELINE, exclusive
from core.progress import NullProgress
from storage import Database, RunBusy
from storage import repos as repo_store

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "shop"


def _env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "ACDP_DB_WAIT"}
    env.update(extra)
    return env


def _cli(*args: str, env: dict | None = None, timeout: float = 300) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env=env or _env())
    return done, time.monotonic() - started


def _wait_for_holder(lock: Path, pid: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the first run ended before the test could start the second: {proc.poll()}"
        try:
            if json.loads(lock.read_text() or "{}").get("pid") == pid:
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    raise AssertionError("the first run never took the run lock")


def test_a_second_run_exits_3_at_once_having_run_no_stage_and_the_first_completes(tmp_path: Path) -> None:
    db = tmp_path / "busy.duckdb"
    args = ("run", "--repo", str(EXAMPLE), "--db", str(db), "--domains", "order,stock")
    first = subprocess.Popen([sys.executable, "-m", "core", *args], cwd=ROOT, env=_env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_holder(Path(f"{db}.run.lock"), first.pid, first)
        second, seconds = _cli(*args)
        assert first.poll() is None, "the second run must be refused while the first still runs"
    finally:
        out, err = first.communicate(timeout=300)
    assert second.returncode == 3, second.stderr
    assert seconds < 15
    assert f"process {first.pid}" in second.stderr and "core run" in second.stderr
    assert first.returncode == 0, err
    con = duckdb.connect(str(db), read_only=True)
    runs = con.execute("SELECT stage, status FROM pipeline_runs ORDER BY run_id").fetchall()
    con.close()
    assert runs == [(stage, "ok") for stage in PIPELINE]     # the second run recorded (and ran) nothing


def _hold(db: Path) -> subprocess.Popen:
    """A process holding the run lock until a line arrives on its stdin."""
    code = ("import sys\nfrom storage import Database\n"
            f"with Database({str(db)!r}).run_lock('lock holder for a test'):\n"
            "    print('held', flush=True)\n    sys.stdin.readline()\n")
    holder = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_acdp_db_wait_waits_for_the_whole_run_instead(tmp_path: Path) -> None:
    db = tmp_path / "wait.duckdb"
    holder = _hold(db)
    args = [sys.executable, "-m", "core", "index", "--repo", str(EXAMPLE), "--db", str(db)]
    try:
        refused, _ = _cli(*args[3:])
        waiting = subprocess.Popen(args, cwd=ROOT, env=_env(ACDP_DB_WAIT="120"), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        time.sleep(3)
        still_waiting = waiting.poll() is None
    finally:
        holder.communicate("go\n", timeout=30)
    out, err = waiting.communicate(timeout=120)
    assert refused.returncode == 3 and f"process {holder.pid} (lock holder for a test)" in refused.stderr
    assert still_waiting, "with ACDP_DB_WAIT the run must wait while the lock is held"
    assert waiting.returncode == 0, err


def test_the_lock_is_reentrant_in_its_thread_and_refuses_other_threads(db: Database) -> None:
    refused: list = []
    with db.run_lock("outer") as taken, db.run_lock("inner") as again:
        assert (taken, again) == (True, False)
        other = threading.Thread(target=lambda: refused.append(_try_lock(db)))
        other.start()
        other.join(10)
    assert isinstance(refused[0], RunBusy) and refused[0].pid == os.getpid()
    with db.run_lock() as taken:   # released on exit
        assert taken


def _try_lock(db: Database):
    try:
        with db.run_lock(wait=0):
            return None
    except RunBusy as exc:
        return exc


def test_runs_a_dead_process_left_running_are_marked_interrupted(db: Database) -> None:
    with db.connect() as con:
        stale = repo_store.start_run(con, "r", "extract", {})
    ctx = Context(db=db, repo=None, domains=["order"], backend="template", lang=None, progress=NullProgress())
    with exclusive(ctx):
        with db.connect() as con:
            history = {r["run_id"]: r for r in repo_store.run_history(con)}
    assert history[stale]["status"] == "interrupted"
    assert history[stale]["finished_at"] is not None and "interrupted" in history[stale]["message"]


def test_a_sqlite_file_as_db_is_a_clear_user_error(tmp_path: Path, capsys) -> None:
    import sqlite3

    path = tmp_path / "other.db"
    sqlite3.connect(path).execute("CREATE TABLE t (a)").connection.commit()
    assert main(["index", "--repo", str(EXAMPLE), "--db", str(path)]) == 2
    err = capsys.readouterr().err
    assert "is a SQLite database" in err and "Extension" not in err
    assert main(["index", "--repo", str(EXAMPLE), "--db", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err


def test_duckdb_never_autoloads_an_extension(db: Database) -> None:
    with db.connect() as con:
        settings = dict(con.execute(
            "SELECT name, value FROM duckdb_settings() WHERE name IN "
            "('autoinstall_known_extensions', 'autoload_known_extensions')").fetchall())
    assert settings == {"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"}


def test_stale_export_staging_directories_are_removed(shop_db: Database, tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".export.tmp-{dead.pid}"
    stale_old = tmp_path / f".export.old-{dead.pid}"
    live = tmp_path / f".export.tmp-{os.getppid()}"   # another exporter still at work: left alone
    for d in (stale, stale_old, live):
        d.mkdir()
        (d / "train.jsonl").write_text("{}\n")
    foreign = tmp_path / ".export.tmp-notapid"
    foreign.mkdir()
    assert main(["export", "--db", str(shop_db.path), "--out", str(tmp_path / "export"), "--include-pending"]) == 0
    assert not stale.exists() and not stale_old.exists()
    assert live.exists() and foreign.exists()
    assert (tmp_path / "export" / "train.jsonl").is_file()


@pytest.mark.parametrize("argv, message", [
    (["index", "--repo", "/nonexistent/repo"], "repository not found"),
    (["export"], "no repository indexed yet"),
    (["index", "--repo", str(EXAMPLE), "--db", "/dev/null"], "is not a regular file"),
    (["index", "--repo", str(EXAMPLE), "--db", "/proc/no/acdp.duckdb"], "cannot create"),
])
def test_user_errors_exit_2(tmp_path: Path, capsys, argv: list[str], message: str) -> None:
    if "--db" not in argv:
        argv = [*argv, "--db", str(tmp_path / "u.duckdb")]
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_an_export_that_cannot_be_written_is_a_user_error(shop_db: Database, capsys) -> None:
    assert main(["export", "--db", str(shop_db.path), "--out", "/proc/no/export", "--include-pending"]) == 2
    assert "cannot write the export" in capsys.readouterr().err
