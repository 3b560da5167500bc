"""Benchmark the agent workspace at scale: the debtor 360° page, "next account", the queue.

For each database (SQLite in a fresh data directory, and/or a fresh PostgreSQL database):

1. ``acuerda migrate`` and ``acuerda demo --accounts N`` (which also builds the work queue);
2. a history: for ``--long`` accounts, ``--depth`` contacts each (decision, attempt, interaction)
   plus as many notes; for 5 % of the others one to three contacts, all written in bulk;
3. **the queue**: ``queue_refresh`` over every account (wall time);
4. **the 360° page**: the demo agent (``agente``) opens ``/work/account/<id>/`` for ``--pages``
   random accounts of the team's portfolios and for every long-history account, through Django's
   test client in-process (no network): server time per page (median, p95, max) and the queries
   each page issued;
5. **next account**: ``--nexts`` calls of ``next_account`` for the agent (claim, gate check);
6. ``bench/results/workspace-<db>-<N>.json`` and a line on stdout.

The clock is frozen at Monday 23 November 2026, 11:00 in Madrid, when the Spanish pack allows
calls.

    .venv/bin/python bench/workspace_bench.py                          # 1,000,000 accounts, both databases
    .venv/bin/python bench/workspace_bench.py --accounts 100000 --db sqlite
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from harness import ROOT, on_demo

NOW = dt.datetime(2026, 11, 23, 11, 0, tzinfo=ZoneInfo("Europe/Madrid"))




def bench_one(db: str, args: argparse.Namespace) -> dict[str, Any]:
    result, path = on_demo("workspace", db, args, script=__file__, stage="history, queue, 360° pages, next account",
                           child_args=["--long", str(args.long), "--depth", str(args.depth), "--pages", str(args.pages),
                                       "--nexts", str(args.nexts), "--seed", str(args.seed)])
    page, long_page, nxt = result["page_ms"], result["long_history_page_ms"], result["next_account_ms"]
    print(f"{db} ({result['server']}): 360° page median {page['median']:.1f} ms, p95 {page['p95']:.1f} ms "
          f"({result['queries_per_page']} queries); with {args.depth * 2:,} history items median "
          f"{long_page['median']:.1f} ms; next account median {nxt['median']:.1f} ms; queue refresh "
          f"{result['queue_refresh_s']:.1f} s for {result['queued']:,} accounts", flush=True)
    print(f"   wrote {path.relative_to(ROOT)}", flush=True)
    return result


# ---------------------------------------------------------------------------------------------
# Child, inside Django
# ---------------------------------------------------------------------------------------------


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"median": round(statistics.median(ordered), 2), "p95": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 2),
            "max": round(ordered[-1], 2), "n": len(ordered)}


def _history(accounts: list[tuple[int, int]], long_ids: set[int], depth: int, seed: int) -> int:
    """Contacts (decision, attempt, interaction) and notes, in bulk: ``depth`` of each for the
    long-history accounts, one to three contacts for the rest."""
    from django.db import transaction
    from django.utils import timezone

    from acuerda.compliance.models import ContactAttempt, ContactDecision
    from acuerda.core.bulk import BulkTable, db_datetime
    from acuerda.debts.models import AccountEvent
    from acuerda.people.models import User
    from acuerda.workspace.models import Disposition, Interaction

    rng = random.Random(seed)
    agent = User.objects.get(username="agente").pk
    disposition = Disposition.objects.get(creditor__isnull=True, code="no_answer").pk
    rows = []
    for account_id, debtor_id in accounts:
        n = depth if account_id in long_ids else rng.randint(1, 3)
        for i in range(n):
            moment = NOW - dt.timedelta(days=40 + i // 3, minutes=rng.randint(0, 600))
            rows.append((account_id, debtor_id, moment))
    with transaction.atomic():
        now = timezone.now()
        decisions = BulkTable(ContactDecision, ("id", "account_id", "debtor_id", "party_role", "channel", "purpose",
                                                "for_moment", "allowed", "pack", "request", "decision"), now=now)
        attempts = BulkTable(ContactAttempt, ("id", "decision_id", "account_id", "debtor_id", "party_role", "channel",
                                              "at", "outcome", "actor_id"), now=now)
        interactions = BulkTable(Interaction, ("account_id", "debtor_id", "channel", "direction", "party_reached",
                                               "disposition_id", "note", "at", "agent_id", "attempt_id"), now=now)
        events = BulkTable(AccountEvent, ("account_id", "kind", "at", "actor_id", "reason", "from_status", "to_status",
                                          "data"), now=now)
        ids = decisions.reserve_ids(len(rows))
        decisions.write((pk, a, d, "debtor", "call", "collection", db_datetime(m), True, "bench", "{}", "{}")
                        for pk, (a, d, m) in zip(ids, rows, strict=True))
        attempt_ids = attempts.reserve_ids(len(rows))
        attempts.write((apk, pk, a, d, "debtor", "call", db_datetime(m), "no_answer", agent)
                       for apk, pk, (a, d, m) in zip(attempt_ids, ids, rows, strict=True))
        interactions.write((a, d, "call", "outbound", "none", disposition, "", db_datetime(m), agent, apk)
                           for apk, (a, d, m) in zip(attempt_ids, rows, strict=True))
        events.write((a, "note", db_datetime(m), agent, "Bench note", "", "", "{}")
                     for a, _d, m in rows if a in long_ids)
    return len(rows)


def child(out: Path, long_count: int, depth: int, pages: int, nexts: int, seed: int) -> None:
    import django
    from django.conf import settings

    django.setup()
    # Pages render without a collectstatic run (whitenoise serves the manifest in production).
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from acuerda.debts.choices import OPEN_STATUSES
    from acuerda.debts.models import Account
    from acuerda.people.models import User
    from acuerda.people.scoping import visible_portfolio_ids
    from acuerda.workspace.models import WorkClaim
    from acuerda.workspace.queue import next_account, queue_refresh

    timezone.now = lambda: NOW.astimezone(dt.UTC)  # type: ignore[assignment]  # the clock is frozen
    server = f"SQLite {connection.Database.sqlite_version}" if connection.vendor == "sqlite" else (
        f"PostgreSQL {connection.cursor().connection.info.server_version / 10000:.2f}")
    agent = User.objects.get(username="agente")
    team = list(Account.objects.filter(portfolio_id__in=visible_portfolio_ids(agent), status__in=OPEN_STATUSES)
                .values_list("pk", "debtor_id"))
    rng = random.Random(seed)
    sample = rng.sample(team, min(len(team), max(pages, long_count) * 20))
    long_ids = {pk for pk, _d in sample[:long_count]}
    written = _history(sample, long_ids, depth, seed)

    started = time.perf_counter()
    queued = queue_refresh(today=NOW.date())
    refresh_s = time.perf_counter() - started

    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(agent)

    def open_page(pk: int) -> tuple[float, int]:
        WorkClaim.objects.filter(agent=agent).delete()
        reset_queries()  # the query log is a bounded deque: counting needs it emptied first
        with CaptureQueriesContext(connection) as queries:
            t = time.perf_counter()
            response = client.get(f"/work/account/{pk}/")
            elapsed = (time.perf_counter() - t) * 1e3
        if response.status_code != 200:
            raise SystemExit(f"/work/account/{pk}/ answered {response.status_code}")
        return elapsed, len(queries)

    for pk, _d in sample[:5]:  # warm the caches (templates, translations, the connection)
        open_page(pk)
    page_ms, long_ms, counts = [], [], set()
    for pk, _d in sample[long_count:long_count + pages]:
        ms, n = open_page(pk)
        page_ms.append(ms)
        counts.add(n)
    for pk in sorted(long_ids):
        ms, n = open_page(pk)
        long_ms.append(ms)
        counts.add(n)
    reset_queries()

    next_ms, given = [], 0
    for _i in range(nexts):
        t = time.perf_counter()
        got = next_account(agent=agent)
        next_ms.append((time.perf_counter() - t) * 1e3)
        given += got is not None
    out.write_text(json.dumps({
        "server": server, "history_contacts": written, "long_history_accounts": len(long_ids),
        "long_history_items": depth * 2, "queued": queued, "queue_refresh_s": round(refresh_s, 2),
        "page_ms": _stats(page_ms), "long_history_page_ms": _stats(long_ms),
        "queries_per_page": sorted(counts)[-1], "query_counts_seen": sorted(counts),
        "next_account_ms": _stats(next_ms), "next_account_given": given,
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--long", type=int, default=20, help="accounts with a long history")
    parser.add_argument("--depth", type=int, default=500, help="contacts (and notes) of each long-history account")
    parser.add_argument("--pages", type=int, default=300, help="360° pages to time")
    parser.add_argument("--nexts", type=int, default=100, help="next-account calls to time")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--tmp", default=None)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--_child", dest="child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child), args.long, args.depth, args.pages, args.nexts, args.seed)
        return
    for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        bench_one(db, args)


if __name__ == "__main__":
    main()
