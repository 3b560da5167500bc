"""The compliance gate for stored accounts: every outbound path asks ``contact_check`` first and
records what then happened with ``contact_attempt_record``.

``contact_check`` builds the engine's request from the database (the portfolio's jurisdiction,
the party and its role, its time zone, the consents in force, the account's restrictions, the
account's contact history and the creditor's policy), asks ``acuerda.compliance.engine`` and
stores the answer as an append-only ``ContactDecision`` with the exact request it was given.

**Time zone.** The party's own zone when we know it (``Debtor.timezone``); otherwise the zones
the contact point's phone number may be in; otherwise the zones of all the party's phones.
When that leaves several candidates (a Spanish mobile may be in Madrid or the Canaries) the
contact must be allowed in **every** one of them: the strict reading, since we do not know
where the person is.

**History.** The account's attempts (every party), as the contact ledger recorded them; the
frequency rules count them. Attempts older than ``HISTORY_DAYS`` cannot change a decision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from acuerda.compliance.choices import ENGINE_ROLE, AttemptOutcome, Purpose
from acuerda.compliance.engine import (
    Decision,
    Policy,
    PolicyError,
    RequestError,
    decision_to_dict,
    evaluate,
    parse_request,
    policy_from_dict,
)
from acuerda.compliance.engine.calendar import COUNTRY_ZONES, SUBDIVISION_ZONES
from acuerda.compliance.models import (
    AccountRestriction,
    CompliancePolicy,
    ComplianceReading,
    ContactAttempt,
    ContactDecision,
)
from acuerda.creditors.models import Creditor
from acuerda.debtors.choices import Channel, ContactKind, ContactSource, ContactStatus, PartyRole
from acuerda.debtors.models import ContactConsent, ContactPoint, Debtor
from acuerda.debts.models import Account, AccountParty
from acuerda.people.models import User
from acuerda.portfolios.models import Portfolio

HISTORY_DAYS = 40  # longer than any rule's look-back (a week, 7 days after a conversation, a month)
CLEARANCE_BEFORE = dt.timedelta(minutes=1)
CLEARANCE_AFTER = dt.timedelta(minutes=15)
"""An allowed decision covers one attempt made from a minute before to 15 minutes after the
moment it was asked for: a dialer asks just before dialling, an agent just before calling."""
_ZONE_ROUNDS = 12
RESTRICTION_FIELDS = ("cease_request", "dispute_open", "attorney_represented", "breathing_space_until",
                      "mental_health_moratorium", "lawsuit_served", "insolvency", "statute_barred",
                      "inconvenient_times")


class ComplianceError(ValueError):
    """A write the gate refuses (an attempt without a decision that allowed it, a policy that
    loosens the law...); ``str()`` says why."""


# --------------------------------------------------------------------------------------------
# Building the request
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PartyFacts:
    debtor: Debtor
    role: str  # a PartyRole value
    contact_point: ContactPoint | None


def _party(account: Account, debtor: Debtor | None, contact_point: ContactPoint | None) -> PartyFacts:
    if contact_point is not None:
        if debtor is not None and contact_point.debtor_id != debtor.pk:
            raise ComplianceError(_("The contact point does not belong to that person."))
        debtor = contact_point.debtor
    debtor = debtor or account.debtor
    if contact_point is not None and contact_point.owner_role not in ("", PartyRole.DEBTOR):
        # A reference's or employer's number stored with the debtor: the person reached is them.
        return PartyFacts(debtor, contact_point.owner_role, contact_point)
    if debtor.pk == account.debtor_id:
        return PartyFacts(debtor, PartyRole.DEBTOR, contact_point)
    role = AccountParty.objects.filter(account=account, debtor=debtor).values_list("role", flat=True).first()
    return PartyFacts(debtor, role or "third_party", contact_point)


# Countries with one time zone on the mainland where people live (an address there tells the zone).
_ONE_ZONE = frozenset({"CO", "PE", "AR", "GB"})


def address_zone(country: str, region: str) -> str | None:
    """The time zone an address is in, when its country and region tell it (ES-CN is the
    Canaries, any other Spanish region the peninsula's zone...); ``None`` otherwise."""
    country = (country or "").upper()
    region = (region or "").upper()
    if region and f"{country}-{region}" in SUBDIVISION_ZONES:
        return SUBDIVISION_ZONES[f"{country}-{region}"]
    if country == "ES" and region:
        return COUNTRY_ZONES["ES"]
    if country in _ONE_ZONE:
        return COUNTRY_ZONES[country]
    return None


def _candidate_zones(party: PartyFacts) -> list[str | None]:
    """The debtor's own zone; else the one its addresses tell; else the zones its phone numbers
    may be in (the contact point's, or all its phones'); else unknown (``[None]``)."""
    if party.debtor.timezone:
        return [party.debtor.timezone]
    from_addresses = {
        address_zone(country, region)
        for country, region in ContactPoint.objects.filter(
            debtor=party.debtor, kind=ContactKind.ADDRESS, status=ContactStatus.VALID
        ).values_list("country", "region")
    }
    if len(from_addresses) == 1 and None not in from_addresses:
        return [*from_addresses]
    point = party.contact_point
    if point is not None and point.kind == ContactKind.PHONE and point.timezones:
        return [*sorted(set(point.timezones))]
    zones: set[str] = set()
    for values in ContactPoint.objects.filter(debtor=party.debtor, kind=ContactKind.PHONE).values_list(
        "timezones", flat=True
    ):
        zones.update(values or ())
    if not zones:
        return [None]  # the engine uses the jurisdiction's zone and says so
    return [*sorted(zones)]


def _consents(party: PartyFacts) -> tuple[list[str] | None, list[str]]:
    """(authorised channels or None when nothing was ever recorded, opted-out channels)."""
    points = [party.contact_point.pk] if party.contact_point is not None else list(
        ContactPoint.objects.filter(debtor=party.debtor).values_list("pk", flat=True)
    )
    latest: dict[tuple[int, str], bool] = {}
    for point_id, channel, granted in ContactConsent.objects.filter(contact_point_id__in=points).order_by(
        "recorded_at", "pk"
    ).values_list("contact_point_id", "channel", "granted"):
        latest[(point_id, channel)] = granted
    if not latest:
        return None, []
    authorised = sorted({channel for (_p, channel), granted in latest.items() if granted})
    opted_out = sorted({channel for (_p, channel), granted in latest.items() if not granted} - set(authorised))
    return authorised, opted_out


def _history(account: Account, before: dt.datetime) -> list[dict[str, Any]]:
    since = before - dt.timedelta(days=HISTORY_DAYS)
    return [
        {"at": at.isoformat(), "channel": channel, "outcome": outcome, "party_role": ENGINE_ROLE.get(role, "third_party")}
        for at, channel, outcome, role in ContactAttempt.objects.filter(
            account=account, at__gte=since, at__lte=before
        ).order_by("at", "pk").values_list("at", "channel", "outcome", "party_role")
    ]


def _restriction(account: Account) -> dict[str, Any]:
    restriction = AccountRestriction.objects.filter(account=account).first()
    if restriction is None:
        return {"account": {}, "inconvenient_times": []}
    state = {name: getattr(restriction, name) for name in RESTRICTION_FIELDS if name != "inconvenient_times"}
    until = state["breathing_space_until"]
    state["breathing_space_until"] = until.isoformat() if until else None
    return {"account": state, "inconvenient_times": list(restriction.inconvenient_times or [])}


def contact_request_data(
    *, account: Account, channel: str, at: dt.datetime, purpose: str = Purpose.COLLECTION,
    debtor: Debtor | None = None, contact_point: ContactPoint | None = None,
    message: Mapping[str, Any] | None = None, timezone_name: str | None = None,
) -> dict[str, Any]:
    """The engine's JSON request for this contact, read from the database (one candidate zone:
    ``timezone_name``, or the first candidate)."""
    party = _party(account, debtor, contact_point)
    zone = timezone_name if timezone_name is not None else _candidate_zones(party)[0]
    return _request_data(account, party, channel, at, purpose, message, zone)


def _request_data(account: Account, party: PartyFacts, channel: str, at: dt.datetime, purpose: str,
                  message: Mapping[str, Any] | None, zone: str | None) -> dict[str, Any]:
    if timezone.is_naive(at):
        raise ComplianceError(_("The moment of a contact must carry its time zone."))
    authorised, opted_out = _consents(party)
    restriction = _restriction(account)
    point = party.contact_point
    party_data: dict[str, Any] = {
        "role": ENGINE_ROLE.get(party.role, "third_party"),
        "timezone": zone,
        "authorised_channels": authorised,
        "opted_out_channels": opted_out,
        "email_employer_provided": bool(point and point.kind == ContactKind.EMAIL and point.owner_role == "employer"),
        "inconvenient_times": restriction["inconvenient_times"],
    }
    if point is not None:
        party_data["contact_point_provided_by_debtor"] = point.source == ContactSource.DEBTOR
    return {
        "jurisdiction": account.portfolio.jurisdiction,
        "channel": channel,
        "at": at.isoformat(),
        "purpose": purpose,
        "party": party_data,
        "account": {**restriction["account"], "vulnerable": party.debtor.is_vulnerable},
        "message": dict(message or {}),
        "history": _history(account, at),
    }


def effective_policy(
    jurisdiction: str, rules: Mapping[str, Any] | None, readings: Mapping[str, Any] | None
) -> Policy | None:
    """The engine policy for a portfolio: its creditor's (or its own) tightening ``rules`` and
    the agency's chosen ``readings`` of ambiguous rules."""
    if not rules and not readings:
        return None
    data = dict(rules or {})
    if readings:
        data["settings"] = dict(readings)
    data.pop("jurisdiction", None)
    return policy_from_dict(data, jurisdiction)


def readings_for(jurisdiction: str) -> dict[str, Any] | None:
    """The agency's readings for a jurisdiction (``US-MA``), else for its country (``US``)."""
    found = dict(ComplianceReading.objects.filter(jurisdiction__in=[jurisdiction, jurisdiction.split("-", 1)[0]])
                 .values_list("jurisdiction", "readings"))
    return found.get(jurisdiction) or found.get(jurisdiction.split("-", 1)[0]) or None


def policy_for(account: Account) -> Policy | None:
    """The portfolio's contact policy, else the creditor's for the portfolio's jurisdiction,
    with the agency's readings of ambiguous rules."""
    portfolio = account.portfolio
    stored = CompliancePolicy.objects.filter(portfolio=portfolio).first() or CompliancePolicy.objects.filter(
        creditor_id=portfolio.creditor_id, portfolio__isnull=True, jurisdiction=portfolio.jurisdiction
    ).first()
    return effective_policy(portfolio.jurisdiction, stored.rules if stored else None,
                            readings_for(portfolio.jurisdiction))


# --------------------------------------------------------------------------------------------
# Deciding
# --------------------------------------------------------------------------------------------


def _strictest(requests: Sequence[dict[str, Any]], policy: Policy | None) -> Decision:
    """One decision for several candidate zones: allowed only when every zone allows it, and
    the next moment that every zone allows."""
    decisions = [evaluate(parse_request(r), policy=policy) for r in requests]
    if len(decisions) == 1 or all(d.allowed for d in decisions):
        return decisions[0]
    first = decisions[0]
    blocked = {b.rule: b for d in decisions for b in d.blocked_by}
    candidate: dt.datetime | None = None
    for _round in range(_ZONE_ROUNDS):
        nexts = [d.next_allowed_at for d in decisions]
        if any(n is None for n in nexts):
            candidate = None
            break
        moment = max(n for n in nexts if n is not None)
        decisions = [evaluate(parse_request({**r, "at": moment.isoformat()}), policy=policy) for r in requests]
        if all(d.allowed for d in decisions):
            candidate = moment
            break
    else:
        candidate = None
    return Decision(
        allowed=False, blocked_by=tuple(blocked.values()),
        next_allowed_at=candidate.astimezone(first.local_time.tzinfo) if candidate is not None else None,
        pack=first.pack, local_time=first.local_time,
        assumptions=tuple(dict.fromkeys(n for d in decisions for n in d.assumptions)),
        evaluated=first.evaluated,
    )


@transaction.atomic
def contact_check(
    *, account: Account, channel: str, at: dt.datetime | None = None, purpose: str = Purpose.COLLECTION,
    debtor: Debtor | None = None, contact_point: ContactPoint | None = None,
    message: Mapping[str, Any] | None = None, actor: User | None = None,
) -> ContactDecision:
    """Ask the gate whether this contact may happen at ``at`` (now by default); the answer is
    stored and returned (``.allowed``, ``.blocked_by``, ``.next_allowed_at``, ``.decision``)."""
    if channel not in Channel.values:
        raise ComplianceError(_("Unknown channel %(channel)s.") % {"channel": channel})
    at = at or timezone.now()
    account = Account.objects.select_related("portfolio", "debtor").get(pk=account.pk)
    party = _party(account, debtor, contact_point)
    # The facts are read once; only the party's zone differs between the candidates.
    base = _request_data(account, party, channel, at, purpose, message, None)
    requests = [{**base, "party": {**base["party"], "timezone": zone}} for zone in _candidate_zones(party)]
    try:
        decision = _strictest(requests, policy_for(account))
    except (RequestError, PolicyError) as exc:
        raise ComplianceError(str(exc)) from exc
    answer = decision_to_dict(decision)
    return ContactDecision.objects.create(
        account=account, debtor=party.debtor, contact_point=party.contact_point, party_role=party.role,
        channel=channel, purpose=purpose, for_moment=at, allowed=decision.allowed, pack=decision.pack,
        blocked_by=answer["blocked_by"], next_allowed_at=decision.next_allowed_at,
        request=requests[0] if len(requests) == 1 else {"candidate_zones": requests}, decision=answer, actor=actor,
    )


def contact_preview(
    *, account: Account, channels: Sequence[str] | None = None, at: dt.datetime | None = None,
    purpose: str = Purpose.COLLECTION, debtor: Debtor | None = None, contact_point: ContactPoint | None = None,
) -> dict[str, Decision]:
    """What the gate would answer for each channel at ``at``, recording nothing: for showing
    people which channels are open and when the next one opens. The facts are read once for
    all channels. A real contact still asks ``contact_check`` first."""
    channels = list(channels or Channel.values)
    unknown = [c for c in channels if c not in Channel.values]
    if unknown:
        raise ComplianceError(_("Unknown channel %(channel)s.") % {"channel": unknown[0]})
    at = at or timezone.now()
    party = _party(account, debtor, contact_point)
    base = _request_data(account, party, channels[0], at, purpose, None, None)
    zones = _candidate_zones(party)
    policy = policy_for(account)
    result: dict[str, Decision] = {}
    for channel in channels:
        requests = [{**base, "channel": channel, "party": {**base["party"], "timezone": zone}} for zone in zones]
        try:
            result[channel] = _strictest(requests, policy)
        except (RequestError, PolicyError) as exc:
            raise ComplianceError(str(exc)) from exc
    return result


@transaction.atomic
def contact_attempt_record(
    *, decision: ContactDecision, outcome: str, at: dt.datetime | None = None, actor: User | None = None,
    note: str = "",
) -> ContactAttempt:
    """Record a contact that happened, with its outcome, under the decision that allowed it.
    Refused without an allowing decision, outside its clearance time, or twice for one decision."""
    decision = ContactDecision.objects.select_for_update().get(pk=decision.pk)
    if not decision.allowed:
        raise ComplianceError(_("The compliance gate blocked this contact; it cannot be recorded as made."))
    if outcome not in AttemptOutcome.values:
        raise ComplianceError(_("Unknown outcome %(outcome)s.") % {"outcome": outcome})
    at = at or timezone.now()
    if not decision.for_moment - CLEARANCE_BEFORE <= at <= decision.for_moment + CLEARANCE_AFTER:
        raise ComplianceError(_("The decision covered %(moment)s; ask the gate again for a contact at %(at)s.")
                              % {"moment": decision.for_moment.isoformat(), "at": at.isoformat()})
    if ContactAttempt.objects.filter(decision=decision).exists():
        raise ComplianceError(_("This decision was already used for a contact; ask the gate again."))
    return ContactAttempt.objects.create(
        decision=decision, account_id=decision.account_id, debtor_id=decision.debtor_id,
        party_role=decision.party_role, channel=decision.channel, at=at, outcome=outcome, note=note, actor=actor,
    )


# --------------------------------------------------------------------------------------------
# The data it reads
# --------------------------------------------------------------------------------------------


@transaction.atomic
def account_restriction_set(*, account: Account, actor: User | None, **changes: Any) -> AccountRestriction:
    """Set some of the account's contact restrictions (``RESTRICTION_FIELDS``); inconvenient
    times are checked with the engine's own reader."""
    unknown = set(changes) - set(RESTRICTION_FIELDS)
    if unknown:
        raise ComplianceError(_("Unknown restriction(s): %(names)s.") % {"names": ", ".join(sorted(unknown))})
    if "inconvenient_times" in changes:
        try:
            parse_request({"jurisdiction": account.portfolio.jurisdiction, "channel": "call",
                           "at": timezone.now().isoformat(), "purpose": "collection",
                           "party": {"role": "debtor", "inconvenient_times": changes["inconvenient_times"]}})
        except RequestError as exc:
            raise ComplianceError(str(exc)) from exc
    restriction, _created = AccountRestriction.objects.select_for_update().get_or_create(account=account)
    for name, value in changes.items():
        setattr(restriction, name, value)
    restriction.updated_by = actor
    restriction.full_clean(exclude=["account"])
    restriction.save()
    return restriction


@transaction.atomic
def compliance_policy_save(
    *, creditor: Creditor, rules: Mapping[str, Any], jurisdiction: str, portfolio: Portfolio | None = None,
    actor: User | None = None,
) -> CompliancePolicy:
    """Save the creditor's (or one portfolio's) contact policy after checking that it only
    tightens the rule packs; ``PolicyError`` names every field that would loosen them."""
    if portfolio is not None and (portfolio.creditor_id != creditor.pk or portfolio.jurisdiction != jurisdiction):
        raise ComplianceError(_("The portfolio must be the creditor's and have that jurisdiction."))
    if "settings" in rules:
        # The documented readings of ambiguous rules are the agency's choice, not a creditor's.
        raise PolicyError([("settings", "a creditor's policy can only tighten the rules, not choose their readings")])
    policy_from_dict(rules, jurisdiction)
    try:
        stored = CompliancePolicy.objects.select_for_update().get(
            creditor=creditor, portfolio=portfolio, jurisdiction=jurisdiction
        )
    except CompliancePolicy.DoesNotExist:
        stored = CompliancePolicy(creditor=creditor, portfolio=portfolio, jurisdiction=jurisdiction)
    stored.rules = dict(rules)
    stored.updated_by = actor
    try:
        stored.full_clean()
    except ValidationError as exc:
        raise ComplianceError("; ".join(exc.messages)) from exc
    stored.save()
    return stored


@transaction.atomic
def compliance_readings_save(*, jurisdiction: str, settings: Mapping[str, Any], actor: User | None) -> ComplianceReading:
    """Choose, for the whole agency, documented readings of ambiguous rules of a jurisdiction
    (``{rule_id: {setting: value}}``); ``PolicyError`` names every unknown rule or setting."""
    policy_from_dict({"settings": dict(settings)}, jurisdiction)
    reading, _created = ComplianceReading.objects.select_for_update().get_or_create(jurisdiction=jurisdiction)
    reading.readings = dict(settings)
    reading.updated_by = actor
    reading.save()
    return reading
