"""Splitting a payment across a debtor's accounts: properties over random debts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from acuerda.payments.allocation import Target, rank, split

cents = st.integers(min_value=0, max_value=5_000_000).map(lambda c: Decimal(c) / 100)
dates = st.one_of(st.none(), st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2027, 1, 1)))


@st.composite
def targets(draw):  # type: ignore[no-untyped-def]
    n = draw(st.integers(min_value=1, max_value=6))
    named = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=n - 1)))
    return [Target(account_id=i + 1, balance=draw(cents), named=i == named, instalment_due_on=draw(dates),
                   promise_due_on=draw(dates), first_unpaid_due_on=draw(dates)) for i in range(n)]


@settings(max_examples=300, deadline=None)
@given(targets(), st.integers(min_value=1, max_value=10_000_000).map(lambda c: Decimal(c) / 100))
def test_a_split_is_exact_bounded_and_in_order(accounts, amount):  # type: ignore[no-untyped-def]
    parts, unapplied = split(amount, accounts)
    balances = {t.account_id: t.balance for t in accounts}
    assert sum((p for _a, p in parts), Decimal(0)) + unapplied == amount
    assert all(Decimal(0) < part <= balances[a] for a, part in parts)
    assert unapplied >= 0
    assert unapplied == 0 or all(part == balances[a] for a, part in parts)  # leftovers only when all is paid
    order = [t.account_id for t in rank(accounts) if t.balance > 0]
    assert [a for a, _p in parts] == order[: len(parts)]
    # every account but the last one filled is paid in full
    assert all(part == balances[a] for a, part in parts[:-1])


def test_the_order_of_preference():  # type: ignore[no-untyped-def]
    d = dt.date
    accounts = [
        Target(1, Decimal("100"), first_unpaid_due_on=d(2024, 1, 1)),
        Target(2, Decimal("100"), promise_due_on=d(2026, 3, 10)),
        Target(3, Decimal("100"), instalment_due_on=d(2026, 3, 20)),
        Target(4, Decimal("100"), named=True),
        Target(5, Decimal("100"), first_unpaid_due_on=d(2023, 1, 1)),
    ]
    assert [t.account_id for t in rank(accounts)] == [4, 3, 2, 5, 1]
    parts, unapplied = split(Decimal("250"), accounts)
    assert parts == [(4, Decimal("100")), (3, Decimal("100")), (2, Decimal("50"))] and unapplied == 0
