"""Mexico (CONDUSEF), Chile (Ley 19.496 art. 37) and Argentina (Ley 24.240 + CABA)."""

from __future__ import annotations

import pytest

from .test_engine_support import blocked, decide, hist

SCL = "America/Santiago"

# ----------------------------------------------------------------------------- MX


@pytest.mark.parametrize(
    ("local", "allowed"),
    [
        ("2026-03-02 06:59", False),
        ("2026-03-02 07:00", True),
        ("2026-03-02 21:59", True),
        ("2026-03-02 22:00", False),
        ("2026-03-07 10:00", False),  # weekends off by default
        ("2026-03-16 10:00", False),  # Benito Juárez's birthday (Monday)
        ("2026-03-17 07:00", True),  # the day after
    ],
)
def test_given_mx_hours_when_at_each_edge_then_weekdays_7_to_22(local: str, allowed: bool) -> None:
    assert decide("MX", local).allowed is allowed


def test_given_a_debtor_in_tijuana_when_0630_there_then_blocked_in_their_own_zone() -> None:
    decision = decide("MX", "2026-03-02 06:30", zone="America/Tijuana")
    assert blocked(decision) == {"mx.hours"}
    assert decision.next_allowed_at is not None
    assert decision.next_allowed_at.isoformat() == "2026-03-02T07:00:00-08:00"


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("co_debtor", True), ("guarantor", True), ("reference", False), ("third_party", False)],
)
def test_given_each_role_when_collecting_then_only_co_obligors_besides_the_debtor(
    role: str, allowed: bool
) -> None:
    assert decide("MX", party={"role": role}).allowed is allowed


def test_given_a_contact_point_not_given_by_the_debtor_when_used_then_blocked() -> None:
    assert blocked(decide("MX", party={"contact_point_provided_by_debtor": False})) == {
        "mx.contact_point"
    }
    unknown = decide("MX", party={"contact_point_provided_by_debtor": None})
    assert unknown.allowed and unknown.assumptions


def test_given_an_elderly_non_debtor_guarantor_contact_when_flagged_then_blocked() -> None:
    party = {"role": "guarantor", "is_minor_or_elderly_non_debtor": True}
    assert blocked(decide("MX", party=party)) == {"mx.minors_elderly"}


def test_given_mx_message_content_when_bad_then_blocked() -> None:
    assert blocked(decide("MX", channel="letter", message={"court_lookalike": True})) == {
        "mx.court_lookalike"
    }
    assert blocked(decide("MX", message={"identifies_agency": False})) == {"mx.identify_agency"}
    assert blocked(
        decide("MX", channel="letter", message={"collection_wording_visible": True})
    ) == {"mx.envelope"}


# ----------------------------------------------------------------------------- CL


@pytest.mark.parametrize(
    ("local", "channel", "allowed"),
    [
        ("2026-03-02 07:59", "call", False),
        ("2026-03-02 08:00", "call", True),
        ("2026-03-02 19:59", "visit", True),
        ("2026-03-02 20:00", "visit", False),
        ("2026-03-07 10:00", "call", True),  # Saturday is a court working day
        ("2026-03-08 10:00", "call", False),  # Sunday
        ("2026-05-21 10:00", "call", False),  # Navy Day
        ("2026-05-22 08:00", "call", True),  # the day after
        ("2026-03-08 23:00", "sms", True),  # the hours rule covers calls and visits only
    ],
)
def test_given_cl_hours_when_calls_or_visits_then_court_working_days(
    local: str, channel: str, allowed: bool
) -> None:
    assert decide("CL", local, channel=channel).allowed is allowed


def test_given_one_call_this_week_when_calling_or_visiting_again_then_blocked() -> None:
    history = [hist("2026-03-02 10:00", SCL, outcome="no_answer")]  # failed attempts count
    for channel in ("call", "visit"):
        decision = decide("CL", "2026-03-05 10:00", channel=channel, history=history)
        assert blocked(decision) == {"cl.frequency.calls_visits"}
        assert decision.next_allowed_at is not None
        assert decision.next_allowed_at.isoformat() == "2026-03-09T08:00:00-03:00"
    assert decide("CL", "2026-03-05 10:00", channel="email", history=history).allowed


def test_given_two_messages_in_the_week_when_sending_a_third_then_blocked() -> None:
    one = [hist("2026-03-02 10:00", SCL, channel="sms", outcome="delivered")]
    two = [*one, hist("2026-03-04 10:00", SCL, channel="email", outcome="delivered")]
    assert decide("CL", "2026-03-06 10:00", channel="whatsapp", history=one).allowed
    decision = decide("CL", "2026-03-06 10:00", channel="whatsapp", history=two)
    assert blocked(decision) == {"cl.frequency.other_media"}


def test_given_a_message_yesterday_when_sending_another_then_two_days_apart_is_required() -> None:
    history = [hist("2026-03-02 10:00", SCL, channel="sms", outcome="delivered")]
    decision = decide("CL", "2026-03-03 10:00", channel="email", history=history)
    assert blocked(decision) == {"cl.frequency.other_media_gap"}
    assert decision.next_allowed_at is not None
    assert decision.next_allowed_at.isoformat() == "2026-03-04T10:00:00-03:00"
    assert decide("CL", "2026-03-04 09:59", channel="email", history=history).blocked_by
    assert decide("CL", "2026-03-04 10:00", channel="email", history=history).allowed


@pytest.mark.parametrize("flag", ["lawsuit_served", "insolvency"])
@pytest.mark.parametrize("purpose", ["collection", "statutory_notice"])
def test_given_lawsuit_or_insolvency_when_any_contact_then_everything_stops(
    flag: str, purpose: str
) -> None:
    decision = decide("CL", account={flag: True}, purpose=purpose)
    assert blocked(decision) == {f"cl.{flag}"}
    assert decision.next_allowed_at is None


@pytest.mark.parametrize("role", ["reference", "third_party"])
def test_given_cl_third_party_when_contacting_then_banned(role: str) -> None:
    assert blocked(decide("CL", party={"role": role})) == {"cl.third_parties"}


# ----------------------------------------------------------------------------- AR


@pytest.mark.parametrize(
    ("local", "allowed"),
    [
        ("2026-03-02 07:59", False),
        ("2026-03-02 08:00", True),
        ("2026-03-02 19:59", True),
        ("2026-03-02 20:00", False),
        ("2026-03-24 10:00", False),  # Memory day
        ("2026-03-25 08:00", True),
    ],
)
def test_given_ar_default_hours_when_at_each_edge_then_weekdays_8_to_20(
    local: str, allowed: bool
) -> None:
    assert decide("AR", local).allowed is allowed


def test_given_ar_court_lookalike_or_third_party_when_contacting_then_blocked() -> None:
    assert blocked(decide("AR", channel="letter", message={"court_lookalike": True})) == {
        "ar.court_lookalike"
    }
    assert blocked(decide("AR", party={"role": "reference"})) == {"ar.third_parties"}


def test_given_caba_when_the_agency_is_not_identified_then_the_overlay_blocks() -> None:
    decision = decide("AR-C", message={"identifies_agency": False})
    assert blocked(decision) == {"ar_c.identify_agency"}
    assert decision.pack == "AR@2008-04-07+AR-C@2019-12-01"
    assert decide("AR", message={"identifies_agency": False}).allowed
