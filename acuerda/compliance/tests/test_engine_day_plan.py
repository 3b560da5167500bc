"""Batch day plans are exact with respect to ``evaluate``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acuerda.compliance.engine import (
    ContactTemplate,
    day_plan,
    day_plan_key,
    evaluate,
    parse_template,
    policy_from_dict,
)
from acuerda.compliance.engine.calendar import day_bounds

from .test_engine_next_allowed import requests
from .test_engine_support import hist, make


def template(jurisdiction: str, **kw: Any) -> ContactTemplate:
    data = make(jurisdiction, **kw)
    del data["channel"], data["at"]
    return parse_template(data)


CASES: list[tuple[str, ContactTemplate, date]] = [
    ("co-plain", template("CO"), date(2026, 3, 2)),
    ("co-saturday", template("CO"), date(2026, 3, 7)),
    (
        "co-contact-today",
        template("CO", history=[hist("2026-03-02 11:30", "America/Bogota")]),
        date(2026, 3, 2),
    ),
    ("co-madrid", template("CO", zone="Europe/Madrid"), date(2026, 3, 29)),
    (
        "us-spring-forward",
        template(
            "US",
            party={"inconvenient_times": [{"weekdays": [6], "start": "01:30", "end": "02:30"}]},
            history=[hist("2026-03-02 10:00", "America/New_York")],
        ),
        date(2026, 3, 8),
    ),
    (
        "us-fall-back",
        template(
            "US",
            party={"inconvenient_times": [{"weekdays": [6], "start": "12:00", "end": "13:15"}]},
        ),
        date(2026, 11, 1),
    ),
    (
        "cl-gap",
        template(
            "CL",
            history=[
                hist("2026-03-01 15:20", "America/Santiago", channel="sms", outcome="delivered"),
                hist("2026-03-03 09:00", "America/Santiago", channel="call", outcome="no_answer"),
            ],
        ),
        date(2026, 3, 3),
    ),
    ("es-cn-holiday", template("ES-CN"), date(2026, 4, 2)),
    ("es-cn-dst", template("ES-CN"), date(2026, 3, 29)),
    (
        "gb-breathing",
        template("GB", account={"breathing_space_until": "2026-03-02"}),
        date(2026, 3, 2),
    ),
    (
        "us-ma",
        template(
            "US-MA", history=[hist("2026-03-01 10:00", "America/New_York", outcome="no_answer")] * 2
        ),
        date(2026, 3, 6),
    ),
]


def inside(intervals: list[tuple[datetime, datetime]], t: datetime) -> bool:
    return any(s <= t < e for s, e in intervals)


@pytest.mark.parametrize(("name", "tpl", "day"), CASES, ids=[c[0] for c in CASES])
@settings(max_examples=60, deadline=None)
@given(
    fraction=st.floats(min_value=0, max_value=1, exclude_max=True),
    channel=st.sampled_from(["call", "sms", "whatsapp", "email", "letter", "visit"]),
)
def test_given_any_instant_of_the_day_when_planning_then_plan_matches_evaluate(
    name: str, tpl: ContactTemplate, day: date, fraction: float, channel: str
) -> None:
    tz_name = tpl.party.timezone or "UTC"
    start, end, _t = day_bounds(day, tz_name)
    span = end.astimezone(UTC) - start.astimezone(UTC)
    t = min(
        (start.astimezone(UTC) + span * fraction).replace(microsecond=0),
        end.astimezone(UTC) - timedelta(seconds=1),
    )
    plan = day_plan(tpl, day)
    assert evaluate(tpl.at(channel, t)).allowed is inside(plan[channel], t)


@pytest.mark.parametrize(("name", "tpl", "day"), CASES, ids=[c[0] for c in CASES])
def test_given_each_interval_edge_when_evaluated_then_start_is_allowed_and_just_before_is_not(
    name: str, tpl: ContactTemplate, day: date
) -> None:
    tz_name = tpl.party.timezone or "UTC"
    start, end, _t = day_bounds(day, tz_name)
    for channel, intervals in day_plan(tpl, day).items():
        for s, e in intervals:
            assert evaluate(tpl.at(channel, s)).allowed
            assert evaluate(tpl.at(channel, e - timedelta(seconds=1))).allowed
            if s.astimezone(UTC) > start.astimezone(UTC):
                assert not evaluate(tpl.at(channel, s - timedelta(seconds=1))).allowed
            if e.astimezone(UTC) < end.astimezone(UTC):
                assert not evaluate(tpl.at(channel, e)).allowed


def test_given_a_co_weekday_when_planning_then_authorised_channels_get_7_to_19() -> None:
    plan = day_plan(
        template("CO", party={"authorised_channels": ["call", "sms"]}), date(2026, 3, 2)
    )
    (call,) = plan["call"]
    assert [x.isoformat() for x in call] == [
        "2026-03-02T07:00:00-05:00",
        "2026-03-02T19:00:00-05:00",
    ]
    assert plan["sms"] == plan["call"]
    assert plan["whatsapp"] == [] and plan["visit"] == []


def test_given_a_contact_at_1130_when_planning_then_the_morning_is_open_and_the_rest_closed() -> (
    None
):
    tpl = template("CO", history=[hist("2026-03-02 11:30", "America/Bogota")])
    (call,) = day_plan(tpl, date(2026, 3, 2), ["call"])["call"]
    assert [x.strftime("%H:%M") for x in call] == ["07:00", "11:30"]


def test_given_a_policy_when_planning_then_it_narrows_the_windows() -> None:
    policy = policy_from_dict({"hours": {"mon": [["10:00", "12:00"], ["14:00", "16:00"]]}}, "CO")
    plan = day_plan(template("CO"), date(2026, 3, 2), ["call"], policy=policy)
    assert [(s.strftime("%H:%M"), e.strftime("%H:%M")) for s, e in plan["call"]] == [
        ("10:00", "12:00"),
        ("14:00", "16:00"),
    ]


def test_given_old_history_when_keying_then_it_collapses_but_keeps_direct_contact() -> None:
    old = template("CO", history=[hist("2026-01-05 10:00", "America/Bogota")])
    older = template("CO", history=[hist("2025-12-01 10:00", "America/Bogota")])
    none = template("CO")
    day = date(2026, 3, 2)
    assert day_plan_key(old, day) == day_plan_key(older, day)
    assert day_plan_key(old, day) != day_plan_key(none, day)
    assert day_plan_key(old, day)[0].account.direct_contact_made is True
    assert day_plan(old, day) == day_plan(
        template("CO", account={"direct_contact_made": True}), day
    )


def _night_registry():  # type: ignore[no-untyped-def]
    from acuerda.compliance.engine import RulePack
    from acuerda.compliance.engine.packs import Registry
    from acuerda.compliance.engine.rules import ContactWindow

    rule = ContactWindow(
        id="xx.hours",
        reference="Test",
        title_es="Horario",
        title_en="Hours",
        explanation_es="-",
        explanation_en="-",
        hours=tuple((d, s, e) for d in range(7) for s, e in ((5400, 9000), (12600, 86400))),
        closed_on_holidays=False,
    )
    registry = Registry()
    registry.add(RulePack(code="US", version=date(2020, 1, 1), title="t", rules=(rule,)))
    return registry


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # 01:30-02:30 and 03:30-24:00; on 8 March 02:00-03:00 does not exist.
        (date(2026, 3, 8), [("06:30", "07:00"), ("07:30", "04:00")]),
        # on 1 November 01:00-02:00 happens twice (EDT then EST).
        (date(2026, 11, 1), [("05:30", "06:00"), ("06:30", "07:30"), ("08:30", "05:00")]),
    ],
)
def test_given_windows_inside_dst_changes_when_planning_then_intervals_follow_the_wall_clock(
    day: date, expected: list[tuple[str, str]]
) -> None:
    registry = _night_registry()
    tpl = template("US")
    plan = day_plan(tpl, day, ["call"], registry=registry)["call"]
    utc = [
        (s.astimezone(UTC).strftime("%H:%M"), e.astimezone(UTC).strftime("%H:%M")) for s, e in plan
    ]
    assert utc == expected
    start, end, _t = day_bounds(day, "America/New_York")
    t = start.astimezone(UTC)
    while t < end.astimezone(UTC):
        assert evaluate(tpl.at("call", t), registry=registry).allowed is inside(plan, t)
        t += timedelta(minutes=10)


def test_given_a_policy_of_another_country_when_planning_then_error() -> None:
    from acuerda.compliance.engine import PolicyError

    policy = policy_from_dict({"forbidden_channels": ["sms"]}, "PE")
    with pytest.raises(PolicyError):
        day_plan(template("CO"), date(2026, 3, 2), policy=policy)


def test_given_many_templates_when_planned_in_batch_then_equal_inputs_share_plans() -> None:
    from acuerda.compliance.engine import plan_many

    a, b = template("CO"), template("CO")
    c = template("CO", party={"authorised_channels": ["sms"]})
    plans = list(plan_many([a, b, c], date(2026, 3, 2)))
    assert plans[0] is plans[1]
    assert plans[2]["call"] == () and plans[2]["sms"] != ()
    assert {k: list(v) for k, v in plans[0].items()} == day_plan(a, date(2026, 3, 2))


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_given_random_requests_across_packs_when_planning_their_day_then_plan_matches_evaluate(
    data: st.DataObject,
) -> None:
    request = data.draw(requests())
    tpl = request.template()
    local = evaluate(request).local_time
    day = local.date()
    plan = day_plan(tpl, day)
    start, end, _t = day_bounds(day, str(local.tzinfo))
    for _ in range(5):
        span = end.astimezone(UTC) - start.astimezone(UTC)
        seconds = data.draw(st.integers(0, int(span.total_seconds()) - 1))
        t = start.astimezone(UTC) + timedelta(seconds=seconds)
        channel = data.draw(
            st.sampled_from(["call", "sms", "email", "letter", "whatsapp", "visit"])
        )
        assert evaluate(tpl.at(channel, t)).allowed is inside(plan[channel], t)
    assert evaluate(request).allowed is inside(plan[request.channel], request.at)
