from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from acuerda.imports.choices import (
    FILE_PROBLEMS,
    ROW_DETAILS,
    ROW_REASONS,
    BadRowPolicy,
    ImportStatus,
)


def _default_date_formats() -> list[str]:
    return ["dd/mm/yyyy", "yyyy-mm-dd", "excel"]


def render_reason(table: dict[str, str], code: str, params: dict[str, Any]) -> str:
    """A stored (code, params) message in the active language."""
    template = table.get(code)
    if template is None:
        return code
    values = {key: str(value) for key, value in params.items()}
    if "detail" in values and values["detail"] in ROW_DETAILS:
        values["detail"] = gettext(ROW_DETAILS[values["detail"]])
    try:
        return gettext(template) % values
    except (KeyError, ValueError, TypeError):
        return gettext(template)


class ImportProfileQuerySet(models.QuerySet["ImportProfile"]):
    def for_user(self, user: Any) -> ImportProfileQuerySet:
        """Profiles of the creditors whose portfolios the user may see."""
        from acuerda.people.scoping import visible_portfolio_ids
        from acuerda.portfolios.models import Portfolio

        ids = visible_portfolio_ids(user)
        if ids is None:
            return self.all()
        return self.filter(creditor_id__in=Portfolio.objects.filter(pk__in=ids).values("creditor_id"))


class ImportJobQuerySet(models.QuerySet["ImportJob"]):
    def for_user(self, user: Any) -> ImportJobQuerySet:
        from acuerda.people.scoping import scope

        return scope(self, user, "portfolio_id")


class ImportRowErrorQuerySet(models.QuerySet["ImportRowError"]):
    def for_user(self, user: Any) -> ImportRowErrorQuerySet:
        from acuerda.people.scoping import scope

        return scope(self, user, "job__portfolio_id")


class ImportProfile(models.Model):
    """How one creditor's files are read: column mapping, parsing options, defaults and what to
    do with bad rows. Also exchanged as YAML (``acuerda.imports.profiles``)."""

    creditor = models.ForeignKey(
        "creditors.Creditor", verbose_name=_("creditor"), on_delete=models.CASCADE, related_name="import_profiles"
    )
    name = models.SlugField(_("name"), max_length=64)
    column_map = models.JSONField(
        _("column mapping"), default=dict,
        help_text=_("Source column → field; several columns may feed phones and emails."),
    )
    encoding = models.CharField(_("encoding"), max_length=32, default="auto")
    delimiter = models.CharField(_("delimiter"), max_length=8, default="auto")
    decimal_separator = models.CharField(_("decimal separator"), max_length=1, default=",")
    thousands_separator = models.CharField(_("thousands separator"), max_length=1, default=".", blank=True)
    date_formats = models.JSONField(_("date formats"), default=_default_date_formats)
    default_country = models.CharField(_("default country (ids and phones)"), max_length=2)
    default_id_type = models.CharField(_("default id type"), max_length=8, blank=True)
    default_currency = models.CharField(_("currency"), max_length=3, blank=True)
    default_jurisdiction = models.CharField(_("jurisdiction"), max_length=8, blank=True)
    default_product = models.CharField(_("default product"), max_length=24, default="other")
    bad_row_policy = models.CharField(
        _("bad rows"), max_length=16, choices=BadRowPolicy.choices, default=BadRowPolicy.IMPORT_VALID
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ImportProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("import profile")
        verbose_name_plural = _("import profiles")
        ordering = ["creditor", "name"]
        constraints = [models.UniqueConstraint(fields=["creditor", "name"], name="import_profile_name_unique")]

    def __str__(self) -> str:
        return f"{self.creditor_id}/{self.name}"


class ImportJob(models.Model):
    """One file placed into one portfolio. Its status is committed on its own; the data it
    imports is written in one transaction together with the final ``done``."""

    creditor = models.ForeignKey(
        "creditors.Creditor", verbose_name=_("creditor"), on_delete=models.PROTECT, related_name="import_jobs"
    )
    portfolio = models.ForeignKey(
        "portfolios.Portfolio", verbose_name=_("portfolio"), on_delete=models.PROTECT, related_name="import_jobs"
    )
    profile = models.ForeignKey(
        ImportProfile, verbose_name=_("profile"), on_delete=models.PROTECT, related_name="jobs"
    )
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("content SHA-256"), max_length=64)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    dry_run = models.BooleanField(_("dry run"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    attempt = models.PositiveIntegerField(
        _("attempt"), default=0, help_text=_("Raised by every run; a run only finishes the attempt it started.")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    accounts_created = models.PositiveIntegerField(_("accounts created"), default=0)
    accounts_updated = models.PositiveIntegerField(_("accounts updated"), default=0)
    accounts_unchanged = models.PositiveIntegerField(_("accounts unchanged"), default=0)
    debtors_created = models.PositiveIntegerField(_("debtors created"), default=0)
    debtors_matched = models.PositiveIntegerField(_("debtors matched"), default=0)
    contact_points_created = models.PositiveIntegerField(_("contact points created"), default=0)
    failure_code = models.CharField(_("failure"), max_length=32, blank=True)
    failure_params = models.JSONField(_("failure details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(
        _("confirmed at"), null=True, blank=True,
        help_text=_("When someone confirmed the import in the wizard and it was queued to run."),
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # The same content is placed into a portfolio once; dry runs do not count.
            models.UniqueConstraint(
                fields=["portfolio", "sha256"], condition=Q(dry_run=False), name="import_job_content_once"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name} ({self.status})"

    @property
    def failure_message(self) -> str:
        if not self.failure_code:
            return ""
        return render_reason(FILE_PROBLEMS, self.failure_code, self.failure_params)

    def summary(self) -> dict[str, Any]:
        return {
            "job_id": self.pk,
            "status": self.status,
            "dry_run": self.dry_run,
            "file_name": self.file_name,
            "sha256": self.sha256,
            "rows_read": self.rows_read,
            "rows_rejected": self.rows_rejected,
            "accounts_created": self.accounts_created,
            "accounts_updated": self.accounts_updated,
            "accounts_unchanged": self.accounts_unchanged,
            "debtors_created": self.debtors_created,
            "debtors_matched": self.debtors_matched,
            "contact_points_created": self.contact_points_created,
            "failure": self.failure_message,
        }


class ImportRowError(models.Model):
    """One problem with one cell (or row) of an import file."""

    job = models.ForeignKey(ImportJob, verbose_name=_("job"), on_delete=models.CASCADE, related_name="row_errors")
    row_number = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=255, blank=True)
    value = models.TextField(_("value"), blank=True)
    code = models.CharField(_("reason"), max_length=32)
    params = models.JSONField(_("details"), default=dict, blank=True)

    objects = ImportRowErrorQuerySet.as_manager()

    class Meta:
        verbose_name = _("rejected row")
        verbose_name_plural = _("rejected rows")
        ordering = ["job", "row_number", "pk"]
        indexes = [models.Index(fields=["job", "row_number"], name="import_row_error_idx")]

    def __str__(self) -> str:
        return f"{self.row_number}/{self.column}: {self.code}"

    @property
    def message(self) -> str:
        return render_reason(ROW_REASONS, self.code, {"value": self.value, **self.params})
