"""The decision point: evaluate a contact request against the packs (and a policy)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from .calendar import is_valid_zone, zone
from .decision import Block, Decision, Note
from .packs import CACHE_CLEARERS, DEFAULT_REGISTRY, Registry, RulePack
from .policy import Policy, PolicyError, rules_with_policy
from .request import ContactRequest, FieldError, HistoryEntry, RequestError, default_zone
from .rules import DIRECT_ROLES, Context, LocalEntry, Rule, Verdict

MAX_ITERATIONS = 60
MAX_HORIZON = timedelta(days=400)


@lru_cache(maxsize=4096)
def _resolve(
    registry: Registry, jurisdiction: str, day: date, policy: Policy | None
) -> tuple[tuple[RulePack, ...], bool, tuple[Rule, ...], str]:
    packs, fell_back = registry.resolve(jurisdiction, day)
    rules = rules_with_policy(tuple(packs), policy)
    return tuple(packs), fell_back, rules, "+".join(p.id for p in packs)


CACHE_CLEARERS.append(_resolve.cache_clear)


def party_zone(request: ContactRequest) -> tuple[ZoneInfo, bool]:
    """(zone, assumed): the party's zone, or the jurisdiction's default when unknown."""
    name = request.party.timezone
    if name is None:
        return zone(default_zone(request.jurisdiction)), True
    return zone(name), False


def localize_history(history: tuple[HistoryEntry, ...], tz: ZoneInfo) -> tuple[LocalEntry, ...]:
    out = [
        LocalEntry(
            e.at.astimezone(UTC), e.at.astimezone(tz).date(), e.channel, e.outcome, e.party_role
        )
        for e in history
    ]
    out.sort(key=lambda e: e.at)
    return tuple(out)


class _Evaluator:
    """Evaluates one request at any instant (shared by ``evaluate`` and ``day_plan``)."""

    __slots__ = ("country", "history", "policy", "registry", "request", "subdiv", "tz")

    def __init__(
        self,
        request: ContactRequest,
        tz: ZoneInfo,
        policy: Policy | None,
        registry: Registry,
        history: tuple[LocalEntry, ...] | None = None,
    ) -> None:
        self.request = request
        self.tz = tz
        self.policy = policy
        self.registry = registry
        self.country = request.country
        self.subdiv = request.subdivision
        self.history = localize_history(request.history, tz) if history is None else history

    def context(self, at: datetime, notes: list[Note], *, full_history: bool = False) -> Context:
        local = at.astimezone(self.tz)
        history = self.history
        if not full_history:
            history = tuple(e for e in history if e.at <= at)
        direct = self.request.account.direct_contact_made
        if direct is None:
            direct = any(e.outcome == "conversation" and e.role in DIRECT_ROLES for e in history)
        return Context(
            request=self.request,
            at=at,
            local=local,
            tz=self.tz,
            day=local.date(),
            weekday=local.weekday(),
            sod=local.hour * 3600 + local.minute * 60 + local.second,
            country=self.country,
            subdiv=self.subdiv,
            history=history,
            direct_contact=direct,
            notes=notes,
        )

    def rules(self, ctx: Context) -> tuple[tuple[Rule, ...], bool, str]:
        _packs, fell_back, rules, pack_id = _resolve(
            self.registry, self.request.jurisdiction, ctx.day, self.policy
        )
        return rules, fell_back, pack_id

    def check(
        self, at: datetime, notes: list[Note], evaluated: list[str] | None = None
    ) -> tuple[list[tuple[Rule, Verdict]], str, bool]:
        ctx = self.context(at, notes)
        rules, fell_back, pack_id = self.rules(ctx)
        blocks: list[tuple[Rule, Verdict]] = []
        day = ctx.day
        for rule in rules:
            if not rule.in_force(day) or not rule.applies(ctx):
                continue
            if evaluated is not None:
                evaluated.append(rule.id)
            verdict = rule.check(ctx)
            if verdict is not None:
                blocks.append((rule, verdict))
        return blocks, pack_id, fell_back

    def allowed(self, at: datetime) -> bool:
        return not self.check(at, [])[0]

    def next_allowed(self, start: datetime, blocks: list[tuple[Rule, Verdict]]) -> datetime | None:
        t = start
        limit = start + MAX_HORIZON
        for _ in range(MAX_ITERATIONS):
            proposals = [v.retry for _r, v in blocks]
            if any(p is None for p in proposals):
                return None
            nxt = max(p for p in proposals if p is not None)
            if nxt <= t:  # defensive: a rule must always propose a later instant
                nxt = t + timedelta(minutes=1)
            t = nxt
            if t > limit:
                return None
            blocks = self.check(t, [])[0]
            if not blocks:
                return t
        return None


def _check_direct(request: ContactRequest, registry: Registry) -> None:
    """Cheap guards for requests built in Python rather than by ``parse_request``."""
    errors: list[FieldError] = []
    if request.at.utcoffset() is None:
        errors.append(
            FieldError("at", "date-time has no UTC offset", "la fecha-hora no tiene desfase UTC")
        )
    if request.country not in registry.packs:
        errors.append(
            FieldError(
                "jurisdiction",
                f"no rule pack for {request.jurisdiction!r}",
                f"no hay paquete de reglas para {request.jurisdiction!r}",
            )
        )
    tz = request.party.timezone
    if tz is not None and not is_valid_zone(tz):
        errors.append(
            FieldError(
                "party.timezone",
                f"unknown IANA time zone {tz!r}",
                f"zona horaria IANA desconocida {tz!r}",
            )
        )
    for i, entry in enumerate(request.history):
        if entry.at.utcoffset() is None:
            errors.append(
                FieldError(
                    f"history[{i}].at",
                    "date-time has no UTC offset",
                    "la fecha-hora no tiene desfase UTC",
                )
            )
    if errors:
        raise RequestError(errors)


def evaluate(
    request: ContactRequest,
    *,
    policy: Policy | None = None,
    registry: Registry = DEFAULT_REGISTRY,
) -> Decision:
    """Decide whether ``request`` may happen now, why not, and when it could.

    Raises ``RequestError`` for a directly built request with a naive ``at`` or an unknown
    jurisdiction, and ``PolicyError`` for a policy of another country.
    """
    _check_direct(request, registry)
    if (
        policy is not None
        and policy.jurisdiction is not None
        and policy.jurisdiction.split("-", 1)[0] != request.country
    ):
        raise PolicyError(
            [
                (
                    "jurisdiction",
                    f"policy for {policy.jurisdiction} applied to {request.jurisdiction}",
                )
            ]
        )
    tz, assumed = party_zone(request)
    notes: list[Note] = []
    if assumed:
        name = default_zone(request.jurisdiction)
        notes.append(
            Note(
                f"Zona horaria del interlocutor desconocida: se usa {name}.",
                f"The party's time zone is unknown: {name} is used.",
            )
        )
    at = request.at.astimezone(UTC)
    ev = _Evaluator(request, tz, policy, registry)
    evaluated: list[str] = []
    blocks, pack_id, fell_back = ev.check(at, notes, evaluated)
    if fell_back:
        notes.append(
            Note(
                "Ninguna versión del paquete estaba vigente en esa fecha; se usa la más antigua.",
                "No pack version was in force on that date; the earliest one is used.",
            )
        )
    if policy is not None and policy.settings:
        for rule_id, name, value in policy.settings:
            if rule_id in evaluated:
                notes.append(
                    Note(
                        f"Ajuste del mandante: {rule_id}.{name} = {value!r}.",
                        f"Creditor setting: {rule_id}.{name} = {value!r}.",
                    )
                )
    local = at.astimezone(tz)
    if not blocks:
        nxt: datetime | None = local
    else:
        found = ev.next_allowed(at, blocks)
        nxt = found.astimezone(tz) if found is not None else None
    return Decision(
        allowed=not blocks,
        blocked_by=tuple(
            Block(rule.id, rule.reference, v.reason_es, v.reason_en) for rule, v in blocks
        ),
        next_allowed_at=nxt,
        pack=pack_id,
        local_time=local,
        assumptions=tuple(notes),
        evaluated=tuple(evaluated),
    )
