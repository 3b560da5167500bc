"""Rule packs as data: one versioned pack per jurisdiction, plus subdivision overlays.

A pack's ``version`` is the date it takes effect; the registry picks, for a given local date,
the latest version in force. Overlays (``US-MA``, ``AR-C``) add rules on top of their
country's pack when the request's jurisdiction names that subdivision.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from .rules import (
    AccountStop,
    ChannelAuthorisation,
    Condition,
    ContactWindow,
    Cooldown,
    DistinctChannelCap,
    FrequencyCap,
    InconvenientTimes,
    MessageCheck,
    MinimumGap,
    OptOut,
    PartyFlag,
    Prohibition,
    Rule,
    UntilDateStop,
    weekly,
)

ALL_CHANNELS = frozenset({"call", "sms", "whatsapp", "email", "letter", "visit"})
TEXT_CHANNELS = frozenset({"sms", "whatsapp", "email"})
WRITTEN_CHANNELS = frozenset({"sms", "whatsapp", "email", "letter", "visit"})
THIRD_PARTIES = frozenset({"reference", "third_party"})
NON_NOTICE = frozenset({"collection", "location"})
COLLECTION = frozenset({"collection"})
NOT_LOCATION = frozenset({"collection", "statutory_notice"})


@dataclass(frozen=True, eq=False)
class RulePack:
    code: str  # "CO", or an overlay "US-MA"
    version: date
    title: str
    rules: tuple[Rule, ...]
    notes_es: str = ""
    notes_en: str = ""
    base: str | None = None  # for overlays: the country pack they extend

    @property
    def id(self) -> str:
        return f"{self.code}@{self.version.isoformat()}"

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


#: ``cache_clear`` of every cache keyed by a registry (filled by the modules that cache).
CACHE_CLEARERS: list[Callable[[], None]] = []


@dataclass(eq=False)
class Registry:
    """Packs by code, several versions each."""

    packs: dict[str, list[RulePack]] = field(default_factory=dict)

    def add(self, pack: RulePack) -> None:
        versions = self.packs.setdefault(pack.code, [])
        versions.append(pack)
        versions.sort(key=lambda p: p.version)
        for clear in CACHE_CLEARERS:  # cached resolutions and plans may be stale now
            clear()

    def codes(self) -> tuple[str, ...]:
        return tuple(self.packs)

    def versions(self, code: str) -> list[RulePack]:
        return list(self.packs.get(code, ()))

    def pack_for(self, code: str, day: date) -> tuple[RulePack | None, bool]:
        """(pack in force on ``day``, whether it had to fall back to the earliest version)."""
        versions = self.packs.get(code)
        if not versions:
            return None, False
        chosen = None
        for p in versions:
            if p.version <= day:
                chosen = p
        if chosen is None:
            return versions[0], True
        return chosen, False

    def resolve(self, jurisdiction: str, day: date) -> tuple[list[RulePack], bool]:
        country = jurisdiction.split("-", 1)[0]
        base, fell_back = self.pack_for(country, day)
        if base is None:
            raise KeyError(f"no rule pack for {country}")
        packs = [base]
        if jurisdiction != country and jurisdiction in self.packs:
            overlay, fb = self.pack_for(jurisdiction, day)
            if overlay is not None:
                packs.append(overlay)
                fell_back = fell_back or fb
        return packs, fell_back

    def __iter__(self) -> Iterator[RulePack]:
        for code in self.packs:
            yield from self.packs[code]


# --------------------------------------------------------------------------- common rules

FAILED_DOC = (
    "Si un intento fallido (sin respuesta, ocupado, fallido) cuenta como gestión. Por defecto sí "
    "(lectura estricta).",
    "Whether a failed attempt (no answer, busy, failed) counts as a contact. Default yes "
    "(strict reading).",
)
PERIOD_DOC = (
    "Periodo semanal: 'strictest_week' bloquea si lo hace la semana natural (lun-dom) O los 7 "
    "días consecutivos (la lectura que más bloquea); también 'calendar_week' o 'rolling_days'.",
    "Weekly period: 'strictest_week' blocks if either the calendar week (Mon-Sun) OR the rolling "
    "7 local days would (whichever blocks more); also 'calendar_week' or 'rolling_days'.",
)
END_DOC = (
    "Si el final de la franja es inclusivo (se permite el último minuto). Por defecto no: la "
    "hora final ya está fuera, p. ej. las 19:00 en CO (lectura estricta).",
    "Whether the end of the window is inclusive (the last minute allowed). Default no: the end "
    "time itself is outside, e.g. 19:00 in CO (strict reading).",
)
HOLIDAY_DOC = (
    "Si se cierra en los festivos nacionales y regionales (subdivisión) de la jurisdicción, "
    "según la librería holidays.",
    "Whether the window is closed on the jurisdiction's national and regional (subdivision) "
    "public holidays, per the holidays library.",
)


def common_rules(prefix: str, *, cease_ref: str, optout_ref: str, dispute_ref: str) -> list[Rule]:
    """Rules present in every pack: cease, opt-out per channel, dispute pause, vulnerability."""
    return [
        AccountStop(
            id=f"{prefix}.cease",
            reference=cease_ref,
            title_es="Solicitud de cese de comunicaciones",
            title_en="Request to cease communications",
            explanation_es="Tras una solicitud de cese solo se permiten notificaciones legalmente "
            "obligatorias (finalidad statutory_notice).",
            explanation_en="After a cease request only legally required notices (purpose "
            "statutory_notice) are allowed.",
            field_name="cease_request",
            purposes=NON_NOTICE,
        ),
        OptOut(
            id=f"{prefix}.opt_out",
            reference=optout_ref,
            title_es="Canal dado de baja",
            title_en="Channel opted out",
            explanation_es="No se usa un canal por el que la persona pidió no ser contactada.",
            explanation_en="A channel the person asked not to be contacted through is not used.",
        ),
        AccountStop(
            id=f"{prefix}.dispute",
            reference=dispute_ref,
            title_es="Reclamación o disputa abierta",
            title_en="Open dispute",
            explanation_es="Con una disputa abierta la gestión de cobro se pausa hasta resolverla; "
            "solo notificaciones obligatorias (lectura estricta, configurable).",
            explanation_en="While a dispute is open collection is paused until it is resolved; "
            "only statutory notices (strict reading, configurable).",
            field_name="dispute_open",
            purposes=NON_NOTICE,
        ),
        Condition(
            id=f"{prefix}.vulnerable",
            reference="Política interna / internal policy",
            title_es="Cliente vulnerable",
            title_en="Vulnerable customer",
            explanation_es="No bloquea, pero señala que la gestión requiere un gestor "
            "especializado y trato reforzado.",
            explanation_en="Does not block, but flags that the contact requires specialist "
            "handling and extra care.",
            note_es="Cliente vulnerable: requiere gestión especializada.",
            note_en="Vulnerable customer: requires specialist handling.",
            when_account="vulnerable",
        ),
    ]


UNKNOWN_DOC = (
    "Si un valor desconocido (null) bloquea. Por defecto no: se anota como supuesto en la "
    "decisión.",
    "Whether an unknown (null) value blocks. Default no: it is recorded as an assumption in the "
    "decision.",
)


US_OPT_OUT_DOC = (
    "Si se desconoce (null) si el mensaje lleva aviso de baja, se bloquea. Por defecto sí "
    "(lectura estricta).",
    "When it is unknown (null) whether the message carries an opt-out, it is blocked. Default yes "
    "(strict reading).",
)


def court_lookalike(prefix: str, reference: str) -> Rule:
    return MessageCheck(
        id=f"{prefix}.court_lookalike",
        reference=reference,
        title_es="Apariencia de documento judicial",
        title_en="Court-lookalike document",
        explanation_es="Los mensajes y documentos no pueden aparentar ser judiciales.",
        explanation_en="Messages and documents must not look like court documents.",
        field_name="court_lookalike",
        blocked_value=True,
        channels=WRITTEN_CHANNELS,
        settings=("unknown_blocks",),
        settings_doc={"unknown_blocks": UNKNOWN_DOC},
    )


def identifies_agency(prefix: str, reference: str) -> Rule:
    return MessageCheck(
        id=f"{prefix}.identify_agency",
        reference=reference,
        title_es="Identificación de la agencia",
        title_en="Agency identification",
        explanation_es="La gestión debe identificar a la agencia y al acreedor.",
        explanation_en="The contact must identify the agency and the creditor.",
        field_name="identifies_agency",
        blocked_value=False,
        settings=("unknown_blocks",),
        settings_doc={"unknown_blocks": UNKNOWN_DOC},
    )


def third_parties_banned(prefix: str, reference: str) -> Rule:
    return Prohibition(
        id=f"{prefix}.third_parties",
        reference=reference,
        title_es="Contacto con terceros",
        title_en="Third-party contact",
        explanation_es="No se contacta a referencias ni a terceros por la deuda.",
        explanation_en="References and third parties are not contacted about the debt.",
        roles=THIRD_PARTIES,
    )


def window(
    rule_id: str,
    reference: str,
    hours: tuple[tuple[int, int, int], ...],
    es: str,
    en: str,
    *,
    channels: frozenset[str] | None = None,
    closed_on_holidays: bool = True,
    optional_hours: tuple[tuple[int, int, int], ...] = (),
    extra_settings: dict[str, tuple[str, str]] | None = None,
) -> ContactWindow:
    docs = {"end_inclusive": END_DOC, "closed_on_holidays": HOLIDAY_DOC, **(extra_settings or {})}
    return ContactWindow(
        id=rule_id,
        reference=reference,
        title_es="Horario de contacto",
        title_en="Contact hours",
        explanation_es=es,
        explanation_en=en,
        hours=hours,
        channels=channels,
        closed_on_holidays=closed_on_holidays,
        optional_hours=optional_hours,
        settings=tuple(docs),
        settings_doc=docs,
    )


HOURS_SETTING_DOC = (
    "El horario es un ajuste porque la fuente no fija horas (o no está verificada); la agencia "
    'puede fijar otro en \'settings\' con el formato {"mon": [["HH:MM", "HH:MM"]], ...}.',
    "The hours are a setting because the source sets no hours (or is unverified); the agency may "
    'set others in \'settings\' as {"mon": [["HH:MM", "HH:MM"]], ...}.',
)


# --------------------------------------------------------------------------- ES


def pack_es() -> RulePack:
    ref96 = "RDL 1/2007 (TRLGDCU), art. 96.2 (por analogía)"
    rules: list[Rule] = [
        window(
            "es.hours",
            ref96,
            weekly(mon_fri=("09:00", "21:00")),
            "Perfil por defecto por analogía con las llamadas comerciales: lunes a viernes de "
            "09:00 a 21:00, hora local del deudor; nunca fines de semana ni festivos nacionales "
            "o autonómicos.",
            "Default profile by analogy with commercial calls: Monday to Friday 09:00-21:00 in "
            "the debtor's local time; never weekends or national/regional holidays.",
        ),
        Prohibition(
            id="es.third_parties",
            reference="AEPD / Audiencia Nacional; RGPD art. 6",
            title_es="Contacto con terceros",
            title_en="Third-party contact",
            explanation_es="Familiares, referencias o compañeros solo pueden contactarse para "
            "localizar al deudor y sin revelar la deuda.",
            explanation_en="Relatives, references or colleagues may be contacted only to locate "
            "the debtor and without revealing the debt.",
            roles=THIRD_PARTIES,
            purposes=NOT_LOCATION,
        ),
        Condition(
            id="es.third_parties.location",
            reference="AEPD / Audiencia Nacional; RGPD art. 5.1.c",
            title_es="Localización a través de terceros",
            title_en="Location through third parties",
            explanation_es="Permitido solo para localizar, sin revelar la existencia de la deuda.",
            explanation_en="Allowed only to locate the debtor, without revealing the debt.",
            note_es="Contacto con tercero solo para localizar: no revelar la deuda.",
            note_en="Third-party contact for location only: do not reveal the debt.",
            roles=THIRD_PARTIES,
            purposes=frozenset({"location"}),
        ),
        court_lookalike("es", "Directiva (UE) 2021/2167, art. 10; Código Penal art. 172 ter"),
        identifies_agency("es", f"{ref96}; código de conducta ANGECO"),
    ]
    rules += common_rules(
        "es",
        cease_ref="RGPD art. 21; LOPDGDD art. 23",
        optout_ref="RGPD art. 21; LOPDGDD art. 23",
        dispute_ref="Directiva (UE) 2021/2167, art. 10 (trato justo)",
    )
    return RulePack(
        code="ES",
        version=date(2007, 12, 1),
        title="España — perfil por defecto / Spain — default profile",
        rules=tuple(rules),
        notes_es="España no fija horario ni tope de frecuencia específicos para el recobro; "
        "este perfil es configurable. El acoso insistente es delito (CP art. 172 ter). Fecha de versión: perfil de la plataforma, sin fecha legal propia (a verificar).",
        notes_en="Spain sets no collection-specific hours or frequency cap; this profile is "
        "configurable. Insistent harassment is a crime (Criminal Code art. 172 ter). Version date: platform profile, no legal date of its own (to verify).",
    )


# --------------------------------------------------------------------------- CO


def pack_co() -> RulePack:
    ref = "Ley 2300 de 2023"
    freq_settings = ("count_failed_attempts", "requires_direct_contact", "period")
    freq_doc = {
        "count_failed_attempts": FAILED_DOC,
        "period": PERIOD_DOC,
        "requires_direct_contact": (
            "Los límites de frecuencia se aplican una vez hecho contacto directo (texto de la "
            "ley); el contacto directo sale de account.direct_contact_made o de una conversación "
            "con deudor, codeudor o avalista en el historial.",
            "Frequency limits apply once direct contact was made (the law's wording); direct "
            "contact comes from account.direct_contact_made or a conversation with the debtor, "
            "co-debtor or guarantor in the history.",
        ),
    }
    rules: list[Rule] = [
        window(
            "co.hours",
            f"{ref}, art. 3",
            weekly(mon_fri=("07:00", "19:00"), sat=("08:00", "15:00")),
            "Lunes a viernes de 07:00 a 19:00 y sábados de 08:00 a 15:00, hora local; nunca "
            "domingos ni festivos (incluidos los trasladados al lunes por la Ley Emiliani).",
            "Monday to Friday 07:00-19:00 and Saturday 08:00-15:00 local time; never Sundays or "
            "public holidays (including those moved to Monday by the Emiliani law).",
        ),
        ChannelAuthorisation(
            id="co.authorised_channels",
            reference=f"{ref}, art. 2",
            title_es="Canal autorizado",
            title_en="Authorised channel",
            explanation_es="Solo por los canales que el consumidor autorizó; si no consta la "
            "autorización, se bloquea (lectura estricta).",
            explanation_en="Only through channels the consumer authorised; when no "
            "authorisation is recorded the contact is blocked (strict reading).",
            settings=("block_when_unrecorded",),
            settings_doc={
                "block_when_unrecorded": (
                    "Bloquear si authorised_channels es null (no registrado). Por defecto sí.",
                    "Block when authorised_channels is null (not recorded). Default yes.",
                )
            },
        ),
        FrequencyCap(
            id="co.frequency.daily",
            reference=f"{ref}, art. 3",
            title_es="Máximo una gestión al día",
            title_en="At most one contact a day",
            explanation_es="Hecho el contacto directo, no más de una gestión el mismo día por "
            "cualquier canal.",
            explanation_en="Once direct contact is made, no more than one contact the same day "
            "through any channel.",
            max_count=1,
            period="day",
            requires_direct_contact=True,
            settings=("count_failed_attempts", "requires_direct_contact"),
            settings_doc={k: v for k, v in freq_doc.items() if k != "period"},
        ),
        DistinctChannelCap(
            id="co.frequency.weekly_channels",
            reference=f"{ref}, art. 3",
            title_es="Un solo canal por semana",
            title_en="One channel a week",
            explanation_es="Hecho el contacto directo, no se contacta por varios canales en la "
            "misma semana.",
            explanation_en="Once direct contact is made, no contacts through several channels "
            "in the same week.",
            max_channels=1,
            period="strictest_week",
            requires_direct_contact=True,
            settings=freq_settings,
            settings_doc=freq_doc,
        ),
        Prohibition(
            id="co.third_parties",
            reference=f"{ref}, art. 3",
            title_es="Referencias y terceros",
            title_en="References and third parties",
            explanation_es="Nunca se contacta a referencias personales ni a terceros. Codeudores "
            "y avalistas sí, con los mismos límites.",
            explanation_en="Personal references and third parties are never contacted. "
            "Co-debtors and guarantors may be, under the same limits.",
            roles=THIRD_PARTIES,
        ),
        Prohibition(
            id="co.visits",
            reference=f"{ref}, art. 3",
            title_es="Visitas",
            title_en="Visits",
            explanation_es="No se hacen visitas al domicilio ni al lugar de trabajo.",
            explanation_en="No visits to the home or the workplace.",
            channels=frozenset({"visit"}),
        ),
        court_lookalike("co", "Ley 1480 de 2011; Ley 2300 de 2023, art. 3"),
    ]
    rules += common_rules(
        "co",
        cease_ref=f"{ref}, art. 2 (revocación de la autorización)",
        optout_ref=f"{ref}, art. 2",
        dispute_ref="Ley 1266 de 2008, art. 16",
    )
    return RulePack(
        code="CO",
        version=date(2023, 10, 10),
        title="Colombia — Ley 2300 de 2023",
        rules=tuple(rules),
        notes_es="Otros horarios solo con autorización escrita separada del consumidor (no "
        "modelado). Redacción exacta de frecuencia pendiente de verificar.",
        notes_en="Other hours only with a separate written authorisation (not modelled). Exact "
        "frequency wording still to verify.",
    )


# --------------------------------------------------------------------------- PE


def pack_pe() -> RulePack:
    ref = "Ley 29571 (Código de Protección y Defensa del Consumidor), art. 62"
    rules: list[Rule] = [
        window(
            "pe.hours",
            f"{ref}, literal b",
            weekly(mon_fri=("07:00", "20:00")),
            "Ni visitas ni llamadas entre las 20:00 y las 07:00, ni sábados, domingos o "
            "feriados; se aplica a todos los canales (criterio de INDECOPI).",
            "No visits or calls between 20:00 and 07:00, nor on Saturdays, Sundays or public "
            "holidays; applied to every channel (INDECOPI practice).",
        ),
        court_lookalike("pe", f"{ref}, literal a"),
        third_parties_banned("pe", f"{ref}; art. 61"),
    ]
    rules += common_rules(
        "pe",
        cease_ref="Ley 29733 (datos personales), art. 22",
        optout_ref="Ley 29733, art. 22",
        dispute_ref="Ley 29571, art. 24",
    )
    return RulePack(
        code="PE",
        version=date(2010, 9, 2),
        title="Perú — Ley 29571, art. 62",
        rules=tuple(rules),
        notes_es="No se encontró tope de frecuencia. Carteles y cobradores disfrazados "
        "(62 c, d) y listas de morosos (62 e) quedan fuera del motor. Fecha de versión a verificar en el boletín oficial.",
        notes_en="No frequency cap found. Posters, costumed collectors (62 c, d) and debtor "
        "lists (62 e) are outside the engine. Version date to verify against the official gazette.",
    )


# --------------------------------------------------------------------------- MX


def pack_mx() -> RulePack:
    ref = "Disposiciones de carácter general de la CONDUSEF en materia de despachos de cobranza (DOF 2014-10-07)"
    rules: list[Rule] = [
        window(
            "mx.hours",
            ref,
            weekly(mon_fri=("07:00", "22:00")),
            "De 07:00 a 22:00 en la zona horaria del deudor, de lunes a viernes (los fines de "
            "semana quedan fuera por defecto, según la guía de Profeco; el texto de CONDUSEF no "
            "es claro).",
            "07:00-22:00 in the debtor's time zone, Monday to Friday (weekends off by default, "
            "per Profeco guidance; the CONDUSEF text is unclear).",
            optional_hours=weekly(sat_sun=("07:00", "22:00")),
            extra_settings={
                "use_optional_hours": (
                    "Permitir también sábados y domingos 07:00-22:00 (texto de CONDUSEF poco "
                    "claro). Por defecto no (lectura estricta, guía de Profeco).",
                    "Also allow Saturdays and Sundays 07:00-22:00 (CONDUSEF text unclear). "
                    "Default no (strict reading, Profeco guidance).",
                )
            },
        ),
        third_parties_banned("mx", ref),
        court_lookalike("mx", ref),
        identifies_agency("mx", ref),
        PartyFlag(
            id="mx.contact_point",
            reference=ref,
            title_es="Datos de contacto no proporcionados por el deudor",
            title_en="Contact point not provided by the debtor",
            explanation_es="No se usan domicilios, teléfonos ni correos que el deudor no "
            "proporcionó.",
            explanation_en="Addresses, phones or emails the debtor did not provide are not used.",
            field_name="contact_point_provided_by_debtor",
            blocked_value=False,
            settings=("unknown_blocks",),
            settings_doc={"unknown_blocks": UNKNOWN_DOC},
        ),
        PartyFlag(
            id="mx.minors_elderly",
            reference=ref,
            title_es="Menores o adultos mayores no deudores",
            title_en="Minors or older adults who are not the debtor",
            explanation_es="No se gestiona con menores de edad ni adultos mayores que no sean el "
            "deudor.",
            explanation_en="No dealings with minors or older adults who are not the debtor.",
            field_name="is_minor_or_elderly_non_debtor",
            blocked_value=True,
            roles=frozenset({"co_debtor", "guarantor", "reference", "third_party"}),
            settings=("unknown_blocks",),
            settings_doc={"unknown_blocks": UNKNOWN_DOC},
        ),
        MessageCheck(
            id="mx.envelope",
            reference=ref,
            title_es="Sobre que revela la cobranza",
            title_en="Envelope revealing collection",
            explanation_es="Los sobres no pueden mostrar que se trata de una cobranza.",
            explanation_en="Envelopes must not show that it is a collection.",
            field_name="collection_wording_visible",
            blocked_value=True,
            channels=frozenset({"letter"}),
        ),
    ]
    rules += common_rules(
        "mx",
        cease_ref="LFPDPPP, art. 27 (oposición)",
        optout_ref="LFPDPPP, art. 27",
        dispute_ref="Ley de Protección y Defensa al Usuario de Servicios Financieros, art. 50 bis",
    )
    return RulePack(
        code="MX",
        version=date(2014, 10, 8),
        title="México — CONDUSEF (despachos de cobranza)",
        rules=tuple(rules),
        notes_es="El primer contacto debe informar agencia, domicilio, acreedor, monto y "
        "unidad de quejas (contenido no modelado salvo identificación). Números en REDECO. Fecha de versión a verificar en el boletín oficial.",
        notes_en="The first contact must state agency, address, creditor, amount and the "
        "complaints unit (content not modelled except identification). Numbers in REDECO. Version date to verify against the official gazette.",
    )


# --------------------------------------------------------------------------- CL


def pack_cl() -> RulePack:
    ref = "Ley 19.496, art. 37 (mod. Ley 21.320)"
    calls = frozenset({"call", "visit"})
    others = frozenset({"sms", "whatsapp", "email", "letter"})
    freq_doc = {"count_failed_attempts": FAILED_DOC, "period": PERIOD_DOC}
    rules: list[Rule] = [
        window(
            "cl.hours",
            f"{ref}; CPC art. 59",
            weekly(mon_sat=("08:00", "20:00")),
            "Llamadas y visitas solo en días y horas hábiles judiciales: cualquier día no "
            "festivo, incluido el sábado, de 08:00 a 20:00 hora local.",
            "Calls and visits only on court working days and hours: any non-holiday day "
            "including Saturday, 08:00-20:00 local time.",
            channels=calls,
        ),
        FrequencyCap(
            id="cl.frequency.calls_visits",
            reference=ref,
            title_es="Una llamada o visita por semana",
            title_en="One call or visit a week",
            explanation_es="Máximo una llamada o visita por semana (las dos juntas).",
            explanation_en="At most one call or visit a week (both counted together).",
            max_count=1,
            period="strictest_week",
            channels=calls,
            counted_channels=calls,
            settings=("count_failed_attempts", "period"),
            settings_doc=freq_doc,
        ),
        FrequencyCap(
            id="cl.frequency.other_media",
            reference=ref,
            title_es="Dos mensajes por semana",
            title_en="Two messages a week",
            explanation_es="Por otros medios (correo, SMS, e-mail, mensajería) máximo dos por "
            "semana.",
            explanation_en="Through other media (mail, SMS, email, messaging) at most two a week.",
            max_count=2,
            period="strictest_week",
            channels=others,
            counted_channels=others,
            settings=("count_failed_attempts", "period"),
            settings_doc=freq_doc,
        ),
        MinimumGap(
            id="cl.frequency.other_media_gap",
            reference=ref,
            title_es="Dos días entre mensajes",
            title_en="Two days between messages",
            explanation_es="Los mensajes por otros medios deben distar al menos dos días (48 h "
            "por defecto, lectura estricta).",
            explanation_en="Messages through other media must be at least two days apart (48 h "
            "by default, strict reading).",
            hours=48,
            channels=others,
            counted_channels=others,
            settings=("hours", "count_failed_attempts"),
            settings_doc={"count_failed_attempts": FAILED_DOC},
        ),
        AccountStop(
            id="cl.lawsuit_served",
            reference=ref,
            title_es="Demanda notificada",
            title_en="Lawsuit served",
            explanation_es="Toda cobranza extrajudicial cesa al notificarse la demanda de cobro.",
            explanation_en="All out-of-court collection stops once the collection lawsuit is "
            "served.",
            field_name="lawsuit_served",
        ),
        AccountStop(
            id="cl.insolvency",
            reference=f"{ref}; Ley 20.720",
            title_es="Procedimiento concursal",
            title_en="Insolvency procedure",
            explanation_es="Toda cobranza extrajudicial cesa al iniciarse un procedimiento "
            "concursal.",
            explanation_en="All out-of-court collection stops once insolvency proceedings start.",
            field_name="insolvency",
        ),
        third_parties_banned("cl", ref),
        court_lookalike("cl", ref),
    ]
    rules += common_rules(
        "cl",
        cease_ref="Ley 19.628, art. 12",
        optout_ref="Ley 19.496, art. 28 B",
        dispute_ref="Ley 19.496, art. 37",
    )
    return RulePack(
        code="CL",
        version=date(2021, 4, 20),
        title="Chile — Ley 19.496 art. 37 (Ley 21.320)",
        rules=tuple(rules),
    )


# --------------------------------------------------------------------------- AR


def pack_ar() -> RulePack:
    ref = "Ley 24.240, art. 8 bis"
    rules: list[Rule] = [
        window(
            "ar.hours",
            f"{ref} (trato digno); horario por defecto de la plataforma",
            weekly(mon_fri=("08:00", "20:00")),
            "Horario conservador por defecto (lunes a viernes 08:00-20:00, sin festivos): la "
            "norma exige trato digno pero la fuente de horarios no está verificada; es un ajuste.",
            "Conservative default hours (Monday to Friday 08:00-20:00, no holidays): the law "
            "requires dignified treatment but the source for hours is unverified; a setting.",
            extra_settings={"hours": HOURS_SETTING_DOC},
        ),
        court_lookalike("ar", ref),
        third_parties_banned("ar", ref),
    ]
    rules += common_rules(
        "ar",
        cease_ref="Ley 25.326, art. 27",
        optout_ref="Ley 25.326, art. 27",
        dispute_ref="Ley 24.240, art. 4",
    )
    return RulePack(
        code="AR",
        version=date(2008, 4, 7),
        title="Argentina — Ley 24.240",
        rules=tuple(rules),
        notes_es="Art. 8 bis incorporado por la Ley 26.361."
        + " Fecha de versión a verificar en el boletín oficial.",
        notes_en="Art. 8 bis added by Ley 26.361."
        + " Version date to verify against the official gazette.",
    )


def pack_ar_c() -> RulePack:
    ref = "Ley CABA 6171 (mod. Ley 6271)"
    rules: list[Rule] = [
        identifies_agency("ar_c", ref),
        Prohibition(
            id="ar_c.third_parties",
            reference=ref,
            title_es="Vecinos, familiares y empleador",
            title_en="Neighbours, relatives and employer",
            explanation_es="No se informa la deuda a vecinos, familiares ni empleador.",
            explanation_en="The debt is not disclosed to neighbours, relatives or the employer.",
            roles=THIRD_PARTIES,
        ),
    ]
    return RulePack(
        code="AR-C",
        version=date(2019, 12, 1),
        title="Ciudad de Buenos Aires — Ley 6171",
        rules=tuple(rules),
        base="AR",
        notes_es="Horarios de CABA sin verificar; se mantiene el horario del paquete AR. Fecha de versión a verificar en el boletín oficial.",
        notes_en="CABA hours unverified; the AR pack hours apply. Version date to verify against the official gazette.",
    )


# --------------------------------------------------------------------------- US


def pack_us() -> RulePack:
    rules: list[Rule] = [
        window(
            "us.hours",
            "12 CFR 1006.6(b)(1)(i)",
            weekly(mon_sun=("08:00", "21:00")),
            "Antes de las 08:00 o después de las 21:00 en la ubicación del consumidor se presume "
            "inconveniente, por cualquier medio, todos los días.",
            "Before 08:00 or after 21:00 at the consumer's location is presumed inconvenient, "
            "for every medium, every day.",
            closed_on_holidays=False,
        ),
        InconvenientTimes(
            id="us.inconvenient_times",
            reference="12 CFR 1006.6(b)(1)(i)",
            title_es="Horas inconvenientes indicadas",
            title_en="Known inconvenient times",
            explanation_es="Se respetan las franjas que el consumidor indicó como inconvenientes.",
            explanation_en="Times the consumer said are inconvenient are honoured.",
        ),
        FrequencyCap(
            id="us.reg_f.7in7",
            reference="12 CFR 1006.14(b)(2)(i)(A)",
            title_es="Siete llamadas en siete días",
            title_en="Seven calls in seven days",
            explanation_es="Más de 7 llamadas en 7 días consecutivos por deuda se presume acoso; "
            "la llamada propuesta sería la siguiente.",
            explanation_en="More than 7 calls within 7 consecutive days per debt is presumed "
            "harassment; the proposed call would be the next one.",
            max_count=7,
            period="rolling_days",
            days=7,
            channels=frozenset({"call"}),
            counted_channels=frozenset({"call"}),
            settings=("count_failed_attempts", "same_role_only"),
            settings_doc={
                "count_failed_attempts": FAILED_DOC,
                "same_role_only": (
                    "Contar solo el historial con el mismo rol de interlocutor (Reg F cuenta por "
                    "persona). Por defecto no: se cuenta todo el historial de la deuda.",
                    "Count only history with the same party role (Reg F counts per person). "
                    "Default no: all of the debt's history counts.",
                ),
            },
        ),
        Cooldown(
            id="us.reg_f.after_conversation",
            reference="12 CFR 1006.14(b)(2)(i)(B)",
            title_es="Siete días tras una conversación telefónica",
            title_en="Seven days after a telephone conversation",
            explanation_es="No se llama dentro de los 7 días siguientes a una conversación "
            "telefónica (el día de la conversación es el día 1).",
            explanation_en="No call within 7 days after a telephone conversation (the day of the "
            "conversation is day 1).",
            days=7,
            channels=frozenset({"call"}),
            counted_channels=frozenset({"call"}),
        ),
        AccountStop(
            id="us.attorney",
            reference="12 CFR 1006.6(b)(2)",
            title_es="Representado por abogado",
            title_en="Represented by an attorney",
            explanation_es="Si consta que el consumidor tiene abogado, no se le contacta.",
            explanation_en="When the consumer is known to be represented by an attorney, the "
            "consumer is not contacted.",
            field_name="attorney_represented",
            roles=frozenset({"debtor", "co_debtor", "guarantor"}),
        ),
        PartyFlag(
            id="us.employer_email",
            reference="12 CFR 1006.22(f)(3)",
            title_es="Correo del empleador",
            title_en="Employer-provided email",
            explanation_es="No se escribe a un correo facilitado por el empleador.",
            explanation_en="No email to an address known to be provided by the employer.",
            field_name="email_employer_provided",
            blocked_value=True,
            channels=frozenset({"email"}),
        ),
        MessageCheck(
            id="us.opt_out_notice",
            reference="12 CFR 1006.6(e)",
            title_es="Aviso de baja",
            title_en="Opt-out notice",
            explanation_es="Cada e-mail o mensaje de texto debe incluir una forma clara de darse "
            "de baja; si se desconoce, se bloquea (lectura estricta).",
            explanation_en="Every email or text message must include a clear opt-out; when "
            "unknown it is blocked (strict reading).",
            field_name="has_opt_out",
            blocked_value=False,
            unknown_blocks=True,
            channels=TEXT_CHANNELS,
            settings=("unknown_blocks",),
            settings_doc={"unknown_blocks": US_OPT_OUT_DOC},
        ),
        MessageCheck(
            id="us.time_barred",
            reference="12 CFR 1006.26(b)",
            title_es="Deuda prescrita",
            title_en="Time-barred debt",
            explanation_es="No se demanda ni se amenaza con demandar por una deuda prescrita.",
            explanation_en="No suit or threat of suit on a time-barred debt.",
            field_name="threatens_legal_action",
            blocked_value=True,
            when_account="statute_barred",
        ),
        Prohibition(
            id="us.third_parties",
            reference="12 CFR 1006.10; 1006.6(d)",
            title_es="Terceros",
            title_en="Third parties",
            explanation_es="A terceros solo se les contacta para obtener datos de localización.",
            explanation_en="Third parties may be contacted only to obtain location information.",
            roles=THIRD_PARTIES,
            purposes=NOT_LOCATION,
        ),
    ]
    rules += common_rules(
        "us",
        cease_ref="12 CFR 1006.6(c)",
        optout_ref="12 CFR 1006.14(h)",
        dispute_ref="15 U.S.C. 1692g(b); 12 CFR 1006.34",
    )
    return RulePack(
        code="US",
        version=date(2021, 11, 30),
        title="United States — FDCPA / Regulation F",
        rules=tuple(rules),
        notes_es="Las llamadas se cuentan por deuda. Las horas rigen todos los días (Reg F no "
        "excluye festivos).",
        notes_en="Calls are counted per debt. Hours apply every day (Reg F does not exclude "
        "holidays).",
    )


def pack_us_ma() -> RulePack:
    ref = "209 CMR 18.16"
    texts = frozenset({"call", "sms"})
    return RulePack(
        code="US-MA",
        version=date(2021, 11, 30),
        title="Massachusetts — 209 CMR 18.00",
        notes_es="Fecha de versión a verificar (se alinea con Reg F).",
        notes_en="Version date to verify (aligned with Reg F).",
        base="US",
        rules=(
            FrequencyCap(
                id="us_ma.2in7",
                reference=ref,
                title_es="Dos llamadas o mensajes en siete días",
                title_en="Two calls or texts in seven days",
                explanation_es="Máximo dos llamadas o mensajes de texto por periodo de 7 días.",
                explanation_en="At most two calls or text messages in each 7-day period.",
                max_count=2,
                period="strictest_week",
                channels=texts,
                counted_channels=texts,
                settings=("count_failed_attempts", "period"),
                settings_doc={"count_failed_attempts": FAILED_DOC, "period": PERIOD_DOC},
            ),
        ),
    )


# --------------------------------------------------------------------------- GB


def pack_gb() -> RulePack:
    rules: list[Rule] = [
        window(
            "gb.hours",
            "CONC 7.9.4R (horas razonables / reasonable times)",
            weekly(mon_sun=("08:00", "21:00")),
            "La norma no fija horas: por defecto se consideran razonables las 08:00-21:00 "
            "hora local, todos los días; es un ajuste documentado.",
            "The rules set no hours: 08:00-21:00 local time every day is the documented default "
            "for 'reasonable times'; a setting.",
            closed_on_holidays=False,
            extra_settings={"hours": HOURS_SETTING_DOC},
        ),
        InconvenientTimes(
            id="gb.inconvenient_times",
            reference="CONC 7.9.4R",
            title_es="Peticiones razonables del cliente",
            title_en="Customer's reasonable requests",
            explanation_es="Se respetan las peticiones razonables sobre cuándo contactar.",
            explanation_en="Reasonable requests about when to be contacted are honoured.",
        ),
        UntilDateStop(
            id="gb.breathing_space",
            reference="SI 2020/1311 (Debt Respite Scheme), breathing space moratorium",
            title_es="Breathing Space",
            title_en="Breathing space",
            explanation_es="Durante el Breathing Space no se contacta para cobrar la deuda.",
            explanation_en="During breathing space there is no contact to recover the debt.",
            field_name="breathing_space_until",
            purposes=COLLECTION,
        ),
        AccountStop(
            id="gb.mental_health_moratorium",
            reference="SI 2020/1311 (Debt Respite Scheme), mental health crisis moratorium",
            title_es="Moratoria por crisis de salud mental",
            title_en="Mental health crisis moratorium",
            explanation_es="Dura el tratamiento más 30 días: no se contacta para cobrar.",
            explanation_en="Lasts for the treatment plus 30 days: no contact to recover the debt.",
            field_name="mental_health_moratorium",
            purposes=COLLECTION,
        ),
        MessageCheck(
            id="gb.statute_barred",
            reference="CONC 7.15",
            title_es="Deuda prescrita",
            title_en="Statute-barred debt",
            explanation_es="No se amenaza con acciones judiciales por una deuda prescrita.",
            explanation_en="No threat of court action on a statute-barred debt.",
            field_name="threatens_legal_action",
            blocked_value=True,
            when_account="statute_barred",
        ),
        Prohibition(
            id="gb.third_parties",
            reference="FCA CONC 7 (no unfair disclosure to third parties)",
            title_es="Terceros",
            title_en="Third parties",
            explanation_es="A terceros no se les revela la deuda: solo para localizar.",
            explanation_en="The debt is not disclosed to third parties: location only.",
            roles=THIRD_PARTIES,
            purposes=NOT_LOCATION,
        ),
        MessageCheck(
            id="gb.letter_wording",
            reference="FCA CONC 7 ('private and confidential' correspondence)",
            title_es="Texto de cobro visible",
            title_en="Visible collection wording",
            explanation_es="Las cartas no muestran por fuera que son de cobro ('private and "
            "confidential').",
            explanation_en="Letters must not show collection wording on the outside ('private "
            "and confidential').",
            field_name="collection_wording_visible",
            blocked_value=True,
            channels=frozenset({"letter"}),
        ),
    ]
    rules += common_rules(
        "gb",
        cease_ref="CONC 7.9.4R; UK GDPR art. 21",
        optout_ref="CONC 7.9.4R",
        dispute_ref="CONC 7.5.1R; CONC 7.9",
    )
    return RulePack(
        code="GB",
        version=date(2021, 5, 4),
        title="United Kingdom — FCA CONC 7 / Debt Respite Scheme",
        rules=tuple(rules),
    )


def build_default_registry() -> Registry:
    registry = Registry()
    for factory in (
        pack_es,
        pack_co,
        pack_pe,
        pack_mx,
        pack_cl,
        pack_ar,
        pack_ar_c,
        pack_us,
        pack_us_ma,
        pack_gb,
    ):
        registry.add(factory())
    return registry


DEFAULT_REGISTRY = build_default_registry()
