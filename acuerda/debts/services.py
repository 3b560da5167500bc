"""Every write to accounts and ledgers. Each function is atomic, takes the acting user, and
writes the account's event in the same transaction as the change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from acuerda.core.money import to_decimal
from acuerda.debts.allocation import COMPONENTS, allocate
from acuerda.debts.choices import (
    ACCOUNT_TRANSITIONS,
    OPEN_STATUSES,
    AccountPartyRole,
    AccountStatus,
    EntryKind,
    EventKind,
)
from acuerda.debts.models import (
    ZERO,
    Account,
    AccountEvent,
    AccountParty,
    LedgerCheckRun,
    LedgerEntry,
)

if TYPE_CHECKING:
    from acuerda.debtors.models import Debtor
    from acuerda.people.models import User
    from acuerda.portfolios.models import Portfolio


# Reasons written to the timeline are stored untranslated and translated when shown.
BALANCE_CHANGED_BY: dict[str, str] = {
    EntryKind.PAYMENT: gettext_noop("Balance changed by a payment"),
    EntryKind.DISCOUNT: gettext_noop("Balance changed by a discount"),
    EntryKind.ADJUSTMENT: gettext_noop("Balance changed by an adjustment"),
    EntryKind.INTEREST: gettext_noop("Balance changed by interest"),
    EntryKind.FEE: gettext_noop("Balance changed by a fee"),
}


class LedgerError(ValueError):
    """A ledger movement that would break the ledger's rules; nothing was written."""


class InvalidTransition(ValueError):
    """A status change that the transition table does not allow; nothing was written."""


# Which sign each component may take per entry kind: +1 only increases, -1 only decreases,
# 0 must be zero, None may be either. Reversals are built by ``ledger_reverse`` only.
_SIGN_RULES: dict[str, dict[str, int | None]] = {
    EntryKind.PLACEMENT: {"principal": 1, "interest": 1, "fees": 1},
    EntryKind.INTEREST: {"principal": 0, "interest": 1, "fees": 0},
    EntryKind.FEE: {"principal": 0, "interest": 0, "fees": 1},
    EntryKind.PAYMENT: {"principal": -1, "interest": -1, "fees": -1},
    EntryKind.DISCOUNT: {"principal": -1, "interest": -1, "fees": -1},
    EntryKind.ADJUSTMENT: {"principal": None, "interest": None, "fees": None},
}


def _event(
    account: Account, *, kind: str, actor: User | None, reason: str = "", at: dt.datetime | None = None,
    from_status: str = "", to_status: str = "", data: dict[str, Any] | None = None,
) -> AccountEvent:
    return AccountEvent.objects.create(
        account=account, kind=kind, at=at or timezone.now(), actor=actor, reason=reason,
        from_status=from_status, to_status=to_status, data=data or {},
    )


def _lock(account: Account) -> Account:
    """Re-read the account under a row lock (SQLite serialises writers with IMMEDIATE transactions)."""
    return Account.objects.select_for_update().get(pk=account.pk)


def _amounts(principal: Any, interest: Any, fees: Any) -> dict[str, Decimal]:
    values = {"principal": principal, "interest": interest, "fees": fees}
    result = {}
    for name, value in values.items():
        amount = to_decimal(value, field=name)
        if amount != amount.quantize(Decimal("0.01")):
            raise LedgerError(_("%(field)s: %(value)s has more than two decimals.") % {"field": name, "value": amount})
        result[name] = amount.quantize(Decimal("0.01"))
    return result


def _check_signs(kind: str, amounts: dict[str, Decimal]) -> None:
    rules = _SIGN_RULES.get(kind)
    if rules is None:
        raise LedgerError(_("Entries of kind %(kind)s cannot be posted directly.") % {"kind": kind})
    if all(v == 0 for v in amounts.values()):
        raise LedgerError(_("A ledger entry must move at least one balance component."))
    for component, sign in rules.items():
        value = amounts[component]
        if sign == 0 and value != 0:
            raise LedgerError(_("A %(kind)s entry cannot move %(component)s.") % {"kind": kind, "component": component})
        if sign == 1 and value < 0:
            raise LedgerError(_("A %(kind)s entry cannot decrease %(component)s.") % {"kind": kind, "component": component})
        if sign == -1 and value > 0:
            raise LedgerError(_("A %(kind)s entry cannot increase %(component)s.") % {"kind": kind, "component": component})


def _apply(account: Account, amounts: dict[str, Decimal]) -> None:
    for component in COMPONENTS:
        new = getattr(account, component) + amounts[component]
        if new < 0:
            raise LedgerError(
                _("The entry would leave %(component)s at %(value)s on account %(ref)s; balances cannot go below zero.")
                % {"component": component, "value": new, "ref": account.creditor_reference}
            )
        setattr(account, component, new)
    account.save(update_fields=list(COMPONENTS))


