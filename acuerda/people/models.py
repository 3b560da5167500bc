from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from acuerda.people.choices import AGENCY_WIDE_ROLES, Role


class UserQuerySet(models.QuerySet["User"]):
    def for_user(self, user: User) -> UserQuerySet:
        """Administrators see every account; supervisors their teams' members; others themselves."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser or user.role == Role.ADMIN:
            return self.all()
        if user.role == Role.SUPERVISOR:
            return self.filter(Q(pk=user.pk) | Q(teams__in=user.teams.all())).distinct()
        return self.filter(pk=user.pk)


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """A person who signs in: agency staff, or a creditor's employee bound to one creditor."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.AGENT)
    creditor = models.ForeignKey(
        "creditors.Creditor",
        verbose_name=_("creditor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("Only for creditor users: the one creditor whose data they may read."),
    )
    preferred_language = models.CharField(
        _("language"), max_length=8, blank=True, choices=settings.LANGUAGES,
        help_text=_("Empty: follow the browser's language."),
    )

    objects: ClassVar[ScopedUserManager] = ScopedUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="creditor_user_has_creditor",
                condition=(Q(role=Role.CREDITOR) & Q(creditor__isnull=False))
                | (~Q(role=Role.CREDITOR) & Q(creditor__isnull=True)),
                violation_error_message=_("Creditor users need a creditor; agency staff must not have one."),
            )
        ]

    @property
    def sees_all_creditors(self) -> bool:
        return self.is_superuser or self.role in AGENCY_WIDE_ROLES


class Team(models.Model):
    """A group of agents led by supervisors; its portfolios are what its members may work."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    members = models.ManyToManyField(User, verbose_name=_("members"), related_name="teams", blank=True)
    portfolios = models.ManyToManyField(
        "portfolios.Portfolio", verbose_name=_("portfolios"), related_name="teams", blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AgentProfile(models.Model):
    """An agent's authority limits and skills, used by negotiation and routing."""

    user = models.OneToOneField(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="agent_profile")
    max_discount_percent = models.DecimalField(
        _("maximum discount (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    max_instalments = models.PositiveSmallIntegerField(_("maximum instalments"), default=1)
    min_instalment = models.JSONField(
        _("minimum instalment by currency"),
        default=dict,
        blank=True,
        help_text=_('Amounts as strings by ISO currency, e.g. {"EUR": "30.00", "COP": "50000"}.'),
    )
    skill_buckets = models.JSONField(_("delinquency buckets"), default=list, blank=True)
    skill_sectors = models.JSONField(_("sectors"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)

    class Meta:
        verbose_name = _("agent profile")
        verbose_name_plural = _("agent profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.max_discount_percent}%, {self.max_instalments})"
