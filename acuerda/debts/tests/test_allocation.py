"""Allocation order properties, without a database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acuerda.debts.allocation import COMPONENTS, allocate

cents = st.integers(min_value=0, max_value=10_000_000).map(lambda c: Decimal(c) / 100)
positive = st.integers(min_value=1, max_value=20_000_000).map(lambda c: Decimal(c) / 100)
orders = st.permutations(list(COMPONENTS))


@given(amount=positive, balances=st.fixed_dictionaries({c: cents for c in COMPONENTS}), order=orders)
def test_allocation_conserves_money_and_fills_components_in_order(amount, balances, order):
    result = allocate(amount, balances, order)

    assert result.applied + result.unapplied == amount
    assert all(Decimal(0) <= result.parts[c] <= balances[c] for c in COMPONENTS)
    # A component only receives money once every earlier one in the order is paid off.
    for i, component in enumerate(order):
        if result.parts[component] > 0:
            assert all(result.parts[earlier] == balances[earlier] for earlier in order[:i])
    # Money is left over only when every component is paid off.
    if result.unapplied > 0:
        assert all(result.parts[c] == balances[c] for c in COMPONENTS)


def test_default_order_is_fees_then_interest_then_principal():
    result = allocate(Decimal("50"), {"principal": Decimal("100"), "interest": Decimal("30"), "fees": Decimal("10")})
    assert result.parts == {"fees": Decimal("10"), "interest": Decimal("30"), "principal": Decimal("10")}
    assert result.unapplied == 0


@pytest.mark.parametrize("bad_order", [["fees", "interest"], ["fees", "fees", "principal"], ["a", "b", "c"]])
def test_an_order_must_name_each_component_once(bad_order):
    with pytest.raises(ValueError, match="exactly once"):
        allocate(Decimal("1"), {}, bad_order)


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5")])
def test_a_payment_must_be_positive(amount):
    with pytest.raises(ValueError, match="positive"):
        allocate(amount, {"principal": Decimal("10")})
