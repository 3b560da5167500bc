from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from acuerda.core.admin import ScopedAdmin
from acuerda.portfolios.models import CommissionRate, Portfolio


class CommissionRateInline(admin.TabularInline):
    model = CommissionRate
    extra = 0


@admin.register(Portfolio)
class PortfolioAdmin(ScopedAdmin):
    list_display = ["reference", "creditor", "name", "placed_on", "recall_on", "jurisdiction", "currency", "status"]
    list_filter = ["status", "jurisdiction_country", "creditor"]
    search_fields = ["=reference", "name", "=creditor__code"]
    list_select_related = ["creditor"]
    inlines = [CommissionRateInline]
    date_hierarchy = "placed_on"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
