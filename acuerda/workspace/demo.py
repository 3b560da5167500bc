"""The workspace part of the demo: each creditor's negotiation policy, call scripts for every
stage, the default disposition catalogue, and the work queue built over the loaded accounts."""

from __future__ import annotations

from decimal import Decimal

from acuerda.creditors.models import Creditor
from acuerda.people.models import User
from acuerda.workspace.catalogue import ensure_default_catalogue
from acuerda.workspace.models import NegotiationPolicy, Script

# What each sector's creditors typically let an agency agree (maximum saving, instalments,
# waivers), in the demo.
_POLICY_BY_SECTOR: dict[str, dict[str, object]] = {
    "banking": {"max_discount_percent": Decimal("30"), "max_instalments": 12, "allow_interest_waiver": True},
    "consumer_finance": {"max_discount_percent": Decimal("35"), "max_instalments": 18, "allow_interest_waiver": True},
    "telecom": {"max_discount_percent": Decimal("40"), "max_instalments": 6, "allow_fee_waiver": True},
    "utilities": {"max_discount_percent": Decimal("20"), "max_instalments": 12, "allow_fee_waiver": True},
    "retail": {"max_discount_percent": Decimal("40"), "max_instalments": 12, "allow_interest_waiver": True,
               "allow_fee_waiver": True},
}

_SCRIPTS = (
    ("reminder", "es", "Recordatorio amable",
     "Hola, ¿hablo con {debtor_name}?\n\nLe llamo de parte de {creditor} por un pago pendiente de {amount}. "
     "Seguramente se trata de un despiste: ¿podría abonarlo esta semana?\n\n"
     "Si no le viene bien, dígame qué fecha le encaja y lo dejamos anotado."),
    ("demand", "es", "Requerimiento de pago",
     "{debtor_name}, su deuda con {creditor} asciende a {amount} y lleva varios meses impagada.\n\n"
     "Escuche primero: ¿qué ha pasado? ¿Ha cambiado su situación?\n"
     "Ofrezca el pago total o, si no es posible, un plan de pagos que pueda cumplir. Acuerde una fecha concreta."),
    ("insist", "es", "Insistencia y negociación",
     "{debtor_name}, seguimos sin recibir el pago de {amount} a {creditor}.\n\n"
     "Antes de que la deuda pase a fase prelegal, podemos buscar una solución: una quita por pago único o un "
     "aplazamiento en cuotas. Use la calculadora y explique el calendario: total, ahorro, fechas e importes."),
    ("pre_legal", "es", "Última oportunidad antes de la vía judicial",
     "{debtor_name}, el expediente con {creditor} ({amount}) está a punto de remitirse al departamento jurídico.\n\n"
     "Aún estamos a tiempo de cerrar un acuerdo. Sea claro y respetuoso: no amenace, informe de los pasos "
     "siguientes tal como son."),
    ("", "en", "Payment reminder",
     "Hello, am I speaking with {debtor_name}?\n\nI'm calling on behalf of {creditor} about an outstanding "
     "balance of {amount}. Could we agree a date for the payment?"),
)


def workspace_demo(*, author: User) -> None:
    ensure_default_catalogue()
    for creditor in Creditor.objects.all():
        NegotiationPolicy.objects.update_or_create(
            creditor=creditor, portfolio=None,
            defaults={**_POLICY_BY_SECTOR.get(creditor.sector, {}), "promise_grace_days": 3, "max_promise_days": 30,
                      "max_days_to_first_payment": 30},
        )
    for stage, language, title, body in _SCRIPTS:
        Script.objects.get_or_create(creditor=None, stage=stage, bucket="", language=language, title=title,
                                     defaults={"body": body, "updated_by": author})
