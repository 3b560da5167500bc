"""Reads over accounts and ledgers."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Round

from acuerda.core.money import CENT
from acuerda.debts.allocation import COMPONENTS
from acuerda.debts.models import ZERO, Account, AccountEvent, LedgerEntry

if TYPE_CHECKING:
    from acuerda.people.models import User


def ledger_sums(*, account: Account) -> dict[str, Decimal]:
    """The balances as the ledger says they are, summed from every entry."""
    sums = LedgerEntry.objects.filter(account=account).aggregate(**{c: Sum(c) for c in COMPONENTS})
    # Quantised: SQLite adds decimals as floating point; amounts are whole cents by construction.
    return {c: (sums[c] or ZERO).quantize(CENT) for c in COMPONENTS}


def ledger_mismatches(*, accounts: QuerySet[Account] | None = None) -> QuerySet[Account]:
    """Accounts whose cached balances differ from the sum of their ledger entries.

    It should always be empty; ``acuerda ledger_check`` runs it over every account.
    """
    accounts = Account.objects.all() if accounts is None else accounts
    annotations = {}
    for component in COMPONENTS:
        total = (
            LedgerEntry.objects.filter(account_id=OuterRef("pk"))
            .order_by()
            .values("account_id")
            .annotate(component_sum=Sum(component))
            .values("component_sum")
        )
        # Rounded on both sides: SQLite sums decimals in floating point (50.00 + 0.01 + 0.01 is
        # 50.019999...), PostgreSQL's numeric is exact and unaffected.
        money = DecimalField(max_digits=18, decimal_places=2)
        annotations[f"ledger_{component}"] = Round(Coalesce(Subquery(total), Value(ZERO), output_field=money), 2)
        annotations[f"cached_{component}"] = Round(F(component), 2, output_field=money)
    condition = Q()
    for component in COMPONENTS:
        condition |= ~Q(**{f"cached_{component}": F(f"ledger_{component}")})
    return accounts.annotate(**annotations).filter(condition)


def account_timeline(*, account: Account, user: User) -> QuerySet[AccountEvent]:
    return AccountEvent.objects.for_user(user).filter(account=account).select_related("actor").order_by("-at", "-pk")


def account_ledger(*, account: Account, user: User) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.for_user(user).filter(account=account).select_related("actor").order_by("posted_at", "pk")
