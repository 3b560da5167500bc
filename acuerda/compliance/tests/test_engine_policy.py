"""Creditor policies may only tighten a pack."""

from __future__ import annotations

from datetime import date

import pytest

from acuerda.compliance.engine import (
    Policy,
    PolicyError,
    RulePack,
    evaluate,
    parse_request,
    policy_from_dict,
)
from acuerda.compliance.engine.packs import Registry
from acuerda.compliance.engine.rules import ContactWindow, weekly

from .test_engine_support import blocked, hist, make

BOG = "America/Bogota"


def run(policy: Policy, *args: object, **kw: object):  # type: ignore[no-untyped-def]
    return evaluate(parse_request(make(*args, **kw)), policy=policy)  # type: ignore[arg-type]


def test_given_narrower_hours_when_outside_them_then_the_policy_blocks_with_its_reference() -> None:
    policy = policy_from_dict({"hours": {"mon": [["09:00", "17:00"]]}}, "CO")
    decision = run(policy, "CO", "2026-03-02 08:30")
    assert blocked(decision) == {"policy.hours"}
    assert decision.blocked_by[0].reference == "Política del mandante / creditor policy"
    assert decision.next_allowed_at is not None
    assert decision.next_allowed_at.isoformat() == "2026-03-02T09:00:00-05:00"
    assert run(policy, "CO", "2026-03-02 16:59").allowed
    assert blocked(run(policy, "CO", "2026-03-02 17:00")) == {"policy.hours"}
    assert run(policy, "CO", "2026-03-03 07:00").allowed  # other weekdays keep the pack hours


def test_given_a_wider_window_when_validated_then_policy_error_names_the_field() -> None:
    with pytest.raises(PolicyError) as info:
        policy_from_dict(
            {"hours": {"mon": [["06:00", "19:00"]], "sun": [["10:00", "12:00"]]}}, "CO"
        )
    fields = [f for f, _m in info.value.errors]
    assert fields == ["hours.mon[0]", "hours.sun[0]"]
    assert "co.hours" in str(info.value)


def test_given_a_closed_weekday_when_contacting_that_day_then_blocked() -> None:
    policy = policy_from_dict({"closed_weekdays": ["sat"]}, "CO")
    decision = run(policy, "CO", "2026-03-07 10:00")
    assert blocked(decision) == {"policy.hours"}
    assert decision.next_allowed_at is not None
    assert decision.next_allowed_at.isoformat() == "2026-03-09T07:00:00-05:00"


def test_given_a_blackout_date_when_contacting_then_blocked_until_the_next_day() -> None:
    policy = policy_from_dict({"blackout_dates": ["2026-03-03"]}, "CO")
    decision = run(policy, "CO", "2026-03-03 10:00")
    assert blocked(decision) == {"policy.blackout_dates"}
    assert decision.next_allowed_at is not None
    assert decision.next_allowed_at.isoformat() == "2026-03-04T07:00:00-05:00"


def test_given_forbidden_channels_when_used_then_blocked() -> None:
    policy = policy_from_dict({"forbidden_channels": ["whatsapp"]}, "CO")
    assert blocked(run(policy, "CO", channel="whatsapp")) == {"policy.channels"}
    assert run(policy, "CO", channel="sms").allowed


def test_given_an_allowed_list_re_allowing_visits_when_validated_then_rejected() -> None:
    with pytest.raises(PolicyError) as info:
        policy_from_dict({"allowed_channels": ["call", "visit"]}, "CO")
    assert info.value.errors[0][0] == "allowed_channels[visit]"
    policy = policy_from_dict({"allowed_channels": ["call"]}, "CO")
    assert blocked(run(policy, "CO", channel="sms")) == {"policy.channels"}


def test_given_a_lower_cap_when_reached_then_the_policy_blocks() -> None:
    policy = policy_from_dict({"caps": {"us.reg_f.7in7": 3}}, "US")
    calls = [
        hist(f"2026-03-02 {9 + i:02d}:00", "America/New_York", outcome="no_answer")
        for i in range(3)
    ]
    assert run(policy, "US", "2026-03-03 10:00", history=calls[:2]).allowed
    assert blocked(run(policy, "US", "2026-03-03 10:00", history=calls)) == {"policy.us.reg_f.7in7"}


