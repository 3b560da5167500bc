"""The daily run: for every open account, which channels may be used on a day and when.

Reads what the gate needs for all accounts in a handful of streamed queries (accounts with their
portfolio, debtor and restrictions; the debtors' phone zones; the consents in force; the contact
ledger of the look-back window; the policies) and asks the engine's ``day_plan`` for each
**distinct** set of facts only: accounts whose facts are equal share one plan, so a million
accounts cost a few thousand plans plus a dictionary lookup each (issue 4: 1M accounts in at
most 30 s; ``bench/compliance_bench.py``).

The answers are the same as ``contact_check`` would give at every moment of the day for the
account's holder (``test_batch`` compares them), with the same strict reading of unknown zones:
a window is open only when it is open in every zone the debtor's phones may be in.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from acuerda.compliance.choices import ENGINE_ROLE
from acuerda.compliance.engine import (
    CHANNELS,
    Account,
    ContactTemplate,
    HistoryEntry,
    InconvenientTime,
    Party,
    Policy,
    parse_request,
    plan_for_template,
)
from acuerda.compliance.models import (
    AccountRestriction,
    CompliancePolicy,
    ComplianceReading,
    ContactAttempt,
)
from acuerda.compliance.services import HISTORY_DAYS, address_zone, effective_policy
from acuerda.debtors.choices import ContactKind, ContactStatus
from acuerda.debtors.models import ContactConsent, ContactPoint, Debtor
from acuerda.debts.choices import OPEN_STATUSES
from acuerda.debts.models import Account as AccountModel
from acuerda.portfolios.models import Portfolio

Interval = tuple[dt.datetime, dt.datetime]
Plan = dict[str, tuple[Interval, ...]]
FETCH = 20_000


@dataclass(frozen=True, slots=True)
class AccountPlan:
    account_id: int
    plan: Plan  # channel → allowed [start, end) intervals, aware, in the debtor's local zone

    def to_dict(self) -> dict[str, Any]:
        return {"account_id": self.account_id,
                "channels": {c: [[s.isoformat(), e.isoformat()] for s, e in spans] for c, spans in self.plan.items()}}


def _stream(sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(FETCH):
            yield from rows


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _debtor_zones() -> dict[int, tuple[str, ...]]:
    """Debtor → the candidate zones ``services._candidate_zones`` would give a debtor without a
    zone of its own: the one its valid addresses tell, else the zones its phones may be in.
    Two scans of the contact points with as little Python per row as possible (the few distinct
    values are worked out once); phones are only looked at for debtors no address placed."""
    conflict = "?"  # addresses in different zones: they tell nothing
    by_address: dict[int, str | None] = {}
    zone_of: dict[tuple[str, str], str | None] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT debtor_id, country, region FROM {_table(ContactPoint)} WHERE kind = %s AND status = %s",  # noqa: S608
            [ContactKind.ADDRESS.value, ContactStatus.VALID.value],
        )
        while rows := cursor.fetchmany(FETCH):
            for debtor_id, country, region in rows:
                place = (country, region)
                zone = zone_of[place] if place in zone_of else zone_of.setdefault(place, address_zone(country, region))
                seen = by_address.setdefault(debtor_id, zone)
                if seen != zone:
                    by_address[debtor_id] = conflict
        decoded: dict[Any, tuple[str, ...]] = {}
        by_phone: dict[int, set[str]] = {}
        cursor.execute(
            f"SELECT debtor_id, timezones FROM {_table(ContactPoint)} WHERE kind = %s",  # noqa: S608
            [ContactKind.PHONE.value],
        )
        while rows := cursor.fetchmany(FETCH):
            for debtor_id, zones in rows:
                placed = by_address.get(debtor_id)
                if placed is not None and placed != conflict:
                    continue
                key = zones if isinstance(zones, str) else json.dumps(zones)
                names = decoded.get(key)
                if names is None:
                    names = decoded[key] = tuple(json.loads(zones) if isinstance(zones, str) else zones or ())
                if names:
                    by_phone.setdefault(debtor_id, set()).update(names)
    interned: dict[tuple[str, ...], tuple[str, ...]] = {}
    out: dict[int, tuple[str, ...]] = {}
    for debtor_id, zone in by_address.items():
        if zone is not None and zone != conflict:
            single = (zone,)
            out[debtor_id] = interned.setdefault(single, single)
    for debtor_id, phone_zones in by_phone.items():
        picked = tuple(sorted(phone_zones))
        out[debtor_id] = interned.setdefault(picked, picked)
    return out


def _consents() -> dict[int, tuple[frozenset[str], frozenset[str]]]:
    """Debtor → (authorised channels, opted-out channels), from the newest statement per
    contact point and channel. Debtors with no statement at all are absent (not recorded)."""
    latest: dict[tuple[int, int, str], bool] = {}
    for debtor_id, point_id, channel, granted in _stream(
        f"SELECT p.debtor_id, c.contact_point_id, c.channel, c.granted FROM {_table(ContactConsent)} c "  # noqa: S608
        f"JOIN {_table(ContactPoint)} p ON p.id = c.contact_point_id ORDER BY c.recorded_at, c.id"
    ):
        latest[(debtor_id, point_id, channel)] = bool(granted)
    granted_by: dict[int, set[str]] = {}
    withdrawn_by: dict[int, set[str]] = {}
    for (debtor_id, _point, channel), granted in latest.items():
        (granted_by if granted else withdrawn_by).setdefault(debtor_id, set()).add(channel)
        granted_by.setdefault(debtor_id, set())
    interned: dict[Any, Any] = {}
    out = {}
    for debtor_id, granted in granted_by.items():
        pair = (frozenset(granted), frozenset(withdrawn_by.get(debtor_id, set()) - granted))
        out[debtor_id] = interned.setdefault(pair, pair)
    return out


def _history(day: dt.date) -> dict[int, tuple[HistoryEntry, ...]]:
    since = dt.datetime.combine(day - dt.timedelta(days=HISTORY_DAYS), dt.time(), tzinfo=dt.UTC)
    until = dt.datetime.combine(day + dt.timedelta(days=2), dt.time(), tzinfo=dt.UTC)
    by_account: dict[int, list[HistoryEntry]] = {}
    for account_id, at, channel, outcome, role in ContactAttempt.objects.filter(
        at__gte=since, at__lt=until
    ).order_by("account_id", "at", "pk").values_list("account_id", "at", "channel", "outcome", "party_role").iterator(
        chunk_size=FETCH
    ):
        by_account.setdefault(account_id, []).append(
            HistoryEntry(at=at, channel=channel, outcome=outcome, party_role=ENGINE_ROLE.get(role, "third_party"))
        )
    return {a: tuple(h) for a, h in by_account.items()}


def _policies() -> tuple[dict[int, dict[str, Any]], dict[tuple[int, str], dict[str, Any]], dict[str, dict[str, Any]]]:
    """The stored policies' rules by portfolio and by (creditor, jurisdiction), and the agency's
    readings by jurisdiction."""
    by_portfolio: dict[int, dict[str, Any]] = {}
    by_creditor: dict[tuple[int, str], dict[str, Any]] = {}
    for stored in CompliancePolicy.objects.all():
        if stored.portfolio_id is not None:
            by_portfolio[stored.portfolio_id] = stored.rules
        else:
            by_creditor[(stored.creditor_id, stored.jurisdiction)] = stored.rules
    readings = dict(ComplianceReading.objects.values_list("jurisdiction", "readings"))
    return by_portfolio, by_creditor, readings


def _intersect(a: Sequence[Interval], b: Sequence[Interval]) -> tuple[Interval, ...]:
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] <= b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def _combine(plans: list[Plan]) -> Plan:
    """A window open in every candidate zone (shown in the first zone's clock)."""
    if len(plans) == 1:
        return plans[0]
    first = plans[0]
    out: Plan = {}
    for channel, spans in first.items():
        combined = spans
        for other in plans[1:]:
            combined = _intersect(combined, other[channel])
        tz = spans[0][0].tzinfo if spans else None
        out[channel] = tuple((s.astimezone(tz), e.astimezone(tz)) for s, e in combined) if tz else combined
    return out


def _spans(raw: Any, jurisdiction: str) -> tuple[InconvenientTime, ...]:
    """The stored inconvenient times, read by the engine's own parser (they were checked when
    saved by ``account_restriction_set``)."""
    if isinstance(raw, str):
        raw = json.loads(raw)
    if not raw:
        return ()
    request = parse_request({"jurisdiction": jurisdiction, "channel": "call", "purpose": "collection",
                             "at": "2000-01-01T00:00:00+00:00", "party": {"role": "debtor", "inconvenient_times": raw}})
    return request.party.inconvenient_times


def contact_plan_day(
    *, day: dt.date, channels: Iterable[str] = CHANNELS, portfolio_ids: Sequence[int] | None = None
) -> Iterator[AccountPlan]:
    """The plan of every open account (of ``portfolio_ids``, or all) for the local ``day``,
    in account id order."""
    chans = tuple(channels)
    zones_of = _debtor_zones()
    consents_of = _consents()
    history_of = _history(day)
    by_portfolio, by_creditor, readings = _policies()
    # Per portfolio: its jurisdiction and the policy that applies (the portfolio's, else the
    # creditor's for that jurisdiction), worked out once.
    portfolios: dict[int, tuple[str, Any, Policy | None]] = {}
    for pk, creditor_id, country, subdivision in Portfolio.objects.values_list(
        "pk", "creditor_id", "jurisdiction_country", "jurisdiction_subdivision"
    ):
        jurisdiction = f"{country}-{subdivision}" if subdivision else country
        own_rules = by_portfolio.get(pk)
        rules = own_rules if own_rules is not None else by_creditor.get((creditor_id, jurisdiction))
        chosen = readings.get(jurisdiction) or readings.get(country)
        policy_key = ("portfolio", pk) if own_rules is not None else ("creditor", creditor_id, jurisdiction)
        portfolios[pk] = (jurisdiction, policy_key, effective_policy(jurisdiction, rules, chosen))
    # Few debtors have a zone of their own or are vulnerable; few accounts have restrictions.
    own: dict[int, tuple[str, bool]] = {
        pk: (tz_name, bool(vulnerable)) for pk, tz_name, vulnerable in _stream(
            f"SELECT id, timezone, is_vulnerable FROM {_table(Debtor)} "  # noqa: S608
            "WHERE timezone <> '' OR is_vulnerable = %s", [True])
    }
    restricted: dict[int, tuple[tuple[Any, ...], Any]] = {}
    for row in AccountRestriction.objects.values_list(
        "account_id", "cease_request", "dispute_open", "attorney_represented", "breathing_space_until",
        "mental_health_moratorium", "lawsuit_served", "insolvency", "statute_barred", "inconvenient_times",
    ):
        facts = row[1:]
        restricted[row[0]] = (facts, (facts[:-1], json.dumps(facts[-1]) if facts[-1] else ""))
    unrestricted: tuple[tuple[Any, ...], Any] = ((False, False, False, None, False, False, False, False, []), ())
    statuses = sorted(OPEN_STATUSES)
    where = f"status IN ({', '.join(['%s'] * len(statuses))})"
    params: list[Any] = list(statuses)
    if portfolio_ids is not None:
        if not portfolio_ids:
            return
        where += f" AND portfolio_id IN ({', '.join(['%s'] * len(portfolio_ids))})"
        params.extend(portfolio_ids)
    sql = f"SELECT id, portfolio_id, debtor_id FROM {_table(AccountModel)} WHERE {where} ORDER BY id"  # noqa: S608
    plans: dict[Any, Plan] = {}
    no_history: tuple[HistoryEntry, ...] = ()
    unknown_zone: tuple[str | None, ...] = (None,)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(FETCH):
            for account_id, portfolio_id, debtor_id in rows:
                jurisdiction, policy_key, policy = portfolios[portfolio_id]
                mine = own.get(debtor_id)
                if mine is None:
                    zones = zones_of.get(debtor_id, unknown_zone)
                    vulnerable = False
                else:
                    zones = (mine[0],) if mine[0] else zones_of.get(debtor_id, unknown_zone)
                    vulnerable = mine[1]
                consent = consents_of.get(debtor_id)
                history = history_of.get(account_id, no_history)
                restriction, restriction_key = restricted.get(account_id, unrestricted)
                key = (policy_key, jurisdiction, zones, vulnerable, consent, history, restriction_key)
                plan = plans.get(key)
                if plan is None:
                    plan = plans[key] = _plan(day, chans, jurisdiction, zones, vulnerable, consent, restriction,
                                              history, policy)
                yield AccountPlan(account_id, plan)


def _plan(day: dt.date, channels: tuple[str, ...], jurisdiction: str, zones: tuple[str | None, ...],
          vulnerable: bool, consent: tuple[frozenset[str], frozenset[str]] | None, restriction: Sequence[Any],
          history: tuple[HistoryEntry, ...], policy: Policy | None) -> Plan:
    (cease, dispute, attorney, breathing, moratorium, lawsuit, insolvency, barred, inconvenient) = restriction
    if isinstance(breathing, str):
        breathing = dt.date.fromisoformat(breathing)
    account = Account(
        cease_request=bool(cease), dispute_open=bool(dispute), attorney_represented=bool(attorney),
        breathing_space_until=breathing, mental_health_moratorium=bool(moratorium), lawsuit_served=bool(lawsuit),
        insolvency=bool(insolvency), statute_barred=bool(barred), vulnerable=vulnerable,
    )
    spans = _spans(inconvenient, jurisdiction)
    per_zone = []
    for zone in zones:
        party = Party(
            role="debtor", timezone=zone,
            authorised_channels=consent[0] if consent is not None else None,
            opted_out_channels=consent[1] if consent is not None else frozenset(),
            inconvenient_times=spans,
        )
        template = ContactTemplate(jurisdiction=jurisdiction, party=party, account=account, history=history)
        per_zone.append(plan_for_template(template, day, channels, policy=policy))
    return _combine(per_zone)
