"""Parametrised rule classes. Packs (``packs.py``) are data built from these classes.

Every rule is a frozen dataclass with an id, a legal reference, a title and an explanation in
Spanish and English, applicability filters (channels, party roles, purposes), effective dates
and its own parameters. ``check(ctx)`` returns ``None`` when the rule does not block, or a
``Verdict`` with the reason and the earliest instant (UTC) at which it could stop blocking
(``None`` = no future moment: the facts must change). ``breakpoints(ctx)`` lists the local
seconds-of-day / instants of a day where the rule's answer may change (used by ``day_plan``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from .calendar import DAY, holiday_dates, localize
from .decision import Note
from .request import ContactRequest

FAILED_OUTCOMES = frozenset({"no_answer", "busy", "failed"})
DIRECT_ROLES = frozenset({"debtor", "co_debtor", "guarantor"})
WEEKDAYS_ES = ("lun", "mar", "mié", "jue", "vie", "sáb", "dom")
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True, slots=True)
class LocalEntry:
    at: datetime  # UTC
    day: date  # local date in the party's zone
    channel: str
    outcome: str
    role: str


@dataclass(slots=True)
class Context:
    """Everything a rule needs, computed once per evaluated instant."""

    request: ContactRequest
    at: datetime  # UTC
    local: datetime
    tz: ZoneInfo
    day: date
    weekday: int
    sod: int  # seconds since local midnight
    country: str
    subdiv: str | None
    history: tuple[LocalEntry, ...]  # entries at or before ``at``
    direct_contact: bool
    notes: list[Note]

    def is_holiday(self, day: date) -> bool:
        return day in holiday_dates(self.country, self.subdiv, day.year)

    def midnight(self, day: date) -> datetime:
        return localize(day, 0, self.tz).astimezone(UTC)

    def note(self, es: str, en: str) -> None:
        n = Note(es, en)
        if n not in self.notes:
            self.notes.append(n)


@dataclass(frozen=True, slots=True)
class Verdict:
    reason_es: str
    reason_en: str
    retry: datetime | None  # UTC; None = never (until the facts change)


def hhmm(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{(seconds // 60) % 60:02d}"


Hours = tuple[tuple[int, int, int], ...]  # (weekday, start seconds, end seconds), end exclusive


def weekly(**spans: tuple[str, str]) -> Hours:
    """``weekly(mon_fri=("07:00", "19:00"), sat=("08:00", "15:00"))`` -> hours tuple."""
    names = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
    out: list[tuple[int, int, int]] = []
    for key, (start, end) in spans.items():
        if "_" in key:
            first, last = key.split("_")
            days = range(names[first], names[last] + 1)
        else:
            days = range(names[key], names[key] + 1)
        s = int(start[:2]) * 3600 + int(start[3:]) * 60
        e = int(end[:2]) * 3600 + int(end[3:]) * 60
        out.extend((d, s, e) for d in days)
    return tuple(sorted(out))


@lru_cache(maxsize=1024)
def describe_hours(hours: Hours, lang: str) -> str:
    names = WEEKDAYS_ES if lang == "es" else WEEKDAYS_EN
    by_span: dict[tuple[int, int], list[int]] = {}
    for d, s, e in hours:
        by_span.setdefault((s, e), []).append(d)
    parts = []
    for (s, e), days in sorted(by_span.items(), key=lambda kv: kv[1][0]):
        days = sorted(days)
        if len(days) > 1 and days == list(range(days[0], days[-1] + 1)):
            label = f"{names[days[0]]}-{names[days[-1]]}"
        else:
            label = ", ".join(names[d] for d in days)
        parts.append(f"{label} {hhmm(s)}-{hhmm(e)}")
    return "; ".join(parts) if parts else ("ningún horario" if lang == "es" else "no hours")


@dataclass(frozen=True, kw_only=True, eq=False)
class Rule:
    """Base rule: metadata and applicability filters. Subclasses add parameters."""

    id: str
    reference: str
    title_es: str
    title_en: str
    explanation_es: str
    explanation_en: str
    channels: frozenset[str] | None = None
    roles: frozenset[str] | None = None
    purposes: frozenset[str] | None = None
    effective_from: date | None = None
    effective_to: date | None = None
    #: Names of parameters that encode an ambiguous reading (creditor-selectable setting).
    settings: tuple[str, ...] = ()
    #: Documentation of each setting: name -> (es, en).
    settings_doc: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    KIND: ClassVar[str] = "rule"
    LOOKBACK_DAYS: ClassVar[int] = 0

    def in_force(self, day: date) -> bool:
        if self.effective_from is not None and day < self.effective_from:
            return False
        return self.effective_to is None or day <= self.effective_to

    def applies(self, ctx: Context) -> bool:
        req = ctx.request
        if self.channels is not None and req.channel not in self.channels:
            return False
        if self.roles is not None and req.party.role not in self.roles:
            return False
        return self.purposes is None or req.purpose in self.purposes

    def check(self, ctx: Context) -> Verdict | None:
        raise NotImplementedError

    def breakpoints(self, ctx: Context) -> Iterable[int | datetime]:
        """Seconds-of-day (local wall clock) or UTC instants where the answer may change."""
        return ()

    def block(self, es: str, en: str, retry: datetime | None) -> Verdict:
        return Verdict(f"{self.title_es}: {es}", f"{self.title_en}: {en}", retry)

    @property
    def params(self) -> dict[str, Any]:
        base = {f.name for f in dataclasses.fields(Rule)}
        return {
            f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name not in base
        }

    def with_params(self, **changes: Any) -> Rule:
        return dataclasses.replace(self, **changes)


# --------------------------------------------------------------------------- time windows


@dataclass(frozen=True, kw_only=True, eq=False)
class ContactWindow(Rule):
    """Contact only inside weekly local-time windows; optionally never on public holidays."""

    hours: Hours
    closed_on_holidays: bool = True
    end_inclusive: bool = False
    #: Hours that only apply when ``use_optional_hours`` is set (e.g. MX weekends).
    optional_hours: Hours = ()
    use_optional_hours: bool = False
    KIND: ClassVar[str] = "contact_window"

    @property
    def effective_hours(self) -> Hours:
        if self.use_optional_hours and self.optional_hours:
            return tuple(sorted(self.hours + self.optional_hours))
        return self.hours

    def _spans(self, weekday: int) -> list[tuple[int, int]]:
        extra = 60 if self.end_inclusive else 0
        return [(s, min(e + extra, 86400)) for d, s, e in self.effective_hours if d == weekday]

    def check(self, ctx: Context) -> Verdict | None:
        if self.closed_on_holidays and ctx.is_holiday(ctx.day):
            return self.block(
                f"el {ctx.day.isoformat()} es festivo en el lugar de la jurisdicción.",
                f"{ctx.day.isoformat()} is a public holiday in the jurisdiction.",
                self.next_opening(ctx),
            )
        for s, e in self._spans(ctx.weekday):
            if s <= ctx.sod < e:
                return None
        local = ctx.local.strftime("%H:%M")
        return self.block(
            f"hora local {local} ({WEEKDAYS_ES[ctx.weekday]}) fuera del horario permitido "
            f"({describe_hours(self.effective_hours, 'es')}).",
            f"local time {local} ({WEEKDAYS_EN[ctx.weekday]}) is outside the allowed hours "
            f"({describe_hours(self.effective_hours, 'en')}).",
            self.next_opening(ctx),
        )

    def next_opening(self, ctx: Context) -> datetime | None:
        day = ctx.day
        for _ in range(400):
            if not (self.closed_on_holidays and ctx.is_holiday(day)):
                for s, _e in sorted(self._spans(day.weekday())):
                    opening = localize(day, s, ctx.tz).astimezone(UTC)
                    if opening > ctx.at:
                        return opening
            day += DAY
        return None

    def breakpoints(self, ctx: Context) -> Iterable[int | datetime]:
        for s, e in self._spans(ctx.weekday):
            yield s
            yield e


@dataclass(frozen=True, kw_only=True, eq=False)
class BlackoutDates(Rule):
    """No contact on the listed local dates (creditor blackout days / extra holidays)."""

    dates: frozenset[date]
    KIND: ClassVar[str] = "blackout_dates"

    def check(self, ctx: Context) -> Verdict | None:
        if ctx.day not in self.dates:
            return None
        day = ctx.day + DAY
        while day in self.dates:
            day += DAY
        return self.block(
            f"el {ctx.day.isoformat()} es un día sin gestiones.",
            f"{ctx.day.isoformat()} is a no-contact day.",
            ctx.midnight(day),
        )


@dataclass(frozen=True, kw_only=True, eq=False)
class InconvenientTimes(Rule):
    """Honour the times the debtor said are inconvenient (``party.inconvenient_times``)."""

    KIND: ClassVar[str] = "inconvenient_times"

    @staticmethod
    def _segments(ctx: Context) -> list[tuple[int, int]]:
        out = []
        for span in ctx.request.party.inconvenient_times:
            if span.end > span.start:
                if ctx.weekday in span.weekdays:
                    out.append((span.start, span.end))
            else:  # runs past midnight
                if ctx.weekday in span.weekdays:
                    out.append((span.start, 86400))
                if (ctx.weekday - 1) % 7 in span.weekdays:
                    out.append((0, span.end))
        return out

    def check(self, ctx: Context) -> Verdict | None:
        for s, e in self._segments(ctx):
            if s <= ctx.sod < e:
                return self.block(
                    f"el deudor indicó que {hhmm(s)}-{hhmm(e)} no le conviene.",
                    f"the debtor said {hhmm(s)}-{hhmm(e)} is inconvenient.",
                    localize(ctx.day, e, ctx.tz).astimezone(UTC),
                )
        return None

    def breakpoints(self, ctx: Context) -> Iterable[int | datetime]:
        for s, e in self._segments(ctx):
            yield s
            yield e


# --------------------------------------------------------------------------- prohibitions


@dataclass(frozen=True, kw_only=True, eq=False)
class Prohibition(Rule):
    """Blocks whenever it applies; the filters (channel, role, purpose) say when."""

    KIND: ClassVar[str] = "prohibition"

    def check(self, ctx: Context) -> Verdict | None:
        req = ctx.request
        return self.block(
            f"no permitido (canal {req.channel}, interlocutor {req.party.role}, "
            f"finalidad {req.purpose}).",
            f"not allowed (channel {req.channel}, party {req.party.role}, purpose {req.purpose}).",
            None,
        )


@dataclass(frozen=True, kw_only=True, eq=False)
class Condition(Rule):
    """Never blocks; when it applies (and ``when_account`` is true) it adds a note."""

    note_es: str
    note_en: str
    when_account: str | None = None
    KIND: ClassVar[str] = "condition"

    def check(self, ctx: Context) -> Verdict | None:
        if self.when_account is None or getattr(ctx.request.account, self.when_account):
            ctx.note(self.note_es, self.note_en)
        return None


@dataclass(frozen=True, kw_only=True, eq=False)
class ChannelAuthorisation(Rule):
    """Only channels the party authorised (``party.authorised_channels``)."""

    block_when_unrecorded: bool = True
    KIND: ClassVar[str] = "channel_authorisation"

    def check(self, ctx: Context) -> Verdict | None:
        authorised = ctx.request.party.authorised_channels
        channel = ctx.request.channel
        if authorised is None:
            if self.block_when_unrecorded:
                return self.block(
                    "no consta qué canales autorizó el titular.",
                    "there is no record of which channels the person authorised.",
                    None,
                )
            ctx.note(
                "No consta la autorización de canales; se asume autorizado.",
                "No record of channel authorisation; assumed authorised.",
            )
            return None
        if channel in authorised:
            return None
        return self.block(
            f"el canal {channel} no está autorizado por el titular.",
            f"channel {channel} was not authorised by the person.",
            None,
        )


@dataclass(frozen=True, kw_only=True, eq=False)
class OptOut(Rule):
    """Honour a request not to be contacted through a channel (``party.opted_out_channels``)."""

    KIND: ClassVar[str] = "opt_out"

    def check(self, ctx: Context) -> Verdict | None:
        channel = ctx.request.channel
        if channel not in ctx.request.party.opted_out_channels:
            return None
        return self.block(
            f"el titular pidió no ser contactado por {channel}.",
            f"the person asked not to be contacted by {channel}.",
            None,
        )


@dataclass(frozen=True, kw_only=True, eq=False)
class AccountStop(Rule):
    """Blocks while a boolean account fact is true (cease request, lawsuit served...)."""

    field_name: str
    KIND: ClassVar[str] = "account_stop"

    def check(self, ctx: Context) -> Verdict | None:
        if not getattr(ctx.request.account, self.field_name):
            return None
        return self.block(
            f"la cuenta tiene account.{self.field_name} activo.",
            f"the account has account.{self.field_name} set.",
            None,
        )


@dataclass(frozen=True, kw_only=True, eq=False)
class UntilDateStop(Rule):
    """Blocks up to and including a date in the account (e.g. breathing space end)."""

    field_name: str
    KIND: ClassVar[str] = "until_date_stop"

    def check(self, ctx: Context) -> Verdict | None:
        until = getattr(ctx.request.account, self.field_name)
        if until is None or ctx.day > until:
            return None
        return self.block(
            f"vigente hasta el {until.isoformat()} inclusive.",
            f"in force until {until.isoformat()} inclusive.",
            ctx.midnight(until + DAY),
        )


@dataclass(frozen=True, kw_only=True, eq=False)
class MessageCheck(Rule):
    """A message property must not have ``blocked_value``; unknown (null) per setting."""

    field_name: str
    blocked_value: bool
    unknown_blocks: bool = False
    when_account: str | None = None
    KIND: ClassVar[str] = "message_check"

    def check(self, ctx: Context) -> Verdict | None:
        if self.when_account is not None and not getattr(ctx.request.account, self.when_account):
            return None
        value = getattr(ctx.request.message, self.field_name)
        if value is None:
            if self.unknown_blocks:
                return self.block(
                    f"se desconoce message.{self.field_name} y es obligatorio comprobarlo.",
                    f"message.{self.field_name} is unknown and must be confirmed.",
                    None,
                )
            ctx.note(
                f"Se asume message.{self.field_name} = {str(not self.blocked_value).lower()} "
                f"({self.title_es}).",
                f"Assumed message.{self.field_name} = {str(not self.blocked_value).lower()} "
                f"({self.title_en}).",
            )
            return None
        if value != self.blocked_value:
            return None
        return self.block(
            f"el mensaje tiene message.{self.field_name} = {str(value).lower()}.",
            f"the message has message.{self.field_name} = {str(value).lower()}.",
            None,
        )


@dataclass(frozen=True, kw_only=True, eq=False)
class PartyFlag(Rule):
    """A party property must not have ``blocked_value``; unknown (null) per setting."""

    field_name: str
    blocked_value: bool
    unknown_blocks: bool = False
    KIND: ClassVar[str] = "party_flag"

    def check(self, ctx: Context) -> Verdict | None:
        value = getattr(ctx.request.party, self.field_name)
        if value is None:
            if self.unknown_blocks:
                return self.block(
                    f"se desconoce party.{self.field_name} y es obligatorio comprobarlo.",
                    f"party.{self.field_name} is unknown and must be confirmed.",
                    None,
                )
            ctx.note(
                f"Se asume party.{self.field_name} = {str(not self.blocked_value).lower()} "
                f"({self.title_es}).",
                f"Assumed party.{self.field_name} = {str(not self.blocked_value).lower()} "
                f"({self.title_en}).",
            )
            return None
        if value != self.blocked_value:
            return None
        return self.block(
            f"party.{self.field_name} = {str(value).lower()}.",
            f"party.{self.field_name} = {str(value).lower()}.",
            None,
        )


# --------------------------------------------------------------------------- frequency

PERIODS = ("day", "calendar_week", "rolling_days", "strictest_week")


@dataclass(frozen=True, kw_only=True, eq=False)
class _Counting(Rule):
    counted_channels: frozenset[str] | None = None
    count_failed_attempts: bool = True
    requires_direct_contact: bool = False
    same_role_only: bool = False

    def _entries(self, ctx: Context) -> list[LocalEntry]:
        role = ctx.request.party.role
        out = []
        for e in ctx.history:
            if self.counted_channels is not None and e.channel not in self.counted_channels:
                continue
            if not self.count_failed_attempts and e.outcome in FAILED_OUTCOMES:
                continue
            if self.same_role_only and e.role != role:
                continue
            out.append(e)
        return out

    def breakpoints(self, ctx: Context) -> Iterable[int | datetime]:
        for e in ctx.history:
            if e.day == ctx.day:
                yield e.at


def _period_starts(ctx: Context, period: str, days: int) -> list[tuple[str, date]]:
    """(kind, first local day counted) for each sub-period of ``period``."""
    if period == "day":
        return [("day", ctx.day)]
    if period == "calendar_week":
        return [("calendar_week", ctx.day - timedelta(days=ctx.weekday))]
    if period == "rolling_days":
        return [("rolling_days", ctx.day - timedelta(days=days - 1))]
    return [
        ("calendar_week", ctx.day - timedelta(days=ctx.weekday)),
        ("rolling_days", ctx.day - timedelta(days=6)),
    ]


def _expiry_day(kind: str, entry_day: date, days: int) -> date:
    """The local day on which an entry made on ``entry_day`` stops counting."""
    if kind == "day":
        return entry_day + DAY
    if kind == "calendar_week":
        return entry_day + timedelta(days=7 - entry_day.weekday())
    return entry_day + timedelta(days=days)


#: Marker for "never" inside retry lists (a cap of 0 never clears).
NEVER = datetime.max.replace(tzinfo=UTC)


def _latest(retries: list[datetime]) -> datetime | None:
    latest = max(retries)
    return None if latest == NEVER else latest


def _period_label(kind: str, days: int) -> tuple[str, str]:
    if kind == "day":
        return "el mismo día", "the same day"
    if kind == "calendar_week":
        return "la semana natural (lun-dom)", "the calendar week (Mon-Sun)"
    return f"{days} días consecutivos", f"{days} consecutive days"


@dataclass(frozen=True, kw_only=True, eq=False)
class FrequencyCap(_Counting):
    """At most ``max_count`` counted contacts in the period; the proposed one would be +1."""

    max_count: int
    period: str = "day"
    days: int = 7
    KIND: ClassVar[str] = "frequency_cap"
    LOOKBACK_DAYS: ClassVar[int] = 14

    def check(self, ctx: Context) -> Verdict | None:
        if self.requires_direct_contact and not ctx.direct_contact:
            return None
        entries = self._entries(ctx)
        days = 7 if self.period == "strictest_week" else self.days
        retries: list[datetime] = []
        reasons: list[tuple[str, str]] = []
        for kind, first in _period_starts(ctx, self.period, days):
            inside = [e for e in entries if e.day >= first]
            if len(inside) < self.max_count:
                continue
            k = len(inside) - self.max_count  # this many must expire, plus one
            expiries = sorted(_expiry_day(kind, e.day, days) for e in inside)
            retries.append(ctx.midnight(expiries[k]) if k < len(expiries) else NEVER)
            label_es, label_en = _period_label(kind, days)
            reasons.append(
                (
                    f"ya hay {len(inside)} gestiones en {label_es} (máximo {self.max_count})",
                    f"{len(inside)} contacts already in {label_en} (maximum {self.max_count})",
                )
            )
        if not reasons:
            return None
        return self.block(
            "; ".join(r[0] for r in reasons) + ".",
            "; ".join(r[1] for r in reasons) + ".",
            _latest(retries),
        )


@dataclass(frozen=True, kw_only=True, eq=False)
class DistinctChannelCap(_Counting):
    """At most ``max_channels`` different channels used in the period."""

    max_channels: int = 1
    period: str = "strictest_week"
    days: int = 7
    KIND: ClassVar[str] = "distinct_channel_cap"
    LOOKBACK_DAYS: ClassVar[int] = 14

    def check(self, ctx: Context) -> Verdict | None:
        if self.requires_direct_contact and not ctx.direct_contact:
            return None
        channel = ctx.request.channel
        entries = self._entries(ctx)
        days = 7 if self.period == "strictest_week" else self.days
        retries: list[datetime] = []
        used_all: set[str] = set()
        for kind, first in _period_starts(ctx, self.period, days):
            last_day: dict[str, date] = {}
            for e in entries:
                if e.day >= first:
                    last_day[e.channel] = max(e.day, last_day.get(e.channel, e.day))
            if channel in last_day or len(last_day) < self.max_channels:
                continue
            others = sorted(_expiry_day(kind, d, days) for c, d in last_day.items() if c != channel)
            k = len(others) - self.max_channels
            retries.append(ctx.midnight(others[k]) if k < len(others) else NEVER)
            used_all |= set(last_day)
        if not retries:
            return None
        used = ", ".join(sorted(used_all))
        return self.block(
            f"ya se usaron otros canales en el periodo ({used}); máximo {self.max_channels}.",
            f"other channels were already used in the period ({used}); "
            f"maximum {self.max_channels}.",
            _latest(retries),
        )


@dataclass(frozen=True, kw_only=True, eq=False)
class MinimumGap(_Counting):
    """At least ``hours`` elapsed since the last counted contact."""

    hours: int = 48
    KIND: ClassVar[str] = "minimum_gap"
    LOOKBACK_DAYS: ClassVar[int] = 3

    def check(self, ctx: Context) -> Verdict | None:
        entries = self._entries(ctx)
        if not entries:
            return None
        last = max(e.at for e in entries)
        ready = last + timedelta(hours=self.hours)
        if ctx.at >= ready:
            return None
        return self.block(
            f"han pasado menos de {self.hours} h desde la última gestión.",
            f"less than {self.hours} h since the last contact.",
            ready,
        )

    def breakpoints(self, ctx: Context) -> Iterable[int | datetime]:
        yield from super().breakpoints(ctx)
        for e in self._entries(ctx):
            yield e.at + timedelta(hours=self.hours)


@dataclass(frozen=True, kw_only=True, eq=False)
class Cooldown(_Counting):
    """No contact for ``days`` local days after a trigger (the trigger's day is day 1)."""

    days: int = 7
    trigger_outcomes: frozenset[str] = frozenset({"conversation"})
    KIND: ClassVar[str] = "cooldown"
    LOOKBACK_DAYS: ClassVar[int] = 14

    def check(self, ctx: Context) -> Verdict | None:
        first = ctx.day - timedelta(days=self.days - 1)
        triggers = [
            e for e in self._entries(ctx) if e.outcome in self.trigger_outcomes and e.day >= first
        ]
        if not triggers:
            return None
        last = max(e.day for e in triggers)
        return self.block(
            f"hubo una conversación el {last.isoformat()} (día 1 de {self.days}).",
            f"there was a conversation on {last.isoformat()} (day 1 of {self.days}).",
            ctx.midnight(last + timedelta(days=self.days)),
        )
