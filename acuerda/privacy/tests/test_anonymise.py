"""Erasure (GDPR art. 17) as anonymisation: refused while the data is needed, thorough when done,
financial records kept, idempotent."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db.models import Sum

from acuerda.debtors.models import ContactConsent, ContactPoint, Debtor, PersonalDataAccess
from acuerda.debtors.selectors import debtor_search
from acuerda.debtors.services import consent_record, personal_data_access_log
from acuerda.debts.models import Account, AccountEvent, LedgerEntry
from acuerda.debts.selectors import ledger_mismatches
from acuerda.debts.services import account_party_add, account_transition, ledger_post, payment_post
from acuerda.privacy.models import ErasureRecord
from acuerda.privacy.services import (
    ErasureRefused,
    debtor_anonymise,
    legal_hold_place,
    legal_hold_release,
)

pytestmark = pytest.mark.django_db


def close(account: Account, actor) -> None:  # type: ignore[no-untyped-def]
    account_transition(
        account=account, to_status="recalled", actor=actor, reason="Devuelta al acreedor"
    )


@pytest.fixture
def closed_es(world):  # type: ignore[no-untyped-def]
    """Lucía's only account is recalled; her data has been written into free text along the way."""
    debtor = world.debtor_es
    consent_record(
        contact_point=debtor.contact_points.get(kind="phone"),
        channel="call",
        granted=True,
        evidence="Grabación 555 — Lucía García Pérez acepta",
        actor=world.agent_es,
    )
    payment_post(
        account=world.account_es,
        amount=Decimal("50.00"),
        effective_on=dt.date(2026, 3, 2),
        actor=world.agent_es,
        memo="Bizum de Lucía García Pérez 600 12 34 56",
    )
    ledger_post(
        account=world.account_es,
        kind="fee",
        fees=Decimal("5.00"),
        effective_on=dt.date(2026, 3, 3),
        actor=world.agent_es,
        memo="Gastos",
    )
    account_transition(
        account=world.account_es,
        to_status="on_hold",
        actor=world.agent_es,
        reason="Llamó desde +34600123456, escribe a lucia.garcia@example.es",
    )
    close(world.account_es, world.admin)
    personal_data_access_log(
        user=world.agent_es, debtor=debtor, via="page", path=f"/debtors/{debtor.pk}/"
    )
    return debtor


def test_an_open_account_refuses_the_erasure_and_changes_nothing(world):
    with pytest.raises(ErasureRefused, match="LN-0001"):
        debtor_anonymise(
            debtor=world.debtor_es, actor=world.compliance, reason="Solicitud del interesado"
        )

    world.debtor_es.refresh_from_db()
    assert world.debtor_es.first_name == "Lucía" and not ErasureRecord.objects.exists()


def test_guaranteeing_an_open_account_also_refuses(world, closed_es):
    account_party_add(
        account=world.account_co, debtor=closed_es, role="guarantor", actor=world.admin
    )

    with pytest.raises(ErasureRefused, match="TC-0001"):
        debtor_anonymise(debtor=closed_es, actor=world.compliance, reason="Solicitud")


def test_a_legal_hold_refuses_until_released(world, closed_es):
    hold = legal_hold_place(debtor=closed_es, reason="Requerimiento judicial", actor=world.admin)
    with pytest.raises(ErasureRefused, match="legal hold"):
        debtor_anonymise(debtor=closed_es, actor=world.compliance, reason="Solicitud")

    legal_hold_release(hold=hold, actor=world.admin)
    assert (
        debtor_anonymise(debtor=closed_es, actor=world.compliance, reason="Solicitud").debtor_id
        == closed_es.pk
    )


