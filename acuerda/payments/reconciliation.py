"""Bank statements in, payments out: import a statement once, match each credit line to an
account with a confidence score, register what is certain, queue the rest for a person, and
apply returned direct debits and chargebacks.

**Matching** (``line_candidates``), each way an indexed lookup:

- a creditor reference of an account (``LN-0001``) in the concept or reference: 0.95;
- a debtor's national id in the concept: 0.90 (the debtor's accounts, allocated by policy);
- the amount of a pending promise or an unpaid instalment due within a fortnight of the
  value date: 0.60, raised to 0.85 when the payer's name matches the debtor's;
- the payer's name alone is never enough (homonyms): it only raises another candidate.

A line is registered automatically when its best candidate scores at least ``AUTO_MATCH`` and
no other debtor scores within ``MARGIN`` of it; otherwise it waits in the reconciliation queue
(pending, or ambiguous when several debtors compete) with its candidates.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from acuerda.agreements.choices import InstalmentStatus, PlanStatus, PromiseStatus
from acuerda.agreements.models import Instalment, PromiseToPay
from acuerda.debtors.models import Debtor
from acuerda.debts.choices import OPEN_STATUSES
from acuerda.debts.models import Account
from acuerda.payments.choices import (
    LINE_OPEN,
    LineStatus,
    PaymentMethod,
    PaymentSource,
    PaymentStatus,
)
from acuerda.payments.models import BankStatement, Payment, StatementLine
from acuerda.payments.services import PaymentError, payment_register, payment_reverse
from acuerda.payments.statements import Statement, StatementError, parse_statement
from acuerda.people.models import User

AUTO_MATCH = Decimal("0.90")
MARGIN = Decimal("0.10")
AMOUNT_WINDOW = dt.timedelta(days=14)
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9./_-]{2,39}")


@dataclass
class Candidate:
    debtor_id: int
    account_id: int | None  # None: the debtor's accounts by policy
    score: Decimal
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"debtor": self.debtor_id, "account": self.account_id, "score": str(self.score), "reasons": self.reasons}


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).upper()


def _tokens(*texts: str) -> set[str]:
    found: set[str] = set()
    for text in texts:
        for token in _TOKEN.findall(text or ""):
            token = token.strip("./_-")
            if len(token) >= 3:
                found.add(token)
                found.add(token.upper())
    return found


def _name_matches(payer: str, debtor: Debtor) -> bool:
    payer_words = set(_fold(payer).replace(",", " ").split())
    if not payer_words:
        return False
    if debtor.company_name:
        wanted = set(_fold(debtor.company_name).replace(",", " ").replace(".", " ").split()) - {"SA", "SL", "SAS"}
    else:
        wanted = set(_fold(f"{debtor.first_name} {debtor.last_name}").split())
    return bool(wanted) and len(wanted & payer_words) >= min(2, len(wanted))


def line_candidates(line: StatementLine) -> list[Candidate]:
    """Who this money may come from, best first (one entry per debtor)."""
    tokens = _tokens(line.concept, line.reference)
    best: dict[int, Candidate] = {}

    def offer(candidate: Candidate) -> None:
        current = best.get(candidate.debtor_id)
        if current is None or candidate.score > current.score:
            if current is not None:
                candidate.reasons = [*candidate.reasons, *current.reasons]
            best[candidate.debtor_id] = candidate
        else:
            current.reasons.extend(r for r in candidate.reasons if r not in current.reasons)

    from acuerda.payments.models import DirectDebit, DirectDebitStatus

    if line.reference:
        for account_id, debtor_id, amount in DirectDebit.objects.filter(
            end_to_end_id=line.reference, status=DirectDebitStatus.SUBMITTED,
        ).values_list("instalment__plan__account_id", "instalment__plan__account__debtor_id", "amount")[:1]:
            if amount == line.amount:
                offer(Candidate(debtor_id, account_id, Decimal("0.99"), [f"direct debit {line.reference}"]))
    if tokens:
        for account_id, debtor_id, reference in Account.objects.filter(
            creditor_reference__in=tokens, currency=line.currency, status__in=OPEN_STATUSES,
        ).values_list("pk", "debtor_id", "creditor_reference")[:20]:
            offer(Candidate(debtor_id, account_id, Decimal("0.95"), [f"reference {reference}"]))
        for debtor_id, id_number in Debtor.objects.filter(id_number__in={t.upper() for t in tokens}).values_list(
            "pk", "id_number"
        )[:20]:
            offer(Candidate(debtor_id, None, Decimal("0.90"), [f"national id {id_number}"]))
    lo, hi = line.value_date - AMOUNT_WINDOW, line.value_date + AMOUNT_WINDOW
    by_amount: dict[int, int] = {}
    for account_id, debtor_id in PromiseToPay.objects.filter(
        status=PromiseStatus.PENDING, amount=line.amount, currency=line.currency, due_on__range=(lo, hi),
    ).values_list("account_id", "account__debtor_id")[:20]:
        by_amount[debtor_id] = account_id
    for account_id, debtor_id in Instalment.objects.filter(
        plan__status=PlanStatus.ACTIVE, amount=line.amount, plan__currency=line.currency, due_on__range=(lo, hi),
    ).exclude(status=InstalmentStatus.PAID).values_list("plan__account_id", "plan__account__debtor_id")[:20]:
        by_amount[debtor_id] = account_id
    debtors = Debtor.objects.in_bulk({*best, *by_amount})
    for debtor_id, account_id in by_amount.items():
        named = line.counterparty_name and _name_matches(line.counterparty_name, debtors[debtor_id])
        score = Decimal("0.85") if named else Decimal("0.60")
        offer(Candidate(debtor_id, account_id, score, ["amount agreed"] + (["payer's name"] if named else [])))
    for candidate in best.values():
        if candidate.score < Decimal("0.99") and line.counterparty_name and "payer's name" not in candidate.reasons \
                and _name_matches(line.counterparty_name, debtors[candidate.debtor_id]):
            candidate.score = min(Decimal("0.99"), candidate.score + Decimal("0.04"))
            candidate.reasons.append("payer's name")
    return sorted(best.values(), key=lambda c: (-c.score, c.debtor_id))


# --------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------


@dataclass
class ImportSummary:
    statements: int = 0
    statements_already_imported: int = 0
    lines: int = 0
    lines_already_imported: int = 0
    matched: int = 0
    to_review: int = 0
    returns_applied: int = 0
    ignored: int = 0
    payments: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "payments"} | {"payments": len(self.payments)}


def statement_import(*, data: bytes, fmt: str | None, actor: User | None, file_name: str = "") -> ImportSummary:
    """Import a statement file: every new line is stored and reconciled, in one transaction.
    Importing it again records nothing new. A malformed file raises ``StatementError`` (every
    problem with its line) and nothing is written."""
    statements = parse_statement(data, fmt)
    digest = hashlib.sha256(data).hexdigest()
    summary = ImportSummary()
    with transaction.atomic():
        for statement in statements:
            _import_one(statement, digest, file_name, actor, summary)
    return summary


def _import_one(statement: Statement, digest: str, file_name: str, actor: User | None, summary: ImportSummary) -> None:
    stored, created = BankStatement.objects.get_or_create(
        bank_account=statement.account, format=str(statement.format), statement_id=statement.statement_id,
        defaults={"currency": statement.currency, "start_date": statement.start_date, "end_date": statement.end_date,
                  "opening_balance": statement.opening_balance, "closing_balance": statement.closing_balance,
                  "file_name": file_name[:255], "file_sha256": digest, "imported_at": timezone.now(),
                  "imported_by": actor},
    )
    summary.statements += created
    summary.statements_already_imported += not created
    known = set(StatementLine.objects.filter(bank_account=statement.account,
                                             line_id__in=[ln.line_id for ln in statement.lines])
                .values_list("line_id", flat=True))
    for parsed in statement.lines:
        if parsed.line_id in known:
            summary.lines_already_imported += 1
            continue
        known.add(parsed.line_id)
        line = StatementLine.objects.create(
            statement=stored, bank_account=statement.account, line_id=parsed.line_id, source_line=parsed.source_line,
            booking_date=parsed.booking_date, value_date=parsed.value_date, amount=parsed.amount,
            currency=parsed.currency, concept=parsed.concept[:500], reference=parsed.reference[:140],
            counterparty_name=parsed.counterparty_name[:200], counterparty_iban=parsed.counterparty_iban[:40],
            is_return=parsed.is_return, return_reason=parsed.return_reason[:16],
            original_reference=parsed.original_reference[:140],
        )
        summary.lines += 1
        reconcile_line(line, actor=actor, summary=summary)


def _creditors_owed(debtor_id: int, currency: str) -> int:
    return (Account.objects.filter(debtor_id=debtor_id, currency=currency, status__in=OPEN_STATUSES)
            .values("portfolio__creditor_id").distinct().count())


def _line_key(line: StatementLine) -> str:
    return f"statement:{line.bank_account}:{line.line_id}"[:160]


def reconcile_line(line: StatementLine, *, actor: User | None, summary: ImportSummary | None = None) -> StatementLine:
    """Decide one line: a return is applied to the payment it returns; money in is registered
    when its match is certain, else queued; money out is not a debtor's payment."""
    summary = summary or ImportSummary()
    if line.is_return or (line.amount < 0 and line.return_reason):
        _apply_return(line, actor, summary)
        return line
    if line.amount <= 0:
        line.status = LineStatus.IGNORED
        line.note = _("Money out: not a debtor's payment.")
        line.save(update_fields=["status", "note"])
        summary.ignored += 1
        return line
    candidates = line_candidates(line)
    line.candidates = [c.as_dict() for c in candidates[:5]]
    line.confidence = candidates[0].score if candidates else Decimal("0")
    certain = bool(candidates and candidates[0].score >= AUTO_MATCH
                   and (len(candidates) == 1 or candidates[1].score <= candidates[0].score - MARGIN))
    if certain and candidates[0].account_id is None and _creditors_owed(candidates[0].debtor_id, line.currency) > 1:
        certain = False  # a national id alone cannot say which creditor's debt the money is for
        line.note = _("The debtor owes several creditors: choose the account.")[:255]
    if certain:
        best = candidates[0]
        try:
            _register(line, best.debtor_id, best.account_id, actor, LineStatus.MATCHED)
        except PaymentError as exc:
            line.status = LineStatus.PENDING
            line.note = str(exc)[:255]
            line.save(update_fields=["status", "note", "candidates", "confidence"])
            summary.to_review += 1
            return line
        summary.matched += 1
        summary.payments.append(line.payment_id or 0)
        return line
    line.status = LineStatus.AMBIGUOUS if len(candidates) > 1 else LineStatus.PENDING
    line.save(update_fields=["status", "candidates", "confidence", "note"])
    summary.to_review += 1
    return line


