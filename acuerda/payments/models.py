"""Money in and out: payments and how they were applied to accounts, the bank statements they
came from and their reconciliation, and the remittances to creditors.

A payment is applied through ``debts.services.payment_post`` (ledger entries per account); the
rows here say where the money came from, how it was split, and whether it was handed over.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from acuerda.core.models import AmountField
from acuerda.core.money import Money
from acuerda.core.validators import validate_currency
from acuerda.payments.choices import (
    LineStatus,
    PaymentMethod,
    PaymentSource,
    PaymentStatus,
    RemittanceStatus,
)
from acuerda.people.scoping import scope, sees_everything

if TYPE_CHECKING:
    from acuerda.people.models import User


class PaymentQuerySet(models.QuerySet["Payment"]):
    def for_user(self, user: User) -> PaymentQuerySet:
        """Payments applied (at least in part) to accounts the user may see; pages show only
        those allocations."""
        visible = PaymentAllocation.objects.for_user(user)
        return self.filter(models.Exists(visible.filter(payment_id=models.OuterRef("pk"))))


class Payment(models.Model):
    """Money received from (or for) a debtor, once. ``idempotency_key`` makes registering it
    again — a double click, a retried webhook, a statement imported twice — return the first."""

    debtor = models.ForeignKey("debtors.Debtor", verbose_name=_("debtor"), on_delete=models.PROTECT,
                               related_name="payments")
    amount = AmountField(_("amount"))
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    received_on = models.DateField(_("received on"))
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod.choices)
    source = models.CharField(_("source"), max_length=16, choices=PaymentSource.choices)
    idempotency_key = models.CharField(_("idempotency key"), max_length=160, unique=True)
    reference = models.CharField(_("reference"), max_length=140, blank=True)
    payer_name = models.CharField(_("payer"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    receipt_number = models.CharField(_("receipt number"), max_length=32, unique=True, null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.APPLIED)
    registered_at = models.DateTimeField(_("registered at"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("registered by"),
                                      on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)
    reversal_reason = models.CharField(_("reversal reason"), max_length=255, blank=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-received_on", "-pk"]
        constraints = [models.CheckConstraint(name="payment_amount_positive", condition=Q(amount__gt=0))]
        indexes = [models.Index(fields=["debtor", "-received_on"], name="payment_debtor_idx"),
                   models.Index(fields=["reference"], name="payment_reference_idx")]
        permissions = [("register_payment", _("Can register payments")),
                       ("reconcile_statement", _("Can import bank statements and reconcile them"))]

    def __str__(self) -> str:
        return f"{self.money} · {self.received_on:%Y-%m-%d}"

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


class PaymentAllocationQuerySet(models.QuerySet["PaymentAllocation"]):
    def for_user(self, user: User) -> PaymentAllocationQuerySet:
        return scope(self, user, "account__portfolio_id")


class PaymentAllocation(models.Model):
    """The part of a payment applied to one account, with the ledger entry that applied it."""

    payment = models.ForeignKey(Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="allocations")
    account = models.ForeignKey("debts.Account", verbose_name=_("account"), on_delete=models.PROTECT,
                                related_name="payment_allocations")
    entry = models.OneToOneField("debts.LedgerEntry", verbose_name=_("ledger entry"), on_delete=models.PROTECT,
                                 related_name="allocation")
    amount = AmountField(_("amount"))

    objects = PaymentAllocationQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment allocation")
        verbose_name_plural = _("payment allocations")
        constraints = [models.CheckConstraint(name="allocation_amount_positive", condition=Q(amount__gt=0))]

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.account_id}: {self.amount}"


class BankStatement(models.Model):
    """One imported statement (Norma 43 account block, camt.053 statement, camt.054 notification)."""

    format = models.CharField(_("format"), max_length=10)
    statement_id = models.CharField(_("statement id"), max_length=140)
    bank_account = models.CharField(_("bank account"), max_length=40)
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"))
    opening_balance = AmountField(_("opening balance"), null=True, blank=True)
    closing_balance = AmountField(_("closing balance"), null=True, blank=True)
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64)
    imported_at = models.DateTimeField(_("imported at"))
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-imported_at"]
        constraints = [models.UniqueConstraint(fields=["bank_account", "format", "statement_id"],
                                               name="bank_statement_unique")]

    def __str__(self) -> str:
        return f"{self.bank_account} {self.start_date:%Y-%m-%d} - {self.end_date:%Y-%m-%d}"


class StatementLineQuerySet(models.QuerySet["StatementLine"]):
    def for_user(self, user: User) -> StatementLineQuerySet:
        """The agency's bank movements: all of them for the agency-wide roles; for anyone else
        only those applied to an account they may see (an unmatched line names a stranger)."""
        if sees_everything(user):
            return self
        return scope(self.filter(account__isnull=False), user, "account__portfolio_id")


class StatementLine(models.Model):
    """One movement of a statement and what reconciliation made of it."""

    statement = models.ForeignKey(BankStatement, verbose_name=_("statement"), on_delete=models.PROTECT,
                                  related_name="lines")
    bank_account = models.CharField(_("bank account"), max_length=40)
    line_id = models.CharField(_("line id"), max_length=140)
    source_line = models.PositiveIntegerField(_("line in the file"), null=True, blank=True)
    booking_date = models.DateField(_("booked on"))
    value_date = models.DateField(_("value date"))
    amount = AmountField(_("amount"), help_text=_("Positive: money in; negative: money out."))
    currency = models.CharField(_("currency"), max_length=3)
    concept = models.CharField(_("concept"), max_length=500, blank=True)
    reference = models.CharField(_("reference"), max_length=140, blank=True)
    counterparty_name = models.CharField(_("counterparty"), max_length=200, blank=True)
    counterparty_iban = models.CharField(_("counterparty IBAN"), max_length=40, blank=True)
    is_return = models.BooleanField(_("return"), default=False)
    return_reason = models.CharField(_("return reason"), max_length=16, blank=True)
    original_reference = models.CharField(_("original reference"), max_length=140, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=LineStatus.choices, default=LineStatus.PENDING)
    confidence = models.DecimalField(_("confidence"), max_digits=4, decimal_places=3, default=0)
    candidates = models.JSONField(_("candidates"), default=list, blank=True)
    account = models.ForeignKey("debts.Account", verbose_name=_("account"), on_delete=models.PROTECT, null=True,
                                blank=True, related_name="+")
    payment = models.ForeignKey(Payment, verbose_name=_("payment"), on_delete=models.PROTECT, null=True, blank=True,
                                related_name="statement_lines")
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("resolved by"), on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    objects = StatementLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["booking_date", "pk"]
        constraints = [models.UniqueConstraint(fields=["bank_account", "line_id"], name="statement_line_unique")]
        indexes = [models.Index(fields=["status", "booking_date"], name="statement_line_status_idx")]

    def __str__(self) -> str:
        return f"{self.booking_date:%Y-%m-%d} {self.amount} {self.concept[:40]}"


class RemittanceQuerySet(models.QuerySet["Remittance"]):
    def for_user(self, user: User) -> RemittanceQuerySet:
        from acuerda.people.scoping import visible_portfolio_ids

        ids = visible_portfolio_ids(user)
        if ids is None:
            return self
        from acuerda.portfolios.models import Portfolio

        # A remittance covers every portfolio of its creditor: it is visible to those who see
        # all of them (a creditor's users, a team that works all of the creditor's portfolios).
        unseen = Portfolio.objects.filter(creditor_id=OuterRef("creditor_id")).exclude(pk__in=ids)
        return self.filter(creditor_id__in=Portfolio.objects.filter(pk__in=ids).values("creditor_id")).exclude(
            Exists(unseen))


class Remittance(models.Model):
    """What the agency hands over to a creditor for a period: the money collected per account,
    the commission per bucket and the net to transfer. Locked once issued: corrections (a payment
    reversed afterwards) go into the next period."""

    creditor = models.ForeignKey("creditors.Creditor", verbose_name=_("creditor"), on_delete=models.PROTECT,
                                 related_name="remittances")
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    number = models.CharField(_("number"), max_length=40, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=RemittanceStatus.choices,
                              default=RemittanceStatus.DRAFT)
    collected = AmountField(_("collected"), default=0)
    commission = AmountField(_("commission"), default=0)
    vat_rate_percent = models.DecimalField(_("VAT (%)"), max_digits=5, decimal_places=2, default=21)
    vat = AmountField(_("VAT"), default=0)
    adjustments = AmountField(_("adjustments"), default=0)
    net = AmountField(_("net to transfer"), default=0)
    invoice_number = models.CharField(_("invoice number"), max_length=40, unique=True, null=True, blank=True)
    built_at = models.DateTimeField(_("built at"))
    built_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("built by"), on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")
    issued_pdf = models.BinaryField(_("issued PDF"), null=True, blank=True, editable=False)
    issued_xlsx = models.BinaryField(_("issued XLSX"), null=True, blank=True, editable=False)

    objects = RemittanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("remittance")
        verbose_name_plural = _("remittances")
        ordering = ["-period_start", "creditor_id"]
        constraints = [models.UniqueConstraint(fields=["creditor", "period_start", "currency"],
                                               name="remittance_period_unique")]
        permissions = [("issue_remittance", _("Can review and issue remittances to creditors"))]

    def __str__(self) -> str:
        return self.number

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk and not self._state.adding:
            stored = Remittance.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == RemittanceStatus.ISSUED:
                raise ValueError(f"Remittance {self.number} is issued and cannot change.")
        super().save(*args, **kwargs)


class RemittanceLine(models.Model):
    """One allocation handed over (or taken back, negative, when it was reversed after the
    remittance that carried it was issued)."""

    remittance = models.ForeignKey(Remittance, verbose_name=_("remittance"), on_delete=models.CASCADE,
                                   related_name="lines")
    allocation = models.ForeignKey(PaymentAllocation, verbose_name=_("allocation"), on_delete=models.PROTECT,
                                   related_name="remittance_lines")
    is_correction = models.BooleanField(_("correction"), default=False)
    account = models.ForeignKey("debts.Account", verbose_name=_("account"), on_delete=models.PROTECT, related_name="+")
    paid_on = models.DateField(_("paid on"))
    bucket = models.CharField(_("bucket"), max_length=16)
    rate_percent = models.DecimalField(_("commission (%)"), max_digits=5, decimal_places=2)
    collected = AmountField(_("collected"))
    commission = AmountField(_("commission"))

    class Meta:
        verbose_name = _("remittance line")
        verbose_name_plural = _("remittance lines")
        constraints = [models.UniqueConstraint(fields=["allocation", "is_correction"], name="remittance_line_once")]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.collected}"


class MandateStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    REVOKED = "revoked", _("Revoked")


class Mandate(models.Model):
    """A SEPA direct-debit mandate signed by the debtor for a payment plan's instalments."""

    debtor = models.ForeignKey("debtors.Debtor", verbose_name=_("debtor"), on_delete=models.PROTECT,
                               related_name="mandates")
    plan = models.ForeignKey("agreements.PaymentPlan", verbose_name=_("plan"), on_delete=models.PROTECT,
                             related_name="mandates")
    reference = models.CharField(_("mandate reference"), max_length=35, unique=True)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    holder_name = models.CharField(_("account holder"), max_length=70)
    signed_on = models.DateField(_("signed on"))
    status = models.CharField(_("status"), max_length=8, choices=MandateStatus.choices, default=MandateStatus.ACTIVE)
    first_collected = models.BooleanField(_("first collection made"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("direct-debit mandate")
        verbose_name_plural = _("direct-debit mandates")
        constraints = [models.UniqueConstraint(fields=["plan"], condition=Q(status="active"),
                                               name="mandate_one_active_per_plan")]

    def __str__(self) -> str:
        return self.reference


class DirectDebitBatch(models.Model):
    """One pain.008 file sent to the bank, kept exactly as sent."""

    message_id = models.CharField(_("message id"), max_length=35, unique=True)
    collection_date = models.DateField(_("collection date"))
    xml = models.TextField(_("pain.008 file"))
    count = models.PositiveIntegerField(_("debits"))
    total = AmountField(_("total"))
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("direct-debit batch")
        verbose_name_plural = _("direct-debit batches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.message_id


class DirectDebitStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    COLLECTED = "collected", _("Collected")
    RETURNED = "returned", _("Returned")


class DirectDebit(models.Model):
    """One instalment asked from the debtor's bank under a mandate."""

    batch = models.ForeignKey(DirectDebitBatch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="debits")
    mandate = models.ForeignKey(Mandate, verbose_name=_("mandate"), on_delete=models.PROTECT, related_name="debits")
    instalment = models.ForeignKey("agreements.Instalment", verbose_name=_("instalment"), on_delete=models.PROTECT,
                                   related_name="direct_debits")
    amount = AmountField(_("amount"))
    end_to_end_id = models.CharField(_("end-to-end id"), max_length=35, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=DirectDebitStatus.choices,
                              default=DirectDebitStatus.SUBMITTED)
    payment = models.ForeignKey(Payment, verbose_name=_("payment"), on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    return_reason = models.CharField(_("return reason"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("direct debit")
        verbose_name_plural = _("direct debits")
        constraints = [models.UniqueConstraint(fields=["instalment"], condition=Q(status="submitted"),
                                               name="direct_debit_one_open_per_instalment")]

    def __str__(self) -> str:
        return self.end_to_end_id
