"""allauth's account and two-factor forms in the portal's words: every field has a label and a
hint, no placeholder, and GOV.UK error messages ("Enter your current password").

Kept apart from ``portal.forms``, which allauth imports while building its own forms (the sign-up
form class), so the two do not import each other. Settings name these classes in
``ACCOUNT_FORMS`` and ``MFA_FORMS``."""

from allauth.account import forms as account_forms
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext

EMAIL_MESSAGES = {
    "required": "Enter an email address",
    "invalid": "Enter an email address in the correct format, like name@example.org",
}
SAME_PASSWORD_MESSAGE = "Enter the same new password in both boxes"
CODE_HINT = "The 6-digit code your authenticator app shows for the Tech Commissioner Portal, like 123456."


def new_password_hint() -> str:
    """What a new password must be, from the validators in ``AUTH_PASSWORD_VALIDATORS``."""
    lengths = [
        validator.min_length
        for validator in password_validation.get_default_password_validators()
        if isinstance(validator, password_validation.MinimumLengthValidator)
    ]
    length = f"At least {max(lengths)} characters. " if lengths else ""
    return f"{length}Not a common password, not only numbers and not close to your name or email address."


EMAIL_CHECK_HINT = "We will email a code to this address to check it is yours."
APP_CODE_LABEL = "Code from your authenticator app"
APP_CODE_REQUIRED = "Enter the code from your authenticator app"


def _new_password_labels() -> dict[str, tuple[str, str, str]]:
    return {
        "password1": ("New password", new_password_hint(), "Enter a new password"),
        "password2": ("Confirm new password", "Type the new password again.", "Confirm your new password"),
    }


def _relabel(form: forms.Form, fields: dict[str, tuple[str, str, str]]) -> None:
    """Give each named field its label, hint and "required" message, and drop any placeholder:
    a placeholder disappears as soon as someone types."""
    for name, (label, hint, required) in fields.items():
        field = form.fields[name]
        field.label = label
        field.help_text = hint
        field.error_messages["required"] = required
    for field in form.fields.values():
        field.widget.attrs.pop("placeholder", None)


class PortalWordsMixin:
    """An allauth form in the portal's words: each field of ``labels`` (name: label, hint,
    "required" message) gets them, placeholders go, and an ``email`` field gets the portal's
    message for an address it cannot read. Forms whose hints are worked out from settings give
    them in ``portal_labels``."""

    labels: dict[str, tuple[str, str, str]] = {}

    def portal_labels(self) -> dict[str, tuple[str, str, str]]:
        return self.labels

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _relabel(self, self.portal_labels())
        if "email" in self.fields:
            self.fields["email"].error_messages["invalid"] = EMAIL_MESSAGES["invalid"]


def _check_same_password(form: forms.Form, message: str = SAME_PASSWORD_MESSAGE) -> None:
    """Report on the confirmation box when the two passwords differ, even when the first is
    refused for another reason, so every problem is listed at once."""
    first, second = form["password1"].value(), form["password2"].value()
    if first and second and first != second and not form.has_error("password2"):
        form.add_error("password2", message)


def _drop_error(form: forms.Form, name: str, message: str) -> None:
    """Remove one of allauth's own messages from a field, where the portal reports it in its words."""
    errors = form.errors.get(name)
    if errors is not None:
        kept = [error for error in errors if error != message]
        if kept:
            form.errors[name] = form.error_class(kept)
        else:
            del form.errors[name]


