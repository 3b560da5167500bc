"""Readers and parsers on their own."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acuerda.imports import readers
from acuerda.imports.choices import DATE_FORMATS
from acuerda.imports.readers import (
    AmountError,
    DateError,
    UnreadableFile,
    detect_delimiter,
    detect_encoding,
    open_rows,
    parse_amount,
    parse_date,
)


@pytest.mark.parametrize(
    ("text", "decimal", "thousands", "expected"),
    [
        ("1.234,56", ",", ".", Decimal("1234.56")),
        ("1,234.56", ".", ",", Decimal("1234.56")),
        ("1234.56", ".", ",", Decimal("1234.56")),
        ("1234,5", ",", ".", Decimal("1234.50")),
        ("1.234.567", ",", ".", Decimal("1234567.00")),
        (" 1 234,56 € ", ",", " ", Decimal("1234.56")),
        ("-", ",", ".", Decimal("0.00")),
        ("", ",", ".", None),
        (Decimal("12.5"), ",", ".", Decimal("12.50")),
    ],
)
def test_amounts(text, decimal, thousands, expected):  # type: ignore[no-untyped-def]
    assert parse_amount(text, decimal=decimal, thousands=thousands) == expected


@pytest.mark.parametrize(
    ("text", "decimal", "thousands", "code"),
    [
        ("1.23,45", ",", ".", "invalid_amount"),
        ("1234.56", ",", ".", "invalid_amount"),  # a decimal point under a decimal-comma profile
        ("12,345", ",", ".", "too_many_decimals"),
        ("-5,00", ",", ".", "negative_amount"),
        ("(5,00)", ",", ".", "negative_amount"),
        ("abc", ",", ".", "invalid_amount"),
        ("1,2,3", ".", ",", "invalid_amount"),
    ],
)
def test_bad_amounts(text, decimal, thousands, code):  # type: ignore[no-untyped-def]
    with pytest.raises(AmountError) as caught:
        parse_amount(text, decimal=decimal, thousands=thousands)
    assert caught.value.code == code


def test_dates():  # type: ignore[no-untyped-def]
    formats = ["dd/mm/yyyy", "yyyy-mm-dd", "dd-mm-yy", "excel"]
    assert parse_date("15/03/2025", formats=formats) == dt.date(2025, 3, 15)
    assert parse_date("2025-03-15", formats=formats) == dt.date(2025, 3, 15)
    assert parse_date("15-03-25", formats=formats) == dt.date(2025, 3, 15)
    assert parse_date("45366", formats=formats) == dt.date(2024, 3, 15)
    assert parse_date(Decimal("45366.75"), formats=formats) == dt.date(2024, 3, 15)
    assert parse_date(dt.datetime(2024, 1, 2, 10, 0), formats=formats) == dt.date(2024, 1, 2)  # noqa: DTZ001
    assert parse_date(" ", formats=formats) is None
    with pytest.raises(DateError) as caught:
        parse_date("31/02/2025", formats=formats)
    assert caught.value.code == "invalid_date"
    with pytest.raises(DateError):
        parse_date("45366", formats=["dd/mm/yyyy"])  # serials only where the profile says so
    with pytest.raises(DateError) as ambiguous:
        parse_date("03/04/2025", formats=["dd/mm/yyyy", "mm/dd/yyyy"])
    assert ambiguous.value.code == "ambiguous_date"
    assert ambiguous.value.dates == (dt.date(2025, 4, 3), dt.date(2025, 3, 4))
    assert parse_date("13/04/2025", formats=["dd/mm/yyyy", "mm/dd/yyyy"]) == dt.date(2025, 4, 13)


def test_encodings_and_delimiters(tmp_path):  # type: ignore[no-untyped-def]
    text = "nombre\tciudad\t\t\nJosé\t\"A Coruña\nGalicia\"\t\t\n"
    for encoding, expected in (("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8"), ("cp1252", "cp1252"),
                               ("latin-1", "cp1252")):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(text.encode(encoding))
        assert detect_encoding(path) == expected
        assert list(open_rows(path)) == [(2, {"nombre": "José", "ciudad": "A Coruña\nGalicia"})]
    assert detect_delimiter("a;b;c\n1,5;2;3\n") == ";"
    assert detect_delimiter("a,b,c\n\"x;y\",2,3\n") == ","
    # Bytes cp1252 leaves undefined fall back to Latin-1.
    odd = tmp_path / "odd.csv"
    odd.write_bytes(b"a;b\n\x81x;\xe9\n")
    assert detect_encoding(odd) == "latin-1"
    assert list(open_rows(odd)) == [(2, {"a": "\x81x", "b": "é"})]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("missing.csv", None, "not_found"),
        ("cartera.pdf", b"%PDF-1.4", "unsupported_format"),
        ("binary.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
        ("fake.xlsx", b"not a zip", "not_xlsx"),
        ("empty.csv", b"\n\n", "empty"),
        ("dup.csv", b"a;A\n1;2\n", "duplicate_column"),
        ("bad.jsonl", b'{"a": 1}\n[1, 2]\n', "invalid_json"),
    ],
)
def test_unreadable_files(tmp_path, name, content, code):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(UnreadableFile) as caught:
        list(open_rows(path))
    assert caught.value.code == code
    assert name in str(caught.value) or code == "invalid_json"


def test_jsonl_keeps_numbers_exact(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "rows.jsonl"
    path.write_text('{"ref": "A", "amount": 1234.56, "n": 3}\n\n{"ref": "B", "amount": null}\n', encoding="utf-8")
    assert list(open_rows(path)) == [
        (1, {"ref": "A", "amount": Decimal("1234.56"), "n": Decimal(3)}),
        (3, {"ref": "B", "amount": ""}),
    ]


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from([n for n in DATE_FORMATS if n != "excel"]),
    first=st.integers(min_value=0, max_value=40),
    second=st.integers(min_value=0, max_value=40),
    year=st.integers(min_value=1890, max_value=2100),
    order=st.sampled_from(["dmy", "ymd", "dym"]),
    sep=st.sampled_from("/-."),
    pad=st.booleans(),
)
def test_given_any_numeric_date_text_when_read_then_the_fast_path_agrees_with_strptime(
    name: str, first: int, second: int, year: int, order: str, sep: str, pad: bool
) -> None:
    a, b = (f"{first:02d}", f"{second:02d}") if pad else (str(first), str(second))
    parts = {"dmy": [a, b, str(year)], "ymd": [str(year), a, b], "dym": [a, str(year), b]}[order]
    text = sep.join(parts)
    try:
        expected = dt.datetime.strptime(text, DATE_FORMATS[name]).date()  # noqa: DTZ007
    except ValueError:
        expected = None
    assert readers._read_date(text, name) == expected


class _Text(str):
    """A str subclass: ``parse_amount`` reads it on its general path, never the fast one."""


@settings(max_examples=3_000, deadline=None)
@given(st.text(alphabet="0123456789.,- €()", max_size=14),
       st.sampled_from([(",", "."), (".", ","), (",", " "), (".", ""), (",", "")]))
def test_the_fast_amount_path_reads_exactly_like_the_general_one(text, separators):  # type: ignore[no-untyped-def]
    decimal, thousands = separators

    def read(value):  # type: ignore[no-untyped-def]
        try:
            return parse_amount(value, decimal=decimal, thousands=thousands)
        except AmountError as exc:
            return exc.code

    assert read(text) == read(_Text(text))
