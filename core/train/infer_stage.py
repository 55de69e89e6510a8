"""`python -m core infer`: strict inference validation of a trained adapter.

The base model and base+adapter answer every val question of the export
with the same system prompt (batched, left-padded, plain greedy decoding, an
answer budget that follows the reference answers' length); each answer is
checked by `core.train.strict` against the indexed repository (layout,
citations, identifiers, support of every claim by its cited lines) and scored
with ROUGE-L against the reference. Results go to infer_results (keyed by
run) and RUN_DIR/infer_summary.json. `--reference` scores the export's own
answers the same way, without a model: the ceiling a model is measured against.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from core.errors import UserError
from core.train import rundir


def add_arguments(parser) -> None:
    g = parser.add_argument_group("infer")
    g.add_argument("--run", type=Path, help="run directory written by `python -m core train --out`")
    g.add_argument("--export", type=Path, help="export directory (default: the one the run trained on)")
    g.add_argument("--reference", action="store_true",
                   help="score the export's own reference answers (no model): they must score 100 on every measure")
    g.add_argument("--split", choices=("val", "train", "all"),
                   help="which records to answer (default val; all with --reference)")
    g.add_argument("--max-new-tokens", type=int,
                   help="answer length limit (default: per batch, the longest reference answer's tokens plus a margin)")
    g.add_argument("--batch-size", type=int, default=8, help="questions generated together, left-padded (default 8)")
    g.add_argument("--repetition-penalty", type=float, default=1.0,
                   help="default 1.0: plain greedy decoding, whatever the model's generation_config asks")
    g.add_argument("--limit", type=int, help="validate only the first N questions")
    g.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto", help="default auto")


def _repo_id(ctx, records: list[dict]) -> str:
    if ctx.repo is not None:
        return ctx.repo_id()
    repos = {r.get("meta", {}).get("repo") for r in records} - {None}
    return repos.pop() if len(repos) == 1 else ctx.repo_id()


def _register_run(con, run_dir: Path, config: dict) -> None:
    """A run trained from the CLI enters train_runs the first time it is validated, so the app lists it."""
    from storage import runs_store

    if runs_store.get_run(con, run_dir.name) is not None:
        return
    status = rundir.read_json(run_dir / rundir.STATUS) or {}
    runs_store.insert_run(con, run_dir.name, str(run_dir), config.get("export_dir", ""), config.get("base_model", ""),
                          config, status.get("pid"), status.get("state", "finished"))
    runs_store.update_run(con, run_dir.name, status.get("state", "finished"), status.get("reason"),
                          rundir.read_json(run_dir / rundir.FINAL), finished=True)


def repo_facts(ctx, repo_id: str):
    """Line counts, known names and the repository's text (for the support check) from the index."""
    from core.evidence import SourceCache
    from core.train.strict import RepoFacts
    from core.train.support import CodeSpans
    from storage import index_store, runs_store
    from storage import repos as repo_store

    with ctx.db.connect() as con:
        line_counts = runs_store.repo_line_counts(con, repo_id)
        texts = runs_store.repo_name_texts(con, repo_id)
        declarations = runs_store.repo_declarations(con, repo_id)
        repo = repo_store.get_repo(con, repo_id)
        encodings = index_store.file_encodings(con, repo_id)
    if not line_counts:
        raise UserError(f"repository {repo_id!r} is not indexed in {ctx.db.path}: run `python -m core index` first")
    root = Path(repo["root"]) if repo else None
    if root is None or not root.is_dir():
        raise UserError(f"the repository {repo_id!r} is not at {root} any more: the support check reads the cited "
                        "lines from it (index it again where it is now)")
    files = SourceCache(root, encodings)

    def read_lines(path: str) -> list[str] | None:
        try:
            return files.get(path).lines
        except UserError:
            return None

    return RepoFacts.from_texts(line_counts, texts, CodeSpans.from_rows(read_lines, declarations))


def _records(export, split: str) -> list[dict]:
    return {"val": export.val, "train": export.train, "all": export.train + export.val}[split]


def _budget(tokenizer, records: list[dict], cap: int | None) -> int:
    """New tokens for a batch: its longest reference answer plus a quarter and 32, unless capped."""
    from core.train.data import reference_answer

    longest = max(len(tokenizer(reference_answer(r), add_special_tokens=False)["input_ids"]) for r in records)
    budget = longest + longest // 4 + 32
    return min(budget, cap) if cap else budget


def generate_answers(model, tokenizer, records: list[dict], on_answer, batch_size: int = 8,
                     max_new_tokens: int | None = None, repetition_penalty: float = 1.0) -> dict[str, list[str]]:
    """Greedy answers of base (adapter disabled) and tuned model, per record, in order, a batch at a time."""
    import copy

    import torch

    from core.answer_format import SYSTEM_PROMPT
    from core.train.chat_template import QWEN25_CHAT_TEMPLATE
    from core.train.data import prompt_messages

    # plain greedy decoding: Qwen's generation_config asks for sampling and a repetition penalty
    config = copy.deepcopy(model.generation_config)
    config.update(do_sample=False, temperature=None, top_p=None, top_k=None, repetition_penalty=repetition_penalty,
                  pad_token_id=tokenizer.pad_token_id)
    tokenizer.padding_side = "left"  # generation continues every row from its last real token
    out: dict[str, list[str]] = {"base": [], "tuned": []}
    model.eval()
    for start in range(0, len(records), batch_size):
        batch = records[start:start + batch_size]
        prompts = []
        for record in batch:
            messages = prompt_messages(record)
            if messages[0]["role"] != "system":
                messages = [{"role": "system", "content": SYSTEM_PROMPT}, *messages]
            prompts.append(tokenizer.apply_chat_template(messages, chat_template=QWEN25_CHAT_TEMPLATE,
                                                         add_generation_prompt=True, tokenize=False))
        enc = tokenizer(prompts, padding=True, add_special_tokens=False, return_tensors="pt").to(model.device)
        width = enc["input_ids"].shape[1]
        budget = _budget(tokenizer, batch, max_new_tokens)
        with torch.no_grad():
            with model.disable_adapter():
                base = model.generate(**enc, generation_config=config, max_new_tokens=budget)
            tuned = model.generate(**enc, generation_config=config, max_new_tokens=budget)
        for kind, ids in (("base", base), ("tuned", tuned)):
            out[kind] += [text.strip() for text in tokenizer.batch_decode(ids[:, width:], skip_special_tokens=True)]
            on_answer(len(batch))
    return out


