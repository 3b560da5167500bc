"""The job's status pipeline and re-runs."""

from __future__ import annotations

import pytest

from acuerda.debts.models import Account
from acuerda.imports.choices import IMPORT_TRANSITIONS, ImportStatus
from acuerda.imports.models import ImportJob
from acuerda.imports.services import ImportJobError, import_job_create, import_run

from .conftest import errors_of, run_import


def _file(tmp_path):  # type: ignore[no-untyped-def]
    from acuerda.debtors.identifiers import demo_national_id

    path = tmp_path / "c.csv"
    path.write_text(f"Nº Operación;DNI;Nombre;Capital\nR-1;{demo_national_id(country='ES', id_type='DNI', seq=9)};"
                    f"Ana;1,00\n{'R' * 65};{demo_national_id(country='ES', id_type='DNI', seq=10)};Bea;1,00\n",
                    encoding="utf-8")
    return path


def test_a_done_job_cannot_run_again(world, es_profile, tmp_path):  # type: ignore[no-untyped-def]
    path = _file(tmp_path)
    job, _ = import_job_create(creditor=world.bank_es, portfolio=world.p_es, profile=es_profile, path=path, actor=None)
    assert job.status == ImportStatus.UPLOADED
    import_run(job=job, path=path)
    assert job.status == ImportStatus.DONE and job.attempt == 1 and job.finished_at is not None
    assert errors_of(job) == {(3, "Nº Operación", "too_long")}
    with pytest.raises(ImportJobError, match="is done and cannot run again"):
        import_run(job=job, path=path)
    assert IMPORT_TRANSITIONS[ImportStatus.DONE] == frozenset()


@pytest.mark.parametrize("stuck", [ImportStatus.VALIDATING, ImportStatus.VALIDATED, ImportStatus.IMPORTING,
                                   ImportStatus.FAILED])
def test_an_interrupted_or_failed_job_runs_again_and_completes(world, es_profile, tmp_path, stuck):  # type: ignore[no-untyped-def]
    path = _file(tmp_path)
    job, _ = import_job_create(creditor=world.bank_es, portfolio=world.p_es, profile=es_profile, path=path, actor=None)
    ImportJob.objects.filter(pk=job.pk).update(status=stuck, attempt=3)

    import_run(job=job, path=path)

    assert job.status == ImportStatus.DONE and job.attempt == 4
    assert Account.objects.filter(portfolio=world.p_es, creditor_reference="R-1").count() == 1
    assert job.row_errors.count() == 1  # the report of the earlier attempt is replaced, not doubled


def test_a_profile_currency_other_than_the_portfolios_fails_the_job(world, tmp_path):  # type: ignore[no-untyped-def]
    from acuerda.imports.profiles import profile_save

    from .conftest import es_profile_data

    profile, _ = profile_save(creditor=world.bank_es, data=es_profile_data(
        name="usd", defaults={"country": "ES", "id_type": "DNI", "currency": "USD"}))
    path = _file(tmp_path)
    job, _ = import_job_create(creditor=world.bank_es, portfolio=world.p_es, profile=profile, path=path, actor=None)
    import_run(job=job, path=path)
    assert job.status == ImportStatus.FAILED
    assert job.failure_message == "The profile's currency USD differs from the portfolio's EUR."


