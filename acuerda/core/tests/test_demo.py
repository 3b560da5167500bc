"""``acuerda demo``: valid, consistent and deterministic data, usable logins, safe re-runs."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError

from acuerda.core.demo import CREDITORS, DEMO_USERS, build_demo
from acuerda.core.regions import subdivisions
from acuerda.creditors.models import Creditor
from acuerda.debtors.identifiers import is_company_id, normalize_national_id
from acuerda.debtors.models import ContactConsent, ContactPoint, Debtor
from acuerda.debtors.phones import normalize_email, parse_phone
from acuerda.debts.choices import ACCOUNT_TRANSITIONS, OPEN_STATUSES
from acuerda.debts.models import Account, AccountEvent, AccountParty, LedgerEntry
from acuerda.debts.selectors import ledger_mismatches
from acuerda.people.models import AgentProfile, Team, User
from acuerda.portfolios.models import CommissionRate, Portfolio

TODAY = dt.date(2026, 3, 16)
SIZE = 300
COMPONENTS = ("principal", "interest", "fees")


def _snapshot() -> dict[str, list[tuple[object, ...]]]:
    """What must not change between two runs with the same seed (ids and timestamps aside)."""
    return {
        "debtors": sorted(
            Debtor.objects.values_list("country", "id_type", "id_number", "first_name", "last_name", "company_name")
        ),
        "accounts": sorted(
            Account.objects.values_list(
                "creditor_reference", "debtor__id_number", "portfolio__reference", "product", "principal",
                "interest", "fees", "first_unpaid_due_on", "status",
            )
        ),
        "contacts": sorted(ContactPoint.objects.values_list("debtor__id_number", "kind", "value", "status")),
        "entries": sorted(
            LedgerEntry.objects.values_list(
                "account__creditor_reference", "kind", "principal", "interest", "fees", "effective_on", "posted_at"
            )
        ),
        "events": sorted(AccountEvent.objects.values_list("account__creditor_reference", "kind", "at", "to_status")),
    }


@pytest.mark.django_db
def test_given_a_seed_when_built_twice_then_the_data_is_identical_and_another_seed_differs():
    build_demo(accounts=SIZE, seed=11, today=TODAY)
    first = _snapshot()

    build_demo(accounts=SIZE, seed=11, today=TODAY, reset=True)
    second = _snapshot()
    build_demo(accounts=SIZE, seed=12, today=TODAY, reset=True)
    third = _snapshot()

    assert Account.objects.count() == SIZE
    assert first == second
    assert first["debtors"] != third["debtors"] and first["accounts"] != third["accounts"]


@pytest.mark.django_db
def test_given_the_demo_then_national_ids_phones_emails_and_addresses_are_valid():
    build_demo(accounts=SIZE, seed=3, today=TODAY)

    debtors = list(Debtor.objects.all())
    assert len({(d.country, d.id_type, d.id_number) for d in debtors}) == len(debtors)
    for d in debtors:
        assert normalize_national_id(country=d.country, id_type=d.id_type, number=d.id_number) == d.id_number
        company = is_company_id(country=d.country, id_type=d.id_type, number=d.id_number)
        assert company == (d.kind == "company"), d
        assert (d.company_name if company else d.last_name), d
        if d.is_vulnerable:
            assert d.vulnerability_reason and d.vulnerability_review_on > TODAY
    assert {d.id_type for d in debtors} >= {"DNI", "NIE", "CC", "CURP"}
    assert any(d.kind == "company" for d in debtors) and any(d.is_vulnerable for d in debtors)

    kinds = Counter()
    for point in ContactPoint.objects.all():
        kinds[point.kind] += 1
        if point.kind == "phone":
            info = parse_phone(point.value, default_region=point.country)
            assert info.e164 == point.value
            assert (info.line_type, list(info.timezones)) == (point.phone_line_type, point.timezones)
        elif point.kind == "email":
            assert normalize_email(point.value) == point.value and point.value.isascii()
        else:
            regions = subdivisions(point.country)
            assert point.region in regions if regions else point.region == ""
            assert point.value == f"{point.address_line}, {point.postal_code}, {point.city}, {point.country}"
    assert kinds["phone"] >= len(debtors) and kinds["email"] and kinds["address"]
    assert ContactPoint.objects.filter(region="CN").exists()  # the Canary Islands portfolio's debtors
    for consent in ContactConsent.objects.select_related("contact_point"):
        assert consent.evidence.strip()
        assert consent.channel in {"phone": {"call", "sms", "whatsapp"}, "email": {"email"}}[consent.contact_point.kind]


@pytest.mark.django_db
def test_given_the_demo_then_ledgers_balances_statuses_and_timelines_are_consistent():
    build_demo(accounts=SIZE, seed=5, today=TODAY)

    assert not ledger_mismatches().exists()
    sums: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 3)
    entries = {e.pk: e for e in LedgerEntry.objects.all()}
    for e in entries.values():
        for i, c in enumerate(COMPONENTS):
            value = getattr(e, c)
            assert value == value.quantize(Decimal("0.01"))
            sums[e.account_id][i] += value
        if e.kind == "payment":
            assert all(getattr(e, c) <= 0 for c in COMPONENTS) and e.total < 0 and e.external_reference
    events = defaultdict(list)
    for ev in AccountEvent.objects.order_by("at", "pk"):
        events[ev.account_id].append(ev)
    summarised = Counter()
    for account in Account.objects.all():
        balances = [account.principal, account.interest, account.fees]
        assert balances == sums[account.pk], account
        assert all(b >= 0 for b in balances)
        timeline = events[account.pk]
        assert timeline[0].kind == "placed" and timeline[0].to_status == "active"
        assert sum(ev.kind == "placed" for ev in timeline) == 1
        status, status_at = "active", timeline[0].at
        for ev in timeline:
            if ev.kind == "status_changed":
                assert ev.from_status == status and ev.reason.strip()
                assert ev.to_status in ACCOUNT_TRANSITIONS[status]
                status, status_at = ev.to_status, ev.at
            if ev.kind in ("placed", "ledger_posted"):
                entry = entries[ev.data["entry_id"]]
                summarised[entry.pk] += 1
                assert entry.account_id == account.pk
                assert ev.data == {"entry_id": entry.pk, "kind": entry.kind, "principal": str(entry.principal),
                                   "interest": str(entry.interest), "fees": str(entry.fees),
                                   "effective_on": entry.effective_on.isoformat()}
                assert ev.at == entry.posted_at
        assert (status, status_at) == (account.status, account.status_changed_at)
        total = sum(balances)
        if account.status in OPEN_STATUSES:
            assert total > 0
        else:
            assert account.status in ("paid", "settled") and total == 0
    assert set(summarised) == set(entries) and set(summarised.values()) == {1}

    statuses = Counter(Account.objects.values_list("status", flat=True))
    assert {"active", "paid", "in_arrangement"} <= set(statuses)
    paying = LedgerEntry.objects.filter(kind="payment").values("account").distinct().count()
    assert 0.12 * SIZE < paying < 0.3 * SIZE
    assert LedgerEntry.objects.filter(kind__in=["interest", "fee"]).exists()


@pytest.mark.django_db
def test_given_the_demo_then_every_bucket_and_cross_creditor_debtors_appear():
    build_demo(accounts=SIZE, seed=9, today=TODAY)

    seen = defaultdict(set)
    for account in Account.objects.select_related("portfolio__creditor"):
        creditor = account.portfolio.creditor
        seen[tuple(creditor.bucket_edges)].add(account.bucket(TODAY))
    default = Creditor.objects.get(code="banco-iberico").buckets.labels()
    assert seen[(1, 31, 61, 91, 181, 361)] == set(default)

    creditors_by_debtor = defaultdict(set)
    for debtor_id, creditor_id in Account.objects.values_list("debtor_id", "portfolio__creditor_id"):
        creditors_by_debtor[debtor_id].add(creditor_id)
    several = sum(len(c) > 1 for c in creditors_by_debtor.values())
    assert several >= 0.04 * len(creditors_by_debtor)
    party = AccountParty.objects.select_related("account").first()
    assert party is not None and party.debtor_id != party.account.debtor_id


@pytest.mark.django_db
def test_given_the_command_then_the_structure_exists_and_every_printed_login_works():
    out = io.StringIO()
    call_command("demo", accounts=50, seed=1, stdout=out)
    text = out.getvalue()

    assert Creditor.objects.count() == len(CREDITORS)
    assert {c.country for c in Creditor.objects.all()} == {"ES", "CO", "PE", "MX"}
    for portfolio in Portfolio.objects.select_related("creditor"):
        labels = set(portfolio.creditor.buckets.labels())
        assert set(CommissionRate.objects.filter(portfolio=portfolio).values_list("bucket", flat=True)) == labels
        assert portfolio.currency == portfolio.creditor.default_currency
    assert Portfolio.objects.filter(jurisdiction_country="ES", jurisdiction_subdivision="CN").exists()
    assert set(Team.objects.values_list("name", flat=True)) == {"Equipo España", "Equipo Andes", "Equipo México"}
    assert not Portfolio.objects.filter(teams__isnull=True).exists()
    for demo in DEMO_USERS:
        assert demo.password in text and demo.username in text
        user = authenticate(username=demo.username, password=demo.password)
        assert isinstance(user, User) and user.role == demo.role
        if demo.team:
            assert user.teams.filter(name=demo.team).exists()
        if demo.role == "creditor":
            assert user.creditor.code == demo.creditor_code
    assert AgentProfile.objects.get(user__username="agente").max_discount_percent == Decimal("15.00")
    assert json.loads(json.dumps(AgentProfile.objects.get(user__username="agente.mx").min_instalment)) == {
        "MXN": "500.00"
    }


@pytest.mark.django_db
def test_given_a_demo_when_run_again_without_reset_then_it_refuses_and_with_reset_it_rebuilds():
    call_command("demo", accounts=40, seed=2, stdout=io.StringIO())
    before = (Debtor.objects.count(), Account.objects.count(), User.objects.count())

    with pytest.raises(CommandError, match="--reset"):
        call_command("demo", accounts=40, seed=2, stdout=io.StringIO())
    assert (Debtor.objects.count(), Account.objects.count(), User.objects.count()) == before

    call_command("demo", accounts=60, seed=2, reset=True, stdout=io.StringIO())
    assert Account.objects.count() == 60
    assert User.objects.count() == len(DEMO_USERS)
    assert Creditor.objects.count() == len(CREDITORS)


@pytest.mark.django_db
def test_given_creditors_the_demo_did_not_create_when_resetting_then_nothing_is_deleted():
    from acuerda.creditors.services import creditor_create
    from acuerda.debtors.identifiers import demo_tax_id

    call_command("demo", accounts=20, seed=2, stdout=io.StringIO())
    creditor_create(code="real-bank", legal_name="Real Bank S.A.", country="ES",
                    tax_id=demo_tax_id(country="ES", seq=123), default_currency="EUR", sector="banking")

    with pytest.raises(CommandError, match="real-bank"):
        call_command("demo", accounts=20, seed=2, reset=True, stdout=io.StringIO())
    assert Account.objects.count() == 20 and Creditor.objects.count() == len(CREDITORS) + 1


@pytest.mark.django_db
def test_given_a_failure_in_the_middle_of_the_load_then_nothing_is_left_behind(monkeypatch):
    from django.db import connection

    from acuerda.core import demo

    def indexes() -> set[str]:
        with connection.cursor() as cursor:
            tables = [Debtor._meta.db_table, ContactPoint._meta.db_table, Account._meta.db_table]
            return {i for t in tables for i in connection.introspection.get_constraints(cursor, t)}

    before = indexes()
    calls = {"n": 0}
    original = demo._Generator._account

    def failing(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] > 150:
            raise RuntimeError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(demo._Generator, "_account", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        build_demo(accounts=SIZE, seed=4, today=TODAY, batch_accounts=50)

    assert not Creditor.objects.exists() and not Debtor.objects.exists() and not Account.objects.exists()
    assert not User.objects.filter(username__in=[u.username for u in DEMO_USERS]).exists()
    assert indexes() == before


@pytest.mark.django_db
def test_given_the_demo_then_the_agent_workspace_is_ready_to_work(monkeypatch):
    """Policies, scripts and the catalogue exist, the queue holds the open accounts, and the
    demo agent gets a Spanish account to call on a weekday morning — also after a reset."""
    from django.utils import timezone

    from acuerda.workspace.models import Disposition, NegotiationPolicy, QueueItem, Script
    from acuerda.workspace.queue import next_account

    build_demo(accounts=SIZE, seed=5, today=TODAY)
    build_demo(accounts=SIZE, seed=5, today=TODAY, reset=True)  # the reset wipes, the demo restores
    assert Disposition.objects.filter(creditor__isnull=True, code="promise_to_pay").exists()
    assert NegotiationPolicy.objects.count() == len(CREDITORS)
    assert Script.objects.filter(stage="insist", language="es").exists()
    assert QueueItem.objects.count() == Account.objects.filter(status="active").count() > 0
    monday_morning = dt.datetime.combine(TODAY, dt.time(11, 0), tzinfo=timezone.get_current_timezone())
    monkeypatch.setattr(timezone, "now", lambda: monday_morning)
    agent = User.objects.get(username="agente")
    assignment = next_account(agent=agent, now=monday_morning)
    assert assignment is not None and assignment.account.portfolio.jurisdiction_country == "ES"


@pytest.mark.django_db
def test_given_the_demo_then_a_remittance_for_a_creditor_opens_as_xlsx_and_pdf(tmp_path):
    """Done-when of the money issue: a demo creditor's remittance as real documents."""
    import openpyxl
    import pypdfium2 as pdfium

    from acuerda.payments.documents import remittance_pdf, remittance_xlsx
    from acuerda.payments.models import Payment
    from acuerda.payments.remittances import remittance_build, remittance_document

    build_demo(accounts=SIZE, seed=3, today=TODAY)
    assert Payment.objects.count() >= len(CREDITORS)
    creditor = Creditor.objects.get(code="banco-iberico")
    last_month = (TODAY.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    remittance = remittance_build(creditor=creditor, period=last_month, actor=None)
    assert remittance.lines.exists() and remittance.commission > 0
    assert not ledger_mismatches().exists()
    document = remittance_document(remittance)
    book = openpyxl.load_workbook(io.BytesIO(remittance_xlsx(document)))
    assert book["Detalle"].max_row > 1
    pdf = pdfium.PdfDocument(remittance_pdf(document))
    image = pdf[0].render(scale=0.6).to_pil().convert("L")
    image.save(tmp_path / "remittance.png")
    assert sum(image.histogram()[:200]) > image.width * image.height * 0.02
