"""The landing dashboard: where the review stands and what to do next, drawn from the database on every visit.

Pictures where a curator would rather look than read (progress, validation,
reject reasons, throughput) are Vega-Lite charts through Altair, which ships
with Streamlit and renders locally; exact figures sit beside them as
metrics and tables. Every figure comes from storage.dashboard_store, the
same joins the review queue and export use.
"""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import pandas as pd
import streamlit as st

from app import failures, run_table, url_state
from app.nav import PAGES, link, page
from app.state import database, problems_shown
from core import agreement
from core.review import reviewers_required
from storage import Database, runs_store
from storage import dashboard_store as store
from storage import repos as repo_store

STATUS_COLORS = {"pending": "#9e9e9e", "accepted": "#2e7d32", "edited": "#1565c0", "rejected": "#c62828"}
RESULT_COLORS = {"pass": "#2e7d32", "warn": "#f9a825", "fail": "#c62828", "unchecked": "#9e9e9e"}
TASK_NAMES = {"qa": "QA", "design": "design"}
REVIEW_PAGES = {"qa": "qa_review", "design": "design_review"}
RERUN_PAGES = {"export": "export", "infer": "lora_runs"}   # where a failed stage is run again; the rest: Pipeline


@dataclass
class Figures:
    progress: pd.DataFrame       # task_type, domain, language, status, n
    validation: pd.DataFrame     # task_type, result, n
    findings: pd.DataFrame       # check_name, result, n
    reasons: pd.DataFrame        # task_type, reason, n
    throughput: pd.DataFrame     # reviewer, day, decisions
    pending: list[dict]          # task_type, domain, n (largest first)
    runs: pd.DataFrame           # the latest stage runs
    failing: list[dict]          # the last run of each stage, when it failed
    training: list[dict]         # the latest LoRA runs (train_runs)
    gen_failures: list[dict]     # backend, reason, n, last: work items generation could not answer
    agreement: list[agreement.PairAgreement]
    rounds: dict[str, dict[str, int]]  # task type -> samples per review stage (unreviewed, awaiting, final, disputed)
    required: int                # reviewers a sample needs


def _frame(rows: list[dict], columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(columns))


def figures(db: Database, repo_id: str | None) -> Figures:
    """Every figure of the page (agreement and review stages over every repository in the file)."""
    pairs, required = agreement.pair_agreement(db), reviewers_required(db)
    rounds = {task: agreement.round_counts(db, task) for task in REVIEW_PAGES}
    with db.connect() as con:
        return Figures(
            progress=_frame(store.review_progress(con, repo_id), ("task_type", "domain", "language", "status", "n")),
            validation=_frame(store.validation_outcome(con, repo_id), ("task_type", "result", "n")),
            findings=_frame(store.check_findings(con, repo_id), ("check_name", "result", "n")),
            reasons=_frame(store.reject_reasons(con, repo_id), ("task_type", "reason", "n")),
            throughput=_frame(store.throughput(con, repo_id), ("reviewer", "day", "decisions")),
            pending=store.pending_groups(con, repo_id),
            runs=_frame(store.stage_runs(con), ("run_id", "repo_id", "stage", "status", "started_at", "finished_at",
                                                "seconds", "message", "params")),
            failing=store.failing_stages(con),
            training=runs_store.list_runs(con, limit=10),
            gen_failures=store.generation_failures(con, repo_id),
            agreement=pairs, rounds=rounds, required=required,
        )


def status_totals(f: Figures) -> dict[str, int]:
    """Samples per review status (every status present, 0 when none)."""
    by = f.progress.groupby("status")["n"].sum()
    return {status: int(by.get(status, 0)) for status in STATUS_COLORS}


def pending_label(group: dict) -> str:
    """'312 pending order QA samples': a pending group as the next action names it."""
    noun = "sample" if group["n"] == 1 else "samples"
    return f"{group['n']} pending {group['domain']} {TASK_NAMES.get(group['task_type'], group['task_type'])} {noun}"


