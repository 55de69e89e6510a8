"""A tiny Qwen2-architecture model with a locally built tokenizer, fully offline.

Tests, the benchmark and the app's "CPU smoke run" need a model that loads
with `AutoTokenizer` / `AutoModelForCausalLM.from_pretrained(dir)` exactly
like Qwen2.5 does, but without the network and in seconds. The tokenizer is
a byte-level BPE trained on a fixed built-in corpus (so it is the same on
every machine), carries the Qwen2.5 special tokens, and ships the Qwen2.5
chat template with generation markers. Weights are random from a fixed seed.

    python -m core.train.tiny data/tiny-qwen2      # build it from the command line
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from datetime import UTC
from pathlib import Path

from core.answer_format import SYSTEM_PROMPT
from core.errors import UserError
from core.train.chat_template import QWEN25_CHAT_TEMPLATE

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
VOCAB_SIZE = 768
MARKER = "tiny_model.json"  # written last: a directory without it is an interrupted build

# Enough of the words the exports use that BPE merges make sequences shortish;
# the exact text only matters in being fixed.
_CORPUS = [
    SYSTEM_PROMPT,
    "Evidence:\n[E1] src/main/java/com/shop/order/service/OrderServiceImpl.java:12-18\n"
    "[E2] src/main/resources/mapper/OrderMapper.xml:40-44\n\nReasoning:\n1. The order is cancelled [E1]\n"
    "2. Stock is released when the order is cancelled [E1][E2]\n",
    "public class OrderService { private final StockMapper stockMapper; "
    "public void cancelOrder(Long orderId) { if (order.getStatus() != 0) { throw new "
    "IllegalStateException(\"only unpaid orders can be cancelled\"); } "
    "stockMapper.releaseStock(orderId); } }",
    "What happens to the stock when an unpaid order times out? The scheduled task closes the "
    "order, sets its status to closed and returns the locked stock to the product.",
    "## Understanding\n## Reuse\n## Changes by layer\n## Data changes\n## Flow\n## Risks\n## Test plan\n"
    "- [controller] OrderController: add an endpoint\n- [service] OrderService (new): validate the coupon",
    "SELECT id, status, total_amount FROM oms_order WHERE member_id = #{memberId} AND delete_status = 0; "
    "UPDATE pms_sku_stock SET lock_stock = lock_stock - #{count} WHERE id = #{id}",
    "证据：\n推理：\n订单在未支付时可以取消，取消后释放锁定的库存。需求：请给出符合本仓库现有架构的设计方案。",
    "0123456789 order stock payment coupon member product sku cart delivery refund return status "
    "controller service mapper dao entity dto config table column method field class interface enum",
]


def _train_tokenizer():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_CORPUS * 4, trainer=trainer)
    return tok


def tiny_config(vocab_size: int, **overrides):
    """The tiny model's Qwen2Config; `overrides` let the bench scale it."""
    from transformers import Qwen2Config

    sizes = dict(
        vocab_size=vocab_size, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096,
        rms_norm_eps=1e-6, rope_theta=10000.0, tie_word_embeddings=True,
        initializer_range=0.1,  # wider than Qwen's 0.02 so a few LoRA steps visibly move the loss
    )
    sizes.update(overrides)
    return Qwen2Config(**sizes)


