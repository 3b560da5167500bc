"""Promises are kept, partially kept or broken by the payments made towards them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)


@pytest.fixture
def promise(world):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from acuerda.agreements.models import PromiseToPay

    made = dt.datetime(2026, 3, 2, 11, 0, tzinfo=timezone.get_current_timezone())
    return PromiseToPay.objects.create(account=world.account_es, amount=Decimal("200.00"), currency="EUR",
                                       due_on=dt.date(2026, 3, 10), grace_days=3, made_at=made, made_by=world.agent_es)


def _pay(world, amount: str, on: dt.date, ref: str):  # type: ignore[no-untyped-def]
    from acuerda.debts.services import payment_post

    return payment_post(account=world.account_es, amount=Decimal(amount), effective_on=on, actor=world.admin,
                        external_reference=ref)


def test_pending_until_the_deadline(world, promise):  # type: ignore[no-untyped-def]
    from acuerda.agreements.services import promise_evaluate

    _pay(world, "50", dt.date(2026, 3, 5), "p1")
    assert promise_evaluate(promise, today=dt.date(2026, 3, 13)).status == "pending"
    promise.refresh_from_db()
    assert promise.paid_amount == Decimal("50.00")


def test_kept_as_soon_as_paid_within_grace(world, promise):  # type: ignore[no-untyped-def]
    from acuerda.agreements.services import promise_evaluate
    from acuerda.debts.models import AccountEvent

    _pay(world, "120", dt.date(2026, 3, 9), "p1")
    _pay(world, "80", dt.date(2026, 3, 13), "p2")  # the last day of grace
    result = promise_evaluate(promise, today=dt.date(2026, 3, 13))
    assert result.status == "kept" and result.paid_amount == Decimal("200.00")
    assert AccountEvent.objects.filter(kind="promise_resolved", data__status="kept").count() == 1


def test_broken_and_partially_kept_go_back_to_the_queue(world, promise):  # type: ignore[no-untyped-def]
    from acuerda.agreements.services import promise_evaluate, promises_evaluate
    from acuerda.workspace.models import QueueItem

    _pay(world, "80", dt.date(2026, 3, 14), "late")  # after the grace days: does not count
    assert promise_evaluate(promise, today=dt.date(2026, 3, 14)).status == "broken"
    assert QueueItem.objects.get(account=world.account_es).not_before is None
    again = promise.__class__.objects.create(account=world.account_es, amount=Decimal("100"), currency="EUR",
                                             due_on=dt.date(2026, 3, 20), made_at=promise.made_at.replace(day=15))
    _pay(world, "40", dt.date(2026, 3, 18), "part")
    assert promises_evaluate(today=dt.date(2026, 3, 21)) == {"partially_kept": 1}
    again.refresh_from_db()
    assert again.status == "partially_kept" and again.paid_amount == Decimal("40.00")


def test_a_reversed_payment_does_not_keep_a_promise(world, promise):  # type: ignore[no-untyped-def]
    from acuerda.agreements.services import promise_evaluate
    from acuerda.debts.services import ledger_reverse

    entry = _pay(world, "200", dt.date(2026, 3, 9), "bounced")
    ledger_reverse(entry=entry, actor=world.admin, reason="Direct debit returned")
    assert promise_evaluate(promise, today=dt.date(2026, 3, 14)).status == "broken"
