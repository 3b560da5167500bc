from django.db import models
from django.utils.translation import gettext_lazy as _

from acuerda.debtors.identifiers import NationalIdType

__all__ = [
    "Channel",
    "ContactKind",
    "ContactSource",
    "ContactStatus",
    "DataAccessChannel",
    "DebtorKind",
    "NationalIdType",
    "PartyRole",
]


class DebtorKind(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")


class ContactKind(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    ADDRESS = "address", _("Postal address")


class ContactSource(models.TextChoices):
    CREDITOR = "creditor", _("Creditor")
    DEBTOR = "debtor", _("Provided by the debtor")
    ENRICHMENT = "enrichment", _("Enrichment")


class PartyRole(models.TextChoices):
    DEBTOR = "debtor", _("Debtor")
    CO_DEBTOR = "co_debtor", _("Co-debtor")
    GUARANTOR = "guarantor", _("Guarantor")
    REFERENCE = "reference", _("Personal reference")
    EMPLOYER = "employer", _("Employer")


class ContactStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    BOUNCED = "bounced", _("Bounced")
    OPTED_OUT = "opted_out", _("Opted out")


class Channel(models.TextChoices):
    CALL = "call", _("Call")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")
    EMAIL = "email", _("Email")
    LETTER = "letter", _("Letter")
    VISIT = "visit", _("Visit")


CHANNELS_BY_KIND: dict[str, frozenset[str]] = {
    ContactKind.PHONE: frozenset({Channel.CALL, Channel.SMS, Channel.WHATSAPP}),
    ContactKind.EMAIL: frozenset({Channel.EMAIL}),
    ContactKind.ADDRESS: frozenset({Channel.LETTER, Channel.VISIT}),
}


# phonenumbers' line types, as shown to people.
PHONE_LINE_TYPE_LABELS = {
    "mobile": _("mobile"),
    "fixed_line": _("landline"),
    "fixed_line_or_mobile": _("landline or mobile"),
    "voip": _("VoIP"),
    "toll_free": _("toll free"),
    "premium_rate": _("premium rate"),
    "shared_cost": _("shared cost"),
    "personal_number": _("personal number"),
    "pager": _("pager"),
    "uan": _("company number"),
    "voicemail": _("voicemail"),
    "unknown": _("unknown"),
}


class DataAccessChannel(models.TextChoices):
    PAGE = "page", _("Web page")
    API = "api", _("API")
    ADMIN = "admin", _("Back office")
    EXPORT = "export", _("Export")
    DSAR = "dsar", _("Subject access export")
