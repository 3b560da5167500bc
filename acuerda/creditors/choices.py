from django.db import models
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    BANKING = "banking", _("Banking")
    CONSUMER_FINANCE = "consumer_finance", _("Consumer finance")
    TELECOM = "telecom", _("Telecommunications")
    UTILITIES = "utilities", _("Utilities")
    INSURANCE = "insurance", _("Insurance")
    RETAIL = "retail", _("Retail")
    PUBLIC_SECTOR = "public_sector", _("Public sector")


class BalanceComponent(models.TextChoices):
    PRINCIPAL = "principal", _("Principal")
    INTEREST = "interest", _("Interest")
    FEES = "fees", _("Fees and charges")


DEFAULT_BUCKET_EDGES = [1, 31, 61, 91, 181, 361]
DEFAULT_ALLOCATION_ORDER = [BalanceComponent.FEES, BalanceComponent.INTEREST, BalanceComponent.PRINCIPAL]
