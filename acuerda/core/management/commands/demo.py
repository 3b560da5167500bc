"""``acuerda demo``: build a demo agency (see ``acuerda.core.demo``)."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from acuerda.core.demo import (
    DEFAULT_ACCOUNTS,
    DEFAULT_SEED,
    MAX_ACCOUNTS,
    DemoError,
    DemoReport,
    build_demo,
)


def _account_count(value: str) -> int:
    """``1000000``, ``1_000_000`` or ``1,000,000``, between 0 and MAX_ACCOUNTS."""
    try:
        number = int(value.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if not 0 <= number <= MAX_ACCOUNTS:
        raise argparse.ArgumentTypeError(f"must be between 0 and {MAX_ACCOUNTS:,}")
    return number


class Command(BaseCommand):
    help = (
        "Build a demo collection agency: creditors in Spain, Colombia, Peru and Mexico, their "
        "portfolios, debtors, accounts with ledgers and payments, and one user per role (the "
        "passwords are printed at the end). Deterministic: the same --seed and --accounts on the "
        "same day give the same data. The database must not hold data yet; --reset first deletes "
        "a previous demo (every creditor, portfolio, debtor, account and team, and the demo and "
        "creditor users) and refuses if there are creditors the demo did not create."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--accounts", type=_account_count, default=DEFAULT_ACCOUNTS,
            help=f"how many accounts to generate, up to {MAX_ACCOUNTS:,} (default {DEFAULT_ACCOUNTS:,})",
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
        parser.add_argument("--reset", action="store_true", help="delete the previous demo first")
        parser.add_argument("--quiet", action="store_true", help="print only the credentials")

    def handle(self, *args: Any, accounts: int, seed: int, reset: bool, quiet: bool, **options: Any) -> None:
        verbosity = 0 if quiet else options.get("verbosity", 1)
        database = connection.settings_dict.get("NAME")
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("The database is not up to date: run `acuerda migrate` first.")
        if verbosity:
            self.stdout.write(
                f"Building a demo agency with {accounts:,} accounts (seed {seed}) in "
                f"{connection.vendor} database {database}..."
            )
        try:
            report = build_demo(
                accounts=accounts, seed=seed, reset=reset,
                progress=(lambda line: self.stdout.write(line)) if verbosity else None,
            )
        except DemoError as exc:
            raise CommandError(str(exc)) from None
        except KeyboardInterrupt:
            raise CommandError("Interrupted: the demo was rolled back and the database is as it was.") from None
        if verbosity:
            self._summary(report, verbosity)
        self._credentials(report)

    def _summary(self, report: DemoReport, verbosity: int) -> None:
        self.stdout.write("")
        width = max(len(k) for k in report.counts)
        for what, count in report.counts.items():
            self.stdout.write(f"  {what:<{width}}  {count:>12,}")
        rate = report.rows / report.bulk_seconds if report.bulk_seconds else 0
        self.stdout.write(
            f"  {'total rows':<{width}}  {report.rows:>12,}\n"
            f"Done in {report.seconds:.1f} s ({rate:,.0f} rows/s in the bulk load). Dates are relative to "
            f"{report.today.isoformat()}."
        )
        if verbosity > 1 or report.accounts >= 100_000:
            self.stdout.write("  " + " · ".join(f"{name} {seconds:.1f} s" for name, seconds in report.phases.items()))
        if report.samples:
            self.stdout.write("\nDebtors with accounts at several creditors, to try the search and the 360° view:")
            for sample in report.samples:
                self.stdout.write(f"  {sample}")

    def _credentials(self, report: DemoReport) -> None:
        rows = [("username", "password", "role", "sees")]
        rows += [(u.username, u.password, u.role, u.sees) for u in report.users]
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        self.stdout.write("\nDemo users (demo passwords: change them before showing this to anyone):")
        for n, (username, password, role, sees) in enumerate(rows):
            self.stdout.write(f"  {username:<{widths[0]}}  {password:<{widths[1]}}  {role:<{widths[2]}}  {sees}")
            if n == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths) + "  " + "-" * 4)
