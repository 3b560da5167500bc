"""How far a running import has got, for the wizard's progress bar.

The import writes its rows inside one database transaction, so it cannot report progress in the
database (on SQLite nobody else could even read it). The running job writes a tiny JSON file
``DATA_DIR/imports/progress/<job id>.json`` after each chunk instead (replaced atomically, so a
reader never sees half of it) and the wizard's progress fragment reads it. The file is removed
when the job finishes. Works for the embedded installation and for a web server and Celery
worker sharing ``ACUERDA_DATA_DIR``.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings


@dataclass(frozen=True, slots=True)
class Progress:
    rows_read: int
    rows_expected: int
    at: float  # time.time() of the report

    @property
    def percent(self) -> int:
        if self.rows_expected <= 0:
            return 0
        return min(100, self.rows_read * 100 // self.rows_expected)


def _progress_dir() -> Path:
    return Path(settings.DATA_DIR) / "imports" / "progress"


def _path(job_id: int) -> Path:
    return _progress_dir() / f"{int(job_id)}.json"


def progress_write(*, job_id: int, rows_read: int, rows_expected: int) -> None:
    folder = _progress_dir()
    folder.mkdir(parents=True, exist_ok=True)
    data = json.dumps({"rows_read": rows_read, "rows_expected": rows_expected, "at": time.time()})
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{int(job_id)}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as stream:
            stream.write(data)
        os.replace(temporary, _path(job_id))
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def progress_read(job_id: int) -> Progress | None:
    """The last report of job ``job_id``, or ``None`` (not running, or nothing reported yet)."""
    try:
        data = json.loads(_path(job_id).read_text())
        return Progress(int(data["rows_read"]), int(data["rows_expected"]), float(data["at"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def progress_clear(job_id: int) -> None:
    _path(job_id).unlink(missing_ok=True)
