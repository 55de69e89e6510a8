"""LoRA SFT with transformers' Trainer and peft, reporting into the run directory.

The Trainer is used as is, so the same code runs on one CPU, one GPU, or
several GPUs under `accelerate launch` / `torchrun` (it reads the launcher's
environment; `core.train.launch` builds that command); only the main process
writes to the run directory. The Trainer also does checkpoints (every N steps
and every epoch, with optimizer, scheduler and RNG state, so `--resume`
continues the same loss curve), per-epoch evaluation and keeping the best
adapter by eval loss; padding-free packing is transformers'
`DataCollatorWithFlattening` (position ids restart per sample, and the
attention mask built from them keeps samples apart).
"""

from __future__ import annotations

import os
import resource
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

from core.errors import UserError
from core.train import rundir
from core.train.config import TrainConfig
from core.train.data import PadCollator, encode_all, load_export
from core.train.launch import deepspeed_config


class ModelLoadError(UserError):
    """The base model could not be loaded (no network, wrong path, not a causal LM)."""


def is_main_process() -> bool:
    return int(os.environ.get("RANK", "0")) == 0


def oom_reason(config: TrainConfig, exc: BaseException) -> str:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else "out of memory"
    return (f"out of GPU memory ({first[:200]}). Hint: lower --batch-size (now {config.batch_size}; raise "
            f"--grad-accum to keep the effective batch) or --max-length (now {config.max_length}), or use a smaller "
            "base model")


def load_base(name: str, dtype, tokenizer_only: bool = False):
    """Tokenizer and causal LM for a hub id or a local directory, with one clear error when that fails."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(name)
        model = None if tokenizer_only else AutoModelForCausalLM.from_pretrained(name, dtype=dtype)
    except (OSError, ValueError, KeyError) as exc:
        if Path(name).exists():
            where = "that directory holds no loadable model"
        elif name.startswith((".", "/", "~")) or name.count("/") != 1:
            where = "no such directory"
        elif os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on"):
            where = "HF_HUB_OFFLINE is set and the model is not in the local Hugging Face cache"
        else:
            where = "not in the local cache and the Hugging Face hub is unreachable, or no such model id"
        detail = " ".join(str(exc).split())[:300]
        raise ModelLoadError(f"cannot load base model {name!r} ({where}): {detail}") from exc
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer, model


@contextmanager
def peft_quietly():
    """peft still reads the pre-v5 `is_gradient_checkpointing` name; the FutureWarning asks nothing of us."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)
        yield


def _peak_memory_mb(cuda: bool) -> float:
    import torch

    if cuda:
        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _callback(run_dir: Path, on_start, on_step):
    """A TrainerCallback writing metrics.jsonl and status.json as training goes."""
    from transformers import TrainerCallback

    class RunDirCallback(TrainerCallback):
        def __init__(self):
            self.t0 = time.monotonic()
            self.tokens0 = 0

        def on_epoch_end(self, args, state, control, **kwargs):
            # a checkpoint every epoch too when checkpoints go by steps (evaluated, so the best can be chosen)
            if args.save_strategy == "steps" and state.global_step % args.save_steps:
                control.should_save = True
                control.should_evaluate = args.eval_strategy == "steps"
            return control

        def on_train_begin(self, args, state, control, **kwargs):
            self.t0 = time.monotonic()
            self.tokens0 = state.num_input_tokens_seen or 0
            on_start(state.max_steps)
            if state.is_world_process_zero:
                rundir.update_status(run_dir, step=0, max_steps=state.max_steps, epoch=0.0)

        def on_log(self, args, state, control, logs=None, **kwargs):
            if not state.is_world_process_zero or not logs:
                return
            elapsed = max(time.monotonic() - self.t0, 1e-9)
            step = state.global_step
            if "loss" in logs:
                tokens = (state.num_input_tokens_seen or 0) - self.tokens0
                eta = elapsed / step * (state.max_steps - step) if step else None
                row = {"kind": "train", "step": step, "epoch": round(state.epoch or 0.0, 4),
                       "loss": logs["loss"], "learning_rate": logs.get("learning_rate"),
                       "grad_norm": logs.get("grad_norm"), "tokens_per_s": round(tokens / elapsed, 2),
                       "eta_s": round(eta, 1) if eta is not None else None}
                rundir.append_metric(run_dir, row)
                rundir.update_status(run_dir, step=step, max_steps=state.max_steps, epoch=row["epoch"],
                                     eta_s=row["eta_s"], loss=row["loss"])
                print(f"step {step}/{state.max_steps} loss {row['loss']:.4f} lr {row['learning_rate']:.2e} "
                      f"{row['tokens_per_s']:.0f} tok/s eta {row['eta_s'] or 0:.0f}s", flush=True)
                on_step(step)
            if "eval_loss" in logs:
                rundir.append_metric(run_dir, {"kind": "eval", "step": step, "epoch": round(state.epoch or 0.0, 4),
                                               "eval_loss": logs["eval_loss"]})
                print(f"eval at step {step}: loss {logs['eval_loss']:.4f}", flush=True)

    return RunDirCallback()


