"""The compliance officer's pages: simulate a contact and read the decision, and the rule packs.

The simulator builds the same JSON request the CLI (``acuerda compliance check``) and the API
(``POST /api/v1/compliance/check/``) accept, asks the engine, and shows the decision in the
viewer's language with the moments on the party's clock. Nothing is recorded: it is a simulation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import formats
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from acuerda.compliance.engine import (
    CHANNELS,
    DEFAULT_REGISTRY,
    Decision,
    RequestError,
    Rule,
    decision_to_dict,
    evaluate,
    parse_request,
)
from acuerda.compliance.engine.docs import ENGINE_READINGS
from acuerda.compliance.engine.rules import ContactWindow, describe_hours
from acuerda.compliance.forms import (
    HISTORY_ROWS,
    ZONE_SUGGESTIONS,
    RawRequestForm,
    SimulationForm,
    initial_from_request,
)
from acuerda.core.http import AuthenticatedHttpRequest

SIMULATE = "compliance.simulate_contact"
MOMENT_FORMAT = "l j F Y, H:i"

INITIAL = {
    "country": "CO",
    "channel": "call",
    "local_at": "2026-03-02T19:00",
    "timezone": "America/Bogota",
    "purpose": "collection",
    "party_role": "debtor",
    "authorised_channels": ["call", "sms"],
    "identifies_agency": "true",
    "has_opt_out": "true",
    "court_lookalike": "false",
    "h0_at": "2026-02-24T10:00",
    "h0_channel": "sms",
    "h0_outcome": "delivered",
    "h0_role": "debtor",
}


def _spanish() -> bool:
    return (get_language() or "").startswith("es")


def _rules_by_id() -> dict[str, Rule]:
    return {rule.id: rule for pack in DEFAULT_REGISTRY for rule in pack.rules}


def _moment(value: datetime | None) -> dict[str, str] | None:
    """A moment on the party's clock (the engine already gives it in the party's zone)."""
    if value is None:
        return None
    offset = value.strftime("%z")
    return {
        "text": formats.date_format(value, MOMENT_FORMAT),
        "zone": str(getattr(value.tzinfo, "key", "") or value.tzname() or ""),
        "offset": f"UTC{offset[:3]}:{offset[3:]}" if offset else "",
        "iso": value.isoformat(),
    }


@dataclass(frozen=True)
class Shown:
    """A decision as the page shows it, in the viewer's language."""

    allowed: bool
    blocks: list[dict[str, str]]
    next_allowed: dict[str, str] | None
    local_time: dict[str, str] | None
    pack: str
    assumptions: list[str]
    evaluated: list[dict[str, Any]]


def _shown(decision: Decision) -> Shown:
    es = _spanish()
    rules = _rules_by_id()
    evaluated = []
    for rule_id in decision.evaluated:
        rule = rules.get(rule_id)
        title = (rule.title_es if es else rule.title_en) if rule is not None else ""
        evaluated.append(
            {
                "id": rule_id,
                "title": title,
                "reference": rule.reference if rule is not None else "",
                "blocked": any(b.rule == rule_id for b in decision.blocked_by),
            }
        )
    return Shown(
        allowed=decision.allowed,
        blocks=[
            {"rule": b.rule, "reference": b.reference, "reason": b.reason_es if es else b.reason_en}
            for b in decision.blocked_by
        ],
        next_allowed=_moment(decision.next_allowed_at),
        local_time=_moment(decision.local_time),
        pack=decision.pack,
        assumptions=[n.es if es else n.en for n in decision.assumptions],
        evaluated=evaluated,
    )


