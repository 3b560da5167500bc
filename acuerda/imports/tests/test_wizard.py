"""The import wizard through Django's test client: upload → preview → validate → confirm → done,
who may do what, what a bad upload leaves behind (nothing), and the same file twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from acuerda.debts.models import Account
from acuerda.imports.choices import ImportStatus
from acuerda.imports.models import ImportJob, ImportProfile

from .conftest import run_import


def ugly_csv() -> bytes:
    """Semicolons, decimal commas, a BOM, local phones, a bad DNI and a repeated reference."""
    from acuerda.debtors.identifiers import demo_national_id

    dni = [demo_national_id(country="ES", id_type="DNI", seq=s) for s in (101, 102, 103)]
    lines = [
        "Nº Operación;DNI;Nombre;Apellidos;Teléfono 1;Capital;Intereses;Fecha impago;",
        f"W-1;{dni[0]};Ana;Ruiz;600 12 34 56;1.234,56;10,00;01/02/2025;",
        f"W-2;{dni[1]};Bea;Soto;;500,00;;15/03/2025;",
        "W-3;12345678A;Carla;Mora;;100,00;;;",
        f"W-1;{dni[2]};Dora;Vila;;50,00;;;",
    ]
    return "\ufeff".encode() + "\r\n".join(lines).encode("utf-8") + b"\r\n"


@pytest.fixture
def eager(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Tasks run in the process (the Celery app read its settings already), files in tmp_path."""
    from config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.DATA_DIR = tmp_path / "data"
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield settings.DATA_DIR
    app.conf.task_always_eager = before


def _login(client, user):  # type: ignore[no-untyped-def]
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _upload(client, world, *, content: bytes, name: str = "cartera.csv", profile=None, portfolio=None):  # type: ignore[no-untyped-def]
    portfolio = portfolio or world.p_es
    data = {"creditor": portfolio.creditor_id, "portfolio": portfolio.pk, "profile": profile.pk if profile else "",
            "file": SimpleUploadedFile(name, content, content_type="text/csv")}
    return client.post(reverse("imports:new"), data)


def _files(data_dir: Path) -> list[Path]:
    return [p for p in (data_dir / "imports").rglob("*") if p.is_file()] if (data_dir / "imports").exists() else []


def test_given_a_profile_when_uploading_validating_and_confirming_then_good_rows_are_imported_once(
    client, world, es_profile, eager, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    _login(client, world.admin)
    assert client.get(reverse("imports:new")).status_code == 200

    response = _upload(client, world, content=ugly_csv(), profile=es_profile)
    job = ImportJob.objects.get(dry_run=False)
    assert response.status_code == 302 and response["Location"] == reverse("imports:preview", args=[job.pk])
    assert job.status == ImportStatus.UPLOADED and job.actor == world.admin and job.file_name == "cartera.csv"
    assert (eager / "imports" / job.sha256 / "cartera.csv").read_bytes() == ugly_csv()

    page = client.get(reverse("imports:preview", args=[job.pk])).content.decode()
    assert "utf-8-sig (detected)" in page and "; (semicolon) (detected)" in page
    assert '<option value="reference" selected>' in page  # Nº Operación → reference
    assert "600 12 34 56" in page and "1.234,56" in page

    page = client.get(reverse("imports:validate", args=[job.pk])).content.decode()
    assert "Validate the file" in page and "Confirm and import" not in page
    # Confirming before validating is refused.
    response = client.post(reverse("imports:confirm", args=[job.pk]))
    assert response["Location"] == reverse("imports:validate", args=[job.pk])
    job.refresh_from_db()
    assert job.confirmed_at is None

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(reverse("imports:validate", args=[job.pk]))
    assert len(callbacks) == 1
    dry = ImportJob.objects.get(dry_run=True)
    assert (dry.status, dry.rows_read, dry.rows_rejected, dry.accounts_created) == (ImportStatus.VALIDATED, 4, 2, 2)
    assert Account.objects.filter(portfolio=world.p_es, creditor_reference__startswith="W-").count() == 0

    page = client.get(reverse("imports:validate", args=[job.pk])).content.decode()
    assert "Confirm and import" in page and "12345678A" in page
    assert "Reference W-1 already appears in row 2 of this file." in page
    report = client.get(reverse("imports:report", args=[dry.pk, "csv"]))
    assert report["Content-Disposition"] == f'attachment; filename="import-{dry.pk}-rejected-rows.csv"'
    assert report.content.decode("utf-8-sig").splitlines()[0] == "Row,Column,Value,Reason code,Reason"
    xlsx = client.get(reverse("imports:report", args=[dry.pk, "xlsx"]))
    assert xlsx.content[:2] == b"PK"

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("imports:confirm", args=[job.pk]))
        client.post(reverse("imports:confirm", args=[job.pk]))  # a double click queues nothing more
    assert response["Location"] == reverse("imports:detail", args=[job.pk]) and len(callbacks) == 1
    job.refresh_from_db()
    assert (job.status, job.accounts_created, job.rows_rejected) == (ImportStatus.DONE, 2, 2)
    assert job.confirmed_at is not None
    assert set(Account.objects.filter(creditor_reference__startswith="W-").values_list("creditor_reference", flat=True)) == {"W-1", "W-2"}

    page = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "Done" in page and 'data-testid="rows-rejected">2<' in page and "every 1s" not in page
    assert reverse("imports:report", args=[job.pk, "xlsx"]) in page
    assert job.file_name in client.get(reverse("imports:list")).content.decode()


