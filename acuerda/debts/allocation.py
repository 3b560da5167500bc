"""Split a payment across balance components in a configured order (default fees → interest →
principal). Pure functions: no database, so they are property-tested on their own."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from acuerda.creditors.choices import DEFAULT_ALLOCATION_ORDER, BalanceComponent

COMPONENTS: tuple[str, ...] = tuple(BalanceComponent.values)
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Allocation:
    """How much of a payment goes to each component, and what could not be applied."""

    parts: dict[str, Decimal]
    unapplied: Decimal

    @property
    def applied(self) -> Decimal:
        return sum(self.parts.values(), ZERO)


def validate_order(order: Sequence[str]) -> tuple[str, ...]:
    if sorted(order) != sorted(COMPONENTS):
        raise ValueError(f"Allocation order {list(order)} must list each of {', '.join(COMPONENTS)} exactly once.")
    return tuple(order)


def allocate(
    amount: Decimal,
    balances: Mapping[str, Decimal],
    order: Sequence[str] = tuple(DEFAULT_ALLOCATION_ORDER),
) -> Allocation:
    """Fill each component in ``order`` up to its balance; the rest is ``unapplied``."""
    if amount <= 0:
        raise ValueError(f"A payment must be positive, got {amount}.")
    remaining = amount
    parts = dict.fromkeys(COMPONENTS, ZERO)
    for component in validate_order(order):
        take = min(remaining, max(balances.get(component, ZERO), ZERO))
        parts[component] = take
        remaining -= take
    return Allocation(parts=parts, unapplied=remaining)
