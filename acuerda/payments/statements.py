"""Bank statements into one common shape: AEB Norma 43 and ISO 20022 camt.053 / camt.054.

Pure functions, no models and no database: :func:`parse_statement` takes the bytes of a
file and returns :class:`Statement` objects holding :class:`StatementLine` movements with
signed :class:`~decimal.Decimal` amounts (+ money in, - money out).

Norma 43 (AEB cuaderno 43, "Información normalizada de cuenta corriente", 2012) is read
record by record with the ``csb43`` library's record classes; the layout, the structure
(11 header, 22 movement, 23 concept, 24 exchange, 33 account totals, 88 end of file) and
the control totals are checked here so that every problem is reported with its line.

camt.053 (bank-to-customer statement) and camt.054 (debit/credit notification) are read
with the standard library's expat parser, refusing any DTD or entity declaration; the
namespace ``urn:iso:std:iso:20022:tech:xsd:camt.05X.001.NN`` is handled generically for
versions 001.02 to 001.13 (001.02 and 001.08 are covered by tests).

Return detection (``StatementLine.is_return``):

camt
    ``RvslInd`` is true, or the transaction has ``RtrInf`` (return information), or the
    bank transaction code's sub-family is a return/reversal one in the ISO 20022 external
    code set: ``UPDD`` (unpaid direct debit), ``RRTN`` (reversal due to payment return),
    ``PRDD`` / ``PRCT`` (reversal of a direct debit / credit transfer), ``RPCR`` (reversal
    due to a cancellation request).  The reason is ``RtrInf/Rsn/Cd`` (or ``Prtry``), the
    original reference the transaction's ``EndToEndId`` (a return repeats the original
    one), else its mandate id.
Norma 43
    The common concept (``concepto común``, N43 appendix 2) is ``14`` (*devoluciones e
    impagados*) or ``98`` (*anulaciones, correcciones de asiento*), or the concept text or
    references say so (*devolución*, *devuelto*, *impagado*, *retrocesión*, *rechazo*;
    accents and case ignored) unless the common concept is ``17`` (fees: a *comisión por
    devolución* is not itself a return).  A ``03`` (*recibos, domiciliaciones*) or ``06``
    (*remesas, efectos*) debit is **not** a return by itself: it is also how the
    account's own bills are paid.  An ISO reason code (AC04, MD06, AM04...) in the text is
    taken as the reason; a SEPA direct debit's creditor reference (AT-10, the original
    end-to-end id), else its mandate reference, is the original reference.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any
from xml.parsers import expat

from csb43.aeb43 import Account, ClosingAccount, Item, SepaDebit, SepaTransfer, Transaction
from csb43.aeb43.account import get_account_key
from csb43.aeb43.record.context import Aeb43Context, InformationMode
from django.utils.translation import gettext as _
from schwifty import IBAN

__all__ = [
    "Statement",
    "StatementError",
    "StatementFormat",
    "StatementLine",
    "detect_format",
    "parse_statement",
]


class StatementFormat(StrEnum):
    """The statement formats understood by :func:`parse_statement`."""

    NORMA43 = "norma43"
    CAMT053 = "camt053"
    CAMT054 = "camt054"


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One booked movement of an account."""

    line_id: str
    booking_date: date
    value_date: date
    amount: Decimal
    currency: str
    concept: str
    reference: str
    counterparty_name: str
    counterparty_iban: str
    is_return: bool
    return_reason: str
    original_reference: str
    source_line: int | None


@dataclass(frozen=True, slots=True)
class Statement:
    """The movements of one account over one period, as reported by its bank."""

    format: StatementFormat
    statement_id: str
    account: str
    currency: str
    start_date: date
    end_date: date
    opening_balance: Decimal | None
    closing_balance: Decimal | None
    lines: tuple[StatementLine, ...]


class StatementError(ValueError):
    """The file cannot be read.

    ``problems`` lists ``(line number or None, message)`` pairs: every problem found, not
    just the first, when that is feasible.
    """

    problems: list[tuple[int | None, str]]

    def __init__(self, problems: Iterable[tuple[int | None, str]]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(_describe(line, message) for line, message in self.problems))


def _describe(line: int | None, message: str) -> str:
    if line is None:
        return message
    return _("line %(line)d: %(message)s") % {"line": line, "message": message}


# ---------------------------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
_RETURN_WORDS = re.compile(r"\b(devol|devuel|impag|retroc|rechaz)", re.IGNORECASE)
# SEPA R-transaction reason codes (EPC SDD/SCT rulebooks, ISO 20022 ExternalReturnReason1Code).
_REASON_CODES = re.compile(
    r"\b(AC01|AC04|AC06|AC13|AG01|AG02|AM04|AM05|BE05|CNOR|CUST|DNOR|DUPL|FF01|FOCR|FRAD|"
    r"MD01|MD02|MD06|MD07|MS02|MS03|RC01|RR01|RR02|RR03|RR04|SL01|TECH|TM01)\b"
)
_RETURN_SUBFAMILIES = frozenset({"UPDD", "RRTN", "PRDD", "PRCT", "RPCR"})