def test_given_a_higher_cap_when_validated_then_rejected() -> None:
    with pytest.raises(PolicyError) as info:
        policy_from_dict({"caps": {"us.reg_f.7in7": 8, "us.hours": 1, "nope": 1}}, "US")
    assert [f for f, _m in info.value.errors] == [
        "caps.us.reg_f.7in7",
        "caps.us.hours",
        "caps.nope",
    ]


def test_given_a_setting_when_failed_attempts_do_not_count_then_the_reading_changes_and_is_noted() -> (
    None
):
    history = [hist("2026-03-02 08:00", BOG, outcome="busy")]
    kw = {"history": history, "account": {"direct_contact_made": True}}
    strict = evaluate(parse_request(make("CO", "2026-03-02 10:00", **kw)))  # type: ignore[arg-type]
    assert blocked(strict) == {"co.frequency.daily"}
    policy = policy_from_dict(
        {"settings": {"co.frequency.daily": {"count_failed_attempts": False}}}, "CO"
    )
    lenient = run(policy, "CO", "2026-03-02 10:00", **kw)
    assert lenient.allowed
    assert any("count_failed_attempts" in n.en for n in lenient.assumptions)


def test_given_a_non_setting_parameter_when_changed_then_rejected() -> None:
    with pytest.raises(PolicyError) as info:
        policy_from_dict(
            {"settings": {"co.frequency.daily": {"max_count": 5}}, "colour": "red"}, "CO"
        )
    assert {f for f, _m in info.value.errors} == {"colour", "settings.co.frequency.daily.max_count"}


def test_given_a_policy_for_another_country_when_applied_then_error() -> None:
    policy = policy_from_dict({"forbidden_channels": ["sms"]}, "PE")
    with pytest.raises(PolicyError):
        run(policy, "CO")


def test_given_two_pack_versions_when_evaluating_then_the_one_in_force_is_used() -> None:
    def pack(version: date, end: str) -> RulePack:
        rule = ContactWindow(
            id="xx.hours",
            reference="Test",
            title_es="Horario",
            title_en="Hours",
            explanation_es="-",
            explanation_en="-",
            hours=weekly(mon_fri=("08:00", end)),
        )
        return RulePack(code="CO", version=version, title="test", rules=(rule,))

    registry = Registry()
    registry.add(pack(date(2026, 3, 4), "18:00"))
    registry.add(pack(date(2020, 1, 1), "20:00"))
    before = evaluate(parse_request(make("CO", "2026-03-03 19:00")), registry=registry)
    after = evaluate(parse_request(make("CO", "2026-03-04 19:00")), registry=registry)
    assert before.allowed and before.pack == "CO@2020-01-01"
    assert not after.allowed and after.pack == "CO@2026-03-04"


def test_given_a_rule_not_yet_in_force_when_evaluating_then_it_is_skipped() -> None:
    rule = ContactWindow(
        id="xx.hours",
        reference="Test",
        title_es="Horario",
        title_en="Hours",
        explanation_es="-",
        explanation_en="-",
        hours=weekly(mon_fri=("08:00", "09:00")),
        effective_from=date(2026, 3, 4),
    )
    registry = Registry()
    registry.add(RulePack(code="CO", version=date(2020, 1, 1), title="t", rules=(rule,)))
    early = evaluate(parse_request(make("CO", "2026-03-03 12:00")), registry=registry)
    assert early.allowed and early.evaluated == ()
    late = evaluate(parse_request(make("CO", "2026-03-04 12:00")), registry=registry)
    assert not late.allowed and late.evaluated == ("xx.hours",)


def test_given_mx_weekend_setting_when_enabled_then_saturday_opens_and_is_noted() -> None:
    assert not run(Policy(), "MX", "2026-03-07 10:00").allowed
    policy = policy_from_dict({"settings": {"mx.hours": {"use_optional_hours": True}}}, "MX")
    decision = run(policy, "MX", "2026-03-07 10:00")
    assert decision.allowed
    assert any("use_optional_hours" in n.en for n in decision.assumptions)
    assert not run(policy, "MX", "2026-03-07 22:00").allowed
    # with the setting on, a policy may then narrow Saturday hours
    narrowed = policy_from_dict(
        {
            "settings": {"mx.hours": {"use_optional_hours": True}},
            "hours": {"sat": [["09:00", "13:00"]]},
        },
        "MX",
    )
    assert blocked(run(narrowed, "MX", "2026-03-07 13:00")) == {"policy.hours"}


