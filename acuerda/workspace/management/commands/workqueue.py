"""``acuerda workqueue refresh`` rebuilds the work queue's priorities (hourly in Celery beat);
``acuerda workqueue promises`` settles the promises whose outcome is known (nightly)."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Work queue maintenance: refresh the priorities, or evaluate pending promises to pay."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["refresh", "promises"])
        parser.add_argument("--creditor", help="Only this creditor's accounts (refresh).")

    def handle(self, *args: Any, **options: Any) -> None:
        from acuerda.creditors.models import Creditor

        started = time.perf_counter()
        if options["action"] == "refresh":
            from acuerda.workspace.queue import queue_refresh

            creditor = None
            if options.get("creditor"):
                creditor = Creditor.objects.filter(code=options["creditor"]).first()
                if creditor is None:
                    raise CommandError(f"No creditor with code {options['creditor']!r}.")
            result: dict[str, Any] = {"queued": queue_refresh(creditor=creditor)}
        else:
            from acuerda.agreements.services import promises_evaluate

            result = {"promises": promises_evaluate()}
        result["seconds"] = round(time.perf_counter() - started, 3)
        self.stdout.write(json.dumps(result))
