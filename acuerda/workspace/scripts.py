"""Guided scripts and the disclosures each jurisdiction requires the agent to say.

A script is chosen for the account by creditor, stage and delinquency bucket (the most specific
active one wins) in the debtor's language. Placeholders are filled from the account; a script
naming an unknown placeholder is refused when saved. The jurisdiction's disclosures come from
code (reviewed like the rule packs) and are always shown above the script.

References marked "to verify" need a lawyer's review before go-live, as in the rule packs.
"""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass
from typing import Any

from babel.numbers import format_currency
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from acuerda.debts.models import Account
from acuerda.people.models import User
from acuerda.workspace.choices import Stage
from acuerda.workspace.models import Script

PLACEHOLDERS = ("debtor_name", "amount", "creditor", "agent", "agency", "agency_phone", "agency_address", "reference")

# Days past due where each stage starts, until the strategy engine sets stages itself.
STAGE_EDGES = ((181, Stage.PRE_LEGAL), (91, Stage.INSIST), (31, Stage.DEMAND), (0, Stage.REMINDER))


@dataclass(frozen=True)
class Disclosure:
    key: str
    reference: str
    texts: dict[str, str]  # by language
    first_contact_only: bool = False

    def text(self, language: str) -> str:
        return self.texts.get(language) or self.texts.get("es") or next(iter(self.texts.values()))


_IDENTIFY_ES = ("Buenos días/tardes, le habla {agent}, de {agency}. Le llamamos en nombre de {creditor} "
                "en relación con una deuda pendiente (referencia {reference}).")
_RECORDING_ES = "Le informo de que esta llamada puede ser grabada por motivos de calidad y para acreditar lo acordado."

DISCLOSURES: dict[str, tuple[Disclosure, ...]] = {
    "ES": (
        Disclosure("es.identify", "Ley 16/2011 y buenas prácticas del sector (ANGECO) — to verify",
                   {"es": _IDENTIFY_ES}),
        Disclosure("es.recording", "RGPD art. 13; LOPDGDD art. 11 — to verify",
                   {"es": _RECORDING_ES + " Puede ejercer sus derechos de protección de datos ante {agency}, "
                          "{agency_address}."}),
    ),
    "MX": (
        Disclosure("mx.identify", "CONDUSEF, Disposiciones en materia de despachos de cobranza, art. 6 — to verify",
                   {"es": "Le habla {agent}, de {agency}, despacho de cobranza que actúa en nombre de {creditor}. "
                          "Nuestro domicilio es {agency_address} y nuestro teléfono {agency_phone}. "
                          "Le llamo por el adeudo con referencia {reference}, por un importe de {amount}."},
                   first_contact_only=False),
        Disclosure("mx.no_threats", "CONDUSEF, Disposiciones en materia de despachos de cobranza, art. 7 — to verify",
                   {"es": "(Recuerde: sin amenazas, sin lenguaje ofensivo y sin contactar a terceros "
                          "ajenos al crédito salvo referencias autorizadas.)"}),
    ),
    "CO": (
        Disclosure("co.identify", "Ley 2300 de 2023, art. 3; Ley 1266 de 2008 — to verify",
                   {"es": _IDENTIFY_ES}),
        Disclosure("co.recording", "Ley 1581 de 2012, art. 12 — to verify", {"es": _RECORDING_ES}),
    ),
    "PE": (
        Disclosure("pe.identify", "Código de Protección y Defensa del Consumidor, art. 62 — to verify",
                   {"es": _IDENTIFY_ES}),
    ),
    "CL": (
        Disclosure("cl.identify", "Ley 19.496, art. 37 — to verify", {"es": _IDENTIFY_ES}),
    ),
    "AR": (
        Disclosure("ar.identify", "Ley 24.240, art. 8 bis (trato digno) — to verify", {"es": _IDENTIFY_ES}),
    ),
    "US": (
        Disclosure("us.mini_miranda", "FDCPA 15 U.S.C. §1692e(11); Regulation F §1006.18(e)",
                   {"en": "This is {agent} with {agency}, a debt collector, calling on behalf of {creditor}. "
                          "This is an attempt to collect a debt and any information obtained will be used "
                          "for that purpose.",
                    "es": "Le habla {agent}, de {agency}, una agencia de cobro de deudas, en nombre de {creditor}. "
                          "Esto es un intento de cobrar una deuda y cualquier información obtenida se utilizará "
                          "con ese fin."}),
    ),
    "GB": (
        Disclosure("gb.identify", "FCA CONC 7.9 and 7.3 — to verify",
                   {"en": "This is {agent} from {agency}, calling on behalf of {creditor} about account {reference}. "
                          "This call may be recorded."}),
    ),
}


def stage_for(days_past_due: int) -> str:
    for start, stage in STAGE_EDGES:
        if days_past_due >= start:
            return stage
    return Stage.REMINDER


