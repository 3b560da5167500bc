"""SEPA Direct Debit for instalment plans: mandates (IBAN checked with schwifty), the pain.008
file for the instalments falling due (built and validated against the XSD by sepaxml), and what
the bank does with each debit afterwards.

A debit is recorded as a payment when the bank credits it (the statement line carries its
end-to-end id, ``reconciliation`` matches it with certainty); a returned debit (R-transaction:
AC04 account closed, MD06 refund, AM04 insufficient funds...) reverses that payment and the
instalment is due again.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from sepaxml import SepaDD

from acuerda.agreements.choices import InstalmentStatus, PlanStatus
from acuerda.agreements.models import Instalment, PaymentPlan
from acuerda.payments.models import (
    DirectDebit,
    DirectDebitBatch,
    DirectDebitStatus,
    Mandate,
    MandateStatus,
)
from acuerda.people.models import User


class SepaError(ValueError):
    pass


@transaction.atomic
def mandate_create(*, plan: PaymentPlan, iban: str, holder_name: str, signed_on: dt.date,
                   actor: User | None) -> Mandate:
    """Record the debtor's signed mandate for the plan (replacing an earlier one)."""
    try:
        account = IBAN(iban)
    except SchwiftyException as exc:
        raise SepaError(_("%(iban)s is not a valid IBAN: %(reason)s") % {"iban": iban, "reason": exc}) from exc
    if plan.currency != "EUR":
        raise SepaError(_("SEPA direct debits are in euros; this plan is in %(currency)s.") % {"currency": plan.currency})
    if not holder_name.strip():
        raise SepaError(_("The account holder's name is required."))
    if signed_on > timezone.localdate():
        raise SepaError(_("A mandate cannot be signed in the future."))
    Mandate.objects.filter(plan=plan, status=MandateStatus.ACTIVE).update(status=MandateStatus.REVOKED)
    mandate = Mandate.objects.create(
        debtor_id=plan.account.debtor_id, plan=plan, reference=f"ACU-{plan.pk}-{secrets.token_hex(4).upper()}",
        iban=account.compact, bic=str(account.bic or ""), holder_name=holder_name.strip()[:70], signed_on=signed_on,
        created_by=actor,
    )
    return mandate


def _due_debits(collection_date: dt.date) -> list[tuple[Instalment, Mandate]]:
    instalments = (Instalment.objects.filter(plan__status=PlanStatus.ACTIVE, due_on__lte=collection_date,
                                             plan__mandates__status=MandateStatus.ACTIVE)
                   .exclude(status=InstalmentStatus.PAID)
                   .exclude(direct_debits__status__in=(DirectDebitStatus.SUBMITTED, DirectDebitStatus.COLLECTED))
                   .select_related("plan__account").distinct().order_by("due_on", "pk"))
    mandates = {m.plan_id: m for m in Mandate.objects.filter(status=MandateStatus.ACTIVE,
                                                             plan_id__in={i.plan_id for i in instalments})}
    return [(i, mandates[i.plan_id]) for i in instalments if i.plan_id in mandates]


@transaction.atomic
def direct_debit_batch(*, collection_date: dt.date, actor: User | None) -> DirectDebitBatch | None:
    """The pain.008.001.02 file asking each debtor's bank for the instalments due by
    ``collection_date`` (at least one business day ahead); None when nothing is due."""
    if collection_date <= timezone.localdate():
        raise SepaError(_("The collection date must be in the future."))
    due = _due_debits(collection_date)
    if not due:
        return None
    sepa = SepaDD({"name": settings.ACUERDA_AGENCY_NAME, "IBAN": settings.ACUERDA_AGENCY_IBAN,
                   "BIC": settings.ACUERDA_AGENCY_BIC, "batch": True, "creditor_id": settings.ACUERDA_SEPA_CREDITOR_ID,
                   "currency": "EUR", "instrument": "CORE"}, schema="pain.008.001.02", clean=True)
    debits = []
    for instalment, mandate in due:
        amount = instalment.amount - instalment.paid_amount
        end_to_end = f"ACU-{instalment.pk}-{secrets.token_hex(3).upper()}"
        sepa.add_payment({
            "name": mandate.holder_name, "IBAN": mandate.iban, "BIC": mandate.bic or "NOTPROVIDED",
            "amount": int(amount * 100), "type": "RCUR" if mandate.first_collected else "FRST",
            "collection_date": collection_date, "mandate_id": mandate.reference, "mandate_date": mandate.signed_on,
            "description": f"{instalment.plan.account.creditor_reference} cuota {instalment.number}",
            "endtoend_id": end_to_end,
        })
        debits.append(DirectDebit(mandate=mandate, instalment=instalment, amount=amount, end_to_end_id=end_to_end))
    try:
        xml = sepa.export(validate=True).decode()
    except Exception as exc:  # sepaxml raises its own ValidationError or plain Exceptions
        raise SepaError(_("The pain.008 file does not validate: %(reason)s") % {"reason": exc}) from exc
    # The batch is stored under the file's own message id: the one the bank's reports quote.
    message_id = re.search(r"<MsgId>([^<]+)</MsgId>", xml)
    if message_id is None:
        raise SepaError(_("The pain.008 file has no message id."))
    batch = DirectDebitBatch.objects.create(
        message_id=message_id.group(1)[:35], collection_date=collection_date,
        xml=xml, count=len(debits), total=sum((d.amount for d in debits), start=debits[0].amount * 0),
        created_at=timezone.now(), created_by=actor,
    )
    for debit in debits:
        debit.batch = batch
    DirectDebit.objects.bulk_create(debits)
    Mandate.objects.filter(pk__in={d.mandate_id for d in debits}).update(first_collected=True)
    return batch


def direct_debit_for(reference: str) -> DirectDebit | None:
    return DirectDebit.objects.select_related("instalment__plan__account", "mandate").filter(
        end_to_end_id=reference).first()
