"""Data-subject access export (GDPR art. 15): complete, JSON-ready, logged; the PDF says the same."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from acuerda.debtors.models import Debtor, PersonalDataAccess
from acuerda.debtors.services import consent_record, personal_data_access_log
from acuerda.debts.services import account_party_add, payment_post
from acuerda.privacy.selectors import reverse_relations
from acuerda.privacy.services import legal_hold_place, subject_access_export, subject_access_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def rich_debtor(world):  # type: ignore[no-untyped-def]
    """Lucía owes the Spanish bank, guarantees a Colombian contract, gave consent, was looked at."""
    debtor = world.debtor_es
    phone = debtor.contact_points.get(kind="phone")
    consent_record(
        contact_point=phone,
        channel="sms",
        granted=True,
        evidence="Web form 2026-01-03",
        actor=world.admin,
    )
    payment_post(
        account=world.account_es,
        amount=Decimal("100.00"),
        effective_on=dt.date(2026, 3, 1),
        actor=world.agent_es,
    )
    account_party_add(account=world.account_co, debtor=debtor, role="guarantor", actor=world.admin)
    personal_data_access_log(
        user=world.agent_es, debtor=debtor, via="page", path="/debtors/1/", purpose="call"
    )
    legal_hold_place(debtor=debtor, reason="Demanda 123/2026", actor=world.admin)
    return debtor


def test_the_export_holds_identity_contacts_consents_accounts_ledger_events_and_access_log(
    world, rich_debtor
):
    data = subject_access_export(
        debtor=rich_debtor, actor=world.compliance, purpose="Request by email 2026-04-01"
    )

    assert (
        data["subject"]["first_name"] == "Lucía"
        and data["subject"]["id_number"] == rich_debtor.id_number
    )
    kinds = {p["kind"]: p for p in data["contact_points"]}
    assert kinds["phone"]["value"] == "+34600123456" and kinds["phone"]["source"] == "creditor"
    assert [(c["channel"], c["granted"]) for c in kinds["phone"]["consents"]] == [("sms", True)]
    assert kinds["email"]["value"] == "lucia.garcia@example.es"
    accounts = {a["creditor_reference"]: a for a in data["accounts"]}
    assert set(accounts) == {"LN-0001", "TC-0001"}
    es = accounts["LN-0001"]
    assert es["subject_role"] == "holder" and es["creditor"]["code"] == "bank-es"
    assert es["balance"] == {
        "principal": "1500.00",
        "interest": "50.50",
        "fees": "0.00",
        "total": "1550.50",
    }
    assert [e["kind"] for e in es["ledger"]] == ["placement", "payment"]
    assert es["ledger"][1]["total"] == "-100.00" and es["ledger"][1]["effective_on"] == "2026-03-01"
    assert {e["kind"] for e in es["events"]} >= {"placed", "ledger_posted"}
    co = accounts["TC-0001"]
    # A guarantor sees the account and the roles on it, not who the main debtor is.
    assert co["subject_role"] == "guarantor" and co["parties"] == [
        {"role": "guarantor", "is_subject": True}
    ]
    assert "Andrés" not in json.dumps(co)
    purposes = [(a["via"], a["purpose"], a["by_role"]) for a in data["access_log"]]
    assert ("page", "call", "agent") in purposes
    assert ("dsar", "Request by email 2026-04-01", "compliance") in purposes
    json.dumps(data)  # JSON-ready: no Decimal, date or model left


def test_tables_found_through_relations_are_exported(world, rich_debtor):
    """Any model pointing at Debtor is included without this module knowing it (here: legal holds)."""
    data = subject_access_export(debtor=rich_debtor, actor=world.admin, purpose="DSAR")

    assert [row["reason"] for row in data["related"]["privacy.legalhold"]] == ["Demanda 123/2026"]
    labels = {rel.related_model._meta.label_lower for rel in reverse_relations(Debtor)}
    explicit = {
        "debtors.contactpoint",
        "debts.account",
        "debts.accountparty",
        "debtors.personaldataaccess",
    }
    assert labels - explicit <= set(data["related"]) | {"privacy.erasurerecord"}


def test_each_export_is_logged_as_a_subject_access_with_its_purpose(world, rich_debtor):
    subject_access_export(debtor=rich_debtor, actor=world.admin, purpose="DSAR ref 7")
    subject_access_pdf(debtor=rich_debtor, actor=world.compliance, purpose="DSAR ref 8")

    rows = PersonalDataAccess.objects.filter(via="dsar").order_by("pk")
    assert [(r.user, r.debtor, r.purpose) for r in rows] == [
        (world.admin, rich_debtor, "DSAR ref 7"),
        (world.compliance, rich_debtor, "DSAR ref 8"),
    ]
    assert rows[0].path == f"dsar/json/debtor/{rich_debtor.pk}"


def test_an_export_needs_a_purpose(world):
    with pytest.raises(ValidationError):
        subject_access_export(debtor=world.debtor_es, actor=world.admin, purpose="  ")
    assert not PersonalDataAccess.objects.exists()


def _pdf_text(pdf: bytes) -> str:
    """The strings drawn on the pages (uncompressed content streams, literal strings)."""
    raw = pdf.decode("latin-1")
    return " ".join(re.findall(r"\(((?:[^()\\]|\\.)*)\)\s*Tj", raw))


def test_the_pdf_is_a_real_pdf_with_the_same_content(world, rich_debtor):
    pdf = subject_access_pdf(debtor=rich_debtor, actor=world.admin, purpose="DSAR")

    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF") and len(pdf) > 3000
    text = _pdf_text(pdf)
    for expected in (
        "LN-0001",
        "TC-0001",
        "+34600123456",
        "lucia.garcia@example.es",
        "Banco Ejemplo S.A.",
        "1550.50",
        "Demanda 123/2026",
    ):
        assert expected in text, expected
