"""The work queue: which account an agent gets next, and the claim that keeps it theirs.

Order: the agent's due callbacks (and unassigned ones of their teams), then broken promises not
yet followed up, then queued accounts by priority (``WorkPriorityRule``: balance points x days
past due x bucket weight, per creditor, rebuilt by ``queue_refresh``). Only the agent's teams'
portfolios, only accounts their skills fit (bucket, sector, language) and only when the
compliance gate allows a call now. A candidate the gate blocks is held back until the gate's
next allowed time.

**Claims.** ``WorkClaim`` has one row per account and one per agent, both unique in the
database: two agents racing for the same account cannot both insert, so the loser moves on to
the next candidate. Claims expire (``CLAIM_TTL`` after the agent's last action) so an abandoned
screen frees its account.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from acuerda.agreements.choices import PromiseStatus
from acuerda.agreements.models import PromiseToPay
from acuerda.creditors.buckets import DelinquencyBuckets
from acuerda.creditors.models import Creditor
from acuerda.debts.choices import AccountStatus
from acuerda.debts.models import Account
from acuerda.people.choices import Role
from acuerda.people.models import AgentProfile, User
from acuerda.people.scoping import visible_portfolio_ids
from acuerda.workspace.choices import CallbackStatus
from acuerda.workspace.models import Callback, QueueItem, WorkClaim, WorkPriorityRule

CLAIM_TTL = dt.timedelta(minutes=20)
CANDIDATE_BATCH = 25
MAX_GATE_CHECKS = 60  # per "next account": beyond that the agent is told nothing is workable now
HOLD_WHEN_NEVER = dt.timedelta(days=1)  # the gate gave no next time: look again tomorrow
WORKABLE_STATUSES = (AccountStatus.ACTIVE,)

# One point of balance per currency by default, so creditors in different currencies compare.
DEFAULT_BALANCE_UNITS = {"COP": Decimal("4000"), "CLP": Decimal("1000"), "ARS": Decimal("1000"),
                         "MXN": Decimal("20"), "PEN": Decimal("4")}


class WorkspaceError(ValueError):
    """An action the workspace refuses; ``str()`` says why, in the user's language."""


@dataclass(frozen=True)
class Assignment:
    account: Account
    reason: str  # "callback", "broken_promise", "priority", "claimed"
    callback: Callback | None = None
    promise: PromiseToPay | None = None


# --------------------------------------------------------------------------------------------
# Claims
# --------------------------------------------------------------------------------------------


def may_work(user: User) -> bool:
    return bool((user.is_active and user.role in (Role.AGENT, Role.SUPERVISOR)) or user.is_superuser)


def _active_claims(now: dt.datetime) -> QuerySet[WorkClaim]:
    return WorkClaim.objects.filter(expires_at__gt=now)


def claim_holder(account: Account, *, now: dt.datetime | None = None) -> WorkClaim | None:
    return _active_claims(now or timezone.now()).filter(account=account).select_related("agent").first()


def _try_claim(agent: User, account_id: int, now: dt.datetime) -> bool:
    """Claim the account for the agent (releasing the agent's other claim); False when another
    agent holds it, and then the agent keeps the claim they had. The unique constraints decide
    races."""
    with transaction.atomic():
        WorkClaim.objects.filter(account_id=account_id, expires_at__lte=now).exclude(agent=agent).delete()
        mine = WorkClaim.objects.filter(account_id=account_id, agent=agent).update(expires_at=now + CLAIM_TTL)
        if mine:
            return True
        try:
            with transaction.atomic():  # the old claim goes only if the new one is taken
                WorkClaim.objects.filter(agent=agent).delete()
                WorkClaim.objects.create(account_id=account_id, agent=agent, claimed_at=now, expires_at=now + CLAIM_TTL)
        except IntegrityError:
            return False
    return True


def account_claim(*, agent: User, account: Account, now: dt.datetime | None = None) -> WorkClaim:
    """Open an account to work it (from search or a link): claimed unless someone else works it."""
    now = now or timezone.now()
    if not may_work(agent):
        raise WorkspaceError(_("Only agents and supervisors work accounts."))
    if not _try_claim(agent, account.pk, now):
        holder = claim_holder(account, now=now)
        name = holder.agent.get_full_name() or holder.agent.username if holder else "?"
        raise WorkspaceError(_("%(agent)s is working this account right now.") % {"agent": name})
    return WorkClaim.objects.get(agent=agent)


