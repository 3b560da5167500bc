"""Every allowed account status move succeeds and leaves an event; every other one is refused."""

from __future__ import annotations

import itertools

import pytest

from acuerda.debts.choices import ACCOUNT_TRANSITIONS, AccountStatus, EventKind
from acuerda.debts.models import Account, AccountEvent
from acuerda.debts.services import InvalidTransition, account_transition

ALL_PAIRS = list(itertools.product(AccountStatus.values, AccountStatus.values))
ALLOWED = [(a, b) for a, b in ALL_PAIRS if b in ACCOUNT_TRANSITIONS[a]]
REFUSED = [(a, b) for a, b in ALL_PAIRS if b not in ACCOUNT_TRANSITIONS[a]]


def _put_in(account: Account, status: str) -> Account:
    # Test set-up only: place the account directly in the starting status.
    Account.objects.filter(pk=account.pk).update(status=status)
    account.refresh_from_db()
    return account


def test_the_table_covers_every_status_and_closed_is_final():
    assert set(ACCOUNT_TRANSITIONS) == set(AccountStatus.values)
    assert ACCOUNT_TRANSITIONS[AccountStatus.CLOSED] == frozenset()
    for targets in ACCOUNT_TRANSITIONS.values():
        assert targets <= set(AccountStatus.values)


@pytest.mark.django_db
@pytest.mark.parametrize(("from_status", "to_status"), ALLOWED)
def test_given_an_allowed_move_when_transitioning_then_status_changes_and_an_event_is_written(
    world, from_status, to_status
):
    account = _put_in(world.account_es, from_status)
    before = AccountEvent.objects.filter(account=account).count()

    account_transition(account=account, to_status=to_status, actor=world.supervisor, reason="test move")

    account.refresh_from_db()
    assert account.status == to_status
    event = AccountEvent.objects.filter(account=account).order_by("-pk").first()
    assert AccountEvent.objects.filter(account=account).count() == before + 1
    assert (event.kind, event.from_status, event.to_status) == (EventKind.STATUS_CHANGED, from_status, to_status)
    assert event.actor == world.supervisor and event.reason == "test move"


@pytest.mark.django_db
@pytest.mark.parametrize(("from_status", "to_status"), REFUSED)
def test_given_a_refused_move_when_transitioning_then_nothing_changes(world, from_status, to_status):
    account = _put_in(world.account_es, from_status)
    before = AccountEvent.objects.filter(account=account).count()

    with pytest.raises(InvalidTransition):
        account_transition(account=account, to_status=to_status, actor=world.supervisor, reason="test move")

    account.refresh_from_db()
    assert account.status == from_status
    assert AccountEvent.objects.filter(account=account).count() == before


@pytest.mark.django_db
def test_a_transition_needs_a_reason_and_a_known_status(world):
    with pytest.raises(InvalidTransition, match="reason"):
        account_transition(account=world.account_es, to_status="on_hold", actor=world.admin, reason="  ")
    with pytest.raises(InvalidTransition):
        account_transition(account=world.account_es, to_status="bogus", actor=world.admin, reason="x")