ANNOUNCED_WINDOW = dt.timedelta(days=7)


def announced_payment(line: StatementLine, debtor_id: int) -> Payment | None:
    """A payment already registered by hand for this money (an agent typed the transfer the
    debtor said they made): same debtor, amount and currency, within a week, not yet seen in a
    statement. The line is linked to it instead of registering the money a second time."""
    return (Payment.objects.filter(debtor_id=debtor_id, amount=line.amount, currency=line.currency,
                                   status=PaymentStatus.APPLIED, source=PaymentSource.MANUAL,
                                   method__in=(PaymentMethod.TRANSFER, PaymentMethod.DIRECT_DEBIT),
                                   received_on__range=(line.value_date - ANNOUNCED_WINDOW,
                                                       line.value_date + ANNOUNCED_WINDOW))
            .exclude(statement_lines__isnull=False).order_by("received_on", "pk").first())


def _register(line: StatementLine, debtor_id: int, account_id: int | None, actor: User | None, status: str) -> None:
    debtor = Debtor.objects.get(pk=debtor_id)
    account = Account.objects.get(pk=account_id) if account_id else None
    announced = announced_payment(line, debtor_id)
    if announced is not None:
        line.payment = announced
        line.account = account or announced.allocations.first().account  # type: ignore[union-attr]
        line.status = status
        line.note = _("Registered by hand before the statement arrived; linked, not applied again.")[:255]
        if status == LineStatus.RESOLVED:
            line.resolved_by, line.resolved_at = actor, timezone.now()
        line.save(update_fields=["payment", "account", "status", "note", "resolved_by", "resolved_at", "candidates",
                                 "confidence"])
        return
    with transaction.atomic():
        payment = payment_register(
            debtor=debtor, amount=line.amount, currency=line.currency, received_on=line.value_date,
            method=PaymentMethod.TRANSFER, source=PaymentSource.BANK_STATEMENT, idempotency_key=_line_key(line),
            actor=actor, account=account, reference=line.reference or line.line_id, payer_name=line.counterparty_name,
            note=line.concept[:255],
        )
        from acuerda.payments.models import DirectDebit, DirectDebitStatus

        DirectDebit.objects.filter(end_to_end_id=line.reference, status=DirectDebitStatus.SUBMITTED,
                                   amount=line.amount).update(status=DirectDebitStatus.COLLECTED, payment=payment)
        line.payment = payment
        line.account = account or payment.allocations.first().account  # type: ignore[union-attr]
        line.status = status
        if status == LineStatus.RESOLVED:
            line.resolved_by, line.resolved_at = actor, timezone.now()
        line.save(update_fields=["payment", "account", "status", "resolved_by", "resolved_at", "candidates",
                                 "confidence"])


