"""Parsing and validation of contact requests."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from acuerda.compliance.engine import (
    ContactRequest,
    RequestError,
    decision_to_dict,
    evaluate,
    parse_request,
    parse_template,
)

from .test_engine_support import make

ISSUE_EXAMPLE: dict[str, Any] = {
    "jurisdiction": "CO",
    "channel": "call",
    "at": "2026-03-02T18:59:00-05:00",
    "purpose": "collection",
    "party": {
        "role": "debtor",
        "timezone": "America/Bogota",
        "authorised_channels": ["call", "sms"],
        "opted_out_channels": [],
    },
    "account": {
        "cease_request": False,
        "dispute_open": False,
        "lawsuit_served": False,
        "breathing_space_until": None,
    },
    "message": {"identifies_agency": True, "has_opt_out": True, "court_lookalike": False},
    "history": [
        {
            "at": "2026-02-24T10:00:00-05:00",
            "channel": "sms",
            "outcome": "delivered",
            "party_role": "debtor",
        }
    ],
}


def errors_of(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(RequestError) as info:
        parse_request(data)
    return {e.field: e.message_en for e in info.value.errors}


def test_given_the_issue_example_when_parsed_then_every_field_is_typed() -> None:
    req = parse_request(ISSUE_EXAMPLE)
    assert isinstance(req, ContactRequest)
    assert req.country == "CO" and req.subdivision is None
    assert req.party.authorised_channels == frozenset({"call", "sms"})
    assert req.account.breathing_space_until is None
    assert req.message.collection_wording_visible is None  # absent = unknown
    assert req.history[0].outcome == "delivered"
    assert hash(req)  # frozen and hashable


def test_given_the_issue_example_when_evaluated_then_the_json_has_the_documented_shape() -> None:
    out = decision_to_dict(evaluate(parse_request(ISSUE_EXAMPLE)))
    assert set(out) == {
        "allowed",
        "blocked_by",
        "next_allowed_at",
        "pack",
        "local_time",
        "assumptions",
        "rules_evaluated",
    }
    assert out["allowed"] is True
    assert out["next_allowed_at"] == "2026-03-02T18:59:00-05:00"
    assert out["pack"] == "CO@2023-10-10"
    assert "co.hours" in out["rules_evaluated"]


def test_given_several_problems_when_parsed_then_all_are_reported_with_dotted_paths() -> None:
    data = make()
    data["channel"] = "pigeon"
    data["at"] = "2026-03-02T10:00:00"  # naive
    data["party"]["timezone"] = "Mars/Olympus"
    data["account"]["foo"] = 1
    data["account"]["cease_request"] = "yes"
    data["message"]["court_lookalike"] = 0
    data["history"] = [
        {
            "at": "2026-03-01T10:00:00-05:00",
            "channel": "call",
            "outcome": "ok",
            "party_role": "debtor",
        },
        {"at": "2026-03-01T10:00:00-05:00", "channel": "call", "outcome": "busy"},
        {
            "at": "2026-03-01T10:00:00-05:00",
            "channel": "fax",
            "outcome": "busy",
            "party_role": "debtor",
        },
    ]
    errs = errors_of(data)
    assert set(errs) == {
        "channel",
        "at",
        "party.timezone",
        "account.foo",
        "account.cease_request",
        "message.court_lookalike",
        "history[0].outcome",
        "history[1].party_role",
        "history[2].channel",
    }
    assert errs["account.foo"] == "unknown field"
    assert "offset" in errs["at"]


def test_given_an_error_when_raised_then_messages_exist_in_both_languages() -> None:
    data = make()
    data["purpose"] = "marketing"
    with pytest.raises(RequestError) as info:
        parse_request(data)
    (err,) = info.value.errors
    assert err.field == "purpose"
    assert "marketing" in err.message_en and "marketing" in err.message_es
    assert err.message_en != err.message_es
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("code", ["XX", "co", "US-ZZ", 7])
def test_given_an_unknown_jurisdiction_when_parsed_then_the_field_is_named(code: Any) -> None:
    data = make()
    data["jurisdiction"] = code
    assert "jurisdiction" in errors_of(data)


@pytest.mark.parametrize("code", ["US-MA", "ES-CN", "AR-C", "GB-SCT"])
def test_given_a_known_subdivision_when_parsed_then_it_is_accepted(code: str) -> None:
    data = make(code)
    assert parse_request(data).jurisdiction == code


def test_given_missing_required_fields_when_parsed_then_each_is_named() -> None:
    errs = errors_of({"history": "nope"})
    assert {"jurisdiction", "channel", "at", "purpose", "party", "history"} <= set(errs)


def test_given_a_top_level_unknown_field_when_parsed_then_it_is_named() -> None:
    data = make()
    data["priority"] = 1
    assert errors_of(data) == {"priority": "unknown field"}


def test_given_bad_inconvenient_times_when_parsed_then_nested_paths_are_named() -> None:
    data = make(
        "US",
        party={
            "inconvenient_times": [
                {"weekdays": [0, 7], "start": "25:00", "end": "10:00"},
                {"weekdays": [1], "start": "09:00"},
            ]
        },
    )
    errs = errors_of(data)
    assert set(errs) == {
        "party.inconvenient_times[0].weekdays[1]",
        "party.inconvenient_times[0].start",
        "party.inconvenient_times[1].end",
    }


def test_given_wrong_types_when_parsed_then_no_silent_default_is_taken() -> None:
    data = make(party={"authorised_channels": "call", "email_employer_provided": None})
    data["account"]["breathing_space_until"] = "next week"
    data["message"] = "all good"
    errs = errors_of(data)
    assert set(errs) == {
        "party.authorised_channels",
        "party.email_employer_provided",
        "account.breathing_space_until",
        "message",
    }


def test_given_no_party_timezone_when_evaluated_then_the_capital_zone_is_an_assumption() -> None:
    data = make("PE", "2026-03-02 10:00")
    del data["party"]["timezone"]
    decision = evaluate(parse_request(data))
    assert decision.local_time.utcoffset() is not None
    assert str(decision.local_time.tzinfo) == "America/Lima"
    assert any("America/Lima" in n.en for n in decision.assumptions)


def test_given_es_cn_without_zone_when_evaluated_then_the_canary_zone_is_assumed() -> None:
    data = make("ES-CN", "2026-03-02 10:00")
    del data["party"]["timezone"]
    decision = evaluate(parse_request(data))
    assert str(decision.local_time.tzinfo) == "Atlantic/Canary"


def test_given_a_template_without_channel_and_at_when_parsed_then_it_is_accepted() -> None:
    data = make("CO")
    del data["channel"], data["at"]
    template = parse_template(data)
    assert template.at("sms", parse_request(make("CO")).at).channel == "sms"
    assert template.account.breathing_space_until is None


def test_given_a_date_when_breathing_space_parsed_then_it_is_a_date() -> None:
    req = parse_request(make("GB", account={"breathing_space_until": "2026-04-01"}))
    assert req.account.breathing_space_until == date(2026, 4, 1)
