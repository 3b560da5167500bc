from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from acuerda.core.regions import parse_jurisdiction
from acuerda.core.validators import validate_country, validate_currency
from acuerda.portfolios.choices import PortfolioStatus

if TYPE_CHECKING:
    from acuerda.people.models import User


class PortfolioQuerySet(models.QuerySet["Portfolio"]):
    def for_user(self, user: User) -> PortfolioQuerySet:
        from acuerda.people.scoping import scope

        return scope(self, user, "pk")


class Portfolio(models.Model):
    """A placement: a batch of a creditor's accounts handed to the agency, with its terms."""

    creditor = models.ForeignKey(
        "creditors.Creditor", verbose_name=_("creditor"), on_delete=models.PROTECT, related_name="portfolios"
    )
    reference = models.CharField(_("reference"), max_length=64)
    name = models.CharField(_("name"), max_length=200, blank=True)
    placed_on = models.DateField(_("placed on"))
    recall_on = models.DateField(_("recall on"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    jurisdiction_country = models.CharField(
        _("jurisdiction country"), max_length=2, validators=[validate_country]
    )
    jurisdiction_subdivision = models.CharField(
        _("jurisdiction subdivision"),
        max_length=8,
        blank=True,
        help_text=_("ISO 3166-2 subdivision whose rules apply, e.g. CN for ES-CN, MA for US-MA."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=PortfolioStatus.choices, default=PortfolioStatus.ACTIVE
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = PortfolioQuerySet.as_manager()

    class Meta:
        verbose_name = _("portfolio")
        verbose_name_plural = _("portfolios")
        ordering = ["-placed_on", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["creditor", "reference"], name="portfolio_reference_unique"),
            models.CheckConstraint(
                name="portfolio_recall_after_placement",
                condition=Q(recall_on__isnull=True) | Q(recall_on__gte=models.F("placed_on")),
                violation_error_message=_("The recall date cannot precede the placement date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.creditor.code}/{self.reference}"

    def clean(self) -> None:
        if self.jurisdiction_country:
            try:
                parse_jurisdiction(self.jurisdiction)
            except ValueError as exc:
                raise ValidationError({"jurisdiction_subdivision": str(exc)}) from None

    @property
    def jurisdiction(self) -> str:
        if self.jurisdiction_subdivision:
            return f"{self.jurisdiction_country}-{self.jurisdiction_subdivision}"
        return self.jurisdiction_country


class CommissionRate(models.Model):
    """The agency's commission on collected money for one delinquency bucket of a portfolio."""

    portfolio = models.ForeignKey(
        Portfolio, verbose_name=_("portfolio"), on_delete=models.CASCADE, related_name="commission_rates"
    )
    bucket = models.CharField(_("delinquency bucket"), max_length=16)
    rate_percent = models.DecimalField(
        _("commission (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        verbose_name = _("commission rate")
        verbose_name_plural = _("commission schedule")
        ordering = ["portfolio", "bucket"]
        constraints = [
            models.UniqueConstraint(fields=["portfolio", "bucket"], name="commission_bucket_unique"),
            models.CheckConstraint(
                name="commission_rate_range", condition=Q(rate_percent__gte=0) & Q(rate_percent__lte=100)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bucket}: {self.rate_percent}%"
