"""``acuerda compliance``: ask the compliance gate from the shell, and document its rule packs.

    acuerda compliance check [--file PATH] [--policy POLICY.json] < request.json
    acuerda compliance check < requests.jsonl
    acuerda compliance docs [--output PATH] [--check]
    acuerda compliance plan [--date YYYY-MM-DD] [--portfolio REF ...] [--channel CH ...] [--output PATH]

``check`` reads one JSON request (the whole input is one JSON object) or JSON Lines (one request
per line; blank lines are skipped) and writes the decision as JSON: one object, or one JSON line
per request line, in order. A malformed request gets
``{"error": "invalid_request", "errors": [{"field", "message", "message_es"}]}`` instead (with
``"line": N`` in JSON Lines mode); input that is not JSON gets ``{"error": "invalid_json", ...}``
naming the line and column. Nothing is written to the contact ledger: this is a simulation.

Exit status of ``check``: 0 when every request was decided (allowed or blocked); 1 when a line of
JSON Lines was refused (the other lines are still decided); 2 when the single request, the input
or the ``--policy`` file is refused.

``plan`` is the daily run: for every open account (of the given portfolios), the windows in
which each channel may be used on the day (the debtor's local day; today by default), as JSON
Lines ``{"account_id", "channels": {channel: [[start, end], ...]}}``, then a summary on stderr.

``docs`` writes the generated Markdown of every rule pack (default ``docs/compliance/rule-packs.md``
in the source tree; ``--output -`` for stdout). ``--check`` writes nothing and exits 1 when the
file differs from what would be generated (for CI).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from acuerda.compliance.engine import (
    CHANNELS,
    Policy,
    PolicyError,
    RequestError,
    decision_to_dict,
    evaluate,
    packs_markdown,
    parse_request,
    policy_from_dict,
)

EXIT_LINE_REFUSED = 1
EXIT_REFUSED = 2
EXIT_DOCS_STALE = 1
DOCS_PATH = Path("docs") / "compliance" / "rule-packs.md"


def _day(text: str) -> Any:
    import argparse
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def default_docs_path() -> Path:
    return Path(settings.BASE_DIR) / DOCS_PATH


def policy_mismatch(policy: Policy | None, jurisdiction: str) -> RequestError | None:
    """A policy is written for one country: refuse requests of another, naming the field."""
    if policy is None or policy.jurisdiction is None:
        return None
    if policy.jurisdiction.split("-", 1)[0] == jurisdiction.split("-", 1)[0]:
        return None
    from acuerda.compliance.engine import FieldError

    return RequestError(
        [
            FieldError(
                "jurisdiction",
                f"the policy is for {policy.jurisdiction}, not {jurisdiction}",
                f"la política es para {policy.jurisdiction}, no para {jurisdiction}",
            )
        ]
    )


def decide(data: Any, policy: Policy | None = None) -> dict[str, Any]:
    """Parse, check against the policy's country and evaluate one request (``RequestError``)."""
    request = parse_request(data)
    mismatch = policy_mismatch(policy, request.jurisdiction)
    if mismatch is not None:
        raise mismatch
    return decision_to_dict(evaluate(request, policy=policy))


def _syntax_error(exc: json.JSONDecodeError, *, line: int | None = None) -> dict[str, Any]:
    where = {"line": exc.lineno if line is None else line, "column": exc.colno}
    return {
        "error": "invalid_json",
        **where,
        "message": f"not valid JSON at line {where['line']}, column {where['column']}: {exc.msg}",
        "message_es": f"JSON no válido en la línea {where['line']}, columna {where['column']}: {exc.msg}",
    }


