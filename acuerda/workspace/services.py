"""What agents and supervisors do in the workspace: record interactions, take promises, schedule
callbacks, agree terms within authority or ask for approval, mark leads, edit scripts.

Every write needs the agent's claim on the account (``queue.claim_require``), writes the
account's timeline (``AccountEvent``) and, for outbound contacts, the compliance contact ledger.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from acuerda.agreements.choices import InstalmentStatus, PlanKind, PlanStatus, PromiseStatus
from acuerda.agreements.models import Instalment, PaymentPlan, PromiseToPay
from acuerda.compliance.models import ContactDecision
from acuerda.debtors.choices import ContactStatus
from acuerda.debtors.models import ContactPoint, Debtor
from acuerda.debts.choices import AccountStatus, EventKind
from acuerda.debts.models import Account, AccountEvent
from acuerda.people.choices import Role
from acuerda.people.models import AgentProfile, User
from acuerda.workspace.choices import (
    ApprovalStatus,
    CallbackStatus,
    Direction,
    DispositionEffect,
    PartyReached,
)
from acuerda.workspace.models import (
    ApprovalRequest,
    Callback,
    Disposition,
    Interaction,
    Lead,
    NegotiationPolicy,
)
from acuerda.workspace.negotiation import (
    Balances,
    Limits,
    Offer,
    OfferError,
    Proposal,
    Violation,
    check,
    propose,
)
from acuerda.workspace.queue import WorkspaceError, claim_require, queue_account

RETRY_AFTER_NO_CONTACT = dt.timedelta(hours=3)
# A call is recorded at the moment the gate cleared it (when it was dialled); the record must
# follow within this time, so a decision cannot clear a call made another day.
MAX_RECORDING_DELAY = dt.timedelta(hours=2)
RETRY_AFTER_CONVERSATION = dt.timedelta(days=2)
_NO_CONTACT_OUTCOMES = frozenset({"no_answer", "busy", "voicemail", "failed"})


def _event(account: Account, kind: str, actor: User | None, reason: str, data: dict[str, Any] | None = None,
           at: dt.datetime | None = None) -> AccountEvent:
    return AccountEvent.objects.create(account=account, kind=kind, at=at or timezone.now(), actor=actor,
                                       reason=reason, data=data or {})


# --------------------------------------------------------------------------------------------
# Policies and authority
# --------------------------------------------------------------------------------------------


def negotiation_policy(account: Account) -> NegotiationPolicy:
    """The portfolio's policy, else the creditor's, else the conservative default (no discount,
    no waivers, up to 12 instalments, first payment within 30 days, promises 3 days' grace)."""
    portfolio = account.portfolio
    found = NegotiationPolicy.objects.filter(portfolio=portfolio).first() or NegotiationPolicy.objects.filter(
        creditor_id=portfolio.creditor_id, portfolio__isnull=True
    ).first()
    return found or NegotiationPolicy(creditor_id=portfolio.creditor_id)


def policy_limits(policy: NegotiationPolicy) -> Limits:
    return Limits(
        max_discount_percent=policy.max_discount_percent, max_instalments=policy.max_instalments,
        min_instalment=policy.min_instalment, allow_interest_waiver=policy.allow_interest_waiver,
        allow_fee_waiver=policy.allow_fee_waiver, max_days_to_first_payment=policy.max_days_to_first_payment,
        max_plan_days=policy.max_plan_days, min_down_payment_percent=policy.min_down_payment_percent,
    )


def agent_limits(agent: User, currency: str) -> Limits:
    """The agent's own authority (``AgentProfile``). Supervisors and administrators decide up to
    the creditor's policy; an agent without a profile may only agree the full balance."""
    if agent.is_superuser or agent.role in (Role.SUPERVISOR, Role.ADMIN):
        return Limits(max_discount_percent=Decimal("100"), max_instalments=360, allow_interest_waiver=True,
                      allow_fee_waiver=True)
    profile = AgentProfile.objects.filter(user=agent).first()
    if profile is None:
        return Limits(max_discount_percent=Decimal("0"), max_instalments=1)
    minimum = (profile.min_instalment or {}).get(currency)
    return Limits(
        max_discount_percent=profile.max_discount_percent, max_instalments=profile.max_instalments,
        min_instalment=Decimal(str(minimum)) if minimum not in (None, "") else None,
        allow_interest_waiver=profile.max_discount_percent > 0, allow_fee_waiver=profile.max_discount_percent > 0,
    )


def account_balances(account: Account) -> Balances:
    return Balances(principal=account.principal, interest=account.interest, fees=account.fees,
                    currency=account.currency)


@dataclass(frozen=True)
class OfferAssessment:
    proposal: Proposal
    beyond_policy: list[Violation]  # nobody at the agency may agree this
    beyond_authority: list[Violation]  # a supervisor may

    @property
    def within_authority(self) -> bool:
        return not self.beyond_policy and not self.beyond_authority

    @property
    def needs_approval(self) -> bool:
        return not self.beyond_policy and bool(self.beyond_authority)


def offer_assess(*, agent: User, account: Account, offer: Offer, today: dt.date | None = None) -> OfferAssessment:
    """The schedule the debtor would be shown and how the terms stand against the creditor's
    policy and the agent's authority. Raises ``OfferError`` for terms that make no sense."""
    today = today or timezone.localdate()
    proposal = propose(account_balances(account), offer, today=today)
    beyond_policy = check(proposal, policy_limits(negotiation_policy(account)), today=today)
    policy_codes = {v.code for v in beyond_policy}
    beyond_authority = [v for v in check(proposal, agent_limits(agent, account.currency), today=today)
                        if v.code not in policy_codes]
    return OfferAssessment(proposal, beyond_policy, beyond_authority)


# --------------------------------------------------------------------------------------------
# Agreements
# --------------------------------------------------------------------------------------------


def _plan_create(*, account: Account, proposal: Proposal, agent: User, approved_by: User | None,
                 now: dt.datetime) -> PaymentPlan:
    from acuerda.debts.services import account_transition

    locked = Account.objects.select_for_update().get(pk=account.pk)
    if locked.status not in (AccountStatus.ACTIVE, AccountStatus.IN_ARRANGEMENT):
        raise WorkspaceError(_("An agreement cannot be made on an account that is %(status)s.")
                             % {"status": locked.get_status_display()})
    if account_balances(locked) != proposal.balances:
        raise WorkspaceError(_("The balance changed since the terms were calculated; calculate them again."))
    for old in PaymentPlan.objects.filter(account=locked, status=PlanStatus.ACTIVE):
        old.status = PlanStatus.CANCELLED
        old.ended_at = now
        old.save(update_fields=["status", "ended_at"])
    plan = PaymentPlan.objects.create(
        account=locked, kind=PlanKind.SETTLEMENT if proposal.offer.kind == "settlement" else PlanKind.PLAN,
        currency=locked.currency, balance_at_agreement=proposal.balances.total, total_to_pay=proposal.total_to_pay,
        discount_amount=proposal.discount_amount, waived_interest=proposal.waived_interest,
        waived_fees=proposal.waived_fees, terms=proposal.to_dict(), agreed_at=now, agreed_by=agent,
        approved_by=approved_by,
    )
    Instalment.objects.bulk_create(
        Instalment(plan=plan, number=line.number, due_on=line.due_on, amount=line.amount,
                   is_down_payment=line.is_down_payment)
        for line in proposal.schedule
    )
    PromiseToPay.objects.filter(account=locked, status=PromiseStatus.PENDING).update(
        status=PromiseStatus.CANCELLED, resolved_at=now
    )
    _event(locked, EventKind.PLAN_AGREED, agent, gettext_noop("Payment plan agreed"), data={
        "plan": plan.pk, "kind": plan.kind, "total_to_pay": str(plan.total_to_pay), "currency": plan.currency,
        "instalments": len(proposal.schedule), "first": proposal.schedule[0].due_on.isoformat(),
        "approved_by": approved_by.pk if approved_by else None,
    }, at=now)
    if locked.status == AccountStatus.ACTIVE:
        account_transition(account=locked, to_status=AccountStatus.IN_ARRANGEMENT, actor=agent,
                           reason=gettext_noop("Payment plan agreed"))
    queue_account(locked)
    return plan


@transaction.atomic
def plan_agree(*, agent: User, account: Account, offer: Offer, today: dt.date | None = None) -> PaymentPlan:
    """Agree terms within the agent's authority and the creditor's policy."""
    claim_require(agent=agent, account=account)
    assessment = offer_assess(agent=agent, account=account, offer=offer, today=today)
    if assessment.beyond_policy:
        raise WorkspaceError(" ".join(v.message for v in assessment.beyond_policy))
    if assessment.beyond_authority:
        raise WorkspaceError(_("These terms are beyond your authority; ask a supervisor for approval."))
    return _plan_create(account=account, proposal=assessment.proposal, agent=agent, approved_by=None,
                        now=timezone.now())


@transaction.atomic
def approval_request(*, agent: User, account: Account, offer: Offer, note: str = "",
                     today: dt.date | None = None) -> ApprovalRequest:
    """Ask a supervisor to approve terms beyond the agent's authority (but within the policy)."""
    claim_require(agent=agent, account=account)
    assessment = offer_assess(agent=agent, account=account, offer=offer, today=today)
    if assessment.beyond_policy:
        raise WorkspaceError(" ".join(v.message for v in assessment.beyond_policy))
    if not assessment.beyond_authority:
        raise WorkspaceError(_("These terms are within your authority: agree them directly."))
    now = timezone.now()
    ApprovalRequest.objects.filter(account=account, status__in=(ApprovalStatus.PENDING, ApprovalStatus.COUNTERED)).update(
        status=ApprovalStatus.WITHDRAWN, decided_at=now
    )
    request = ApprovalRequest.objects.create(
        account=account, offer=offer.to_dict(), proposal=assessment.proposal.to_dict(),
        reasons=[{"code": v.code, "message": v.message} for v in assessment.beyond_authority],
        note=note.strip(), requested_by=agent, requested_at=now,
    )
    _event(account, EventKind.APPROVAL, agent, gettext_noop("Approval requested"),
           data={"request": request.pk, "status": request.status}, at=now)
    return request


def _may_decide(supervisor: User, request: ApprovalRequest) -> bool:
    if not (supervisor.is_superuser or supervisor.role in (Role.SUPERVISOR, Role.ADMIN)):
        return False
    return Account.objects.for_user(supervisor).filter(pk=request.account_id).exists()


@transaction.atomic
def approval_decide(*, supervisor: User, request: ApprovalRequest, decision: str, answer: str = "",
                    counter_offer: Offer | None = None, today: dt.date | None = None) -> ApprovalRequest:
    """Approve (the plan is created on the agent's behalf), reject, or counter with other terms
    (the agent then accepts them with the debtor, or not)."""
    request = ApprovalRequest.objects.select_for_update().select_related("account__portfolio", "requested_by").get(
        pk=request.pk
    )
    if not _may_decide(supervisor, request):
        raise WorkspaceError(_("Only a supervisor of the account's team may decide this request."))
    if request.status != ApprovalStatus.PENDING:
        raise WorkspaceError(_("This request was already answered (%(status)s).")
                             % {"status": request.get_status_display()})
    if supervisor.pk == request.requested_by_id and not supervisor.is_superuser:
        raise WorkspaceError(_("Nobody approves their own request."))
    now = timezone.now()
    account = request.account
    if decision == "approve":
        offer = Offer.from_dict(request.offer)
        assessment = offer_assess(agent=supervisor, account=account, offer=offer, today=today)
        if assessment.beyond_policy:
            raise WorkspaceError(" ".join(v.message for v in assessment.beyond_policy))
        request.plan = _plan_create(account=account, proposal=assessment.proposal, agent=request.requested_by,
                                    approved_by=supervisor, now=now)
        request.status = ApprovalStatus.APPROVED
    elif decision == "reject":
        if not answer.strip():
            raise WorkspaceError(_("Say why the request is rejected, so the agent can tell the debtor."))
        request.status = ApprovalStatus.REJECTED
    elif decision == "counter":
        if counter_offer is None:
            raise WorkspaceError(_("A counter-offer needs its terms."))
        assessment = offer_assess(agent=supervisor, account=account, offer=counter_offer, today=today)
        if assessment.beyond_policy:
            raise WorkspaceError(" ".join(v.message for v in assessment.beyond_policy))
        request.counter_offer = counter_offer.to_dict()
        request.status = ApprovalStatus.COUNTERED
    else:
        raise WorkspaceError(_("Unknown decision %(decision)s.") % {"decision": decision})
    request.decided_by = supervisor
    request.decided_at = now
    request.answer = answer.strip()
    request.save()
    _event(account, EventKind.APPROVAL, supervisor, {
        ApprovalStatus.APPROVED: gettext_noop("Approval granted"),
        ApprovalStatus.REJECTED: gettext_noop("Approval rejected"),
        ApprovalStatus.COUNTERED: gettext_noop("Counter-offer made"),
    }[request.status], data={"request": request.pk, "status": request.status, "answer": request.answer}, at=now)
    return request


@transaction.atomic
def approval_accept_counter(*, agent: User, request: ApprovalRequest, today: dt.date | None = None) -> PaymentPlan:
    """The debtor accepted the supervisor's counter-offer: the plan is agreed on those terms."""
    request = ApprovalRequest.objects.select_for_update().select_related("account__portfolio").get(pk=request.pk)
    if request.requested_by_id != agent.pk:
        raise WorkspaceError(_("Only the agent who asked may accept the counter-offer."))
    if request.status != ApprovalStatus.COUNTERED or request.counter_offer is None:
        raise WorkspaceError(_("There is no counter-offer to accept."))
    claim_require(agent=agent, account=request.account)
    offer = Offer.from_dict(request.counter_offer)
    supervisor = request.decided_by
    assert supervisor is not None
    assessment = offer_assess(agent=supervisor, account=request.account, offer=offer, today=today)
    if assessment.beyond_policy:
        raise WorkspaceError(" ".join(v.message for v in assessment.beyond_policy))
    now = timezone.now()
    request.plan = _plan_create(account=request.account, proposal=assessment.proposal, agent=agent,
                                approved_by=supervisor, now=now)
    request.status = ApprovalStatus.ACCEPTED
    request.save(update_fields=["plan", "status"])
    return request.plan


@transaction.atomic
def promise_register(*, agent: User, account: Account, amount: Decimal, due_on: dt.date,
                     interaction: Interaction | None = None, now: dt.datetime | None = None) -> PromiseToPay:
    """Take the debtor's promise to pay ``amount`` by ``due_on`` (grace days per the policy). A new
    promise replaces a pending one; the account waits out of the queue until it falls due."""
    now = now or timezone.now()
    claim_require(agent=agent, account=account, now=now)
    policy = negotiation_policy(account)
    today = timezone.localdate(now)
    errors: dict[str, list[str]] = {}
    if amount <= 0:
        errors.setdefault("amount", []).append(_("The promised amount must be more than zero."))
    elif amount > account.balance.amount:
        errors.setdefault("amount", []).append(
            _("The promise (%(amount)s) is more than the balance (%(balance)s).")
            % {"amount": amount, "balance": account.balance.amount})
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        errors.setdefault("amount", []).append(_("Too many decimals."))
    if due_on < today:
        errors.setdefault("due_on", []).append(_("The date is in the past."))
    elif (due_on - today).days > policy.max_promise_days:
        errors.setdefault("due_on", []).append(
            _("The creditor accepts promises at most %(days)s days ahead.") % {"days": policy.max_promise_days})
    if account.status not in (AccountStatus.ACTIVE, AccountStatus.IN_ARRANGEMENT):
        errors.setdefault("__all__", []).append(_("A promise cannot be taken on an account that is %(status)s.")
                                                % {"status": account.get_status_display()})
    if errors:
        raise ValidationError(errors)
    PromiseToPay.objects.filter(account=account, status=PromiseStatus.PENDING).update(
        status=PromiseStatus.CANCELLED, resolved_at=now
    )
    PromiseToPay.objects.filter(account=account, followed_up_at__isnull=True,
                                status__in=(PromiseStatus.BROKEN, PromiseStatus.PARTIALLY_KEPT)).update(followed_up_at=now)
    promise = PromiseToPay.objects.create(
        account=account, amount=amount, currency=account.currency, due_on=due_on, grace_days=policy.promise_grace_days,
        made_at=now, made_by=agent, interaction=interaction,
    )
    _event(account, EventKind.PROMISE_MADE, agent, gettext_noop("Promise to pay"), data={
        "promise": promise.pk, "amount": str(amount), "currency": account.currency, "due_on": due_on.isoformat(),
        "grace_days": promise.grace_days,
    }, at=now)
    hold_until = timezone.make_aware(dt.datetime.combine(due_on + dt.timedelta(days=promise.grace_days + 1), dt.time(8)))
    queue_account(account, not_before=hold_until)
    return promise


def callback_slot(*, account: Account, at: dt.datetime, contact_point: ContactPoint | None = None) -> dt.datetime | None:
    """The first moment from ``at`` at which the gate would allow the call (``at`` itself when
    it does); None when it never will (a cease request...)."""
    from acuerda.compliance.services import contact_preview

    decision = contact_preview(account=account, channels=["call"], at=at, contact_point=contact_point)["call"]
    return at if decision.allowed else decision.next_allowed_at


@transaction.atomic
def callback_schedule(*, agent: User, account: Account, due_at: dt.datetime, contact_point: ContactPoint | None = None,
                      note: str = "", assign_to_me: bool = True, now: dt.datetime | None = None) -> Callback:
    """Schedule a call at a time the gate allows (it is asked again when the call is made)."""
    now = now or timezone.now()
    claim_require(agent=agent, account=account, now=now)
    if timezone.is_naive(due_at):
        raise ValidationError({"due_at": _("The time needs a time zone.")})
    if due_at < now - dt.timedelta(minutes=1):
        raise ValidationError({"due_at": _("The time is in the past.")})
    slot = callback_slot(account=account, at=due_at, contact_point=contact_point)
    if slot != due_at:
        local = timezone.localtime(slot).strftime("%d/%m/%Y %H:%M") if slot else None
        raise ValidationError({"due_at": _("The compliance gate does not allow a call then; the next allowed time is %(slot)s.")
                               % {"slot": local} if local else _("The compliance gate does not allow calls on this account.")})
    callback = Callback.objects.create(
        account=account, contact_point=contact_point, due_at=due_at, assigned_to=agent if assign_to_me else None,
        note=note.strip()[:255], created_at=now, created_by=agent,
    )
    _event(account, EventKind.CALLBACK_SCHEDULED, agent, gettext_noop("Callback scheduled"),
           data={"callback": callback.pk, "due_at": due_at.isoformat()}, at=now)
    queue_account(account, not_before=due_at)
    return callback


# --------------------------------------------------------------------------------------------
# Interactions
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PromiseTerms:
    amount: Decimal
    due_on: dt.date


def _party_debtor(account: Account, party_reached: str, contact_point: ContactPoint | None) -> Debtor:
    if contact_point is not None:
        return contact_point.debtor
    return account.debtor


@transaction.atomic
def interaction_record(
    *, agent: User, account: Account, channel: str, disposition: Disposition, party_reached: str = "",
    contact_point: ContactPoint | None = None, direction: str = Direction.OUTBOUND, note: str = "",
    decision: ContactDecision | None = None, promise: PromiseTerms | None = None,
    callback_at: dt.datetime | None = None, now: dt.datetime | None = None,
) -> Interaction:
    """Record one contact with its disposition. An outbound contact goes into the compliance
    contact ledger under the gate's decision (the one the agent got when dialling, or one asked
    now); the disposition's effect follows (wrong number, opt-out, promise, callback...)."""
    from acuerda.compliance.services import ComplianceError, contact_attempt_record, contact_check
    from acuerda.debtors.services import consent_record, contact_point_set_status

    now = now or timezone.now()
    claim_require(agent=agent, account=account, now=now)
    errors: dict[str, list[str]] = {}
    if disposition.creditor_id not in (None, account.portfolio.creditor_id):
        errors.setdefault("disposition", []).append(_("That disposition belongs to another creditor."))
    elif not disposition.applies_to(channel):
        errors.setdefault("disposition", []).append(_("That disposition does not apply to this channel."))
    party_reached = disposition.party_reached or party_reached
    if party_reached not in PartyReached.values:
        errors.setdefault("party_reached", []).append(_("Say who was reached."))
    if contact_point is not None and contact_point.debtor_id not in _account_party_ids(account):
        errors.setdefault("contact_point", []).append(_("That contact point is not one of this account's parties."))
    effect = disposition.effect
    if effect in (DispositionEffect.WRONG_NUMBER, DispositionEffect.OPT_OUT) and contact_point is None:
        errors.setdefault("contact_point", []).append(_("Choose the contact point this applies to."))
    if effect == DispositionEffect.PROMISE and promise is None:
        errors.setdefault("promise_amount", []).append(_("A promise needs its amount and date."))
    if effect == DispositionEffect.CALLBACK and callback_at is None:
        errors.setdefault("callback_at", []).append(_("A callback needs its time."))
    if errors:
        raise ValidationError(errors)

    attempt = None
    if direction == Direction.OUTBOUND:
        try:
            if decision is None:
                decision = contact_check(account=account, channel=channel, at=now, contact_point=contact_point,
                                         actor=agent)
            elif (decision.account_id != account.pk or decision.channel != channel
                  or decision.actor_id != agent.pk
                  or (contact_point is not None and decision.contact_point_id not in (None, contact_point.pk))):
                raise ComplianceError(_("That gate decision was for another contact."))
            elif now - decision.for_moment > MAX_RECORDING_DELAY:
                raise ComplianceError(_("The gate cleared that call more than two hours ago; record it as a new "
                                        "contact."))
            if not decision.allowed:
                key = "reason_en" if _is_english() else "reason_es"
                reasons = "; ".join(str(b.get(key) or b.get("rule", "")) for b in decision.blocked_by)
                raise ComplianceError(_("The compliance gate blocks this contact now: %(reasons)s") % {"reasons": reasons})
            attempt = contact_attempt_record(decision=decision, outcome=disposition.outcome, at=decision.for_moment,
                                             actor=agent, note=note.strip())
        except ComplianceError as exc:
            raise ValidationError({"__all__": [str(exc)]}) from exc
    interaction = Interaction.objects.create(
        account=account, debtor=_party_debtor(account, party_reached, contact_point), contact_point=contact_point,
        channel=channel, direction=direction, party_reached=party_reached, disposition=disposition,
        note=note.strip(), at=attempt.at if attempt else now, agent=agent, attempt=attempt,
    )
    evidence = f"Interaction #{interaction.pk}"
    if effect == DispositionEffect.WRONG_NUMBER and contact_point is not None:
        contact_point_set_status(contact_point=contact_point, status=ContactStatus.WRONG_NUMBER, actor=agent)
    elif effect == DispositionEffect.OPT_OUT and contact_point is not None:
        consent_record(contact_point=contact_point, channel=channel, granted=False, evidence=evidence, actor=agent,
                       recorded_at=now)
    elif effect == DispositionEffect.PROMISE and promise is not None:
        promise_register(agent=agent, account=account, amount=promise.amount, due_on=promise.due_on,
                         interaction=interaction, now=now)
    elif effect == DispositionEffect.CALLBACK and callback_at is not None:
        callback_schedule(agent=agent, account=account, due_at=callback_at, contact_point=contact_point,
                          note=note, now=now)
    elif effect == DispositionEffect.DISPUTE:
        _dispute(account, agent, interaction)
    elif effect == DispositionEffect.DECEASED:
        _deceased(account, agent, interaction)
    _close_due_callbacks(account, agent, now)
    # Whatever came of it, a broken promise has now been followed up: from here on the account
    # takes its turn by priority instead of coming back first after every hold.
    PromiseToPay.objects.filter(account=account, followed_up_at__isnull=True,
                                status__in=(PromiseStatus.BROKEN, PromiseStatus.PARTIALLY_KEPT)).update(followed_up_at=now)
    if effect not in (DispositionEffect.PROMISE, DispositionEffect.CALLBACK):
        retry = RETRY_AFTER_NO_CONTACT if disposition.outcome in _NO_CONTACT_OUTCOMES else RETRY_AFTER_CONVERSATION
        account.refresh_from_db(fields=["status"])
        queue_account(account, not_before=now + retry)
    return interaction


def _is_english() -> bool:
    from django.utils import translation

    return (translation.get_language() or "es").startswith("en")


def _account_party_ids(account: Account) -> set[int]:
    return {account.debtor_id, *account.parties.values_list("debtor_id", flat=True)}


def _dispute(account: Account, agent: User, interaction: Interaction) -> None:
    from acuerda.compliance.services import account_restriction_set
    from acuerda.debts.choices import ACCOUNT_TRANSITIONS
    from acuerda.debts.services import account_transition

    account_restriction_set(account=account, actor=agent, dispute_open=True)
    if AccountStatus.DISPUTED in ACCOUNT_TRANSITIONS[account.status]:
        account_transition(account=account, to_status=AccountStatus.DISPUTED, actor=agent,
                           reason=gettext_noop("Disputed by the debtor"))


def _deceased(account: Account, agent: User, interaction: Interaction) -> None:
    from acuerda.debts.choices import ACCOUNT_TRANSITIONS
    from acuerda.debts.services import account_transition

    if AccountStatus.ON_HOLD in ACCOUNT_TRANSITIONS[account.status]:
        account_transition(account=account, to_status=AccountStatus.ON_HOLD, actor=agent,
                           reason=gettext_noop("Debtor reported deceased; verify before any contact"))


def _close_due_callbacks(account: Account, agent: User, now: dt.datetime) -> None:
    Callback.objects.filter(account=account, status=CallbackStatus.PENDING, due_at__lte=now + dt.timedelta(minutes=30)).update(
        status=CallbackStatus.DONE, done_at=now
    )


# --------------------------------------------------------------------------------------------
# Leads
# --------------------------------------------------------------------------------------------

LEAD_STATUSES = frozenset({AccountStatus.PAID, AccountStatus.SETTLED, AccountStatus.IN_ARRANGEMENT, AccountStatus.ACTIVE})


def good_payer(account: Account) -> bool:
    """A debtor who pays what they agree: the account paid or settled, or a promise kept, or a
    plan with an instalment paid and none missed — and no promise broken since the last one kept."""
    if account.status in (AccountStatus.PAID, AccountStatus.SETTLED):
        return True
    promises = PromiseToPay.objects.filter(account=account)
    last_kept = promises.filter(status=PromiseStatus.KEPT).order_by("-resolved_at").values_list(
        "resolved_at", flat=True).first()
    broken = promises.filter(status__in=(PromiseStatus.BROKEN, PromiseStatus.PARTIALLY_KEPT))
    if last_kept is not None and not broken.filter(resolved_at__gt=last_kept).exists():
        return True
    plans = PaymentPlan.objects.filter(account=account, status__in=(PlanStatus.ACTIVE, PlanStatus.COMPLETED))
    return Instalment.objects.filter(plan__in=plans, status=InstalmentStatus.PAID).exists() and not \
        Instalment.objects.filter(plan__in=plans, status=InstalmentStatus.MISSED).exists()


@transaction.atomic
def lead_mark(*, agent: User, account: Account, consent_evidence: str, contact_point: ContactPoint | None = None,
              note: str = "") -> Lead:
    """Mark a good payer (``good_payer``) as a lead for the creditor's sales team. Only with the
    debtor's consent to be contacted for that (a commercial purpose, GDPR art. 6.1.a), and not for
    debtors in a dispute, on hold, or flagged vulnerable."""
    claim_require(agent=agent, account=account)
    errors: dict[str, list[str]] = {}
    if not consent_evidence.strip():
        errors.setdefault("consent_evidence", []).append(
            _("Record how the debtor agreed to be contacted by the creditor's sales team."))
    if account.status not in LEAD_STATUSES:
        errors.setdefault("__all__", []).append(_("Only accounts in good standing make leads."))
    elif not good_payer(account):
        errors.setdefault("__all__", []).append(_(
            "Only good payers make leads: the account paid, a promise kept, or a plan being paid on time."))
    if account.debtor.is_vulnerable:
        errors.setdefault("__all__", []).append(_("Vulnerable debtors are not offered as sales leads."))
    if contact_point is not None and contact_point.debtor_id != account.debtor_id:
        errors.setdefault("contact_point", []).append(_("That contact point is not the debtor's."))
    if Lead.objects.filter(account=account).exists():
        errors.setdefault("__all__", []).append(_("This account is already a lead."))
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    lead = Lead.objects.create(account=account, debtor=account.debtor, contact_point=contact_point,
                               note=note.strip()[:255], consent_evidence=consent_evidence.strip()[:255],
                               marked_by=agent, marked_at=now)
    _event(account, EventKind.LEAD_MARKED, agent, gettext_noop("Cross-sell lead"), data={"lead": lead.pk}, at=now)
    return lead


__all__ = [
    "OfferAssessment", "OfferError", "PromiseTerms", "WorkspaceError", "account_balances", "agent_limits",
    "approval_accept_counter", "approval_decide", "approval_request", "callback_schedule", "callback_slot",
    "interaction_record", "lead_mark", "negotiation_policy", "offer_assess", "plan_agree", "policy_limits",
    "promise_register",
]
