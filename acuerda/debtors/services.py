"""Writes for debtors and their contact points."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from acuerda.core.regions import parse_jurisdiction, validate_timezone
from acuerda.debtors.choices import (
    CHANNELS_BY_KIND,
    ContactKind,
    ContactSource,
    ContactStatus,
    DataAccessChannel,
    DebtorKind,
    PartyRole,
)
from acuerda.debtors.identifiers import InvalidIdentifier, is_company_id, normalize_national_id
from acuerda.debtors.models import ContactConsent, ContactPoint, Debtor, PersonalDataAccess
from acuerda.debtors.phones import InvalidEmail, InvalidPhone, normalize_email, parse_phone

if TYPE_CHECKING:
    from acuerda.people.models import User

# Data the debtor gave us outranks the creditor's file, which outranks enrichment.
SOURCE_RANK: dict[str, int] = {ContactSource.DEBTOR: 3, ContactSource.CREDITOR: 2, ContactSource.ENRICHMENT: 1}


@transaction.atomic
def debtor_get_or_create(
    *,
    country: str,
    id_type: str,
    id_number: str,
    first_name: str = "",
    last_name: str = "",
    company_name: str = "",
    birth_date: dt.date | None = None,
    preferred_language: str = "es",
    timezone_name: str = "",
) -> tuple[Debtor, bool]:
    """The one debtor for a national id, creating it if new. Names of an existing debtor are
    not overwritten here: merging data from files is the import's job, with provenance."""
    country = country.upper()
    try:
        number = normalize_national_id(country=country, id_type=id_type, number=id_number)
    except InvalidIdentifier as exc:
        raise ValidationError({"id_number": str(exc)}) from None
    id_type = id_type.upper()
    existing = Debtor.objects.filter(country=country, id_type=id_type, id_number=number).first()
    if existing is not None:
        return existing, False
    if timezone_name:
        try:
            validate_timezone(timezone_name)
        except ValueError as exc:
            raise ValidationError({"timezone": str(exc)}) from None
    is_company = is_company_id(country=country, id_type=id_type, number=number)
    if is_company and not company_name:
        raise ValidationError({"company_name": _("A company debtor needs its company name.")})
    if not is_company and not (first_name or last_name):
        raise ValidationError({"last_name": _("A person needs a name.")})
    try:
        with transaction.atomic():
            debtor = Debtor.objects.create(
                kind=DebtorKind.COMPANY if is_company else DebtorKind.PERSON,
                country=country, id_type=id_type, id_number=number,
                first_name=first_name.strip(), last_name=last_name.strip(), company_name=company_name.strip(),
                birth_date=birth_date, preferred_language=preferred_language, timezone=timezone_name,
            )
    except IntegrityError:
        # Someone else created the same person at the same moment: theirs is ours.
        return Debtor.objects.get(country=country, id_type=id_type, id_number=number), False
    return debtor, True


@transaction.atomic
def contact_point_add(
    *,
    debtor: Debtor,
    kind: str,
    value: str = "",
    source: str,
    owner_role: str = PartyRole.DEBTOR,
    owner_name: str = "",
    default_region: str | None = None,
    address_line: str = "",
    postal_code: str = "",
    city: str = "",
    region: str = "",
    country: str | None = None,
) -> tuple[ContactPoint, bool]:
    """Validate and store a phone, email or address. A value we already hold keeps the better
    provenance: data the debtor gave us is never downgraded by a creditor's file."""
    country = (country or default_region or debtor.country).upper()
    fields: dict[str, object] = {"country": country}
    if kind == ContactKind.PHONE:
        try:
            info = parse_phone(value, default_region=default_region or country)
        except InvalidPhone as exc:
            raise ValidationError({"value": str(exc)}) from None
        value = info.e164
        fields.update(phone_line_type=info.line_type, timezones=list(info.timezones), country=info.region)
    elif kind == ContactKind.EMAIL:
        try:
            value = normalize_email(value)
        except InvalidEmail as exc:
            raise ValidationError({"value": str(exc)}) from None
    elif kind == ContactKind.ADDRESS:
        if not address_line.strip() or not city.strip():
            raise ValidationError({"address_line": _("An address needs at least a street line and a city.")})
        if region:
            try:
                parse_jurisdiction(f"{country}-{region.upper()}")
            except ValueError as exc:
                raise ValidationError({"region": str(exc)}) from None
        value = ", ".join(p for p in (address_line.strip(), postal_code.strip(), city.strip(), country) if p)
        fields.update(address_line=address_line.strip(), postal_code=postal_code.strip(), city=city.strip(), region=region.upper())
    else:
        raise ValidationError({"kind": _("Unknown contact kind %(kind)s.") % {"kind": kind}})

    existing = ContactPoint.objects.select_for_update().filter(debtor=debtor, kind=kind, value=value).first()
    if existing is not None:
        if SOURCE_RANK[source] > SOURCE_RANK[existing.source]:
            existing.source = source
            existing.save(update_fields=["source", "updated_at"])
        return existing, False
    point = ContactPoint.objects.create(
        debtor=debtor, kind=kind, value=value, source=source, owner_role=owner_role,
        owner_name=owner_name.strip(), **fields,
    )
    return point, True


