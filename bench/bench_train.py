"""Training throughput and peak memory: the tiny model and a model of Qwen2.5-0.5B's configuration.

No download: the 0.5B model is Qwen2Config with Qwen2.5-0.5B's sizes and random
weights, trained through the same `core.train.trainer.train` path as a real run
(LoRA on all linear projections, the examples/shop smoke export, tiny tokenizer
ids). Each model runs in its own process so peak memory is its own.

    .venv/bin/python bench/bench_train.py                    # tiny 20 steps, 0.5B 2 steps, on the CPU
    .venv/bin/python bench/bench_train.py --device cuda --steps-05b 20 --seq 1024   # on a GPU (bf16 + checkpointing)
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Qwen/Qwen2.5-0.5B-Instruct's config.json sizes
QWEN25_05B = dict(vocab_size=151936, hidden_size=896, intermediate_size=4864, num_hidden_layers=24,
                  num_attention_heads=14, num_key_value_heads=2, max_position_embeddings=32768,
                  rms_norm_eps=1e-6, rope_theta=1000000.0, tie_word_embeddings=True, initializer_range=0.02)


def child(kind: str, steps: int, seq: int, batch: int, device: str, workdir: Path) -> dict:
    import torch
    from transformers import AutoTokenizer, Qwen2ForCausalLM

    from core.train.config import resolve
    from core.train.tiny import build_tiny_model, tiny_config, write_smoke_export
    from core.train.trainer import train

    tiny = build_tiny_model(workdir / "tiny-qwen2")
    export = write_smoke_export(ROOT / "examples" / "shop", workdir / "export")

    def random_05b(name, dtype):
        tokenizer = AutoTokenizer.from_pretrained(tiny)  # its ids fall inside the 151936-token vocabulary
        torch.manual_seed(0)
        model = Qwen2ForCausalLM(tiny_config(**QWEN25_05B)).to(dtype)
        return tokenizer, model

    base = str(tiny) if kind == "tiny" else "Qwen/Qwen2.5-0.5B-Instruct"
    config = resolve(base, str(export), max_steps=steps, max_length=seq, batch_size=batch, grad_accum=1,
                     device=device)
    run_dir = workdir / f"run-{kind}"
    run_dir.mkdir()
    metrics = train(config, run_dir, loader=random_05b if kind == "0.5b" else None)
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    steady = [r["tokens_per_s"] for r in rows if r["kind"] == "train"][-1]
    return {"model": kind, "device": metrics["device"], "bf16": metrics["bf16"], "steps": metrics["steps"],
            "seq": seq, "batch": batch, "tokens_per_s": metrics["tokens_per_s"], "tokens_per_s_last_log": steady,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "peak_gpu_mb": metrics["peak_memory_mb"] if metrics["device"] == "cuda" else None,
            "train_loss": round(metrics["train_loss"], 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps-tiny", type=int, default=20)
    parser.add_argument("--steps-05b", type=int, default=2)
    parser.add_argument("--seq", type=int, default=256, help="max tokens per example (default 256)")
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--device", choices=("cpu", "cuda", "auto"), default="cpu")
    parser.add_argument("--only", choices=("tiny", "0.5b"))
    parser.add_argument("--child", choices=("tiny", "0.5b"), help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        steps = args.steps_tiny if args.child == "tiny" else args.steps_05b
        print("RESULT " + json.dumps(child(args.child, steps, args.seq, args.batch, args.device, args.workdir)))
        return

    print(f"{'model':<6} {'device':<6} {'bf16':<5} {'steps':>5} {'seq':>5} {'batch':>5} {'tok/s':>9} "
          f"{'tok/s last':>10} {'peak RSS MB':>11} {'peak GPU MB':>11}")
    for kind in ("tiny", "0.5b"):
        if args.only and kind != args.only:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            cmd = [sys.executable, __file__, "--child", kind, "--workdir", tmp, "--steps-tiny", str(args.steps_tiny),
                   "--steps-05b", str(args.steps_05b), "--seq", str(args.seq), "--batch", str(args.batch),
                   "--device", args.device]
            out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        line = next((ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")), None)
        if line is None:
            print(f"{kind}: failed\n{out.stderr[-2000:]}")
            continue
        r = json.loads(line[7:])
        print(f"{r['model']:<6} {r['device']:<6} {r['bf16']!s:<5} {r['steps']:>5} {r['seq']:>5} {r['batch']:>5} "
              f"{r['tokens_per_s']:>9.1f} {r['tokens_per_s_last_log']:>10.1f} {r['peak_rss_mb']:>11.1f} "
              f"{r['peak_gpu_mb'] if r['peak_gpu_mb'] is not None else '-':>11}")


if __name__ == "__main__":
    main()