def _row(record: dict, kind: str, output: str, facts, n: int) -> dict:
    from core.train.data import reference_answer
    from core.train.strict import check_output, rouge_l

    check = check_output(output, facts)
    return {"sample_id": record.get("id") or str(n), "model_kind": kind, "output": output,
            "layout_ok": check.layout_ok, "citations_ok": check.citations_ok,
            "unknown_identifiers": check.unknown_identifiers, "supported": check.supported,
            "unsupported": check.unsupported, "problems": check.problems,
            "overlap": round(rouge_l(output, reference_answer(record)), 4)}


def _print_result(result: dict) -> None:
    """The last line of stdout: one JSON object, for scripts and CI."""
    print(json.dumps(result, ensure_ascii=False), flush=True)


def run_reference(ctx, args) -> dict:
    """The export's own answers through the same checker: what a perfect model would score."""
    from core.train.data import load_export, reference_answer
    from core.train.strict import MEASURES, summarize

    if args.export is None:
        raise UserError("infer --reference needs --export DIR")
    export = load_export(args.export)
    records = _records(export, args.split or "all")
    records = records[: args.limit] if args.limit else records
    if not records:
        raise UserError(f"the export {args.export} has no {args.split or 'all'} records to score")
    repo_id = _repo_id(ctx, records)
    facts = repo_facts(ctx, repo_id)
    ctx.progress.start("infer", len(records))
    rows = []
    for record in records:
        rows.append(_row(record, "reference", reference_answer(record), facts, len(rows)))
        ctx.progress.advance()
    summary = summarize(rows)["reference"]
    failures = [(r["sample_id"], r["problems"]) for r in rows if r["problems"]]
    for sample_id, problems in failures[:20]:
        print(f"{sample_id}: {'; '.join(problems)[:400]}", file=sys.stderr)
    ctx.progress.finish(", ".join(f"{m} {summary[m]}" for m in MEASURES))
    result = {"mode": "reference", "repo_id": repo_id, "split": args.split or "all", **summary}
    _print_result(result)
    return result


def run(ctx, args) -> dict:
    import torch
    from peft import PeftModel

    from core.train.data import load_export
    from core.train.strict import MEASURES, summarize
    from core.train.trainer import load_base, peft_quietly
    from storage import runs_store

    if getattr(args, "reference", False):
        return run_reference(ctx, args)
    if args.run is None:
        raise UserError("infer needs --run RUN_DIR (a directory written by `python -m core train --out`), "
                        "or --reference --export DIR")
    run_dir = args.run.resolve()
    config = rundir.read_json(run_dir / rundir.CONFIG)
    adapter = rundir.best_adapter(run_dir)
    if config is None or adapter is None:
        raise UserError(f"{run_dir} holds no finished training run (config.json and adapter/ are needed)")
    export_dir = args.export or config["export_dir"]
    split = args.split or "val"
    records = _records(load_export(export_dir), split)
    records = records[: args.limit] if args.limit else records
    if not records:
        raise UserError(f"the export {export_dir} has no {split} samples to validate on")

    repo_id = _repo_id(ctx, records)
    facts = repo_facts(ctx, repo_id)
    cuda = torch.cuda.is_available() and args.device != "cpu"
    dtype = torch.bfloat16 if cuda and torch.cuda.is_bf16_supported() else torch.float32
    tokenizer, base = load_base(config["base_model"], dtype)
    with peft_quietly():
        model = PeftModel.from_pretrained(base.to("cuda" if cuda else "cpu"), str(adapter))
    ctx.progress.start("infer", 2 * len(records))
    try:
        answers = generate_answers(model, tokenizer, records, ctx.progress.advance, args.batch_size,
                                   args.max_new_tokens, args.repetition_penalty)
    except torch.OutOfMemoryError as exc:
        raise UserError(f"out of GPU memory while generating; lower --batch-size (now {args.batch_size}) or "
                        "--max-new-tokens, or validate with --device cpu") from exc

    rows = [_row(record, kind, output, facts, n) for kind, outputs in answers.items()
            for n, (record, output) in enumerate(zip(records, outputs))]
    summary = summarize(rows)
    with ctx.db.connect() as con:
        _register_run(con, run_dir, config)
        runs_store.replace_infer_results(con, run_dir.name, rows)
    rundir.write_json(run_dir / rundir.INFER_SUMMARY, {"repo_id": repo_id, "questions": len(records),
                                                       "split": split, "adapter": str(adapter), **summary})
    ctx.progress.finish("; ".join(f"{k}: " + ", ".join(f"{m} {v[m]}" for m in MEASURES) + f", ROUGE-L {v['rouge_l']}"
                                  for k, v in summary.items()))
    result = {"mode": "model", "run": str(run_dir), "questions": len(records), **summary["tuned"],
              "base": summary["base"]}
    _print_result(result)
    return result
