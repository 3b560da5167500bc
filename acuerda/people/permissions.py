"""What each role may do, in code so it is reviewed like code.

Row-level visibility is not here: every queryset that serves a person starts with
``.for_user(user)`` (see ``acuerda.people.scoping``). This module answers the coarse question
"may this role view/add/change this kind of thing at all", used by the admin and the API.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from acuerda.people.choices import Role

_VIEW_DOMAIN = {
    "creditors.view_creditor",
    "portfolios.view_portfolio",
    "portfolios.view_commissionrate",
    "debtors.view_debtor",
    "debtors.view_contactpoint",
    "debtors.view_contactconsent",
    "debts.view_account",
    "debts.view_accountparty",
    "debts.view_ledgerentry",
    "debts.view_accountevent",
}

# Data-subject rights and retention (GDPR/LOPDGDD): administrators and compliance officers.
_PRIVACY_OFFICER = {
    "privacy.export_subject_data",
    "privacy.anonymise_debtor",
    "privacy.view_retentionpolicy",
    "privacy.add_retentionpolicy",
    "privacy.change_retentionpolicy",
    "privacy.view_erasurerecord",
}

# The contact rules: simulating contacts, the contact ledger, policies that tighten the packs.
_COMPLIANCE_OFFICER = {
    "compliance.simulate_contact",
    "compliance.view_contactattempt",
    "compliance.view_compliancepolicy",
    "compliance.add_compliancepolicy",
    "compliance.change_compliancepolicy",
    "compliance.view_accountrestriction",
    "compliance.change_accountrestriction",
    "compliance.view_compliancereading",
    "compliance.add_compliancereading",
    "compliance.change_compliancereading",
}

# The agent workspace: working accounts (agents and supervisors, who also take calls).
_WORKSPACE_AGENT = {
    "workspace.work_accounts",
    "workspace.view_interaction",
    "workspace.view_callback",
    "workspace.view_approvalrequest",
    "agreements.view_promisetopay",
    "agreements.view_paymentplan",
}
# Supervising it: approvals, scripts, dispositions, negotiation and priority rules, leads.
_WORKSPACE_SUPERVISOR = {
    "workspace.decide_approval",
    "workspace.view_script",
    "workspace.add_script",
    "workspace.change_script",
    "workspace.view_lead",
    "workspace.export_leads",
    "workspace.view_disposition",
    "workspace.view_negotiationpolicy",
    "workspace.view_workpriorityrule",
}
_WORKSPACE_ADMIN = {
    "workspace.add_disposition",
    "workspace.change_disposition",
    "workspace.add_negotiationpolicy",
    "workspace.change_negotiationpolicy",
    "workspace.add_workpriorityrule",
    "workspace.change_workpriorityrule",
}

# Money: registering payments (agents take them on the phone), the bank's statements and their
# reconciliation, remittances to creditors (built by the back office, issued with four eyes).
_PAYMENTS_TAKE = {"payments.register_payment", "payments.view_payment"}
_PAYMENTS_BACK_OFFICE = {
    *_PAYMENTS_TAKE,
    "payments.reconcile_statement",
    "payments.view_bankstatement",
    "payments.view_statementline",
    "payments.view_remittance",
    "payments.add_remittance",
    "payments.issue_remittance",
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(
        _VIEW_DOMAIN
        | {
            "creditors.add_creditor",
            "creditors.change_creditor",
            "portfolios.add_portfolio",
            "portfolios.change_portfolio",
            "portfolios.add_commissionrate",
            "portfolios.change_commissionrate",
            "portfolios.delete_commissionrate",
            "debtors.change_debtor",
            "debtors.add_contactpoint",
            "debtors.change_contactpoint",
            "debtors.view_personaldataaccess",
            "debts.change_account",
            "people.view_user",
            "people.add_user",
            "people.change_user",
            "people.view_team",
            "people.add_team",
            "people.change_team",
            "people.view_agentprofile",
            "people.add_agentprofile",
            "people.change_agentprofile",
            "imports.view_importprofile",
            "imports.add_importprofile",
            "imports.change_importprofile",
            "imports.view_importjob",
            "imports.add_importjob",
            "imports.view_importrowerror",
            *_PRIVACY_OFFICER,
            *_COMPLIANCE_OFFICER,
            *_WORKSPACE_SUPERVISOR,
            *_WORKSPACE_ADMIN,
            *_PAYMENTS_BACK_OFFICE,
            "workspace.view_interaction",
            "workspace.view_approvalrequest",
            "agreements.view_promisetopay",
            "agreements.view_paymentplan",
        }
    ),
    Role.SUPERVISOR: frozenset(
        _VIEW_DOMAIN
        | {
            "debtors.change_debtor",
            "debtors.add_contactpoint",
            "debtors.change_contactpoint",
            "debts.change_account",
            "people.view_user",
            "people.view_team",
            "people.view_agentprofile",
            "people.change_agentprofile",
            "imports.view_importprofile",
            "imports.view_importjob",
            "imports.add_importjob",
            "imports.view_importrowerror",
            "compliance.view_contactattempt",
            "compliance.simulate_contact",
            "compliance.view_accountrestriction",
            "compliance.change_accountrestriction",
            *_WORKSPACE_AGENT,
            *_WORKSPACE_SUPERVISOR,
            *_PAYMENTS_TAKE,
            "payments.view_remittance",
        }
    ),
    Role.AGENT: frozenset(
        _VIEW_DOMAIN
        | {"debtors.add_contactpoint", "debtors.change_contactpoint", "compliance.view_contactattempt",
           "compliance.view_accountrestriction", *_WORKSPACE_AGENT, *_PAYMENTS_TAKE}
    ),
    Role.COMPLIANCE: frozenset(
        _VIEW_DOMAIN
        | {"debtors.view_personaldataaccess", "people.view_user", "imports.view_importjob", "imports.view_importrowerror",
           *_PRIVACY_OFFICER, *_COMPLIANCE_OFFICER}
    ),
    Role.CREDITOR: frozenset(_VIEW_DOMAIN | {"payments.view_remittance"}),
}


class RoleBackend(ModelBackend):
    """Password authentication plus permissions derived from the user's role."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        return set(ROLE_PERMISSIONS.get(user_obj.role, frozenset()))

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return user_obj.is_active and perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return user_obj.is_active and any(
            perm.split(".", 1)[0] == app_label for perm in self.get_all_permissions(user_obj)
        )