def test_given_no_profile_when_the_mapping_is_saved_then_a_profile_and_a_job_exist(
    client, world, eager
):  # type: ignore[no-untyped-def]
    _login(client, world.admin)
    response = _upload(client, world, content=ugly_csv())
    assert response["Location"] == reverse("imports:upload_mapping")
    assert not ImportJob.objects.exists()

    page = client.get(reverse("imports:upload_mapping")).content.decode()
    # The mapping is guessed from the header names.
    for value in ("reference", "id_number", "first_name", "last_name", "phone", "principal", "interest", "due_date"):
        assert f'<option value="{value}" selected>' in page
    form = {f"col_{i}": target for i, target in enumerate(
        ["reference", "id_number", "first_name", "last_name", "phone", "principal", "interest", "due_date"])}
    form.update(name="mensual-web", default_country="ES", default_id_type="DNI", decimal_separator=",",
                thousands_separator=".", date_formats=["dd/mm/yyyy"], bad_row_policy="import_valid")

    bad = client.post(reverse("imports:upload_mapping"), {**form, "col_1": "ignore"})
    assert bad.status_code == 400 and "mapping: no column maps to id_number." in bad.content.decode()
    assert not ImportProfile.objects.exists() and not ImportJob.objects.exists()

    response = client.post(reverse("imports:upload_mapping"), form)
    profile = ImportProfile.objects.get(creditor=world.bank_es, name="mensual-web")
    assert profile.column_map["Nº Operación"] == "reference" and profile.default_currency == "EUR"
    job = ImportJob.objects.get(profile=profile, dry_run=False)
    assert response["Location"] == reverse("imports:validate", args=[job.pk])


def test_given_a_job_when_the_mapping_changes_under_a_new_name_then_the_job_uses_the_new_profile(
    client, world, es_profile, eager
):  # type: ignore[no-untyped-def]
    _login(client, world.admin)
    _upload(client, world, content=ugly_csv(), profile=es_profile)
    job = ImportJob.objects.get()
    form = {f"col_{i}": t for i, t in enumerate(
        ["reference", "id_number", "first_name", "last_name", "ignore", "principal", "interest", "due_date"])}
    form.update(name="sin-telefono", default_country="ES", default_id_type="DNI", decimal_separator=",",
                thousands_separator=".", date_formats=["dd/mm/yyyy", "excel"], bad_row_policy="reject_file")
    response = client.post(reverse("imports:preview", args=[job.pk]), form)
    assert response["Location"] == reverse("imports:validate", args=[job.pk])
    job.refresh_from_db()
    assert job.profile.name == "sin-telefono" and job.profile.column_map["Teléfono 1"] == "ignore"
    assert job.profile.bad_row_policy == "reject_file"
    assert ImportProfile.objects.get(pk=es_profile.pk).column_map == es_profile.column_map


