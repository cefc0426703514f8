"""django-allauth adapter: founders sign up themselves; other roles arrive by invitation."""

from allauth.account.adapter import DefaultAccountAdapter

from .roles import Role, role_group


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.full_name = form.cleaned_data.get("full_name", "")
        if commit:
            user.save()
            # Public sign-up creates founders only; staff grant every other role.
            user.groups.add(role_group(Role.FOUNDER))
        return user
