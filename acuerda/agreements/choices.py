from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PromiseStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    KEPT = "kept", _("Kept")
    PARTIALLY_KEPT = "partially_kept", _("Partially kept")
    BROKEN = "broken", _("Broken")
    CANCELLED = "cancelled", _("Cancelled")


class PlanKind(models.TextChoices):
    SETTLEMENT = "settlement", _("Settlement")
    PLAN = "plan", _("Instalment plan")


class PlanStatus(models.TextChoices):
    # "plan" context: Spanish agrees the adjective with "plan" (masculine), not "promesa".
    ACTIVE = "active", pgettext_lazy("plan", "Active")
    COMPLETED = "completed", pgettext_lazy("plan", "Completed")
    BROKEN = "broken", pgettext_lazy("plan", "Broken")
    CANCELLED = "cancelled", pgettext_lazy("plan", "Cancelled")


class InstalmentStatus(models.TextChoices):
    DUE = "due", _("Due")
    PAID = "paid", _("Paid")
    LATE = "late", _("Late")
    MISSED = "missed", _("Missed")
