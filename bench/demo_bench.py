"""Benchmark ``acuerda demo`` and the debtor lookups it makes possible.

For each database (SQLite in a fresh data directory, and/or a fresh PostgreSQL database):

1. ``acuerda migrate``, then ``acuerda demo --accounts N`` in a child process: wall time, the
   child's peak RSS (``wait4``), rows written per second, database size;
2. lookups over ``--lookups`` random existing keys of each kind, with the ORM as the app uses it:
   a debtor by national id, by phone (E.164) and by creditor reference, and the back office's
   ``debtor_search`` for each kind of key as an administrator and as a team-scoped agent;
   median, p95 and max in milliseconds, after a short warm-up;
3. results to ``bench/results/demo-<db>-<N>.json`` and a table on stdout; the database and the
   data directory are removed unless ``--keep``.

    .venv/bin/python bench/demo_bench.py                       # 1,000,000 accounts, both databases
    .venv/bin/python bench/demo_bench.py --accounts 100000 --db sqlite

PostgreSQL: ``--pg-url`` (default postgres://postgres@127.0.0.1:5432) must let that user create
and drop databases; ``psql`` must be on the PATH.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"


# ---------------------------------------------------------------------------------------------
# Parent: orchestrates child processes
# ---------------------------------------------------------------------------------------------


def _run(cmd: list[str], env: dict[str, str], *, echo: bool = True) -> tuple[float, float, str]:
    """Run ``cmd``; return (wall seconds, peak RSS in MiB of that child, its output)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        if echo:
            print("    " + line, end="", flush=True)
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed with exit code {proc.returncode}")
    return wall, usage.ru_maxrss / 1024, "".join(lines)  # ru_maxrss is in KiB on Linux


def _phases(output: str) -> dict[str, float]:
    """``structure (services) 1.2 s · bulk rows 90.0 s · ...`` from the demo's summary."""
    for line in output.splitlines():
        if "bulk rows" in line:
            parts = (p.strip().rsplit(" ", 2) for p in line.split("·"))
            return {name: float(seconds) for name, seconds, _unit in parts}
    return {}


