"""Back-office building blocks: every admin list and form is scoped to what the user may see."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Acuerda back office")
admin.site.site_title = _("Acuerda")
admin.site.index_title = _("Back office")


class ScopedAdmin(admin.ModelAdmin):
    """Starts every queryset from ``for_user`` and answers 404 for objects outside it,
    exactly like the pages and the API (Django's default would redirect with a hint)."""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        return queryset.for_user(request.user)  # type: ignore[attr-defined]

    def _require_visible(self, request: HttpRequest, object_id: str | None) -> None:
        if object_id is None:
            return
        try:
            found = self.get_queryset(request).filter(pk=object_id).exists()
        except (ValueError, TypeError):
            found = False
        if not found:
            raise Http404(_("Not found."))

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        self._require_visible(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        self._require_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        self._require_visible(request, object_id)
        return super().delete_view(request, object_id, extra_context)


class AppendOnlyAdmin(ScopedAdmin):
    """Ledgers, timelines and logs: readable, never added, edited or deleted by hand."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
