"""The LLaMA-Factory training config written beside `dataset_info.json`, for teams that train there.

`cd DIR && llamafactory-cli train llama_factory_sft.yaml` trains the same LoRA as
`python -m core train` with the default base model: the export's own train and
val datasets (by their `dataset_info.json` names), Qwen's chat template, LoRA on
every linear projection, and the per-size defaults of `core.train.config`.
LLaMA-Factory, like this project, computes the loss on the assistant turns only.
Paths are relative to the export directory (`dataset_dir: .`), so the file is
the same wherever the export is written or moved, like the rest of the export.
"""

from __future__ import annotations

import yaml

from core.train.config import DEFAULT_BASE_MODEL, SIZE_DEFAULTS, detect_size

FILE_NAME = "llama_factory_sft.yaml"


def sft_config(dataset_name: str, base_model: str = DEFAULT_BASE_MODEL) -> dict:
    d = SIZE_DEFAULTS[detect_size(base_model)]
    return {
        "model_name_or_path": base_model,
        "stage": "sft",
        "do_train": True,
        "finetuning_type": "lora",
        "lora_rank": d["lora_r"],
        "lora_alpha": d["lora_alpha"],
        "lora_dropout": d["lora_dropout"],
        "lora_target": "all",
        "dataset_dir": ".",
        "dataset": f"{dataset_name}_train",
        "eval_dataset": f"{dataset_name}_val",
        "template": "qwen",
        "cutoff_len": d["max_length"],
        "output_dir": "saves/lora-sft",
        "logging_steps": 10,
        "save_strategy": "epoch",
        "eval_strategy": "epoch",
        "per_device_train_batch_size": d["batch_size"],
        "per_device_eval_batch_size": d["batch_size"],
        "gradient_accumulation_steps": d["grad_accum"],
        "learning_rate": d["learning_rate"],
        "num_train_epochs": float(d["epochs"]),
        "lr_scheduler_type": "cosine",
        "warmup_ratio": 0.03,
        "bf16": True,
        "seed": 42,
        "report_to": "none",
    }


def sft_yaml(dataset_name: str, base_model: str = DEFAULT_BASE_MODEL) -> bytes:
    header = (f"# LLaMA-Factory LoRA SFT on this export, run in this directory: llamafactory-cli train {FILE_NAME}\n"
              "# several GPUs: FORCE_TORCHRUN=1 llamafactory-cli train ...; DeepSpeed: add `deepspeed: <config>`\n")
    return (header + yaml.safe_dump(sft_config(dataset_name, base_model), sort_keys=False,
                                    allow_unicode=True)).encode("utf-8")
