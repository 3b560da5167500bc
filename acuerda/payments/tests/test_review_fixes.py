"""Money that must not be counted twice, lost, or shown to the wrong team (found in review)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from acuerda.payments.services import payment_register, payment_reverse

from .test_reconciliation import _camt, _entry

pytestmark = pytest.mark.django_db


def _manual(world, amount: str, key: str, **kw):  # type: ignore[no-untyped-def]
    return payment_register(debtor=world.debtor_es, amount=Decimal(amount), currency="EUR",
                            received_on=kw.pop("on", dt.date(2026, 11, 2)), method=kw.pop("method", "transfer"),
                            source="manual", idempotency_key=key, actor=world.agent_es, **kw)


def test_a_transfer_typed_by_an_agent_is_linked_when_the_statement_brings_it(world):  # type: ignore[no-untyped-def]
    from acuerda.payments.models import Payment, StatementLine
    from acuerda.payments.reconciliation import statement_import

    announced = _manual(world, "100.00", "form:1", account=world.account_es)
    statement_import(data=_camt("S-A", [_entry("100.00", day=3, ref="A1", text="PAGO LN-0001", payer="LUCIA")]),
                     fmt="camt053", actor=world.admin)
    line = StatementLine.objects.get()
    assert line.status == "matched" and line.payment == announced and Payment.objects.count() == 1
    world.account_es.refresh_from_db()
    assert world.account_es.balance.amount == Decimal("1550.50")


def test_two_equal_payments_in_a_creditor_file_are_two_payments(world, tmp_path):  # type: ignore[no-untyped-def]
    from acuerda.payments.models import Payment

    path = tmp_path / "pagos.csv"
    path.write_text("creditor_reference,amount,paid_on\nLN-0001,\"1,000.00\",2026-11-03\nLN-0001,\"1,000.00\",2026-11-03\n"
                    .replace("1,000.00", "100.00"))
    call_command("payments", "import", str(path), "--format", "csv", "--creditor", "bank-es", stdout=io.StringIO())
    assert Payment.objects.count() == 2
    call_command("payments", "import", str(path), "--format", "csv", "--creditor", "bank-es", stdout=io.StringIO())
    assert Payment.objects.count() == 2  # the same file again: nothing new
    thousands = tmp_path / "miles.csv"
    thousands.write_text('creditor_reference;amount;paid_on\nLN-0001;"1.234,56";04/11/2026\n')
    call_command("payments", "import", str(thousands), "--format", "csv", "--creditor", "bank-es", stdout=io.StringIO())
    world.account_es.refresh_from_db()
    assert world.account_es.balance.amount == Decimal("1650.50") - 200 - Decimal("1234.56")
    (tmp_path / "bad.csv").write_text("nothing here\n1 2 3\n")
    with pytest.raises(CommandError, match="row 1"):
        call_command("payments", "import", str(tmp_path / "bad.csv"), "--format", "csv", "--creditor", "bank-es")
    (tmp_path / "huge.csv").write_text("creditor_reference;amount;paid_on\nLN-0001;1e400000000;04/11/2026\n")
    with pytest.raises(CommandError, match="row 2, amount"):
        call_command("payments", "import", str(tmp_path / "huge.csv"), "--format", "csv", "--creditor", "bank-es")


def _issue(world, period: str):  # type: ignore[no-untyped-def]
    from acuerda.payments.remittances import remittance_build, remittance_issue, remittance_review
    from acuerda.people.services import user_create

    remittance = remittance_build(creditor=world.bank_es, period=period, actor=world.admin)
    remittance_review(remittance=remittance, actor=world.admin)
    issuer = user_create(username=f"issuer-{period}", password="Correct-Horse-42", role="admin")
    return remittance_issue(remittance=remittance, actor=issuer)


def test_remittance_corrections_negate_what_was_charged_and_issued_documents_are_frozen(world, clock):  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    import pypdfium2 as pdfium

    from acuerda.payments.remittances import RemittanceError, remittance_build, remittance_review
    from acuerda.portfolios.services import portfolio_set_commissions

    clock.now = dt.datetime(2026, 11, 25, 11, 0, tzinfo=ZoneInfo("Europe/Madrid"))  # reversals below are November's
    labels = world.bank_es.buckets.labels()
    portfolio_set_commissions(portfolio=world.p_es, rates=dict.fromkeys(labels, Decimal("10")))
    paid = _manual(world, "100.00", "o1", on=dt.date(2026, 10, 20), account=world.account_es)
    october = _issue(world, "2026-10")
    assert october.commission == Decimal("10.00")
    world.bank_es.legal_name = "Banco Renombrado S.A."
    world.bank_es.save()
    pdf = pdfium.PdfDocument(bytes(october.issued_pdf))
    assert "Banco Ejemplo" in "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))

    portfolio_set_commissions(portfolio=world.p_es, rates=dict.fromkeys(labels, Decimal("50")))
    payment_reverse(payment=paid, actor=world.admin, reason="Chargeback")
    november = remittance_build(creditor=world.bank_es, period="2026-11", actor=world.admin)
    correction = november.lines.get(is_correction=True)
    assert (correction.collected, correction.commission, correction.rate_percent) == (
        Decimal("-100.00"), Decimal("-10.00"), Decimal("10.00"))

    # A payment reversed between the build and the issue: the remittance must be built again.
    late = _manual(world, "40.00", "n2", on=dt.date(2026, 11, 5), account=world.account_es)
    november = remittance_build(creditor=world.bank_es, period="2026-11", actor=world.admin)
    remittance_review(remittance=november, actor=world.admin)
    payment_reverse(payment=late, actor=world.admin, reason="Returned")
    from acuerda.payments.remittances import remittance_issue

    with pytest.raises(RemittanceError, match="build it again"):
        remittance_issue(remittance=november, actor=world.supervisor)


def test_payments_show_only_the_allocations_a_team_may_see(world, client):  # type: ignore[no-untyped-def]
    from django.urls import reverse

    from acuerda.creditors.services import creditor_create
    from acuerda.debtors.identifiers import demo_tax_id
    from acuerda.debts.services import account_open
    from acuerda.portfolios.services import portfolio_create

    energy = creditor_create(code="energia", legal_name="Otra Energía S.L.", country="ES",
                             tax_id=demo_tax_id(country="ES", seq=9), default_currency="EUR", sector="utilities")
    portfolio = portfolio_create(creditor=energy, reference="EN-1", placed_on=dt.date(2026, 1, 1), jurisdiction="ES")
    secret = account_open(portfolio=portfolio, debtor=world.debtor_es, creditor_reference="SECRET-77",
                          product="utility_bill", principal=Decimal("80.00"), first_unpaid_due_on=dt.date(2026, 1, 5),
                          actor=world.admin)
    hidden = _manual(world, "50.00", "e1", account=secret)
    from acuerda.payments.services import PaymentError

    with pytest.raises(PaymentError, match="more than"):  # the rest may not settle another creditor's debt
        _manual(world, "1700.00", "b1", account=world.account_es)
    client.force_login(world.agent_es)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert client.get(reverse("payments:detail", args=[hidden.pk])).status_code == 404
    page = client.get(reverse("payments:list")).content.decode()
    assert "SECRET-77" not in page


def test_a_creditor_reference_reused_for_another_payment_is_refused_not_skipped(world, tmp_path):  # type: ignore[no-untyped-def]
    from acuerda.payments.models import Payment

    first = tmp_path / "pagos-1.csv"
    first.write_text("creditor_reference;amount;paid_on;reference\nLN-0001;100,00;03/11/2026;BANK-77\n")
    call_command("payments", "import", str(first), "--format", "csv", "--creditor", "bank-es", stdout=io.StringIO())
    reused = tmp_path / "pagos-2.csv"
    reused.write_text("creditor_reference;amount;paid_on;reference\nLN-0001;100,00;03/11/2026;BANK-77\n"
                      "LN-0001;250,00;10/11/2026;BANK-77\n")
    with pytest.raises(CommandError, match=r"row 3, reference: reference BANK-77 was already registered"):
        call_command("payments", "import", str(reused), "--format", "csv", "--creditor", "bank-es", stdout=io.StringIO())
    twice = tmp_path / "pagos-3.csv"
    twice.write_text("creditor_reference;amount;paid_on;reference\nLN-0001;10,00;05/11/2026;B-1\n"
                     "LN-0001;20,00;05/11/2026;B-1\n")
    with pytest.raises(CommandError, match=r"row 3, reference: reference B-1 names two different payments"):
        call_command("payments", "import", str(twice), "--format", "csv", "--creditor", "bank-es", stdout=io.StringIO())
    assert Payment.objects.count() == 1


def test_a_reference_in_two_portfolios_needs_the_portfolio_column(world, tmp_path):  # type: ignore[no-untyped-def]
    from acuerda.debts.services import account_open
    from acuerda.payments.models import Payment
    from acuerda.portfolios.services import portfolio_create

    second = portfolio_create(creditor=world.bank_es, reference="ES-2026-02", placed_on=dt.date(2026, 3, 1),
                              jurisdiction="ES")
    account_open(portfolio=second, debtor=world.debtor_es, creditor_reference="LN-0001", product="personal_loan",
                 principal=Decimal("80.00"), first_unpaid_due_on=dt.date(2026, 2, 1), actor=world.admin)
    path = tmp_path / "pagos.csv"
    path.write_text("creditor_reference;amount;paid_on\nLN-0001;50,00;03/11/2026\n")
    with pytest.raises(CommandError, match="several portfolios; add a 'portfolio' column"):
        call_command("payments", "import", str(path), "--format", "csv", "--creditor", "bank-es", stdout=io.StringIO())
    path.write_text("creditor_reference;amount;paid_on;portfolio\nLN-0001;50,00;03/11/2026;ES-2026-02\n")
    call_command("payments", "import", str(path), "--format", "csv", "--creditor", "bank-es", stdout=io.StringIO())
    assert Payment.objects.get().allocations.get().account.portfolio == second


def test_every_problem_of_a_creditor_file_row_is_reported_at_once(world, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "pagos.csv"
    path.write_text("creditor_reference;amount;paid_on\nXX-1;abc;32/01/2026\n")
    with pytest.raises(CommandError) as error:
        call_command("payments", "import", str(path), "--format", "csv", "--creditor", "bank-es")
    message = str(error.value)
    assert "row 2, creditor_reference" in message and "row 2, amount" in message and "row 2, paid_on" in message
