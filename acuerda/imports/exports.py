"""A portfolio's accounts with balances, status, delinquency and debtor, as CSV or XLSX.

Streamed: accounts are read by keyset pagination over the primary key (``pk > last`` ordered by
``pk``, ``EXPORT_CHUNK`` rows a query, ``values_list`` tuples, no model instances), each chunk
written out before the next is read, so memory stays flat whatever the portfolio's size. XLSX
uses openpyxl's write-only mode (rows go to a temporary XML file, zipped on save).

**Audit.** An export discloses debtors' names and national ids, so it is written to the
personal-data access log (``debtors.PersonalDataAccess``, channel ``export``) like every other
view of personal data: one row per debtor of each chunk, inserted by one set-based
``INSERT … SELECT DISTINCT debtor_id`` per chunk (no Python object per row), all rows of one export
sharing the same ``at`` and ``path`` (``export/csv/portfolio/<id>``…), so an export can be read
back either per debtor ("who saw Lucía's data?") or as one event (group by user, at, path).
The rows of a chunk are logged as it is written, in autocommit: a download cut short logs what
was read, never less. Each export also writes one ``privacy.DataExportLog`` row when it ends
(finished or cut short): who, when, which portfolio, what kind, how many rows, which columns and
why, so an export can be reviewed as one event without grouping the per-debtor rows.

**Minimisation.** The debtor's identity (``PERSONAL_COLUMNS``: name, id country, id type, id
number) is the only personal data an export can carry; phones, emails and addresses are never
exported. Callers say whether they need it with ``personal_data``: an export without it reads no
debtor columns at all and writes no per-debtor access rows (the creditor matches accounts by its
own reference). The default is ``True`` for the callers written before the option existed (REST
API, ``acuerda portfolio export``, recall files); they should ask for it explicitly.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

from django.db import DatabaseError, connection
from django.db.models import QuerySet
from django.utils import timezone

from acuerda.creditors.buckets import days_past_due
from acuerda.debtors.choices import DataAccessChannel, DebtorKind
from acuerda.debtors.models import PersonalDataAccess
from acuerda.debts.models import Account
from acuerda.privacy.choices import ExportKind
from acuerda.privacy.services import data_export_log

if TYPE_CHECKING:
    from acuerda.people.models import User
    from acuerda.portfolios.models import Portfolio

logger = logging.getLogger(__name__)

EXPORT_CHUNK = 2_000
_IN_BATCH = 900  # SQLite allows 999 parameters per statement

# Stable machine names: the file goes back to a creditor's systems, not to a person.
EXPORT_COLUMNS: tuple[str, ...] = (
    "reference", "product", "currency", "principal", "interest", "fees", "total", "status",
    "first_unpaid_due_on", "days_past_due", "bucket", "debtor_name", "id_country", "id_type", "id_number",
)  # fmt: skip
# The debtor's identity: exported only when the caller asks for it (minimisation).
PERSONAL_COLUMNS: tuple[str, ...] = ("debtor_name", "id_country", "id_type", "id_number")
ACCOUNT_COLUMNS: tuple[str, ...] = EXPORT_COLUMNS[: -len(PERSONAL_COLUMNS)]
_ACCOUNT_FIELDS = (
    "pk", "creditor_reference", "product", "currency", "principal", "interest", "fees", "status",
    "first_unpaid_due_on",
)  # fmt: skip
_FIELDS = (
    *_ACCOUNT_FIELDS, "debtor__kind", "debtor__first_name", "debtor__last_name", "debtor__company_name",
    "debtor__country", "debtor__id_type", "debtor__id_number",
)  # fmt: skip
# Why, when the caller does not say.
_DEFAULT_PURPOSE: dict[str, str] = {
    ExportKind.PORTFOLIO_CSV: "Portfolio report",
    ExportKind.PORTFOLIO_XLSX: "Portfolio report",
    ExportKind.RECALL: "Accounts returned to the creditor",
}


def export_columns(*, personal_data: bool = False) -> tuple[str, ...]:
    """The header of an export with or without the debtor's identity."""
    return EXPORT_COLUMNS if personal_data else ACCOUNT_COLUMNS


def _scoped_accounts(*, portfolio: Portfolio, user: User) -> QuerySet[Account]:
    return Account.objects.for_user(user).filter(portfolio=portfolio)


