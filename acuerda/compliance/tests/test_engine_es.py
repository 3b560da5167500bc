"""Spain — default profile (TRLGDCU art. 96.2 by analogy), regional holidays, DST."""

from __future__ import annotations

import pytest

from .test_engine_support import blocked, decide


@pytest.mark.parametrize(
    ("local", "allowed"),
    [
        ("2026-03-02 08:59", False),
        ("2026-03-02 09:00", True),
        ("2026-03-02 20:59", True),
        ("2026-03-02 21:00", False),
        ("2026-03-07 10:00", False),  # Saturday
        ("2026-03-08 10:00", False),  # Sunday
    ],
)
def test_given_es_hours_when_at_each_edge_then_only_weekdays_9_to_21(
    local: str, allowed: bool
) -> None:
    assert decide("ES", local).allowed is allowed


def test_given_maundy_thursday_when_canarias_then_regional_holiday_blocks_but_not_nationally() -> (
    None
):
    # 2026-04-02 is a holiday in Canarias (ES-CN) but not a national one.
    canarias = decide("ES-CN", "2026-04-02 10:00")
    assert blocked(canarias) == {"es.hours"}
    assert canarias.next_allowed_at is not None
    # Good Friday (national) follows, then the weekend: next is Monday 6 April 09:00 WEST.
    assert canarias.next_allowed_at.isoformat() == "2026-04-06T09:00:00+01:00"
    assert decide("ES", "2026-04-02 10:00").allowed
    assert decide("ES-CN", "2026-04-01 20:59").allowed  # the day before


def test_given_the_dst_change_weekend_when_blocked_friday_night_then_next_monday_in_summer_time() -> (
    None
):
    # Spain moves to summer time on Sunday 2026-03-29.
    madrid = decide("ES", "2026-03-27 21:00")
    assert madrid.next_allowed_at is not None
    assert madrid.next_allowed_at.isoformat() == "2026-03-30T09:00:00+02:00"
    canary = decide("ES-CN", "2026-03-27 21:00")
    assert canary.next_allowed_at is not None
    assert canary.next_allowed_at.isoformat() == "2026-03-30T09:00:00+01:00"
    # the same instant is one hour apart on the wall clock in each zone
    assert (canary.next_allowed_at - madrid.next_allowed_at).total_seconds() == 3600


def test_given_0830_in_canarias_when_it_is_0930_in_madrid_then_the_debtor_zone_decides() -> None:
    # 09:30 Madrid = 08:30 Canarias: a Canarian debtor cannot be called yet.
    decision = decide("ES-CN", "2026-03-30 08:30")
    assert blocked(decision) == {"es.hours"}
    assert decide("ES", "2026-03-30 09:30").allowed


@pytest.mark.parametrize("role", ["reference", "third_party"])
def test_given_a_third_party_when_purpose_is_location_then_allowed_with_a_no_disclosure_note(
    role: str,
) -> None:
    decision = decide("ES", purpose="location", party={"role": role})
    assert decision.allowed
    assert any("reveal" in n.en for n in decision.assumptions)
    assert blocked(decide("ES", purpose="collection", party={"role": role})) == {"es.third_parties"}


@pytest.mark.parametrize("role", ["debtor", "co_debtor", "guarantor"])
def test_given_a_liable_party_when_collecting_then_allowed(role: str) -> None:
    assert decide("ES", party={"role": role}).allowed


def test_given_a_court_lookalike_letter_when_evaluated_then_blocked() -> None:
    assert blocked(decide("ES", channel="letter", message={"court_lookalike": True})) == {
        "es.court_lookalike"
    }


def test_given_no_agency_identification_when_evaluated_then_blocked_and_unknown_is_noted() -> None:
    assert blocked(decide("ES", message={"identifies_agency": False})) == {"es.identify_agency"}
    unknown = decide("ES", message={"identifies_agency": None})
    assert unknown.allowed
    assert any("identifies_agency" in n.en for n in unknown.assumptions)


def test_given_opted_out_email_when_emailing_then_blocked_but_calling_allowed() -> None:
    party = {"opted_out_channels": ["email"]}
    assert blocked(decide("ES", channel="email", party=party)) == {"es.opt_out"}
    assert decide("ES", channel="call", party=party).allowed


def test_given_an_open_dispute_when_collecting_then_paused_except_statutory_notices() -> None:
    assert blocked(decide("ES", account={"dispute_open": True})) == {"es.dispute"}
    assert decide("ES", account={"dispute_open": True}, purpose="statutory_notice").allowed


def test_given_a_vulnerable_customer_when_evaluated_then_not_blocked_but_flagged() -> None:
    decision = decide("ES", account={"vulnerable": True})
    assert decision.allowed
    assert any("specialist" in n.en for n in decision.assumptions)
