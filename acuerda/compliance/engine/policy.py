"""Creditor / portfolio policies: overlays that may only tighten a pack.

A policy can narrow the hours per weekday, close weekdays, add blackout dates (extra holidays),
forbid channels (or whitelist them), and lower the caps of the pack's frequency rules.
``policy_from_dict`` validates a policy against every version of the jurisdiction's pack and
raises ``PolicyError`` naming the field when it would loosen the pack (a wider window, a higher
cap, re-allowing a channel the pack bans).

``settings`` is separate on purpose: it selects the documented reading of an ambiguous rule
(e.g. whether failed attempts count) among those each rule declares in ``Rule.settings``.
These choices are interpretations, not loosening of a clear rule, and every decision that
relies on one says so in its assumptions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from .packs import ALL_CHANNELS, DEFAULT_REGISTRY, Registry, RulePack
from .rules import (
    PERIODS,
    BlackoutDates,
    ContactWindow,
    DistinctChannelCap,
    FrequencyCap,
    Hours,
    Prohibition,
    Rule,
    hhmm,
)

POLICY_REF = "Política del mandante / creditor policy"
WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_KEYS = (
    "jurisdiction",
    "name",
    "hours",
    "closed_weekdays",
    "blackout_dates",
    "forbidden_channels",
    "allowed_channels",
    "caps",
    "settings",
)


class PolicyError(ValueError):
    """A policy that is malformed or would loosen the pack; ``errors`` are (field, message)."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{f}: {m}" for f, m in errors))


@dataclass(frozen=True)
class Policy:
    jurisdiction: str | None = None
    name: str = ""
    #: Per weekday (0=Mon) allowed spans; weekdays absent keep the pack's hours.
    hours: tuple[tuple[int, tuple[tuple[int, int], ...]], ...] = ()
    closed_weekdays: frozenset[int] = frozenset()
    blackout_dates: frozenset[date] = frozenset()
    forbidden_channels: frozenset[str] = frozenset()
    allowed_channels: frozenset[str] | None = None
    caps: tuple[tuple[str, int], ...] = ()
    settings: tuple[tuple[str, str, Any], ...] = ()

    def window_hours(self) -> Hours | None:
        if not self.hours and not self.closed_weekdays:
            return None
        listed = dict(self.hours)
        out: list[tuple[int, int, int]] = []
        for wd in range(7):
            if wd in self.closed_weekdays:
                continue
            spans = listed.get(wd, ((0, 86400),))
            out.extend((wd, s, e) for s, e in spans)
        return tuple(sorted(out))


def _parse_clock(value: Any, allow_24: bool) -> int | None:
    if not isinstance(value, str) or len(value) != 5 or value[2] != ":":
        return None
    if not (value[:2].isdigit() and value[3:].isdigit()):
        return None
    h, m = int(value[:2]), int(value[3:])
    if allow_24 and (h, m) == (24, 0):
        return 86400
    if h > 23 or m > 59:
        return None
    return h * 3600 + m * 60


def _parse_hours_setting(path: str, value: Any, errors: list[tuple[str, str]]) -> Hours | None:
    if not isinstance(value, Mapping):
        errors.append((path, 'must be an object {"mon": [["HH:MM", "HH:MM"]], ...}'))
        return None
    out: list[tuple[int, int, int]] = []
    ok = True
    for key, spans in value.items():
        if key not in WEEKDAY_KEYS or not isinstance(spans, list):
            errors.append((f"{path}.{key}", "unknown weekday or not a list of spans"))
            ok = False
            continue
        for i, span in enumerate(spans):
            s = _parse_clock(span[0], False) if isinstance(span, list) and len(span) == 2 else None
            e = _parse_clock(span[1], True) if isinstance(span, list) and len(span) == 2 else None
            if s is None or e is None or e <= s:
                errors.append((f"{path}.{key}[{i}]", "invalid span (HH:MM, start before end)"))
                ok = False
                continue
            out.append((WEEKDAY_KEYS.index(key), s, e))
    return tuple(sorted(out)) if ok else None


