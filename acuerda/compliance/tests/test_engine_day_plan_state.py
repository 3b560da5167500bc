"""Plans shared between equivalent histories (``plan_for_template``) stay exact.

The daily run gives accounts whose histories differ but cannot change the day's answer the same
plan. Histories here are drawn from a small space (a few days, hours, channels, outcomes and
roles) so that many of them collide on one state; each is still checked against ``evaluate``.
"""

from __future__ import annotations

from datetime import UTC, date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from acuerda.compliance.engine import day_plan, evaluate, parse_request
from acuerda.compliance.engine.calendar import day_bounds

from .test_engine_support import hist, make

DAY = date(2026, 3, 4)  # a Wednesday
ZONES = {"CO": "America/Bogota", "US": "America/New_York", "US-MA": "America/New_York", "CL": "America/Santiago",
         "PE": "America/Lima"}


def _entry() -> st.SearchStrategy[tuple[int, int, str, str, str]]:
    return st.tuples(
        st.integers(min_value=0, max_value=9),  # days before DAY (0: DAY itself)
        st.sampled_from([8, 10, 13, 16, 18]),
        st.sampled_from(["call", "sms", "email", "visit"]),
        st.sampled_from(["conversation", "no_answer", "delivered", "voicemail"]),
        st.sampled_from(["debtor", "debtor", "co_debtor", "reference"]),
    )


@settings(max_examples=120, deadline=None)
@given(
    jurisdiction=st.sampled_from(sorted(ZONES)),
    entries=st.lists(_entry(), min_size=1, max_size=4),
    hours=st.lists(st.sampled_from([8, 10, 13, 16, 18]), min_size=4, max_size=4),
    channels=st.permutations(["call", "sms", "email", "visit"]),
    outcomes=st.permutations(["conversation", "no_answer", "delivered", "voicemail"]),
)
def test_given_histories_that_collide_on_a_state_when_planned_then_every_plan_still_matches_evaluate(
    jurisdiction: str, entries: list[tuple[int, int, str, str, str]], hours: list[int], channels: list[str],
    outcomes: list[str],
) -> None:
    zone = ZONES[jurisdiction]
    rename = dict(zip(["call", "sms", "email", "visit"], channels, strict=True))
    reoutcome = dict(zip(["conversation", "no_answer", "delivered", "voicemail"], outcomes, strict=True))
    variants = [
        entries,  # planned first: the variants below may hit its cached plan
        [(b, hours[i], c, o, r) for i, (b, _h, c, o, r) in enumerate(entries)],  # other hours, same days
        [(b, h, rename[c], o, r) for b, h, c, o, r in entries],  # other channels
        [(b, h, c, reoutcome[o], r) for b, h, c, o, r in entries],  # other outcomes
    ]
    start, _end, _t = day_bounds(DAY, zone)
    for variant in variants:
        history = [hist(f"{DAY - timedelta(days=back)} {hour:02d}:00", zone, ch, outcome, role)
                   for back, hour, ch, outcome, role in variant]
        template = parse_request(make(jurisdiction, f"{DAY} 12:00", history=history)).template()
        plan = day_plan(template, DAY)
        for channel in ("call", "sms", "email", "visit"):
            for minute in range(30, 24 * 60, 60):
                moment = start.astimezone(UTC) + timedelta(minutes=minute)
                inside = any(s <= moment < e for s, e in plan[channel])
                assert evaluate(template.at(channel, moment)).allowed is inside, (channel, moment.isoformat(), history)


def test_given_two_histories_with_the_same_effect_when_planned_then_they_share_one_plan() -> None:
    zone = ZONES["US"]
    # Reg F 7-in-7 counts calls per local day: 10:00 or 16:00 two days ago is the same fact.
    a = parse_request(make("US", f"{DAY} 12:00", history=[hist(f"{DAY - timedelta(days=2)} 10:00", zone,
                                                              outcome="no_answer")])).template()
    b = parse_request(make("US", f"{DAY} 12:00", history=[hist(f"{DAY - timedelta(days=2)} 16:00", zone,
                                                              outcome="no_answer")])).template()
    c = parse_request(make("US", f"{DAY} 12:00", history=[hist(f"{DAY - timedelta(days=2)} 16:00", zone,
                                                              outcome="conversation")])).template()
    from acuerda.compliance.engine import CHANNELS, plan_for_template

    plan_a = plan_for_template(a, DAY, CHANNELS)
    assert plan_for_template(b, DAY, CHANNELS) is plan_a
    assert plan_for_template(c, DAY, CHANNELS) is not plan_a  # a conversation starts the 7-day cooldown
    assert plan_for_template(c, DAY, CHANNELS)["call"] == ()
