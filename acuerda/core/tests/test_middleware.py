"""Requests refused before any view reads them."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_a_nul_character_in_a_parameter_is_refused_with_its_name(client, world):  # type: ignore[no-untyped-def]
    from acuerda.privacy.models import DataExportLog

    client.force_login(world.supervisor)
    refused = client.post("/work/leads/export.csv", {"creditor": "bank-es\x00"})
    assert refused.status_code == 400 and "'creditor'" in refused.content.decode()
    assert client.get("/search/", {"q": "ab\x00c"}).status_code == 400
    assert not DataExportLog.objects.exists()
    assert client.get("/search/", {"q": "García"}).status_code == 200  # everything else goes through
