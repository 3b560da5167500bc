"""United States — Regulation F, and the Massachusetts overlay."""

from __future__ import annotations

from datetime import timedelta

import pytest

from acuerda.compliance.engine import evaluate, parse_request

from .test_engine_support import blocked, decide, hist, make

NY = "America/New_York"
LA = "America/Los_Angeles"


@pytest.mark.parametrize("channel", ["call", "email", "letter"])
@pytest.mark.parametrize(
    ("local", "allowed"),
    [
        ("2026-03-02 07:59", False),
        ("2026-03-02 08:00", True),
        ("2026-03-02 20:59", True),
        ("2026-03-02 21:00", False),
        ("2026-03-07 10:00", True),  # Saturday: Reg F has no weekday limit
        ("2026-07-04 10:00", True),  # holidays are not excluded
    ],
)
def test_given_reg_f_hours_when_any_medium_then_8_to_21_local(
    local: str, allowed: bool, channel: str
) -> None:
    assert decide("US", local, channel=channel).allowed is allowed


def test_given_a_debtor_in_los_angeles_when_0600_there_then_blocked_although_0900_in_new_york() -> (
    None
):
    decision = decide("US", "2026-03-02 06:00", zone=LA)
    assert blocked(decision) == {"us.hours"}
    assert decision.next_allowed_at is not None
    assert decision.next_allowed_at.isoformat() == "2026-03-02T08:00:00-08:00"


def test_given_spring_forward_day_when_blocked_at_night_then_next_is_0800_edt() -> None:
    # 2026-03-08: clocks jump 02:00 -> 03:00 in New York.
    decision = decide("US", "2026-03-08 01:30")
    assert decision.local_time.utcoffset() == timedelta(hours=-5)
    assert decision.next_allowed_at is not None
    assert decision.next_allowed_at.isoformat() == "2026-03-08T08:00:00-04:00"
    assert decide("US", "2026-03-08 07:59").blocked_by
    assert decide("US", "2026-03-08 08:00").allowed


def test_given_fall_back_day_when_the_wall_clock_repeats_then_both_01_30_are_blocked() -> None:
    first = make("US", "2026-11-01 01:30")
    first["at"] = "2026-11-01T01:30:00-04:00"
    second = dict(first, at="2026-11-01T01:30:00-05:00")
    for data in (first, second):
        decision = evaluate(parse_request(data))
        assert decision.next_allowed_at is not None
        assert decision.next_allowed_at.isoformat() == "2026-11-01T08:00:00-05:00"


def calls(n: int, day: str = "2026-03-02", outcome: str = "no_answer") -> list[dict[str, str]]:
    return [hist(f"{day} {9 + i:02d}:00", NY, outcome=outcome) for i in range(n)]


def test_given_six_calls_in_seven_days_when_calling_then_the_seventh_is_allowed() -> None:
    assert decide("US", "2026-03-05 10:00", history=calls(6)).allowed


def test_given_seven_calls_when_calling_then_the_eighth_is_blocked_until_day_eight() -> None:
    decision = decide("US", "2026-03-05 10:00", history=calls(7))
    assert blocked(decision) == {"us.reg_f.7in7"}
    assert decision.next_allowed_at is not None
    # calls on Monday 2 March: the 7-day period runs to Sunday 8; Monday 9 at 08:00.
    assert decision.next_allowed_at.isoformat() == "2026-03-09T08:00:00-04:00"
    assert decide("US", "2026-03-08 20:59", history=calls(7)).blocked_by
    assert decide("US", "2026-03-05 10:00", channel="email", history=calls(7)).allowed


def test_given_a_conversation_when_calling_on_day_seven_and_eight_then_blocked_then_allowed() -> (
    None
):
    history = [hist("2026-03-02 10:00", NY, outcome="conversation")]
    assert blocked(decide("US", "2026-03-08 20:00", history=history)) == {
        "us.reg_f.after_conversation"
    }
    assert decide("US", "2026-03-09 08:00", history=history).allowed
    assert decide("US", "2026-03-03 10:00", channel="sms", history=history).allowed


def test_given_an_attorney_when_contacting_the_consumer_then_blocked() -> None:
    decision = decide("US", account={"attorney_represented": True})
    assert blocked(decision) == {"us.attorney"}
    assert decision.next_allowed_at is None


def test_given_an_employer_email_when_emailing_then_blocked() -> None:
    assert blocked(decide("US", channel="email", party={"email_employer_provided": True})) == {
        "us.employer_email"
    }
    assert decide("US", channel="call", party={"email_employer_provided": True}).allowed


def test_given_a_cease_request_when_statutory_notice_then_only_that_passes() -> None:
    assert blocked(decide("US", channel="letter", account={"cease_request": True})) == {"us.cease"}
    assert decide(
        "US", channel="letter", account={"cease_request": True}, purpose="statutory_notice"
    ).allowed


@pytest.mark.parametrize("channel", ["email", "sms", "whatsapp"])
def test_given_unknown_or_missing_opt_out_when_texting_then_blocked(channel: str) -> None:
    assert blocked(decide("US", channel=channel, message={"has_opt_out": None})) == {
        "us.opt_out_notice"
    }
    assert blocked(decide("US", channel=channel, message={"has_opt_out": False})) == {
        "us.opt_out_notice"
    }
    assert decide("US", channel=channel).allowed


