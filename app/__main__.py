"""`python -m app [--address A] [--port P] [--db FILE] [--guidelines FILE]`: start the app, refusing an open bind without a login.

This is what `make app` runs. It checks the address before Streamlit opens
a socket (app.access), so a typo'd or deliberate 0.0.0.0 never exposes the
app's server-path forms; then it hands over to `streamlit run`.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from app.access import refusal
from core.guidelines import ENV as GUIDELINES_ENV

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__.splitlines()[0])
    parser.add_argument("--address", default=os.environ.get("ACDP_APP_ADDRESS", "127.0.0.1"),
                        help="interface to listen on (default 127.0.0.1; anything else needs authentication)")
    parser.add_argument("--port", type=int, default=8501)
    parser.add_argument("--db", default=os.environ.get("ACDP_DB") or "data/acdp.duckdb")
    parser.add_argument("--guidelines", type=Path,
                        help=f"annotation guidelines file (default ${GUIDELINES_ENV}, else docs/guidelines.yaml)")
    args = parser.parse_args(argv)
    if args.guidelines:
        os.environ[GUIDELINES_ENV] = str(args.guidelines.expanduser().resolve())
    why = refusal(args.address, ROOT)
    if why:
        print(f"error: refusing to start: {why}", file=sys.stderr)
        return 2
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app" / "main.py"),
               "--server.address", args.address, "--server.port", str(args.port), "--server.headless", "true",
               "--", "--db", args.db]
    os.chdir(ROOT)  # .streamlit/config.toml and secrets.toml are read from here
    os.execv(sys.executable, command)
    return 0  # not reached: execv replaces this process


if __name__ == "__main__":
    sys.exit(main())
