from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from acuerda.core.models import AmountField, AppendOnlyModel, AppendOnlyQuerySet
from acuerda.core.money import Money
from acuerda.core.validators import validate_currency
from acuerda.creditors.buckets import days_past_due
from acuerda.debts.choices import AccountPartyRole, AccountStatus, EntryKind, EventKind, Product

if TYPE_CHECKING:
    from acuerda.people.models import User

ZERO = Decimal("0.00")


class AccountQuerySet(models.QuerySet["Account"]):
    def for_user(self, user: User) -> AccountQuerySet:
        from acuerda.people.scoping import scope

        return scope(self, user, "portfolio_id")


class Account(models.Model):
    """One debt (loan, card, invoice, contract) of a debtor within a portfolio.

    The balance columns are a cache of the ledger's sums, written only by ``debts.services`` in
    the same transaction as the entry, and verified by ``ledger_mismatches``.
    """

    portfolio = models.ForeignKey(
        "portfolios.Portfolio", verbose_name=_("portfolio"), on_delete=models.PROTECT, related_name="accounts"
    )
    debtor = models.ForeignKey(
        "debtors.Debtor", verbose_name=_("debtor"), on_delete=models.PROTECT, related_name="accounts"
    )
    creditor_reference = models.CharField(_("creditor reference"), max_length=64)
    product = models.CharField(_("product"), max_length=24, choices=Product.choices)
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    original_principal = AmountField(_("original principal"))
    original_interest = AmountField(_("original interest"), default=ZERO)
    original_fees = AmountField(_("original fees"), default=ZERO)
    principal = AmountField(_("principal"), default=ZERO)
    interest = AmountField(_("interest"), default=ZERO)
    fees = AmountField(_("fees"), default=ZERO)
    first_unpaid_due_on = models.DateField(_("first unpaid due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=AccountStatus.choices, default=AccountStatus.ACTIVE)
    status_changed_at = models.DateTimeField(_("status changed at"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.UniqueConstraint(fields=["portfolio", "creditor_reference"], name="account_reference_unique"),
            models.CheckConstraint(
                name="account_balances_not_negative",
                condition=Q(principal__gte=0) & Q(interest__gte=0) & Q(fees__gte=0),
            ),
        ]
        indexes = [
            models.Index(fields=["creditor_reference"], name="account_reference_idx"),
            models.Index(fields=["portfolio", "status", "first_unpaid_due_on"], name="account_work_idx"),
        ]

    def __str__(self) -> str:
        return self.creditor_reference

    @property
    def balance(self) -> Money:
        return Money(self.principal + self.interest + self.fees, self.currency)

    def days_past_due(self, today: dt.date | None = None) -> int:
        from django.utils import timezone

        return days_past_due(self.first_unpaid_due_on, today=today or timezone.localdate())

    def bucket(self, today: dt.date | None = None) -> str:
        return self.portfolio.creditor.buckets.label_for(self.days_past_due(today))


class AccountParty(models.Model):
    """A co-debtor or guarantor jointly liable for an account."""

    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="parties")
    debtor = models.ForeignKey(
        "debtors.Debtor", verbose_name=_("debtor"), on_delete=models.PROTECT, related_name="account_roles"
    )
    role = models.CharField(_("role"), max_length=12, choices=AccountPartyRole.choices)

    class Meta:
        verbose_name = _("account party")
        verbose_name_plural = _("account parties")
        constraints = [
            models.UniqueConstraint(fields=["account", "debtor", "role"], name="account_party_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.debtor_id}"


class LedgerEntryQuerySet(AppendOnlyQuerySet):
    def for_user(self, user: User) -> LedgerEntryQuerySet:
        from acuerda.people.scoping import scope

        return scope(self, user, "account__portfolio_id")


class LedgerEntry(AppendOnlyModel):
    """A signed movement of one or more balance components of an account. Never edited:
    mistakes are reversed by a new entry that negates them."""

    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="ledger_entries")
    kind = models.CharField(_("kind"), max_length=12, choices=EntryKind.choices)
    principal = AmountField(_("principal"), default=ZERO)
    interest = AmountField(_("interest"), default=ZERO)
    fees = AmountField(_("fees"), default=ZERO)
    effective_on = models.DateField(_("effective on"))
    posted_at = models.DateTimeField(_("posted at"))
    reverses = models.OneToOneField(
        "self", verbose_name=_("reverses"), on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    external_reference = models.CharField(
        _("external reference"), max_length=100, blank=True,
        help_text=_("Idempotency key: a bank line id, a provider's payment id..."),
    )
    memo = models.CharField(_("memo"), max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["account", "posted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "external_reference"],
                condition=~Q(external_reference=""),
                name="ledger_external_reference_unique",
            ),
        ]
        indexes = [models.Index(fields=["account", "posted_at"], name="ledger_account_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.total} ({self.effective_on})"

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.fees


class AccountEventQuerySet(AppendOnlyQuerySet):
    def for_user(self, user: User) -> AccountEventQuerySet:
        from acuerda.people.scoping import scope

        return scope(self, user, "account__portfolio_id")


class AccountEvent(AppendOnlyModel):
    """The account's timeline and audit trail: who did what, when and why."""

    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    from_status = models.CharField(_("from status"), max_length=16, blank=True)
    to_status = models.CharField(_("to status"), max_length=16, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    objects = AccountEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("account event")
        verbose_name_plural = _("account events")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["account", "-at"], name="account_event_timeline_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} @ {self.at:%Y-%m-%d %H:%M}"

    @property
    def from_status_label(self) -> str:
        return str(AccountStatus(self.from_status).label) if self.from_status else ""

    @property
    def to_status_label(self) -> str:
        return str(AccountStatus(self.to_status).label) if self.to_status else ""


class LedgerCheckRun(models.Model):
    """One run of the ledger check: the cached balances of every account compared with the sum
    of its entries. A non-empty ``mismatched_account_ids`` is an incident to investigate."""

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    accounts_checked = models.PositiveBigIntegerField(_("accounts checked"), default=0)
    mismatches = models.PositiveBigIntegerField(_("mismatches"), default=0)
    mismatched_account_ids = models.JSONField(_("mismatched accounts (first 1,000)"), default=list, blank=True)

    class Meta:
        verbose_name = _("ledger check")
        verbose_name_plural = _("ledger checks")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} · {self.mismatches}/{self.accounts_checked}"
