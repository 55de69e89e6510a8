"""Several GPUs through the existing engines: the `accelerate launch` command and DeepSpeed configs.

Nothing here distributes by hand. `train --gpus N` re-runs the same
`python -m core train` under `accelerate launch` (DDP: one process per GPU,
transformers' Trainer reads the launcher's environment); `--deepspeed
zero2|zero3` hands the Trainer a ZeRO config written to the run directory,
with "auto" values the Trainer fills from its own arguments so batch size,
accumulation, learning rate and precision are stated once.
"""

from __future__ import annotations

import os
import sys

ENGINES = ("ddp", "zero2", "zero3")


def under_launcher() -> bool:
    """True inside a process started by accelerate launch / torchrun / deepspeed (they set LOCAL_RANK)."""
    return "LOCAL_RANK" in os.environ


def deepspeed_config(stage: str) -> dict:
    """ZeRO-2 (optimizer state and gradients sharded) or ZeRO-3 (parameters too, gathered to save)."""
    if stage not in ("zero2", "zero3"):
        raise ValueError(f"unknown DeepSpeed stage {stage!r}")
    zero: dict = {"stage": 2 if stage == "zero2" else 3, "overlap_comm": True, "contiguous_gradients": True,
                  "reduce_bucket_size": "auto"}
    if stage == "zero3":
        zero.update(stage3_prefetch_bucket_size="auto", stage3_param_persistence_threshold="auto",
                    stage3_gather_16bit_weights_on_model_save=True)
    return {
        "train_micro_batch_size_per_gpu": "auto",
        "gradient_accumulation_steps": "auto",
        "train_batch_size": "auto",
        "gradient_clipping": "auto",
        "bf16": {"enabled": "auto"},
        "fp16": {"enabled": "auto"},
        "zero_optimization": zero,
    }


def accelerate_command(train_argv: list[str], gpus: int, cpu: bool = False, port: int | None = None) -> list[str]:
    """`accelerate launch` running `python -m core train <train_argv>` in `gpus` processes.

    `train_argv` is the train stage's own command line (its --gpus is recorded in the run's config;
    the launched processes see the launcher's LOCAL_RANK and do not launch again). --multi_gpu selects
    accelerate's torchrun launcher; a `--device cpu` run keeps it (accelerate's own --cpu launcher runs
    several processes only under MPI) and the Trainer's processes then join over gloo on the CPU,
    which is how this is tested without a GPU.
    """
    cmd = [sys.executable, "-m", "accelerate.commands.launch", "--num_machines", "1", "--num_processes", str(gpus)]
    cmd += ["--multi_gpu"] if gpus > 1 else ["--cpu"] if cpu else []
    if port:
        cmd += ["--main_process_port", str(port)]
    return [*cmd, "--module", "core", "train", *train_argv]


def flags(**values) -> list[str]:
    """Train flags from keyword values (max_steps=5 -> --max-steps 5; bf16=False -> --no-bf16; None: left out)."""
    out: list[str] = []
    for key, value in values.items():
        if value is None:
            continue
        flag = "--" + key.replace("_", "-")
        if isinstance(value, bool):
            out.append(flag if value else "--no-" + flag[2:])
        else:
            out += [flag, str(value)]
    return out
