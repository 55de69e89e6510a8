"""`python -m core infer`: strict inference validation of a trained adapter.

The base model and base+adapter answer every val question of the export
with the same system prompt; each answer is checked by `core.train.strict`
against the indexed repository and scored with ROUGE-L against the reference.
Results go to infer_results (keyed by run) and RUN_DIR/infer_summary.json.
"""

from __future__ import annotations

from pathlib import Path

from core.errors import UserError
from core.train import rundir


def add_arguments(parser) -> None:
    g = parser.add_argument_group("infer")
    g.add_argument("--run", type=Path, help="run directory written by `python -m core train --out`")
    g.add_argument("--export", type=Path, help="export directory (default: the one the run trained on)")
    g.add_argument("--max-new-tokens", type=int, default=384, help="answer length limit (default 384)")
    g.add_argument("--limit", type=int, help="validate only the first N val questions")
    g.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto", help="default auto")


def _repo_id(ctx, export) -> str:
    if ctx.repo is not None:
        return ctx.repo_id()
    repos = {r.get("meta", {}).get("repo") for r in export.val} - {None}
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


def generate_answers(model, tokenizer, records: list[dict], max_new_tokens: int, on_answer) -> dict[str, list[str]]:
    """Greedy answers of base (adapter disabled) and tuned model, per val record, in order."""
    import torch

    from core.answer_format import SYSTEM_PROMPT
    from core.train.chat_template import QWEN25_CHAT_TEMPLATE
    from core.train.data import prompt_messages

    out: dict[str, list[str]] = {"base": [], "tuned": []}
    model.eval()
    for record in records:
        messages = prompt_messages(record)
        if messages[0]["role"] != "system":
            messages = [{"role": "system", "content": SYSTEM_PROMPT}, *messages]
        enc = tokenizer.apply_chat_template(messages, chat_template=QWEN25_CHAT_TEMPLATE, add_generation_prompt=True,
                                            tokenize=True, return_dict=True, return_tensors="pt").to(model.device)
        width = enc["input_ids"].shape[1]
        kwargs = dict(max_new_tokens=max_new_tokens, do_sample=False, pad_token_id=tokenizer.pad_token_id)
        with torch.no_grad():
            with model.disable_adapter():
                base = model.generate(**enc, **kwargs)
            tuned = model.generate(**enc, **kwargs)
        for kind, ids in (("base", base), ("tuned", tuned)):
            out[kind].append(tokenizer.decode(ids[0, width:], skip_special_tokens=True).strip())
            on_answer()
    return out


def run(ctx, args) -> dict:
    import torch
    from peft import PeftModel

    from core.train.data import load_export, reference_answer
    from core.train.strict import RepoFacts, check_output, rouge_l, summarize
    from core.train.trainer import load_base, peft_quietly
    from storage import runs_store

    if args.run is None:
        raise UserError("infer needs --run RUN_DIR (a directory written by `python -m core train --out`)")
    run_dir = args.run.resolve()
    config = rundir.read_json(run_dir / rundir.CONFIG)
    adapter = run_dir / rundir.ADAPTER
    if config is None or not (adapter / "adapter_config.json").is_file():
        raise UserError(f"{run_dir} holds no finished training run (config.json and adapter/ are needed)")
    export = load_export(args.export or config["export_dir"])
    records = export.val[: args.limit] if args.limit else export.val
    if not records:
        raise UserError(f"the export {args.export or config['export_dir']} has no val samples to validate on")

    repo_id = _repo_id(ctx, export)
    with ctx.db.connect() as con:
        line_counts = runs_store.repo_line_counts(con, repo_id)
        facts = RepoFacts.from_texts(line_counts, runs_store.repo_name_texts(con, repo_id))
    if not line_counts:
        raise UserError(f"repository {repo_id!r} is not indexed in {ctx.db.path}: run `python -m core index` first")

    cuda = torch.cuda.is_available() and args.device != "cpu"
    dtype = torch.bfloat16 if cuda and torch.cuda.is_bf16_supported() else torch.float32
    tokenizer, base = load_base(config["base_model"], dtype)
    with peft_quietly():
        model = PeftModel.from_pretrained(base.to("cuda" if cuda else "cpu"), str(adapter))
    ctx.progress.start("infer", 2 * len(records))
    try:
        answers = generate_answers(model, tokenizer, records, args.max_new_tokens, ctx.progress.advance)
    except torch.OutOfMemoryError as exc:
        raise UserError(f"out of GPU memory while generating; lower --max-new-tokens (now {args.max_new_tokens}) "
                        "or validate with --device cpu") from exc

    rows = []
    for kind, outputs in answers.items():
        for record, output in zip(records, outputs):
            check = check_output(output, facts)
            rows.append({"sample_id": record.get("id") or str(len(rows)), "model_kind": kind, "output": output,
                         "layout_ok": check.layout_ok, "citations_ok": check.citations_ok,
                         "unknown_identifiers": check.unknown_identifiers,
                         "overlap": round(rouge_l(output, reference_answer(record)), 4)})
    summary = summarize(rows)
    with ctx.db.connect() as con:
        _register_run(con, run_dir, config)
        runs_store.replace_infer_results(con, run_dir.name, rows)
    rundir.write_json(run_dir / rundir.INFER_SUMMARY, {"repo_id": repo_id, "questions": len(records), **summary})
    line = "; ".join(f"{k}: layout {v['layout_pct']}%, citations {v['citations_pct']}%, ROUGE-L {v['rouge_l']}"
                     for k, v in summary.items())
    ctx.progress.finish(line)
    return {"questions": len(records), **{f"{k}_{m}": v[m] for k, v in summary.items()
                                          for m in ("layout_pct", "citations_pct", "rouge_l")}}
