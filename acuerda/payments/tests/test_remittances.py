"""Remittances to creditors: commission per bucket, four eyes, locked once issued, corrections
in the next period, and real XLSX and PDF documents."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from acuerda.payments.remittances import (
    RemittanceError,
    parse_period,
    remittance_build,
    remittance_document,
    remittance_issue,
    remittance_review,
)
from acuerda.payments.services import payment_register, payment_reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(world, clock):  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    from acuerda.portfolios.services import portfolio_set_commissions

    # Late November: the payments below have been received, and a reversal today is November's.
    clock.now = dt.datetime(2026, 11, 25, 11, 0, tzinfo=ZoneInfo("Europe/Madrid"))

    labels = world.bank_es.buckets.labels()
    portfolio_set_commissions(portfolio=world.p_es, rates={label: Decimal(5 + 5 * i) for i, label in enumerate(labels)})
    payments = [
        payment_register(debtor=world.debtor_es, amount=Decimal(amount), currency="EUR", received_on=day,
                         method="transfer", source="statement", idempotency_key=f"k-{amount}", actor=world.admin,
                         reference=f"TRF-{amount}")
        for amount, day in (("100.00", dt.date(2026, 10, 30)), ("200.00", dt.date(2026, 11, 3)),
                            ("33.33", dt.date(2026, 11, 20)))
    ]
    return world, payments


def test_periods():  # type: ignore[no-untyped-def]
    assert parse_period("2026-02") == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    for bad in ("2026-13", "26-11", "2026/11", ""):
        with pytest.raises(RemittanceError):
            parse_period(bad)


def test_build_review_issue_and_lock(paid):  # type: ignore[no-untyped-def]
    world, payments = paid
    october = remittance_build(creditor=world.bank_es, period="2026-10", actor=world.admin)
    assert [line.collected for line in october.lines.all()] == [Decimal("100.00")]
    # LN-0001 first unpaid 2025-11-01: 363 days past due on 30 Oct 2026 → "361+" (the 7th bucket, 35 %)
    line = october.lines.get()
    assert (line.bucket, line.rate_percent, line.commission) == ("361+", Decimal("35.00"), Decimal("35.00"))
    assert (october.commission, october.vat, october.net) == (Decimal("35.00"), Decimal("7.35"), Decimal("57.65"))
    with pytest.raises(RemittanceError, match="reviewed before"):
        remittance_issue(remittance=october, actor=world.admin)
    remittance_review(remittance=october, actor=world.supervisor)
    with pytest.raises(RemittanceError, match="four eyes"):
        remittance_issue(remittance=october, actor=world.supervisor)
    issued = remittance_issue(remittance=october, actor=world.admin)
    from django.utils import timezone

    assert issued.invoice_number == f"F-{timezone.localdate().year}-00001" and issued.status == "issued"
    with pytest.raises(RemittanceError, match="issued"):
        remittance_build(creditor=world.bank_es, period="2026-10", actor=world.admin)
    issued.net = Decimal("1")
    with pytest.raises(ValueError, match="issued"):
        issued.save()

    november = remittance_build(creditor=world.bank_es, period="2026-11", actor=world.admin)
    assert sorted(line.collected for line in november.lines.all()) == [Decimal("33.33"), Decimal("200.00")]
    # The October payment is returned after October was issued: November carries it back.
    payment_reverse(payment=payments[0], actor=world.admin, reason="Chargeback")
    november = remittance_build(creditor=world.bank_es, period="2026-11", actor=world.admin)
    correction = november.lines.get(is_correction=True)
    assert (correction.collected, correction.commission) == (Decimal("-100.00"), Decimal("-35.00"))
    assert november.collected == Decimal("133.33")


def test_documents_open(paid):  # type: ignore[no-untyped-def]
    import openpyxl
    import pypdfium2 as pdfium

    from acuerda.payments.documents import remittance_pdf, remittance_xlsx

    world, _payments = paid
    remittance = remittance_build(creditor=world.bank_es, period="2026-11", actor=world.admin)
    document = remittance_document(remittance)
    book = openpyxl.load_workbook(io.BytesIO(remittance_xlsx(document)))
    assert book.sheetnames == ["Resumen", "Detalle", "Factura"]
    pdf = pdfium.PdfDocument(remittance_pdf(document))
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert remittance.number in text and "LN-0001" in text and "BORRADOR" in text
    image = pdf[0].render(scale=0.5).to_pil().convert("L")
    dark = sum(image.histogram()[:200])
    assert dark > image.width * image.height * 0.02  # a real page, not a blank one


def test_a_reversal_after_the_month_goes_into_the_next_month(paid, clock):  # type: ignore[no-untyped-def]
    world, payments = paid
    october = remittance_build(creditor=world.bank_es, period="2026-10", actor=world.admin)
    remittance_review(remittance=october, actor=world.supervisor)
    remittance_issue(remittance=october, actor=world.admin)
    clock.advance(days=10)  # 5 December: the chargeback is December's, not November's
    payment_reverse(payment=payments[0], actor=world.admin, reason="Chargeback")
    november = remittance_build(creditor=world.bank_es, period="2026-11", actor=world.admin)
    assert not november.lines.filter(is_correction=True).exists()
    assert november.collected == Decimal("233.33")
    december = remittance_build(creditor=world.bank_es, period="2026-12", actor=world.admin)
    assert [(line.collected, line.commission) for line in december.lines.all()] == [(Decimal("-100.00"), Decimal("-35.00"))]


def test_a_remittance_is_seen_only_by_those_who_see_all_its_creditors_portfolios(paid):  # type: ignore[no-untyped-def]
    from acuerda.payments.models import Remittance
    from acuerda.people.models import User
    from acuerda.portfolios.services import portfolio_create

    world, _payments = paid
    remittance = remittance_build(creditor=world.bank_es, period="2026-11", actor=world.admin)
    creditor_user = User.objects.get(username="creditor_es")
    assert set(Remittance.objects.for_user(world.supervisor)) == {remittance}
    assert set(Remittance.objects.for_user(creditor_user)) == {remittance}
    # The bank places a second portfolio that the Spanish team does not work: the remittance
    # now names its accounts too, so the team no longer sees it; the bank still does.
    portfolio_create(creditor=world.bank_es, reference="ES-2026-02", placed_on=dt.date(2026, 11, 1), jurisdiction="ES")
    assert not Remittance.objects.for_user(world.supervisor).exists()
    assert set(Remittance.objects.for_user(creditor_user)) == {remittance}
    assert set(Remittance.objects.for_user(world.admin)) == {remittance}
