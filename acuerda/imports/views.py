"""The import wizard: upload → preview and mapping → validate (a dry run) → confirm → progress.

Jobs are found through their portfolio with the people scoping rules, so a job outside someone's
scope answers 404 before any permission question is asked. Running a job is a Celery task
enqueued after the request's transaction commits.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from acuerda.core.http import AuthenticatedHttpRequest
from acuerda.imports.choices import ImportStatus
from acuerda.imports.forms import (
    MappingForm,
    UploadForm,
    mapping_from_profile,
    mapping_guess,
    max_upload_bytes,
    profile_base,
)
from acuerda.imports.models import ImportJob, ImportProfile
from acuerda.imports.profiles import profile_save
from acuerda.imports.progress import progress_read
from acuerda.imports.readers import (
    FileFormat,
    UnreadableFile,
    detect_delimiter,
    detect_encoding,
    detect_format,
    preview,
)
from acuerda.imports.report import report_csv, report_xlsx
from acuerda.imports.services import import_job_confirm, import_job_create, import_job_set_profile
from acuerda.imports.tasks import import_file_path, import_job_run, job_file_path
from acuerda.people.scoping import portfolio_filter
from acuerda.portfolios.models import Portfolio

PREVIEW_ROWS = 20
ERRORS_SHOWN = 50
RUNNING = (ImportStatus.VALIDATING, ImportStatus.IMPORTING)
_SESSION_UPLOAD = "imports_upload"
_DELIMITER_NAMES = {";": "; (semicolon)", ",": ", (comma)", "\t": "tab", "|": "| (pipe)"}


def _jobs(request: AuthenticatedHttpRequest) -> QuerySet[ImportJob]:
    jobs = ImportJob.objects.select_related("creditor", "portfolio", "profile", "actor")
    condition = portfolio_filter(request.user)
    return jobs if condition is None else jobs.filter(condition)


def _job_or_404(request: AuthenticatedHttpRequest, pk: int, *, perm: str = "imports.view_importjob",
                dry_run: bool | None = False) -> ImportJob:
    """The job if the user's scope holds it (404 otherwise), then the permission (403)."""
    jobs = _jobs(request) if dry_run is None else _jobs(request).filter(dry_run=dry_run)
    job = get_object_or_404(jobs, pk=pk)
    if not request.user.has_perm(perm):
        raise PermissionDenied
    return job


def _enqueue(job: ImportJob) -> None:
    transaction.on_commit(lambda: import_job_run.delay(job.pk))


# --------------------------------------------------------------------------------------------
# List and upload
# --------------------------------------------------------------------------------------------


@login_required
@permission_required("imports.view_importjob", raise_exception=True)
def job_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(_jobs(request).filter(dry_run=False).order_by("-created_at", "-pk"), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "imports/list.html", {"page": page})


def _new_page(request: AuthenticatedHttpRequest, form: UploadForm, status: int = 200) -> HttpResponse:
    return render(request, "imports/new.html", {"form": form, "max_size": max_upload_bytes()}, status=status)


@login_required
@permission_required("imports.add_importjob", raise_exception=True)
@require_http_methods(["GET", "POST"])
def job_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = UploadForm(user=request.user, initial={"creditor": request.GET.get("creditor")})
        return _new_page(request, form)
    form = UploadForm(request.POST, request.FILES, user=request.user)
    stored = form.store() if form.is_valid() else None
    if stored is None:
        return _new_page(request, form, status=400)
    portfolio: Portfolio = form.cleaned_data["portfolio"]
    profile: ImportProfile | None = form.cleaned_data["profile"]
    if stored.earlier_job is not None:
        messages.info(request, _("This file was already uploaded to this portfolio: here is its import."))
        return redirect("imports:detail", stored.earlier_job.pk)
    if profile is None:
        request.session[_SESSION_UPLOAD] = {
            "portfolio": portfolio.pk, "sha256": stored.sha256, "file_name": stored.path.name,
        }
        return redirect("imports:upload_mapping")
    job, created = import_job_create(creditor=portfolio.creditor, portfolio=portfolio, profile=profile,
                                     path=stored.path, actor=request.user)
    if not created:
        messages.info(request, _("This file was already uploaded to this portfolio: here is its import."))
        return redirect("imports:detail", job.pk)
    return redirect("imports:preview", job.pk)