def _set_status(account: Account, to_status: str, *, actor: User | None, reason: str) -> None:
    from_status = account.status
    if to_status not in ACCOUNT_TRANSITIONS.get(from_status, frozenset()):
        raise InvalidTransition(
            _("Account %(ref)s cannot move from %(from)s to %(to)s.")
            % {"ref": account.creditor_reference, "from": from_status, "to": to_status}
        )
    account.status = to_status
    account.status_changed_at = timezone.now()
    account.save(update_fields=["status", "status_changed_at"])
    _event(account, kind=EventKind.STATUS_CHANGED, actor=actor, reason=reason, from_status=from_status, to_status=to_status)


def _follow_balance(account: Account, *, actor: User | None, reason: str) -> None:
    """Close out an account paid to zero, and reopen one a reversal put back in debt."""
    total = account.principal + account.interest + account.fees
    if total == 0 and account.status in OPEN_STATUSES:
        discounted = account.ledger_entries.filter(kind=EntryKind.DISCOUNT, reversed_by__isnull=True).exists()
        target = AccountStatus.SETTLED if discounted else AccountStatus.PAID
        if target in ACCOUNT_TRANSITIONS[account.status]:
            _set_status(account, target, actor=actor, reason=reason)
    elif total > 0 and account.status in (AccountStatus.PAID, AccountStatus.SETTLED):
        _set_status(account, AccountStatus.ACTIVE, actor=actor, reason=reason)


def _entry_summary(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "entry_id": entry.pk,
        "kind": entry.kind,
        "principal": str(entry.principal),
        "interest": str(entry.interest),
        "fees": str(entry.fees),
        "effective_on": entry.effective_on.isoformat(),
    }


@transaction.atomic
def account_open(
    *,
    portfolio: Portfolio,
    debtor: Debtor,
    creditor_reference: str,
    product: str,
    principal: Decimal | str,
    interest: Decimal | str = ZERO,
    fees: Decimal | str = ZERO,
    first_unpaid_due_on: dt.date | None,
    actor: User | None,
    co_debtors: Iterable[Debtor] = (),
    guarantors: Iterable[Debtor] = (),
) -> Account:
    """Place a new account in a portfolio with its opening balances as the first ledger entry."""
    amounts = _amounts(principal, interest, fees)
    _check_signs(EntryKind.PLACEMENT, amounts)
    now = timezone.now()
    account = Account.objects.create(
        portfolio=portfolio,
        debtor=debtor,
        creditor_reference=creditor_reference.strip(),
        product=product,
        currency=portfolio.currency,
        original_principal=amounts["principal"],
        original_interest=amounts["interest"],
        original_fees=amounts["fees"],
        first_unpaid_due_on=first_unpaid_due_on,
        status=AccountStatus.ACTIVE,
        status_changed_at=now,
    )
    entry = LedgerEntry.objects.create(
        account=account, kind=EntryKind.PLACEMENT, effective_on=portfolio.placed_on, posted_at=now,
        actor=actor, **amounts,
    )
    _apply(account, amounts)
    _event(account, kind=EventKind.PLACED, actor=actor, at=now, to_status=AccountStatus.ACTIVE, data=_entry_summary(entry))
    for role, parties in ((AccountPartyRole.CO_DEBTOR, co_debtors), (AccountPartyRole.GUARANTOR, guarantors)):
        for party in parties:
            account_party_add(account=account, debtor=party, role=role, actor=actor)
    return account


@transaction.atomic
def account_party_add(*, account: Account, debtor: Debtor, role: str, actor: User | None) -> AccountParty:
    if debtor.pk == account.debtor_id:
        raise ValueError(_("The account holder cannot also be its co-debtor or guarantor."))
    party, created = AccountParty.objects.get_or_create(account=account, debtor=debtor, role=role)
    if created:
        _event(account, kind=EventKind.PARTY_ADDED, actor=actor, data={"debtor_id": debtor.pk, "role": role})
    return party


@transaction.atomic
def account_transition(*, account: Account, to_status: str, actor: User | None, reason: str) -> Account:
    """Move an account to another status, if and only if the transition table allows it."""
    if to_status not in AccountStatus.values:
        raise InvalidTransition(_("%(status)s is not an account status.") % {"status": to_status})
    if not reason.strip():
        raise InvalidTransition(_("A status change needs a reason."))
    locked = _lock(account)
    _set_status(locked, to_status, actor=actor, reason=reason.strip())
    return locked


