"""`map`: the domain map of an indexed repository, labelled with the selected domains.

The map is rebuilt whole on every run (it is derived from the index in well
under a second even for mall) and replaced in one transaction.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from core.context import DEFAULT_DOMAINS, Context
from core.domain.build import MapBuilder
from core.domain.profiles import Labeler, load_profiles, select
from core.errors import UserError
from storage import domain_store
from storage import repos as repo_store


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--domain-config", type=Path, default=None, metavar="FILE",
                        help="map: YAML file adding or replacing domain keyword profiles (see core/domain/profiles.py)")


def _labeler(ctx: Context, args: argparse.Namespace) -> Labeler:
    profiles = load_profiles(getattr(args, "domain_config", None))
    return Labeler(select(profiles, ctx.domains or list(DEFAULT_DOMAINS)))


def check(ctx: Context, args: argparse.Namespace) -> None:
    """Unknown domain names and a bad --domain-config fail before indexing starts."""
    _labeler(ctx, args)


def run(ctx: Context, args: argparse.Namespace) -> dict:
    labeler = _labeler(ctx, args)
    repo_id = ctx.repo_id()
    ctx.progress.start("map")
    with ctx.db.connect() as con:
        record = repo_store.get_repo(con, repo_id)
        if record is None:
            raise UserError(f"repository {repo_id} is not indexed: run `python -m core index --repo PATH` first")
        root = Path(record["root"])
        rows = MapBuilder(con, repo_id, root if root.is_dir() else None, labeler).build()
    with ctx.db.transaction() as con:
        domain_store.replace_map(con, repo_id, rows)
        counts = domain_store.map_counts(con, repo_id)
    ctx.progress.finish(", ".join(f"{n} {name}" for name, n in counts.items()))
    return counts
