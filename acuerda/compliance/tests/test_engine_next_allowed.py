"""``next_allowed_at`` is the earliest allowed moment: allowed itself, blocked a minute before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from acuerda.compliance.engine import ContactRequest, HistoryEntry, evaluate, parse_request

from .test_engine_support import make

JURISDICTIONS = ["ES", "ES-CN", "CO", "PE", "MX", "CL", "AR", "AR-C", "US", "US-MA", "GB"]
ZONES = [None, "Europe/Madrid", "America/Los_Angeles", "Atlantic/Canary", "America/Bogota"]
BASE = datetime(2026, 3, 1, tzinfo=UTC)


@st.composite
def requests(draw: st.DrawFn) -> ContactRequest:
    jurisdiction = draw(st.sampled_from(JURISDICTIONS))
    zone = draw(st.sampled_from(ZONES))
    channel = draw(st.sampled_from(["call", "sms", "email", "letter", "whatsapp"]))
    data = make(jurisdiction, channel=channel, zone=zone)
    if draw(st.booleans()):
        data["party"]["inconvenient_times"] = [
            {"weekdays": [0, 2, 4], "start": "18:00", "end": "09:30"}
        ]
    if draw(st.booleans()):
        data["account"]["breathing_space_until"] = "2026-03-20"
    request = parse_request(data)
    at = BASE + timedelta(minutes=draw(st.integers(0, 60 * 24 * 40)))
    history = tuple(
        HistoryEntry(
            at - timedelta(minutes=draw(st.integers(1, 60 * 24 * 9))),
            draw(st.sampled_from(["call", "sms", "email"])),
            draw(st.sampled_from(["conversation", "no_answer", "delivered"])),
            "debtor",
        )
        for _ in range(draw(st.integers(0, 8)))
    )
    return request.replace(at=at, history=tuple(sorted(history, key=lambda e: e.at)))


@settings(max_examples=300, deadline=None)
@given(request=requests())
def test_given_any_blocked_request_when_next_allowed_is_proposed_then_it_is_the_earliest(
    request: ContactRequest,
) -> None:
    decision = evaluate(request)
    nxt = decision.next_allowed_at
    if decision.allowed:
        assert nxt == request.at
        return
    if nxt is None:
        return
    assert nxt > request.at
    assert evaluate(request.replace(at=nxt)).allowed
    before = nxt - timedelta(minutes=1)
    if before >= request.at:
        assert not evaluate(request.replace(at=before)).allowed
    assert str(nxt.tzinfo) == str(decision.local_time.tzinfo)


def test_given_a_permanent_block_when_evaluated_then_next_allowed_is_none() -> None:
    decision = evaluate(parse_request(make("US", account={"cease_request": True})))
    assert not decision.allowed and decision.next_allowed_at is None
