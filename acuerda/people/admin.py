from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from acuerda.core.admin import ScopedAdmin
from acuerda.people.models import AgentProfile, Team, User


class AgentProfileInline(admin.StackedInline):
    model = AgentProfile
    can_delete = False
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin, ScopedAdmin):
    list_display = ["username", "first_name", "last_name", "role", "creditor", "is_active", "last_login"]
    list_filter = ["role", "is_active", "creditor"]
    fieldsets = (
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "email"]}),
        (_("Role"), {"fields": ["role", "creditor", "preferred_language", "is_active", "is_staff"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    )
    add_fieldsets = (
        (None, {"classes": ["wide"], "fields": ["username", "password1", "password2", "role", "creditor"]}),
    )
    inlines = [AgentProfileInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return User.objects.for_user(request.user)


@admin.register(Team)
class TeamAdmin(ScopedAdmin):
    list_display = ["name", "created_at"]
    filter_horizontal = ["members", "portfolios"]
    search_fields = ["name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        user = request.user
        if user.is_superuser or getattr(user, "sees_all_creditors", False):
            return Team.objects.all()
        return Team.objects.filter(members=user.pk)
