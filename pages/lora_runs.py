"""LoRA runs: start a fine-tuning process, watch it, stop it, compare base and tuned answers."""

import streamlit as st

from app import runs_view
from app.state import database, problems_shown, show_flashes

st.title("LoRA runs")
db = database()
show_flashes()

with problems_shown():
    runs_view.start_form(db)
with problems_shown():
    runs_view.live_runs(db)
st.subheader("Runs")
with problems_shown():
    runs = runs_view.runs_table(db)
    runs_view.run_details(db, runs)
