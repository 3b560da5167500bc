from __future__ import annotations

import logging

from celery import shared_task

from acuerda.privacy import services

logger = logging.getLogger(__name__)


@shared_task(name="privacy.retention_run")
def retention_run() -> dict[str, int]:
    """Nightly: anonymise the debtors whose creditors' retention periods have elapsed.

    Idempotent (an anonymised debtor is never selected again), so a crashed run is simply
    re-driven by the next night's."""
    result = services.retention_run()
    if result.errors:
        logger.error(
            "Retention run: %s debtors could not be anonymised, e.g. %s",
            len(result.errors),
            result.errors[:5],
        )
    return {
        "due": result.due,
        "anonymised": result.anonymised,
        "refused": result.refused,
        "errors": len(result.errors),
    }
