"""The payment pages: register with a receipt, reconcile, build and issue remittances."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from .test_reconciliation import _camt, _entry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):  # type: ignore[no-untyped-def]
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_register_twice_is_one_payment_with_a_receipt(client, world):  # type: ignore[no-untyped-def]
    import pypdfium2 as pdfium

    from acuerda.payments.models import Payment

    client.force_login(world.agent_es)
    url = reverse("payments:new", args=[world.account_es.pk])
    assert client.get(url).status_code == 200
    data = {"amount": "75.00", "received_on": "2026-11-20", "method": "cash", "reference": "", "payer_name": "Lucía",
            "token": "form-1"}
    first = client.post(url, data)
    second = client.post(url, data)  # the double click
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    payment = Payment.objects.get()
    pdf = client.get(reverse("payments:receipt", args=[payment.pk]))
    text = pdfium.PdfDocument(pdf.content)[0].get_textpage().get_text_range()
    assert payment.receipt_number in text and "75,00" in text and "LN-0001" in text
    assert client.get(reverse("payments:new", args=[world.account_co.pk])).status_code == 404
    too_much = client.post(url, {**data, "amount": "9999", "token": "form-2"})
    assert too_much.status_code == 400 and "more than the debtor owes" in too_much.content.decode()


def test_reconciliation_page(client, world):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    from acuerda.payments.models import StatementLine

    client.force_login(world.agent_es)
    assert client.get(reverse("payments:reconciliation")).status_code == 403
    client.force_login(world.admin)
    bad = SimpleUploadedFile("bad.xml", b"<Document><BkToCstmrStmt>")
    response = client.post(reverse("payments:reconciliation"), {"file": bad, "format": "camt053"})
    assert response.status_code == 400 and "nothing was recorded" in response.content.decode()
    good = SimpleUploadedFile("s.xml", _camt("S-P", [_entry("20.00", ref="P1", text="sin referencia", payer="X")]))
    assert client.post(reverse("payments:reconciliation"), {"file": good, "format": "auto"}).status_code == 302
    line = StatementLine.objects.get()
    page = client.get(reverse("payments:reconciliation")).content.decode()
    assert "sin referencia" in page
    client.post(reverse("payments:line", args=[line.pk]), {"action": "resolve", "account_reference": "LN-0001"})
    line.refresh_from_db()
    assert line.status == "resolved" and line.payment.amount == Decimal("20.00")


def test_remittance_pages_with_four_eyes_and_the_creditors_view(client, world):  # type: ignore[no-untyped-def]
    from acuerda.payments.models import Remittance
    from acuerda.people.services import user_create

    second_admin = user_create(username="admin2", password="Correct-Horse-42", role="admin")
    client.force_login(world.admin)
    response = client.post(reverse("payments:remittances"), {"creditor": world.bank_es.pk, "period": "2026-11"})
    remittance = Remittance.objects.get()
    assert response["Location"] == reverse("payments:remittance", args=[remittance.pk])
    client.force_login(world.creditor_es)
    assert client.get(reverse("payments:remittance", args=[remittance.pk])).status_code == 404  # drafts are internal
    client.force_login(world.admin)
    client.post(reverse("payments:remittance", args=[remittance.pk]), {"action": "review"})
    client.post(reverse("payments:remittance", args=[remittance.pk]), {"action": "issue"})
    remittance.refresh_from_db()
    assert remittance.status == "reviewed"  # the reviewer cannot issue
    client.force_login(second_admin)
    client.post(reverse("payments:remittance", args=[remittance.pk]), {"action": "issue"})
    remittance.refresh_from_db()
    assert remittance.status == "issued" and remittance.invoice_number
    client.force_login(world.creditor_es)
    assert client.get(reverse("payments:remittance", args=[remittance.pk])).status_code == 200
    pdf = client.get(reverse("payments:remittance_file", args=[remittance.pk, "pdf"]))
    assert pdf.content.startswith(b"%PDF")
    assert client.get(reverse("payments:remittance_file", args=[remittance.pk, "exe"])).status_code == 404
    assert client.post(reverse("payments:remittance", args=[remittance.pk]), {"action": "review"}).status_code == 403


def test_a_return_the_bank_did_not_name_is_resolved_by_a_person(client, world):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    from acuerda.payments.models import StatementLine
    from acuerda.payments.services import payment_register

    payment = payment_register(debtor=world.debtor_es, amount=Decimal("40.00"), currency="EUR",
                               received_on=dt.date(2026, 11, 2), method="direct_debit",
                               source="manual", idempotency_key="dd-x", actor=world.admin, reference="RCB-77")
    client.force_login(world.admin)
    upload = SimpleUploadedFile("r.xml", _camt("S-R", [_entry("40.00", credit=False, day=9, ref="RR1", reversal=True,
                                                              reason="AM04", text="DEVOLUCION RECIBO")]))
    client.post(reverse("payments:reconciliation"), {"file": upload, "format": "camt053"})
    line = StatementLine.objects.get()
    assert line.status == "pending"  # the bank gave no original reference
    client.post(reverse("payments:line", args=[line.pk]), {"action": "resolve", "account_reference": "nope"})
    line.refresh_from_db()
    assert line.status == "pending"
    client.post(reverse("payments:line", args=[line.pk]), {"action": "resolve", "account_reference": "RCB-77"})
    line.refresh_from_db()
    payment.refresh_from_db()
    assert line.status == "returned" and payment.status == "reversed"
