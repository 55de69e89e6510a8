"""LLM generation throughput: `--concurrency 8` against one request at a time, and nothing lost to 429/529.

Runs the real `generate` stage (gate, cache, database writes included) on
examples/shop against a local stand-in server (tests/llm_standin.py) that
speaks the Claude Messages API and the OpenAI chat API and answers every
request after a fixed delay, as a model server would. For each backend:
200 new samples sequentially, then with `--concurrency 8`, and prints the
speed-up ratio of the generation phase (from the first request to the last
stored sample; target >= 6x) and of the whole stage (planning, gate set-up
and imports included, after one warm-up run); then again with the server
answering one request in ten with 429 or 529, and prints how many samples
were lost.

    .venv/bin/python bench/bench_llm.py [--items 200] [--delay 0.3] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.context import Context  # noqa: E402
from core.pipeline import run_stage, stage_args  # noqa: E402
from core.progress import NullProgress  # noqa: E402
from storage import Database  # noqa: E402

EXAMPLE = ROOT / "examples" / "shop"


class Clock(NullProgress):
    """Times the generation phase: from the stage's first progress tick to its closing line."""

    def start(self, stage: str, total: int | None = None) -> None:
        self.t0 = time.perf_counter()

    def finish(self, summary: str = "") -> None:
        self.seconds = time.perf_counter() - self.t0


def generate(template: Path, workdir: Path, backend: str, items: int, concurrency: int) -> tuple[float, float, dict]:
    """One `generate` run of `items` new samples on a fresh copy of the extracted database:
    (generation seconds, whole-stage seconds, counts)."""
    path = workdir / f"{backend}-{concurrency}-{time.monotonic_ns()}.duckdb"
    shutil.copy(template, path)
    clock = Clock()
    ctx = Context(db=Database(path), repo=EXAMPLE, domains=["order", "stock"], backend=backend, lang="both",
                  progress=clock)
    args = stage_args(("generate",), limit=items, concurrency=concurrency, batch="never")
    t0 = time.perf_counter()
    counts = run_stage("generate", ctx, args)
    return clock.seconds, time.perf_counter() - t0, counts


@contextmanager
def standin(delay: float, fail_every: int = 0) -> Iterator[dict]:
    """The stand-in server in a process of its own, as a model server would be (no shared interpreter lock);
    yields {"url"}, filled with the server's request counts when the block ends."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / "llm_standin.py"), "--port", str(port),
                             "--delay", str(delay), "--fail-every", str(fail_every)], stdout=subprocess.PIPE)
    server = {"url": f"http://127.0.0.1:{port}"}
    try:
        proc.stdout.readline()                       # "stand-in LLM server on ..." once it listens
        yield server
        with urllib.request.urlopen(server["url"] + "/stats") as response:
            server.update(json.load(response))
    finally:
        proc.terminate()
        proc.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--delay", type=float, default=0.3, help="seconds the stand-in takes per request")
    parser.add_argument("--concurrency", type=int, default=8)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        template = workdir / "extracted.duckdb"
        ctx = Context(db=Database(template), repo=EXAMPLE, domains=["order", "stock"], backend="template", lang="both")
        args = stage_args(("index", "map", "extract"))
        for stage in ("index", "map", "extract"):
            run_stage(stage, ctx, args)
        for backend in ("anthropic", "openai"):
            with standin(opts.delay) as server:
                url = server["url"]
                os.environ.update(ANTHROPIC_API_KEY="sk-ant-bench", ANTHROPIC_BASE_URL=url,
                                  OPENAI_BASE_URL=url + "/v1", OPENAI_MODEL="Qwen/Qwen2.5-7B-Instruct")
                generate(template, workdir, backend, 5, 1)                  # warm-up: imports, first connections
                seq, seq_stage, seq_counts = generate(template, workdir, backend, opts.items, 1)
                par, par_stage, par_counts = generate(template, workdir, backend, opts.items, opts.concurrency)
            with standin(opts.delay, fail_every=10) as faulty:
                os.environ.update(ANTHROPIC_BASE_URL=faulty["url"], OPENAI_BASE_URL=faulty["url"] + "/v1")
                _, _, fault_counts = generate(template, workdir, backend, opts.items, opts.concurrency)
            stored = fault_counts.get("new", 0) + fault_counts.get("new_version", 0)
            print(f"{backend}: {opts.items} items, {opts.delay:g}s per request: generation sequential {seq:.1f}s "
                  f"({seq_counts.get('llm_calls')} calls), --concurrency {opts.concurrency} {par:.1f}s "
                  f"({par_counts.get('llm_calls')} calls): speed-up {seq / par:.1f}x; whole stage {seq_stage:.1f}s vs "
                  f"{par_stage:.1f}s: {seq_stage / par_stage:.1f}x")
            print(f"{backend}: with 429/529 on one request in ten ({faulty['refused']} of {faulty['requests']} "
                  f"requests refused): {stored} stored, "
                  f"{fault_counts.get('failed', 0)} failed, {opts.items - stored - fault_counts.get('failed', 0)} lost")


if __name__ == "__main__":
    main()
