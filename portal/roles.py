"""The portal's roles. A role is a Django group; these are their names."""

from django.conf import settings
from django.db.models import TextChoices


class Role(TextChoices):
    STAFF = "staff", "Commissioner staff"
    REVIEWER = "reviewer", "Reviewer"
    AMBASSADOR = "ambassador", "Ambassador"
    FOUNDER = "founder", "Founder"
    PARTNER_ADMIN = "partner_admin", "Partner administrator"


def user_roles(user) -> set[str]:
    """The role names the user holds, cached on the user object for the request."""
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_role_cache"):
        user._role_cache = set(user.groups.values_list("name", flat=True))
    return user._role_cache


def user_has_role(user, *roles: str) -> bool:
    """True when the user holds any of the given roles."""
    return bool(user_roles(user) & set(roles))


def role_group(role: str):
    """The Django group of a role, created if it is missing (the roles migration makes them all)."""
    from django.contrib.auth.models import Group

    if role not in Role.values:
        raise ValueError(f"Unknown role {role!r}")
    return Group.objects.get_or_create(name=role)[0]


def is_staff(user) -> bool:
    """Commissioner staff or an operator (superuser): the people who see every record."""
    return bool(user and user.is_authenticated and (user.is_superuser or user_has_role(user, Role.STAFF)))


def mfa_is_required(user) -> bool:
    """Whether ``user`` must sign in with two-factor authentication: operators and the roles in
    ``MFA_REQUIRED_ROLES`` (staff, reviewers, ambassadors)."""
    return bool(user.is_superuser or user_has_role(user, *settings.MFA_REQUIRED_ROLES))
