"""Reading repository files as text, whatever their encoding.

Chinese code bases still carry GBK files. Strict UTF-8 first; then GBK /
GB18030 when that decodes cleanly into CJK text (detectors mistake short GBK
files for Korean); then charset-normalizer's guess. The encoding is recorded
at index time so evidence is re-read exactly as it was indexed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import charset_normalizer

from core.errors import UserError
from core.models import sha256_bytes

_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class SourceFile:
    path: str          # relative to the repo root
    data: bytes
    text: str
    encoding: str

    @cached_property
    def sha256(self) -> str:
        return sha256_bytes(self.data)

    @cached_property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    def snippet(self, start_line: int, end_line: int) -> str:
        """Lines start..end, 1-based inclusive, joined with newlines."""
        return "\n".join(self.lines[start_line - 1 : end_line])


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding) for the raw bytes of a source file."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for encoding in ("gbk", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _CJK.search(text):
            return text, encoding
    best = charset_normalizer.from_bytes(data).best()
    if best is not None:
        return str(best), best.encoding
    return data.decode("latin-1"), "latin-1"


def read_source(root: Path, rel_path: str, encoding: str | None = None) -> SourceFile:
    """Read `rel_path` under `root`; with `encoding` given, decode exactly as indexed."""
    path = root / rel_path
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{rel_path}: file not found under {root}") from None
    if encoding:
        text = data.decode(encoding, errors="replace")
        if encoding == "utf-8-sig":
            text = text.removeprefix("\ufeff")
    else:
        text, encoding = decode(data)
    return SourceFile(rel_path, data, text, encoding)
