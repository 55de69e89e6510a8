"""Reading repository files as text, whatever their encoding, with secrets masked.

Chinese code bases still carry GBK files. Strict UTF-8 first; then GBK /
GB18030 when that decodes cleanly into CJK text (detectors mistake short GBK
files for Korean); then charset-normalizer's guess, where a Western file
stays Latin-1 (or cp1252) rather than a Central-European code page that
happens to score the same. The encoding is recorded at index time so
evidence is re-read exactly as it was indexed.

Every text handed out here is masked (`core.masking`): what the index, the
rules, the samples and the app show of a file never holds its secrets, while
`sha256` stays that of the bytes on disk. Only regular files are opened, and
without blocking, so a FIFO named `*.java` cannot hang a run.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import charset_normalizer

from core.errors import UserError
from core.masking import mask_text
from core.models import sha256_bytes

_CJK = re.compile(r"[\u4e00-\u9fff]")
_WESTERN = frozenset({"cp1252", "latin_1", "iso8859_1", "iso8859_15"})


class NotRegularFile(OSError):
    """A FIFO, socket or device where a source file was expected."""


@dataclass(frozen=True)
class SourceFile:
    path: str          # relative to the repo root
    data: bytes        # as on disk
    text: str          # decoded, secrets masked (same lines and line lengths as the file)
    encoding: str

    @cached_property
    def sha256(self) -> str:
        return sha256_bytes(self.data)

    @cached_property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    @cached_property
    def unmasked(self) -> str:
        """The decoded text with its secrets, for a parser that needs the structure only (a masked YAML
        value `******` reads as an alias); what is stored from it must be checked against `lines`."""
        text = self.data.decode(self.encoding, errors="replace")
        return text.removeprefix("\ufeff") if self.encoding in ("utf-8-sig", "utf-16") else text

    def snippet(self, start_line: int, end_line: int) -> str:
        """Lines start..end, 1-based inclusive, joined with newlines."""
        return "\n".join(self.lines[start_line - 1 : end_line])


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding) for the raw bytes of a source file."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):   # a UTF-16 BOM (an XML file may declare UTF-16)
        return data.decode("utf-16", errors="replace").removeprefix("\ufeff"), "utf-16"
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
    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is None:
        return data.decode("latin-1"), "latin-1"
    if any(m.encoding in _WESTERN and m.chaos <= best.chaos and m.coherence >= best.coherence for m in matches):
        encoding = "cp1252" if any(0x80 <= b <= 0x9F for b in data) else "latin-1"
        return data.decode(encoding, errors="replace"), encoding
    return str(best), best.encoding


def read_regular(path: str | Path) -> bytes:
    """The bytes of a regular file; raises NotRegularFile for a FIFO, socket or device (never blocks on one)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(f"not a regular file ({_kind(mode)})")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read()
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "FIFO"), (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device"), (stat.S_ISDIR, "directory")):
        if test(mode):
            return name
    return "special file"


def source_file(rel_path: str, data: bytes, encoding: str | None = None) -> SourceFile:
    """`data` decoded (exactly as `encoding` when given) and masked."""
    if encoding:
        text = data.decode(encoding, errors="replace")
        if encoding in ("utf-8-sig", "utf-16"):
            text = text.removeprefix("\ufeff")
    else:
        text, encoding = decode(data)
    return SourceFile(rel_path, data, mask_text(text, rel_path), encoding)


def read_source(root: Path, rel_path: str, encoding: str | None = None) -> SourceFile:
    """Read `rel_path` under `root`; with `encoding` given, decode exactly as indexed."""
    try:
        data = read_regular(root / rel_path)
    except FileNotFoundError:
        raise UserError(f"{rel_path}: file not found under {root}") from None
    return source_file(rel_path, data, encoding)
