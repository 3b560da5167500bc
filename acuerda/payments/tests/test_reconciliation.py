"""Importing bank statements: matched lines become payments, the rest wait for a person,
returns undo the payment they return, and importing again records nothing new."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from acuerda.payments.reconciliation import (
    ReconciliationError,
    line_ignore,
    line_resolve,
    statement_import,
)
from acuerda.payments.statements import StatementError

pytestmark = pytest.mark.django_db

IBAN = "ES9121000418450200051332"


def _entry(amount: str, *, credit: bool = True, day: int = 2, ref: str = "", e2e: str = "", text: str = "",
           payer: str = "", payer_iban: str = "", reversal: bool = False, reason: str = "") -> str:
    rtr = f"<RtrInf><Rsn><Cd>{reason}</Cd></Rsn></RtrInf>" if reason else ""
    return f"""
      <Ntry>
        <Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{'CRDT' if credit else 'DBIT'}</CdtDbtInd>
        {'<RvslInd>true</RvslInd>' if reversal else ''}
        <Sts>BOOK</Sts><BookgDt><Dt>2026-11-{day:02d}</Dt></BookgDt><ValDt><Dt>2026-11-{day:02d}</Dt></ValDt>
        <AcctSvcrRef>{ref}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>{'UPDD' if reversal else 'ESCT'}</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>{e2e or 'NOTPROVIDED'}</EndToEndId></Refs>
          <RltdPties><Dbtr><Nm>{payer}</Nm></Dbtr>{f'<DbtrAcct><Id><IBAN>{payer_iban}</IBAN></Id></DbtrAcct>' if payer_iban else ''}</RltdPties>
          <RmtInf><Ustrd>{text}</Ustrd></RmtInf>{rtr}
        </TxDtls></NtryDtls>
      </Ntry>"""


def _camt(statement_id: str, entries: list[str]) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
  <GrpHdr><MsgId>MSG-{statement_id}</MsgId><CreDtTm>2026-11-07T06:00:00+01:00</CreDtTm></GrpHdr>
  <Stmt><Id>{statement_id}</Id><CreDtTm>2026-11-07T06:00:00+01:00</CreDtTm>
    <Acct><Id><IBAN>{IBAN}</IBAN></Id><Ccy>EUR</Ccy></Acct>{''.join(entries)}
  </Stmt></BkToCstmrStmt></Document>""".encode()


@pytest.fixture
def statement(world):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from acuerda.agreements.models import PromiseToPay
    from acuerda.debtors.identifiers import demo_national_id
    from acuerda.debtors.services import debtor_get_or_create
    from acuerda.debts.services import account_open

    other, _ = debtor_get_or_create(country="ES", id_type="DNI",
                                    id_number=demo_national_id(country="ES", id_type="DNI", seq=31),
                                    first_name="Pedro", last_name="Sanz Mora")
    account = account_open(portfolio=world.p_es, debtor=other, creditor_reference="LN-0031", product="personal_loan",
                           principal=Decimal("800.00"), first_unpaid_due_on=dt.date(2026, 5, 1), actor=world.admin)
    PromiseToPay.objects.create(account=account, amount=Decimal("77.70"), currency="EUR",
                                due_on=dt.date(2026, 11, 5), made_at=timezone.now() - dt.timedelta(days=30))
    data = _camt("STMT-1", [
        _entry("150.00", ref="R1", e2e="E2E-1", text="Pago prestamo LN-0001", payer="LUCIA GARCIA"),
        _entry("60.00", day=3, ref="R2", e2e="E2E-2", text=f"Deuda DNI {world.debtor_es.id_number}",
               payer="L GARCIA", payer_iban="ES7620770024003102575766"),
        _entry("77.70", day=4, ref="R3", text="pago acordado", payer="PEDRO SANZ MORA"),
        _entry("12.00", day=4, ref="R4", text="transferencia", payer="DESCONOCIDO"),
        _entry("3.50", credit=False, day=5, ref="R5", text="Comision mantenimiento"),
        _entry("60.00", credit=False, day=6, ref="R6", e2e="E2E-2", text="Devolucion", reversal=True, reason="MD06",
               payer_iban="ES7620770024003102575766"),
    ])
    return world, account, data


def test_a_statement_is_reconciled_and_a_second_import_records_nothing(statement):  # type: ignore[no-untyped-def]
    from acuerda.payments.models import Payment, StatementLine

    world, other, data = statement
    summary = statement_import(data=data, fmt="camt053", actor=world.admin, file_name="stmt.xml")
    assert summary.as_dict() == {
        "statements": 1, "statements_already_imported": 0, "lines": 6, "lines_already_imported": 0, "matched": 2,
        "to_review": 2, "returns_applied": 1, "ignored": 1, "payments": 2,
    }
    by_ref = {line.line_id.rsplit(":", 1)[-1]: line for line in StatementLine.objects.all()}
    assert by_ref["R1"].status == "matched" and by_ref["R1"].account == world.account_es
    assert by_ref["R1"].confidence >= Decimal("0.95")
    assert by_ref["R2"].status == "matched" and "national id" in by_ref["R2"].candidates[0]["reasons"][0]
    assert by_ref["R6"].status == "returned" and by_ref["R6"].payment == by_ref["R2"].payment
    assert by_ref["R3"].status == "pending" and by_ref["R3"].candidates[0]["account"] == other.pk
    assert by_ref["R3"].candidates[0]["reasons"] == ["amount agreed", "payer's name"]
    assert by_ref["R4"].status == "pending" and by_ref["R4"].candidates == []
    assert by_ref["R5"].status == "ignored"
    world.account_es.refresh_from_db()
    assert world.account_es.balance.amount == Decimal("1500.50")  # 150 applied; 60 applied then returned
    assert Payment.objects.get(reference="E2E-2").status == "reversed"

    again = statement_import(data=data, fmt=None, actor=world.admin)
    assert again.as_dict()["statements_already_imported"] == 1 and again.lines == 0
    assert again.lines_already_imported == 6 and Payment.objects.count() == 2


def test_a_person_resolves_the_queue(statement):  # type: ignore[no-untyped-def]
    from acuerda.payments.models import StatementLine

    world, other, data = statement
    statement_import(data=data, fmt="camt053", actor=world.admin)
    r3 = StatementLine.objects.get(line_id__endswith=":R3")
    line_resolve(line=r3, account=other, actor=world.admin)
    r3.refresh_from_db()
    assert r3.status == "resolved" and r3.resolved_by == world.admin and r3.payment.allocations.get().account == other
    with pytest.raises(ReconciliationError, match="already reconciled"):
        line_resolve(line=r3, account=other, actor=world.admin)
    r4 = StatementLine.objects.get(line_id__endswith=":R4")
    with pytest.raises(ReconciliationError, match="Say why"):
        line_ignore(line=r4, actor=world.admin, note=" ")
    assert line_ignore(line=r4, actor=world.admin, note="Refund from a supplier").status == "ignored"


def test_a_malformed_statement_writes_nothing(world):  # type: ignore[no-untyped-def]
    from acuerda.payments.models import BankStatement, StatementLine

    bad = _camt("STMT-2", [_entry("150.00", ref="R1", text="LN-0001")]).replace(b'<Amt Ccy="EUR">150.00</Amt>', b"")
    with pytest.raises(StatementError, match="Amt"):
        statement_import(data=bad, fmt="camt053", actor=world.admin)
    assert not BankStatement.objects.exists() and not StatementLine.objects.exists()
