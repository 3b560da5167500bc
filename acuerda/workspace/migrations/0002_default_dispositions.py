"""The agency's default disposition catalogue (frozen copy of ``workspace.catalogue``)."""

from django.db import migrations

DEFAULTS = [
    {
        "code": "no_answer",
        "label": "No answer",
        "outcome": "no_answer",
        "party_reached": "none",
        "effect": "none",
        "channels": ["call"],
        "hotkey": "1",
        "order": 0,
    },
    {
        "code": "busy",
        "label": "Busy",
        "outcome": "busy",
        "party_reached": "none",
        "effect": "none",
        "channels": ["call"],
        "hotkey": "2",
        "order": 10,
    },
    {
        "code": "voicemail",
        "label": "Voicemail, no message left",
        "outcome": "voicemail",
        "party_reached": "none",
        "effect": "none",
        "channels": ["call"],
        "hotkey": "3",
        "order": 20,
    },
    {
        "code": "wrong_number",
        "label": "Wrong number",
        "outcome": "conversation",
        "party_reached": "third_party",
        "effect": "wrong_number",
        "channels": ["call"],
        "hotkey": "4",
        "order": 30,
    },
    {
        "code": "right_party",
        "label": "Right-party contact",
        "outcome": "conversation",
        "party_reached": "debtor",
        "effect": "none",
        "channels": ["call", "visit"],
        "hotkey": "5",
        "order": 40,
    },
    {
        "code": "third_party",
        "label": "Third party reached",
        "outcome": "conversation",
        "party_reached": "third_party",
        "effect": "none",
        "channels": ["call", "visit"],
        "hotkey": "6",
        "order": 50,
    },
    {
        "code": "promise_to_pay",
        "label": "Promise to pay",
        "outcome": "conversation",
        "party_reached": "",
        "effect": "promise",
        "channels": [],
        "hotkey": "7",
        "order": 60,
    },
    {
        "code": "callback",
        "label": "Callback requested",
        "outcome": "conversation",
        "party_reached": "",
        "effect": "callback",
        "channels": ["call", "visit"],
        "hotkey": "8",
        "order": 70,
    },
    {
        "code": "refuses",
        "label": "Refuses to pay",
        "outcome": "conversation",
        "party_reached": "",
        "effect": "none",
        "channels": [],
        "hotkey": "9",
        "order": 80,
    },
    {
        "code": "dispute",
        "label": "Disputes the debt",
        "outcome": "conversation",
        "party_reached": "",
        "effect": "dispute",
        "channels": [],
        "hotkey": "0",
        "order": 90,
    },
    {
        "code": "deceased",
        "label": "Debtor deceased",
        "outcome": "conversation",
        "party_reached": "third_party",
        "effect": "deceased",
        "channels": [],
        "hotkey": "",
        "order": 100,
    },
    {
        "code": "opt_out",
        "label": "Asks not to be contacted on this channel",
        "outcome": "conversation",
        "party_reached": "",
        "effect": "opt_out",
        "channels": [],
        "hotkey": "",
        "order": 110,
    },
    {
        "code": "message_sent",
        "label": "Message sent",
        "outcome": "message_sent",
        "party_reached": "none",
        "effect": "none",
        "channels": ["sms", "whatsapp", "email", "letter"],
        "hotkey": "",
        "order": 120,
    },
    {
        "code": "visit_absent",
        "label": "Visit: nobody at home",
        "outcome": "visit_made",
        "party_reached": "none",
        "effect": "none",
        "channels": ["visit"],
        "hotkey": "",
        "order": 130,
    },
]


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    Disposition = apps.get_model("workspace", "Disposition")
    for row in DEFAULTS:
        Disposition.objects.get_or_create(creditor=None, code=row["code"], defaults=row)


class Migration(migrations.Migration):
    dependencies = [("workspace", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
