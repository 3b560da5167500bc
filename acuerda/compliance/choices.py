"""Choices of the contact ledger; their values are the compliance engine's own."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    COLLECTION = "collection", _("Collection")
    LOCATION = "location", _("Locating the debtor")
    STATUTORY_NOTICE = "statutory_notice", _("Statutory notice")


class AttemptOutcome(models.TextChoices):
    CONVERSATION = "conversation", _("Conversation")
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy")
    VOICEMAIL = "voicemail", _("Voicemail")
    MESSAGE_SENT = "message_sent", _("Message sent")
    DELIVERED = "delivered", _("Message delivered")
    FAILED = "failed", _("Failed")
    VISIT_MADE = "visit_made", _("Visit made")


# Debtor party roles as the engine names them (an employer is a third party to the debt).
ENGINE_ROLE = {"debtor": "debtor", "co_debtor": "co_debtor", "guarantor": "guarantor", "reference": "reference",
               "employer": "third_party"}
