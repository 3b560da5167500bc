"""REST imports (JSON Lines and multipart), import jobs and rejected rows, streamed exports."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from acuerda.debtors.identifiers import demo_national_id
from acuerda.debtors.models import PersonalDataAccess
from acuerda.debts.models import Account
from acuerda.imports.models import ImportJob
from acuerda.imports.profiles import profile_save

pytestmark = pytest.mark.django_db

NDJSON = "application/x-ndjson"


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.IMPORTS_UPLOAD_DIR = tmp_path / "uploads"


@pytest.fixture
def api_profile(world):  # type: ignore[no-untyped-def]
    profile, _ = profile_save(creditor=world.bank_es, data={
        "name": "api", "mapping": {"reference": "reference", "id_number": "id_number", "first_name": "first_name",
                                   "last_name": "last_name", "principal": "principal", "phone": "phone"},
        "parsing": {"decimal_separator": ".", "thousands_separator": ""},
        "defaults": {"country": "ES", "id_type": "DNI"},
    })
    return profile


def dni(seq: int) -> str:
    return demo_national_id(country="ES", id_type="DNI", seq=seq)


def body(*rows: dict) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()


GOOD = {"reference": "API-1", "id_number": dni(601), "first_name": "Eva", "last_name": "Luna", "principal": 99.9}
BAD = {"reference": "API-2", "id_number": "123", "last_name": "Sol", "principal": 5}


def client_for(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")  # messages are asserted in English
    client.force_authenticate(user)
    return client


def post_lines(client: APIClient, portfolio_id: int, content: bytes, query: str = "profile=api"):  # type: ignore[no-untyped-def]
    return client.generic("POST", f"/api/v1/portfolios/{portfolio_id}/imports/?{query}", content, content_type=NDJSON)


def test_json_lines_create_a_job_that_imports_good_rows_and_reports_bad_ones(world, api_profile):
    client = client_for(world.supervisor)

    response = post_lines(client, world.p_es.pk, body(GOOD, BAD))

    assert response.status_code == 201, response.content
    summary = response.json()
    assert summary["status"] == "done" and summary["rows_read"] == 2 and summary["rows_rejected"] == 1
    assert summary["accounts_created"] == 1 and summary["already_imported"] is False
    assert str(Account.objects.get(creditor_reference="API-1").principal) == "99.90"
    rows = client.get(f"/api/v1/import-jobs/{summary['id']}/rejected-rows/").json()["results"]
    assert [(r["row"], r["column"], r["code"]) for r in rows] == [(2, "id_number", "invalid_id")]
    assert "DNI" in rows[0]["reason"]
    job = client.get(f"/api/v1/import-jobs/{summary['id']}/").json()
    assert job["sha256"] == summary["sha256"] and job["profile"] == "api"


def test_the_same_body_twice_returns_the_same_job_and_creates_nothing(world, api_profile):
    client = client_for(world.admin)
    first = post_lines(client, world.p_es.pk, body(GOOD))
    accounts = Account.objects.count()

    second = post_lines(client, world.p_es.pk, body(GOOD))

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"] and second.json()["already_imported"] is True
    assert Account.objects.count() == accounts and ImportJob.objects.count() == 1


def test_a_dry_run_writes_no_accounts(world, api_profile):
    response = post_lines(client_for(world.admin), world.p_es.pk, body(GOOD), "profile=api&dry_run=true")
    assert response.status_code == 201
    assert response.json()["status"] == "validated" and response.json()["dry_run"] is True
    assert not Account.objects.filter(creditor_reference="API-1").exists()


def test_a_multipart_file_is_imported(world, api_profile):
    upload = io.BytesIO(body(GOOD))
    upload.name = "cartera.jsonl"
    response = client_for(world.admin).post(
        f"/api/v1/portfolios/{world.p_es.pk}/imports/?profile=api", {"file": upload}, format="multipart"
    )
    assert response.status_code == 201, response.content
    assert response.json()["file_name"] == "cartera.jsonl" and response.json()["accounts_created"] == 1


@pytest.mark.parametrize(("query", "content", "field", "words"), [
    ("profile=nope", body(GOOD), "profile", "no import profile 'nope'"),
    ("", body(GOOD), "profile", "Name the import profile"),
    ("profile=api&dry_run=maybe", body(GOOD), "dry_run", "true or false"),
    ("profile=api", b'{"reference": "A"}\n[1, 2]\n', "body", "Line 2 is not a JSON object"),
    ("profile=api", b'{"reference": "A"}\n\n{oops\n', "body", "Line 3 is not valid JSON"),
    ("profile=api", b"", "body", "empty"),
])
def test_bad_requests_say_which_field_or_line_and_why(world, api_profile, query, content, field, words):
    response = post_lines(client_for(world.admin), world.p_es.pk, content, query)
    assert response.status_code == 400
    assert words in response.json()[field][0]
    assert not ImportJob.objects.exists()


def test_rows_refused_by_a_reject_file_profile_answer_400_with_the_rows(world, api_profile):
    api_profile.bad_row_policy = "reject_file"
    api_profile.save(update_fields=["bad_row_policy"])

    response = post_lines(client_for(world.admin), world.p_es.pk, body(GOOD, BAD))

    assert response.status_code == 400
    payload = response.json()
    assert payload["job"]["status"] == "failed" and "1 rows have errors" in payload["detail"]
    assert [(r["row"], r["column"]) for r in payload["rejected_rows"]] == [(2, "id_number")]
    assert not Account.objects.filter(creditor_reference="API-1").exists()


def test_permissions_and_scope(world, api_profile):
    # Agents and creditor users may not import; a portfolio outside one's scope is 404.
    assert post_lines(client_for(world.agent_es), world.p_es.pk, body(GOOD)).status_code == 403
    assert post_lines(client_for(world.creditor_es), world.p_es.pk, body(GOOD)).status_code == 403
    assert post_lines(client_for(world.supervisor), world.p_co.pk, body(GOOD)).status_code == 404
    assert post_lines(APIClient(), world.p_es.pk, body(GOOD)).status_code in (401, 403)
    job_id = post_lines(client_for(world.supervisor), world.p_es.pk, body(GOOD)).json()["id"]
    assert client_for(world.compliance).get(f"/api/v1/import-jobs/{job_id}/").status_code == 200
    assert client_for(world.creditor_es).get(f"/api/v1/import-jobs/{job_id}/").status_code == 403
    assert client_for(world.admin).get("/api/v1/import-jobs/", {"portfolio": world.p_co.pk}).json()["results"] == []
    team_co = world.admin.__class__.objects.create_user(username="sup_co", password="x", role="supervisor")
    world.team_co.members.add(team_co)
    assert client_for(team_co).get(f"/api/v1/import-jobs/{job_id}/").status_code == 404
    assert client_for(team_co).get(f"/api/v1/import-jobs/{job_id}/rejected-rows/").status_code == 404


def _streamed(response) -> bytes:  # type: ignore[no-untyped-def]
    return b"".join(response.streaming_content)


def test_the_export_is_streamed_as_csv_and_logged(world):
    response = client_for(world.creditor_es).get(f"/api/v1/portfolios/{world.p_es.pk}/export/",
                                                 {"personal_data": "true"})

    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="bank-es-ES-2026-01.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(_streamed(response).decode("utf-8-sig"))))
    assert [(r["reference"], r["total"], r["id_number"]) for r in rows] == [
        ("LN-0001", "1650.50", world.debtor_es.id_number)]
    log = PersonalDataAccess.objects.get()
    assert (log.user, log.debtor, log.via) == (world.creditor_es, world.debtor_es, "export")
    assert log.path.startswith(f"/api/v1/portfolios/{world.p_es.pk}/export/")


def test_the_export_as_xlsx(world):
    response = client_for(world.admin).get(f"/api/v1/portfolios/{world.p_co.pk}/export/", {"file_format": "xlsx"})
    assert response.status_code == 200 and response.streaming
    sheet = load_workbook(io.BytesIO(_streamed(response))).active
    assert sheet["A2"].value == "TC-0001"


def test_the_export_is_scoped_and_validated(world):
    assert client_for(world.creditor_es).get(f"/api/v1/portfolios/{world.p_co.pk}/export/").status_code == 404
    assert client_for(world.agent_co).get(f"/api/v1/portfolios/{world.p_es.pk}/export/").status_code == 404
    bad = client_for(world.admin).get(f"/api/v1/portfolios/{world.p_es.pk}/export/", {"file_format": "pdf"})
    assert bad.status_code == 400 and "file_format" in bad.json()
    bad = client_for(world.admin).get(f"/api/v1/portfolios/{world.p_es.pk}/export/", {"personal_data": "yes"})
    assert bad.status_code == 400 and "personal_data" in bad.json()
    minimised = client_for(world.admin).get(f"/api/v1/portfolios/{world.p_es.pk}/export/")
    rows = list(csv.DictReader(io.StringIO(_streamed(minimised).decode("utf-8-sig"))))
    assert rows[0]["reference"] == "LN-0001" and "id_number" not in rows[0]
    assert not PersonalDataAccess.objects.exists()