# --------------------------------------------------------------------------------------------
# Preview and mapping
# --------------------------------------------------------------------------------------------


def _file_preview(path: Any, *, encoding: str, delimiter: str) -> dict[str, Any]:
    """The first rows as the import will read them, with what was detected."""
    info: dict[str, Any] = {"error": "", "columns": [], "rows": [], "examples": {}, "encoding": "", "delimiter": "",
                            "format": ""}
    detected = f" ({_('detected')})"
    try:
        fmt = detect_format(path)
        info["format"] = fmt.upper()
        sample = preview(path, encoding=encoding, delimiter=delimiter, rows=PREVIEW_ROWS)
        if fmt == FileFormat.CSV:
            used = detect_encoding(path) if encoding == "auto" else encoding
            info["encoding"] = used + (detected if encoding == "auto" else "")
            if delimiter == "auto":
                with path.open("r", encoding=used, newline="") as stream:
                    info["delimiter"] = _DELIMITER_NAMES.get(d := detect_delimiter(stream.read(64 * 1024)), d) + detected
            else:
                info["delimiter"] = _DELIMITER_NAMES.get(delimiter, delimiter)
    except UnreadableFile as exc:
        info["error"] = str(exc)
        return info
    info["columns"] = sample.columns
    info["rows"] = [[row.get(c, "") for c in sample.columns] for row in sample.rows]
    info["examples"] = {c: [str(v) for v in (row.get(c, "") for row in sample.rows) if str(v).strip()][:3]
                        for c in sample.columns}
    return info


def _mapping_rows(form: MappingForm, sample: dict[str, Any]) -> list[tuple[str, Any, list[str]]]:
    return [(column, bound, sample["examples"].get(column, [])) for column, bound in form.column_fields()]


def _may_save_profile(request: AuthenticatedHttpRequest) -> bool:
    return request.user.has_perm("imports.add_importprofile") and request.user.has_perm("imports.change_importprofile")


def _mapping_form(request: AuthenticatedHttpRequest, *, columns: list[str], profile: ImportProfile | None,
                  portfolio: Portfolio) -> MappingForm:
    mapping = mapping_from_profile(profile, columns) if profile is not None else mapping_guess(columns)
    base = profile_base(profile=profile, portfolio=portfolio)
    data = request.POST if request.method == "POST" else None
    return MappingForm(data, columns=columns, mapping=mapping, base=base)


def _save_profile(request: AuthenticatedHttpRequest, form: MappingForm, *, portfolio: Portfolio,
                  previous: ImportProfile | None) -> ImportProfile | None:
    """Validate the form with the profile rules and save it; errors land on the form."""
    if not form.is_valid():
        return None
    same_name = previous is not None and previous.name == form.cleaned_data["name"]
    data = form.profile_data(previous.column_map if same_name and previous is not None else None)
    try:
        profile, _created = profile_save(creditor=portfolio.creditor, data=data)
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
        return None
    return profile


