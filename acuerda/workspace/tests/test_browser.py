"""The agent workspace in a real browser (Debian's Chromium, driven by Playwright), at 1366x768:
an agent takes the next account, sees its history, calls (the gate clears it), records a no-answer
with the keyboard, registers a promise, proposes terms beyond their authority; a supervisor
approves them in another browser and the agent sees the approval without reloading. A creditor
user cannot open the workspace.

Set ACUERDA_SCREENSHOTS=docs/screenshots to refresh the README's screenshots."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import NOW

PASSWORD = "Correct-Horse-42"  # the personas' password (conftest.py)
CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium"),
]


@pytest.fixture
def browser(monkeypatch):  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"],
        )
        yield chromium
        chromium.close()


def _page(browser, url: str, username: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("pageerror", lambda error: pytest.fail(f"JavaScript error: {error}"))
    page.goto(f"{url}/login/?next=/work/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page


def _shot(page, name: str, tmp_path: Path, *, full_page: bool = False) -> None:  # type: ignore[no-untyped-def]
    folder = Path(os.environ.get("ACUERDA_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)


def test_the_agent_workspace_in_chromium(transactional_db, live_server, ws, browser, tmp_path):  # type: ignore[no-untyped-def]
    from acuerda.agreements.models import PaymentPlan, PromiseToPay
    from acuerda.compliance.models import ContactAttempt
    from acuerda.workspace.models import ApprovalRequest, Script

    ws.agent_es.first_name, ws.agent_es.last_name = "Javier", "Moreno"
    ws.agent_es.save()
    Script.objects.create(creditor=ws.bank_es, stage="insist", language="es", title="Insistencia",
                          body="{debtor_name}, seguimos sin recibir el pago de {amount} a {creditor}.\n\n"
                               "Escuche primero y ofrezca una solución: pago único con quita o cuotas.")
    url = live_server.url
    agent = _page(browser, url, "agent_es")
    _shot(agent, "workspace-home", tmp_path)

    # Take the next account: the only workable one of the agent's team, with its history.
    agent.keyboard.press("n")
    agent.wait_for_url(f"**/work/account/{ws.account_es.pk}/")
    agent.get_by_role("heading", name="Lucía García Pérez").wait_for()
    assert agent.locator("#timeline").get_by_text("Placed").count() >= 1
    assert agent.get_by_text("You are working this account").is_visible()

    # Call: the gate clears it; then "1" picks "No answer" and Ctrl+Enter saves.
    agent.get_by_role("button", name="Call +34600123456").click()
    agent.get_by_text("The gate allows calling +34600123456 now.").wait_for()
    agent.keyboard.press("1")
    assert agent.get_by_label("No answer").is_checked()
    agent.keyboard.press("Control+Enter")
    agent.get_by_text("Interaction recorded.").wait_for()
    agent.locator("#timeline").get_by_text("Call · No answer").wait_for()
    attempt = ContactAttempt.objects.get()
    assert attempt.outcome == "no_answer" and attempt.actor == ws.agent_es

    # A promise to pay in eight days.
    agent.get_by_text("Promise to pay", exact=True).click()
    agent.get_by_label("Amount", exact=True).fill("300.00")
    agent.get_by_label("Pay by").fill(NOW.date().replace(day=10).isoformat())
    agent.get_by_role("button", name="Register promise").click()
    agent.get_by_text("Promise to pay registered.").wait_for()
    assert PromiseToPay.objects.get().amount == 300

    # 20 % off is beyond the agent's 10 %: the calculator shows the schedule and asks for approval.
    agent.get_by_label("Discount (%)").fill("20")
    agent.get_by_label("Instalments").fill("3")
    agent.get_by_role("button", name="Calculate").click()
    agent.get_by_text("Beyond your authority; a supervisor must approve:").wait_for()
    assert agent.locator("#calculator-result").get_by_text("Total to pay").is_visible()
    _shot(agent, "workspace-360", tmp_path, full_page=True)
    agent.get_by_role("button", name="Ask a supervisor").click()
    agent.get_by_text("Sent to a supervisor for approval.").wait_for()
    request = ApprovalRequest.objects.get()
    status = agent.locator(f"#approval-{request.pk} .state")
    assert status.inner_text() == "Waiting for a supervisor"

    # The supervisor approves from their own browser.
    supervisor = _page(browser, url, "supervisor")
    supervisor.goto(f"{url}/work/approvals/")
    supervisor.get_by_role("heading", name=f"#{request.pk} · Lucía García Pérez · LN-0001 (Banco Ejemplo S.A.)").wait_for()
    _shot(supervisor, "approvals", tmp_path)
    supervisor.get_by_label("Answer to the agent").fill("OK, 20 % if paid in three months")
    supervisor.get_by_role("button", name="Approve").click()
    supervisor.get_by_text("Answer sent to the agent.").wait_for()

    # The agent sees it without reloading (the request is polled).
    agent.wait_for_function(
        f"document.querySelector('#approval-{request.pk} .state').textContent.trim() === 'Approved'", timeout=15_000)
    assert agent.get_by_text("OK, 20 % if paid in three months").is_visible()
    plan = PaymentPlan.objects.get()
    assert plan.approved_by == ws.supervisor and plan.instalments.count() == 3

    # A creditor user cannot open the workspace.
    creditor = _page(browser, url, "creditor_es")
    response = creditor.goto(f"{url}/work/account/{ws.account_es.pk}/")
    assert response is not None and response.status == 403