def policy_from_dict(
    data: Mapping[str, Any],
    jurisdiction: str | None = None,
    *,
    registry: Registry = DEFAULT_REGISTRY,
) -> Policy:
    """Validate a policy mapping against the jurisdiction's packs (all versions)."""
    errors: list[tuple[str, str]] = []
    if not isinstance(data, Mapping):
        raise PolicyError([("", "policy must be an object")])
    for key in data:
        if key not in _KEYS:
            errors.append((str(key), "unknown field"))
    code = data.get("jurisdiction", jurisdiction)
    if jurisdiction is not None and code != jurisdiction:
        errors.append(("jurisdiction", f"policy is for {code!r}, not {jurisdiction!r}"))
    if not isinstance(code, str) or code.split("-", 1)[0] not in registry.packs:
        raise PolicyError([*errors, ("jurisdiction", f"unknown jurisdiction {code!r}")])
    packs = registry.versions(code.split("-", 1)[0])
    if code in registry.packs and "-" in code:
        packs += registry.versions(code)
    rules = [r for p in packs for r in p.rules]

    settings: list[tuple[str, str, Any]] = []
    raw_settings = data.get("settings") or {}
    if not isinstance(raw_settings, Mapping):
        errors.append(("settings", "must be an object {rule_id: {setting: value}}"))
        raw_settings = {}
    for rule_id, values in raw_settings.items():
        matching = [r for r in rules if r.id == rule_id]
        if not matching:
            errors.append((f"settings.{rule_id}", "no such rule in the pack"))
            continue
        if not isinstance(values, Mapping):
            errors.append((f"settings.{rule_id}", "must be an object"))
            continue
        for name, value in values.items():
            path = f"settings.{rule_id}.{name}"
            rule = matching[-1]
            if name not in rule.settings:
                errors.append(
                    (path, f"not a setting of {rule_id}; settings: {list(rule.settings)}")
                )
                continue
            current = getattr(rule, name)
            if name == "hours":
                parsed_hours = _parse_hours_setting(path, value, errors)
                if parsed_hours is not None:
                    settings.append((rule_id, name, parsed_hours))
                continue
            if isinstance(current, bool) != isinstance(value, bool) or not isinstance(
                value, type(current)
            ):
                errors.append((path, f"must be a {type(current).__name__}"))
                continue
            if name == "period" and value not in PERIODS:
                errors.append((path, f"must be one of {list(PERIODS)}"))
                continue
            settings.append((rule_id, name, value))

    if settings:
        changes: dict[str, dict[str, Any]] = {}
        for rule_id, name, value in settings:
            changes.setdefault(rule_id, {})[name] = value
        rules = [r.with_params(**changes[r.id]) if r.id in changes else r for r in rules]

    hours: list[tuple[int, tuple[tuple[int, int], ...]]] = []
    raw_hours = data.get("hours") or {}
    if not isinstance(raw_hours, Mapping):
        errors.append(("hours", "must be an object keyed by weekday (mon..sun)"))
        raw_hours = {}
    for key, spans in raw_hours.items():
        path = f"hours.{key}"
        if key not in WEEKDAY_KEYS:
            errors.append((path, "unknown weekday; use mon, tue, wed, thu, fri, sat, sun"))
            continue
        wd = WEEKDAY_KEYS.index(key)
        if not isinstance(spans, list):
            errors.append((path, 'must be a list of ["HH:MM", "HH:MM"] spans'))
            continue
        parsed: list[tuple[int, int]] = []
        for i, span in enumerate(spans):
            if not isinstance(span, list) or len(span) != 2:
                errors.append((f"{path}[{i}]", 'must be ["HH:MM", "HH:MM"]'))
                continue
            s, e = _parse_clock(span[0], False), _parse_clock(span[1], True)
            if s is None or e is None or e <= s:
                errors.append((f"{path}[{i}]", "invalid span (HH:MM, start before end)"))
                continue
            for rule in rules:
                if isinstance(rule, ContactWindow):
                    pack_spans = [(ps, pe) for d, ps, pe in rule.effective_hours if d == wd]
                    if not any(ps <= s and e <= pe for ps, pe in pack_spans):
                        shown = ", ".join(f"{hhmm(a)}-{hhmm(b)}" for a, b in pack_spans) or "closed"
                        errors.append(
                            (
                                f"{path}[{i}]",
                                f"{hhmm(s)}-{hhmm(e)} is wider than {rule.id} allows on {key} "
                                f"({shown}); a policy may only tighten",
                            )
                        )
                        break
            parsed.append((s, e))
        hours.append((wd, tuple(sorted(parsed))))

    closed: set[int] = set()
    for i, d in enumerate(data.get("closed_weekdays") or []):
        if d in WEEKDAY_KEYS:
            closed.add(WEEKDAY_KEYS.index(d))
        elif isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6:
            closed.add(d)
        else:
            errors.append((f"closed_weekdays[{i}]", "must be 0..6 or mon..sun"))

    blackout: set[date] = set()
    for i, d in enumerate(data.get("blackout_dates") or []):
        try:
            blackout.add(date.fromisoformat(d))
        except (TypeError, ValueError):
            errors.append((f"blackout_dates[{i}]", "must be a date YYYY-MM-DD"))

    def channels(key: str) -> frozenset[str] | None:
        raw = data.get(key)
        if raw is None:
            return None
        if not isinstance(raw, list):
            errors.append((key, "must be a list of channels"))
            return None
        out = set()
        for i, c in enumerate(raw):
            if c not in ALL_CHANNELS:
                errors.append((f"{key}[{i}]", f"unknown channel {c!r}"))
            else:
                out.add(c)
        return frozenset(out)

    forbidden = channels("forbidden_channels") or frozenset()
    allowed = channels("allowed_channels")
    if allowed is not None:
        for rule in rules:
            if (
                isinstance(rule, Prohibition)
                and rule.channels is not None
                and rule.roles is None
                and rule.purposes is None
            ):
                for c in sorted(allowed & rule.channels):
                    errors.append(
                        (
                            f"allowed_channels[{c}]",
                            f"re-allows channel {c!r} that {rule.id} forbids; a policy may only "
                            "tighten",
                        )
                    )

    caps: list[tuple[str, int]] = []
    raw_caps = data.get("caps") or {}
    if not isinstance(raw_caps, Mapping):
        errors.append(("caps", "must be an object {rule_id: max}"))
        raw_caps = {}
    for rule_id, value in raw_caps.items():
        path = f"caps.{rule_id}"
        matching = [r for r in rules if r.id == rule_id]
        if not matching:
            errors.append((path, "no such rule in the pack"))
            continue
        if not all(isinstance(r, FrequencyCap | DistinctChannelCap) for r in matching):
            errors.append((path, "not a frequency rule"))
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            errors.append((path, "must be a positive integer (use forbidden_channels for 0)"))
            continue
        for r in matching:
            limit = r.max_count if isinstance(r, FrequencyCap) else r.max_channels  # type: ignore[attr-defined]
            if value > limit:
                errors.append(
                    (path, f"{value} is higher than the pack's {limit}; a policy may only tighten")
                )
                break
        caps.append((rule_id, value))

    if errors:
        raise PolicyError(errors)
    return Policy(
        jurisdiction=code,
        name=str(data.get("name", "")),
        hours=tuple(sorted(hours)),
        closed_weekdays=frozenset(closed),
        blackout_dates=frozenset(blackout),
        forbidden_channels=forbidden,
        allowed_channels=allowed,
        caps=tuple(sorted(caps)),
        settings=tuple(sorted(settings, key=lambda t: (t[0], t[1]))),
    )


