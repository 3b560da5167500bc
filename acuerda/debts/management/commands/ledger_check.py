from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from acuerda.debts.services import ledger_check_run


class Command(BaseCommand):
    help = "Check that every account's balances equal the sum of its ledger entries."

    def handle(self, *args: Any, **options: Any) -> None:
        run = ledger_check_run()
        assert run.finished_at is not None
        elapsed = (run.finished_at - run.started_at).total_seconds()
        self.stdout.write(f"Checked {run.accounts_checked} accounts in {elapsed:.1f}s.")
        if run.mismatches:
            raise CommandError(
                f"{run.mismatches} accounts differ from their ledger, e.g. ids {run.mismatched_account_ids[:20]}."
            )
        self.stdout.write(self.style.SUCCESS("Every balance matches its ledger."))
