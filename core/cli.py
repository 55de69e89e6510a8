"""`python -m core`: one subcommand per pipeline stage (see core.pipeline), plus `run`."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

from core.context import DEFAULT_DOMAINS, Context
from core.errors import UserError
from core.pipeline import PIPELINE, STAGES, add_stage_arguments, run_pipeline
from core.progress import TerminalProgress
from storage import DEFAULT_DB, Database, DatabaseLocked, StorageError


def _common_flags() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"DuckDB file (default {DEFAULT_DB})")
    common.add_argument("--repo", type=Path, help="the Java repository (default: the one indexed last)")
    common.add_argument("--domains", default=",".join(DEFAULT_DOMAINS), help="comma-separated domains (default order,stock)")
    common.add_argument("--backend", default="template", choices=("template", "anthropic", "openai"),
                        help="sample generator (default template: offline, deterministic)")
    common.add_argument("--lang", choices=("en", "zh", "both"),
                        help="sample language: generate writes en unless told; export takes every language unless told")
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m core",
        description="AutoCodeDataPipeline: repository-grounded SFT data from a Java code base.",
    )
    subs = parser.add_subparsers(dest="command", required=True, metavar="STAGE")
    common = _common_flags()
    for name, (_, help_text, _) in STAGES.items():
        sub = subs.add_parser(name, parents=[common], help=help_text, description=help_text)
        add_stage_arguments(sub, (name,))
    run = subs.add_parser(
        "run", parents=[common], conflict_handler="resolve",
        help="index -> map -> extract -> generate -> validate in one go",
        description="Run the pipeline stages " + " -> ".join(PIPELINE) + " in one go.",
    )
    add_stage_arguments(run, PIPELINE)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
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
        run_pipeline(ctx, args, stages, command=" ".join(["python -m core", *argv])[:200])
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
