"""Debtors are one per national id across creditors; contact points keep their provenance."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from acuerda.debtors.choices import ContactSource, ContactStatus
from acuerda.debtors.models import ContactConsent, ContactPoint, Debtor
from acuerda.debtors.services import (
    consent_record,
    contact_point_add,
    contact_point_set_status,
    debtor_get_or_create,
    debtor_set_vulnerability,
)
from acuerda.debts.models import AccountEvent

pytestmark = pytest.mark.django_db


def test_the_same_person_in_two_formats_is_one_debtor(world):
    number = world.debtor_es.id_number  # e.g. 06721839C
    odd = f"{number[:2]}.{number[2:5]}.{number[5:8]}-{number[8].lower()}"
    again, created = debtor_get_or_create(country="es", id_type="dni", id_number=odd, first_name="Otra", last_name="Persona")
    assert not created and again.pk == world.debtor_es.pk
    assert again.first_name == "Lucía"  # an existing debtor's data is not overwritten here


def test_an_invalid_id_is_refused_with_the_reason():
    with pytest.raises(ValidationError) as error:
        debtor_get_or_create(country="ES", id_type="DNI", id_number="12345678A", first_name="X", last_name="Y")
    assert "id_number" in error.value.message_dict
    assert Debtor.objects.count() == 0


def test_a_company_id_makes_a_company_debtor_that_needs_its_name():
    from acuerda.debtors.identifiers import demo_tax_id

    cif = demo_tax_id(country="ES", seq=99)
    with pytest.raises(ValidationError, match="company name"):
        debtor_get_or_create(country="ES", id_type="CIF", id_number=cif)
    debtor, created = debtor_get_or_create(country="ES", id_type="CIF", id_number=cif, company_name="Talleres Pérez S.L.")
    assert created and debtor.kind == "company" and debtor.display_name == "Talleres Pérez S.L."


def test_the_database_refuses_a_duplicate_national_id(world):
    with pytest.raises(IntegrityError):
        Debtor.objects.create(country="ES", id_type="DNI", id_number=world.debtor_es.id_number, last_name="Dup")


def test_phones_are_stored_in_e164_with_line_type_and_time_zones(world):
    point = ContactPoint.objects.get(debtor=world.debtor_es, kind="phone")
    assert point.value == "+34600123456"
    assert point.phone_line_type == "mobile"
    assert point.timezones == ["Europe/Madrid"] or "Europe/Madrid" in point.timezones
    same, created = contact_point_add(debtor=world.debtor_es, kind="phone", value="+34 600 123 456", source="enrichment")
    assert not created and same.pk == point.pk


def test_bad_contact_values_are_refused_with_field_and_reason(world):
    with pytest.raises(ValidationError) as phone:
        contact_point_add(debtor=world.debtor_es, kind="phone", value="123", source="creditor")
    assert "value" in phone.value.message_dict
    with pytest.raises(ValidationError):
        contact_point_add(debtor=world.debtor_es, kind="email", value="not-an-email", source="creditor")
    with pytest.raises(ValidationError) as region:
        contact_point_add(debtor=world.debtor_es, kind="address", address_line="Calle Mayor 1", city="Madrid", region="ZZ", source="creditor")
    assert "region" in region.value.message_dict


def test_data_the_debtor_gave_is_never_downgraded_by_a_creditor_file(world):
    point, _ = contact_point_add(debtor=world.debtor_es, kind="email", value="lucia@correo.es", source=ContactSource.DEBTOR)
    contact_point_add(debtor=world.debtor_es, kind="email", value="lucia@CORREO.es", source=ContactSource.CREDITOR)
    point.refresh_from_db()
    assert point.source == ContactSource.DEBTOR
    upgraded, _ = contact_point_add(debtor=world.debtor_es, kind="email", value="lucia.garcia@example.es", source=ContactSource.DEBTOR)
    assert upgraded.source == ContactSource.DEBTOR


def test_an_address_keeps_its_region_for_regional_holidays(world):
    point, _ = contact_point_add(
        debtor=world.debtor_es, kind="address", address_line="Calle Triana 12", postal_code="35002",
        city="Las Palmas de Gran Canaria", region="cn", source="creditor",
    )
    assert (point.region, point.country) == ("CN", "ES")
    assert point.value == "Calle Triana 12, 35002, Las Palmas de Gran Canaria, ES"


def test_opting_out_withdraws_consent_on_every_channel_of_the_point(world):
    phone = ContactPoint.objects.get(debtor=world.debtor_es, kind="phone")
    consent_record(contact_point=phone, channel="sms", granted=True, evidence="Contract clause 12", actor=world.agent_es)
    contact_point_set_status(contact_point=phone, status=ContactStatus.OPTED_OUT, actor=world.agent_es)
    latest = {c.channel: c.granted for c in ContactConsent.objects.filter(contact_point=phone).order_by("recorded_at", "pk")}
    assert latest == {"call": False, "sms": False, "whatsapp": False}


def test_consent_needs_evidence_and_a_channel_that_fits(world):
    phone = ContactPoint.objects.get(debtor=world.debtor_es, kind="phone")
    with pytest.raises(ValidationError, match="evidence"):
        consent_record(contact_point=phone, channel="sms", granted=True, evidence=" ", actor=None)
    with pytest.raises(ValidationError, match="does not apply"):
        consent_record(contact_point=phone, channel="letter", granted=True, evidence="x", actor=None)


def test_a_vulnerability_flag_needs_a_reason_and_is_noted_on_the_timeline(world):
    with pytest.raises(ValidationError):
        debtor_set_vulnerability(debtor=world.debtor_es, is_vulnerable=True, reason="", review_on=None, actor=world.agent_es)
    debtor_set_vulnerability(
        debtor=world.debtor_es, is_vulnerable=True, reason="Hospitalised", review_on=dt.date(2026, 6, 1), actor=world.agent_es
    )
    world.debtor_es.refresh_from_db()
    assert world.debtor_es.is_vulnerable and world.debtor_es.vulnerability_review_on == dt.date(2026, 6, 1)
    note = AccountEvent.objects.filter(account=world.account_es, kind="note").get()
    assert note.actor == world.agent_es and note.data == {"vulnerable": True}