class Command(BaseCommand):
    help = "Check contacts against the compliance rule packs, and document the packs."
    requires_system_checks: list[str] = []  # a pure computation: no database, no models
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{check,docs,plan}")
        check = actions.add_parser(
            "check", help="decide JSON contact requests (one object, or JSON Lines) from stdin"
        )
        check.add_argument(
            "--file", type=Path, help="read the request(s) from this file, not stdin"
        )
        check.add_argument(
            "--policy",
            type=Path,
            help="a creditor policy (JSON) that tightens the packs; refused if it would loosen them",
        )
        docs = actions.add_parser("docs", help="write the generated Markdown of every rule pack")
        docs.add_argument(
            "--output", type=Path, help=f"the file to write (default {DOCS_PATH}; - for stdout)"
        )
        docs.add_argument(
            "--check",
            action="store_true",
            help="write nothing; exit 1 when the file is out of date",
        )

        plan = actions.add_parser("plan", help="the daily run: allowed windows per channel for every open account")
        plan.add_argument("--date", type=_day, help="the local day to plan (default: today)")
        plan.add_argument("--portfolio", action="append", default=[], help="a portfolio reference (repeatable)")
        plan.add_argument("--channel", action="append", default=[], choices=list(CHANNELS),
                          help="a channel to plan (repeatable; default all)")
        plan.add_argument("--output", type=Path, help="write the JSON Lines here instead of stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "plan":
            self._plan(options)
            return
        if options["action"] == "docs":
            self._docs(options.get("output"), check=options["check"])
        else:
            self._check(options)

    # ----------------------------------------------------------------------------------- plan

    def _plan(self, options: dict[str, Any]) -> None:
        import time

        from django.core import checks
        from django.utils import timezone

        from acuerda.compliance.batch import contact_plan_day
        from acuerda.portfolios.models import Portfolio

        checks.run_checks()  # this one needs the database: fail loudly on a broken installation
        day = options.get("date") or timezone.localdate()
        ids: list[int] | None = None
        if options["portfolio"]:
            found = dict(Portfolio.objects.filter(reference__in=options["portfolio"]).values_list("reference", "pk"))
            missing = sorted(set(options["portfolio"]) - set(found))
            if missing:
                raise CommandError(_("Unknown portfolio(s): %(refs)s.") % {"refs": ", ".join(missing)})
            ids = sorted(found.values())
        channels = tuple(options["channel"]) or CHANNELS
        output: Path | None = options.get("output")
        stream: IO[str] = output.open("w", encoding="utf-8") if output else self.stdout  # type: ignore[assignment]
        started = time.perf_counter()
        count = 0
        try:
            for plan in contact_plan_day(day=day, channels=channels, portfolio_ids=ids):
                stream.write(json.dumps(plan.to_dict()) + "\n")
                count += 1
        finally:
            if output:
                stream.close()
        self.stderr.write(_("Planned %(count)s open accounts for %(day)s in %(seconds).1f s.")
                          % {"count": count, "day": day.isoformat(), "seconds": time.perf_counter() - started})

    # ---------------------------------------------------------------------------------- check

    def _emit(self, value: Any, *, indent: int | None = None) -> None:
        self.stdout.write(json.dumps(value, ensure_ascii=False, indent=indent))

    def _refuse(self, body: dict[str, Any], message: str) -> None:
        self._emit(body, indent=2)
        raise CommandError(message, returncode=EXIT_REFUSED)

    def _read(self, options: dict[str, Any]) -> str:
        path: Path | None = options.get("file")
        if path is None:
            stream: IO[str] = options.get("stdin") or sys.stdin
            return stream.read()
        try:
            return path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc},
                returncode=EXIT_REFUSED,
            ) from None

    def _policy(self, path: Path | None) -> Policy | None:
        if path is None:
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc},
                returncode=EXIT_REFUSED,
            ) from None
        except json.JSONDecodeError as exc:
            body = _syntax_error(exc)
            body["error"] = "invalid_policy"
            self._refuse(body, _("The policy file is not valid JSON."))
            raise AssertionError("unreachable") from None
        try:
            return policy_from_dict(data)
        except PolicyError as exc:
            errors = [{"field": field, "message": message} for field, message in exc.errors]
            self._refuse({"error": "invalid_policy", "errors": errors}, _("The policy is refused."))
            raise AssertionError("unreachable") from None

    def _check(self, options: dict[str, Any]) -> None:
        policy = self._policy(options.get("policy"))
        text = self._read(options).lstrip("\ufeff")
        lines = text.splitlines()
        first = next((line for line in lines if line.strip()), None)
        if first is None:
            self._refuse(
                {
                    "error": "invalid_json",
                    "line": 1,
                    "column": 1,
                    "message": "the input is empty",
                    "message_es": "la entrada está vacía",
                },
                _("The input is empty."),
            )
        try:
            whole = json.loads(text)
        except json.JSONDecodeError as exc:
            try:
                json.loads(first or "")
            except json.JSONDecodeError:
                # Not even the first line is JSON: report the document's error, not each line's.
                self._refuse(_syntax_error(exc), _("The input is not valid JSON."))
            self._check_lines(lines, policy)
            return
        try:
            decision = decide(whole, policy)
        except RequestError as exc:
            self._refuse(
                {"error": "invalid_request", "errors": exc.as_dicts()},
                _("The request is refused."),
            )
            return
        self._emit(decision, indent=2)

    def _check_lines(self, lines: list[str], policy: Policy | None) -> None:
        refused = 0
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                self._emit(_syntax_error(exc, line=number))
                refused += 1
                continue
            try:
                result = decide(data, policy)
            except RequestError as exc:
                self._emit(
                    {"error": "invalid_request", "line": number, "errors": exc.as_dicts()}
                )
                refused += 1
                continue
            self._emit(result)
        if refused:
            raise CommandError(
                _("%(count)s line(s) refused.") % {"count": refused}, returncode=EXIT_LINE_REFUSED
            )

    # ----------------------------------------------------------------------------------- docs

    def _docs(self, output: Path | None, *, check: bool) -> None:
        text = packs_markdown()
        if output is not None and str(output) == "-":
            if check:
                raise CommandError(_("--check needs a file, not stdout."), returncode=EXIT_REFUSED)
            self.stdout.write(text, ending="")
            return
        target = output or default_docs_path()
        if check:
            try:
                current = target.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                current = None
            if current != text:
                raise CommandError(
                    _("%(path)s is out of date: run `acuerda compliance docs`.") % {"path": target},
                    returncode=EXIT_DOCS_STALE,
                )
            self.stdout.write(_("%(path)s is up to date.") % {"path": target})
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        partial.write_text(text, encoding="utf-8")
        partial.replace(target)
        self.stdout.write(_("Wrote %(path)s.") % {"path": target})
