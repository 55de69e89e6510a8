"""Throughput of validation (non-LLM checks + MinHash dedup) and export on synthetic samples.

    .venv/bin/python bench/bench_export.py                 # 100,000 samples (targets: 2,000/s and 20,000/s)
    .venv/bin/python bench/bench_export.py --n 20000
    .venv/bin/python bench/bench_export.py --report mall.duckdb   # figures of a real pipeline run

Samples cite real lines of examples/shop (indexed first), so evidence
verification, grounding and secrets scanning do their real work; 5 % are
near-copies for the duplicate detector to find. Set-up, validation and
export each run in a fresh process, so each peak memory (maximum resident
set size) is that phase's own. Samples per CPU-second (process time)
are printed too: on a shared machine wall-clock figures swing with the load.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.cli import main as cli  # noqa: E402
from core.export import ExportFilters, export_dataset  # noqa: E402
from core.validate import validate_repo  # noqa: E402
from core.validate.synthetic import sample_frame, synthetic_samples  # noqa: E402
from storage import Database, checks_store  # noqa: E402
from storage import repos as repo_store  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def set_up(n: int, db_path: Path) -> None:
    repo = ROOT / "examples" / "shop"
    assert cli(["index", "--repo", str(repo), "--db", str(db_path)]) == 0
    paths = sorted(str(p.relative_to(repo)) for p in repo.rglob("*.java"))
    t = time.perf_counter()
    frame = sample_frame(synthetic_samples(repo, "shop", paths, n, seed=0))
    with Database(db_path).connect() as con:
        checks_store.insert_samples(con, frame)
    print(f"set-up: {n:,} synthetic samples stored in {time.perf_counter() - t:.1f}s (peak RSS {peak_mb():,.0f} MB)")


def validate_phase(n: int, db_path: Path) -> None:
    t, c = time.perf_counter(), time.process_time()
    counts = validate_repo(Database(db_path), "shop")
    dt, cpu = time.perf_counter() - t, time.process_time() - c
    print(f"validate: {n:,} samples in {dt:.2f}s = {n / dt:,.0f} samples/s (target >= 2,000; "
          f"{n / cpu:,.0f} per CPU-second); pass {counts['pass']:,} warn {counts['warn']:,} fail {counts['fail']:,}, "
          f"{counts['dup_clusters']:,} duplicate clusters, {counts['dup_dropped']:,} duplicates dropped; "
          f"peak RSS {peak_mb():,.0f} MB")


def export_phase(n: int, db_path: Path) -> None:
    t, c = time.perf_counter(), time.process_time()
    manifest = export_dataset(Database(db_path), "shop", db_path.parent / "export", ExportFilters(include_pending=True))
    dt, cpu = time.perf_counter() - t, time.process_time() - c
    total = manifest["counts"]["total"]
    size = sum(f["bytes"] for f in manifest["files"].values()) / 2**20
    print(f"export: {total:,} samples in {dt:.2f}s = {total / dt:,.0f} samples/s (target >= 20,000; "
          f"{total / cpu:,.0f} per CPU-second); train {manifest['counts']['train']:,} / val {manifest['counts']['val']:,}, "
          f"{size:,.0f} MB written, leakage ok: {manifest['leakage_check']['ok']}; peak RSS {peak_mb():,.0f} MB")


def synthetic(n: int, work: Path) -> None:
    """Each phase in a fresh process, so each peak RSS is that phase's own."""
    db_path = work / "bench.duckdb"
    context = multiprocessing.get_context("spawn")
    for phase in (set_up, validate_phase, export_phase):
        proc = context.Process(target=phase, args=(n, db_path))
        proc.start()
        proc.join()
        if proc.exitcode:
            raise SystemExit(f"{phase.__name__} failed with exit code {proc.exitcode}")


def report(db_path: Path, work: Path) -> None:
    """Counts per check result, duplicate clusters and the split of an existing pipeline database."""
    db = Database(db_path)
    with db.connect() as con:
        repo_id = repo_store.latest_repo(con)["repo_id"]
        per_check = checks_store.result_counts(con, repo_id)
        quality = checks_store.quality_counts(con, repo_id)
    print(f"repository {repo_id}: samples pass {quality['pass']} / warn {quality['warn']} / fail {quality['fail']}; "
          f"{quality['dup_clusters']} duplicate clusters, {quality['dup_dropped']} duplicates not kept")
    for name, results in per_check.items():
        print(f"  {name:<15} " + "  ".join(f"{k} {v}" for k, v in sorted(results.items())))
    manifest = export_dataset(db, repo_id, work / "export", ExportFilters(include_pending=True))
    counts, grouping = manifest["counts"], manifest["grouping"]
    print(f"export --include-pending: {counts['total']} samples -> train {counts['train']} / val {counts['val']} "
          f"(val share {grouping['val_share']}, {grouping['groups']} groups, largest {grouping['largest_group']}, "
          f"leakage ok {manifest['leakage_check']['ok']}); by task {counts['by_task_type']}, "
          f"excluded {counts['excluded']}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="synthetic samples (default 100,000)")
    parser.add_argument("--report", type=Path, help="print the figures of this pipeline database instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.report:
            report(args.report, Path(tmp))
        else:
            synthetic(args.n, Path(tmp))
