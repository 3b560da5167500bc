"""The API's contract: a valid OpenAPI schema, token authentication, scoped results."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_the_openapi_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    text = (tmp_path / "schema.yaml").read_text()
    assert "/api/v1/accounts/{id}/transition/" in text and "AccountStatusEnum" in text


def test_the_api_docs_are_served_from_vendored_assets(world, client):
    client.force_login(world.admin)
    page = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in page
    assert "cdn." not in page and "unpkg" not in page  # works on a LAN without internet


def test_a_token_authenticates_and_results_are_scoped(world):
    token = Token.objects.create(user=world.creditor_es)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    creditors = client.get("/api/v1/creditors/").json()["results"]
    assert [c["code"] for c in creditors] == ["bank-es"]
    debtors = client.get("/api/v1/debtors/").json()["results"]
    assert [d["id_number"] for d in debtors] == [world.debtor_es.id_number]
    detail = client.get(f"/api/v1/debtors/{world.debtor_es.pk}/").json()
    assert {p["value"] for p in detail["contact_points"]} == {"+34600123456", "lucia.garcia@example.es"}


def test_accounts_can_be_looked_up_by_creditor_reference(world):
    client = APIClient()
    client.force_authenticate(world.admin)
    rows = client.get("/api/v1/accounts/", {"creditor_reference": "TC-0001"}).json()["results"]
    assert len(rows) == 1
    row = rows[0]
    assert row["balance"] == "875000.00" and row["currency"] == "COP" and row["status"] == "active"
    ledger = client.get(f"/api/v1/accounts/{row['id']}/ledger/").json()
    assert [(e["kind"], e["principal"]) for e in ledger] == [("placement", "850000.00")]


def test_a_bad_transition_request_says_which_field_and_why(world):
    client = APIClient()
    client.force_authenticate(world.admin)
    response = client.post(f"/api/v1/accounts/{world.account_es.pk}/transition/", {"to_status": "flying"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert "to_status" in body and "reason" in body
