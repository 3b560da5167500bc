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


def test_flagging_vulnerability_in_the_back_office_writes_the_timeline(world, client):
    from acuerda.debts.models import AccountEvent

    client.force_login(world.supervisor)
    url = reverse("admin:debtors_debtor_change", args=[world.debtor_es.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update(
        is_vulnerable="on", vulnerability_reason="Desempleo reciente", vulnerability_review_on="2026-12-31",
        birth_date="", **{
            "contact_points-TOTAL_FORMS": "2", "contact_points-INITIAL_FORMS": "2",
            "contact_points-MIN_NUM_FORMS": "0", "contact_points-MAX_NUM_FORMS": "1000",
        },
    )
    for i, point in enumerate(world.debtor_es.contact_points.order_by("pk")):
        data.update({
            f"contact_points-{i}-id": str(point.pk), f"contact_points-{i}-debtor": str(world.debtor_es.pk),
            f"contact_points-{i}-owner_role": point.owner_role, f"contact_points-{i}-status": point.status,
        })
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    world.debtor_es.refresh_from_db()
    assert world.debtor_es.is_vulnerable and world.debtor_es.vulnerability_reason == "Desempleo reciente"
    note = AccountEvent.objects.get(account=world.account_es, kind="note")
    assert note.actor == world.supervisor


def test_opting_out_from_the_back_office_withdraws_consent(world, client):
    from acuerda.debtors.models import ContactConsent, ContactPoint

    phone = ContactPoint.objects.get(debtor=world.debtor_es, kind="phone")
    client.force_login(world.agent_es)
    response = client.post(
        reverse("admin:debtors_contactpoint_changelist"),
        {"action": "mark_opted_out", "_selected_action": [phone.pk]},
    )
    assert response.status_code == 302
    phone.refresh_from_db()
    assert phone.status == "opted_out"
    assert set(ContactConsent.objects.filter(contact_point=phone, granted=False).values_list("channel", flat=True)) == {
        "call", "sms", "whatsapp"
    }
