"""The back office works for real work: every screen opens, search finds debtors by any key."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", ["admin", "supervisor", "agent_es", "compliance", "creditor_es"])
def test_every_back_office_list_and_form_opens_for_each_role(world, client, persona):
    client.force_login(getattr(world, persona))
    opened = 0
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        request_user = getattr(world, persona)
        if not request_user.has_perm(f"{meta.app_label}.view_{meta.model_name}"):
            continue
        changelist = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        assert changelist.status_code == 200, (persona, meta.label, changelist.status_code)
        first = model_admin.get_queryset(type("R", (), {"user": request_user})()).first()
        if first is not None:
            change = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk]))
            assert change.status_code == 200, (persona, meta.label)
        opened += 1
    assert opened >= 5


@pytest.mark.parametrize("term", ["600123456", "+34 600 12 34 56", "lucia.garcia@example.es", "LN-0001", "García"])
def test_debtor_search_in_the_back_office_by_phone_email_reference_and_name(world, client, term):
    client.force_login(world.admin)
    page = client.get(reverse("admin:debtors_debtor_changelist"), {"q": term}).content.decode()
    assert world.debtor_es.id_number in page, term
    assert world.debtor_co.id_number not in page


def test_back_office_search_by_national_id(world, client):
    client.force_login(world.admin)
    page = client.get(reverse("admin:debtors_debtor_changelist"), {"q": world.debtor_co.id_number}).content.decode()
    assert world.debtor_co.id_number in page and world.debtor_es.id_number not in page


def test_the_back_office_speaks_spanish_by_default_and_english_on_request(world, client):
    client.force_login(world.admin)
    assert "Deudores" in client.get(reverse("admin:index")).content.decode()
    assert "Debtors" in client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
