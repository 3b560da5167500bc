"""Writes for data-subject rights (GDPR arts. 15 and 17, LOPDGDD, and the Latin American
equivalents: Colombia's Ley 1581 de 2012, Peru's Ley 29733, Mexico's LFPDPPP, Chile's Ley 19.628,
Argentina's Ley 25.326): the subject access export, anonymisation, legal holds, the retention
run and the summary log of bulk exports. See docs/adr/0004-privacy.md."""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from acuerda.debtors.choices import ContactKind, DataAccessChannel, DebtorKind
from acuerda.debtors.models import ContactConsent, ContactPoint, Debtor, PersonalDataAccess
from acuerda.debtors.services import personal_data_access_log
from acuerda.debts.choices import EventKind
from acuerda.debts.models import Account, AccountEvent, AccountParty, LedgerEntry
from acuerda.privacy.choices import ErasureTrigger
from acuerda.privacy.models import DataExportLog, ErasureRecord, LegalHold
from acuerda.privacy.selectors import (
    account_ids_of,
    erasure_blockers,
    retention_due,
    reverse_relations,
    subject_access_data,
)

if TYPE_CHECKING:
    from acuerda.people.models import User
    from acuerda.portfolios.models import Portfolio

logger = logging.getLogger(__name__)

ERASED = "[erased]"
# What anonymisation keeps and why, written on every ErasureRecord.
KEPT_BASIS = gettext_noop(
    "Accounts, ledger entries, account events and payments are kept without the person's identity: "
    "the creditor's and the agency's books and their supporting documents must be kept for six years "
    "(Spain: Código de Comercio art. 30; longer where the creditor's retention policy says so), and "
    "the records are needed for legal claims (GDPR art. 17.3.b and 17.3.e). The personal data access "
    "log is kept as evidence of accountability (GDPR art. 5.2)."
)
_MIN_NEEDLE = 4  # shorter values ("Ana", "12") would blank unrelated text


class ErasureRefused(Exception):
    """Anonymisation is not allowed now; the message says why, for the person who asked."""


# --- Subject access (art. 15) -------------------------------------------------------------------


def _require_purpose(purpose: str) -> str:
    purpose = purpose.strip()
    if not purpose:
        raise ValidationError({"purpose": _("Say why the data is being exported.")})
    return purpose


@transaction.atomic
def subject_access_export(
    *, debtor: Debtor, actor: User, purpose: str, path: str = ""
) -> dict[str, Any]:
    """Everything held about ``debtor``, JSON-ready, logged as a subject-access disclosure.

    The access row is written first, so the export shows its own disclosure too."""
    purpose = _require_purpose(purpose)
    personal_data_access_log(
        user=actor,
        debtor=debtor,
        via=DataAccessChannel.DSAR,
        path=path or f"dsar/json/debtor/{debtor.pk}",
        purpose=purpose,
    )
    return subject_access_data(debtor=debtor)


@transaction.atomic
def subject_access_pdf(*, debtor: Debtor, actor: User, purpose: str, path: str = "") -> bytes:
    """The same content as ``subject_access_export``, as a PDF in the debtor's language."""
    from acuerda.privacy.pdf import subject_access_pdf_render

    purpose = _require_purpose(purpose)
    personal_data_access_log(
        user=actor,
        debtor=debtor,
        via=DataAccessChannel.DSAR,
        path=path or f"dsar/pdf/debtor/{debtor.pk}",
        purpose=purpose,
    )
    return subject_access_pdf_render(
        subject_access_data(debtor=debtor), language=debtor.preferred_language or "es"
    )


# --- Legal holds --------------------------------------------------------------------------------


@transaction.atomic
def legal_hold_place(*, debtor: Debtor, reason: str, actor: User | None) -> LegalHold:
    if not reason.strip():
        raise ValidationError({"reason": _("A legal hold needs a reason.")})
    return LegalHold.objects.create(
        debtor=debtor, reason=reason.strip(), placed_at=timezone.now(), placed_by=actor
    )


@transaction.atomic
def legal_hold_release(*, hold: LegalHold, actor: User | None) -> LegalHold:
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.released_at is None:
        hold.released_at = timezone.now()
        hold.released_by = actor
        hold.save(update_fields=["released_at", "released_by"])
    return hold


# --- Anonymisation (art. 17) --------------------------------------------------------------------


def _token() -> str:
    """Random, so nothing about the person can be recomputed from it (unlike a hash of the id)."""
    return secrets.token_hex(8)


def _phone_spellings(e164: str) -> set[str]:
    import phonenumbers

    spellings = {e164, e164.lstrip("+")}
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return spellings
    spellings.add(str(number.national_number))
    for fmt in (
        phonenumbers.PhoneNumberFormat.NATIONAL,
        phonenumbers.PhoneNumberFormat.INTERNATIONAL,
    ):
        spellings.add(phonenumbers.format_number(number, fmt))
    return spellings


