"""Tests for the bank statement parser (Norma 43, camt.053, camt.054); no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from acuerda.payments.statements import (
    Statement,
    StatementError,
    StatementFormat,
    StatementLine,
    detect_format,
    parse_statement,
)

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


# ---------------------------------------------------------------------------------------------
# Norma 43 record builders (also used to write the committed sample files)
# ---------------------------------------------------------------------------------------------


def _yymmdd(day: date) -> str:
    return day.strftime("%y%m%d")


def _amount(value: Decimal) -> tuple[str, str]:
    """(sign, 14-digit amount): sign 1 is a debit, 2 a credit."""
    cents = int((abs(value) * 100).to_integral_value())
    return ("1" if value < 0 else "2"), f"{cents:014d}"


def _text(value: str, size: int) -> str:
    assert len(value) <= size, value
    return value.ljust(size)


def n43_header(
    bank: str,
    branch: str,
    account: str,
    start: date,
    end: date,
    opening: Decimal,
    *,
    currency: str = "978",
    mode: str = "3",
    name: str = "AGENCIA ACUERDA SL",
) -> str:
    sign, amount = _amount(opening)
    record = (
        f"11{bank}{branch}{account}{_yymmdd(start)}{_yymmdd(end)}{sign}{amount}"
        f"{currency}{mode}{_text(name, 26)}   "
    )
    assert len(record) == 80
    return record


def n43_movement(
    booked: date,
    value: date,
    amount: Decimal,
    *,
    shared: str = "04",
    own: str = "000",
    branch: str = "0418",
    document: str = "0000000000",
    reference1: str = "000000000000",
    reference2: str = "",
) -> str:
    sign, digits = _amount(amount)
    record = (
        f"22    {branch}{_yymmdd(booked)}{_yymmdd(value)}{shared}{own}{sign}{digits}"
        f"{document}{reference1}{_text(reference2, 16)}"
    )
    assert len(record) == 80
    return record


def n43_concept(number: int, first: str, second: str = "") -> str:
    record = f"23{number:02d}{_text(first, 38)}{_text(second, 38)}"
    assert len(record) == 80
    return record


def n43_totals(
    bank: str,
    branch: str,
    account: str,
    debits: int,
    debit_total: Decimal,
    credits: int,
    credit_total: Decimal,
    closing: Decimal,
    *,
    currency: str = "978",
) -> str:
    sign, balance = _amount(closing)
    record = (
        f"33{bank}{branch}{account}{debits:05d}{_amount(debit_total)[1]}"
        f"{credits:05d}{_amount(credit_total)[1]}{sign}{balance}{currency}    "
    )
    assert len(record) == 80
    return record


def n43_end(records: int) -> str:
    return f"88{'9' * 18}{records:06d}".ljust(80)


@dataclass
class Move:
    booked: date
    value: date
    amount: Decimal
    shared: str = "04"
    own: str = "000"
    document: str = "0000000000"
    reference1: str = "000000000000"
    reference2: str = ""
    concepts: tuple[tuple[str, str], ...] = ()


def n43_account(
    bank: str,
    branch: str,
    account: str,
    start: date,
    end: date,
    opening: Decimal,
    moves: list[Move],
) -> list[str]:
    """The records of one account: header, movements with their concepts, totals."""
    records = [n43_header(bank, branch, account, start, end, opening)]
    for move in moves:
        records.append(
            n43_movement(
                move.booked,
                move.value,
                move.amount,
                shared=move.shared,
                own=move.own,
                document=move.document,
                reference1=move.reference1,
                reference2=move.reference2,
            )
        )
        records += [n43_concept(i, a, b) for i, (a, b) in enumerate(move.concepts, start=1)]
    credits = [m.amount for m in moves if m.amount >= 0]
    debits = [-m.amount for m in moves if m.amount < 0]
    records.append(
        n43_totals(
            bank,
            branch,
            account,
            len(debits),
            sum(debits, Decimal(0)),
            len(credits),
            sum(credits, Decimal(0)),
            opening + sum(m.amount for m in moves),
        )
    )
    return records


def n43_file(*accounts: list[str]) -> bytes:
    records = [r for account in accounts for r in account]
    records.append(n43_end(len(records)))
    return ("\r\n".join(records) + "\r\n").encode("cp1252")


NOV = 11


def split76(text: str) -> tuple[str, str]:
    """A 76-character concept record body as its two 38-character halves."""
    text = text.ljust(76)
    assert len(text) == 76, text
    return text[:38], text[38:]


def d(day: int) -> date:
    return date(2026, NOV, day)


VALID_MOVES = [
    Move(
        d(2),
        d(2),
        Decimal("250.00"),
        shared="04",
        own="012",
        document="0000004711",
        reference2="EXP2026-00123",
        concepts=(("TRANSF. DE MARIA GARCIA LOPEZ", "DNI 12345678Z  EXP 2026-00123"),),
    ),
    Move(
        d(3),
        d(3),
        Decimal("180.50"),
        shared="04",
        own="012",
        document="0000004712",
        concepts=(("TRANSFERENCIA JUAN PEREZ MARTIN", "NIE X1234567L REF ACU-000457"),),
    ),
    Move(
        d(4),
        d(4),
        Decimal("95.00"),
        shared="03",
        own="101",
        # SEPA direct debit in five concept records (N43 appendix 4)
        concepts=(
            split76("CORE" + "AGENCIA ACUERDA SL".ljust(70)),
            split76("ES12000B12345678".ljust(35) + "MANDATO-0042".ljust(35)),
            split76("    " + "    " + "CUOTA 3 PLAN ACUERDO 0042".ljust(68)),
            split76(""),
            split76("ACU-PLAN-0042-03".ljust(35) + "LUIS MORENO DIAZ"),
        ),
    ),
    Move(
        d(5),
        d(5),
        Decimal("-95.00"),
        shared="14",
        own="104",
        reference2="ACU-PLAN-0031-02",
        concepts=(("DEVOLUCIÓN RECIBO SEPA MD06", "ANA RUIZ GÓMEZ"),),
    ),
    Move(
        d(5),
        d(5),
        Decimal("-3.50"),
        shared="17",
        own="310",
        concepts=(("COMISION DEVOLUCION RECIBO", ""),),
    ),
    Move(
        d(6),
        d(6),
        Decimal("50.00"),
        shared="04",
        own="015",
        concepts=(("BIZUM DE PEDRO SANZ", "PAGO DEUDA"),),
    ),
    Move(
        d(6),
        d(6),
        Decimal("50.00"),
        shared="04",
        own="015",
        concepts=(("BIZUM DE PEDRO SANZ", "PAGO DEUDA"),),
    ),
]


def valid_n43() -> bytes:
    return n43_file(
        n43_account("2100", "0418", "0200051332", d(2), d(6), Decimal("12500.00"), VALID_MOVES)
    )


def two_accounts_n43() -> bytes:
    first = n43_account(
        "0049",
        "1500",
        "0512345678",
        d(2),
        d(2),
        Decimal("-150.25"),
        [
            Move(
                d(2),
                d(3),
                Decimal("300.00"),
                concepts=(("TRANSF. DE ROSA VIDAL", "EXP 2025-00999"),),
            )
        ],
    )
    second = n43_account(
        "0182",
        "2370",
        "0201234567",
        d(2),
        d(2),
        Decimal("0.00"),
        [
            Move(d(2), d(2), Decimal("-20.00"), shared="17", own="200"),
            Move(
                d(2),
                d(2),
                Decimal("75.40"),
                shared="02",
                concepts=(("INGRESO EFECTIVO", "CARLOS NUÑEZ"),),
            ),
        ],
    )
    return n43_file(first, second)


def write_samples() -> None:  # pragma: no cover - run by hand to refresh the sample files
    """Write the Norma 43 sample files (the camt ones are hand-written XML)."""
    SAMPLES.mkdir(exist_ok=True)
    (SAMPLES / "valid.n43").write_bytes(valid_n43())
    (SAMPLES / "two_accounts.n43").write_bytes(two_accounts_n43())
    lines = valid_n43().decode("cp1252").split("\r\n")
    totals = next(i for i, line in enumerate(lines) if line.startswith("33"))
    # the totals record claims 6 credits instead of 5, for 675.50 instead of 625.50
    lines[totals] = n43_totals(
        "2100",
        "0418",
        "0200051332",
        2,
        Decimal("98.50"),
        6,
        Decimal("675.50"),
        Decimal("13077.00"),
    )
    (SAMPLES / "bad_totals.n43").write_bytes("\r\n".join(lines).encode("cp1252"))
    lines = valid_n43().decode("cp1252").split("\r\n")
    lines[3] = "99" + lines[3][2:]  # line 4: unknown record type
    lines[5] = lines[5][:10] + "261131" + lines[5][16:]  # line 6: 31 November
    lines[8] = lines[8].rstrip()  # line 9: a right-trimmed record
    (SAMPLES / "bad_record.n43").write_bytes("\r\n".join(lines).encode("cp1252"))
    lines = valid_n43().decode("cp1252").split("\r\n")
    (SAMPLES / "truncated.n43").write_bytes("\r\n".join(lines[:-2]).encode("cp1252") + b"\r\n")


# ---------------------------------------------------------------------------------------------
# Norma 43
# ---------------------------------------------------------------------------------------------


def test_sample_files_are_what_the_builders_write() -> None:
    assert sample("valid.n43") == valid_n43()
    assert sample("two_accounts.n43") == two_accounts_n43()
    for name in ("valid.n43", "two_accounts.n43", "bad_totals.n43", "truncated.n43"):
        assert all(len(line) == 80 for line in sample(name).split(b"\r\n") if line), name


def test_norma43_statement() -> None:
    [statement] = parse_statement(sample("valid.n43"))
    assert statement.format is StatementFormat.NORMA43
    assert statement.account == "ES9121000418450200051332"
    assert statement.currency == "EUR"
    assert (statement.start_date, statement.end_date) == (d(2), d(6))
    assert statement.opening_balance == Decimal("12500.00")
    assert statement.closing_balance == Decimal("13027.00")
    assert statement.statement_id.startswith("n43:")
    assert len(statement.lines) == 7
    assert sum(line.amount for line in statement.lines) == Decimal("527.00")
    assert all(isinstance(line.amount, Decimal) for line in statement.lines)
    assert [line.source_line for line in statement.lines] == [2, 4, 6, 12, 14, 16, 18]


def test_norma43_transfer_line() -> None:
    [statement] = parse_statement(sample("valid.n43"), "norma43")
    first = statement.lines[0]
    assert first == StatementLine(
        line_id=first.line_id,
        booking_date=d(2),
        value_date=d(2),
        amount=Decimal("250.00"),
        currency="EUR",
        concept="TRANSF. DE MARIA GARCIA LOPEZ DNI 12345678Z EXP 2026-00123",
        reference="EXP2026-00123",
        counterparty_name="",
        counterparty_iban="",
        is_return=False,
        return_reason="",
        original_reference="",
        source_line=2,
    )
    assert first.line_id.startswith("n43:")


def test_norma43_sepa_direct_debit_collection() -> None:
    [statement] = parse_statement(sample("valid.n43"))
    collection = statement.lines[2]
    assert collection.amount == Decimal("95.00")
    assert collection.concept == "CUOTA 3 PLAN ACUERDO 0042"
    assert collection.counterparty_name == "LUIS MORENO DIAZ"
    assert collection.reference == "ACU-PLAN-0042-03"
    assert not collection.is_return
    assert collection.original_reference == ""


def test_norma43_returned_direct_debit_and_fee() -> None:
    [statement] = parse_statement(sample("valid.n43"))
    returned, fee = statement.lines[3], statement.lines[4]
    assert returned.amount == Decimal("-95.00")
    assert returned.booking_date == d(5)
    assert returned.concept == "DEVOLUCIÓN RECIBO SEPA MD06 ANA RUIZ GÓMEZ"
    assert returned.reference == "ACU-PLAN-0031-02"
    assert returned.is_return
    assert returned.return_reason == "MD06"
    # a fee for a return (concept 17) is not a return
    assert fee.amount == Decimal("-3.50")
    assert not fee.is_return
    assert fee.return_reason == ""


def test_norma43_line_ids_stable_and_distinct() -> None:
    first = parse_statement(sample("valid.n43"))[0]
    second = parse_statement(sample("valid.n43"))[0]
    assert [line.line_id for line in first.lines] == [line.line_id for line in second.lines]
    assert first.statement_id == second.statement_id
    ids = [line.line_id for line in first.lines]
    assert len(set(ids)) == len(ids)
    # the two identical Bizum payments of the 6th get different ids
    assert first.lines[5].amount == first.lines[6].amount
    assert first.lines[5].line_id != first.lines[6].line_id
    # a later file repeating the 6th's movements gives them the same ids
    later = n43_file(
        n43_account("2100", "0418", "0200051332", d(6), d(9), Decimal("13000.00"), VALID_MOVES[5:])
    )
    [repeat] = parse_statement(later)
    assert [line.line_id for line in repeat.lines] == ids[5:]


def test_norma43_two_accounts() -> None:
    first, second = parse_statement(sample("two_accounts.n43"))
    assert first.account == "ES7000491500010512345678"
    assert first.opening_balance == Decimal("-150.25")
    assert first.closing_balance == Decimal("149.75")
    assert first.lines[0].value_date == d(3)
    assert second.account == "ES8001822370440201234567"
    assert [line.amount for line in second.lines] == [Decimal("-20.00"), Decimal("75.40")]
    assert second.lines[1].concept == "INGRESO EFECTIVO CARLOS NUÑEZ"
    assert first.statement_id != second.statement_id


def test_norma43_utf8_file_is_accepted() -> None:
    data = sample("valid.n43").decode("cp1252").encode("utf-8")
    assert data != sample("valid.n43")
    assert parse_statement(data) == parse_statement(sample("valid.n43"))


def test_norma43_account_without_valid_iban_falls_back_to_ccc() -> None:
    data = n43_file(n43_account("2100", "0418", "02000513AB", d(1), d(1), Decimal(0), []))
    [statement] = parse_statement(data)
    # no IBAN (nor control digits) can be computed for a non-numeric account number
    assert statement.account == "2100041802000513AB"
    assert statement.lines == ()


def problems(name_or_data: str | bytes) -> list[tuple[int | None, str]]:
    data = sample(name_or_data) if isinstance(name_or_data, str) else name_or_data
    with pytest.raises(StatementError) as info:
        parse_statement(data)
    return info.value.problems


def test_norma43_bad_totals() -> None:
    assert problems("bad_totals.n43") == [
        (
            20,
            "the totals record says 6 credits for 675.50 but the movements add up to "
            "5 credits for 625.50",
        ),
    ]
    with pytest.raises(StatementError, match=r"^line 20: the totals record says 6 credits"):
        parse_statement(sample("bad_totals.n43"))


def test_norma43_closing_balance_is_checked() -> None:
    records = n43_account(
        "2100", "0418", "0200051332", d(2), d(2), Decimal("10.00"), VALID_MOVES[:1]
    )
    records[-1] = n43_totals(
        "2100", "0418", "0200051332", 0, Decimal(0), 1, Decimal("250.00"), Decimal("270.00")
    )
    assert problems(n43_file(records)) == [
        (
            4,
            "the closing balance 270.00 is not the opening balance 10.00 plus credits "
            "250.00 minus debits 0.00 (260.00)",
        )
    ]


def test_norma43_bad_record() -> None:
    assert problems("bad_record.n43") == [
        (4, "record type 99 is unknown"),
        (6, "the operation date '261131' is not a valid date"),
        (9, "the record is 37 characters long instead of 80"),
    ]


def test_norma43_truncated() -> None:
    assert problems("truncated.n43") == [
        (20, "the file ends without the end-of-file record (88)"),
    ]


def test_norma43_bad_amount_and_sign() -> None:
    records = n43_account(
        "2100", "0418", "0200051332", d(2), d(2), Decimal("10.00"), VALID_MOVES[:1]
    )
    records[1] = records[1][:27] + "3" + "00000000X25000" + records[1][42:]
    assert problems(n43_file(records)) == [
        (2, "the amount sign '3' must be 1 (debit) or 2 (credit)"),
        (2, "the amount '00000000X25000' is not a 14-digit amount"),
    ]


def test_norma43_end_record_count() -> None:
    data = valid_n43().replace(b"999999999999999999000020", b"999999999999999999000042")
    assert problems(data) == [(21, "the end-of-file record says 42 records but the file has 20")]


# ---------------------------------------------------------------------------------------------
# Norma 43 property: build, parse, same movements and totals
# ---------------------------------------------------------------------------------------------

amounts = st.decimals(
    min_value=Decimal("-99999.99"),
    max_value=Decimal("99999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
).filter(lambda a: a != 0)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2068, 12, 31))
moves = st.builds(
    Move,
    booked=days,
    value=days,
    amount=amounts,
    shared=st.sampled_from(["02", "03", "04", "12", "14", "17", "99"]),
    concepts=st.lists(
        st.tuples(
            st.text(alphabet="ABCDEFGHIJ ÑÁ0123456789.-", max_size=38),
            st.text(alphabet="abcxyz 0123456789", max_size=38),
        ),
        max_size=5,
    ).map(tuple),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(opening=amounts, movements=st.lists(moves, max_size=8))
def test_norma43_round_trip(opening: Decimal, movements: list[Move]) -> None:
    data = n43_file(n43_account("2100", "0418", "0200051332", d(1), d(30), opening, movements))
    [statement] = parse_statement(data)
    assert [line.amount for line in statement.lines] == [m.amount for m in movements]
    assert [(line.booking_date, line.value_date) for line in statement.lines] == [
        (m.booked, m.value) for m in movements
    ]
    assert statement.opening_balance == opening
    assert statement.closing_balance == opening + sum(m.amount for m in movements)
    assert len({line.line_id for line in statement.lines}) == len(movements)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    opening=amounts,
    movements=st.lists(moves, min_size=1, max_size=6),
    which=st.integers(min_value=0, max_value=5),
)
def test_norma43_altered_amount_is_caught(
    opening: Decimal, movements: list[Move], which: int
) -> None:
    records = n43_account("2100", "0418", "0200051332", d(1), d(30), opening, movements)
    movement_lines = [i for i, record in enumerate(records) if record.startswith("22")]
    target = movement_lines[which % len(movement_lines)]
    cents = int(records[target][28:42]) + 1
    records[target] = records[target][:28] + f"{cents:014d}" + records[target][42:]
    with pytest.raises(StatementError) as info:
        parse_statement(n43_file(records))
    assert {line for line, _ in info.value.problems} == {len(records)}
    assert any("the totals record says" in message for _, message in info.value.problems)


def test_norma43_sepa_transfer() -> None:
    move = Move(
        d(3),
        d(3),
        Decimal("310.00"),
        shared="04",
        own="012",
        concepts=(
            split76("CARMEN DELGADO ORTIZ".ljust(66) + "B12345674"),
            split76("ACU-2026-00555".ljust(35)),
            split76("    " + "    " + "Expediente 2026-00555 tercer plazo"),
            split76(""),
            split76(""),
        ),
    )
    data = n43_file(n43_account("2100", "0418", "0200051332", d(3), d(3), Decimal(0), [move]))
    [line] = parse_statement(data)[0].lines
    assert line.concept == "Expediente 2026-00555 tercer plazo"
    assert line.counterparty_name == "CARMEN DELGADO ORTIZ"
    assert line.reference == "ACU-2026-00555"
    assert not line.is_return


def test_norma43_concept_98_and_text_returns() -> None:
    moves = [
        Move(d(3), d(3), Decimal("-40.00"), shared="98", concepts=(("ANULACION ABONO", ""),)),
        Move(d(3), d(3), Decimal("-25.00"), shared="03", concepts=(("RECIBO IMPAGADO AM04", ""),)),
        Move(d(3), d(3), Decimal("-60.00"), shared="03", concepts=(("RECIBO LUZ OCTUBRE", ""),)),
    ]
    data = n43_file(n43_account("2100", "0418", "0200051332", d(3), d(3), Decimal(500), moves))
    cancelled, unpaid, bill = parse_statement(data)[0].lines
    assert cancelled.is_return and cancelled.return_reason == ""
    assert unpaid.is_return and unpaid.return_reason == "AM04"
    assert not bill.is_return


# ---------------------------------------------------------------------------------------------
# camt.053 / camt.054
# ---------------------------------------------------------------------------------------------


def only(statements: list[Statement]) -> Statement:
    assert len(statements) == 1
    return statements[0]


def test_camt053_v02_statement() -> None:
    statement = only(parse_statement(sample("valid.camt053.xml")))
    assert statement.format is StatementFormat.CAMT053
    assert statement.statement_id == "ACU-MSG-20261106-01/STMT-2026-310"
    assert statement.account == "ES9121000418450200051332"
    assert statement.currency == "EUR"
    assert (statement.start_date, statement.end_date) == (d(2), d(6))
    assert statement.opening_balance == Decimal("1000.00")
    assert statement.closing_balance == Decimal("1346.50")
    assert [line.amount for line in statement.lines] == [
        Decimal("250.00"),
        Decimal("95.00"),
        Decimal("-95.00"),
        Decimal("-3.50"),
        Decimal("60.00"),
        Decimal("40.00"),
    ]


def test_camt053_v02_transfer_line() -> None:
    transfer = only(parse_statement(sample("valid.camt053.xml"))).lines[0]
    assert transfer == StatementLine(
        line_id="camt:ES9121000418450200051332:2026110200001",
        booking_date=d(2),
        value_date=d(2),
        amount=Decimal("250.00"),
        currency="EUR",
        concept="Pago expediente 2026-00123 DNI 12345678Z",
        reference="ACU-2026-00123",
        counterparty_name="MARIA GARCIA LOPEZ",
        counterparty_iban="ES7620770024003102575766",
        is_return=False,
        return_reason="",
        original_reference="",
        source_line=transfer.source_line,
    )
    assert transfer.source_line is not None and transfer.source_line > 20


def test_camt053_v02_reversal() -> None:
    lines = only(parse_statement(sample("valid.camt053.xml"))).lines
    reversal = lines[2]
    assert reversal.amount == Decimal("-95.00")
    assert reversal.is_return
    assert reversal.return_reason == "AC04"
    assert reversal.original_reference == "ACU-PLAN-0031-02"
    assert reversal.reference == "ACU-PLAN-0031-02"
    assert reversal.counterparty_name == "ANA RUIZ GOMEZ"
    assert reversal.counterparty_iban == "ES6000491500051234567892"
    assert not lines[1].is_return
    assert lines[1].counterparty_name == "LUIS MORENO DIAZ"


def test_camt053_v02_fee_without_references_and_batch() -> None:
    lines = only(parse_statement(sample("valid.camt053.xml"))).lines
    fee = lines[3]
    assert fee.line_id.startswith("camt:") and len(fee.line_id) == 45
    assert fee.concept == "Comision mantenimiento"
    assert fee.reference == ""
    # a batch-booked entry is split into its transactions
    assert [line.line_id for line in lines[4:]] == [
        "camt:ES9121000418450200051332:2026110600005/1",
        "camt:ES9121000418450200051332:2026110600005/2",
    ]
    assert [line.reference for line in lines[4:]] == ["ACU-2026-00200", "ACU-2026-00201"]
    again = only(parse_statement(sample("valid.camt053.xml"))).lines
    assert [line.line_id for line in again] == [line.line_id for line in lines]


def test_camt053_v08() -> None:
    statement = only(parse_statement(sample("valid_v08.camt053.xml"), StatementFormat.CAMT053))
    assert statement.account == "ES7921000813610123456789"
    assert statement.opening_balance == Decimal("-20.00")
    assert statement.closing_balance == Decimal("410.00")
    assert (statement.start_date, statement.end_date) == (d(9), d(9))
    first, returned, other = statement.lines
    assert first.amount == Decimal("500.00")
    assert first.counterparty_name == "JORGE BLANCO SL"
    assert first.value_date == d(10)
    assert first.concept == "Liquidacion expediente 2024-07781 CIF B12345674"
    assert returned.amount == Decimal("-70.00")
    assert returned.is_return
    assert returned.return_reason == "MD06"
    assert returned.original_reference == "ACU-PLAN-0077-01"
    assert returned.counterparty_name == "ELENA SOTO"
    assert other.line_id == "camt:ES7921000813610123456789:NTRY-3"


def test_camt054_notification() -> None:
    statement = only(parse_statement(sample("valid.camt054.xml")))
    assert statement.format is StatementFormat.CAMT054
    assert statement.opening_balance is None and statement.closing_balance is None
    # the pending entry is not a booked movement
    [line] = statement.lines
    assert line.amount == Decimal("125.00")
    assert line.reference == "ACU-2026-00310"
    assert line.counterparty_name == "PABLO IGLESIAS RUBIO"
    assert (statement.start_date, statement.end_date) == (d(7), d(7))


def test_camt054_currency_from_entries() -> None:
    data = sample("valid.camt054.xml").replace(
        b'<Amt Ccy="EUR">40.00</Amt>\n        <CdtDbtInd>CRDT</CdtDbtInd>\n        <Sts>PDNG</Sts>',
        b'<Amt Ccy="EUR">40.00</Amt>\n        <CdtDbtInd>CRDT</CdtDbtInd>\n        <Sts>BOOK</Sts>',
    )
    statement = only(parse_statement(data))
    assert statement.currency == "EUR"
    assert len(statement.lines) == 2
    mixed = data.replace(b'<Amt Ccy="EUR">40.00</Amt>', b'<Amt Ccy="GBP">40.00</Amt>')
    [(_, message)] = problems(mixed)
    assert message == "entry 2: the amount is in GBP but the account is in EUR"


def test_detect_format() -> None:
    assert detect_format(sample("valid.n43")) is StatementFormat.NORMA43
    assert detect_format(sample("valid.camt053.xml")) is StatementFormat.CAMT053
    assert detect_format(sample("valid_v08.camt053.xml")) is StatementFormat.CAMT053
    assert detect_format(sample("valid.camt054.xml")) is StatementFormat.CAMT054
    for data in (b"hello", b"<html></html>", b"", b"name;amount\n"):
        with pytest.raises(StatementError):
            detect_format(data)


def test_camt_malformed() -> None:
    [(line, message)] = problems("malformed.camt053.xml")
    assert line == 12
    assert message.startswith("not well-formed XML: mismatched tag")


def test_camt_missing_amount() -> None:
    assert problems("missing_amount.camt053.xml") == [(33, "entry 2: Amt is missing")]


def test_camt_balances_mismatch() -> None:
    assert problems("balances_mismatch.camt053.xml") == [
        (
            20,
            "the closing balance 900.00 is not the opening balance 1,000.00 plus the entries "
            "-50.00 (950.00)",
        )
    ]


def test_camt_doctype_refused() -> None:
    data = sample("valid.camt053.xml").replace(
        b"?>\n", b'?>\n<!DOCTYPE x [<!ENTITY a "aaaa">]>\n', 1
    )
    assert problems(data) == [(None, "DTD and entity declarations are not allowed")]


def test_camt_doctype_refused_in_utf16() -> None:
    text = sample("valid.camt053.xml").decode("utf-8")
    text = text.replace('encoding="UTF-8"?>\n', 'encoding="UTF-16"?>\n<!DOCTYPE x>\n', 1)
    data = text.encode("utf-16")
    assert b"<!DOCTYPE" not in data  # the byte-level check cannot see it: expat refuses it
    assert detect_format(data) is StatementFormat.CAMT053
    assert problems(data) == [(2, "DTD and entity declarations are not allowed")]


def test_camt_unknown_version_and_wrong_format() -> None:
    data = sample("valid.camt053.xml").replace(b"camt.053.001.02", b"camt.053.001.99")
    [(_, message)] = problems(data)
    assert message.startswith("unknown namespace or version")
    with pytest.raises(StatementError, match="the message is camt054, not camt053"):
        parse_statement(sample("valid.camt054.xml"), "camt053")
    with pytest.raises(StatementError, match="unknown statement format"):
        parse_statement(sample("valid.camt054.xml"), "mt940")


def test_camt_currency_mismatch() -> None:
    data = sample("valid.camt053.xml").replace(
        b'<Amt Ccy="EUR">3.50</Amt>', b'<Amt Ccy="USD">3.50</Amt>'
    )
    [(line, message)] = problems(data)
    assert message == "entry 4: the amount is in USD but the account is in EUR"
    assert line is not None
