"""Review latency at scale: 100,000 samples, server-side time from Accept to the next sample rendered.

    .venv/bin/python bench/bench_review.py [--samples 100000] [--accepts 30]

Prints the median and p90 of (a) filtered queue queries (page + count) on an
open connection and including the per-action connect, (b) one decision with
its optimistic-concurrency check (the sample's revision read and compared
inside the transaction), and (c) a full Streamlit script run after clicking
Accept (callback checks the revision and commits the decision, the page
renders the next sample with its history and your last decisions),
measured with AppTest, which runs the same script the server runs.
Targets: queue query < 50 ms, accept < 150 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from streamlit.testing.v1 import AppTest  # noqa: E402
from test_review_support import SHOP, make_sample, seed  # noqa: E402

from core import review  # noqa: E402
from storage import Database  # noqa: E402
from storage import review_store as store  # noqa: E402


def fill(db: Database, n: int) -> None:
    """`n` QA samples generated in SQL from one realistic payload (ids, domains, scores vary)."""
    seed(db, qa=0, design=0)  # repo + file rows
    template = json.dumps(make_sample(1).model_dump(mode="json")).replace("qa-000001", "__ID__")
    with db.transaction() as con:
        con.execute(
            """INSERT INTO samples (sample_id, version, repo_id, task_type, domain, language, source_kind, source_ref,
                   rule_kind, question_kind, question, answer, payload, content_hash, backend, input_hash, created_at)
               SELECT 'qa-' || lpad(i::VARCHAR, 6, '0'), 1, 'shop', 'qa', CASE WHEN i % 2 = 0 THEN 'order' ELSE 'stock' END,
                      CASE WHEN i % 3 = 0 THEN 'zh' ELSE 'en' END, 'rule', 'rule-' || i,
                      ['guard', 'transition', 'sql_invariant', 'calculation'][1 + i % 4], 'condition',
                      'Under which condition is item ' || i || ' refused?', 'When the check fails (' || i || ').',
                      replace(?, '__ID__', 'qa-' || lpad(i::VARCHAR, 6, '0')), md5(i::VARCHAR), 'template',
                      'in-' || i, TIMESTAMP '2026-01-01' + INTERVAL (i) SECOND
               FROM range(?) t(i)""",
            [template, n],
        )
        con.execute(
            """INSERT INTO sample_quality (sample_id, version, status, score)
               SELECT sample_id, 1, CASE WHEN hash(sample_id) % 10 = 0 THEN 'warn' ELSE 'pass' END,
                      (hash(sample_id) % 100) / 100.0 FROM samples"""
        )
        for name in ("schema", "evidence", "length"):
            con.execute(f"INSERT INTO checks SELECT sample_id, 1, '{name}', 'pass', 'ok', now()::TIMESTAMP FROM samples")


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def summary(ms: list[float]) -> str:
    ms = sorted(ms)
    return f"median {statistics.median(ms):6.1f} ms   p90 {ms[int(len(ms) * 0.9) - 1]:6.1f} ms   (n={len(ms)})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--accepts", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "bench.duckdb")
        t0 = time.perf_counter()
        fill(db, args.samples)
        print(f"filled {args.samples} samples in {time.perf_counter() - t0:.1f}s (repo {SHOP.name})")

        f = store.QueueFilter(statuses=("pending",), domains=("order",), validation=("pass",), score_min=0.3,
                              languages=("en",), sort="highest score")
        text = store.QueueFilter(statuses=("pending",), text="item 4242")
        with db.connect() as con:
            print(f"filtered queue size: {store.queue_count(con, f)}")
            warm = timed(lambda: (store.queue_page(con, f, 25), store.queue_count(con, f)), 30)
            search = timed(lambda: (store.queue_page(con, text, 25), store.queue_count(con, text)), 30)
            nxt = timed(lambda: store.next_in_queue(con, f, "qa-000042"), 30)

        def with_connect():
            with db.connect() as con:
                store.queue_page(con, f, 25)
                store.queue_count(con, f)

        cold = timed(with_connect, 30)

        ids = iter(f"qa-{n:06d}" for n in range(args.samples - 1, 0, -7))

        def decide_checked():
            sid = next(ids)
            with db.connect() as con:
                seen = store.rev(con, sid, 1)
            review.decide(db, sid, 1, "accept", "bench", seen=seen)

        with db.connect():  # held open as the app holds it (app.state._KeepWarm): no file open per decision
            checked = timed(decide_checked, 30)
        print(f"queue page+count, filtered (open connection): {summary(warm)}")
        print(f"queue page+count, text search              : {summary(search)}")
        print(f"queue page+count incl. connect             : {summary(cold)}")
        print(f"next sample after the current (keyset)     : {summary(nxt)}")
        print(f"one decision incl. the revision check      : {summary(checked)}")

        os.environ["ACDP_DB"] = str(db.path)
        os.environ["ACDP_REVIEWER"] = "bench"
        at = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=120)
        at.run()
        at.switch_page("../pages/qa_review.py").run()
        assert not at.exception, at.exception
        accept = []
        for _ in range(args.accepts):
            before = at.markdown[0].value
            t0 = time.perf_counter()
            at.button(key="qa-accept").click().run()
            accept.append((time.perf_counter() - t0) * 1000)
            assert not at.exception and at.markdown[0].value != before
        with db.connect() as con:
            accepted = store.status_counts(con, store.QueueFilter())["accepted"] - len(checked)
        print(f"accept -> next sample rendered (AppTest run): {summary(accept)}  [{accepted} accepted from the page]")
        ok_q, ok_a = statistics.median(warm) < 50, statistics.median(accept) < 150
        print(f"targets: queue < 50 ms {'OK' if ok_q else 'MISSED'}; accept < 150 ms {'OK' if ok_a else 'MISSED'}")


if __name__ == "__main__":
    main()
