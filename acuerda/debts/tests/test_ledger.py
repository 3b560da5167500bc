"""The ledger is the truth: cached balances always equal the sum of the entries."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from acuerda.core.models import AppendOnlyError
from acuerda.debts.allocation import COMPONENTS
from acuerda.debts.choices import AccountStatus, EntryKind, EventKind
from acuerda.debts.models import Account, AccountEvent, LedgerEntry
from acuerda.debts.selectors import ledger_mismatches, ledger_sums
from acuerda.debts.services import (
    LedgerError,
    account_open,
    ledger_post,
    ledger_reverse,
    payment_post,
)

TODAY = dt.date(2026, 3, 1)
amounts = st.integers(min_value=1, max_value=500_000).map(lambda c: Decimal(c) / 100)
signed = st.integers(min_value=-200_000, max_value=200_000).map(lambda c: Decimal(c) / 100)

operation = st.one_of(
    st.tuples(st.just("interest"), amounts),
    st.tuples(st.just("fee"), amounts),
    st.tuples(st.just("payment"), amounts),
    st.tuples(st.just("discount"), st.sampled_from(COMPONENTS), amounts),
    st.tuples(st.just("adjustment"), st.sampled_from(COMPONENTS), signed),
    st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=50)),
)

_counter = iter(range(10**9))


def _new_account(world) -> Account:
    return account_open(
        portfolio=world.p_es, debtor=world.debtor_es, creditor_reference=f"H-{next(_counter)}",
        product="credit_card", principal=Decimal("1000.00"), interest=Decimal("50.00"), fees=Decimal("20.00"),
        first_unpaid_due_on=TODAY, actor=world.admin,
    )


def _balances(account: Account) -> dict[str, Decimal]:
    account.refresh_from_db()
    return {c: getattr(account, c) for c in COMPONENTS}


def _apply(account: Account, op: tuple, actor) -> None:
    kind = op[0]
    if kind == "interest":
        ledger_post(account=account, kind=EntryKind.INTEREST, interest=op[1], effective_on=TODAY, actor=actor)
    elif kind == "fee":
        ledger_post(account=account, kind=EntryKind.FEE, fees=op[1], effective_on=TODAY, actor=actor)
    elif kind == "payment":
        payment_post(account=account, amount=op[1], effective_on=TODAY, actor=actor)
    elif kind in ("discount", "adjustment"):
        value = -op[2] if kind == "discount" else op[2]
        if value == 0:
            return
        ledger_post(account=account, kind=kind, effective_on=TODAY, actor=actor, **{op[1]: value})
    elif kind == "reverse":
        entries = list(LedgerEntry.objects.filter(account=account).exclude(kind=EntryKind.REVERSAL).order_by("pk"))
        ledger_reverse(entry=entries[op[1] % len(entries)], actor=actor, reason="property test")


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(operation, min_size=1, max_size=12))
def test_any_sequence_of_entries_keeps_balances_equal_to_the_ledger(world, ops):
    account = _new_account(world)
    for op in ops:
        before = _balances(account)
        entries_before = LedgerEntry.objects.filter(account=account).count()
        try:
            _apply(account, op, world.agent_es)
        except LedgerError:
            # A refused movement writes nothing at all.
            assert _balances(account) == before
            assert LedgerEntry.objects.filter(account=account).count() == entries_before
        balances = _balances(account)
        assert balances == ledger_sums(account=account)
        assert all(v >= 0 for v in balances.values())
        total = sum(balances.values())
        if total == 0:
            assert account.status in (AccountStatus.PAID, AccountStatus.SETTLED)
        else:
            assert account.status == AccountStatus.ACTIVE
    assert not ledger_mismatches(accounts=Account.objects.filter(pk=account.pk)).exists()


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(operation, max_size=8), last=operation)
def test_reversing_an_entry_restores_the_balances_before_it(world, ops, last):
    account = _new_account(world)
    for op in ops:
        with contextlib.suppress(LedgerError):
            _apply(account, op, world.agent_es)
    before = _balances(account)
    status_before = account.status
    latest = LedgerEntry.objects.filter(account=account).order_by("-pk").first()
    try:
        _apply(account, last, world.agent_es)
    except LedgerError:
        return
    entry = LedgerEntry.objects.filter(account=account).order_by("-pk").first()
    if entry.pk == latest.pk or entry.kind == EntryKind.REVERSAL:
        return  # nothing new was posted, or the operation was itself a reversal
    ledger_reverse(entry=entry, actor=world.agent_es, reason="undo")
    assert _balances(account) == before
    account.refresh_from_db()
    assert account.status == status_before


@pytest.mark.django_db
def test_payment_allocation_follows_the_creditor_order_and_writes_an_event(world):
    account = world.account_es
    entry = payment_post(account=account, amount=Decimal("100.00"), effective_on=TODAY, actor=world.agent_es)

    assert (entry.fees, entry.interest, entry.principal) == (Decimal("-30.00"), Decimal("-70.00"), Decimal("0.00"))
    account.refresh_from_db()
    assert (account.fees, account.interest, account.principal) == (Decimal("0"), Decimal("50.50"), Decimal("1500"))
    event = AccountEvent.objects.filter(account=account, kind=EventKind.LEDGER_POSTED).get()
    assert event.actor == world.agent_es and event.data["entry_id"] == entry.pk


@pytest.mark.django_db
def test_a_custom_allocation_order_is_honoured(world):
    world.bank_es.payment_allocation_order = ["principal", "interest", "fees"]
    world.bank_es.save(update_fields=["payment_allocation_order"])
    entry = payment_post(account=world.account_es, amount=Decimal("1600.00"), effective_on=TODAY, actor=None)
    assert (entry.principal, entry.interest, entry.fees) == (Decimal("-1500.00"), Decimal("-100.00"), Decimal("0.00"))


@pytest.mark.django_db
def test_paying_in_full_marks_paid_and_a_returned_payment_reopens(world):
    account = world.account_es
    payment = payment_post(account=account, amount=Decimal("1650.50"), effective_on=TODAY, actor=world.agent_es)
    account.refresh_from_db()
    assert account.status == AccountStatus.PAID and account.balance.amount == 0

    ledger_reverse(entry=payment, actor=world.supervisor, reason="Direct debit returned")
    account.refresh_from_db()
    assert account.status == AccountStatus.ACTIVE and account.balance.amount == Decimal("1650.50")
    kinds = list(AccountEvent.objects.filter(account=account).order_by("pk").values_list("kind", "to_status"))
    assert kinds[-4:] == [
        (EventKind.LEDGER_POSTED, ""), (EventKind.STATUS_CHANGED, AccountStatus.PAID),
        (EventKind.LEDGER_REVERSED, ""), (EventKind.STATUS_CHANGED, AccountStatus.ACTIVE),
    ]


@pytest.mark.django_db
def test_a_discount_that_clears_the_balance_settles_the_account(world):
    account = world.account_es
    payment_post(account=account, amount=Decimal("1150.50"), effective_on=TODAY, actor=None)
    ledger_post(account=account, kind=EntryKind.DISCOUNT, principal=Decimal("-500.00"), effective_on=TODAY, actor=None)
    account.refresh_from_db()
    assert account.status == AccountStatus.SETTLED


@pytest.mark.django_db
def test_overpayment_is_refused_and_nothing_is_written(world):
    account = world.account_es
    with pytest.raises(LedgerError, match="exceeds the balance"):
        payment_post(account=account, amount=Decimal("5000.00"), effective_on=TODAY, actor=None)
    assert LedgerEntry.objects.filter(account=account).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "amounts", "message"),
    [
        (EntryKind.INTEREST, {"interest": Decimal("-1")}, "cannot decrease"),
        (EntryKind.INTEREST, {"principal": Decimal("1")}, "cannot move"),
        (EntryKind.FEE, {"interest": Decimal("1")}, "cannot move"),
        (EntryKind.PAYMENT, {"principal": Decimal("1")}, "cannot increase"),
        (EntryKind.DISCOUNT, {"fees": Decimal("5")}, "cannot increase"),
        (EntryKind.ADJUSTMENT, {"principal": Decimal("-2000")}, "below zero"),
        (EntryKind.ADJUSTMENT, {}, "at least one"),
        (EntryKind.REVERSAL, {"principal": Decimal("-1")}, "cannot be posted directly"),
        (EntryKind.FEE, {"fees": Decimal("1.005")}, "two decimals"),
    ],
)
def test_entries_breaking_the_rules_are_refused(world, kind, amounts, message):
    with pytest.raises(LedgerError, match=message):
        ledger_post(account=world.account_es, kind=kind, effective_on=TODAY, actor=None, **amounts)
    assert LedgerEntry.objects.filter(account=world.account_es).count() == 1


@pytest.mark.django_db
def test_floats_are_refused_as_money(world):
    with pytest.raises(TypeError, match="float"):
        ledger_post(account=world.account_es, kind=EntryKind.FEE, fees=1.1, effective_on=TODAY, actor=None)


@pytest.mark.django_db
def test_an_external_reference_makes_posting_idempotent(world):
    first = payment_post(account=world.account_es, amount=Decimal("10.00"), effective_on=TODAY, actor=None, external_reference="N43-0001")
    again = payment_post(account=world.account_es, amount=Decimal("10.00"), effective_on=TODAY, actor=None, external_reference="N43-0001")
    assert again.pk == first.pk
    assert LedgerEntry.objects.filter(account=world.account_es, kind=EntryKind.PAYMENT).count() == 1
    with pytest.raises(LedgerError, match="already used"):
        payment_post(account=world.account_es, amount=Decimal("11.00"), effective_on=TODAY, actor=None, external_reference="N43-0001")


@pytest.mark.django_db
def test_an_entry_is_reversed_at_most_once_and_reversals_are_final(world):
    entry = ledger_post(account=world.account_es, kind=EntryKind.FEE, fees=Decimal("5.00"), effective_on=TODAY, actor=None)
    reversal = ledger_reverse(entry=entry, actor=None, reason="charged by mistake")
    with pytest.raises(LedgerError, match="already been reversed"):
        ledger_reverse(entry=entry, actor=None, reason="again")
    with pytest.raises(LedgerError, match="cannot itself be reversed"):
        ledger_reverse(entry=reversal, actor=None, reason="undo the undo")


@pytest.mark.django_db
def test_ledger_rows_and_events_are_append_only(world):
    entry = LedgerEntry.objects.filter(account=world.account_es).first()
    entry.memo = "edited"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(account=world.account_es).update(memo="x")
    with pytest.raises(AppendOnlyError):
        AccountEvent.objects.filter(account=world.account_es).delete()


@pytest.mark.django_db
def test_the_ledger_check_finds_a_tampered_balance(world):
    assert not ledger_mismatches().exists()
    Account.objects.filter(pk=world.account_co.pk).update(fees=Decimal("1.00"))  # simulated corruption
    assert list(ledger_mismatches().values_list("pk", flat=True)) == [world.account_co.pk]


@pytest.mark.django_db
def test_placement_writes_opening_entry_and_placed_event(world):
    account = world.account_co
    entry = LedgerEntry.objects.get(account=account)
    assert (entry.kind, entry.principal, entry.fees) == (EntryKind.PLACEMENT, Decimal("850000"), Decimal("25000"))
    event = AccountEvent.objects.get(account=account)
    assert (event.kind, event.to_status, event.actor) == (EventKind.PLACED, AccountStatus.ACTIVE, world.admin)
    assert account.currency == "COP"
