from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from acuerda.core.admin import AppendOnlyAdmin, ScopedAdmin
from acuerda.debts.models import Account, AccountEvent, AccountParty, LedgerCheckRun, LedgerEntry


class LedgerEntryInline(admin.TabularInline):
    model = LedgerEntry
    extra = 0
    can_delete = False
    fields = ("posted_at", "effective_on", "kind", "principal", "interest", "fees", "memo", "external_reference")
    readonly_fields = fields
    ordering = ["posted_at", "pk"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AccountPartyInline(admin.TabularInline):
    model = AccountParty
    extra = 0
    raw_id_fields = ["debtor"]
    readonly_fields = ["debtor", "role"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Account)
class AccountAdmin(ScopedAdmin):
    """Balances and status are read-only here: they change through ledger entries and the
    status transition service, which keep the audit trail."""

    list_display = ["creditor_reference", "portfolio", "debtor", "product", "principal", "interest", "fees", "first_unpaid_due_on", "status"]
    list_filter = ["status", "product", "currency"]
    search_fields = ["=creditor_reference", "=debtor__id_number"]
    list_select_related = ["portfolio__creditor", "debtor"]
    raw_id_fields = ["debtor", "portfolio"]
    readonly_fields = [
        "portfolio", "debtor", "creditor_reference", "product", "currency", "original_principal",
        "original_interest", "original_fees", "principal", "interest", "fees", "first_unpaid_due_on", "status",
        "status_changed_at", "created_at",
    ]
    inlines = [AccountPartyInline, LedgerEntryInline]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(AppendOnlyAdmin):
    list_display = ["posted_at", "account", "kind", "principal", "interest", "fees", "external_reference"]
    list_filter = ["kind"]
    search_fields = ["=account__creditor_reference", "=external_reference"]
    list_select_related = ["account"]
    show_full_result_count = False


@admin.register(AccountEvent)
class AccountEventAdmin(AppendOnlyAdmin):
    list_display = ["at", "account", "kind", "from_status", "to_status", "actor", "reason"]
    list_filter = ["kind"]
    search_fields = ["=account__creditor_reference"]
    list_select_related = ["account", "actor"]
    show_full_result_count = False


@admin.register(LedgerCheckRun)
class LedgerCheckRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "finished_at", "accounts_checked", "mismatches"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "sees_all_creditors", False))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
