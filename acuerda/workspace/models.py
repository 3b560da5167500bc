"""The agent workspace's data: the disposition catalogue, interactions, the work queue and its
claims, callbacks, negotiation policies and approvals, scripts and cross-sell leads."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from acuerda.compliance.choices import AttemptOutcome
from acuerda.core.models import AmountField, AppendOnlyModel, AppendOnlyQuerySet
from acuerda.debtors.choices import Channel
from acuerda.people.scoping import scope, visible_portfolio_ids
from acuerda.workspace.choices import (
    ApprovalStatus,
    CallbackStatus,
    Direction,
    DispositionEffect,
    PartyReached,
    Stage,
)

if TYPE_CHECKING:
    from acuerda.people.models import User


class CreditorScopedQuerySet(models.QuerySet):
    """Rows that belong to a creditor (or, with no creditor, to the whole agency)."""

    def for_user(self, user: User) -> CreditorScopedQuerySet:
        ids = visible_portfolio_ids(user)
        if ids is None:
            return self
        from acuerda.portfolios.models import Portfolio

        creditors = Portfolio.objects.filter(pk__in=ids).values("creditor_id")
        return self.filter(Q(creditor__isnull=True) | Q(creditor_id__in=creditors))


class Disposition(models.Model):
    """One entry of a creditor's disposition catalogue (the agency's default catalogue has no
    creditor). A creditor with its own entries uses only those."""

    creditor = models.ForeignKey(
        "creditors.Creditor", verbose_name=_("creditor"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="dispositions", help_text=_("Empty: the agency's default catalogue."),
    )
    code = models.SlugField(_("code"), max_length=32)
    label = models.CharField(_("label"), max_length=80)
    outcome = models.CharField(
        _("contact outcome"), max_length=16, choices=AttemptOutcome.choices,
        help_text=_("What the contact ledger records; the frequency rules count it."),
    )
    party_reached = models.CharField(
        _("party reached"), max_length=12, choices=PartyReached.choices, blank=True,
        help_text=_("Empty: the agent says who was reached."),
    )
    effect = models.CharField(_("effect"), max_length=16, choices=DispositionEffect.choices,
                              default=DispositionEffect.NONE)
    channels = models.JSONField(_("channels"), default=list, blank=True, help_text=_("Empty: every channel."))
    hotkey = models.CharField(_("keyboard shortcut"), max_length=1, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = CreditorScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("disposition")
        verbose_name_plural = _("dispositions")
        ordering = ["creditor_id", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["creditor", "code"], name="disposition_code_unique"),
            models.UniqueConstraint(fields=["code"], condition=Q(creditor__isnull=True), name="disposition_default_unique"),
        ]

    def __str__(self) -> str:
        return self.label

    def applies_to(self, channel: str) -> bool:
        return not self.channels or channel in self.channels


class InteractionQuerySet(AppendOnlyQuerySet):
    def for_user(self, user: User) -> InteractionQuerySet:
        return scope(self, user, "account__portfolio_id")


class Interaction(AppendOnlyModel):
    """One contact as the agent recorded it: channel, who was reached, the disposition and a note.
    Outbound contacts carry the contact-ledger attempt the compliance gate cleared."""

    account = models.ForeignKey(
        "debts.Account", verbose_name=_("account"), on_delete=models.PROTECT, related_name="interactions"
    )
    debtor = models.ForeignKey("debtors.Debtor", verbose_name=_("party"), on_delete=models.PROTECT, related_name="+")
    contact_point = models.ForeignKey(
        "debtors.ContactPoint", verbose_name=_("contact point"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices, default=Direction.OUTBOUND)
    party_reached = models.CharField(_("party reached"), max_length=12, choices=PartyReached.choices)
    disposition = models.ForeignKey(Disposition, verbose_name=_("disposition"), on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"))
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.PROTECT, related_name="+")
    attempt = models.OneToOneField(
        "compliance.ContactAttempt", verbose_name=_("contact ledger entry"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="interaction",
    )

    objects = InteractionQuerySet.as_manager()

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        permissions = [("work_accounts", _("Can work accounts in the agent workspace"))]
        indexes = [models.Index(fields=["account", "-at"], name="interaction_account_idx")]
        constraints = [
            models.CheckConstraint(
                name="interaction_outbound_in_ledger",
                condition=Q(direction="inbound") | Q(attempt__isnull=False),
                violation_error_message=_("An outbound contact must be in the contact ledger."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.disposition} · {self.at:%Y-%m-%d %H:%M}"


class QueueItem(models.Model):
    """An account waiting in the work queue, with its priority. Rebuilt by ``queue_refresh`` from
    the accounts and the creditors' priority rules; ``not_before`` holds an account back (a
    promise not yet due, a callback later, the gate's next allowed time)."""

    account = models.OneToOneField(
        "debts.Account", verbose_name=_("account"), on_delete=models.CASCADE, primary_key=True, related_name="queue_item"
    )
    portfolio = models.ForeignKey(
        "portfolios.Portfolio", verbose_name=_("portfolio"), on_delete=models.CASCADE, related_name="+"
    )
    priority = models.BigIntegerField(_("priority"), default=0)
    bucket = models.CharField(_("delinquency bucket"), max_length=16, blank=True,
                              help_text=_("As of the last refresh; agents' bucket skills select on it."))
    language = models.CharField(_("debtor's language"), max_length=8, blank=True)
    not_before = models.DateTimeField(_("not before"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("queued account")
        verbose_name_plural = _("work queue")
        # The index order is the queue's order (priority, then account): "next account" reads the
        # first rows of one range instead of sorting the portfolio.
        indexes = [models.Index(fields=["portfolio", "-priority", "account"], name="queue_order_idx"),
                   models.Index(fields=["portfolio", "bucket", "-priority", "account"], name="queue_bucket_order_idx")]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.priority}"


class WorkPriorityRule(models.Model):
    """How a creditor's accounts are ranked until the strategy engine does it: the balance in
    points (``balance_unit`` of the currency is one point) times the days past due (capped) times the
    weight of the account's delinquency bucket."""

    creditor = models.OneToOneField(
        "creditors.Creditor", verbose_name=_("creditor"), on_delete=models.CASCADE, related_name="priority_rule"
    )
    balance_unit = models.DecimalField(
        _("amount per point"), max_digits=18, decimal_places=2, default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("So that creditors in different currencies compare: e.g. 1 EUR, 4,000 COP."),
    )
    max_days = models.PositiveIntegerField(_("days past due cap"), default=720)
    bucket_weights = models.JSONField(
        _("bucket weights"), default=dict, blank=True,
        help_text=_('Weight per delinquency bucket label, e.g. {"1-30": 2, "361+": 0.5}; missing buckets weigh 1.'),
    )
    weight = models.DecimalField(_("creditor weight"), max_digits=6, decimal_places=2, default=Decimal("1"),
                                 validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        verbose_name = _("work priority rule")
        verbose_name_plural = _("work priority rules")

    def __str__(self) -> str:
        return str(self.creditor)


class WorkClaim(models.Model):
    """An agent working an account: nobody else is given it until the claim is released or
    expires. One claim per account and one per agent, enforced by the database."""

    account = models.OneToOneField("debts.Account", verbose_name=_("account"), on_delete=models.CASCADE, related_name="claim")
    agent = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.CASCADE,
                                 related_name="work_claim")
    claimed_at = models.DateTimeField(_("claimed at"))
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")

    def __str__(self) -> str:
        return f"{self.agent_id} → {self.account_id}"


class CallbackQuerySet(models.QuerySet["Callback"]):
    def for_user(self, user: User) -> CallbackQuerySet:
        return scope(self, user, "account__portfolio_id")


class Callback(models.Model):
    """A call the debtor asked for (or the agent promised), at a time the gate allows."""

    account = models.ForeignKey("debts.Account", verbose_name=_("account"), on_delete=models.CASCADE, related_name="callbacks")
    contact_point = models.ForeignKey(
        "debtors.ContactPoint", verbose_name=_("phone"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_at = models.DateTimeField(_("call at"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned to"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="callbacks", help_text=_("Empty: any agent of the account's teams."),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=CallbackStatus.choices, default=CallbackStatus.PENDING)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
                                   related_name="+")
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    objects = CallbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        indexes = [models.Index(fields=["status", "due_at"], name="callback_due_idx")]

    def __str__(self) -> str:
        return f"{self.account_id} @ {self.due_at:%Y-%m-%d %H:%M}"


class NegotiationPolicy(models.Model):
    """What the creditor allows the agency to agree (nobody at the agency can go beyond it), and
    the promise terms. A portfolio's own policy replaces the creditor's."""

    creditor = models.ForeignKey(
        "creditors.Creditor", verbose_name=_("creditor"), on_delete=models.CASCADE, related_name="negotiation_policies"
    )
    portfolio = models.OneToOneField(
        "portfolios.Portfolio", verbose_name=_("portfolio"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="negotiation_policy", help_text=_("Empty: the creditor's policy for all its portfolios."),
    )
    max_discount_percent = models.DecimalField(
        _("maximum saving (%)"), max_digits=5, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Discount plus waivers, as a share of the balance."),
    )
    max_instalments = models.PositiveSmallIntegerField(_("maximum instalments"), default=12,
                                                       validators=[MinValueValidator(1)])
    min_instalment = AmountField(_("minimum instalment"), null=True, blank=True,
                                 help_text=_("In the portfolio's currency."))
    min_down_payment_percent = models.DecimalField(
        _("minimum down payment (%)"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    allow_interest_waiver = models.BooleanField(_("interest may be waived"), default=False)
    allow_fee_waiver = models.BooleanField(_("fees may be waived"), default=False)
    max_days_to_first_payment = models.PositiveSmallIntegerField(_("days to the first payment"), default=30)
    max_plan_days = models.PositiveIntegerField(_("maximum plan length (days)"), null=True, blank=True)
    promise_grace_days = models.PositiveSmallIntegerField(
        _("grace days"), default=3, help_text=_("After a promise's or an instalment's date, before it counts as missed."))
    missed_instalments_to_break = models.PositiveSmallIntegerField(
        _("missed instalments that break a plan"), default=2, validators=[MinValueValidator(1)])
    reminder_days = models.PositiveSmallIntegerField(
        _("remind this many days before"), default=3,
        help_text=_("Days before an instalment or a promise falls due that a reminder is prepared."))
    max_promise_days = models.PositiveSmallIntegerField(_("promise at most this many days ahead"), default=30)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CreditorScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("negotiation policy")
        verbose_name_plural = _("negotiation policies")
        constraints = [
            models.UniqueConstraint(fields=["creditor"], condition=Q(portfolio__isnull=True),
                                    name="negotiation_policy_creditor_unique"),
        ]

    def __str__(self) -> str:
        return str(_("Negotiation policy of %(target)s") % {"target": self.portfolio or self.creditor})


class ApprovalRequestQuerySet(models.QuerySet["ApprovalRequest"]):
    def for_user(self, user: User) -> ApprovalRequestQuerySet:
        return scope(self, user, "account__portfolio_id")


class ApprovalRequest(models.Model):
    """Terms beyond the agent's authority, waiting for a supervisor: approve, reject or counter."""

    account = models.ForeignKey("debts.Account", verbose_name=_("account"), on_delete=models.CASCADE,
                                related_name="approval_requests")
    offer = models.JSONField(_("offer"))
    proposal = models.JSONField(_("schedule"))
    reasons = models.JSONField(_("beyond authority because"), default=list)
    note = models.TextField(_("agent's note"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    answer = models.TextField(_("supervisor's answer"), blank=True)
    counter_offer = models.JSONField(_("counter-offer"), null=True, blank=True)
    plan = models.OneToOneField("agreements.PaymentPlan", verbose_name=_("resulting plan"), on_delete=models.PROTECT,
                                null=True, blank=True, related_name="approval")

    objects = ApprovalRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        permissions = [("decide_approval", _("Can approve, reject or counter terms beyond an agent's authority"))]
        ordering = ["requested_at"]
        indexes = [models.Index(fields=["status", "requested_at"], name="approval_status_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_status_display()}"


class Script(models.Model):
    """A guided call script for a creditor, stage and delinquency bucket (empty = any), in one
    language. Placeholders: {debtor_name}, {amount}, {creditor}, {agent}, {agency}. The
    jurisdiction's mandatory disclosures are shown above it and cannot be edited away."""

    creditor = models.ForeignKey("creditors.Creditor", verbose_name=_("creditor"), on_delete=models.CASCADE,
                                 null=True, blank=True, related_name="scripts", help_text=_("Empty: any creditor."))
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, blank=True)
    bucket = models.CharField(_("delinquency bucket"), max_length=16, blank=True)
    language = models.CharField(_("language"), max_length=8, default="es")
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("script"))
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("updated by"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")

    objects = CreditorScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("script")
        verbose_name_plural = _("scripts")
        ordering = ["creditor_id", "stage", "bucket", "title"]

    def __str__(self) -> str:
        return self.title


class LeadQuerySet(models.QuerySet["Lead"]):
    def for_user(self, user: User) -> LeadQuerySet:
        return scope(self, user, "account__portfolio_id")


class Lead(models.Model):
    """A good payer who agreed to hear from the creditor's sales team (with the evidence)."""

    account = models.ForeignKey("debts.Account", verbose_name=_("account"), on_delete=models.CASCADE, related_name="leads")
    debtor = models.ForeignKey("debtors.Debtor", verbose_name=_("debtor"), on_delete=models.CASCADE, related_name="+")
    contact_point = models.ForeignKey("debtors.ContactPoint", verbose_name=_("contact by"), on_delete=models.SET_NULL,
                                      null=True, blank=True, related_name="+")
    note = models.CharField(_("note"), max_length=255, blank=True)
    consent_evidence = models.CharField(
        _("consent"), max_length=255,
        help_text=_("How the debtor agreed to be contacted by the creditor's sales team."),
    )
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("marked by"), on_delete=models.PROTECT,
                                  related_name="+")
    marked_at = models.DateTimeField(_("marked at"))
    exported_at = models.DateTimeField(_("exported at"), null=True, blank=True)

    objects = LeadQuerySet.as_manager()

    class Meta:
        verbose_name = _("cross-sell lead")
        verbose_name_plural = _("cross-sell leads")
        permissions = [("export_leads", _("Can export cross-sell leads for a creditor"))]
        constraints = [models.UniqueConstraint(fields=["account"], name="lead_account_unique")]

    def __str__(self) -> str:
        return f"{self.debtor_id} ({self.account_id})"
