"""The import's raw writers on PostgreSQL take rows as COPY text lines made in the parse workers
(``acuerda.core.bulk.copy_text``): awkward values come back exactly as written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from acuerda.core.bulk import BulkError, BulkTable, copy_fields, copy_text
from acuerda.debtors.models import ContactPoint, Debtor


def test_given_values_of_every_kind_then_copy_text_writes_postgresql_text_format() -> None:
    moment = dt.datetime(2026, 11, 23, 18, 30, 5, 120000, tzinfo=dt.UTC)

    fields = copy_fields(["a\tb", "back\\slash", "two\nlines\r", None, True, False, 7, Decimal("1.20"),
                          dt.date(2025, 3, 15), moment, "ñandú"])

    assert fields.split("\t") == ["a\\tb", "back\\\\slash", "two\\nlines\\r", "\\N", "t", "f", "7", "1.20",
                                  "2025-03-15", "2026-11-23T18:30:05.120000+00:00", "ñandú"]
    assert copy_fields(["plain", "+34600123456", ""]) == "plain\t+34600123456\t"  # text only: one search
    assert copy_fields(["Calle Sol 5\nPiso 2", "C:\\"]) == "Calle Sol 5\\nPiso 2\tC:\\\\"
    with pytest.raises(BulkError):
        copy_text(dt.datetime(2026, 11, 23, 18, 30))  # noqa: DTZ001 - naive on purpose
    with pytest.raises(BulkError):
        copy_text({"a": 1})


@pytest.mark.django_db
def test_given_copy_lines_with_awkward_values_then_postgresql_stores_them_exactly() -> None:
    now = timezone.now()
    debtors = BulkTable(Debtor, ("id", "kind", "country", "id_type", "id_number", "first_name", "last_name",
                                 "company_name", "birth_date"), now=now)
    contacts = BulkTable(ContactPoint, ("debtor_id", "kind", "value", "timezones", "address_line", "country"),
                         now=now)
    if connection.vendor != "postgresql":
        with pytest.raises(BulkError), transaction.atomic():
            debtors.write_lines(["1\tperson\n"])
        return

    with transaction.atomic():
        [pk] = debtors.reserve_ids(1)
        debtors.write_lines([f"{pk}\t" + copy_fields(["person", "ES", "DNI", "00000023T", "Ana\tMaría",
                                                     "O\\Brien", "", dt.date(1980, 2, 29)]) + debtors.extra_text
                             + "\n"])
        contacts.write_lines([f"{pk}\t" + copy_fields(["address", "Calle Sol 5\nPiso 2, Madrid", '["Europe/Madrid"]',
                                                      "Calle Sol 5\nPiso 2", "ES"]) + contacts.extra_text + "\n"])

    debtor = Debtor.objects.get(pk=pk)
    assert (debtor.first_name, debtor.last_name, debtor.company_name) == ("Ana\tMaría", "O\\Brien", "")
    assert debtor.birth_date == dt.date(1980, 2, 29) and debtor.created_at == now and not debtor.is_vulnerable
    point = ContactPoint.objects.get(debtor=debtor)
    assert point.value == "Calle Sol 5\nPiso 2, Madrid" and point.timezones == ["Europe/Madrid"]
    assert point.address_line == "Calle Sol 5\nPiso 2" and point.status == "valid"
