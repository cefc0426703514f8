"""Authentication backends: Django's and allauth's, each loading a signed-in user together with
their roles and whether they have set up TOTP, in one query. Every request of a signed-in user
needs all three (navigation, permission rules, the MFA gate), which otherwise cost two more."""

import functools

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from allauth.mfa.models import Authenticator
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.auth.models import Group
from django.db import connection

from .models import User


@functools.cache
def _user_with_access_sql(vendor: str) -> str:
    # Plain SQL, built once: the ORM spent longer composing this query than the database ran it.
    names = "string_agg(g.name, ',')" if vendor == "postgresql" else "group_concat(g.name, ',')"
    memberships = User.groups.through._meta.db_table
    return (
        f"SELECT u.*, "  # noqa: S608 - table names are the models'  # nosec B608
        f"(SELECT {names} FROM {memberships} m JOIN {Group._meta.db_table} g ON g.id = m.group_id"
        f" WHERE m.user_id = u.id) AS portal_roles, "
        f"EXISTS (SELECT 1 FROM {Authenticator._meta.db_table} a WHERE a.user_id = u.id AND a.type = %s)"
        f" AS portal_has_totp "
        f"FROM {User._meta.db_table} u WHERE u.id = %s"
    )


def user_with_access_get(user_id) -> User | None:
    """The user with ``user_id`` and their roles and TOTP set-up, in one query; None if missing.

    The roles land where ``roles.user_roles`` keeps them for the request, and the TOTP flag where
    ``middleware.mfa_is_set_up`` looks first."""
    sql = _user_with_access_sql(connection.vendor)
    user = next(iter(User._default_manager.raw(sql, [Authenticator.Type.TOTP, user_id])), None)
    if user is not None:
        user._role_cache = set(filter(None, (user.portal_roles or "").split(",")))
        user._totp_cache = bool(user.portal_has_totp)
    return user


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id):
        user = user_with_access_get(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class AuthenticationBackend(AllauthBackend):
    """allauth's email and password sign-in, with the same one-query ``get_user``."""

    def get_user(self, user_id):
        user = user_with_access_get(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
