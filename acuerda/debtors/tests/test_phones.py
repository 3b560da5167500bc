"""Phone numbers and email addresses: parsing, reasons for rejection and demo numbers."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from acuerda.debtors import phones
from acuerda.debtors.phones import (
    DEMO_SEQ_LIMIT,
    LINE_TYPES,
    InvalidEmail,
    InvalidPhone,
    PhoneInfo,
    demo_phone,
    normalize_email,
    parse_phone,
)

DEMO_COUNTRIES = ["ES", "CO", "PE", "MX", "CL", "AR"]

# (as typed, default region, E.164, line type, a time zone it must report)
VALID = [
    # ES
    ("600 12 34 56", "ES", "+34600123456", "mobile", "Europe/Madrid"),
    ("+34 600123456", "ES", "+34600123456", "mobile", "Europe/Madrid"),
    ("0034600123456", "ES", "+34600123456", "mobile", "Europe/Madrid"),
    ("600.12.34.56", "es", "+34600123456", "mobile", "Europe/Madrid"),
    ("0034 600-12-34-56", "PE", "+34600123456", "mobile", "Europe/Madrid"),  # dialled from Peru
    ("91 123 45 67", "ES", "+34911234567", "fixed_line", "Europe/Madrid"),
    ("900 123 456", "ES", "+34900123456", "toll_free", "Europe/Madrid"),
    # CO
    ("310 555 1234", "CO", "+573105551234", "mobile", "America/Bogota"),
    ("+57 300-555-1234", "ES", "+573005551234", "mobile", "America/Bogota"),
    ("(601) 234 5678", "CO", "+576012345678", "fixed_line", "America/Bogota"),
    # PE
    ("(01) 234-5678", "PE", "+5112345678", "fixed_line", "America/Lima"),
    ("987 654 321", "PE", "+51987654321", "mobile", "America/Lima"),
    ("+51 1 2345678", "MX", "+5112345678", "fixed_line", "America/Lima"),
    # MX: one numbering plan for both kinds; the retired prefixes are dropped.
    ("+52 1 55 1234 5678", "MX", "+525512345678", "fixed_line_or_mobile", "America/Mexico_City"),
    ("044 55 1234 5678", "MX", "+525512345678", "fixed_line_or_mobile", "America/Mexico_City"),
    ("01 55 1234 5678", "MX", "+525512345678", "fixed_line_or_mobile", "America/Mexico_City"),
    ("55 1234 5678", "MX", "+525512345678", "fixed_line_or_mobile", "America/Mexico_City"),
    ("+52 998 123 4567", "MX", "+529981234567", "fixed_line_or_mobile", "America/Cancun"),
    # CL
    ("+56 9 6123 4567", "CL", "+56961234567", "fixed_line_or_mobile", "America/Santiago"),
    ("9 6123 4567", "CL", "+56961234567", "fixed_line_or_mobile", "America/Santiago"),
    ("(2) 2123 4567", "CL", "+56221234567", "fixed_line_or_mobile", "America/Santiago"),
    # AR: mobiles carry a 9 after +54 (the national "15" goes away).
    ("011 4123-4567", "AR", "+541141234567", "fixed_line", "America/Buenos_Aires"),
    ("011 15 4123-4567", "AR", "+5491141234567", "mobile", "America/Buenos_Aires"),
    ("+54 9 11 4123-4567", "AR", "+5491141234567", "mobile", "America/Buenos_Aires"),
    # Elsewhere
    ("+44 20 7946 0958", "ES", "+442079460958", "fixed_line", "Europe/London"),
    ("+1 (212) 555-0100", "CO", "+12125550100", "fixed_line_or_mobile", "America/New_York"),
]

# (as typed, default region, error code, words the message must contain)
INVALID = [
    ("12", "ES", "too_short", "too short"),
    ("600 12 34 5", "ES", "too_short", "too short"),
    ("600 12 34 567", "ES", "too_long", "too long"),
    ("+34 500 123 456", "ES", "invalid_for_region", "for ES"),
    ("+34 600 123 456 ext. 12", "ES", "has_extension", "extension"),
    ("abc", "ES", "not_a_number", "does not look like a phone number"),
    ("+999 1234", "ES", "invalid_country_code", "country calling code"),
    ("210 555 1234", "CO", "invalid_for_region", "for CO"),
    ("310 555 123", "CO", "invalid_length", "length"),
    ("812 345 678", "PE", "invalid_for_region", "for PE"),
    ("+52 1 55 1234 567", "MX", "invalid_for_region", "for MX"),
    ("+52 55 1234", "MX", "too_short", "too short"),
    ("+56 9 1234", "CL", "too_short", "too short"),
    ("4123-4567", "AR", "missing_area_code", "area code"),
]


@pytest.mark.parametrize(("raw", "region", "e164", "line_type", "zone"), VALID)
def test_given_a_valid_number_in_any_layout_when_parsed_then_e164_type_and_zones_are_returned(
    raw: str, region: str, e164: str, line_type: str, zone: str
) -> None:
    info = parse_phone(raw, default_region=region)
    assert info.e164 == e164
    assert info.line_type == line_type
    assert zone in info.timezones
    assert "Etc/Unknown" not in info.timezones


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        (
            "600 12 34 56",
            "ES",
            PhoneInfo("+34600123456", "ES", "mobile", ("Atlantic/Canary", "Europe/Madrid")),
        ),
        ("(01) 234-5678", "PE", PhoneInfo("+5112345678", "PE", "fixed_line", ("America/Lima",))),
        ("310 555 1234", "CO", PhoneInfo("+573105551234", "CO", "mobile", ("America/Bogota",))),
        (
            "+44 7911 123456",
            "ES",
            PhoneInfo(
                "+447911123456",
                "GG",
                "mobile",
                ("Europe/Guernsey", "Europe/Isle_of_Man", "Europe/Jersey", "Europe/London"),
            ),
        ),
    ],
)
def test_given_a_valid_number_when_parsed_then_the_region_is_the_numbers_own(
    raw: str, region: str, expected: PhoneInfo
) -> None:
    assert parse_phone(raw, default_region=region) == expected


def test_given_a_non_geographic_number_when_parsed_then_it_has_no_time_zones() -> None:
    info = parse_phone("+800 1234 5678", default_region="ES")
    assert (info.e164, info.region, info.line_type, info.timezones) == (
        "+80012345678",
        "001",
        "toll_free",
        (),
    )


@pytest.mark.parametrize(("raw", "region", "code", "reason"), INVALID)
def test_given_an_invalid_number_when_parsed_then_the_error_shows_the_value_and_the_reason(
    raw: str, region: str, code: str, reason: str
) -> None:
    with pytest.raises(InvalidPhone) as caught:
        parse_phone(raw, default_region=region)
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.code == code
    assert error.value == raw
    assert raw in str(error)
    assert reason in str(error)


@pytest.mark.parametrize("raw", ["", "   "])
def test_given_an_empty_value_when_parsed_then_the_error_says_it_is_empty(raw: str) -> None:
    with pytest.raises(InvalidPhone) as caught:
        parse_phone(raw, default_region="ES")
    assert caught.value.code == "empty"
    assert "empty" in str(caught.value)


@pytest.mark.parametrize("region", ["XX", "", "ESP"])
def test_given_an_unknown_default_region_when_parsed_then_the_error_names_it(region: str) -> None:
    with pytest.raises(InvalidPhone) as caught:
        parse_phone("600123456", default_region=region)
    assert caught.value.code == "unknown_region"
    assert "not a known region" in str(caught.value)


def test_given_the_line_types_then_they_are_the_documented_ones() -> None:
    assert set(LINE_TYPES) == {
        "mobile",
        "fixed_line",
        "fixed_line_or_mobile",
        "voip",
        "toll_free",
        "premium_rate",
        "shared_cost",
        "personal_number",
        "pager",
        "uan",
        "voicemail",
        "unknown",
    }


# --- Emails ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("juan.perez@example.com", "juan.perez@example.com"),
        ("  Juan.Perez@Example.COM ", "Juan.Perez@example.com"),  # local part keeps its case
        ("MARIA+deuda@Correo.Example.ES", "MARIA+deuda@correo.example.es"),
        ("user@Bücher.Example", "user@bücher.example"),
        ("o'brien@example.co.uk", "o'brien@example.co.uk"),
    ],
)
def test_given_a_valid_email_when_normalized_then_only_the_domain_is_lower_cased(
    raw: str, expected: str
) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "no-at-sign",
        "a@b",
        "a@@b.com",
        "a b@c.com",
        "user@localhost",
        "@example.com",
        "user@",
        "user@exa mple.com",
    ],
)
def test_given_an_invalid_email_when_normalized_then_the_error_shows_the_value(raw: str) -> None:
    with pytest.raises(InvalidEmail) as caught:
        normalize_email(raw)
    assert isinstance(caught.value, ValueError)
    assert f'"{raw}" is not a valid email address' in str(caught.value)


def test_given_an_empty_email_when_normalized_then_the_error_says_it_is_empty() -> None:
    with pytest.raises(InvalidEmail, match="empty"):
        normalize_email("  ")


# --- Demo numbers ----------------------------------------------------------------------------

SEQS = st.integers(min_value=0, max_value=DEMO_SEQ_LIMIT - 1)
WINDOW = 10_000
WINDOW_STARTS = st.integers(min_value=0, max_value=DEMO_SEQ_LIMIT - WINDOW)
EXPECTED_LINE_TYPES = {
    True: {"mobile", "fixed_line_or_mobile"},
    False: {"fixed_line", "fixed_line_or_mobile"},
}


@pytest.mark.parametrize("country", DEMO_COUNTRIES)
@pytest.mark.parametrize("mobile", [True, False])
@given(seq=SEQS)
@example(seq=0)
@example(seq=DEMO_SEQ_LIMIT - 1)
def test_given_any_seq_when_a_demo_phone_is_built_then_it_is_a_valid_e164_of_the_country(
    country: str, mobile: bool, seq: int
) -> None:
    number = demo_phone(country=country, seq=seq, mobile=mobile)
    info = parse_phone(number, default_region=country)
    assert info.e164 == number
    assert info.region == country
    assert info.line_type in EXPECTED_LINE_TYPES[mobile]
    assert info.timezones


@pytest.mark.parametrize("country", DEMO_COUNTRIES)
@pytest.mark.parametrize("mobile", [True, False])
@settings(max_examples=4, deadline=None)
@given(start=WINDOW_STARTS)
@example(start=0)
@example(start=DEMO_SEQ_LIMIT - WINDOW)
def test_given_a_window_of_consecutive_seqs_when_demo_phones_are_built_then_all_are_distinct(
    country: str, mobile: bool, start: int
) -> None:
    numbers = {
        demo_phone(country=country, seq=s, mobile=mobile) for s in range(start, start + WINDOW)
    }
    assert len(numbers) == WINDOW


@pytest.mark.parametrize("country", DEMO_COUNTRIES)
@settings(deadline=None)
@given(seqs=st.lists(SEQS, min_size=2, max_size=300, unique=True))
def test_given_scattered_seqs_when_demo_phones_are_built_then_mobiles_and_fixed_lines_are_all_distinct(
    country: str, seqs: list[int]
) -> None:
    mobiles = {demo_phone(country=country, seq=s) for s in seqs}
    fixed = {demo_phone(country=country, seq=s, mobile=False) for s in seqs}
    assert len(mobiles) == len(fixed) == len(seqs)
    assert not mobiles & fixed


@pytest.mark.parametrize(("country", "mobile"), sorted(phones._DEMO_PLANS))
def test_given_each_demo_prefix_when_its_extreme_suffixes_are_used_then_both_are_valid(
    country: str, mobile: bool
) -> None:
    # Guards against a phonenumbers metadata update shrinking a range the generator relies on.
    plan = phones._DEMO_PLANS[(country, mobile)]
    assert plan.capacity >= DEMO_SEQ_LIMIT
    for prefix in plan.prefixes:
        for suffix in ("0" * plan.digits, "9" * plan.digits, "5" * plan.digits):
            info = parse_phone(prefix + suffix, default_region=country)
            assert info.region == country
            assert info.line_type in EXPECTED_LINE_TYPES[mobile]


def test_given_the_same_seq_when_a_demo_phone_is_built_twice_then_it_is_the_same() -> None:
    assert demo_phone(country="es", seq=42) == demo_phone(country="ES", seq=42, mobile=True)


@pytest.mark.parametrize("seq", [-1, DEMO_SEQ_LIMIT])
def test_given_a_seq_out_of_range_when_a_demo_phone_is_built_then_value_error(seq: int) -> None:
    with pytest.raises(ValueError, match="seq must be in"):
        demo_phone(country="ES", seq=seq)


def test_given_an_unsupported_country_when_a_demo_phone_is_built_then_value_error() -> None:
    with pytest.raises(ValueError, match="no demo phone numbers for 'FR'"):
        demo_phone(country="FR", seq=1)


# --------------------------------------------------------------------------------------------
# The fast path gives what the library's own, general path gives
# --------------------------------------------------------------------------------------------


def _library_path(raw: str, region: str) -> tuple[str, str, str, tuple[str, ...]] | None:
    """What parse_phone answered before its fast path: phonenumbers' public functions only."""
    import phonenumbers
    from phonenumbers import timezone as phone_timezone

    try:
        number = phonenumbers.parse(raw.strip(), region)
    except phonenumbers.NumberParseException:
        return None
    if number.extension:
        return None
    if not phonenumbers.is_valid_number(number):
        number = phones._without_legacy_prefix(number)
        if number is None:
            return None
    zones = tuple(z for z in phone_timezone.time_zones_for_number(number) if z != "Etc/Unknown")
    line_type = phones._LINE_TYPE_NAMES.get(phonenumbers.number_type(number), "unknown")
    return (phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
            phonenumbers.region_code_for_number(number) or "", line_type, zones)


