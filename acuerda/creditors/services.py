from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from acuerda.creditors.choices import DEFAULT_BUCKET_EDGES
from acuerda.creditors.models import Creditor


@transaction.atomic
def creditor_create(
    *,
    code: str,
    legal_name: str,
    country: str,
    tax_id: str,
    default_currency: str,
    sector: str,
    bucket_edges: Sequence[int] = tuple(DEFAULT_BUCKET_EDGES),
) -> Creditor:
    """Register a creditor; its tax id is validated and normalised for its country."""
    creditor = Creditor(
        code=code.strip().lower(), legal_name=legal_name.strip(), country=country.upper(),
        tax_id=tax_id, default_currency=default_currency.upper(), sector=sector,
        bucket_edges=list(bucket_edges),
    )
    creditor.full_clean()
    creditor.save()
    return creditor


@transaction.atomic
def creditor_set_bucket_edges(*, creditor: Creditor, bucket_edges: Sequence[int]) -> Creditor:
    creditor.bucket_edges = list(bucket_edges)
    creditor.full_clean(exclude=["code", "tax_id"])
    creditor.save(update_fields=["bucket_edges"])
    return creditor
