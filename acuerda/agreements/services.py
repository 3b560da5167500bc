"""Tracking what debtors agreed: a promise is kept when payments made since it was taken reach
the promised amount by its date plus the grace days; otherwise, once that day has passed, it is
broken (nothing paid) or partially kept, and the account goes back to the work queue first.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from acuerda.agreements.choices import InstalmentStatus, PlanStatus, PromiseStatus
from acuerda.agreements.models import Instalment, PaymentPlan, PromiseToPay
from acuerda.debts.choices import EntryKind, EventKind
from acuerda.debts.models import Account, AccountEvent, LedgerEntry

ZERO = Decimal("0.00")


def promise_paid(promise: PromiseToPay, *, until: dt.date) -> Decimal:
    """Money received on the account from the day the promise was made to ``until``, as a
    positive amount. A payment later reversed (a returned direct debit) does not count, whenever
    the reversal was posted."""
    paid = LedgerEntry.objects.filter(
        account_id=promise.account_id, kind=EntryKind.PAYMENT, reversed_by__isnull=True,
        effective_on__gte=timezone.localdate(promise.made_at), effective_on__lte=until,
    ).aggregate(p=Sum("principal"), i=Sum("interest"), f=Sum("fees"))
    return max(ZERO, -sum((v or ZERO for v in paid.values()), ZERO))


@transaction.atomic
def promise_evaluate(promise: PromiseToPay, *, today: dt.date) -> PromiseToPay:
    """Settle one pending promise if its outcome is known today; otherwise leave it pending."""
    from acuerda.workspace.queue import queue_account

    promise = PromiseToPay.objects.select_for_update().select_related("account").get(pk=promise.pk)
    if promise.status != PromiseStatus.PENDING:
        return promise
    deadline = promise.due_on + dt.timedelta(days=promise.grace_days)
    paid = promise_paid(promise, until=min(today, deadline))
    if paid >= promise.amount:
        status = PromiseStatus.KEPT
    elif today > deadline:
        status = PromiseStatus.PARTIALLY_KEPT if paid > 0 else PromiseStatus.BROKEN
    else:
        if paid != promise.paid_amount:
            promise.paid_amount = paid
            promise.save(update_fields=["paid_amount"])
        return promise
    now = timezone.now()
    promise.status = status
    promise.paid_amount = paid
    promise.resolved_at = now
    promise.save(update_fields=["status", "paid_amount", "resolved_at"])
    reason = {PromiseStatus.KEPT: gettext_noop("Promise kept"), PromiseStatus.BROKEN: gettext_noop("Promise broken"),
              PromiseStatus.PARTIALLY_KEPT: gettext_noop("Promise partially kept")}[status]
    AccountEvent.objects.create(account=promise.account, kind=EventKind.PROMISE_RESOLVED, at=now, reason=reason, data={
        "promise": promise.pk, "status": status, "paid": str(paid), "amount": str(promise.amount),
        "currency": promise.currency})
    if status != PromiseStatus.KEPT:
        queue_account(promise.account)  # back to the queue now, ahead of the priorities
    return promise


def promises_evaluate(*, today: dt.date | None = None, batch_size: int = 2_000) -> dict[str, int]:
    """Evaluate every pending promise (nightly); returns counts by resulting status."""
    today = today or timezone.localdate()
    counts: dict[str, int] = {}
    last = 0
    while True:
        batch = list(PromiseToPay.objects.filter(status=PromiseStatus.PENDING, pk__gt=last).order_by("pk")[:batch_size])
        if not batch:
            return counts
        for promise in batch:
            status = promise_evaluate(promise, today=today).status
            counts[status] = counts.get(status, 0) + 1
        last = batch[-1].pk


def promise_reopen(*, account_ids: list[int], since: dt.date, today: dt.date,
                   statuses: tuple[str, ...] = (PromiseStatus.KEPT, PromiseStatus.PARTIALLY_KEPT)) -> int:
    """The money received on ``since`` changed: promises already judged whose window holds that
    day are judged again. A payment reversed: kept becomes pending while there is time, broken
    or partly kept after. A payment reported late (a statement read after the deadline, with its
    value date inside the window; pass ``statuses=(BROKEN, PARTIALLY_KEPT)``): the promise is
    kept or partly kept after all."""
    from acuerda.workspace.queue import queue_account

    reopened = 0
    for promise in PromiseToPay.objects.select_for_update().filter(
        account_id__in=account_ids, status__in=statuses,
    ).select_related("account"):
        if not timezone.localdate(promise.made_at) <= since <= promise.due_on + dt.timedelta(days=promise.grace_days):
            continue
        before = promise.status
        promise.status = PromiseStatus.PENDING
        promise.resolved_at = None
        promise.save(update_fields=["status", "resolved_at"])
        after = promise_evaluate(promise, today=today)
        if after.status != before:
            reopened += 1
            if after.status == PromiseStatus.PENDING:
                AccountEvent.objects.create(account=promise.account, kind=EventKind.PROMISE_RESOLVED, at=timezone.now(),
                                            reason=gettext_noop("Promise reopened: the payment was returned"),
                                            data={"promise": promise.pk, "status": after.status})
                queue_account(promise.account, not_before=None)
    return reopened


# ---------------------------------------------------------------------------------------------
# Payment plans
# ---------------------------------------------------------------------------------------------


def _plan_policy(plan: PaymentPlan) -> tuple[int, int]:
    from acuerda.workspace.services import negotiation_policy

    policy = negotiation_policy(plan.account)
    return policy.promise_grace_days, policy.missed_instalments_to_break


def plan_paid(plan: PaymentPlan) -> Decimal:
    """Money received on the account since the plan was agreed (payments not reversed)."""
    paid = LedgerEntry.objects.filter(
        account_id=plan.account_id, kind=EntryKind.PAYMENT, reversed_by__isnull=True,
        effective_on__gte=timezone.localdate(plan.agreed_at),
    ).aggregate(p=Sum("principal"), i=Sum("interest"), f=Sum("fees"))
    return max(ZERO, -sum((v or ZERO for v in paid.values()), ZERO))


def instalment_states(amounts_due: list[tuple[dt.date, Decimal]], paid: Decimal, *, today: dt.date,
                      grace_days: int) -> list[tuple[Decimal, str]]:
    """Pure: (paid towards it, status) per instalment, the money filling them in order."""
    remaining = paid
    result: list[tuple[Decimal, str]] = []
    for due_on, amount in amounts_due:
        part = min(remaining, amount)
        remaining -= part
        if part >= amount:
            status = InstalmentStatus.PAID
        elif today <= due_on:
            status = InstalmentStatus.DUE
        elif today <= due_on + dt.timedelta(days=grace_days):
            status = InstalmentStatus.LATE
        else:
            status = InstalmentStatus.MISSED
        result.append((part, status))
    return result


def _settlement_entries(plan: PaymentPlan) -> Any:
    """The plan's settlement write-offs: one per completion, the earlier ones reversed because a
    payment was returned (the first one's reference has no number)."""
    prefix = f"plan:{plan.pk}:settlement"
    return LedgerEntry.objects.filter(account_id=plan.account_id).filter(
        Q(external_reference=prefix) | Q(external_reference__startswith=f"{prefix}:"))


def _settlement_reference(plan: PaymentPlan) -> str:
    """A new reference for each completion: a plan completed again after a returned payment
    writes its saving off again (the reference of the reversed write-off is taken)."""
    written = _settlement_entries(plan).count()
    return f"plan:{plan.pk}:settlement" + (f":{written + 1}" if written else "")


@transaction.atomic
def plan_evaluate(plan: PaymentPlan, *, today: dt.date) -> PaymentPlan:
    """Bring a plan's instalments and state up to date with the money received: completed when
    every instalment is paid (the agreed saving is then written off), broken after the policy's
    number of missed instalments (the account goes back to the work queue). A completed plan
    whose payment is returned becomes active again and its write-off is reversed."""
    from acuerda.debts.services import ledger_reverse

    plan = PaymentPlan.objects.select_for_update().select_related("account__portfolio").get(pk=plan.pk)
    if plan.status not in (PlanStatus.ACTIVE, PlanStatus.COMPLETED):
        return plan
    grace, to_break = _plan_policy(plan)
    instalments = list(plan.instalments.order_by("number"))
    states = instalment_states([(i.due_on, i.amount) for i in instalments], plan_paid(plan), today=today,
                               grace_days=grace)
    changed = []
    for instalment, (part, status) in zip(instalments, states, strict=True):
        if (instalment.paid_amount, instalment.status) != (part, status):
            instalment.paid_amount, instalment.status = part, status
            changed.append(instalment)
    Instalment.objects.bulk_update(changed, ["paid_amount", "status"])
    all_paid = all(status == InstalmentStatus.PAID for _part, status in states)
    missed = sum(1 for _part, status in states if status == InstalmentStatus.MISSED)
    if plan.status == PlanStatus.COMPLETED and not all_paid:
        write_off = _settlement_entries(plan).filter(reversed_by__isnull=True).first()
        if write_off is not None:
            ledger_reverse(entry=write_off, actor=None, reason="Settlement write-off undone: a payment was returned")
        _plan_status(plan, PlanStatus.ACTIVE, gettext_noop("Payment plan active again: a payment was returned"))
    elif plan.status == PlanStatus.ACTIVE and all_paid:
        _settle(plan, today)
        _plan_status(plan, PlanStatus.COMPLETED, gettext_noop("Payment plan completed"))
    elif plan.status == PlanStatus.ACTIVE and missed >= to_break:
        _plan_status(plan, PlanStatus.BROKEN, gettext_noop("Payment plan broken: instalments missed"))
    return plan


def _settle(plan: PaymentPlan, today: dt.date) -> None:
    """Write off what the agreement forgave (discount and waivers), no more than is still owed."""
    from acuerda.debts.allocation import allocate
    from acuerda.debts.services import ledger_post

    account = Account.objects.select_for_update().get(pk=plan.account_id)
    forgiven = plan.balance_at_agreement - plan.total_to_pay
    owed = account.principal + account.interest + account.fees
    amount = min(forgiven, owed)
    if amount <= 0:
        return
    balances = {"principal": account.principal, "interest": account.interest, "fees": account.fees}
    parts = allocate(amount, balances, ["fees", "interest", "principal"]).parts
    ledger_post(account=account, kind=EntryKind.DISCOUNT, effective_on=today, actor=None,
                memo="Settlement: agreed saving written off", external_reference=_settlement_reference(plan),
                **{c: -v for c, v in parts.items()})


def _plan_status(plan: PaymentPlan, status: str, reason: str, *, actor: Any = None) -> None:
    from acuerda.debts.choices import ACCOUNT_TRANSITIONS, AccountStatus
    from acuerda.debts.services import account_transition
    from acuerda.workspace.queue import queue_account

    before = plan.status
    plan.status = status
    plan.ended_at = None if status == PlanStatus.ACTIVE else timezone.now()
    plan.save(update_fields=["status", "ended_at"])
    account = Account.objects.get(pk=plan.account_id)
    AccountEvent.objects.create(account=account, kind=EventKind.PLAN_STATUS, at=timezone.now(), reason=reason,
                                actor=actor, data={"plan": plan.pk, "from": before, "to": status})
    if status in (PlanStatus.BROKEN, PlanStatus.CANCELLED) and account.status == AccountStatus.IN_ARRANGEMENT:
        account_transition(account=account, to_status=AccountStatus.ACTIVE, actor=actor, reason=reason)
        account.refresh_from_db()
        queue_account(account, not_before=None)
    elif status == PlanStatus.ACTIVE and AccountStatus.IN_ARRANGEMENT in ACCOUNT_TRANSITIONS.get(account.status, ()):
        account_transition(account=account, to_status=AccountStatus.IN_ARRANGEMENT, actor=None, reason=reason)
    elif status == PlanStatus.COMPLETED and account.status == AccountStatus.IN_ARRANGEMENT:
        # Paid in full but still owing (interest accrued after the agreement): back to work.
        account_transition(account=account, to_status=AccountStatus.ACTIVE, actor=None, reason=reason)


class AgreementError(ValueError):
    pass


@transaction.atomic
def plan_cancel(*, plan: PaymentPlan, actor: Any, reason: str) -> PaymentPlan:
    """End a plan in force before its time (the debtor withdraws, the creditor recalls the
    account, terms renegotiated outside a new plan): no saving is written off, the money paid
    stays paid, and the account goes back to the work queue."""
    plan = PaymentPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.ACTIVE:
        raise AgreementError(_("Only a plan in force can be cancelled; this one is %(status)s.")
                             % {"status": plan.get_status_display()})
    if not reason.strip():
        raise AgreementError(_("Say why the plan is cancelled."))
    _plan_status(plan, PlanStatus.CANCELLED, reason.strip()[:255], actor=actor)
    return plan


def plans_evaluate(*, today: dt.date | None = None, batch_size: int = 1_000) -> dict[str, int]:
    """Evaluate every plan in force (nightly); counts by resulting status."""
    today = today or timezone.localdate()
    counts: dict[str, int] = {}
    last = 0
    while True:
        batch = list(PaymentPlan.objects.filter(status=PlanStatus.ACTIVE, pk__gt=last).order_by("pk")[:batch_size])
        if not batch:
            return counts
        for plan in batch:
            status = plan_evaluate(plan, today=today).status
            counts[status] = counts.get(status, 0) + 1
        last = batch[-1].pk


def reminders_emit(*, today: dt.date | None = None) -> int:
    """Prepare reminders (account events the messaging work will send) for instalments and
    promises falling due within the policy's number of days (from that many days before, so a
    night the job did not run is caught up the next). Once per instalment or promise."""
    from acuerda.workspace.services import negotiation_policy

    today = today or timezone.localdate()
    created = 0
    from acuerda.workspace.models import NegotiationPolicy

    longest = max(NegotiationPolicy.objects.values_list("reminder_days", flat=True), default=0)
    horizon = today + dt.timedelta(days=max(30, longest))  # the default policy's days, or the longest set
    pending: list[tuple[Account, str, int, dt.date, Decimal, str]] = []
    for instalment in Instalment.objects.filter(plan__status=PlanStatus.ACTIVE, due_on__gte=today, due_on__lte=horizon,
                                                status=InstalmentStatus.DUE).select_related("plan__account__portfolio"):
        pending.append((instalment.plan.account, "instalment", instalment.pk, instalment.due_on,
                        instalment.amount - instalment.paid_amount, instalment.plan.currency))
    for promise in PromiseToPay.objects.filter(status=PromiseStatus.PENDING, due_on__gte=today,
                                               due_on__lte=horizon).select_related("account__portfolio"):
        pending.append((promise.account, "promise", promise.pk, promise.due_on, promise.amount - promise.paid_amount,
                        promise.currency))
    policies: dict[int, int] = {}
    for account, kind, pk, due_on, amount, currency in pending:
        days = policies.setdefault(account.portfolio_id, negotiation_policy(account).reminder_days)
        if not 0 <= (due_on - today).days <= days:  # a night the job did not run is caught up
            continue
        if AccountEvent.objects.filter(account=account, kind=EventKind.REMINDER_DUE, **{f"data__{kind}": pk}).exists():
            continue
        AccountEvent.objects.create(account=account, kind=EventKind.REMINDER_DUE, at=timezone.now(),
                                    reason=gettext_noop("Payment reminder due"),
                                    data={kind: pk, "due_on": due_on.isoformat(), "amount": str(amount),
                                          "currency": currency})
        created += 1
    return created
