"""Countries, subdivisions and time zones, checked against babel, holidays and zoneinfo."""

from __future__ import annotations

import zoneinfo
from functools import cache

import holidays
from babel import Locale
from django.utils.translation import gettext as _

SUPPORTED_COUNTRIES = ("ES", "CO", "PE", "MX", "CL", "AR", "US", "GB")


@cache
def _territories() -> frozenset[str]:
    codes = (str(code) for code in Locale("en").territories)
    return frozenset(code for code in codes if len(code) == 2 and code.isalpha())


@cache
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_country(code: str) -> str:
    if code not in _territories():
        raise ValueError(_("%(code)r is not an ISO 3166-1 alpha-2 country code.") % {"code": code})
    return code


@cache
def subdivisions(country: str) -> frozenset[str]:
    try:
        return frozenset(holidays.country_holidays(country).subdivisions)
    except NotImplementedError:
        return frozenset()


def parse_jurisdiction(value: str) -> tuple[str, str]:
    """``"ES"`` → ("ES", ""); ``"ES-CN"`` → ("ES", "CN"). Raises ValueError with the reason."""
    country, _dash, subdivision = value.strip().upper().partition("-")
    validate_country(country)
    if subdivision and subdivision not in subdivisions(country):
        raise ValueError(
            _("%(subdivision)r is not a known subdivision of %(country)s (ISO 3166-2).")
            % {"subdivision": subdivision, "country": country}
        )
    return country, subdivision


def validate_timezone(name: str) -> str:
    if name not in _timezones():
        raise ValueError(_("%(name)r is not an IANA time zone.") % {"name": name})
    return name
