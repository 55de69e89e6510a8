"""The files of a run directory: the only channel between a training process and the app.

The training process never opens the DuckDB file (one writer per file), so
everything the app shows about a run is read from here. Writers replace
status.json atomically and append whole lines to metrics.jsonl, so a reader
polling at any moment sees a consistent status and complete metric rows.
"""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

CONFIG = "config.json"
STATUS = "status.json"
METRICS = "metrics.jsonl"
FINAL = "final_metrics.json"
LOG = "train.log"
ADAPTER = "adapter"                 # the adapter to use: the best by eval loss when val exists, else the last
CHECKPOINTS = "checkpoints"         # Trainer checkpoints (adapter, optimizer, scheduler, RNG): --resume reads them
MERGED = "merged"                   # base + adapter as one model (train --merge), e.g. for vLLM
MANIFEST_HASH = "export_manifest.sha256"
INFER_SUMMARY = "infer_summary.json"

TERMINAL_STATES = ("finished", "failed", "stopped")


def best_adapter(run_dir: Path) -> Path | None:
    adapter = run_dir / ADAPTER
    return adapter if (adapter / "adapter_config.json").is_file() else None


def last_checkpoint(run_dir: Path) -> Path | None:
    """The newest checkpoint the Trainer finished writing. It writes trainer_state.json last, so a run stopped
    mid-save leaves a newer folder without it (or with a cut-off one), which resuming from would fail on."""
    folder = run_dir / CHECKPOINTS
    found = sorted(((int(p.name.rsplit("-", 1)[1]), p) for p in folder.glob("checkpoint-*")
                    if p.name.rsplit("-", 1)[1].isdigit()), reverse=True) if folder.is_dir() else []
    for _, checkpoint in found:
        try:
            json.loads((checkpoint / "trainer_state.json").read_text())
        except (OSError, ValueError):
            continue
        return checkpoint
    return None


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def write_json(path: Path, data: dict) -> None:
    """Write-then-rename, so a concurrent reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False))
    os.replace(tmp, path)


def read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def update_status(run_dir: Path, state: str | None = None, **fields) -> dict:
    """Merge `fields` into status.json (and set `state`), stamping updated_at."""
    status = read_json(run_dir / STATUS) or {}
    if state is not None:
        status["state"] = state
        if state in TERMINAL_STATES:
            status["finished_at"] = now_iso()
    status.update(fields)
    status["updated_at"] = now_iso()
    write_json(run_dir / STATUS, status)
    return status


def append_metric(run_dir: Path, row: dict) -> None:
    with open(run_dir / METRICS, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({**row, "time": round(time.time(), 3)}) + "\n")


def write_lines(path: Path, rows: list[dict]) -> None:
    """Replace a JSONL file (a resumed run drops the rows it will write again)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    os.replace(tmp, path)


def read_metrics(run_dir: Path) -> list[dict]:
    """Complete rows only: a line being written right now is skipped."""
    try:
        lines = (run_dir / METRICS).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    rows = []
    for line in lines:
        try:
            rows.append(json.loads(line))
        except ValueError:
            continue
    return rows


def tail(path: Path, lines: int = 40, max_bytes: int = 64_000) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - max_bytes))
            data = fh.read()
    except OSError:
        return ""
    return "\n".join(data.decode("utf-8", errors="replace").splitlines()[-lines:])
