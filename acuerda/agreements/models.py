"""What a debtor agreed to: promises to pay and payment plans (settlements are plans whose
discount holds only when the plan completes).

Written by ``agreements.services`` only; tracking them until kept or broken (payments matched,
instalments late or missed) runs as a scheduled job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from acuerda.agreements.choices import InstalmentStatus, PlanKind, PlanStatus, PromiseStatus
from acuerda.core.models import AmountField
from acuerda.core.money import Money
from acuerda.core.validators import validate_currency
from acuerda.people.scoping import scope

if TYPE_CHECKING:
    from acuerda.people.models import User



class PromiseQuerySet(models.QuerySet["PromiseToPay"]):
    def for_user(self, user: User) -> PromiseQuerySet:
        return scope(self, user, "account__portfolio_id")


class PromiseToPay(models.Model):
    """The debtor's word to pay an amount by a date. Kept when payments since it was made reach
    the amount by the date plus the grace days; broken otherwise."""

    account = models.ForeignKey(
        "debts.Account", verbose_name=_("account"), on_delete=models.PROTECT, related_name="promises"
    )
    amount = AmountField(_("amount"))
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    due_on = models.DateField(_("due on"))
    grace_days = models.PositiveSmallIntegerField(_("grace days"), default=0)
    status = models.CharField(_("status"), max_length=16, choices=PromiseStatus.choices, default=PromiseStatus.PENDING)
    paid_amount = AmountField(_("paid towards it"), default=0)
    made_at = models.DateTimeField(_("made at"))
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("taken by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    interaction = models.ForeignKey(
        "workspace.Interaction", verbose_name=_("interaction"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="promises",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    followed_up_at = models.DateTimeField(
        _("followed up at"), null=True, blank=True,
        help_text=_("When an agent worked the account after the promise was broken."),
    )

    objects = PromiseQuerySet.as_manager()

    class Meta:
        verbose_name = _("promise to pay")
        verbose_name_plural = _("promises to pay")
        constraints = [models.CheckConstraint(name="promise_amount_positive", condition=Q(amount__gt=0))]
        indexes = [
            models.Index(fields=["account", "-made_at"], name="promise_account_idx"),
            models.Index(fields=["status", "due_on"], name="promise_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.money} @ {self.due_on:%Y-%m-%d} ({self.get_status_display()})"

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


class PaymentPlanQuerySet(models.QuerySet["PaymentPlan"]):
    def for_user(self, user: User) -> PaymentPlanQuerySet:
        return scope(self, user, "account__portfolio_id")


class PaymentPlan(models.Model):
    """An agreed settlement or instalment plan, with the exact terms the debtor was shown."""

    account = models.ForeignKey(
        "debts.Account", verbose_name=_("account"), on_delete=models.PROTECT, related_name="payment_plans"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=PlanKind.choices)
    status = models.CharField(_("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    balance_at_agreement = AmountField(_("balance when agreed"))
    total_to_pay = AmountField(_("total to pay"))
    discount_amount = AmountField(_("discount"), default=0)
    waived_interest = AmountField(_("interest waived"), default=0)
    waived_fees = AmountField(_("fees waived"), default=0)
    terms = models.JSONField(_("terms"), help_text=_("The offer and the schedule as the calculator produced them."))
    agreed_at = models.DateTimeField(_("agreed at"))
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agreed by"), on_delete=models.PROTECT, related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", help_text=_("The supervisor who approved terms beyond the agent's authority."),
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    objects = PaymentPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment plan")
        verbose_name_plural = _("payment plans")
        constraints = [
            models.CheckConstraint(name="plan_total_positive", condition=Q(total_to_pay__gt=0)),
            # One plan in force per account: a new agreement cancels the old one first.
            models.UniqueConstraint(fields=["account"], condition=Q(status="active"), name="plan_one_active"),
        ]
        indexes = [models.Index(fields=["account", "-agreed_at"], name="plan_account_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.total_money} ({self.get_status_display()})"

    @property
    def total_money(self) -> Money:
        return Money(self.total_to_pay, self.currency)

    @property
    def saving(self) -> Money:
        return Money(self.balance_at_agreement - self.total_to_pay, self.currency)


class Instalment(models.Model):
    """One dated payment of a plan (the down payment is number 1 when there is one)."""

    plan = models.ForeignKey(PaymentPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="instalments")
    number = models.PositiveSmallIntegerField(_("number"))
    due_on = models.DateField(_("due on"))
    amount = AmountField(_("amount"))
    paid_amount = AmountField(_("paid"), default=0)
    is_down_payment = models.BooleanField(_("down payment"), default=False)
    status = models.CharField(_("status"), max_length=8, choices=InstalmentStatus.choices, default=InstalmentStatus.DUE)

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="instalment_number_unique"),
            models.CheckConstraint(name="instalment_amount_positive", condition=Q(amount__gt=0)),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="instalment_due_idx")]

    def __str__(self) -> str:
        return f"#{self.number} {self.amount} @ {self.due_on:%Y-%m-%d}"
