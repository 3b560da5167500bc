from __future__ import annotations

from celery import shared_task


@shared_task(name="agreements.promises_evaluate")
def promises_evaluate_task() -> dict[str, int]:
    from acuerda.agreements.services import promises_evaluate

    return promises_evaluate()


@shared_task(name="agreements.plans_evaluate")
def plans_evaluate_task() -> dict[str, int]:
    from acuerda.agreements.services import plans_evaluate

    return plans_evaluate()


@shared_task(name="agreements.reminders_emit")
def reminders_emit_task() -> int:
    from acuerda.agreements.services import reminders_emit

    return reminders_emit()
