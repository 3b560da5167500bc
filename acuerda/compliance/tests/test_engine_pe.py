"""Peru — Ley 29571 art. 62."""

from __future__ import annotations

import pytest

from .test_engine_support import blocked, decide


@pytest.mark.parametrize("channel", ["call", "whatsapp", "visit"])
@pytest.mark.parametrize(
    ("local", "allowed"),
    [
        ("2026-03-02 06:59", False),
        ("2026-03-02 07:00", True),
        ("2026-03-02 19:59", True),
        ("2026-03-02 20:00", False),
        ("2026-03-07 10:00", False),  # Saturday
    ],
)
def test_given_pe_hours_when_any_channel_then_weekdays_7_to_before_20(
    local: str, allowed: bool, channel: str
) -> None:
    assert decide("PE", local, channel=channel).allowed is allowed


def test_given_independence_days_when_contacting_then_blocked_until_thursday() -> None:
    assert decide("PE", "2026-07-27 19:59").allowed  # Monday before
    decision = decide("PE", "2026-07-28 10:00")
    assert blocked(decision) == {"pe.hours"}
    assert decision.next_allowed_at is not None
    assert (
        decision.next_allowed_at.isoformat() == "2026-07-30T07:00:00-05:00"
    )  # 28 and 29 are holidays


@pytest.mark.parametrize("role", ["reference", "third_party"])
def test_given_a_third_party_when_contacting_then_banned(role: str) -> None:
    assert blocked(decide("PE", party={"role": role})) == {"pe.third_parties"}


@pytest.mark.parametrize("role", ["co_debtor", "guarantor"])
def test_given_a_jointly_liable_party_when_contacting_then_allowed(role: str) -> None:
    assert decide("PE", party={"role": role}).allowed


def test_given_a_court_lookalike_whatsapp_when_sent_then_blocked() -> None:
    assert blocked(decide("PE", channel="whatsapp", message={"court_lookalike": True})) == {
        "pe.court_lookalike"
    }