def _psql(pg_url: str, sql: str) -> None:
    subprocess.run(["psql", f"{pg_url}/postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True)


def bench_one(db: str, args: argparse.Namespace) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix=f"acuerda-bench-{db}-", dir=args.tmp))
    env = dict(os.environ, ACUERDA_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="config.settings")
    env.pop("DATABASE_URL", None)
    db_name = f"acuerda_bench_{os.getpid()}"
    if db == "postgres":
        _psql(args.pg_url, f"DROP DATABASE IF EXISTS {db_name}")
        _psql(args.pg_url, f"CREATE DATABASE {db_name}")
        env["DATABASE_URL"] = f"{args.pg_url}/{db_name}"
    acuerda = [sys.executable, "-m", "acuerda.cli"]
    try:
        print(f"\n== {db}: migrate")
        migrate_wall, _rss, _out = _run([*acuerda, "migrate", "-v0"], env, echo=False)
        print(f"== {db}: acuerda demo --accounts {args.accounts:,} --seed {args.seed}")
        wall, rss, output = _run([*acuerda, "demo", "--accounts", str(args.accounts), "--seed", str(args.seed)], env)
        print(f"== {db}: lookups")
        out_file = data_dir / "lookups.json"
        _run([sys.executable, __file__, "--_lookups", str(out_file), "--lookups", str(args.lookups),
              "--seed", str(args.seed), "--budget", str(args.budget)], env, echo=False)  # fmt: skip
        lookups = json.loads(out_file.read_text())
    finally:
        if db == "postgres" and not args.keep:
            _psql(args.pg_url, f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
        else:
            print(f"   kept {data_dir}" + (f" and database {db_name}" if db == "postgres" else ""))
    rows = sum(lookups["counts"].values())
    result = {
        "db": db,
        "server": lookups["server"],
        "accounts": args.accounts,
        "seed": args.seed,
        "demo_wall_seconds": round(wall, 1),
        "demo_peak_rss_mib": round(rss),
        "migrate_wall_seconds": round(migrate_wall, 1),
        "rows": rows,
        "rows_per_second": round(rows / wall),
        "accounts_per_second": round(args.accounts / wall),
        "database_size_mib": lookups["database_size_mib"],
        "counts": lookups["counts"],
        "lookups": lookups["lookups"],
        "demo_phases_seconds": _phases(output),
        "demo_output_tail": output.strip().splitlines()[-30:],
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"demo-{db}-{args.accounts}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"   wrote {path.relative_to(ROOT)}")
    return result


def print_table(results: list[dict[str, Any]]) -> None:
    print()
    for r in results:
        print(
            f"{r['db']} ({r['server']}), {r['accounts']:,} accounts: {r['demo_wall_seconds']:.1f} s wall, "
            f"peak RSS {r['demo_peak_rss_mib']:,} MiB, {r['rows']:,} rows ({r['rows_per_second']:,} rows/s), "
            f"database {r['database_size_mib']:,} MiB"
        )
    print()
    header = f"{'lookup':<34}" + "".join(f"{r['db'] + ' median':>16}{'p95':>8}{'max':>8}" for r in results)
    print(header + "   (ms)")
    print("-" * len(header))
    for key in results[0]["lookups"]:
        line = f"{key:<34}"
        for r in results:
            s = r["lookups"][key]
            line += f"{s['median_ms']:>16.2f}{s['p95_ms']:>8.2f}{s['max_ms']:>8.2f}"
        print(line)


# ---------------------------------------------------------------------------------------------
# Child: lookups inside Django, against the database the environment points at
# ---------------------------------------------------------------------------------------------


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered) * 1000, 3),
        "p95_ms": round(p95 * 1000, 3),
        "max_ms": round(ordered[-1] * 1000, 3),
    }


