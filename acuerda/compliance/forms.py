"""The contact simulator's form: typed fields in, the engine's JSON request out, and the engine's
field errors (dotted paths such as ``party.timezone`` or ``history[2].at``) back onto the fields.

The form holds no rules: it only builds the request that the CLI and the API accept, so what a
compliance officer simulates here can be copied to either and gives the same decision.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.forms.fields import BaseTemporalField
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from acuerda.compliance.engine import CHANNELS, OUTCOMES, PURPOSES, ROLES, RequestError
from acuerda.compliance.engine.calendar import COUNTRY_ZONES, SUBDIVISION_ZONES, is_valid_zone
from acuerda.compliance.engine.request import default_zone

HISTORY_ROWS = 5
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"

COUNTRY_LABELS = {
    "ES": _("Spain"),
    "CO": _("Colombia"),
    "PE": _("Peru"),
    "MX": _("Mexico"),
    "CL": _("Chile"),
    "AR": _("Argentina"),
    "US": _("United States"),
    "GB": _("United Kingdom"),
}
CHANNEL_LABELS = {
    "call": _("Call"),
    "sms": _("SMS"),
    "whatsapp": _("WhatsApp"),
    "email": _("Email"),
    "letter": _("Letter"),
    "visit": _("Visit"),
}
PURPOSE_LABELS = {
    "collection": _("Collection"),
    "location": _("Location (finding the debtor)"),
    "statutory_notice": _("Statutory notice"),
}
ROLE_LABELS = {
    "debtor": _("Debtor"),
    "co_debtor": _("Co-debtor"),
    "guarantor": _("Guarantor"),
    "reference": _("Reference"),
    "third_party": _("Third party"),
}
OUTCOME_LABELS = {
    "conversation": _("Conversation"),
    "no_answer": _("No answer"),
    "busy": _("Busy"),
    "voicemail": _("Voicemail"),
    "message_sent": _("Message sent"),
    "delivered": _("Delivered"),
    "failed": _("Failed"),
    "visit_made": _("Visit made"),
}
ACCOUNT_FLAGS = {
    "cease_request": _("The debtor asked us to stop contacting them"),
    "dispute_open": _("Open dispute of the debt"),
    "attorney_represented": _("Represented by an attorney"),
    "mental_health_moratorium": _("Mental health crisis moratorium"),
    "lawsuit_served": _("Lawsuit served"),
    "insolvency": _("Insolvency proceedings"),
    "statute_barred": _("Statute-barred claim"),
    "vulnerable": _("Vulnerable debtor"),
}
MESSAGE_FACTS = {
    "identifies_agency": _("Identifies the agency"),
    "has_opt_out": _("Has an opt-out"),
    "court_lookalike": _("Looks like a court document"),
    "collection_wording_visible": _("Collection wording visible to others"),
    "threatens_legal_action": _("Threatens legal action"),
}
UNKNOWN_YES_NO = [("", _("Unknown")), ("true", _("Yes")), ("false", _("No"))]
ZONE_SUGGESTIONS = sorted({*COUNTRY_ZONES.values(), *SUBDIVISION_ZONES.values()})

_HISTORY_PATH = re.compile(r"^history\[(\d+)\](?:\.(\w+))?")
_PARTY_FIELDS = {"role": "party_role", "timezone": "timezone"}


def _choices(values: tuple[str, ...], labels: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(v, labels.get(v, v)) for v in values]


def _tristate(label: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=UNKNOWN_YES_NO,
        required=False,
        coerce=lambda v: v == "true",
        empty_value=None,
    )


def local_moment(naive: datetime, zone_name: str) -> datetime | None:
    """``naive`` on the wall clock of ``zone_name``; None when that wall time does not exist
    there (skipped by a DST change). An ambiguous time (clocks set back) is its first occurrence."""
    tz = ZoneInfo(zone_name)
    aware = naive.replace(tzinfo=tz, fold=0)
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        return None
    return aware


class WallClockField(forms.DateTimeField):
    """A date-time on a wall clock, without a zone: the form reads it in the party's zone (not
    the server's current one, which Django's field would apply)."""

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        result = BaseTemporalField.to_python(self, value)
        return result if isinstance(result, datetime) else None


class SimulationForm(forms.Form):
    country = forms.ChoiceField(
        label=_("Country"), choices=_choices(tuple(COUNTRY_ZONES), COUNTRY_LABELS)
    )
    subdivision = forms.CharField(
        label=_("Subdivision"),
        required=False,
        max_length=40,
        help_text=_("Optional: a region or state code, e.g. MA (US), CN (ES), C (AR)."),
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=_choices(CHANNELS, CHANNEL_LABELS))
    local_at = WallClockField(
        label=_("Local date and time"),
        input_formats=[LOCAL_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT),
        help_text=_("On the party's clock, in the time zone below."),
    )
    timezone = forms.CharField(
        label=_("Party's time zone"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"list": "zones", "placeholder": "America/Bogota"}),
        help_text=_("IANA name. Empty: unknown (the jurisdiction's zone is assumed and noted)."),
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=_choices(PURPOSES, PURPOSE_LABELS))
    party_role = forms.ChoiceField(label=_("Party's role"), choices=_choices(ROLES, ROLE_LABELS))
    authorised_unknown = forms.BooleanField(
        label=_("Authorised channels unknown"),
        required=False,
        help_text=_("Tick when nobody recorded which channels the party authorised."),
    )
    authorised_channels = forms.MultipleChoiceField(
        label=_("Authorised channels"),
        choices=_choices(CHANNELS, CHANNEL_LABELS),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    opted_out_channels = forms.MultipleChoiceField(
        label=_("Opted-out channels"),
        choices=_choices(CHANNELS, CHANNEL_LABELS),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    email_employer_provided = forms.BooleanField(
        label=_("The email address is provided by the employer"), required=False
    )
    is_minor_or_elderly_non_debtor = _tristate(
        _("A minor or an elderly person who is not the debtor")
    )
    contact_point_provided_by_debtor = _tristate(_("The debtor provided this contact point"))
    inconvenient_json = forms.CharField(
        label=_("Times the debtor said are inconvenient (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        help_text=_(
            'Optional: a JSON list of {"weekdays": [0, 1], "start": "13:00", "end": "15:00"}, '
            "0 = Monday, on the party's clock."
        ),
    )
    breathing_space_until = forms.DateField(
        label=_("Breathing space or moratorium until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    direct_contact_made = _tristate(_("Direct contact with the debtor already made"))
    history_json = forms.CharField(
        label=_("History as JSON"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text=_(
            'Instead of the rows: a JSON list of {"at", "channel", "outcome", "party_role"}, '
            "each at with its UTC offset."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in ACCOUNT_FLAGS.items():
            self.fields[name] = forms.BooleanField(label=label, required=False)
        for name, label in MESSAGE_FACTS.items():
            self.fields[name] = _tristate(label)
        for row in range(HISTORY_ROWS):
            self.fields[f"h{row}_at"] = WallClockField(
                label=_("When (party's local time)"),
                required=False,
                input_formats=self.fields["local_at"].input_formats,  # type: ignore[attr-defined]
                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT),
            )
            self.fields[f"h{row}_channel"] = forms.ChoiceField(
                label=_("Channel"),
                required=False,
                choices=[("", "—"), *_choices(CHANNELS, CHANNEL_LABELS)],
            )
            self.fields[f"h{row}_outcome"] = forms.ChoiceField(
                label=_("Outcome"),
                required=False,
                choices=[("", "—"), *_choices(OUTCOMES, OUTCOME_LABELS)],
            )
            self.fields[f"h{row}_role"] = forms.ChoiceField(
                label=_("Party's role"),
                required=False,
                choices=[("", "—"), *_choices(ROLES, ROLE_LABELS)],
            )
        self._history_rows: list[int] = []  # request history index -> form row

    # ---------------------------------------------------------------------------- groups

    def account_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ACCOUNT_FLAGS]

    def message_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in MESSAGE_FACTS]

    def history_rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"h{row}_{key}"] for key in ("at", "channel", "outcome", "role")]
            for row in range(HISTORY_ROWS)
        ]

    # --------------------------------------------------------------------- validation

    def clean_subdivision(self) -> str:
        return str(self.cleaned_data.get("subdivision") or "").strip().upper()

    def clean_timezone(self) -> str:
        return str(self.cleaned_data.get("timezone") or "").strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        zone_name = self._zone_name(data)
        if data.get("local_at") is not None and zone_name is not None:
            moment = local_moment(data["local_at"], zone_name)
            if moment is None:
                self.add_error(
                    "local_at",
                    gettext("This time does not exist in %(zone)s (the clocks skip it).")
                    % {"zone": zone_name},
                )
            data["at"] = moment
        rows_used = False
        for row in range(HISTORY_ROWS):
            values = [data.get(f"h{row}_{key}") for key in ("at", "channel", "outcome", "role")]
            if not any(values):
                continue
            rows_used = True
            for key, value in zip(("at", "channel", "outcome", "role"), values, strict=True):
                if not value:
                    self.add_error(
                        f"h{row}_{key}", gettext("Fill in every column of the row, or none.")
                    )
        data["inconvenient_times"] = self._json(data, "inconvenient_json")
        text = (data.get("history_json") or "").strip()
        data["history"] = None
        if text:
            if rows_used:
                self.add_error(
                    "history_json", gettext("Give the history either as rows or as JSON, not both.")
                )
            else:
                data["history"] = self._json(data, "history_json")
        return data

    def _json(self, data: dict[str, Any], name: str) -> Any:
        """The parsed JSON of a text field, None when empty or not JSON (then the field says so)."""
        text = (data.get(name) or "").strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            self.add_error(
                name,
                gettext("Not valid JSON at line %(line)s, column %(column)s: %(error)s")
                % {"line": exc.lineno, "column": exc.colno, "error": exc.msg},
            )
            return None

    def _zone_name(self, data: dict[str, Any]) -> str | None:
        """The zone the local times are read in: the party's, else the jurisdiction's default."""
        name = data.get("timezone") or ""
        if name:
            if not is_valid_zone(name):
                self.add_error("timezone", gettext("Unknown time zone %(zone)r.") % {"zone": name})
                return None
            return str(name)
        country = data.get("country")
        if not country:
            return None
        subdivision = data.get("subdivision") or ""
        return default_zone(f"{country}-{subdivision}" if subdivision else str(country))

    # ----------------------------------------------------------------------- the request

    def request_data(self) -> dict[str, Any]:
        """The engine's JSON request built from the cleaned form (call after ``is_valid()``)."""
        data = self.cleaned_data
        zone_name = data["timezone"] or None
        jurisdiction = data["country"] + (f"-{data['subdivision']}" if data["subdivision"] else "")
        party: dict[str, Any] = {"role": data["party_role"]}
        if zone_name:
            party["timezone"] = zone_name
        if not data["authorised_unknown"]:
            party["authorised_channels"] = [c for c in CHANNELS if c in data["authorised_channels"]]
        party["opted_out_channels"] = [c for c in CHANNELS if c in data["opted_out_channels"]]
        if data["inconvenient_times"] is not None:
            party["inconvenient_times"] = data["inconvenient_times"]
        if data["email_employer_provided"]:
            party["email_employer_provided"] = True
        for key in ("is_minor_or_elderly_non_debtor", "contact_point_provided_by_debtor"):
            if data[key] is not None:
                party[key] = data[key]
        account: dict[str, Any] = {key: data[key] for key in ACCOUNT_FLAGS}
        until = data["breathing_space_until"]
        account["breathing_space_until"] = until.isoformat() if until else None
        if data["direct_contact_made"] is not None:
            account["direct_contact_made"] = data["direct_contact_made"]
        message = {key: data[key] for key in MESSAGE_FACTS if data[key] is not None}
        request: dict[str, Any] = {
            "jurisdiction": jurisdiction,
            "channel": data["channel"],
            "at": data["at"].isoformat(),
            "purpose": data["purpose"],
            "party": party,
            "account": account,
            "message": message,
            "history": self._history(data, zone_name or default_zone(jurisdiction)),
        }
        return request

    def _history(self, data: dict[str, Any], zone_name: str) -> Any:
        if data["history"] is not None:
            return data["history"]
        out = []
        self._history_rows = []
        for row in range(HISTORY_ROWS):
            naive = data.get(f"h{row}_at")
            if naive is None:
                continue
            moment = local_moment(naive, zone_name) or naive.replace(tzinfo=ZoneInfo(zone_name))
            out.append(
                {
                    "at": moment.isoformat(),
                    "channel": data[f"h{row}_channel"],
                    "outcome": data[f"h{row}_outcome"],
                    "party_role": data[f"h{row}_role"],
                }
            )
            self._history_rows.append(row)
        return out

    def add_request_errors(self, exc: RequestError) -> None:
        """Put each of the engine's field errors on the form field it came from."""
        from django.utils.translation import get_language

        spanish = (get_language() or "").startswith("es")
        subdivision = self.cleaned_data.get("subdivision")
        for error in exc.errors:
            message = error.message_es if spanish else error.message_en
            field, shown = self._field_for(error.field, subdivision=bool(subdivision))
            if field is None or field not in self.fields:
                self.add_error(None, f"{error.field}: {message}" if error.field else message)
            else:
                self.add_error(field, f"{shown}: {message}" if shown else message)

    def _field_for(self, path: str, *, subdivision: bool) -> tuple[str | None, str]:
        """(form field, path to show with the message) for an engine error path."""
        if path == "jurisdiction":
            return ("subdivision" if subdivision else "country"), ""
        if path == "at":
            return "local_at", ""
        if path in ("channel", "purpose"):
            return path, ""
        head, _dot, rest = path.partition(".")
        key = re.split(r"[.\[]", rest, maxsplit=1)[0] if rest else ""
        if head == "party":
            if key == "inconvenient_times":
                return "inconvenient_json", path
            return _PARTY_FIELDS.get(key, key), ""
        if head in ("account", "message"):
            return (key if key in self.fields else None), ""
        if head.partition("[")[0] == "history" and self.cleaned_data.get("history") is not None:
            return "history_json", path
        match = _HISTORY_PATH.match(path)
        if match:
            index, key = int(match.group(1)), match.group(2) or "at"
            if index < len(self._history_rows):
                return f"h{self._history_rows[index]}_{'role' if key == 'party_role' else key}", ""
            return None, path
        return None, path


