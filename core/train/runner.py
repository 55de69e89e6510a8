"""Launch, watch and stop training processes for the app.

A run is a separate OS process (`python -m core train`), started in its own
session so Stop can signal it and whatever it spawned, and so it outlives a
browser refresh. The app learns everything from the run directory
(core.train.rundir) and mirrors the outcome into train_runs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from core.train import rundir
from core.train.launch import flags
from storage import Database, runs_store

ROOT = Path(__file__).resolve().parents[2]
INFER_LOG = "infer.log"
INFER_PID = "infer.pid"


def new_run_id(base_model: str, runs_dir: Path) -> str:
    """Sortable and readable: start time plus the model's name, made unique within runs_dir."""
    stem = f"{datetime.now().strftime('%Y%m%d-%H%M%S')}-{Path(base_model).name[:40]}"
    run_id, n = stem, 1
    while (runs_dir / run_id).exists():
        n += 1
        run_id = f"{stem}-{n}"
    return run_id


def train_command(export_dir: str | Path, base_model: str, run_dir: str | Path, **hyper) -> list[str]:
    """The CLI invocation for a run; `hyper` keys are the train flags without dashes (max_steps=5).
    With gpus > 1 the command itself launches `accelerate launch` (core.train.launch)."""
    return [sys.executable, "-m", "core", "train", "--export", str(export_dir), "--base-model", base_model,
            "--out", str(run_dir), *flags(**hyper)]


def resume_command(run_dir: str | Path) -> list[str]:
    return [sys.executable, "-m", "core", "train", "--resume", "--out", str(run_dir)]


def launch(command: list[str], run_dir: Path) -> int:
    """Start `command` detached, stdout+stderr to run_dir/train.log; returns the PID."""
    run_dir.mkdir(parents=True, exist_ok=True)
    rundir.update_status(run_dir, "running", pid=None, started_at=rundir.now_iso(), reason=None, step=0)
    with open(run_dir / rundir.LOG, "ab") as log:
        # no tqdm bars in a log file the page tails
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
        proc = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, env=env)
    rundir.update_status(run_dir, pid=proc.pid)
    _children[proc.pid] = proc
    return proc.pid


# Popen objects of runs started by this process, so finished children are reaped (no zombies)
_children: dict[int, subprocess.Popen] = {}


def is_alive(pid: int | None) -> bool:
    if not pid:
        return False
    child = _children.get(pid)
    if child is not None:
        return child.poll() is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (exited, not yet reaped by its parent) is not running
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][:1] != "Z"
    except OSError:
        return True


def runs(pid: int | None, run_dir: Path) -> bool:
    """`pid` is alive and is this run's process (not another one that got the PID after it ended)."""
    if not is_alive(pid):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return True  # no /proc to ask: trust the PID
    return run_dir.name in cmdline


