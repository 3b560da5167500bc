"""``acuerda payments import FILE --format norma43|camt053|camt054|csv [--creditor CODE] [--json]``

Bank statements (Norma 43, camt.053, camt.054) are imported and reconciled: lines matched with
certainty become payments, the rest wait in the reconciliation queue (/payments/reconciliation/),
returns reverse the payment they return. Importing the same file again records nothing new.
``csv`` is a creditor's file of payments it received directly (``--creditor`` required).

Exit status: 0 imported (even with lines left to review); 2 when the file is refused (every
problem is printed with its line or row, and nothing was written).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

EXIT_REFUSED = 2


class Command(BaseCommand):
    help = "Import a bank statement (Norma 43, camt.053/054) or a creditor's payments file (CSV)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import and reconcile a file")
        imp.add_argument("file")
        imp.add_argument("--format", required=True, choices=["norma43", "camt053", "camt054", "csv", "auto"])
        imp.add_argument("--creditor", help="creditor code (csv files)")
        imp.add_argument("--user", help="the person importing (recorded on the statement and payments)")
        imp.add_argument("--json", action="store_true", help="a summary as JSON on stdout")
        dd = sub.add_parser("direct-debits", help="the pain.008 file for the instalments due by a date")
        dd.add_argument("--date", required=True, help="collection date, YYYY-MM-DD (in the future)")
        dd.add_argument("--output", required=True, help="where to write the pain.008 XML")
        dd.add_argument("--user")

    def handle(self, *args: Any, **options: Any) -> None:
        from acuerda.creditors.models import Creditor
        from acuerda.payments.reconciliation import statement_import
        from acuerda.payments.services import PaymentFileError, creditor_payments_import
        from acuerda.payments.statements import StatementError
        from acuerda.people.models import User

        if options["action"] == "direct-debits":
            self._direct_debits(options)
            return
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file.", returncode=EXIT_REFUSED)
        data = path.read_bytes()
        actor = User.objects.filter(username=options["user"]).first() if options.get("user") else None
        if options.get("user") and actor is None:
            raise CommandError(f"No user {options['user']!r}.", returncode=EXIT_REFUSED)
        try:
            if options["format"] == "csv":
                creditor = Creditor.objects.filter(code=options.get("creditor") or "").first()
                if creditor is None:
                    raise CommandError("A csv file needs --creditor CODE of an existing creditor.",
                                       returncode=EXIT_REFUSED)
                summary: dict[str, Any] = creditor_payments_import(data=data, creditor=creditor, actor=actor)
            else:
                fmt = None if options["format"] == "auto" else options["format"]
                summary = statement_import(data=data, fmt=fmt, actor=actor, file_name=path.name).as_dict()
        except StatementError as exc:
            lines = [f"{path}: line {line}: {reason}" if line else f"{path}: {reason}" for line, reason in exc.problems]
            raise CommandError("\n".join(lines) or str(exc), returncode=EXIT_REFUSED) from exc
        except PaymentFileError as exc:
            lines = [f"{path}: row {row}, {column}: {reason}" for row, column, reason in exc.problems]
            raise CommandError("\n".join(lines), returncode=EXIT_REFUSED) from exc
        if options["json"]:
            self.stdout.write(json.dumps(summary))
        else:
            self.stdout.write(", ".join(f"{k}: {v}" for k, v in summary.items()))

    def _direct_debits(self, options: dict[str, Any]) -> None:
        import datetime as dt

        from django.db import transaction

        from acuerda.payments.sepa import SepaError, direct_debit_batch
        from acuerda.people.models import User

        try:
            day = dt.date.fromisoformat(options["date"])
        except ValueError as exc:
            raise CommandError(f"--date {options['date']!r}: not a date (YYYY-MM-DD).", returncode=EXIT_REFUSED) from exc
        actor = User.objects.filter(username=options["user"]).first() if options.get("user") else None
        if options.get("user") and actor is None:
            raise CommandError(f"No user {options['user']!r}.", returncode=EXIT_REFUSED)
        output = Path(options["output"])
        try:
            # The debits count as submitted only once their file exists: a file that cannot be
            # written leaves no batch behind, and the instalments are asked for next time.
            with transaction.atomic():
                batch = direct_debit_batch(collection_date=day, actor=actor)
                if batch is not None:
                    output.write_text(batch.xml, encoding="utf-8")
        except SepaError as exc:
            raise CommandError(str(exc), returncode=EXIT_REFUSED) from exc
        except OSError as exc:
            raise CommandError(f"--output {output}: {exc.strerror or exc}; no debit was submitted.",
                               returncode=EXIT_REFUSED) from exc
        if batch is None:
            self.stdout.write(json.dumps({"debits": 0}))
            return
        self.stdout.write(json.dumps({"message_id": batch.message_id, "debits": batch.count, "total": str(batch.total)}))
