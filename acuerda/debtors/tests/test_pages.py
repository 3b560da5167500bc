"""Back-office pages: search by every key, the debtor across creditors, the account timeline."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from acuerda.debts.services import account_open, account_transition, payment_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.admin)
    return client


@pytest.mark.parametrize("query", [
    "600 12 34 56",            # local phone format
    "+34 600-123-456",         # international with separators
    "LUCIA.GARCIA@example.ES",  # email, any case
    "LN-0001",                 # creditor reference
    "García",                  # surname prefix
    "Lucía García",            # first name and surname
])
def test_search_finds_a_debtor_by_any_key(admin_client, world, query):
    page = admin_client.get("/search/", {"q": query}).content.decode()
    assert f"/debtors/{world.debtor_es.pk}/" in page, query


def test_search_by_national_id_ignores_format(admin_client, world):
    number = world.debtor_es.id_number
    page = admin_client.get("/search/", {"q": f"{number[:4]} {number[4:].lower()}"}).content.decode()
    assert f"/debtors/{world.debtor_es.pk}/" in page


def test_search_with_nothing_found_says_so(admin_client):
    page = admin_client.get("/search/", {"q": "zzz-no-such"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Nothing found that you may see." in page


def test_the_debtor_page_joins_accounts_across_creditors(admin_client, world):
    # The same person also owes the Colombian telco: one debtor, two creditors.
    account_open(
        portfolio=world.p_co, debtor=world.debtor_es, creditor_reference="TC-0999", product="telecom_contract",
        principal=Decimal("100000"), first_unpaid_due_on=dt.date(2026, 1, 1), actor=world.admin,
    )
    page = admin_client.get(f"/debtors/{world.debtor_es.pk}/").content.decode()
    assert "LN-0001" in page and "TC-0999" in page
    assert "Banco Ejemplo" in page and "Telecomunicaciones Andinas" in page
    assert "+34600123456" in page


def test_the_account_page_shows_balances_ledger_and_timeline(admin_client, world):
    payment_post(account=world.account_es, amount=Decimal("100.00"), effective_on=dt.date(2026, 3, 1), actor=world.agent_es)
    account_transition(account=world.account_es, to_status="in_arrangement", actor=world.supervisor, reason="Plan de pagos acordado")
    page = admin_client.get(f"/accounts/{world.account_es.pk}/").content.decode()
    assert "1\xa0550,50" in page  # balance after the payment (1,650.50 - 100.00), in Spanish notation
    assert "Plan de pagos acordado" in page
    assert "supervisor" in page and "agent_es" in page
