from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _ledger_still_balances(request):  # type: ignore[no-untyped-def]
    """After every database test here, each account's balances equal the sum of its entries."""
    yield
    if "db" in request.fixturenames or "transactional_db" in request.fixturenames:
        from acuerda.debts.selectors import ledger_mismatches

        assert not list(ledger_mismatches().values_list("creditor_reference", flat=True))


@pytest.fixture
def clock(monkeypatch):  # type: ignore[no-untyped-def]
    """timezone.now frozen at Monday 2 March 2026, 11:00 in Madrid; ``clock.advance(days=...)``."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    class Clock:
        now = dt.datetime(2026, 3, 2, 11, 0, tzinfo=ZoneInfo("Europe/Madrid"))

        def __call__(self) -> dt.datetime:
            return self.now.astimezone(dt.UTC)

        def advance(self, **delta: float) -> dt.date:
            self.now += dt.timedelta(**delta)
            return self.now.date()

        @property
        def today(self) -> dt.date:
            return self.now.date()

    frozen = Clock()
    monkeypatch.setattr(timezone, "now", frozen)
    return frozen
