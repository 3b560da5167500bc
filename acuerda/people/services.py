from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from acuerda.creditors.models import Creditor
from acuerda.people.choices import Role
from acuerda.people.models import AgentProfile, Team, User
from acuerda.portfolios.models import Portfolio


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    creditor: Creditor | None = None,
) -> User:
    """Create a person who signs in. Everyone is staff so the back office is one place, but
    what each role may view or change comes from ``people.permissions``."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role %(role)s.") % {"role": role}})
    if (role == Role.CREDITOR) != (creditor is not None):
        raise ValidationError({"creditor": _("Creditor users need a creditor; agency staff must not have one.")})
    user = User(
        username=username, first_name=first_name, last_name=last_name, email=email,
        role=role, creditor=creditor, is_staff=True,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    if role == Role.AGENT:
        AgentProfile.objects.create(user=user)
    return user


@transaction.atomic
def agent_set_authority(
    *,
    user: User,
    max_discount_percent: Decimal,
    max_instalments: int,
    min_instalment: dict[str, str] | None = None,
    skill_buckets: Iterable[str] = (),
    skill_sectors: Iterable[str] = (),
    languages: Iterable[str] = (),
) -> AgentProfile:
    profile, _created = AgentProfile.objects.get_or_create(user=user)
    profile.max_discount_percent = max_discount_percent
    profile.max_instalments = max_instalments
    profile.min_instalment = {k: str(Decimal(v)) for k, v in (min_instalment or {}).items()}
    profile.skill_buckets = list(skill_buckets)
    profile.skill_sectors = list(skill_sectors)
    profile.languages = list(languages)
    profile.full_clean()
    profile.save()
    return profile


@transaction.atomic
def team_create(*, name: str, members: Iterable[User] = (), portfolios: Iterable[Portfolio] = ()) -> Team:
    team = Team.objects.create(name=name.strip())
    team.members.set(list(members))
    team.portfolios.set(list(portfolios))
    return team