class LoginForm(account_forms.LoginForm):
    """The sign-in form with labels and no placeholders."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Email address"
        self.fields["login"].error_messages.update(EMAIL_MESSAGES)
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["remember"].label = "Keep me signed in on this device"
        self.fields["remember"].help_text = "Leave this unticked on a shared computer."
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)


class SignupForm(PortalWordsMixin, account_forms.SignupForm):
    """Founders' sign-up (with the full name from ``portal.forms.SignupForm``): labels, hints and
    every error at once, the passwords' mismatch included."""

    def portal_labels(self):
        return {
            "full_name": ("Full name", "", "Enter your full name"),
            "email": ("Email address", EMAIL_CHECK_HINT, EMAIL_MESSAGES["required"]),
            "password1": ("Password", new_password_hint(), "Enter a password"),
            "password2": ("Confirm password", "Type the password again.", "Confirm your password"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_name"].error_messages["max_length"] = "Your name must be 200 characters or fewer"

    def clean(self):
        cleaned_data = super().clean()
        _drop_error(self, "password2", gettext("You must type the same password each time."))
        _check_same_password(self, "Enter the same password in both boxes")
        return cleaned_data


class AddEmailForm(PortalWordsMixin, account_forms.AddEmailForm):
    """Another email address for the account; it is checked with a code before it can be used."""

    labels = {"email": ("Email address", EMAIL_CHECK_HINT, EMAIL_MESSAGES["required"])}


class ChangePasswordForm(PortalWordsMixin, account_forms.ChangePasswordForm):
    """Change the password of a signed-in account: the current one, then the new one twice."""

    def portal_labels(self):
        return {
            "oldpassword": ("Current password", "", "Enter your current password"),
            **_new_password_labels(),
        }

    def clean(self):
        # allauth's own check compares the two only when the first is valid, in its own words.
        cleaned_data = super(account_forms.PasswordVerificationMixin, self).clean()
        _check_same_password(self)
        return cleaned_data


class ResetPasswordForm(PortalWordsMixin, account_forms.ResetPasswordForm):
    """Ask for a password reset link by email address."""

    labels = {"email": ("Email address", "The address you sign in with.", "Enter the email address you sign in with")}


class ResetPasswordKeyForm(PortalWordsMixin, account_forms.ResetPasswordKeyForm):
    """Choose a new password from a reset link."""

    def portal_labels(self):
        return _new_password_labels()

    def clean(self):
        cleaned_data = super(account_forms.PasswordVerificationMixin, self).clean()
        _check_same_password(self)
        return cleaned_data


class ReauthenticateForm(PortalWordsMixin, account_forms.ReauthenticateForm):
    """Confirm it is you with your password before a change to how you sign in."""

    labels = {"password": ("Password", "The password you sign in with.", "Enter your password")}


class ConfirmEmailVerificationCodeForm(PortalWordsMixin, account_forms.ConfirmEmailVerificationCodeForm):
    """The code emailed to check an address."""

    labels = {"code": ("Confirmation code", "The code in the email we sent you.", "Enter the code from the email")}


class MfaAuthenticateForm(PortalWordsMixin, mfa_forms.AuthenticateForm):
    """The second sign-in step: a code from the authenticator app, or a recovery code."""

    labels = {
        "code": (
            APP_CODE_LABEL,
            CODE_HINT + " If you have lost your device, enter one of your recovery codes instead.",
            APP_CODE_REQUIRED,
        )
    }


class MfaReauthenticateForm(PortalWordsMixin, mfa_forms.ReauthenticateForm):
    """Confirm it is you with a code before a change to how you sign in."""

    labels = {
        "code": (APP_CODE_LABEL, CODE_HINT + " You can also enter one of your recovery codes.", APP_CODE_REQUIRED)
    }


class ActivateTOTPForm(PortalWordsMixin, totp_forms.ActivateTOTPForm):
    """Set up the authenticator app: the code it shows proves it holds the secret."""

    labels = {
        "code": (
            APP_CODE_LABEL,
            "After adding the account to the app, enter the 6-digit code it shows, like 123456.",
            APP_CODE_REQUIRED,
        )
    }


class AccountDeleteForm(PortalWordsMixin, account_forms.ReauthenticateForm):
    """Confirm with your password that you want your account deleted. allauth checks the password
    as at sign-in, so wrong guesses count towards the same rate limit (``login_failed``)."""

    labels = {"password": ("Password", "The password you sign in with, to confirm it is you.", "Enter your password")}
