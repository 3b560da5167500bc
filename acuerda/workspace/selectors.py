"""Reads for the workspace: the debtor's 360° view and its timeline, in a bounded number of
queries whatever the length of the history (a test pins the count)."""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from acuerda.agreements.choices import PlanStatus, PromiseStatus
from acuerda.agreements.models import PaymentPlan, PromiseToPay
from acuerda.compliance.models import ContactAttempt
from acuerda.debtors.choices import Channel
from acuerda.debtors.models import ContactPoint, Debtor
from acuerda.debts.choices import EntryKind, EventKind
from acuerda.debts.models import Account, AccountEvent
from acuerda.people.models import User
from acuerda.workspace.catalogue import disposition_label
from acuerda.workspace.choices import APPROVAL_OPEN, CallbackStatus, Direction
from acuerda.workspace.models import ApprovalRequest, Callback, Interaction

TIMELINE_PAGE = 25

_CHANNEL_CATEGORY: dict[str, str] = {Channel.CALL: "call", Channel.SMS: "message", Channel.WHATSAPP: "message",
                     Channel.EMAIL: "message", Channel.LETTER: "letter", Channel.VISIT: "visit"}
_EVENT_CATEGORY: dict[str, str] = {
    EventKind.PLACED: "status", EventKind.STATUS_CHANGED: "status", EventKind.LEDGER_POSTED: "money",
    EventKind.LEDGER_REVERSED: "money", EventKind.PARTY_ADDED: "status", EventKind.NOTE: "note",
    EventKind.PROMISE_MADE: "promise", EventKind.PROMISE_RESOLVED: "promise", EventKind.PLAN_AGREED: "plan",
    EventKind.CALLBACK_SCHEDULED: "callback", EventKind.APPROVAL: "plan", EventKind.LEAD_MARKED: "note",
}


@dataclass(frozen=True)
class TimelineItem:
    at: dt.datetime
    order: int  # ties: the newer row first
    category: str  # call, message, letter, visit, money, promise, plan, callback, note, status
    title: str
    detail: str
    actor: str
    account: str

    def sort_key(self) -> tuple[dt.datetime, int]:
        return (self.at, self.order)


def _actor(user: User | None) -> str:
    if user is None:
        return _("system")
    return user.get_full_name() or user.username


