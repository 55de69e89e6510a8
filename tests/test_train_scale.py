"""Training a team can trust, on the CPU with the tiny model: checkpoints and resume, the best adapter,
padding-free packing, a merged model, and the same run in two processes through `accelerate launch`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.cli import main
from core.train import rundir
from core.train.launch import accelerate_command, deepspeed_config
from core.train.tiny import build_tiny_model, write_smoke_export

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    return build_tiny_model(tmp_path_factory.getbasetemp() / "tiny-qwen2")


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    return write_smoke_export(ROOT / "examples" / "shop", tmp_path_factory.getbasetemp() / "scale-export")


def _curve(run: Path) -> list[tuple[str, int, float]]:
    return [(r["kind"], r["step"], r.get("loss", r.get("eval_loss"))) for r in rundir.read_metrics(run)]


def test_resume_continues_from_the_last_checkpoint_with_the_same_loss_curve(tiny_model, export, tmp_path,
                                                                            monkeypatch):
    from transformers import Trainer

    flags = ["--export", str(export), "--base-model", str(tiny_model), "--max-steps", "6", "--save-steps", "2",
             "--batch-size", "4"]
    whole = tmp_path / "whole"
    assert main(["train", *flags, "--out", str(whole)]) == 0

    crashed = tmp_path / "crashed"
    step = Trainer.training_step
    calls = []

    def crash_at_five(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 5:
            raise RuntimeError("simulated crash")
        return step(self, *args, **kwargs)

    monkeypatch.setattr(Trainer, "training_step", crash_at_five)
    assert main(["train", *flags, "--out", str(crashed)]) == 1
    assert json.loads((crashed / rundir.STATUS).read_text())["state"] == "failed"
    assert sorted(p.name for p in (crashed / "checkpoints").iterdir()) == ["checkpoint-2", "checkpoint-4"]
    monkeypatch.setattr(Trainer, "training_step", step)

    assert main(["train", "--resume", "--out", str(crashed)]) == 0
    final = json.loads((crashed / rundir.FINAL).read_text())
    assert final["resumed_from"] == "checkpoint-4" and final["steps"] == 6
    resumed, reference = _curve(crashed), _curve(whole)
    assert [(k, s) for k, s, _ in resumed] == [(k, s) for k, s, _ in reference]
    assert [v for *_, v in resumed] == pytest.approx([v for *_, v in reference], abs=1e-5)
    assert main(["train", "--resume", "--out", str(crashed)]) == 2  # a finished run is not resumed


def test_the_best_adapter_is_kept_and_a_merged_model_is_written(tiny_model, export, tmp_path):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    run = tmp_path / "run"
    assert main(["train", "--export", str(export), "--base-model", str(tiny_model), "--out", str(run),
                 "--max-steps", "4", "--save-steps", "2", "--batch-size", "4", "--lr", "5e-2", "--merge"]) == 0
    final = json.loads((run / rundir.FINAL).read_text())
    evals = {r["step"]: r["eval_loss"] for r in rundir.read_metrics(run) if r["kind"] == "eval"}
    best_step = min(evals, key=evals.get)
    assert final["best_checkpoint"] == f"checkpoint-{best_step}" and final["eval_loss"] == evals[best_step]

    tok = AutoTokenizer.from_pretrained(tiny_model)
    batch = tok("Where is OrdOrderDao declared?", return_tensors="pt")
    with torch.no_grad():
        tuned = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_model), str(run / "adapter"))
        merged = AutoModelForCausalLM.from_pretrained(run / "merged")
        assert torch.allclose(tuned(**batch).logits, merged(**batch).logits, atol=1e-4)


def _losses(model, examples, collate) -> float:
    import torch

    with torch.no_grad():
        return model(**collate(examples)).loss.item()


def test_packing_gives_the_loss_of_padding_and_keeps_samples_apart(tiny_model, export):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from core.train.config import resolve
    from core.train.data import encode_all, load_export
    from core.train.trainer import collator

    tok = AutoTokenizer.from_pretrained(tiny_model)
    model = AutoModelForCausalLM.from_pretrained(tiny_model).eval()
    model.config.use_cache = False  # as in training: sample boundaries are read from position ids without a cache
    examples, _ = encode_all(load_export(export).train[:3], tok, 1024)
    padded = collator(resolve(str(tiny_model), str(export)), tok)
    packed = collator(resolve(str(tiny_model), str(export), packing=True), tok)
    one = examples[:1]
    assert _losses(model, one, packed) == pytest.approx(_losses(model, one, padded), abs=1e-5)

    batch = packed(examples)
    assert batch["input_ids"].shape[0] == 1 and "attention_mask" not in batch  # one row, no padding at all
    assert batch["position_ids"][0].tolist().count(0) == 3                    # positions restart per sample
    # three samples packed give the token-weighted loss of the three padded: nothing attends across samples
    with torch.no_grad():
        logits = model(input_ids=batch["input_ids"], position_ids=batch["position_ids"]).logits
        alone = model(input_ids=torch.tensor([examples[1]["input_ids"]])).logits
    start = len(examples[0]["input_ids"])
    assert torch.allclose(logits[0, start:start + alone.shape[1]], alone[0], atol=1e-4)
    assert _losses(model, examples, packed) == pytest.approx(_losses(model, examples, padded), abs=1e-4)


def test_gpus_builds_the_accelerate_command():
    cmd = accelerate_command(["--export", "e", "--out", "r"], 4)
    assert cmd[1:] == ["-m", "accelerate.commands.launch", "--num_machines", "1", "--num_processes", "4",
                       "--multi_gpu", "--module", "core", "train", "--export", "e", "--out", "r"]
    assert "--cpu" in accelerate_command(["--out", "r"], 1, cpu=True)
    zero3 = deepspeed_config("zero3")
    assert zero3["zero_optimization"]["stage"] == 3 and zero3["train_micro_batch_size_per_gpu"] == "auto"
    assert deepspeed_config("zero2")["zero_optimization"]["stage"] == 2


def test_gpus_2_runs_two_processes_through_accelerate_launch(tiny_model, export, tmp_path):
    """Two CPU processes (gloo) stand in for two GPUs: `--gpus 2` launches them, rank 0 writes the run."""
    run = tmp_path / "run"
    done = subprocess.run([sys.executable, "-m", "core", "train", "--export", str(export), "--base-model",
                           str(tiny_model), "--out", str(run), "--max-steps", "2", "--device", "cpu", "--gpus", "2",
                           "--packing"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "accelerate.commands.launch --num_machines 1 --num_processes 2 --multi_gpu --module core train" in done.stdout
    final = json.loads((run / rundir.FINAL).read_text())
    assert final["world_size"] == 2 and final["steps"] == 2 and final["packing"] is True
    assert json.loads((run / rundir.CONFIG).read_text())["gpus"] == 2  # recorded, so --resume launches 2 again
    assert done.stdout.count("finished:") == 1


def test_export_writes_a_llama_factory_config_naming_its_files_and_can_be_open_book(shop_db, tmp_path, tiny_model):
    import yaml

    closed, open_book = tmp_path / "closed", tmp_path / "open"
    assert main(["export", "--db", str(shop_db.path), "--out", str(closed), "--include-pending"]) == 0
    assert main(["export", "--db", str(shop_db.path), "--out", str(open_book), "--include-pending",
                 "--context", "evidence"]) == 0

    config = yaml.safe_load((closed / "llama_factory_sft.yaml").read_text())
    info = json.loads((closed / "dataset_info.json").read_text())
    manifest = json.loads((closed / "manifest.json").read_text())
    assert config["dataset_dir"] == "." and config["template"] == "qwen" and config["finetuning_type"] == "lora"
    assert info[config["dataset"]]["file_name"] == "train.jsonl" and info[config["eval_dataset"]]["file_name"] == "val.jsonl"
    assert all((closed / info[name]["file_name"]).is_file() for name in (config["dataset"], config["eval_dataset"]))
    assert "llama_factory_sft.yaml" in manifest["files"] and manifest["llama_factory"]["config"] == "llama_factory_sft.yaml"
    assert manifest["context"] == "none"

    def first(export: Path) -> dict:
        return json.loads((export / "train.jsonl").read_text().splitlines()[0])

    plain, with_code = first(closed), first(open_book)
    assert json.loads((open_book / "manifest.json").read_text())["context"] == "evidence"
    assert with_code["messages"][2] == plain["messages"][2]  # the same answer, citations included
    user = with_code["messages"][1]["content"]
    assert user.endswith(plain["messages"][1]["content"])
    for evidence in with_code["meta"]["evidence"]:
        assert f"{evidence['path']}:{evidence['start_line']}-{evidence['end_line']}" in user

    run = tmp_path / "run"  # training reads the open-book messages as exported and records the kind
    assert main(["train", "--export", str(open_book), "--base-model", str(tiny_model), "--out", str(run),
                 "--max-steps", "1", "--max-length", "4096"]) == 0
    assert json.loads((run / rundir.FINAL).read_text())["context"] == "evidence"


def test_a_hub_id_under_hf_hub_offline_fails_at_once_with_the_reason(export, tmp_path, monkeypatch, capsys):
    """Offline, a hub id is looked up in the local cache only (no network wait) and the reason says so."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty-cache"))
    run = tmp_path / "run"
    assert main(["train", "--export", str(export), "--base-model", "Qwen/Qwen2.5-0.5B-Instruct", "--out", str(run)]) == 2
    assert "HF_HUB_OFFLINE is set and the model is not in the local Hugging Face cache" in capsys.readouterr().err
    assert json.loads((run / rundir.STATUS).read_text())["state"] == "failed"