@transaction.atomic
def ledger_post(
    *,
    account: Account,
    kind: str,
    principal: Decimal | str = ZERO,
    interest: Decimal | str = ZERO,
    fees: Decimal | str = ZERO,
    effective_on: dt.date,
    actor: User | None,
    memo: str = "",
    external_reference: str = "",
) -> LedgerEntry:
    """Post one signed movement. With an ``external_reference`` it is idempotent: posting the
    same movement again returns the first entry; a different one under the same key is refused."""
    amounts = _amounts(principal, interest, fees)
    _check_signs(kind, amounts)
    locked = _lock(account)
    if external_reference:
        existing = LedgerEntry.objects.filter(account=locked, external_reference=external_reference).first()
        if existing is not None:
            same = existing.kind == kind and all(getattr(existing, c) == amounts[c] for c in COMPONENTS)
            if same:
                return existing
            raise LedgerError(
                _("Reference %(ref)s was already used on this account for a different movement.")
                % {"ref": external_reference}
            )
    _apply(locked, amounts)
    entry = LedgerEntry.objects.create(
        account=locked, kind=kind, effective_on=effective_on, posted_at=timezone.now(), actor=actor,
        memo=memo, external_reference=external_reference, **amounts,
    )
    _event(locked, kind=EventKind.LEDGER_POSTED, actor=actor, reason=memo, data=_entry_summary(entry))
    _follow_balance(locked, actor=actor, reason=memo or BALANCE_CHANGED_BY[entry.kind])
    account.refresh_from_db()
    return entry


@transaction.atomic
def payment_post(
    *,
    account: Account,
    amount: Decimal | str,
    effective_on: dt.date,
    actor: User | None,
    order: Sequence[str] | None = None,
    memo: str = "",
    external_reference: str = "",
) -> LedgerEntry:
    """Apply a payment across components by the creditor's allocation order (or ``order``).

    More than the balance is refused: overpayments are a matter for the payments back office.
    """
    value = _amounts(amount, ZERO, ZERO)["principal"]
    locked = _lock(account)
    if external_reference:
        existing = LedgerEntry.objects.filter(account=locked, external_reference=external_reference).first()
        if existing is not None and existing.kind == EntryKind.PAYMENT and -existing.total == value:
            return existing
    allocation_order = order or locked.portfolio.creditor.payment_allocation_order
    balances = {c: getattr(locked, c) for c in COMPONENTS}
    split = allocate(value, balances, allocation_order)
    if split.unapplied > 0:
        raise LedgerError(
            _("A payment of %(amount)s exceeds the balance of %(balance)s on account %(ref)s.")
            % {"amount": value, "balance": sum(balances.values()), "ref": locked.creditor_reference}
        )
    return ledger_post(
        account=account, kind=EntryKind.PAYMENT, effective_on=effective_on, actor=actor,
        memo=memo, external_reference=external_reference,
        **{c: -split.parts[c] for c in COMPONENTS},
    )


@transaction.atomic
def ledger_reverse(*, entry: LedgerEntry, actor: User | None, reason: str) -> LedgerEntry:
    """Cancel an entry with its exact negation; the account returns to the state before it."""
    if not reason.strip():
        raise LedgerError(_("A reversal needs a reason."))
    locked = _lock(entry.account)
    entry = LedgerEntry.objects.get(pk=entry.pk)
    if entry.kind == EntryKind.REVERSAL:
        raise LedgerError(_("A reversal cannot itself be reversed; post a new entry instead."))
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise LedgerError(_("Entry %(id)s has already been reversed.") % {"id": entry.pk})
    amounts = {c: -getattr(entry, c) for c in COMPONENTS}
    _apply(locked, amounts)
    reversal = LedgerEntry.objects.create(
        account=locked, kind=EntryKind.REVERSAL, effective_on=timezone.localdate(), posted_at=timezone.now(),
        reverses=entry, actor=actor, memo=reason.strip()[:255], **amounts,
    )
    _event(locked, kind=EventKind.LEDGER_REVERSED, actor=actor, reason=reason.strip(), data=_entry_summary(reversal))
    _follow_balance(locked, actor=actor, reason=reason.strip())
    entry.account.refresh_from_db()
    return reversal


def ledger_check_run(*, batch_size: int = 50_000) -> LedgerCheckRun:
    """Compare every account's cached balances with its ledger, in id-ordered batches so a
    portfolio of millions never needs one giant query, and record the outcome."""
    from acuerda.debts.selectors import ledger_mismatches

    run = LedgerCheckRun.objects.create(started_at=timezone.now())
    last_id = 0
    checked = 0
    mismatched: list[int] = []
    count = 0
    while True:
        ids = list(Account.objects.filter(pk__gt=last_id).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        batch = Account.objects.filter(pk__gte=ids[0], pk__lte=ids[-1])
        found = list(ledger_mismatches(accounts=batch).values_list("pk", flat=True))
        count += len(found)
        mismatched.extend(found[: max(0, 1000 - len(mismatched))])
        checked += len(ids)
        last_id = ids[-1]
    run.finished_at = timezone.now()
    run.accounts_checked = checked
    run.mismatches = count
    run.mismatched_account_ids = mismatched
    run.save(update_fields=["finished_at", "accounts_checked", "mismatches", "mismatched_account_ids"])
    return run
