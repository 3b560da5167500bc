"""Benchmark the portfolio import engine on a million-row creditor file.

For each database (SQLite in a fresh data directory, and/or a fresh PostgreSQL database):

1. a CSV of ``--rows`` accounts is generated once, deterministically from ``--seed``: one account
   per row with its debtor (a valid ES DNI or NIE), two phones (a mobile and a landline, written
   in local and international forms), an email, an address with a real ES region, balances with
   a decimal comma and thousands separators, a dd/mm/yyyy due date; about 1 % of rows name a
   debtor of an earlier row (the same person with two accounts);
2. ``acuerda migrate``, a creditor and a portfolio through the services and a profile through
   ``profile_from_yaml`` (in a child process);
3. ``acuerda portfolio import FILE ... --json`` in a child process: its **wall time**, **peak
   RSS** (``wait4`` on that child only; for PostgreSQL the server's memory is not included) and
   **CPU seconds** (that child and its parse workers, not the PostgreSQL server);
4. checks the counts (accounts, debtors, contact points) and ``ledger_mismatches()``;
5. PostgreSQL only, the yardstick: a bare ``COPY`` of the same CSV into an unlogged table of
   text columns (``psql \\copy``, timed as a whole);
6. writes ``bench/results/import-<db>-<N>.json`` and prints a line; the database and the data
   directory are removed unless ``--keep``.

    .venv/bin/python bench/import_bench.py                           # 1,000,000 rows, both databases
    .venv/bin/python bench/import_bench.py --rows 50000 --db sqlite
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
sys.path.insert(0, str(ROOT))

HEADER = ["Nº Operación", "Tipo doc", "DNI", "Nombre", "Apellidos", "Teléfono 1", "Teléfono 2", "Email", "Capital",
          "Intereses", "Gastos", "Fecha impago", "Dirección", "CP", "Población", "Provincia", "Producto"]
PROFILE_YAML = """\
name: bench
mapping:
  Nº Operación: reference
  Tipo doc: id_type
  DNI: id_number
  Nombre: first_name
  Apellidos: last_name
  Teléfono 1: phone
  Teléfono 2: phone
  Email: email
  Capital: principal
  Intereses: interest
  Gastos: fees
  Fecha impago: due_date
  Dirección: address_line
  CP: postal_code
  Población: city
  Provincia: region
  Producto: product
parsing:
  encoding: auto
  delimiter: auto
  decimal_separator: ","
  thousands_separator: "."
  date_formats: [dd/mm/yyyy]
defaults:
  country: ES
  id_type: DNI
  currency: EUR
  jurisdiction: ES
  product: personal_loan