def _final_eval_loss(trainer) -> float:
    """Eval loss after the last step: the epoch-end evaluation when it ran there, else a fresh one."""
    step = trainer.state.global_step
    logged = [row["eval_loss"] for row in trainer.state.log_history if "eval_loss" in row and row.get("step") == step]
    return logged[-1] if logged else trainer.evaluate()["eval_loss"]


def collator(config: TrainConfig, tokenizer):
    """Padding-free packing or right padding to the longest example of the batch."""
    if config.packing:
        from transformers import DataCollatorWithFlattening

        return DataCollatorWithFlattening(return_position_ids=True, separator_id=-100)
    return PadCollator(tokenizer.pad_token_id)


def _merge(model, tokenizer, out: Path) -> None:
    """Base weights with the adapter folded in: one model directory any server (vLLM, TGI) loads."""
    merged = model.merge_and_unload()
    merged.save_pretrained(str(out))
    tokenizer.save_pretrained(str(out))


def train(config: TrainConfig, run_dir: Path, on_start=lambda total: None, on_step=lambda step: None,
          loader=None, resume: bool = False) -> dict:
    """Fine-tune, save the adapter to run_dir/adapter (the best by eval loss when there is val), return the
    final metrics. `resume` continues from the last checkpoint in run_dir/checkpoints.

    `loader(name, dtype) -> (tokenizer, model)` replaces `load_base` for the benchmark's
    random-weight models, which are built in memory instead of read from disk.
    """
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import PrinterCallback, Trainer, TrainingArguments, set_seed

    export = load_export(config.export_dir)
    if len(export.train) < config.min_samples:
        raise UserError(f"the export has {len(export.train)} training samples; at least {config.min_samples} are "
                        "needed: accept more samples in review and export again")

    cuda = torch.cuda.is_available() and config.device != "cpu"
    if config.device == "cuda" and not torch.cuda.is_available():
        raise UserError("--device cuda asked for, but no CUDA GPU is visible to torch")
    bf16 = config.bf16 if config.bf16 is not None else (cuda and torch.cuda.is_bf16_supported())
    checkpointing = config.gradient_checkpointing if config.gradient_checkpointing is not None else cuda
    set_seed(config.seed)
    tokenizer, model = (loader or load_base)(config.base_model, torch.bfloat16 if bf16 else torch.float32)

    train_set, dropped = encode_all(export.train, tokenizer, config.max_length)
    val_set, _ = encode_all(export.val, tokenizer, config.max_length)
    if len(train_set) < config.min_samples:
        raise UserError(f"only {len(train_set)} training samples fit --max-length {config.max_length} "
                        f"({dropped} dropped); at least {config.min_samples} are needed: raise --max-length")

    model.config.use_cache = False
    if checkpointing:
        # non-reentrant checkpointing lets gradients reach the LoRA weights without input grads on frozen embeddings
        model.activation_checkpointing_enable(activation_checkpointing_kwargs={"use_reentrant": False})
    lora = LoraConfig(r=config.lora_r, lora_alpha=config.lora_alpha, lora_dropout=config.lora_dropout,
                      target_modules=config.lora_targets, task_type="CAUSAL_LM", bias="none")
    with peft_quietly():
        model = get_peft_model(model, lora)

    checkpoint = rundir.last_checkpoint(run_dir) if resume else None
    if resume and checkpoint is None:
        raise UserError(f"{run_dir / rundir.CHECKPOINTS} holds no checkpoint to resume from")
    strategy = "steps" if config.save_steps else "epoch"
    ds_config = None
    if config.deepspeed:
        ds_config = run_dir / "deepspeed.json"
        if is_main_process():
            rundir.write_json(ds_config, deepspeed_config(config.deepspeed))
    args = TrainingArguments(
        output_dir=str(run_dir / rundir.CHECKPOINTS),
        per_device_train_batch_size=config.batch_size,
        per_device_eval_batch_size=config.batch_size,
        gradient_accumulation_steps=config.grad_accum,
        learning_rate=config.learning_rate,
        num_train_epochs=config.epochs,
        max_steps=config.max_steps,
        warmup_steps=config.warmup_ratio,  # a float below 1 is a ratio of the total steps
        lr_scheduler_type="cosine",
        logging_steps=1,
        eval_strategy=strategy if val_set else "no",
        save_strategy=strategy,
        save_steps=config.save_steps or 500,
        eval_steps=config.save_steps or None,
        save_total_limit=config.save_total_limit,
        load_best_model_at_end=bool(val_set),
        metric_for_best_model="eval_loss",
        greater_is_better=False,
        deepspeed=str(ds_config) if ds_config else None,
        report_to="none",
        seed=config.seed,
        data_seed=config.seed,
        bf16=bf16,
        use_cpu=not cuda,
        remove_unused_columns=False,
        include_num_input_tokens_seen="non_padding",
        disable_tqdm=True,
        dataloader_num_workers=0,
        ddp_find_unused_parameters=False,  # every LoRA weight takes part in every step (and checkpointing needs it)
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_set, eval_dataset=val_set or None,
                      data_collator=collator(config, tokenizer), processing_class=tokenizer,
                      callbacks=[_callback(run_dir, on_start, on_step)])
    trainer.remove_callback(PrinterCallback)  # the run-dir callback prints one readable line per step
    started = time.monotonic()
    try:
        result = trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
        best_loss = trainer.state.best_metric
        eval_loss = None if not val_set else best_loss if best_loss is not None else _final_eval_loss(trainer)
    except torch.OutOfMemoryError as exc:
        raise UserError(oom_reason(config, exc)) from exc
    runtime = time.monotonic() - started
    trainer.save_model(str(run_dir / rundir.ADAPTER))  # the best checkpoint's weights when val exists
    if config.merge and is_main_process():
        _merge(trainer.model, tokenizer, run_dir / rundir.MERGED)
    best = trainer.state.best_model_checkpoint
    train_runtime = result.metrics.get("train_runtime") or runtime
    metrics = {
        "train_loss": result.training_loss,
        "eval_loss": eval_loss,
        "steps": result.global_step,
        "epochs": trainer.state.epoch,
        "runtime_s": round(runtime, 2),
        "tokens_per_s": round((trainer.state.num_input_tokens_seen or 0) / max(train_runtime, 1e-9), 2),
        "train_samples": len(train_set),
        "val_samples": len(val_set),
        "dropped_too_long": dropped,
        "peak_memory_mb": round(_peak_memory_mb(cuda), 1),
        "device": "cuda" if cuda else "cpu",
        "bf16": bf16,
        "gradient_checkpointing": checkpointing,
        "world_size": int(os.environ.get("WORLD_SIZE", "1")),
        "packing": config.packing,
        "context": config.context,
        "best_checkpoint": Path(best).name if best else None,
        "resumed_from": checkpoint.name if checkpoint else None,
        "merged": str(run_dir / rundir.MERGED) if config.merge else None,
        "deepspeed": config.deepspeed,
    }
    if is_main_process():
        rundir.write_json(run_dir / rundir.FINAL, metrics)
        print(f"finished: {metrics}", flush=True)
    return metrics
