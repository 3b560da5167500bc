"""``acuerda payments import`` and ``acuerda remittance build`` from the shell."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .test_reconciliation import _camt, _entry

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).parent / "samples"


def test_import_a_statement_twice(world, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "stmt.xml"
    path.write_bytes(_camt("S-CLI", [_entry("150.00", ref="C1", e2e="E1", text="LN-0001", payer="LUCIA GARCIA")]))
    out = io.StringIO()
    call_command("payments", "import", str(path), "--format", "camt053", "--json", stdout=out)
    assert json.loads(out.getvalue())["matched"] == 1
    out = io.StringIO()
    call_command("payments", "import", str(path), "--format", "auto", "--json", stdout=out)
    assert json.loads(out.getvalue())["lines_already_imported"] == 1


def test_a_malformed_statement_is_refused_with_its_lines(world):  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError) as error:
        call_command("payments", "import", str(SAMPLES / "bad_totals.n43"), "--format", "norma43")
    assert error.value.returncode == 2 and "line" in str(error.value) and "totals" in str(error.value)


def test_a_norma43_statement_is_imported(world):  # type: ignore[no-untyped-def]
    from acuerda.payments.models import StatementLine

    out = io.StringIO()
    call_command("payments", "import", str(SAMPLES / "valid.n43"), "--format", "norma43", "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["lines"] == StatementLine.objects.count() > 0
    assert summary["matched"] + summary["to_review"] + summary["ignored"] + summary["returns_applied"] == summary["lines"]


def test_a_creditor_payments_file(world, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "pagos.csv"
    path.write_text("creditor_reference;amount;paid_on;reference\nLN-0001;100,50;03/11/2026;BANK-1\n")
    out = io.StringIO()
    call_command("payments", "import", str(path), "--format", "csv", "--creditor", "bank-es", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"rows": 1, "registered": 1, "already_registered": 0}
    call_command("payments", "import", str(path), "--format", "csv", "--creditor", "bank-es", stdout=io.StringIO())
    world.account_es.refresh_from_db()
    assert world.account_es.balance.amount == Decimal("1550.00")
    bad = tmp_path / "bad.csv"
    bad.write_text("creditor_reference;amount;paid_on\nLN-9999;abc;31/02/2026\n")
    with pytest.raises(CommandError) as error:
        call_command("payments", "import", str(bad), "--format", "csv", "--creditor", "bank-es")
    message = str(error.value)
    assert "row 2, creditor_reference" in message and "row 2, amount" in message


def test_remittance_build_writes_the_documents(world, tmp_path):  # type: ignore[no-untyped-def]
    out = io.StringIO()
    call_command("remittance", "build", "--creditor", "bank-es", "--period", "2026-11", "--json",
                 "--xlsx", str(tmp_path / "r.xlsx"), "--pdf", str(tmp_path / "r.pdf"), stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["number"] == "REM-2026-11-bank-es" and summary["status"] == "draft"
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "r.xlsx").read_bytes().startswith(b"PK")
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("remittance", "build", "--creditor", "bank-es", "--period", "noviembre")
