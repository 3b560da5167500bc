"""``acuerda remittance build --creditor CODE --period YYYY-MM [--xlsx FILE] [--pdf FILE] [--json]``

Builds (or rebuilds, while not issued) the creditor's remittance for the month: collected money
per account, commission per bucket, VAT and the net to transfer; optionally writes the XLSX and
PDF documents. Reviewing and issuing (four eyes) happen in the back office (/payments/remittances/).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Build a creditor's monthly remittance and its documents."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        build = sub.add_parser("build")
        build.add_argument("--creditor", required=True)
        build.add_argument("--period", required=True, help="YYYY-MM")
        build.add_argument("--currency")
        build.add_argument("--language", default="es", choices=["es", "en"])
        build.add_argument("--xlsx", help="write the XLSX here")
        build.add_argument("--pdf", help="write the PDF here")
        build.add_argument("--user", help="the person building it")
        build.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        from acuerda.creditors.models import Creditor
        from acuerda.payments.documents import remittance_pdf, remittance_xlsx
        from acuerda.payments.remittances import (
            RemittanceError,
            remittance_build,
            remittance_document,
        )
        from acuerda.people.models import User

        creditor = Creditor.objects.filter(code=options["creditor"]).first()
        if creditor is None:
            raise CommandError(f"No creditor with code {options['creditor']!r}.", returncode=2)
        actor = User.objects.filter(username=options["user"]).first() if options.get("user") else None
        try:
            remittance = remittance_build(creditor=creditor, period=options["period"], actor=actor,
                                          currency=options.get("currency"))
        except RemittanceError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        document = remittance_document(remittance, language=options["language"])
        if options.get("xlsx"):
            Path(options["xlsx"]).write_bytes(remittance_xlsx(document))
        if options.get("pdf"):
            Path(options["pdf"]).write_bytes(remittance_pdf(document))
        summary = {"number": remittance.number, "status": remittance.status, "lines": remittance.lines.count(),
                   "currency": remittance.currency, "collected": str(remittance.collected),
                   "commission": str(remittance.commission), "vat": str(remittance.vat), "net": str(remittance.net)}
        self.stdout.write(json.dumps(summary) if options["json"] else ", ".join(f"{k}: {v}" for k, v in summary.items()))