def stop(run_dir: Path, pid: int, grace: float = 10.0) -> None:
    """SIGTERM the run's process group (the trainer marks itself stopped), SIGKILL after `grace` seconds."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if not runs(pid, run_dir):
            break
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + grace
        while is_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if not is_alive(pid):
            break
    status = rundir.read_json(run_dir / rundir.STATUS) or {}
    if status.get("state") not in rundir.TERMINAL_STATES:
        rundir.update_status(run_dir, "stopped", reason="stopped from the app")


@dataclass
class RunView:
    """A run as the app shows it, read from its directory."""

    run_dir: Path
    state: str
    reason: str | None
    step: int
    max_steps: int | None
    eta_s: float | None
    train: list[dict] = field(default_factory=list)
    eval: list[dict] = field(default_factory=list)
    final: dict | None = None
    log_tail: str = ""
    pid: int | None = None

    @property
    def fraction(self) -> float:
        if self.state == "finished":
            return 1.0
        return min(1.0, self.step / self.max_steps) if self.max_steps else 0.0


def read_run(run_dir: Path, log_lines: int = 30) -> RunView:
    """Status, metrics, final metrics and log tail; a 'running' run whose process is gone is reported failed."""
    status = rundir.read_json(run_dir / rundir.STATUS) or {}
    state, reason, pid = status.get("state", "unknown"), status.get("reason"), status.get("pid")
    if state == "running" and pid and not runs(pid, run_dir):
        time.sleep(0.2)  # the process may have written its final status just now
        status = rundir.read_json(run_dir / rundir.STATUS) or status
        state, reason = status.get("state", state), status.get("reason")
        if state == "running":
            last = next((ln for ln in reversed(rundir.tail(run_dir / rundir.LOG, 20).splitlines()) if ln.strip()), "")
            state = "failed"
            reason = "the training process exited without a final status" + (f": {last.strip()[:300]}" if last else "")
            rundir.update_status(run_dir, state, reason=reason)
    metrics = rundir.read_metrics(run_dir)
    return RunView(
        run_dir=run_dir, state=state, reason=reason, step=status.get("step", 0) or 0,
        max_steps=status.get("max_steps"), eta_s=status.get("eta_s"),
        train=[m for m in metrics if m.get("kind") == "train"], eval=[m for m in metrics if m.get("kind") == "eval"],
        final=rundir.read_json(run_dir / rundir.FINAL), log_tail=rundir.tail(run_dir / rundir.LOG, log_lines), pid=pid,
    )


def has_val(export_dir: str | Path) -> bool:
    """The export has validation records (eval loss per epoch, the best adapter, strict validation need them)."""
    try:
        with open(Path(export_dir) / "val.jsonl", encoding="utf-8") as fh:
            return any(line.strip() for line in fh)
    except OSError:
        return False


def gpu_runs(db: Database) -> list[dict]:
    """Running runs that train on a GPU (asked for cuda, or left on auto), which a new GPU run would share."""
    with db.connect() as con:
        running = [r for r in runs_store.list_runs(con) if r["status"] == "running"]
    return [r for r in running if ((r["config"] or {}).get("requested") or {}).get("device") != "cpu"]


def start_run(db: Database, runs_dir: Path, export_dir: str | Path, base_model: str, **hyper) -> str:
    """Launch a training process for the app and record it in train_runs; returns the run id."""
    runs_dir.mkdir(parents=True, exist_ok=True)
    run_id = new_run_id(base_model, runs_dir)
    run_dir = (runs_dir / run_id).resolve()
    command = train_command(Path(export_dir).resolve(), base_model, run_dir, **hyper)
    pid = launch(command, run_dir)
    with db.connect() as con:
        runs_store.insert_run(con, run_id, str(run_dir), str(export_dir), base_model,
                              {"requested": hyper, "command": command}, pid)
    return run_id


def sync_run(db: Database, run: dict) -> RunView:
    """Read a run's directory and carry a changed state (and final metrics) into train_runs."""
    view = read_run(Path(run["run_dir"]))
    if view.state != run["status"] and view.state in (*rundir.TERMINAL_STATES, "running"):
        with db.connect() as con:
            runs_store.update_run(con, run["run_id"], view.state, view.reason, view.final,
                                  finished=view.state in rundir.TERMINAL_STATES)
        run.update(status=view.state, message=view.reason)
    return view


def can_resume(run: dict) -> bool:
    """A failed or stopped run with a checkpoint to continue from."""
    return run["status"] in ("failed", "stopped") and rundir.last_checkpoint(Path(run["run_dir"])) is not None


def resume_run(db: Database, run: dict) -> int:
    """`train --resume` on the run's directory: same config, from its last checkpoint."""
    pid = launch(resume_command(run["run_dir"]), Path(run["run_dir"]))
    with db.connect() as con:
        runs_store.resumed(con, run["run_id"], pid)
    return pid


def stop_run(db: Database, run: dict) -> RunView:
    if run.get("pid"):
        stop(Path(run["run_dir"]), run["pid"])
    return sync_run(db, run)


def start_validation(db: Database, run_dir: Path, limit: int | None = None, max_new_tokens: int | None = None,
                     batch_size: int | None = None, device: str | None = None) -> int:
    """`python -m core infer` for a finished run, in the background (log: RUN_DIR/infer.log)."""
    command = [sys.executable, "-m", "core", "infer", "--db", str(db.path.resolve()), "--run", str(run_dir)]
    if limit:
        command += ["--limit", str(limit)]
    if max_new_tokens:
        command += ["--max-new-tokens", str(max_new_tokens)]
    if batch_size:
        command += ["--batch-size", str(batch_size)]
    if device:
        command += ["--device", device]
    with open(run_dir / INFER_LOG, "ab") as log:
        # in the background it can afford to wait out the app's short holds on the database file
        env = {"ACDP_DB_WAIT": "60", **os.environ, "PYTHONUNBUFFERED": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
        proc = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, env=env)
    _children[proc.pid] = proc
    (run_dir / INFER_PID).write_text(str(proc.pid))
    return proc.pid


def validation_error(run_dir: Path) -> str | None:
    """Why the last validation of the run failed (its `error:` line), when it did and is not running."""
    if validation_running(run_dir):
        return None
    for line in reversed(rundir.tail(run_dir / INFER_LOG, 60).splitlines()):
        if line.startswith("error:"):
            return line.removeprefix("error:").strip()
        if line.startswith("infer: done") or line.startswith("{"):
            return None
    return None


def validation_running(run_dir: Path) -> bool:
    try:
        return runs(int((run_dir / INFER_PID).read_text()), run_dir)
    except (OSError, ValueError):
        return False
