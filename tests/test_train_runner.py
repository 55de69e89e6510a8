"""Training processes from the app's side: the command line, a process that dies, several processes."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from core.train import rundir, runner
from core.train.tiny import build_tiny_model, write_smoke_export

ROOT = Path(__file__).resolve().parent.parent


def test_train_command_maps_hyperparameters_to_flags():
    cmd = runner.train_command("exp", "Qwen/Qwen2.5-0.5B-Instruct", "runs/r", learning_rate=1e-4, max_steps=5,
                               bf16=False, lora_r=None)
    assert cmd[1:] == ["-m", "core", "train", "--export", "exp", "--base-model", "Qwen/Qwen2.5-0.5B-Instruct",
                       "--out", "runs/r", "--learning-rate", "0.0001", "--max-steps", "5", "--no-bf16"]
    from core.cli import build_parser

    args = build_parser().parse_args(cmd[3:])  # every flag the app passes is one the CLI takes
    assert (args.learning_rate, args.max_steps, args.bf16) == (1e-4, 5, False)


def test_a_process_that_dies_without_status_is_reported_failed_with_its_last_words(tmp_path):
    run = tmp_path / "run"
    pid = runner.launch([sys.executable, "-c", "import sys; print('Killed: out of host memory'); sys.exit(9)"], run)
    deadline = time.monotonic() + 20
    while runner.is_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    view = runner.read_run(run)
    assert view.state == "failed" and "Killed: out of host memory" in view.reason
    assert json.loads((run / rundir.STATUS).read_text())["state"] == "failed"


def test_the_same_module_runs_data_parallel_under_torchrun(tmp_path):
    """Two CPU processes (gloo) stand in for two GPUs: one run directory, written by rank 0."""
    model = build_tiny_model(tmp_path / "tiny")
    export = write_smoke_export(ROOT / "examples" / "shop", tmp_path / "export")
    run = tmp_path / "run"
    torchrun = Path(sys.executable).with_name("torchrun")
    done = subprocess.run([str(torchrun), "--nproc-per-node", "2", "-m", "core", "train", "--export", str(export),
                           "--base-model", str(model), "--out", str(run), "--max-steps", "2", "--device", "cpu"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    final = json.loads((run / rundir.FINAL).read_text())
    assert final["world_size"] == 2 and final["steps"] == 2
    assert json.loads((run / rundir.STATUS).read_text())["state"] == "finished"
    assert done.stdout.count("finished:") == 1  # only rank 0 reports


def test_a_reused_pid_is_not_taken_for_the_run_nor_stopped(tmp_path):
    """After a crash the PID in status.json may belong to a stranger: it is neither reported running nor killed."""
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        run = tmp_path / "run-1"
        run.mkdir()
        rundir.update_status(run, "running", pid=stranger.pid)
        assert runner.read_run(run).state == "failed"
        runner.stop(run, stranger.pid, grace=0.5)
        assert stranger.poll() is None
    finally:
        stranger.kill()
        stranger.wait()


def test_runs_that_use_the_gpu_are_found_for_the_in_use_warning(db):
    from storage import runs_store

    with db.connect() as con:
        for run_id, requested, status in (("gpu", {"epochs": 1}, "running"), ("cpu", {"device": "cpu"}, "running"),
                                          ("done", {}, "finished")):
            runs_store.insert_run(con, run_id, f"runs/{run_id}", "exp", "Qwen/Qwen2.5-0.5B-Instruct",
                                  {"requested": requested}, None, status)
    assert [r["run_id"] for r in runner.gpu_runs(db)] == ["gpu"]
    assert runner.has_val(ROOT / "no-such-export") is False


def test_resume_takes_the_newest_checkpoint_the_trainer_finished_writing(tmp_path):
    """A run stopped mid-save leaves its newest folder without trainer_state.json (written last) or with a cut-off
    one; resuming from it fails with "Can't find a valid checkpoint", so the one before it is taken."""
    folder = tmp_path / rundir.CHECKPOINTS
    for step, state in ((2, '{"global_step": 2}'), (10, '{"global_step": 10}'), (12, '{"global_st'), (14, None)):
        (folder / f"checkpoint-{step}").mkdir(parents=True)
        if state is not None:
            (folder / f"checkpoint-{step}" / "trainer_state.json").write_text(state)
    assert rundir.last_checkpoint(tmp_path) == folder / "checkpoint-10"   # numeric order: 10 after 2
    for step in (2, 10):
        (folder / f"checkpoint-{step}" / "trainer_state.json").unlink()
    assert rundir.last_checkpoint(tmp_path) is None
    assert not runner.can_resume({"status": "stopped", "run_dir": str(tmp_path)})