@transaction.atomic
def contact_point_set_status(*, contact_point: ContactPoint, status: str, actor: User | None) -> ContactPoint:
    if status not in ContactStatus.values:
        raise ValidationError({"status": _("Unknown contact status %(status)s.") % {"status": status}})
    contact_point.status = status
    contact_point.save(update_fields=["status", "updated_at"])
    if status == ContactStatus.OPTED_OUT:
        now = timezone.now()
        for channel in sorted(CHANNELS_BY_KIND[contact_point.kind]):
            ContactConsent.objects.create(
                contact_point=contact_point, channel=channel, granted=False, recorded_at=now,
                evidence=gettext_noop("Opt-out recorded"), recorded_by=actor,
            )
    return contact_point


@transaction.atomic
def consent_record(
    *, contact_point: ContactPoint, channel: str, granted: bool, evidence: str, actor: User | None,
    recorded_at: dt.datetime | None = None,
) -> ContactConsent:
    if channel not in CHANNELS_BY_KIND[contact_point.kind]:
        raise ValidationError(
            {"channel": _("Channel %(channel)s does not apply to a %(kind)s.") % {"channel": channel, "kind": contact_point.kind}}
        )
    if not evidence.strip():
        raise ValidationError({"evidence": _("Consent needs evidence: how and where it was given.")})
    return ContactConsent.objects.create(
        contact_point=contact_point, channel=channel, granted=granted,
        recorded_at=recorded_at or timezone.now(), evidence=evidence.strip(), recorded_by=actor,
    )


@transaction.atomic
def debtor_set_vulnerability(
    *, debtor: Debtor, is_vulnerable: bool, reason: str, review_on: dt.date | None, actor: User | None
) -> Debtor:
    from acuerda.debts.choices import EventKind
    from acuerda.debts.models import AccountEvent

    if is_vulnerable and not reason.strip():
        raise ValidationError({"vulnerability_reason": _("A vulnerability flag needs a reason.")})
    debtor.is_vulnerable = is_vulnerable
    debtor.vulnerability_reason = reason.strip() if is_vulnerable else ""
    debtor.vulnerability_review_on = review_on if is_vulnerable else None
    debtor.save(update_fields=["is_vulnerable", "vulnerability_reason", "vulnerability_review_on", "updated_at"])
    now = timezone.now()
    AccountEvent.objects.bulk_create(
        AccountEvent(
            account_id=account_id, kind=EventKind.NOTE, at=now, actor=actor,
            reason=gettext_noop("Vulnerability flag set") if is_vulnerable else gettext_noop("Vulnerability flag removed"),
            data={"vulnerable": is_vulnerable},
        )
        for account_id in debtor.accounts.values_list("pk", flat=True)
    )
    return debtor


def personal_data_access_log(
    *, user: User, debtor: Debtor, via: str = DataAccessChannel.PAGE, path: str = "", purpose: str = ""
) -> None:
    """Record that ``user`` was shown ``debtor``'s personal data, through ``via``, and why."""
    PersonalDataAccess.objects.create(
        user=user, debtor=debtor, via=via, path=path[:255], purpose=purpose.strip()[:255]
    )
