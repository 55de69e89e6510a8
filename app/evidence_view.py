"""The evidence viewer: the cited lines inside their method, numbered as in the file.

Each evidence item opens with the method around it read from the file (the
condition two lines above a cited statement is often what gives it its
meaning), cited lines on a strong background and lines other items of the
same sample cite in that file on a light one. Code is highlighted by
Pygments, line by line, into a table whose number column sticks to the left
edge: long lines scroll instead of wrapping, so a number never parts from
its line. Everything is escaped HTML with inline styles; nothing is fetched.
"""

from __future__ import annotations

import html
from pathlib import Path

import streamlit as st
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name

from core.errors import UserError
from core.source import SourceFile, read_source

CONTEXT_LINES = 15    # around the cited lines when no method encloses them
MAX_METHOD_LINES = 80  # a longer method is cut to the cited lines and this context
_LANGUAGES = {".java": "java", ".xml": "xml", ".sql": "sql", ".yml": "yaml", ".yaml": "yaml",
              ".properties": "properties", ".kt": "kotlin"}
_FORMATTER = HtmlFormatter(nowrap=True, noclasses=True, style="friendly")
STYLE = """<style>
.acdp-ev { overflow-x: auto; border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem; background: #fbfbfb; }
.acdp-ev table { border-collapse: collapse; font-family: "Source Code Pro", monospace; font-size: 12.5px;
  line-height: 1.45; width: max-content; min-width: 100%; margin: 0; border: none; }
.acdp-ev td { border: none; padding: 0 0.6rem 0 0; white-space: pre; vertical-align: top; }
.acdp-ev td.n { position: sticky; left: 0; text-align: right; color: #888; background: #f0f0f0; padding: 0 0.5rem;
  user-select: none; min-width: 3.2em; }
.acdp-ev tr.cited td { background: #fff1a8; }
.acdp-ev tr.cited td.n { background: #f5d94a; color: #333; font-weight: 600; }
.acdp-ev tr.other td { background: #eef4ff; }
.acdp-ev tr.other td.n { background: #cfe0ff; }
</style>"""


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


def highlighted_lines(lines: list[str], path: str) -> list[str]:
    """Each line as escaped HTML with inline colour styles (Pygments closes its spans at every line end)."""
    try:
        lexer = get_lexer_by_name(language_of(path), stripnl=False, stripall=False, ensurenl=False)
    except Exception:  # noqa: BLE001 - an unknown language is plain text
        return [html.escape(line) for line in lines]
    out = highlight("\n".join(lines), lexer, _FORMATTER).split("\n")
    return out[:len(lines)] if len(out) >= len(lines) else [html.escape(line) for line in lines]


def code_table(lines: list[str], first: int, path: str, cited: set[int], other: set[int]) -> str:
    """The numbered, highlighted table: one row per line, cited rows marked, no wrapping."""
    rows = []
    for n, code in enumerate(highlighted_lines(lines, path), first):
        kind = "cited" if n in cited else "other" if n in other else ""
        rows.append(f'<tr class="{kind}" data-line="{n}"><td class="n">{n}</td><td class="c">{code or " "}</td></tr>')
    return f'<div class="acdp-ev"><table>{"".join(rows)}</table></div>'


def shown_range(start: int, end: int, member: dict | None, line_count: int) -> tuple[int, int]:
    """The lines to show: the enclosing method when it is short enough, else the citation with context."""
    if member and member["end_line"] - member["start_line"] < MAX_METHOD_LINES:
        lo, hi = member["start_line"], member["end_line"]
    else:
        lo, hi = start - CONTEXT_LINES, end + CONTEXT_LINES
    return max(1, min(lo, start)), min(line_count, max(hi, end))


def _read(root: str, path: str, encoding: str | None) -> SourceFile | None:
    """The file as it is on disk now; a file gone or unreadable is a warning in its place."""
    try:
        return read_source(Path(root), path, encoding)
    except UserError as exc:
        st.warning(str(exc))
        return None


def render_evidence(evidence: dict, siblings: list[dict], root: str | None, encoding: str | None,
                    member: dict | None) -> None:
    """One evidence item inside its method; `siblings` are all items of the sample (same-file ones get marked)."""
    path, start, end = evidence["path"], evidence["start_line"], evidence["end_line"]
    where = f" · in `{member['name']}` (lines {member['start_line']}-{member['end_line']})" if member else ""
    st.markdown(f"**{html.escape(evidence['id'])}** `{path}:{start}-{end}`{where}")
    cited = set(range(start, end + 1))
    other = {n for e in siblings if e["path"] == path and e["id"] != evidence["id"]
             for n in range(e["start_line"], e["end_line"] + 1)} - cited
    source = _read(root, path, encoding) if root is not None else None
    if source is None or source.sha256 != evidence.get("sha256"):
        if root is None:
            st.caption("The repository is not indexed in this database: only the cited lines are shown.")
        elif source is not None:
            st.warning("The file changed since indexing: only the cited lines, as indexed, are shown.")
        st.html(STYLE + code_table(evidence["text"].split("\n"), start, path, cited, other))
        return
    lo, hi = shown_range(start, end, member, len(source.lines))
    st.html(STYLE + code_table(source.lines[lo - 1:hi], lo, path, cited, other))


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
