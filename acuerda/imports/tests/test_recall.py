"""Recall: statuses, events, the portfolio's status, refusals reported, the file, atomicity."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook

from acuerda.debts.models import Account, AccountEvent
from acuerda.debts.services import account_open, account_transition
from acuerda.imports.recalls import RecallError, portfolio_recall

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_more(world):  # type: ignore[no-untyped-def]
    """LN-0002 (active), LN-0003 (paid), LN-0004 (written off) beside LN-0001 (active)."""
    made = []
    for n in (2, 3, 4):
        made.append(account_open(
            portfolio=world.p_es, debtor=world.debtor_es, creditor_reference=f"LN-000{n}", product="credit_card",
            principal=Decimal("100.00"), first_unpaid_due_on=None, actor=world.admin,
        ))
    account_transition(account=made[1], to_status="paid", actor=world.admin, reason="paid in full")
    account_transition(account=made[2], to_status="written_off", actor=world.admin, reason="uncollectable")
    return made


def test_recalling_a_whole_portfolio_recalls_open_accounts_and_the_portfolio(world, three_more):
    stream = io.StringIO()

    result = portfolio_recall(portfolio=world.p_es, actor=world.admin, reason="Fin de la cesión", output=stream)

    statuses = dict(Account.objects.filter(portfolio=world.p_es).values_list("creditor_reference", "status"))
    assert statuses == {"LN-0001": "recalled", "LN-0002": "recalled", "LN-0003": "paid", "LN-0004": "written_off"}
    events = AccountEvent.objects.filter(kind="status_changed", to_status="recalled")
    assert sorted(events.values_list("account__creditor_reference", "reason", "actor")) == [
        ("LN-0001", "Fin de la cesión", world.admin.pk), ("LN-0002", "Fin de la cesión", world.admin.pk)]
    world.p_es.refresh_from_db()
    assert world.p_es.status == "recalled" and result.portfolio_recalled
    assert result.refused == []  # a whole-portfolio recall only chooses open accounts
    rows = list(csv.DictReader(io.StringIO(stream.getvalue())))
    assert [(r["reference"], r["status"], r["total"]) for r in rows] == [
        ("LN-0001", "recalled", "1650.50"), ("LN-0002", "recalled", "100.00")]
    assert result.rows_written == 2
    assert world.p_co.accounts.get().status == "active"


def test_chosen_accounts_that_cannot_be_recalled_are_reported_not_forced(world, three_more):
    result = portfolio_recall(
        portfolio=world.p_es, actor=world.supervisor, reason="Devolución parcial",
        references=["LN-0002", "LN-0003", "LN-0004", "NOPE-1"],
    )

    assert [Account.objects.get(pk=pk).creditor_reference for pk in result.recalled_ids] == ["LN-0002"]
    assert [(r.reference, r.status) for r in result.refused] == [("LN-0003", "paid"), ("LN-0004", "written_off")]
    assert result.unknown_references == ["NOPE-1"]
    world.p_es.refresh_from_db()
    assert world.p_es.status == "active" and not result.portfolio_recalled  # LN-0001 is still open
    assert Account.objects.get(creditor_reference="LN-0001").status == "active"

    again = portfolio_recall(portfolio=world.p_es, actor=world.supervisor, reason="otra vez",
                             accounts=Account.objects.filter(creditor_reference="LN-0002"))
    assert again.recalled_ids == [] and [r.reason for r in again.refused] == ["already recalled"]


def test_the_recall_file_as_xlsx(world):
    binary = io.BytesIO()
    portfolio_recall(portfolio=world.p_es, actor=world.admin, reason="fin", output=binary, file_format="xlsx")
    sheet = load_workbook(io.BytesIO(binary.getvalue()), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "LN-0001" and rows[1][7] == "recalled"


def test_a_recall_is_atomic_when_the_file_cannot_be_written(world):
    class Broken(io.StringIO):
        def write(self, value: str) -> int:
            raise OSError("disk full")

    with pytest.raises(OSError):
        portfolio_recall(portfolio=world.p_es, actor=world.admin, reason="fin", output=Broken())

    world.account_es.refresh_from_db()
    world.p_es.refresh_from_db()
    assert world.account_es.status == "active" and world.p_es.status == "active"
    assert not AccountEvent.objects.filter(to_status="recalled").exists()


def test_only_users_who_may_change_accounts_of_the_portfolio_may_recall(world):
    for user in (world.creditor_es, world.agent_es, world.compliance, world.agent_co):
        with pytest.raises(PermissionDenied):
            portfolio_recall(portfolio=world.p_es, actor=user, reason="fin")
    with pytest.raises(RecallError):
        portfolio_recall(portfolio=world.p_es, actor=world.admin, reason="  ")
    assert world.p_es.accounts.get().status == "active"


def test_recall_queries_are_what_account_transition_needs(world, django_assert_max_num_queries):
    from acuerda.imports.tests.test_exports import bulk_accounts

    bulk_accounts(world.p_es, 200)
    # 5 per account, all inside account_transition (savepoint, locking read, update, event, release)
    # + a handful per chunk and per recall.
    with django_assert_max_num_queries(5 * 201 + 15):
        result = portfolio_recall(portfolio=world.p_es, actor=world.admin, reason="fin", output=io.StringIO())
    assert len(result.recalled_ids) == 201 and result.portfolio_recalled


def _cli(*args: str) -> tuple[int, str, str]:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("portfolio", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, str(exc), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_cli_recall_with_references_reports_refusals_and_exits_0(world, three_more, tmp_path):
    refs = tmp_path / "refs.txt"
    refs.write_text("LN-0002\nLN-0003\nNOPE\n", encoding="utf-8")
    code, out, err = _cli("recall", "--creditor", "bank-es", "--portfolio", "ES-2026-01", "--user", "supervisor",
                          "--references", str(refs), "--reason", "Devolución", "--output", str(tmp_path / "r.csv"))
    assert code == 0 and "Recalled 1 accounts" in out
    assert "LN-0003" in err and "NOPE" in err
    rows = list(csv.DictReader((tmp_path / "r.csv").open(encoding="utf-8-sig")))
    assert [r["reference"] for r in rows] == ["LN-0002"]


def test_cli_recall_refused_for_a_read_only_user_leaves_no_file(world, tmp_path):
    code, text, _err = _cli("recall", "--creditor", "bank-es", "--portfolio", "ES-2026-01", "--user", "creditor_es",
                            "--reason", "x", "--output", str(tmp_path / "r.xlsx"))
    assert code == 1 and "may not recall" in text
    assert list(tmp_path.iterdir()) == []
    assert world.p_es.accounts.get().status == "active"


def test_cli_recall_of_everything_as_json(world, tmp_path):
    code, out, _err = _cli("recall", "--creditor", "bank-es", "--portfolio", "ES-2026-01", "--user", "admin",
                           "--reason", "fin", "--output", str(tmp_path / "r.xlsx"), "--json")
    assert code == 0
    import json

    summary = json.loads(out)
    assert summary["recalled"] == 1 and summary["portfolio_recalled"] is True
    assert load_workbook(tmp_path / "r.xlsx").active["A2"].value == "LN-0001"
