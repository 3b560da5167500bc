"""Splitting one payment across a debtor's accounts. Pure: no database, property-tested.

Order (the agency's policy, the same for every creditor so a debtor is treated alike):

1. the account the payer named (a reference in the transfer, the account an agent took it for);
2. accounts with an instalment due (earliest due date first): the money keeps the agreement alive;
3. accounts with a pending promise (earliest date first);
4. the oldest debt first (earliest first unpaid due date), then the account number.

Each account takes at most its balance; whatever no account can take is returned as unapplied
(the caller refuses it: overpayments are for the payments back office).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal("0.00")
_FAR = dt.date.max


@dataclass(frozen=True, slots=True)
class Target:
    account_id: int
    balance: Decimal
    named: bool = False  # the payer named this account
    instalment_due_on: dt.date | None = None  # the earliest unpaid instalment of a plan in force
    promise_due_on: dt.date | None = None  # the earliest pending promise
    first_unpaid_due_on: dt.date | None = None


def rank(targets: Sequence[Target]) -> list[Target]:
    def key(t: Target) -> tuple[int, dt.date, dt.date, dt.date, int]:
        return (0 if t.named else 1, t.instalment_due_on or _FAR, t.promise_due_on or _FAR,
                t.first_unpaid_due_on or _FAR, t.account_id)

    return sorted(targets, key=key)


def split(amount: Decimal, targets: Sequence[Target]) -> tuple[list[tuple[int, Decimal]], Decimal]:
    """(account id, part) in application order, and the unapplied rest."""
    if amount <= 0:
        raise ValueError(f"A payment must be positive, got {amount}.")
    remaining = amount
    parts = []
    for target in rank(targets):
        if remaining <= 0:
            break
        take = min(remaining, max(target.balance, ZERO))
        if take > 0:
            parts.append((target.account_id, take))
            remaining -= take
    return parts, remaining
