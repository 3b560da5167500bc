"""The payments part of the demo: a few payments per creditor during last month,
registered through the services (allocations, ledger entries, promises and plans followed), so
the payments pages, the remittances and their documents have something real to show."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db.models import Max

from acuerda.core.money import quantize
from acuerda.creditors.models import Creditor
from acuerda.debts.choices import OPEN_STATUSES
from acuerda.debts.models import Account
from acuerda.payments.choices import PaymentMethod, PaymentSource
from acuerda.payments.services import PaymentError, payment_register

_SHARES = (Decimal("0.1"), Decimal("0.25"), Decimal("0.5"), Decimal("1"))
_METHODS = (PaymentMethod.TRANSFER, PaymentMethod.TRANSFER, PaymentMethod.CARD, PaymentMethod.DIRECT_DEBIT)


def payments_demo(*, today: dt.date, seed: int, per_creditor: int = 12) -> int:
    """Register the payments, then stamp what they wrote with the day they were received (the
    services stamp "now"; the demo must be the same on every run with the same seed)."""
    from acuerda.debts.models import AccountEvent, LedgerEntry
    from acuerda.payments.models import Payment

    rng = random.Random(seed)
    last_entry = LedgerEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    last_event = AccountEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    moments: dict[int, dt.datetime] = {}
    last = today.replace(day=1) - dt.timedelta(days=1)  # last month: the one the next remittance covers
    first = last.replace(day=1)
    span = last.day
    registered = 0
    for creditor in Creditor.objects.order_by("code"):
        accounts = list(Account.objects.filter(portfolio__creditor=creditor, status__in=OPEN_STATUSES)
                        .select_related("debtor").order_by("pk")[:400])
        # About one account in forty pays this way (at most ``per_creditor``): the history the
        # generator wrote already has its own payments.
        count = min(per_creditor, max(1, len(accounts) // 40), len(accounts))
        for n, account in enumerate(rng.sample(accounts, count)):
            balance = account.principal + account.interest + account.fees
            amount = quantize(balance * rng.choice(_SHARES), account.currency)
            if amount <= 0:
                continue
            received = first + dt.timedelta(days=rng.randint(0, span - 1))
            try:
                payment = payment_register(
                    debtor=account.debtor, amount=amount, currency=account.currency, received_on=received,
                    method=rng.choice(_METHODS), source=PaymentSource.BANK_STATEMENT,
                    idempotency_key=f"demo:{creditor.code}:{n}", actor=None, account=account,
                    reference=f"DEMO-{creditor.code[:6].upper()}-{n:04d}", payer_name=account.debtor.display_name,
                )
            except PaymentError:
                continue
            # After everything the account's timeline already holds, so its history stays in order.
            latest = AccountEvent.objects.filter(account=account, pk__lte=last_event).aggregate(at=Max("at"))["at"]
            moment = dt.datetime.combine(received, dt.time(10, 0), tzinfo=dt.UTC) + dt.timedelta(minutes=registered)
            moments[account.pk] = max(moment, latest + dt.timedelta(minutes=1)) if latest else moment
            Payment.objects.filter(pk=payment.pk).update(registered_at=moments[account.pk])
            registered += 1
    _stamp(moments, last_entry, last_event)
    return registered


def _stamp(moments: dict[int, dt.datetime], last_entry: int, last_event: int) -> None:
    """Raw updates: ledger entries and events are append-only for everyone but the demo loader."""
    from django.db import connection

    from acuerda.core.bulk import db_datetime
    from acuerda.debts.models import Account, AccountEvent, LedgerEntry

    for account_id, moment in moments.items():  # a payment in full closed the account "now"
        Account.objects.filter(pk=account_id, status_changed_at__gt=moment).update(status_changed_at=moment)
    with connection.cursor() as cursor:
        for model, column, last in ((LedgerEntry, "posted_at", last_entry), (AccountEvent, "at", last_event)):
            rows = list(model.objects.filter(pk__gt=last).values_list("pk", "account_id"))
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.executemany(
                f"UPDATE {table} SET {column} = %s WHERE id = %s",  # noqa: S608 - model table and column names
                [(db_datetime(moments[account_id]), pk) for pk, account_id in rows if account_id in moments],
            )
