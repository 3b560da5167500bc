"""Registering payments once, applying them across accounts, reversing them; promises and plans
following the money."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal

import pytest

from acuerda.payments.services import PaymentError, payment_register, payment_reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_accounts(world, clock):  # type: ignore[no-untyped-def]
    """Lucía owes the bank on LN-0001 (1,650.50) and on a card opened later (300.00)."""
    from acuerda.debts.services import account_open

    card = account_open(portfolio=world.p_es, debtor=world.debtor_es, creditor_reference="TJ-0002",
                        product="credit_card", principal=Decimal("300.00"), first_unpaid_due_on=dt.date(2026, 1, 5),
                        actor=world.admin)
    return world, card


def _pay(world, amount: str, key: str, **kwargs):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    defaults = {"currency": "EUR", "received_on": timezone.localdate(), "method": "transfer", "source": "manual",
                "actor": world.admin}
    return payment_register(debtor=world.debtor_es, amount=Decimal(amount), idempotency_key=key, **{**defaults, **kwargs})


def test_a_payment_fills_the_oldest_debt_first_then_the_next(two_accounts):  # type: ignore[no-untyped-def]
    world, card = two_accounts
    payment = _pay(world, "1700.00", "k1")
    parts = {a.account.creditor_reference: a.amount for a in payment.allocations.select_related("account")}
    assert parts == {"LN-0001": Decimal("1650.50"), "TJ-0002": Decimal("49.50")}
    world.account_es.refresh_from_db()
    card.refresh_from_db()
    assert world.account_es.status == "paid" and card.principal == Decimal("250.50")
    assert payment.receipt_number == f"R-2026-{payment.pk:07d}"


def test_the_same_key_is_one_payment_and_a_different_payment_under_it_is_refused(two_accounts):  # type: ignore[no-untyped-def]
    from acuerda.payments.models import Payment

    world, _card = two_accounts
    first = _pay(world, "100.00", "double-click")
    again = _pay(world, "100.00", "double-click")
    assert again == first and Payment.objects.count() == 1
    world.account_es.refresh_from_db()
    assert world.account_es.balance.amount == Decimal("1550.50")
    with pytest.raises(PaymentError, match="already used"):
        _pay(world, "101.00", "double-click")


def test_a_named_account_is_paid_first(two_accounts):  # type: ignore[no-untyped-def]
    world, card = two_accounts
    payment = _pay(world, "100.00", "k2", account=card)
    assert [a.account_id for a in payment.allocations.all()] == [card.pk]


def test_refusals(two_accounts):  # type: ignore[no-untyped-def]
    world, _card = two_accounts
    with pytest.raises(PaymentError, match="more than the debtor owes"):
        _pay(world, "5000.00", "too-much")
    with pytest.raises(PaymentError, match="decimals"):
        _pay(world, "10.001", "decimals")
    with pytest.raises(PaymentError, match="future"):
        _pay(world, "10", "future", received_on=dt.date(2026, 3, 3))
    with pytest.raises(PaymentError):
        _pay(world, "10", "wrong-currency", currency="COP")


def test_a_reversal_restores_the_balances_and_reopens_the_promise(two_accounts, clock):  # type: ignore[no-untyped-def]
    from acuerda.agreements.models import PromiseToPay

    world, _card = two_accounts
    promise = PromiseToPay.objects.create(account=world.account_es, amount=Decimal("200"), currency="EUR",
                                          due_on=dt.date(2026, 3, 10), grace_days=3, made_at=clock())
    clock.advance(days=3)
    payment = _pay(world, "200.00", "dd-1", method="direct_debit", source="statement")
    promise.refresh_from_db()
    assert promise.status == "kept"
    clock.advance(days=2)
    payment_reverse(payment=payment, actor=world.admin, reason="Returned direct debit MD06")
    world.account_es.refresh_from_db()
    promise.refresh_from_db()
    assert world.account_es.balance.amount == Decimal("1650.50")
    assert promise.status == "pending" and promise.paid_amount == 0
    assert payment_reverse(payment=payment, actor=world.admin, reason="again").status == "reversed"  # idempotent
    clock.advance(days=10)  # past the date and the grace days: broken
    from acuerda.agreements.services import promises_evaluate

    assert promises_evaluate(today=clock.today) == {"broken": 1}


def _plan(world, clock, **offer):  # type: ignore[no-untyped-def]
    from acuerda.workspace.models import NegotiationPolicy
    from acuerda.workspace.negotiation import Offer
    from acuerda.workspace.queue import account_claim
    from acuerda.workspace.services import plan_agree

    NegotiationPolicy.objects.update_or_create(creditor=world.bank_es, portfolio=None, defaults={
        "max_discount_percent": Decimal("40"), "max_instalments": 12, "allow_interest_waiver": True,
        "promise_grace_days": 3, "missed_instalments_to_break": 2})
    account_claim(agent=world.supervisor, account=world.account_es)
    return plan_agree(agent=world.supervisor, account=world.account_es,
                      offer=Offer(first_payment_on=clock.today + dt.timedelta(days=5), **offer))


def test_a_settlement_plan_completes_and_writes_off_the_saving(two_accounts, clock):  # type: ignore[no-untyped-def]
    from acuerda.agreements.services import plan_evaluate

    world, _card = two_accounts
    plan = _plan(world, clock, discount_percent=Decimal("20"), instalments=2)  # 1,320.40 in two
    first, second = plan.instalments.order_by("number")
    assert (first.amount, second.amount) == (Decimal("660.20"), Decimal("660.20"))
    clock.advance(days=5)
    _pay(world, "660.20", "i1", account=world.account_es)
    first.refresh_from_db()
    plan.refresh_from_db()
    assert first.status == "paid" and plan.status == "active"
    clock.advance(days=30)
    _pay(world, "660.20", "i2", account=world.account_es)
    plan.refresh_from_db()
    world.account_es.refresh_from_db()
    assert plan.status == "completed"
    assert world.account_es.balance.amount == 0 and world.account_es.status == "settled"
    # The second payment is returned: the write-off is undone and the plan is active again.
    from acuerda.payments.models import Payment

    payment_reverse(payment=Payment.objects.get(idempotency_key="i2"), actor=world.admin, reason="Chargeback")
    plan.refresh_from_db()
    world.account_es.refresh_from_db()
    assert plan.status == "active" and world.account_es.balance.amount == Decimal("990.30")
    assert world.account_es.status == "in_arrangement"
    assert plan_evaluate(plan, today=clock.today).status == "active"


def test_a_plan_breaks_after_the_missed_instalments_and_the_account_goes_back_to_work(two_accounts, clock):  # type: ignore[no-untyped-def]
    from acuerda.agreements.services import plans_evaluate
    from acuerda.workspace.models import QueueItem

    world, _card = two_accounts
    plan = _plan(world, clock, instalments=4)
    assert plans_evaluate(today=clock.advance(days=7)) == {"active": 1}  # first one late, within grace
    assert plan.instalments.get(number=1).status == "late"
    assert plans_evaluate(today=clock.advance(days=2)) == {"active": 1}  # one missed
    assert plan.instalments.get(number=1).status == "missed"
    assert plans_evaluate(today=clock.advance(days=31)) == {"broken": 1}  # two missed
    world.account_es.refresh_from_db()
    assert world.account_es.status == "active"
    assert QueueItem.objects.get(account=world.account_es).not_before is None


def test_reminders_are_prepared_once_n_days_before(two_accounts, clock):  # type: ignore[no-untyped-def]
    from acuerda.agreements.services import reminders_emit
    from acuerda.debts.models import AccountEvent

    world, _card = two_accounts
    _plan(world, clock, instalments=2)  # first instalment in 5 days; reminders 3 days before
    assert reminders_emit(today=clock.today) == 0
    assert reminders_emit(today=clock.today + dt.timedelta(days=2)) == 1
    assert reminders_emit(today=clock.today + dt.timedelta(days=2)) == 0
    event = AccountEvent.objects.get(kind="reminder_due")
    assert event.data["amount"] == "825.25" and event.data["due_on"] == "2026-03-07"


def test_a_reminder_the_nightly_job_missed_is_prepared_the_next_night(two_accounts, clock):  # type: ignore[no-untyped-def]
    from acuerda.agreements.services import reminders_emit

    world, _card = two_accounts
    _plan(world, clock, instalments=2)  # first instalment in 5 days; reminders 3 days before
    assert reminders_emit(today=clock.today + dt.timedelta(days=3)) == 1  # 2 days before: the night of 3 was missed
    assert reminders_emit(today=clock.today + dt.timedelta(days=5)) == 0  # once only


class _Rollback(Exception):
    pass


def test_random_payments_and_reversals_keep_the_books_exact(two_accounts, clock):  # type: ignore[no-untyped-def]
    """Any sequence of payments (some repeated by key) and reversals: balances always equal the
    placement less the payments still applied, and every ledger sums up."""
    from django.db import transaction
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from acuerda.debts.models import Account
    from acuerda.debts.selectors import ledger_mismatches
    from acuerda.payments.models import Payment

    world, _card = two_accounts
    placed = Decimal("1650.50") + Decimal("300.00")
    steps = st.lists(st.tuples(st.sampled_from(["pay", "pay", "reverse"]),
                               st.integers(min_value=1, max_value=60_000).map(lambda c: Decimal(c) / 100),
                               st.integers(min_value=0, max_value=5)), min_size=1, max_size=12)

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(steps)
    def run(sequence):  # type: ignore[no-untyped-def]
        try:
            with transaction.atomic():
                for action, amount, key in sequence:
                    if action == "pay":
                        with contextlib.suppress(PaymentError):  # more than owed
                            _pay(world, str(amount), f"k{key}-{amount}")
                    else:
                        applied = list(Payment.objects.filter(status="applied").order_by("pk"))
                        if applied:
                            payment_reverse(payment=applied[key % len(applied)], actor=world.admin, reason="Returned")
                still = sum((p.amount for p in Payment.objects.filter(status="applied")), Decimal(0))
                owed = sum((a.principal + a.interest + a.fees for a in Account.objects.filter(debtor=world.debtor_es)),
                           Decimal(0))
                assert owed == placed - still
                assert not ledger_mismatches().exists()
                raise _Rollback
        except _Rollback:
            pass

    run()


def test_a_payment_reported_late_keeps_a_promise_already_judged_broken(two_accounts, clock):  # type: ignore[no-untyped-def]
    from acuerda.agreements.models import PromiseToPay
    from acuerda.agreements.services import promises_evaluate
    from acuerda.debts.models import AccountEvent

    world, _card = two_accounts
    promise = PromiseToPay.objects.create(account=world.account_es, amount=Decimal("200"), currency="EUR",
                                          due_on=dt.date(2026, 3, 10), grace_days=3, made_at=clock())
    clock.advance(days=14)  # 16 March: past 10 March + 3 days, nothing seen
    assert promises_evaluate(today=clock.today) == {"broken": 1}
    # The bank statement read today shows the transfer with value date 9 March.
    _pay(world, "200.00", "st-9", received_on=dt.date(2026, 3, 9), source="statement")
    promise.refresh_from_db()
    assert promise.status == "kept" and promise.paid_amount == Decimal("200.00")
    assert AccountEvent.objects.filter(kind="promise_resolved", data__status="kept").exists()
    # A payment outside the window changes nothing for it.
    other = PromiseToPay.objects.create(account=world.account_es, amount=Decimal("50"), currency="EUR",
                                        due_on=dt.date(2026, 3, 12), grace_days=0, made_at=clock() - dt.timedelta(days=10),
                                        status="broken", resolved_at=clock())
    _pay(world, "50.00", "late-15", received_on=dt.date(2026, 3, 15), source="statement")
    other.refresh_from_db()
    assert other.status == "broken"


def test_a_supervisor_cancels_a_plan_and_the_account_goes_back_to_work(two_accounts, clock, client):  # type: ignore[no-untyped-def]
    from django.urls import reverse

    from acuerda.agreements.services import AgreementError, plan_cancel, plans_evaluate
    from acuerda.debts.models import AccountEvent
    from acuerda.workspace.models import QueueItem

    world, _card = two_accounts
    plan = _plan(world, clock, discount_percent=Decimal("20"), instalments=2)
    _pay(world, "660.20", "c1", account=world.account_es)
    client.force_login(world.agent_es)
    url = reverse("workspace:plan_cancel", args=[plan.pk])
    assert client.post(url, {"reason": "Debtor withdrew"}).status_code == 403  # agents do not cancel plans
    client.force_login(world.supervisor)
    client.post(url, {"reason": ""})
    plan.refresh_from_db()
    assert plan.status == "active"  # a reason is required
    assert client.post(url, {"reason": "Debtor withdrew"}).status_code == 302
    plan.refresh_from_db()
    world.account_es.refresh_from_db()
    assert plan.status == "cancelled" and world.account_es.status == "active"
    assert world.account_es.balance.amount == Decimal("990.30")  # paid stays paid, no saving written off
    assert QueueItem.objects.filter(account=world.account_es).exists()
    event = AccountEvent.objects.filter(kind="plan_status").latest("pk")
    assert (event.reason, event.actor, event.data["to"]) == ("Debtor withdrew", world.supervisor, "cancelled")
    from django.utils import translation

    with translation.override("en"), pytest.raises(AgreementError, match="in force"):  # the pages left Spanish on
        plan_cancel(plan=plan, actor=world.supervisor, reason="again")
    assert plans_evaluate(today=clock.advance(days=90)) == {}  # a cancelled plan is not judged any more


def test_reminders_further_ahead_than_a_month(two_accounts, clock):  # type: ignore[no-untyped-def]
    from acuerda.agreements.services import reminders_emit
    from acuerda.workspace.models import NegotiationPolicy

    world, _card = two_accounts
    _plan(world, clock, instalments=2)  # first instalment in 5 days, the second 35 days ahead
    NegotiationPolicy.objects.filter(creditor=world.bank_es).update(reminder_days=40)
    assert reminders_emit(today=clock.today) == 2  # both fall within the policy's 40 days
