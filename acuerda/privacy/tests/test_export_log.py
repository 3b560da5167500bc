"""Bulk exports: one summary row per export (who, when, what, why), and minimisation."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from acuerda.debtors.models import PersonalDataAccess
from acuerda.imports.exports import (
    ACCOUNT_COLUMNS,
    EXPORT_COLUMNS,
    PERSONAL_COLUMNS,
    export_rows,
    portfolio_export_csv,
    portfolio_export_xlsx,
)
from acuerda.imports.tests.test_exports import bulk_accounts
from acuerda.privacy.models import DataExportLog

pytestmark = pytest.mark.django_db


def test_an_export_writes_one_summary_row(world):
    bulk_accounts(world.p_es, 30)

    portfolio_export_csv(
        portfolio=world.p_es, user=world.creditor_es, stream=io.StringIO(), purpose="Monthly report",
        personal_data=True,
    )

    log = DataExportLog.objects.get()
    assert (log.user, log.portfolio, log.kind, log.rows) == (
        world.creditor_es,
        world.p_es,
        "portfolio_csv",
        31,
    )
    assert (
        tuple(log.columns) == EXPORT_COLUMNS
        and log.personal_data
        and log.purpose == "Monthly report"
    )
    assert log.path == f"export/csv/portfolio/{world.p_es.pk}"
    assert PersonalDataAccess.objects.filter(via="export", purpose="Monthly report").count() == 31


def test_without_personal_data_the_identity_is_neither_read_nor_written_nor_logged_per_debtor(
    world,
):
    stream = io.StringIO()

    assert (
        portfolio_export_csv(
            portfolio=world.p_es, user=world.admin, stream=stream, personal_data=False
        )
        == 1
    )

    rows = list(csv.DictReader(io.StringIO(stream.getvalue())))
    assert tuple(rows[0]) == ACCOUNT_COLUMNS and not set(PERSONAL_COLUMNS) & set(rows[0])
    assert world.debtor_es.id_number not in stream.getvalue() and "Lucía" not in stream.getvalue()
    assert not PersonalDataAccess.objects.exists()
    log = DataExportLog.objects.get()
    assert not log.personal_data and tuple(log.columns) == ACCOUNT_COLUMNS and log.rows == 1

    binary = io.BytesIO()
    portfolio_export_xlsx(
        portfolio=world.p_co, user=world.admin, stream=binary, personal_data=False
    )
    header = next(
        load_workbook(io.BytesIO(binary.getvalue()), read_only=True).active.iter_rows(
            values_only=True
        )
    )
    assert header == ACCOUNT_COLUMNS


def test_an_export_cut_short_logs_the_rows_it_read(world):
    bulk_accounts(world.p_es, 10)
    rows = export_rows(portfolio=world.p_es, user=world.admin, audit_path="/api/x", chunk_size=4)

    for _ in range(3):
        next(rows)
    rows.close()  # the client went away

    log = DataExportLog.objects.get()
    assert (log.rows, log.path, log.kind) == (3, "/api/x", "portfolio_csv")


def test_a_recall_file_is_logged_as_one_export(world):
    from acuerda.imports.recalls import portfolio_recall

    output = io.StringIO()
    portfolio_recall(
        portfolio=world.p_es, actor=world.admin, reason="Fin del encargo", output=output
    )

    log = DataExportLog.objects.get()
    assert (log.kind, log.rows, log.portfolio) == ("recall", 1, world.p_es)
