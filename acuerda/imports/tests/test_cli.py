"""``acuerda portfolio ...``: exit codes, messages and the JSON summary."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from acuerda.debtors.identifiers import demo_national_id
from acuerda.imports.profiles import profile_save

from .conftest import es_profile_data


def _file(tmp_path, rows: str = ""):  # type: ignore[no-untyped-def]
    dni = demo_national_id(country="ES", id_type="DNI", seq=501)
    path = tmp_path / "cartera.csv"
    path.write_text(f"Nº Operación;DNI;Nombre;Capital\nC-1;{dni};Ana;10,00\nC-2;123;Bea;5,00\n{rows}", encoding="utf-8")
    return path


def _run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("portfolio", *args, stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return exc.returncode, str(exc)
    return 0, out.getvalue()


def test_import_prints_a_json_summary_and_exits_0_with_rejected_rows(world, es_profile, tmp_path):  # type: ignore[no-untyped-def]
    path = _file(tmp_path)
    report = tmp_path / "errores.xlsx"
    code, out = _run("import", str(path), "--creditor", "bank-es", "--portfolio", "ES-2026-01",
                     "--profile", "mensual", "--json", "--report", str(report))

    assert code == 0
    summary = json.loads(out)
    assert {k: summary[k] for k in ("status", "rows_read", "accounts_created", "accounts_updated", "debtors_created",
                                    "debtors_matched", "rows_rejected", "already_imported")} == {
        "status": "done", "rows_read": 2, "accounts_created": 1, "accounts_updated": 0, "debtors_created": 1,
        "debtors_matched": 0, "rows_rejected": 1, "already_imported": False}
    assert isinstance(summary["job_id"], int) and report.stat().st_size > 0

    code, out = _run("import", str(path), "--creditor", "bank-es", "--portfolio", "ES-2026-01",
                     "--profile", "mensual", "--json")
    again = json.loads(out)
    assert code == 0 and again["already_imported"] and again["job_id"] == summary["job_id"]


def test_dry_run_and_text_output(world, es_profile, tmp_path):  # type: ignore[no-untyped-def]
    code, out = _run("import", str(_file(tmp_path)), "--creditor", "bank-es", "--portfolio", "ES-2026-01",
                     "--profile", "mensual", "--dry-run")
    assert code == 0 and "validated: 2 rows read, 1 rejected; accounts 1 created" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--creditor", "nope"], "Unknown creditor 'nope'."),
        (["--portfolio", "XX"], "Creditor bank-es has no portfolio 'XX'."),
        (["--profile", "nope"], "Creditor bank-es has no import profile 'nope'."),
        (["FILE=missing.csv"], "File missing.csv does not exist."),
        (["FILE=cartera.pdf"], "cartera.pdf is not a CSV, XLSX or JSON Lines file"),
        (["FILE=binary.csv"], "binary.csv is not a text file."),
        (["FILE=other.csv"], "other.csv lacks the columns Nº Operación, Capital"),
    ],
)
def test_unreadable_or_unknown_exits_1_with_one_line(world, es_profile, tmp_path, args, message):  # type: ignore[no-untyped-def]
    (tmp_path / "cartera.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "binary.csv").write_bytes(b"\x00\x01\x02")
    (tmp_path / "other.csv").write_text("a;DNI\n1;2\n", encoding="utf-8")
    options = {"--creditor": "bank-es", "--portfolio": "ES-2026-01", "--profile": "mensual"}
    path = str(_file(tmp_path))
    for arg in args:
        if arg.startswith("FILE="):
            path = str(tmp_path / arg.removeprefix("FILE="))
    it = iter(a for a in args if not a.startswith("FILE="))
    options.update(zip(it, it, strict=True))
    code, text = _run("import", path, *[x for pair in options.items() for x in pair])
    assert code == 1
    assert message in text and "\n" not in text


def test_reject_file_policy_exits_3(world, tmp_path):  # type: ignore[no-untyped-def]
    profile_save(creditor=world.bank_es, data=es_profile_data(name="estricto", bad_rows="reject_file"))
    code, text = _run("import", str(_file(tmp_path)), "--creditor", "bank-es", "--portfolio", "ES-2026-01",
                      "--profile", "estricto")
    assert code == 3 and "nothing was imported" in text


def test_profile_import_and_export(world, tmp_path):  # type: ignore[no-untyped-def]
    import yaml

    source = tmp_path / "perfil.yaml"
    source.write_text(yaml.safe_dump(es_profile_data(), allow_unicode=True), encoding="utf-8")
    assert _run("profile-import", str(source), "--creditor", "bank-es") == (0, "Created profile mensual of bank-es.\n")
    code, text = _run("profile-export", "mensual", "--creditor", "bank-es")
    assert code == 0 and yaml.safe_load(text) == {**es_profile_data()}
    source.write_text("name: x\nmapping: {}\n", encoding="utf-8")
    code, text = _run("profile-import", str(source), "--creditor", "bank-es")
    assert code == 1 and text.startswith("Invalid profile: mapping: a mapping of source columns")
