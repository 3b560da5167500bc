from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    OUTBOUND = "outbound", _("Outbound")
    INBOUND = "inbound", _("Inbound")


class PartyReached(models.TextChoices):
    DEBTOR = "debtor", _("Debtor")
    CO_DEBTOR = "co_debtor", _("Co-debtor")
    GUARANTOR = "guarantor", _("Guarantor")
    THIRD_PARTY = "third_party", _("Third party")
    NONE = "none", _("Nobody")


class DispositionEffect(models.TextChoices):
    """What recording the disposition does besides the interaction itself."""

    NONE = "none", _("Nothing else")
    WRONG_NUMBER = "wrong_number", _("Marks the number as wrong")
    OPT_OUT = "opt_out", _("Withdraws consent for the channel")
    PROMISE = "promise", _("Registers a promise to pay")
    CALLBACK = "callback", _("Schedules a callback")
    DISPUTE = "dispute", _("Opens a dispute")
    DECEASED = "deceased", _("Puts the account on hold (debtor deceased)")


class Stage(models.TextChoices):
    """The collection stage, from the account's days past due until strategies set it."""

    REMINDER = "reminder", _("Reminder")
    DEMAND = "demand", _("Demand")
    INSIST = "insist", _("Insist")
    PRE_LEGAL = "pre_legal", _("Pre-legal")


class CallbackStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a supervisor")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    COUNTERED = "countered", _("Counter-offer")
    ACCEPTED = "accepted", _("Counter-offer accepted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


APPROVAL_OPEN = frozenset({ApprovalStatus.PENDING, ApprovalStatus.COUNTERED})
