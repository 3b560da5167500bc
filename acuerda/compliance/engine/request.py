"""Contact requests: the typed, validated input of the compliance engine.

``parse_request`` turns a JSON-like mapping into a frozen, hashable ``ContactRequest``.
It collects *every* problem it finds (unknown fields, wrong types, bad values) and raises a
single ``RequestError`` whose ``errors`` name each field with a dotted path such as
``party.timezone`` or ``history[2].outcome``. Nothing malformed is ever silently defaulted;
only *absent* optional fields take their documented defaults.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .calendar import COUNTRY_ZONES, SUBDIVISION_ZONES, is_valid_zone, known_subdivisions

CHANNELS: tuple[str, ...] = ("call", "sms", "whatsapp", "email", "letter", "visit")
PURPOSES: tuple[str, ...] = ("collection", "location", "statutory_notice")
ROLES: tuple[str, ...] = ("debtor", "co_debtor", "guarantor", "reference", "third_party")
OUTCOMES: tuple[str, ...] = (
    "conversation",
    "no_answer",
    "busy",
    "voicemail",
    "message_sent",
    "delivered",
    "failed",
    "visit_made",
)
COUNTRIES: tuple[str, ...] = tuple(COUNTRY_ZONES)


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message_en: str
    message_es: str

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "message_en": self.message_en, "message_es": self.message_es}


class RequestError(ValueError):
    """A malformed contact request; ``errors`` lists every field-level problem."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        self.errors: list[FieldError] = list(errors)
        super().__init__("; ".join(f"{e.field}: {e.message_en}" for e in self.errors))

    def as_dicts(self, *, index: int | None = None) -> list[dict[str, str]]:
        """The errors in the shape every interface answers with; ``index`` names the request
        within a batch (``[3].party.timezone``)."""
        out = []
        for e in self.errors:
            field = e.field
            if index is not None:
                field = f"[{index}].{field}" if field else f"[{index}]"
            out.append({"field": field, "message": e.message_en, "message_es": e.message_es})
        return out


@dataclass(frozen=True, slots=True)
class InconvenientTime:
    """A time the debtor said is inconvenient: on ``weekdays`` (0=Monday) from start to end.

    Times are seconds after local midnight; ``end <= start`` means the span runs past midnight
    into the following day.
    """

    weekdays: frozenset[int]
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Party:
    role: str = "debtor"
    timezone: str | None = None
    authorised_channels: frozenset[str] | None = None
    opted_out_channels: frozenset[str] = frozenset()
    email_employer_provided: bool = False
    inconvenient_times: tuple[InconvenientTime, ...] = ()
    is_minor_or_elderly_non_debtor: bool | None = None
    contact_point_provided_by_debtor: bool | None = None


@dataclass(frozen=True, slots=True)
class Account:
    cease_request: bool = False
    dispute_open: bool = False
    attorney_represented: bool = False
    breathing_space_until: date | None = None
    mental_health_moratorium: bool = False
    lawsuit_served: bool = False
    insolvency: bool = False
    statute_barred: bool = False
    vulnerable: bool = False
    direct_contact_made: bool | None = None


@dataclass(frozen=True, slots=True)
class Message:
    identifies_agency: bool | None = None
    has_opt_out: bool | None = None
    court_lookalike: bool | None = None
    collection_wording_visible: bool | None = None
    threatens_legal_action: bool | None = None


# Shared immutable defaults (cheaper than building one per request in batch runs).
DEFAULT_PARTY = Party()
DEFAULT_ACCOUNT = Account()
DEFAULT_MESSAGE = Message()


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    at: datetime
    channel: str
    outcome: str
    party_role: str


@dataclass(frozen=True, slots=True)
class ContactTemplate:
    """Everything about a contact except the channel and the moment (used by ``day_plan``)."""

    jurisdiction: str
    purpose: str = "collection"
    party: Party = DEFAULT_PARTY
    account: Account = DEFAULT_ACCOUNT
    message: Message = DEFAULT_MESSAGE
    history: tuple[HistoryEntry, ...] = ()

    @property
    def country(self) -> str:
        return self.jurisdiction.split("-", 1)[0]

    @property
    def subdivision(self) -> str | None:
        parts = self.jurisdiction.split("-", 1)
        return parts[1] if len(parts) == 2 else None

    def at(self, channel: str, moment: datetime) -> ContactRequest:
        return ContactRequest(
            jurisdiction=self.jurisdiction,
            channel=channel,
            at=moment,
            purpose=self.purpose,
            party=self.party,
            account=self.account,
            message=self.message,
            history=self.history,
        )


