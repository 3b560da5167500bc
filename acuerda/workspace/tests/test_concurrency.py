"""Agents asking for the next account at the same moment never get the same one: a real race
between threads, each with its own PostgreSQL connection, released together by a barrier."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection

from .conftest import NOW

AGENTS = 8
ACCOUNTS = 5  # fewer accounts than agents: some must be told there is nothing


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="a real race needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_next_account_never_gives_the_same_account_twice(world, clock):  # type: ignore[no-untyped-def]
    from django.db import connections

    from acuerda.debtors.identifiers import demo_national_id
    from acuerda.debtors.services import contact_point_add, debtor_get_or_create
    from acuerda.debts.services import account_open
    from acuerda.people.services import user_create
    from acuerda.workspace.models import WorkClaim
    from acuerda.workspace.queue import next_account, queue_refresh

    for i in range(ACCOUNTS - 1):  # plus LN-0001
        debtor, _ = debtor_get_or_create(country="ES", id_type="DNI",
                                         id_number=demo_national_id(country="ES", id_type="DNI", seq=500 + i),
                                         first_name="Ana", last_name=f"Prueba {i}")
        contact_point_add(debtor=debtor, kind="phone", value=f"61122334{i}", source="creditor", default_region="ES")
        account_open(portfolio=world.p_es, debtor=debtor, creditor_reference=f"RACE-{i}", product="personal_loan",
                     principal=Decimal("1000"), first_unpaid_due_on=NOW.date() - dt.timedelta(days=40),
                     actor=world.admin)
    queue_refresh(today=NOW.date())
    agents = [user_create(username=f"racer{i}", password="Correct-Horse-42", role="agent") for i in range(AGENTS)]
    world.team_es.members.add(*agents)

    barrier = threading.Barrier(AGENTS)
    results: dict[str, int | None] = {}
    errors: list[BaseException] = []

    def work(agent) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait(timeout=30)
            got = next_account(agent=agent, now=clock())
            results[agent.username] = got.account.pk if got else None
        except BaseException as exc:  # reported below, with the thread's own traceback
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    given = [pk for pk in results.values() if pk is not None]
    assert len(results) == AGENTS
    assert len(given) == len(set(given)) == ACCOUNTS  # every account given once, to one agent
    claims = dict(WorkClaim.objects.values_list("agent__username", "account_id"))
    assert claims == {name: pk for name, pk in results.items() if pk is not None}
    assert connection.vendor == "postgresql"
