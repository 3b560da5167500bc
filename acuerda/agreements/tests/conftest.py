from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _ledger_still_balances(request):  # type: ignore[no-untyped-def]
    """After every database test here, each account's balances equal the sum of its entries."""
    yield
    if "db" in request.fixturenames or "transactional_db" in request.fixturenames:
        from acuerda.debts.selectors import ledger_mismatches

        assert not list(ledger_mismatches().values_list("creditor_reference", flat=True))

