from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Agency administrator")
    SUPERVISOR = "supervisor", _("Supervisor")
    AGENT = "agent", _("Agent")
    COMPLIANCE = "compliance", _("Compliance officer")
    CREDITOR = "creditor", _("Creditor user")


# Roles that see every creditor's data; everybody else is scoped by team or creditor.
AGENCY_WIDE_ROLES = frozenset({Role.ADMIN, Role.COMPLIANCE})
TEAM_SCOPED_ROLES = frozenset({Role.SUPERVISOR, Role.AGENT})
