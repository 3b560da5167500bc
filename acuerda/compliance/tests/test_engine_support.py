"""Shared builders for the compliance engine tests (plus tests of the builders themselves)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from acuerda.compliance.engine import Decision, evaluate, parse_request
from acuerda.compliance.engine.calendar import COUNTRY_ZONES

ALL = ["call", "sms", "whatsapp", "email", "letter", "visit"]
GOOD_MESSAGE = {
    "identifies_agency": True,
    "has_opt_out": True,
    "court_lookalike": False,
    "collection_wording_visible": False,
    "threatens_legal_action": False,
}


def iso(local: str, zone: str) -> str:
    """'2026-03-02 18:59' in ``zone`` -> ISO 8601 with the right offset."""
    return datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(zone)).isoformat()


def hist(
    local: str,
    zone: str,
    channel: str = "call",
    outcome: str = "conversation",
    role: str = "debtor",
) -> dict[str, Any]:
    return {"at": iso(local, zone), "channel": channel, "outcome": outcome, "party_role": role}


def make(
    jurisdiction: str = "CO",
    local: str = "2026-03-02 10:00",
    *,
    channel: str = "call",
    purpose: str = "collection",
    zone: str | None = None,
    party: dict[str, Any] | None = None,
    account: dict[str, Any] | None = None,
    message: dict[str, Any] | None = None,
    history: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    country = jurisdiction.split("-")[0]
    tz = zone or COUNTRY_ZONES[country]
    if jurisdiction == "ES-CN" and zone is None:
        tz = "Atlantic/Canary"
    p: dict[str, Any] = {"role": "debtor", "timezone": tz, "authorised_channels": ALL}
    if country == "MX":
        p["contact_point_provided_by_debtor"] = True
        p["is_minor_or_elderly_non_debtor"] = False
    p.update(party or {})
    return {
        "jurisdiction": jurisdiction,
        "channel": channel,
        "at": iso(local, tz),
        "purpose": purpose,
        "party": p,
        "account": account or {},
        "message": {**GOOD_MESSAGE, **(message or {})},
        "history": history or [],
    }


def decide(jurisdiction: str = "CO", local: str = "2026-03-02 10:00", **kw: Any) -> Decision:
    return evaluate(parse_request(make(jurisdiction, local, **kw)))


def blocked(decision: Decision) -> set[str]:
    return {b.rule for b in decision.blocked_by}


def test_given_a_local_wall_time_when_building_iso_then_the_zone_offset_is_used() -> None:
    assert iso("2026-03-02 18:59", "America/Bogota") == "2026-03-02T18:59:00-05:00"
    assert iso("2026-07-01 10:00", "Europe/Madrid").endswith("+02:00")
