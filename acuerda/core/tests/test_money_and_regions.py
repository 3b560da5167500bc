from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from acuerda.core.money import CurrencyMismatch, Money, quantize
from acuerda.core.regions import parse_jurisdiction, validate_timezone
from acuerda.creditors.buckets import DelinquencyBuckets, days_past_due


def test_money_is_exact_and_refuses_mixing_currencies():
    assert Money(Decimal("0.10"), "EUR") + Money(Decimal("0.20"), "EUR") == Money(Decimal("0.30"), "EUR")
    with pytest.raises(CurrencyMismatch):
        Money(Decimal("1"), "EUR") + Money(Decimal("1"), "COP")
    with pytest.raises(TypeError, match="float"):
        Money(0.1, "EUR")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="ISO 4217"):
        Money(Decimal("1"), "EURO")


def test_rounding_follows_each_currencys_minor_unit():
    assert quantize(Decimal("10.005"), "EUR") == Decimal("10.00")  # half-even
    assert quantize(Decimal("10.015"), "EUR") == Decimal("10.02")
    assert quantize(Decimal("1500.5"), "CLP") == Decimal("1500")  # no minor unit (babel)
    assert Money(Decimal("1234.5"), "EUR").format("es_ES") == "1.234,50\xa0€"


@pytest.mark.parametrize(("value", "expected"), [("ES", ("ES", "")), ("es-cn", ("ES", "CN")), ("US-MA", ("US", "MA")), ("MX", ("MX", ""))])
def test_jurisdictions_are_country_and_optional_subdivision(value, expected):
    assert parse_jurisdiction(value) == expected


@pytest.mark.parametrize(("value", "message"), [("XX", "ISO 3166-1"), ("ES-ZZ", "subdivision of ES"), ("", "ISO 3166-1")])
def test_unknown_jurisdictions_are_refused_with_the_reason(value, message):
    with pytest.raises(ValueError, match=message):
        parse_jurisdiction(value)


def test_time_zones_must_be_iana_names():
    assert validate_timezone("America/Bogota") == "America/Bogota"
    with pytest.raises(ValueError, match="IANA"):
        validate_timezone("Bogota")


def test_buckets_follow_the_creditors_edges():
    buckets = DelinquencyBuckets.from_edges([1, 31, 61, 91, 181, 361])
    assert buckets.labels() == ["current", "1-30", "31-60", "61-90", "91-180", "181-360", "361+"]
    assert [buckets.label_for(d) for d in (0, 1, 30, 31, 90, 91, 360, 361, 5000)] == [
        "current", "1-30", "1-30", "31-60", "61-90", "91-180", "181-360", "361+", "361+"
    ]
    other = DelinquencyBuckets.from_edges([1, 91])
    assert other.labels() == ["current", "1-90", "91+"]


@pytest.mark.parametrize("edges", [[], [0, 30], [30, 30], [60, 30], ["1"], [1.5]])
def test_bad_bucket_edges_are_refused(edges):
    with pytest.raises(ValueError):
        DelinquencyBuckets.from_edges(edges)


def test_a_bucket_is_an_indexable_range_of_due_dates():
    today = dt.date(2026, 3, 31)
    buckets = DelinquencyBuckets.from_edges([1, 31, 61])
    earliest, latest = buckets.due_date_range("31-60", today=today)
    assert (earliest, latest) == (today - dt.timedelta(days=60), today - dt.timedelta(days=31))
    for due in (earliest, latest):
        assert buckets.label_for(days_past_due(due, today=today)) == "31-60"
    assert buckets.label_for(days_past_due(earliest - dt.timedelta(days=1), today=today)) == "61+"
    assert buckets.due_date_range("61+", today=today) == (None, today - dt.timedelta(days=61))
    assert days_past_due(today + dt.timedelta(days=3), today=today) == 0
