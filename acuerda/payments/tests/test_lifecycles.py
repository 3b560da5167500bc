"""Properties of the promise and plan state machines, driven through the real services.

Hypothesis writes a story: days pass, the debtor pays (towards the plan's account or the
promise's), payments are returned; after each step the nightly jobs run. After every step the
stored states must equal a model written here from the definitions alone — the money that is
still applied, the calendar, the policy — and the books must balance.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

GRACE = 3  # the policy's grace days (promises and instalments)
TO_BREAK = 2  # missed instalments that break a plan
CENTS = Decimal("0.01")


class _Rollback(Exception):
    pass


steps = st.lists(
    st.one_of(
        st.tuples(st.just("wait"), st.integers(min_value=1, max_value=25)),
        st.tuples(st.sampled_from(["pay_plan", "pay_promise"]),
                  st.integers(min_value=1, max_value=90_000).map(lambda c: Decimal(c) * CENTS)),
        st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=9)),
    ),
    min_size=1, max_size=14,
)


def _applied(account, since: dt.date, until: dt.date) -> Decimal:  # type: ignore[no-untyped-def]
    """Money of payments still applied that went to ``account``, received in [since, until]:
    read from the allocations, not from the ledger the services sum."""
    from acuerda.payments.models import PaymentAllocation

    rows = PaymentAllocation.objects.filter(account=account, payment__status="applied",
                                            payment__received_on__gte=since, payment__received_on__lte=until)
    return sum((a.amount for a in rows), Decimal(0))


def _expected_instalments(schedule: list[tuple[dt.date, Decimal]], paid: Decimal, today: dt.date) -> list[str]:
    statuses, covered = [], Decimal(0)
    for due_on, amount in schedule:
        covered += amount
        if paid >= covered:
            statuses.append("paid")
        elif today <= due_on:
            statuses.append("due")
        elif today <= due_on + dt.timedelta(days=GRACE):
            statuses.append("late")
        else:
            statuses.append("missed")
    return statuses


def test_promises_and_plans_follow_the_money_and_the_calendar(world, clock):  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    from django.db import transaction
    from django.utils import timezone

    from acuerda.agreements.models import PromiseToPay
    from acuerda.agreements.services import plans_evaluate, promises_evaluate
    from acuerda.debts.models import Account, LedgerEntry
    from acuerda.debts.selectors import ledger_mismatches
    from acuerda.debts.services import account_open
    from acuerda.payments.models import Payment
    from acuerda.payments.services import PaymentError, payment_register, payment_reverse
    from acuerda.workspace.models import NegotiationPolicy
    from acuerda.workspace.negotiation import Offer
    from acuerda.workspace.queue import account_claim
    from acuerda.workspace.services import plan_agree

    start = dt.datetime(2026, 3, 2, 11, 0, tzinfo=ZoneInfo("Europe/Madrid"))
    card = account_open(portfolio=world.p_es, debtor=world.debtor_es, creditor_reference="TJ-0002",
                        product="credit_card", principal=Decimal("300.00"), first_unpaid_due_on=dt.date(2026, 1, 5),
                        actor=world.admin)
    NegotiationPolicy.objects.update_or_create(creditor=world.bank_es, portfolio=None, defaults={
        "max_discount_percent": Decimal("40"), "max_instalments": 12, "allow_interest_waiver": True,
        "promise_grace_days": GRACE, "missed_instalments_to_break": TO_BREAK})

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    # Completed, a payment returned, completed again: the saving is written off again.
    @example(discount=Decimal(25), instalments=1, promised=5_000,
             story=[("wait", 5), ("pay_plan", Decimal("1237.88")), ("reverse", 0), ("pay_plan", Decimal("1237.88"))])
    @given(discount=st.sampled_from([Decimal(0), Decimal(10), Decimal(25)]),
           instalments=st.integers(min_value=1, max_value=4), promised=st.integers(min_value=5_000, max_value=30_000),
           story=steps)
    def run(discount, instalments, promised, story):  # type: ignore[no-untyped-def]
        clock.now = start
        try:
            with transaction.atomic():
                account_claim(agent=world.supervisor, account=world.account_es)
                plan = plan_agree(agent=world.supervisor, account=world.account_es, offer=Offer(
                    first_payment_on=clock.today + dt.timedelta(days=5), discount_percent=discount,
                    instalments=instalments))
                schedule = [(i.due_on, i.amount) for i in plan.instalments.order_by("number")]
                forgiven = plan.balance_at_agreement - plan.total_to_pay
                promise = PromiseToPay.objects.create(account=card, amount=Decimal(promised) * CENTS, currency="EUR",
                                                      due_on=clock.today + dt.timedelta(days=7), grace_days=GRACE,
                                                      made_at=clock())
                made_on, deadline = clock.today, promise.due_on + dt.timedelta(days=GRACE)
                broken = False  # the model's memory: a broken plan stays broken
                for n, (action, value) in enumerate(story):
                    if action == "wait":
                        clock.advance(days=value)
                    elif action == "reverse":
                        applied = list(Payment.objects.filter(status="applied").order_by("pk"))
                        if applied:
                            payment_reverse(payment=applied[value % len(applied)], actor=world.admin, reason="Returned")
                    else:
                        target = world.account_es if action == "pay_plan" else card
                        with contextlib.suppress(PaymentError):  # more than the debtor owes
                            payment_register(debtor=world.debtor_es, amount=value, currency="EUR",
                                             received_on=timezone.localdate(), method="transfer", source="manual",
                                             idempotency_key=f"step-{n}", actor=world.admin, account=target)
                    today = clock.today
                    plans_evaluate(today=today)
                    promises_evaluate(today=today)

                    # The plan.
                    plan.refresh_from_db()
                    paid = _applied(world.account_es, made_on, today)
                    expected = _expected_instalments(schedule, paid, today)
                    all_paid = all(s == "paid" for s in expected)
                    if not broken and not all_paid and expected.count("missed") >= TO_BREAK:
                        broken = True
                    want = "broken" if broken else "completed" if all_paid else "active"
                    assert plan.status == want, (story[: n + 1], expected)
                    if not broken:
                        assert [i.status for i in plan.instalments.order_by("number")] == expected
                    write_offs = LedgerEntry.objects.filter(account=world.account_es, kind="discount",
                                                            reversed_by__isnull=True)
                    assert write_offs.count() == (1 if want == "completed" and forgiven > 0 else 0)
                    account = Account.objects.get(pk=world.account_es.pk)
                    if want == "completed":
                        assert account.status in ("settled", "paid") and account.balance.amount == 0
                    elif want == "active":
                        assert account.status == "in_arrangement"

                    # The promise.
                    promise.refresh_from_db()
                    in_window = _applied(card, made_on, min(today, deadline))
                    if in_window >= promise.amount:
                        assert promise.status == "kept"
                    elif today > deadline:
                        assert promise.status == ("partially_kept" if in_window > 0 else "broken")
                        assert promise.paid_amount == in_window
                    else:
                        assert promise.status == "pending"

                    assert not ledger_mismatches().exists()
                raise _Rollback
        except _Rollback:
            pass

    run()
