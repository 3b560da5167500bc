"""Workspace fixtures: the personas of the root conftest, at a moment the Spanish pack allows
calls (Monday 2 March 2026, 11:00 in Madrid), with an agent's authority and a creditor policy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

MADRID = ZoneInfo("Europe/Madrid")
NOW = dt.datetime(2026, 3, 2, 11, 0, tzinfo=MADRID)


@dataclass
class Clock:
    now: dt.datetime

    def __call__(self) -> dt.datetime:
        return self.now.astimezone(dt.UTC)

    def advance(self, **delta: float) -> dt.datetime:
        self.now = self.now + dt.timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch):  # type: ignore[no-untyped-def]
    """Freeze django.utils.timezone.now (and so localdate, auto_now fields) at NOW."""
    from django.utils import timezone

    frozen = Clock(NOW)
    monkeypatch.setattr(timezone, "now", frozen)
    return frozen


@pytest.fixture
def ws(world, clock):  # type: ignore[no-untyped-def]
    """The world with the workspace configured: agent_es may give up to 10 % and 6 instalments;
    the bank allows 30 %, 12 instalments and interest waivers."""
    from acuerda.people.models import AgentProfile
    from acuerda.workspace.models import NegotiationPolicy
    from acuerda.workspace.queue import queue_refresh

    AgentProfile.objects.update_or_create(user=world.agent_es, defaults={
        "max_discount_percent": Decimal("10"), "max_instalments": 6, "min_instalment": {"EUR": "30.00"}})
    NegotiationPolicy.objects.create(creditor=world.bank_es, max_discount_percent=Decimal("30"), max_instalments=12,
                                     allow_interest_waiver=True, promise_grace_days=3, max_promise_days=30)
    queue_refresh(today=NOW.date())
    return world