def next_action(f: Figures) -> None:
    """The one thing to do next, as a link to the page that does it: broken stages first, then review work."""
    for run in f.failing:
        st.error(failures.stage_failure(run), icon=":material/error:")
    for target in dict.fromkeys(RERUN_PAGES.get(run["stage"], "pipeline") for run in f.failing):
        link(target, f"Open the {next(title for name, title, _ in PAGES if name == target)} page to run it again")
    if f.gen_failures:
        st.warning(failures.generation_failures(f.gen_failures), icon=":material/warning:")
        link("pipeline", "Generate again on the Pipeline page (More options: ask again for failed answers)")
    if f.training and f.training[0]["status"] == "failed":
        run = f.training[0]
        st.error(f"LoRA run **{run['run_id']}** failed: {run['message'] or 'no reason recorded'}",
                 icon=":material/error:")
        link("lora_runs", "Open the LoRA runs page")
    totals = status_totals(f)
    with st.container(border=True):
        st.markdown("**Next action**")
        if f.pending:
            first, *rest = f.pending
            _review_link(first, f"{pending_label(first)} — review", primary=True)
            for group in rest[:4]:
                _review_link(group, pending_label(group))
        elif sum(totals.values()):
            st.markdown("Every sample has a decision.")
            link("export", "Export the curated set")
        else:
            st.info("No samples yet: run the pipeline on the **Pipeline** page (or `python -m core run --repo PATH` "
                    "in a terminal), then review what it generates.", icon=":material/info:")
            link("pipeline", "Open the Pipeline page")
        for task, stages in f.rounds.items():
            if f.required > 1 and stages["awaiting"]:
                st.page_link(page(REVIEW_PAGES[task]), icon=":material/group_add:",
                             label=f"{stages['awaiting']} {TASK_NAMES[task]} sample(s) await another reviewer — review",
                             query_params=url_state.link_params(stage="awaiting", status=""))
            if stages["disputed"]:
                st.page_link(page(REVIEW_PAGES[task]), icon=":material/balance:",
                             label=f"{stages['disputed']} disputed {TASK_NAMES[task]} sample(s): reviewers disagree — settle",
                             query_params=url_state.link_params(stage="disputed", status=""))
        failed = int(f.validation.loc[f.validation["result"] == "fail", "n"].sum())
        if failed:
            st.page_link(page("qa_review"), label=f"{failed} QA / design sample(s) fail validation — look at why",
                         icon=":material/report:", query_params=url_state.link_params(status="", valid="fail"))


def _review_link(group: dict, label: str, primary: bool = False) -> None:
    target = page(REVIEW_PAGES.get(group["task_type"], "qa_review"))
    params = url_state.link_params(status="pending", domain=group["domain"])
    st.page_link(target, label=f"**{label}**" if primary else label,
                 icon=":material/rate_review:" if primary else ":material/arrow_forward:", query_params=params)


def headline(f: Figures) -> None:
    totals = status_totals(f)
    total = sum(totals.values())
    decided = total - totals["pending"]
    result = f.validation.groupby("result")["n"].sum()
    cols = st.columns(7)
    cols[0].metric("Samples", f"{total:,}")
    cols[1].metric("Reviewed", f"{decided / total:.0%}" if total else "–", help=f"{decided:,} of {total:,} decided")
    for col, status in zip(cols[2:6], STATUS_COLORS):
        col.metric(status.capitalize(), f"{totals[status]:,}")
    cols[6].metric("Fail validation", f"{int(result.get('fail', 0)):,}",
                   help=f"{int(result.get('warn', 0)):,} warn, {int(result.get('unchecked', 0)):,} not validated yet")


_COUNT_AXIS = alt.Axis(format="d", tickMinStep=1)   # counts: no 0.5 ticks on small figures
_LABEL_AXIS = alt.Axis(labelLimit=320)               # reject reasons and domain names in full
_BAR = alt.Step(30)                                  # a bar's band: the chart grows with its number of bars


def _bars(data: pd.DataFrame, y: str, color: str, colors: dict[str, str], title: str, x: str = "n",
          x_title: str = "samples") -> alt.Chart:
    """Horizontal stacked bars with a fixed colour per value of `color` (pending is always grey)."""
    present = [c for c in colors if c in set(data[color])]
    return alt.Chart(data, title=title, height=_BAR).mark_bar().encode(
        x=alt.X(f"sum({x}):Q", title=x_title, axis=_COUNT_AXIS),
        y=alt.Y(f"{y}:N", title=None, sort="-x", axis=_LABEL_AXIS),
        color=alt.Color(f"{color}:N", title=None, sort=present,
                        scale=alt.Scale(domain=present, range=[colors[c] for c in present]),
                        legend=alt.Legend(orient="bottom")),
        order=alt.Order(f"{color}_rank:Q"),
        tooltip=[alt.Tooltip(f"{y}:N"), alt.Tooltip(f"{color}:N"), alt.Tooltip(f"sum({x}):Q", title=x_title)],
    )


def _ranked(data: pd.DataFrame, column: str, order: dict[str, str]) -> pd.DataFrame:
    ranks = {value: i for i, value in enumerate(order)}
    return data.assign(**{f"{column}_rank": data[column].map(lambda v: ranks.get(v, len(ranks)))})


def progress_charts(f: Figures) -> None:
    if f.progress.empty:
        return
    data = _ranked(f.progress.assign(
        group=f.progress["domain"] + " · " + f.progress["task_type"].map(lambda t: TASK_NAMES.get(t, t))), "status",
        STATUS_COLORS)
    left, right = st.columns([3, 2])
    left.altair_chart(_bars(data, "group", "status", STATUS_COLORS, "Review progress by domain and task type"),
                      width="stretch")
    right.altair_chart(_bars(data, "language", "status", STATUS_COLORS, "Review progress by language"),
                       width="stretch")


