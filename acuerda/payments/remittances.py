"""Remittances to creditors (rendición de cuentas): per creditor and month, the money collected
on its accounts, the agency's commission per delinquency bucket from each portfolio's schedule,
VAT on the commission, and the net to transfer.

- **Nothing lost, nothing twice.** A remittance takes every allocation received up to the end of
  its period that no remittance carried yet (a payment registered late lands in the next one).
  The database refuses an allocation in two remittances.
- **Locked once issued.** Draft → reviewed → issued; an issued remittance never changes (the
  model refuses it). A payment reversed after its remittance was issued comes back as a negative
  correction line in the next one.
- **The bucket is the account's at the payment date** (days past due then, the creditor's edges),
  and the rate the portfolio's for that bucket.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from acuerda.creditors.buckets import days_past_due
from acuerda.creditors.models import Creditor
from acuerda.payments import documents
from acuerda.payments.choices import PaymentStatus, RemittanceStatus
from acuerda.payments.models import PaymentAllocation, Remittance, RemittanceLine
from acuerda.people.models import User
from acuerda.portfolios.models import CommissionRate

_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")
ZERO = Decimal("0")


class RemittanceError(ValueError):
    pass


def parse_period(period: str) -> tuple[dt.date, dt.date]:
    match = _PERIOD.match(period.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
        raise RemittanceError(_("The period must be a month written YYYY-MM, e.g. 2026-11; got %(period)r.")
                              % {"period": period})
    year, month = int(match.group(1)), int(match.group(2))
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _line(allocation: PaymentAllocation, *, correction: bool) -> RemittanceLine:
    account = allocation.account
    paid_on = allocation.payment.received_on
    bucket = account.portfolio.creditor.buckets.label_for(days_past_due(account.first_unpaid_due_on, today=paid_on))
    rate = CommissionRate.objects.filter(portfolio_id=account.portfolio_id, bucket=bucket).values_list(
        "rate_percent", flat=True).first() or ZERO
    sign = -1 if correction else 1
    commission = documents.round_half_up(allocation.amount * rate / 100, account.currency)
    return RemittanceLine(allocation=allocation, is_correction=correction, account=account, paid_on=paid_on,
                          bucket=bucket, rate_percent=rate, collected=sign * allocation.amount,
                          commission=sign * commission)


def _correction(allocation: PaymentAllocation) -> RemittanceLine:
    """The exact negation of the issued line that carried a payment reversed afterwards (its
    bucket, rate and commission as charged then, whatever the schedule says today)."""
    issued = RemittanceLine.objects.get(allocation=allocation, is_correction=False)
    return RemittanceLine(allocation=allocation, is_correction=True, account=issued.account, paid_on=issued.paid_on,
                          bucket=issued.bucket, rate_percent=issued.rate_percent, collected=-issued.collected,
                          commission=-issued.commission)


@transaction.atomic
def remittance_build(*, creditor: Creditor, period: str, actor: User | None, currency: str | None = None,
                     vat_rate_percent: Decimal | None = None) -> Remittance:
    """Build (or rebuild, while it is not issued) the creditor's remittance for ``period``."""
    start, end = parse_period(period)
    currency = currency or creditor.default_currency
    remittance = Remittance.objects.select_for_update().filter(creditor=creditor, period_start=start,
                                                               currency=currency).first()
    if remittance is not None and remittance.status == RemittanceStatus.ISSUED:
        raise RemittanceError(_("The remittance %(number)s is issued and cannot change; corrections go into the "
                                "next period.") % {"number": remittance.number})
    if Remittance.objects.filter(creditor=creditor, currency=currency, period_start__gt=start,
                                 status=RemittanceStatus.ISSUED).exists():
        raise RemittanceError(_("A later period is already issued for this creditor; build the current one."))
    now = timezone.now()
    if remittance is None:
        suffix = "" if currency == creditor.default_currency else f"-{currency}"
        remittance = Remittance(creditor=creditor, period_start=start, period_end=end, currency=currency,
                                number=f"REM-{start:%Y-%m}-{creditor.code}{suffix}"[:40], built_at=now,
                                built_by=actor)
    else:
        remittance.lines.all().delete()
    remittance.status = RemittanceStatus.DRAFT
    remittance.reviewed_at = remittance.reviewed_by = None
    if vat_rate_percent is not None:
        remittance.vat_rate_percent = vat_rate_percent
    remittance.built_at, remittance.built_by = now, actor
    remittance.save()
    carried = RemittanceLine.objects.filter(allocation=OuterRef("pk"), is_correction=False)
    corrected = RemittanceLine.objects.filter(allocation=OuterRef("pk"), is_correction=True)
    mine = PaymentAllocation.objects.filter(account__portfolio__creditor=creditor, payment__currency=currency)
    related = ("payment", "account__portfolio__creditor", "account__debtor")
    new = (mine.filter(payment__status=PaymentStatus.APPLIED, payment__received_on__lte=end)
           .exclude(Exists(carried)).select_related(*related))
    reversed_after = (mine.filter(payment__status=PaymentStatus.REVERSED, payment__reversed_at__date__lte=end)
                      .filter(Exists(carried.filter(remittance__status=RemittanceStatus.ISSUED)))
                      .exclude(Exists(corrected)).select_related(*related))
    lines = [_line(a, correction=False) for a in new] + [_correction(a) for a in reversed_after]
    for line in lines:
        line.remittance = remittance
    RemittanceLine.objects.bulk_create(lines)
    document = remittance_document(remittance)
    remittance.collected = document.collected_total
    remittance.commission = document.commission_total
    remittance.vat = document.vat_amount
    remittance.adjustments = document.adjustments_total
    remittance.net = document.net_to_transfer
    remittance.save()
    return remittance