bad_rows: import_valid
"""
_CITIES = (("Madrid", "MD", 28001), ("Barcelona", "CT", 8001), ("Valencia", "VC", 46001), ("Sevilla", "AN", 41001),
           ("Málaga", "AN", 29001), ("Zaragoza", "AR", 50001), ("Bilbao", "PV", 48001), ("Murcia", "MC", 30001),
           ("Palma", "IB", 7001), ("Valladolid", "CL", 47001), ("Vigo", "GA", 36201), ("Las Palmas", "CN", 35001))
_FIRST = ("María", "Carmen", "Josefa", "Isabel", "Ana", "Laura", "Lucía", "Antonio", "José", "Manuel", "Francisco",
          "David", "Juan", "Javier", "Daniel", "Carlos", "Pedro", "Íñigo")
_LAST = ("García", "Rodríguez", "González", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Martín",
         "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Núñez", "Ibáñez")
_STREETS = ("Calle Mayor", "Avenida de la Constitución", "Calle Real", "Plaza de España", "Calle del Sol",
            "Paseo de Gracia", "Calle Nueva", "Avenida del Puerto")
_PRODUCTS = ("personal_loan", "credit_card", "consumer_credit", "telecom_contract", "")


def _eur(cents: int) -> str:
    euros, rest = divmod(cents, 100)
    return f"{euros:,}".replace(",", ".") + f",{rest:02d}"


def generate(path: Path, rows: int, seed: int) -> dict[str, int]:
    """Write the CSV; return the expected counts."""
    from acuerda.debtors.identifiers import demo_national_id
    from acuerda.debtors.phones import demo_phone

    rng = random.Random(seed)
    base = dt.date(2025, 1, 1).toordinal()
    debtors: list[tuple[str, str, str, str]] = []
    contacts = 0
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, delimiter=";")
        writer.writerow(HEADER)
        for n in range(rows):
            if debtors and rng.random() < 0.01:
                id_type, id_number, first, last = debtors[rng.randrange(len(debtors))]
            else:
                id_type = "DNI" if rng.random() < 0.85 else "NIE"
                id_number = demo_national_id(country="ES", id_type=id_type, seq=n)
                first, last = rng.choice(_FIRST), f"{rng.choice(_LAST)} {rng.choice(_LAST)}"
                debtors.append((id_type, id_number, first, last))
            mobile = demo_phone(country="ES", seq=2 * n, mobile=True)
            landline = demo_phone(country="ES", seq=2 * n + 1, mobile=False)
            local = mobile[3:]
            mobile_text = f"{local[:3]} {local[3:5]} {local[5:7]} {local[7:]}" if n % 2 else mobile
            landline_text = landline[3:] if n % 3 else landline
            city, region, postal = _CITIES[n % len(_CITIES)]
            principal = rng.randrange(5_000, 2_500_000)
            interest = rng.randrange(0, principal // 5 + 1)
            fees = rng.choice((0, 0, 3_000, 4_500))
            due = dt.date.fromordinal(base + rng.randrange(900))
            slug = f"{first}.{last.split()[0]}".lower().translate(str.maketrans("áéíóúñ", "aeioun"))
            writer.writerow([
                f"OP-{seed}-{n:08d}", id_type, id_number, first, last, mobile_text, landline_text,
                f"{slug}{n}@example.com", _eur(principal), _eur(interest), _eur(fees) if fees else "",
                due.strftime("%d/%m/%Y"), f"{rng.choice(_STREETS)} {rng.randrange(1, 200)}",
                f"{postal + rng.randrange(10):05d}", city, region, rng.choice(_PRODUCTS),
            ])
            contacts += 4  # two phones, the email, the address (a second account brings new ones too)
    return {"rows": rows, "accounts": rows, "debtors": len(debtors), "contact_points": contacts}


# ---------------------------------------------------------------------------------------------
# Parent
# ---------------------------------------------------------------------------------------------


def _run(cmd: list[str], env: dict[str, str], *, capture: bool = False) -> tuple[float, float, str, float]:
    """Run ``cmd``; (wall seconds, peak RSS in MiB of that child, its stdout, the CPU seconds of
    that child and the processes it waited for, user + system)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE if capture else None, text=True)
    out = proc.stdout.read() if proc.stdout is not None else ""
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(cmd)} failed with exit code {code}:\n{out}")
    return wall, usage.ru_maxrss / 1024, out, usage.ru_utime + usage.ru_stime


def _psql(pg_url: str, db: str, sql: str, *, capture: bool = False) -> str:
    done = subprocess.run(["psql", f"{pg_url}/{db}", "-v", "ON_ERROR_STOP=1", "-qAtc", sql], check=True,
                          capture_output=capture, text=True)
    return done.stdout if capture else ""


def copy_yardstick(pg_url: str, db: str, csv_path: Path) -> float:
    cols = ", ".join(f"c{i} text" for i in range(len(HEADER)))
    _psql(pg_url, db, f"CREATE UNLOGGED TABLE bench_staging ({cols})")
    started = time.perf_counter()
    _psql(pg_url, db, f"\\copy bench_staging FROM '{csv_path}' WITH (FORMAT csv, DELIMITER ';', HEADER true)")
    wall = time.perf_counter() - started
    _psql(pg_url, db, "DROP TABLE bench_staging")
    return wall


