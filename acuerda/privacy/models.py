"""Data-subject rights and retention: who was erased and why, how long each creditor's debtors
are kept, legal holds that stop an erasure, and a summary row per bulk export."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from acuerda.core.models import AppendOnlyModel, AppendOnlyQuerySet
from acuerda.privacy.choices import ErasureTrigger, ExportKind

if TYPE_CHECKING:
    from acuerda.people.models import User

# Used when a creditor has no RetentionPolicy. Six years is Spain's bookkeeping period for the
# records behind the accounts (Código de Comercio art. 30: books, correspondence and supporting
# documents for six years from the last entry), which also covers the four-year tax period (Ley
# General Tributaria art. 66) and the five-year limitation of personal claims (Código Civil art.
# 1964.2). Countries with longer periods for commercial books (Colombia, Ley 962 de 2005 art. 28,
# and Mexico, Código de Comercio art. 38: ten years) need a creditor RetentionPolicy. See
# docs/adr/0004-privacy.md.
DEFAULT_RETENTION_YEARS = 6


def _sees_everything(user: User) -> bool:
    from acuerda.people.scoping import sees_everything

    return sees_everything(user)


class RetentionPolicyQuerySet(models.QuerySet["RetentionPolicy"]):
    def for_user(self, user: User) -> RetentionPolicyQuerySet:
        return self.all() if _sees_everything(user) else self.none()


class RetentionPolicy(models.Model):
    """How long a creditor's debtors are kept after their last account with it closed.

    A creditor without a policy gets ``DEFAULT_RETENTION_YEARS``. A disabled policy means "never
    anonymise automatically": accounts of that creditor keep their debtors until someone decides.
    """

    creditor = models.OneToOneField(
        "creditors.Creditor",
        verbose_name=_("creditor"),
        on_delete=models.CASCADE,
        related_name="retention_policy",
    )
    anonymise_after_years = models.PositiveSmallIntegerField(
        _("anonymise after (years)"),
        default=DEFAULT_RETENTION_YEARS,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Years after the last account with this creditor closed."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    legal_basis = models.CharField(
        _("legal basis"),
        max_length=255,
        blank=True,
        help_text=_("The law or contract clause that sets this period."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RetentionPolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")
        constraints = [
            models.CheckConstraint(
                name="retention_years_positive", condition=Q(anonymise_after_years__gte=1)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.creditor_id}: {self.anonymise_after_years}"


class LegalHoldQuerySet(models.QuerySet["LegalHold"]):
    def for_user(self, user: User) -> LegalHoldQuerySet:
        return self.all() if _sees_everything(user) else self.none()

    def active(self) -> LegalHoldQuerySet:
        return self.filter(released_at__isnull=True)


class LegalHold(models.Model):
    """A lawsuit, a regulator's inquiry or a court order that requires keeping a debtor's data
    as it is: while one is active, neither a request nor the retention job anonymises them."""

    debtor = models.ForeignKey(
        "debtors.Debtor",
        verbose_name=_("debtor"),
        on_delete=models.PROTECT,
        related_name="legal_holds",
    )
    reason = models.TextField(_("reason"))
    placed_at = models.DateTimeField(_("placed at"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("placed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("released by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        indexes = [
            models.Index(
                fields=["debtor"],
                condition=Q(released_at__isnull=True),
                name="legal_hold_active_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.debtor_id}: {self.reason[:40]}"


class ErasureRecordQuerySet(AppendOnlyQuerySet):
    def for_user(self, user: User) -> ErasureRecordQuerySet:
        return self.all() if _sees_everything(user) else self.none()


class ErasureRecord(AppendOnlyModel):
    """Proof that a debtor's personal data was anonymised: who, when, why, and which kinds of
    data went and which were kept, never the values themselves. One per debtor."""

    debtor = models.OneToOneField(
        "debtors.Debtor",
        verbose_name=_("debtor"),
        on_delete=models.PROTECT,
        related_name="erasure_record",
    )
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    trigger = models.CharField(_("trigger"), max_length=12, choices=ErasureTrigger.choices)
    reason = models.TextField(_("reason"))
    removed = models.JSONField(
        _("removed"), default=dict, help_text=_("Kinds of data removed, with counts.")
    )
    kept = models.JSONField(
        _("kept"), default=dict, help_text=_("Records kept, with their legal basis.")
    )

    objects = ErasureRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("erasure record")
        verbose_name_plural = _("erasure records")
        ordering = ["-at", "-pk"]
        permissions = [
            ("export_subject_data", _("Can export everything held about a data subject")),
            ("anonymise_debtor", _("Can anonymise a debtor's personal data")),
        ]

    def __str__(self) -> str:
        return f"{self.debtor_id} @ {self.at:%Y-%m-%d}"


class DataExportLogQuerySet(AppendOnlyQuerySet):
    def for_user(self, user: User) -> DataExportLogQuerySet:
        return self.all() if _sees_everything(user) else self.none()


class DataExportLog(AppendOnlyModel):
    """One row per bulk export of debtors' data: who, when, what (portfolio, kind, rows,
    columns) and why. The per-debtor detail stays in ``debtors.PersonalDataAccess``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"))
    portfolio = models.ForeignKey(
        "portfolios.Portfolio",
        verbose_name=_("portfolio"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ExportKind.choices)
    rows = models.PositiveBigIntegerField(_("rows"), default=0)
    columns = models.JSONField(_("columns"), default=list)
    personal_data = models.BooleanField(_("includes personal data"), default=False)
    path = models.CharField(_("path"), max_length=255, blank=True)
    purpose = models.CharField(_("purpose"), max_length=255, blank=True)

    objects = DataExportLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "-at"], name="data_export_user_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.rows} @ {self.at:%Y-%m-%d %H:%M}"