def claim_require(*, agent: User, account: Account, now: dt.datetime | None = None) -> None:
    """Writes on an account need the agent's claim; each one extends it."""
    now = now or timezone.now()
    extended = WorkClaim.objects.filter(agent=agent, account=account, expires_at__gt=now).update(
        expires_at=now + CLAIM_TTL)
    if not extended:  # expired or never held: take it again if it is free, else refuse
        account_claim(agent=agent, account=account, now=now)


def claim_release(*, agent: User) -> None:
    WorkClaim.objects.filter(agent=agent).delete()


# --------------------------------------------------------------------------------------------
# Picking the next account
# --------------------------------------------------------------------------------------------


def _portfolio_ids(agent: User) -> list[int]:
    ids = visible_portfolio_ids(agent)
    from acuerda.portfolios.models import Portfolio

    portfolios = Portfolio.objects.all() if ids is None else Portfolio.objects.filter(pk__in=ids)
    return list(portfolios.filter(status="active").values_list("pk", flat=True))


@dataclass(frozen=True)
class _Skills:
    portfolios: list[int]  # the agent's portfolios of the sectors they work
    buckets: list[str]  # empty: any
    languages: list[str]  # empty: any


def _skills(profile: AgentProfile | None, portfolios: list[int]) -> _Skills:
    """The agent's skills (``AgentProfile``); empty skills mean any."""
    from acuerda.portfolios.models import Portfolio

    if profile is None:
        return _Skills(portfolios, [], [])
    if profile.skill_sectors:
        portfolios = list(Portfolio.objects.filter(pk__in=portfolios, creditor__sector__in=profile.skill_sectors)
                          .values_list("pk", flat=True))
    languages = sorted({code.split("-")[0].lower()[:8] for code in profile.languages or []})
    return _Skills(portfolios, list(profile.skill_buckets or []), languages)


def _gate_allows_call(account: Account, agent: User, now: dt.datetime) -> tuple[bool, dt.datetime | None]:
    from acuerda.compliance.services import ComplianceError, contact_check

    try:
        decision = contact_check(account=account, channel="call", at=now, actor=agent)
    except ComplianceError:
        return False, None
    return decision.allowed, decision.next_allowed_at


def _hold(account_id: int, until: dt.datetime) -> None:
    """Keep the account out of "next account" until ``until`` (its callbacks and broken
    promises too: the gate would only say no again)."""
    updated = QueueItem.objects.filter(account_id=account_id).update(not_before=until, updated_at=timezone.now())
    if not updated:
        account = Account.objects.filter(pk=account_id, status__in=WORKABLE_STATUSES).first()
        if account is not None:
            queue_account(account, not_before=until)


def _queue_streams(skills: _Skills, claimed: Exists, now: dt.datetime) -> Iterator[int]:
    """Account ids of the queue within the skills, highest priority first. One index range per
    portfolio (and bucket, when the agent has bucket skills), read in index order and merged
    here: no query sorts a portfolio, and only ids cross until an account is chosen."""
    base = (QueueItem.objects.filter(account__status__in=WORKABLE_STATUSES)
            .filter(Q(not_before__isnull=True) | Q(not_before__lte=now)).exclude(claimed))
    if skills.languages:
        base = base.filter(language__in=skills.languages)
    ranges = [Q(portfolio_id=p, bucket=b) for p in skills.portfolios for b in skills.buckets] if skills.buckets \
        else [Q(portfolio_id=p) for p in skills.portfolios]

    def stream(condition: Q) -> Iterator[tuple[int, int]]:
        queue = base.filter(condition).order_by("-priority", "account_id").values_list("priority", "account_id")
        after: Q | None = None
        size = 4  # most calls take the first rows of a few ranges
        while True:  # keyset pages
            batch = list((queue.filter(after) if after is not None else queue)[:size])
            yield from batch
            if len(batch) < size:
                return
            priority, account_id = batch[-1]
            after = Q(priority__lt=priority) | Q(priority=priority, account_id__gt=account_id)
            size = CANDIDATE_BATCH

    for _priority, account_id in heapq.merge(*(stream(c) for c in ranges), key=lambda row: (-row[0], row[1])):
        yield account_id


