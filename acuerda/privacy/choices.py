from django.db import models
from django.utils.translation import gettext_lazy as _


class ErasureTrigger(models.TextChoices):
    REQUEST = "request", _("Data subject's request")
    RETENTION = "retention", _("Retention policy")


class ExportKind(models.TextChoices):
    PORTFOLIO_CSV = "portfolio_csv", _("Portfolio export (CSV)")
    PORTFOLIO_XLSX = "portfolio_xlsx", _("Portfolio export (XLSX)")
    RECALL = "recall", _("Recall file")
    LEADS = "leads", _("Cross-sell leads (CSV)")
    REMITTANCE = "remittance", _("Remittance to a creditor")