@transaction.atomic
def remittance_review(*, remittance: Remittance, actor: User) -> Remittance:
    remittance = Remittance.objects.select_for_update().get(pk=remittance.pk)
    if remittance.status != RemittanceStatus.DRAFT:
        raise RemittanceError(_("Only a draft can be marked as reviewed."))
    remittance.status = RemittanceStatus.REVIEWED
    remittance.reviewed_at, remittance.reviewed_by = timezone.now(), actor
    remittance.save()
    return remittance


@transaction.atomic
def remittance_issue(*, remittance: Remittance, actor: User) -> Remittance:
    """Issue a reviewed remittance: it gets the next invoice number of the year and is locked."""
    remittance = Remittance.objects.select_for_update().get(pk=remittance.pk)
    if remittance.status != RemittanceStatus.REVIEWED:
        raise RemittanceError(_("A remittance is reviewed before it is issued."))
    if remittance.reviewed_by_id == actor.pk and not actor.is_superuser:
        raise RemittanceError(_("The person who reviewed it does not issue it too (four eyes)."))
    if remittance.lines.filter(is_correction=False, allocation__payment__status=PaymentStatus.REVERSED).exists():
        raise RemittanceError(_("A payment in this remittance was reversed after it was built; build it again."))
    now = timezone.now()
    prefix = f"F-{timezone.localdate(now).year}-"
    numbers = Remittance.objects.filter(invoice_number__startswith=prefix).values_list("invoice_number", flat=True)
    last = max((int((n or "0-0").rsplit("-", 1)[1]) for n in numbers), default=0)
    remittance.status = RemittanceStatus.ISSUED
    remittance.issued_at, remittance.issued_by = now, actor
    for attempt in range(1, 6):  # the unique index settles two issues at the same moment
        remittance.invoice_number = f"{prefix}{last + attempt:05d}"
        try:
            with transaction.atomic():
                Remittance.objects.filter(pk=remittance.pk).update(
                    invoice_number=remittance.invoice_number, status=remittance.status, issued_at=now, issued_by=actor)
            break
        except IntegrityError:
            continue
    else:
        raise RemittanceError(_("Could not number the invoice; try again."))
    # What was issued is kept as issued: later renames, anonymisation or settings changes do
    # not rewrite a document the creditor already has.
    document = remittance_document(remittance)
    Remittance.objects.filter(pk=remittance.pk).update(
        issued_pdf=documents.remittance_pdf(document), issued_xlsx=documents.remittance_xlsx(document))
    remittance.refresh_from_db()
    return remittance


def remittance_document(remittance: Remittance, *, language: str = "es") -> documents.Remittance:
    """The remittance as the documents (XLSX, PDF) and the totals read it."""
    creditor = remittance.creditor
    lines = list(remittance.lines.select_related("account__portfolio", "account__debtor", "allocation__payment")
                 .order_by("paid_on", "pk"))
    regular = [
        documents.RemittanceLine(
            portfolio=line.account.portfolio.reference, account_reference=line.account.creditor_reference,
            debtor_name=line.account.debtor.display_name, paid_on=line.paid_on,
            payment_reference=line.allocation.payment.receipt_number or line.allocation.payment.reference
            or f"#{line.allocation.payment_id}",
            bucket=line.bucket, collected=line.collected, rate_percent=line.rate_percent, commission=line.commission,
        )
        for line in lines
    ]
    agency = documents.Party(name=settings.ACUERDA_AGENCY_NAME, tax_id=settings.ACUERDA_AGENCY_TAX_ID,
                             address=settings.ACUERDA_AGENCY_ADDRESS, iban=settings.ACUERDA_AGENCY_IBAN)
    return documents.Remittance(
        number=remittance.number,
        creditor=documents.Party(name=creditor.legal_name, tax_id=creditor.tax_id, address="", iban=""),
        agency=agency, period_start=remittance.period_start, period_end=remittance.period_end,
        currency=remittance.currency, lines=tuple(regular), adjustments=(),
        vat_rate_percent=Decimal(str(remittance.vat_rate_percent)), invoice_number=remittance.invoice_number or "",
        issued_on=timezone.localdate(remittance.issued_at) if remittance.issued_at else None, language=language,
    )
