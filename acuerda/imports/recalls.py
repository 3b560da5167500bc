"""Recall (devolución): accounts handed back to the creditor, with the file that goes with them.

``portfolio_recall`` moves each chosen account to ``recalled`` through
``debts.services.account_transition`` (so each gets its own locked update and ``status_changed``
event, exactly as a person doing it by hand), refuses nothing silently (accounts whose status
cannot move to ``recalled`` and references the portfolio does not hold are reported), moves the
portfolio itself to ``recalled`` once no account in it is open any more, and writes the recall
file (the recalled accounts with their final balances, same columns as the export) — all in one
transaction: if the file cannot be written, nothing is recalled.

Cost: what ``account_transition`` needs per account (its savepoint, a locking re-read, an update,
the event insert and the savepoint release: five statements) plus one keyset query and one
``in_bulk`` per 2,000 accounts and the recall file's reads; no other per-account query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from acuerda.debts.choices import ACCOUNT_TRANSITIONS, OPEN_STATUSES, AccountStatus
from acuerda.debts.models import Account
from acuerda.debts.services import account_transition
from acuerda.imports.exports import export_rows_for_ids, write_csv, write_xlsx
from acuerda.portfolios.choices import PORTFOLIO_TRANSITIONS, PortfolioStatus
from acuerda.portfolios.models import Portfolio
from acuerda.portfolios.services import portfolio_transition

if TYPE_CHECKING:
    from acuerda.people.models import User

RECALL_CHUNK = 2_000
_IN_BATCH = 900
RECALL_PERMISSION = "debts.change_account"


class RecallError(ValueError):
    """The recall cannot be made at all; nothing was written."""


@dataclass(slots=True)
class RecallRefusal:
    reference: str
    status: str
    reason: str


@dataclass
class RecallResult:
    recalled_ids: list[int] = field(default_factory=list)
    refused: list[RecallRefusal] = field(default_factory=list)
    unknown_references: list[str] = field(default_factory=list)
    portfolio_recalled: bool = False
    rows_written: int = 0

    def summary(self) -> dict[str, Any]:
        return {
            "recalled": len(self.recalled_ids),
            "refused": [{"reference": r.reference, "status": r.status, "reason": r.reason} for r in self.refused],
            "unknown_references": self.unknown_references,
            "portfolio_recalled": self.portfolio_recalled,
            "rows_written": self.rows_written,
        }


def _ids_for_references(portfolio: Portfolio, references: Sequence[str], result: RecallResult) -> list[int]:
    wanted = list(dict.fromkeys(r.strip() for r in references if r.strip()))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), _IN_BATCH):
        batch = wanted[start:start + _IN_BATCH]
        found.update(Account.objects.filter(portfolio=portfolio, creditor_reference__in=batch)
                     .values_list("creditor_reference", "pk"))
    result.unknown_references = [r for r in wanted if r not in found]
    return sorted(found.values())


def _candidates(portfolio: Portfolio, ids: list[int] | None) -> Any:
    """(pk, reference, status) of the chosen accounts in pk order, chunk by chunk."""
    base = Account.objects.filter(portfolio=portfolio).order_by("pk")
    if ids is not None:
        for start in range(0, len(ids), _IN_BATCH):
            yield list(base.filter(pk__in=ids[start:start + _IN_BATCH])
                       .values_list("pk", "creditor_reference", "status"))
        return
    last = 0
    while True:
        chunk = list(base.filter(pk__gt=last, status__in=OPEN_STATUSES)
                     .values_list("pk", "creditor_reference", "status")[:RECALL_CHUNK])
        if not chunk:
            return
        yield chunk
        last = chunk[-1][0]


@transaction.atomic
def portfolio_recall(
    *, portfolio: Portfolio, actor: User, reason: str, accounts: QuerySet[Account] | None = None,
    references: Sequence[str] | None = None, output: IO[Any] | None = None, file_format: str = "csv",
) -> RecallResult:
    """Recall ``accounts`` (or the accounts with ``references``; with neither, every open
    account) of ``portfolio`` and, with ``output``, write the recall file (``file_format`` csv,
    a text stream, or xlsx, a binary one). See the module docstring."""
    if not reason.strip():
        raise RecallError(_("A recall needs a reason."))
    if file_format not in ("csv", "xlsx"):
        raise RecallError(_("%(format)s is not a recall file format (csv, xlsx).") % {"format": file_format})
    if not actor.has_perm(RECALL_PERMISSION) or not Portfolio.objects.for_user(actor).filter(pk=portfolio.pk).exists():
        raise PermissionDenied(_("%(user)s may not recall accounts of this portfolio.") % {"user": actor})
    result = RecallResult()
    ids: list[int] | None = None
    if references is not None:
        ids = _ids_for_references(portfolio, references, result)
    if accounts is not None:
        chosen = sorted(accounts.filter(portfolio=portfolio).values_list("pk", flat=True))
        ids = chosen if ids is None else sorted(set(ids) & set(chosen))
    for chunk in _candidates(portfolio, ids):
        movable = [pk for pk, _ref, status in chunk if AccountStatus.RECALLED in ACCOUNT_TRANSITIONS[status]]
        loaded = Account.objects.in_bulk(movable)
        for pk, reference, status in chunk:
            if pk not in loaded:
                why = (_("already recalled") if status == AccountStatus.RECALLED
                       else _("a %(status)s account cannot be recalled") % {"status": status})
                result.refused.append(RecallRefusal(reference, status, why))
                continue
            account_transition(account=loaded[pk], to_status=AccountStatus.RECALLED, actor=actor, reason=reason)
            result.recalled_ids.append(pk)
    portfolio.refresh_from_db(fields=["status"])
    still_open = Account.objects.filter(portfolio=portfolio, status__in=OPEN_STATUSES).exists()
    if (result.recalled_ids and not still_open
            and PortfolioStatus.RECALLED in PORTFOLIO_TRANSITIONS.get(portfolio.status, frozenset())):
        portfolio_transition(portfolio=portfolio, to_status=PortfolioStatus.RECALLED)
        result.portfolio_recalled = True
    if output is not None:
        rows = export_rows_for_ids(portfolio=portfolio, user=actor, account_ids=result.recalled_ids,
                                   audit_path=f"recall/{file_format}/portfolio/{portfolio.pk}")
        if file_format == "xlsx":
            result.rows_written = write_xlsx(rows, output, sheet_title=portfolio.reference)
        else:
            result.rows_written = write_csv(rows, output)
    return result