@lru_cache(maxsize=4096)
def rules_with_policy(packs: tuple[RulePack, ...], policy: Policy | None) -> tuple[Rule, ...]:
    """The packs' rules with the policy's settings applied, followed by the policy's rules."""
    rules = [r for p in packs for r in p.rules]
    if policy is None:
        return tuple(rules)
    if policy.settings:
        changes: dict[str, dict[str, Any]] = {}
        for rule_id, name, value in policy.settings:
            changes.setdefault(rule_id, {})[name] = value
        rules = [r.with_params(**changes[r.id]) if r.id in changes else r for r in rules]
    extra: list[Rule] = []
    hours = policy.window_hours()
    if hours is not None:
        extra.append(
            ContactWindow(
                id="policy.hours",
                reference=POLICY_REF,
                title_es="Horario del mandante",
                title_en="Creditor's contact hours",
                explanation_es="El mandante restringe el horario de contacto.",
                explanation_en="The creditor narrows the contact hours.",
                hours=hours,
                closed_on_holidays=False,
            )
        )
    if policy.blackout_dates:
        extra.append(
            BlackoutDates(
                id="policy.blackout_dates",
                reference=POLICY_REF,
                title_es="Días sin gestiones del mandante",
                title_en="Creditor's no-contact days",
                explanation_es="El mandante no permite gestiones en estas fechas.",
                explanation_en="The creditor allows no contact on these dates.",
                dates=policy.blackout_dates,
            )
        )
    banned = set(policy.forbidden_channels)
    if policy.allowed_channels is not None:
        banned |= ALL_CHANNELS - policy.allowed_channels
    if banned:
        extra.append(
            Prohibition(
                id="policy.channels",
                reference=POLICY_REF,
                title_es="Canal no permitido por el mandante",
                title_en="Channel not allowed by the creditor",
                explanation_es="El mandante no permite usar este canal.",
                explanation_en="The creditor does not allow this channel.",
                channels=frozenset(banned),
            )
        )
    for rule_id, value in policy.caps:
        for r in rules:
            if r.id != rule_id:
                continue
            name = "max_count" if isinstance(r, FrequencyCap) else "max_channels"
            extra.append(
                r.with_params(
                    id=f"policy.{rule_id}",
                    reference=POLICY_REF,
                    title_es=f"{r.title_es} (límite del mandante: {value})",
                    title_en=f"{r.title_en} (creditor's limit: {value})",
                    **{name: value},
                )
            )
            break
    return (*rules, *extra)
