"""The large-file path of the engine: rows parsed by worker processes give exactly what the
in-process path gives, and so does a load that refreshes PostgreSQL's statistics on the way."""

from __future__ import annotations

import gc
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from acuerda.debtors.models import ContactPoint, Debtor
from acuerda.debts.models import Account, AccountEvent, AccountParty, LedgerEntry
from acuerda.debts.selectors import ledger_mismatches
from acuerda.imports import services

from .conftest import errors_of, run_import
from .test_import_csv import EXPECTED_ERRORS, dni, ugly_es_file


@pytest.fixture
def parallel(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(services, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(services, "PARSE_BATCH", 2)  # several batches in flight, read-ahead bounded
    monkeypatch.setattr(services, "CHUNK_ROWS", 3)  # several spooled chunks


def test_given_a_large_file_when_parsed_by_workers_then_the_import_is_the_same(
    world, es_profile, tmp_path, parallel
):  # type: ignore[no-untyped-def]
    path = ugly_es_file(tmp_path, world)
    debtors_before = Debtor.objects.count()

    job, created = run_import(path, profile=es_profile, portfolio=world.p_es)

    assert created and job.status == "done", job.failure_message
    assert errors_of(job) == EXPECTED_ERRORS
    assert job.rows_read == 9 and job.rows_rejected == 7
    assert (job.accounts_created, job.accounts_updated) == (2, 0)
    assert (job.debtors_created, job.debtors_matched) == (2, 1)
    assert Debtor.objects.count() == debtors_before + 2
    first = Account.objects.get(portfolio=world.p_es, creditor_reference="LN-1001")
    assert (first.principal, first.interest, first.fees) == (Decimal("1234.56"), Decimal("10.00"), Decimal("0.00"))
    assert {c.value for c in first.debtor.contact_points.all()} == {
        "+34600123456", "+34911234567", "jose@example.es", "Calle Mayor 1, 28001, Madrid, ES"}
    phone = ContactPoint.objects.get(debtor=first.debtor, value="+34600123456")
    assert phone.phone_line_type == "mobile" and "Europe/Madrid" in phone.timezones
    assert AccountParty.objects.get(account=first).debtor.id_number == dni(150)
    entry = LedgerEntry.objects.get(account=first)
    event = AccountEvent.objects.get(account=first, kind="placed")
    assert event.data["entry_id"] == entry.pk and event.data["import_job_id"] == job.pk
    assert AccountEvent.objects.filter(account=first, kind="party_added").count() == 1
    assert not ledger_mismatches().exists()


def test_given_a_large_file_with_an_update_then_adjustments_not_duplicates(
    world, es_profile, tmp_path, parallel
):  # type: ignore[no-untyped-def]
    first_path = ugly_es_file(tmp_path, world)
    run_import(first_path, profile=es_profile, portfolio=world.p_es)
    accounts = Account.objects.count()
    text = first_path.read_bytes().replace(b"1.234,56", b"1.000,00")
    update = tmp_path / "update.csv"
    update.write_bytes(text)

    job, created = run_import(update, profile=es_profile, portfolio=world.p_es)

    assert created and job.status == "done", job.failure_message
    assert Account.objects.count() == accounts
    assert job.accounts_updated == 1
    account = Account.objects.get(portfolio=world.p_es, creditor_reference="LN-1001")
    assert account.principal == Decimal("1000.00")
    assert not ledger_mismatches().exists()


def test_given_statistics_refreshed_during_the_load_then_the_import_is_the_same(
    world, es_profile, tmp_path, parallel, monkeypatch
):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(services, "ANALYZE_FROM_ROWS", 1)  # after the first chunk, then at fourfold counts
    monkeypatch.setattr(services, "_IN_BATCH", 2)  # lookups in several statements on either database
    monkeypatch.setattr(services, "_IN_BATCH_POSTGRESQL", 2)
    path = ugly_es_file(tmp_path, world)

    with CaptureQueriesContext(connection) as queries:
        job, created = run_import(path, profile=es_profile, portfolio=world.p_es)

    assert created and job.status == "done", job.failure_message
    assert errors_of(job) == EXPECTED_ERRORS
    assert (job.accounts_created, job.debtors_created, job.debtors_matched) == (2, 2, 1)
    analyzed = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("ANALYZE")]
    if connection.vendor == "postgresql":
        assert len(analyzed) == len(services.LOOKED_UP_MODELS)  # one chunk of accepted rows
    else:
        assert analyzed == []  # SQLite plans by its indexes without statistics
    assert not ledger_mismatches().exists()


def test_given_a_pass_then_the_garbage_collector_runs_less_often_during_it_only(
    world, es_profile, tmp_path, parallel, monkeypatch
):  # type: ignore[no-untyped-def]
    seen = []
    chunk = services._Pass.chunk

    def spy(self, rows):  # type: ignore[no-untyped-def]
        seen.append(gc.get_threshold()[0])
        return chunk(self, rows)

    monkeypatch.setattr(services._Pass, "chunk", spy)
    before = gc.get_threshold()

    job, _created = run_import(ugly_es_file(tmp_path, world), profile=es_profile, portfolio=world.p_es)

    assert job.status == "done", job.failure_message
    assert seen and set(seen) == {services.GC_THRESHOLD}
    assert gc.get_threshold() == before
