"""SEPA Direct Debit: a mandate, the pain.008 for the instalments due, the collection seen in the
bank statement, and a returned debit that puts the instalment back to due."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from acuerda.payments.sepa import SepaError, direct_debit_batch, mandate_create

from .test_reconciliation import _camt, _entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(world, clock):  # type: ignore[no-untyped-def]
    from acuerda.workspace.models import NegotiationPolicy
    from acuerda.workspace.negotiation import Offer
    from acuerda.workspace.queue import account_claim
    from acuerda.workspace.services import plan_agree

    NegotiationPolicy.objects.update_or_create(creditor=world.bank_es, portfolio=None,
                                               defaults={"max_instalments": 12, "max_days_to_first_payment": 30})
    account_claim(agent=world.supervisor, account=world.account_es)
    return plan_agree(agent=world.supervisor, account=world.account_es,
                      offer=Offer(first_payment_on=dt.date(2026, 3, 10), instalments=3))


def test_mandates_check_the_iban(plan, world):  # type: ignore[no-untyped-def]
    with pytest.raises(SepaError, match="not a valid IBAN"):
        mandate_create(plan=plan, iban="ES00 1234", holder_name="Lucía", signed_on=dt.date(2026, 3, 1), actor=None)
    mandate = mandate_create(plan=plan, iban="es91 2100 0418 4502 0005 1332", holder_name="Lucía García Pérez",
                             signed_on=dt.date(2026, 3, 1), actor=world.admin)
    assert mandate.iban == "ES9121000418450200051332" and mandate.bic.startswith("CAIXESBB")
    with pytest.raises(SepaError, match="future"):
        mandate_create(plan=plan, iban=mandate.iban, holder_name="Lucía", signed_on=dt.date(2026, 3, 9), actor=None)


def test_the_pain008_collection_and_the_return(plan, world, clock):  # type: ignore[no-untyped-def]
    from acuerda.payments.models import DirectDebit
    from acuerda.payments.reconciliation import statement_import

    mandate_create(plan=plan, iban="ES7620770024003102575766", holder_name="Lucía García Pérez",
                   signed_on=dt.date(2026, 3, 1), actor=world.admin)
    assert direct_debit_batch(collection_date=dt.date(2026, 3, 5), actor=world.admin) is None  # nothing due yet
    batch = direct_debit_batch(collection_date=dt.date(2026, 3, 11), actor=world.admin)
    assert batch is not None and batch.count == 1 and batch.total == Decimal("550.16")
    assert "pain.008.001.02" in batch.xml and "<SeqTp>FRST</SeqTp>" in batch.xml and "ES23ZZZ47690558N" in batch.xml
    assert f"<MsgId>{batch.message_id}</MsgId>" in batch.xml  # stored under the id the bank will quote
    debit = DirectDebit.objects.get()
    assert direct_debit_batch(collection_date=dt.date(2026, 3, 11), actor=world.admin) is None  # not asked twice

    clock.advance(days=10)  # 12 March: the bank credited the debit
    statement_import(data=_camt("SDD-1", [_entry("550.16", day=12, ref="B1", e2e=debit.end_to_end_id,
                                                 text="ADEUDO", payer="LUCIA GARCIA")]).replace(b"2026-11-12",
                                                                                               b"2026-03-12"),
                     fmt="camt053", actor=world.admin)
    debit.refresh_from_db()
    first = plan.instalments.get(number=1)
    assert debit.status == "collected" and first.status == "paid"

    clock.advance(days=3)  # 15 March: the debtor's bank returns it (MD06)
    statement_import(data=_camt("SDD-2", [_entry("550.16", credit=False, day=15, ref="B2", e2e=debit.end_to_end_id,
                                                 reversal=True, reason="MD06")]).replace(b"2026-11-15", b"2026-03-15"),
                     fmt="camt053", actor=world.admin)
    debit.refresh_from_db()
    first.refresh_from_db()
    world.account_es.refresh_from_db()
    assert debit.status == "returned" and debit.return_reason == "MD06"
    assert first.status == "missed" and world.account_es.balance.amount == Decimal("1650.50")


def test_the_direct_debit_command_submits_nothing_when_it_cannot_write_the_file(plan, world, clock, tmp_path):  # type: ignore[no-untyped-def]
    import io
    import json

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from acuerda.payments.models import DirectDebit, DirectDebitBatch

    mandate_create(plan=plan, iban="ES7620770024003102575766", holder_name="Lucía García Pérez",
                   signed_on=dt.date(2026, 3, 1), actor=world.admin)
    nowhere = tmp_path / "no-such-folder" / "pain008.xml"
    with pytest.raises(CommandError, match="no debit was submitted"):
        call_command("payments", "direct-debits", "--date", "2026-03-11", "--output", str(nowhere))
    assert not DirectDebitBatch.objects.exists() and not DirectDebit.objects.exists()
    with pytest.raises(CommandError, match="No user 'nobody'"):
        call_command("payments", "direct-debits", "--date", "2026-03-11", "--output", str(tmp_path / "x.xml"),
                     "--user", "nobody")
    out = io.StringIO()
    call_command("payments", "direct-debits", "--date", "2026-03-11", "--output", str(tmp_path / "pain008.xml"),
                 stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["debits"] == 1 and f"<MsgId>{summary['message_id']}</MsgId>" in (tmp_path / "pain008.xml").read_text()
