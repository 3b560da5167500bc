"""National ids and tax ids: validation, canonical forms, messages and demo generators."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from stdnum.mx import curp as mx_curp
from stdnum.mx import rfc as mx_rfc

from acuerda.debtors import identifiers
from acuerda.debtors.identifiers import (
    DEMO_SEQ_LIMIT,
    SUPPORTED_ID_TYPES,
    SUPPORTED_TAX_ID_TYPES,
    InvalidIdentifier,
    NationalIdType,
    demo_national_id,
    demo_tax_id,
    format_national_id,
    format_tax_id,
    is_company_id,
    normalize_national_id,
    normalize_tax_id,
)

ALL_PAIRS = [
    (country, id_type) for country, types in SUPPORTED_ID_TYPES.items() for id_type in types
]
TAX_COUNTRIES = list(SUPPORTED_TAX_ID_TYPES)

# (country, id_type, as typed, canonical)
VALID = [
    # ES
    ("ES", "DNI", "54362315K", "54362315K"),
    ("ES", "DNI", "54.362.315-k", "54362315K"),
    ("ES", "DNI", " 54362315 K ", "54362315K"),
    ("ES", "DNI", "1234567-L", "01234567L"),  # the leading zero is often left out
    ("ES", "NIE", "x-2482300w", "X2482300W"),
    ("ES", "NIE", "Y 1234567 X", "Y1234567X"),
    ("ES", "NIE", "Z.7654321.H", "Z7654321H"),
    ("ES", "NIF", "54362315-K", "54362315K"),
    ("ES", "NIF", "ES 54362315K", "54362315K"),
    ("ES", "NIF", "x5253868r", "X5253868R"),
    ("ES", "NIF", "M-1234567-L", "M1234567L"),
    ("ES", "NIF", "B64717838", "B64717838"),
    ("ES", "CIF", "J99216582", "J99216582"),
    ("ES", "CIF", "b-647.178.38", "B64717838"),
    ("ES", "CIF", "Q2826000H", "Q2826000H"),
    ("ES", "CIF", "ESB64717838", "B64717838"),  # VAT form
    # CO
    ("CO", "CC", "1.020.304.050", "1020304050"),
    ("CO", "CC", "79 123 456", "79123456"),
    ("CO", "CC", "0079123456", "79123456"),  # zero-padded exports
    ("CO", "CC", "123", "123"),
    ("CO", "CE", "123456", "123456"),
    ("CO", "CE", "e-1234 56", "E123456"),
    ("CO", "NIT", "900.373.115-3", "9003731153"),
    ("CO", "NIT", "213.123.432-1", "2131234321"),
    ("CO", "NIT", "860 002 964 4", "8600029644"),
    # PE
    ("PE", "DNI", "10117410", "10117410"),
    ("PE", "DNI", "10117410-2", "10117410"),  # check digit verified, then dropped
    ("PE", "DNI", "10117410 g", "10117410"),  # the check letter variant
    ("PE", "DNI", "07.654.321-1", "07654321"),
    ("PE", "RUC", "20512333797", "20512333797"),
    ("PE", "RUC", "10-10117410-2", "10101174102"),
    ("PE", "RUC", " 20100079705 ", "20100079705"),
    # MX
    ("MX", "CURP", "BOXW310820HNERXN09", "BOXW310820HNERXN09"),
    ("MX", "CURP", "hegg-560427-mvzrrl-04", "HEGG560427MVZRRL04"),
    ("MX", "CURP", "GOMJ020125HDFRRNA0", "GOMJ020125HDFRRNA0"),  # born 2002: letter homoclave
    ("MX", "RFC", "GODE 561231 GR8", "GODE561231GR8"),
    ("MX", "RFC", "mab-930714-8t4", "MAB9307148T4"),
    ("MX", "RFC", "COMG-600703", "COMG600703"),  # without homoclave
    ("MX", "RFC", "VACE460910SX6", "VACE460910SX6"),  # check digit not enforced (see module doc)
    # CL
    ("CL", "RUT", "12.531.909-2", "125319092"),
    ("CL", "RUT", "76086428-5", "760864285"),
    ("CL", "RUT", "12.345.670-k", "12345670K"),
    ("CL", "RUT", "7.654.321-6", "76543216"),
    # AR
    ("AR", "DNI", "20.123.456", "20123456"),
    ("AR", "DNI", "1 234 567", "1234567"),
    ("AR", "CUIT", "20-05536168-2", "20055361682"),
    ("AR", "CUIT", "30-50001091-2", "30500010912"),
    ("AR", "CUIT", "30 71234567 1", "30712345671"),
    ("AR", "CUIL", "20-26756539-3", "20267565393"),
    ("AR", "CUIL", "27.12345678.0", "27123456780"),
    ("AR", "CUIL", "23-12345678-5", "23123456785"),
]

# (country, id_type, as typed, error code, words the message must contain)
INVALID = [
    # ES
    ("ES", "DNI", "54362315Z", "invalid_checksum", "check digit"),
    ("ES", "DNI", "543623150K", "invalid_length", "length"),
    ("ES", "DNI", "54362315", "invalid_length", "check letter"),
    ("ES", "DNI", "5436A315K", "invalid_format", "format"),
    ("ES", "NIE", "X2482300A", "invalid_checksum", "check digit"),
    ("ES", "NIE", "X248230W", "invalid_length", "length"),
    ("ES", "NIE", "A2482300W", "invalid_format", "X, Y or Z"),
    ("ES", "NIF", "B64717839", "invalid_checksum", "check digit"),
    ("ES", "NIF", "X5253868A", "invalid_checksum", "check digit"),
    ("ES", "NIF", "B647178381", "invalid_length", "length"),
    ("ES", "CIF", "J99216583", "invalid_checksum", "check digit"),
    ("ES", "CIF", "J992165821", "invalid_length", "length"),
    ("ES", "CIF", "O12345674", "invalid_format", "organisation letter"),
    ("ES", "CIF", "54362315K", "invalid_format", "format"),  # a DNI is not a CIF
    # CO
    ("CO", "CC", "12", "invalid_length", "3 to 10 digits"),
    ("CO", "CC", "12345678901", "invalid_length", "length"),
    ("CO", "CC", "1234A678", "invalid_format", "format"),
    ("CO", "CC", "0000", "invalid_format", "3 to 10 digits"),
    ("CO", "CE", "12", "invalid_length", "length"),
    ("CO", "CE", "ABCDEF", "invalid_format", "at least one of them a digit"),
    ("CO", "CE", "1234#56", "invalid_format", "format"),
    ("CO", "NIT", "900.373.115-4", "invalid_checksum", "check digit"),
    ("CO", "NIT", "1234567", "invalid_length", "length"),
    ("CO", "NIT", "90037311A3", "invalid_format", "format"),
    # PE
    ("PE", "DNI", "10117410-3", "invalid_checksum", "check digit"),
    ("PE", "DNI", "1011741", "invalid_length", "8 digits"),
    ("PE", "DNI", "1011741A", "invalid_format", "format"),
    ("PE", "RUC", "20512333798", "invalid_checksum", "check digit"),
    ("PE", "RUC", "2051233379", "invalid_length", "11 digits"),
    ("PE", "RUC", "30512333797", "invalid_component", "10, 15, 17 or 20"),
    # MX
    ("MX", "CURP", "BOXW310820HNERXN08", "invalid_checksum", "check digit"),
    ("MX", "CURP", "BOXW310820HNERXN0", "invalid_length", "18 characters"),
    ("MX", "CURP", "BOXW311320HNERXN09", "invalid_component", "birth date"),  # month 13
    ("MX", "CURP", "BOXW310820HXXRXN09", "invalid_component", "state code"),
    ("MX", "CURP", "B0XW310820HNERXN09", "invalid_format", "format"),
    ("MX", "RFC", "GODE5612", "invalid_length", "length"),
    ("MX", "RFC", "GODE561331GR8", "invalid_component", "date"),
    ("MX", "RFC", "CACA561231GR8", "invalid_component", "name letters"),
    ("MX", "RFC", "GOD3561231GR8", "invalid_format", "format"),
    # CL
    ("CL", "RUT", "12.531.909-3", "invalid_checksum", "check digit"),
    ("CL", "RUT", "1234-5", "invalid_length", "length"),
    ("CL", "RUT", "76086A28-5", "invalid_format", "format"),
    # AR
    ("AR", "DNI", "201234569", "invalid_length", "7 or 8 digits"),
    ("AR", "DNI", "20A23456", "invalid_format", "format"),
    ("AR", "CUIT", "20-26756539-2", "invalid_checksum", "check digit"),
    ("AR", "CUIT", "2026756539", "invalid_length", "11 digits"),
    ("AR", "CUIT", "40-26756539-3", "invalid_component", "first two digits"),
    ("AR", "CUIL", "20-26756539-2", "invalid_checksum", "check digit"),
    ("AR", "CUIL", "30-50001091-2", "invalid_component", "20, 23, 24 or 27"),  # a company CUIT
    ("AR", "CUIL", "202675653", "invalid_length", "length"),
]

UNSUPPORTED_TYPE = [
    ("ES", "CC"),
    ("ES", "RUC"),
    ("CO", "DNI"),
    ("CO", "RUT"),
    ("PE", "CURP"),
    ("PE", "NIT"),
    ("MX", "DNI"),
    ("MX", "RUT"),
    ("CL", "DNI"),
    ("CL", "CUIT"),
    ("AR", "RUT"),
    ("AR", "CC"),
    ("ES", "PASSPORT"),
]


def test_given_the_supported_types_then_every_country_uses_only_known_id_types() -> None:
    assert {t for types in SUPPORTED_ID_TYPES.values() for t in types} == set(NationalIdType.values)
    assert SUPPORTED_ID_TYPES == {
        "ES": ("DNI", "NIE", "NIF", "CIF"),
        "CO": ("CC", "CE", "NIT"),
        "PE": ("DNI", "RUC"),
        "MX": ("CURP", "RFC"),
        "CL": ("RUT",),
        "AR": ("DNI", "CUIT", "CUIL"),
    }


def test_given_the_examples_then_every_country_and_type_has_valid_and_invalid_cases() -> None:
    assert {(c, t) for c, t, *_ in VALID} == set(ALL_PAIRS)
    assert {(c, t) for c, t, *_ in INVALID} == set(ALL_PAIRS)
    with_check_digit = set(ALL_PAIRS) - {("CO", "CC"), ("CO", "CE"), ("AR", "DNI"), ("MX", "RFC")}
    assert {
        (c, t) for c, t, _, code, _ in INVALID if code == "invalid_checksum"
    } == with_check_digit
    assert {(c, t) for c, t, _, code, _ in INVALID if code == "invalid_length"} == set(ALL_PAIRS)


@pytest.mark.parametrize(("country", "id_type", "raw", "canonical"), VALID)
def test_given_a_valid_id_in_any_layout_when_normalized_then_the_canonical_form_is_returned(
    country: str, id_type: str, raw: str, canonical: str
) -> None:
    assert normalize_national_id(country=country, id_type=id_type, number=raw) == canonical


@pytest.mark.parametrize(("country", "id_type", "raw", "canonical"), VALID)
def test_given_lower_case_country_and_type_when_normalized_then_they_are_accepted(
    country: str, id_type: str, raw: str, canonical: str
) -> None:
    assert (
        normalize_national_id(country=country.lower(), id_type=id_type.lower(), number=raw)
        == canonical
    )


@pytest.mark.parametrize(("country", "id_type", "raw", "canonical"), VALID)
def test_given_a_canonical_id_when_normalized_again_then_it_is_unchanged(
    country: str, id_type: str, raw: str, canonical: str
) -> None:
    assert normalize_national_id(country=country, id_type=id_type, number=canonical) == canonical


@pytest.mark.parametrize(("country", "id_type", "raw", "code", "reason"), INVALID)
def test_given_an_invalid_id_when_normalized_then_the_error_names_country_type_and_reason(
    country: str, id_type: str, raw: str, code: str, reason: str
) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        normalize_national_id(country=country, id_type=id_type, number=raw)
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.code == code
    assert (error.country, error.id_type) == (country, id_type)
    message = str(error)
    assert f"{id_type} for {country}" in message
    assert reason in message


@pytest.mark.parametrize(("country", "id_type", "raw", "code", "reason"), INVALID)
def test_given_an_invalid_id_when_rejected_then_the_message_does_not_leak_the_number(
    country: str, id_type: str, raw: str, code: str, reason: str
) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        normalize_national_id(country=country, id_type=id_type, number=raw)
    assert raw not in str(caught.value)


@pytest.mark.parametrize(("country", "id_type"), UNSUPPORTED_TYPE)
def test_given_a_type_not_used_in_the_country_when_normalized_then_the_allowed_types_are_listed(
    country: str, id_type: str
) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        normalize_national_id(country=country, id_type=id_type, number="12345678")
    assert caught.value.code == "unsupported_type"
    message = str(caught.value)
    assert f"{id_type} is not an id type used in {country}" in message
    assert ", ".join(SUPPORTED_ID_TYPES[country]) in message


@pytest.mark.parametrize("country", ["FR", "US", "", "XX"])
def test_given_an_unsupported_country_when_normalized_then_the_error_says_so(country: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        normalize_national_id(country=country, id_type="DNI", number="12345678")
    assert caught.value.code == "unsupported_country"
    assert "not supported" in str(caught.value)


@pytest.mark.parametrize(("country", "id_type"), ALL_PAIRS)
@pytest.mark.parametrize("raw", ["", "   ", " - . "])
def test_given_an_empty_number_when_normalized_then_the_error_says_it_is_empty(
    country: str, id_type: str, raw: str
) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        normalize_national_id(country=country, id_type=id_type, number=raw)
    assert caught.value.code == "empty"
    assert "empty" in str(caught.value)


def test_given_a_number_that_is_not_a_string_when_normalized_then_type_error() -> None:
    with pytest.raises(TypeError):
        normalize_national_id(country="AR", id_type="DNI", number=20123456)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("country", "id_type", "raw", "expected"),
    [
        ("ES", "DNI", "54362315K", False),
        ("ES", "NIE", "X2482300W", False),
        ("ES", "NIF", "54362315K", False),
        ("ES", "NIF", "M1234567L", False),
        ("ES", "NIF", "B64717838", True),
        ("ES", "CIF", "J99216582", True),
        ("CO", "CC", "79123456", False),
        ("CO", "CE", "123456", False),
        ("CO", "NIT", "900.373.115-3", True),
        ("CO", "NIT", "860.002.964-4", True),
        ("CO", "NIT", "79123456-0", False),  # a person's cédula + DV
        ("PE", "DNI", "10117410", False),
        ("PE", "RUC", "20512333797", True),
        ("PE", "RUC", "10101174102", False),
        ("MX", "CURP", "BOXW310820HNERXN09", False),
        ("MX", "RFC", "MAB9307148T4", True),
        ("MX", "RFC", "GODE561231GR8", False),
        ("CL", "RUT", "76.086.428-5", True),
        ("CL", "RUT", "12.531.909-2", False),
        ("AR", "DNI", "20123456", False),
        ("AR", "CUIT", "30-50001091-2", True),
        ("AR", "CUIT", "33-12345678-0", True),
        ("AR", "CUIT", "20-05536168-2", False),
        ("AR", "CUIL", "20-26756539-3", False),
    ],
)
def test_given_a_valid_id_when_asked_if_company_then_legal_entities_are_recognised(
    country: str, id_type: str, raw: str, expected: bool
) -> None:
    assert is_company_id(country=country, id_type=id_type, number=raw) is expected


def test_given_an_invalid_id_when_asked_if_company_then_it_is_rejected() -> None:
    with pytest.raises(InvalidIdentifier):
        is_company_id(country="PE", id_type="RUC", number="20512333798")


@pytest.mark.parametrize(
    ("country", "id_type", "raw", "display"),
    [
        ("ES", "DNI", "54.362.315-k", "54362315K"),
        ("CO", "CC", "1020304050", "1.020.304.050"),
        ("CO", "CC", "123", "123"),
        ("CO", "CE", "e123456", "E123456"),
        ("CO", "NIT", "9003731153", "900.373.115-3"),
        ("PE", "DNI", "10117410-2", "10117410"),
        ("PE", "RUC", "20512333797", "20512333797"),
        ("MX", "CURP", "boxw310820hnerxn09", "BOXW310820HNERXN09"),
        ("MX", "RFC", "GODE561231GR8", "GODE 561231 GR8"),
        ("MX", "RFC", "MAB9307148T4", "MAB 930714 8T4"),
        ("CL", "RUT", "125319092", "12.531.909-2"),
        ("AR", "DNI", "20123456", "20.123.456"),
        ("AR", "CUIT", "20055361682", "20-05536168-2"),
        ("AR", "CUIL", "20267565393", "20-26756539-3"),
    ],
)
def test_given_a_valid_id_when_formatted_then_the_usual_display_form_is_returned(
    country: str, id_type: str, raw: str, display: str
) -> None:
    assert format_national_id(country=country, id_type=id_type, number=raw) == display


def test_given_an_invalid_id_when_formatted_then_it_is_rejected() -> None:
    with pytest.raises(InvalidIdentifier):
        format_national_id(country="CL", id_type="RUT", number="12.531.909-3")


# --- Tax ids (creditors) ---------------------------------------------------------------------

VALID_TAX = [
    ("ES", "b-64717838", "CIF", "B64717838"),
    ("es", "ES A13585625", "CIF", "A13585625"),
    ("ES", "54362315-k", "NIF", "54362315K"),  # sole trader
    ("ES", "X5253868R", "NIF", "X5253868R"),
    ("CO", "900.373.115-3", "NIT", "9003731153"),
    ("PE", "20512333797", "RUC", "20512333797"),
    ("MX", "MAB-930714-8T4", "RFC", "MAB9307148T4"),
    ("CL", "76.086.428-5", "RUT", "760864285"),
    ("AR", "30-50001091-2", "CUIT", "30500010912"),
    ("US", "91-1144442", "EIN", "911144442"),
    ("US", "04 2103594", "EIN", "042103594"),
    ("GB", "GB 980 7806 84", "VAT", "980780684"),
    ("GB", "980.7806.84", "VAT", "980780684"),
]

INVALID_TAX = [
    ("ES", "B64717839", "invalid_checksum", "CIF for ES"),
    ("ES", "54362315Z", "invalid_checksum", "NIF for ES"),
    ("ES", "O12345674", "invalid_format", "CIF for ES"),
    ("CO", "900.373.115-4", "invalid_checksum", "check digit"),
    ("PE", "30512333797", "invalid_component", "10, 15, 17 or 20"),
    ("MX", "MAB9313148T4", "invalid_component", "date"),
    ("CL", "76.086.428-6", "invalid_checksum", "check digit"),
    ("AR", "30-50001091-3", "invalid_checksum", "check digit"),
    ("US", "07-1144442", "invalid_component", "IRS"),
    ("US", "911-14-4442-1", "invalid_format", "format"),
    ("GB", "802311781", "invalid_checksum", "check digit"),
    ("GB", "1234", "invalid_length", "length"),
]


@pytest.mark.parametrize(("country", "raw", "id_type", "canonical"), VALID_TAX)
def test_given_a_creditor_tax_id_when_normalized_then_type_and_canonical_number_are_returned(
    country: str, raw: str, id_type: str, canonical: str
) -> None:
    assert normalize_tax_id(country=country, number=raw) == (id_type, canonical)


def test_given_the_tax_examples_then_every_tax_country_is_covered() -> None:
    assert {c.upper() for c, *_ in VALID_TAX} == set(TAX_COUNTRIES)
    assert {c for c, *_ in INVALID_TAX} == set(TAX_COUNTRIES)


@pytest.mark.parametrize(("country", "raw", "code", "reason"), INVALID_TAX)
def test_given_an_invalid_tax_id_when_normalized_then_the_error_gives_the_reason(
    country: str, raw: str, code: str, reason: str
) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        normalize_tax_id(country=country, number=raw)
    assert caught.value.code == code
    assert reason in str(caught.value)


@pytest.mark.parametrize("country", ["FR", "BR", ""])
def test_given_an_unsupported_tax_country_when_normalized_then_the_error_lists_the_supported(
    country: str,
) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        normalize_tax_id(country=country, number="123456789")
    assert caught.value.code == "unsupported_country"
    assert ", ".join(SUPPORTED_TAX_ID_TYPES) in str(caught.value)


@pytest.mark.parametrize(
    ("country", "raw", "display"),
    [
        ("CO", "9003731153", "900.373.115-3"),
        ("CL", "760864285", "76.086.428-5"),
        ("AR", "30500010912", "30-50001091-2"),
        ("MX", "MAB9307148T4", "MAB 930714 8T4"),
        ("US", "911144442", "91-1144442"),
        ("GB", "980780684", "980 7806 84"),
        ("ES", "B64717838", "B64717838"),
    ],
)
def test_given_a_tax_id_when_formatted_then_the_usual_display_form_is_returned(
    country: str, raw: str, display: str
) -> None:
    assert format_tax_id(country=country, number=raw) == display


# --- Demo generators -------------------------------------------------------------------------

SEQS = st.integers(min_value=0, max_value=DEMO_SEQ_LIMIT - 1)
WINDOW = 10_000
WINDOW_STARTS = st.integers(min_value=0, max_value=DEMO_SEQ_LIMIT - WINDOW)


@pytest.mark.parametrize(("country", "id_type"), ALL_PAIRS)
@given(seq=SEQS)
@example(seq=0)
@example(seq=DEMO_SEQ_LIMIT - 1)
def test_given_any_seq_when_a_demo_national_id_is_built_then_it_is_valid_and_canonical(
    country: str, id_type: str, seq: int
) -> None:
    value = demo_national_id(country=country, id_type=id_type, seq=seq)
    assert normalize_national_id(country=country, id_type=id_type, number=value) == value
    assert demo_national_id(country=country.lower(), id_type=id_type.lower(), seq=seq) == value
    if (country, id_type) == ("MX", "RFC"):
        assert mx_rfc.is_valid(value, validate_check_digits=True)
    if (country, id_type) == ("MX", "CURP"):
        assert mx_curp.get_birth_date(value).year < 2000


@pytest.mark.parametrize(("country", "id_type"), ALL_PAIRS)
@settings(max_examples=4, deadline=None)
@given(start=WINDOW_STARTS)
@example(start=0)
@example(start=DEMO_SEQ_LIMIT - WINDOW)
def test_given_a_window_of_consecutive_seqs_when_demo_ids_are_built_then_all_are_distinct(
    country: str, id_type: str, start: int
) -> None:
    values = {
        demo_national_id(country=country, id_type=id_type, seq=s)
        for s in range(start, start + WINDOW)
    }
    assert len(values) == WINDOW


@pytest.mark.parametrize(("country", "id_type"), ALL_PAIRS)
@settings(deadline=None)
@given(seqs=st.lists(SEQS, min_size=2, max_size=300, unique=True))
def test_given_scattered_seqs_when_demo_ids_are_built_then_all_are_distinct(
    country: str, id_type: str, seqs: list[int]
) -> None:
    values = {demo_national_id(country=country, id_type=id_type, seq=s) for s in seqs}
    assert len(values) == len(seqs)


@pytest.mark.parametrize(
    ("country", "id_type", "company"),
    [
        ("ES", "DNI", False),
        ("ES", "NIE", False),
        ("ES", "NIF", False),
        ("ES", "CIF", True),
        ("CO", "CC", False),
        ("CO", "CE", False),
        ("CO", "NIT", True),
        ("PE", "DNI", False),
        ("PE", "RUC", False),
        ("MX", "CURP", False),
        ("MX", "RFC", False),
        ("CL", "RUT", False),
        ("AR", "DNI", False),
        ("AR", "CUIT", False),
        ("AR", "CUIL", False),
    ],
)
@settings(max_examples=25)
@given(seq=SEQS)
def test_given_a_demo_id_when_classified_then_people_and_companies_look_like_themselves(
    country: str, id_type: str, company: bool, seq: int
) -> None:
    value = demo_national_id(country=country, id_type=id_type, seq=seq)
    assert is_company_id(country=country, id_type=id_type, number=value) is company


@pytest.mark.parametrize(
    ("first", "second"), [(("ES", "DNI"), ("ES", "NIF")), (("AR", "CUIL"), ("AR", "CUIT"))]
)
@settings(max_examples=10, deadline=None)
@given(start=WINDOW_STARTS)
def test_given_overlapping_formats_when_demo_ids_are_built_then_the_types_never_collide(
    first: tuple[str, str], second: tuple[str, str], start: int
) -> None:
    def batch(pair: tuple[str, str]) -> set[str]:
        return {
            demo_national_id(country=pair[0], id_type=pair[1], seq=s)
            for s in range(start, start + 2_000)
        }

    assert not batch(first) & batch(second)


@pytest.mark.parametrize("country", TAX_COUNTRIES)
@given(seq=SEQS)
@example(seq=0)
@example(seq=DEMO_SEQ_LIMIT - 1)
def test_given_any_seq_when_a_demo_tax_id_is_built_then_it_is_a_valid_company_tax_id(
    country: str, seq: int
) -> None:
    value = demo_tax_id(country=country, seq=seq)
    id_type, canonical = normalize_tax_id(country=country, number=value)
    assert canonical == value
    assert id_type == SUPPORTED_TAX_ID_TYPES[country][0]
    if country in SUPPORTED_ID_TYPES:
        assert is_company_id(country=country, id_type=id_type, number=value)


@pytest.mark.parametrize("country", TAX_COUNTRIES)
@settings(max_examples=4, deadline=None)
@given(start=WINDOW_STARTS)
@example(start=0)
@example(start=DEMO_SEQ_LIMIT - WINDOW)
def test_given_a_window_of_seqs_when_demo_tax_ids_are_built_then_all_are_distinct(
    country: str, start: int
) -> None:
    values = {demo_tax_id(country=country, seq=s) for s in range(start, start + WINDOW)}
    assert len(values) == WINDOW


@pytest.mark.parametrize("seq", [-1, DEMO_SEQ_LIMIT])
def test_given_a_seq_out_of_range_when_demo_ids_are_built_then_value_error(seq: int) -> None:
    with pytest.raises(ValueError, match="seq must be in"):
        demo_national_id(country="ES", id_type="DNI", seq=seq)
    with pytest.raises(ValueError, match="seq must be in"):
        demo_tax_id(country="ES", seq=seq)


def test_given_an_unsupported_pair_when_a_demo_id_is_requested_then_invalid_identifier() -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        demo_national_id(country="ES", id_type="CC", seq=1)
    assert caught.value.code == "unsupported_type"
    with pytest.raises(InvalidIdentifier) as caught:
        demo_tax_id(country="FR", seq=1)
    assert caught.value.code == "unsupported_country"


def test_given_stdnum_word_lists_then_the_demo_names_avoid_every_inconvenient_word() -> None:
    # The generators replace the second letter of these words with X, as RENAPO and SAT do.
    assert mx_curp._name_blacklist <= identifiers._INCONVENIENT_WORDS
    assert mx_rfc._name_blacklist <= identifiers._INCONVENIENT_WORDS
