"""What an LLM generation will cost before it runs, and what it cost after: shown on the Pipeline page."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from core.context import Context
from core.pipeline import stage_args
from storage import Database


def estimate(db: Database, repo: Path, domains: list[str], lang: str, backend: str, overrides: dict) -> dict:
    """The generate stage's own estimate (core.generate.stage.estimate) for these settings."""
    from core.generate import stage as gen_stage

    ctx = Context(db=db, repo=repo, domains=domains, backend=backend, lang=lang)
    return gen_stage.estimate(ctx, stage_args(("generate",), **overrides))


def estimate_text(est: dict) -> str:
    if not est.get("model"):
        return "The template backend calls no model: generation costs nothing."
    cost = f"≈ ${est['cost_usd']:.4f}" if est["cost_usd"] is not None else "no price known for this model"
    return (f"Estimated cost before the run: {est['to_ask']} requests to {est['model']} "
            f"({est['cached']} answers already cached), about {est['tokens_in']:,} input and "
            f"{est['tokens_out']:,} output tokens: {cost} at list price"
            + (" (Message Batches: half price)" if est.get("batch") else "") + "; retries and repairs add to it.")


def spend_text(counts: dict) -> str:
    """A generate run's bill from its counts (every attempt), or '' for runs that called no model."""
    if not counts or not counts.get("llm_calls"):
        return ""
    cost = f"${counts['cost_usd']:.4f}" if counts.get("cost_usd") is not None else "no price"
    return (f"{counts['llm_calls']} LLM calls, {counts.get('tokens_in', 0):,} tokens in, "
            f"{counts.get('tokens_out', 0):,} out: {cost}")


def show_estimate(db: Database, repo: Path, domains: list[str], lang: str, backend: str, overrides: dict) -> None:
    st.info(estimate_text(estimate(db, repo, domains, lang, backend, overrides)), icon=":material/payments:")
