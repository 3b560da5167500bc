"""Phone numbers (via ``phonenumbers``) and email addresses (via Django's validator).

``parse_phone`` accepts what people type in Spain and Latin America: national formats with or
without the trunk prefix, ``+CC`` and ``00CC`` international forms, and the dialling prefixes
Mexico dropped in 2019/2020 (``+52 1`` before a mobile, ``044``/``045`` and ``01``), which are
removed when that is what makes the number valid. Only numbers that ``phonenumbers`` considers
valid (not merely possible) are accepted; extensions are rejected because E.164 cannot hold them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext
from phonenumbers import (
    NumberParseException,
    PhoneMetadata,
    PhoneNumberFormat,
    PhoneNumberType,
    ValidationResult,
)
from phonenumbers import timezone as phone_timezone
from phonenumbers.phonenumberutil import is_number_type_geographical

__all__ = [
    "DEMO_SEQ_LIMIT",
    "LINE_TYPES",
    "InvalidEmail",
    "InvalidPhone",
    "PhoneInfo",
    "demo_phone",
    "normalize_email",
    "parse_phone",
]

_LINE_TYPE_NAMES: dict[int, str] = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.PERSONAL_NUMBER: "personal_number",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
    PhoneNumberType.UNKNOWN: "unknown",
}

LINE_TYPES: tuple[str, ...] = tuple(_LINE_TYPE_NAMES.values())
"""Every value ``PhoneInfo.line_type`` can take."""

_UNKNOWN_ZONE = "Etc/Unknown"


@dataclass(frozen=True, slots=True)
class PhoneInfo:
    e164: str
    """``+34600123456``."""
    region: str
    """ISO 3166-1 alpha-2 region the number belongs to (``"001"`` for non-geographic numbers)."""
    line_type: str
    """One of ``LINE_TYPES``. Some countries (MX, CL, US) do not tell mobiles from fixed lines:
    their numbers are ``fixed_line_or_mobile``."""
    timezones: tuple[str, ...]
    """IANA zones the number may be in (empty when unknown), for calling-hours rules."""


class InvalidPhone(ValueError):
    """A value that is not a valid phone number; ``str()`` says which value and why.

    ``code``: ``empty``, ``unknown_region``, ``not_a_number``, ``invalid_country_code``,
    ``too_short``, ``too_long``, ``invalid_length``, ``missing_area_code``,
    ``invalid_for_region`` or ``has_extension``.
    """

    def __init__(self, message: str, *, code: str, value: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.value = value

    def __str__(self) -> str:
        return self.message


class InvalidEmail(ValueError):
    """A value that is not a valid email address; ``str()`` says which value."""

    def __init__(self, message: str, *, value: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = "invalid_email"
        self.value = value

    def __str__(self) -> str:
        return self.message


def _reason(code: str) -> str:
    reasons = {
        "not_a_number": gettext("it does not look like a phone number"),
        "invalid_country_code": gettext("the country calling code does not exist"),
        "too_short": gettext("it is too short"),
        "too_long": gettext("it is too long"),
        "invalid_length": gettext("numbers there never have that length"),
        "missing_area_code": gettext("it is a local number, add the area code"),
        "invalid_for_region": gettext("that range is not assigned to any line"),
        "has_extension": gettext("extensions are not supported, remove it"),
    }
    return reasons[code]


def _invalid(raw: str, code: str, region: str) -> InvalidPhone:
    message = gettext('"%(value)s" is not a valid phone number for %(region)s: %(reason)s.') % {
        "value": raw,
        "region": region,
        "reason": _reason(code),
    }
    return InvalidPhone(message, code=code, value=raw)


_PARSE_ERRORS: dict[int, str] = {
    NumberParseException.INVALID_COUNTRY_CODE: "invalid_country_code",
    NumberParseException.NOT_A_NUMBER: "not_a_number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too_short",
    NumberParseException.TOO_SHORT_NSN: "too_short",
    NumberParseException.TOO_LONG: "too_long",
}

_POSSIBILITY_ERRORS: dict[int, str] = {
    ValidationResult.INVALID_COUNTRY_CODE: "invalid_country_code",
    ValidationResult.TOO_SHORT: "too_short",
    ValidationResult.TOO_LONG: "too_long",
    ValidationResult.INVALID_LENGTH: "invalid_length",
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "missing_area_code",
    ValidationResult.IS_POSSIBLE: "invalid_for_region",
}

# Mexico's retired dialling prefixes, as they end up in the national number when parsed:
# (length of the national significant number, prefix to drop).
_MX_LEGACY_PREFIXES = ((11, "1"), (13, "044"), (13, "045"), (12, "01"))


def _without_legacy_prefix(number: phonenumbers.PhoneNumber) -> phonenumbers.PhoneNumber | None:
    if number.country_code != 52:
        return None
    national = phonenumbers.national_significant_number(number)
    for length, prefix in _MX_LEGACY_PREFIXES:
        if len(national) == length and national.startswith(prefix):
            candidate = phonenumbers.parse("+52" + national[len(prefix) :])
            if phonenumbers.is_valid_number(candidate):
                return candidate
    return None


_SEPARATORS = str.maketrans("", "", " .-()/\u00a0")


@functools.lru_cache(maxsize=512)
def _plain_national_plan(region: str) -> tuple[int, frozenset[int]] | None:
    """(country code, possible national lengths) when ``region`` numbers typed as plain national
    digits parse to exactly those digits: no national prefix to strip (ES, MX, CL...)."""
    metadata = PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.national_prefix_for_parsing or metadata.country_code is None:
        return None
    general = metadata.general_desc
    return metadata.country_code, frozenset((general.possible_length if general is not None else None) or ())


@functools.lru_cache(maxsize=1024)
def _plain_region_of(calling_code: str) -> str | None:
    """The main region of a country calling code given as text (``"34"``), if there is one."""
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(int(calling_code))
    return regions[0] if regions else None


def _plain_national(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    """The number ``phonenumbers.parse(text, region)`` would give, without its general
    machinery, for the common cases of national digits with separators (``600 12 34 56``) and
    of ``+CC`` followed by the national digits (``+34 600123456``), in countries with no national
    prefix to strip; ``None`` for anything else, which then takes the full parser. National
    digits starting with 0 are left to the parser (international prefixes, leading zeros)."""
    digits = text.translate(_SEPARATORS)
    if digits[:1] == "+":
        digits = digits[1:]
        if digits[:1] == "0":
            return None  # no calling code starts with 0 ("045" is not 45)
        # Calling codes are prefix-free: at most one of the first 1-3 digits is a code.
        for size in (1, 2, 3):
            code_region = _plain_region_of(digits[:size]) if digits[:size].isdigit() else None
            if code_region is not None:
                region, digits = code_region, digits[size:]
                break
        else:
            return None
    if not digits.isascii() or not digits.isdigit() or digits[0] == "0":
        return None
    plan = _plain_national_plan(region)
    if plan is None or len(digits) not in plan[1]:
        return None
    return phonenumbers.PhoneNumber(country_code=plan[0], national_number=int(digits))


def _zones(number: phonenumbers.PhoneNumber, number_type: int) -> tuple[str, ...]:
    # phone_timezone.time_zones_for_number() without working out the number's type again.
    if number_type == PhoneNumberType.UNKNOWN:
        return ()
    if is_number_type_geographical(number_type, number.country_code or 0):
        zones = phone_timezone.time_zones_for_geographical_number(number)
    else:
        country_level = getattr(phone_timezone, "_country_level_time_zones_for_number", None)
        zones = country_level(number) if country_level else phone_timezone.time_zones_for_number(number)
    return tuple(zone for zone in zones if zone != _UNKNOWN_ZONE)


def parse_phone(raw: str, *, default_region: str) -> PhoneInfo:
    """Parse and validate a phone number typed in ``default_region`` (ISO alpha-2) or in
    international form; raise ``InvalidPhone`` with the reason when it is not a valid number.

    Imports call this for millions of numbers, so the number's type (which is what validity
    means for ``phonenumbers``: a pattern of some type matches) is worked out once and plain
    national digits skip the general parser; the result is the same as the library's own path
    (``test_phones`` compares them).
    """
    if not isinstance(raw, str):
        raise TypeError(f"raw must be a str, not {type(raw).__name__}")
    region = default_region.strip().upper()
    text = raw.strip()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        message = gettext(
            'Cannot read phone number "%(value)s": %(region)s is not a known region.'
        ) % {
            "value": raw,
            "region": region or "?",
        }
        raise InvalidPhone(message, code="unknown_region", value=raw)
    if not text:
        raise InvalidPhone(gettext("The phone number is empty."), code="empty", value=raw)
    number = _plain_national(text, region)
    number_type = phonenumbers.number_type(number) if number is not None else PhoneNumberType.UNKNOWN
    if number_type == PhoneNumberType.UNKNOWN:
        try:
            number = phonenumbers.parse(text, region)
        except NumberParseException as exc:
            raise _invalid(raw, _PARSE_ERRORS.get(exc.error_type, "not_a_number"), region) from None
        number_region = phonenumbers.region_code_for_country_code(number.country_code or 0)
        if number.extension:
            raise _invalid(raw, "has_extension", number_region)
        number_type = phonenumbers.number_type(number)
        if number_type == PhoneNumberType.UNKNOWN:  # not valid: no type's pattern matches
            fixed = _without_legacy_prefix(number)
            if fixed is None:
                reason = phonenumbers.is_possible_number_with_reason(number)
                raise _invalid(
                    raw, _POSSIBILITY_ERRORS.get(reason, "invalid_for_region"), number_region
                )
            number = fixed
            number_type = phonenumbers.number_type(number)
    assert number is not None
    return PhoneInfo(
        e164=phonenumbers.format_number(number, PhoneNumberFormat.E164),
        region=phonenumbers.region_code_for_number(number)
        or phonenumbers.region_code_for_country_code(number.country_code or 0),
        line_type=_LINE_TYPE_NAMES.get(number_type, "unknown"),
        timezones=_zones(number, number_type),
    )


def normalize_email(raw: str) -> str:
    """Validate an email address; returns it stripped, with the domain (only) lower-cased.

    The local part keeps its case: RFC 5321 lets the receiving server treat it as
    case-sensitive. Domains without a dot (``localhost``) are refused. Raises ``InvalidEmail``.
    """
    if not isinstance(raw, str):
        raise TypeError(f"raw must be a str, not {type(raw).__name__}")
    value = raw.strip()
    if not value:
        raise InvalidEmail(gettext("The email address is empty."), value=raw)
    local, _, domain = value.rpartition("@")
    try:
        validate_email(value)
    except ValidationError:
        valid = False
    else:
        # Django allowlists "localhost"; a debtor's address needs a real (dotted) domain.
        valid = "." in domain
    if not valid:
        message = gettext('"%(value)s" is not a valid email address.') % {"value": raw}
        raise InvalidEmail(message, value=raw)
    return f"{local}@{domain.lower()}"


# --------------------------------------------------------------------------------------------
# Demo numbers
# --------------------------------------------------------------------------------------------

DEMO_SEQ_LIMIT = 10_000_000
"""``demo_phone`` returns distinct numbers for every ``0 <= seq < DEMO_SEQ_LIMIT``."""


@dataclass(frozen=True, slots=True)
class _DemoPlan:
    """E.164 prefixes (``+CC`` + leading national digits) each followed by ``digits`` free digits.

    Every prefix was chosen so that phonenumbers' metadata accepts *any* ``digits`` digits after
    it (the tests check the extremes of each one and a sample in between). Prefix
    ``seq % len(prefixes)`` gets the suffix ``(seq // len(prefixes)) * MULT + add`` modulo
    ``10**digits``, a bijection, so distinct seqs give distinct numbers.
    """

    prefixes: tuple[str, ...]
    digits: int
    add: int

    @property
    def capacity(self) -> int:
        return len(self.prefixes) * int(10**self.digits)


_MULT = 7_654_321  # coprime with 10


def _plan(country_code: str, national_prefixes: str, digits: int, add: int) -> _DemoPlan:
    return _DemoPlan(tuple(f"+{country_code}{p}" for p in national_prefixes.split()), digits, add)


_DEMO_PLANS: dict[tuple[str, bool], _DemoPlan] = {
    # ES mobiles 6xx/71x-74x; fixed lines in Madrid (91), Barcelona (93), Sevilla (95).
    ("ES", True): _plan("34", "60 61 62 63 64 65 66 67 68 69 71 72 73 74", 7, 1_234_567),
    ("ES", False): _plan("34", "91 93 95", 7, 2_345_678),
    # CO mobiles 300-305, 310-321; fixed lines Bogotá (601) and Medellín (604), 7 digits from 2-9.
    ("CO", True): _plan(
        "57", "300 301 302 304 305 310 311 312 313 314 315 316 317 318 319 320", 7, 3_456_789
    ),
    ("CO", False): _plan(
        "57", "6012 6013 6014 6015 6016 6017 6042 6043 6044 6045 6046 6047", 6, 456_789
    ),
    # PE mobiles 9xx xxx xxx; fixed lines in Lima (1 + 7 digits) and Arequipa (54), Cusco (84), ...
    ("PE", True): _plan("51", "94 95 96 97 98 99", 7, 5_678_901),
    ("PE", False): _plan(
        "51", "12 13 14 15 16 17 42 52 53 56 61 62 64 66 72 74 76 82 83 84", 6, 678_901
    ),
    # MX has one numbering plan for both kinds (fixed_line_or_mobile): CDMX, Guadalajara,
    # Monterrey for "mobiles"; Puebla, Querétaro, León, Cancún for "fixed lines".
    ("MX", True): _plan("52", "55 33 81", 8, 78_901_234),
    ("MX", False): _plan("52", "222 442 477 998", 7, 8_901_234),
    # CL: mobiles 9[2458] + 7 digits; fixed lines Santiago (22), Valparaíso (32), Concepción (41).
    ("CL", True): _plan("56", "92 94 95 98", 7, 9_012_345),
    ("CL", False): _plan("56", "22 32 41", 7, 1_357_913),
    # AR: mobiles carry the 9 in international form (+54 9 11 ...); fixed lines Buenos Aires 11.
    ("AR", True): _plan("54", "9112 9113 9114 9115 9116 9117", 7, 2_468_024),
    ("AR", False): _plan("54", "112 113 114 115 116 117", 7, 3_579_135),
}


def demo_phone(*, country: str, seq: int, mobile: bool = True) -> str:
    """A valid E.164 number of ``country`` (ES, CO, PE, MX, CL, AR), the same for the same seq.

    Distinct for distinct ``seq`` in ``0 <= seq < DEMO_SEQ_LIMIT``; mobile and fixed-line
    numbers never overlap. Raises ``ValueError`` for another country or a seq out of range.
    """
    plan = _DEMO_PLANS.get((country.strip().upper(), bool(mobile)))
    if plan is None:
        supported = sorted({c for c, _ in _DEMO_PLANS})
        raise ValueError(
            f"no demo phone numbers for {country!r}; supported: {', '.join(supported)}"
        )
    if not 0 <= seq < DEMO_SEQ_LIMIT:
        raise ValueError(f"seq must be in 0..{DEMO_SEQ_LIMIT - 1}, got {seq}")
    rest, index = divmod(seq, len(plan.prefixes))
    suffix = str((rest * _MULT + plan.add) % 10**plan.digits)
    return plan.prefixes[index] + suffix.zfill(plan.digits)
