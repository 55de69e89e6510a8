"""The export files, byte for byte, and writing them atomically.

Same inputs give byte-identical train.jsonl, val.jsonl, dataset_info.json
(and Parquet files): records in sample_id order, fixed key order, no times.
Only manifest.json carries the creation time (and the export id derived
from it); set SOURCE_DATE_EPOCH to pin that too and get a fully
byte-identical directory.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from core.answer_format import SYSTEM_PROMPT
from core.errors import UserError
from core.outputs import check_export_dir

DATASET_NAME = "acdp"


def meta(sample, review_status: str, reviewer: str | None, commit: str | None) -> dict:
    """The `meta` of one JSONL line (ARCHITECTURE.md, Contracts: Export)."""
    gen = sample.generator
    return {
        "task_type": sample.task_type, "domain": sample.domain, "language": sample.language,
        "repo": sample.repo_id, "commit": commit,
        "generator": f"{gen.backend}:{gen.model}" if gen.model else gen.backend,
        "version": sample.version,
        "source": {"kind": sample.source.kind, "ref": sample.source.ref},
        "evidence": [{"path": e.path, "start_line": e.start_line, "end_line": e.end_line, "sha256": e.sha256}
                     for e in sample.evidence],
        "trace": [{"claim": t.claim, "evidence_ids": list(t.evidence_ids)} for t in sample.trace],
        "review": {"status": review_status, "reviewer": reviewer},
    }


_ENCODER = json.JSONEncoder(ensure_ascii=False)  # json.dumps(..., ensure_ascii=False) builds one per call
_SYSTEM = _ENCODER.encode({"role": "system", "content": SYSTEM_PROMPT})


def line(sample_id: str, messages: list[dict], meta: dict) -> str:
    """`json.dumps({"id", "messages", "meta"}, ensure_ascii=False)` + newline, byte for byte; the
    system message, the same in every line, is encoded once (a third of the export's bytes)."""
    enc = _ENCODER.encode
    if messages[0] != {"role": "system", "content": SYSTEM_PROMPT}:
        return enc({"id": sample_id, "messages": messages, "meta": meta}) + "\n"
    rest = ", ".join(enc(m) for m in messages[1:])
    return f'{{"id": {enc(sample_id)}, "messages": [{_SYSTEM}, {rest}], "meta": {enc(meta)}}}\n'


def dataset_info() -> bytes:
    """LLaMA-Factory's dataset registry for this directory: sharegpt format, OpenAI-style role tags."""
    entry = {
        "formatting": "sharegpt",
        "columns": {"messages": "messages"},
        "tags": {"role_tag": "role", "content_tag": "content", "user_tag": "user",
                 "assistant_tag": "assistant", "system_tag": "system"},
    }
    info = {f"{DATASET_NAME}_{split}": {"file_name": f"{split}.jsonl", **entry} for split in ("train", "val")}
    return (json.dumps(info, indent=2, sort_keys=True) + "\n").encode("utf-8")


def parquet(lines: list[str]) -> bytes:
    """The same records as Parquet (meta kept as a JSON string: its shape varies between samples)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    records = [json.loads(x) for x in lines]
    table = pa.table({
        "id": [r["id"] for r in records],
        "messages": [r["messages"] for r in records],
        "meta": [json.dumps(r["meta"], ensure_ascii=False) for r in records],
    })
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def creation_time() -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC).replace(microsecond=0)


def system_prompt_sha256() -> str:
    return hashlib.sha256(SYSTEM_PROMPT.encode("utf-8")).hexdigest()


def check_target(out: Path, force: bool) -> None:
    """Refuse before any work: an existing directory without --force, or one that is not an export of ours."""
    check_export_dir(out, force)


class StagedDir:
    """A temporary sibling of the export directory, swapped into place only when complete.

    Files are written (and hashed) as they are produced, so the JSONL lines are never joined
    into one more copy in memory; any failure leaves the previous export untouched.
    """

    def __init__(self, out: Path):
        self.out = out
        self.tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
        self.entries: dict[str, dict] = {}

    def write_lines(self, name: str, lines: list[str]) -> None:
        digest, size = hashlib.sha256(), 0
        with (self.tmp / name).open("wb") as fh:
            for start in range(0, len(lines), 4096):
                chunk = "".join(lines[start:start + 4096]).encode("utf-8")
                digest.update(chunk)
                size += len(chunk)
                fh.write(chunk)
        self.entries[name] = {"sha256": digest.hexdigest(), "bytes": size, "records": len(lines)}

    def write(self, name: str, data: bytes, record: bool = True) -> None:
        (self.tmp / name).write_bytes(data)
        if record:
            self.entries[name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}

    def __enter__(self) -> StagedDir:
        try:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            remove_stale_staging(self.out)
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp.mkdir()
        except OSError as exc:
            raise UserError(f"cannot write the export beside {self.out}: {exc.strerror or exc}") from None
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        old = self.out.parent / f".{self.out.name}.old-{os.getpid()}"
        try:
            if exc_type is None:
                if self.out.exists():
                    self.out.rename(old)
                try:
                    self.tmp.rename(self.out)
                except OSError:
                    if old.exists():
                        old.rename(self.out)
                    raise
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)
            shutil.rmtree(old, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:   # alive, someone else's
        return True
    return True


def remove_stale_staging(out: Path) -> list[Path]:
    """Remove `.NAME.tmp-PID` / `.NAME.old-PID` siblings of `out` left by an export whose process is gone
    (a `kill -9` mid-export); a live exporter's directory is left alone. Returns what was removed."""
    removed = []
    for prefix in (f".{out.name}.tmp-", f".{out.name}.old-"):
        for path in out.parent.glob(f"{prefix}*"):
            pid = path.name[len(prefix):]
            if pid.isdigit() and path.is_dir() and not path.is_symlink() and not _pid_alive(int(pid)):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed


def zip_export(directory: Path) -> bytes:
    """The export directory as a zip with fixed timestamps: the same export gives the same bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f"{directory.name}/{path.relative_to(directory).as_posix()}", (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())
    return buf.getvalue()
