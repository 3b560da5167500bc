"""Local time and holidays: zoneinfo zones, DST-safe localisation, cached holiday calendars.

Beware: aware datetimes sharing one tzinfo compare and subtract by *wall clock* (fold is
ignored), so the engine compares and adds durations to instants in UTC, and only reads wall
clocks (weekday, date, time of day) in the party's zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

#: Zone assumed for a jurisdiction when the party's zone is unknown (its capital).
COUNTRY_ZONES: dict[str, str] = {
    "ES": "Europe/Madrid",
    "CO": "America/Bogota",
    "PE": "America/Lima",
    "MX": "America/Mexico_City",
    "CL": "America/Santiago",
    "AR": "America/Argentina/Buenos_Aires",
    "US": "America/New_York",
    "GB": "Europe/London",
}

#: Subdivisions whose default zone differs from the country capital's.
SUBDIVISION_ZONES: dict[str, str] = {
    "ES-CN": "Atlantic/Canary",
    "US-CA": "America/Los_Angeles",
    "US-WA": "America/Los_Angeles",
    "US-OR": "America/Los_Angeles",
    "US-IL": "America/Chicago",
    "US-TX": "America/Chicago",
    "US-CO": "America/Denver",
    "US-AZ": "America/Phoenix",
    "US-HI": "Pacific/Honolulu",
    "US-AK": "America/Anchorage",
    "MX-BCN": "America/Tijuana",
}

DAY = timedelta(days=1)


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=4096)
def is_valid_zone(name: str) -> bool:
    if not name or name.startswith("/") or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


@lru_cache(maxsize=64)
def known_subdivisions(country: str) -> frozenset[str]:
    try:
        cls = holidays.country_holidays(country).__class__
    except NotImplementedError:
        return frozenset()
    subdivs = set(getattr(cls, "subdivisions", ()) or ())
    subdivs |= set(getattr(cls, "subdivisions_aliases", {}) or {})
    return frozenset(subdivs)


@lru_cache(maxsize=2048)
def holiday_dates(country: str, subdiv: str | None, year: int) -> frozenset[date]:
    """Public holidays (national + the subdivision's regional ones) for one year."""
    if subdiv is not None and subdiv not in known_subdivisions(country):
        subdiv = None
    return frozenset(holidays.country_holidays(country, subdiv=subdiv, years=year).keys())


@lru_cache(maxsize=2048)
def holiday_names(country: str, subdiv: str | None, year: int) -> dict[date, str]:
    if subdiv is not None and subdiv not in known_subdivisions(country):
        subdiv = None
    return dict(holidays.country_holidays(country, subdiv=subdiv, years=year).items())


def is_holiday(country: str, subdiv: str | None, day: date) -> bool:
    return day in holiday_dates(country, subdiv, day.year)


def localize(day: date, seconds: int, tz: ZoneInfo) -> datetime:
    """The first instant at which the wall clock in ``tz`` reads ``day`` + ``seconds``.

    ``seconds`` may be 86400 (the next midnight). In a DST gap (a wall time that never
    happens) the result is the instant the clock jumps forward, i.e. the first instant whose
    wall time is later than the requested one.
    """
    if seconds >= 86400:
        day = day + DAY
        seconds -= 86400
    wall = datetime.combine(day, time(seconds // 3600, (seconds // 60) % 60, seconds % 60))
    first = wall.replace(tzinfo=tz, fold=0)
    back = first.astimezone(UTC).astimezone(tz)
    if back.replace(tzinfo=None) == wall:
        return back
    # In a gap: fold=0 used the pre-transition offset, landing after the gap; the clock
    # jumped at the transition instant, which is the earliest moment past the wall time.
    return transition_before(first.astimezone(UTC), tz).astimezone(tz)


def localize_all(day: date, seconds: int, tz: ZoneInfo) -> list[datetime]:
    """Every instant whose wall clock reads ``day`` + ``seconds`` (0, 1 or 2 in a fold)."""
    first = localize(day, seconds, tz)
    if seconds >= 86400:
        day, seconds = day + DAY, seconds - 86400
    wall = datetime.combine(day, time(seconds // 3600, (seconds // 60) % 60, seconds % 60))
    second = wall.replace(tzinfo=tz, fold=1).astimezone(UTC).astimezone(tz)
    out = [first]
    if second.astimezone(UTC) != first.astimezone(UTC) and second.replace(tzinfo=None) == wall:
        out.append(second)
    return out


def transition_before(moment_utc: datetime, tz: ZoneInfo) -> datetime:
    """The latest UTC instant <= ``moment_utc`` (within 1 day) where the offset changed."""
    lo = moment_utc - DAY
    hi = moment_utc
    off_hi = hi.astimezone(tz).utcoffset()
    if lo.astimezone(tz).utcoffset() == off_hi:
        return moment_utc
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(tz).utcoffset() == off_hi:
            hi = mid
        else:
            lo = mid
    return hi.replace(microsecond=0)


@lru_cache(maxsize=8192)
def day_bounds(day: date, zone_name: str) -> tuple[datetime, datetime, tuple[datetime, ...]]:
    """Start and end instants of a local day and the DST transitions inside it."""
    tz = zone(zone_name)
    start = localize(day, 0, tz)
    end = localize(day + DAY, 0, tz)
    transitions: list[datetime] = []
    if start.utcoffset() != end.utcoffset():
        t = transition_before(end.astimezone(UTC), tz)
        if start < t < end:
            transitions.append(t.astimezone(tz))
    return start, end, tuple(transitions)


def seconds_of_day(local: datetime) -> int:
    return local.hour * 3600 + local.minute * 60 + local.second
