"""Colombia — Ley 2300 de 2023."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from acuerda.compliance.engine import evaluate, parse_request

from .test_engine_support import blocked, decide, hist, make

BOG = "America/Bogota"


@pytest.mark.parametrize(
    ("local", "allowed"),
    [
        ("2026-03-02 06:59", False),  # Monday
        ("2026-03-02 07:00", True),
        ("2026-03-02 18:59", True),
        ("2026-03-02 19:00", False),  # end exclusive (strict)
        ("2026-03-07 07:59", False),  # Saturday
        ("2026-03-07 08:00", True),
        ("2026-03-07 14:59", True),
        ("2026-03-07 15:00", False),
        ("2026-03-08 10:00", False),  # Sunday
    ],
)
def test_given_co_hours_when_at_each_edge_then_only_inside_is_allowed(
    local: str, allowed: bool
) -> None:
    decision = decide("CO", local)
    assert decision.allowed is allowed
    assert ("co.hours" in blocked(decision)) is (not allowed)


def test_given_co_at_19_when_blocked_then_next_is_tomorrow_7_and_cites_the_law() -> None:
    decision = decide("CO", "2026-03-02 19:00")
    (block,) = decision.blocked_by
    assert block.reference == "Ley 2300 de 2023, art. 3"
    assert "19:00" in block.reason_es and "19:00" in block.reason_en
    assert decision.next_allowed_at is not None
    assert decision.next_allowed_at.isoformat() == "2026-03-03T07:00:00-05:00"


def test_given_saturday_afternoon_when_blocked_then_next_is_monday_morning() -> None:
    decision = decide("CO", "2026-03-07 15:00")
    assert decision.next_allowed_at is not None
    assert decision.next_allowed_at.isoformat() == "2026-03-09T07:00:00-05:00"


# 2026-03-23 is Saint Joseph's day moved to Monday by the Emiliani law (real date: Thu 19th).
def test_given_an_emiliani_monday_holiday_when_contacting_then_blocked() -> None:
    decision = decide("CO", "2026-03-23 10:00")
    assert blocked(decision) == {"co.hours"}
    assert "festivo" in decision.blocked_by[0].reason_es
    assert decision.next_allowed_at is not None
    assert decision.next_allowed_at.isoformat() == "2026-03-24T07:00:00-05:00"


def test_given_the_days_around_the_emiliani_holiday_when_contacting_then_allowed() -> None:
    assert decide("CO", "2026-03-21 10:00").allowed  # Saturday before
    assert decide("CO", "2026-03-24 07:00").allowed  # Tuesday after
    assert decide("CO", "2026-03-19 10:00").allowed  # the original date is a working day


def test_given_the_day_before_a_holiday_at_1859_when_contacting_then_allowed_and_next_skips_it() -> (
    None
):
    assert decide("CO", "2026-03-20 18:59").allowed
    # Friday 19:00 -> Saturday 08:00 (the Monday holiday is after the weekend)
    assert (
        decide("CO", "2026-03-20 19:00").next_allowed_at.isoformat() == "2026-03-21T08:00:00-05:00"
    )  # type: ignore[union-attr]
    # Saturday 15:00 -> Tuesday 07:00: Sunday and the Monday holiday are skipped
    nxt = decide("CO", "2026-03-21 15:00").next_allowed_at
    assert nxt is not None and nxt.isoformat() == "2026-03-24T07:00:00-05:00"


def test_given_no_recorded_authorisation_when_contacting_then_blocked_for_ever() -> None:
    decision = decide("CO", party={"authorised_channels": None})
    assert blocked(decision) == {"co.authorised_channels"}
    assert decision.next_allowed_at is None


def test_given_a_channel_not_authorised_when_contacting_then_blocked() -> None:
    assert blocked(decide("CO", channel="whatsapp", party={"authorised_channels": ["call"]})) == {
        "co.authorised_channels"
    }
    assert decide("CO", channel="call", party={"authorised_channels": ["call"]}).allowed


def conversation_today(**kw: str) -> list[dict[str, str]]:
    return [hist("2026-03-02 08:00", BOG, **kw)]


def test_given_direct_contact_today_when_contacting_again_the_same_day_then_blocked() -> None:
    decision = decide("CO", "2026-03-02 10:00", history=conversation_today())
    assert "co.frequency.daily" in blocked(decision)
    assert decision.next_allowed_at is not None
    assert decision.next_allowed_at.isoformat() == "2026-03-03T07:00:00-05:00"


def test_given_direct_contact_yesterday_when_contacting_today_by_the_same_channel_then_allowed() -> (
    None
):
    assert decide("CO", "2026-03-03 07:00", history=conversation_today()).allowed


def test_given_no_direct_contact_yet_when_attempting_twice_a_day_then_not_limited() -> None:
    history = [hist("2026-03-02 08:00", BOG, outcome="no_answer")]
    assert decide("CO", "2026-03-02 10:00", history=history).allowed


def test_given_direct_contact_flag_when_a_failed_attempt_happened_today_then_it_counts() -> None:
    history = [hist("2026-03-02 08:00", BOG, outcome="busy")]
    decision = decide(
        "CO", "2026-03-02 10:00", history=history, account={"direct_contact_made": True}
    )
    assert blocked(decision) == {"co.frequency.daily"}


def test_given_a_call_this_week_after_contact_when_sending_sms_then_one_channel_a_week_blocks() -> (
    None
):
    history = conversation_today()
    decision = decide("CO", "2026-03-04 10:00", channel="sms", history=history)
    assert blocked(decision) == {"co.frequency.weekly_channels"}
    # strictest week: calendar week ends Sunday, rolling 7 days end Monday 9th at 00:00;
    # both must clear -> Monday 07:00 (window opening).
    assert decision.next_allowed_at is not None
    assert decision.next_allowed_at.isoformat() == "2026-03-09T07:00:00-05:00"
    assert decide("CO", "2026-03-04 10:00", channel="call", history=history).allowed


def test_given_a_sunday_contact_when_next_monday_then_rolling_week_still_blocks_other_channels() -> (
    None
):
    # Saturday contact; Monday is a new calendar week but inside the rolling 7 days.
    history = [hist("2026-03-07 09:00", BOG)]
    decision = decide("CO", "2026-03-09 10:00", channel="sms", history=history)
    assert blocked(decision) == {"co.frequency.weekly_channels"}
    assert decision.next_allowed_at is not None
    assert decision.next_allowed_at.isoformat() == "2026-03-14T08:00:00-05:00"


@pytest.mark.parametrize("role", ["reference", "third_party"])
def test_given_a_reference_or_third_party_when_contacting_then_never(role: str) -> None:
    decision = decide("CO", party={"role": role}, purpose="location")
    assert "co.third_parties" in blocked(decision)
    assert decision.next_allowed_at is None


@pytest.mark.parametrize("role", ["debtor", "co_debtor", "guarantor"])
def test_given_a_liable_party_when_contacting_in_hours_then_allowed_under_the_same_limits(
    role: str,
) -> None:
    assert decide("CO", party={"role": role}).allowed
    assert blocked(decide("CO", party={"role": role}, history=conversation_today(role=role))) == {
        "co.frequency.daily"
    }


def test_given_a_visit_when_evaluated_then_never_allowed() -> None:
    decision = decide("CO", channel="visit")
    assert blocked(decision) == {"co.visits"}
    assert decision.next_allowed_at is None


def test_given_a_debtor_living_in_madrid_when_evaluated_then_madrid_wall_clock_is_used() -> None:
    # 13:30 in Bogotá is 19:30 in Madrid: outside the window for that debtor.
    madrid = decide("CO", "2026-03-02 19:30", zone="Europe/Madrid")
    assert not madrid.allowed and blocked(madrid) == {"co.hours"}
    assert madrid.local_time.isoformat() == "2026-03-02T19:30:00+01:00"
    assert madrid.next_allowed_at is not None
    assert madrid.next_allowed_at.isoformat() == "2026-03-03T07:00:00+01:00"
    assert decide("CO", "2026-03-02 18:59", zone="Europe/Madrid").allowed


def test_given_a_contact_before_the_law_when_evaluated_then_earliest_pack_is_noted() -> None:
    decision = decide("CO", "2023-10-02 10:00")
    assert decision.pack == "CO@2023-10-10"
    assert any("earliest" in n.en for n in decision.assumptions)


def test_given_cease_request_when_statutory_notice_then_only_it_passes() -> None:
    assert blocked(decide("CO", account={"cease_request": True})) == {"co.cease"}
    assert decide("CO", account={"cease_request": True}, purpose="statutory_notice").allowed


def test_given_next_allowed_at_when_window_blocks_then_it_is_allowed_and_a_minute_earlier_is_not() -> (
    None
):
    for local in ("2026-03-02 19:00", "2026-03-07 15:00", "2026-03-22 10:00", "2026-03-02 03:00"):
        data = make("CO", local)
        nxt = evaluate(parse_request(data)).next_allowed_at
        assert nxt is not None
        data["at"] = nxt.isoformat()
        assert evaluate(parse_request(data)).allowed
        data["at"] = (nxt - timedelta(minutes=1)).isoformat()
        assert not evaluate(parse_request(data)).allowed
        assert nxt > datetime.fromisoformat(make("CO", local)["at"])


def test_given_a_saturday_contact_when_the_next_friday_then_day_seven_of_the_rolling_week_blocks() -> (
    None
):
    history = [hist("2026-03-07 09:00", BOG)]
    assert blocked(decide("CO", "2026-03-13 10:00", channel="sms", history=history)) == {
        "co.frequency.weekly_channels"
    }
    assert decide("CO", "2026-03-14 08:00", channel="sms", history=history).allowed
