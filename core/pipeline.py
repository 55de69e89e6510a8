"""Running stages by name, for the CLI and the app alike.

Each stage lives in `core/<package>/stage.py` with `add_arguments(parser)`
for its own flags and `run(ctx, args) -> dict` returning counts for the run
history, and may offer `check(ctx, args)`: a cheap look at its options that
`run_pipeline` makes for every stage before the first one starts, so a bad
domain name or a missing API key is reported before minutes of indexing.
Stage modules import heavy libraries (torch, transformers) inside `run`, so
building the parser stays fast.

Every stage that records itself runs under the database's run lock
(`Database.run_lock`), and `run_pipeline` holds it from its option checks to
its last stage: one run per database at a time, a second one stops before
its first stage with `RunBusy` (exit 3). Whoever takes the lock first marks
runs a dead process left 'running' as 'interrupted'.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.context import Context
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


def add_stage_arguments(parser: argparse.ArgumentParser, names: tuple[str, ...]) -> None:
    for name in names:
        importlib.import_module(STAGES[name][0]).add_arguments(parser)


def stage_args(names: tuple[str, ...] = PIPELINE, **overrides) -> argparse.Namespace:
    """The stages' own flags at their defaults, with `overrides` applied (for the app)."""
    parser = argparse.ArgumentParser(add_help=False, conflict_handler="resolve")
    add_stage_arguments(parser, names)
    args = parser.parse_args([])
    for key, value in overrides.items():
        setattr(args, key, value)
    return args


@contextmanager
def exclusive(ctx: Context, command: str | None = None) -> Iterator[None]:
    """The database's run lock for the block (re-entrant); runs left 'running' become 'interrupted'."""
    with ctx.db.run_lock(command) as taken:
        if taken:
            with ctx.db.connect() as con:
                repo_store.interrupt_runs(con)
        yield


def run_stage(name: str, ctx: Context, args: argparse.Namespace) -> dict:
    """Run one stage and record it (with its counts or its failure) in the run history."""
    module, _, recorded = STAGES[name]
    stage = importlib.import_module(module)
    if not recorded:
        return stage.run(ctx, args) or {}
    with exclusive(ctx):
        return _run_recorded(name, stage, ctx, args)


def _run_recorded(name: str, stage, ctx: Context, args: argparse.Namespace) -> dict:
    repo_id = ctx.repo_id() if name != "index" or ctx.repo else None
    params = {"domains": ctx.domains, "backend": ctx.backend, "lang": ctx.lang}
    if getattr(args, "run", None) is not None:  # infer: which LoRA run it validated, so its page finds the outcome
        params["run"] = str(Path(args.run).resolve())
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


def run_pipeline(ctx: Context, args: argparse.Namespace, names: tuple[str, ...] = PIPELINE,
                 command: str | None = None) -> dict[str, dict]:
    """Run `names` in order under one hold of the run lock; `command` is what a refused run is told."""
    if not any(STAGES[name][2] for name in names):   # train never opens the database
        return {name: run_stage(name, ctx, args) for name in names}
    with exclusive(ctx, command):
        for name in names:
            check = getattr(importlib.import_module(STAGES[name][0]), "check", None)
            if check is not None:
                check(ctx, args)
        return {name: run_stage(name, ctx, args) for name in names}
