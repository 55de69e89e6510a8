"""Throughput of `generate` with the template backend on a real repository (`--repo`, e.g. a checkout of mall).

Indexes, maps and extracts once into a scratch database, then times planning +
generation + storage of the whole order+stock sample set, cold (every sample
new) and warm (every input unchanged: the resumable path). Prints samples/s.

    .venv/bin/python bench/bench_generate.py --repo PATH/TO/mall [--lang en|zh|both]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.context import Context  # noqa: E402
from core.pipeline import run_stage, stage_args  # noqa: E402
from storage import Database, samples_store  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", type=Path, required=True, help="a Java repository, e.g. a checkout of mall")
    parser.add_argument("--lang", default="en", choices=("en", "zh", "both"))
    parser.add_argument("--domains", default="order,stock")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ctx = Context(db=Database(Path(tmp) / "bench.duckdb"), repo=opts.repo, domains=opts.domains.split(","),
                      backend="template", lang=opts.lang)
        args = stage_args(("index", "map", "extract", "generate"))
        t0 = time.perf_counter()
        for stage in ("index", "map", "extract"):
            run_stage(stage, ctx, args)
        prep = time.perf_counter() - t0
        t1 = time.perf_counter()
        cold = run_stage("generate", ctx, args)
        cold_s = time.perf_counter() - t1
        t2 = time.perf_counter()
        warm = run_stage("generate", ctx, args)
        warm_s = time.perf_counter() - t2
        with ctx.db.connect() as con:
            per_type = samples_store.count_samples(con, ctx.repo_id())
    n = cold.get("new", 0)
    print(f"repo {opts.repo} domains {opts.domains} lang {opts.lang}")
    print(f"index+map+extract      {prep:6.2f} s")
    print(f"generate (cold)        {cold_s:6.2f} s  {n} samples ({per_type})  {n / cold_s:8.1f} samples/s")
    print(f"generate (warm rerun)  {warm_s:6.2f} s  {warm.get('unchanged_input', 0)} unchanged inputs skipped")
    print(f"target: whole set < 10 s -> {'OK' if cold_s < 10 else 'MISSED'}")


if __name__ == "__main__":
    main()
