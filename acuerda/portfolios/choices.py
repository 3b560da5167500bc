from django.db import models
from django.utils.translation import gettext_lazy as _


class PortfolioStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RECALLED = "recalled", _("Recalled by the creditor")
    CLOSED = "closed", _("Closed")


PORTFOLIO_TRANSITIONS: dict[str, frozenset[str]] = {
    PortfolioStatus.ACTIVE: frozenset({PortfolioStatus.RECALLED, PortfolioStatus.CLOSED}),
    PortfolioStatus.RECALLED: frozenset({PortfolioStatus.CLOSED}),
    PortfolioStatus.CLOSED: frozenset(),
}
