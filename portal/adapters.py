"""django-allauth adapter: founders sign up themselves; other roles arrive by invitation. After
signing in, each role lands on its own work."""

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from .roles import Role, is_staff, role_group, user_has_role


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
