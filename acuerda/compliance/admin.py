from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from acuerda.compliance.engine import PolicyError, policy_from_dict
from acuerda.compliance.models import (
    AccountRestriction,
    CompliancePolicy,
    ComplianceReading,
    ContactAttempt,
    ContactDecision,
)
from acuerda.compliance.services import compliance_readings_save
from acuerda.core.admin import AppendOnlyAdmin, ScopedAdmin


@admin.register(AccountRestriction)
class AccountRestrictionAdmin(ScopedAdmin):
    """Read here; changed through ``account_restriction_set`` (the account pages), which checks
    inconvenient times and records who changed them."""

    list_display = ["account", "cease_request", "dispute_open", "attorney_represented", "breathing_space_until",
                    "lawsuit_served", "insolvency", "statute_barred", "updated_at"]
    list_filter = ["cease_request", "dispute_open", "attorney_represented", "lawsuit_served", "insolvency",
                   "statute_barred"]
    search_fields = ["=account__creditor_reference"]
    raw_id_fields = ["account"]
    list_select_related = ["account"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CompliancePolicy)
class CompliancePolicyAdmin(ScopedAdmin):
    list_display = ["creditor", "portfolio", "jurisdiction", "updated_at", "updated_by"]
    list_filter = ["jurisdiction"]
    readonly_fields = ["creditor", "portfolio", "jurisdiction", "rules", "updated_at", "updated_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # saved through compliance_policy_save, which refuses anything that loosens the law

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("compliance.view_compliancepolicy")


@admin.register(ContactDecision)
class ContactDecisionAdmin(AppendOnlyAdmin):
    list_display = ["decided_at", "account", "channel", "party_role", "purpose", "for_moment", "allowed", "pack"]
    list_filter = ["allowed", "channel", "purpose", "party_role"]
    search_fields = ["=account__creditor_reference"]
    raw_id_fields = ["account", "debtor", "contact_point"]
    list_select_related = ["account"]
    show_full_result_count = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("compliance.view_contactattempt")


@admin.register(ContactAttempt)
class ContactAttemptAdmin(AppendOnlyAdmin):
    list_display = ["at", "account", "channel", "party_role", "outcome", "actor"]
    list_filter = ["channel", "outcome", "party_role"]
    search_fields = ["=account__creditor_reference"]
    raw_id_fields = ["account", "debtor", "decision"]
    list_select_related = ["account", "actor"]
    show_full_result_count = False


class ComplianceReadingForm(forms.ModelForm):
    class Meta:
        model = ComplianceReading
        fields = ["jurisdiction", "readings"]
        help_texts = {"readings": _('{"rule id": {"setting": value}}: the documented settings of each rule are '
                                    "listed in the rule pack documentation (/compliance/packs/).")}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("jurisdiction") and isinstance(data.get("readings"), dict):
            try:
                policy_from_dict({"settings": data["readings"]}, data["jurisdiction"])
            except PolicyError as exc:
                raise forms.ValidationError(
                    {"readings": [f"{field}: {message}" for field, message in exc.errors]}
                ) from None
        return data


@admin.register(ComplianceReading)
class ComplianceReadingAdmin(admin.ModelAdmin):
    """Agency-wide readings of ambiguous rules: compliance officers and administrators."""

    form = ComplianceReadingForm
    list_display = ["jurisdiction", "updated_at", "updated_by"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = compliance_readings_save(jurisdiction=obj.jurisdiction, settings=obj.readings,
                                         actor=request.user)  # type: ignore[arg-type]
        obj.pk = saved.pk