@dataclass(frozen=True, slots=True)
class ContactRequest:
    """One proposed contact: who, how, when, why, and what we know about the account."""

    jurisdiction: str
    channel: str
    at: datetime
    purpose: str = "collection"
    party: Party = DEFAULT_PARTY
    account: Account = DEFAULT_ACCOUNT
    message: Message = DEFAULT_MESSAGE
    history: tuple[HistoryEntry, ...] = ()

    @property
    def country(self) -> str:
        return self.jurisdiction.split("-", 1)[0]

    @property
    def subdivision(self) -> str | None:
        parts = self.jurisdiction.split("-", 1)
        return parts[1] if len(parts) == 2 else None

    def template(self) -> ContactTemplate:
        return ContactTemplate(
            jurisdiction=self.jurisdiction,
            purpose=self.purpose,
            party=self.party,
            account=self.account,
            message=self.message,
            history=self.history,
        )

    def replace(self, **changes: Any) -> ContactRequest:
        return dataclasses.replace(self, **changes)


# --------------------------------------------------------------------------- parsing


class _Collector:
    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, path: str, en: str, es: str) -> None:
        self.errors.append(FieldError(path, en, es))

    def unknown(self, path: str, data: Mapping[str, Any], allowed: Sequence[str]) -> None:
        for key in data:
            if key not in allowed:
                self.add(_join(path, str(key)), "unknown field", "campo desconocido")

    def mapping(self, path: str, value: Any) -> Mapping[str, Any] | None:
        if value is None:
            return None
        if not isinstance(value, Mapping):
            self.add(path, "must be an object", "debe ser un objeto")
            return None
        return value

    def boolean(self, path: str, value: Any, *, nullable: bool) -> bool | None:
        if value is None:
            if nullable:
                return None
            self.add(path, "must be true or false", "debe ser true o false")
            return None
        if not isinstance(value, bool):
            self.add(path, "must be true or false", "debe ser true o false")
            return None
        return value

    def choice(self, path: str, value: Any, options: Sequence[str]) -> str | None:
        if not isinstance(value, str):
            self.add(
                path,
                f"must be a string, one of: {', '.join(options)}",
                f"debe ser un texto, uno de: {', '.join(options)}",
            )
            return None
        if value not in options:
            self.add(
                path,
                f"unknown value {value!r}; expected one of: {', '.join(options)}",
                f"valor desconocido {value!r}; se esperaba uno de: {', '.join(options)}",
            )
            return None
        return value

    def channels(self, path: str, value: Any) -> frozenset[str] | None:
        if not isinstance(value, list):
            self.add(path, "must be a list of channels", "debe ser una lista de canales")
            return None
        ok = True
        out: set[str] = set()
        for i, item in enumerate(value):
            got = self.choice(f"{path}[{i}]", item, CHANNELS)
            if got is None:
                ok = False
            else:
                out.add(got)
        return frozenset(out) if ok else None

    def moment(self, path: str, value: Any) -> datetime | None:
        if not isinstance(value, str):
            self.add(
                path,
                "must be an ISO 8601 date-time string with UTC offset",
                "debe ser una fecha-hora ISO 8601 con desfase UTC",
            )
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self.add(
                path,
                f"not an ISO 8601 date-time: {value!r}",
                f"no es una fecha-hora ISO 8601: {value!r}",
            )
            return None
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            self.add(
                path,
                "date-time has no UTC offset (naive times are ambiguous)",
                "la fecha-hora no tiene desfase UTC (una hora sin zona es ambigua)",
            )
            return None
        return parsed

    def day(self, path: str, value: Any) -> date | None:
        if not isinstance(value, str):
            self.add(path, "must be a date string YYYY-MM-DD", "debe ser una fecha AAAA-MM-DD")
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.add(
                path, f"not a date YYYY-MM-DD: {value!r}", f"no es una fecha AAAA-MM-DD: {value!r}"
            )
            return None

    def clock(self, path: str, value: Any, *, allow_24: bool) -> int | None:
        bad_en = "must be a time HH:MM"
        bad_es = "debe ser una hora HH:MM"
        if not isinstance(value, str) or len(value) != 5 or value[2] != ":":
            self.add(path, bad_en, bad_es)
            return None
        hh, mm = value[:2], value[3:]
        if not (hh.isdigit() and mm.isdigit()):
            self.add(path, bad_en, bad_es)
            return None
        h, m = int(hh), int(mm)
        if allow_24 and h == 24 and m == 0:
            return 86400
        if h > 23 or m > 59:
            self.add(path, f"time out of range: {value!r}", f"hora fuera de rango: {value!r}")
            return None
        return h * 3600 + m * 60


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


