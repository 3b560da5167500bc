"""Tenant isolation by construction: a creditor user sees only their creditor, an agent only
their teams' portfolios — in pages, back office and API alike. Outsiders get 404, not 403,
so the existence of another creditor's debtor is not revealed."""

from __future__ import annotations

import pytest
from django.test import Client

from acuerda.debtors.models import PersonalDataAccess

pytestmark = pytest.mark.django_db

PAGES = {
    "portfolio": "/portfolios/{pk}/",
    "account": "/accounts/{pk}/",
    "debtor": "/debtors/{pk}/",
}
ADMIN = {
    "creditor": "/admin/creditors/creditor/{pk}/change/",
    "portfolio": "/admin/portfolios/portfolio/{pk}/change/",
    "account": "/admin/debts/account/{pk}/change/",
    "debtor": "/admin/debtors/debtor/{pk}/change/",
}
API = {
    "creditor": "/api/v1/creditors/{pk}/",
    "portfolio": "/api/v1/portfolios/{pk}/",
    "account": "/api/v1/accounts/{pk}/",
    "debtor": "/api/v1/debtors/{pk}/",
}


def _objects(world, side: str) -> dict[str, int]:
    if side == "es":
        return {"creditor": world.bank_es.pk, "portfolio": world.p_es.pk, "account": world.account_es.pk, "debtor": world.debtor_es.pk}
    return {"creditor": world.telco_co.pk, "portfolio": world.p_co.pk, "account": world.account_co.pk, "debtor": world.debtor_co.pk}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# (persona, the side it may see, the side it may not; None = sees both)
CASES = [
    ("creditor_es", "es", "co"),
    ("agent_es", "es", "co"),
    ("supervisor", "es", "co"),
    ("agent_co", "co", "es"),
    ("admin", None, None),
    ("compliance", None, None),
]


@pytest.mark.parametrize(("persona", "allowed", "forbidden"), CASES)
@pytest.mark.parametrize("surface", ["pages", "admin", "api"])
def test_each_persona_sees_its_own_objects_and_gets_404_for_the_rest(world, persona, allowed, forbidden, surface):
    client = _client(getattr(world, persona))
    urls = {"pages": PAGES, "admin": ADMIN, "api": API}[surface]
    for side in [s for s in ("es", "co") if s != forbidden]:
        for kind, pk in _objects(world, side).items():
            if kind in urls:
                response = client.get(urls[kind].format(pk=pk))
                assert response.status_code == 200, (persona, surface, kind, side, response.status_code)
    if forbidden:
        for kind, pk in _objects(world, forbidden).items():
            if kind in urls:
                response = client.get(urls[kind].format(pk=pk))
                assert response.status_code == 404, (persona, surface, kind, forbidden, response.status_code)


@pytest.mark.parametrize(("persona", "expected"), [
    ("creditor_es", {"LN-0001"}), ("agent_es", {"LN-0001"}), ("agent_co", {"TC-0001"}),
    ("admin", {"LN-0001", "TC-0001"}), ("compliance", {"LN-0001", "TC-0001"}),
])
def test_lists_only_contain_visible_rows(world, persona, expected):
    client = _client(getattr(world, persona))
    api = client.get("/api/v1/accounts/").json()
    assert {row["creditor_reference"] for row in api["results"]} == expected
    admin_list = client.get("/admin/debts/account/").content.decode()
    for reference in {"LN-0001", "TC-0001"}:
        assert (reference in admin_list) == (reference in expected)
    search = client.get("/search/", {"q": world.debtor_co.id_number}).content.decode()
    assert (world.debtor_co.last_name in search) == ("TC-0001" in expected)


def test_nested_api_routes_are_scoped_too(world):
    client = _client(world.agent_co)
    assert client.get(f"/api/v1/accounts/{world.account_es.pk}/ledger/").status_code == 404
    assert client.get(f"/api/v1/accounts/{world.account_es.pk}/events/").status_code == 404
    assert client.get(f"/api/v1/debtors/{world.debtor_es.pk}/accounts/").status_code == 404
    assert client.get(f"/api/v1/accounts/{world.account_co.pk}/ledger/").status_code == 200


def test_a_guarantor_is_visible_through_the_account_they_guarantee(world):
    from acuerda.debts.services import account_party_add

    client = _client(world.agent_es)
    assert client.get(f"/debtors/{world.debtor_co.pk}/").status_code == 404
    account_party_add(account=world.account_es, debtor=world.debtor_co, role="guarantor", actor=world.admin)
    assert client.get(f"/debtors/{world.debtor_co.pk}/").status_code == 200
    # ...but only the accounts the agent may see are listed on that debtor.
    page = client.get(f"/debtors/{world.debtor_co.pk}/").content.decode()
    assert "LN-0001" in page and "TC-0001" not in page


def test_creditor_users_are_read_only_everywhere(world):
    client = _client(world.creditor_es)
    response = client.post(
        f"/api/v1/accounts/{world.account_es.pk}/transition/", {"to_status": "on_hold", "reason": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403
    change = client.get(f"/admin/portfolios/portfolio/{world.p_es.pk}/change/").content.decode()
    assert 'name="_save"' not in change  # the view-only form has no save button
    assert client.get("/admin/people/user/").status_code == 403
    assert client.get("/admin/debtors/personaldataaccess/").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(world):
    client = Client()
    assert client.get(f"/accounts/{world.account_es.pk}/").status_code == 302
    assert client.get("/api/v1/accounts/").status_code in (401, 403)
    assert client.get("/admin/debts/account/").status_code == 302


def test_supervisors_may_change_status_through_the_api_within_their_teams(world):
    client = _client(world.supervisor)
    ok = client.post(
        f"/api/v1/accounts/{world.account_es.pk}/transition/", {"to_status": "on_hold", "reason": "Debtor in hospital"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "on_hold"
    refused = client.post(
        f"/api/v1/accounts/{world.account_es.pk}/transition/", {"to_status": "closed", "reason": "x"},
        content_type="application/json", HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 400 and "cannot move" in refused.json()["to_status"][0]
    other_team = client.post(
        f"/api/v1/accounts/{world.account_co.pk}/transition/", {"to_status": "on_hold", "reason": "x"},
        content_type="application/json",
    )
    assert other_team.status_code == 404


@pytest.mark.parametrize("surface", ["page", "admin", "api"])
def test_every_view_of_a_debtor_is_written_to_the_access_log(world, surface):
    client = _client(world.agent_es)
    url = {"page": PAGES["debtor"], "admin": ADMIN["debtor"], "api": API["debtor"]}[surface]
    before = PersonalDataAccess.objects.filter(user=world.agent_es, debtor=world.debtor_es).count()
    assert client.get(url.format(pk=world.debtor_es.pk)).status_code == 200
    log = PersonalDataAccess.objects.filter(user=world.agent_es, debtor=world.debtor_es)
    assert log.count() == before + 1
    assert log.order_by("-pk").first().via == {"page": "page", "admin": "admin", "api": "api"}[surface]


def test_an_inactive_user_sees_nothing(world):
    from acuerda.debts.models import Account

    world.admin.is_active = False
    assert not Account.objects.for_user(world.admin).exists()


def test_a_person_is_served_in_their_preferred_language_unless_they_chose_another(world):
    world.agent_es.preferred_language = "en"
    world.agent_es.save(update_fields=["preferred_language"])
    client = _client(world.agent_es)
    assert "Sign out" in client.get("/").content.decode()
    client.cookies["django_language"] = "es"
    assert "Cerrar sesión" in client.get("/").content.decode()
