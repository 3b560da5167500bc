"""Payments over the REST API: idempotent registration, signed provider notifications."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from acuerda.api.payments import sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(world):  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(world.agent_es)
    return client


def _body(world, **over):  # type: ignore[no-untyped-def]
    return {"account": world.account_es.pk, "amount": "120.00", "currency": "EUR", "received_on": "2026-11-20",
            "method": "card", "reference": "TPV-1", **over}


def test_register_is_idempotent_by_header(api, world):  # type: ignore[no-untyped-def]
    assert api.post("/api/v1/payments/", _body(world), format="json").status_code == 400  # no key
    first = api.post("/api/v1/payments/", _body(world), format="json", HTTP_IDEMPOTENCY_KEY="abc")
    again = api.post("/api/v1/payments/", _body(world), format="json", HTTP_IDEMPOTENCY_KEY="abc")
    assert (first.status_code, again.status_code) == (201, 200) and first.json()["id"] == again.json()["id"]
    assert first.json()["allocations"] == [{"account": world.account_es.pk, "amount": "120.00"}]
    conflict = api.post("/api/v1/payments/", _body(world, amount="99.00"), format="json", HTTP_IDEMPOTENCY_KEY="abc")
    assert conflict.status_code == 409
    other_team = api.post("/api/v1/payments/", _body(world, account=world.account_co.pk, currency="COP"),
                          format="json", HTTP_IDEMPOTENCY_KEY="x")
    assert other_team.status_code == 400  # the Colombian account is outside the agent's teams


def test_creditor_users_cannot_register(world):  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(world.creditor_es)
    assert client.post("/api/v1/payments/", _body(world), format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 403


def _notify(settings, event, *, secret="s3cret", timestamp=None):  # type: ignore[no-untyped-def]  # noqa: S107
    settings.ACUERDA_PAYMENT_PROVIDERS = {"tpv": "s3cret"}
    body = json.dumps(event).encode()
    header = sign(secret, body, timestamp or int(time.time()))
    return APIClient().post("/api/v1/payments/providers/tpv/notifications/", body, content_type="application/json",
                            HTTP_ACUERDA_SIGNATURE=header)


def test_provider_notifications_are_signed_idempotent_and_refundable(world, settings):  # type: ignore[no-untyped-def]
    event = {"id": "evt_1", "type": "payment.succeeded", "payment_id": "pay_1", "account_reference": "LN-0001",
             "creditor": "bank-es", "amount": "50.00", "currency": "EUR", "paid_on": "2026-11-20"}
    assert _notify(settings, event, secret="wrong").status_code == 401
    assert _notify(settings, event, timestamp=int(time.time()) - 3600).status_code == 401  # replayed an hour later
    assert _notify(settings, event).status_code == 201
    assert _notify(settings, {**event, "id": "evt_1b"}).status_code == 200  # the provider retried
    world.account_es.refresh_from_db()
    assert world.account_es.balance.amount == Decimal("1600.50")
    refund = _notify(settings, {**event, "id": "evt_2", "type": "payment.refunded"})
    assert refund.status_code == 200 and refund.json()["status"] == "reversed"
    world.account_es.refresh_from_db()
    assert world.account_es.balance.amount == Decimal("1650.50")
    assert _notify(settings, {**event, "amount": "x"}).status_code == 400


def test_provider_refunds_must_match_and_unapplicable_money_is_queued(world, settings):  # type: ignore[no-untyped-def]
    from acuerda.payments.models import StatementLine

    event = {"id": "evt_9", "type": "payment.succeeded", "payment_id": "pay_9", "account_reference": "LN-0001",
             "creditor": "bank-es", "amount": "500.00", "currency": "EUR", "paid_on": "2026-11-20"}
    assert _notify(settings, event).status_code == 201
    partial = _notify(settings, {**event, "id": "evt_10", "type": "payment.refunded", "amount": "10.00"})
    assert partial.status_code == 422
    world.account_es.refresh_from_db()
    assert world.account_es.balance.amount == Decimal("1150.50")
    too_much = _notify(settings, {**event, "id": "evt_11", "payment_id": "pay_11", "amount": "9000.00"})
    assert too_much.status_code == 202
    line = StatementLine.objects.get(line_id="pay_11")
    assert line.status == "pending" and "1150.50" in line.note  # why it waits (in the agency's language)
    assert _notify(settings, {**event, "id": "evt_12", "payment_id": "pay_11", "amount": "9000.00"}).status_code == 202
    assert StatementLine.objects.count() == 1


@pytest.mark.parametrize("header", [
    "t=99999999999999999999999999,v1=00",  # a timestamp too large for any clock
    "t=\uff11\uff12\uff13,v1=00",  # digits, but not ASCII ones (fullwidth)
    "t={now},v1=ñandú",  # a signature that is no hex digest
    "t=,v1=", "garbage", "",
])
def test_provider_notifications_with_a_malformed_signature_are_refused_not_crashed(world, settings, header):  # type: ignore[no-untyped-def]
    from rest_framework.test import APIClient

    settings.ACUERDA_PAYMENT_PROVIDERS = {"acme": "s3cret"}
    response = APIClient().post("/api/v1/payments/providers/acme/notifications/", data=b"{}",
                                content_type="application/json",
                                HTTP_ACUERDA_SIGNATURE=header.format(now=int(time.time())))
    assert response.status_code == 401