_TOP = ("jurisdiction", "channel", "at", "purpose", "party", "account", "message", "history")
_PARTY = (
    "role",
    "timezone",
    "authorised_channels",
    "opted_out_channels",
    "email_employer_provided",
    "inconvenient_times",
    "is_minor_or_elderly_non_debtor",
    "contact_point_provided_by_debtor",
)
_ACCOUNT_BOOLS = (
    "cease_request",
    "dispute_open",
    "attorney_represented",
    "mental_health_moratorium",
    "lawsuit_served",
    "insolvency",
    "statute_barred",
    "vulnerable",
)
_ACCOUNT = (*_ACCOUNT_BOOLS, "breathing_space_until", "direct_contact_made")
_MESSAGE = (
    "identifies_agency",
    "has_opt_out",
    "court_lookalike",
    "collection_wording_visible",
    "threatens_legal_action",
)
_HISTORY = ("at", "channel", "outcome", "party_role")


def supported_jurisdiction(code: str, overlays: Sequence[str] = ()) -> bool:
    country, _, subdiv = code.partition("-")
    if country not in COUNTRY_ZONES:
        return False
    if not subdiv:
        return True
    return code in overlays or subdiv in known_subdivisions(country)


def _parse_jurisdiction(c: _Collector, value: Any, overlays: Sequence[str]) -> str | None:
    if not isinstance(value, str):
        c.add(
            "jurisdiction",
            "must be a string such as 'CO' or 'US-MA'",
            "debe ser un texto como 'CO' o 'US-MA'",
        )
        return None
    if not supported_jurisdiction(value, overlays):
        country = value.partition("-")[0]
        if country not in COUNTRY_ZONES:
            c.add(
                "jurisdiction",
                f"unknown jurisdiction {value!r}; supported: {', '.join(COUNTRIES)}",
                f"jurisdicción desconocida {value!r}; admitidas: {', '.join(COUNTRIES)}",
            )
        else:
            c.add(
                "jurisdiction",
                f"unknown subdivision in {value!r}",
                f"subdivisión desconocida en {value!r}",
            )
        return None
    return value


def _parse_party(c: _Collector, raw: Any) -> Party | None:
    data = c.mapping("party", raw)
    if raw is None:
        c.add("party", "is required", "es obligatorio")
        return None
    if data is None:
        return None
    n = len(c.errors)
    c.unknown("party", data, _PARTY)
    role = None
    if "role" not in data:
        c.add("party.role", "is required", "es obligatorio")
    else:
        role = c.choice("party.role", data["role"], ROLES)
    tz = data.get("timezone")
    if tz is not None and (not isinstance(tz, str) or not is_valid_zone(tz)):
        c.add(
            "party.timezone",
            f"unknown IANA time zone {tz!r}",
            f"zona horaria IANA desconocida {tz!r}",
        )
        tz = None
    authorised = None
    if data.get("authorised_channels") is not None:
        authorised = c.channels("party.authorised_channels", data["authorised_channels"])
    opted: frozenset[str] | None = frozenset()
    if data.get("opted_out_channels") is not None:
        opted = c.channels("party.opted_out_channels", data["opted_out_channels"])
    employer = False
    if "email_employer_provided" in data:
        employer = bool(
            c.boolean(
                "party.email_employer_provided", data["email_employer_provided"], nullable=False
            )
        )
    minor = None
    if "is_minor_or_elderly_non_debtor" in data:
        minor = c.boolean(
            "party.is_minor_or_elderly_non_debtor",
            data["is_minor_or_elderly_non_debtor"],
            nullable=True,
        )
    provided = None
    if "contact_point_provided_by_debtor" in data:
        provided = c.boolean(
            "party.contact_point_provided_by_debtor",
            data["contact_point_provided_by_debtor"],
            nullable=True,
        )
    spans: list[InconvenientTime] = []
    raw_spans = data.get("inconvenient_times")
    if raw_spans is not None:
        if not isinstance(raw_spans, list):
            c.add("party.inconvenient_times", "must be a list", "debe ser una lista")
        else:
            for i, item in enumerate(raw_spans):
                span = _parse_span(c, f"party.inconvenient_times[{i}]", item)
                if span is not None:
                    spans.append(span)
    if len(c.errors) != n or role is None or opted is None:
        return None
    return Party(
        role=role,
        timezone=tz,
        authorised_channels=authorised,
        opted_out_channels=opted,
        email_employer_provided=employer,
        inconvenient_times=tuple(spans),
        is_minor_or_elderly_non_debtor=minor,
        contact_point_provided_by_debtor=provided,
    )


