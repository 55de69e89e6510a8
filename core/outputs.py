"""Where the tool may write: a directory it is about to fill must be new, or one it wrote before.

The app's forms and the CLI both take server paths, so "replace the
directory" must never mean "wipe whatever a path points at". An earlier
output is recognised by its manifest's content, not by a file name: an
export's manifest.json lists every file beside it (name and size), a run
directory's config.json and status.json are the trainer's. Anything else
in the directory, or a manifest.json another tool wrote, makes it foreign.
"""

from __future__ import annotations

import json
from pathlib import Path

from core.errors import UserError

_EXPORT_KEYS = ("export_id", "content_id", "format_version", "files")
_RUN_FILES = {"config.json", "status.json", "metrics.jsonl", "final_metrics.json", "train.log", "adapter", "trainer",
              "export_manifest.sha256", "infer_summary.json", "infer.log", "infer.pid",
              "checkpoints", "merged", "deepspeed.json"}


def _json(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_our_export(out: Path) -> bool:
    """True when `out` holds exactly what an export of this tool wrote, as its manifest lists it."""
    manifest = _json(out / "manifest.json")
    if manifest is None or any(k not in manifest for k in _EXPORT_KEYS) or not isinstance(manifest["files"], dict):
        return False
    listed = manifest["files"]
    for entry in out.iterdir():
        if entry.name == "manifest.json":
            continue
        info = listed.get(entry.name)
        if not isinstance(info, dict) or not entry.is_file() or entry.is_symlink() \
                or entry.stat().st_size != info.get("bytes"):
            return False
    return True


def is_our_run(run_dir: Path) -> bool:
    """True when `run_dir` holds a training run of this tool: the status file the trainer (or the app's
    launcher) writes first, and nothing but run files beside it."""
    status = _json(run_dir / "status.json")
    if status is None or status.get("state") not in ("running", "finished", "failed", "stopped"):
        return False
    return all(entry.name in _RUN_FILES or entry.name.startswith(".status.json.") for entry in run_dir.iterdir())


def check_export_dir(out: Path, force: bool) -> None:
    """Refuse before any work: an existing directory without --force, or one --force must not replace."""
    if not out.exists():
        return
    if not out.is_dir():
        raise UserError(f"{out} exists and is not a directory; choose another --out")
    if not force:
        raise UserError(f"{out} already exists; pass --force to replace it or choose another --out")
    if any(out.iterdir()) and not is_our_export(out):
        raise UserError(f"{out} is not an earlier export of this tool (its manifest.json does not list what the "
                        "directory holds): --force only replaces an earlier export; nothing was deleted")


def check_run_dir(run_dir: Path) -> None:
    """A run directory must be new or empty, or an earlier run of this tool (which it continues)."""
    if not run_dir.exists():
        return
    if not run_dir.is_dir():
        raise UserError(f"{run_dir} exists and is not a directory; choose another --out")
    if any(run_dir.iterdir()) and not is_our_run(run_dir):
        raise UserError(f"{run_dir} is not empty and is not a run directory of this tool; choose a new --out")
