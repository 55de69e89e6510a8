"""LoRA runs: start a fine-tuning process, watch it, stop it, compare base and tuned answers."""

from app.runs_view import render

render()