def bench_one(db: str, csv_path: Path, expected: dict[str, int], args: argparse.Namespace) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix=f"acuerda-import-bench-{db}-", dir=args.tmp))
    env = dict(os.environ, ACUERDA_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="config.settings")
    env.pop("DATABASE_URL", None)
    db_name = f"acuerda_import_bench_{os.getpid()}"
    if db == "postgres":
        _psql(args.pg_url, "postgres", f"DROP DATABASE IF EXISTS {db_name}")
        _psql(args.pg_url, "postgres", f"CREATE DATABASE {db_name}")
        env["DATABASE_URL"] = f"{args.pg_url}/{db_name}"
    acuerda = [sys.executable, "-m", "acuerda.cli"]
    try:
        print(f"== {db}: migrate, creditor, portfolio, profile", flush=True)
        _run([*acuerda, "migrate", "-v0"], env)
        _run([sys.executable, __file__, "--_setup"], env)
        print(f"== {db}: acuerda portfolio import ({expected['rows']:,} rows)", flush=True)
        wall, rss, out, cpu = _run([*acuerda, "portfolio", "import", str(csv_path), "--creditor", "bench",
                               "--portfolio", "BENCH-1", "--profile", "bench", "--json"], env, capture=True)
        summary = json.loads(out)
        print(f"   {wall:.1f} s ({cpu:.1f} CPU s), peak RSS {rss:,.0f} MiB, {expected['rows'] / wall:,.0f} rows/s",
              flush=True)
        check_file = data_dir / "check.json"
        _run([sys.executable, __file__, "--_check", str(check_file)], env)
        check = json.loads(check_file.read_text())
        copy_wall = copy_yardstick(args.pg_url, db_name, csv_path) if db == "postgres" else None
    finally:
        if db == "postgres" and not args.keep:
            _psql(args.pg_url, "postgres", f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    problems = []
    for key in ("accounts", "debtors", "contact_points"):
        if check[key] != expected[key]:
            problems.append(f"{key}: {check[key]:,} stored, {expected[key]:,} expected")
    if summary["status"] != "done" or summary["rows_rejected"]:
        problems.append(f"job {summary['status']} with {summary['rows_rejected']} rejected rows")
    if check["ledger_mismatches"]:
        problems.append(f"{check['ledger_mismatches']} accounts whose balance differs from their ledger")
    result = {
        "db": db,
        "server": check["server"],
        "rows": expected["rows"],
        "seed": args.seed,
        "file_mib": round(csv_path.stat().st_size / 2**20, 1),
        "import_wall_seconds": round(wall, 1),
        "import_peak_rss_mib": round(rss),
        "import_cpu_seconds": round(cpu, 1),
        "rows_per_second": round(expected["rows"] / wall),
        "copy_wall_seconds": round(copy_wall, 1) if copy_wall is not None else None,
        "copy_rows_per_second": round(expected["rows"] / copy_wall) if copy_wall else None,
        "job": summary,
        "stored": check,
        "problems": problems,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    RESULTS.mkdir(exist_ok=True)
    out_path = RESULTS / f"import-{db}-{expected['rows']}.json"
    out_path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    line = (f"{db} ({check['server']}), {expected['rows']:,} rows: {wall:.1f} s ({cpu:.1f} CPU s), "
            f"{result['rows_per_second']:,} rows/s, peak RSS {rss:,.0f} MiB")
    if copy_wall is not None:
        line += f"; bare COPY {copy_wall:.1f} s ({result['copy_rows_per_second']:,} rows/s)"
    print(line + (f"; PROBLEMS: {'; '.join(problems)}" if problems else "; checks OK"), flush=True)
    print(f"   wrote {out_path.relative_to(ROOT)}", flush=True)
    return result


# ---------------------------------------------------------------------------------------------
# Children, inside Django
# ---------------------------------------------------------------------------------------------


def setup() -> None:
    import django

    django.setup()
    from acuerda.creditors.services import creditor_create
    from acuerda.debtors.identifiers import demo_tax_id
    from acuerda.imports.profiles import profile_from_yaml
    from acuerda.portfolios.services import portfolio_create

    creditor = creditor_create(code="bench", legal_name="Banco de Pruebas S.A.", country="ES",
                               tax_id=demo_tax_id(country="ES", seq=1), default_currency="EUR", sector="banking")
    portfolio_create(creditor=creditor, reference="BENCH-1", placed_on=dt.date(2026, 11, 1), jurisdiction="ES")
    profile_from_yaml(creditor=creditor, text=PROFILE_YAML)


def check(out: Path) -> None:
    import django

    django.setup()
    from django.db import connection

    from acuerda.debtors.models import ContactPoint, Debtor
    from acuerda.debts.models import Account, AccountEvent, LedgerEntry
    from acuerda.debts.selectors import ledger_mismatches

    server = f"SQLite {connection.Database.sqlite_version}" if connection.vendor == "sqlite" else (
        f"PostgreSQL {connection.cursor().connection.info.server_version / 10000:.2f}")
    out.write_text(json.dumps({
        "server": server,
        "accounts": Account.objects.count(),
        "debtors": Debtor.objects.count(),
        "contact_points": ContactPoint.objects.count(),
        "ledger_entries": LedgerEntry.objects.count(),
        "account_events": AccountEvent.objects.count(),
        "ledger_mismatches": len(list(ledger_mismatches())),
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432", help="server URL, no database")
    parser.add_argument("--tmp", default=None, help="where to put the CSV and the data directories")
    parser.add_argument("--keep", action="store_true", help="keep the database, data directory and CSV")
    parser.add_argument("--_setup", dest="setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--_check", dest="check", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        setup()
        return
    if args.check:
        check(Path(args.check))
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    work = Path(tempfile.mkdtemp(prefix="acuerda-import-bench-", dir=args.tmp))
    try:
        csv_path = work / f"portfolio-{args.rows}.csv"
        started = time.perf_counter()
        expected = generate(csv_path, args.rows, args.seed)
        print(f"== generated {csv_path.name}: {csv_path.stat().st_size / 2**20:,.0f} MiB, {expected['debtors']:,} "
              f"debtors, in {time.perf_counter() - started:.1f} s", flush=True)
        for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
            bench_one(db, csv_path, expected, args)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
