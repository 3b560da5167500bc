"""Reads over debtors: the back office's search and the 360° view's building blocks."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from acuerda.debtors.choices import ContactKind
from acuerda.debtors.models import ContactConsent, ContactPoint, Debtor
from acuerda.debtors.phones import InvalidEmail, InvalidPhone, normalize_email, parse_phone

if TYPE_CHECKING:
    from acuerda.debts.models import Account
    from acuerda.people.models import User

SEARCH_REGIONS = ("ES", "CO", "PE", "MX", "CL", "AR")
_ID_CHARS = re.compile(r"[^0-9A-Za-z]")
_PHONE_LIKE = re.compile(r"^\+?[\d\s().-]{6,}$")


def phone_candidates(query: str) -> set[str]:
    """The E.164 numbers a typed phone may be, read in each supported country's local format."""
    if not _PHONE_LIKE.match(query):
        return set()
    phones = set()
    for region in SEARCH_REGIONS:
        try:
            phones.add(parse_phone(query, default_region=region).e164)
        except InvalidPhone:
            continue
    return phones


def debtor_search(*, user: User, query: str, limit: int = 50) -> QuerySet[Debtor]:
    """Debtors matching a national id, phone, email, creditor reference or name (name last:
    it is the only fuzzy match). Every path is an indexed equality lookup except the name."""
    from acuerda.debts.models import Account

    query = query.strip()
    visible = Debtor.objects.for_user(user)
    if not query:
        return visible.none()
    if "@" in query:
        try:
            email = normalize_email(query)
        except InvalidEmail:
            return visible.none()
        # Stored as given (only the domain is case-folded); people type the local part in any case.
        ids = ContactPoint.objects.filter(kind=ContactKind.EMAIL, value__in={email, email.lower()}).values("debtor_id")
        return visible.filter(pk__in=ids)[:limit]
    # Each key is its own indexed equality lookup; the candidates are then scoped. (One query
    # OR-ing the three subqueries makes PostgreSQL scan every debtor.)
    candidates = set(Debtor.objects.filter(id_number=_ID_CHARS.sub("", query).upper()).values_list("pk", flat=True)[:limit])
    candidates.update(
        Account.objects.for_user(user).filter(creditor_reference=query).values_list("debtor_id", flat=True)[:limit]
    )
    phones = phone_candidates(query)
    if phones:
        candidates.update(
            ContactPoint.objects.filter(kind=ContactKind.PHONE, value__in=phones).values_list("debtor_id", flat=True)[:limit]
        )
    if candidates:
        matches = visible.filter(pk__in=sorted(candidates))[:limit]
        if matches:
            return matches
    if any(char.isdigit() for char in query) or len(query) < 2:
        return visible.none()  # an id, phone or reference that matched nothing is not a name
    first, _, rest = query.partition(" ")
    by_name = Q(last_name__istartswith=query) | Q(company_name__istartswith=query)
    if rest:
        by_name |= Q(first_name__iexact=first, last_name__istartswith=rest)
    return visible.filter(by_name).order_by("last_name", "first_name", "pk")[:limit]


def debtor_accounts(*, debtor: Debtor, user: User) -> QuerySet[Account]:
    """Every account the user may see that the debtor holds, co-signs or guarantees."""
    from acuerda.debts.models import Account, AccountParty

    # Two indexed lookups, then the scope: OR-ing the holder and the party join in one query
    # makes the databases scan every account (seconds at a million).
    ids = set(Account.objects.filter(debtor=debtor).values_list("pk", flat=True))
    ids.update(AccountParty.objects.filter(debtor=debtor).values_list("account_id", flat=True))
    return (
        Account.objects.for_user(user)
        .filter(pk__in=sorted(ids))
        .select_related("portfolio__creditor")
        .order_by("portfolio__creditor__code", "creditor_reference")
    )


def consents_in_force(*, contact_points: list[ContactPoint]) -> dict[int, dict[str, ContactConsent]]:
    """The newest consent statement per contact point and channel, in one query."""
    result: dict[int, dict[str, ContactConsent]] = {}
    rows = ContactConsent.objects.filter(contact_point__in=contact_points).order_by("recorded_at", "pk")
    for consent in rows:
        result.setdefault(consent.contact_point_id, {})[consent.channel] = consent
    return result