def test_given_an_unverified_hours_setting_when_the_creditor_sets_ar_hours_then_they_apply() -> (
    None
):
    policy = policy_from_dict(
        {"settings": {"ar.hours": {"hours": {"mon": [["09:00", "18:00"]]}}}}, "AR"
    )
    assert blocked(run(policy, "AR", "2026-03-02 08:30")) == {"ar.hours"}
    assert run(policy, "AR", "2026-03-02 09:00").allowed
    assert not run(policy, "AR", "2026-03-03 10:00").allowed  # Tuesday no longer listed


def test_given_hours_as_a_setting_when_the_rule_has_no_such_setting_then_rejected() -> None:
    with pytest.raises(PolicyError) as info:
        policy_from_dict({"settings": {"co.hours": {"hours": {"sun": [["09:00", "18:00"]]}}}}, "CO")
    assert info.value.errors[0][0] == "settings.co.hours.hours"


def test_given_bad_setting_values_when_validated_then_each_is_named() -> None:
    with pytest.raises(PolicyError) as info:
        policy_from_dict(
            {
                "settings": {
                    "co.frequency.daily": {"count_failed_attempts": "no", "period": "fortnight"},
                    "ar.nope": {},
                }
            },
            "CO",
        )
    assert {f for f, _m in info.value.errors} == {
        "settings.co.frequency.daily.count_failed_attempts",
        "settings.co.frequency.daily.period",
        "settings.ar.nope",
    }


def test_given_unknown_court_lookalike_when_the_creditor_requires_it_known_then_blocked() -> None:
    policy = policy_from_dict({"settings": {"pe.court_lookalike": {"unknown_blocks": True}}}, "PE")
    assert blocked(run(policy, "PE", channel="letter", message={"court_lookalike": None})) == {
        "pe.court_lookalike"
    }
    assert run(Policy(), "PE", channel="letter", message={"court_lookalike": None}).allowed


def test_given_end_inclusive_setting_when_at_1900_then_the_last_minute_is_allowed() -> None:
    policy = policy_from_dict({"settings": {"co.hours": {"end_inclusive": True}}}, "CO")
    assert run(policy, "CO", "2026-03-02 19:00").allowed
    assert blocked(run(policy, "CO", "2026-03-02 19:01")) == {"co.hours"}
    assert not run(Policy(), "CO", "2026-03-02 19:00").allowed


def test_given_a_registry_when_a_new_version_is_added_later_then_cached_answers_refresh() -> None:
    def pack(version: date, end: str) -> RulePack:
        rule = ContactWindow(
            id="xx.hours",
            reference="Test",
            title_es="Horario",
            title_en="Hours",
            explanation_es="-",
            explanation_en="-",
            hours=weekly(mon_fri=("08:00", end)),
        )
        return RulePack(code="CO", version=version, title="test", rules=(rule,))

    registry = Registry()
    registry.add(pack(date(2020, 1, 1), "20:00"))
    request = parse_request(make("CO", "2026-03-04 19:00"))
    assert evaluate(request, registry=registry).allowed
    registry.add(pack(date(2026, 1, 1), "18:00"))
    assert not evaluate(request, registry=registry).allowed


def test_given_a_zero_cap_when_validated_then_rejected_in_favour_of_forbidden_channels() -> None:
    with pytest.raises(PolicyError) as info:
        policy_from_dict({"caps": {"co.frequency.daily": 0}}, "CO")
    assert info.value.errors[0][0] == "caps.co.frequency.daily"


def test_given_a_zero_cap_built_in_python_when_evaluated_then_blocked_for_ever() -> None:
    policy = Policy(jurisdiction="US", caps=(("us.reg_f.7in7", 0),))
    decision = run(policy, "US", "2026-03-03 10:00")
    assert blocked(decision) == {"policy.us.reg_f.7in7"}
    assert decision.next_allowed_at is None
