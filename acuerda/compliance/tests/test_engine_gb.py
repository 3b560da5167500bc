"""United Kingdom — CONC 7 and the Debt Respite Scheme."""

from __future__ import annotations

import pytest

from .test_engine_support import blocked, decide


@pytest.mark.parametrize(
    ("local", "allowed"),
    [
        ("2026-03-02 07:59", False),
        ("2026-03-02 08:00", True),
        ("2026-03-02 20:59", True),
        ("2026-03-02 21:00", False),
        ("2026-03-08 10:00", True),  # Sunday: reasonable-times default is every day
    ],
)
def test_given_gb_reasonable_hours_when_at_each_edge_then_8_to_21(
    local: str, allowed: bool
) -> None:
    assert decide("GB", local).allowed is allowed


def test_given_british_summer_time_starts_when_blocked_at_night_then_next_is_0800_bst() -> None:
    decision = decide("GB", "2026-03-29 00:30")  # clocks go forward at 01:00
    assert decision.next_allowed_at is not None
    assert decision.next_allowed_at.isoformat() == "2026-03-29T08:00:00+01:00"


def test_given_breathing_space_when_collecting_then_blocked_until_the_day_after() -> None:
    account = {"breathing_space_until": "2026-03-10"}
    decision = decide("GB", "2026-03-10 20:00", account=account)
    assert blocked(decision) == {"gb.breathing_space"}
    assert decision.next_allowed_at is not None
    assert decision.next_allowed_at.isoformat() == "2026-03-11T08:00:00+00:00"
    assert decide("GB", "2026-03-11 08:00", account=account).allowed
    assert decide("GB", "2026-03-10 10:00", account=account, purpose="statutory_notice").allowed


def test_given_a_mental_health_moratorium_when_collecting_then_blocked_without_end() -> None:
    decision = decide("GB", account={"mental_health_moratorium": True})
    assert blocked(decision) == {"gb.mental_health_moratorium"}
    assert decision.next_allowed_at is None


def test_given_a_statute_barred_debt_when_threatening_court_then_blocked() -> None:
    account = {"statute_barred": True}
    assert blocked(
        decide("GB", channel="letter", account=account, message={"threatens_legal_action": True})
    ) == {"gb.statute_barred"}
    assert decide("GB", channel="letter", account=account).allowed


@pytest.mark.parametrize("role", ["reference", "third_party"])
def test_given_a_third_party_when_purpose_differs_from_location_then_blocked(role: str) -> None:
    assert blocked(decide("GB", party={"role": role})) == {"gb.third_parties"}
    assert decide("GB", party={"role": role}, purpose="location").allowed


def test_given_a_letter_with_visible_collection_wording_when_sent_then_blocked() -> None:
    assert blocked(
        decide("GB", channel="letter", message={"collection_wording_visible": True})
    ) == {"gb.letter_wording"}


def test_given_a_customer_request_about_times_when_inside_it_then_blocked() -> None:
    party = {"inconvenient_times": [{"weekdays": [0], "start": "12:00", "end": "14:00"}]}
    assert blocked(decide("GB", "2026-03-02 13:00", party=party)) == {"gb.inconvenient_times"}