def test_given_the_same_file_twice_then_the_second_upload_leads_to_the_first_job(
    client, world, es_profile, eager
):  # type: ignore[no-untyped-def]
    _login(client, world.admin)
    _upload(client, world, content=ugly_csv(), profile=es_profile)
    first = ImportJob.objects.get()
    response = _upload(client, world, content=ugly_csv(), name="otra vez.CSV", profile=es_profile)
    assert response["Location"] == reverse("imports:detail", args=[first.pk])
    assert ImportJob.objects.count() == 1
    assert [p.name for p in _files(eager)] == ["cartera.csv"]  # no second copy
    page = client.get(response["Location"], follow=True).content.decode()
    assert "This file was already uploaded to this portfolio" in page
    # Also without a profile: the content is what identifies the job.
    response = _upload(client, world, content=ugly_csv())
    assert response["Location"] == reverse("imports:detail", args=[first.pk])


@pytest.mark.parametrize(("name", "content", "message"), [
    ("vacio.csv", b"", "The submitted file is empty."),
    ("cartera.pdf", b"%PDF-1.4", "cartera.pdf is not a CSV, XLSX or JSON Lines file"),
    ("binario.csv", b"Ref;DNI\x00\x01\x02;Capital\n", "binario.csv is not a text file."),
    ("solo-cabecera.csv", "Nº Operación;DNI\n".encode(), "solo-cabecera.csv has a header row but no data rows."),
    ("hoja.xlsx", b"this is no zip", "hoja.xlsx is not a readable XLSX workbook"),
    ("lineas.jsonl", b'[1, 2]\n{"ref": 1}\n', "Line 1 of lineas.jsonl is not a JSON object."),
])
def test_given_a_bad_upload_then_a_clear_message_and_nothing_is_written(
    client, world, es_profile, eager, name, content, message
):  # type: ignore[no-untyped-def]
    _login(client, world.admin)
    response = _upload(client, world, content=content, name=name, profile=es_profile)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportJob.objects.exists() and _files(eager) == []


def test_given_a_profile_with_a_fixed_encoding_when_the_file_does_not_decode_then_it_is_refused(
    client, world, es_profile, eager
):  # type: ignore[no-untyped-def]
    ImportProfile.objects.filter(pk=es_profile.pk).update(encoding="utf-8")
    es_profile.refresh_from_db()
    _login(client, world.admin)
    response = _upload(client, world, content="Nº Operación;DNI\nA-1;Muñoz\n".encode("latin-1"), profile=es_profile)
    assert response.status_code == 400
    assert "cartera.csv cannot be decoded as utf-8 text." in response.content.decode()
    assert not ImportJob.objects.exists() and _files(eager) == []


def test_given_a_size_limit_then_a_larger_file_is_refused(client, world, es_profile, eager, settings):  # type: ignore[no-untyped-def]
    settings.ACUERDA_IMPORT_MAX_BYTES = 100
    _login(client, world.admin)
    response = _upload(client, world, content=ugly_csv(), profile=es_profile)
    assert response.status_code == 400 and "the limit is 100" in response.content.decode()
    assert not ImportJob.objects.exists() and _files(eager) == []


def test_given_a_portfolio_of_another_creditor_then_the_upload_is_refused(client, world, es_profile, eager):  # type: ignore[no-untyped-def]
    _login(client, world.admin)
    data = {"creditor": world.bank_es.pk, "portfolio": world.p_co.pk, "profile": es_profile.pk,
            "file": SimpleUploadedFile("c.csv", ugly_csv())}
    response = client.post(reverse("imports:new"), data)
    # Choosing the creditor narrows the portfolios to its own.
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert not ImportJob.objects.exists() and _files(eager) == []


