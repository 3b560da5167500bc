"""Reads for data-subject rights: everything held about a debtor, what stops an erasure, and
which debtors the retention policies say are due for anonymisation."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from acuerda.debtors.models import ContactConsent, ContactPoint, Debtor, PersonalDataAccess
from acuerda.debts.choices import AccountStatus
from acuerda.debts.models import Account, AccountEvent, AccountParty, LedgerEntry
from acuerda.privacy.models import (
    DEFAULT_RETENTION_YEARS,
    ErasureRecord,
    LegalHold,
    RetentionPolicy,
)

SUBJECT_ACCESS_FORMAT = "acuerda.subject-access/1"

# An account in one of these is over for privacy purposes: nothing is owed or the creditor took
# it back. Written-off debts are still owed (and may reactivate), so they keep their debtor.
CLOSED_STATUSES = frozenset(
    {AccountStatus.PAID, AccountStatus.SETTLED, AccountStatus.CLOSED, AccountStatus.RECALLED}
)

# Rendered and walked explicitly below; any other table pointing at a debtor, an account or a
# contact point is found through Django's relations and exported as its rows.
_HANDLED = frozenset(
    {
        ContactPoint,
        Account,
        AccountParty,
        PersonalDataAccess,
        LedgerEntry,
        AccountEvent,
        ContactConsent,
    }
)


def jsonable(value: Any) -> Any:
    """A value as JSON can carry it: Decimal as a string (no float rounding), dates ISO 8601."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, bytes | memoryview):
        return None
    return value


