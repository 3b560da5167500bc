from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from acuerda.core.validators import validate_country, validate_currency
from acuerda.creditors.buckets import DelinquencyBuckets, validate_bucket_edges
from acuerda.creditors.choices import (
    DEFAULT_ALLOCATION_ORDER,
    DEFAULT_BUCKET_EDGES,
    BalanceComponent,
    Sector,
)

if TYPE_CHECKING:
    from acuerda.people.models import User


def _default_bucket_edges() -> list[int]:
    return list(DEFAULT_BUCKET_EDGES)


def _default_allocation_order() -> list[str]:
    return [str(c) for c in DEFAULT_ALLOCATION_ORDER]


def validate_allocation_order(value: Any) -> None:
    expected = sorted(BalanceComponent.values)
    if not isinstance(value, list) or sorted(value) != expected:
        raise ValidationError(
            _("The allocation order must list each of %(components)s exactly once."),
            params={"components": ", ".join(expected)},
        )


def validate_bucket_edges_field(value: Any) -> None:
    try:
        validate_bucket_edges(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


class CreditorQuerySet(models.QuerySet["Creditor"]):
    def for_user(self, user: User) -> CreditorQuerySet:
        from acuerda.people.scoping import visible_portfolio_ids

        ids = visible_portfolio_ids(user)
        if ids is None:
            return self.all()
        if user.role == "creditor":
            return self.filter(pk=user.creditor_id)
        return self.filter(portfolios__in=ids).distinct()


class Creditor(models.Model):
    """The company that owns the debts and hires the agency (mandante)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    legal_name = models.CharField(_("legal name"), max_length=200)
    country = models.CharField(_("country"), max_length=2, validators=[validate_country])
    tax_id_type = models.CharField(_("tax id type"), max_length=8, blank=True, editable=False)
    tax_id = models.CharField(_("tax id"), max_length=32)
    default_currency = models.CharField(_("default currency"), max_length=3, validators=[validate_currency])
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    bucket_edges = models.JSONField(
        _("delinquency bucket edges (days)"),
        default=_default_bucket_edges,
        validators=[validate_bucket_edges_field],
        help_text=_("Days past due where each bucket starts, e.g. [1, 31, 61, 91, 181, 361]."),
    )
    payment_allocation_order = models.JSONField(
        _("payment allocation order"),
        default=_default_allocation_order,
        validators=[validate_allocation_order],
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CreditorQuerySet.as_manager()

    class Meta:
        verbose_name = _("creditor")
        verbose_name_plural = _("creditors")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["country", "tax_id"], name="creditor_tax_id_unique")]

    def __str__(self) -> str:
        return f"{self.code} — {self.legal_name}"

    @property
    def buckets(self) -> DelinquencyBuckets:
        return DelinquencyBuckets.from_edges(self.bucket_edges)

    def clean(self) -> None:
        from acuerda.debtors.identifiers import InvalidIdentifier, normalize_tax_id

        if self.country and self.tax_id:
            try:
                self.tax_id_type, self.tax_id = normalize_tax_id(country=self.country, number=self.tax_id)
            except InvalidIdentifier as exc:
                raise ValidationError({"tax_id": str(exc)}) from None
