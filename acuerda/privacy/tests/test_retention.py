"""Retention: exactly the debtors whose every account, with every creditor, closed at least that
creditor's period ago; the nightly task and the command."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from acuerda.debtors.identifiers import demo_national_id
from acuerda.debtors.models import Debtor
from acuerda.debtors.services import debtor_get_or_create
from acuerda.debts.models import Account
from acuerda.debts.services import account_open, account_party_add, account_transition
from acuerda.privacy.models import DEFAULT_RETENTION_YEARS, ErasureRecord, RetentionPolicy
from acuerda.privacy.selectors import retention_due
from acuerda.privacy.services import legal_hold_place, retention_run

pytestmark = pytest.mark.django_db

TODAY = dt.date(2032, 6, 15)
SIX_YEARS_AGO = dt.date(2026, 6, 15)  # DEFAULT_RETENTION_YEARS before TODAY
A_DAY_SHORT = dt.date(2026, 6, 16)


def local(day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


class Maker:
    def __init__(self, world) -> None:  # type: ignore[no-untyped-def]
        self.world = world
        self.seq = 100

    def debtor(self) -> Debtor:
        self.seq += 1
        debtor, _ = debtor_get_or_create(
            country="ES",
            id_type="DNI",
            id_number=demo_national_id(country="ES", id_type="DNI", seq=self.seq),
            first_name="Persona",
            last_name=f"Prueba {self.seq}",
        )
        return debtor

    def account(
        self, debtor: Debtor, *, portfolio=None, closed_at: dt.datetime | None = None
    ) -> Account:  # type: ignore[no-untyped-def]
        self.seq += 1
        account = account_open(
            portfolio=portfolio or self.world.p_es,
            debtor=debtor,
            creditor_reference=f"R-{self.seq}",
            product="personal_loan",
            principal=Decimal("10.00"),
            first_unpaid_due_on=dt.date(2025, 1, 1),
            actor=self.world.admin,
        )
        if closed_at is not None:
            account_transition(
                account=account, to_status="recalled", actor=self.world.admin, reason="Devuelta"
            )
            Account.objects.filter(pk=account.pk).update(status_changed_at=closed_at)
        return account


@pytest.fixture
def make(world):  # type: ignore[no-untyped-def]
    return Maker(world)


def due_ids() -> set[int]:
    return set(retention_due(today=TODAY).values_list("pk", flat=True))


def test_the_default_period_is_six_years_to_the_day(make):
    assert DEFAULT_RETENTION_YEARS == 6
    exactly = make.debtor()
    make.account(exactly, closed_at=local(SIX_YEARS_AGO, 23, 59))
    short = make.debtor()
    make.account(short, closed_at=local(A_DAY_SHORT, 0, 0))

    assert due_ids() == {exactly.pk}


def test_open_accounts_keep_their_debtor(world, make):
    debtor = make.debtor()
    make.account(debtor, closed_at=local(dt.date(2020, 1, 1)))
    make.account(debtor)  # still active

    assert due_ids() == set()  # nor Lucía nor Andrés: both have open accounts


def test_a_debtor_of_several_creditors_waits_for_every_creditors_period(world, make):
    RetentionPolicy.objects.create(creditor=world.bank_es, anonymise_after_years=3)
    both_elapsed = make.debtor()
    make.account(
        both_elapsed, portfolio=world.p_es, closed_at=local(dt.date(2029, 6, 15))
    )  # 3 years: elapsed
    make.account(
        both_elapsed, portfolio=world.p_co, closed_at=local(SIX_YEARS_AGO)
    )  # default 6: elapsed
    one_short = make.debtor()
    make.account(one_short, portfolio=world.p_es, closed_at=local(dt.date(2020, 1, 1)))
    make.account(
        one_short, portfolio=world.p_co, closed_at=local(A_DAY_SHORT)
    )  # telco's 6 years: a day short
    bank_short = make.debtor()
    make.account(
        bank_short, portfolio=world.p_es, closed_at=local(dt.date(2029, 6, 16))
    )  # bank's 3: a day short
    make.account(bank_short, portfolio=world.p_co, closed_at=local(dt.date(2020, 1, 1)))

    assert due_ids() == {both_elapsed.pk}


def test_a_longer_policy_and_a_disabled_one(world, make):
    RetentionPolicy.objects.create(creditor=world.telco_co, anonymise_after_years=10)
    ten = make.debtor()
    make.account(ten, portfolio=world.p_co, closed_at=local(dt.date(2022, 6, 15)))
    nine = make.debtor()
    make.account(nine, portfolio=world.p_co, closed_at=local(dt.date(2022, 6, 16)))
    assert due_ids() == {ten.pk}

    RetentionPolicy.objects.filter(creditor=world.telco_co).update(enabled=False)
    assert due_ids() == set()


def test_guarantors_and_legal_holds(world, make):
    guarantor = make.debtor()
    make.account(guarantor, closed_at=local(dt.date(2020, 1, 1)))
    account_party_add(
        account=world.account_co, debtor=guarantor, role="guarantor", actor=world.admin
    )  # open
    held = make.debtor()
    make.account(held, closed_at=local(dt.date(2020, 1, 1)))
    legal_hold_place(debtor=held, reason="Litigio", actor=world.admin)
    only_guarantor = make.debtor()
    closed = make.account(make.debtor(), closed_at=local(dt.date(2020, 1, 1)))
    account_party_add(account=closed, debtor=only_guarantor, role="guarantor", actor=world.admin)

    due = due_ids()
    assert guarantor.pk not in due and held.pk not in due
    assert only_guarantor.pk in due and closed.debtor_id in due


def test_the_run_anonymises_exactly_the_due_debtors_once(world, make):
    due = [make.debtor() for _ in range(5)]
    for debtor in due:
        make.account(debtor, closed_at=local(SIX_YEARS_AGO))
    kept = make.debtor()
    make.account(kept, closed_at=local(A_DAY_SHORT))

    preview = retention_run(today=TODAY, dry_run=True, batch_size=2)
    assert (preview.due, preview.anonymised, set(preview.debtor_ids)) == (5, 0, {d.pk for d in due})
    assert not ErasureRecord.objects.exists()

    result = retention_run(today=TODAY, batch_size=2)

    assert (result.due, result.anonymised, result.errors) == (5, 5, [])
    assert set(ErasureRecord.objects.values_list("debtor_id", flat=True)) == {d.pk for d in due}
    assert set(ErasureRecord.objects.values_list("trigger", flat=True)) == {"retention"}
    assert Debtor.objects.get(pk=kept.pk).first_name == "Persona"
    assert retention_run(today=TODAY).anonymised == 0


def test_the_celery_task_is_registered_under_the_scheduled_name(settings):
    import acuerda.privacy.tasks  # noqa: F401
    from config.celery import app

    assert "privacy.retention_run" in app.tasks
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "privacy.retention_run" in scheduled


def test_the_task_runs_the_service(world, make):
    from acuerda.privacy.tasks import retention_run as task

    debtor = make.debtor()
    make.account(debtor, closed_at=local(dt.date(2000, 1, 1)))

    assert task.apply().get() == {"due": 1, "anonymised": 1, "refused": 0, "errors": 0}


def test_the_command_has_a_dry_run(world, make):
    debtor = make.debtor()
    make.account(debtor, closed_at=local(SIX_YEARS_AGO))
    out = io.StringIO()

    call_command(
        "privacy", "retention", "--dry-run", "--today", TODAY.isoformat(), "--json", stdout=out
    )
    summary = json.loads(out.getvalue())
    assert (summary["due"], summary["anonymised"], summary["debtor_ids"]) == (1, 0, [debtor.pk])
    assert not ErasureRecord.objects.exists()

    out = io.StringIO()
    call_command("privacy", "retention", "--today", TODAY.isoformat(), stdout=out)
    assert "Anonymised 1 of 1" in out.getvalue()
    assert ErasureRecord.objects.get().debtor_id == debtor.pk


def test_selection_is_one_query_whatever_the_number_of_debtors(
    world, make, django_assert_max_num_queries
):
    RetentionPolicy.objects.create(creditor=world.bank_es, anonymise_after_years=3)
    for _ in range(20):
        make.account(make.debtor(), closed_at=local(dt.date(2020, 1, 1)))

    with django_assert_max_num_queries(2):  # the policies, then the debtors
        assert len(list(retention_due(today=TODAY).values_list("pk", flat=True))) == 20


def test_years_are_calendar_years_and_29_february_counts_from_the_28th():
    from acuerda.privacy.selectors import years_before

    assert years_before(dt.date(2032, 6, 15), 6) == dt.date(2026, 6, 15)
    assert years_before(dt.date(2028, 2, 29), 1) == dt.date(2027, 2, 28)