def _normalise(*parts: str | None) -> str:
    """Join text parts, collapsing every run of whitespace into one space."""
    return _SPACES.sub(" ", " ".join(p for p in parts if p)).strip()


def _fold(text: str) -> str:
    """Lower-case text without accents, for keyword matching."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _digest(*parts: object) -> str:
    payload = "\x1f".join(str(p) for p in parts)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------------------------

_CAMT_NS = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:camt\.(05[34])\.001\.(\d{2})$")
_CAMT_NS_BYTES = re.compile(rb"urn:iso:std:iso:20022:tech:xsd:camt\.(\d{3})\.\d{3}\.\d{2}")
_CAMT_VERSIONS = range(2, 14)


def _strip_bom(data: bytes) -> bytes:
    return data[3:] if data.startswith(b"\xef\xbb\xbf") else data


def detect_format(data: bytes) -> StatementFormat:
    """Tell which statement format ``data`` is in; raise :class:`StatementError` otherwise."""
    head = _strip_bom(data).lstrip()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 XML: look at it as UTF-8
        head = data[:16384].decode("utf-16", errors="ignore").lstrip().encode("utf-8")
    if head.startswith(b"<"):
        match = _CAMT_NS_BYTES.search(head[:8192])
        if match is None:
            raise StatementError(
                [(None, _("the XML file is not an ISO 20022 camt.053 or camt.054 message"))]
            )
        kind = match.group(1)
        if kind == b"053":
            return StatementFormat.CAMT053
        if kind == b"054":
            return StatementFormat.CAMT054
        raise StatementError(
            [
                (
                    None,
                    _("camt.%(kind)s messages are not supported, only camt.053 and camt.054")
                    % {"kind": kind.decode("ascii")},
                )
            ]
        )
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    if first.startswith(b"11") and first[20:32].isdigit():  # 11 header: start and end dates
        return StatementFormat.NORMA43
    raise StatementError(
        [(None, _("the file is neither a Norma 43 statement nor a camt.053/camt.054 message"))]
    )


def parse_statement(data: bytes, fmt: StatementFormat | str | None = None) -> list[Statement]:
    """Parse a bank statement file into statements, one per account (and period).

    ``fmt`` is detected with :func:`detect_format` when not given.  Raise
    :class:`StatementError` with every problem found when the file cannot be read.
    """
    if not data.strip():
        raise StatementError([(None, _("the file is empty"))])
    if fmt is None:
        fmt = detect_format(data)
    else:
        try:
            fmt = StatementFormat(fmt)
        except ValueError:
            raise StatementError(
                [(None, _("unknown statement format %(format)r") % {"format": fmt})]
            ) from None
    if fmt is StatementFormat.NORMA43:
        return _Norma43Reader(data).read()
    return _CamtReader(data, fmt).read()


# ---------------------------------------------------------------------------------------------
# Norma 43
# ---------------------------------------------------------------------------------------------

_N43_LENGTH = 80
_N43_KNOWN = frozenset({"11", "22", "23", "24", "33", "88"})


@dataclass
class _N43Movement:
    line: int
    record: Transaction
    items: list[bytes] = field(default_factory=list)


@dataclass
class _N43Account:
    line: int
    record: Account | None
    movements: list[_N43Movement] = field(default_factory=list)
    closing: ClosingAccount | None = None
    closing_line: int | None = None
    damaged: bool = False


def _check_date(raw: str, label: str) -> str | None:
    if not re.fullmatch(r"\d{6}", raw):
        return _("%(field)s %(value)r is not a YYMMDD date") % {"field": label, "value": raw}
    try:
        datetime.strptime(raw, "%y%m%d")  # noqa: DTZ007 - a calendar date, no time zone
    except ValueError:
        return _("%(field)s %(value)r is not a valid date") % {"field": label, "value": raw}
    return None


def _check_amount(raw: str, label: str) -> str | None:
    if not re.fullmatch(r"\d{14}", raw):
        return _("%(field)s %(value)r is not a 14-digit amount") % {"field": label, "value": raw}
    return None


def _check_sign(raw: str, label: str) -> str | None:
    if raw not in ("1", "2"):
        return _("%(field)s sign %(value)r must be 1 (debit) or 2 (credit)") % {
            "field": label,
            "value": raw,
        }
    return None


def _check_digits(raw: str, size: int, label: str) -> str | None:
    if not re.fullmatch(rf"\d{{{size}}}", raw):
        return _("%(field)s %(value)r must be %(size)d digits") % {
            "field": label,
            "value": raw,
            "size": size,
        }
    return None


def _n43_field_problems(code: str, rec: str) -> list[str]:
    """Check the fields this parser relies on; return one message per bad field."""
    checks: list[str | None] = []
    if code == "11":
        checks += [
            _check_date(rec[20:26], _("the start date")),
            _check_date(rec[26:32], _("the end date")),
            _check_sign(rec[32], _("the opening balance")),
            _check_amount(rec[33:47], _("the opening balance")),
            _check_digits(rec[47:50], 3, _("the currency code")),
            None
            if rec[50] in "123"
            else _("the information mode %(value)r must be 1, 2 or 3") % {"value": rec[50]},
        ]
    elif code == "22":
        checks += [
            _check_date(rec[10:16], _("the operation date")),
            _check_date(rec[16:22], _("the value date")),
            _check_digits(rec[22:24], 2, _("the common concept")),
            _check_sign(rec[27], _("the amount")),
            _check_amount(rec[28:42], _("the amount")),
        ]
    elif code == "23":
        if rec[2:4] not in ("01", "02", "03", "04", "05"):
            checks.append(
                _("the concept record number %(value)r must be 01 to 05") % {"value": rec[2:4]}
            )
    elif code == "24":
        checks += [
            _check_digits(rec[4:7], 3, _("the original currency code")),
            _check_amount(rec[7:21], _("the original amount")),
        ]
    elif code == "33":
        checks += [
            _check_digits(rec[20:25], 5, _("the number of debits")),
            _check_amount(rec[25:39], _("the total of debits")),
            _check_digits(rec[39:44], 5, _("the number of credits")),
            _check_amount(rec[44:58], _("the total of credits")),
            _check_sign(rec[58], _("the closing balance")),
            _check_amount(rec[59:73], _("the closing balance")),
            _check_digits(rec[73:76], 3, _("the currency code")),
        ]
    elif code == "88":
        checks += [
            None
            if rec[2:20] == "9" * 18
            else _("the end-of-file record must start with 88 and 18 nines"),
            _check_digits(rec[20:26], 6, _("the number of records")),
        ]
    return [c for c in checks if c]


def _spanish_account(bank: str, branch: str, number: str) -> str:
    """The IBAN of a Spanish account, or its 20-digit CCC when no IBAN can be built."""
    try:
        return str(IBAN.generate("ES", bank_code=bank + branch, account_code=number))
    except Exception:  # schwifty raises several exception types for bad input
        return f"{bank}{branch}{get_account_key(bank, branch, number)}{number}"


class _Norma43Reader:
    """Reads a Norma 43 file; collects problems and raises them all at the end."""

    def __init__(self, data: bytes) -> None:
        if not data.isascii():
            # A file re-saved as UTF-8 by some tool goes back to one byte per character; latin-1
            # or cp1252 bytes (the normal case) practically never decode as UTF-8.
            with contextlib.suppress(UnicodeDecodeError):
                data = data.decode("utf-8").encode("cp1252", errors="replace")
        try:
            data.decode("cp1252")
            self.encoding = "cp1252"
        except UnicodeDecodeError:
            self.encoding = "latin-1"
        self.context = Aeb43Context(strict=False, silent=True, encoding=self.encoding, sepa=False)
        lines = data.split(b"\n")
        if lines and lines[-1].strip(b"\r\x1a \t") == b"":
            lines.pop()
        while lines and lines[-1].strip(b"\r\x1a \t") == b"":
            lines.pop()
        self.lines = [line.rstrip(b"\r") for line in lines]
        self.problems: list[tuple[int | None, str]] = []

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append((line, message))

    def read(self) -> list[Statement]:
        accounts = self._read_structure()
        statements: list[Statement] = []
        occurrences: Counter[str] = Counter()
        for account in accounts:
            if account.record is None:
                continue
            self._check_totals(account)
            if not self.problems:
                statements.append(self._statement(account, occurrences))
        if self.problems:
            raise StatementError(self.problems)
        return statements

    # -- structure ---------------------------------------------------------------------------

    def _read_structure(self) -> list[_N43Account]:
        accounts: list[_N43Account] = []
        current: _N43Account | None = None
        movement: _N43Movement | None = None
        end_seen = False
        records_before_end = 0
        for number, raw in enumerate(self.lines, start=1):
            text = raw.decode(self.encoding)
            code = text[:2]
            if end_seen:
                self.problem(number, _("a record follows the end-of-file record (88)"))
                break
            if code not in _N43_KNOWN:
                self.problem(
                    number, _("record type %(code)s is unknown") % {"code": code.strip() or "''"}
                )
                records_before_end += 1
                movement = None
                if current is not None:
                    current.damaged = True
                continue
            bad = len(raw) != _N43_LENGTH
            if bad:
                self.problem(
                    number,
                    _("the record is %(length)d characters long instead of %(expected)d")
                    % {"length": len(raw), "expected": _N43_LENGTH},
                )
            else:
                field_problems = _n43_field_problems(code, text)
                for message in field_problems:
                    self.problem(number, message)
                bad = bool(field_problems)
            if code != "88":
                records_before_end += 1

            if code == "11":
                if current is not None and current.closing is None:
                    self.problem(
                        number,
                        _(
                            "a new account starts but the account of line %(line)d has no totals record (33)"
                        )
                        % {"line": current.line},
                    )
                current = _N43Account(
                    line=number, record=None if bad else self._record(Account, raw, number)
                )
                if current.record is None:
                    current.damaged = True
                accounts.append(current)
                movement = None
            elif code == "22":
                if current is None or current.closing is not None:
                    self.problem(number, _("a movement record (22) outside an account"))
                    continue
                record = None if bad else self._transaction(raw, number, current.record)
                if record is None:
                    current.damaged = True
                    movement = None
                    continue
                movement = _N43Movement(line=number, record=record)
                current.movements.append(movement)
            elif code in ("23", "24"):
                if (
                    current is None
                    or current.closing is not None
                    or (movement is None and not current.damaged)
                ):
                    self.problem(
                        number,
                        _("a complementary record (%(code)s) that follows no movement (22)")
                        % {"code": code},
                    )
                    continue
                if movement is None or bad:
                    current.damaged = True
                    continue
                if code == "23":
                    expected = len(movement.items) + 1
                    if int(text[2:4]) != expected:
                        self.problem(
                            number,
                            _("concept record %(found)s found where %(expected)02d was expected")
                            % {"found": text[2:4], "expected": expected},
                        )
                        current.damaged = True
                        continue
                    movement.items.append(raw)
            elif code == "33":
                if current is None or current.closing is not None:
                    self.problem(number, _("an account totals record (33) without its header (11)"))
                    continue
                current.closing_line = number
                movement = None
                if bad:
                    current.damaged = True
                    current.closing = ClosingAccount(context=self.context)
                    continue
                closing = self._record(ClosingAccount, raw, number)
                if closing is None:
                    current.damaged = True
                    closing = ClosingAccount(context=self.context)
                current.closing = closing
            else:  # 88
                end_seen = True
                if current is not None and current.closing is None:
                    self.problem(
                        number,
                        _(
                            "the file ends but the account of line %(line)d has no totals record (33)"
                        )
                        % {"line": current.line},
                    )
                if not bad and int(text[20:26]) != records_before_end:
                    self.problem(
                        number,
                        _("the end-of-file record says %(said)d records but the file has %(found)d")
                        % {"said": int(text[20:26]), "found": records_before_end},
                    )
        if not self.lines:
            self.problem(None, _("the file is empty"))
        elif not end_seen:
            last = len(self.lines)
            if current is not None and current.closing is None:
                self.problem(
                    last,
                    _("the file ends but the account of line %(line)d has no totals record (33)")
                    % {"line": current.line},
                )
            self.problem(last, _("the file ends without the end-of-file record (88)"))
        return accounts

    def _record(self, kind: Any, raw: bytes, number: int) -> Any:
        try:
            return kind(context=self.context, raw=raw)
        except ValueError as exc:  # csb43's ValidationException is a ValueError
            self.problem(number, _("the record cannot be read: %(error)s") % {"error": exc})
            return None

    def _transaction(self, raw: bytes, number: int, account: Account | None) -> Transaction | None:
        mode = InformationMode.THIRD
        if account is not None:
            mode = InformationMode(int(account.information_mode.value))
        try:
            context = Aeb43Context(
                strict=False, silent=True, encoding=self.encoding, sepa=False, information_mode=mode
            )
            return Transaction(context=context, raw=raw)
        except ValueError as exc:
            self.problem(number, _("the record cannot be read: %(error)s") % {"error": exc})
            return None

    # -- totals ------------------------------------------------------------------------------

    def _check_totals(self, account: _N43Account) -> None:
        header = account.record
        closing = account.closing
        if header is None or closing is None or account.damaged:
            return
        line = account.closing_line
        if (closing.bank_code, closing.branch_code, closing.account_number) != (
            header.bank_code,
            header.branch_code,
            header.account_number,
        ):
            self.problem(
                line,
                _(
                    "the totals record is for account %(totals)s but its header (line %(line)d) is for %(header)s"
                )
                % {
                    "totals": f"{closing.bank_code} {closing.branch_code} {closing.account_number}",
                    "line": account.line,
                    "header": f"{header.bank_code} {header.branch_code} {header.account_number}",
                },
            )
        amounts = [m.record.amount for m in account.movements]
        credits = [a for a in amounts if a >= 0]
        debits = [-a for a in amounts if a < 0]
        credit_total = sum(credits, Decimal(0))
        debit_total = sum(debits, Decimal(0))
        if closing.income_entries != len(credits) or closing.income != credit_total:
            self.problem(
                line,
                _(
                    "the totals record says %(count)d credits for %(total)s but the movements add up to %(found)d credits for %(found_total)s"
                )
                % {
                    "count": closing.income_entries,
                    "total": _money(closing.income),
                    "found": len(credits),
                    "found_total": _money(credit_total),
                },
            )
        if closing.expense_entries != len(debits) or closing.expense != debit_total:
            self.problem(
                line,
                _(
                    "the totals record says %(count)d debits for %(total)s but the movements add up to %(found)d debits for %(found_total)s"
                )
                % {
                    "count": closing.expense_entries,
                    "total": _money(closing.expense),
                    "found": len(debits),
                    "found_total": _money(debit_total),
                },
            )
        expected = header.initial_balance + closing.income - closing.expense
        if closing.final_balance != expected:
            self.problem(
                line,
                _(
                    "the closing balance %(closing)s is not the opening balance %(opening)s plus credits %(credits)s minus debits %(debits)s (%(expected)s)"
                )
                % {
                    "closing": _money(closing.final_balance),
                    "opening": _money(header.initial_balance),
                    "credits": _money(closing.income),
                    "debits": _money(closing.expense),
                    "expected": _money(expected),
                },
            )
        if closing.currency.numeric != header.currency.numeric:
            self.problem(
                line,
                _("the totals record is in currency %(totals)s but the header says %(header)s")
                % {"totals": closing.currency.numeric, "header": header.currency.numeric},
            )

    # -- output ------------------------------------------------------------------------------

    def _statement(self, account: _N43Account, occurrences: Counter[str]) -> Statement:
        header = account.record
        assert header is not None and account.closing is not None
        bank, branch, number = header.bank_code, header.branch_code, header.account_number
        iban = _spanish_account(bank, branch, number)
        currency = header.currency.alpha_3 or header.currency.numeric or ""
        lines = tuple(
            self._line(movement, iban, currency, occurrences) for movement in account.movements
        )
        opening = header.initial_balance
        return Statement(
            format=StatementFormat.NORMA43,
            statement_id="n43:"
            + _digest(iban, header.initial_date, header.final_date, opening)[:32],
            account=iban,
            currency=currency,
            start_date=header.initial_date,
            end_date=header.final_date,
            opening_balance=opening,
            closing_balance=account.closing.final_balance,
            lines=lines,
        )

    def _line(
        self, movement: _N43Movement, account: str, currency: str, occurrences: Counter[str]
    ) -> StatementLine:
        tx = movement.record
        shared = f"{tx.shared_item:02d}"
        own = f"{tx.own_item:03d}"
        reference1 = tx.reference1.strip()
        if reference1.strip("0") == "":
            reference1 = ""
        reference2 = tx.reference2.strip()
        document = tx.document_number.strip()
        counterparty = ""
        original = ""
        sepa_reference = ""
        concept = ""
        sepa_debit = _sepa_debit(movement.items, self.context)
        sepa_transfer = (
            _sepa_transfer(movement.items, self.context)
            if sepa_debit is None and shared == "04"
            else None
        )
        if sepa_debit is not None:
            concept = _normalise(sepa_debit.remitance_information)
            counterparty = _normalise(sepa_debit.debtor_name)
            sepa_reference = sepa_debit.creditor_reference.strip()
            original = sepa_reference or sepa_debit.mandate_reference.strip()
        elif sepa_transfer is not None:
            concept = _normalise(sepa_transfer.remitance_information)
            counterparty = _normalise(sepa_transfer.originator_name)
            sepa_reference = sepa_transfer.originator_reference.strip()
        else:
            texts: list[str] = []
            for raw in movement.items:
                item = Item(context=self.context, raw=raw)
                texts += [item.item1, item.item2]
            concept = _normalise(*texts)
        reference = _normalise(sepa_reference, reference1, reference2)
        text = _fold(" ".join((concept, reference1, reference2)))
        # Concept 17 is fees and interest: "comisión devolución" is a fee, not a return.
        is_return = shared in ("14", "98") or (shared != "17" and bool(_RETURN_WORDS.search(text)))
        reason = ""
        if is_return:
            match = _REASON_CODES.search(" ".join((concept, reference2)))
            reason = match.group(1) if match else ""
        else:
            original = ""
        key = _digest(
            account,
            tx.transaction_date,
            tx.value_date,
            tx.amount,
            shared,
            own,
            document,
            reference1,
            reference2,
            concept,
        )
        occurrence = occurrences[key]
        occurrences[key] += 1
        return StatementLine(
            line_id="n43:" + _digest(key, occurrence)[:40],
            booking_date=tx.transaction_date,
            value_date=tx.value_date,
            amount=tx.amount,
            currency=currency,
            concept=concept,
            reference=reference,
            counterparty_name=counterparty,
            counterparty_iban="",
            is_return=is_return,
            return_reason=reason,
            original_reference=original,
            source_line=movement.line,
        )


def _sepa_debit(items: Sequence[bytes], context: Aeb43Context) -> SepaDebit | None:
    """The SEPA direct debit carried by five concept records (N43 appendix 4), if any."""
    if len(items) != 5 or items[0][4:8].strip() not in (b"CORE", b"B2B"):
        return None
    try:
        return SepaDebit.new(*items, context=context)
    except ValueError:
        return None


def _sepa_transfer(items: Sequence[bytes], context: Aeb43Context) -> SepaTransfer | None:
    """The SEPA transfer carried by five concept records (N43 appendix 4), if any."""
    # No scheme marker here: also ask for ISO-like purpose codes (letters or blanks) in 23-03.
    if len(items) != 5 or not re.fullmatch(rb"[A-Z ]{8}", items[2][4:12]):
        return None
    try:
        return SepaTransfer.new(*items, context=context)
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# camt.053 / camt.054
# ---------------------------------------------------------------------------------------------

_AMOUNT = re.compile(r"\d{1,18}(\.\d{1,5})?")
_CURRENCY = re.compile(r"[A-Z]{3}")


class _DoctypeRefused(Exception):
    pass


def _parse_xml(data: bytes) -> tuple[ET.Element, dict[int, int]]:
    """Parse XML with expat, refusing DTDs; return the root and each element's line."""
    if re.search(rb"<!DOCTYPE|<!ENTITY", data, re.IGNORECASE):
        raise StatementError([(None, _("DTD and entity declarations are not allowed"))])
    builder = ET.TreeBuilder()
    lines: dict[int, int] = {}
    parser = expat.ParserCreate(namespace_separator="}")

    def start(name: str, attrs: dict[str, str]) -> None:
        tag = "{" + name if "}" in name else name
        element = builder.start(tag, attrs)
        lines[id(element)] = parser.CurrentLineNumber

    def end(name: str) -> None:
        builder.end("{" + name if "}" in name else name)

    def refuse(*_args: object) -> None:
        raise _DoctypeRefused

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise StatementError(
            [
                (
                    exc.lineno,
                    _("not well-formed XML: %(error)s")
                    % {"error": expat.ErrorString(exc.code or 0)},
                )
            ]
        ) from None
    except _DoctypeRefused:
        raise StatementError(
            [(parser.CurrentLineNumber, _("DTD and entity declarations are not allowed"))]
        ) from None
    return builder.close(), lines


