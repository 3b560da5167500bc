from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from acuerda.creditors.services import creditor_create, creditor_set_bucket_edges
from acuerda.debtors.identifiers import demo_tax_id
from acuerda.portfolios.services import (
    portfolio_create,
    portfolio_set_commissions,
    portfolio_transition,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("country", "currency", "expected_type"), [
    ("ES", "EUR", "CIF"), ("CO", "COP", "NIT"), ("PE", "PEN", "RUC"), ("MX", "MXN", "RFC"),
    ("CL", "CLP", "RUT"), ("AR", "ARS", "CUIT"),
])
def test_a_creditors_tax_id_is_validated_and_typed_for_its_country(country, currency, expected_type):
    creditor = creditor_create(
        code=f"c-{country}", legal_name="Acreedor", country=country, tax_id=demo_tax_id(country=country, seq=5),
        default_currency=currency, sector="banking",
    )
    assert creditor.tax_id_type == expected_type


def test_a_bad_tax_id_currency_or_sector_is_refused_with_the_field():
    with pytest.raises(ValidationError) as error:
        creditor_create(code="bad", legal_name="X", country="ES", tax_id="B1234567X", default_currency="EURO", sector="mining")
    assert {"tax_id", "default_currency", "sector"} <= set(error.value.message_dict)


def test_bucket_edges_are_configurable_and_validated(world):
    creditor_set_bucket_edges(creditor=world.bank_es, bucket_edges=[1, 61, 121])
    assert world.bank_es.buckets.labels() == ["current", "1-60", "61-120", "121+"]
    with pytest.raises(ValidationError):
        creditor_set_bucket_edges(creditor=world.bank_es, bucket_edges=[10, 5])


def test_a_portfolio_has_a_jurisdiction_and_a_commission_schedule_by_bucket(world):
    portfolio = portfolio_create(
        creditor=world.bank_es, reference="ES-CN-1", placed_on=dt.date(2026, 3, 1), jurisdiction="ES-CN",
        commission_rates={"current": Decimal("5"), "1-30": Decimal("8"), "361+": Decimal("25.5")},
    )
    assert portfolio.jurisdiction == "ES-CN" and portfolio.currency == "EUR"
    assert {r.bucket: r.rate_percent for r in portfolio.commission_rates.all()} == {
        "current": Decimal("5.00"), "1-30": Decimal("8.00"), "361+": Decimal("25.50"),
    }
    with pytest.raises(ValidationError, match="Unknown buckets"):
        portfolio_set_commissions(portfolio=portfolio, rates={"0-15": Decimal("3")})
    with pytest.raises(ValidationError):
        portfolio_set_commissions(portfolio=portfolio, rates={"1-30": Decimal("120")})


@pytest.mark.parametrize(("jurisdiction", "field"), [("ES-XX", "jurisdiction"), ("QQ", "jurisdiction")])
def test_a_portfolio_with_an_unknown_jurisdiction_is_refused(world, jurisdiction, field):
    with pytest.raises(ValidationError) as error:
        portfolio_create(creditor=world.bank_es, reference="R", placed_on=dt.date(2026, 1, 1), jurisdiction=jurisdiction)
    assert field in error.value.message_dict


def test_a_recall_date_before_placement_is_refused(world):
    with pytest.raises(ValidationError):
        portfolio_create(
            creditor=world.bank_es, reference="R2", placed_on=dt.date(2026, 2, 1), recall_on=dt.date(2026, 1, 1),
            jurisdiction="ES",
        )


def test_portfolio_status_moves_only_forward(world):
    portfolio_transition(portfolio=world.p_es, to_status="recalled")
    with pytest.raises(ValidationError):
        portfolio_transition(portfolio=world.p_es, to_status="active")
    portfolio_transition(portfolio=world.p_es, to_status="closed")
    assert world.p_es.status == "closed"
