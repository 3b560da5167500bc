"""The workspace's configuration in the back office: disposition catalogues, negotiation
policies, priority rules (administrators) and scripts (supervisors also, on their own page);
interactions, approvals and leads are readable here and written only through the workspace."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from acuerda.core.admin import AppendOnlyAdmin, ScopedAdmin
from acuerda.workspace.models import (
    ApprovalRequest,
    Disposition,
    Interaction,
    Lead,
    NegotiationPolicy,
    Script,
    WorkPriorityRule,
)
from acuerda.workspace.scripts import validate_body


@admin.register(Disposition)
class DispositionAdmin(ScopedAdmin):
    list_display = ["code", "label", "creditor", "outcome", "party_reached", "effect", "hotkey", "order", "is_active"]
    list_filter = ["creditor", "effect", "is_active"]
    search_fields = ["code", "label"]


@admin.register(NegotiationPolicy)
class NegotiationPolicyAdmin(ScopedAdmin):
    list_display = ["creditor", "portfolio", "max_discount_percent", "max_instalments", "allow_interest_waiver",
                    "allow_fee_waiver", "promise_grace_days"]
    raw_id_fields = ["portfolio"]


@admin.register(WorkPriorityRule)
class WorkPriorityRuleAdmin(admin.ModelAdmin):
    list_display = ["creditor", "balance_unit", "max_days", "weight"]


class ScriptAdminForm(forms.ModelForm):
    class Meta:
        model = Script
        fields = ["title", "creditor", "stage", "bucket", "language", "body", "is_active"]

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        try:
            validate_body(body)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict.get("body", exc.messages)) from None
        return body


@admin.register(Script)
class ScriptAdmin(ScopedAdmin):
    form = ScriptAdminForm
    list_display = ["title", "creditor", "stage", "bucket", "language", "is_active", "updated_at", "updated_by"]
    list_filter = ["creditor", "stage", "language", "is_active"]
    readonly_fields = ["updated_by"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)



@admin.register(Interaction)
class InteractionAdmin(AppendOnlyAdmin):
    list_display = ["at", "account", "channel", "direction", "disposition", "party_reached", "agent"]
    list_filter = ["channel", "direction"]
    search_fields = ["=account__creditor_reference"]
    list_select_related = ["account", "disposition", "agent"]


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(AppendOnlyAdmin):
    list_display = ["pk", "account", "status", "requested_by", "requested_at", "decided_by", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["account", "requested_by", "decided_by"]


@admin.register(Lead)
class LeadAdmin(AppendOnlyAdmin):
    list_display = ["marked_at", "account", "debtor", "consent_evidence", "marked_by", "exported_at"]
    list_select_related = ["account", "debtor", "marked_by"]