def _candidates(agent: User, portfolios: list[int], skills: _Skills,
                now: dt.datetime) -> Iterator[tuple[Account, str, Any]]:
    """Callbacks and broken promises of all the agent's portfolios; then the queue, within the
    agent's skills, by priority."""
    others = _active_claims(now).exclude(agent=agent)
    claimed = Exists(others.filter(account_id=OuterRef("account_id")))
    related = ("account__portfolio__creditor", "account__debtor")
    held = Q(account__queue_item__not_before__gt=now)  # the gate said "not now" a moment ago
    # The agent's own callbacks in any of their portfolios; the team's unassigned ones, like
    # broken promises, only where the agent's sector skills fit. Only workable accounts: the
    # gate's "not now" is held on their queue item, so it is asked once, not at every call.
    callbacks = (
        Callback.objects.filter(status=CallbackStatus.PENDING, due_at__lte=now, account__portfolio_id__in=portfolios,
                                account__status__in=WORKABLE_STATUSES)
        .filter(Q(assigned_to=agent) | Q(assigned_to__isnull=True, account__portfolio_id__in=skills.portfolios))
        .exclude(claimed).exclude(held).select_related(*related).order_by("due_at")[:CANDIDATE_BATCH]
    )
    for callback in callbacks:
        yield callback.account, "callback", callback
    promises = (
        PromiseToPay.objects.filter(status__in=(PromiseStatus.BROKEN, PromiseStatus.PARTIALLY_KEPT),
                                    followed_up_at__isnull=True, account__portfolio_id__in=skills.portfolios,
                                    account__status__in=WORKABLE_STATUSES)
        .exclude(claimed).exclude(held).select_related(*related).order_by("resolved_at")[:CANDIDATE_BATCH]
    )
    for promise in promises:
        yield promise.account, "broken_promise", promise
    accounts = Account.objects.select_related(*(name.removeprefix("account__") for name in related))
    for account_id in _queue_streams(skills, claimed, now):
        account = accounts.filter(pk=account_id).first()
        if account is not None:
            yield account, "priority", None


def next_account(*, agent: User, now: dt.datetime | None = None) -> Assignment | None:
    """Claim and return the agent's next account, or None when nothing is workable now."""
    now = now or timezone.now()
    if not may_work(agent):
        raise WorkspaceError(_("Only agents and supervisors work accounts."))
    claim_release(agent=agent)
    portfolios = _portfolio_ids(agent)
    if not portfolios:
        return None
    skills = _skills(AgentProfile.objects.filter(user=agent).first(), portfolios)
    checks = 0
    tried: set[int] = set()
    for account, reason, source in _candidates(agent, portfolios, skills, now):
        if account.pk in tried:
            continue
        tried.add(account.pk)
        if not _try_claim(agent, account.pk, now):
            continue  # another agent took it a moment ago
        allowed, next_at = _gate_allows_call(account, agent, now)
        checks += 1
        if allowed:
            return Assignment(
                account=account, reason=reason,
                callback=source if reason == "callback" else None,
                promise=source if reason == "broken_promise" else None,
            )
        claim_release(agent=agent)
        _hold(account.pk, next_at or now + HOLD_WHEN_NEVER)
        if checks >= MAX_GATE_CHECKS:
            break
    return None


# --------------------------------------------------------------------------------------------
# Rebuilding the queue
# --------------------------------------------------------------------------------------------


def _dpd_sql(vendor: str) -> str:
    if vendor == "postgresql":
        return "GREATEST(0, COALESCE(%s::date - a.first_unpaid_due_on, 0))"
    return "MAX(0, COALESCE(CAST(julianday(%s) - julianday(a.first_unpaid_due_on) AS INTEGER), 0))"


def _priority_sql(rule: WorkPriorityRule | None, creditor: Creditor, today: dt.date) -> tuple[str, list[Any]]:
    """The SQL expression of an account's priority under the creditor's rule, and its params."""
    unit = rule.balance_unit if rule else DEFAULT_BALANCE_UNITS.get(creditor.default_currency, Decimal("1"))
    cap = rule.max_days if rule else 720
    weight = rule.weight if rule else Decimal("1")
    weights = rule.bucket_weights if rule else {}
    dpd = _dpd_sql(connection.vendor)
    num = "NUMERIC" if connection.vendor == "postgresql" else "REAL"
    params: list[Any] = [today.isoformat()]
    bucket_case = f"CAST(1 AS {num})"
    if weights:
        buckets = DelinquencyBuckets.from_edges(creditor.bucket_edges)
        whens = []
        for label in buckets.labels():
            if label not in weights:
                continue
            earliest, latest = buckets.due_date_range(label, today=today)
            conditions = ["a.first_unpaid_due_on IS NULL"] if latest is None else []
            bounds = []
            if earliest is not None:
                bounds.append("a.first_unpaid_due_on >= %s")
                params.append(earliest.isoformat())
            if latest is not None:
                bounds.append("a.first_unpaid_due_on <= %s")
                params.append(latest.isoformat())
            if bounds:
                conditions.append(" AND ".join(bounds))
            whens.append(f"WHEN ({' OR '.join(conditions)}) THEN CAST(%s AS {num})")
            params.append(str(Decimal(str(weights[label]))))
        if whens:
            bucket_case = f"CASE {' '.join(whens)} ELSE CAST(1 AS {num}) END"
    product = (
        f"(a.principal + a.interest + a.fees) / CAST(%s AS {num}) * "
        f"(CASE WHEN {dpd} > %s THEN %s ELSE {dpd} END) * {bucket_case} * CAST(%s AS {num})"
    )
    # Whole points, truncated alike on both databases (PostgreSQL's cast would round).
    expression = f"CAST(TRUNC({product}) AS BIGINT)" if connection.vendor == "postgresql" else f"CAST({product} AS INTEGER)"
    # The dpd expression appears twice and takes today each time.
    values = [str(unit), today.isoformat(), cap, cap, today.isoformat(), *params[1:], str(weight)]
    return expression, values


