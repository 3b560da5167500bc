from __future__ import annotations

from typing import TYPE_CHECKING

from babel import Locale, UnknownLocaleError
from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from acuerda.core.models import AppendOnlyModel, AppendOnlyQuerySet
from acuerda.core.validators import validate_country, validate_timezone
from acuerda.debtors.choices import (
    PHONE_LINE_TYPE_LABELS,
    Channel,
    ContactKind,
    ContactSource,
    ContactStatus,
    DataAccessChannel,
    DebtorKind,
    NationalIdType,
    PartyRole,
)

if TYPE_CHECKING:
    from acuerda.people.models import User


class DebtorQuerySet(models.QuerySet["Debtor"]):
    def for_user(self, user: User) -> DebtorQuerySet:
        """Debtors holding, co-signing or guaranteeing an account the user may see."""
        from acuerda.debts.models import Account, AccountParty
        from acuerda.people.scoping import portfolio_filter, visible_portfolio_ids

        if visible_portfolio_ids(user) is None:
            return self.all()
        condition = portfolio_filter(user)
        party_condition = portfolio_filter(user, "account__portfolio_id")
        assert condition is not None and party_condition is not None
        holds = Account.objects.filter(condition, debtor_id=OuterRef("pk"))
        party = AccountParty.objects.filter(party_condition, debtor_id=OuterRef("pk"))
        return self.filter(Exists(holds) | Exists(party))


class Debtor(models.Model):
    """A person or company that owes. One row per national id across every creditor,
    so a person's accounts with a bank and a telco meet in one 360° view."""

    kind = models.CharField(_("kind"), max_length=8, choices=DebtorKind.choices, default=DebtorKind.PERSON)
    country = models.CharField(_("id country"), max_length=2, validators=[validate_country])
    id_type = models.CharField(_("id type"), max_length=8, choices=NationalIdType.choices)
    id_number = models.CharField(_("id number"), max_length=32)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last names"), max_length=150, blank=True)
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    preferred_language = models.CharField(_("preferred language"), max_length=8, default="es")
    timezone = models.CharField(_("time zone"), max_length=64, blank=True, validators=[validate_timezone])
    is_vulnerable = models.BooleanField(_("vulnerable"), default=False)
    vulnerability_reason = models.TextField(_("vulnerability reason"), blank=True)
    vulnerability_review_on = models.DateField(_("review vulnerability on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = DebtorQuerySet.as_manager()

    class Meta:
        verbose_name = _("debtor")
        verbose_name_plural = _("debtors")
        constraints = [
            models.UniqueConstraint(fields=["country", "id_type", "id_number"], name="debtor_national_id_unique"),
            models.CheckConstraint(
                name="debtor_vulnerability_has_reason",
                condition=Q(is_vulnerable=False) | ~Q(vulnerability_reason=""),
                violation_error_message=_("A vulnerability flag needs a reason."),
            ),
        ]
        indexes = [
            models.Index(fields=["id_number"], name="debtor_id_number_idx"),
            models.Index(fields=["last_name", "first_name"], name="debtor_name_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.id_type} {self.id_number})"

    @property
    def preferred_language_name(self) -> str:
        """The debtor's language named in the viewer's language, e.g. "catalán" or "Catalan"."""
        try:
            locale = Locale.parse(self.preferred_language.replace("-", "_"))
            return locale.get_display_name(translation.get_language() or "es") or self.preferred_language
        except (ValueError, TypeError, UnknownLocaleError):
            return self.preferred_language

    @property
    def display_name(self) -> str:
        if self.kind == DebtorKind.COMPANY:
            return self.company_name
        return f"{self.first_name} {self.last_name}".strip()


class ContactPointQuerySet(models.QuerySet["ContactPoint"]):
    def for_user(self, user: User) -> ContactPointQuerySet:
        return self.filter(debtor__in=Debtor.objects.for_user(user).values("pk"))


class ContactPoint(models.Model):
    """A phone, email or postal address, with where it came from and whose it is."""

    debtor = models.ForeignKey(Debtor, verbose_name=_("debtor"), on_delete=models.CASCADE, related_name="contact_points")
    kind = models.CharField(_("kind"), max_length=8, choices=ContactKind.choices)
    value = models.CharField(
        _("value"), max_length=255, help_text=_("E.164 phone, email, or the address on one line.")
    )
    phone_line_type = models.CharField(_("line type"), max_length=24, blank=True)
    timezones = models.JSONField(_("time zones"), default=list, blank=True)
    address_line = models.CharField(_("address"), max_length=255, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(
        _("region"), max_length=8, blank=True, help_text=_("ISO 3166-2 subdivision, for regional holidays.")
    )
    country = models.CharField(_("country"), max_length=2, validators=[validate_country])
    source = models.CharField(_("source"), max_length=12, choices=ContactSource.choices)
    owner_role = models.CharField(
        _("belongs to"), max_length=12, choices=PartyRole.choices, default=PartyRole.DEBTOR
    )
    owner_name = models.CharField(_("owner name"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ContactStatus.choices, default=ContactStatus.VALID)
    is_primary = models.BooleanField(_("primary"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ContactPointQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        constraints = [
            models.UniqueConstraint(fields=["debtor", "kind", "value"], name="contact_point_unique"),
        ]
        indexes = [models.Index(fields=["value"], name="contact_point_value_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    @property
    def phone_line_type_label(self) -> str:
        return str(PHONE_LINE_TYPE_LABELS.get(self.phone_line_type, self.phone_line_type))


class ContactConsentQuerySet(AppendOnlyQuerySet):
    def for_user(self, user: User) -> ContactConsentQuerySet:
        return self.filter(contact_point__debtor__in=Debtor.objects.for_user(user).values("pk"))


class ContactConsent(AppendOnlyModel):
    """One statement of consent (or its withdrawal) for a channel on a contact point.

    Append-only: the newest row per (contact point, channel) is the one in force, and the history
    is the evidence shown to a regulator.
    """

    contact_point = models.ForeignKey(
        ContactPoint, verbose_name=_("contact point"), on_delete=models.CASCADE, related_name="consents"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    granted = models.BooleanField(_("granted"))
    recorded_at = models.DateTimeField(_("recorded at"))
    evidence = models.TextField(_("evidence"), help_text=_("How it was given: call recording id, form, contract clause..."))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )

    objects = ContactConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["contact_point", "channel", "-recorded_at"], name="consent_latest_idx")]


class PersonalDataAccessQuerySet(AppendOnlyQuerySet):
    def for_user(self, user: User) -> PersonalDataAccessQuerySet:
        """The access log is for administrators and compliance officers only."""
        from acuerda.people.scoping import sees_everything

        return self.all() if sees_everything(user) else self.none()


class PersonalDataAccess(AppendOnlyModel):
    """Who looked at whose personal data, when, through what and why: GDPR accountability
    (art. 5.2 and 30). ``purpose`` is blank on rows written before it was recorded."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+")
    debtor = models.ForeignKey(Debtor, verbose_name=_("debtor"), on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    via = models.CharField(_("via"), max_length=8, choices=DataAccessChannel.choices)
    path = models.CharField(_("path"), max_length=255, blank=True)
    purpose = models.CharField(
        _("purpose"), max_length=255, blank=True, default="", db_default="",
        help_text=_("Why the data was accessed, e.g. a subject access request."),
    )

    objects = PersonalDataAccessQuerySet.as_manager()

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        indexes = [
            models.Index(fields=["debtor", "-at"], name="pd_access_debtor_idx"),
            models.Index(fields=["user", "-at"], name="pd_access_user_idx"),
        ]
