"""Benchmark the compliance gate: the daily run over every account, and single decisions.

For each database (SQLite in a fresh data directory, and/or a fresh PostgreSQL database):

1. ``acuerda migrate`` and ``acuerda demo --accounts N`` (debtors in six countries with phones,
   consents, co-debtors...), then a contact history: for ``--history`` of the open accounts
   (default 10 %), one to three allowed decisions and attempts in the six days before the day,
   written in bulk;
2. **the daily run**: ``contact_plan_day`` for the day over every open account, in a child
   process: wall time from the first query to the last plan, plans per second, the number of
   distinct plans the engine computed, peak RSS;
3. **single decisions**: ``evaluate`` of a parsed request (the engine alone; median, p95 over
   ``--singles`` requests of varied countries) and ``contact_check`` (reads the account, party,
   consents, restrictions, history and policy, evaluates and stores the decision);
4. ``bench/results/compliance-<db>-<N>.json`` and a line on stdout.

    .venv/bin/python bench/compliance_bench.py                          # 1,000,000 accounts, both databases
    .venv/bin/python bench/compliance_bench.py --accounts 100000 --db sqlite
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import statistics
import time
from pathlib import Path
from typing import Any

from harness import ROOT, on_demo

DAY = dt.date(2026, 11, 23)  # a Monday: working day in every pack's country




def bench_one(db: str, args: argparse.Namespace) -> dict[str, Any]:
    result, path = on_demo("compliance", db, args, script=__file__, stage="history, daily run, single decisions",
                           child_args=["--history", str(args.history), "--singles", str(args.singles),
                                       "--seed", str(args.seed)])
    run = result["daily_run"]
    print(f"{db} ({result['server']}), {run['accounts_planned']:,} open accounts: daily run {run['seconds']:.1f} s "
          f"({run['accounts_per_second']:,} accounts/s, {run['distinct_plans']:,} distinct plans, peak RSS "
          f"{run['peak_rss_mib']:,} MiB); evaluate median {result['evaluate_us']['median']:.0f} µs, p95 "
          f"{result['evaluate_us']['p95']:.0f} µs; contact_check median {result['contact_check_ms']['median']:.2f} ms",
          flush=True)
    print(f"   wrote {path.relative_to(ROOT)}", flush=True)
    return result


# ---------------------------------------------------------------------------------------------
# Child, inside Django
# ---------------------------------------------------------------------------------------------


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"median": statistics.median(ordered), "p95": ordered[int(len(ordered) * 0.95) - 1], "max": ordered[-1]}


def _history(share: float, seed: int) -> int:
    """Allowed decisions and their attempts for ``share`` of the open accounts, in bulk."""
    from django.db import connection, transaction
    from django.utils import timezone

    from acuerda.compliance.models import ContactAttempt, ContactDecision
    from acuerda.core.bulk import BulkTable, db_datetime
    from acuerda.debts.choices import OPEN_STATUSES
    from acuerda.debts.models import Account

    rng = random.Random(seed)
    ids = list(Account.objects.filter(status__in=OPEN_STATUSES).values_list("pk", "debtor_id"))
    chosen = rng.sample(ids, int(len(ids) * share))
    outcomes = ["no_answer", "no_answer", "busy", "voicemail", "conversation", "delivered"]
    channels = ["call", "call", "call", "sms", "email"]
    with transaction.atomic():
        now = timezone.now()
        decisions = BulkTable(ContactDecision, ("id", "account_id", "debtor_id", "party_role", "channel", "purpose",
                                                "for_moment", "allowed", "pack", "request", "decision"), now=now)
        attempts = BulkTable(ContactAttempt, ("decision_id", "account_id", "debtor_id", "party_role", "channel",
                                              "at", "outcome"), now=now)
        rows = []
        for account_id, debtor_id in chosen:
            for _n in range(rng.randint(1, 3)):
                moment = dt.datetime.combine(DAY - dt.timedelta(days=rng.randint(1, 6)), dt.time(15, 0), tzinfo=dt.UTC)
                moment += dt.timedelta(minutes=rng.randint(0, 240))
                rows.append((account_id, debtor_id, rng.choice(channels), moment, rng.choice(outcomes)))
        ids_ = decisions.reserve_ids(len(rows))
        decisions.write((pk, a, d, "debtor", ch, "collection", db_datetime(m), True, "bench", "{}", "{}")
                        for pk, (a, d, ch, m, _o) in zip(ids_, rows, strict=True))
        attempts.write((pk, a, d, "debtor", ch, db_datetime(m), o) for pk, (a, d, ch, m, o) in zip(ids_, rows,
                                                                                                     strict=True))
    connection.close()
    return len(rows)


def child(out: Path, share: float, singles: int, seed: int) -> None:
    import django

    django.setup()
    from django.db import connection

    from acuerda.compliance.batch import contact_plan_day
    from acuerda.compliance.engine import evaluate, parse_request, plan_for_key
    from acuerda.compliance.services import contact_check
    from acuerda.debts.models import Account

    attempts = _history(share, seed)
    server = f"SQLite {connection.Database.sqlite_version}" if connection.vendor == "sqlite" else (
        f"PostgreSQL {connection.cursor().connection.info.server_version / 10000:.2f}")

    plan_for_key.cache_clear()
    started = time.perf_counter()
    planned = 0
    windows = 0
    for plan in contact_plan_day(day=DAY):
        planned += 1
        windows += len(plan.plan["call"])
    seconds = time.perf_counter() - started
    distinct = plan_for_key.cache_info().currsize
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    rng = random.Random(seed)
    requests = []
    for _i in range(singles):
        country, zone = rng.choice([("ES", "Europe/Madrid"), ("CO", "America/Bogota"), ("PE", "America/Lima"),
                                    ("MX", "America/Mexico_City"), ("CL", "America/Santiago"), ("US", "America/Chicago"),
                                    ("GB", "Europe/London"), ("AR", "America/Argentina/Buenos_Aires")])
        at = dt.datetime.combine(DAY, dt.time(rng.randint(6, 21), rng.randint(0, 59)), tzinfo=dt.UTC)
        history = [{"at": (at - dt.timedelta(days=d, hours=1)).isoformat(), "channel": "call",
                    "outcome": rng.choice(["no_answer", "conversation"]), "party_role": "debtor"}
                   for d in range(rng.randint(0, 4))]
        requests.append(parse_request({
            "jurisdiction": country, "channel": rng.choice(["call", "sms", "email"]), "at": at.isoformat(),
            "purpose": "collection", "party": {"role": "debtor", "timezone": zone,
                                               "authorised_channels": ["call", "sms", "email"], "opted_out_channels": []},
            "account": {}, "message": {"identifies_agency": True, "has_opt_out": True, "court_lookalike": False},
            "history": history}))
    evaluate_us = []
    for request in requests:
        t = time.perf_counter()
        evaluate(request)
        evaluate_us.append((time.perf_counter() - t) * 1e6)

    accounts = list(Account.objects.order_by("?").select_related("portfolio", "debtor")[: max(1, singles // 10)])
    check_ms = []
    moment = dt.datetime.combine(DAY, dt.time(15, 0), tzinfo=dt.UTC)
    for account in accounts:
        t = time.perf_counter()
        contact_check(account=account, channel="call", at=moment)
        check_ms.append((time.perf_counter() - t) * 1e3)

    out.write_text(json.dumps({
        "server": server,
        "history_attempts": attempts,
        "daily_run": {"accounts_planned": planned, "seconds": round(seconds, 2),
                      "accounts_per_second": round(planned / seconds) if seconds else None,
                      "distinct_plans": distinct, "call_windows": windows, "peak_rss_mib": round(rss)},
        "evaluate_us": {k: round(v, 1) for k, v in _stats(evaluate_us).items()},
        "contact_check_ms": {k: round(v, 2) for k, v in _stats(check_ms).items()},
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--history", type=float, default=0.10, help="share of open accounts with recent attempts")
    parser.add_argument("--singles", type=int, default=5_000, help="single decisions to time")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--tmp", default=None)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--_child", dest="child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child), args.history, args.singles, args.seed)
        return
    for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        bench_one(db, args)


if __name__ == "__main__":
    main()
