"""Background work of the import wizard: running a job (a dry run or the real import).

The uploaded files live in ``DATA_DIR/imports/<content SHA-256>/<generated name>``; a job finds
its file from its hash and file name, so the task only needs the job id.
"""

from __future__ import annotations

import logging
from pathlib import Path

from celery import shared_task
from django.conf import settings

from acuerda.imports.models import ImportJob
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
    try:
        import_run(job=job, path=job_file_path(job))
    except ImportJobError as exc:
        logger.info("Import job %s not run: %s", job_id, exc)
    return job.status
