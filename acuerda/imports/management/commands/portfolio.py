"""``acuerda portfolio``: place creditor files into portfolios, and manage import profiles.

    acuerda portfolio import FILE --creditor CODE --portfolio REF --profile NAME
                             [--dry-run] [--json] [--report ERRORS.csv|.xlsx]
    acuerda portfolio profile-import PROFILE.yaml --creditor CODE
    acuerda portfolio profile-export NAME --creditor CODE [--output PROFILE.yaml]
    acuerda portfolio export --creditor CODE --portfolio REF --user USERNAME --format csv|xlsx --output FILE
    acuerda portfolio recall --creditor CODE --portfolio REF --user USERNAME --reason TEXT --output FILE
                             [--references FILE] [--format csv|xlsx] [--json]

``--portfolio`` is required and must name an existing portfolio of the creditor: a placement has
terms (placement date, jurisdiction, commissions) that a file does not carry, so portfolios are
created first (back office or ``portfolios.services.portfolio_create``).

Exit status: 0 when the job completed (``done``, or ``validated`` for a dry run), even with
rejected rows, and when the same file was already imported (the earlier job is reported);
1 when the file cannot be read at all or the creditor, portfolio or profile is unknown;
3 when the profile's ``reject_file`` policy rejected the file (nothing was imported).

``export`` and ``recall`` act as ``--user`` (scoping, permissions and the audit trail need a
person): exit 0 when the file was written, 1 when a name is unknown, the user may not see the
portfolio (or, for a recall, may not change its accounts) or a file cannot be read or written.
The output appears only complete: it is written next to ``--output`` and renamed at the end (for a
recall, after the recall committed). A recall's refused accounts and unknown references are
listed on stderr and do not change the exit status.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from acuerda.creditors.models import Creditor
from acuerda.imports.choices import ImportStatus
from acuerda.imports.exports import portfolio_export_csv, portfolio_export_xlsx
from acuerda.imports.models import ImportJob, ImportProfile
from acuerda.imports.profiles import profile_from_yaml, profile_to_yaml
from acuerda.imports.readers import UnreadableFile, preview
from acuerda.imports.recalls import RecallError, RecallResult, portfolio_recall
from acuerda.imports.report import report_csv, report_xlsx
from acuerda.imports.services import ImportJobError, import_job_create, import_run
from acuerda.people.models import User
from acuerda.portfolios.models import Portfolio

EXIT_UNREADABLE = 1
EXIT_REJECTED = 3


class Command(BaseCommand):
    help = "Import creditor files into portfolios and manage import profiles."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{import,profile-import,profile-export,export,recall}")
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
        export = actions.add_parser("export", help="write a portfolio's accounts with balances to CSV or XLSX")
        recall = actions.add_parser("recall", help="recall accounts to the creditor and write the recall file")
        for sub in (export, recall):
            sub.add_argument("--creditor", required=True, help="creditor code")
            sub.add_argument("--portfolio", required=True, help="reference of a portfolio of the creditor")
            sub.add_argument("--user", required=True, help="username the export or recall is made as (audit trail)")
            sub.add_argument("--output", required=True, type=Path, help="the file to write")
            sub.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
        export.add_argument("--format", required=True, choices=["csv", "xlsx"])
        export.add_argument("--with-personal-data", action="store_true",
                            help="add the debtor's name and national id (logged as a view of each debtor's data)")
        recall.add_argument("--format", choices=["csv", "xlsx"], help="default: by the --output suffix")
        recall.add_argument("--reason", required=True, help="why the accounts are recalled (on every account event)")
        recall.add_argument(
            "--references", type=Path,
            help="a text file with one account reference per line; without it every open account is recalled",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        creditor = Creditor.objects.filter(code=options["creditor"].strip().lower()).first()
        if creditor is None:
            raise CommandError(_("Unknown creditor %(code)r.") % {"code": options["creditor"]}, returncode=EXIT_UNREADABLE)
        action = options["action"]
        if action == "profile-import":
            self._profile_import(creditor, options["file"])
        elif action == "profile-export":
            self._profile_export(creditor, options["name"], options.get("output"))
        elif action in ("export", "recall"):
            portfolio = self._portfolio(creditor, options["portfolio"])
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(_("Unknown or inactive user %(name)r.") % {"name": options["user"]},
                                   returncode=EXIT_UNREADABLE)
            if action == "export":
                self._export(portfolio, user, options)
            else:
                self._recall(portfolio, user, options)
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

    def _portfolio(self, creditor: Creditor, reference: str) -> Portfolio:
        portfolio = Portfolio.objects.filter(creditor=creditor, reference=reference.strip()).first()
        if portfolio is None:
            raise CommandError(
                _("Creditor %(code)s has no portfolio %(ref)r.") % {"code": creditor.code, "ref": reference},
                returncode=EXIT_UNREADABLE,
            )
        return portfolio

    def _write_atomically(self, target: Path, binary: bool, write: Callable[[Any], Any]) -> Any:
        """Call ``write`` with a stream on a file beside ``target``; rename it to ``target`` only
        when ``write`` returned (so a failure leaves no half file)."""
        partial = target.with_name(f".{target.name}.partial")
        try:
            if binary:
                with partial.open("wb") as stream:
                    result = write(stream)
            else:
                with partial.open("w", encoding="utf-8-sig", newline="") as stream:
                    result = write(stream)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(_("Cannot write %(path)s: %(error)s") % {"path": target, "error": exc},
                               returncode=EXIT_UNREADABLE) from None
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        os.replace(partial, target)
        return result

    def _export(self, portfolio: Portfolio, user: User, options: dict[str, Any]) -> None:
        if not Portfolio.objects.for_user(user).filter(pk=portfolio.pk).exists():
            raise CommandError(_("%(user)s may not see portfolio %(ref)s.") % {"user": user, "ref": portfolio.reference},
                               returncode=EXIT_UNREADABLE)
        target: Path = options["output"]
        fmt = options["format"]
        audit = f"cli/export/{fmt}/portfolio/{portfolio.pk}"
        personal = bool(options.get("with_personal_data"))
        if fmt == "xlsx":
            count = self._write_atomically(target, True, lambda stream: portfolio_export_xlsx(
                portfolio=portfolio, user=user, stream=stream, audit_path=audit, personal_data=personal))
        else:
            count = self._write_atomically(target, False, lambda stream: portfolio_export_csv(
                portfolio=portfolio, user=user, stream=stream, audit_path=audit, personal_data=personal))
        if options["json"]:
            self.stdout.write(json.dumps({"portfolio_id": portfolio.pk, "accounts": count, "output": str(target)}))
        else:
            self.stdout.write(_("Exported %(count)s accounts of %(portfolio)s to %(path)s.")
                              % {"count": count, "portfolio": portfolio, "path": target})

    def _recall(self, portfolio: Portfolio, user: User, options: dict[str, Any]) -> None:
        target: Path = options["output"]
        fmt = options["format"] or ("xlsx" if target.suffix.lower() == ".xlsx" else "csv")
        references: list[str] | None = None
        if options["references"] is not None:
            try:
                references = options["references"].read_text(encoding="utf-8-sig").splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(_("Cannot read %(path)s: %(error)s") % {"path": options["references"], "error": exc},
                                   returncode=EXIT_UNREADABLE) from None

        def recall(stream: Any) -> RecallResult:
            return portfolio_recall(portfolio=portfolio, actor=user, reason=options["reason"], references=references,
                                    output=stream, file_format=fmt)

        try:
            result: RecallResult = self._write_atomically(target, fmt == "xlsx", recall)
        except (PermissionDenied, RecallError) as exc:
            raise CommandError(str(exc), returncode=EXIT_UNREADABLE) from None
        for refusal in result.refused:
            self.stderr.write(_("Not recalled: %(ref)s (%(reason)s).") % {"ref": refusal.reference, "reason": refusal.reason})
        for reference in result.unknown_references:
            self.stderr.write(_("Not in this portfolio: %(ref)s.") % {"ref": reference})
        if options["json"]:
            self.stdout.write(json.dumps({"portfolio_id": portfolio.pk, **result.summary(), "output": str(target)},
                                         ensure_ascii=False))
            return
        self.stdout.write(
            _("Recalled %(count)s accounts of %(portfolio)s (%(refused)s refused, %(unknown)s unknown references); "
              "file %(path)s.")
            % {"count": len(result.recalled_ids), "portfolio": portfolio, "refused": len(result.refused),
               "unknown": len(result.unknown_references), "path": target}
        )
        if result.portfolio_recalled:
            self.stdout.write(_("No account of the portfolio is open any more: the portfolio is now recalled."))

    def _import(self, creditor: Creditor, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        portfolio = self._portfolio(creditor, options["portfolio"])
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
