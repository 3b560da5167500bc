from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentMethod(models.TextChoices):
    TRANSFER = "transfer", _("Bank transfer")
    DIRECT_DEBIT = "direct_debit", _("Direct debit")
    CARD = "card", _("Card")
    CASH = "cash", _("Cash")
    CHEQUE = "cheque", _("Cheque")
    CREDITOR = "creditor", _("Paid to the creditor")
    OTHER = "other", _("Other")


class PaymentSource(models.TextChoices):
    MANUAL = "manual", _("Registered by hand")
    BANK_STATEMENT = "statement", _("Bank statement")
    CREDITOR_FILE = "creditor_file", _("Creditor's file")
    PROVIDER = "provider", _("Payment provider")


class PaymentStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    REVERSED = "reversed", _("Reversed")


class LineStatus(models.TextChoices):
    MATCHED = "matched", _("Matched automatically")
    RESOLVED = "resolved", _("Resolved by a person")
    PENDING = "pending", _("To review")
    AMBIGUOUS = "ambiguous", _("Ambiguous")
    RETURNED = "returned", _("Return applied")
    IGNORED = "ignored", _("Not a debtor payment")


LINE_OPEN = frozenset({LineStatus.PENDING, LineStatus.AMBIGUOUS})


class RemittanceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEWED = "reviewed", _("Reviewed")
    ISSUED = "issued", _("Issued")