def _apply_return(line: StatementLine, actor: User | None, summary: ImportSummary) -> None:
    """Find the payment this return takes back (by the original reference, else the same
    amount from the same payer's account in the last 90 days, if exactly one) and reverse it."""
    amount = abs(line.amount)
    payments = Payment.objects.filter(status=PaymentStatus.APPLIED, amount=amount, currency=line.currency)
    found = list(payments.filter(reference=line.original_reference)[:2]) if line.original_reference else []
    if not found and line.counterparty_iban:
        found = list(payments.filter(statement_lines__counterparty_iban=line.counterparty_iban,
                                     received_on__gte=line.value_date - dt.timedelta(days=90)).distinct()[:2])
    if len(found) != 1:
        line.status = LineStatus.PENDING
        line.note = _("Return: the payment it takes back could not be identified; choose it.")
        line.save(update_fields=["status", "note"])
        summary.to_review += 1
        return
    _take_back(line, found[0], actor)
    line.status = LineStatus.RETURNED
    line.save(update_fields=["payment", "account", "status"])
    summary.returns_applied += 1


def _take_back(line: StatementLine, payment: Payment, actor: User | None) -> None:
    """Reverse the returned payment, mark its direct debit returned, link the line."""
    from acuerda.payments.models import DirectDebit, DirectDebitStatus

    reason = _("Returned by the bank (%(reason)s)") % {"reason": line.return_reason or line.concept[:60] or "-"}
    payment_reverse(payment=payment, actor=actor, reason=reason)
    DirectDebit.objects.filter(payment=payment).update(status=DirectDebitStatus.RETURNED,
                                                       return_reason=line.return_reason[:16])
    first = payment.allocations.select_related("account").first()
    line.payment = payment
    line.account = first.account if first else None


