"""Portfolio export: content, streaming with flat memory, scoping, and the access-log audit."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tracemalloc
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from acuerda.debtors.models import Debtor, PersonalDataAccess
from acuerda.debts.models import Account, LedgerEntry
from acuerda.imports.exports import (
    ACCOUNT_COLUMNS,
    EXPORT_COLUMNS,
    portfolio_export_csv,
    portfolio_export_xlsx,
)

pytestmark = pytest.mark.django_db


def bulk_accounts(portfolio, count: int, *, prefix: str = "B") -> None:  # type: ignore[no-untyped-def]
    """``count`` accounts with their debtors and placement entries, written in bulk (consistent
    ledger: balances equal the placement entry)."""
    from django.utils import timezone

    now = timezone.now()
    Debtor.objects.bulk_create(
        [Debtor(kind="person", country="ES", id_type="NIE", id_number=f"{prefix}{i:08d}", first_name="Ana",
                last_name=f"Prueba {i}") for i in range(count)],
        batch_size=2000,
    )
    debtor_ids = dict(Debtor.objects.filter(id_number__startswith=prefix).values_list("id_number", "pk"))
    Account.objects.bulk_create(
        [Account(portfolio=portfolio, debtor_id=debtor_ids[f"{prefix}{i:08d}"], creditor_reference=f"{prefix}-{i}",
                 product="credit_card", currency=portfolio.currency, original_principal=Decimal("100.00"),
                 principal=Decimal("100.00"), interest=Decimal("5.50"), fees=Decimal("1.25"),
                 first_unpaid_due_on=dt.date(2025, 1, 1), status="active", status_changed_at=now)
         for i in range(count)],
        batch_size=2000,
    )
    LedgerEntry.objects.bulk_create(
        [LedgerEntry(account_id=pk, kind="placement", principal=Decimal("100.00"), interest=Decimal("5.50"),
                     fees=Decimal("1.25"), effective_on=portfolio.placed_on, posted_at=now)
         for pk in Account.objects.filter(creditor_reference__startswith=f"{prefix}-").values_list("pk", flat=True)],
        batch_size=2000,
    )


def test_given_a_portfolio_when_exported_as_csv_then_it_reads_back_with_balances_and_debtor(world):
    stream = io.StringIO()

    count = portfolio_export_csv(portfolio=world.p_es, user=world.admin, stream=stream, personal_data=True)

    rows = list(csv.DictReader(io.StringIO(stream.getvalue())))
    assert count == 1 and len(rows) == 1
    row = rows[0]
    assert tuple(rows[0].keys()) == EXPORT_COLUMNS
    assert row["reference"] == "LN-0001" and row["status"] == "active" and row["currency"] == "EUR"
    assert (row["principal"], row["interest"], row["fees"], row["total"]) == ("1500.00", "120.50", "30.00", "1650.50")
    assert row["debtor_name"] == "Lucía García Pérez" and row["id_number"] == world.debtor_es.id_number
    assert row["first_unpaid_due_on"] == "2025-11-01"
    assert int(row["days_past_due"]) == world.account_es.days_past_due()
    assert row["bucket"] == world.account_es.bucket()


def test_given_a_portfolio_when_exported_as_xlsx_then_openpyxl_reads_it(world):
    stream = io.BytesIO()

    assert portfolio_export_xlsx(portfolio=world.p_co, user=world.admin, stream=stream, personal_data=True) == 1

    sheet = load_workbook(io.BytesIO(stream.getvalue()), read_only=True).active
    header, row = list(sheet.iter_rows(values_only=True))
    assert header == EXPORT_COLUMNS
    values = dict(zip(header, row, strict=True))
    assert values["reference"] == "TC-0001" and values["total"] == 875000
    assert values["id_number"] == "79123456" and values["debtor_name"] == "Andrés Rodríguez Gómez"


def test_given_no_request_for_personal_data_when_exported_then_the_file_is_minimised_and_no_debtor_view_is_logged(
    world,
):
    stream = io.StringIO()

    assert portfolio_export_csv(portfolio=world.p_es, user=world.admin, stream=stream) == 1

    rows = list(csv.DictReader(io.StringIO(stream.getvalue())))
    assert tuple(rows[0].keys()) == ACCOUNT_COLUMNS
    assert not {"debtor_name", "id_number", "id_type", "id_country"} & set(rows[0])
    assert world.debtor_es.id_number not in stream.getvalue() and "Lucía" not in stream.getvalue()
    assert not PersonalDataAccess.objects.exists()


def test_formula_like_values_stay_text(world):
    Account.objects.filter(pk=world.account_es.pk).update(creditor_reference="=HYPERLINK(1)")
    stream = io.StringIO()
    portfolio_export_csv(portfolio=world.p_es, user=world.admin, stream=stream)
    assert "'=HYPERLINK(1)" in stream.getvalue()
    binary = io.BytesIO()
    portfolio_export_xlsx(portfolio=world.p_es, user=world.admin, stream=binary)
    sheet = load_workbook(io.BytesIO(binary.getvalue())).active
    assert sheet["A2"].value == "=HYPERLINK(1)" and sheet["A2"].data_type == "s"


def test_a_user_outside_the_portfolio_exports_nothing(world):
    stream = io.StringIO()

    assert portfolio_export_csv(portfolio=world.p_co, user=world.creditor_es, stream=stream) == 0
    assert portfolio_export_csv(portfolio=world.p_co, user=world.agent_es, stream=io.StringIO()) == 0

    assert stream.getvalue().splitlines() == [",".join(ACCOUNT_COLUMNS)]
    assert not PersonalDataAccess.objects.exists()


def test_every_exported_debtor_is_written_to_the_access_log_as_one_export(world):
    bulk_accounts(world.p_es, 25)
    portfolio_export_csv(portfolio=world.p_es, user=world.creditor_es, stream=io.StringIO(), personal_data=True)

    logged = PersonalDataAccess.objects.filter(user=world.creditor_es, via="export")
    assert logged.count() == 26
    assert set(logged.values_list("debtor_id", flat=True)) == set(
        Account.objects.filter(portfolio=world.p_es).values_list("debtor_id", flat=True)
    )
    assert set(logged.values_list("at", "path")) == {(logged.first().at, f"export/csv/portfolio/{world.p_es.pk}")}


def test_exporting_many_accounts_keeps_memory_flat(world, tmp_path, monkeypatch):
    count = 12_000
    monkeypatch.setattr("acuerda.imports.exports.EXPORT_CHUNK", 500)
    bulk_accounts(world.p_es, count)

    tracemalloc.start()
    try:
        loaded = list(Account.objects.filter(portfolio=world.p_es).values_list(
            "creditor_reference", "principal", "interest", "fees", "status", "debtor__first_name",
            "debtor__last_name", "debtor__id_number"))
        everything_peak = tracemalloc.get_traced_memory()[1]
        del loaded
        tracemalloc.reset_peak()
        baseline = tracemalloc.get_traced_memory()[0]
        with (tmp_path / "export.csv").open("w", encoding="utf-8", newline="") as stream:
            written = portfolio_export_csv(portfolio=world.p_es, user=world.admin, stream=stream)
        streamed_peak = tracemalloc.get_traced_memory()[1] - baseline
        tracemalloc.reset_peak()
        baseline = tracemalloc.get_traced_memory()[0]
        with (tmp_path / "export.xlsx").open("wb") as binary:
            portfolio_export_xlsx(portfolio=world.p_es, user=world.admin, stream=binary)
        xlsx_peak = tracemalloc.get_traced_memory()[1] - baseline
    finally:
        tracemalloc.stop()

    assert written == count + 1
    # Loading only 8 columns of every row at once costs several times what the export needs.
    # Measured: load-all 10.4 MB, csv 1.4 MB, xlsx 1.1 MB (12,000 accounts, chunks of 500).
    measured = f"load-all {everything_peak / 1e6:.1f} MB, csv {streamed_peak / 1e6:.1f} MB, xlsx {xlsx_peak / 1e6:.1f} MB"
    assert streamed_peak < 3_000_000 and streamed_peak * 3 < everything_peak, measured
    assert xlsx_peak < 3_000_000 and xlsx_peak * 3 < everything_peak, measured


def _cli(*args: str) -> tuple[int, str]:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = io.StringIO()
    try:
        call_command("portfolio", *args, stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return exc.returncode, str(exc)
    return 0, out.getvalue()


def test_cli_export_writes_csv_and_xlsx_and_exits_0(world, tmp_path):
    code, out = _cli("export", "--creditor", "bank-es", "--portfolio", "ES-2026-01", "--user", "creditor_es",
                     "--format", "csv", "--output", str(tmp_path / "out.csv"))
    assert code == 0 and "Exported 1 accounts" in out
    rows = list(csv.DictReader((tmp_path / "out.csv").open(encoding="utf-8-sig")))
    assert rows[0]["reference"] == "LN-0001" and "id_number" not in rows[0]  # minimised unless asked
    assert not PersonalDataAccess.objects.exists()
    code, out = _cli("export", "--creditor", "bank-es", "--portfolio", "ES-2026-01", "--user", "admin",
                     "--format", "xlsx", "--output", str(tmp_path / "out.xlsx"), "--json", "--with-personal-data")
    assert code == 0 and '"accounts": 1' in out
    sheet = load_workbook(tmp_path / "out.xlsx").active
    assert sheet["A2"].value == "LN-0001" and "id_number" in [c.value for c in sheet[1]]
    assert PersonalDataAccess.objects.filter(path__startswith="cli/export/").count() == 1


@pytest.mark.parametrize(("args", "message"), [
    (["--creditor", "nope"], "Unknown creditor"),
    (["--portfolio", "NOPE"], "has no portfolio"),
    (["--user", "nobody"], "Unknown or inactive user"),
    (["--user", "agent_co"], "may not see portfolio"),
    (["--output", "/nonexistent-dir/x.csv"], "Cannot write"),
])
def test_cli_export_exits_1_with_a_message(world, tmp_path, args, message):
    options = {"--creditor": "bank-es", "--portfolio": "ES-2026-01", "--user": "admin", "--format": "csv",
               "--output": str(tmp_path / "x.csv")}
    options.update(dict(zip(args[::2], args[1::2], strict=True)))
    code, text = _cli("export", *[part for pair in options.items() for part in pair])
    assert code == 1 and message in text
    assert not (tmp_path / "x.csv").exists() and not list(tmp_path.iterdir())
