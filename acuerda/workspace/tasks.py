from __future__ import annotations

from celery import shared_task


@shared_task(name="workspace.queue_refresh")
def queue_refresh_task() -> int:
    from acuerda.workspace.queue import queue_refresh

    return queue_refresh()
