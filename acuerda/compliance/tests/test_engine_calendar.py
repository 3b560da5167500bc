"""Local time helpers: DST gaps and folds, holidays cache."""

from __future__ import annotations

from datetime import UTC, date, datetime

from acuerda.compliance.engine import RulePack, evaluate, parse_request
from acuerda.compliance.engine.calendar import day_bounds, is_holiday, localize, localize_all, zone
from acuerda.compliance.engine.packs import Registry
from acuerda.compliance.engine.rules import ContactWindow

from .test_engine_support import make

NY = zone("America/New_York")


def test_given_a_wall_time_in_the_spring_gap_when_localized_then_the_jump_instant_is_used() -> None:
    moment = localize(date(2026, 3, 8), 2 * 3600 + 1800, NY)
    assert moment.isoformat() == "2026-03-08T03:00:00-04:00"


def test_given_a_wall_time_in_the_autumn_fold_when_localized_then_both_instants_exist() -> None:
    first, second = localize_all(date(2026, 11, 1), 3600 + 1800, NY)
    assert first.astimezone(UTC).isoformat() == "2026-11-01T05:30:00+00:00"
    assert second.astimezone(UTC).isoformat() == "2026-11-01T06:30:00+00:00"


def test_given_dst_days_when_bounded_then_they_last_23_and_25_hours() -> None:
    for day, hours in ((date(2026, 3, 8), 23), (date(2026, 11, 1), 25), (date(2026, 3, 9), 24)):
        start, end, transitions = day_bounds(day, "America/New_York")
        assert (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() == hours * 3600
        assert len(transitions) == (0 if hours == 24 else 1)


def test_given_regional_holidays_when_checked_then_subdivision_matters() -> None:
    assert is_holiday("ES", "CN", date(2026, 4, 2))
    assert not is_holiday("ES", None, date(2026, 4, 2))
    assert is_holiday("CO", None, date(2026, 3, 23))  # Emiliani Monday
    assert not is_holiday("CO", None, date(2026, 3, 19))


def test_given_a_window_opening_inside_the_dst_gap_when_blocked_before_then_next_is_the_jump() -> (
    None
):
    rule = ContactWindow(
        id="xx.hours",
        reference="Test",
        title_es="Horario",
        title_en="Hours",
        explanation_es="-",
        explanation_en="-",
        hours=tuple((d, 9000, 18000) for d in range(7)),  # 02:30-05:00
        closed_on_holidays=False,
    )
    registry = Registry()
    registry.add(RulePack(code="US", version=date(2020, 1, 1), title="t", rules=(rule,)))
    decision = evaluate(parse_request(make("US", "2026-03-08 01:00")), registry=registry)
    assert decision.next_allowed_at is not None
    assert decision.next_allowed_at.isoformat() == "2026-03-08T03:00:00-04:00"
    assert decision.next_allowed_at == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
