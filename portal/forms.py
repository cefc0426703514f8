"""Forms of the portal core, and the GOV.UK date input that every app's forms use."""

import datetime

from django import forms

from .models import Organisation

DATE_PARTS = ("day", "month", "year")


class DateInputWidget(forms.MultiWidget):
    """The GOV.UK date input: day, month and year in three text boxes (``<name>_day`` …)."""

    def __init__(self):
        super().__init__({part: forms.TextInput(attrs={"inputmode": "numeric"}) for part in DATE_PARTS})

    def decompress(self, value):
        return [value.day, value.month, value.year] if value else [None, None, None]


class DateInputField(forms.Field):
    """A date typed as day, month and year, with the GOV.UK error messages; ``name`` starts them
    ("Start date must include a month"). Empty boxes give ``None``; when the field is required,
    the message is "Enter the <name>" unless ``error_messages`` gives another."""

    widget = DateInputWidget

    def __init__(self, *, name: str, **kwargs):
        self.name = name
        kwargs["error_messages"] = {"required": f"Enter the {name.lower()}", **kwargs.get("error_messages", {})}
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, datetime.date):
            return value
        parts = [str(part or "").strip() for part in (value or [])] or ["", "", ""]
        if not any(parts):
            return None
        missing = [label for label, part in zip(DATE_PARTS, parts, strict=True) if not part]
        if missing:
            raise forms.ValidationError(f"{self.name} must include a {' and a '.join(missing)}")
        real = f"{self.name} must be a real date, for example 31 3 2025"
        if not all(part.isascii() and part.isdigit() for part in parts) or len(parts[2]) != 4:
            raise forms.ValidationError(real)
        day, month, year = (int(part) for part in parts)
        try:
            return datetime.date(year, month, day)
        except ValueError:
            raise forms.ValidationError(real) from None


def date_input_parts(value) -> dict[str, str]:
    """What a date input's boxes show for a bound field's ``value()``: the parts as typed when the
    form is bound, else the parts of the initial date; empty boxes for nothing."""
    if isinstance(value, datetime.date):
        value = DateInputWidget().decompress(value)
    value = value or ["", "", ""]
    return {part: ("" if v is None else str(v)) for part, v in zip(DATE_PARTS, value, strict=True)}


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
