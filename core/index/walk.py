"""Finding the files worth indexing, and saying why the others were left out.

A walk never follows a symlink back into a directory it has already seen
(loops would never end) nor out of the repository; build output, VCS data
and dependencies are skipped by directory name; big and binary files are
skipped by size and content; file names that are not UTF-8 and anything but
a regular file (a FIFO named `*.java` would block a reader forever) are
skipped too. Each skip is reported with its reason.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from core.index.config_keys import is_config

MAX_FILE_BYTES = 1_000_000
SKIP_DIRS = frozenset({".git", ".svn", ".hg", ".idea", ".gradle", ".mvn", "target", "build", "out", "node_modules",
                       "__pycache__", ".venv"})
BINARY_SUFFIXES = frozenset({
    ".jar", ".war", ".class", ".zip", ".gz", ".tar", ".7z", ".png", ".jpg", ".jpeg", ".gif", ".ico", ".bmp",
    ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".so", ".dll", ".exe", ".bin", ".mp4", ".woff",
    ".woff2", ".ttf", ".eot",
})
BUILD_FILES = ("pom.xml", "build.gradle", "build.gradle.kts")
# Files indexed as plain text, parsed by no indexer: generated designs cite them (the DDL that holds a column, the
# page that shows a field, the script that calls an endpoint), so their lines must be known to the strict checker
# and their hashes to the staleness check like any other cited file.
TEMPLATES = (".html", ".ftl", ".jsp", ".vm")
THIRD_PARTY_DIRS = frozenset({"plugins", "vendor", "vendors"})


@dataclass
class Candidate:
    path: str            # relative, '/' separated
    abs_path: str
    language: str        # java | xml | yaml | properties | sql | template | script
    size: int
    module: str


@dataclass
class WalkResult:
    files: list[Candidate] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)   # (path, reason)
    modules: list[str] = field(default_factory=list)              # Maven / Gradle module dirs ('' = root)


def _language(name: str) -> str | None:
    if name.endswith(".java"):
        return "java"
    if name.endswith(".xml"):
        return "xml"
    if is_config(name):
        return "properties" if name.endswith(".properties") else "yaml"
    if name.endswith(".sql"):
        return "sql"
    if name.endswith(TEMPLATES):
        return "template"
    if name.endswith(".js") and ".min." not in name:
        return "script"
    return None


def is_own_script(rel_parts: tuple[str, ...]) -> bool:
    """A page script the team wrote: not minified, not under a folder of third-party plugins."""
    return ".min." not in rel_parts[-1] and not THIRD_PARTY_DIRS & set(rel_parts[:-1])


def _printable(name: str) -> str:
    """A file name that is not valid UTF-8 (kept by Python as surrogate escapes), shown with its bad bytes as '?'."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace").replace("\ufffd", "?")


def _valid_name(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def walk_repo(root: Path) -> WalkResult:
    """Every candidate source file under `root`, plus skipped paths with reasons.

    Iterative (a stack, not recursion), so no depth of directories can exhaust the Python stack;
    O(entries) with one stat per file.
    """
    root = root.resolve()
    result = WalkResult()
    seen_dirs: set[tuple[int, int]] = set()
    root_str = str(root)
    stack: list[tuple[str, str, str]] = [(root_str, "", "")]

    while stack:
        directory, rel, module = stack.pop()
        try:
            st = os.stat(directory)
        except OSError as exc:
            result.skipped.append((rel or ".", f"unreadable: {exc.strerror}"))
            continue
        if (st.st_dev, st.st_ino) in seen_dirs:
            result.skipped.append((rel, "symlink loop"))
            continue
        seen_dirs.add((st.st_dev, st.st_ino))
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            result.skipped.append((rel or ".", f"unreadable: {exc.strerror}"))
            continue
        names = {e.name for e in entries}
        if any(b in names for b in BUILD_FILES):
            module = rel
            result.modules.append(rel)
        subdirs = []
        for entry in entries:
            entry_rel = f"{rel}/{entry.name}" if rel else entry.name
            if not _valid_name(entry.name):
                result.skipped.append((f"{rel}/{_printable(entry.name)}" if rel else _printable(entry.name),
                                       "file name is not valid UTF-8"))
                continue
            if entry.is_symlink():
                target = os.path.realpath(entry.path)
                if target != root_str and not target.startswith(root_str + os.sep):
                    result.skipped.append((entry_rel, "symlink outside the repository"))
                    continue
                if not os.path.exists(target):
                    result.skipped.append((entry_rel, "broken symlink"))
                    continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                continue
            if is_dir:
                if entry.name in SKIP_DIRS:
                    result.skipped.append((entry_rel, f"ignored directory ({entry.name})"))
                else:
                    subdirs.append((entry.path, entry_rel, module))
                continue
            name = entry.name
            suffix = os.path.splitext(name)[1].lower()
            if suffix in BINARY_SUFFIXES:
                result.skipped.append((entry_rel, "binary"))
                continue
            language = _language(name)
            if language is None or (language == "script" and not is_own_script(tuple(entry_rel.split("/")))):
                continue
            try:
                st_file = entry.stat()
            except OSError as exc:
                result.skipped.append((entry_rel, f"unreadable: {exc.strerror}"))
                continue
            if not stat.S_ISREG(st_file.st_mode):
                result.skipped.append((entry_rel, "not a regular file (FIFO, socket or device)"))
                continue
            if st_file.st_size > MAX_FILE_BYTES:
                result.skipped.append((entry_rel, f"over 1 MB ({st_file.st_size} bytes)"))
                continue
            result.files.append(Candidate(entry_rel, entry.path, language, st_file.st_size, module))
        stack.extend(reversed(subdirs))   # depth first, in name order, as before
    return result
