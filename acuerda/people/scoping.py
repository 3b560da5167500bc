"""Who may see which portfolios: the root of every ``.for_user(user)`` queryset.

Everything a person reads hangs off a portfolio (accounts, ledgers, timelines, debtors through
their accounts), so scoping starts here:

- agency administrators and compliance officers see every portfolio;
- supervisors and agents see the portfolios of the teams they belong to;
- a creditor user sees the portfolios of their own creditor, read-only;
- anyone else (anonymous, inactive, unknown role) sees nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.apps import apps
from django.db.models import Q, QuerySet

from acuerda.people.choices import TEAM_SCOPED_ROLES, Role

if TYPE_CHECKING:
    from acuerda.people.models import User


def is_active_user(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def sees_everything(user: User) -> bool:
    return is_active_user(user) and user.sees_all_creditors


def visible_portfolio_ids(user: User) -> QuerySet | None:
    """A subquery of portfolio ids the user may see; ``None`` means "all of them"."""
    Portfolio = apps.get_model("portfolios", "Portfolio")
    if not is_active_user(user):
        return Portfolio.objects.none().values("pk")
    if user.sees_all_creditors:
        return None
    if user.role == Role.CREDITOR:
        if user.creditor_id is None:  # excluded by a database constraint; never widen on doubt
            return Portfolio.objects.none().values("pk")
        return Portfolio.objects.filter(creditor_id=user.creditor_id).values("pk")
    if user.role in TEAM_SCOPED_ROLES:
        Membership = apps.get_model("people", "Team").portfolios.through
        return Membership.objects.filter(team__members=user).values("portfolio_id")
    return Portfolio.objects.none().values("pk")


def portfolio_filter(user: User, field: str = "portfolio_id") -> Q | None:
    """A ``Q`` restricting ``field`` (a portfolio id path) to what the user may see, or None for all."""
    ids = visible_portfolio_ids(user)
    if ids is None:
        return None
    return Q(**{f"{field}__in": ids})


_QS = TypeVar("_QS", bound=QuerySet)


def scope(queryset: _QS, user: User, field: str) -> _QS:
    condition = portfolio_filter(user, field)
    return queryset if condition is None else queryset.filter(condition)
