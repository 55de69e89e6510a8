"""`python -m core train`: LoRA SFT of a Qwen2.5 model on an export directory.

Everything about the run goes to its directory (--out): resolved config,
status, metrics while training, checkpoints, final metrics, the adapter, the
export manifest hash. The database is never opened, so training can run for
hours while the app and other stages keep using the DuckDB file. `--resume`
continues a failed or stopped run from its last checkpoint with the config it
was started with. Several GPUs: `--gpus N` runs this same command under
`accelerate launch` (`--deepspeed zero2|zero3` for ZeRO); `torchrun -m core
train ...` works as well (see docs/training.md).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
from pathlib import Path

from core.errors import UserError
from core.outputs import check_run_dir
from core.train import rundir
from core.train.config import DEFAULT_BASE_MODEL, SIZE_DEFAULTS, TrainConfig
from core.train.launch import accelerate_command, flags, under_launcher


class RunStopped(Exception):
    """SIGTERM from the app's Stop button (or the user) while training."""


def add_arguments(parser) -> None:
    g = parser.add_argument_group("train")
    g.add_argument("--export", type=Path, help="export directory (train.jsonl, val.jsonl, manifest.json)")
    g.add_argument("--base-model", default=DEFAULT_BASE_MODEL,
                   help=f"hub id or local directory (default {DEFAULT_BASE_MODEL}; also Qwen/Qwen2.5-1.5B-Instruct, "
                        "Qwen/Qwen2.5-7B-Instruct)")
    g.add_argument("--out", type=Path, help="run directory to create (adapter, metrics, status)")
    g.add_argument("--max-steps", type=int, help="stop after N optimizer steps (smoke runs)")
    g.add_argument("--epochs", type=float, help="default per model size: " + _defaults("epochs"))
    g.add_argument("--lr", "--learning-rate", dest="learning_rate", type=float,
                   help="learning rate; " + _defaults("learning_rate"))
    g.add_argument("--lora-r", type=int, help=_defaults("lora_r"))
    g.add_argument("--lora-alpha", type=int, help=_defaults("lora_alpha"))
    g.add_argument("--lora-dropout", type=float, help=_defaults("lora_dropout"))
    g.add_argument("--max-length", type=int, help="tokens per example; " + _defaults("max_length"))
    g.add_argument("--batch-size", type=int, help="per device; " + _defaults("batch_size"))
    g.add_argument("--grad-accum", type=int, help=_defaults("grad_accum"))
    g.add_argument("--seed", type=int, help="default 42")
    g.add_argument("--min-samples", type=int, help="refuse exports with fewer training samples (default 8)")
    g.add_argument("--device", choices=("auto", "cpu", "cuda"), help="default auto: CUDA when available")
    g.add_argument("--bf16", action=argparse.BooleanOptionalAction, default=None, help="default: on with CUDA")
    g.add_argument("--gradient-checkpointing", action=argparse.BooleanOptionalAction, default=None,
                   help="activation checkpointing; default: on with CUDA")
    g.add_argument("--packing", action=argparse.BooleanOptionalAction, default=None,
                   help="padding-free packing: a batch is one sequence, position ids restart per sample (default off)")
    g.add_argument("--save-steps", type=int, help="a checkpoint (and an eval) every N steps besides every epoch")
    g.add_argument("--save-total-limit", type=int, help="checkpoints kept (default 2; the best is always kept)")
    g.add_argument("--resume", action="store_true",
                   help="continue the failed or stopped run in --out from its last checkpoint, with its own config")
    g.add_argument("--merge", action="store_true", default=None,
                   help="also write base + adapter merged into RUN/merged (for vLLM and other servers)")
    g.add_argument("--gpus", type=int, help="GPUs (processes) to train on, launched by `accelerate launch` (DDP)")
    g.add_argument("--deepspeed", choices=("zero2", "zero3"), help="DeepSpeed ZeRO stage (config written to the run)")


def _defaults(key: str) -> str:
    return "defaults " + ", ".join(f"{size} {values[key]}" for size, values in SIZE_DEFAULTS.items())


_OVERRIDES = ("max_steps", "epochs", "learning_rate", "lora_r", "lora_alpha", "lora_dropout", "max_length",
              "batch_size", "grad_accum", "seed", "min_samples", "device", "bf16", "gradient_checkpointing",
              "packing", "save_steps", "save_total_limit", "merge", "gpus", "deepspeed")


def _prepare_run_dir(run_dir: Path) -> None:
    check_run_dir(run_dir)  # never write into (or delete files of) a directory this tool did not make
    status = rundir.read_json(run_dir / rundir.STATUS)
    if status and status.get("state") == "finished":
        raise UserError(f"{run_dir} already holds a finished run; pass a new --out directory")
    if status and status.get("state") == "running" and _alive(status.get("pid")):
        raise UserError(f"{run_dir} is in use by a running training process (PID {status['pid']})")
    run_dir.mkdir(parents=True, exist_ok=True)
    for name in (rundir.METRICS, rundir.FINAL):
        (run_dir / name).unlink(missing_ok=True)


def _alive(pid) -> bool:
    if not pid or pid == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except (OSError, ValueError):
        return False
    return True