def _log_access(*, user: User, accounts: QuerySet[Account], at: dt.datetime, path: str, purpose: str = "") -> None:
    """One access-log row per distinct debtor of ``accounts``, in one INSERT … SELECT."""
    debtors = accounts.order_by().values("debtor_id").distinct()
    sub_sql, sub_params = debtors.query.sql_with_params()
    qn = connection.ops.quote_name
    table = qn(PersonalDataAccess._meta.db_table)
    columns = ", ".join(qn(c) for c in ("user_id", "debtor_id", "at", "via", "path", "purpose"))
    sql = (
        f"INSERT INTO {table} ({columns}) "  # noqa: S608 - identifiers from _meta, values are parameters
        f"SELECT %s, d.{qn('debtor_id')}, %s, %s, %s, %s FROM ({sub_sql}) d"
    )
    params = [user.pk, connection.ops.adapt_datetimefield_value(at), DataAccessChannel.EXPORT, path[:255],
              purpose[:255], *sub_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _chunks(
    accounts: QuerySet[Account], *, chunk_size: int, fields: tuple[str, ...] = _FIELDS
) -> Iterator[list[tuple[Any, ...]]]:
    """Keyset pagination over pk: each query reads at most ``chunk_size`` rows."""
    last = 0
    while True:
        chunk = list(accounts.filter(pk__gt=last).order_by("pk").values_list(*fields)[:chunk_size])
        if not chunk:
            return
        yield chunk
        last = chunk[-1][0]


def _format(row: tuple[Any, ...], *, today: dt.date, labels: Any) -> list[Any]:
    (_pk, reference, product, currency, principal, interest, fees, status, due_on) = row[: len(_ACCOUNT_FIELDS)]
    principal, interest, fees = (Decimal(v).quantize(Decimal("0.01")) for v in (principal, interest, fees))
    dpd = days_past_due(due_on, today=today)
    values = [reference, product, currency, principal, interest, fees, principal + interest + fees, status,
              due_on, dpd, labels(dpd)]
    if len(row) > len(_ACCOUNT_FIELDS):
        kind, first, last, company, country, id_type, id_number = row[len(_ACCOUNT_FIELDS):]
        name = company if kind == DebtorKind.COMPANY else f"{first} {last}".strip()
        values += [name, country, id_type, id_number]
    return values


def _summarised(
    rows: Iterator[list[Any]], *, user: User, portfolio: Portfolio, kind: str, personal_data: bool, path: str,
    purpose: str, at: dt.datetime,
) -> Iterator[list[Any]]:
    """Pass ``rows`` through, then write the export's one ``DataExportLog`` row, also when the
    consumer stops early (a download cut short logs the rows it read)."""
    count = 0
    finished = False
    try:
        for row in rows:
            count += 1
            yield row
        finished = True
    finally:
        def summary() -> None:
            data_export_log(user=user, kind=kind, rows=count, columns=export_columns(personal_data=personal_data),
                            personal_data=personal_data, portfolio=portfolio, path=path, purpose=purpose, at=at)

        if finished:
            summary()
        else:
            try:
                summary()
            except DatabaseError:  # do not hide the error that stopped the export
                logger.exception("Could not log the interrupted export %s", path)


def _rows(
    *, portfolio: Portfolio, user: User, accounts: QuerySet[Account] | None, audit_path: str,
    chunk_size: int | None, at: dt.datetime, personal_data: bool, purpose: str,
) -> Iterator[list[Any]]:
    scoped = _scoped_accounts(portfolio=portfolio, user=user)
    if accounts is not None:
        scoped = scoped.filter(pk__in=accounts.values("pk"))
    today = timezone.localdate()
    labels = portfolio.creditor.buckets.label_for
    fields = _FIELDS if personal_data else _ACCOUNT_FIELDS
    for chunk in _chunks(scoped, chunk_size=chunk_size or EXPORT_CHUNK, fields=fields):
        if personal_data:
            _log_access(user=user, accounts=scoped.filter(pk__gte=chunk[0][0], pk__lte=chunk[-1][0]), at=at,
                        path=audit_path, purpose=purpose)
        for row in chunk:
            yield _format(row, today=today, labels=labels)


def export_rows(
    *, portfolio: Portfolio, user: User, accounts: QuerySet[Account] | None = None, audit_path: str,
    chunk_size: int | None = None, at: dt.datetime | None = None, personal_data: bool = False,
    kind: str = ExportKind.PORTFOLIO_CSV, purpose: str = "",
) -> Iterator[list[Any]]:
    """The export's rows (without header), logging each chunk's debtors as it is read and the
    export itself when it ends. Columns: ``export_columns(personal_data=...)``.

    ``accounts`` narrows the portfolio's accounts (the recall file); it is always intersected
    with what ``user`` may see."""
    at = at or timezone.now()
    purpose = purpose or _DEFAULT_PURPOSE.get(kind, "")
    rows = _rows(portfolio=portfolio, user=user, accounts=accounts, audit_path=audit_path, chunk_size=chunk_size,
                 at=at, personal_data=personal_data, purpose=purpose)
    return _summarised(rows, user=user, portfolio=portfolio, kind=kind, personal_data=personal_data,
                       path=audit_path, purpose=purpose, at=at)


def export_rows_for_ids(
    *, portfolio: Portfolio, user: User, account_ids: Sequence[int], audit_path: str, personal_data: bool = False,
    kind: str = ExportKind.RECALL, purpose: str = "",
) -> Iterator[list[Any]]:
    """Rows for given account ids (sorted), in batches a SQLite statement can take; one export."""
    ids = sorted(account_ids)
    at = timezone.now()
    purpose = purpose or _DEFAULT_PURPOSE.get(kind, "")

    def batches() -> Iterator[list[Any]]:
        for start in range(0, len(ids), _IN_BATCH):
            batch = ids[start:start + _IN_BATCH]
            yield from _rows(portfolio=portfolio, user=user, audit_path=audit_path, at=at, chunk_size=None,
                             accounts=Account.objects.filter(pk__in=batch), personal_data=personal_data,
                             purpose=purpose)

    return _summarised(batches(), user=user, portfolio=portfolio, kind=kind, personal_data=personal_data,
                       path=audit_path, purpose=purpose, at=at)


# Values come from creditors' files: a cell like "=HYPERLINK(...)" must stay text when a
# spreadsheet opens the export (CSV/formula injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def write_csv(rows: Iterable[list[Any]], stream: IO[str], *, columns: Sequence[str] = ACCOUNT_COLUMNS) -> int:
    """Header and rows as CSV (comma, point decimals, ISO dates); returns the rows written."""
    writer = csv.writer(stream)
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([_csv_safe(v) for v in row])
        count += 1
    return count


class _Line:
    """A file-like sink that hands back what the csv writer wrote (for streamed responses)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list[Any]], *, columns: Sequence[str] = ACCOUNT_COLUMNS) -> Iterator[str]:
    """The CSV as an iterator of lines, for ``StreamingHttpResponse``."""
    writer = csv.writer(_Line())
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow([_csv_safe(v) for v in row])


def write_xlsx(
    rows: Iterable[list[Any]], stream: IO[bytes], *, sheet_title: str = "Accounts", columns: Sequence[str] = ACCOUNT_COLUMNS
) -> int:
    """Header and rows as an XLSX workbook in write-only mode; returns the rows written."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    sheet.append(list(columns))
    count = 0
    for row in rows:
        cells: list[Any] = []
        for value in row:
            if isinstance(value, str) and value.startswith("="):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"  # never a formula
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
        count += 1
    workbook.save(stream)
    return count


def portfolio_export_csv(
    *, portfolio: Portfolio, user: User, stream: IO[str], audit_path: str = "", personal_data: bool = False,
    purpose: str = "",
) -> int:
    """Write the portfolio's accounts ``user`` may see to ``stream`` as CSV; returns the row count.
    Without ``personal_data`` the debtor's name and national id are left out."""
    path = audit_path or f"export/csv/portfolio/{portfolio.pk}"
    rows = export_rows(portfolio=portfolio, user=user, audit_path=path, personal_data=personal_data,
                       kind=ExportKind.PORTFOLIO_CSV, purpose=purpose)
    return write_csv(rows, stream, columns=export_columns(personal_data=personal_data))


def portfolio_export_xlsx(
    *, portfolio: Portfolio, user: User, stream: IO[bytes], audit_path: str = "", personal_data: bool = False,
    purpose: str = "",
) -> int:
    """Write the portfolio's accounts ``user`` may see to ``stream`` as XLSX; returns the row count.
    Without ``personal_data`` the debtor's name and national id are left out."""
    path = audit_path or f"export/xlsx/portfolio/{portfolio.pk}"
    rows = export_rows(portfolio=portfolio, user=user, audit_path=path, personal_data=personal_data,
                       kind=ExportKind.PORTFOLIO_XLSX, purpose=purpose)
    return write_xlsx(rows, stream, sheet_title=portfolio.reference, columns=export_columns(personal_data=personal_data))
