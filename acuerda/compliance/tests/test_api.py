"""``POST /api/v1/compliance/check/``: the same decision as the CLI, field errors, batches, roles."""

from __future__ import annotations

import copy
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from .test_engine_request import ISSUE_EXAMPLE

URL = "/api/v1/compliance/check/"
AFTER_HOURS = {**ISSUE_EXAMPLE, "at": "2026-03-02T19:00:00-05:00"}

pytestmark = pytest.mark.django_db


def api(user: Any = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def post(client: APIClient, body: Any) -> Any:
    return client.post(URL, data=json.dumps(body), content_type="application/json")


def cli(body: Any) -> dict[str, Any]:
    out = io.StringIO()
    call_command("compliance", "check", stdin=io.StringIO(json.dumps(body)), stdout=out)
    return json.loads(out.getvalue())


def test_given_the_issue_example_when_posted_then_the_decision_equals_the_cli_one(world) -> None:  # type: ignore[no-untyped-def]
    response = post(api(world.compliance), AFTER_HOURS)
    assert response.status_code == 200
    body = response.json()
    assert body == cli(AFTER_HOURS)
    assert body["allowed"] is False
    assert body["blocked_by"][0]["rule"] == "co.hours"
    assert body["next_allowed_at"] == "2026-03-03T07:00:00-05:00"


def test_given_a_token_when_posted_then_it_authenticates(world) -> None:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.supervisor).key}"
    )
    assert post(client, ISSUE_EXAMPLE).json()["allowed"] is True


def _broken(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(ISSUE_EXAMPLE)
    for path, value in changes.items():
        target = data
        *parents, last = path.split("__")
        for key in parents:
            target = target[key]
        target[last] = value
    return data


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (_broken(account__foo=1), "account.foo", "unknown field"),
        (_broken(message__has_opt_out="yes"), "message.has_opt_out", "true or false"),
        (_broken(at="2026-03-02T18:59:00"), "at", "no UTC offset"),
        (_broken(jurisdiction="ZZ"), "jurisdiction", "unknown jurisdiction 'ZZ'"),
        ("just text", "", "must be a JSON object"),
    ],
)
def test_given_a_malformed_request_when_posted_then_400_naming_the_field(  # type: ignore[no-untyped-def]
    world, body: Any, field: str, words: str
) -> None:
    response = post(api(world.admin), body)
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["field"] == field
    assert words in error["message"]
    assert error["message_es"] and error["message_es"] != error["message"]


def test_given_invalid_json_when_posted_then_400_with_errors(world) -> None:  # type: ignore[no-untyped-def]
    response = api(world.admin).post(URL, data='{"jurisdiction": ', content_type="application/json")
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["errors"][0]["message"]


def test_given_a_batch_when_posted_then_decisions_come_back_in_order(world) -> None:  # type: ignore[no-untyped-def]
    response = post(api(world.compliance), [ISSUE_EXAMPLE, AFTER_HOURS, ISSUE_EXAMPLE])
    assert response.status_code == 200
    assert [d["allowed"] for d in response.json()] == [True, False, True]


def test_given_a_batch_with_a_bad_request_when_posted_then_400_naming_its_index(world) -> None:  # type: ignore[no-untyped-def]
    bad = _broken(party__timezone="Mars/Olympus")
    bad["history"][0]["outcome"] = "ok"
    response = post(api(world.compliance), [ISSUE_EXAMPLE, ISSUE_EXAMPLE, ISSUE_EXAMPLE, bad, 5])
    assert response.status_code == 400
    fields = [e["field"] for e in response.json()["errors"]]
    assert fields == ["[3].party.timezone", "[3].history[0].outcome", "[4]"]


def test_given_a_batch_over_the_limit_when_posted_then_400(world) -> None:  # type: ignore[no-untyped-def]
    response = post(api(world.compliance), [ISSUE_EXAMPLE] * 1001)
    assert response.status_code == 400
    assert "at most 1000" in response.json()["errors"][0]["message"]
    assert post(api(world.compliance), [ISSUE_EXAMPLE] * 1000).status_code == 200


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("admin", 200),
        ("supervisor", 200),
        ("compliance", 200),
        ("agent_es", 403),
        ("agent_co", 403),
        ("creditor_es", 403),
    ],
)
def test_given_each_persona_when_posting_then_only_simulators_may(
    world, persona: str, expected: int
) -> None:  # type: ignore[no-untyped-def]
    assert post(api(getattr(world, persona)), ISSUE_EXAMPLE).status_code == expected


def test_given_no_credentials_when_posting_then_refused(world) -> None:  # type: ignore[no-untyped-def]
    response = post(api(), ISSUE_EXAMPLE)
    assert response.status_code in (401, 403)
    assert "allowed" not in response.json()


def test_given_the_schema_when_generated_then_the_check_is_documented_with_an_example(
    tmp_path,
) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    assert "/api/v1/compliance/check/:" in text
    assert "ContactCheckBody" in text and "ContactCheckResult" in text
    assert "Ley 2300 de 2023, art. 3" in text  # the example decision
