"""What every stage is handed: the database, the target repo and the run options."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from core.errors import UserError
from core.progress import NullProgress, Progress
from storage import Database
from storage import repos as repo_store

DEFAULT_DOMAINS = ("order", "stock")


def repo_id_for(root: Path) -> str:
    """A short stable name for a repository: its directory name."""
    return root.resolve().name


@dataclass
class Context:
    db: Database
    repo: Path | None = None
    domains: list[str] = field(default_factory=lambda: list(DEFAULT_DOMAINS))
    backend: str = "template"
    lang: str | None = None          # None: en for generation, every language for export
    progress: Progress = field(default_factory=NullProgress)

    @property
    def languages(self) -> list[str]:
        return ["en", "zh"] if self.lang == "both" else [self.lang or "en"]

    def repo_id(self) -> str:
        """The repo named by --repo, else the one indexed last."""
        if self.repo is not None:
            return repo_id_for(self.repo)
        with self.db.connect() as con:
            latest = repo_store.latest_repo(con)
        if latest is None:
            raise UserError("no repository indexed yet: run `python -m core index --repo PATH` first")
        return latest["repo_id"]

    def repo_root(self) -> Path:
        """The indexed repo's root on disk (evidence is read from there)."""
        if self.repo is not None:
            return self.repo.resolve()
        with self.db.connect() as con:
            rec = repo_store.get_repo(con, self.repo_id())
        return Path(rec["root"])
