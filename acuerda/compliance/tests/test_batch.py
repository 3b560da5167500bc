"""The daily run gives, for every open account, exactly what the gate answers during the day."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from acuerda.compliance.batch import contact_plan_day
from acuerda.compliance.services import (
    account_restriction_set,
    compliance_policy_save,
    contact_attempt_record,
    contact_check,
)
from acuerda.debtors.models import ContactPoint
from acuerda.debtors.services import consent_record
from acuerda.debts.services import account_open

MONDAY = dt.date(2026, 3, 2)
CHANNELS = ("call", "sms", "letter")


def _moments(day: dt.date, zone: str) -> list[dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo(zone))
    return [start + dt.timedelta(minutes=m) for m in range(0, 24 * 60, 30)]


def test_given_varied_accounts_when_the_day_is_planned_then_every_window_matches_the_gate(world):  # type: ignore[no-untyped-def]
    # CO: calls authorised, one conversation this morning (so the daily cap applies).
    phone = ContactPoint.objects.get(debtor=world.debtor_co, kind="phone")
    consent_record(contact_point=phone, channel="call", granted=True, evidence="contrato", actor=None)
    morning = dt.datetime(2026, 3, 2, 8, 0, tzinfo=ZoneInfo("America/Bogota"))
    contact_attempt_record(decision=contact_check(account=world.account_co, channel="call", at=morning),
                           outcome="conversation", at=morning)
    # ES: a second account of the same debtor under a cease request, and a creditor policy.
    ceased = account_open(portfolio=world.p_es, debtor=world.debtor_es, creditor_reference="LN-0002",
                          product="personal_loan", principal="100.00", interest="0.00", fees="0.00", actor=None,
                          first_unpaid_due_on=dt.date(2025, 12, 1))
    account_restriction_set(account=ceased, actor=None, cease_request=True)
    account_restriction_set(account=world.account_es, actor=None,
                            inconvenient_times=[{"weekdays": [0], "start": "14:00", "end": "16:00"}])
    compliance_policy_save(creditor=world.bank_es, jurisdiction="ES", rules={"hours": {"mon": [["09:30", "20:00"]]}})

    plans = {p.account_id: p.plan for p in contact_plan_day(day=MONDAY, channels=CHANNELS)}

    assert set(plans) == {world.account_es.pk, world.account_co.pk, ceased.pk}
    assert plans[ceased.pk] == {c: () for c in CHANNELS}
    assert plans[world.account_es.pk]["call"], "the ES holder can be called on Monday"
    checked = 0
    for account, zone in ((world.account_es, "Europe/Madrid"), (world.account_co, "America/Bogota"),
                          (ceased, "Europe/Madrid")):
        for channel in CHANNELS:
            spans = plans[account.pk][channel]
            for moment in _moments(MONDAY, zone):
                expected = contact_check(account=account, channel=channel, at=moment).allowed
                planned = any(start <= moment < end for start, end in spans)
                assert planned == expected, (account.creditor_reference, channel, moment.isoformat())
                checked += 1
    assert checked == 3 * len(CHANNELS) * 48


def test_given_a_portfolio_filter_when_planned_then_only_its_open_accounts_come(world):  # type: ignore[no-untyped-def]
    plans = list(contact_plan_day(day=MONDAY, channels=("call",), portfolio_ids=[world.p_co.pk]))
    assert [p.account_id for p in plans] == [world.account_co.pk]
    assert list(contact_plan_day(day=MONDAY, portfolio_ids=[])) == []
    as_json = plans[0].to_dict()
    assert as_json["account_id"] == world.account_co.pk and set(as_json["channels"]) == {"call"}


def test_the_cli_writes_the_daily_run_as_json_lines(world, tmp_path):  # type: ignore[no-untyped-def]
    import io
    import json

    import pytest
    from django.core.management import CommandError, call_command

    out, err = io.StringIO(), io.StringIO()
    call_command("compliance", "plan", "--date", "2026-03-02", "--portfolio", world.p_co.reference,
                 "--portfolio", world.p_es.reference, "--channel", "call", stdout=out, stderr=err)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["account_id"] for line in lines] == sorted([world.account_es.pk, world.account_co.pk])
    es = next(line for line in lines if line["account_id"] == world.account_es.pk)
    # Madrid and the Canaries both open: 10:00-21:00 peninsular time on a Monday.
    [(start, end)] = es["channels"]["call"]
    assert (dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end)) == (
        dt.datetime(2026, 3, 2, 10, tzinfo=ZoneInfo("Europe/Madrid")),
        dt.datetime(2026, 3, 2, 21, tzinfo=ZoneInfo("Europe/Madrid")))
    assert "Planned 2 open accounts for 2026-03-02" in err.getvalue()

    target = tmp_path / "plan.jsonl"
    call_command("compliance", "plan", "--date", "2026-03-02", "--output", str(target), stdout=out, stderr=err)
    assert len(target.read_text().splitlines()) == 2
    with pytest.raises(CommandError, match="Unknown portfolio"):
        call_command("compliance", "plan", "--portfolio", "NOPE", stdout=out, stderr=err)
