"""`python -m core export --out DIR`: the curated samples as a LLaMA-Factory-ready SFT dataset.

The common `--domains` flag filters what is exported (default order,stock, as
for generation); `--lang en|zh` keeps one language, and without it every
generated language is exported.
"""

from __future__ import annotations

from pathlib import Path

from core.context import Context
from core.errors import UserError
from core.export.dataset import SplitOptions, export_dataset
from core.export.select import ExportFilters
from core.export.split import GROUP_KEYS


def add_arguments(parser) -> None:
    parser.add_argument("--out", type=Path, help="output directory (must not exist unless --force)")
    parser.add_argument("--include-pending", action="store_true",
                        help="also export pending samples that pass validation (a first training before review); "
                             "implies --include-unconfirmed")
    parser.add_argument("--include-unconfirmed", action="store_true",
                        help="also export accepted or edited samples that still await more reviewers "
                             "(second review); samples whose reviewers disagree are never exported")
    parser.add_argument("--force", action="store_true", help="replace an existing export directory")
    parser.add_argument("--task", default="qa,design", help="task types to export (default qa,design)")
    parser.add_argument("--val-ratio", type=float, default=0.1, help="share of samples for val (default 0.1)")
    parser.add_argument("--seed", type=int, default=42, help="seed of the grouped split (default 42)")
    parser.add_argument("--group-by", default=",".join(GROUP_KEYS),
                        help="keys that keep samples on one side of the split (default rule,flow,file)")
    parser.add_argument("--parquet", action="store_true", help="also write train.parquet and val.parquet")
    parser.add_argument("--context", choices=("none", "evidence"), default="none",
                        help="evidence: put the cited code in the user turn (open-book); default none (closed-book)")


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(sorted({v.strip() for v in (value or "").split(",") if v.strip()}))


def run(ctx: Context, args) -> dict:
    out = getattr(args, "out", None)
    if out is None:
        raise UserError("export needs --out DIR (a directory that does not exist yet, or --force)")
    tasks = _split_list(getattr(args, "task", "qa,design"))
    if not tasks or set(tasks) - {"qa", "design"}:
        raise UserError(f"--task takes qa, design or qa,design; got {getattr(args, 'task', '')!r}")
    filters = ExportFilters(
        domains=tuple(sorted(ctx.domains)),
        languages=() if ctx.lang in (None, "both") else (ctx.lang,),
        task_types=tasks,
        include_pending=getattr(args, "include_pending", False),
        include_unconfirmed=getattr(args, "include_unconfirmed", False),
    )
    split = SplitOptions(val_ratio=getattr(args, "val_ratio", 0.1), seed=getattr(args, "seed", 42),
                         group_by=_split_list(getattr(args, "group_by", ",".join(GROUP_KEYS))))
    manifest = export_dataset(ctx.db, ctx.repo_id(), Path(out), filters, split, force=getattr(args, "force", False),
                              parquet=getattr(args, "parquet", False), progress=ctx.progress,
                              context=getattr(args, "context", "none"))
    counts = manifest["counts"]
    return {"out": str(Path(out).expanduser().resolve()), "export_id": manifest["export_id"],
            "train": counts["train"], "val": counts["val"], "excluded": counts["excluded"],
            "leakage_ok": manifest["leakage_check"]["ok"]}
