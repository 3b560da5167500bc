"""The contact simulator page: the same decision as the CLI and the API, explained in the viewer's
language; field-level errors; who may use it; and the rule-pack page."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from acuerda.compliance.engine import DEFAULT_REGISTRY
from acuerda.compliance.views import INITIAL

from .test_engine_request import ISSUE_EXAMPLE

URL = "/compliance/simulate/"
AFTER_HOURS = {**ISSUE_EXAMPLE, "at": "2026-03-02T19:00:00-05:00"}
REASON_ES = "Horario de contacto: hora local 19:00 (lun) fuera del horario permitido"
REASON_EN = "Contact hours: local time 19:00 (Mon) is outside the allowed hours"

pytestmark = pytest.mark.django_db


def login(client, user, language: str = "en"):  # type: ignore[no-untyped-def]
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    return client


def form(**changes: Any) -> dict[str, Any]:
    """The page's initial form (the issue's example at 19:00) with some fields changed."""
    return {**INITIAL, **changes}


def cli(body: Any) -> dict[str, Any]:
    out = io.StringIO()
    call_command("compliance", "check", stdin=io.StringIO(json.dumps(body)), stdout=out)
    return json.loads(out.getvalue())


def test_given_the_issue_example_when_simulated_then_the_page_shows_the_cli_and_api_decision(  # type: ignore[no-untyped-def]
    world, client
) -> None:
    response = login(client, world.compliance).post(URL, form())
    assert response.status_code == 200
    request = json.loads(response.context["request_json"])
    decision = json.loads(response.context["decision_json"])
    # The page builds the issue's request (plus every account flag, explicitly false) ...
    assert request["at"] == AFTER_HOURS["at"] and request["history"] == AFTER_HOURS["history"]
    assert request["party"] == AFTER_HOURS["party"] and request["message"] == AFTER_HOURS["message"]
    # ... and shows the decision the CLI and the API give for it.
    assert decision == cli(AFTER_HOURS) == cli(request)
    api = client.post(
        "/api/v1/compliance/check/", json.dumps(request), content_type="application/json"
    )
    assert api.json() == decision
    page = response.content.decode()
    assert 'id="verdict">BLOCKED<' in page
    assert "co.hours" in page and "Ley 2300 de 2023, art. 3" in page
    assert "Tuesday 3 March 2026, 07:00" in page and "America/Bogota, UTC-05:00" in page
    assert "acuerda compliance check" in page and "&quot;jurisdiction&quot;: &quot;CO&quot;" in page


def test_given_1859_when_simulated_then_allowed(world, client) -> None:  # type: ignore[no-untyped-def]
    response = login(client, world.supervisor).post(URL, form(local_at="2026-03-02T18:59"))
    assert 'id="verdict">ALLOWED<' in response.content.decode()
    assert json.loads(response.context["decision_json"]) == cli(ISSUE_EXAMPLE)


def test_given_spanish_when_blocked_then_the_spanish_reason_is_shown(world, client) -> None:  # type: ignore[no-untyped-def]
    page = login(client, world.compliance, "es").post(URL, form()).content.decode()
    assert REASON_ES in page
    assert REASON_EN not in page.split('id="request-json"')[0]  # only in the raw JSON below


def test_given_english_when_blocked_then_the_english_reason_is_shown(world, client) -> None:  # type: ignore[no-untyped-def]
    page = login(client, world.compliance, "en").post(URL, form()).content.decode()
    assert REASON_EN in page
    assert REASON_ES not in page.split('id="request-json"')[0]


def test_given_no_party_zone_when_simulated_then_the_assumption_is_shown(world, client) -> None:  # type: ignore[no-untyped-def]
    response = login(client, world.compliance).post(URL, form(timezone=""))
    request = json.loads(response.context["request_json"])
    assert "timezone" not in request["party"] and request["at"] == "2026-03-02T19:00:00-05:00"
    assert (
        "The party&#x27;s time zone is unknown: America/Bogota is used."
        in response.content.decode()
    )


def test_given_a_breathing_space_in_gb_when_simulated_then_blocked_with_no_sooner_moment_than_its_end(  # type: ignore[no-untyped-def]
    world, client
) -> None:
    data = form(
        country="GB",
        timezone="Europe/London",
        local_at="2026-03-03T10:00",
        breathing_space_until="2026-04-15",
        h0_at="",
        h0_channel="",
        h0_outcome="",
        h0_role="",
    )
    response = login(client, world.compliance).post(URL, data)
    decision = json.loads(response.context["decision_json"])
    assert decision["allowed"] is False
    assert any("breathing" in b["rule"] for b in decision["blocked_by"])
    assert decision["next_allowed_at"] > "2026-04-15"


def test_given_inconvenient_times_in_the_us_when_simulated_then_blocked_by_that_rule(
    world, client
) -> None:  # type: ignore[no-untyped-def]
    data = form(
        country="US",
        timezone="America/New_York",
        local_at="2026-03-03T13:30",
        inconvenient_json='[{"weekdays": [1], "start": "13:00", "end": "15:00"}]',
        h0_at="",
        h0_channel="",
        h0_outcome="",
        h0_role="",
    )
    response = login(client, world.compliance).post(URL, data)
    request = json.loads(response.context["request_json"])
    assert request["party"]["inconvenient_times"] == [
        {"weekdays": [1], "start": "13:00", "end": "15:00"}
    ]
    decision = json.loads(response.context["decision_json"])
    assert "us.inconvenient_times" in [b["rule"] for b in decision["blocked_by"]]
    assert decision == cli(request)
    bad = login(client, world.compliance).post(
        URL, {**data, "inconvenient_json": '[{"weekdays": [9], "start": "13:00", "end": "15:00"}]'}
    )
    assert any(
        "party.inconvenient_times[0].weekdays[0]" in m for m in errors(bad)["inconvenient_json"]
    )


def errors(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    return {k: list(v) for k, v in response.context["form"].errors.items()}


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        # Unknown field, wrong type and naive date-time come from the history JSON, named by path.
        (
            {
                "history_json": '[{"at": "2026-02-24T10:00:00-05:00", "channel": "sms", "outcome": "delivered", '
                '"party_role": "debtor", "cost": 3}]'
            },
            "history_json",
            "history[0].cost: unknown field",
        ),
        (
            {
                "history_json": '[{"at": "2026-02-24T10:00:00-05:00", "channel": 5, "outcome": "delivered", '
                '"party_role": "debtor"}]'
            },
            "history_json",
            "history[0].channel: must be a string",
        ),
        (
            {
                "history_json": '[{"at": "2026-02-24T10:00:00", "channel": "sms", "outcome": "delivered", '
                '"party_role": "debtor"}]'
            },
            "history_json",
            "history[0].at: date-time has no UTC offset",
        ),
        ({"history_json": '{"at": 1}'}, "history_json", "history: must be a list"),
        ({"history_json": "[{"}, "history_json", "Not valid JSON at line 1, column 3"),
        ({"subdivision": "zz"}, "subdivision", "unknown subdivision in 'CO-ZZ'"),
        ({"timezone": "Mars/Olympus"}, "timezone", "Unknown time zone 'Mars/Olympus'"),
        ({"local_at": "yesterday"}, "local_at", "Enter a valid date/time"),
        ({"h0_outcome": ""}, "h0_outcome", "Fill in every column of the row, or none."),
    ],
)
def test_given_a_malformed_simulation_when_submitted_then_the_field_carries_the_message(  # type: ignore[no-untyped-def]
    world, client, changes: dict[str, Any], field: str, words: str
) -> None:
    changes = {"h0_at": "", "h0_channel": "", "h0_outcome": "", "h0_role": "", **changes}
    if field == "h0_outcome":
        changes = {**changes, "h0_at": "2026-02-24T10:00", "h0_channel": "sms", "h0_role": "debtor"}
    response = login(client, world.compliance).post(URL, form(**changes))
    assert response.status_code == 400
    assert "decision_json" not in response.context
    found = errors(response)
    assert field in found, found
    assert any(words in message for message in found[field]), found
    assert words.replace("'", "&#x27;") in response.content.decode()


def test_given_engine_errors_on_history_rows_when_mapped_then_they_land_on_the_rows_used() -> None:
    # The rows are typed, so the engine rarely refuses them; when it does, history[i] is the
    # i-th row that was filled in (here the second and the fifth).
    from acuerda.compliance.engine import FieldError, RequestError
    from acuerda.compliance.forms import SimulationForm

    rows = {
        "h1_at": "2026-02-24T10:00",
        "h1_channel": "sms",
        "h1_outcome": "delivered",
        "h1_role": "debtor",
        "h4_at": "2026-02-25T10:00",
        "h4_channel": "call",
        "h4_outcome": "busy",
        "h4_role": "debtor",
    }
    bound = SimulationForm(form(h0_at="", h0_channel="", h0_outcome="", h0_role="", **rows))
    assert bound.is_valid(), bound.errors
    assert len(bound.request_data()["history"]) == 2
    bound.add_request_errors(
        RequestError(
            [
                FieldError("history[1].party_role", "bad role", "rol malo"),
                FieldError("history[0].at", "bad moment", "momento malo"),
                FieldError("party.authorised_channels[0]", "bad channel", "canal malo"),
                FieldError("something.else", "odd", "raro"),
            ]
        )
    )
    assert bound.errors["h4_role"] == ["bad role"]
    assert bound.errors["h1_at"] == ["bad moment"]
    assert bound.errors["authorised_channels"] == ["bad channel"]
    assert bound.non_field_errors() == ["something.else: odd"]


def as_post(initial: dict[str, Any]) -> dict[str, Any]:
    """Form initial values as a browser would post them (unticked boxes are absent)."""
    return {k: ("on" if v is True else v) for k, v in initial.items() if v is not False}


def test_given_a_pasted_json_request_when_checked_then_decided_and_loaded_into_the_form(
    world, client
) -> None:  # type: ignore[no-untyped-def]
    from acuerda.compliance.forms import SimulationForm

    c = login(client, world.compliance)
    response = c.post(URL, {"raw_request": json.dumps(AFTER_HOURS)})
    assert response.status_code == 200
    assert json.loads(response.context["decision_json"]) == cli(AFTER_HOURS)
    assert 'id="verdict">BLOCKED<' in response.content.decode()
    loaded: SimulationForm = response.context["form"]
    assert (
        loaded.initial["local_at"] == "2026-03-02T19:00"
        and loaded.initial["h0_at"] == "2026-02-24T10:00"
    )
    # Submitting the loaded form asks the same question and gets the same answer.
    again = c.post(URL, as_post(loaded.initial))
    assert json.loads(again.context["decision_json"]) == cli(AFTER_HOURS)


def test_given_a_pasted_request_without_zone_and_a_long_history_when_loaded_then_it_round_trips(
    world, client
) -> None:  # type: ignore[no-untyped-def]
    data = copy.deepcopy(AFTER_HOURS)
    del data["party"]["timezone"], data["party"]["authorised_channels"]
    data["jurisdiction"] = "US-MA"
    data["at"] = "2026-03-02T15:00:00+00:00"
    data["history"] = [
        {
            "at": f"2026-02-2{d}T15:00:00+00:00",
            "channel": "call",
            "outcome": "no_answer",
            "party_role": "debtor",
        }
        for d in range(2, 9)
    ]
    c = login(client, world.compliance)
    first = c.post(URL, {"raw_request": json.dumps(data)})
    loaded = first.context["form"].initial
    assert (loaded["country"], loaded["subdivision"], loaded["timezone"]) == ("US", "MA", "")
    assert loaded["local_at"] == "2026-03-02T10:00" and loaded["authorised_unknown"] is True
    assert json.loads(loaded["history_json"]) == data["history"]
    again = c.post(URL, as_post(loaded))
    assert json.loads(again.context["decision_json"]) == json.loads(first.context["decision_json"])
    assert json.loads(again.context["decision_json"]) == cli(data)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"colour": "red"}, "colour: unknown field"),
        ({"channel": 5}, "channel: must be a string"),
        ({"at": "2026-03-02T19:00:00"}, "at: date-time has no UTC offset"),
        ({"jurisdiction": "XX"}, "jurisdiction: unknown jurisdiction 'XX'"),
    ],
)
def test_given_a_pasted_malformed_request_when_checked_then_each_field_is_named(  # type: ignore[no-untyped-def]
    world, client, changes: dict[str, Any], expected: str
) -> None:
    response = login(client, world.compliance).post(
        URL, {"raw_request": json.dumps({**AFTER_HOURS, **changes})}
    )
    assert response.status_code == 400
    assert "decision_json" not in response.context
    raw_errors = response.context["raw"].errors["raw_request"]
    assert any(expected in e for e in raw_errors), raw_errors
    assert expected.replace("'", "&#x27;") in response.content.decode()


def test_given_spanish_when_a_pasted_request_is_refused_then_spanish_messages(
    world, client
) -> None:  # type: ignore[no-untyped-def]
    response = login(client, world.compliance, "es").post(
        URL, {"raw_request": json.dumps({**AFTER_HOURS, "colour": 1})}
    )
    assert response.context["raw"].errors["raw_request"] == ["colour: campo desconocido"]


def test_given_a_time_skipped_by_dst_when_simulated_then_the_field_says_so(world, client) -> None:  # type: ignore[no-untyped-def]
    data = form(country="ES", timezone="Europe/Madrid", local_at="2026-03-29T02:30")
    response = login(client, world.compliance).post(URL, data)
    assert response.status_code == 400
    assert "does not exist in Europe/Madrid" in errors(response)["local_at"][0]


def test_given_spanish_when_the_engine_refuses_then_the_message_is_spanish(world, client) -> None:  # type: ignore[no-untyped-def]
    response = login(client, world.compliance, "es").post(URL, form(subdivision="ZZ"))
    assert errors(response)["subdivision"] == ["subdivisión desconocida en 'CO-ZZ'"]


def test_given_htmx_when_submitted_then_only_the_simulator_is_answered(world, client) -> None:  # type: ignore[no-untyped-def]
    response = login(client, world.compliance).post(URL, form(), HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="simulator"') and "<html" not in page
    assert 'id="verdict">BLOCKED<' in page
    bad = login(client, world.compliance).post(URL, form(subdivision="ZZ"), HTTP_HX_REQUEST="true")
    assert bad.status_code == 200 and "unknown subdivision" in bad.content.decode()


def test_given_the_page_without_javascript_then_the_form_posts_to_itself(world, client) -> None:  # type: ignore[no-untyped-def]
    page = login(client, world.compliance).get(URL).content.decode()
    assert f'method="post" action="{URL}"' in page
    assert 'name="history_json"' in page and 'name="h4_outcome"' in page
    assert reverse("compliance:packs") in page


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
def test_given_each_persona_when_opening_the_simulator_then_only_simulators_may(  # type: ignore[no-untyped-def]
    world, client, persona: str, expected: int
) -> None:
    user = getattr(world, persona)
    c = login(client, user)
    assert c.get(URL).status_code == expected
    assert c.post(URL, form()).status_code == expected
    home = c.get(reverse("core:home")).content.decode()
    assert (f'href="{URL}"' in home) is (expected == 200)


def test_given_an_anonymous_visitor_when_opening_the_simulator_then_sent_to_login(client) -> None:  # type: ignore[no-untyped-def]
    for response in (client.get(URL), client.post(URL, form())):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert client.get("/compliance/packs/").status_code == 302


def test_given_the_packs_page_then_every_pack_and_rule_is_listed_in_the_viewer_language(
    world, client
) -> None:  # type: ignore[no-untyped-def]
    english = login(client, world.agent_co).get("/compliance/packs/")
    assert english.status_code == 200
    page = english.content.decode()
    for pack in DEFAULT_REGISTRY:
        assert pack.id in page
        for rule in pack.rules:
            assert f'id="rule-{rule.id}"' in page
    co_hours = DEFAULT_REGISTRY.versions("CO")[-1].rule("co.hours")
    assert "Mon-Fri 07:00-19:00; Sat 08:00-15:00" in page
    assert co_hours.explanation_en.replace("'", "&#x27;") in page
    spanish = login(client, world.agent_co, "es").get("/compliance/packs/").content.decode()
    assert "lun-vie 07:00-19:00; sáb 08:00-15:00" in spanish
    assert co_hours.explanation_es.replace("'", "&#x27;") in spanish
    assert f'href="{URL}"' not in page  # agents read the packs but do not simulate


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium")
def test_given_a_browser_when_checking_then_htmx_swaps_the_decision_in_place(  # type: ignore[no-untyped-def]
    transactional_db, live_server, world, monkeypatch
) -> None:
    from playwright.sync_api import sync_playwright

    from conftest import PASSWORD

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_context(
            viewport={"width": 1366, "height": 900}, locale="en-US"
        ).new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server.url}/login/?next={URL}")
        page.fill("#id_username", "compliance")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"**{URL}")
        page.evaluate("window.__same_document = true")
        page.click("text=Check the contact")
        page.wait_for_selector("#verdict")
        assert page.inner_text("#verdict") == "BLOCKED"
        assert "Tuesday 3 March 2026, 07:00" in page.inner_text("#next-allowed")
        assert page.evaluate("window.__same_document") is True  # swapped, not reloaded
        page.fill("#id_local_at", "2026-03-02T18:59")
        page.click("text=Check the contact")
        page.wait_for_function("document.querySelector('#verdict').innerText === 'ALLOWED'")
        page.screenshot(path="/tmp/compliance-simulator.png", full_page=True)  # noqa: S108
        browser.close()