def test_co_debtors_companies_and_parties_on_an_update(world, tmp_path):  # type: ignore[no-untyped-def]
    from acuerda.debtors.identifiers import demo_national_id, demo_tax_id
    from acuerda.debtors.models import Debtor
    from acuerda.debts.models import AccountEvent, AccountParty
    from acuerda.imports.profiles import profile_save

    profile, _ = profile_save(creditor=world.bank_es, data={
        "name": "empresas",
        "mapping": {"ref": "reference", "tipo": "id_type", "nif": "id_number", "razon": "company_name",
                    "nombre": "first_name", "capital": "principal", "nif codeudor": "co_debtor_id_number",
                    "nombre codeudor": "co_debtor_first_name", "tel codeudor": "co_debtor_phone"},
        "defaults": {"country": "ES", "id_type": "DNI"},
    })
    cif = demo_tax_id(country="ES", seq=77)
    partner = demo_national_id(country="ES", id_type="DNI", seq=78)
    lucia = world.debtor_es.id_number
    path = tmp_path / "empresas.csv"
    path.write_text(
        "ref;tipo;nif;razon;nombre;capital;nif codeudor;nombre codeudor;tel codeudor\n"
        f"E-1;CIF;{cif};Talleres Norte, S.L.;;900,00;{partner};Pablo;699 88 77 66\n"
        f"E-2;CIF;{cif};;;900,00;;;\n"  # a company without its name
        f"E-3;;{lucia};;Lucía;10,00;{lucia};Lucía;\n"  # the holder as her own co-debtor
        f"LN-0001;;{lucia};;Lucía;1.500,00;{partner};Pablo;\n",  # a co-debtor added to an existing account
        encoding="utf-8",
    )

    job, _ = run_import(path, profile=profile, portfolio=world.p_es)

    assert errors_of(job) == {(3, "razon", "name_required"), (4, "nif codeudor", "party_is_holder")}
    company = Debtor.objects.get(id_number=cif)
    assert company.kind == "company" and company.company_name == "Talleres Norte, S.L."
    pablo = Debtor.objects.get(id_number=partner)
    assert pablo.contact_points.get().value == "+34699887766"
    assert set(AccountParty.objects.filter(debtor=pablo).values_list("account__creditor_reference", "role")) == {
        ("E-1", "co_debtor"), ("LN-0001", "co_debtor")}
    assert AccountEvent.objects.filter(account=world.account_es, kind="party_added").count() == 1
    assert (job.accounts_created, job.accounts_unchanged, job.debtors_created, job.debtors_matched) == (1, 1, 2, 1)



def test_a_job_only_runs_on_the_content_it_was_created_for(world, es_profile, tmp_path):  # type: ignore[no-untyped-def]
    path = _file(tmp_path)
    job, _ = import_job_create(creditor=world.bank_es, portfolio=world.p_es, profile=es_profile, path=path, actor=None)
    path.write_text(path.read_text(encoding="utf-8") + "R-9;x;y;1,00\n", encoding="utf-8")
    import_run(job=job, path=path)
    assert job.status == ImportStatus.FAILED and job.failure_code == "content_changed"
    assert not Account.objects.filter(creditor_reference="R-1").exists()


def _index_names() -> set[str]:
    from django.db import connection

    tables = ("debtors_debtor", "debtors_contactpoint", "debts_account", "debts_ledgerentry", "debts_accountevent",
              "debts_accountparty")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN (%s, %s, %s, %s, %s, %s)",
                           tables)
        else:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename IN (%s, %s, %s, %s, %s, %s) UNION ALL "
                           "SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text "
                           "IN (%s, %s, %s, %s, %s, %s)", tables + tables)
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.parametrize("large", [True, False])
def test_given_a_file_as_large_as_the_stored_portfolios_when_imported_then_indexes_are_rebuilt_after_the_load(
    world, es_profile, tmp_path, monkeypatch, large
):  # type: ignore[no-untyped-def]
    from acuerda.core import bulk
    from acuerda.debts.selectors import ledger_mismatches
    from acuerda.imports import services

    rebuilt: list[object] = []
    real = bulk.indexes_rebuilt_after

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        rebuilt.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "indexes_rebuilt_after", spy)
    # The world holds two accounts: a one-row threshold makes this two-row file "large" for them.
    monkeypatch.setattr(services, "LARGE_IMPORT_ROWS", 1 if large else 10**9)
    before = _index_names()
    path = _file(tmp_path)

    job, _ = run_import(path, profile=es_profile, portfolio=world.p_es)

    assert job.status == ImportStatus.DONE and job.accounts_created == 1
    assert len(rebuilt) == (1 if large else 0)
    assert _index_names() == before  # every index and foreign key is back
    assert "debtor_name_idx" in before and "account_work_idx" in before
    assert Account.objects.filter(portfolio=world.p_es, creditor_reference="R-1").count() == 1
    assert list(ledger_mismatches()) == []
