"""What the compliance gate keeps: the account facts it needs, creditors' tighter policies, and
the contact ledger (every decision and every attempt, for audit).

The rules themselves are code (``acuerda.compliance.engine``, versioned rule packs per
jurisdiction); what lives here is the data they are applied to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from acuerda.compliance.choices import AttemptOutcome, Purpose
from acuerda.core.models import AppendOnlyModel, AppendOnlyQuerySet
from acuerda.debtors.choices import Channel, PartyRole
from acuerda.people.scoping import scope

if TYPE_CHECKING:
    from acuerda.people.models import User


class AccountRestrictionQuerySet(models.QuerySet["AccountRestriction"]):
    def for_user(self, user: User) -> AccountRestrictionQuerySet:
        return scope(self, user, "account__portfolio_id")


class AccountRestriction(models.Model):
    """The facts about one account that stop or limit contact (cease request, dispute,
    attorney, breathing space, lawsuit, insolvency, statute bar) and the times the debtor said
    are inconvenient. No row means none of them applies."""

    account = models.OneToOneField(
        "debts.Account", verbose_name=_("account"), on_delete=models.CASCADE, related_name="restriction"
    )
    cease_request = models.BooleanField(_("cease request"), default=False,
                                        help_text=_("The debtor asked in writing to stop being contacted."))
    dispute_open = models.BooleanField(_("open dispute"), default=False)
    attorney_represented = models.BooleanField(_("represented by an attorney"), default=False)
    breathing_space_until = models.DateField(_("breathing space or moratorium until"), null=True, blank=True)
    mental_health_moratorium = models.BooleanField(_("mental health crisis moratorium"), default=False)
    lawsuit_served = models.BooleanField(_("lawsuit served"), default=False)
    insolvency = models.BooleanField(_("insolvency procedure"), default=False)
    statute_barred = models.BooleanField(_("statute-barred claim"), default=False)
    inconvenient_times = models.JSONField(
        _("inconvenient times"), default=list, blank=True,
        help_text=_('Times the debtor said are inconvenient: [{"weekdays": [0, 1], "start": "13:00", "end": "15:00"}]'),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )

    objects = AccountRestrictionQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact restriction")
        verbose_name_plural = _("contact restrictions")

    def __str__(self) -> str:
        return str(_("Contact restrictions of account #%(id)s") % {"id": self.account_id})


class CompliancePolicyQuerySet(models.QuerySet["CompliancePolicy"]):
    def for_user(self, user: User) -> CompliancePolicyQuerySet:
        from acuerda.people.scoping import visible_portfolio_ids

        ids = visible_portfolio_ids(user)
        if ids is None:
            return self.all()
        from acuerda.portfolios.models import Portfolio

        creditors = Portfolio.objects.filter(pk__in=ids).values("creditor_id")
        return self.filter(creditor_id__in=creditors)


class CompliancePolicy(models.Model):
    """A creditor's (or one portfolio's) contact policy on top of the law: narrower hours, lower
    caps, forbidden channels, blackout dates. It can only tighten the rule pack; the service
    that saves it refuses anything that would loosen it."""

    creditor = models.ForeignKey(
        "creditors.Creditor", verbose_name=_("creditor"), on_delete=models.CASCADE, related_name="contact_policies"
    )
    portfolio = models.OneToOneField(
        "portfolios.Portfolio", verbose_name=_("portfolio"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="contact_policy", help_text=_("Empty: the creditor's policy for all its portfolios."),
    )
    jurisdiction = models.CharField(_("jurisdiction"), max_length=8)
    rules = models.JSONField(_("rules"), help_text=_("The policy as the compliance engine reads it (see the rule pack documentation)."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )

    objects = CompliancePolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact policy")
        verbose_name_plural = _("contact policies")
        constraints = [
            models.UniqueConstraint(
                fields=["creditor", "jurisdiction"], condition=models.Q(portfolio__isnull=True),
                name="compliance_policy_creditor_unique",
            ),
        ]

    def __str__(self) -> str:
        target = self.portfolio or self.creditor
        return str(_("Contact policy of %(target)s (%(jurisdiction)s)") % {"target": target, "jurisdiction": self.jurisdiction})


class ComplianceReading(models.Model):
    """The agency's choice among the documented readings of ambiguous rules, per jurisdiction
    (``{"co.frequency.daily": {"count_failed_attempts": false}}``). The packs ship the strict
    reading; a compliance officer may choose another documented one here, and every decision
    that relies on it says so. Creditors cannot: their policies only tighten."""

    jurisdiction = models.CharField(_("jurisdiction"), max_length=8, unique=True)
    readings = models.JSONField(_("readings"), default=dict)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("rule reading")
        verbose_name_plural = _("rule readings")

    def __str__(self) -> str:
        return str(_("Rule readings for %(jurisdiction)s") % {"jurisdiction": self.jurisdiction})


class ContactDecisionQuerySet(AppendOnlyQuerySet):
    def for_user(self, user: User) -> ContactDecisionQuerySet:
        return scope(self, user, "account__portfolio_id")


class ContactDecision(AppendOnlyModel):
    """One answer of the gate about one contact on one account: the exact request it was given,
    the rule pack version and the decision with its reasons. Append-only: the audit trail a
    regulator is shown."""

    account = models.ForeignKey(
        "debts.Account", verbose_name=_("account"), on_delete=models.CASCADE, related_name="contact_decisions"
    )
    debtor = models.ForeignKey(
        "debtors.Debtor", verbose_name=_("party"), on_delete=models.CASCADE, related_name="+"
    )
    contact_point = models.ForeignKey(
        "debtors.ContactPoint", verbose_name=_("contact point"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    party_role = models.CharField(_("party role"), max_length=12, choices=PartyRole.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    for_moment = models.DateTimeField(_("for the moment"))
    allowed = models.BooleanField(_("allowed"))
    pack = models.CharField(_("rule pack"), max_length=80)
    blocked_by = models.JSONField(_("blocked by"), default=list, blank=True)
    next_allowed_at = models.DateTimeField(_("next allowed at"), null=True, blank=True)
    request = models.JSONField(_("request"))
    decision = models.JSONField(_("decision"))
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("asked by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )

    objects = ContactDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact decision")
        verbose_name_plural = _("contact decisions")
        indexes = [models.Index(fields=["account", "-decided_at"], name="contact_decision_account_idx")]

    def __str__(self) -> str:
        verdict = _("allowed") if self.allowed else _("blocked")
        return f"{self.get_channel_display()} · {verdict} · {self.for_moment:%Y-%m-%d %H:%M}"


class ContactAttemptQuerySet(AppendOnlyQuerySet):
    def for_user(self, user: User) -> ContactAttemptQuerySet:
        return scope(self, user, "account__portfolio_id")


class ContactAttempt(AppendOnlyModel):
    """A contact that happened (a call dialled, a message sent, a visit made) with its outcome
    and the gate's decision that allowed it: the contact ledger. Frequency caps count these."""

    decision = models.OneToOneField(  # one decision clears one contact
        ContactDecision, verbose_name=_("allowed by"), on_delete=models.PROTECT, related_name="attempt"
    )
    account = models.ForeignKey(
        "debts.Account", verbose_name=_("account"), on_delete=models.CASCADE, related_name="contact_attempts"
    )
    debtor = models.ForeignKey("debtors.Debtor", verbose_name=_("party"), on_delete=models.CASCADE, related_name="+")
    party_role = models.CharField(_("party role"), max_length=12, choices=PartyRole.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    at = models.DateTimeField(_("at"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=AttemptOutcome.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )

    objects = ContactAttemptQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact attempt")
        verbose_name_plural = _("contact attempts")
        indexes = [models.Index(fields=["account", "-at"], name="contact_attempt_account_idx")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.get_outcome_display()} · {self.at:%Y-%m-%d %H:%M}"
