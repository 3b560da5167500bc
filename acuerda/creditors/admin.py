from django.contrib import admin

from acuerda.core.admin import ScopedAdmin
from acuerda.creditors.models import Creditor


@admin.register(Creditor)
class CreditorAdmin(ScopedAdmin):
    list_display = ["code", "legal_name", "country", "tax_id", "sector", "default_currency", "is_active"]
    list_filter = ["country", "sector", "is_active"]
    search_fields = ["=code", "legal_name", "=tax_id"]

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
