from django.db import models
from django.utils.translation import gettext_lazy as _


class Product(models.TextChoices):
    PERSONAL_LOAN = "personal_loan", _("Personal loan")
    CONSUMER_CREDIT = "consumer_credit", _("Consumer credit")
    CREDIT_CARD = "credit_card", _("Credit card")
    OVERDRAFT = "overdraft", _("Overdraft")
    MORTGAGE = "mortgage", _("Mortgage")
    AUTO_LOAN = "auto_loan", _("Auto loan")
    INVOICE = "invoice", _("Invoice")
    UTILITY_BILL = "utility_bill", _("Utility bill")
    TELECOM_CONTRACT = "telecom_contract", _("Telecom contract")
    INSURANCE_PREMIUM = "insurance_premium", _("Insurance premium")
    OTHER = "other", _("Other")


class AccountStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    IN_ARRANGEMENT = "in_arrangement", _("In arrangement")
    ON_HOLD = "on_hold", _("On hold")
    DISPUTED = "disputed", _("Disputed")
    LEGAL = "legal", _("Legal")
    PAID = "paid", _("Paid")
    SETTLED = "settled", _("Settled")
    RECALLED = "recalled", _("Recalled")
    WRITTEN_OFF = "written_off", _("Written off")
    CLOSED = "closed", _("Closed")


S = AccountStatus
# The only moves an account may make. Everything else is refused by ``account_transition``.
# Paid and settled accounts may reopen (a returned payment), recalled and written-off ones only
# close, and closed is final.
ACCOUNT_TRANSITIONS: dict[str, frozenset[str]] = {
    S.ACTIVE: frozenset({S.IN_ARRANGEMENT, S.ON_HOLD, S.DISPUTED, S.LEGAL, S.PAID, S.SETTLED, S.RECALLED, S.WRITTEN_OFF}),
    S.IN_ARRANGEMENT: frozenset({S.ACTIVE, S.ON_HOLD, S.DISPUTED, S.LEGAL, S.PAID, S.SETTLED, S.RECALLED}),
    S.ON_HOLD: frozenset({S.ACTIVE, S.IN_ARRANGEMENT, S.DISPUTED, S.PAID, S.SETTLED, S.RECALLED, S.WRITTEN_OFF}),
    S.DISPUTED: frozenset({S.ACTIVE, S.ON_HOLD, S.PAID, S.SETTLED, S.RECALLED, S.WRITTEN_OFF, S.CLOSED}),
    S.LEGAL: frozenset({S.ACTIVE, S.IN_ARRANGEMENT, S.PAID, S.SETTLED, S.RECALLED, S.WRITTEN_OFF}),
    S.PAID: frozenset({S.ACTIVE, S.CLOSED}),
    S.SETTLED: frozenset({S.ACTIVE, S.CLOSED}),
    S.RECALLED: frozenset({S.CLOSED}),
    S.WRITTEN_OFF: frozenset({S.ACTIVE, S.CLOSED}),
    S.CLOSED: frozenset(),
}
# Statuses in which money is still owed and work goes on.
OPEN_STATUSES = frozenset({S.ACTIVE, S.IN_ARRANGEMENT, S.ON_HOLD, S.DISPUTED, S.LEGAL})


class AccountPartyRole(models.TextChoices):
    CO_DEBTOR = "co_debtor", _("Co-debtor")
    GUARANTOR = "guarantor", _("Guarantor")


class EntryKind(models.TextChoices):
    PLACEMENT = "placement", _("Placement")
    INTEREST = "interest", _("Interest")
    FEE = "fee", _("Fee")
    PAYMENT = "payment", _("Payment")
    DISCOUNT = "discount", _("Discount or waiver")
    ADJUSTMENT = "adjustment", _("Adjustment")
    REVERSAL = "reversal", _("Reversal")


class EventKind(models.TextChoices):
    PLACED = "placed", _("Placed")
    STATUS_CHANGED = "status_changed", _("Status changed")
    LEDGER_POSTED = "ledger_posted", _("Ledger entry posted")
    LEDGER_REVERSED = "ledger_reversed", _("Ledger entry reversed")
    PARTY_ADDED = "party_added", _("Party added")
    NOTE = "note", _("Note")
    PROMISE_MADE = "promise_made", _("Promise to pay")
    PROMISE_RESOLVED = "promise_resolved", _("Promise resolved")
    PLAN_AGREED = "plan_agreed", _("Payment plan agreed")
    CALLBACK_SCHEDULED = "callback", _("Callback scheduled")
    APPROVAL = "approval", _("Supervisor approval")
    LEAD_MARKED = "lead_marked", _("Cross-sell lead")
    PLAN_STATUS = "plan_status", _("Payment plan status")
    REMINDER_DUE = "reminder_due", _("Payment reminder due")
