"""The evidence viewer: exact source lines with the file's own line numbers.

`st.code(line_numbers=True)` always counts from 1, so the numbers are
written into the gutter of the code body instead; the highlighter still
sees Java / XML / SQL. Surrounding context is read from the file as it is
on disk now (decoded as it was indexed), with the cited lines marked.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from core.errors import UserError
from core.source import SourceFile, read_source

CONTEXT_LINES = 15
_LANGUAGES = {".java": "java", ".xml": "xml", ".sql": "sql", ".yml": "yaml", ".yaml": "yaml",
              ".properties": "properties", ".kt": "kotlin"}


def language_of(path: str) -> str:
    return _LANGUAGES.get(Path(path).suffix.lower(), "text")


def numbered(lines: list[str], first: int, marked: range | None = None) -> str:
    """Lines prefixed with their line numbers (`first` is the number of lines[0]); marked ones get a bar.

    The indentation the lines share is dropped; relative indentation stays.
    """
    width = len(str(first + len(lines) - 1))
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(indents, default=0)  # the common indentation only costs width
    lines = [line[cut:] for line in lines]
    out = []
    for n, line in enumerate(lines, first):
        mark = "" if marked is None else ("▌" if n in marked else " ")
        out.append(f"{n:>{width}}{mark} {line}")
    return "\n".join(out)


def _read(root: str, path: str, encoding: str | None) -> SourceFile | None:
    """The file as it is on disk now; a file gone or unreadable is a warning in its place."""
    try:
        return read_source(Path(root), path, encoding)
    except UserError as exc:
        st.warning(str(exc))
        return None


def render_evidence(evidence: dict, root: str | None, encoding: str | None, key: str) -> None:
    """One evidence item: `path:lines`, the cited code, and expandable context from the file."""
    path, start, end = evidence["path"], evidence["start_line"], evidence["end_line"]
    st.markdown(f"**{evidence['id']}** `{path}:{start}-{end}`")
    st.code(numbered(evidence["text"].split("\n"), start), language=language_of(path), wrap_lines=True)
    if root is None:
        st.caption("The repository is not indexed in this database, so the file cannot be opened.")
        return
    box = st.expander(f"Context: {CONTEXT_LINES} lines around {path}:{start}-{end}", key=f"ctx-{key}", on_change="rerun")
    if not box.open:  # the file is read only when the curator opens the context
        return
    with box:
        source = _read(root, path, encoding)
        if source is None:
            return
        if source.sha256 != evidence.get("sha256"):
            st.warning("The file changed since indexing: the context below is the file as it is now.")
        lo = max(1, start - CONTEXT_LINES)
        hi = min(len(source.lines), end + CONTEXT_LINES)
        st.code(numbered(source.lines[lo - 1 : hi], lo, range(start, end + 1)), language=language_of(path), wrap_lines=True)


def render_code_span(root: str | None, path: str, start: int, end: int, encoding: str | None = None) -> None:
    """Code of a map node (class, method, SQL statement) straight from the file."""
    if root is None:
        st.caption("The repository is not indexed in this database.")
        return
    source = _read(root, path, encoding)
    if source is None:
        return
    st.markdown(f"`{path}:{start}-{end}`")
    st.code(numbered(source.lines[start - 1 : end], start), language=language_of(path), wrap_lines=True)
