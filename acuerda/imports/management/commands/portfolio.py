"""``acuerda portfolio``: place creditor files into portfolios, and manage import profiles.

    acuerda portfolio import FILE --creditor CODE --portfolio REF --profile NAME
                             [--dry-run] [--json] [--report ERRORS.csv|.xlsx]
    acuerda portfolio profile-import PROFILE.yaml --creditor CODE
    acuerda portfolio profile-export NAME --creditor CODE [--output PROFILE.yaml]

``--portfolio`` is required and must name an existing portfolio of the creditor: a placement has
terms (placement date, jurisdiction, commissions) that a file does not carry, so portfolios are
created first (back office or ``portfolios.services.portfolio_create``).

Exit status: 0 when the job completed (``done``, or ``validated`` for a dry run), even with
rejected rows, and when the same file was already imported (the earlier job is reported);
1 when the file cannot be read at all or the creditor, portfolio or profile is unknown;
3 when the profile's ``reject_file`` policy rejected the file (nothing was imported).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from acuerda.creditors.models import Creditor
from acuerda.imports.choices import ImportStatus
from acuerda.imports.models import ImportJob, ImportProfile
from acuerda.imports.profiles import profile_from_yaml, profile_to_yaml
from acuerda.imports.readers import UnreadableFile, preview
from acuerda.imports.report import report_csv, report_xlsx
from acuerda.imports.services import ImportJobError, import_job_create, import_run
from acuerda.portfolios.models import Portfolio

EXIT_UNREADABLE = 1
EXIT_REJECTED = 3


class Command(BaseCommand):
    help = "Import creditor files into portfolios and manage import profiles."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{import,profile-import,profile-export}")
        run = actions.add_parser("import", help="import a CSV, XLSX or JSON Lines file into a portfolio")
        run.add_argument("file", type=Path)
        run.add_argument("--creditor", required=True, help="creditor code")
        run.add_argument("--portfolio", required=True, help="reference of an existing portfolio of the creditor")
        run.add_argument("--profile", required=True, help="name of the creditor's import profile")
        run.add_argument("--dry-run", action="store_true", help="validate and count, write nothing")
        run.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
        run.add_argument("--report", type=Path, help="write the rejected rows to this .csv or .xlsx file")
        load = actions.add_parser("profile-import", help="create or replace a profile from YAML")
        load.add_argument("file", type=Path)
        load.add_argument("--creditor", required=True)
        dump = actions.add_parser("profile-export", help="print a profile as YAML")
        dump.add_argument("name")
        dump.add_argument("--creditor", required=True)
        dump.add_argument("--output", type=Path, help="write to this file instead of stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        creditor = Creditor.objects.filter(code=options["creditor"].strip().lower()).first()
        if creditor is None:
            raise CommandError(_("Unknown creditor %(code)r.") % {"code": options["creditor"]}, returncode=EXIT_UNREADABLE)
        action = options["action"]
        if action == "profile-import":
            self._profile_import(creditor, options["file"])
        elif action == "profile-export":
            self._profile_export(creditor, options["name"], options.get("output"))
        else:
            self._import(creditor, options)

    def _profile_import(self, creditor: Creditor, path: Path) -> None:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc}, returncode=EXIT_UNREADABLE) from None
        try:
            profile, created = profile_from_yaml(creditor=creditor, text=text)
        except ValidationError as exc:
            raise CommandError(_("Invalid profile: %(problems)s") % {"problems": " ".join(exc.messages)}, returncode=EXIT_UNREADABLE) from None
        message = _("Created profile %(name)s of %(code)s.") if created else _("Replaced profile %(name)s of %(code)s.")
        self.stdout.write(message % {"name": profile.name, "code": creditor.code})

    def _profile_export(self, creditor: Creditor, name: str, output: Path | None) -> None:
        profile = ImportProfile.objects.filter(creditor=creditor, name=name).first()
        if profile is None:
            raise CommandError(_("Creditor %(code)s has no import profile %(name)r.") % {"code": creditor.code, "name": name}, returncode=EXIT_UNREADABLE)
        text = profile_to_yaml(profile)
        if output is None:
            self.stdout.write(text, ending="")
        else:
            output.write_text(text, encoding="utf-8")

    def _import(self, creditor: Creditor, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        portfolio = Portfolio.objects.filter(creditor=creditor, reference=options["portfolio"].strip()).first()
        if portfolio is None:
            raise CommandError(
                _("Creditor %(code)s has no portfolio %(ref)r.") % {"code": creditor.code, "ref": options["portfolio"]},
                returncode=EXIT_UNREADABLE,
            )
        profile = ImportProfile.objects.filter(creditor=creditor, name=options["profile"]).first()
        if profile is None:
            raise CommandError(
                _("Creditor %(code)s has no import profile %(name)r.") % {"code": creditor.code, "name": options["profile"]},
                returncode=EXIT_UNREADABLE,
            )
        try:
            preview(path, encoding=profile.encoding, delimiter=profile.delimiter, rows=1)
        except UnreadableFile as exc:
            raise CommandError(str(exc), returncode=EXIT_UNREADABLE) from None
        job, created = import_job_create(
            creditor=creditor, portfolio=portfolio, profile=profile, path=path, actor=None,
            dry_run=options["dry_run"],
        )
        already = not created and job.status == ImportStatus.DONE
        if not already:
            try:
                job = import_run(job=job, path=path)
            except ImportJobError as exc:
                raise CommandError(str(exc), returncode=EXIT_UNREADABLE) from None
        if options.get("report") is not None:
            self._write_report(job, options["report"])
        self._print(job, already=already, as_json=options["json"])
        if job.status == ImportStatus.FAILED:
            code = EXIT_REJECTED if job.failure_code == "rows_rejected" else EXIT_UNREADABLE
            raise CommandError(job.failure_message, returncode=code)

    def _write_report(self, job: ImportJob, target: Path) -> None:
        if target.suffix.lower() == ".xlsx":
            with target.open("wb") as binary:
                report_xlsx(job, binary)
        else:
            with target.open("w", encoding="utf-8-sig", newline="") as text:
                report_csv(job, text)

    def _print(self, job: ImportJob, *, already: bool, as_json: bool) -> None:
        summary = job.summary()
        summary["already_imported"] = already
        if as_json:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        if already:
            self.stdout.write(
                _("This file was already imported into this portfolio by job %(id)s; nothing changed.") % {"id": job.pk}
            )
        self.stdout.write(
            _("Job %(id)s %(status)s: %(rows_read)s rows read, %(rows_rejected)s rejected; accounts "
              "%(accounts_created)s created, %(accounts_updated)s updated, %(accounts_unchanged)s unchanged; "
              "debtors %(debtors_created)s created, %(debtors_matched)s matched.")
            % {**job.summary(), "id": job.pk}
        )
        if job.rows_rejected:
            self.stderr.write(_("%(count)s rows rejected; see --report for the details.") % {"count": job.rows_rejected})
