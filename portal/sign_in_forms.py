"""allauth's sign-in form in the portal's words. Kept apart from ``portal.forms``, which allauth
imports while building its own forms (the sign-up form class), so the two do not import each other."""

from allauth.account.forms import LoginForm as AllauthLoginForm


class LoginForm(AllauthLoginForm):
    """The sign-in form with labels and no placeholders."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Email address"
        self.fields["remember"].label = "Keep me signed in on this device"
        self.fields["remember"].help_text = "Leave this unticked on a shared computer."
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)
