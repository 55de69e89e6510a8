"""`python -m core validate`: check every current sample, or re-check chosen ones."""

from __future__ import annotations

from core.context import Context
from core.validate.runner import DEFAULT_DUP_THRESHOLD, validate_repo


def add_arguments(parser) -> None:
    parser.add_argument("--dup-threshold", type=float, default=DEFAULT_DUP_THRESHOLD,
                        help=f"near-duplicate Jaccard threshold of the MinHash LSH (default {DEFAULT_DUP_THRESHOLD})")
    parser.add_argument("--sample", action="append", default=[], metavar="ID",
                        help="re-check only this sample (repeatable); duplicates are still clustered over all")
    parser.add_argument("--only-failed", action="store_true",
                        help="re-check only samples whose last validation failed (or that were never checked)")


def run(ctx: Context, args) -> dict:
    return validate_repo(
        ctx.db, ctx.repo_id(), sample_ids=getattr(args, "sample", []) or [],
        only_failed=getattr(args, "only_failed", False),
        dup_threshold=getattr(args, "dup_threshold", DEFAULT_DUP_THRESHOLD), progress=ctx.progress,
    )
