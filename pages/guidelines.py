"""Guidelines: what to accept and what to reject, per task type and kind, and how many reviewers a sample needs."""

import streamlit as st

from app import guidelines_view, review_page

st.title("Guidelines")
review_page.policy()
guidelines_view.full_page()