@pytest.fixture
def jobs(world, es_profile, tmp_path, eager):  # type: ignore[no-untyped-def]
    """One finished import in the Spanish portfolio and one in the Colombian one."""
    from acuerda.imports.profiles import profile_save
    from acuerda.imports.tasks import import_file_path

    co_profile, _ = profile_save(creditor=world.telco_co, data={
        "name": "co", "mapping": {"ref": "reference", "cc": "id_number", "nombre": "first_name", "saldo": "principal"},
        "defaults": {"country": "CO", "id_type": "CC"}})
    out = {}
    for key, profile, portfolio, text in (
        ("es", es_profile, world.p_es, ugly_csv()),
        ("co", co_profile, world.p_co, b"ref;cc;nombre;saldo\nT-9;1020304050;Luis;100000\n"),
    ):
        import hashlib

        sha = hashlib.sha256(text).hexdigest()
        path = import_file_path(sha256=sha, file_name=f"{key}.csv")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text)
        out[key], _created = run_import(path, profile=profile, portfolio=portfolio)
    return out


def test_permissions_and_scope(client, world, jobs):  # type: ignore[no-untyped-def]
    es, co = jobs["es"], jobs["co"]
    pages = [("imports:detail", []), ("imports:preview", []), ("imports:validate", []), ("imports:progress", []),
             ("imports:report", ["csv"])]

    assert client.get(reverse("imports:list"))["Location"].startswith(reverse("login"))

    # Creditor users and agents have no import permission at all; jobs outside their scope are 404.
    for user, outside, inside in ((world.creditor_es, co, es), (world.agent_co, es, co), (world.agent_es, co, es)):
        _login(client, user)
        assert client.get(reverse("imports:list")).status_code == 403
        assert client.get(reverse("imports:new")).status_code == 403
        for name, extra in pages:
            assert client.get(reverse(name, args=[outside.pk, *extra])).status_code == 404, (user, name)
            assert client.get(reverse(name, args=[inside.pk, *extra])).status_code == 403, (user, name)
        assert "Imports</a>" not in client.get(reverse("core:home")).content.decode()

    # A supervisor sees the team's portfolios only.
    _login(client, world.supervisor)
    listing = client.get(reverse("imports:list")).content.decode()
    assert "Imports</a>" in listing and "es.csv" in listing and "co.csv" not in listing
    for name, extra in pages:
        assert client.get(reverse(name, args=[co.pk, *extra])).status_code == 404
    assert client.get(reverse("imports:detail", args=[es.pk])).status_code == 200
    assert client.post(reverse("imports:confirm", args=[co.pk])).status_code == 404

    # Compliance sees everything, changes nothing.
    _login(client, world.compliance)
    listing = client.get(reverse("imports:list")).content.decode()
    assert "es.csv" in listing and "co.csv" in listing
    assert client.get(reverse("imports:new")).status_code == 403
    assert client.post(reverse("imports:confirm", args=[es.pk])).status_code == 403
    assert client.post(reverse("imports:validate", args=[es.pk])).status_code == 403


def test_given_a_supervisor_then_jobs_can_be_created_but_profiles_not_changed(
    client, world, es_profile, eager
):  # type: ignore[no-untyped-def]
    _login(client, world.supervisor)
    assert _upload(client, world, content=ugly_csv(), profile=es_profile).status_code == 302
    job = ImportJob.objects.get()
    page = client.get(reverse("imports:preview", args=[job.pk])).content.decode()
    assert "Continue with this profile" in page and "Save the mapping" not in page and "<select" not in page.split(
        'class="mapping"')[1].split("</table>")[0]
    assert client.post(reverse("imports:preview", args=[job.pk]), {"name": "x"}).status_code == 403
    # Without a profile there is nothing the supervisor can do but ask.
    other = ugly_csv().replace(b"W-", b"V-")
    _upload(client, world, content=other)
    page = client.get(reverse("imports:upload_mapping")).content.decode()
    assert "you may not create one" in page
    assert client.post(reverse("imports:upload_mapping"), {"name": "x"}).status_code == 403


