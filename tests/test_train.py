"""LoRA training on CPU with the tiny local Qwen2 model: data, steps, run directory, bad input."""

from __future__ import annotations

import hashlib
import json
import math
import shutil
from pathlib import Path

import pytest

from core.cli import main
from core.train import rundir
from core.train.tiny import build_tiny_model, write_smoke_export

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    return build_tiny_model(tmp_path_factory.getbasetemp() / "tiny-qwen2")


@pytest.fixture(scope="session")
def shop_export(tmp_path_factory) -> Path:
    return write_smoke_export(ROOT / "examples" / "shop", tmp_path_factory.getbasetemp() / "shop-export")


@pytest.fixture
def small_export(shop_export: Path, tmp_path: Path) -> Path:
    """Eight training samples (one batch of 8 = the same batch every step) and two val samples."""
    out = tmp_path / "small-export"
    out.mkdir()
    (out / "train.jsonl").write_text("".join((shop_export / "train.jsonl").read_text().splitlines(True)[:8]))
    (out / "val.jsonl").write_text("".join((shop_export / "val.jsonl").read_text().splitlines(True)[:2]))
    shutil.copy(shop_export / "manifest.json", out / "manifest.json")
    return out


def test_tiny_model_is_deterministic_and_masks_assistant_tokens(tiny_model, tmp_path):
    from transformers import AutoTokenizer

    again = build_tiny_model(tmp_path / "again")
    for name in ("model.safetensors", "tokenizer.json"):
        assert (again / name).read_bytes() == (tiny_model / name).read_bytes()
    tok = AutoTokenizer.from_pretrained(tiny_model)
    messages = [{"role": "system", "content": "S"}, {"role": "user", "content": "Q?"},
                {"role": "assistant", "content": "Answer.\n\nEvidence:\n[E1] a/B.java:1-2"}]
    enc = tok.apply_chat_template(messages, tokenize=True, return_dict=True, return_assistant_tokens_mask=True)
    kept = [t for t, m in zip(enc["input_ids"], enc["assistant_masks"]) if m]
    assert tok.decode(kept) == "Answer.\n\nEvidence:\n[E1] a/B.java:1-2<|im_end|>"


def test_labels_cover_only_the_assistant_answer(tiny_model, shop_export):
    from transformers import AutoTokenizer

    from core.train.data import IGNORE, encode, load_export, reference_answer

    tok = AutoTokenizer.from_pretrained(tiny_model)
    record = load_export(shop_export).train[0]
    example = encode(record["messages"], tok, 4096)
    labelled = [t for t in example["labels"] if t != IGNORE]
    assert tok.decode(labelled) == reference_answer(record) + "<|im_end|>"
    assert example["labels"][0] == IGNORE and len(example["labels"]) == len(example["input_ids"])
    assert encode(record["messages"], tok, 20) is None  # the prompt alone fills 20 tokens: nothing to learn


