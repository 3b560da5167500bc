"""Generated Markdown documentation of every rule pack and rule."""

from __future__ import annotations

from datetime import date
from typing import Any

from .packs import DEFAULT_REGISTRY, Registry
from .rules import ContactWindow, Rule, describe_hours


def _fmt(value: Any) -> str:
    if isinstance(value, frozenset | set):
        return ", ".join(sorted(str(v) for v in value)) or "—"
    if isinstance(value, date):
        return value.isoformat()
    if value is None:
        return "—"
    return str(value)


def _filter(value: frozenset[str] | None) -> str:
    return "all / todos" if value is None else ", ".join(sorted(value))


def _rule_md(rule: Rule) -> list[str]:
    lines = [
        f"#### `{rule.id}` — {rule.title_en} / {rule.title_es}",
        "",
        f"- Reference / Referencia: {rule.reference}",
        f"- Kind / Tipo: `{rule.KIND}`",
        f"- Channels / Canales: {_filter(rule.channels)}",
        f"- Party roles / Interlocutores: {_filter(rule.roles)}",
        f"- Purposes / Finalidades: {_filter(rule.purposes)}",
        f"- Effective / Vigencia: {_fmt(rule.effective_from)} → {_fmt(rule.effective_to)}",
    ]
    params = rule.params
    if params:
        lines.append("- Parameters / Parámetros:")
        for name, value in params.items():
            if isinstance(rule, ContactWindow) and name in ("hours", "optional_hours"):
                shown = f"{describe_hours(value, 'en')} ({describe_hours(value, 'es')})"
            else:
                shown = _fmt(value)
            mark = " *(setting / ajuste)*" if name in rule.settings else ""
            lines.append(f"  - `{name}` = {shown}{mark}")
    for name, (es, en) in rule.settings_doc.items():
        lines.append(f"- Setting `{name}`: {en} / {es}")
    lines += ["", f"EN: {rule.explanation_en}", "", f"ES: {rule.explanation_es}", ""]
    return lines


ENGINE_READINGS = [
    "## Engine-wide readings / Criterios generales del motor",
    "",
    "- Time is the party's local time (`party.timezone`; when absent, the jurisdiction's capital "
    "zone, or the subdivision's zone such as Atlantic/Canary for ES-CN, noted in `assumptions`). "
    "Holidays are the jurisdiction's national and regional (subdivision) ones, even for a party "
    "living abroad. / La hora es la local del interlocutor; los festivos, los de la jurisdicción "
    "(nacionales y de la subdivisión), aunque el interlocutor viva en otro país.",
    "- Windows are half-open [start, end): the end minute is outside (19:00 in CO) unless the "
    "`end_inclusive` setting is on. / Las franjas son [inicio, fin): el minuto final queda fuera.",
    "- Frequency caps count the history entries at or before the moment evaluated; the proposed "
    "contact would be one more (blocked when count >= max). Failed attempts (no_answer, busy, "
    "failed) count by default. History of every party role counts (the history is the account's). "
    "/ Los topes cuentan el historial hasta el momento evaluado; la gestión propuesta sería una "
    "más. Los intentos fallidos cuentan por defecto, y el historial de cualquier interlocutor.",
    "- Periods: `day` = local calendar day; `calendar_week` = Monday to Sunday; "
    "`rolling_days` = the N local days ending today (today is day 1; an entry stops counting at "
    "local midnight N days after its day); `strictest_week` = blocked if either the calendar week "
    "or the 7 rolling days would block (used where the law just says 'week'). / Periodos: día "
    "natural, semana natural, N días consecutivos, o el más estricto de ambos.",
    "- `next_allowed_at`: every blocking rule proposes the earliest instant it could stop "
    "blocking (null = never, the facts must change); the engine moves to the latest proposal and "
    "re-evaluates, up to 60 times / 400 days. / Cada regla propone cuándo dejaría de bloquear; "
    "se avanza a la propuesta más tardía y se reevalúa.",
    "- Unknown message or party facts (null) do not block unless the rule's `unknown_blocks` "
    "setting says so (on for the US email/text opt-out); they are listed in `assumptions`. / "
    "Los datos desconocidos no bloquean salvo `unknown_blocks`; se anotan como supuestos.",
    "- A creditor policy can only tighten (hours, closed weekdays, blackout dates, forbidden "
    "channels, lower caps). `settings` chooses among the documented readings of each rule: the "
    "agency's compliance officer sets them per jurisdiction (rule readings in the back office), "
    "and each decision that relies on a changed setting says so. / La política del mandante solo "
    "restringe; las lecturas documentadas (`settings`) las elige el responsable de cumplimiento "
    "de la agencia por jurisdicción.",
    "",
]


def packs_markdown(registry: Registry = DEFAULT_REGISTRY) -> str:
    """Markdown for every pack version and rule in ``registry`` (deterministic)."""
    lines = [
        "# Compliance rule packs / Paquetes de reglas de cumplimiento",
        "",
        "Generated from `acuerda.compliance.engine`; do not edit by hand. Times are the party's "
        "local time; windows are half-open [start, end) unless `end_inclusive`. Where the law "
        "is ambiguous the strict reading is the default and the choice is a documented setting. "
        "Not legal advice: references beyond the research notes (REGULATIONS.md) and the version "
        "dates flagged 'to verify' need legal review before go-live.",
        "",
        "Generado desde `acuerda.compliance.engine`; no editar a mano. Las horas son locales del "
        "interlocutor; las franjas son [inicio, fin) salvo `end_inclusive`. Donde la norma es "
        "ambigua, la lectura estricta es la predeterminada y la elección es un ajuste documentado. "
        "No es asesoramiento legal: las referencias que no están en las notas de investigación "
        "(REGULATIONS.md) y las fechas de versión marcadas 'a verificar' requieren revisión legal.",
        "",
    ]
    lines += ENGINE_READINGS
    for code in sorted(registry.packs):
        for pack in registry.versions(code):
            lines += [f"## {pack.title}", "", f"- Pack id: `{pack.id}`"]
            if pack.base:
                lines.append(f"- Overlay on / Se aplica sobre: `{pack.base}`")
            lines.append("")
            if pack.notes_en:
                lines += [f"EN: {pack.notes_en}", "", f"ES: {pack.notes_es}", ""]
            lines.append("### Rules / Reglas")
            lines.append("")
            for rule in pack.rules:
                lines += _rule_md(rule)
    return "\n".join(lines).rstrip() + "\n"
