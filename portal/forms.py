"""Forms of the portal core."""

from django import forms

from .models import Organisation


class SignupForm(forms.Form):
    """Extra sign-up field; allauth adds email and passwords."""

    full_name = forms.CharField(
        label="Full name", max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )

    def signup(self, request, user) -> None:
        """Required by allauth; the adapter already stores the name."""


class PartnerCredentialCreateForm(forms.Form):
    SCOPE_CHOICES = [
        ("read", "read: read public and partner data"),
        ("observations:write", "observations:write: submit indicator observations"),
        ("companies:write", "companies:write: submit organisations and yearly facts"),
        ("investments:write", "investments:write: submit investment deals"),
    ]

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.exclude(kind=Organisation.Kind.FIRM).order_by("name"),
        label="Partner organisation",
        empty_label="Choose an organisation",
    )
    scopes = forms.MultipleChoiceField(
        choices=SCOPE_CHOICES, widget=forms.CheckboxSelectMultiple, label="Scopes", initial=["read"]
    )