def test_lora_steps_on_a_repeated_batch_lower_the_loss_and_save_a_reloadable_adapter(tiny_model, small_export,
                                                                                       tmp_path):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    run = tmp_path / "run"
    rc = main(["train", "--export", str(small_export), "--base-model", str(tiny_model), "--out", str(run),
               "--batch-size", "8", "--epochs", "8"])
    assert rc == 0
    rows = rundir.read_metrics(run)
    losses = [r["loss"] for r in rows if r["kind"] == "train"]
    assert len(losses) == 8 and all(math.isfinite(v) for v in losses)
    assert losses[-1] < losses[0] - 1.0, losses
    evals = [r for r in rows if r["kind"] == "eval"]
    assert [r["epoch"] for r in evals] == [float(e) for e in range(1, 9)]  # eval loss every epoch
    assert all(r["tokens_per_s"] > 0 and r["eta_s"] is not None for r in rows if r["kind"] == "train")

    status = json.loads((run / "status.json").read_text())
    assert status["state"] == "finished" and status["step"] == 8
    config = json.loads((run / "config.json").read_text())
    assert config["size"] == "tiny" and config["lora_targets"] == [
        "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    manifest_sha = hashlib.sha256((small_export / "manifest.json").read_bytes()).hexdigest()
    assert config["export_manifest_sha256"] == manifest_sha
    assert (run / "export_manifest.sha256").read_text().strip() == manifest_sha
    final = json.loads((run / "final_metrics.json").read_text())
    assert final["steps"] == 8 and final["train_samples"] == 8 and final["eval_loss"] < evals[0]["eval_loss"]

    tok = AutoTokenizer.from_pretrained(tiny_model)
    base = AutoModelForCausalLM.from_pretrained(tiny_model)
    batch = tok.apply_chat_template([{"role": "user", "content": "Where is OrdOrderDao declared?"}],
                                    add_generation_prompt=True, return_tensors="pt", return_dict=True)
    with torch.no_grad():
        base_logits = base(**batch).logits
    tuned = PeftModel.from_pretrained(base, str(run / "adapter"))
    with torch.no_grad():
        assert not torch.allclose(tuned(**batch).logits, base_logits)  # the trained adapter changes the output
    generated = tuned.generate(**batch, max_new_tokens=12, do_sample=False)
    assert generated.shape[1] > batch["input_ids"].shape[1]


def test_checkpointing_and_bf16_paths_run_on_cpu(tiny_model, small_export, tmp_path):
    """The GPU defaults (bf16, activation checkpointing) forced on, so their code runs here too."""
    run = tmp_path / "run"
    never = tmp_path / "db" / "never.duckdb"
    rc = main(["train", "--export", str(small_export), "--base-model", str(tiny_model), "--out", str(run),
               "--max-steps", "2", "--batch-size", "4", "--bf16", "--gradient-checkpointing", "--db", str(never)])
    assert rc == 0
    assert not never.parent.exists()  # training never opens (nor creates) the database
    final = json.loads((run / "final_metrics.json").read_text())
    assert final["bf16"] is True and final["gradient_checkpointing"] is True and math.isfinite(final["train_loss"])
    from safetensors.torch import load_file

    weights = load_file(run / "adapter" / "adapter_model.safetensors")
    lora_b = [t for name, t in weights.items() if "lora_B" in name]
    assert len(lora_b) == 2 * 7 and any(t.float().abs().sum() > 0 for t in lora_b)  # gradients got through checkpointing


def test_too_few_samples_are_refused_with_the_count(tiny_model, small_export, tmp_path, capsys):
    lines = (small_export / "train.jsonl").read_text().splitlines(True)
    (small_export / "train.jsonl").write_text("".join(lines[:3]))
    rc = main(["train", "--export", str(small_export), "--base-model", str(tiny_model), "--out", str(tmp_path / "r")])
    assert rc == 2
    assert "has 3 training samples; at least 8" in capsys.readouterr().err
    status = json.loads((tmp_path / "r" / "status.json").read_text())
    assert status["state"] == "failed" and "3 training samples" in status["reason"]


def test_unloadable_base_model_fails_the_run_with_a_clear_reason(small_export, tmp_path, capsys):
    run = tmp_path / "r"
    rc = main(["train", "--export", str(small_export), "--base-model", str(tmp_path / "no-such-model"),
               "--out", str(run)])
    assert rc == 2
    err = capsys.readouterr().err
    assert "cannot load base model" in err and "no such directory" in err
    status = json.loads((run / "status.json").read_text())
    assert status["state"] == "failed" and status["reason"].startswith("cannot load base model")


def test_out_of_memory_fails_the_run_with_a_hint(tiny_model, small_export, tmp_path, monkeypatch, capsys):
    import torch
    from transformers import Trainer

    def oom(self, *a, **k):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(Trainer, "train", oom)
    run = tmp_path / "r"
    rc = main(["train", "--export", str(small_export), "--base-model", str(tiny_model), "--out", str(run),
               "--batch-size", "4", "--max-length", "256"])
    assert rc == 2
    reason = json.loads((run / "status.json").read_text())["reason"]
    assert reason.startswith("out of GPU memory") and "--batch-size (now 4" in reason and "--max-length (now 256)" in reason


def test_a_finished_run_directory_is_not_overwritten(tiny_model, small_export, tmp_path, capsys):
    run = tmp_path / "r"
    run.mkdir()
    rundir.update_status(run, "finished")
    rc = main(["train", "--export", str(small_export), "--base-model", str(tiny_model), "--out", str(run)])
    assert rc == 2 and "already holds a finished run" in capsys.readouterr().err


def test_per_size_defaults_follow_the_base_model(tiny_model):
    from core.train.config import resolve

    assert resolve("Qwen/Qwen2.5-7B-Instruct", "x").batch_size == 1
    assert resolve("Qwen/Qwen2.5-1.5B-Instruct", "x").size == "1.5B"
    assert resolve("Qwen/Qwen2.5-0.5B-Instruct", "x", learning_rate=1e-3).learning_rate == 1e-3
    assert resolve(str(tiny_model), "x").size == "tiny"


@pytest.fixture
def pipeline_export(shop_db, tmp_path) -> Path:
    """The export stage's output for examples/shop (pending samples included: nothing is reviewed yet)."""
    out = tmp_path / "export"
    assert main(["export", "--db", str(shop_db.path), "--out", str(out), "--include-pending"]) == 0
    return out


def test_lora_steps_on_the_export_stage_output(tiny_model, pipeline_export, tmp_path):
    run = tmp_path / "run"
    assert main(["train", "--export", str(pipeline_export), "--base-model", str(tiny_model), "--out", str(run),
                 "--max-steps", "3"]) == 0
    final = json.loads((run / "final_metrics.json").read_text())
    manifest = json.loads((pipeline_export / "manifest.json").read_text())
    assert final["train_samples"] + final["dropped_too_long"] == manifest["counts"]["train"]
    assert final["steps"] == 3 and math.isfinite(final["train_loss"]) and math.isfinite(final["eval_loss"])
    assert json.loads((run / "config.json").read_text())["export_manifest_sha256"] == hashlib.sha256(
        (pipeline_export / "manifest.json").read_bytes()).hexdigest()
