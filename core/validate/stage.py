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
    parser.add_argument("--judge", choices=("anthropic", "openai"),
                        help="also ask a model to rate each sample's correctness against its evidence (check `judge`: "
                             "correct pass, doubtful warn, wrong fail); versions already judged are not asked again")
    parser.add_argument("--judge-model", dest="judge_model",
                        help="the judge's model (anthropic: default the newest Sonnet; openai: OPENAI_MODEL)")
    parser.add_argument("--judge-concurrency", dest="judge_concurrency", type=int, default=4,
                        help="judge requests in flight at once (default 4)")


def check(ctx: Context, args) -> None:
    """A judge without its key or server fails before the stages ahead of validation run."""
    if getattr(args, "judge", None):
        from core.validate.judge import judge_backend

        judge_backend(args.judge, args)


def run(ctx: Context, args) -> dict:
    counts = validate_repo(
        ctx.db, ctx.repo_id(), sample_ids=getattr(args, "sample", []) or [],
        only_failed=getattr(args, "only_failed", False),
        dup_threshold=getattr(args, "dup_threshold", DEFAULT_DUP_THRESHOLD), progress=ctx.progress,
    )
    if getattr(args, "judge", None):
        from core.validate.judge import judge_backend, judge_repo

        backend = judge_backend(args.judge, args)
        counts.update(judge_repo(ctx.db, ctx.repo_id(), backend, getattr(args, "judge_concurrency", 4), ctx.progress))
    return counts
