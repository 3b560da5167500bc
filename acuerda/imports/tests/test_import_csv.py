"""Ugly real-world CSV files through the whole engine (given / when / then)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from acuerda.debtors.identifiers import demo_national_id
from acuerda.debtors.models import ContactPoint, Debtor
from acuerda.debts.models import Account, AccountEvent, AccountParty, LedgerEntry
from acuerda.debts.selectors import ledger_mismatches
from acuerda.imports.models import ImportJob
from acuerda.imports.profiles import profile_save

from .conftest import errors_of, es_profile_data, run_import

HEADER = ("Nº Operación;DNI;Nombre;Apellidos;Teléfono 1;Teléfono 2;Email;Capital;Intereses;Gastos;"
          "Fecha impago;Dirección;CP;Población;Producto;DNI avalista;Nombre avalista;Apellidos avalista;;")


def dni(seq: int) -> str:
    return demo_national_id(country="ES", id_type="DNI", seq=seq)


def ugly_es_file(tmp_path: Path, world, encoding: str = "cp1252", name: str = "cartera.csv") -> Path:  # type: ignore[no-untyped-def]
    lines = [
        HEADER,
        # 2: good, with a guarantor and the phone written the Spanish way
        f"LN-1001;{dni(101)};José;Núñez Ibáñez;600 12 34 56;91 123 45 67;jose@example.es;1.234,56;10,00;-;"
        f"15/03/2025;Calle Mayor 1;28001;Madrid;personal_loan;{dni(150)};Ana;Avalista Ruiz;;",
        # 3: DNI with a wrong check letter
        "LN-1002;12345678A;Pedro;Gómez;611 22 33 44;;;500,00;;;15/03/2025;;;;;;;;;",
        # 4: a phone that is too short
        f"LN-1003;{dni(103)};Luis;Martín;12;;;500,00;;;15/03/2025;;;;;;;;;",
        # 5: the first row again (a duplicated row)
        f"LN-1001;{dni(101)};José;Núñez Ibáñez;600 12 34 56;91 123 45 67;jose@example.es;1.234,56;10,00;-;"
        f"15/03/2025;Calle Mayor 1;28001;Madrid;personal_loan;{dni(150)};Ana;Avalista Ruiz;;",
        # 6: an amount with broken thousands grouping
        f"LN-1004;{dni(104)};Eva;Sanz;622 33 44 55;;;1.23,45;;;15/03/2025;;;;;;;;;",
        # 7: good: the existing debtor of the world, an Excel serial date, a quoted newline
        f'LN-1005;{world.debtor_es.id_number};Lucía;García Pérez;600 12 34 56;;;"2.000,00";0;5,50;45366;'
        f'"Calle del Sol 5\nPiso 2";28004;Madrid;Credit card;;;;;',
        # 8: a date that does not exist
        f"LN-1006;{dni(106)};Raúl;Ortega;633 44 55 66;;;100,00;;;31/02/2025;;;;;;;;;",
        # 9: an email that is not one
        f"LN-1007;{dni(107)};Sara;Vidal;644 55 66 77;;sara.vidal@;100,00;;;01/02/2025;;;;;;;;;",
        # an empty line in the middle is not a row
        ";;;;;;;;;;;;;;;;;;;",
        # 11: the reference of the world's account, but for another person
        f"LN-0001;{dni(108)};Iván;Prieto;655 66 77 88;;;100,00;;;01/02/2025;;;;;;;;;",
    ]
    path = tmp_path / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


EXPECTED_ERRORS = {
    (3, "DNI", "invalid_id"),
    (4, "Teléfono 1", "invalid_phone"),
    (5, "Nº Operación", "duplicate_reference"),
    (6, "Capital", "invalid_amount"),
    (8, "Fecha impago", "invalid_date"),
    (9, "Email", "invalid_email"),
    (11, "Nº Operación", "reference_other_debtor"),
}


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig", "utf-8"])
def test_given_an_ugly_file_when_imported_then_bad_rows_are_reported_and_good_rows_imported_once(
    world, es_profile, tmp_path, encoding
):  # type: ignore[no-untyped-def]
    path = ugly_es_file(tmp_path, world, encoding=encoding)
    debtors_before = Debtor.objects.count()

    job, created = run_import(path, profile=es_profile, portfolio=world.p_es)

    assert created and job.status == "done", job.failure_message
    assert errors_of(job) == EXPECTED_ERRORS
    assert job.rows_read == 9 and job.rows_rejected == 7  # the empty line is no row
    assert (job.accounts_created, job.accounts_updated) == (2, 0)
    # José and his guarantor are new; Lucía is the world's debtor, matched by her DNI.
    assert (job.debtors_created, job.debtors_matched) == (2, 1)
    assert Debtor.objects.count() == debtors_before + 2
    first = Account.objects.get(portfolio=world.p_es, creditor_reference="LN-1001")
    assert (first.principal, first.interest, first.fees) == (Decimal("1234.56"), Decimal("10.00"), Decimal("0.00"))
    assert first.first_unpaid_due_on == dt.date(2025, 3, 15)
    assert first.debtor.first_name == "José" and first.debtor.last_name == "Núñez Ibáñez"
    assert {c.value for c in first.debtor.contact_points.all()} == {
        "+34600123456", "+34911234567", "jose@example.es", "Calle Mayor 1, 28001, Madrid, ES"}
    assert AccountParty.objects.get(account=first).debtor.id_number == dni(150)
    lucia = Account.objects.get(portfolio=world.p_es, creditor_reference="LN-1005")
    assert lucia.debtor_id == world.debtor_es.pk and lucia.product == "credit_card"
    assert lucia.first_unpaid_due_on == dt.date(2024, 3, 15)  # Excel serial 45366
    assert ContactPoint.objects.get(debtor=world.debtor_es, kind="address").address_line == "Calle del Sol 5\nPiso 2"
    assert ContactPoint.objects.filter(debtor=world.debtor_es, value="+34600123456").count() == 1
    # Exactly what account_open writes: a placement entry and a placed event per account.
    for account in (first, lucia):
        entry = LedgerEntry.objects.get(account=account)
        assert entry.kind == "placement" and entry.effective_on == world.p_es.placed_on
        event = AccountEvent.objects.get(account=account, kind="placed")
        assert event.data["entry_id"] == entry.pk and event.data["principal"] == str(account.principal)
    assert AccountEvent.objects.filter(account=first, kind="party_added").count() == 1
    assert not ledger_mismatches().exists()
    assert Account.objects.get(creditor_reference="LN-0001").debtor_id == world.debtor_es.pk


def test_row_error_messages_are_english_and_spanish(world, es_profile, tmp_path):  # type: ignore[no-untyped-def]
    from django.utils import translation

    job, _ = run_import(ugly_es_file(tmp_path, world), profile=es_profile, portfolio=world.p_es)
    error = job.row_errors.get(row_number=5)
    assert error.message == "Reference LN-1001 already appears in row 2 of this file."
    phone = job.row_errors.get(row_number=4)
    assert phone.message == "Not a valid phone number for ES: it is too short."
    with translation.override("es"):
        assert error.message  # rendered through gettext; the Spanish catalogue is added later


def test_given_the_same_file_twice_then_the_second_run_changes_nothing(world, es_profile, tmp_path):  # type: ignore[no-untyped-def]
    path = ugly_es_file(tmp_path, world)
    first, _ = run_import(path, profile=es_profile, portfolio=world.p_es)
    counts = (Account.objects.count(), Debtor.objects.count(), LedgerEntry.objects.count(),
              AccountEvent.objects.count(), ContactPoint.objects.count())

    again, created = run_import(path, profile=es_profile, portfolio=world.p_es)

    assert not created and again.pk == first.pk and again.status == "done"
    assert counts == (Account.objects.count(), Debtor.objects.count(), LedgerEntry.objects.count(),
                      AccountEvent.objects.count(), ContactPoint.objects.count())
    assert ImportJob.objects.count() == 1


def test_given_an_update_file_then_balances_change_by_adjustments_not_duplicates(world, es_profile, tmp_path):  # type: ignore[no-untyped-def]
    run_import(ugly_es_file(tmp_path, world), profile=es_profile, portfolio=world.p_es)
    update = tmp_path / "actualizacion.csv"
    update.write_text("\n".join([
        HEADER,
        f"LN-1001;{dni(101)};José;Núñez Ibáñez;600 12 34 56;;;1.000,00;12,00;3,00;15/03/2025;;;;;;;;;",
        f"LN-1005;{world.debtor_es.id_number};Lucía;García Pérez;;;;2.000,00;;;45366;;;;;;;;;",  # empty: as they are
        f"LN-0001;{world.debtor_es.id_number};Lucía;García Pérez;;;;1500,00;120,50;30,00;01/11/2025;;;;;;;;;",
    ]) + "\n", encoding="utf-8")
    accounts_before = Account.objects.count()

    job, _ = run_import(update, profile=es_profile, portfolio=world.p_es)

    assert job.status == "done" and not errors_of(job)
    assert (job.accounts_created, job.accounts_updated, job.accounts_unchanged) == (0, 1, 2)
    assert Account.objects.count() == accounts_before
    account = Account.objects.get(creditor_reference="LN-1001")
    assert (account.principal, account.interest, account.fees) == (Decimal("1000.00"), Decimal("12.00"), Decimal("3.00"))
    adjustment = LedgerEntry.objects.get(account=account, kind="adjustment")
    assert (adjustment.principal, adjustment.interest, adjustment.fees) == (
        Decimal("-234.56"), Decimal("2.00"), Decimal("3.00"))
    assert adjustment.external_reference == f"import-job-{job.pk}"
    assert AccountEvent.objects.filter(account=account, kind="ledger_posted").count() == 1
    lucia = Account.objects.get(creditor_reference="LN-1005")
    assert (lucia.interest, lucia.fees) == (Decimal("0.00"), Decimal("5.50"))
    assert not ledger_mismatches().exists()


def test_given_reject_file_policy_then_nothing_is_imported_and_every_error_reported(world, tmp_path):  # type: ignore[no-untyped-def]
    profile, _ = profile_save(creditor=world.bank_es, data=es_profile_data(name="estricto", bad_rows="reject_file"))
    accounts, debtors, contacts = Account.objects.count(), Debtor.objects.count(), ContactPoint.objects.count()

    job, _ = run_import(ugly_es_file(tmp_path, world), profile=profile, portfolio=world.p_es)

    assert job.status == "failed" and job.failure_code == "rows_rejected"
    assert job.failure_message == "7 rows have errors and the profile rejects the whole file: nothing was imported."
    assert errors_of(job) == EXPECTED_ERRORS
    assert (Account.objects.count(), Debtor.objects.count(), ContactPoint.objects.count()) == (accounts, debtors, contacts)


def test_given_a_dry_run_then_counts_are_reported_and_nothing_written(world, es_profile, tmp_path):  # type: ignore[no-untyped-def]
    accounts, debtors = Account.objects.count(), Debtor.objects.count()

    job, _ = run_import(ugly_es_file(tmp_path, world), profile=es_profile, portfolio=world.p_es, dry_run=True)

    assert job.status == "validated" and job.finished_at is not None
    assert (job.accounts_created, job.debtors_created, job.debtors_matched, job.rows_rejected) == (2, 2, 1, 7)
    assert (Account.objects.count(), Debtor.objects.count()) == (accounts, debtors)
    real, created = run_import(ugly_es_file(tmp_path, world), profile=es_profile, portfolio=world.p_es)
    assert created and real.status == "done" and real.accounts_created == 2


def test_given_the_same_debtor_in_two_creditors_files_then_there_is_one_debtor(world, es_profile, tmp_path):  # type: ignore[no-untyped-def]
    from acuerda.creditors.services import creditor_create
    from acuerda.debtors.identifiers import demo_tax_id
    from acuerda.debtors.services import contact_point_add, debtor_get_or_create
    from acuerda.portfolios.services import portfolio_create

    telco = creditor_create(code="telco-es", legal_name="Ondas, S.L.", country="ES", tax_id=demo_tax_id(country="ES", seq=3),
                            default_currency="EUR", sector="telecom")
    p_telco = portfolio_create(creditor=telco, reference="T-1", placed_on=dt.date(2026, 3, 1), jurisdiction="ES")
    telco_profile, _ = profile_save(creditor=telco, data=es_profile_data())
    person, _ = debtor_get_or_create(country="ES", id_type="DNI", id_number=dni(300), first_name="Marta", last_name="Gil")
    contact_point_add(debtor=person, kind="phone", value="699 00 11 22", source="debtor")
    contact_point_add(debtor=person, kind="email", value="marta@example.es", source="enrichment")
    bank_file, telco_file = tmp_path / "bank.csv", tmp_path / "telco.csv"
    bank_file.write_text(f"{HEADER}\nB-1;{dni(301)};Juan;Ruiz;;;;100,00;;;;;;;;;;;;\n"
                         f"B-2;{dni(300)};Marta;Gil;699001122;;;50,00;;;;;;;;;;;;\n", encoding="utf-8")
    telco_file.write_text(f"{HEADER}\nT-9;{dni(301)};JUAN;RUIZ;;;;80,00;;;;;;;;;;;;\n"
                          f"T-8;{dni(300)};Marta;Gil;;;marta@example.es;20,00;;;;;;;;;;;;\n", encoding="utf-8")

    bank_job, _ = run_import(bank_file, profile=es_profile, portfolio=world.p_es)
    telco_job, _ = run_import(telco_file, profile=telco_profile, portfolio=p_telco)

    assert (bank_job.debtors_created, bank_job.debtors_matched) == (1, 1)
    assert (telco_job.debtors_created, telco_job.debtors_matched) == (0, 2)
    juan = Debtor.objects.get(id_number=dni(301))
    assert juan.first_name == "Juan"  # the later file does not overwrite the name
    assert set(juan.accounts.values_list("creditor_reference", flat=True)) == {"B-1", "T-9"}
    # Provenance: the debtor's own phone stays the debtor's; the enriched email is now the creditor's.
    assert ContactPoint.objects.get(debtor=person, kind="phone").source == "debtor"
    assert ContactPoint.objects.get(debtor=person, kind="email").source == "creditor"


def test_latam_phones_and_ids(world, tmp_path):  # type: ignore[no-untyped-def]
    from acuerda.creditors.services import creditor_create
    from acuerda.debtors.identifiers import demo_tax_id
    from acuerda.portfolios.services import portfolio_create

    inca = creditor_create(code="inca", legal_name="Financiera Inca S.A.", country="PE",
                           tax_id=demo_tax_id(country="PE", seq=4), default_currency="PEN", sector="consumer_finance")
    portfolio = portfolio_create(creditor=inca, reference="PE-1", placed_on=dt.date(2026, 3, 1), jurisdiction="PE")
    profile, _ = profile_save(creditor=inca, data={
        "name": "pe", "mapping": {"ref": "reference", "dni": "id_number", "nombres": "first_name",
                                  "apellidos": "last_name", "fono": "phone", "celular": "phone", "deuda": "principal",
                                  "vence": "due_date"},
        "parsing": {"decimal_separator": ".", "thousands_separator": ",", "date_formats": ["dd/mm/yyyy", "yyyy-mm-dd"]},
        "defaults": {"country": "PE", "id_type": "DNI", "currency": "PEN"},
    })
    pe_dni = demo_national_id(country="PE", id_type="DNI", seq=5)
    path = tmp_path / "inca.csv"
    path.write_text(
        "ref,dni,nombres,apellidos,fono,celular,deuda,vence\n"
        f'PE-01,{pe_dni},Rosa,Quispe Mamani,(01) 234-5678,+52 1 55 1234 5678,"1,234.50",2025-12-01\n'
        f"PE-02,{demo_national_id(country='PE', id_type='DNI', seq=6)},Juan,Huamán,(01) 234,,99.999,01/12/2025\n"
        f"PE-03,{demo_national_id(country='PE', id_type='DNI', seq=7)},Juana,Flores,,,10,03/04/2025\n",
        encoding="utf-8",
    )

    job, _ = run_import(path, profile=profile, portfolio=portfolio)

    assert errors_of(job) == {(3, "fono", "invalid_phone"), (3, "deuda", "too_many_decimals")}
    rosa = Debtor.objects.get(id_number=pe_dni)
    phones = dict(rosa.contact_points.values_list("value", "country"))
    assert phones == {"+5112345678": "PE", "+525512345678": "MX"}
    assert Account.objects.get(creditor_reference="PE-01").principal == Decimal("1234.50")
    assert Account.objects.get(creditor_reference="PE-03").first_unpaid_due_on == dt.date(2025, 4, 3)
