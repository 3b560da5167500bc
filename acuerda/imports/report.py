"""The rejected rows of an import job as a spreadsheet, in the viewer's language."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import IO

from django.utils.translation import gettext as _

from acuerda.imports.models import ImportJob, ImportRowError


def _header() -> list[str]:
    return [_("Row"), _("Column"), _("Value"), _("Reason code"), _("Reason")]


def _rows(job: ImportJob) -> Iterator[list[object]]:
    errors = ImportRowError.objects.filter(job=job).order_by("row_number", "pk")
    for error in errors.iterator(chunk_size=2000):
        yield [error.row_number, error.column, error.value, error.code, error.message]


# Values come from the creditor's file: a cell like "=HYPERLINK(...)" must stay text when a
# spreadsheet opens the report (CSV/formula injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def report_csv(job: ImportJob, stream: IO[str]) -> int:
    """Write the report as CSV (comma, UTF-8 text; open the stream with ``encoding="utf-8-sig"``
    for Excel); returns the number of rows written."""
    writer = csv.writer(stream)
    writer.writerow(_header())
    count = 0
    for row in _rows(job):
        writer.writerow([_csv_safe(v) for v in row])
        count += 1
    return count


def report_xlsx(job: ImportJob, stream: IO[bytes]) -> int:
    """Write the report as an XLSX workbook (write-only mode: rows are streamed to the zip)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Rejected rows")[:31])
    sheet.append(_header())

    def text(value: object) -> object:
        if not isinstance(value, str):
            return value
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # never a formula, whatever the file put in it
        return cell

    count = 0
    for row in _rows(job):
        sheet.append([text(v) for v in row])
        count += 1
    workbook.save(stream)
    return count