def _money(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return f"{value} {data.get('currency', '')}".strip() if value not in (None, "") else ""


def _event_item(event: AccountEvent) -> TimelineItem:
    data = event.data or {}
    title = event.get_kind_display()
    detail = _(event.reason) if event.reason else ""
    if event.kind == EventKind.STATUS_CHANGED:
        title = f"{title}: {event.from_status_label or '—'} → {event.to_status_label}"
    elif event.kind in (EventKind.LEDGER_POSTED, EventKind.LEDGER_REVERSED) and "kind" in data:
        total = sum(Decimal(data.get(k, "0")) for k in ("principal", "interest", "fees"))
        title = f"{EntryKind(data['kind']).label}: {total} {event.account.currency}"
    elif event.kind == EventKind.PROMISE_MADE:
        title = _("Promise to pay %(amount)s by %(date)s") % {"amount": _money(data, "amount"),
                                                              "date": data.get("due_on", "")}
    elif event.kind == EventKind.PROMISE_RESOLVED:
        detail = f"{detail} ({_('paid')} {_money(data, 'paid')} / {_money(data, 'amount')})"
    elif event.kind == EventKind.PLAN_AGREED:
        title = _("Agreement: %(total)s in %(n)s payment(s) from %(first)s") % {
            "total": _money(data, "total_to_pay"), "n": data.get("instalments", ""), "first": data.get("first", "")}
    elif event.kind == EventKind.CALLBACK_SCHEDULED and data.get("due_at"):
        moment = timezone.localtime(dt.datetime.fromisoformat(data["due_at"]))
        title = _("Callback scheduled for %(moment)s") % {"moment": moment.strftime("%d/%m/%Y %H:%M")}
    elif event.kind == EventKind.APPROVAL and data.get("answer"):
        detail = f"{detail}: {data['answer']}"
    return TimelineItem(at=event.at, order=event.pk, category=_EVENT_CATEGORY.get(event.kind, "note"), title=title,
                        detail=detail, actor=_actor(event.actor), account=event.account.creditor_reference)


def _attempt_item(attempt: ContactAttempt) -> TimelineItem:
    interaction: Interaction | None = getattr(attempt, "interaction", None)
    title = f"{attempt.get_channel_display()} · "
    title += disposition_label(interaction.disposition) if interaction else attempt.get_outcome_display()
    detail = (interaction.note if interaction else attempt.note) or ""
    return TimelineItem(at=attempt.at, order=attempt.pk, category=_CHANNEL_CATEGORY.get(attempt.channel, "call"),
                        title=title, detail=detail, actor=_actor(attempt.actor), account=attempt.account.creditor_reference)


def _inbound_item(interaction: Interaction) -> TimelineItem:
    title = f"{interaction.get_channel_display()} ({_('inbound')}) · {disposition_label(interaction.disposition)}"
    return TimelineItem(at=interaction.at, order=interaction.pk, category=_CHANNEL_CATEGORY.get(interaction.channel, "call"),
                        title=title, detail=interaction.note, actor=_actor(interaction.agent),
                        account=interaction.account.creditor_reference)


@dataclass(frozen=True)
class TimelinePage:
    items: list[TimelineItem]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def debtor_timeline(*, account_ids: Iterable[int], page: int = 1, per_page: int = TIMELINE_PAGE) -> TimelinePage:
    """Everything that happened on these accounts, newest first: calls, messages, letters,
    visits, payments, promises, plans, notes and status changes. Three queries per page."""
    ids = list(account_ids)
    page = max(1, page)
    wanted = page * per_page + 1
    events = AccountEvent.objects.filter(account_id__in=ids).select_related("actor", "account").order_by("-at", "-pk")
    attempts = (ContactAttempt.objects.filter(account_id__in=ids)
                .select_related("actor", "account", "interaction__disposition").order_by("-at", "-pk"))
    inbound = (Interaction.objects.filter(account_id__in=ids, direction=Direction.INBOUND)
               .select_related("agent", "account", "disposition").order_by("-at", "-pk"))
    streams: list[Iterator[TimelineItem]] = [
        (_event_item(e) for e in events[:wanted]),
        (_attempt_item(a) for a in attempts[:wanted]),
        (_inbound_item(i) for i in inbound[:wanted]),
    ]
    merged = list(heapq.merge(*streams, key=TimelineItem.sort_key, reverse=True))
    start = (page - 1) * per_page
    return TimelinePage(items=merged[start:start + per_page], number=page, has_next=len(merged) > start + per_page)


@dataclass
class ChannelStatus:
    channel: str
    label: str
    allowed: bool
    reasons: list[str] = field(default_factory=list)
    next_allowed_at: dt.datetime | None = None


def compliance_now(*, account: Account, at: dt.datetime | None = None, english: bool = False) -> list[ChannelStatus]:
    """Which channels the gate would allow right now for the account's debtor, and why not."""
    from acuerda.compliance.services import ComplianceError, contact_preview

    try:
        decisions = contact_preview(account=account, at=at)
    except ComplianceError as exc:
        return [ChannelStatus(c.value, str(c.label), False, [str(exc)]) for c in Channel]
    result = []
    for channel in Channel:
        decision = decisions[channel.value]
        reasons = [b.reason_en if english else b.reason_es for b in decision.blocked_by]
        result.append(ChannelStatus(channel.value, str(channel.label), decision.allowed, reasons,
                                    decision.next_allowed_at))
    return result


def debtor_accounts_for(*, debtor: Debtor, user: User) -> QuerySet[Account]:
    """The accounts the user may see that the debtor holds, co-signs or guarantees, with their
    contact restrictions (flags shown in the header)."""
    from acuerda.debtors.selectors import debtor_accounts

    return debtor_accounts(debtor=debtor, user=user).select_related("restriction")


def contact_points_for(debtor: Debtor) -> list[ContactPoint]:
    return list(debtor.contact_points.order_by("kind", "-is_primary", "pk"))


def agreements_for(account_ids: list[int]) -> dict[str, Any]:
    """The promises pending, plans in force, callbacks pending and open approval requests."""
    return {
        "promises": list(PromiseToPay.objects.filter(account_id__in=account_ids, status=PromiseStatus.PENDING)
                         .select_related("account").order_by("due_on")),
        "plans": list(PaymentPlan.objects.filter(account_id__in=account_ids, status=PlanStatus.ACTIVE)
                      .select_related("account").prefetch_related("instalments")),
        "callbacks": list(Callback.objects.filter(account_id__in=account_ids, status=CallbackStatus.PENDING)
                          .select_related("account").order_by("due_at")),
        "approvals": list(ApprovalRequest.objects.filter(account_id__in=account_ids, status__in=APPROVAL_OPEN)
                          .select_related("account", "requested_by").order_by("-requested_at")),
    }
