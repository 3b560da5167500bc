"""Background work of the import wizard: running a job (a dry run or the real import).

The uploaded files live in ``DATA_DIR/imports/<content SHA-256>/<generated name>``; a job finds
its file from its hash and file name, so the task only needs the job id.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from acuerda.imports.choices import ImportStatus
from acuerda.imports.models import ImportJob
from acuerda.imports.progress import progress_clear, progress_write
from acuerda.imports.services import ImportJobError, import_run

logger = logging.getLogger(__name__)


def import_files_dir() -> Path:
    return Path(settings.DATA_DIR) / "imports"


def import_file_path(*, sha256: str, file_name: str) -> Path:
    """Where an uploaded file with this content and (generated) name is kept."""
    return import_files_dir() / sha256 / file_name


def job_file_path(job: ImportJob) -> Path:
    return import_file_path(sha256=job.sha256, file_name=job.file_name)


@shared_task(name="imports.job_run")
def import_job_run(job_id: int) -> str:
    """Run job ``job_id`` (validate, and import unless it is a dry run); returns its status.
    A job already done or held by another run is left alone: running it twice is harmless."""
    job = ImportJob.objects.select_related("profile").filter(pk=job_id).first()
    if job is None:
        logger.warning("Import job %s does not exist", job_id)
        return "missing"

    def report(rows_read: int, rows_expected: int) -> None:
        progress_write(job_id=job_id, rows_read=rows_read, rows_expected=rows_expected)

    try:
        import_run(job=job, path=job_file_path(job), on_progress=report)
    except ImportJobError as exc:
        logger.info("Import job %s not run: %s", job_id, exc)
    finally:
        progress_clear(job_id)
    return job.status


UPLOAD_KEEP_DAYS = 30
"""Uploaded files hold personal data: they are removed this many days after the last job
that used them finished (a failed job can be retried until then)."""
ORPHAN_KEEP_HOURS = 24  # an upload whose job was never created (an abandoned wizard)


def import_files_cleanup(*, now: dt.datetime | None = None) -> int:
    """Remove the uploaded files no job needs any more (see ``UPLOAD_KEEP_DAYS``); returns how
    many folders (one per file content) were removed."""
    now = now or timezone.now()
    root = import_files_dir()
    if not root.is_dir():
        return 0
    finished = (ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.VALIDATED)
    removed = 0
    for folder in root.iterdir():
        if not folder.is_dir() or len(folder.name) != 64:
            continue  # not an upload folder (progress reports live beside them)
        jobs = list(ImportJob.objects.filter(sha256=folder.name).values_list("status", "dry_run", "finished_at"))
        if jobs:
            running = any(status not in finished or (status == ImportStatus.VALIDATED and not dry)
                          for status, dry, _at in jobs)
            last = max((at for _s, _d, at in jobs if at is not None), default=None)
            if running or last is None or now - last < dt.timedelta(days=UPLOAD_KEEP_DAYS):
                continue
        else:
            modified = dt.datetime.fromtimestamp(folder.stat().st_mtime, tz=dt.UTC)
            if now - modified < dt.timedelta(hours=ORPHAN_KEEP_HOURS):
                continue
        shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    return removed


@shared_task(name="imports.files_cleanup")
def import_files_cleanup_task() -> int:
    """Nightly: uploaded files of finished imports, after ``UPLOAD_KEEP_DAYS``."""
    removed = import_files_cleanup()
    if removed:
        logger.info("Removed %s uploaded import files no job needs any more", removed)
    return removed
