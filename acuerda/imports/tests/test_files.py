"""Uploaded files hold personal data: removed once no job needs them."""

from __future__ import annotations

import datetime as dt
import os

from django.utils import timezone

from acuerda.imports.choices import ImportStatus
from acuerda.imports.models import ImportJob
from acuerda.imports.services import import_job_create
from acuerda.imports.tasks import (
    UPLOAD_KEEP_DAYS,
    import_file_path,
    import_files_cleanup,
    import_files_dir,
)


def _upload(world, profile, content: bytes, name: str):  # type: ignore[no-untyped-def]
    import hashlib

    sha = hashlib.sha256(content).hexdigest()
    path = import_file_path(sha256=sha, file_name=name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    job, _ = import_job_create(creditor=world.bank_es, portfolio=world.p_es, profile=profile, path=path, actor=None)
    return job, path


def test_given_uploads_when_cleaned_then_only_files_no_job_needs_are_removed(world, es_profile, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path
    now = timezone.now()
    done, done_path = _upload(world, es_profile, b"a;b\n1;2\n", "done.csv")
    recent, recent_path = _upload(world, es_profile, b"a;b\n3;4\n", "recent.csv")
    running, running_path = _upload(world, es_profile, b"a;b\n5;6\n", "running.csv")
    long_ago = now - dt.timedelta(days=UPLOAD_KEEP_DAYS + 1)
    ImportJob.objects.filter(pk=done.pk).update(status=ImportStatus.DONE, finished_at=long_ago)
    ImportJob.objects.filter(pk=recent.pk).update(status=ImportStatus.FAILED, finished_at=now - dt.timedelta(days=2))
    ImportJob.objects.filter(pk=running.pk).update(status=ImportStatus.IMPORTING, finished_at=long_ago)
    orphan = import_files_dir() / ("f" * 64)
    orphan.mkdir()
    (orphan / "x.csv").write_text("a\n")
    fresh_orphan = import_files_dir() / ("e" * 64)
    fresh_orphan.mkdir()
    old = (now - dt.timedelta(days=2)).timestamp()
    os.utime(orphan, (old, old))
    (import_files_dir() / "progress").mkdir()

    assert import_files_cleanup(now=now) == 2

    assert not done_path.exists() and not orphan.exists()
    assert recent_path.exists() and running_path.exists() and fresh_orphan.exists()
    assert (import_files_dir() / "progress").is_dir()
    assert import_files_cleanup(now=now) == 0  # nothing left to do: idempotent


def test_given_no_upload_folder_when_cleaned_then_nothing_happens(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path / "none"
    assert import_files_cleanup() == 0