def _ours(raw: str, region: str) -> tuple[str, str, str, tuple[str, ...]] | None:
    try:
        info = parse_phone(raw, default_region=region)
    except InvalidPhone:
        return None
    return info.e164, info.region, info.line_type, info.timezones


_LAYOUTS = st.sampled_from(["{}", "{} ", "({})", "{}-", "{}."])


@settings(max_examples=400, deadline=None)
@given(
    region=st.sampled_from(["ES", "MX", "CL", "CO", "PE", "AR", "US", "GB"]),
    digits=st.text(alphabet="0123456789", min_size=6, max_size=13),
    split=st.integers(min_value=1, max_value=5),
    layout=_LAYOUTS,
    international=st.booleans(),
)
@example(region="ES", digits="600123456", split=3, layout="{} ", international=False)
@example(region="MX", digits="5512345678", split=2, layout="({})", international=False)
@example(region="CL", digits="221234567", split=2, layout="{}-", international=False)
@example(region="ES", digits="34600123456", split=2, layout="{}", international=True)
@example(region="ES", digits="04520100000", split=1, layout="{}", international=True)  # "045" is no code
def test_given_any_digits_when_parsed_then_the_fast_path_agrees_with_the_library(
    region: str, digits: str, split: int, layout: str, international: bool
) -> None:
    raw = layout.format(digits[:split]) + digits[split:]
    if international:
        raw = "+" + raw
    assert _ours(raw, region) == _library_path(raw, region)


@pytest.mark.parametrize("country", DEMO_COUNTRIES)
@pytest.mark.parametrize("mobile", [True, False])
def test_given_demo_numbers_in_national_layout_when_parsed_then_the_fast_path_agrees_with_the_library(
    country: str, mobile: bool
) -> None:
    import phonenumbers

    for seq in range(0, 5_000, 97):
        number = phonenumbers.parse(demo_phone(country=country, seq=seq, mobile=mobile))
        for raw in (phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL),
                    str(number.national_number), demo_phone(country=country, seq=seq, mobile=mobile)):
            assert _ours(raw, country) == _library_path(raw, country), raw