def test_given_unknown_opt_out_when_calling_then_not_required() -> None:
    assert decide("US", channel="call", message={"has_opt_out": None}).allowed


def test_given_a_time_barred_debt_when_threatening_suit_then_blocked() -> None:
    account = {"statute_barred": True}
    assert blocked(
        decide("US", channel="letter", account=account, message={"threatens_legal_action": True})
    ) == {"us.time_barred"}
    assert decide("US", channel="letter", account=account).allowed
    assert decide("US", channel="letter", message={"threatens_legal_action": True}).allowed


def test_given_inconvenient_times_when_inside_then_blocked_until_they_end() -> None:
    party = {
        "inconvenient_times": [{"weekdays": [0, 1, 2, 3, 4], "start": "09:00", "end": "17:00"}]
    }
    assert decide("US", "2026-03-02 08:59", party=party).allowed
    decision = decide("US", "2026-03-02 09:00", party=party)
    assert blocked(decision) == {"us.inconvenient_times"}
    assert decision.next_allowed_at is not None
    assert decision.next_allowed_at.isoformat() == "2026-03-02T17:00:00-05:00"
    assert decide("US", "2026-03-07 10:00", party=party).allowed  # Saturday not listed


def test_given_a_night_shift_span_past_midnight_when_early_next_morning_then_blocked() -> None:
    party = {"inconvenient_times": [{"weekdays": [0], "start": "20:00", "end": "10:00"}]}
    assert blocked(decide("US", "2026-03-03 09:00", party=party)) == {"us.inconvenient_times"}
    assert decide("US", "2026-03-03 10:00", party=party).allowed
    assert decide("US", "2026-03-04 09:00", party=party).allowed


def test_given_a_third_party_when_locating_then_allowed_but_not_for_collection() -> None:
    assert decide("US", party={"role": "third_party"}, purpose="location").allowed
    assert blocked(decide("US", party={"role": "third_party"})) == {"us.third_parties"}


def test_given_massachusetts_when_two_calls_in_seven_days_then_the_third_is_blocked() -> None:
    two = calls(2)
    assert decide("US-MA", "2026-03-05 10:00", history=calls(1)).allowed
    decision = decide("US-MA", "2026-03-05 10:00", history=two)
    assert blocked(decision) == {"us_ma.2in7"}
    assert decision.pack == "US@2021-11-30+US-MA@2021-11-30"
    assert decide("US", "2026-03-05 10:00", history=two).allowed
    sms = decide("US-MA", "2026-03-05 10:00", channel="sms", history=two)
    assert blocked(sms) == {"us_ma.2in7"}


def test_given_a_massachusetts_holiday_when_calling_then_reg_f_does_not_exclude_it() -> None:
    assert decide("US-MA", "2026-04-20 10:00").allowed  # Patriots' Day


def test_given_massachusetts_when_two_calls_last_week_then_the_calendar_week_is_fresh_but_rolling_blocks() -> (
    None
):
    # Two calls on Saturday 7 March; Monday 9 March starts a new calendar week but the 7-day
    # period still holds them: the strictest reading blocks until Saturday 14 March.
    history = calls(2, day="2026-03-07")
    decision = decide("US-MA", "2026-03-09 10:00", history=history)
    assert blocked(decision) == {"us_ma.2in7"}
    assert decision.next_allowed_at is not None
    assert decision.next_allowed_at.isoformat() == "2026-03-14T08:00:00-04:00"


def test_given_a_request_built_in_python_with_a_naive_time_when_evaluated_then_rejected() -> None:
    from datetime import datetime

    from acuerda.compliance.engine import ContactRequest, RequestError

    with pytest.raises(RequestError) as info:
        evaluate(ContactRequest(jurisdiction="US", channel="call", at=datetime(2026, 3, 2, 10)))  # noqa: DTZ001
    assert info.value.errors[0].field == "at"
    with pytest.raises(RequestError):
        evaluate(parse_request(make("US")).replace(jurisdiction="ZZ"))


@pytest.mark.parametrize("role", ["co_debtor", "guarantor"])
def test_given_a_co_obligor_when_contacting_then_allowed_unless_represented(role: str) -> None:
    assert decide("US", party={"role": role}).allowed
    assert blocked(decide("US", party={"role": role}, account={"attorney_represented": True})) == {
        "us.attorney"
    }


def test_given_a_reference_with_attorney_flag_when_locating_then_the_attorney_rule_does_not_apply() -> (
    None
):
    decision = decide(
        "US",
        party={"role": "reference"},
        purpose="location",
        account={"attorney_represented": True},
    )
    assert decision.allowed
    assert "us.attorney" not in decision.evaluated


def test_given_a_bad_zone_in_a_python_built_request_when_evaluated_then_rejected() -> None:
    from acuerda.compliance.engine import Party, RequestError

    request = parse_request(make("US")).replace(party=Party(timezone="Nowhere/Land"))
    with pytest.raises(RequestError) as info:
        evaluate(request)
    assert info.value.errors[0].field == "party.timezone"
