"""Building evidence items from source spans, and checking them again later.

The contract (ARCHITECTURE.md): path relative to the repo root, 1-based
inclusive lines, sha256 of the whole file at index time, text exactly those
lines. Generators build evidence here; the validator verifies it here.
"""

from __future__ import annotations

from pathlib import Path

from core.models import Evidence, Span
from core.source import SourceFile, read_source


class SourceCache:
    """Reads each file once per stage run; generators cite the same files many times."""

    def __init__(self, root: Path, encodings: dict[str, str] | None = None):
        self.root = root
        self.encodings = encodings or {}
        self._files: dict[str, SourceFile] = {}

    def get(self, rel_path: str) -> SourceFile:
        if rel_path not in self._files:
            self._files[rel_path] = read_source(self.root, rel_path, self.encodings.get(rel_path))
        return self._files[rel_path]


def make_evidence(files: SourceCache, span: Span, evidence_id: str) -> Evidence:
    source = files.get(span.path)
    end = min(span.end_line, len(source.lines))
    return Evidence(
        id=evidence_id, path=span.path, start_line=span.start_line, end_line=end,
        sha256=source.sha256, text=source.snippet(span.start_line, end),
    )


def verify_evidence(files: SourceCache, evidence: Evidence) -> str | None:
    """None when the evidence still matches the file, else what no longer does."""
    try:
        source = files.get(evidence.path)
    except Exception as exc:  # missing or unreadable file: the sample must fail, naming it
        return f"{evidence.path}: cannot read ({exc})"
    if source.sha256 != evidence.sha256:
        return f"{evidence.path}: file changed since indexing (sha256 differs)"
    if evidence.end_line > len(source.lines):
        return f"{evidence.path}: lines {evidence.start_line}-{evidence.end_line} beyond end of file ({len(source.lines)} lines)"
    if source.snippet(evidence.start_line, evidence.end_line) != evidence.text:
        return f"{evidence.path}:{evidence.start_line}-{evidence.end_line}: text differs from the file"
    return None
