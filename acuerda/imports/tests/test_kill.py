"""A real ``kill -9`` in the middle of an import: nothing of it remains, and running it again
imports everything exactly once. The child processes use their own database (a SQLite file in
``tmp_path``, and a fresh PostgreSQL database when one is reachable), not pytest-django's."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from acuerda.debtors.identifiers import demo_national_id
from acuerda.debtors.phones import demo_phone

ROWS = 20_000
ACUERDA = str(Path(sys.executable).parent / "acuerda")
SETUP = """
import datetime as dt
from acuerda.creditors.services import creditor_create
from acuerda.debtors.identifiers import demo_tax_id
from acuerda.imports.profiles import profile_save
from acuerda.portfolios.services import portfolio_create
bank = creditor_create(code="bank-es", legal_name="Banco", country="ES", tax_id=demo_tax_id(country="ES", seq=1),
                       default_currency="EUR", sector="banking")
portfolio_create(creditor=bank, reference="P-1", placed_on=dt.date(2026, 1, 15), jurisdiction="ES")
profile_save(creditor=bank, data={
    "name": "mensual",
    "mapping": {"ref": "reference", "dni": "id_number", "nombre": "first_name", "apellidos": "last_name",
                "movil": "phone", "fijo": "phone", "email": "email", "capital": "principal", "intereses": "interest",
                "fecha": "due_date", "direccion": "address_line", "cp": "postal_code", "ciudad": "city"},
    "defaults": {"country": "ES", "id_type": "DNI"},
})
"""


def _write_file(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("ref;dni;nombre;apellidos;movil;fijo;email;capital;intereses;fecha;direccion;cp;ciudad\n")
        for i in range(ROWS):
            mobile = demo_phone(country="ES", seq=i).removeprefix("+34")
            fixed = demo_phone(country="ES", seq=i, mobile=False)
            out.write(f"K-{i:06d};{demo_national_id(country='ES', id_type='DNI', seq=10_000 + i)};Nombre {i};"
                      f"Apellido {i};{mobile[:3]} {mobile[3:5]} {mobile[5:7]} {mobile[7:]};{fixed};n{i}@example.es;"
                      f"{1 + i % 99}.{i % 1000:03d},{i % 100:02d};12,50;15/0{1 + i % 9}/2025;Calle {i};28001;Madrid\n")


def _sqlite(tmp_path: Path) -> Iterator[tuple[dict[str, str], Callable[[str], Any]]]:
    data = tmp_path / "data"
    env = {**os.environ, "ACUERDA_DATA_DIR": str(data)}
    env.pop("DATABASE_URL", None)

    def query(sql: str) -> Any:
        connection = sqlite3.connect(data / "acuerda.sqlite3", timeout=30)
        try:
            return connection.execute(sql).fetchone()[0]
        finally:
            connection.close()

    yield env, query


def _postgres(tmp_path: Path) -> Iterator[tuple[dict[str, str], Callable[[str], Any]]]:
    psycopg = pytest.importorskip("psycopg")
    admin_url = "postgresql://postgres@127.0.0.1:5432/postgres"
    name = f"acuerda_kill_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        pytest.skip("no PostgreSQL on 127.0.0.1:5432")
    admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    env = {**os.environ, "ACUERDA_DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": url}

    def query(sql: str) -> Any:
        with psycopg.connect(url, autocommit=True) as connection:
            row = connection.execute(sql).fetchone()
            return row[0] if row else None

    try:
        yield env, query
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def child_database(request, tmp_path):  # type: ignore[no-untyped-def]
    backends = {"sqlite": _sqlite, "postgresql": _postgres}
    yield from backends[request.param](tmp_path)


def _acuerda(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ACUERDA, *args], env=env, capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.slow
def test_kill_9_while_importing_leaves_nothing_and_a_rerun_imports_once(child_database, tmp_path):  # type: ignore[no-untyped-def]
    env, query = child_database
    assert _acuerda(env, "migrate", "-v", "0").returncode == 0
    setup = _acuerda(env, "shell", "-c", SETUP)
    assert setup.returncode == 0, setup.stderr
    path = tmp_path / "cartera.csv"
    _write_file(path)
    command = ["import", str(path), "--creditor", "bank-es", "--portfolio", "P-1", "--profile", "mensual", "--json"]

    child = subprocess.Popen([ACUERDA, "portfolio", *command], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    status = None
    while time.monotonic() < deadline and child.poll() is None:
        status = query("SELECT max(status) FROM imports_importjob")
        if status == "importing":
            break
        time.sleep(0.02)
    assert status == "importing", child.communicate()
    time.sleep(1.0)  # well into the writing pass
    os.kill(child.pid, signal.SIGKILL)
    child.wait()

    assert child.returncode == -signal.SIGKILL
    assert query("SELECT status FROM imports_importjob") == "importing"
    for table in ("debts_account", "debtors_debtor", "debtors_contactpoint", "debts_ledgerentry", "debts_accountevent"):
        assert query(f"SELECT count(*) FROM {table}") == 0, table  # noqa: S608

    rerun = _acuerda(env, "portfolio", *command)

    assert rerun.returncode == 0, rerun.stderr
    summary = json.loads(rerun.stdout)
    assert summary["status"] == "done" and summary["rows_rejected"] == 0, summary
    assert (summary["accounts_created"], summary["debtors_created"], summary["rows_read"]) == (ROWS, ROWS, ROWS)
    assert query("SELECT count(*) FROM imports_importjob") == 1
    assert query("SELECT count(*) FROM debts_account") == ROWS
    assert query("SELECT count(DISTINCT creditor_reference) FROM debts_account") == ROWS
    assert query("SELECT count(*) FROM debtors_debtor") == ROWS
    assert query("SELECT count(*) FROM debtors_contactpoint") == 4 * ROWS
    assert query("SELECT count(*) FROM debts_ledgerentry") == ROWS
    assert query("SELECT count(*) FROM debts_accountevent WHERE kind = 'placed'") == ROWS
    check = _acuerda(env, "ledger_check")
    assert check.returncode == 0, check.stderr

    once_more = _acuerda(env, "portfolio", *command)
    assert once_more.returncode == 0 and json.loads(once_more.stdout)["already_imported"] is True
    assert query("SELECT count(*) FROM debts_account") == ROWS