# --------------------------------------------------------------------------------------------
# The reconciliation queue
# --------------------------------------------------------------------------------------------


class ReconciliationError(ValueError):
    pass


@transaction.atomic
def line_resolve(*, line: StatementLine, account: Account | None = None, debtor: Debtor | None = None,
                 payment: Payment | None = None, actor: User) -> StatementLine:
    """A person decides: this money is from ``account``'s debtor (applied to that account first)
    or from ``debtor`` (applied by policy); for a return, ``payment`` is the one it takes back."""
    line = StatementLine.objects.select_for_update().get(pk=line.pk)
    if line.status not in LINE_OPEN:
        raise ReconciliationError(_("This line was already reconciled."))
    if line.is_return or line.amount < 0:
        if payment is None:
            raise ReconciliationError(_("Choose the payment this return takes back."))
        if payment.amount != abs(line.amount) or payment.currency != line.currency \
                or payment.status != PaymentStatus.APPLIED:
            raise ReconciliationError(_("A return takes back one applied payment of the same amount and currency."))
        _take_back(line, payment, actor)
        line.status = LineStatus.RETURNED
        line.resolved_by, line.resolved_at = actor, timezone.now()
        line.save(update_fields=["payment", "account", "status", "resolved_by", "resolved_at"])
        return line
    if account is None and debtor is None:
        raise ReconciliationError(_("Choose the account or the debtor this money is from."))
    target = account.debtor_id if account is not None else debtor.pk  # type: ignore[union-attr]
    try:
        _register(line, target, account.pk if account else None, actor, LineStatus.RESOLVED)
    except PaymentError as exc:
        raise ReconciliationError(str(exc)) from exc
    return line


@transaction.atomic
def line_ignore(*, line: StatementLine, actor: User, note: str) -> StatementLine:
    line = StatementLine.objects.select_for_update().get(pk=line.pk)
    if line.status not in LINE_OPEN:
        raise ReconciliationError(_("This line was already reconciled."))
    if not note.strip():
        raise ReconciliationError(_("Say why this line is not a debtor's payment."))
    line.status, line.note = LineStatus.IGNORED, note.strip()[:255]
    line.resolved_by, line.resolved_at = actor, timezone.now()
    line.save(update_fields=["status", "note", "resolved_by", "resolved_at"])
    return line


def reconciliation_queue() -> Any:
    return StatementLine.objects.filter(status__in=LINE_OPEN).select_related("statement").order_by("booking_date", "pk")


__all__ = ["StatementError", "line_candidates", "line_ignore", "line_resolve", "reconcile_line", "statement_import"]