def _parse_span(c: _Collector, path: str, raw: Any) -> InconvenientTime | None:
    data = c.mapping(path, raw)
    if data is None:
        if raw is None:
            c.add(path, "must be an object", "debe ser un objeto")
        return None
    n = len(c.errors)
    c.unknown(path, data, ("weekdays", "start", "end"))
    for key in ("weekdays", "start", "end"):
        if key not in data:
            c.add(f"{path}.{key}", "is required", "es obligatorio")
    days: set[int] = set()
    wd = data.get("weekdays")
    if "weekdays" in data:
        if not isinstance(wd, list) or not wd:
            c.add(
                f"{path}.weekdays",
                "must be a non-empty list of weekdays 0 (Monday) to 6 (Sunday)",
                "debe ser una lista no vacía de días 0 (lunes) a 6 (domingo)",
            )
        else:
            for j, d in enumerate(wd):
                if isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6:
                    c.add(
                        f"{path}.weekdays[{j}]",
                        "must be an integer 0 (Monday) to 6 (Sunday)",
                        "debe ser un entero 0 (lunes) a 6 (domingo)",
                    )
                else:
                    days.add(d)
    start = c.clock(f"{path}.start", data["start"], allow_24=False) if "start" in data else None
    end = c.clock(f"{path}.end", data["end"], allow_24=True) if "end" in data else None
    if len(c.errors) != n or start is None or end is None:
        return None
    if start == end:
        c.add(f"{path}.end", "must differ from start", "debe ser distinta del inicio")
        return None
    return InconvenientTime(frozenset(days), start, end)


def _parse_account(c: _Collector, raw: Any) -> Account | None:
    data = c.mapping("account", raw)
    if data is None:
        return Account() if raw is None else None
    n = len(c.errors)
    c.unknown("account", data, _ACCOUNT)
    values: dict[str, Any] = {}
    for key in _ACCOUNT_BOOLS:
        if key in data:
            values[key] = c.boolean(f"account.{key}", data[key], nullable=False)
    if data.get("breathing_space_until") is not None:
        values["breathing_space_until"] = c.day(
            "account.breathing_space_until", data["breathing_space_until"]
        )
    if "direct_contact_made" in data:
        values["direct_contact_made"] = c.boolean(
            "account.direct_contact_made", data["direct_contact_made"], nullable=True
        )
    if len(c.errors) != n:
        return None
    return Account(**values)


def _parse_message(c: _Collector, raw: Any) -> Message | None:
    data = c.mapping("message", raw)
    if data is None:
        return Message() if raw is None else None
    n = len(c.errors)
    c.unknown("message", data, _MESSAGE)
    values = {
        key: c.boolean(f"message.{key}", data[key], nullable=True)
        for key in _MESSAGE
        if key in data
    }
    if len(c.errors) != n:
        return None
    return Message(**values)


