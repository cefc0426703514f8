"""django-allauth adapter: founders sign up themselves; people invited by a feature app (the
ambassadors) sign up from their invitation; other roles are granted by staff. After signing in,
each role lands on its own work.

The core imports no feature app: an app whose invitations lead to a sign-up registers a
``SignupInvitations`` handler, and an app that is a role's home registers it with
``role_home_register``, both from its ``AppConfig.ready()``."""

from collections.abc import Callable
from typing import Protocol

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from django import forms
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse

from .roles import Role, is_staff, role_group, user_has_role


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

    def get_login_redirect_url(self, request) -> str:
        # allauth follows a safe ``next`` address first and asks here only without one.
        return landing_url(request.user)
