"""Resolved training configuration and the per-size defaults.

Defaults are per model size because what fits and what converges differ:
a 0.5B model takes a higher learning rate and a wider adapter relative to its
width, a 7B model needs small micro-batches and more accumulation to fit one
80 GB GPU in bf16 with activation checkpointing. The resolved config is
written to the run directory, so a run can always be told apart and redone.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from pydantic import BaseModel, Field

DEFAULT_BASE_MODEL = "Qwen/Qwen2.5-0.5B-Instruct"
LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]

# size -> hyperparameters; "tiny" is core.train.tiny's model (CPU smoke runs and tests).
SIZE_DEFAULTS: dict[str, dict] = {
    "tiny": dict(lora_r=8, lora_alpha=16, lora_dropout=0.0, learning_rate=1e-2, epochs=2,
                 max_length=1024, batch_size=2, grad_accum=1),
    "0.5B": dict(lora_r=16, lora_alpha=32, lora_dropout=0.05, learning_rate=2e-4, epochs=3,
                 max_length=2048, batch_size=4, grad_accum=4),
    "1.5B": dict(lora_r=16, lora_alpha=32, lora_dropout=0.05, learning_rate=1.5e-4, epochs=3,
                 max_length=2048, batch_size=2, grad_accum=8),
    "7B": dict(lora_r=32, lora_alpha=64, lora_dropout=0.05, learning_rate=1e-4, epochs=2,
               max_length=2048, batch_size=1, grad_accum=16),
}
# hidden_size of each Qwen2.5 size, for local checkpoints whose name says nothing
_HIDDEN_TO_SIZE = {64: "tiny", 896: "0.5B", 1536: "1.5B", 3584: "7B"}
_NAME_SIZE = re.compile(r"(?<![\d.])(0\.5|1\.5|7)[bB]\b")


class TrainConfig(BaseModel):
    base_model: str = DEFAULT_BASE_MODEL
    export_dir: str
    size: str = "0.5B"
    lora_r: int = Field(gt=0)
    lora_alpha: int = Field(gt=0)
    lora_dropout: float = Field(ge=0, lt=1)
    lora_targets: list[str] = Field(default_factory=lambda: list(LORA_TARGETS))
    learning_rate: float = Field(gt=0)
    epochs: float = Field(gt=0)
    max_length: int = Field(ge=32)
    batch_size: int = Field(gt=0)
    grad_accum: int = Field(gt=0)
    max_steps: int = -1                 # > 0 caps the run (smoke runs, tests)
    warmup_ratio: float = 0.03
    seed: int = 42
    min_samples: int = 8                # fewer train samples than this is refused
    device: str = "auto"                # auto | cpu | cuda
    bf16: bool | None = None            # None: on when CUDA supports it
    gradient_checkpointing: bool | None = None  # None: on when CUDA
    export_manifest_sha256: str | None = None
    context: str = "none"               # the export's user turns: none (closed-book) | evidence (open-book)
    packing: bool = False               # padding-free: a batch is one row, position ids restart per sample
    save_steps: int = Field(default=0, ge=0)   # > 0: a checkpoint (and an eval) every N steps, besides each epoch
    save_total_limit: int = Field(default=2, gt=0)  # checkpoints kept on disk (the best one is never dropped)
    merge: bool = False                 # also write base + adapter merged (RUN/merged), e.g. for vLLM
    gpus: int = Field(default=1, gt=0)  # processes `train --gpus N` launched through `accelerate launch`
    deepspeed: str | None = None        # zero2 | zero3: DeepSpeed ZeRO stage, config written to the run dir


def detect_size(base_model: str) -> str:
    """The size class of a hub id or local checkpoint; unknown sizes get 0.5B's defaults."""
    path = Path(base_model)
    if (path / "config.json").exists():
        try:
            hidden = json.loads((path / "config.json").read_text()).get("hidden_size")
        except (OSError, ValueError):
            hidden = None
        if hidden in _HIDDEN_TO_SIZE:
            return _HIDDEN_TO_SIZE[hidden]
    match = _NAME_SIZE.search(base_model)
    return f"{match[1]}B" if match else "0.5B"


def resolve(base_model: str, export_dir: str, **overrides) -> TrainConfig:
    """Per-size defaults for `base_model`, then every override that is not None."""
    size = detect_size(base_model)
    values = {**SIZE_DEFAULTS[size], "base_model": base_model, "export_dir": export_dir, "size": size}
    values.update({k: v for k, v in overrides.items() if v is not None})
    return TrainConfig(**values)