def test_anonymisation_removes_personal_data_everywhere(world, closed_es):
    number = closed_es.id_number
    record = debtor_anonymise(
        debtor=closed_es, actor=world.compliance, reason="Solicitud art. 17 de 2026-04-01"
    )

    debtor = Debtor.objects.get(pk=closed_es.pk)
    assert (debtor.first_name, debtor.birth_date, debtor.timezone) == ("", None, "")
    assert debtor.last_name.startswith("anon-") and debtor.id_number.startswith("ANON")
    for query in (
        "Lucía García",
        "García",
        "600 12 34 56",
        "+34600123456",
        "lucia.garcia@example.es",
        number,
    ):
        assert not debtor_search(user=world.admin, query=query).exists(), query
    assert not ContactPoint.objects.filter(
        value__in=["+34600123456", "lucia.garcia@example.es"]
    ).exists()
    # Free text kept for the books no longer names or reaches her.
    everything = json.dumps(
        [
            *AccountEvent.objects.filter(account=world.account_es).values_list("reason", "data"),
            *LedgerEntry.objects.filter(account=world.account_es).values_list("memo", flat=True),
            *ContactConsent.objects.values_list("evidence", flat=True),
        ],
        ensure_ascii=False,
    )
    for value in (
        "Lucía García",
        "600 12 34 56",
        "+34600123456",
        "34600123456",
        "lucia.garcia@example.es",
        number,
    ):
        assert value not in everything, value
    assert "Bizum de [erased] [erased]" in everything
    # What went and what stayed is recorded, without the values.
    assert record.actor == world.compliance and record.trigger == "request"
    assert set(record.removed["debtor_fields"]) >= {"first_name", "last_name", "id_number"}
    assert record.removed["contact_points"] == 2 and record.kept["accounts"] == 1
    assert "Lucía" not in json.dumps([record.removed, record.kept], ensure_ascii=False)


def test_anonymisation_keeps_the_books(world, closed_es):
    sums_before = LedgerEntry.objects.filter(account=world.account_es).aggregate(
        p=Sum("principal"), i=Sum("interest"), f=Sum("fees")
    )
    entries_before = LedgerEntry.objects.filter(account=world.account_es).count()
    accesses_before = PersonalDataAccess.objects.filter(debtor=closed_es).count()

    debtor_anonymise(debtor=closed_es, actor=world.compliance, reason="Solicitud")

    account = Account.objects.get(pk=world.account_es.pk)
    assert LedgerEntry.objects.filter(account=account).count() == entries_before
    assert (
        LedgerEntry.objects.filter(account=account).aggregate(
            p=Sum("principal"), i=Sum("interest"), f=Sum("fees")
        )
        == sums_before
    )
    assert (account.principal, account.interest, account.fees) == (
        sums_before["p"],
        sums_before["i"],
        sums_before["f"],
    )
    assert account.status == "recalled" and account.debtor_id == closed_es.pk
    assert not ledger_mismatches().exists()
    assert PersonalDataAccess.objects.filter(debtor=closed_es).count() == accesses_before
    assert ContactConsent.objects.filter(
        contact_point__debtor=closed_es, channel="call", granted=True
    ).exists()
    event = AccountEvent.objects.filter(account=account).order_by("-pk").first()
    assert (
        event.kind == "note"
        and event.data["privacy"] == "anonymised"
        and event.actor == world.compliance
    )


def test_anonymising_twice_returns_the_same_record_and_writes_nothing_more(world, closed_es):
    first = debtor_anonymise(debtor=closed_es, actor=world.compliance, reason="Solicitud")
    events = AccountEvent.objects.count()
    name = Debtor.objects.get(pk=closed_es.pk).last_name

    again = debtor_anonymise(debtor=closed_es, actor=world.admin, reason="Otra vez")

    assert again.pk == first.pk and ErasureRecord.objects.count() == 1
    assert (
        AccountEvent.objects.count() == events
        and Debtor.objects.get(pk=closed_es.pk).last_name == name
    )


def test_an_erasure_needs_a_reason(world, closed_es):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        debtor_anonymise(debtor=closed_es, actor=world.compliance, reason=" ")
