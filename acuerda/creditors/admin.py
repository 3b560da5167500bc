from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from acuerda.core.admin import ScopedAdmin
from acuerda.creditors.models import Creditor


@admin.register(Creditor)
class CreditorAdmin(ScopedAdmin):
    list_display = ["code", "legal_name", "country", "tax_id", "sector", "default_currency", "is_active"]
    list_filter = ["country", "sector", "is_active"]
    search_fields = ["=code", "legal_name", "=tax_id"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
