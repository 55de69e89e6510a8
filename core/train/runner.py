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

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_RUNS_DIR = Path("data/runs")


def new_run_id(base_model: str) -> str:
    short = Path(base_model).name.replace("/", "-")[:40]
    return f"{datetime.now().strftime('%Y%m%d-%H%M%S')}-{short}"


def train_command(export_dir: str | Path, base_model: str, run_dir: str | Path, **hyper) -> list[str]:
    """The CLI invocation for a run; `hyper` keys are the train flags without dashes (max_steps=5)."""
    cmd = [sys.executable, "-m", "core", "train", "--export", str(export_dir), "--base-model", base_model,
           "--out", str(run_dir)]
    for key, value in hyper.items():
        if value is None:
            continue
        flag = "--" + key.replace("_", "-")
        if isinstance(value, bool):
            cmd.append(flag if value else "--no-" + flag[2:])
        else:
            cmd += [flag, str(value)]
    return cmd


def launch(command: list[str], run_dir: Path) -> int:
    """Start `command` detached, stdout+stderr to run_dir/train.log; returns the PID."""
    run_dir.mkdir(parents=True, exist_ok=True)
    rundir.update_status(run_dir, "running", pid=None, started_at=rundir.now_iso(), reason=None, step=0)
    with open(run_dir / rundir.LOG, "ab") as log:
        proc = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
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


def stop(run_dir: Path, pid: int, grace: float = 10.0) -> None:
    """SIGTERM the run's process group (the trainer marks itself stopped), SIGKILL after `grace` seconds."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
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
    if state == "running" and pid and not is_alive(pid):
        time.sleep(0.2)  # the process may have written its final status just now
        status = rundir.read_json(run_dir / rundir.STATUS) or status
        state, reason = status.get("state", state), status.get("reason")
        if state == "running":
            state, reason = "failed", "the training process exited without a final status; see the log tail"
            rundir.update_status(run_dir, state, reason=reason)
    metrics = rundir.read_metrics(run_dir)
    return RunView(
        run_dir=run_dir, state=state, reason=reason, step=status.get("step", 0) or 0,
        max_steps=status.get("max_steps"), eta_s=status.get("eta_s"),
        train=[m for m in metrics if m.get("kind") == "train"], eval=[m for m in metrics if m.get("kind") == "eval"],
        final=rundir.read_json(run_dir / rundir.FINAL), log_tail=rundir.tail(run_dir / rundir.LOG, log_lines), pid=pid,
    )
