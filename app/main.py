"""Entry point: `streamlit run app/main.py -- --db FILE` (or $ACDP_DB); one page per file in pages/."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run app/main.py` puts app/ first on the path, not the repo root
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from app.access import gate  # noqa: E402
from app.nav import pages  # noqa: E402
from app.state import db_path, problems_shown  # noqa: E402

# a local icon: a Material icon as page_icon makes the browser fetch the favicon from fonts.gstatic.com
st.set_page_config(page_title="AutoCodeDataPipeline", page_icon=str(ROOT / "app" / "icon.png"), layout="wide")
gate()  # loopback, or a login: nothing below is served to an unauthenticated network client
page = st.navigation(pages())
st.sidebar.caption(f"Database: `{db_path()}`")
with problems_shown():
    page.run()
