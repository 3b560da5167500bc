"""Recording contacts, promises, callbacks, agreements within and beyond authority, leads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from acuerda.agreements.models import PromiseToPay
from acuerda.workspace.negotiation import Frequency, Offer

from .conftest import NOW

pytestmark = pytest.mark.django_db


def _disposition(code: str):  # type: ignore[no-untyped-def]
    from acuerda.workspace.models import Disposition

    return Disposition.objects.get(creditor__isnull=True, code=code)


def _phone(debtor):  # type: ignore[no-untyped-def]
    return debtor.contact_points.get(kind="phone")


@pytest.fixture
def claimed(ws, clock):  # type: ignore[no-untyped-def]
    from acuerda.workspace.queue import account_claim

    account_claim(agent=ws.agent_es, account=ws.account_es, now=clock())
    return ws


def test_a_no_answer_goes_into_the_contact_ledger_and_holds_the_account(claimed, clock):  # type: ignore[no-untyped-def]
    from acuerda.compliance.models import ContactAttempt
    from acuerda.workspace.models import QueueItem
    from acuerda.workspace.services import RETRY_AFTER_NO_CONTACT, interaction_record

    w = claimed
    interaction = interaction_record(agent=w.agent_es, account=w.account_es, channel="call",
                                     disposition=_disposition("no_answer"), contact_point=_phone(w.debtor_es),
                                     now=clock())
    attempt = ContactAttempt.objects.get()
    assert interaction.attempt == attempt and attempt.outcome == "no_answer" and attempt.actor == w.agent_es
    assert interaction.party_reached == "none"  # the disposition says so
    assert QueueItem.objects.get(account=w.account_es).not_before == clock() + RETRY_AFTER_NO_CONTACT


def test_a_contact_the_gate_blocks_is_refused_and_nothing_is_written(claimed, clock):  # type: ignore[no-untyped-def]
    from acuerda.compliance.models import ContactAttempt
    from acuerda.workspace.models import Interaction
    from acuerda.workspace.services import interaction_record

    w = claimed
    saturday = clock.advance(days=5)  # Saturday 7 March: no calls in the Spanish profile
    with pytest.raises(ValidationError) as error:
        interaction_record(agent=w.agent_es, account=w.account_es, channel="call", disposition=_disposition("busy"),
                           contact_point=_phone(w.debtor_es), now=saturday)
    assert "compliance gate blocks" in str(error.value)
    assert not Interaction.objects.exists() and not ContactAttempt.objects.exists()


def test_the_decision_from_dialling_clears_the_recorded_call(claimed, clock):  # type: ignore[no-untyped-def]
    from acuerda.compliance.models import ContactDecision
    from acuerda.compliance.services import contact_check
    from acuerda.workspace.services import interaction_record

    w = claimed
    decision = contact_check(account=w.account_es, channel="call", contact_point=_phone(w.debtor_es),
                             at=clock(), actor=w.agent_es)
    clock.advance(minutes=6)  # the conversation took six minutes
    interaction = interaction_record(agent=w.agent_es, account=w.account_es, channel="call",
                                     disposition=_disposition("right_party"), contact_point=_phone(w.debtor_es),
                                     decision=decision, note="Says she gets paid on the 10th", now=clock())
    assert interaction.attempt is not None and interaction.attempt.decision == decision
    assert interaction.at == decision.for_moment
    assert ContactDecision.objects.count() == 1


def test_inbound_contacts_need_no_gate_and_stay_out_of_the_ledger(claimed, clock):  # type: ignore[no-untyped-def]
    from acuerda.compliance.models import ContactAttempt
    from acuerda.workspace.services import interaction_record

    w = claimed
    sunday = clock.advance(days=6)
    interaction = interaction_record(agent=w.agent_es, account=w.account_es, channel="call", direction="inbound",
                                     disposition=_disposition("right_party"), now=sunday)
    assert interaction.attempt is None and not ContactAttempt.objects.exists()


def test_wrong_number_and_opt_out_update_the_contact_point(claimed, clock):  # type: ignore[no-untyped-def]
    from acuerda.debtors.models import ContactConsent
    from acuerda.workspace.services import interaction_record

    w = claimed
    phone = _phone(w.debtor_es)
    email = w.debtor_es.contact_points.get(kind="email")
    interaction_record(agent=w.agent_es, account=w.account_es, channel="email", disposition=_disposition("opt_out"),
                       party_reached="debtor", contact_point=email, now=clock())
    consent = ContactConsent.objects.get(contact_point=email)
    assert consent.channel == "email" and consent.granted is False and consent.recorded_by == w.agent_es
    interaction_record(agent=w.agent_es, account=w.account_es, channel="call",
                       disposition=_disposition("wrong_number"), contact_point=phone, now=clock.advance(minutes=1))
    phone.refresh_from_db()
    assert phone.status == "wrong_number"


def test_wrong_number_needs_the_contact_point(claimed, clock):  # type: ignore[no-untyped-def]
    from acuerda.workspace.services import interaction_record

    with pytest.raises(ValidationError) as error:
        interaction_record(agent=claimed.agent_es, account=claimed.account_es, channel="call",
                           disposition=_disposition("wrong_number"), now=clock())
    assert "contact_point" in error.value.message_dict


def test_a_promise_by_disposition_registers_it_and_holds_the_account(claimed, clock):  # type: ignore[no-untyped-def]
    from acuerda.agreements.models import PromiseToPay
    from acuerda.debts.models import AccountEvent
    from acuerda.workspace.models import QueueItem
    from acuerda.workspace.services import PromiseTerms, interaction_record

    w = claimed
    due = NOW.date() + dt.timedelta(days=8)
    interaction = interaction_record(agent=w.agent_es, account=w.account_es, channel="call",
                                     disposition=_disposition("promise_to_pay"), party_reached="debtor",
                                     contact_point=_phone(w.debtor_es), promise=PromiseTerms(Decimal("200.00"), due),
                                     now=clock())
    promise = PromiseToPay.objects.get()
    assert (promise.amount, promise.due_on, promise.grace_days, promise.interaction) == (Decimal("200.00"), due, 3,
                                                                                        interaction)
    assert AccountEvent.objects.filter(account=w.account_es, kind="promise_made").count() == 1
    hold = QueueItem.objects.get(account=w.account_es).not_before
    assert hold is not None and hold.date() == due + dt.timedelta(days=4)


def test_promise_limits(claimed, clock):  # type: ignore[no-untyped-def]
    from acuerda.workspace.services import promise_register

    w = claimed
    with pytest.raises(ValidationError) as error:
        promise_register(agent=w.agent_es, account=w.account_es, amount=Decimal("5000"),
                         due_on=NOW.date() + dt.timedelta(days=31), now=clock())
    assert set(error.value.message_dict) == {"amount", "due_on"}
    promise_register(agent=w.agent_es, account=w.account_es, amount=Decimal("1650.50"),
                     due_on=NOW.date() + dt.timedelta(days=30), now=clock())


def test_a_new_promise_replaces_the_pending_one(claimed, clock):  # type: ignore[no-untyped-def]
    from acuerda.agreements.models import PromiseToPay
    from acuerda.workspace.services import promise_register

    w = claimed
    first = promise_register(agent=w.agent_es, account=w.account_es, amount=Decimal("100"),
                             due_on=NOW.date() + dt.timedelta(days=5), now=clock())
    second = promise_register(agent=w.agent_es, account=w.account_es, amount=Decimal("150"),
                              due_on=NOW.date() + dt.timedelta(days=6), now=clock())
    first.refresh_from_db()
    assert first.status == "cancelled" and PromiseToPay.objects.get(status="pending") == second


def test_writes_need_the_claim(claimed, clock):  # type: ignore[no-untyped-def]
    from acuerda.workspace.queue import WorkspaceError
    from acuerda.workspace.services import promise_register

    w = claimed
    with pytest.raises(WorkspaceError, match="working this account"):
        promise_register(agent=w.supervisor, account=w.account_es, amount=Decimal("100"),
                         due_on=NOW.date() + dt.timedelta(days=5), now=clock())


def test_a_callback_at_a_time_the_gate_allows(claimed, clock):  # type: ignore[no-untyped-def]
    from acuerda.workspace.models import Callback
    from acuerda.workspace.services import callback_schedule, callback_slot

    w = claimed
    evening = NOW.replace(hour=21, minute=30)
    slot = callback_slot(account=w.account_es, at=evening)
    # A Spanish mobile may be in the Canaries: 09:00 there is 10:00 in Madrid.
    assert slot is not None and slot.astimezone(NOW.tzinfo) == NOW.replace(day=3, hour=10, minute=0)
    with pytest.raises(ValidationError, match="next allowed time"):
        callback_schedule(agent=w.agent_es, account=w.account_es, due_at=evening, now=clock())
    callback = callback_schedule(agent=w.agent_es, account=w.account_es, due_at=slot, now=clock())
    assert Callback.objects.get() == callback and callback.assigned_to == w.agent_es


def _offer(**kwargs):  # type: ignore[no-untyped-def]
    return Offer(first_payment_on=NOW.date() + dt.timedelta(days=7), **kwargs)


def test_terms_within_authority_are_agreed_directly(claimed, clock):  # type: ignore[no-untyped-def]
    from acuerda.agreements.models import PaymentPlan
    from acuerda.workspace.services import offer_assess, plan_agree

    w = claimed
    offer = _offer(discount_percent=Decimal("5"), instalments=3)
    assessment = offer_assess(agent=w.agent_es, account=w.account_es, offer=offer)
    assert assessment.within_authority
    plan = plan_agree(agent=w.agent_es, account=w.account_es, offer=offer)
    assert plan.total_to_pay == assessment.proposal.total_to_pay and plan.instalments.count() == 3
    assert sum(i.amount for i in plan.instalments.all()) == plan.total_to_pay
    w.account_es.refresh_from_db()
    assert w.account_es.status == "in_arrangement"
    assert PaymentPlan.objects.get(status="active") == plan


def test_beyond_authority_needs_a_supervisor_and_beyond_policy_nobody(claimed, clock):  # type: ignore[no-untyped-def]
    from acuerda.workspace.queue import WorkspaceError
    from acuerda.workspace.services import approval_request, offer_assess, plan_agree

    w = claimed
    generous = _offer(discount_percent=Decimal("20"))
    assessment = offer_assess(agent=w.agent_es, account=w.account_es, offer=generous)
    assert assessment.needs_approval and [v.code for v in assessment.beyond_authority] == ["discount"]
    with pytest.raises(WorkspaceError, match="beyond your authority"):
        plan_agree(agent=w.agent_es, account=w.account_es, offer=generous)
    too_much = _offer(discount_percent=Decimal("40"))
    assessment = offer_assess(agent=w.agent_es, account=w.account_es, offer=too_much)
    assert [v.code for v in assessment.beyond_policy] == ["discount"] and not assessment.needs_approval
    with pytest.raises(WorkspaceError):
        approval_request(agent=w.agent_es, account=w.account_es, offer=too_much)
    # Fee waivers are not in the bank's policy at all.
    assert "fee_waiver" in {v.code for v in offer_assess(agent=w.agent_es, account=w.account_es,
                                                        offer=_offer(waive_fees=True)).beyond_policy}


def test_approval_flow_approve(claimed, clock):  # type: ignore[no-untyped-def]
    from acuerda.debts.models import AccountEvent
    from acuerda.workspace.services import approval_decide, approval_request

    w = claimed
    request = approval_request(agent=w.agent_es, account=w.account_es, offer=_offer(discount_percent=Decimal("20")),
                               note="Unemployed, can pay a lump sum now")
    assert request.status == "pending" and request.reasons[0]["code"] == "discount"
    decided = approval_decide(supervisor=w.supervisor, request=request, decision="approve", answer="OK")
    assert decided.status == "approved" and decided.plan is not None
    assert decided.plan.approved_by == w.supervisor and decided.plan.agreed_by == w.agent_es
    assert decided.plan.discount_amount == Decimal("330.10")  # 20 % of 1,650.50
    assert AccountEvent.objects.filter(account=w.account_es, kind="approval").count() == 2


def test_approval_flow_counter_then_accept(claimed, clock):  # type: ignore[no-untyped-def]
    from acuerda.workspace.queue import WorkspaceError
    from acuerda.workspace.services import (
        approval_accept_counter,
        approval_decide,
        approval_request,
    )

    w = claimed
    request = approval_request(agent=w.agent_es, account=w.account_es,
                               offer=_offer(discount_percent=Decimal("25"), instalments=10))
    with pytest.raises(WorkspaceError):  # nobody decides their own (agents cannot decide at all)
        approval_decide(supervisor=w.agent_es, request=request, decision="approve")
    with pytest.raises(WorkspaceError):  # the Colombian team's agent is not a supervisor of this account
        approval_decide(supervisor=w.agent_co, request=request, decision="approve")
    counter = _offer(discount_percent=Decimal("15"), instalments=10, frequency=Frequency.MONTHLY)
    approval_decide(supervisor=w.supervisor, request=request, decision="counter", answer="15 % at most",
                    counter_offer=counter)
    plan = approval_accept_counter(agent=w.agent_es, request=request)
    request.refresh_from_db()
    assert request.status == "accepted" and request.plan == plan
    assert plan.terms["offer"]["discount_percent"] == "15" and plan.instalments.count() == 10


def test_rejection_needs_a_reason(claimed, clock):  # type: ignore[no-untyped-def]
    from acuerda.workspace.queue import WorkspaceError
    from acuerda.workspace.services import approval_decide, approval_request

    w = claimed
    request = approval_request(agent=w.agent_es, account=w.account_es, offer=_offer(discount_percent=Decimal("20")))
    with pytest.raises(WorkspaceError):
        approval_decide(supervisor=w.supervisor, request=request, decision="reject")
    assert approval_decide(supervisor=w.supervisor, request=request, decision="reject",
                           answer="Paid late twice").status == "rejected"
    with pytest.raises(WorkspaceError, match="already answered"):
        approval_decide(supervisor=w.supervisor, request=request, decision="approve")


def test_a_lead_needs_consent_and_a_debtor_in_good_standing(claimed, clock):  # type: ignore[no-untyped-def]
    from acuerda.debtors.services import debtor_set_vulnerability
    from acuerda.workspace.services import lead_mark

    w = claimed
    with pytest.raises(ValidationError) as error:
        lead_mark(agent=w.agent_es, account=w.account_es, consent_evidence=" ")
    assert "consent_evidence" in error.value.message_dict
    debtor_set_vulnerability(debtor=w.debtor_es, is_vulnerable=True, reason="Recently widowed", review_on=None,
                             actor=w.admin)
    w.account_es.refresh_from_db()
    with pytest.raises(ValidationError, match="Vulnerable"):
        lead_mark(agent=w.agent_es, account=w.account_es, consent_evidence="Said yes on the call")
    debtor_set_vulnerability(debtor=w.debtor_es, is_vulnerable=False, reason="", review_on=None, actor=w.admin)
    w.account_es.refresh_from_db()
    with pytest.raises(ValidationError, match="good payers"):  # 121 days past due, nothing agreed or paid
        lead_mark(agent=w.agent_es, account=w.account_es, consent_evidence="Said yes on the call")
    promise = _kept_promise(w, clock)
    broken = PromiseToPay.objects.create(account=w.account_es, amount=Decimal("50"), currency="EUR",
                                         due_on=NOW.date(), made_at=clock(), status="broken",
                                         resolved_at=promise.resolved_at + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="good payers"):  # broken since
        lead_mark(agent=w.agent_es, account=w.account_es, consent_evidence="Said yes on the call")
    broken.delete()
    lead = lead_mark(agent=w.agent_es, account=w.account_es, consent_evidence="Said yes on the call")
    assert lead.debtor == w.debtor_es


def _kept_promise(w, clock):  # type: ignore[no-untyped-def]
    return PromiseToPay.objects.create(account=w.account_es, amount=Decimal("100"), currency="EUR",
                                       due_on=NOW.date(), made_at=clock(), status="kept", resolved_at=clock())


def test_a_dialling_decision_clears_only_that_call_by_that_agent_that_day(claimed, clock):  # type: ignore[no-untyped-def]
    from acuerda.compliance.services import contact_check
    from acuerda.debtors.services import contact_point_add
    from acuerda.workspace.services import interaction_record

    w = claimed
    phone = _phone(w.debtor_es)
    other_phone, _created = contact_point_add(debtor=w.debtor_es, kind="phone", value="611 00 01 11", source="creditor",
                                              default_region="ES")
    decision = contact_check(account=w.account_es, channel="call", contact_point=phone, at=clock(), actor=w.agent_es)
    with pytest.raises(ValidationError, match="another contact"):
        interaction_record(agent=w.agent_es, account=w.account_es, channel="call", disposition=_disposition("busy"),
                           contact_point=other_phone, decision=decision, now=clock())
    with pytest.raises(ValidationError, match="two hours"):
        interaction_record(agent=w.agent_es, account=w.account_es, channel="call", disposition=_disposition("busy"),
                           contact_point=phone, decision=decision, now=clock.advance(days=5))