@login_required
@permission_required("imports.add_importjob", raise_exception=True)
@require_http_methods(["GET", "POST"])
def upload_mapping(request: AuthenticatedHttpRequest) -> HttpResponse:
    """An upload without a profile yet: define the mapping, save it as a profile, create the job."""
    pending = request.session.get(_SESSION_UPLOAD)
    if not pending:
        return redirect("imports:new")
    portfolio = get_object_or_404(Portfolio.objects.for_user(request.user).select_related("creditor"),
                                  pk=pending["portfolio"])
    path = import_file_path(sha256=pending["sha256"], file_name=pending["file_name"])
    if not path.is_file():
        del request.session[_SESSION_UPLOAD]
        return redirect("imports:new")
    sample = _file_preview(path, encoding="auto", delimiter="auto")
    form = _mapping_form(request, columns=sample["columns"], profile=None, portfolio=portfolio)
    may_save = _may_save_profile(request)
    if request.method == "POST":
        if not may_save:
            raise PermissionDenied
        profile = _save_profile(request, form, portfolio=portfolio, previous=None)
        if profile is not None:
            job, created = import_job_create(creditor=portfolio.creditor, portfolio=portfolio, profile=profile,
                                             path=path, actor=request.user)
            del request.session[_SESSION_UPLOAD]
            messages.success(request, _("Profile %(name)s saved.") % {"name": profile.name})
            return redirect("imports:validate" if created else "imports:detail", job.pk)
    return render(request, "imports/preview.html", {
        "job": None, "portfolio": portfolio, "file_name": path.name, "sample": sample, "form": form,
        "mapping_rows": _mapping_rows(form, sample), "may_save": may_save, "step": 2,
    }, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def job_preview(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(request, pk)
    if job.status != ImportStatus.UPLOADED or job.confirmed_at is not None:
        return redirect("imports:detail", job.pk)
    sample = _file_preview(job_file_path(job), encoding=job.profile.encoding, delimiter=job.profile.delimiter)
    form = _mapping_form(request, columns=sample["columns"], profile=job.profile, portfolio=job.portfolio)
    may_save = _may_save_profile(request) and request.user.has_perm("imports.add_importjob")
    if request.method == "POST":
        if not may_save:
            raise PermissionDenied
        profile = _save_profile(request, form, portfolio=job.portfolio, previous=job.profile)
        if profile is not None:
            if profile.pk != job.profile_id:
                # Only a job nobody has run or confirmed may change its profile.
                import_job_set_profile(job=job, profile=profile)
            messages.success(request, _("Profile %(name)s saved.") % {"name": profile.name})
            return redirect("imports:validate", job.pk)
    return render(request, "imports/preview.html", {
        "job": job, "portfolio": job.portfolio, "file_name": job.file_name, "sample": sample, "form": form,
        "mapping_rows": _mapping_rows(form, sample), "may_save": may_save, "step": 2,
    }, status=400 if form.errors else 200)


# --------------------------------------------------------------------------------------------
# Validate (a dry run), confirm, progress, report
# --------------------------------------------------------------------------------------------


def _latest_dry_run(job: ImportJob) -> ImportJob | None:
    """The newest dry run of this file with the job's profile as it is now (an older one, or
    one run before the profile last changed, no longer says anything about this import)."""
    dry = (
        ImportJob.objects.filter(portfolio_id=job.portfolio_id, sha256=job.sha256, dry_run=True,
                                 profile_id=job.profile_id)
        .select_related("profile")
        .order_by("-pk")
        .first()
    )
    if dry is None or dry.created_at < job.profile.updated_at:
        return None
    return dry


def _first_errors(job: ImportJob) -> list[Any]:
    return list(job.row_errors.order_by("row_number", "pk")[:ERRORS_SHOWN])


@login_required
@require_http_methods(["GET", "POST"])
def job_validate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(request, pk)
    if request.method == "POST":
        if not request.user.has_perm("imports.add_importjob"):
            raise PermissionDenied
        if job.status != ImportStatus.UPLOADED or job.confirmed_at is not None:
            return redirect("imports:detail", job.pk)
        running = _latest_dry_run(job)
        if running is not None and running.status in (ImportStatus.UPLOADED, ImportStatus.VALIDATING) and not (
            _is_stale(running)
        ):
            return redirect("imports:validate", job.pk)  # one validation at a time
        with transaction.atomic():
            check, _created = import_job_create(creditor=job.creditor, portfolio=job.portfolio,
                                                profile=job.profile, path=job_file_path(job), actor=request.user,
                                                dry_run=True)
            _enqueue(check)
        return redirect("imports:validate", job.pk)
    dry = _latest_dry_run(job)
    return render(request, "imports/validate.html", {
        **(_progress_context(dry) if dry else {}),
        "job": job, "dry": dry, "errors": _first_errors(dry) if dry else [], "step": 3,
        "may_add": request.user.has_perm("imports.add_importjob"),
        "may_confirm": (dry is not None and dry.status == ImportStatus.VALIDATED
                        and job.status == ImportStatus.UPLOADED and job.confirmed_at is None
                        and request.user.has_perm("imports.add_importjob")),
    })


@login_required
@require_POST
def job_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(request, pk, perm="imports.add_importjob")
    dry = _latest_dry_run(job)
    if dry is None or dry.status != ImportStatus.VALIDATED:
        messages.error(request, _("Validate the file with the current profile before confirming the import."))
        return redirect("imports:validate", job.pk)
    with transaction.atomic():
        # Compare-and-set: a double click or a second person confirms once.
        if import_job_confirm(job=job):
            _enqueue(job)
    return redirect("imports:detail", job.pk)


@login_required
@require_POST
def job_retry(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Run again a job that failed or was interrupted (the engine starts it over)."""
    job = _job_or_404(request, pk, perm="imports.add_importjob")
    if job.status == ImportStatus.FAILED or (job.status in RUNNING and _is_stale(job)):
        with transaction.atomic():
            _enqueue(job)
        messages.info(request, _("The import was queued to run again."))
    return redirect("imports:detail", job.pk)


def _is_stale(job: ImportJob) -> bool:
    """A running job whose run has said nothing for an hour was most likely killed."""
    started = job.started_at or job.created_at
    return timezone.now() - started > dt.timedelta(hours=1)


def _progress_context(job: ImportJob, *, real: ImportJob | None = None) -> dict[str, Any]:
    if job.status == ImportStatus.UPLOADED:
        stage = "queued" if (job.dry_run or job.confirmed_at) else "waiting"
    else:
        stage = job.status
    finished = job.status in (ImportStatus.DONE, ImportStatus.FAILED) or (
        job.dry_run and job.status == ImportStatus.VALIDATED
    )
    stages = [("queued", _("Queued")), (ImportStatus.VALIDATING, _("Validating"))]
    if not job.dry_run:
        stages.append((ImportStatus.IMPORTING, _("Importing")))
    stages.append(("end", _("Finished")))
    order = [key for key, _label in stages]
    position = {"waiting": 0, "queued": 0, ImportStatus.VALIDATING: 1, ImportStatus.VALIDATED: 2 if not job.dry_run else 3,
                ImportStatus.IMPORTING: 2}.get(stage, len(order) - 1)
    if finished:
        position = len(order) - 1
    return {
        "pjob": job, "finished": finished, "polling": not finished and stage != "waiting",
        "stages": [(label, i < position or finished, i == position and not finished)
                   for i, (_key, label) in enumerate(stages)],
        "stage_number": position + 1, "stage_count": len(stages),
        "rows": progress_read(job.pk) if not finished else None,
        "stage_label": stages[min(position, len(stages) - 1)][1] if not finished else job.get_status_display(),
        "real": real,
    }


@login_required
def job_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The progress fragment HTMX polls every second until the job has finished."""
    job = _job_or_404(request, pk, dry_run=None)
    context = _progress_context(job)
    response = render(request, "imports/_progress.html", context)
    if context["finished"] and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"  # the page around the bar shows the results: load it again
    return response


@login_required
def job_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(request, pk)
    if job.status == ImportStatus.UPLOADED and job.confirmed_at is None:
        return redirect("imports:preview", job.pk)
    return render(request, "imports/detail.html", {
        "job": job, "step": 4, **_progress_context(job), "errors": _first_errors(job),
        "may_retry": request.user.has_perm("imports.add_importjob") and (
            job.status == ImportStatus.FAILED or (job.status in RUNNING and _is_stale(job))),
    })


@login_required
def job_report(request: AuthenticatedHttpRequest, pk: int, fmt: str) -> HttpResponse:
    job = _job_or_404(request, pk, dry_run=None)
    stem = f"import-{job.pk}-rejected-rows"
    if fmt == "csv":
        text = io.StringIO()
        text.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with a BOM
        report_csv(job, text)
        response = HttpResponse(text.getvalue(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        binary = io.BytesIO()
        report_xlsx(job, binary)
        response = HttpResponse(
            binary.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response
