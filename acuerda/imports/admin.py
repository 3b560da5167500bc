from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from acuerda.core.admin import ScopedAdmin
from acuerda.imports.models import ImportJob, ImportProfile, ImportRowError


class _ReadOnly(ScopedAdmin):
    """Profiles are edited in the import wizard or as YAML (``profile_save`` checks them); jobs
    change only by running. The back office shows them for support and audit."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ImportProfile)
class ImportProfileAdmin(_ReadOnly):
    list_display = ["name", "creditor", "encoding", "delimiter", "decimal_separator", "bad_row_policy", "updated_at"]
    list_filter = ["bad_row_policy", "creditor"]
    search_fields = ["name"]
    list_select_related = ["creditor"]


@admin.register(ImportJob)
class ImportJobAdmin(_ReadOnly):
    list_display = ["pk", "created_at", "portfolio", "file_name", "dry_run", "status", "rows_read", "rows_rejected",
                    "accounts_created", "accounts_updated", "actor"]
    list_filter = ["status", "dry_run"]
    search_fields = ["file_name", "=sha256", "portfolio__reference"]
    list_select_related = ["portfolio__creditor", "actor"]
    show_full_result_count = False


@admin.register(ImportRowError)
class ImportRowErrorAdmin(_ReadOnly):
    """Paginated, unlike an inline: a bad file can have a hundred thousand of them."""

    list_display = ["job", "row_number", "column", "value", "code"]
    list_filter = ["code"]
    search_fields = ["=job__id"]
    raw_id_fields = ["job"]
    list_select_related = ["job"]
    ordering = ["job", "row_number", "pk"]
    show_full_result_count = False