def test_the_progress_fragment_polls_until_the_job_has_finished(
    client, world, es_profile, eager, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    from acuerda.imports.tasks import import_job_run

    _login(client, world.admin)
    _upload(client, world, content=ugly_csv(), profile=es_profile)
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("imports:validate", args=[job.pk]))
        client.post(reverse("imports:validate", args=[job.pk]))  # one validation at a time
    assert len(callbacks) == 1 and ImportJob.objects.filter(dry_run=True).count() == 1
    dry = ImportJob.objects.get(dry_run=True)
    text = client.get(reverse("imports:validate", args=[job.pk])).content.decode()
    assert f'hx-get="{reverse("imports:progress", args=[dry.pk])}"' in text and "Step 1 of 3: Queued" in text
    callbacks[0]()
    assert "Validation result" in client.get(reverse("imports:validate", args=[job.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:  # the worker has not started yet
        client.post(reverse("imports:confirm", args=[job.pk]))
    assert len(callbacks) == 1
    fragment = client.get(reverse("imports:progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    text = fragment.content.decode()
    assert 'hx-trigger="every 1s"' in text and "Step 1 of 4: Queued" in text and "HX-Refresh" not in fragment
    assert "<progress aria-labelledby" in text  # indeterminate: no value while it works
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING)
    assert "Step 3 of 4: Importing" in client.get(reverse("imports:progress", args=[job.pk])).content.decode()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.UPLOADED)

    assert import_job_run(job.pk) == ImportStatus.DONE
    assert import_job_run(job.pk) == ImportStatus.DONE  # running it twice is harmless
    assert import_job_run(10**9) == "missing"
    fragment = client.get(reverse("imports:progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert "every 1s" not in fragment.content.decode() and fragment["HX-Refresh"] == "true"
    assert 'value="1"' in fragment.content.decode()


def test_a_failed_job_can_be_run_again(client, world, jobs, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    es = jobs["es"]
    ImportJob.objects.filter(pk=es.pk).update(status=ImportStatus.FAILED, failure_code="internal_error",
                                              failure_params={"detail": "boom"})
    _login(client, world.admin)
    page = client.get(reverse("imports:detail", args=[es.pk])).content.decode()
    assert "The import stopped on an unexpected error (boom)" in page and "Run the import again" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:retry", args=[es.pk]))
    es.refresh_from_db()
    assert es.status == ImportStatus.DONE


def test_given_a_running_import_when_it_reports_rows_then_the_bar_shows_them_and_the_report_goes_at_the_end(
    client, world, es_profile, monkeypatch, settings, tmp_path
):  # type: ignore[no-untyped-def]
    from acuerda.imports import progress, services, tasks
    from acuerda.imports.tasks import import_job_run

    settings.DATA_DIR = tmp_path
    _login(client, world.admin)
    _upload(client, world, content=ugly_csv(), profile=es_profile)
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING)
    progress.progress_write(job_id=job.pk, rows_read=1234, rows_expected=5000)
    text = client.get(reverse("imports:progress", args=[job.pk])).content.decode()
    assert 'max="5000" value="1234"' in text and "(24 %)" in text
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.UPLOADED, confirmed_at=timezone.now())

    reports: list[tuple[int, int]] = []
    real_write = progress.progress_write

    def spy(*, job_id: int, rows_read: int, rows_expected: int) -> None:
        reports.append((rows_read, rows_expected))
        real_write(job_id=job_id, rows_read=rows_read, rows_expected=rows_expected)

    monkeypatch.setattr(tasks, "progress_write", spy)
    monkeypatch.setattr(services, "CHUNK_ROWS", 1)
    assert import_job_run(job.pk) == ImportStatus.DONE
    job.refresh_from_db()
    assert len(reports) >= 3, reports
    assert [r for r, _e in reports] == sorted(r for r, _e in reports)  # it only moves forward
    assert reports[-1][0] == job.rows_read and all(e >= r for r, e in reports)
    assert progress.progress_read(job.pk) is None  # gone once the job has finished
