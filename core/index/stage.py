"""`index`: parse the repository into files, chunks, symbols, calls, SQL statements, config keys.

Incremental: a file whose sha256 is already in the index is not read as
source again, a changed file's rows are replaced, a deleted file's rows
leave. Calls and SQL links are re-resolved over the whole repository
whenever anything changed, since one file's change can change what another
file's calls reach. Everything is written in one transaction: a failed run
leaves the previous index intact.
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

from core.context import Context, repo_id_for
from core.errors import UserError
from core.index.build import IndexBatch, index_file, looks_binary
from core.index.resolve import Resolver, link_sql, resolve_calls
from core.index.walk import walk_repo
from core.models import sha256_bytes
from core.source import NotRegularFile, read_regular
from storage import index_store
from storage import repos as repo_store


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--full", action="store_true", help="index: parse every file again, even unchanged ones")


def check_repo(repo: Path | None) -> Path:
    """The repository root, or a UserError that says what is wrong with --repo."""
    if repo is None:
        raise UserError("no repository given: pass --repo PATH (a directory with Java sources)")
    if not repo.exists():
        raise UserError(f"repository not found: {repo} does not exist")
    if not repo.is_dir():
        raise UserError(f"--repo must be a directory, but {repo} is a file")
    return repo.resolve()


def git_commit(root: Path) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    # a work tree nested in another repo's ignored folder would report the outer commit
    if done.returncode != 0:
        return None
    top = subprocess.run(["git", "-C", str(root), "rev-parse", "--show-toplevel"], capture_output=True, text=True,
                         timeout=10)
    return done.stdout.strip() if top.returncode == 0 and Path(top.stdout.strip()).resolve() == root else None


def _index_one(batch: IndexBatch, cand, data: bytes, digest: str) -> str | None:
    """Index one file into `batch`; a file too deeply nested to parse is left out whole, with the reason."""
    own = IndexBatch(batch.repo_id)
    try:
        index_file(own, cand, data, digest)
    except RecursionError:
        return "nested too deeply to parse (Python recursion limit)"
    batch.extend(own)
    return None


def run(ctx: Context, args: argparse.Namespace) -> dict:
    root = check_repo(ctx.repo)
    repo_id = repo_id_for(root)
    walked = walk_repo(root)
    java = [c for c in walked.files if c.language == "java"]
    if not java:
        raise UserError(f"no Java files found under {root}: point --repo at a Java project's root directory")
    with ctx.db.connect() as con:
        indexed = index_store.file_hashes(con, repo_id)
    known = {} if getattr(args, "full", False) else indexed
    changed = []
    current: set[str] = set()
    for cand in walked.files:
        try:
            data = read_regular(cand.abs_path)
        except NotRegularFile as exc:   # replaced by a FIFO since the walk
            walked.skipped.append((cand.path, str(exc)))
            continue
        except OSError as exc:   # unreadable, or gone since the walk: skipped, the run goes on
            walked.skipped.append((cand.path, f"unreadable: {exc.strerror or exc}"))
            continue
        if looks_binary(data):
            walked.skipped.append((cand.path, "binary content (NUL bytes) in a source file"))
            continue
        current.add(cand.path)
        digest = sha256_bytes(data)
        if known.get(cand.path) != digest:
            changed.append((cand, data, digest))
    stale = [c.path for c, _, _ in changed if c.path in indexed]
    commit = git_commit(root)

    batch = IndexBatch(repo_id)
    ctx.progress.start("index", len(changed))
    for cand, data, digest in changed:
        reason = _index_one(batch, cand, data, digest)
        if reason:
            walked.skipped.append((cand.path, reason))
            current.discard(cand.path)
        ctx.progress.advance()
    deleted = [p for p in indexed if p not in current]

    with ctx.db.transaction() as con:
        index_store.replace_skipped(con, repo_id, walked.skipped)
        if changed or deleted or not known:
            index_store.delete_files(con, repo_id, stale + deleted)
            batch.write(con)
            resolver = Resolver(index_store.symbols_for_resolution(con, repo_id))
            kept_calls = index_store.calls_for_resolution(con, repo_id)   # of the unchanged files
            index_store.replace_calls(con, repo_id, resolve_calls(resolver, kept_calls + batch.calls))
            index_store.set_sql_links(con, repo_id, link_sql(resolver, index_store.sql_links_input(con, repo_id)))
        repo_store.upsert_repo(con, repo_id, str(root), commit)
        stats = index_store.index_stats(con, repo_id)
    stats.update(parsed=len(changed), deleted=len(deleted), unchanged=len(current) - len(changed))
    ctx.progress.finish(
        f"{stats['files']} files ({len(changed)} parsed, {len(deleted)} removed), {stats['chunks']} chunks, "
        f"{stats['symbols']} symbols, calls resolved {stats['calls_resolved_pct']}%, "
        f"SQL linked {stats['sql_linked_pct']}%")
    return stats
