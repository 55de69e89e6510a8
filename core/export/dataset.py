"""Export the curated samples as an SFT dataset; preview it; list past exports.

The CLI stage and the app's Export page both go through `export_dataset`,
so the directory they write is the same for the same inputs.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from core.answer_format import to_messages
from core.errors import UserError
from core.export import llama_factory, writer
from core.export.context import CONTEXTS, with_evidence
from core.export.select import ExportFilters, select
from core.export.split import GROUP_KEYS, group_keys, grouped_split
from core.progress import NullProgress, Progress
from core.validate.runner import gc_paused
from storage import Database
from storage import export_store as store
from storage import repos as repo_store

FORMAT_VERSION = 1


@dataclass(frozen=True)
class SplitOptions:
    val_ratio: float = 0.1
    seed: int = 42
    group_by: tuple[str, ...] = GROUP_KEYS


def export_dataset(
    db: Database, repo_id: str, out: Path, filters: ExportFilters, split: SplitOptions | None = None, *,
    force: bool = False, parquet: bool = False, progress: Progress | None = None, context: str = "none",
) -> dict:
    """Write the export directory atomically, record it, and return its manifest.

    `context="evidence"` writes open-book samples (core.export.context): the evidence code in the user turn.
    """
    if context not in CONTEXTS:
        raise UserError(f"--context takes {' or '.join(CONTEXTS)}, got {context!r}")
    split = split or SplitOptions()
    progress = progress or NullProgress()
    if not 0 <= split.val_ratio < 1:
        raise UserError(f"--val-ratio must be in [0, 1), got {split.val_ratio}")
    unknown = sorted(set(split.group_by) - set(GROUP_KEYS))
    if unknown:
        raise UserError(f"--group-by takes {', '.join(GROUP_KEYS)}; unknown: {', '.join(unknown)}")
    group_by = tuple(k for k in GROUP_KEYS if k in split.group_by)
    out = out.expanduser().resolve()
    writer.check_target(out, force)
    with db.connect() as con:
        repo = repo_store.get_repo(con, repo_id)
    commit = repo["git_commit"] if repo else None

    selection = select(db, repo_id, filters)
    if not selection.chosen:
        raise UserError(f"nothing to export for {repo_id} with {_describe(filters)}: {_reasons(selection)}; "
                        "no files written")
    progress.start("export", len(selection.chosen))
    current = _CurrentFiles(Path(repo["root"]) if repo else None)
    ids, lines, facets, keys_of = [], [], [], []
    with gc_paused():
        for n, chosen in enumerate(selection.chosen, 1):
            sample = chosen.sample()
            if current.changed(sample):
                selection.excluded["evidence file changed since validation (run validate)"] += 1
                continue
            messages = to_messages(sample)
            keys_of.append(group_keys(sample, group_by, prompt=messages[1]["content"]))
            if context == "evidence":
                messages = with_evidence(messages, sample)
            meta = writer.meta(sample, chosen.review_status, chosen.reviewer, commit)
            ids.append(sample.sample_id)
            lines.append(writer.line(sample.sample_id, messages, meta))
            facets.append((sample.task_type, sample.domain, sample.language, chosen.review_status))
            if n % 5000 == 0:
                progress.advance(5000)
    progress.advance(len(selection.chosen) % 5000)
    if not lines:
        raise UserError(f"nothing to export for {repo_id}: {_reasons(selection)}; no files written")
    cut = grouped_split(ids, keys_of, split.val_ratio, split.seed)
    parts: dict[str, list[str]] = {"train": [], "val": []}
    for line, is_val in zip(lines, cut.val):
        parts["val" if is_val else "train"].append(line)

    selection.chosen.clear()  # rendered: their payloads need not stay in memory while writing
    created = writer.creation_time()
    grouping, leakage = cut.report(split.val_ratio, split.seed, group_by)
    with writer.StagedDir(out) as staged:
        staged.write_lines("train.jsonl", parts["train"])
        staged.write_lines("val.jsonl", parts["val"])
        staged.write("dataset_info.json", writer.dataset_info())
        staged.write(llama_factory.FILE_NAME, llama_factory.sft_yaml(writer.DATASET_NAME))
        if parquet:
            staged.write("train.parquet", writer.parquet(parts["train"]))
            staged.write("val.parquet", writer.parquet(parts["val"]))
        entries = dict(sorted(staged.entries.items()))
        content_id = hashlib.sha256("".join(e["sha256"] for e in entries.values()).encode()).hexdigest()
        manifest = {
            "export_id": f"{created:%Y%m%dT%H%M%SZ}-{content_id[:8]}",
            "content_id": content_id,
            "created_at": created.isoformat(),
            "format_version": FORMAT_VERSION,
            "repo": {"repo_id": repo_id, "commit": commit},
            "filters": filters.describe(),
            "evidence_checked_against": str(current.root) if current.root else None,
            "counts": _counts(selection, facets, cut.val),
            "grouping": grouping,
            "leakage_check": leakage,
            "files": entries,
            "system_prompt_sha256": writer.system_prompt_sha256(),
            "context": context,
            "llama_factory": {"dataset_dir": ".", "dataset": f"{writer.DATASET_NAME}_train",
                              "eval_dataset": f"{writer.DATASET_NAME}_val", "template": "qwen",
                              "config": llama_factory.FILE_NAME},
        }
        staged.write("manifest.json", (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
                     record=False)
    with db.connect() as con:
        store.record_export(con, manifest["export_id"], str(out), created.replace(tzinfo=None), manifest)
    note = f" ({grouping['note']})" if "note" in grouping else ""
    progress.finish(f"{len(parts['train'])} train, {len(parts['val'])} val -> {out}{note}")
    return manifest


class _CurrentFiles:
    """The repository's files as they are now, each hashed once: a sample whose evidence file changed
    after validation is left out, so a stale sample is never exported. Without the repository on
    disk (an export made elsewhere) nothing is checked and the manifest says so."""

    def __init__(self, root: Path | None):
        self.root = root if root is not None and root.is_dir() else None
        self._sha: dict[str, str | None] = {}

    def _sha256(self, path: str) -> str | None:
        if path not in self._sha:
            try:
                self._sha[path] = hashlib.sha256((self.root / path).read_bytes()).hexdigest()
            except OSError:
                self._sha[path] = None
        return self._sha[path]

    def changed(self, sample) -> bool:
        return self.root is not None and any(self._sha256(e.path) != e.sha256 for e in sample.evidence)


def _reasons(selection) -> str:
    return ", ".join(f"{n} {why}" for why, n in sorted(selection.excluded.items())) or "no samples at all"


def _describe(filters: ExportFilters) -> str:
    d = filters.describe()
    return ", ".join(f"{k}={','.join(v) if isinstance(v, list) else v}" for k, v in d.items())


def _counts(selection, facets: list[tuple[str, str, str, str]], val: list[bool]) -> dict:
    def by(column: int) -> dict:
        return dict(sorted(Counter(f[column] for f in facets).items()))

    return {
        "total": len(facets), "train": len(facets) - sum(val), "val": sum(val),
        "by_task_type": by(0), "by_domain": by(1), "by_language": by(2), "by_review_status": by(3),
        "excluded": dict(sorted(selection.excluded.items())),
    }


def preview(db: Database, repo_id: str, filters: ExportFilters, limit: int = 5) -> dict:
    """What an export with these filters would hold: counts and the first samples as chat messages."""
    selection = select(db, repo_id, filters)
    shown = []
    for chosen in selection.chosen[:limit]:
        s = chosen.sample()
        shown.append({"sample_id": s.sample_id, "task_type": s.task_type, "domain": s.domain, "language": s.language,
                      "review_status": chosen.review_status, "messages": to_messages(s)})
    return {"eligible": len(selection.chosen), "excluded": dict(selection.excluded), "samples": shown}


def list_exports(db: Database, limit: int = 50) -> list[dict]:
    """Past exports with their manifests, newest first; `exists` says whether the directory is still there."""
    with db.connect() as con:
        rows = store.list_exports(con, limit)
    for row in rows:
        row["exists"] = Path(row["out_dir"]).is_dir()
    return rows
