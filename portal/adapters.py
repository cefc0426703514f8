"""django-allauth adapters: founders sign up themselves; people invited by a feature app (the
ambassadors) sign up from their invitation; other roles are granted by staff. After signing in,
each role lands on its own work. The messages allauth shows on its forms are in the portal's
words, and the roles that must use two-factor authentication cannot turn it off.

The core imports no feature app: an app whose invitations lead to a sign-up registers a
``SignupInvitations`` handler, and an app that is a role's home registers it with
``role_home_register``, both from its ``AppConfig.ready()``."""

from collections.abc import Callable
from typing import Protocol

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django import forms
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse

from .roles import Role, is_staff, mfa_is_required, role_group, user_has_role


class SignupInvitationRefusedError(Exception):
    """The invitation a sign-up came from can no longer be used; ``redirect_url`` is the page
    that says why."""

    def __init__(self, redirect_url: str):
        super().__init__(redirect_url)
        self.redirect_url = redirect_url


class SignupInvitations(Protocol):
    """What a feature app's invitations provide to the sign-up."""

    def holds(self, request) -> bool:
        """The session carries one of this app's invitations (usable or not)."""

    def email(self, request) -> str | None:
        """The address the session's invitation was sent to, when it can still be used."""

    def accept(self, request, user) -> None:
        """Accept the session's invitation for the new ``user`` (in the caller's transaction), giving
        the user their role. Raises SignupInvitationRefusedError when it can no longer be used."""


SIGNUP_INVITATIONS: list[SignupInvitations] = []
# role -> (URL name of its home, rule(user) -> whether that home is open to the user)
ROLE_HOMES: dict[str, tuple[str, Callable[..., bool]]] = {}


def role_home_register(role: str, url_name: str, rule: Callable[..., bool]) -> None:
    """Make ``url_name`` where holders of ``role`` land, while ``rule(user)`` allows it."""
    ROLE_HOMES[role] = (url_name, rule)


def _role_home(user, role: str) -> str | None:
    url_name, rule = ROLE_HOMES.get(role, (None, None))
    return reverse(url_name) if url_name and user_has_role(user, role) and rule(user) else None


def landing_url(user) -> str:
    """Where ``user`` lands after signing in when no safe ``next`` address was given: staff (and
    operators) on the staff dashboard, reviewers on the review queue, ambassadors on their portal
    (while it is open to them: accepted and not retired), founders on their applications; partner
    administrators and anyone else on the home page, where the missions and their figures are."""
    if is_staff(user):
        return reverse("portal:dashboard")
    if user_has_role(user, Role.REVIEWER):
        return reverse("workspaces:review-queue")
    if ambassador_home := _role_home(user, Role.AMBASSADOR):
        return ambassador_home
    if user_has_role(user, Role.FOUNDER):
        return reverse("workspaces:application-list")
    return reverse("portal:home")


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "duplicate_email": "This email address is already on your account",
        "email_password_mismatch": "The email address or password is not correct",
        "email_taken": "An account already uses this email address",
        "enter_current_password": "Your current password is not correct",
        "incorrect_code": "The code is not correct: check the email we sent you",
        "incorrect_password": "The password is not correct",
        "invalid_password_reset": "This password reset link does not work any more",
        "max_email_addresses": "You cannot add more than %d email addresses",
        "rate_limited": "You have tried too many times: wait a few minutes and try again",
        "too_many_login_attempts": "You have tried to sign in too many times: wait a few minutes and try again",
        "unknown_email": "No account uses this email address",
    }

    def clean_email(self, email: str) -> str:
        """Someone signing up from an invitation signs up with the address it was sent to: that is
        the address the link proved they hold."""
        email = super().clean_email(email)
        request = getattr(self, "request", None)
        for invitations in SIGNUP_INVITATIONS if request is not None else []:
            invited = invitations.email(request)
            if invited and email.lower() != invited.lower():
                raise forms.ValidationError(f"Use the address your invitation was sent to, {invited}.")
        return email

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.full_name = form.cleaned_data.get("full_name", "")
        if commit:
            invitations = next((i for i in SIGNUP_INVITATIONS if request is not None and i.holds(request)), None)
            if invitations is not None:
                self._save_invited(request, user, invitations)
            else:
                user.save()
                # Public sign-up creates founders only; other roles come from an invitation or staff.
                user.groups.add(role_group(Role.FOUNDER))
        return user

    def _save_invited(self, request, user, invitations: SignupInvitations) -> None:
        """Create the user and accept their invitation in one transaction: an invitation that
        became unusable since the form was shown (used in another tab, withdrawn, expired) leaves
        no account behind, and the person is sent to the page that says why."""
        try:
            with transaction.atomic():
                user.save()
                invitations.accept(request, user)
        except SignupInvitationRefusedError as error:
            user.pk = None
            raise ImmediateHttpResponse(HttpResponseRedirect(error.redirect_url)) from None

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """The account whose failed sign-ins are counted (``ACCOUNT_RATE_LIMITS["login_failed"]``,
        per key): its email address alone. allauth prefixes the site's domain, which without the
        Sites framework is the Host the request names, port included: every name the portal
        answers to, and every web process addressed on its own port, would count five failures of
        its own. tests/portal/test_login_limits.py asks two processes on different ports."""
        return credentials.get("email", credentials.get("username", "")).lower()

    def get_login_redirect_url(self, request) -> str:
        # allauth follows a safe ``next`` address first and asks here only without one.
        return landing_url(request.user)

    def get_reauthentication_methods(self, user) -> list[dict]:
        descriptions = {
            "reauthenticate": "Confirm with your password",
            "mfa_reauthenticate": "Confirm with a code from your authenticator app",
        }
        methods = super().get_reauthentication_methods(user)
        return [{**method, "description": descriptions.get(method["id"], method["description"])} for method in methods]


class MfaAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "add_email_blocked": "You cannot add an email address while two-factor authentication is on",
        "cannot_delete_authenticator": (
            "Your role must sign in with two-factor authentication, so the authenticator app cannot be turned off"
        ),
        "cannot_generate_recovery_codes": "Set up the authenticator app before making recovery codes",
        "incorrect_code": "The code is not correct: enter the code your authenticator app shows now",
        "unverified_email": "Confirm your email address before setting up two-factor authentication",
    }

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """The authenticator app of someone whose role needs it stays: without it they could reach
        no page but the one that sets it up again."""
        if authenticator.type == Authenticator.Type.TOTP and mfa_is_required(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)
