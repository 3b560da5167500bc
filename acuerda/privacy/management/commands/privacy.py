"""``acuerda privacy``: data-subject rights and retention from the command line.

    acuerda privacy retention [--dry-run] [--today YYYY-MM-DD] [--json]

``retention`` anonymises every debtor whose accounts, with every creditor, are closed and past
that creditor's retention policy (the nightly job does the same). ``--dry-run`` only counts and
lists them. Exit status 0 when the run finished, 1 when some debtors failed (they are retried by
the next run).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from acuerda.privacy.services import retention_run


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


class Command(BaseCommand):
    help = "Data-subject rights and retention: run the retention policies."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{retention}")
        retention = actions.add_parser(
            "retention", help="anonymise debtors whose retention period has elapsed"
        )
        retention.add_argument(
            "--dry-run", action="store_true", help="list who is due, change nothing"
        )
        retention.add_argument(
            "--today", type=_date, help="evaluate the policies as of this date (YYYY-MM-DD)"
        )
        retention.add_argument("--json", action="store_true", help="print a JSON summary on stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        result = retention_run(today=options.get("today"), dry_run=options["dry_run"])
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "today": result.today.isoformat(),
                        "dry_run": result.dry_run,
                        "due": result.due,
                        "anonymised": result.anonymised,
                        "refused": result.refused,
                        "errors": len(result.errors),
                        "debtor_ids": result.debtor_ids,
                    }
                )
            )
        elif result.dry_run:
            self.stdout.write(
                _(
                    "%(count)s debtors are due for anonymisation on %(today)s (dry run, nothing changed)."
                )
                % {"count": result.due, "today": result.today.isoformat()}
            )
            if result.debtor_ids:
                self.stdout.write(" ".join(str(pk) for pk in result.debtor_ids))
        else:
            self.stdout.write(
                _("Anonymised %(done)s of %(due)s debtors due on %(today)s; %(refused)s refused.")
                % {
                    "done": result.anonymised,
                    "due": result.due,
                    "today": result.today.isoformat(),
                    "refused": result.refused,
                }
            )
        if result.errors:
            raise CommandError(
                _("%(count)s debtors failed, e.g. %(examples)s.")
                % {"count": len(result.errors), "examples": result.errors[:5]}
            )