def row_dict(obj: models.Model, *, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """Every concrete column of a row (foreign keys as ``<name>_id``), JSON-ready."""
    skip = set(exclude)
    return {
        field.attname: jsonable(field.value_from_object(obj))
        for field in obj._meta.concrete_fields
        if field.attname not in skip and field.name not in skip
    }


def reverse_relations(model: type[models.Model]) -> list[models.ForeignObjectRel]:
    """The one-to-many and one-to-one relations pointing at ``model``, hidden ones included
    (``related_name="+"``): a table added by a future app is found without changing this module."""
    relations = [
        field
        for field in model._meta.get_fields(include_hidden=True)
        if isinstance(field, models.ForeignObjectRel) and (field.one_to_many or field.one_to_one)
    ]
    return sorted(relations, key=lambda rel: rel.related_model._meta.label_lower)


def _related_rows(
    obj: models.Model, *, skip: frozenset[type[models.Model]] = _HANDLED
) -> dict[str, list[dict[str, Any]]]:
    """Rows of every other table referencing ``obj``, keyed by ``app_label.model``."""
    found: dict[str, list[dict[str, Any]]] = {}
    for rel in reverse_relations(type(obj)):
        related = rel.related_model
        if related in skip or not isinstance(related, type):
            continue
        rows = related._base_manager.filter(**{rel.field.name: obj}).order_by("pk")
        found.setdefault(related._meta.label_lower, []).extend(row_dict(row) for row in rows)
    return found


def account_ids_of(*, debtor: Debtor) -> list[int]:
    """Accounts the debtor holds, co-signs or guarantees: two indexed lookups (an ``OR`` across
    the parties join would make the database scan every account)."""
    held = set(Account.objects.filter(debtor=debtor).values_list("pk", flat=True))
    held.update(AccountParty.objects.filter(debtor=debtor).values_list("account_id", flat=True))
    return sorted(held)


def _accounts_of(debtor: Debtor) -> QuerySet[Account]:
    return Account.objects.filter(pk__in=account_ids_of(debtor=debtor))


def subject_access_data(*, debtor: Debtor, now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything held about one debtor across every creditor (GDPR art. 15), JSON-ready.

    Other parties' identities on a shared account are not disclosed (art. 15.4): a co-debtor sees
    the roles on the account, not who holds them. Staff appear by role, not by name.
    """
    from acuerda.people.models import User

    contact_points = list(debtor.contact_points.order_by("kind", "pk"))
    consents: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for consent in ContactConsent.objects.filter(contact_point__in=contact_points).order_by(
        "recorded_at", "pk"
    ):
        consents[consent.contact_point_id].append(
            {
                "channel": consent.channel,
                "granted": consent.granted,
                "recorded_at": jsonable(consent.recorded_at),
                "evidence": consent.evidence,
            }
        )
    accounts = list(_accounts_of(debtor).select_related("portfolio__creditor").order_by("pk"))
    account_ids = [a.pk for a in accounts]
    ledger: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for entry in LedgerEntry.objects.filter(account_id__in=account_ids).order_by(
        "account_id", "posted_at", "pk"
    ):
        ledger[entry.account_id].append(
            {
                "id": entry.pk,
                "kind": entry.kind,
                "principal": jsonable(entry.principal),
                "interest": jsonable(entry.interest),
                "fees": jsonable(entry.fees),
                "total": jsonable(entry.total),
                "effective_on": jsonable(entry.effective_on),
                "posted_at": jsonable(entry.posted_at),
                "reverses_id": entry.reverses_id,
                "external_reference": entry.external_reference,
                "memo": entry.memo,
            }
        )
    events: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for event in AccountEvent.objects.filter(account_id__in=account_ids).order_by(
        "account_id", "at", "pk"
    ):
        events[event.account_id].append(
            {
                "id": event.pk,
                "kind": event.kind,
                "at": jsonable(event.at),
                "reason": event.reason,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "data": jsonable(event.data),
            }
        )
    parties: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for party in AccountParty.objects.filter(account_id__in=account_ids).order_by(
        "account_id", "pk"
    ):
        parties[party.account_id].append(
            {"role": party.role, "is_subject": party.debtor_id == debtor.pk}
        )
    roles = {
        u.pk: u.role
        for u in User.objects.filter(
            pk__in=PersonalDataAccess.objects.filter(debtor=debtor).values("user_id")
        ).only("pk", "role")
    }
    access_log = [
        {
            "at": jsonable(row.at),
            "by_role": roles.get(row.user_id, ""),
            "via": row.via,
            "path": row.path,
            "purpose": row.purpose,
        }
        for row in PersonalDataAccess.objects.filter(debtor=debtor).order_by("at", "pk")
    ]

    def account_data(account: Account) -> dict[str, Any]:
        creditor = account.portfolio.creditor
        own = [p["role"] for p in parties[account.pk] if p["is_subject"]]
        return {
            "id": account.pk,
            "subject_role": "holder" if account.debtor_id == debtor.pk else (own[0] if own else ""),
            "creditor": {
                "code": creditor.code,
                "legal_name": creditor.legal_name,
                "country": creditor.country,
            },
            "portfolio": account.portfolio.reference,
            "creditor_reference": account.creditor_reference,
            "product": account.product,
            "currency": account.currency,
            "original": {
                "principal": jsonable(account.original_principal),
                "interest": jsonable(account.original_interest),
                "fees": jsonable(account.original_fees),
            },
            "balance": {
                "principal": jsonable(account.principal),
                "interest": jsonable(account.interest),
                "fees": jsonable(account.fees),
                "total": jsonable(account.principal + account.interest + account.fees),
            },
            "first_unpaid_due_on": jsonable(account.first_unpaid_due_on),
            "status": account.status,
            "status_changed_at": jsonable(account.status_changed_at),
            "created_at": jsonable(account.created_at),
            "parties": parties[account.pk],
            "ledger": ledger[account.pk],
            "events": events[account.pk],
            "related": _related_rows(account),
        }

    return {
        "format": SUBJECT_ACCESS_FORMAT,
        "generated_at": jsonable(now or timezone.now()),
        "subject": row_dict(debtor),
        "contact_points": [
            {
                **row_dict(point, exclude=["debtor"]),
                "consents": consents[point.pk],
                "related": _related_rows(point),
            }
            for point in contact_points
        ],
        "accounts": [account_data(account) for account in accounts],
        "access_log": access_log,
        "related": _related_rows(debtor),
    }


def erasure_blockers(*, debtor: Debtor) -> list[str]:
    """Why ``debtor`` may not be anonymised now, in the current language; empty when nothing
    stands in the way."""
    from django.utils.translation import gettext as _

    reasons = []
    open_refs = list(
        _accounts_of(debtor)
        .exclude(status__in=CLOSED_STATUSES)
        .order_by("creditor_reference")
        .values_list("creditor_reference", flat=True)[:6]
    )
    if open_refs:
        shown = ", ".join(open_refs[:5]) + (", …" if len(open_refs) > 5 else "")
        reasons.append(
            _(
                "The debtor still has open accounts (%(references)s): their data is needed to collect them."
            )
            % {"references": shown}
        )
    if LegalHold.objects.active().filter(debtor=debtor).exists():
        reasons.append(_("A legal hold is active on this debtor."))
    return reasons


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` earlier; 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _closed_since_boundary(today: dt.date, years: int) -> dt.datetime:
    """An account closed before this instant has been closed for at least ``years`` on ``today``
    (closure dates read in the agency's time zone)."""
    first_blocked_day = years_before(today, years) + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(first_blocked_day, dt.time.min))


Policy = tuple[int, int, bool]  # creditor id, years, enabled


def _blocking(today: dt.date, policies: list[Policy], prefix: str = "") -> Q:
    """Accounts that keep their debtors: open, of a creditor whose policy is disabled, or closed
    more recently than their creditor's period."""
    p = prefix
    condition = ~Q(**{f"{p}status__in": CLOSED_STATUSES})
    disabled = [creditor for creditor, _years, enabled in policies if not enabled]
    if disabled:
        condition |= Q(**{f"{p}portfolio__creditor_id__in": disabled})
    by_years: dict[int, list[int]] = defaultdict(list)
    for creditor, years, enabled in policies:
        if enabled:
            by_years[years].append(creditor)
    for years, creditors in sorted(by_years.items()):
        condition |= Q(
            **{
                f"{p}portfolio__creditor_id__in": creditors,
                f"{p}status_changed_at__gte": _closed_since_boundary(today, years),
            }
        )
    recent_default = Q(
        **{f"{p}status_changed_at__gte": _closed_since_boundary(today, DEFAULT_RETENTION_YEARS)}
    )
    if policies:
        recent_default &= ~Q(**{f"{p}portfolio__creditor_id__in": [c for c, _y, _e in policies]})
    return condition | recent_default


def retention_due(*, today: dt.date) -> QuerySet[Debtor]:
    """Debtors every one of whose accounts (held, co-signed or guaranteed), with every creditor,
    is closed and past that creditor's retention period; not yet anonymised, no legal hold.

    One set-based query: each condition is an ``EXISTS`` on an indexed debtor column, so the
    database walks the debtors once (page it by primary key) with no per-row round trips.
    """
    policies: list[Policy] = list(
        RetentionPolicy.objects.values_list("creditor_id", "anonymise_after_years", "enabled")
    )
    holds = Account.objects.filter(debtor_id=OuterRef("pk"))
    guarantees = AccountParty.objects.filter(debtor_id=OuterRef("pk"))
    return (
        Debtor.objects.filter(Exists(holds) | Exists(guarantees))
        .exclude(Exists(ErasureRecord.objects.filter(debtor_id=OuterRef("pk"))))
        .exclude(Exists(LegalHold.objects.active().filter(debtor_id=OuterRef("pk"))))
        .exclude(
            Exists(Account.objects.filter(_blocking(today, policies), debtor_id=OuterRef("pk")))
        )
        .exclude(
            Exists(
                AccountParty.objects.filter(
                    _blocking(today, policies, "account__"), debtor_id=OuterRef("pk")
                )
            )
        )
    )