def quality_charts(f: Figures) -> None:
    left, right = st.columns(2)
    with left:
        if not f.validation.empty:
            data = _ranked(f.validation.assign(task=f.validation["task_type"].map(lambda t: TASK_NAMES.get(t, t))),
                           "result", RESULT_COLORS)
            st.altair_chart(_bars(data, "task", "result", RESULT_COLORS, "Validation outcome"), width="stretch")
        if not f.findings.empty:
            st.caption("Checks that warned or failed: " +
                       ", ".join(f"{r.check_name} {r.result} ×{r.n}" for r in f.findings.itertuples()))
    with right:
        if f.reasons.empty:
            st.markdown("**Reject reasons**")
            st.caption("No sample is rejected.")
        else:
            chart = alt.Chart(f.reasons, title="Reject reasons", height=_BAR)
            chart = chart.mark_bar(color=STATUS_COLORS["rejected"]).encode(
                x=alt.X("sum(n):Q", title="rejected samples", axis=_COUNT_AXIS),
                y=alt.Y("reason:N", title=None, sort="-x", axis=_LABEL_AXIS),
                tooltip=["reason", alt.Tooltip("sum(n):Q", title="rejected")])
            st.altair_chart(chart, width="stretch")


def reviewer_charts(f: Figures) -> None:
    left, right = st.columns(2)
    with left:
        if f.throughput.empty:
            st.markdown("**Reviewer throughput**")
            st.caption("No decisions recorded yet.")
        else:
            data = f.throughput.assign(day=pd.to_datetime(f.throughput["day"]).dt.strftime("%Y-%m-%d"))
            chart = alt.Chart(data, title="Reviewer throughput (decisions per day)").mark_bar().encode(
                x=alt.X("day:O", title=None, axis=alt.Axis(labelAngle=0)), xOffset="reviewer:N",
                y=alt.Y("decisions:Q", title="decisions", axis=_COUNT_AXIS),
                color=alt.Color("reviewer:N", legend=alt.Legend(orient="bottom")),
                tooltip=["reviewer", "day", "decisions"])
            st.altair_chart(chart, width="stretch")
    with right:
        st.markdown("**Reviewer agreement** (on the samples both reviewers decided)")
        agreement_table(f.agreement)
        totals = {stage: sum(stages[stage] for stages in f.rounds.values()) for stage in ("final", "awaiting", "disputed")}
        if f.required > 1 or totals["disputed"]:
            cols = st.columns(3)
            for col, stage, label in zip(cols, totals, ("Final", f"Awaiting (needs {f.required} reviewers)", "Disputed")):
                col.metric(label, f"{totals[stage]:,}")


def agreement_table(pairs: list[agreement.PairAgreement]) -> None:
    """Percent agreement and Cohen's kappa per reviewer pair (core.agreement): kappa discounts the agreement
    two reviewers would reach by chance with their own accept / reject rates."""
    if not pairs:
        st.caption("No sample is decided by two reviewers yet: set *Reviewers per sample* to 2 (review policy) "
                   "to have every sample reviewed twice and measured here.")
        return
    st.dataframe(pd.DataFrame([{"reviewers": f"{p.a} · {p.b}", "samples": p.n, "agreed": p.agreed,
                                "agreement": p.percent, "Cohen's kappa": p.kappa} for p in pairs]),
                 hide_index=True, width="stretch", column_config={
                     "agreement": st.column_config.ProgressColumn(format="%.0f%%", min_value=0, max_value=100, color="green"),
                     "Cohen's kappa": st.column_config.NumberColumn(format="%.2f",
                                                                    help="1 = full agreement, 0 = what chance gives; "
                                                                         "empty when both always gave one label")})


def runs_table(f: Figures) -> None:
    st.subheader("Last pipeline runs")
    if f.runs.empty:
        st.caption("No stage has run yet.")
    else:
        run_table.show(pd.DataFrame({
            "run": f.runs["run_id"], "repo": f.runs["repo_id"], "stage": f.runs["stage"], "status": f.runs["status"],
            "started": f.runs["started_at"], "duration s": f.runs["seconds"],
            "failure reason": [m if s != "ok" else "" for s, m in zip(f.runs["status"], f.runs["message"].fillna(""))],
        }), "duration s", "failure reason")
    if f.training:
        st.markdown("**LoRA runs**")
        run_table.show(pd.DataFrame([{
            "run": r["run_id"], "base model": r["base_model"], "status": r["status"], "started": r["started_at"],
            "duration s": (r["finished_at"] - r["started_at"]).total_seconds()
            if r["finished_at"] and r["started_at"] else None,
            "failure reason": (r["message"] or "") if r["status"] in ("failed", "stopped") else "",
        } for r in f.training]), "duration s", "failure reason")


def render() -> None:
    st.title("Dashboard")
    url_state.follow_links()
    db = database()
    with problems_shown():
        with db.connect() as con:
            repos = [r["repo_id"] for r in repo_store.list_repos(con)]
        repo_id = None
        if len(repos) > 1:
            choice = st.selectbox("Repository", ["all repositories", *repos])
            repo_id = None if choice == "all repositories" else choice
        elif repos:
            st.caption(f"Repository `{repos[0]}`")
        f = figures(db, repo_id)
        next_action(f)
        if not f.progress.empty:
            headline(f)
            progress_charts(f)
            quality_charts(f)
            reviewer_charts(f)
        runs_table(f)
