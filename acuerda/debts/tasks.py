from __future__ import annotations

import logging

from celery import shared_task

from acuerda.debts.services import ledger_check_run

logger = logging.getLogger(__name__)


@shared_task(name="debts.ledger_check")
def ledger_check() -> int:
    """Nightly: verify every cached balance against the ledger; returns the run id."""
    run = ledger_check_run()
    if run.mismatches:
        logger.error("Ledger check %s found %s accounts whose balances differ from their ledger", run.pk, run.mismatches)
    return run.pk
