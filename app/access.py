"""Who may reach the app: loopback by default, elsewhere only behind a login.

The app's forms take server paths (index this directory, write an export
there), so it must not be open to the network. It binds to 127.0.0.1
(.streamlit/config.toml, `make app`). Binding to any other address is an
explicit setting, and then the app needs authentication: Streamlit's OIDC
login (an `[auth]` section in .streamlit/secrets.toml, `st.login`) or a
shared password in $ACDP_APP_PASSWORD. Without either, `python -m app`
refuses to start, and a server started some other way serves no page.
"""

from __future__ import annotations

import hmac
import os
import tomllib
from pathlib import Path

import streamlit as st

LOOPBACK = ("127.0.0.1", "localhost", "::1")
PASSWORD_ENV = "ACDP_APP_PASSWORD"


def is_loopback(address: str | None) -> bool:
    """No address means every interface (Streamlit's default), which is not loopback."""
    return bool(address) and (address in LOOPBACK or address.startswith("127."))


def oidc_configured(root: Path = Path(".")) -> bool:
    """An `[auth]` section with a redirect URI in a secrets.toml Streamlit reads (project or home)."""
    for path in (root / ".streamlit" / "secrets.toml", Path.home() / ".streamlit" / "secrets.toml"):
        try:
            auth = tomllib.loads(path.read_text(encoding="utf-8")).get("auth")
        except (OSError, tomllib.TOMLDecodeError):
            continue
        if isinstance(auth, dict) and auth.get("redirect_uri"):
            return True
    return False


def refusal(address: str | None, root: Path = Path(".")) -> str | None:
    """Why the app must not serve on `address`, or None when it may."""
    if is_loopback(address) or os.environ.get(PASSWORD_ENV) or oidc_configured(root):
        return None
    where = address or "every interface"
    return (f"the app would listen on {where} without authentication. Bind it to 127.0.0.1 "
            f"(the default), or set {PASSWORD_ENV}, or configure an OIDC login ([auth] in .streamlit/secrets.toml)")


def gate() -> None:
    """Stop the page here unless this session may see the app."""
    address = st.get_option("server.address")
    if is_loopback(address):
        return
    why = refusal(address)
    if why:
        st.error(f"Refused: {why}.", icon=":material/lock:")
        st.stop()
    if oidc_configured():
        if not st.user.is_logged_in:
            st.button("Log in", on_click=st.login, type="primary", icon=":material/login:")
            st.stop()
        return
    if st.session_state.get("acdp-authed"):
        return
    with st.form("acdp-login"):
        given = st.text_input("Password", type="password")
        if st.form_submit_button("Enter", type="primary"):
            if hmac.compare_digest(given.encode(), os.environ[PASSWORD_ENV].encode()):
                st.session_state["acdp-authed"] = True
                st.rerun()
            st.error("Wrong password.")
    st.stop()