def _parse_history(c: _Collector, raw: Any) -> tuple[HistoryEntry, ...] | None:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        c.add("history", "must be a list", "debe ser una lista")
        return None
    n = len(c.errors)
    out: list[HistoryEntry] = []
    for i, item in enumerate(raw):
        path = f"history[{i}]"
        data = c.mapping(path, item)
        if data is None:
            if item is None:
                c.add(path, "must be an object", "debe ser un objeto")
            continue
        c.unknown(path, data, _HISTORY)
        missing = [k for k in _HISTORY if k not in data]
        for k in missing:
            c.add(f"{path}.{k}", "is required", "es obligatorio")
        at = c.moment(f"{path}.at", data["at"]) if "at" in data else None
        channel = (
            c.choice(f"{path}.channel", data["channel"], CHANNELS) if "channel" in data else None
        )
        outcome = (
            c.choice(f"{path}.outcome", data["outcome"], OUTCOMES) if "outcome" in data else None
        )
        role = (
            c.choice(f"{path}.party_role", data["party_role"], ROLES)
            if "party_role" in data
            else None
        )
        if at is not None and channel is not None and outcome is not None and role is not None:
            out.append(HistoryEntry(at, channel, outcome, role))
    if len(c.errors) != n:
        return None
    out.sort(key=lambda e: e.at)
    return tuple(out)


def _parse(
    data: Mapping[str, Any], *, template: bool, overlays: Sequence[str]
) -> ContactRequest | ContactTemplate:
    c = _Collector()
    if not isinstance(data, Mapping):
        raise RequestError(
            [
                FieldError(
                    "", "request must be a JSON object", "la solicitud debe ser un objeto JSON"
                )
            ]
        )
    allowed = _TOP if not template else tuple(k for k in _TOP if k not in ("channel", "at"))
    c.unknown("", data, allowed)
    required = (
        ("jurisdiction", "purpose", "party")
        if template
        else ("jurisdiction", "channel", "at", "purpose", "party")
    )
    for key in required:
        if key not in data and key != "party":
            c.add(key, "is required", "es obligatorio")
    jurisdiction = (
        _parse_jurisdiction(c, data["jurisdiction"], overlays) if "jurisdiction" in data else None
    )
    channel = at = None
    if not template:
        channel = c.choice("channel", data["channel"], CHANNELS) if "channel" in data else None
        at = c.moment("at", data["at"]) if "at" in data else None
    purpose = c.choice("purpose", data["purpose"], PURPOSES) if "purpose" in data else None
    party = _parse_party(c, data.get("party"))
    account = _parse_account(c, data.get("account"))
    message = _parse_message(c, data.get("message"))
    history = _parse_history(c, data.get("history"))
    if c.errors:
        raise RequestError(c.errors)
    assert jurisdiction is not None and purpose is not None and party is not None
    assert account is not None and message is not None and history is not None
    if template:
        return ContactTemplate(jurisdiction, purpose, party, account, message, history)
    assert channel is not None and at is not None
    return ContactRequest(jurisdiction, channel, at, purpose, party, account, message, history)


def parse_request(
    data: Mapping[str, Any], *, overlays: Sequence[str] | None = None
) -> ContactRequest:
    """Validate a JSON-like mapping into a ``ContactRequest`` or raise ``RequestError``."""
    result = _parse(data, template=False, overlays=_overlays(overlays))
    assert isinstance(result, ContactRequest)
    return result


def parse_template(
    data: Mapping[str, Any], *, overlays: Sequence[str] | None = None
) -> ContactTemplate:
    """Like ``parse_request`` but without ``channel`` and ``at`` (input of ``day_plan``)."""
    result = _parse(data, template=True, overlays=_overlays(overlays))
    assert isinstance(result, ContactTemplate)
    return result


def _overlays(overlays: Sequence[str] | None) -> Sequence[str]:
    if overlays is not None:
        return overlays
    from .packs import DEFAULT_REGISTRY  # local import: packs import this module

    return DEFAULT_REGISTRY.codes()


def default_zone(jurisdiction: str) -> str:
    """The zone assumed when the party's own zone is unknown (the jurisdiction's capital)."""
    if jurisdiction in SUBDIVISION_ZONES:
        return SUBDIVISION_ZONES[jurisdiction]
    return COUNTRY_ZONES[jurisdiction.split("-", 1)[0]]
