"""DuckDB storage: the only place in the project that holds SQL."""

from storage.db import DEFAULT_DB, Database, DatabaseLocked, RunBusy, StorageError

__all__ = ["DEFAULT_DB", "Database", "DatabaseLocked", "RunBusy", "StorageError"]
