"""Shared test personas: a small agency with two creditors, two teams and one user per role.

    bank_es (ES, EUR)  ── portfolio p_es  ── team_es: supervisor, agent_es
    telco_co (CO, COP) ── portfolio p_co  ── team_co: agent_co
    admin, compliance: everything · creditor_es: bank_es only, read-only
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

PASSWORD = "Correct-Horse-42"


@pytest.fixture(autouse=True)
def _english_outside_requests():  # type: ignore[no-untyped-def]
    """Service messages are asserted in English; pages still pick their language per request."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _test_settings(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Pages render without a collectstatic run.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@dataclass
class World:
    bank_es: object
    telco_co: object
    p_es: object
    p_co: object
    team_es: object
    team_co: object
    admin: object
    supervisor: object
    agent_es: object
    agent_co: object
    compliance: object
    creditor_es: object
    debtor_es: object
    debtor_co: object
    account_es: object
    account_co: object


@pytest.fixture
def world(db) -> World:  # type: ignore[no-untyped-def]
    from acuerda.creditors.services import creditor_create
    from acuerda.debtors.identifiers import demo_national_id, demo_tax_id
    from acuerda.debtors.services import contact_point_add, debtor_get_or_create
    from acuerda.debts.services import account_open
    from acuerda.people.services import team_create, user_create
    from acuerda.portfolios.services import portfolio_create

    bank_es = creditor_create(
        code="bank-es", legal_name="Banco Ejemplo S.A.", country="ES", tax_id=demo_tax_id(country="ES", seq=1),
        default_currency="EUR", sector="banking",
    )
    telco_co = creditor_create(
        code="telco-co", legal_name="Telecomunicaciones Andinas S.A.S.", country="CO",
        tax_id=demo_tax_id(country="CO", seq=2), default_currency="COP", sector="telecom",
    )
    p_es = portfolio_create(creditor=bank_es, reference="ES-2026-01", placed_on=dt.date(2026, 1, 15), jurisdiction="ES")
    p_co = portfolio_create(creditor=telco_co, reference="CO-2026-01", placed_on=dt.date(2026, 2, 1), jurisdiction="CO")
    admin = user_create(username="admin", password=PASSWORD, role="admin")
    supervisor = user_create(username="supervisor", password=PASSWORD, role="supervisor")
    agent_es = user_create(username="agent_es", password=PASSWORD, role="agent")
    agent_co = user_create(username="agent_co", password=PASSWORD, role="agent")
    compliance = user_create(username="compliance", password=PASSWORD, role="compliance")
    creditor_es = user_create(username="creditor_es", password=PASSWORD, role="creditor", creditor=bank_es)
    team_es = team_create(name="Equipo España", members=[supervisor, agent_es], portfolios=[p_es])
    team_co = team_create(name="Equipo Colombia", members=[agent_co], portfolios=[p_co])

    debtor_es, _ = debtor_get_or_create(
        country="ES", id_type="DNI", id_number=demo_national_id(country="ES", id_type="DNI", seq=7),
        first_name="Lucía", last_name="García Pérez",
    )
    contact_point_add(debtor=debtor_es, kind="phone", value="600 12 34 56", source="creditor", default_region="ES")
    contact_point_add(debtor=debtor_es, kind="email", value="lucia.garcia@example.es", source="creditor")
    debtor_co, _ = debtor_get_or_create(
        country="CO", id_type="CC", id_number="79123456", first_name="Andrés", last_name="Rodríguez Gómez",
    )
    contact_point_add(debtor=debtor_co, kind="phone", value="310 555 1234", source="creditor", default_region="CO")
    account_es = account_open(
        portfolio=p_es, debtor=debtor_es, creditor_reference="LN-0001", product="personal_loan",
        principal=Decimal("1500.00"), interest=Decimal("120.50"), fees=Decimal("30.00"),
        first_unpaid_due_on=dt.date(2025, 11, 1), actor=admin,
    )
    account_co = account_open(
        portfolio=p_co, debtor=debtor_co, creditor_reference="TC-0001", product="telecom_contract",
        principal=Decimal("850000"), interest=Decimal("0"), fees=Decimal("25000"),
        first_unpaid_due_on=dt.date(2026, 1, 10), actor=admin,
    )
    return World(
        bank_es=bank_es, telco_co=telco_co, p_es=p_es, p_co=p_co, team_es=team_es, team_co=team_co,
        admin=admin, supervisor=supervisor, agent_es=agent_es, agent_co=agent_co, compliance=compliance,
        creditor_es=creditor_es, debtor_es=debtor_es, debtor_co=debtor_co, account_es=account_es,
        account_co=account_co,
    )
