"""Registering payments exactly once and applying them to a debtor's accounts; reversing them.

Every way money arrives — an agent or the back office typing it, a bank statement line, a
creditor's file, a provider's notification — ends in ``payment_register`` with an idempotency
key. Registering the same key again returns the first payment (a double click, two people, a
retried webhook, a statement imported twice); the same key for a different payment is refused.
The database's unique index decides races: the loser waits for the winner's commit, then finds
its payment.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from acuerda.agreements.choices import InstalmentStatus, PlanStatus, PromiseStatus
from acuerda.agreements.models import Instalment, PromiseToPay
from acuerda.core.money import quantize, to_decimal
from acuerda.debtors.models import Debtor
from acuerda.debts.choices import OPEN_STATUSES
from acuerda.debts.models import Account
from acuerda.payments.allocation import Target, split
from acuerda.payments.choices import PaymentMethod, PaymentSource, PaymentStatus
from acuerda.payments.models import Payment, PaymentAllocation
from acuerda.people.models import User

RECEIPT_METHODS = frozenset({PaymentMethod.CASH, PaymentMethod.CARD, PaymentMethod.CHEQUE})
EARLIEST_PAYMENT = dt.date(2000, 1, 1)
MAX_AMOUNT = Decimal("1e15")  # the ledger holds 18 digits with 2 decimals


class PaymentError(ValueError):
    """A payment that cannot be registered or reversed; ``str()`` says why."""


class PaymentConflict(PaymentError):
    """The idempotency key was already used for a different payment."""


def _targets(debtor: Debtor, currency: str, named: Account | None) -> list[Target]:
    """The debtor's open accounts in the currency; with a named account, only that creditor's
    (money paid for one creditor never settles another's debt)."""
    accounts = list(
        Account.objects.select_for_update().filter(debtor=debtor, currency=currency, status__in=OPEN_STATUSES)
        .select_related("portfolio").order_by("pk")
    )
    if named is not None:
        creditor = Account.objects.filter(pk=named.pk).values_list("portfolio__creditor_id", flat=True).first()
        accounts = [a for a in accounts if a.portfolio.creditor_id == creditor]
    if named is not None and named.pk not in {a.pk for a in accounts}:
        raise PaymentError(_("Account %(ref)s is not open, or is not this debtor's in %(currency)s.")
                           % {"ref": named.creditor_reference, "currency": currency})
    ids = [a.pk for a in accounts]
    due = dict(Instalment.objects.filter(plan__account_id__in=ids, plan__status=PlanStatus.ACTIVE)
               .exclude(status=InstalmentStatus.PAID).values("plan__account_id")
               .annotate(first=Min("due_on")).values_list("plan__account_id", "first"))
    promised = dict(PromiseToPay.objects.filter(account_id__in=ids, status=PromiseStatus.PENDING)
                    .values("account_id").annotate(first=Min("due_on")).values_list("account_id", "first"))
    return [
        Target(account_id=a.pk, balance=a.principal + a.interest + a.fees, named=named is not None and a.pk == named.pk,
               instalment_due_on=due.get(a.pk), promise_due_on=promised.get(a.pk),
               first_unpaid_due_on=a.first_unpaid_due_on)
        for a in accounts
    ]


def _same(payment: Payment, debtor: Debtor, amount: Decimal, currency: str) -> Payment:
    if payment.debtor_id != debtor.pk or payment.amount != amount or payment.currency != currency:
        raise PaymentConflict(_("The key %(key)s was already used for a different payment.")
                           % {"key": payment.idempotency_key})
    return payment


def payment_register(
    *, debtor: Debtor, amount: Decimal | str, currency: str, received_on: dt.date, method: str, source: str,
    idempotency_key: str, actor: User | None, account: Account | None = None, reference: str = "",
    payer_name: str = "", note: str = "",
) -> Payment:
    """Register money received and apply it to the debtor's open accounts in ``currency``
    (``payments.allocation`` order); returns the payment (the first one for a repeated key)."""
    value = to_decimal(amount, field="amount")
    if value <= 0:
        raise PaymentError(_("A payment must be more than zero."))
    if quantize(value, currency) != value:
        raise PaymentError(_("%(amount)s has more decimals than %(currency)s allows.")
                           % {"amount": value, "currency": currency})
    if method not in PaymentMethod.values or source not in PaymentSource.values:
        raise PaymentError(_("Unknown payment method or source."))
    key = idempotency_key.strip()
    if not key:
        raise PaymentError(_("A payment needs an idempotency key."))
    if received_on > timezone.localdate():
        raise PaymentError(_("A payment cannot be received in the future (%(date)s).") % {"date": received_on})
    if received_on < EARLIEST_PAYMENT:
        raise PaymentError(_("%(date)s is too far in the past for a payment.") % {"date": received_on})
    if value >= MAX_AMOUNT:
        raise PaymentError(_("%(amount)s is not a plausible payment.") % {"amount": value})
    existing = Payment.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return _same(existing, debtor, value, currency)
    try:
        with transaction.atomic():
            return _register(debtor=debtor, value=value, currency=currency, received_on=received_on, method=method,
                             source=source, key=key, actor=actor, account=account, reference=reference,
                             payer_name=payer_name, note=note)
    except IntegrityError:
        # Another request registered the same key first and has committed: that one stands.
        existing = Payment.objects.filter(idempotency_key=key).first()
        if existing is None:
            raise
        return _same(existing, debtor, value, currency)


def _register(*, debtor: Debtor, value: Decimal, currency: str, received_on: dt.date, method: str, source: str,
              key: str, actor: User | None, account: Account | None, reference: str, payer_name: str,
              note: str) -> Payment:
    from acuerda.debts.services import payment_post

    targets = _targets(debtor, currency, account)  # locks the debtor's accounts: one payment at a time
    existing = Payment.objects.filter(idempotency_key=key).first()  # registered while we waited for the locks
    if existing is not None:
        return _same(existing, debtor, value, currency)
    parts, unapplied = split(value, targets)
    if unapplied > 0:
        owed = sum((t.balance for t in targets), Decimal("0"))
        raise PaymentError(_("%(amount)s %(currency)s is more than the debtor owes in %(currency)s (%(owed)s); "
                             "register the right amount and refund the rest.")
                           % {"amount": value, "currency": currency, "owed": owed})
    now = timezone.now()
    payment = Payment.objects.create(
        debtor=debtor, amount=value, currency=currency, received_on=received_on, method=method, source=source,
        idempotency_key=key, reference=reference.strip()[:140], payer_name=payer_name.strip()[:200],
        note=note.strip()[:255], registered_at=now, registered_by=actor,
    )
    if method in RECEIPT_METHODS or source == PaymentSource.MANUAL:
        payment.receipt_number = f"R-{received_on:%Y}-{payment.pk:07d}"
        payment.save(update_fields=["receipt_number"])
    accounts = {a.pk: a for a in Account.objects.filter(pk__in=[pk for pk, _part in parts])}
    for account_id, part in parts:
        memo = _("Payment %(ref)s") % {"ref": payment.receipt_number or payment.reference or f"#{payment.pk}"}
        entry = payment_post(account=accounts[account_id], amount=part, effective_on=received_on, actor=actor,
                             memo=memo, external_reference=f"payment:{payment.pk}")
        PaymentAllocation.objects.create(payment=payment, account_id=account_id, entry=entry, amount=part)
    _follow_agreements([pk for pk, _part in parts], received_on=payment.received_on)
    return payment


def _follow_agreements(account_ids: list[int], *, received_on: dt.date) -> None:
    """Promises and plans of these accounts see the money now (the nightly run sees it too),
    including promises already judged broken whose window holds the payment's value date."""
    from acuerda.agreements.models import PaymentPlan
    from acuerda.agreements.services import plan_evaluate, promise_evaluate, promise_reopen

    today = timezone.localdate()
    for promise in PromiseToPay.objects.filter(account_id__in=account_ids, status=PromiseStatus.PENDING):
        promise_evaluate(promise, today=today)
    promise_reopen(account_ids=account_ids, since=received_on, today=today,
                   statuses=(PromiseStatus.BROKEN, PromiseStatus.PARTIALLY_KEPT))
    for plan in PaymentPlan.objects.filter(account_id__in=account_ids, status=PlanStatus.ACTIVE):
        plan_evaluate(plan, today=today)


@transaction.atomic
def payment_reverse(*, payment: Payment, actor: User | None, reason: str) -> Payment:
    """Undo a payment (a returned direct debit, a chargeback, a mistake): every ledger entry is
    reversed, balances come back, and promises or instalments it had settled reopen."""
    from acuerda.agreements.models import PaymentPlan
    from acuerda.agreements.services import plan_evaluate, promise_reopen
    from acuerda.debts.services import ledger_reverse

    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status == PaymentStatus.REVERSED:
        return payment
    if not reason.strip():
        raise PaymentError(_("A reversal needs a reason."))
    allocations = list(payment.allocations.select_related("entry", "account"))
    for allocation in allocations:
        ledger_reverse(entry=allocation.entry, actor=actor, reason=reason)
    payment.status = PaymentStatus.REVERSED
    payment.reversed_at = timezone.now()
    payment.reversal_reason = reason.strip()[:255]
    payment.save(update_fields=["status", "reversed_at", "reversal_reason"])
    account_ids = [a.account_id for a in allocations]
    today = timezone.localdate()
    promise_reopen(account_ids=account_ids, since=payment.received_on, today=today)
    for plan in PaymentPlan.objects.filter(account_id__in=account_ids, status__in=(PlanStatus.ACTIVE,
                                                                                  PlanStatus.COMPLETED)):
        plan_evaluate(plan, today=today)
    return payment


# --------------------------------------------------------------------------------------------
# Creditor-reported payments (a CSV file)
# --------------------------------------------------------------------------------------------


class PaymentFileError(ValueError):
    """A creditor's payment file refused as a whole; ``problems`` lists (row, column, reason)."""

    def __init__(self, problems: list[tuple[int, str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"row {row}, {column}: {reason}" for row, column, reason in problems[:20]))


CREDITOR_FILE_COLUMNS = ("creditor_reference", "amount", "paid_on", "reference")


def creditor_payments_import(*, data: bytes, creditor: Any, actor: User | None) -> dict[str, int]:
    """Payments the creditor received directly (the debtor paid the bank), reported in a CSV with
    ``creditor_reference;amount;paid_on;reference`` and, where the creditor uses one account
    reference in several portfolios, ``portfolio`` (``;`` or ``,``; decimal point or comma;
    dates ``YYYY-MM-DD`` or ``DD/MM/YYYY``). Checked whole first: one bad row refuses the file with
    every problem listed, and nothing is written. Rows already registered (same reference, same
    payment) are skipped, so a file sent twice changes nothing; a reference reused for a different
    payment is refused, not skipped."""
    import csv
    import hashlib
    import io

    text = data.decode("utf-8-sig", errors="replace")
    first_line = text.splitlines()[0] if text.strip() else ""
    try:
        dialect: Any = csv.Sniffer().sniff(first_line, delimiters=";,\t")
    except csv.Error:
        dialect = "excel" if "," in first_line else None
        if dialect is None:
            raise PaymentFileError([(1, "header", _("no columns separated by ';' or ','"))]) from None
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    missing = [c for c in CREDITOR_FILE_COLUMNS[:3] if c not in (reader.fieldnames or [])]
    if missing:
        raise PaymentFileError([(1, c, _("missing column")) for c in missing])
    problems: list[tuple[int, str, str]] = []
    rows = []
    seen: dict[str, int] = {}
    in_file: dict[str, tuple[int, Decimal, dt.date]] = {}
    for number, row in enumerate(reader, start=2):
        reference = (row.get("creditor_reference") or "").strip()
        accounts = Account.objects.filter(portfolio__creditor=creditor, creditor_reference=reference)
        portfolio = (row.get("portfolio") or "").strip()
        if portfolio:
            accounts = accounts.filter(portfolio__reference=portfolio)
        found = list(accounts.select_related("debtor")[:2])
        account = found[0] if len(found) == 1 else None
        if not found:
            problems.append((number, "creditor_reference", _("no account %(ref)s of this creditor") % {"ref": reference}))
        elif len(found) > 1:
            problems.append((number, "creditor_reference", _(
                "the creditor has account %(ref)s in several portfolios; add a 'portfolio' column naming it")
                % {"ref": reference}))
        raw = (row.get("amount") or "").strip().replace(" ", "")
        if "," in raw and "." in raw:  # thousands separators: the last one is the decimal mark
            raw = raw.replace(".", "").replace(",", ".") if raw.rfind(",") > raw.rfind(".") else raw.replace(",", "")
        elif "," in raw:
            raw = raw.replace(",", ".")
        amount: Decimal | None
        try:
            amount = Decimal(raw)
            if not amount.is_finite() or amount <= 0 or amount >= MAX_AMOUNT or amount != round(amount, 2):
                raise ArithmeticError
        except (ArithmeticError, ValueError):
            problems.append((number, "amount", _("%(value)r is not a positive amount with at most two decimals")
                             % {"value": row.get("amount")}))
            amount = None  # the row's other columns are still checked: every problem at once
        paid_on = None
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                paid_on = dt.datetime.strptime((row.get("paid_on") or "").strip(), fmt).date()  # noqa: DTZ007
                break
            except ValueError:
                continue
        if paid_on is None:
            problems.append((number, "paid_on", _("%(value)r is not a date") % {"value": row.get("paid_on")}))
        elif paid_on > timezone.localdate() or paid_on < EARLIEST_PAYMENT:
            problems.append((number, "paid_on", _("not a plausible payment date")))
        if account is not None and paid_on is not None and amount is not None:
            own = (row.get("reference") or "").strip()
            if own:
                key = own
            else:  # two equal payments on one day are two payments: the occurrence tells them apart
                base = hashlib.sha256(f"{reference}|{amount}|{paid_on}".encode()).hexdigest()[:32]
                seen[base] = seen.get(base, 0) + 1
                key = f"{base}:{seen[base]}"
            key = f"creditor:{creditor.code}:{key}"[:160]
            earlier = Payment.objects.filter(idempotency_key=key).first()
            if earlier is not None and (earlier.amount, earlier.received_on, earlier.debtor_id) != (
                    amount, paid_on, account.debtor_id):
                problems.append((number, "reference", _(
                    "reference %(ref)s was already registered for another payment (%(amount)s on %(date)s)") % {
                    "ref": own or reference, "amount": earlier.amount, "date": earlier.received_on.isoformat()}))
                continue
            if own and own in in_file and in_file[own] != (account.pk, amount, paid_on):
                problems.append((number, "reference", _("reference %(ref)s names two different payments in this file")
                                 % {"ref": own}))
                continue
            in_file.setdefault(own, (account.pk, amount, paid_on))
            rows.append((number, account, amount, paid_on, own, key))
    if problems:
        raise PaymentFileError(problems)
    created = skipped = 0
    with transaction.atomic():
        for number, account, amount, paid_on, own, key in rows:
            if Payment.objects.filter(idempotency_key=key).exists():
                skipped += 1
                continue
            try:
                payment_register(debtor=account.debtor, amount=amount, currency=account.currency, received_on=paid_on,
                                 method=PaymentMethod.CREDITOR, source=PaymentSource.CREDITOR_FILE,
                                 idempotency_key=key, actor=actor, account=account, reference=own)
            except PaymentError as exc:
                raise PaymentFileError([(number, "amount", f"{account.creditor_reference}: {exc}")]) from exc
            created += 1
    return {"rows": len(rows), "registered": created, "already_registered": skipped}