def lookups(out: Path, n: int, seed: int, budget_seconds: float) -> None:
    import random

    import django

    django.setup()
    from django.db import connection

    from acuerda.debtors.models import ContactPoint, Debtor
    from acuerda.debtors.selectors import debtor_search
    from acuerda.debts.models import Account, AccountEvent, AccountParty, LedgerEntry
    from acuerda.people.models import User
    from acuerda.portfolios.models import Portfolio

    rng = random.Random(seed)

    def sample(model: Any, fields: tuple[str, ...], **filters: Any) -> list[tuple[Any, ...]]:
        """``n`` random existing rows, by random primary keys (ORDER BY RANDOM() would sort millions)."""
        low = model.objects.order_by("pk").values_list("pk", flat=True).first()
        high = model.objects.order_by("-pk").values_list("pk", flat=True).first()
        found: dict[int, tuple[Any, ...]] = {}
        while len(found) < n:
            ids = [rng.randint(low, high) for _ in range(2 * n)]
            for row in model.objects.filter(pk__in=ids, **filters).values_list("pk", *fields):
                found.setdefault(row[0], row[1:])
        return list(found.values())[:n]

    national = sample(Debtor, ("country", "id_type", "id_number"))
    phones = sample(ContactPoint, ("value",), kind="phone")
    references = sample(Account, ("creditor_reference",))
    admin = User.objects.get(username="admin")
    agent = User.objects.get(username="agente")
    # Keys the agent can see: accounts in their team's portfolios, and their holders' phones.
    visible = list(Portfolio.objects.for_user(agent).values_list("pk", flat=True))
    agent_accounts = sample(Account, ("creditor_reference", "debtor__id_number", "debtor_id"), portfolio__in=visible)
    holder_phone = dict(
        ContactPoint.objects.filter(kind="phone", is_primary=True, debtor_id__in=[a[2] for a in agent_accounts])
        .values_list("debtor_id", "value")
    )
    agent_refs = [(a[0],) for a in agent_accounts]
    agent_ids = [(a[1],) for a in agent_accounts]
    agent_phones = [(holder_phone[a[2]],) for a in agent_accounts if a[2] in holder_phone]
    outside = [(n[2],) for n in national if not Debtor.objects.for_user(agent).filter(id_number=n[2]).exists()]

    def by_national(key: tuple[Any, ...]) -> int:
        country, id_type, number = key
        return len(list(Debtor.objects.filter(country=country, id_type=id_type, id_number=number)))

    def by_phone(key: tuple[Any, ...]) -> int:
        ids = ContactPoint.objects.filter(kind="phone", value=key[0]).values("debtor_id")
        return len(list(Debtor.objects.filter(pk__in=ids)))

    def by_reference(key: tuple[Any, ...]) -> int:
        return len(list(Account.objects.filter(creditor_reference=key[0]).select_related("debtor")))

    def search(user: Any, index: int) -> Any:
        def run(key: tuple[Any, ...]) -> int:
            return len(list(debtor_search(user=user, query=key[index])))

        return run

    cases = [
        ("debtor by national id", by_national, national, True),
        ("debtor by phone", by_phone, phones, True),
        ("account by creditor reference", by_reference, references, True),
        ("debtor_search national id (admin)", search(admin, 2), national, True),
        ("debtor_search phone (admin)", search(admin, 0), phones, True),
        ("debtor_search reference (admin)", search(admin, 0), references, True),
        ("debtor_search national id (agent)", search(agent, 0), agent_ids, True),
        ("debtor_search phone (agent)", search(agent, 0), agent_phones, True),
        ("debtor_search reference (agent)", search(agent, 0), agent_refs, True),
        ("debtor_search id outside agent scope", search(agent, 0), outside, False),
    ]
    results = {}
    for name, fn, keys, must_find in cases:
        for key in keys[:20]:  # warm-up: connection, statement caches, first pages
            fn(key)
        timings: list[float] = []
        misses = 0
        budget = time.perf_counter() + budget_seconds
        for key in keys[20:] + keys[:20]:
            started = time.perf_counter()
            found = fn(key)
            timings.append(time.perf_counter() - started)
            misses += found == 0
            if time.perf_counter() > budget and len(timings) >= 50:
                break  # a slow path: enough samples for a median and a p95
        if must_find and misses:
            raise SystemExit(f"{name}: {misses} keys not found")
        results[name] = {**_stats(timings), "found": len(timings) - misses}

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database()), current_setting('server_version')")
            size, version = cursor.fetchone()
            server = f"PostgreSQL {version}"
        else:
            cursor.execute("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")
            size = cursor.fetchone()[0]
            cursor.execute("SELECT sqlite_version()")
            server = f"SQLite {cursor.fetchone()[0]}"
    from acuerda.debtors.models import ContactConsent

    counts = {
        model._meta.label: model.objects.count()
        for model in (Debtor, ContactPoint, ContactConsent, Account, AccountParty, LedgerEntry, AccountEvent)
    }
    out.write_text(json.dumps({
        "server": server, "database_size_mib": round(size / 2**20), "counts": counts, "lookups": results,
    }))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--lookups", type=int, default=1000, help="random keys per lookup kind")
    parser.add_argument("--budget", type=float, default=60, help="seconds at most per lookup kind (min. 50 keys)")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432", help="server URL, no database")
    parser.add_argument("--tmp", default=None, help="where to put the temporary data directory")
    parser.add_argument("--keep", action="store_true", help="keep the database and data directory")
    parser.add_argument("--_lookups", dest="lookups_out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.lookups_out:
        lookups(Path(args.lookups_out), args.lookups, args.seed, args.budget)
        return
    dbs = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    results = [bench_one(db, args) for db in dbs]
    print_table(results)


if __name__ == "__main__":
    main()
