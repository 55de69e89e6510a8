"""Export JSONL -> tokenized training examples with assistant-only labels.

Labels come from the chat template's generation markers
(`return_assistant_tokens_mask`), so exactly the tokens the assistant wrote,
closing `<|im_end|>` included, carry loss; system prompt and question do not.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import UserError
from core.models import sha256_bytes
from core.train.chat_template import QWEN25_CHAT_TEMPLATE

IGNORE = -100


@dataclass
class ExportData:
    train: list[dict]
    val: list[dict]
    manifest_sha256: str | None
    manifest: dict = field(default_factory=dict)


def _read_jsonl(path: Path) -> list[dict]:
    records = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise UserError(f"{path}:{n} is not valid JSON ({exc}); re-run `python -m core export`") from exc
        roles = [m.get("role") for m in record.get("messages", [])] if isinstance(record, dict) else []
        if not roles or roles[-1] != "assistant" or "user" not in roles:
            raise UserError(f"{path}:{n} has no user/assistant messages; is this an export directory?")
        records.append(record)
    return records


def load_export(export_dir: str | Path) -> ExportData:
    root = Path(export_dir)
    train_path = root / "train.jsonl"
    if not train_path.is_file():
        raise UserError(f"{root} holds no train.jsonl: pass a directory written by `python -m core export --out DIR`")
    val_path = root / "val.jsonl"
    manifest_path = root / "manifest.json"
    manifest_sha = manifest = None
    if manifest_path.is_file():
        raw = manifest_path.read_bytes()
        manifest_sha = sha256_bytes(raw)
        try:
            manifest = json.loads(raw)
        except ValueError:
            manifest = None
    return ExportData(
        train=_read_jsonl(train_path),
        val=_read_jsonl(val_path) if val_path.is_file() else [],
        manifest_sha256=manifest_sha,
        manifest=manifest if isinstance(manifest, dict) else {},
    )


def encode(messages: list[dict], tokenizer, max_length: int) -> dict | None:
    """input_ids / attention_mask / labels for one conversation; None if no assistant token fits."""
    enc = tokenizer.apply_chat_template(
        messages, chat_template=QWEN25_CHAT_TEMPLATE, tokenize=True, return_dict=True,
        return_assistant_tokens_mask=True,
    )
    ids = list(enc["input_ids"])[:max_length]
    mask = list(enc["assistant_masks"])[:max_length]
    labels = [tok if keep else IGNORE for tok, keep in zip(ids, mask)]
    if all(label == IGNORE for label in labels):
        return None
    return {"input_ids": ids, "attention_mask": [1] * len(ids), "labels": labels}


def encode_all(records: list[dict], tokenizer, max_length: int) -> tuple[list[dict], int]:
    """Encoded examples and how many were dropped because the prompt alone exceeds max_length."""
    examples = [encode(r["messages"], tokenizer, max_length) for r in records]
    kept = [e for e in examples if e is not None]
    return kept, len(examples) - len(kept)


def prompt_messages(record: dict) -> list[dict]:
    """The conversation up to (not including) the reference answer, for generation."""
    return [m for m in record["messages"] if m["role"] != "assistant"]


def reference_answer(record: dict) -> str:
    return next(m["content"] for m in reversed(record["messages"]) if m["role"] == "assistant")


class PadCollator:
    """Right-pads a batch to its longest example (labels padded with -100)."""

    def __init__(self, pad_token_id: int):
        self.pad = pad_token_id

    def __call__(self, batch: list[dict]) -> dict:
        import torch

        width = max(len(e["input_ids"]) for e in batch)
        def pad(key: str, value: int) -> torch.Tensor:
            return torch.tensor([e[key] + [value] * (width - len(e[key])) for e in batch], dtype=torch.long)
        return {"input_ids": pad("input_ids", self.pad), "attention_mask": pad("attention_mask", 0),
                "labels": pad("labels", IGNORE)}
