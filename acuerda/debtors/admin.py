from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from acuerda.core.admin import AppendOnlyAdmin, ScopedAdmin
from acuerda.debtors.choices import ContactKind, ContactStatus, DataAccessChannel
from acuerda.debtors.models import ContactConsent, ContactPoint, Debtor, PersonalDataAccess
from acuerda.debtors.selectors import phone_candidates
from acuerda.debtors.services import (
    contact_point_set_status,
    debtor_set_vulnerability,
    personal_data_access_log,
)


class ContactPointInline(admin.TabularInline):
    model = ContactPoint
    extra = 0
    fields = ["kind", "value", "owner_role", "source", "status", "is_primary"]
    readonly_fields = ["kind", "value", "source"]
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # new contact points go through the validating service (imports, the workspace)


@admin.register(Debtor)
class DebtorAdmin(ScopedAdmin):
    list_display = ["id_number", "id_type", "country", "last_name", "first_name", "company_name", "is_vulnerable"]
    list_filter = ["country", "kind", "is_vulnerable"]
    search_fields = ["=id_number", "last_name", "company_name"]
    readonly_fields = ["kind", "country", "id_type", "id_number", "created_at", "updated_at"]
    inlines = [ContactPointInline]
    show_full_result_count = False

    def save_model(self, request: HttpRequest, obj: Debtor, form: Any, change: bool) -> None:
        """Vulnerability changes go through the service so the accounts' timelines record them."""
        vulnerability = {"is_vulnerable", "vulnerability_reason", "vulnerability_review_on"}
        changed = set(form.changed_data)
        others = sorted(changed - vulnerability)
        if others:
            obj.save(update_fields=[*others, "updated_at"])
        if changed & vulnerability:
            debtor_set_vulnerability(
                debtor=obj, is_vulnerable=obj.is_vulnerable, reason=obj.vulnerability_reason,
                review_on=obj.vulnerability_review_on, actor=request.user,  # type: ignore[arg-type]
            )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # debtors arrive with validated ids through portfolio placement

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str) -> tuple[QuerySet, bool]:
        """Also find debtors by phone (any local format), email and creditor reference."""
        from acuerda.debts.models import Account

        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if not term:
            return queryset, may_have_duplicates
        extra = Q(pk__in=ContactPoint.objects.filter(kind=ContactKind.EMAIL, value=term.lower()).values("debtor_id"))
        extra |= Q(pk__in=Account.objects.filter(creditor_reference=term).values("debtor_id"))
        phones = phone_candidates(term)
        if phones:
            extra |= Q(pk__in=ContactPoint.objects.filter(kind=ContactKind.PHONE, value__in=phones).values("debtor_id"))
        return queryset | self.get_queryset(request).filter(extra), True

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        debtor = self.get_queryset(request).get(pk=object_id)
        personal_data_access_log(
            user=request.user, debtor=debtor, via=DataAccessChannel.ADMIN, path=request.path  # type: ignore[arg-type]
        )
        return response


def _set_status_action(status: str, label: Any) -> Any:
    @admin.action(description=label, permissions=["change"])
    def action(model_admin: ContactPointAdmin, request: HttpRequest, queryset: QuerySet) -> None:
        for point in queryset:
            contact_point_set_status(contact_point=point, status=status, actor=request.user)  # type: ignore[arg-type]

    action.__name__ = f"mark_{status}"
    return action


@admin.register(ContactPoint)
class ContactPointAdmin(ScopedAdmin):
    """Status changes are actions (they also withdraw consent on an opt-out), not free edits."""

    list_display = ["value", "kind", "debtor", "owner_role", "source", "status"]
    list_filter = ["kind", "status", "source", "owner_role"]
    search_fields = ["=value"]
    readonly_fields = [
        "debtor", "kind", "value", "phone_line_type", "timezones", "source", "status", "created_at", "updated_at",
    ]
    actions = [
        _set_status_action(ContactStatus.VALID, _("Mark as valid")),
        _set_status_action(ContactStatus.WRONG_NUMBER, _("Mark as wrong number")),
        _set_status_action(ContactStatus.BOUNCED, _("Mark as bounced")),
        _set_status_action(ContactStatus.OPTED_OUT, _("Mark as opted out")),
    ]
    list_select_related = ["debtor"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ContactConsent)
class ContactConsentAdmin(AppendOnlyAdmin):
    list_display = ["contact_point", "channel", "granted", "recorded_at", "recorded_by"]
    list_filter = ["channel", "granted"]
    list_select_related = ["contact_point", "recorded_by"]


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(AppendOnlyAdmin):
    list_display = ["at", "user", "debtor", "via", "path"]
    list_filter = ["via"]
    search_fields = ["=debtor__id_number", "=user__username"]
    list_select_related = ["user", "debtor"]
    date_hierarchy = "at"