@login_required
@permission_required(SIMULATE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def simulate(request: AuthenticatedHttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"zones": ZONE_SUGGESTIONS, "history_rows": HISTORY_ROWS}
    status = 200
    raw = RawRequestForm()
    if request.method != "POST":
        form = SimulationForm(initial=INITIAL)
    elif "raw_request" in request.POST:
        raw = RawRequestForm(request.POST)
        form = SimulationForm(initial=INITIAL)
        status = 400
        if raw.is_valid():
            data = raw.cleaned_data["raw_request"]
            try:
                decision = evaluate(parse_request(data))
            except RequestError as exc:
                es = _spanish()
                for error in exc.errors:
                    message = error.message_es if es else error.message_en
                    raw.add_error(
                        "raw_request", f"{error.field}: {message}" if error.field else message
                    )
            else:
                status = 200
                form = SimulationForm(initial=initial_from_request(data))
                context.update(_decided(data, decision))
    else:
        form = SimulationForm(request.POST)
        status = 400
        if form.is_valid():
            data = form.request_data()
            context["request_json"] = json.dumps(data, indent=2, ensure_ascii=False)
            try:
                decision = evaluate(parse_request(data))
            except RequestError as exc:
                form.add_request_errors(exc)
            else:
                status = 200
                context.update(_decided(data, decision))
    context["form"] = form
    context["raw"] = raw
    # htmx swaps only the simulator (form and result); without JavaScript the whole page renders.
    htmx = bool(request.headers.get("HX-Request"))
    template = "compliance/_simulator.html" if htmx else "compliance/simulate.html"
    # htmx does not swap 4xx answers by default: the form with its errors is still a normal answer.
    return render(request, template, context, status=200 if htmx else status)


def _decided(data: dict[str, Any], decision: Decision) -> dict[str, Any]:
    return {
        "decision": _shown(decision),
        "request_json": json.dumps(data, indent=2, ensure_ascii=False),
        "decision_json": json.dumps(decision_to_dict(decision), indent=2, ensure_ascii=False),
    }


# ------------------------------------------------------------------------------ the packs


def _value(name: str, value: Any, rule: Rule, es: bool) -> str:
    if isinstance(rule, ContactWindow) and name in ("hours", "optional_hours"):
        return describe_hours(value, "es" if es else "en")
    if isinstance(value, frozenset | set):
        return ", ".join(sorted(str(v) for v in value)) or "—"
    if isinstance(value, date):
        return value.isoformat()
    if value is None:
        return "—"
    return str(value)


def _applies(values: frozenset[str] | None, es: bool) -> str:
    if values is None:
        return "todos" if es else "all"
    return ", ".join(sorted(values))


def _rule_view(rule: Rule, es: bool) -> dict[str, Any]:
    return {
        "id": rule.id,
        "title": rule.title_es if es else rule.title_en,
        "reference": rule.reference,
        "kind": rule.KIND,
        "channels": _applies(rule.channels, es),
        "roles": _applies(rule.roles, es),
        "purposes": _applies(rule.purposes, es),
        "effective_from": rule.effective_from,
        "effective_to": rule.effective_to,
        "params": [
            {"name": name, "value": _value(name, value, rule, es), "setting": name in rule.settings}
            for name, value in rule.params.items()
        ],
        "settings": [
            {"name": name, "doc": doc_es if es else doc_en}
            for name, (doc_es, doc_en) in rule.settings_doc.items()
        ],
        "explanation": rule.explanation_es if es else rule.explanation_en,
    }


@login_required
def packs(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every pack version and rule, rendered from the registry (the same content as the
    generated ``docs/compliance/rule-packs.md``), in the viewer's language."""
    es = _spanish()
    shown = []
    for code in sorted(DEFAULT_REGISTRY.packs):
        for pack in DEFAULT_REGISTRY.versions(code):
            shown.append(
                {
                    "id": pack.id,
                    "code": pack.code,
                    "title": pack.title,
                    "base": pack.base,
                    "notes": pack.notes_es if es else pack.notes_en,
                    "rules": [_rule_view(rule, es) for rule in pack.rules],
                }
            )
    readings = [line.removeprefix("- ") for line in ENGINE_READINGS if line.startswith("- ")]
    context = {
        "packs": shown,
        "readings": readings,
        "channels": CHANNELS,
        "can_simulate": request.user.has_perm(SIMULATE),
    }
    return render(request, "compliance/packs.html", context)
