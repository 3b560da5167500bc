"""Properties of the instalment and promise state machines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from acuerda.agreements.services import instalment_states

START = dt.date(2026, 3, 7)


@st.composite
def schedules(draw):  # type: ignore[no-untyped-def]
    n = draw(st.integers(min_value=1, max_value=12))
    amounts = [Decimal(draw(st.integers(min_value=1, max_value=100_000))) / 100 for _ in range(n)]
    return [(START + dt.timedelta(days=30 * i), a) for i, a in enumerate(amounts)]


@settings(max_examples=400, deadline=None)
@given(schedules(), st.integers(min_value=0, max_value=2_000_000).map(lambda c: Decimal(c) / 100),
       st.integers(min_value=-10, max_value=400), st.integers(min_value=0, max_value=10))
def test_money_fills_instalments_in_order_and_statuses_follow_the_calendar(schedule, paid, offset, grace):  # type: ignore[no-untyped-def]
    today = START + dt.timedelta(days=offset)
    states = instalment_states(schedule, paid, today=today, grace_days=grace)
    total = sum((a for _d, a in schedule), Decimal(0))
    assert sum((p for p, _s in states), Decimal(0)) == min(paid, total)
    statuses = [s for _p, s in states]
    paid_prefix = statuses.count("paid")
    assert statuses[:paid_prefix] == ["paid"] * paid_prefix  # paid ones come first (money fills in order)
    for (due_on, amount), (part, status) in zip(schedule, states, strict=True):
        assert Decimal(0) <= part <= amount
        if status == "paid":
            assert part == amount
        elif status == "due":
            assert today <= due_on
        elif status == "late":
            assert due_on < today <= due_on + dt.timedelta(days=grace)
        else:
            assert status == "missed" and today > due_on + dt.timedelta(days=grace)
    # More money never makes an instalment worse off.
    more = instalment_states(schedule, paid + Decimal("1.00"), today=today, grace_days=grace)
    rank = {"paid": 0, "due": 1, "late": 2, "missed": 3}
    assert all(rank[b] <= rank[a] for (_p, a), (_q, b) in zip(states, more, strict=True))
