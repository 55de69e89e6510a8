"""The app listens on loopback; any other address needs a login, or it neither starts nor serves."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from app.access import refusal

ROOT = Path(__file__).resolve().parent.parent


def test_only_loopback_is_open_without_a_login(tmp_path, monkeypatch):
    monkeypatch.delenv("ACDP_APP_PASSWORD", raising=False)
    assert refusal("127.0.0.1", tmp_path) is None and refusal("::1", tmp_path) is None
    assert "without authentication" in refusal("0.0.0.0", tmp_path)
    assert "every interface" in refusal(None, tmp_path)  # Streamlit's own default binds everywhere
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        '[auth]\nredirect_uri = "https://review.example/oauth2callback"\ncookie_secret = "s"\n')
    assert refusal("0.0.0.0", tmp_path) is None  # an OIDC login is configured
    monkeypatch.setenv("ACDP_APP_PASSWORD", "pw")
    assert refusal("10.0.0.5", ROOT) is None


def test_the_launcher_refuses_an_open_bind_without_authentication(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "ACDP_APP_PASSWORD"} | {"HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "app", "--address", "0.0.0.0", "--db", str(tmp_path / "a.duckdb")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "refusing to start" in done.stderr


def _listening(port: int) -> set[str]:
    """Local addresses of the LISTEN sockets on `port` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


@pytest.mark.slow
def test_make_app_listens_on_loopback_only(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(["make", "-s", "-o", ".venv/.installed", "app", f"PORT={port}", f"DB={tmp_path / 'a.duckdb'}"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not _listening(port) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert _listening(port) == {"0100007F"}  # 127.0.0.1 only, no 0.0.0.0 and no IPv6 socket
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)


@pytest.fixture
def open_bind(monkeypatch, db):
    monkeypatch.setenv("ACDP_DB", str(db.path))
    st.config.set_option("server.address", "0.0.0.0")
    yield
    st.config.set_option("server.address", "127.0.0.1")


def test_a_server_bound_elsewhere_serves_no_page_without_authentication(open_bind, monkeypatch):
    monkeypatch.delenv("ACDP_APP_PASSWORD", raising=False)
    at = AppTest.from_file("../app/main.py", default_timeout=60).run()
    assert "Refused" in at.error[0].value and not at.title


def test_a_server_bound_elsewhere_asks_for_the_password(open_bind, monkeypatch):
    monkeypatch.setenv("ACDP_APP_PASSWORD", "s3cret")
    at = AppTest.from_file("../app/main.py", default_timeout=60).run()
    assert not at.title
    at.text_input[0].input("wrong")
    at.button[0].click().run()
    assert "Wrong password." in [e.value for e in at.error] and not at.title
    at.text_input[0].input("s3cret")
    at.button[0].click().run()
    assert [t.value for t in at.title] == ["Dashboard"]   # the first page
