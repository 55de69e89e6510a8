"""How a failure is said, the same way on every page that shows it (dashboard, Pipeline): what failed, when,
and the reason stored with it, so it is read on the page and not dug out of a log."""

from __future__ import annotations


def stage_failure(run: dict) -> str:
    """'**validate** on `mall` failed (run 7, 2026-11-30 17:23): --dup-threshold must be in (0, 1], got 2.0'."""
    where = f" on `{run['repo_id']}`" if run.get("repo_id") else ""
    return (f"**{run['stage']}**{where} {run['status']} (run {run['run_id']}, {run['started_at']:%Y-%m-%d %H:%M}): "
            f"{run['message'] or 'no reason recorded'}")


def generation_failures(failures: list[dict]) -> str:
    """'**12 sample(s) could not be generated** (anthropic): 9× reason …; 3× other reason', most frequent first."""
    total = sum(g["n"] for g in failures)
    backends = ", ".join(sorted({g["backend"] for g in failures}))
    reasons = "; ".join(f"{g['n']}× {g['reason'][:160]}" for g in failures[:3])
    more = f"; {len(failures) - 3} other reason(s)" if len(failures) > 3 else ""
    return f"**{total} sample(s) could not be generated** ({backends}): {reasons}{more}"
