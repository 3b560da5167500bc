"""The import wizard in a real browser (Debian's Chromium, driven by Playwright): sign in, upload an
ugly CSV without a profile, keep the guessed mapping as a profile, validate, download the error
report, confirm, and watch the progress bar (HTMX polling) reach "done"."""

from __future__ import annotations

from pathlib import Path

import pytest

from acuerda.imports.choices import ImportStatus
from acuerda.imports.models import ImportJob

from .test_wizard import ugly_csv

PASSWORD = "Correct-Horse-42"  # the personas' password (conftest.py)

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path("/tmp")  # noqa: S108 - one screenshot per wizard step, for a person to look at
# pyproject runs pytest with --strict-markers and registers only "slow".
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium"),
]


@pytest.fixture
def browser_page(monkeypatch):  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # around it are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"],
        )
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-US", accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()
        browser.close()


def test_the_wizard_in_chromium(transactional_db, live_server, world, settings, tmp_path, monkeypatch, browser_page):  # type: ignore[no-untyped-def]
    from config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.DATA_DIR = tmp_path / "data"
    eager_before, app.conf.task_always_eager = app.conf.task_always_eager, True  # the app read its settings already
    try:
        _walk_through_the_wizard(page=browser_page, url=live_server.url, world=world, tmp_path=tmp_path,
                                 monkeypatch=monkeypatch)
    finally:
        app.conf.task_always_eager = eager_before


def _walk_through_the_wizard(*, page, url, world, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    from acuerda.imports import views
    from acuerda.imports.tasks import import_job_run

    page.on("pageerror", lambda error: pytest.fail(f"JavaScript error: {error}"))
    csv_path = tmp_path / "Cartera Marzo (final).csv"
    csv_path.write_bytes(ugly_csv())

    # Sign in through the login page.
    page.goto(f"{url}/login/?next=/imports/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="New import").click()

    # 1. Upload: choosing the creditor narrows the portfolios (HTMX).
    page.get_by_label("Creditor").select_option(label="bank-es · Banco Ejemplo S.A.")
    page.wait_for_function("document.querySelectorAll('#id_portfolio option[value]:not([value=\"\"])').length === 1")
    page.get_by_label("Portfolio").select_option(label="bank-es · ES-2026-01")
    page.locator("#id_file").set_input_files(str(csv_path))
    page.screenshot(path=SHOTS / "wizard-1-upload.png", full_page=True)
    page.get_by_role("button", name="Upload and preview").click()

    # 2. Preview with the guessed mapping, saved as a profile.
    page.get_by_role("heading", name="Detected column mapping").wait_for()
    assert page.get_by_label("Nº Operación").input_value() == "reference"
    assert page.get_by_label("DNI").input_value() == "id_number"
    assert page.get_by_role("cell", name="1.234,56", exact=True).count() == 1
    page.get_by_label("Profile name").fill("marzo")
    page.screenshot(path=SHOTS / "wizard-2-preview.png", full_page=True)
    page.get_by_role("button", name="Save as profile and continue").click()

    # 3. Validate: a dry run (eager here), its counts, rejected rows and the report.
    page.get_by_role("button", name="Validate the file").click()
    page.get_by_role("heading", name="Validation result").wait_for()
    assert page.get_by_test_id("rows-rejected").inner_text() == "2"
    assert page.get_by_role("cell", name="12345678A", exact=True).count() == 1
    page.screenshot(path=SHOTS / "wizard-3-validate.png", full_page=True)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Error report (CSV)").click()
    report = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    assert report.splitlines()[0] == "Row,Column,Value,Reason code,Reason"
    assert "12345678A" in report and "duplicate_reference" in report

    # 4. Confirm: the job is queued (the worker is held back) and the page polls its progress.
    queued: list[int] = []
    monkeypatch.setattr(views, "import_job_run", type("Held", (), {"delay": staticmethod(queued.append)}))
    page.get_by_role("button", name="Confirm and import").click()
    page.get_by_text("Step 1 of 4: Queued").wait_for()
    page.screenshot(path=SHOTS / "wizard-4-progress.png", full_page=True)
    job = ImportJob.objects.get(dry_run=False)
    assert queued == [job.pk]
    assert import_job_run(job.pk) == ImportStatus.DONE  # the worker runs it; the page notices by itself
    page.get_by_role("status").filter(has_text="Done").wait_for()
    assert page.get_by_test_id("rows-rejected").inner_text() == "2"
    page.screenshot(path=SHOTS / "wizard-5-done.png", full_page=True)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Error report (XLSX)").click()
    assert Path(download_info.value.path()).read_bytes()[:2] == b"PK"
    assert world.p_es.accounts.filter(creditor_reference__in=["W-1", "W-2"]).count() == 2
    assert job.profile.name == "marzo" and job.file_name == "cartera-marzo-final.csv"

