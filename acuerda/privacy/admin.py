from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from acuerda.core.admin import AppendOnlyAdmin, ScopedAdmin
from acuerda.privacy.models import DataExportLog, ErasureRecord, LegalHold, RetentionPolicy
from acuerda.privacy.services import legal_hold_place, legal_hold_release


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(ScopedAdmin):
    list_display = ["creditor", "anonymise_after_years", "enabled", "legal_basis", "updated_at"]
    list_filter = ["enabled"]
    readonly_fields = ["updated_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # disable a policy instead: removing it silently falls back to the default


@admin.register(ErasureRecord)
class ErasureRecordAdmin(AppendOnlyAdmin):
    list_display = ["at", "debtor", "trigger", "actor", "reason"]
    list_filter = ["trigger"]
    search_fields = ["=debtor__id"]
    show_full_result_count = False


@admin.register(DataExportLog)
class DataExportLogAdmin(AppendOnlyAdmin):
    """Shown to those who may read the personal-data access log."""

    list_display = ["at", "user", "kind", "portfolio", "rows", "personal_data", "purpose"]
    list_filter = ["kind", "personal_data"]
    show_full_result_count = False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(
            "debtors.view_personaldataaccess"
        ) or super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(
            "debtors.view_personaldataaccess"
        ) or super().has_view_permission(request, obj)


@admin.register(LegalHold)
class LegalHoldAdmin(ScopedAdmin):
    """Privacy officers place and release holds (a released hold lets an erasure go ahead)."""

    list_display = ["debtor", "placed_at", "placed_by", "released_at", "reason"]
    list_filter = ["released_at"]
    raw_id_fields = ["debtor"]
    fields = ["debtor", "reason", "placed_at", "placed_by", "released_at", "released_by"]
    readonly_fields = ["placed_at", "placed_by", "released_at", "released_by"]
    actions = ["release"]

    def _officer(self, request: HttpRequest) -> bool:
        return request.user.has_perm("privacy.anonymise_debtor")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._officer(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._officer(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._officer(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: LegalHold, form: Any, change: bool) -> None:
        placed = legal_hold_place(debtor=obj.debtor, reason=obj.reason, actor=request.user)  # type: ignore[arg-type]
        obj.pk = placed.pk
        obj.placed_at = placed.placed_at

    @admin.action(description=_("Release the selected holds"), permissions=["add"])
    def release(self, request: HttpRequest, queryset: Any) -> None:
        for hold in queryset.filter(released_at__isnull=True):
            legal_hold_release(hold=hold, actor=request.user)  # type: ignore[arg-type]
