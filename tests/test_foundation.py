"""The CLI's surface, the migrations, and the message for a locked database."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from core.cli import main
from core.pipeline import PIPELINE, STAGES
from storage import Database, DatabaseLocked
from storage.db import migrate, migrations, schema_versions


def test_help_lists_every_stage(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for name in [*STAGES, "run"]:
        assert f"    {name} " in out or f"    {name}\n" in out, name


def test_python_m_core_help_runs_as_a_module():
    proc = subprocess.run([sys.executable, "-m", "core", "--help"], capture_output=True, text=True, check=True)
    assert "index" in proc.stdout and "export" in proc.stdout


@pytest.mark.parametrize("stage", [*STAGES, "run"])
def test_each_stage_takes_the_common_flags(stage, capsys):
    with pytest.raises(SystemExit):
        main([stage, "--help"])
    out = capsys.readouterr().out
    for flag in ("--db", "--repo", "--domains", "--backend", "--lang"):
        assert flag in out


def test_pipeline_order():
    assert PIPELINE == ("index", "map", "extract", "generate", "validate")


def test_migrations_create_the_schema_on_an_empty_file(tmp_path):
    database = Database(tmp_path / "new.duckdb")
    with database.connect() as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        assert schema_versions(con) == [v for v, _, _ in migrations()]
    for table in ("files", "chunks", "symbols", "calls", "sql_statements", "rules", "samples",
                  "checks", "review_state", "review_events", "exports", "train_runs"):
        assert table in tables


def test_migrations_are_idempotent(tmp_path):
    database = Database(tmp_path / "twice.duckdb")
    with database.connect() as con:
        before = con.execute("SELECT count(*) FROM schema_version").fetchone()[0]
        assert migrate(con) == []
        assert con.execute("SELECT count(*) FROM schema_version").fetchone()[0] == before
    with Database(tmp_path / "twice.duckdb").connect() as con:  # a new process-level opener too
        assert migrate(con) == []


HOLD_LOCK = textwrap.dedent(
    """
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1])
    print("locked", flush=True)
    time.sleep(60)
    """
)


@pytest.fixture
def locked_db(tmp_path):
    path = tmp_path / "busy.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(path)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    yield path, holder.pid
    holder.kill()
    holder.wait()


def test_locked_database_names_the_holder(locked_db):
    path, pid = locked_db
    with pytest.raises(DatabaseLocked) as info:
        with Database(path, wait=0.3).connect():
            pass
    message = str(info.value)
    assert str(pid) in message and "HOLD_LOCK" not in message
    assert "--db" in message and "kill" in message
    assert info.value.pid == pid and "python" in info.value.command


def test_cli_on_a_locked_database_prints_one_line_and_exits_3(locked_db, capsys, monkeypatch):
    path, pid = locked_db
    monkeypatch.setenv("ACDP_DB_WAIT", "0.3")
    rc = main(["validate", "--db", str(path)])
    err = capsys.readouterr().err
    assert rc == 3
    assert err.count("\n") == 1 and err.startswith("error: database") and str(pid) in err


def test_run_checks_every_stage_before_the_first_starts(tmp_path, capsys, example_repo, monkeypatch):
    """A bad domain or a missing API key is reported before indexing, not after it."""
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    path = tmp_path / "early.duckdb"
    base = ["run", "--repo", str(example_repo), "--db", str(path)]
    assert main([*base, "--domains", "payment"]) == 2
    assert main([*base, "--backend", "anthropic"]) == 2
    err = capsys.readouterr().err
    assert "unknown domain payment" in err and "ANTHROPIC_API_KEY" in err
    with Database(path).connect() as con:
        assert con.execute("SELECT count(*) FROM files").fetchall() == [(0,)]
        assert con.execute("SELECT count(*) FROM pipeline_runs").fetchall() == [(0,)]
