from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from acuerda.agreements.models import Instalment, PaymentPlan, PromiseToPay
from acuerda.core.admin import AppendOnlyAdmin


@admin.register(PromiseToPay)
class PromiseToPayAdmin(AppendOnlyAdmin):
    list_display = ["account", "amount", "currency", "due_on", "grace_days", "status", "paid_amount", "made_by"]
    list_filter = ["status"]
    search_fields = ["=account__creditor_reference"]
    list_select_related = ["account", "made_by"]


class InstalmentInline(admin.TabularInline):
    model = Instalment
    extra = 0
    can_delete = False
    readonly_fields = ["number", "due_on", "amount", "paid_amount", "is_down_payment", "status"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PaymentPlan)
class PaymentPlanAdmin(AppendOnlyAdmin):
    list_display = ["account", "kind", "status", "total_to_pay", "currency", "agreed_at", "agreed_by", "approved_by"]
    list_filter = ["kind", "status"]
    search_fields = ["=account__creditor_reference"]
    list_select_related = ["account", "agreed_by", "approved_by"]
    inlines = [InstalmentInline]
