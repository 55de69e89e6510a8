"""Session-wide helpers: which database, who is reviewing, and errors shown as messages.

Every action opens a connection through `Database.connect()` and closes it;
the file stays open only for a moment after the last click (`_KeepWarm`), so
the CLI can work on the same file while the curator is idle. When another
process holds the file, the page says which and what to do instead of
showing a traceback.
"""

from __future__ import annotations

import argparse
import atexit
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote

import duckdb
import streamlit as st
from streamlit.errors import StreamlitAPIException

from app.keys import COOKIE
from core.errors import UserError
from storage import DEFAULT_DB, Database, DatabaseLocked, StorageError

HANDLED = (DatabaseLocked, UserError, StorageError)  # errors a curator can act on: shown as messages


def db_path() -> Path:
    """`streamlit run app/main.py -- --db FILE`, else $ACDP_DB, else data/acdp.duckdb."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--db", type=Path)
    args, _ = parser.parse_known_args(sys.argv[1:])
    return args.db or Path(os.environ.get("ACDP_DB") or DEFAULT_DB)


class _KeepWarm:
    """Holds the DuckDB instance open for a moment after the app's last use of it.

    Opening a DuckDB file (and checkpointing it when the last connection
    closes) costs 15-25 ms, several times per click. A curator's clicks come
    in bursts, so the instance stays open until `idle` seconds pass without
    a rerun; then the file is free for the CLI again, which waits a few
    seconds for a lock anyway (Database.wait).
    """

    def __init__(self, idle: float):
        self.idle = idle
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._opening = None
        self._timer: threading.Timer | None = None
        # A timer that fires while the interpreter shuts down closes DuckDB from a dying thread,
        # which aborts the process (exit 134): let go before shutdown instead.
        atexit.register(self.release)

    def touch(self, path: str) -> None:
        with self._lock:
            if self._con is None:
                # through Database.connect, so the file is opened exactly as every other connection opens it
                opening = Database(Path(path), wait=0).connect()
                try:
                    self._con = opening.__enter__()
                except (DatabaseLocked, StorageError, duckdb.Error):  # held elsewhere: Database.connect reports it
                    return
                self._opening = opening
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self.idle, self.release)
            self._timer.daemon = True
            self._timer.start()

    def release(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            if self._con is not None:
                self._opening.__exit__(None, None, None)
                self._con = self._opening = None


@st.cache_resource(show_spinner=False)
def _database(path: str) -> tuple[Database, _KeepWarm]:
    return Database(path, wait=1.0), _KeepWarm(float(os.environ.get("ACDP_APP_HOLD", 1.5)))


def database() -> Database:
    db, warm = _database(str(db_path().resolve()))
    warm.touch(str(db.path))
    return db


def reviewer() -> str:
    return st.session_state.get("reviewer", "").strip()


def _keep_reviewer() -> None:
    st.session_state.reviewer = st.session_state.get("_reviewer_box", "")


def _signed_in_name() -> str | None:
    """The name of the user signed in through Streamlit's OIDC login, when the app uses it."""
    try:
        if st.user.is_logged_in:
            return str(st.user.get("name") or st.user.get("email") or "")
    except (AttributeError, KeyError, StreamlitAPIException):  # no [auth] configured
        return None
    return None


def reviewer_input() -> str:
    """The reviewer's name, kept for the session and remembered by the browser (every decision carries it).

    Signed in through OIDC, the name is the account's. Otherwise it is typed
    in the sidebar; app.keys copies it to a cookie, read here on the next
    visit, so a reload keeps it. The widget's own key is dropped by Streamlit
    on pages that do not show it, so the name lives under a plain key too.
    """
    signed_in = _signed_in_name()
    if signed_in:
        st.session_state.reviewer = signed_in
        st.sidebar.text_input("Reviewer", value=signed_in, disabled=True, help="your signed-in account")
        return reviewer()
    if "reviewer" not in st.session_state:
        cookie = st.context.cookies.get(COOKIE)
        st.session_state.reviewer = os.environ.get("ACDP_REVIEWER") or (unquote(cookie) if isinstance(cookie, str) else "")
    if "_reviewer_box" not in st.session_state:
        st.session_state._reviewer_box = st.session_state.reviewer
    st.sidebar.text_input("Reviewer", key="_reviewer_box", placeholder="your name", on_change=_keep_reviewer,
                          help="recorded with every decision; this browser remembers it")
    return reviewer()


def show_problem(exc: Exception) -> None:
    if isinstance(exc, DatabaseLocked):
        st.error(f"**The database is busy.** {exc}", icon=":material/lock:")
        st.caption("The app opens the file only while it works; reload this page once the other process is done.")
    elif isinstance(exc, UserError | StorageError):
        st.warning(str(exc), icon=":material/info:")
    else:  # a bug: one line, the traceback on request
        st.error(f"Unexpected error: {type(exc).__name__}: {exc}", icon=":material/error:")
        with st.expander("Details"):
            st.exception(exc)


@contextmanager
def problems_shown() -> Iterator[None]:
    """Show an error inside this part of the page as a message; the parts after it still render.

    Streamlit's own control flow (st.rerun, st.stop) is a BaseException and passes through.
    """
    try:
        yield
    except Exception as exc:
        show_problem(exc)


def flash(message: str, kind: str = "success") -> None:
    """A message that survives the rerun a callback triggers."""
    st.session_state.setdefault("_flash", []).append((kind, message))


def show_flashes() -> None:
    for kind, message in st.session_state.pop("_flash", []):
        {"success": st.success, "warning": st.warning, "error": st.error, "info": st.info}[kind](message)
