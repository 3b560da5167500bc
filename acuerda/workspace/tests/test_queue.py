"""The work queue: what "next account" gives, in which order, to whom, and never twice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from acuerda.debts.services import account_open

from .conftest import NOW

pytestmark = pytest.mark.django_db


def _open(world, ref: str, principal: str, due: dt.date, *, debtor=None):  # type: ignore[no-untyped-def]
    from acuerda.debtors.identifiers import demo_national_id
    from acuerda.debtors.services import contact_point_add, debtor_get_or_create

    if debtor is None:
        debtor, _ = debtor_get_or_create(country="ES", id_type="DNI",
                                         id_number=demo_national_id(country="ES", id_type="DNI", seq=100 + len(ref)
                                                                    + int(principal)),
                                         first_name="Ana", last_name=ref)
        contact_point_add(debtor=debtor, kind="phone", value="611 22 33 44", source="creditor", default_region="ES")
    return account_open(portfolio=world.p_es, debtor=debtor, creditor_reference=ref, product="personal_loan",
                        principal=Decimal(principal), first_unpaid_due_on=due, actor=world.admin)


def test_priority_is_balance_times_days_past_due(ws):  # type: ignore[no-untyped-def]
    from acuerda.workspace.models import QueueItem
    from acuerda.workspace.queue import queue_refresh

    small_old = _open(ws, "SMALL-OLD", "100", NOW.date() - dt.timedelta(days=300))
    big_new = _open(ws, "BIG-NEW", "5000", NOW.date() - dt.timedelta(days=10))
    queue_refresh(today=NOW.date())
    items = {i.account_id: i.priority for i in QueueItem.objects.all()}
    assert items[small_old.pk] == 100 * 300
    assert items[big_new.pk] == 5000 * 10
    # LN-0001: 1650.50 EUR, first unpaid 2025-11-01, 121 days on 2026-03-02
    assert items[ws.account_es.pk] == int(Decimal("1650.50") * 121)
    # COP: 875,000 COP at 4,000 COP a point, 51 days
    assert items[ws.account_co.pk] == int(Decimal("875000") / 4000 * 51)


def test_bucket_weights_and_cap_per_creditor(ws):  # type: ignore[no-untyped-def]
    from acuerda.workspace.models import QueueItem, WorkPriorityRule
    from acuerda.workspace.queue import queue_refresh

    old = _open(ws, "ANCIENT", "100", NOW.date() - dt.timedelta(days=900))
    WorkPriorityRule.objects.create(creditor=ws.bank_es, balance_unit=Decimal("10"), max_days=500,
                                    bucket_weights={"91-180": 3, "361+": "0.5"})
    queue_refresh(creditor=ws.bank_es, today=NOW.date())
    items = {i.account_id: i.priority for i in QueueItem.objects.all()}
    assert items[old.pk] == int(100 / 10 * 500 * 0.5)  # capped at 500 days, weight 0.5
    assert items[ws.account_es.pk] == int(Decimal("165.05") * 121 * 3)  # 121 days: bucket 91-180
    item = QueueItem.objects.get(account=ws.account_es)
    assert (item.bucket, item.language) == ("91-180", "es")
    assert QueueItem.objects.get(account=old).bucket == "361+"


def test_refresh_drops_accounts_no_longer_workable_and_keeps_holds(ws):  # type: ignore[no-untyped-def]
    from acuerda.debts.services import account_transition
    from acuerda.workspace.models import QueueItem
    from acuerda.workspace.queue import queue_refresh

    hold = NOW + dt.timedelta(days=2)
    QueueItem.objects.filter(account=ws.account_co).update(not_before=hold)
    account_transition(account=ws.account_es, to_status="disputed", actor=ws.admin, reason="Disputed in writing")
    queue_refresh(today=NOW.date())
    assert not QueueItem.objects.filter(account=ws.account_es).exists()
    assert QueueItem.objects.get(account=ws.account_co).not_before == hold


def test_next_account_gives_the_highest_priority_of_the_agents_teams(ws, clock):  # type: ignore[no-untyped-def]
    from acuerda.workspace.queue import next_account, queue_refresh

    bigger = _open(ws, "BIGGER", "9000", NOW.date() - dt.timedelta(days=200))
    queue_refresh(today=NOW.date())
    first = next_account(agent=ws.agent_es, now=clock())
    assert first is not None and first.account == bigger and first.reason == "priority"
    # agent_es's team works p_es only: the Colombian account is never offered to them.
    second = next_account(agent=ws.agent_es, now=clock())
    assert second is not None and second.account in (bigger, ws.account_es)
    assert second.account.portfolio_id == ws.p_es.pk


def test_two_agents_never_get_the_same_account(ws, clock):  # type: ignore[no-untyped-def]
    from acuerda.workspace.models import WorkClaim
    from acuerda.workspace.queue import next_account

    first = next_account(agent=ws.agent_es, now=clock())
    second = next_account(agent=ws.supervisor, now=clock())
    assert first is not None
    assert second is None or second.account != first.account
    assert WorkClaim.objects.filter(account=first.account).count() == 1


def test_a_claim_expires_when_abandoned(ws, clock):  # type: ignore[no-untyped-def]
    from acuerda.workspace.queue import CLAIM_TTL, next_account

    first = next_account(agent=ws.agent_es, now=clock())
    assert first is not None
    assert next_account(agent=ws.supervisor, now=clock()) is None  # only one account in p_es
    later = clock.advance(seconds=CLAIM_TTL.total_seconds() + 60)
    taken = next_account(agent=ws.supervisor, now=later)
    assert taken is not None and taken.account == first.account


def test_the_gate_holds_back_an_account_it_blocks(ws, clock):  # type: ignore[no-untyped-def]
    from acuerda.compliance.services import account_restriction_set
    from acuerda.workspace.models import QueueItem
    from acuerda.workspace.queue import next_account

    account_restriction_set(account=ws.account_es, actor=ws.admin, cease_request=True)
    assert next_account(agent=ws.agent_es, now=clock()) is None
    item = QueueItem.objects.get(account=ws.account_es)
    assert item.not_before is not None and item.not_before > clock()


def test_outside_legal_hours_nothing_is_given(ws, clock):  # type: ignore[no-untyped-def]
    from acuerda.workspace.queue import next_account

    late = clock.advance(hours=11)  # 22:00 in Madrid
    assert next_account(agent=ws.agent_es, now=late) is None


def test_due_callbacks_come_before_priorities(ws, clock):  # type: ignore[no-untyped-def]
    from acuerda.workspace.models import Callback
    from acuerda.workspace.queue import next_account, queue_refresh

    _open(ws, "HUGE", "90000", NOW.date() - dt.timedelta(days=300))
    queue_refresh(today=NOW.date())
    Callback.objects.create(account=ws.account_es, due_at=clock() - dt.timedelta(minutes=5), assigned_to=ws.agent_es,
                            created_at=clock(), created_by=ws.agent_es)
    got = next_account(agent=ws.agent_es, now=clock())
    assert got is not None and got.account == ws.account_es and got.reason == "callback"


def test_broken_promises_come_before_priorities(ws, clock):  # type: ignore[no-untyped-def]
    from acuerda.agreements.models import PromiseToPay
    from acuerda.workspace.queue import next_account, queue_refresh

    _open(ws, "HUGE", "90000", NOW.date() - dt.timedelta(days=300))
    queue_refresh(today=NOW.date())
    PromiseToPay.objects.create(account=ws.account_es, amount=Decimal("100"), currency="EUR",
                                due_on=NOW.date() - dt.timedelta(days=10), status="broken",
                                made_at=clock() - dt.timedelta(days=20), resolved_at=clock() - dt.timedelta(days=5))
    got = next_account(agent=ws.agent_es, now=clock())
    assert got is not None and got.account == ws.account_es and got.reason == "broken_promise"


def test_skills_restrict_what_an_agent_is_given(ws, clock):  # type: ignore[no-untyped-def]
    from acuerda.people.models import AgentProfile
    from acuerda.workspace.queue import next_account

    AgentProfile.objects.filter(user=ws.agent_es).update(skill_buckets=["1-30"])
    assert next_account(agent=ws.agent_es, now=clock()) is None  # LN-0001 is 121 days past due
    AgentProfile.objects.filter(user=ws.agent_es).update(skill_buckets=["91-180"], languages=["en"])
    assert next_account(agent=ws.agent_es, now=clock()) is None  # Lucía speaks Spanish
    AgentProfile.objects.filter(user=ws.agent_es).update(languages=["es", "ca"], skill_sectors=["telecom"])
    assert next_account(agent=ws.agent_es, now=clock()) is None  # the bank is not a telco
    AgentProfile.objects.filter(user=ws.agent_es).update(skill_sectors=["banking", "telecom"])
    assert next_account(agent=ws.agent_es, now=clock()) is not None


def test_creditor_users_and_compliance_officers_do_not_work_accounts(ws, clock):  # type: ignore[no-untyped-def]
    from acuerda.workspace.queue import WorkspaceError, next_account

    for user in (ws.creditor_es, ws.compliance):
        with pytest.raises(WorkspaceError):
            next_account(agent=user, now=clock())


def test_opening_an_account_someone_else_holds_keeps_ones_own_claim(ws, clock):  # type: ignore[no-untyped-def]
    from acuerda.workspace.models import WorkClaim
    from acuerda.workspace.queue import WorkspaceError, account_claim

    other = _open(ws, "OTHER-1", "500", NOW.date() - dt.timedelta(days=60))
    account_claim(agent=ws.agent_es, account=ws.account_es, now=clock())
    account_claim(agent=ws.supervisor, account=other, now=clock())
    with pytest.raises(WorkspaceError):
        account_claim(agent=ws.agent_es, account=other, now=clock())
    assert WorkClaim.objects.get(agent=ws.agent_es).account == ws.account_es


def test_a_write_after_the_claim_expired_and_was_taken_over_is_refused(ws, clock):  # type: ignore[no-untyped-def]
    from acuerda.workspace.queue import CLAIM_TTL, WorkspaceError, account_claim, claim_require

    account_claim(agent=ws.agent_es, account=ws.account_es, now=clock())
    later = clock.advance(seconds=CLAIM_TTL.total_seconds() + 1)
    account_claim(agent=ws.supervisor, account=ws.account_es, now=later)
    with pytest.raises(WorkspaceError, match="working this account"):
        claim_require(agent=ws.agent_es, account=ws.account_es, now=later)


def test_a_callback_the_gate_blocks_is_held_not_checked_again_and_again(ws, clock):  # type: ignore[no-untyped-def]
    from acuerda.compliance.models import ContactDecision
    from acuerda.compliance.services import account_restriction_set
    from acuerda.workspace.models import Callback
    from acuerda.workspace.queue import next_account

    Callback.objects.create(account=ws.account_es, due_at=clock() - dt.timedelta(minutes=5), assigned_to=ws.agent_es,
                            created_at=clock(), created_by=ws.agent_es)
    account_restriction_set(account=ws.account_es, actor=ws.admin, cease_request=True)
    assert next_account(agent=ws.agent_es, now=clock()) is None
    asked = ContactDecision.objects.count()
    assert next_account(agent=ws.agent_es, now=clock()) is None
    assert ContactDecision.objects.count() == asked  # held: the gate is not asked again


def test_a_followed_up_broken_promise_takes_its_turn_by_priority(ws, clock):  # type: ignore[no-untyped-def]
    """After a call about the broken promise (whatever its outcome) the account no longer jumps
    the queue every time its hold ends."""
    from acuerda.agreements.models import PromiseToPay
    from acuerda.workspace.models import Disposition
    from acuerda.workspace.queue import next_account, queue_refresh
    from acuerda.workspace.services import interaction_record

    huge = _open(ws, "HUGE", "90000", NOW.date() - dt.timedelta(days=300))
    queue_refresh(today=NOW.date())
    promise = PromiseToPay.objects.create(account=ws.account_es, amount=Decimal("100"), currency="EUR",
                                          due_on=NOW.date() - dt.timedelta(days=10), status="broken",
                                          made_at=clock() - dt.timedelta(days=20), resolved_at=clock() - dt.timedelta(days=5))
    got = next_account(agent=ws.agent_es, now=clock())
    assert got is not None and got.reason == "broken_promise"
    interaction_record(agent=ws.agent_es, account=ws.account_es, channel="call",
                       disposition=Disposition.objects.get(creditor=None, code="no_answer"),
                       contact_point=ws.account_es.debtor.contact_points.filter(kind="phone").first(), now=clock())
    promise.refresh_from_db()
    assert promise.followed_up_at is not None
    clock.advance(hours=4)  # the no-answer hold is over
    got = next_account(agent=ws.agent_es, now=clock())
    assert got is not None and got.account == huge and got.reason == "priority"


def test_callbacks_on_accounts_out_of_work_are_not_offered(ws, clock):  # type: ignore[no-untyped-def]
    from acuerda.debts.services import account_transition
    from acuerda.workspace.models import Callback
    from acuerda.workspace.queue import next_account

    Callback.objects.create(account=ws.account_es, due_at=clock() - dt.timedelta(minutes=5), assigned_to=None,
                            created_at=clock(), created_by=ws.agent_es)
    account_transition(account=ws.account_es, to_status="on_hold", actor=ws.admin, reason="Legal review")
    assert next_account(agent=ws.agent_es, now=clock()) is None