def initial_from_request(data: dict[str, Any]) -> dict[str, Any]:
    """The simulator's initial values for a request ``parse_request`` accepted (so it can be
    tweaked on the form): moments on the party's clock, up to ``HISTORY_ROWS`` history rows
    (a longer history stays JSON)."""
    country, _sep, subdivision = data["jurisdiction"].partition("-")
    party = data.get("party") or {}
    account = data.get("account") or {}
    message = data.get("message") or {}
    zone_name = party.get("timezone") or default_zone(data["jurisdiction"])
    tz = ZoneInfo(zone_name)

    def local(value: str) -> str:
        return datetime.fromisoformat(value).astimezone(tz).strftime(LOCAL_FORMAT)

    def tristate(value: Any) -> str:
        return "" if value is None else ("true" if value else "false")

    initial: dict[str, Any] = {
        "country": country,
        "subdivision": subdivision,
        "channel": data["channel"],
        "local_at": local(data["at"]),
        "timezone": party.get("timezone") or "",
        "purpose": data.get("purpose", "collection"),
        "party_role": party.get("role", "debtor"),
        "authorised_unknown": party.get("authorised_channels") is None,
        "authorised_channels": party.get("authorised_channels") or [],
        "opted_out_channels": party.get("opted_out_channels") or [],
        "email_employer_provided": bool(party.get("email_employer_provided")),
        "is_minor_or_elderly_non_debtor": tristate(party.get("is_minor_or_elderly_non_debtor")),
        "contact_point_provided_by_debtor": tristate(party.get("contact_point_provided_by_debtor")),
        "inconvenient_json": json.dumps(party["inconvenient_times"])
        if party.get("inconvenient_times")
        else "",
        "breathing_space_until": account.get("breathing_space_until") or "",
        "direct_contact_made": tristate(account.get("direct_contact_made")),
    }
    for key in ACCOUNT_FLAGS:
        initial[key] = bool(account.get(key))
    for key in MESSAGE_FACTS:
        initial[key] = tristate(message.get(key))
    history = data.get("history") or []
    if len(history) > HISTORY_ROWS:
        initial["history_json"] = json.dumps(history, indent=1)
    else:
        for row, entry in enumerate(history):
            initial[f"h{row}_at"] = local(entry["at"])
            initial[f"h{row}_channel"] = entry["channel"]
            initial[f"h{row}_outcome"] = entry["outcome"]
            initial[f"h{row}_role"] = entry["party_role"]
    return initial


class RawRequestForm(forms.Form):
    """A JSON request pasted as is (from the CLI, the API or a log) to check and load."""

    raw_request = forms.CharField(
        label=_("A JSON request"),
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=_(
            "Paste a request as the CLI and the API take it: it is checked and loaded into the form."
        ),
    )

    def clean_raw_request(self) -> Any:
        text = self.cleaned_data["raw_request"]
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                gettext("Not valid JSON at line %(line)s, column %(column)s: %(error)s")
                % {"line": exc.lineno, "column": exc.colno, "error": exc.msg}
            ) from None