def _needles(debtor: Debtor, points: Sequence[ContactPoint]) -> list[str]:
    """The personal values to blank out of free text elsewhere (memos, event reasons, notes)."""
    values = {
        debtor.first_name,
        debtor.last_name,
        debtor.company_name,
        debtor.display_name,
        debtor.id_number,
        f"{debtor.last_name}, {debtor.first_name}",
    }
    for point in points:
        values.update({point.value, point.address_line, point.owner_name})
        if point.kind == ContactKind.PHONE:
            values.update(_phone_spellings(point.value))
    return sorted(
        {v.strip() for v in values if len(v.strip()) >= _MIN_NEEDLE}, key=len, reverse=True
    )


def _redact(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(ERASED, value)
    if isinstance(value, dict):
        return {k: _redact(v, pattern) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v, pattern) for v in value]
    return value


def _text_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField)
        and not f.primary_key
        and not f.is_relation
        and not f.choices
    ]


def _redact_rows(rows: Iterable[models.Model], pattern: re.Pattern[str]) -> int:
    """Blank the personal values out of every text column of ``rows``; returns rows changed.

    Append-only tables (ledger, timeline) are written through the base manager on purpose: an
    erasure is the one correction the law requires in place (GDPR art. 17), and only the
    personal values change, never an amount, a date or a status."""
    changed = 0
    for row in rows:
        model = type(row)
        updates = {}
        for f in _text_fields(model):
            old = f.value_from_object(row)
            new = _redact(old, pattern)
            if new != old:
                updates[f.attname] = new
        if updates:
            model._base_manager.filter(pk=row.pk).update(**updates)
            changed += 1
    return changed


def _related_querysets(
    model: type[models.Model], objs: Sequence[models.Model], *, skip: set[type[models.Model]]
) -> Iterable[tuple[str, models.QuerySet[Any]]]:
    if not objs:
        return
    for rel in reverse_relations(model):
        related = rel.related_model
        if not isinstance(related, type) or related in skip:
            continue
        yield (
            related._meta.label_lower,
            related._base_manager.filter(**{f"{rel.field.name}__in": list(objs)}),
        )


