"""The debtor page's privacy actions: 404 for who cannot see the debtor, 403 for who lacks the
permission, and the downloads and the anonymise form for privacy officers."""

from __future__ import annotations

import json

import pytest

from acuerda.debtors.models import PersonalDataAccess
from acuerda.debts.services import account_transition
from acuerda.privacy.models import ErasureRecord

pytestmark = pytest.mark.django_db

ACTIONS = ["subject-access.json", "subject-access.pdf", "anonymise/"]

# persona -> (status for debtor_es, status for debtor_co)
EXPECTED = {
    "admin": (200, 200),
    "compliance": (200, 200),
    "supervisor": (403, 404),
    "agent_es": (403, 404),
    "agent_co": (404, 403),
    "creditor_es": (403, 404),
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
@pytest.mark.parametrize("action", ACTIONS)
def test_who_may_use_each_privacy_action(client, world, persona, action):
    client.force_login(getattr(world, persona))
    for debtor, expected in zip((world.debtor_es, world.debtor_co), EXPECTED[persona], strict=True):
        response = client.get(f"/debtors/{debtor.pk}/{action}")
        assert response.status_code == expected, (persona, action, debtor)


def test_anonymous_users_are_sent_to_log_in(client, world):
    for action in ACTIONS:
        response = client.get(f"/debtors/{world.debtor_es.pk}/{action}")
        assert response.status_code == 302 and "login" in response["Location"]


def test_the_debtor_page_offers_the_actions_only_to_privacy_officers(client, world):
    client.force_login(world.compliance)
    page = client.get(f"/debtors/{world.debtor_es.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"/debtors/{world.debtor_es.pk}/subject-access.pdf" in page
    assert "cannot be anonymised yet" in page and "LN-0001" in page  # the open account blocks it

    client.force_login(world.agent_es)
    page = client.get(f"/debtors/{world.debtor_es.pk}/").content.decode()
    assert "subject-access" not in page and "/anonymise/" not in page


def test_the_json_download_is_the_export_and_is_logged(client, world):
    client.force_login(world.compliance)
    response = client.get(
        f"/debtors/{world.debtor_es.pk}/subject-access.json", {"purpose": "Solicitud 42"}
    )

    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["subject"]["last_name"] == "García Pérez"
    log = PersonalDataAccess.objects.get(via="dsar")
    assert (log.user, log.debtor, log.purpose) == (
        world.compliance,
        world.debtor_es,
        "Solicitud 42",
    )


def test_the_pdf_download(client, world):
    client.force_login(world.admin)
    response = client.get(f"/debtors/{world.debtor_es.pk}/subject-access.pdf")
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_anonymising_from_the_page_needs_closed_accounts_a_reason_and_confirmation(client, world):
    url = f"/debtors/{world.debtor_es.pk}/anonymise/"
    client.force_login(world.compliance)

    response = client.post(
        url, {"reason": "Solicitud", "confirm": "on"}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "open accounts" in response.content.decode() and not ErasureRecord.objects.exists()

    account_transition(
        account=world.account_es, to_status="recalled", actor=world.admin, reason="Devuelta"
    )
    assert client.post(url, {"reason": "Solicitud"}).status_code == 400  # not confirmed
    assert client.post(url, {"reason": "  ", "confirm": "on"}).status_code == 400
    assert not ErasureRecord.objects.exists()

    response = client.post(url, {"reason": "Solicitud art. 17", "confirm": "on"})
    assert response.status_code == 302 and response["Location"] == f"/debtors/{world.debtor_es.pk}/"
    record = ErasureRecord.objects.get()
    assert (record.debtor_id, record.actor, record.reason) == (
        world.debtor_es.pk,
        world.compliance,
        "Solicitud art. 17",
    )
    page = client.get(f"/debtors/{world.debtor_es.pk}/").content.decode()
    assert "Lucía" not in page
    assert client.get(url).status_code == 302  # already done


def test_anonymise_refuses_other_methods(client, world):
    client.force_login(world.admin)
    assert client.put(f"/debtors/{world.debtor_es.pk}/anonymise/").status_code == 405
    assert client.post(f"/debtors/{world.debtor_es.pk}/subject-access.json").status_code == 405


@pytest.mark.parametrize(
    "model", ["retentionpolicy", "erasurerecord", "dataexportlog", "legalhold"]
)
def test_the_back_office_screens_are_for_privacy_officers(client, world, model):
    for persona, expected in (
        ("compliance", 200),
        ("admin", 200),
        ("agent_es", 403),
        ("creditor_es", 403),
    ):
        client.force_login(getattr(world, persona))
        response = client.get(f"/admin/privacy/{model}/")
        assert response.status_code == expected, (persona, model)


def test_retention_policies_are_editable_and_logs_are_read_only(client, world):
    client.force_login(world.compliance)
    response = client.post(
        "/admin/privacy/retentionpolicy/add/",
        {
            "creditor": world.bank_es.pk,
            "anonymise_after_years": 8,
            "enabled": "on",
            "legal_basis": "Contrato",
        },
    )
    assert response.status_code == 302
    assert world.bank_es.retention_policy.anonymise_after_years == 8
    assert client.get("/admin/privacy/erasurerecord/add/").status_code == 403
    assert client.get("/admin/privacy/dataexportlog/add/").status_code == 403
