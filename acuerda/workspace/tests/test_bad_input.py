"""Every page of the workspace and of payments, fed nonsense: an answer (a form error, a 4xx),
never a server error, and nothing written by a refused request."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import product

import pytest
from django.urls import URLPattern, get_resolver

pytestmark = pytest.mark.django_db

GARBAGE = ["", "-1", "1e400", "9" * 40, "NaN", "2026-02-30", "<script>", "ñ\x00"]
FIELDS = ["amount", "due_on", "due_at", "received_on", "method", "reference", "discount_percent", "instalments",
          "frequency", "first_payment_on", "down_payment", "waive_interest", "note", "reason", "channel",
          "direction", "disposition", "party_reached", "contact_point", "decision", "promise_amount",
          "promise_date", "callback_at", "consent_evidence", "creditor", "period", "iban", "holder_name",
          "signed_on", "account", "action", "title", "stage", "bucket", "language", "body", "is_active", "answer",
          "vat_rate_percent", "kind", "status", "page"]


def _patterns(namespace: str) -> list[URLPattern]:
    resolver = get_resolver().namespace_dict[namespace][1]
    return [p for p in resolver.url_patterns if isinstance(p, URLPattern)]


@pytest.fixture
def objects(ws, clock):  # type: ignore[no-untyped-def]
    """One of each object the URLs name: a plan, a payment, a statement line, a remittance."""
    from django.utils import timezone

    from acuerda.payments.models import BankStatement, StatementLine
    from acuerda.payments.remittances import remittance_build
    from acuerda.payments.services import payment_register
    from acuerda.workspace.negotiation import Offer
    from acuerda.workspace.queue import account_claim
    from acuerda.workspace.services import plan_agree

    account_claim(agent=ws.agent_es, account=ws.account_es)
    plan = plan_agree(agent=ws.agent_es, account=ws.account_es,
                      offer=Offer(first_payment_on=clock.now.date() + dt.timedelta(days=5), instalments=3))
    payment = payment_register(debtor=ws.debtor_es, amount=Decimal("10.00"), currency="EUR",
                               received_on=clock.now.date(), method="transfer", source="manual",
                               idempotency_key="sweep", actor=ws.admin)
    statement = BankStatement.objects.create(format="norma43", statement_id="1", bank_account="ES76",
                                             currency="EUR", start_date=clock.now.date(), end_date=clock.now.date(),
                                             file_sha256="0" * 64, imported_at=timezone.now())
    line = StatementLine.objects.create(statement=statement, bank_account="ES76", line_id="L1",
                                        booking_date=clock.now.date(), value_date=clock.now.date(),
                                        amount=Decimal("5.00"), currency="EUR", concept="?")
    remittance = remittance_build(creditor=ws.bank_es, period="2026-02", actor=ws.admin)
    return {"pk": ws.account_es.pk, "account_pk": ws.account_es.pk, "plan_pk": plan.pk,
            "payment": payment.pk, "line": line.pk, "remittance": remittance.pk}


def _kwargs(pattern: URLPattern, namespace: str, objects: dict[str, int]) -> dict[str, object]:
    names = pattern.pattern.converters
    by_url = {"payments:detail": objects["payment"], "payments:receipt": objects["payment"],
              "payments:line": objects["line"], "payments:remittance": objects["remittance"],
              "payments:remittance_file": objects["remittance"]}
    kwargs: dict[str, object] = {}
    for name, converter in names.items():
        if converter.__class__.__name__ == "SlugConverter":
            kwargs[name] = "nonsense"
        else:
            kwargs[name] = by_url.get(f"{namespace}:{pattern.name}", objects.get(name, objects["pk"]))
    return kwargs


@pytest.mark.parametrize("username", ["agent_es", "supervisor", "admin"])
def test_nonsense_gets_an_answer_never_a_server_error(client, ws, objects, username):  # type: ignore[no-untyped-def]
    from django.urls import reverse

    from acuerda.agreements.models import PaymentPlan, PromiseToPay
    from acuerda.payments.models import Payment
    from acuerda.workspace.models import Callback, Interaction

    client.raise_request_exception = False  # a crash is a 500 answer here, and the test names it
    client.force_login(getattr(ws, username))
    counts = [m.objects.count() for m in (Payment, PromiseToPay, PaymentPlan, Callback, Interaction)]
    crashes = []
    for namespace in ("workspace", "payments"):
        for pattern in _patterns(namespace):
            url = reverse(f"{namespace}:{pattern.name}", kwargs=_kwargs(pattern, namespace, objects))
            for value in GARBAGE:
                data = dict.fromkeys(FIELDS, value)
                for method, headers in product(("get", "post"), ({}, {"HTTP_HX_REQUEST": "true"})):
                    response = getattr(client, method)(url, data, **headers)
                    if response.status_code >= 500:
                        crashes.append(f"{method.upper()} {url} {value!r}: {response.status_code}")
    assert crashes == []
    # Nothing made of nonsense: no payment, promise, plan, callback or interaction was recorded.
    assert [m.objects.count() for m in (Payment, PromiseToPay, PaymentPlan, Callback, Interaction)] == counts


BAD_ONE = ["1e400", "9" * 40, "2026-02-30", ""]  # beyond every limit, no such day, missing


def _valid(ws, objects) -> dict[str, str]:  # type: ignore[no-untyped-def]
    from acuerda.workspace.models import Disposition

    phone = ws.debtor_es.contact_points.filter(kind="phone").first()
    return {
        "amount": "10.00", "due_on": "2026-03-05", "due_at": "2026-03-03T10:00", "received_on": "2026-03-02",
        "method": "transfer", "reference": "R-1", "discount_percent": "5", "instalments": "3", "frequency": "monthly",
        "first_payment_on": "2026-03-09", "down_payment": "0", "note": "n", "reason": "r", "channel": "call",
        "direction": "outbound", "disposition": str(Disposition.objects.get(creditor=None, code="no_answer").pk),
        "party_reached": "none", "contact_point": str(phone.pk), "decision": "approve", "promise_amount": "10",
        "promise_date": "2026-03-05", "callback_at": "2026-03-03T10:00", "consent_evidence": "yes",
        "creditor": "bank-es", "period": "2026-02", "iban": "ES9121000418450200051332", "holder_name": "Lucía",
        "signed_on": "2026-03-01", "account": str(ws.account_es.pk), "vat_rate_percent": "21",
    }


@pytest.mark.parametrize("username", ["agent_es", "supervisor"])
def test_one_bad_field_among_good_ones_gets_an_answer_never_a_server_error(client, ws, objects, username):  # type: ignore[no-untyped-def]
    """The form's other checks pass, so the bad value reaches the code behind the form."""
    from django.urls import reverse

    client.raise_request_exception = False
    client.force_login(getattr(ws, username))
    valid = _valid(ws, objects)
    crashes = []
    for namespace in ("workspace", "payments"):
        for pattern in _patterns(namespace):
            if pattern.name in ("release", "next"):  # they take no input, and would drop the claim
                continue
            url = reverse(f"{namespace}:{pattern.name}", kwargs=_kwargs(pattern, namespace, objects))
            for field, value in product(valid, BAD_ONE):
                response = client.post(url, {**valid, field: value}, HTTP_HX_REQUEST="true")
                if response.status_code >= 500:
                    crashes.append(f"POST {url} {field}={value!r}: {response.status_code}")
    assert crashes == []
