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
was read, never less.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from acuerda.creditors.buckets import days_past_due
from acuerda.debtors.choices import DataAccessChannel, DebtorKind
from acuerda.debtors.models import PersonalDataAccess
from acuerda.debts.models import Account

if TYPE_CHECKING:
    from acuerda.people.models import User
    from acuerda.portfolios.models import Portfolio

EXPORT_CHUNK = 2_000
_IN_BATCH = 900  # SQLite allows 999 parameters per statement

# Stable machine names: the file goes back to a creditor's systems, not to a person.
EXPORT_COLUMNS: tuple[str, ...] = (
    "reference", "product", "currency", "principal", "interest", "fees", "total", "status",
    "first_unpaid_due_on", "days_past_due", "bucket", "debtor_name", "id_country", "id_type", "id_number",
)  # fmt: skip
_FIELDS = (
    "pk", "creditor_reference", "product", "currency", "principal", "interest", "fees", "status",
    "first_unpaid_due_on", "debtor__kind", "debtor__first_name", "debtor__last_name", "debtor__company_name",
    "debtor__country", "debtor__id_type", "debtor__id_number",
)  # fmt: skip


def _scoped_accounts(*, portfolio: Portfolio, user: User) -> QuerySet[Account]:
    return Account.objects.for_user(user).filter(portfolio=portfolio)


def _log_access(*, user: User, accounts: QuerySet[Account], at: dt.datetime, path: str) -> None:
    """One access-log row per distinct debtor of ``accounts``, in one INSERT … SELECT."""
    debtors = accounts.order_by().values("debtor_id").distinct()
    sub_sql, sub_params = debtors.query.sql_with_params()
    qn = connection.ops.quote_name
    table = qn(PersonalDataAccess._meta.db_table)
    columns = ", ".join(qn(c) for c in ("user_id", "debtor_id", "at", "via", "path"))
    sql = (
        f"INSERT INTO {table} ({columns}) "  # noqa: S608 - identifiers from _meta, values are parameters
        f"SELECT %s, d.{qn('debtor_id')}, %s, %s, %s FROM ({sub_sql}) d"
    )
    params = [user.pk, connection.ops.adapt_datetimefield_value(at), DataAccessChannel.EXPORT, path[:255],
              *sub_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _chunks(accounts: QuerySet[Account], *, chunk_size: int) -> Iterator[list[tuple[Any, ...]]]:
    """Keyset pagination over pk: each query reads at most ``chunk_size`` rows."""
    last = 0
    while True:
        chunk = list(accounts.filter(pk__gt=last).order_by("pk").values_list(*_FIELDS)[:chunk_size])
        if not chunk:
            return
        yield chunk
        last = chunk[-1][0]


def _format(row: tuple[Any, ...], *, today: dt.date, labels: Any) -> list[Any]:
    (_pk, reference, product, currency, principal, interest, fees, status, due_on, kind, first, last, company,
     country, id_type, id_number) = row
    principal, interest, fees = (Decimal(v).quantize(Decimal("0.01")) for v in (principal, interest, fees))
    dpd = days_past_due(due_on, today=today)
    name = company if kind == DebtorKind.COMPANY else f"{first} {last}".strip()
    return [reference, product, currency, principal, interest, fees, principal + interest + fees, status,
            due_on, dpd, labels(dpd), name, country, id_type, id_number]


def export_rows(
    *, portfolio: Portfolio, user: User, accounts: QuerySet[Account] | None = None, audit_path: str,
    chunk_size: int | None = None, at: dt.datetime | None = None,
) -> Iterator[list[Any]]:
    """The export's rows (without header), logging each chunk's debtors as it is read.

    ``accounts`` narrows the portfolio's accounts (the recall file); it is always intersected
    with what ``user`` may see."""
    scoped = _scoped_accounts(portfolio=portfolio, user=user)
    if accounts is not None:
        scoped = scoped.filter(pk__in=accounts.values("pk"))
    today = timezone.localdate()
    at = at or timezone.now()
    labels = portfolio.creditor.buckets.label_for
    for chunk in _chunks(scoped, chunk_size=chunk_size or EXPORT_CHUNK):
        _log_access(user=user, accounts=scoped.filter(pk__gte=chunk[0][0], pk__lte=chunk[-1][0]), at=at,
                    path=audit_path)
        for row in chunk:
            yield _format(row, today=today, labels=labels)


def export_rows_for_ids(
    *, portfolio: Portfolio, user: User, account_ids: Sequence[int], audit_path: str,
) -> Iterator[list[Any]]:
    """Rows for given account ids (sorted), in batches a SQLite statement can take."""
    ids = sorted(account_ids)
    at = timezone.now()
    for start in range(0, len(ids), _IN_BATCH):
        batch = ids[start:start + _IN_BATCH]
        yield from export_rows(portfolio=portfolio, user=user, audit_path=audit_path, at=at,
                               accounts=Account.objects.filter(pk__in=batch))


# Values come from creditors' files: a cell like "=HYPERLINK(...)" must stay text when a
# spreadsheet opens the export (CSV/formula injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def write_csv(rows: Iterable[list[Any]], stream: IO[str]) -> int:
    """Header and rows as CSV (comma, point decimals, ISO dates); returns the rows written."""
    writer = csv.writer(stream)
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for row in rows:
        writer.writerow([_csv_safe(v) for v in row])
        count += 1
    return count


class _Line:
    """A file-like sink that hands back what the csv writer wrote (for streamed responses)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list[Any]]) -> Iterator[str]:
    """The CSV as an iterator of lines, for ``StreamingHttpResponse``."""
    writer = csv.writer(_Line())
    yield writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        yield writer.writerow([_csv_safe(v) for v in row])


def write_xlsx(rows: Iterable[list[Any]], stream: IO[bytes], *, sheet_title: str = "Accounts") -> int:
    """Header and rows as an XLSX workbook in write-only mode; returns the rows written."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    sheet.append(list(EXPORT_COLUMNS))
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


def portfolio_export_csv(*, portfolio: Portfolio, user: User, stream: IO[str], audit_path: str = "") -> int:
    """Write the portfolio's accounts ``user`` may see to ``stream`` as CSV; returns the row count."""
    path = audit_path or f"export/csv/portfolio/{portfolio.pk}"
    return write_csv(export_rows(portfolio=portfolio, user=user, audit_path=path), stream)


def portfolio_export_xlsx(*, portfolio: Portfolio, user: User, stream: IO[bytes], audit_path: str = "") -> int:
    """Write the portfolio's accounts ``user`` may see to ``stream`` as XLSX; returns the row count."""
    path = audit_path or f"export/xlsx/portfolio/{portfolio.pk}"
    return write_xlsx(export_rows(portfolio=portfolio, user=user, audit_path=path), stream,
                      sheet_title=portfolio.reference)