def _stop(signum, frame):
    raise RunStopped(f"stopped by signal {signal.Signals(signum).name}")


def _new_config(args, main: bool) -> TrainConfig:
    from core.train.config import resolve
    from core.train.data import load_export

    if args.export is None or args.out is None:
        raise UserError("train needs --export DIR (from `python -m core export`) and --out RUN_DIR")
    if not args.export.is_dir():
        raise UserError(f"export directory {args.export} does not exist")
    overrides = {k: getattr(args, k, None) for k in _OVERRIDES}
    export = load_export(args.export)
    config = resolve(args.base_model, str(args.export.resolve()), **overrides)
    config.export_manifest_sha256 = export.manifest_sha256
    config.context = export.manifest.get("context", "none")
    if main:
        _prepare_run_dir(args.out)
    return config


def _resumed_config(run_dir: Path, main: bool) -> TrainConfig:
    """The run's own config; metric rows past the checkpoint it resumes from are dropped (they will be redone)."""
    saved = rundir.read_json(run_dir / rundir.CONFIG)
    status = rundir.read_json(run_dir / rundir.STATUS) or {}
    if saved is None:
        raise UserError(f"{run_dir} holds no config.json: --resume continues a run started with `train --out`")
    if status.get("state") == "finished":
        raise UserError(f"{run_dir} already finished; nothing to resume")
    if status.get("state") == "running" and _alive(status.get("pid")):
        raise UserError(f"{run_dir} is in use by a running training process (PID {status['pid']})")
    checkpoint = rundir.last_checkpoint(run_dir)
    if checkpoint is None:
        raise UserError(f"{run_dir} has no checkpoint yet (one is written every epoch, or every --save-steps)")
    if main:
        step = int(checkpoint.name.rsplit("-", 1)[-1])
        rows = [r for r in rundir.read_metrics(run_dir) if r.get("step", 0) <= step]
        rundir.write_lines(run_dir / rundir.METRICS, rows)
        (run_dir / rundir.FINAL).unlink(missing_ok=True)
    return TrainConfig(**saved)


def _launch(config: TrainConfig, args, run_dir: Path) -> dict:
    """Run this stage again under `accelerate launch` in config.gpus processes and wait for it."""
    argv = ["--resume", "--out", str(run_dir)] if args.resume else [
        "--export", str(config.export_dir), "--base-model", config.base_model, "--out", str(run_dir),
        *flags(**{k: getattr(config, k) for k in _OVERRIDES if getattr(args, k, None) is not None})]
    command = accelerate_command(argv, config.gpus, cpu=config.device == "cpu")
    print("launching: " + " ".join(command), flush=True)
    done = subprocess.run(command, check=False)
    status = rundir.read_json(run_dir / rundir.STATUS) or {}
    if done.returncode != 0:
        if status.get("state") not in rundir.TERMINAL_STATES:
            rundir.update_status(run_dir, "failed", reason=f"accelerate launch exited with {done.returncode}")
        raise UserError(f"training under accelerate launch failed (exit {done.returncode}): "
                        f"{status.get('reason') or 'see the output above'}", exit_code=done.returncode)
    final = rundir.read_json(run_dir / rundir.FINAL) or {}
    return {"steps": final.get("steps"), "train_samples": final.get("train_samples"), "gpus": config.gpus}


def run(ctx, args) -> dict:
    from core.train.trainer import is_main_process, train

    if args.out is None:
        raise UserError("train needs --out RUN_DIR")
    run_dir: Path = args.out
    main = is_main_process()
    config = _resumed_config(run_dir, main) if args.resume else _new_config(args, main)
    if (config.gpus > 1 or config.deepspeed) and not under_launcher():
        return _launch(config, args, run_dir)  # rank 0 of the launched processes writes the run directory
    if main:
        rundir.write_json(run_dir / rundir.CONFIG, config.model_dump())
        (run_dir / rundir.MANIFEST_HASH).write_text((config.export_manifest_sha256 or "no manifest.json") + "\n")
        rundir.update_status(run_dir, "running", pid=os.getpid(), started_at=rundir.now_iso(), reason=None,
                             base_model=config.base_model, export_dir=config.export_dir, resumed=args.resume)

    previous = signal.signal(signal.SIGTERM, _stop)
    state, reason = "failed", None
    try:
        metrics = train(config, run_dir, on_start=lambda total: ctx.progress.start("train", total),
                        on_step=lambda step: ctx.progress.advance(), resume=args.resume)
        state = "finished"
    except RunStopped as exc:
        state, reason = "stopped", str(exc)
        raise UserError(f"training {reason}; the run directory {run_dir} keeps its metrics and checkpoints "
                        f"(`train --resume --out {run_dir}` continues it)", exit_code=143) from exc
    except UserError as exc:
        reason = str(exc)
        raise
    except BaseException as exc:
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)
        if main:
            rundir.update_status(run_dir, state, reason=reason,
                                 adapter=str(run_dir / rundir.ADAPTER) if state == "finished" else None)
    if main:
        ctx.progress.finish(f"loss {metrics['train_loss']:.4f}, adapter in {run_dir / rundir.ADAPTER}")
    return {"steps": metrics["steps"], "train_samples": metrics["train_samples"]}