def agency() -> dict[str, str]:
    return {"agency": settings.ACUERDA_AGENCY_NAME, "agency_phone": settings.ACUERDA_AGENCY_PHONE,
            "agency_address": settings.ACUERDA_AGENCY_ADDRESS}


class _Values(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def placeholder_values(account: Account, agent: User, language: str) -> dict[str, str]:
    locale = {"es": "es_ES", "en": "en_GB"}.get(language, language)
    try:
        amount = format_currency(account.balance.amount, account.currency, locale=locale)
    except (ValueError, TypeError):
        amount = str(account.balance)
    return {
        "debtor_name": account.debtor.display_name, "amount": amount,
        "creditor": account.portfolio.creditor.legal_name, "agent": agent.first_name or agent.username,
        "reference": account.creditor_reference, **agency(),
    }


def render(text: str, values: dict[str, str]) -> str:
    """Fill the placeholders. A stored text that cannot be filled (saved before the checks of
    ``validate_body``) is shown as written rather than breaking the agent's page."""
    try:
        return text.format_map(_Values(values))
    except (ValueError, KeyError, IndexError, AttributeError):
        return text


def validate_body(body: str) -> None:
    """Refuse unknown or malformed placeholders, naming them and the ones that exist."""
    try:
        parsed = [(name, spec, conv) for _lit, name, spec, conv in string.Formatter().parse(body) if name is not None]
    except ValueError as exc:
        raise ValidationError({"body": _("The script has a broken placeholder (%(error)s); write them like {debtor_name}.")
                               % {"error": exc}}) from None
    formatted = sorted({"{" + f"{name}{'!' + conv if conv else ''}{':' + spec if spec else ''}" + "}"
                        for name, spec, conv in parsed if spec or conv})
    if formatted:
        raise ValidationError({"body": _("Placeholders take no format: %(formatted)s; write them like {debtor_name}.")
                               % {"formatted": ", ".join(formatted)}})
    fields = {name for name, _spec, _conv in parsed}
    unknown = sorted(f for f in fields if f not in PLACEHOLDERS)
    if unknown:
        raise ValidationError({"body": _("Unknown placeholders: %(unknown)s. Available: %(known)s.") % {
            "unknown": ", ".join("{" + u + "}" for u in unknown),
            "known": ", ".join("{" + p + "}" for p in PLACEHOLDERS)}})


@dataclass(frozen=True)
class RenderedScript:
    stage: str
    language: str
    disclosures: list[tuple[Disclosure, str]]
    script: Script | None
    body: str

    @property
    def stage_label(self) -> str:
        return str(Stage(self.stage).label)


def script_for(*, account: Account, agent: User, today: dt.date | None = None) -> RenderedScript:
    """The disclosures and the best script for this account, filled in."""
    today = today or timezone.localdate()
    dpd = account.days_past_due(today)
    stage = stage_for(dpd)
    bucket = account.bucket(today)
    language = (account.debtor.preferred_language or "es").split("-")[0].lower()
    values = placeholder_values(account, agent, language)
    country = account.portfolio.jurisdiction_country
    disclosures = [(d, render(d.text(language), values)) for d in DISCLOSURES.get(country, ())]
    candidates = Script.objects.filter(
        Q(creditor__isnull=True) | Q(creditor_id=account.portfolio.creditor_id),
        Q(stage="") | Q(stage=stage), Q(bucket="") | Q(bucket=bucket), is_active=True,
        language__in=[language, "es"],
    )

    def score(script: Script) -> tuple[int, int]:
        specific = 4 * bool(script.creditor_id) + 2 * bool(script.stage) + bool(script.bucket)
        return (int(script.language == language), specific)

    best = max(candidates, key=score, default=None)
    return RenderedScript(stage=stage, language=language, disclosures=disclosures, script=best,
                          body=render(best.body, values) if best else "")


@transaction.atomic
def script_save(*, script: Script, actor: User, **fields: Any) -> Script:
    """Create or change a script (supervisors and administrators)."""
    if not (actor.is_superuser or actor.role in ("supervisor", "admin")):
        raise ValidationError(_("Only supervisors edit scripts."))
    if not actor.sees_all_creditors:
        # A supervisor works for some creditors: their scripts are those creditors', and the
        # agency-wide ones (no creditor) are the administrators'.
        from acuerda.creditors.models import Creditor

        if script.pk is not None and script.creditor_id is None:
            raise ValidationError(_("Scripts for every creditor are edited by an administrator."))
        creditor = fields.get("creditor", script.creditor)
        if creditor is None:
            raise ValidationError({"creditor": _("Choose the creditor this script is for.")})
        if not Creditor.objects.for_user(actor).filter(pk=creditor.pk).exists():
            raise ValidationError({"creditor": _("You do not work for this creditor.")})
    for name, value in fields.items():
        setattr(script, name, value)
    validate_body(script.body)
    script.updated_by = actor
    script.full_clean()
    script.save()
    return script