def build_tiny_model(out_dir: str | Path, seed: int = 0) -> Path:
    """Write tokenizer + random-weight model to `out_dir` (re-used when already complete)."""
    import torch
    from transformers import GenerationConfig, PreTrainedTokenizerFast, Qwen2ForCausalLM

    final = Path(out_dir)
    if (final / MARKER).exists():
        return final
    if final.is_dir() and any(final.iterdir()):
        raise UserError(f"{final} exists and holds no tiny model: pass a new or empty directory")
    # built aside and renamed into place, so a concurrent builder or reader never sees half a model
    out = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=_train_tokenizer(),
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        additional_special_tokens=["<|im_start|>"],
        model_max_length=4096,
    )
    tokenizer.chat_template = QWEN25_CHAT_TEMPLATE
    tokenizer.save_pretrained(out)

    torch.manual_seed(seed)
    config = tiny_config(len(tokenizer))
    config.bos_token_id = None
    config.eos_token_id = tokenizer.convert_tokens_to_ids("<|im_end|>")
    config.pad_token_id = tokenizer.pad_token_id
    model = Qwen2ForCausalLM(config)
    model.generation_config = GenerationConfig(
        eos_token_id=[config.eos_token_id, tokenizer.convert_tokens_to_ids("<|endoftext|>")],
        pad_token_id=config.pad_token_id,
        do_sample=False,
    )
    model.save_pretrained(out)
    (out / MARKER).write_text(json.dumps({"seed": seed, "vocab_size": len(tokenizer), "built_by": __name__}))
    try:
        if final.is_dir() and not any(final.iterdir()):
            final.rmdir()
        out.rename(final)
    except OSError:  # another process finished first: keep its copy
        shutil.rmtree(out, ignore_errors=True)
    return final


if __name__ == "__main__":
    print(build_tiny_model(sys.argv[1] if len(sys.argv) > 1 else "data/tiny-qwen2"))


_DECLARATION = re.compile(r"^\s*(?:public\s+|abstract\s+|final\s+)*(class|interface|enum)\s+(\w+)")


def write_smoke_export(repo_root: str | Path, out_dir: str | Path, limit: int = 40, val_every: int = 5) -> Path:
    """A small export in the ARCHITECTURE.md format, built straight from a repo's Java files.

    For smoke runs and tests when no curated export exists: one grounded
    question per type declaration ("where is X declared"), evidence on the
    declaration line, the shared answer layout via `to_messages`.
    """
    from datetime import datetime

    from core.answer_format import to_messages
    from core.evidence import SourceCache, make_evidence
    from core.models import GeneratorInfo, Sample, SampleSource, Span, TraceStep, sha256_text

    root, out = Path(repo_root), Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = SourceCache(root)
    train, val = [], []
    for path in sorted(root.rglob("*.java")):
        rel = path.relative_to(root).as_posix()
        lines = files.get(rel).lines
        found = next(((n, m) for n, line in enumerate(lines, 1) if (m := _DECLARATION.match(line))), None)
        if found is None:
            continue
        line_no, match = found
        kind, name = match[1], match[2]
        sample = Sample(
            sample_id=sha256_text(rel)[:16], repo_id=root.resolve().name, task_type="qa", domain="order",
            language="en", question=f"Where is {name} declared, and is it a class, an interface or an enum?",
            answer=f"{name} is an {kind} declared in {rel}." if kind[0] in "aeiou" else
                   f"{name} is a {kind} declared in {rel}.",
            evidence=[make_evidence(files, Span(path=rel, start_line=line_no, end_line=line_no), "E1")],
            trace=[TraceStep(claim=f"{name} is declared as {kind} on line {line_no}", evidence_ids=["E1"])],
            source=SampleSource(kind="map", ref=rel),
            generator=GeneratorInfo(backend="template", input_hash=sha256_text(rel),
                                    created_at=datetime(2026, 1, 1, tzinfo=UTC)),
        )
        record = {"id": sample.sample_id, "messages": to_messages(sample), "meta": {
            "task_type": "qa", "domain": "order", "language": "en", "repo": sample.repo_id, "commit": None,
            "generator": "template", "evidence": [e.model_dump(exclude={"id", "text"}) for e in sample.evidence],
            "trace": [t.model_dump() for t in sample.trace], "review": {"status": "accepted", "reviewer": "smoke"}}}
        (val if (len(train) + len(val)) % val_every == val_every - 1 else train).append(record)
        if len(train) + len(val) >= limit:
            break
    for name, records in (("train.jsonl", train), ("val.jsonl", val)):
        (out / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    manifest = {"counts": {"train": len(train), "val": len(val)}, "filters": {"smoke": True},
                "repo": root.resolve().name, "created_by": __name__}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return out
