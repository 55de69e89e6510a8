"""Training throughput and peak memory, with and without packing, next to a plain TRL SFTTrainer baseline.

No download: models of Qwen2.5-0.5B's and 1.5B's configuration with random weights
(the tiny tokenizer's ids fall inside their vocabulary), trained on the
examples/shop smoke export through the same `core.train.trainer.train` path as a
real run (LoRA on all linear projections, assistant-only loss). The baseline is
TRL's `SFTTrainer` on the same records with the same LoRA, batch, length and
steps (assistant-only loss, no packing): the ratio says what this project's
trainer costs or saves against the library most teams would reach for. Each
configuration runs in its own process, so peak memory is its own.

    .venv/bin/python bench/bench_train.py                     # CPU: tiny model, 20 steps each
    .venv/bin/python bench/bench_train.py --device cuda       # GPU: 0.5B and 1.5B, ~5 minutes on one H100/H200
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# the sizes of Qwen/Qwen2.5-0.5B-Instruct's and Qwen/Qwen2.5-1.5B-Instruct's config.json
QWEN25 = {
    "0.5b": dict(vocab_size=151936, hidden_size=896, intermediate_size=4864, num_hidden_layers=24,
                 num_attention_heads=14, num_key_value_heads=2, max_position_embeddings=32768,
                 rms_norm_eps=1e-6, rope_theta=1000000.0, tie_word_embeddings=True, initializer_range=0.02),
    "1.5b": dict(vocab_size=151936, hidden_size=1536, intermediate_size=8960, num_hidden_layers=28,
                 num_attention_heads=12, num_key_value_heads=2, max_position_embeddings=32768,
                 rms_norm_eps=1e-6, rope_theta=1000000.0, tie_word_embeddings=True, initializer_range=0.02),
}
BASE_NAME = {"tiny": None, "0.5b": "Qwen/Qwen2.5-0.5B-Instruct", "1.5b": "Qwen/Qwen2.5-1.5B-Instruct"}


def _loader(kind: str, tiny: Path):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, Qwen2ForCausalLM

    from core.train.tiny import tiny_config

    def load(name, dtype):
        tokenizer = AutoTokenizer.from_pretrained(tiny)
        torch.manual_seed(0)
        if kind == "tiny":
            return tokenizer, AutoModelForCausalLM.from_pretrained(tiny, dtype=dtype)
        return tokenizer, Qwen2ForCausalLM(tiny_config(**QWEN25[kind])).to(dtype)
    return load


def _peak(device: str) -> tuple[float, float | None]:
    import torch

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    gpu = torch.cuda.max_memory_allocated() / 2**20 if device == "cuda" else None
    return round(rss, 1), round(gpu, 1) if gpu is not None else None


def ours(kind: str, packing: bool, steps: int, seq: int, batch: int, device: str, workdir: Path) -> dict:
    from core.train.config import resolve
    from core.train.tiny import build_tiny_model, write_smoke_export
    from core.train.trainer import train

    tiny = build_tiny_model(workdir / "tiny-qwen2")
    export = write_smoke_export(ROOT / "examples" / "shop", workdir / "export")
    (export / "val.jsonl").write_text("")  # no evaluation: the TRL baseline trains only, so does this
    config = resolve(str(tiny) if kind == "tiny" else BASE_NAME[kind], str(export), max_steps=steps, max_length=seq,
                     batch_size=batch, grad_accum=1, device=device, packing=packing, save_total_limit=1)
    run_dir = workdir / "run"
    run_dir.mkdir()
    metrics = train(config, run_dir, loader=_loader(kind, tiny))
    rss, gpu = _peak(device)
    return {"tokens_per_s": metrics["tokens_per_s"], "runtime_s": metrics["runtime_s"], "peak_rss_mb": rss,
            "peak_gpu_mb": gpu, "train_loss": round(metrics["train_loss"], 4), "bf16": metrics["bf16"]}


def trl_baseline(kind: str, steps: int, seq: int, batch: int, device: str, workdir: Path) -> dict:
    """TRL SFTTrainer with the same LoRA, data, batch and length; tokens/s counted over non-padding tokens."""
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from trl import SFTConfig, SFTTrainer

    from core.train.config import LORA_TARGETS, SIZE_DEFAULTS
    from core.train.data import load_export
    from core.train.tiny import build_tiny_model, write_smoke_export

    tiny = build_tiny_model(workdir / "tiny-qwen2")
    export = write_smoke_export(ROOT / "examples" / "shop", workdir / "export")
    cuda = device == "cuda"
    bf16 = cuda and torch.cuda.is_bf16_supported()
    tokenizer, model = _loader(kind, tiny)(None, torch.bfloat16 if bf16 else torch.float32)
    d = SIZE_DEFAULTS["tiny" if kind == "tiny" else kind.upper()]
    data = Dataset.from_list([{"messages": r["messages"]} for r in load_export(export).train])
    args = SFTConfig(output_dir=str(workdir / "trl"), max_steps=steps, per_device_train_batch_size=batch,
                     gradient_accumulation_steps=1, learning_rate=d["learning_rate"], max_length=seq,
                     assistant_only_loss=True, packing=False, logging_steps=1, save_strategy="no", report_to="none",
                     bf16=bf16, use_cpu=not cuda, gradient_checkpointing=cuda,
                     gradient_checkpointing_kwargs={"use_reentrant": False}, include_num_input_tokens_seen="non_padding",
                     disable_tqdm=True, seed=42, dataloader_num_workers=0)
    lora = LoraConfig(r=d["lora_r"], lora_alpha=d["lora_alpha"], lora_dropout=d["lora_dropout"],
                      target_modules=LORA_TARGETS, task_type="CAUSAL_LM")
    trainer = SFTTrainer(model=model, args=args, train_dataset=data, processing_class=tokenizer, peft_config=lora)
    started = time.monotonic()
    result = trainer.train()
    runtime = result.metrics.get("train_runtime") or (time.monotonic() - started)
    rss, gpu = _peak(device)
    return {"tokens_per_s": round((trainer.state.num_input_tokens_seen or 0) / max(runtime, 1e-9), 2),
            "runtime_s": round(runtime, 2), "peak_rss_mb": rss, "peak_gpu_mb": gpu,
            "train_loss": round(result.training_loss, 4), "bf16": bf16}


CASES = [("ours", False), ("ours", True), ("trl", False)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--models", default=None, help="comma list of tiny,0.5b,1.5b (default: tiny on cpu, "
                                                       "0.5b,1.5b on cuda)")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--seq", type=int, default=None, help="max tokens per example (default 512 cpu, 1024 cuda)")
    parser.add_argument("--batch", type=int, default=None, help="per device (default 4 cpu, 8 cuda)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    seq = args.seq or (1024 if args.device == "cuda" else 512)
    batch = args.batch or (8 if args.device == "cuda" else 4)

    if args.child:
        kind, engine, packing = args.child.split(":")
        if engine == "trl":
            result = trl_baseline(kind, args.steps, seq, batch, args.device, args.workdir)
        else:
            result = ours(kind, packing == "1", args.steps, seq, batch, args.device, args.workdir)
        print("RESULT " + json.dumps(result))
        return

    models = (args.models or ("0.5b,1.5b" if args.device == "cuda" else "tiny")).split(",")
    print(f"device {args.device}, {args.steps} steps, batch {batch}, max length {seq}, LoRA on all projections")
    print(f"{'model':<6} {'trainer':<16} {'tok/s':>9} {'runtime s':>9} {'peak RSS MB':>11} {'peak GPU MB':>11} "
          f"{'loss':>7} {'vs TRL':>7}")
    for kind in models:
        rows = {}
        for engine, packing in CASES:
            with tempfile.TemporaryDirectory() as tmp:
                cmd = [sys.executable, __file__, "--child", f"{kind}:{engine}:{int(packing)}", "--workdir", tmp,
                       "--steps", str(args.steps), "--seq", str(seq), "--batch", str(batch), "--device", args.device]
                out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
            line = next((ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")), None)
            label = "TRL SFTTrainer" if engine == "trl" else "core, packing" if packing else "core, padding"
            if line is None:
                print(f"{kind:<6} {label:<16} failed\n{out.stderr[-2000:]}")
                continue
            rows[label] = json.loads(line[7:])
        base = rows.get("TRL SFTTrainer", {}).get("tokens_per_s")
        for label, r in rows.items():
            ratio = f"{r['tokens_per_s'] / base:.2f}x" if base else "-"
            print(f"{kind:<6} {label:<16} {r['tokens_per_s']:>9.1f} {r['runtime_s']:>9.1f} {r['peak_rss_mb']:>11.1f} "
                  f"{r['peak_gpu_mb'] if r['peak_gpu_mb'] is not None else '-':>11} {r['train_loss']:>7.3f} {ratio:>7}")


if __name__ == "__main__":
    main()
