"""`python -m core`: one subcommand per pipeline stage, plus `run`.

Each stage lives in `core/<package>/stage.py` with two functions:
`add_arguments(parser)` for its own flags and `run(ctx, args) -> dict` that
does the work and returns counts for the run history. Stage modules import
heavy libraries (torch, transformers) inside `run`, so `--help` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from pathlib import Path

from core.context import DEFAULT_DOMAINS, Context
from core.errors import UserError
from core.progress import TerminalProgress
from storage import DEFAULT_DB, Database, DatabaseLocked, StorageError
from storage import repos as repo_store

# name -> (module, help, records a pipeline run in the database)
STAGES: dict[str, tuple[str, str, bool]] = {
    "index": ("core.index.stage", "parse the Java repository (tree-sitter) into files, chunks, symbols, calls, SQL", True),
    "map": ("core.domain.stage", "build the domain map: modules, layers, endpoints, entities, status codes, flows", True),
    "extract": ("core.rules.stage", "extract business rules and flows with their evidence spans", True),
    "generate": ("core.generate.stage", "generate QA and design samples with evidence and reasoning traces", True),
    "validate": ("core.validate.stage", "check every sample (grounding, evidence, duplicates, secrets ...)", True),
    "export": ("core.export.stage", "write the curated SFT dataset (train/val JSONL, dataset_info, manifest)", True),
    "train": ("core.train.stage", "LoRA fine-tune a Qwen2.5 model on an export (never opens the database)", False),
    "infer": ("core.train.infer_stage", "strict inference validation of a trained adapter against an export", True),
}
PIPELINE = ("index", "map", "extract", "generate", "validate")


def _common_flags() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"DuckDB file (default {DEFAULT_DB})")
    common.add_argument("--repo", type=Path, help="the Java repository (default: the one indexed last)")
    common.add_argument("--domains", default=",".join(DEFAULT_DOMAINS), help="comma-separated domains (default order,stock)")
    common.add_argument("--backend", default="template", choices=("template", "anthropic", "openai"),
                        help="sample generator (default template: offline, deterministic)")
    common.add_argument("--lang", default="en", choices=("en", "zh", "both"), help="sample language (default en)")
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m core",
        description="AutoCodeDataPipeline: repository-grounded SFT data from a Java code base.",
    )
    subs = parser.add_subparsers(dest="command", required=True, metavar="STAGE")
    common = _common_flags()
    for name, (module, help_text, _) in STAGES.items():
        sub = subs.add_parser(name, parents=[common], help=help_text, description=help_text)
        importlib.import_module(module).add_arguments(sub)
    run = subs.add_parser(
        "run", parents=[common], conflict_handler="resolve",
        help="index -> map -> extract -> generate -> validate in one go",
        description="Run the pipeline stages " + " -> ".join(PIPELINE) + " in one go.",
    )
    for name in PIPELINE:
        importlib.import_module(STAGES[name][0]).add_arguments(run)
    return parser


def _run_stage(name: str, ctx: Context, args: argparse.Namespace) -> dict:
    module, _, recorded = STAGES[name]
    stage = importlib.import_module(module)
    if not recorded:
        return stage.run(ctx, args)
    repo_id = ctx.repo_id() if name != "index" or ctx.repo else None
    params = {"domains": ctx.domains, "backend": ctx.backend, "lang": ctx.lang}
    with ctx.db.connect() as con:
        run_id = repo_store.start_run(con, repo_id, name, params)
    try:
        counts = stage.run(ctx, args) or {}
    except BaseException as exc:
        with ctx.db.connect() as con:
            repo_store.finish_run(con, run_id, "failed", message=str(exc) or type(exc).__name__)
        raise
    with ctx.db.connect() as con:
        repo_store.finish_run(con, run_id, "ok", counts)
    return counts


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    ctx = Context(
        db=Database(args.db),
        repo=args.repo,
        domains=[d.strip() for d in args.domains.split(",") if d.strip()],
        backend=args.backend,
        lang=args.lang,
        progress=TerminalProgress(),
    )
    stages = PIPELINE if args.command == "run" else (args.command,)
    try:
        for name in stages:
            _run_stage(name, ctx, args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except DatabaseLocked as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except (UserError, StorageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return getattr(exc, "exit_code", 2)
    except Exception as exc:  # an unexpected failure still gets one line, the traceback on request
        if os.environ.get("ACDP_DEBUG"):
            traceback.print_exc()
        print(f"error: {type(exc).__name__}: {exc} (set ACDP_DEBUG=1 for the traceback)", file=sys.stderr)
        return 1
    return 0