def _bucket_sql(creditor: Creditor, today: dt.date) -> tuple[str, list[Any]]:
    """The SQL expression of an account's delinquency bucket label today (creditor's edges)."""
    buckets = creditor.buckets
    whens: list[str] = []
    params: list[Any] = []
    for label in buckets.labels():
        earliest, latest = buckets.due_date_range(label, today=today)
        bounds = []
        if earliest is not None:
            bounds.append("a.first_unpaid_due_on >= %s")
            params.append(earliest.isoformat())
        if latest is not None:
            bounds.append("a.first_unpaid_due_on <= %s")
            params.append(latest.isoformat())
        condition = " AND ".join(bounds) or "1 = 1"
        if latest is None:
            condition = f"(a.first_unpaid_due_on IS NULL OR ({condition}))"
        whens.append(f"WHEN {condition} THEN %s")
        params.append(label)
    return f"CASE {' '.join(whens)} ELSE '' END", params


def queue_refresh(*, creditor: Creditor | None = None, today: dt.date | None = None) -> int:
    """Rebuild the queue's priorities: every workable account is queued with its priority (its
    hold, if any, is kept), and accounts no longer workable leave the queue. Returns the
    number of queued accounts of the creditors refreshed. Idempotent; safe while agents work."""
    today = today or timezone.localdate()
    now = timezone.now()
    creditors = [creditor] if creditor is not None else list(Creditor.objects.all())
    rules = {r.creditor_id: r for r in WorkPriorityRule.objects.filter(creditor__in=creditors)}
    statuses = ", ".join(["%s"] * len(WORKABLE_STATUSES))
    queued = 0
    # Only placeholders and code-built expressions are interpolated; every value is a parameter.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM workspace_queueitem WHERE account_id IN "  # noqa: S608
            f"(SELECT id FROM debts_account WHERE status NOT IN ({statuses}))",
            list(WORKABLE_STATUSES),
        )
        for each in creditors:
            expression, params = _priority_sql(rules.get(each.pk), each, today)
            bucket, bucket_params = _bucket_sql(each, today)
            cursor.execute(
                "INSERT INTO workspace_queueitem "  # noqa: S608
                "(account_id, portfolio_id, priority, bucket, language, not_before, updated_at) "
                f"SELECT a.id, a.portfolio_id, {expression}, {bucket}, LOWER(SUBSTR(d.preferred_language, 1, 2)), "
                "NULL, %s FROM debts_account a "
                "JOIN portfolios_portfolio p ON p.id = a.portfolio_id JOIN debtors_debtor d ON d.id = a.debtor_id "
                f"WHERE p.creditor_id = %s AND a.status IN ({statuses}) "
                "ON CONFLICT (account_id) DO UPDATE SET priority = excluded.priority, bucket = excluded.bucket, "
                "language = excluded.language, portfolio_id = excluded.portfolio_id, updated_at = excluded.updated_at",
                [*params, *bucket_params, now, each.pk, *WORKABLE_STATUSES],
            )
            queued += max(cursor.rowcount, 0)
    if connection.vendor == "postgresql":  # fresh statistics, or the planner sorts whole portfolios
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE workspace_queueitem")
    return queued


def queue_account(account: Account, *, not_before: dt.datetime | None = None) -> None:
    """Put one account back in the queue (or hold it until ``not_before``) after a change."""
    if account.status not in WORKABLE_STATUSES:
        QueueItem.objects.filter(account=account).delete()
        return
    account = Account.objects.select_related("portfolio__creditor", "debtor").get(pk=account.pk)
    facts = {"portfolio_id": account.portfolio_id, "not_before": not_before, "updated_at": timezone.now(),
             "bucket": account.bucket(), "language": account.debtor.preferred_language[:2].lower()}
    QueueItem.objects.update_or_create(account=account, defaults=facts, create_defaults={**facts, "priority": 0})
