"""The gate for stored accounts: requests built from the database, the contact ledger, policies."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from acuerda.compliance.engine import PolicyError
from acuerda.compliance.models import ContactAttempt, ContactDecision
from acuerda.compliance.services import (
    ComplianceError,
    account_restriction_set,
    compliance_policy_save,
    contact_attempt_record,
    contact_check,
    contact_request_data,
)
from acuerda.core.models import AppendOnlyError
from acuerda.debtors.models import ContactPoint
from acuerda.debtors.services import consent_record

MADRID = ZoneInfo("Europe/Madrid")
BOGOTA = ZoneInfo("America/Bogota")
MONDAY = dt.date(2026, 3, 2)  # not a holiday in ES nor CO


def _at(day: dt.date, hour: int, minute: int, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)


def _co_authorised(world, *channels: str) -> ContactPoint:  # type: ignore[no-untyped-def]
    phone = ContactPoint.objects.get(debtor=world.debtor_co, kind="phone")
    for channel in channels:
        consent_record(contact_point=phone, channel=channel, granted=True, evidence="contrato, cláusula 12",
                       actor=world.admin)
    return phone


def test_given_a_spanish_mobile_whose_zone_is_unknown_when_checked_then_both_peninsula_and_canaries_must_allow(
    world,
):  # type: ignore[no-untyped-def]
    # 09:30 in Madrid is 08:30 in the Canaries, where the window (09:00) has not opened yet.
    decision = contact_check(account=world.account_es, channel="call", at=_at(MONDAY, 9, 30, MADRID))

    assert not decision.allowed
    assert [b["rule"] for b in decision.blocked_by] == ["es.hours"]
    assert decision.next_allowed_at == _at(MONDAY, 10, 0, MADRID)  # 09:00 in the Canaries
    assert {r["party"]["timezone"] for r in decision.request["candidate_zones"]} == {"Europe/Madrid",
                                                                                    "Atlantic/Canary"}
    assert contact_check(account=world.account_es, channel="call", at=_at(MONDAY, 10, 0, MADRID)).allowed


def test_given_a_known_debtor_zone_when_checked_then_only_that_zone_counts(world):  # type: ignore[no-untyped-def]
    world.debtor_es.timezone = "Europe/Madrid"
    world.debtor_es.save(update_fields=["timezone"])

    decision = contact_check(account=world.account_es, channel="call", at=_at(MONDAY, 9, 30, MADRID))

    assert decision.allowed and decision.request["party"]["timezone"] == "Europe/Madrid"
    assert not contact_check(account=world.account_es, channel="call", at=_at(MONDAY, 8, 59, MADRID)).allowed


def test_given_no_recorded_authorisation_in_colombia_when_checked_then_blocked_until_the_debtor_authorises(
    world,
):  # type: ignore[no-untyped-def]
    moment = _at(MONDAY, 10, 0, BOGOTA)
    blocked = contact_check(account=world.account_co, channel="call", at=moment)
    assert not blocked.allowed and "co.authorised_channels" in [b["rule"] for b in blocked.blocked_by]
    assert blocked.next_allowed_at is None
    assert blocked.request["party"]["authorised_channels"] is None

    _co_authorised(world, "call")

    assert contact_check(account=world.account_co, channel="call", at=moment).allowed
    assert not contact_check(account=world.account_co, channel="sms", at=moment).allowed  # only calls authorised


def test_given_an_allowed_call_when_recorded_then_the_ledger_keeps_it_and_the_daily_cap_counts_it(
    world,
):  # type: ignore[no-untyped-def]
    _co_authorised(world, "call", "sms")
    first = contact_check(account=world.account_co, channel="call", at=_at(MONDAY, 10, 0, BOGOTA), actor=world.agent_co)
    attempt = contact_attempt_record(decision=first, outcome="conversation", at=_at(MONDAY, 10, 2, BOGOTA),
                                     actor=world.agent_co)
    assert attempt.party_role == "debtor" and attempt.decision == first

    # Ley 2300: after direct contact, not more than once the same day.
    again = contact_check(account=world.account_co, channel="call", at=_at(MONDAY, 16, 0, BOGOTA))
    assert not again.allowed and "co.frequency.daily" in [b["rule"] for b in again.blocked_by]
    assert again.request["history"] == [
        {"at": _at(MONDAY, 10, 2, BOGOTA).astimezone(dt.UTC).isoformat(), "channel": "call",
         "outcome": "conversation", "party_role": "debtor"}
    ]
    with pytest.raises(AppendOnlyError):
        attempt.delete()


def test_given_a_decision_when_misused_then_the_attempt_is_refused(world):  # type: ignore[no-untyped-def]
    _co_authorised(world, "call")
    blocked = contact_check(account=world.account_co, channel="call", at=_at(MONDAY, 19, 0, BOGOTA))
    assert not blocked.allowed
    with pytest.raises(ComplianceError, match="blocked"):
        contact_attempt_record(decision=blocked, outcome="no_answer", at=_at(MONDAY, 19, 0, BOGOTA))

    allowed = contact_check(account=world.account_co, channel="call", at=_at(MONDAY, 10, 0, BOGOTA))
    with pytest.raises(ComplianceError, match="ask the gate again"):
        contact_attempt_record(decision=allowed, outcome="no_answer", at=_at(MONDAY, 10, 16, BOGOTA))
    with pytest.raises(ComplianceError, match="Unknown outcome"):
        contact_attempt_record(decision=allowed, outcome="hung_up", at=_at(MONDAY, 10, 1, BOGOTA))
    contact_attempt_record(decision=allowed, outcome="no_answer", at=_at(MONDAY, 10, 15, BOGOTA))
    with pytest.raises(ComplianceError, match="already used"):
        contact_attempt_record(decision=allowed, outcome="no_answer", at=_at(MONDAY, 10, 1, BOGOTA))
    assert ContactAttempt.objects.count() == 1 and ContactDecision.objects.count() == 2


def test_given_a_cease_request_when_checked_then_only_statutory_notices_pass(world):  # type: ignore[no-untyped-def]
    world.debtor_es.timezone = "Europe/Madrid"
    world.debtor_es.save(update_fields=["timezone"])
    account_restriction_set(account=world.account_es, actor=world.compliance, cease_request=True)
    moment = _at(MONDAY, 11, 0, MADRID)

    collection = contact_check(account=world.account_es, channel="letter", at=moment)
    notice = contact_check(account=world.account_es, channel="letter", at=moment, purpose="statutory_notice")

    assert not collection.allowed and collection.next_allowed_at is None
    assert notice.allowed


def test_given_inconvenient_times_when_malformed_then_refused_with_the_field(world):  # type: ignore[no-untyped-def]
    with pytest.raises(ComplianceError, match="inconvenient_times"):
        account_restriction_set(account=world.account_es, actor=None,
                                inconvenient_times=[{"weekdays": [9], "start": "25:00", "end": "13:00"}])
    with pytest.raises(ComplianceError, match="Unknown restriction"):
        account_restriction_set(account=world.account_es, actor=None, angry=True)
    restriction = account_restriction_set(
        account=world.account_es, actor=None, inconvenient_times=[{"weekdays": [0], "start": "13:00", "end": "16:00"}]
    )
    data = contact_request_data(account=world.account_es, channel="call", at=_at(MONDAY, 14, 0, MADRID))
    assert data["party"]["inconvenient_times"] == restriction.inconvenient_times


def test_given_a_creditor_policy_when_it_tightens_then_it_applies_and_when_it_loosens_then_it_is_refused(
    world,
):  # type: ignore[no-untyped-def]
    world.debtor_es.timezone = "Europe/Madrid"
    world.debtor_es.save(update_fields=["timezone"])
    compliance_policy_save(creditor=world.bank_es, jurisdiction="ES", actor=world.compliance,
                           rules={"hours": {"mon": [["10:00", "18:00"]]}})
    early = contact_check(account=world.account_es, channel="call", at=_at(MONDAY, 9, 30, MADRID))
    assert not early.allowed and all(b["rule"].startswith("policy.") for b in early.blocked_by)
    assert early.next_allowed_at == _at(MONDAY, 10, 0, MADRID)

    with pytest.raises(PolicyError):
        compliance_policy_save(creditor=world.bank_es, jurisdiction="ES", actor=None,
                               rules={"hours": {"mon": [["08:00", "22:00"]]}})
    with pytest.raises(PolicyError, match="settings"):
        compliance_policy_save(creditor=world.bank_es, jurisdiction="ES", actor=None, rules={"settings": {}})


def test_given_an_address_in_the_canaries_when_checked_then_its_zone_beats_the_mobiles_two(world):  # type: ignore[no-untyped-def]
    from acuerda.compliance.batch import contact_plan_day
    from acuerda.debtors.services import contact_point_add

    contact_point_add(debtor=world.debtor_es, kind="address", source="creditor", address_line="Calle Triana 1",
                      postal_code="35002", city="Las Palmas de Gran Canaria", region="CN", country="ES")
    # 09:30 in Madrid is 08:30 in Las Palmas: the Canaries' window has not opened.
    decision = contact_check(account=world.account_es, channel="call", at=_at(MONDAY, 9, 30, MADRID))
    assert decision.request["party"]["timezone"] == "Atlantic/Canary"
    assert not decision.allowed and decision.next_allowed_at == _at(MONDAY, 10, 0, MADRID)
    plan = next(p for p in contact_plan_day(day=MONDAY, channels=("call",)) if p.account_id == world.account_es.pk)
    assert [(s.isoformat(), e.isoformat()) for s, e in plan.plan["call"]] == [
        ("2026-03-02T09:00:00+00:00", "2026-03-02T21:00:00+00:00")]  # 09:00-21:00 on the islands' clock


def test_address_zone_tells_the_zone_only_when_the_address_does() -> None:
    from acuerda.compliance.services import address_zone

    assert address_zone("ES", "CN") == "Atlantic/Canary"
    assert address_zone("ES", "MD") == "Europe/Madrid"
    assert address_zone("ES", "") is None  # the islands or the peninsula: the address does not say
    assert address_zone("CO", "") == "America/Bogota"
    assert address_zone("MX", "") is None and address_zone("US", "CA") == "America/Los_Angeles"


def test_given_an_agency_reading_when_checked_and_planned_then_it_applies_and_the_decision_says_so(
    world,
):  # type: ignore[no-untyped-def]
    from acuerda.compliance.batch import contact_plan_day
    from acuerda.compliance.services import compliance_readings_save

    _co_authorised(world, "call")
    seven_pm = _at(MONDAY, 19, 0, BOGOTA)
    assert not contact_check(account=world.account_co, channel="call", at=seven_pm).allowed  # strict: end excluded

    compliance_readings_save(jurisdiction="CO", settings={"co.hours": {"end_inclusive": True}}, actor=world.compliance)

    decision = contact_check(account=world.account_co, channel="call", at=seven_pm)
    assert decision.allowed
    assert any("end_inclusive" in note["en"] for note in decision.decision["assumptions"])
    plan = next(p for p in contact_plan_day(day=MONDAY, channels=("call",)) if p.account_id == world.account_co.pk)
    assert plan.plan["call"][-1][1] == _at(MONDAY, 19, 1, BOGOTA)  # the 19:00 minute is inside now

    with pytest.raises(PolicyError, match="nope"):
        compliance_readings_save(jurisdiction="CO", settings={"nope": {"x": 1}}, actor=None)
