"""XLSX (streamed) and JSON Lines through the engine; the error report; profiles as YAML."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from acuerda.debtors.identifiers import demo_national_id
from acuerda.debts.models import Account
from acuerda.imports.models import ImportProfile
from acuerda.imports.profiles import profile_from_yaml, profile_save, profile_to_yaml
from acuerda.imports.report import report_csv, report_xlsx

from .conftest import errors_of, es_profile_data, run_import


def dni(seq: int) -> str:
    return demo_national_id(country="ES", id_type="DNI", seq=seq)


def test_given_an_xlsx_file_then_it_is_streamed_and_imported(world, es_profile, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Nº Operación", "DNI", "Nombre", "Apellidos", "Teléfono 1", "Capital", "Intereses",
                  "Fecha impago", None, None])
    sheet.append(["X-1", dni(201), "Ana", "Soler", 600123457, 1234.56, 0, dt.datetime(2025, 1, 31)])  # noqa: DTZ001
    sheet.append(["X-2", dni(202), "Bea", "Mora", "+34 611 22 33 45", "1.500,00", None, 45366])
    sheet.append([None, None, None])
    sheet.append(["X-3", dni(203), "Carlos", "Pons", "6", 10, 0, "no date"])
    path = tmp_path / "cartera.xlsx"
    workbook.save(path)
    calls = []
    real = openpyxl.load_workbook

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", spy)

    job, _ = run_import(path, profile=es_profile, portfolio=world.p_es)

    assert calls and all(c.get("read_only") is True for c in calls)
    assert job.status == "done"
    assert errors_of(job) == {(5, "Teléfono 1", "invalid_phone"), (5, "Fecha impago", "invalid_date")}
    first = Account.objects.get(creditor_reference="X-1")
    assert first.principal == Decimal("1234.56") and first.first_unpaid_due_on == dt.date(2025, 1, 31)
    assert first.debtor.contact_points.get().value == "+34600123457"
    second = Account.objects.get(creditor_reference="X-2")
    assert second.principal == Decimal("1500.00") and second.first_unpaid_due_on == dt.date(2024, 3, 15)


def test_given_json_lines_then_rows_are_imported(world, tmp_path):  # type: ignore[no-untyped-def]
    profile, _ = profile_save(creditor=world.bank_es, data={
        "name": "api", "mapping": {"reference": "reference", "id_number": "id_number", "first_name": "first_name",
                                   "last_name": "last_name", "principal": "principal", "phones": "phone"},
        "parsing": {"decimal_separator": ".", "thousands_separator": ""},
        "defaults": {"country": "ES", "id_type": "DNI"},
    })
    path = tmp_path / "rows.jsonl"
    path.write_text(
        f'{{"reference": "J-1", "id_number": "{dni(401)}", "first_name": "Eva", "last_name": "Luna", "principal": 99.9}}\n'
        f'{{"reference": "J-2", "id_number": "{dni(402)}", "last_name": "Sol"}}\n',
        encoding="utf-8",
    )

    job, _ = run_import(path, profile=profile, portfolio=world.p_es)

    assert job.status == "done" and errors_of(job) == {(2, "principal", "required")}
    assert Account.objects.get(creditor_reference="J-1").principal == Decimal("99.90")


def test_error_report_as_csv_and_xlsx(world, es_profile, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.csv"
    path.write_text("Nº Operación;DNI;Nombre;Capital\nA-1;00000000X;Ana;abc\n", encoding="utf-8")
    job, _ = run_import(path, profile=es_profile, portfolio=world.p_es)
    text = io.StringIO()

    assert report_csv(job, text) == 2
    rows = list(csv.reader(io.StringIO(text.getvalue())))
    assert rows[0] == ["Row", "Column", "Value", "Reason code", "Reason"]
    assert rows[1][:4] == ["2", "DNI", "00000000X", "invalid_id"]
    assert rows[1][4] == "Not a valid DNI of ES: its check digit is wrong."
    assert rows[2][:4] == ["2", "Capital", "abc", "invalid_amount"]
    binary = io.BytesIO()
    assert report_xlsx(job, binary) == 2
    binary.seek(0)
    sheet = openpyxl.load_workbook(binary, read_only=True).worksheets[0]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[1][:4] == [2, "DNI", "00000000X", "invalid_id"]


def test_error_report_never_writes_formulas(world, es_profile, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "evil.csv"
    path.write_text('Nº Operación;DNI;Nombre;Capital\nA-1;=HYPERLINK("http://x");Ana;1,00\n', encoding="utf-8")
    job, _ = run_import(path, profile=es_profile, portfolio=world.p_es)
    text = io.StringIO()
    report_csv(job, text)
    assert list(csv.reader(io.StringIO(text.getvalue())))[1][2] == "'=HYPERLINK(\"http://x\")"
    binary = io.BytesIO()
    report_xlsx(job, binary)
    binary.seek(0)
    cell = openpyxl.load_workbook(binary).worksheets[0]["C2"]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x")'


def test_profile_yaml_round_trip(world, es_profile):  # type: ignore[no-untyped-def]
    text = profile_to_yaml(es_profile)
    assert "Nº Operación: reference" in text
    es_profile.delete()

    profile, created = profile_from_yaml(creditor=world.bank_es, text=text)

    assert created and profile.column_map == es_profile_data()["mapping"]
    assert profile.date_formats == ["dd/mm/yyyy", "excel"] and profile.default_id_type == "DNI"
    again, created = profile_from_yaml(creditor=world.bank_es, text=text.replace("import_valid", "reject_file"))
    assert not created and again.pk == profile.pk and again.bad_row_policy == "reject_file"
    assert ImportProfile.objects.count() == 1


def test_invalid_profiles_say_what_is_wrong(world):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        profile_from_yaml(creditor=world.bank_es, text="""
name: roto
mapping: {Ref: refrence, A: principal, B: principal, DNI: id_number}
parsing: {decimal_separator: ",", thousands_separator: ",", date_formats: [dd/mm/yyyy, yyyy.mm]}
defaults: {country: XX, currency: EURO}
bad_rows: sometimes
""")
    messages = " | ".join(caught.value.messages)
    for expected in ('"refrence", which is not a field', 'columns "A" and "B" both map to principal',
                     "no column maps to reference", "parsing.thousands_separator", "parsing.date_formats",
                     "defaults.country", "defaults.currency", "bad_rows"):
        assert expected in messages, expected
    with pytest.raises(ValidationError, match="not valid YAML"):
        profile_from_yaml(creditor=world.bank_es, text="name: [unclosed")
