"""Batch mode: which channels may be used on a local day, and in which windows.

``day_plan`` is exact with respect to ``evaluate``: every rule reports the local wall-clock
times / instants of the day where its answer may change (window edges, inconvenient-time
edges, history entries, 48-hour gap expiries; midnight covers date-based changes), plus the
day's DST transitions. The answer is constant between two consecutive breakpoints, so one
evaluation per segment decides it.

For throughput the core is cached on a hashable key: ``day_plan_key`` keeps only the history
that can matter for that day (the rules' look-back) and folds older conversations into
``account.direct_contact_made``, so accounts with the same relevant facts share one plan.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from .calendar import day_bounds, localize_all, zone
from .decision import Note
from .evaluate import _Evaluator, _resolve, localize_history, party_zone
from .packs import CACHE_CLEARERS, DEFAULT_REGISTRY, Registry
from .policy import Policy, PolicyError
from .request import CHANNELS, ContactRequest, ContactTemplate, default_zone
from .rules import (
    DIRECT_ROLES,
    FAILED_OUTCOMES,
    Cooldown,
    DistinctChannelCap,
    FrequencyCap,
    MinimumGap,
    _Counting,
)

Interval = tuple[datetime, datetime]
PlanKey = tuple[ContactTemplate, date, tuple[str, ...], Policy | None, Registry]


@lru_cache(maxsize=65536)
def _history_window(
    jurisdiction: str,
    timezone: str | None,
    day: date,
    registry: Registry,
    policy: Policy | None,
) -> tuple[datetime, datetime]:
    """[since, end) in UTC: the history that can change a decision on ``day``."""
    _p, _f, rules, _id = _resolve(registry, jurisdiction, day, policy)
    lookback = max((r.LOOKBACK_DAYS for r in rules), default=0) + 1
    start, end, _t = day_bounds(day, timezone or default_zone(jurisdiction))
    return start.astimezone(UTC) - timedelta(days=lookback), end.astimezone(UTC)


def day_plan_key(
    template: ContactTemplate | ContactRequest,
    day: date,
    channels: Iterable[str] = CHANNELS,
    *,
    policy: Policy | None = None,
    registry: Registry = DEFAULT_REGISTRY,
) -> PlanKey:
    """A hashable key; templates with equal keys get equal plans for ``day``.

    History outside the rules' look-back (or after the day) is dropped; a dropped
    conversation with a liable party is kept as ``account.direct_contact_made = True``.
    """
    if type(template) is ContactRequest:
        template = template.template()
    assert isinstance(template, ContactTemplate)
    if (
        policy is not None
        and policy.jurisdiction is not None
        and policy.jurisdiction.split("-", 1)[0] != template.country
    ):
        raise PolicyError(
            [
                (
                    "jurisdiction",
                    f"policy for {policy.jurisdiction} used for {template.jurisdiction}",
                )
            ]
        )
    chans = channels if type(channels) is tuple else tuple(channels)
    history = template.history
    if history:
        since, end_utc = _history_window(
            template.jurisdiction, template.party.timezone, day, registry, policy
        )
        if not all(since <= e.at < end_utc for e in history):
            account = template.account
            if account.direct_contact_made is None and any(
                e.outcome == "conversation" and e.party_role in DIRECT_ROLES and e.at < since
                for e in history
            ):
                account = dataclasses.replace(account, direct_contact_made=True)
            kept = tuple(e for e in history if since <= e.at < end_utc)
            template = ContactTemplate(
                template.jurisdiction,
                template.purpose,
                template.party,
                account,
                template.message,
                kept,
            )
    return (template, day, chans, policy, registry)


def _history_state(
    template: ContactTemplate, day: date, policy: Policy | None, registry: Registry
) -> tuple[object, ...]:
    """What the history can change in ``day``'s plan, and nothing else.

    Entries made before the day reach the rules only through the local day they fell on (counts,
    expiries, cooldowns, channels used), through the last instant (minimum gaps) and through
    whether direct contact was made; entries of the day itself are kept whole (they are
    breakpoints). Two histories with the same state give the same plan, so accounts with
    different but equivalent histories share one: the daily run plans a few thousand distinct
    states instead of one per contacted account.
    """
    tz = zone(template.party.timezone or default_zone(template.jurisdiction))
    start, _end, _t = day_bounds(day, tz.key)
    start_utc = start.astimezone(UTC)
    entries = localize_history(template.history, tz)
    before = [e for e in entries if e.at < start_utc]
    today = tuple((e.at, e.channel, e.outcome, e.role) for e in entries if e.at >= start_utc)
    direct = template.account.direct_contact_made
    if direct is None:
        direct = any(e.outcome == "conversation" and e.role in DIRECT_ROLES for e in before)
    _p, _f, rules, _id = _resolve(registry, template.jurisdiction, day, policy)
    role = template.party.role
    week_start = day - timedelta(days=day.weekday())
    states: list[object] = []
    for rule in rules:
        if not isinstance(rule, _Counting) or not rule.in_force(day):
            continue
        picked = [
            e
            for e in before
            if (rule.counted_channels is None or e.channel in rule.counted_channels)
            and (rule.count_failed_attempts or e.outcome not in FAILED_OUTCOMES)
            and (not rule.same_role_only or e.role == role)
        ]
        if isinstance(rule, MinimumGap):
            last = max((e.at for e in picked), default=None)
            gap = timedelta(hours=rule.hours)
            states.append(last if last is not None and last + gap > start_utc else None)
        elif isinstance(rule, Cooldown):
            first = day - timedelta(days=rule.days - 1)
            states.append(
                max(
                    (
                        e.day
                        for e in picked
                        if e.outcome in rule.trigger_outcomes and e.day >= first
                    ),
                    default=None,
                )
            )
        elif isinstance(rule, FrequencyCap | DistinctChannelCap):
            first = min(day - timedelta(days=max(rule.days, 7) - 1), week_start)
            if isinstance(rule, FrequencyCap):
                states.append(tuple(sorted(e.day for e in picked if e.day >= first)))
            else:
                last_day: dict[str, date] = {}
                for e in picked:
                    if e.day >= first:
                        last_day[e.channel] = max(e.day, last_day.get(e.channel, e.day))
                states.append(tuple(sorted(last_day.items())))
        else:  # a counting rule this function does not know: everything it could read
            states.append(
                tuple(sorted((e.at, e.day, e.channel, e.outcome, e.role) for e in picked))
            )
    return (direct, today, tuple(states))


_STATE_PLANS: dict[tuple[object, ...], dict[str, tuple[Interval, ...]]] = {}
_STATE_PLANS_MAX = 200_000


def plan_for_template(
    template: ContactTemplate | ContactRequest,
    day: date,
    channels: tuple[str, ...],
    *,
    policy: Policy | None = None,
    registry: Registry = DEFAULT_REGISTRY,
) -> dict[str, tuple[Interval, ...]]:
    """``plan_for_key(day_plan_key(...))``, shared between equivalent histories
    (``_history_state``). Plans are shared: treat them as read-only."""
    key = day_plan_key(template, day, channels, policy=policy, registry=registry)
    trimmed = key[0]
    if not trimmed.history:
        return plan_for_key(key)
    state_key = (
        dataclasses.replace(trimmed, history=()),
        day,
        key[2],
        policy,
        registry,
        _history_state(trimmed, day, policy, registry),
    )
    plan = _STATE_PLANS.get(state_key)
    if plan is None:
        if len(_STATE_PLANS) >= _STATE_PLANS_MAX:
            _STATE_PLANS.clear()
        plan = _STATE_PLANS[state_key] = plan_for_key(key)
    return plan


def plan_many(
    templates: Iterable[ContactTemplate | ContactRequest],
    day: date,
    channels: Iterable[str] = CHANNELS,
    *,
    policy: Policy | None = None,
    registry: Registry = DEFAULT_REGISTRY,
) -> Iterator[Mapping[str, tuple[Interval, ...]]]:
    """Batch form of ``day_plan``: one plan per template, in order.

    Plans are shared between templates with equal keys: treat them as read-only.
    """
    chans = tuple(channels)
    for template in templates:
        yield plan_for_template(template, day, chans, policy=policy, registry=registry)


@lru_cache(maxsize=200_000)
def plan_for_key(key: PlanKey) -> dict[str, tuple[Interval, ...]]:
    """The cached core of ``day_plan`` (intervals are half-open, aware, in the local zone)."""
    template, day, channels, policy, registry = key
    probe = template.at(channels[0] if channels else "call", datetime.now(UTC))
    tz, _assumed = party_zone(probe)
    tz_name = tz.key
    start, end, transitions = day_bounds(day, tz_name)
    start_utc, end_utc = start.astimezone(UTC), end.astimezone(UTC)
    out: dict[str, tuple[Interval, ...]] = {}
    history = None
    for channel in channels:
        request = template.at(channel, start_utc)
        ev = _Evaluator(request, tz, policy, registry, history)
        history = ev.history
        points = {start_utc, *(t.astimezone(UTC) for t in transitions)}
        ctx = ev.context(start_utc, [], full_history=True)
        rules, _f, _id = ev.rules(ctx)
        for rule in rules:
            if not rule.in_force(day) or not rule.applies(ctx):
                continue
            for bp in rule.breakpoints(ctx):
                if isinstance(bp, datetime):
                    points.add(bp.astimezone(UTC))
                else:
                    points.update(i.astimezone(UTC) for i in localize_all(day, bp, tz))
        ordered = sorted(p for p in points if start_utc <= p < end_utc)
        intervals: list[Interval] = []
        notes: list[Note] = []
        open_at: datetime | None = None
        for p in ordered:
            ok = not ev.check(p, notes)[0]
            if ok and open_at is None:
                open_at = p
            elif not ok and open_at is not None:
                intervals.append((open_at.astimezone(tz), p.astimezone(tz)))
                open_at = None
            notes.clear()
        if open_at is not None:
            intervals.append((open_at.astimezone(tz), end_utc.astimezone(tz)))
        out[channel] = tuple(intervals)
    return out


CACHE_CLEARERS.extend((_history_window.cache_clear, plan_for_key.cache_clear, _STATE_PLANS.clear))


def day_plan(
    request_template: ContactTemplate | ContactRequest,
    day: date,
    channels: Iterable[str] = CHANNELS,
    *,
    policy: Policy | None = None,
    registry: Registry = DEFAULT_REGISTRY,
) -> dict[str, list[Interval]]:
    """Allowed half-open intervals [start, end) per channel on the local ``day``."""
    plan = plan_for_template(
        request_template, day, tuple(channels), policy=policy, registry=registry
    )
    return {c: list(v) for c, v in plan.items()}
