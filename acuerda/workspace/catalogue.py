"""The agency's default disposition catalogue. Creditors may have their own (back office).

The labels are English msgids; pages show them translated (``disposition_label``). A
creditor's own labels are shown as written.
"""

from __future__ import annotations

from typing import NamedTuple

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _

from acuerda.workspace.models import Disposition


class DefaultDisposition(NamedTuple):
    code: str
    label: str
    outcome: str
    party_reached: str
    effect: str
    channels: tuple[str, ...]
    hotkey: str


_VOICE = ("call", "visit")
_MESSAGES = ("sms", "whatsapp", "email", "letter")

DEFAULT_DISPOSITIONS: tuple[DefaultDisposition, ...] = (
    DefaultDisposition("no_answer", _("No answer"), "no_answer", "none", "none", ("call",), "1"),
    DefaultDisposition("busy", _("Busy"), "busy", "none", "none", ("call",), "2"),
    DefaultDisposition("voicemail", _("Voicemail, no message left"), "voicemail", "none", "none", ("call",), "3"),
    DefaultDisposition("wrong_number", _("Wrong number"), "conversation", "third_party", "wrong_number", ("call",), "4"),
    DefaultDisposition("right_party", _("Right-party contact"), "conversation", "debtor", "none", _VOICE, "5"),
    DefaultDisposition("third_party", _("Third party reached"), "conversation", "third_party", "none", _VOICE, "6"),
    DefaultDisposition("promise_to_pay", _("Promise to pay"), "conversation", "", "promise", (), "7"),
    DefaultDisposition("callback", _("Callback requested"), "conversation", "", "callback", _VOICE, "8"),
    DefaultDisposition("refuses", _("Refuses to pay"), "conversation", "", "none", (), "9"),
    DefaultDisposition("dispute", _("Disputes the debt"), "conversation", "", "dispute", (), "0"),
    DefaultDisposition("deceased", _("Debtor deceased"), "conversation", "third_party", "deceased", (), ""),
    DefaultDisposition("opt_out", _("Asks not to be contacted on this channel"), "conversation", "", "opt_out", (), ""),
    DefaultDisposition("message_sent", _("Message sent"), "message_sent", "none", "none", _MESSAGES, ""),
    DefaultDisposition("visit_absent", _("Visit: nobody at home"), "visit_made", "none", "none", ("visit",), ""),
)


def disposition_label(disposition: Disposition) -> str:
    """The label in the viewer's language (the defaults are translated; custom ones as written)."""
    return gettext(disposition.label) if disposition.creditor_id is None else disposition.label


def catalogue_for(creditor_id: int) -> list[Disposition]:
    """The creditor's active catalogue, or the agency's default when it has none."""
    rows = list(Disposition.objects.filter(creditor_id=creditor_id, is_active=True))
    if not rows:
        rows = list(Disposition.objects.filter(creditor__isnull=True, is_active=True))
    if not rows and not Disposition.objects.filter(creditor__isnull=True).exists():
        ensure_default_catalogue()  # an emptied catalogue (a wiped database): agents can always record
        rows = list(Disposition.objects.filter(creditor__isnull=True, is_active=True))
    return sorted(rows, key=lambda d: (d.order, d.code))


def ensure_default_catalogue() -> int:
    """Create the agency's default dispositions that are missing (a wiped demo, a new install
    whose catalogue was edited away); returns how many were created. Idempotent."""
    created = 0
    for order, row in enumerate(DEFAULT_DISPOSITIONS):
        _obj, was_created = Disposition.objects.get_or_create(
            creditor=None, code=row.code,
            defaults={"label": row.label, "outcome": row.outcome, "party_reached": row.party_reached,
                      "effect": row.effect, "channels": list(row.channels), "hotkey": row.hotkey, "order": order * 10},
        )
        created += was_created
    return created