@dataclass
class _Tx:
    """The details of one transaction within an entry."""

    amount: Decimal | None
    element: ET.Element | None


class _CamtReader:
    """Reads a camt.053 or camt.054 message."""

    def __init__(self, data: bytes, fmt: StatementFormat) -> None:
        self.data = data
        self.fmt = fmt
        self.ns = ""
        self.lines: dict[int, int] = {}
        self.problems: list[tuple[int | None, str]] = []

    # -- element helpers ---------------------------------------------------------------------

    def q(self, path: str) -> str:
        """Qualify a slash-separated path of local names with the message namespace."""
        return "/".join(
            f"{{{self.ns}}}{part}" if part not in (".", "..") else part for part in path.split("/")
        )

    def find(self, element: ET.Element | None, path: str) -> ET.Element | None:
        if element is None:
            return None
        return element.find(self.q(path))

    def findall(self, element: ET.Element | None, path: str) -> list[ET.Element]:
        if element is None:
            return []
        return element.findall(self.q(path))

    def text(self, element: ET.Element | None, *paths: str) -> str:
        """The stripped text of the first of ``paths`` present under ``element``, or ''."""
        for path in paths:
            found = self.find(element, path)
            if found is not None and found.text and found.text.strip():
                return found.text.strip()
        return ""

    def line(self, element: ET.Element | None) -> int | None:
        return None if element is None else self.lines.get(id(element))

    def problem(self, element: ET.Element | None, message: str) -> None:
        self.problems.append((self.line(element), message))

    def read_date(self, element: ET.Element | None, where: str) -> date | None:
        """A ``Dt`` or ``DtTm`` child as a date (the calendar date as written)."""
        raw = self.text(element, "Dt", "DtTm")
        if not raw:
            return None
        try:
            return date.fromisoformat(raw[:10])
        except ValueError:
            self.problem(
                element, _("%(where)s: bad date %(value)r") % {"where": where, "value": raw}
            )
            return None

    def amount(self, element: ET.Element | None, where: str) -> tuple[Decimal, str] | None:
        """An amount element as (non-negative Decimal, currency)."""
        if element is None:
            return None
        raw = (element.text or "").strip()
        currency = element.get("Ccy", "").strip()
        if not _AMOUNT.fullmatch(raw):
            self.problem(
                element, _("%(where)s: bad amount %(value)r") % {"where": where, "value": raw}
            )
            return None
        if not _CURRENCY.fullmatch(currency):
            self.problem(
                element,
                _("%(where)s: bad or missing currency %(value)r")
                % {"where": where, "value": currency},
            )
            return None
        try:
            return Decimal(raw), currency
        except InvalidOperation:  # pragma: no cover - the pattern already guarantees it
            self.problem(
                element, _("%(where)s: bad amount %(value)r") % {"where": where, "value": raw}
            )
            return None

    def sign(self, element: ET.Element, where: str) -> int | None:
        indicator = self.text(element, "CdtDbtInd")
        if indicator == "CRDT":
            return 1
        if indicator == "DBIT":
            return -1
        if not indicator:
            self.problem(element, _("%(where)s: CdtDbtInd is missing") % {"where": where})
        else:
            self.problem(
                element,
                _("%(where)s: CdtDbtInd %(value)r must be CRDT or DBIT")
                % {"where": where, "value": indicator},
            )
        return None

    # -- reading -----------------------------------------------------------------------------

    def read(self) -> list[Statement]:
        root, self.lines = _parse_xml(_strip_bom(self.data))
        namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
        match = _CAMT_NS.match(namespace)
        if match is None or int(match.group(2)) not in _CAMT_VERSIONS:
            raise StatementError(
                [
                    (
                        self.line(root),
                        _(
                            "unknown namespace or version %(ns)r: camt.053 or camt.054 version 001.02 to 001.13 expected"
                        )
                        % {"ns": namespace},
                    )
                ]
            )
        found = StatementFormat.CAMT053 if match.group(1) == "053" else StatementFormat.CAMT054
        if found is not self.fmt:
            raise StatementError(
                [
                    (
                        self.line(root),
                        _("the message is %(found)s, not %(expected)s")
                        % {"found": found.value, "expected": self.fmt.value},
                    )
                ]
            )
        self.ns = namespace
        body_name, item_name = (
            ("BkToCstmrStmt", "Stmt")
            if found is StatementFormat.CAMT053
            else ("BkToCstmrDbtCdtNtfctn", "Ntfctn")
        )
        body = self.find(root, body_name)
        if body is None:
            raise StatementError(
                [(self.line(root), _("%(name)s is missing") % {"name": body_name})]
            )
        msg_id = self.text(body, "GrpHdr/MsgId")
        created = self.text(body, "GrpHdr/CreDtTm")
        items = self.findall(body, item_name)
        if not items:
            self.problem(body, _("the message holds no %(name)s") % {"name": item_name})
        statements: list[Statement] = []
        occurrences: Counter[str] = Counter()
        for element in items:
            statement = self._statement(element, item_name, msg_id, created, occurrences)
            if statement is not None:
                statements.append(statement)
        if self.problems:
            raise StatementError(self.problems)
        return statements

    def _balance(
        self, statement: ET.Element, codes: tuple[str, ...]
    ) -> tuple[Decimal, str, date | None, ET.Element] | None:
        for code in codes:
            for balance in self.findall(statement, "Bal"):
                if self.text(balance, "Tp/CdOrPrtry/Cd") != code:
                    continue
                amount = self.amount(
                    self.find(balance, "Amt"), _("balance %(code)s") % {"code": code}
                )
                sign = self.sign(balance, _("balance %(code)s") % {"code": code})
                if amount is None or sign is None:
                    return None
                return (
                    sign * amount[0],
                    amount[1],
                    self.read_date(self.find(balance, "Dt"), code),
                    balance,
                )
        return None

    def _statement(
        self,
        element: ET.Element,
        item_name: str,
        msg_id: str,
        created: str,
        occurrences: Counter[str],
    ) -> Statement | None:
        before = len(self.problems)
        stmt_id = self.text(element, "Id")
        if not stmt_id:
            self.problem(element, _("%(name)s: Id is missing") % {"name": item_name})
        account = self.text(element, "Acct/Id/IBAN", "Acct/Id/Othr/Id")
        if not account:
            self.problem(
                element,
                _("%(name)s %(id)s: the account (Acct/Id) is missing")
                % {"name": item_name, "id": stmt_id},
            )
        opening = self._balance(element, ("OPBD", "PRCD"))
        closing = self._balance(element, ("CLBD",))
        currency = self.text(element, "Acct/Ccy")
        if not currency:
            currency = opening[1] if opening else closing[1] if closing else ""
        if not currency:  # e.g. a notification without balances: the first entry's currency
            first_amount = self.find(element, "Ntry/Amt")
            currency = first_amount.get("Ccy", "").strip() if first_amount is not None else ""
        for balance in (opening, closing):
            if balance is not None and currency and balance[1] != currency:
                self.problem(
                    balance[3],
                    _("the balance is in %(found)s but the account is in %(expected)s")
                    % {"found": balance[1], "expected": currency},
                )

        lines: list[StatementLine] = []
        entries = self.findall(element, "Ntry")
        for index, entry in enumerate(entries, start=1):
            lines.extend(self._entry(entry, index, account, currency, occurrences))

        if opening is not None and closing is not None and len(self.problems) == before:
            total = sum((line.amount for line in lines), Decimal(0))
            if opening[0] + total != closing[0]:
                self.problem(
                    closing[3],
                    _(
                        "the closing balance %(closing)s is not the opening balance %(opening)s plus the entries %(total)s (%(expected)s)"
                    )
                    % {
                        "closing": _money(closing[0]),
                        "opening": _money(opening[0]),
                        "total": _money(total),
                        "expected": _money(opening[0] + total),
                    },
                )

        start = self._period_date(element, "FrDtTm")
        end = self._period_date(element, "ToDtTm")
        booking = [line.booking_date for line in lines]
        fallback = [
            d for d in (opening[2] if opening else None, closing[2] if closing else None) if d
        ]
        if start is None:
            start = min(booking or fallback or [self._created_date(created)])
        if end is None:
            end = max(booking or fallback or [start])
        if len(self.problems) != before:
            return None
        return Statement(
            format=self.fmt,
            statement_id=f"{msg_id}/{stmt_id}" if msg_id else stmt_id,
            account=account,
            currency=currency,
            start_date=start,
            end_date=end,
            opening_balance=opening[0] if opening else None,
            closing_balance=closing[0] if closing else None,
            lines=tuple(lines),
        )

    def _period_date(self, element: ET.Element, name: str) -> date | None:
        found = self.find(element, "FrToDt/" + name)
        if found is None or not found.text:
            return None
        try:
            return date.fromisoformat(found.text.strip()[:10])
        except ValueError:
            self.problem(found, _("bad date %(value)r") % {"value": found.text.strip()})
            return None

    def _created_date(self, created: str) -> date:
        try:
            return date.fromisoformat(created[:10])
        except ValueError:
            return date.min

    def _entry(
        self,
        entry: ET.Element,
        index: int,
        account: str,
        currency: str,
        occurrences: Counter[str],
    ) -> Iterator[StatementLine]:
        where = _("entry %(index)d") % {"index": index}
        status = self.text(entry, "Sts/Cd", "Sts")
        if status and status != "BOOK":
            return  # pending or informational entries are not booked movements
        amount_element = self.find(entry, "Amt")
        if amount_element is None:
            self.problem(entry, _("%(where)s: Amt is missing") % {"where": where})
        amount = self.amount(amount_element, where)
        sign = self.sign(entry, where)
        booking = self.read_date(self.find(entry, "BookgDt"), where)
        value = self.read_date(self.find(entry, "ValDt"), where)
        if booking is None and value is None:
            self.problem(entry, _("%(where)s: BookgDt is missing") % {"where": where})
        if amount is None or sign is None or (booking is None and value is None):
            return
        if currency and amount[1] != currency:
            self.problem(
                amount_element,
                _("%(where)s: the amount is in %(found)s but the account is in %(expected)s")
                % {"where": where, "found": amount[1], "expected": currency},
            )
            return
        booking_date = booking or value
        value_date = value or booking
        assert booking_date is not None and value_date is not None
        reversal = self.text(entry, "RvslInd").lower() in ("true", "1")
        entry_ref = self.text(entry, "AcctSvcrRef") or self.text(entry, "NtryRef")
        subfamily = self.text(entry, "BkTxCd/Domn/Fmly/SubFmlyCd")
        entry_info = self.text(entry, "AddtlNtryInf")

        txs = self._transactions(entry, amount[0], where)
        for position, tx in enumerate(txs, start=1):
            signed = sign * (tx.amount if tx.amount is not None else amount[0])
            details = tx.element
            e2e = self.text(details, "Refs/EndToEndId")
            if e2e.upper() == "NOTPROVIDED":
                e2e = ""
            mandate = self.text(details, "Refs/MndtId")
            tx_ref = self.text(details, "Refs/AcctSvcrRef")
            reference = e2e or tx_ref or entry_ref
            concept = _normalise(
                *[u.text or "" for u in self.findall(details, "RmtInf/Ustrd")],
                *[r.text or "" for r in self.findall(details, "RmtInf/Strd/CdtrRefInf/Ref")],
            ) or _normalise(self.text(details, "AddtlTxInf"), entry_info)
            name, iban = self._counterparty(details, signed, account)
            return_info = self.find(details, "RtrInf")
            tx_subfamily = self.text(details, "BkTxCd/Domn/Fmly/SubFmlyCd") or subfamily
            is_return = reversal or return_info is not None or tx_subfamily in _RETURN_SUBFAMILIES
            reason = (
                self.text(return_info, "Rsn/Cd", "Rsn/Prtry") if return_info is not None else ""
            )
            original = (e2e or mandate) if is_return else ""
            if entry_ref:
                base = f"camt:{account}:{entry_ref}"
                line_id = base if len(txs) == 1 else f"{base}/{position}"
            else:
                key = _digest(
                    account, booking_date, value_date, signed, amount[1], reference, concept
                )
                occurrence = occurrences[key]
                occurrences[key] += 1
                line_id = "camt:" + _digest(key, occurrence)[:40]
            yield StatementLine(
                line_id=line_id,
                booking_date=booking_date,
                value_date=value_date,
                amount=signed,
                currency=amount[1],
                concept=concept,
                reference=reference,
                counterparty_name=name,
                counterparty_iban=iban,
                is_return=is_return,
                return_reason=reason,
                original_reference=original,
                source_line=self.line(details if details is not None and len(txs) > 1 else entry),
            )

    def _transactions(self, entry: ET.Element, total: Decimal, where: str) -> list[_Tx]:
        """Split a batch-booked entry into its transactions when their amounts add up."""
        details = self.findall(entry, "NtryDtls/TxDtls")
        if len(details) <= 1:
            return [_Tx(amount=None, element=details[0] if details else None)]
        amounts: list[Decimal] = []
        for tx in details:
            element = self.find(tx, "Amt")
            if element is None:
                element = self.find(tx, "AmtDtls/TxAmt/Amt")
            raw = (element.text or "").strip() if element is not None else ""
            if not _AMOUNT.fullmatch(raw):
                break
            amounts.append(Decimal(raw))
        if len(amounts) == len(details) and sum(amounts, Decimal(0)) == total:
            return [_Tx(amount=a, element=tx) for a, tx in zip(amounts, details, strict=True)]
        # The details do not add up to the entry: keep one line with the first details.
        return [_Tx(amount=None, element=details[0])]

    def _counterparty(
        self, details: ET.Element | None, amount: Decimal, own: str
    ) -> tuple[str, str]:
        """The other party: the debtor of money in, the creditor of money out (not ourselves)."""
        parties = []
        for role in ("Dbtr", "Cdtr"):
            name = self.text(details, f"RltdPties/{role}/Nm", f"RltdPties/{role}/Pty/Nm")
            iban = self.text(details, f"RltdPties/{role}Acct/Id/IBAN")
            parties.append((name, iban))
        debtor, creditor = parties
        first, second = (debtor, creditor) if amount >= 0 else (creditor, debtor)
        if (not any(first) or (own and first[1] == own)) and second[1] != own and any(second):
            first = second
        return first[0], first[1]
