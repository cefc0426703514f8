"""django-allauth adapters: founders sign up themselves; other roles arrive by invitation. After
signing in, each role lands on its own work. The messages allauth shows on its forms are in the
portal's words, and the roles that must use two-factor authentication cannot turn it off."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.urls import reverse

from .roles import Role, is_staff, mfa_is_required, role_group, user_has_role


def landing_url(user) -> str:
    """Where ``user`` lands after signing in when no safe ``next`` address was given: staff (and
    operators) on the staff dashboard, reviewers on the review queue, founders on their
    applications; ambassadors, partner administrators and anyone else on the home page, where the
    missions and their figures are."""
    if is_staff(user):
        return reverse("portal:dashboard")
    if user_has_role(user, Role.REVIEWER):
        return reverse("workspaces:review-queue")
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

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.full_name = form.cleaned_data.get("full_name", "")
        if commit:
            user.save()
            # Public sign-up creates founders only; staff grant every other role.
            user.groups.add(role_group(Role.FOUNDER))
        return user

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
