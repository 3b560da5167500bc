"""The same payment registered concurrently — a double click, two people, a webhook retried while
the first call is still running — is recorded once. A real race on PostgreSQL."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

THREADS = 6


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="a real race needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_of_one_payment_record_it_once(world):  # type: ignore[no-untyped-def]
    from django.db import connections
    from django.utils import timezone

    from acuerda.debts.models import LedgerEntry
    from acuerda.payments.models import Payment, PaymentAllocation
    from acuerda.payments.services import payment_register

    barrier = threading.Barrier(THREADS)
    results: list[int] = []
    errors: list[BaseException] = []

    def register() -> None:
        try:
            barrier.wait(timeout=30)
            payment = payment_register(debtor=world.debtor_es, amount=Decimal("250.00"), currency="EUR",
                                       received_on=timezone.localdate(), method="card", source="provider",
                                       idempotency_key="provider:evt_123", actor=None, reference="evt_123")
            results.append(payment.pk)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(results) == THREADS and len(set(results)) == 1
    assert Payment.objects.count() == 1 and PaymentAllocation.objects.count() == 1
    assert LedgerEntry.objects.filter(kind="payment").count() == 1
    world.account_es.refresh_from_db()
    assert world.account_es.balance.amount == Decimal("1400.50")
    assert connection.vendor == "postgresql"