@transaction.atomic
def debtor_anonymise(
    *,
    debtor: Debtor,
    actor: User | None,
    reason: str,
    trigger: str = ErasureTrigger.REQUEST,
) -> ErasureRecord:
    """Irreversibly replace ``debtor``'s personal data with random tokens, keeping the financial
    records (GDPR art. 17, limited by art. 17.3.b and e).

    Refused while any account the debtor holds, co-signs or guarantees is still open (paid,
    settled, closed and recalled are over) or a legal hold is active: the data is then still
    needed. Removed: names, national id number (replaced by a random token, no hash kept: see the
    ADR), birth date, time zone, vulnerability notes; every contact point's value, address and
    owner name; consent evidence; and those values wherever they appear in free text (ledger
    memos, event reasons, notes of any table referencing the debtor, its accounts or contact
    points). Kept: accounts, balances, ledger entries, events, parties, the consent history
    (channel, granted, when) and the access log, as ``KEPT_BASIS`` explains: Spain's Código de
    Comercio art. 30 requires the books and their supporting documents for six years, and Ley
    10/2010 art. 25 ten years for anti-money-laundering records where it applies to the creditor
    (which keeps its own customer file: the ``creditor_reference`` lets it re-link its records).

    Idempotent: a debtor already anonymised returns its existing record unchanged.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the debtor's data is being erased.")})
    debtor = Debtor.objects.select_for_update().get(pk=debtor.pk)
    existing = ErasureRecord.objects.filter(debtor=debtor).first()
    if existing is not None:
        return existing
    blockers = erasure_blockers(debtor=debtor)
    if blockers:
        raise ErasureRefused(" ".join(blockers))

    points = list(ContactPoint.objects.filter(debtor=debtor).order_by("pk"))
    needles = _needles(debtor, points)
    pattern = (
        re.compile("|".join(re.escape(n) for n in needles), re.IGNORECASE) if needles else None
    )
    account_ids = account_ids_of(debtor=debtor)
    accounts = list(Account.objects.filter(pk__in=account_ids).order_by("pk"))

    # Free text first, while we still know the values to look for.
    redacted: dict[str, int] = {}
    if pattern is not None:
        targets = [
            *_related_querysets(
                Debtor, [debtor], skip={ContactPoint, Account, AccountParty, ErasureRecord}
            ),
            *_related_querysets(Account, accounts, skip=set()),
            *_related_querysets(ContactPoint, points, skip={ContactConsent}),
        ]
        for label, queryset in targets:
            count = _redact_rows(queryset.order_by("pk").iterator(chunk_size=500), pattern)
            if count:
                redacted[label] = redacted.get(label, 0) + count

    removed_fields = [
        name
        for name in (
            "first_name",
            "last_name",
            "company_name",
            "id_number",
            "birth_date",
            "timezone",
            "vulnerability_reason",
        )
        if getattr(debtor, name)
    ]
    token = _token()
    debtor.first_name = ""
    debtor.last_name = f"anon-{token}" if debtor.kind != DebtorKind.COMPANY else ""
    debtor.company_name = f"anon-{token}" if debtor.kind == DebtorKind.COMPANY else ""
    debtor.id_number = f"ANON{token.upper()}"
    debtor.birth_date = None
    debtor.timezone = ""
    debtor.is_vulnerable = False
    debtor.vulnerability_reason = ""
    debtor.vulnerability_review_on = None
    debtor.save(
        update_fields=[
            "first_name",
            "last_name",
            "company_name",
            "id_number",
            "birth_date",
            "timezone",
            "is_vulnerable",
            "vulnerability_reason",
            "vulnerability_review_on",
            "updated_at",
        ]
    )
    for point in points:
        point.value = f"anon-{_token()}"
        point.address_line = point.postal_code = point.city = point.region = point.owner_name = ""
        point.phone_line_type = ""
        point.timezones = []
    ContactPoint.objects.bulk_update(
        points,
        [
            "value",
            "address_line",
            "postal_code",
            "city",
            "region",
            "owner_name",
            "phone_line_type",
            "timezones",
        ],
    )
    # Consent statements stay (channel, granted, when: proof that contacts were lawful); their
    # evidence may name the person or a recording of their voice, so it goes.
    consents = ContactConsent._base_manager.filter(contact_point__in=points).exclude(
        evidence=ERASED
    )
    consent_count = consents.update(evidence=ERASED)

    now = timezone.now()
    record = ErasureRecord.objects.create(
        debtor=debtor,
        at=now,
        actor=actor,
        trigger=trigger,
        reason=reason,
        removed={
            "debtor_fields": removed_fields,
            "contact_points": len(points),
            "consent_evidence": consent_count,
            "free_text_rows": redacted,
        },
        kept={
            "accounts": len(accounts),
            "ledger_entries": LedgerEntry.objects.filter(account_id__in=account_ids).count(),
            "account_events": AccountEvent.objects.filter(account_id__in=account_ids).count(),
            "personal_data_accesses": PersonalDataAccess.objects.filter(debtor=debtor).count(),
            "basis": KEPT_BASIS,
        },
    )
    AccountEvent.objects.bulk_create(
        AccountEvent(
            account=account,
            kind=EventKind.NOTE,
            at=now,
            actor=actor,
            reason=gettext_noop("Personal data anonymised"),
            data={
                "privacy": "anonymised",
                "erasure_record_id": record.pk,
                "debtor_id": debtor.pk,
                "trigger": trigger,
            },
        )
        for account in accounts
    )
    return record


# --- Retention ----------------------------------------------------------------------------------


@dataclass
class RetentionRunResult:
    today: dt.date
    dry_run: bool
    due: int = 0
    anonymised: int = 0
    refused: int = 0
    debtor_ids: list[int] = field(
        default_factory=list
    )  # the first MAX_IDS due (dry run) or anonymised
    errors: list[tuple[int, str]] = field(default_factory=list)

    MAX_IDS = 1000


def retention_run(
    *, today: dt.date | None = None, dry_run: bool = False, batch_size: int = 500
) -> RetentionRunResult:
    """Anonymise every debtor the creditors' retention policies say is due (see
    ``selectors.retention_due``). Paged by primary key, each debtor in its own transaction
    (``debtor_anonymise`` re-checks under a lock, so an account reopened meanwhile is respected);
    safe to re-run: an anonymised debtor is never selected again."""
    today = today or timezone.localdate()
    result = RetentionRunResult(today=today, dry_run=dry_run)
    reason = gettext_noop("Retention period elapsed")
    last = 0
    while True:
        batch = list(
            retention_due(today=today)
            .filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not batch:
            break
        last = batch[-1]
        result.due += len(batch)
        if dry_run:
            result.debtor_ids.extend(batch[: max(0, result.MAX_IDS - len(result.debtor_ids))])
            continue
        for debtor in Debtor.objects.filter(pk__in=batch).order_by("pk"):
            try:
                debtor_anonymise(
                    debtor=debtor, actor=None, reason=reason, trigger=ErasureTrigger.RETENTION
                )
            except ErasureRefused as exc:
                result.refused += 1
                logger.info("Retention skipped debtor %s: %s", debtor.pk, exc)
                continue
            except (
                Exception
            ) as exc:  # one bad row must not stop the night's run; the next run retries
                logger.exception("Retention failed for debtor %s", debtor.pk)
                result.errors.append((debtor.pk, str(exc)[:200]))
                continue
            result.anonymised += 1
            if len(result.debtor_ids) < result.MAX_IDS:
                result.debtor_ids.append(debtor.pk)
    return result


# --- Bulk export summary ------------------------------------------------------------------------


def data_export_log(
    *,
    user: User,
    kind: str,
    rows: int,
    columns: Sequence[str],
    personal_data: bool,
    portfolio: Portfolio | None = None,
    path: str = "",
    purpose: str = "",
    at: dt.datetime | None = None,
) -> DataExportLog:
    """One row per bulk export: who, when, what (portfolio, kind, rows, columns) and why."""
    return DataExportLog.objects.create(
        user=user,
        at=at or timezone.now(),
        portfolio=portfolio,
        kind=kind,
        rows=rows,
        columns=list(columns),
        personal_data=personal_data,
        path=path[:255],
        purpose=purpose.strip()[:255],
    )
