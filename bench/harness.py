"""What the benchmarks that start from a demo agency share: a fresh database (SQLite in a new
data directory, or a new PostgreSQL database), ``acuerda migrate`` and ``acuerda demo``, the
measuring child process, the clean-up, and the result file stamped with the machine."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"


def run(cmd: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def psql(pg_url: str, sql: str) -> None:
    subprocess.run(["psql", f"{pg_url}/postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True)


def on_demo(kind: str, db: str, args: argparse.Namespace, *, script: str, child_args: list[str],
            stage: str) -> tuple[dict[str, Any], Path]:
    """Build a demo agency of ``args.accounts`` on ``db``, run ``script --_child OUT *child_args``
    against it and return the JSON it wrote, stamped, as saved in ``results/<kind>-<db>-<N>.json``.
    The database and the data directory are removed unless ``args.keep``."""
    data_dir = Path(tempfile.mkdtemp(prefix=f"acuerda-{kind}-bench-{db}-", dir=args.tmp))
    env = dict(os.environ, ACUERDA_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="config.settings")
    env.pop("DATABASE_URL", None)
    name = f"acuerda_{kind}_bench_{os.getpid()}"
    if db == "postgres":
        psql(args.pg_url, f"DROP DATABASE IF EXISTS {name}")
        psql(args.pg_url, f"CREATE DATABASE {name}")
        env["DATABASE_URL"] = f"{args.pg_url}/{name}"
    acuerda = [sys.executable, "-m", "acuerda.cli"]
    try:
        print(f"== {db}: migrate, demo --accounts {args.accounts:,}", flush=True)
        run([*acuerda, "migrate", "-v0"], env)
        run([*acuerda, "demo", "--accounts", str(args.accounts), "--seed", str(args.seed)], env)
        out = data_dir / "result.json"
        print(f"== {db}: {stage}", flush=True)
        run([sys.executable, script, "--_child", str(out), *child_args], env)
        result = json.loads(out.read_text())
    finally:
        if db == "postgres" and not args.keep:
            psql(args.pg_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    result.update({
        "db": db, "accounts": args.accounts, "seed": args.seed,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    })
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{kind}-{db}-{args.accounts}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    return result, path
