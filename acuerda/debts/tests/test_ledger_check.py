"""The nightly ledger check, run by a real Celery worker over a real broker: the embedded
SQLite-backed one and Redis (production)."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.core.management import CommandError, call_command

from acuerda.debts.models import Account, LedgerCheckRun
from acuerda.debts.services import ledger_check_run


@pytest.mark.django_db
def test_a_clean_ledger_passes_and_a_tampered_one_is_reported(world):
    run = ledger_check_run(batch_size=1)
    assert (run.accounts_checked, run.mismatches) == (2, 0)
    Account.objects.filter(pk=world.account_es.pk).update(principal=Decimal("1.00"))
    run = ledger_check_run(batch_size=1)
    assert (run.mismatches, run.mismatched_account_ids) == (1, [world.account_es.pk])
    with pytest.raises(CommandError, match="1 accounts differ"):
        call_command("ledger_check")


def _app(broker_url: str) -> Celery:
    app = Celery("acuerda-test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.broker_url = broker_url
    app.conf.task_always_eager = False
    app.autodiscover_tasks(["acuerda.debts"], force=True)
    return app


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("broker", ["sqlite", "redis"])
def test_the_ledger_check_task_runs_on_a_real_worker(world, tmp_path, broker):
    url = f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}" if broker == "sqlite" else "redis://127.0.0.1:6379/15"
    app = _app(url)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            app.send_task("debts.ledger_check")
            deadline = time.monotonic() + 30
            while not LedgerCheckRun.objects.filter(finished_at__isnull=False).exists():
                assert time.monotonic() < deadline, f"the worker did not run the task through {broker}"
                time.sleep(0.2)
    finally:
        # The test worker makes its app the current and default one; give them back.
        from config.celery import app as product_app

        product_app.set_current()
        product_app.set_default()
    run = LedgerCheckRun.objects.get()
    assert (run.accounts_checked, run.mismatches) == (2, 0)
