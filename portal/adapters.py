"""django-allauth adapter: founders sign up themselves; ambassadors sign up from an invitation;
other roles are granted by staff. After signing in, each role lands on its own work."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from django import forms
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse

from .roles import Role, is_staff, role_group, user_has_role

# The token of the invitation a person is signing up from, kept in their session by the
# invitation page (ambassadors.views.portal.InvitationAcceptView) until the sign-up completes.
INVITATION_SESSION_KEY = "ambassadors_invitation_token"


def _ambassador_portal_open(user) -> bool:
    from ambassadors.permissions import can_use_ambassador_portal

    return can_use_ambassador_portal(user)


def landing_url(user) -> str:
    """Where ``user`` lands after signing in when no safe ``next`` address was given: staff (and
    operators) on the staff dashboard, reviewers on the review queue, ambassadors on their portal
    (while it is open to them: accepted and not retired), founders on their applications; partner
    administrators and anyone else on the home page, where the missions and their figures are."""
    if is_staff(user):
        return reverse("portal:dashboard")
    if user_has_role(user, Role.REVIEWER):
        return reverse("workspaces:review-queue")
    if user_has_role(user, Role.AMBASSADOR) and _ambassador_portal_open(user):
        return reverse("ambassadors:home")
    if user_has_role(user, Role.FOUNDER):
        return reverse("workspaces:application-list")
    return reverse("portal:home")


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        """Someone signing up from an invitation signs up with the address it was sent to: that is
        the address the link proved they hold."""
        email = super().clean_email(email)
        invitation = self._invitation()
        if invitation is not None and email.lower() != invitation.email.lower():
            raise forms.ValidationError(
                f"Use the address your invitation was sent to, {invitation.email}, or sign up without the invitation."
            )
        return email

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.full_name = form.cleaned_data.get("full_name", "")
        if commit:
            token = request.session.get(INVITATION_SESSION_KEY) if request is not None else None
            if token:
                self._save_invited(request, user, token)
            else:
                user.save()
                # Public sign-up creates founders only; ambassadors come from an invitation and
                # staff grant every other role.
                user.groups.add(role_group(Role.FOUNDER))
        return user

    def _save_invited(self, request, user, token: str) -> None:
        """Create the user and accept their invitation in one transaction: an invitation that
        became unusable since the form was shown (used in another tab, withdrawn, expired) leaves
        no account behind, and the person is sent to the invitation page that says why."""
        from ambassadors.services import InvitationUnusableError, invitation_accept

        try:
            with transaction.atomic():
                user.save()
                invitation_accept(token=token, user=user)
        except InvitationUnusableError:
            user.pk = None
            raise ImmediateHttpResponse(
                HttpResponseRedirect(reverse("ambassadors:invitation-accept", args=[token]))
            ) from None
        request.session.pop(INVITATION_SESSION_KEY, None)

    def _invitation(self):
        """The usable invitation this sign-up comes from, if any."""
        request = getattr(self, "request", None)
        token = request.session.get(INVITATION_SESSION_KEY) if request is not None else None
        if not token:
            return None
        from ambassadors.services import InvitationUnusableError, invitation_check

        try:
            return invitation_check(token=token)
        except InvitationUnusableError:
            return None

    def get_login_redirect_url(self, request) -> str:
        # allauth follows a safe ``next`` address first and asks here only without one.
        return landing_url(request.user)
