from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from acuerda.core.regions import parse_jurisdiction
from acuerda.creditors.models import Creditor
from acuerda.portfolios.choices import PORTFOLIO_TRANSITIONS
from acuerda.portfolios.models import CommissionRate, Portfolio


@transaction.atomic
def portfolio_create(
    *,
    creditor: Creditor,
    reference: str,
    placed_on: dt.date,
    jurisdiction: str,
    currency: str | None = None,
    name: str = "",
    recall_on: dt.date | None = None,
    commission_rates: Mapping[str, Decimal] | None = None,
) -> Portfolio:
    """Register a placement. ``jurisdiction`` is ``"ES"``, ``"ES-CN"``, ``"US-MA"``..."""
    try:
        country, subdivision = parse_jurisdiction(jurisdiction)
    except ValueError as exc:
        raise ValidationError({"jurisdiction": str(exc)}) from None
    portfolio = Portfolio(
        creditor=creditor, reference=reference.strip(), name=name.strip(), placed_on=placed_on,
        recall_on=recall_on, currency=(currency or creditor.default_currency).upper(),
        jurisdiction_country=country, jurisdiction_subdivision=subdivision,
    )
    portfolio.full_clean()
    portfolio.save()
    if commission_rates:
        portfolio_set_commissions(portfolio=portfolio, rates=commission_rates)
    return portfolio


@transaction.atomic
def portfolio_set_commissions(*, portfolio: Portfolio, rates: Mapping[str, Decimal]) -> list[CommissionRate]:
    """Replace the commission schedule; every bucket must be one of the creditor's buckets."""
    labels = portfolio.creditor.buckets.labels()
    unknown = sorted(set(rates) - set(labels))
    if unknown:
        raise ValidationError(
            {"commission_rates": _("Unknown buckets %(unknown)s; this creditor's buckets are %(labels)s.")
             % {"unknown": ", ".join(unknown), "labels": ", ".join(labels)}}
        )
    portfolio.commission_rates.all().delete()
    created = []
    for bucket, rate in rates.items():
        item = CommissionRate(portfolio=portfolio, bucket=bucket, rate_percent=Decimal(str(rate)))
        item.full_clean()
        item.save()
        created.append(item)
    return created


@transaction.atomic
def portfolio_transition(*, portfolio: Portfolio, to_status: str) -> Portfolio:
    if to_status not in PORTFOLIO_TRANSITIONS.get(portfolio.status, frozenset()):
        raise ValidationError(
            {"status": _("Portfolio %(ref)s cannot move from %(from)s to %(to)s.")
             % {"ref": portfolio.reference, "from": portfolio.status, "to": to_status}}
        )
    portfolio.status = to_status
    portfolio.save(update_fields=["status"])
    return portfolio
