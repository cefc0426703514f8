"""Permission rules of the portal core. Plain functions; views and DRF classes adapt them."""

from .roles import Role, is_staff, user_has_role


def can_view_dashboard(user) -> bool:
    """Commissioner staff (and operators) see the staff dashboard."""
    return is_staff(user)


def can_manage_credentials(user) -> bool:
    """Only staff issue and revoke partner API credentials."""
    return can_view_dashboard(user)


def can_change_organisation(user, organisation) -> bool:
    """Staff change any organisation; a member changes their own firm."""
    if not user.is_authenticated:
        return False
    if is_staff(user):
        return True
    return organisation.members.filter(pk=user.pk).exists()


def can_create_organisation(user) -> bool:
    """Staff and founders (for their own firm) create organisations."""
    return user.is_authenticated and (user.is_superuser or user_has_role(user, Role.STAFF, Role.FOUNDER))
