"""Payments over the REST API: idempotent registration, signed provider notifications."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from acuerda.api.payments import sign
from acuerda.payments.services import payment_register

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


def test_payments_are_listed_and_read_within_scope(api, world):  # type: ignore[no-untyped-def]
    paid = api.post("/api/v1/payments/", _body(world), format="json", HTTP_IDEMPOTENCY_KEY="p1").json()
    listed = api.get("/api/v1/payments/").json()
    assert [p["id"] for p in listed["results"]] == [paid["id"]]
    assert api.get(f"/api/v1/payments/{paid['id']}/").json()["allocations"] == paid["allocations"]
    assert api.get("/api/v1/payments/?status=reversed").json()["results"] == []
    assert api.get(f"/api/v1/payments/?account={world.account_es.pk}&received_from=2026-11-20").json()["results"]
    assert api.get("/api/v1/payments/?received_to=2026-11-19").json()["results"] == []
    bad = api.get("/api/v1/payments/?status=lost&received_from=yesterday")
    assert bad.status_code == 400 and set(bad.json()) == {"status", "received_from"}
    other = APIClient()
    other.force_authenticate(world.agent_co)
    assert other.get("/api/v1/payments/").json()["results"] == []
    assert other.get(f"/api/v1/payments/{paid['id']}/").status_code == 404
    assert APIClient().get("/api/v1/payments/").status_code in (401, 403)


def test_the_reconciliation_queue_and_remittances_over_the_api(world):  # type: ignore[no-untyped-def]
    import datetime as dt

    from django.utils import timezone

    from acuerda.payments.models import BankStatement, StatementLine
    from acuerda.payments.remittances import remittance_build

    statement = BankStatement.objects.create(format="norma43", statement_id="1", bank_account="ES7620770024003102575766",
                                             currency="EUR", start_date=dt.date(2026, 11, 2), end_date=dt.date(2026, 11, 2),
                                             file_sha256="0" * 64, imported_at=timezone.now())
    StatementLine.objects.create(statement=statement, bank_account=statement.bank_account, line_id="L1",
                                 booking_date=dt.date(2026, 11, 2), value_date=dt.date(2026, 11, 2),
                                 amount=Decimal("75.00"), currency="EUR", concept="TRANSFERENCIA J PEREZ",
                                 counterparty_name="J PEREZ")
    admin = APIClient()
    admin.force_authenticate(world.admin)
    queue = admin.get("/api/v1/statement-lines/?status=pending").json()["results"]
    assert [(line["line_id"], line["counterparty_name"]) for line in queue] == [("L1", "J PEREZ")]
    assert admin.get("/api/v1/statement-lines/?status=matched").json()["results"] == []
    assert admin.get("/api/v1/statement-lines/?status=nonsense").status_code == 400
    agent = APIClient()
    agent.force_authenticate(world.agent_es)
    assert agent.get("/api/v1/statement-lines/").status_code == 403  # the agency's bank movements

    payment_register(debtor=world.debtor_es, amount=Decimal("100.00"), currency="EUR", received_on=dt.date(2026, 11, 3),
                     method="transfer", source="manual", idempotency_key="r1", actor=world.admin)
    remittance = remittance_build(creditor=world.bank_es, period="2026-11", actor=world.admin)
    bank = APIClient()
    bank.force_authenticate(world.creditor_es)
    [seen] = bank.get("/api/v1/remittances/").json()["results"]
    assert (seen["number"], seen["collected"]) == (remittance.number, "100.00")
    assert [line["account_reference"] for line in seen["lines"]] == ["LN-0001"]
    telco = APIClient()
    telco.force_authenticate(world.agent_co)
    assert telco.get(f"/api/v1/remittances/{remittance.pk}/").status_code in (403, 404)
