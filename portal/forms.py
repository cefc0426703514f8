"""Forms of the portal core, the GOV.UK date input that every app's forms use, and how a service's
refusal is shown on a form."""

import datetime

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from .models import Organisation
from .selectors import organisations_find
from .validators import WEB_ADDRESS_MESSAGE, validate_web_address

DATE_PARTS = ("day", "month", "year")


class DateInputWidget(forms.MultiWidget):
    """The GOV.UK date input: day, month and year in three text boxes (``<name>_day`` …)."""

    def __init__(self):
        super().__init__({part: forms.TextInput(attrs={"inputmode": "numeric"}) for part in DATE_PARTS})

    def decompress(self, value):
        return [value.day, value.month, value.year] if value else [None, None, None]


class DateBoundField(forms.BoundField):
    """A date input's bound field; ``parts`` is what its three boxes show."""

    @property
    def parts(self) -> dict[str, str]:
        return date_input_parts(self.value())


class DateInputField(forms.Field):
    """A date typed as day, month and year, with the GOV.UK error messages; ``name`` starts them
    ("Start date must include a month"). Empty boxes give ``None``; when the field is required,
    the message is "Enter the <name>" unless ``error_messages`` gives another. Its bound field's
    ``parts`` fill the boxes (``partials/form_date.html``)."""

    widget = DateInputWidget

    def __init__(self, *, name: str, **kwargs):
        self.name = name
        kwargs["error_messages"] = {"required": f"Enter the {name.lower()}", **kwargs.get("error_messages", {})}
        super().__init__(**kwargs)

    def get_bound_field(self, form, field_name) -> DateBoundField:
        return DateBoundField(form, self, field_name)

    def to_python(self, value):
        if isinstance(value, datetime.date):
            return value
        parts = [str(part or "").strip() for part in (value or [])] or ["", "", ""]
        if not any(parts):
            return None
        missing = [label for label, part in zip(DATE_PARTS, parts, strict=True) if not part]
        if missing:
            raise forms.ValidationError(f"{self.name} must include a {' and a '.join(missing)}")
        real = f"{self.name} must be a real date, for example {date_example()}"
        if not all(part.isascii() and part.isdigit() for part in parts) or len(parts[2]) != 4:
            raise forms.ValidationError(real)
        day, month, year = (int(part) for part in parts)
        try:
            return datetime.date(year, month, day)
        except ValueError:
            raise forms.ValidationError(real) from None


def date_example(*, days: int = 0) -> str:
    """A date as people type it in a date input ("7 12 2026"): today, or ``days`` from today, so
    an example in a hint or message is never a date long past."""
    from django.utils import timezone

    day = timezone.localdate() + datetime.timedelta(days=days)
    return f"{day.day} {day.month} {day.year}"


def date_input_parts(value) -> dict[str, str]:
    """What a date input's boxes show for a bound field's ``value()``: the parts as typed when the
    form is bound, else the parts of the initial date; empty boxes for nothing."""
    if isinstance(value, datetime.date):
        value = DateInputWidget().decompress(value)
    value = value or ["", "", ""]
    return {part: ("" if v is None else str(v)) for part, v in zip(DATE_PARTS, value, strict=True)}


def service_error_messages(error: ValidationError) -> dict[str, list[str]]:
    """A service's ValidationError as field -> messages; messages that name no field are under
    ``NON_FIELD_ERRORS``."""
    return error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}


def form_add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form that sent the data: each message on the field
    it names when the form has that field, otherwise above the form. The HTML counterpart of
    ``portal.rest.errors.service_errors_as_400``."""
    for name, messages in service_error_messages(error).items():
        form.add_error(name if name in form.fields else None, messages)


class SignupForm(forms.Form):
    """Extra sign-up field; allauth adds email and passwords."""

    full_name = forms.CharField(
        label="Full name", max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )

    def signup(self, request, user) -> None:
        """Required by allauth; the adapter already stores the name."""


class OrganisationField(forms.CharField):
    """An organisation of ``kinds`` named by its name or Companies House number, as staff type it
    (with suggestions: ``portal/suggestions.py``), found by ``organisations_find``; an unknown name
    or number, a name several share, or an organisation of another kind is the field's error. A
    form changing a record sets ``known`` to the organisations it names already, found even when
    another shares their name."""

    def __init__(self, *, kinds, **kwargs):
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("widget", forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}))
        super().__init__(**kwargs)
        self.kinds = list(kinds)
        self.known: list[Organisation] = []

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        match = organisations_find([text], kinds=self.kinds, known=self.known)[text.strip()]
        if match.organisation is None:
            raise ValidationError(match.problem, code="invalid_choice")
        return match.organisation


# The kinds of organisation a credential is issued to: every kind but a firm.
CREDENTIAL_KINDS = [kind for kind in Organisation.Kind if kind != Organisation.Kind.FIRM]


class PartnerCredentialCreateForm(forms.Form):
    """A new credential: the organisation it is issued to, named by its name or Companies House
    number (suggested as staff type) and found among every organisation but the firms, its scopes,
    and whether the Commissioner's office runs the client."""

    SCOPE_CHOICES = [
        ("read", "read: read public and partner data"),
        ("observations:write", "observations:write: submit indicator observations"),
        ("companies:write", "companies:write: submit organisations and yearly facts"),
        ("investments:write", "investments:write: submit investment deals"),
        ("opportunities:write", "opportunities:write: publish their own organisation's funding opportunities"),
        ("webhooks", "webhooks: subscribe to event notifications"),
    ]

    organisation = OrganisationField(
        kinds=CREDENTIAL_KINDS,
        label="Partner organisation",
        error_messages={
            "required": "Enter the partner organisation's name or Companies House number",
            "max_length": "The organisation's name must be 200 characters or fewer",
        },
    )
    scopes = forms.MultipleChoiceField(
        choices=SCOPE_CHOICES, widget=forms.CheckboxSelectMultiple, label="Scopes", initial=["read"]
    )
    is_staff_owned = forms.BooleanField(
        required=False,
        label="Run by the Commissioner's office",
        help_text="Only for the office's own systems, such as its CRM: the client may then receive "
        "webhook events about confidential records, such as leads that landed.",
    )


class PartnerCredentialRotateForm(forms.Form):
    GRACE_CHOICES = [
        ("0", "Stop it now"),
        ("3600", "For 1 hour"),
        ("86400", "For 24 hours"),
        ("604800", "For 7 days"),
    ]

    grace_seconds = forms.TypedChoiceField(
        choices=GRACE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        label="How long should the old secret keep working?",
        error_messages={"required": "Choose how long the old secret keeps working"},
    )


class WebAddressField(forms.URLField):
    """A web address as people type it (``example.co.uk`` becomes ``https://example.co.uk``),
    checked by ``validate_web_address`` alone: http(s), no quotes, angle brackets or spaces."""

    default_validators = [validate_web_address]
    default_error_messages = {"invalid": WEB_ADDRESS_MESSAGE}

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class FeedbackForm(forms.Form):
    """The feedback page: what the person was doing, what went wrong and, for a reply, an email
    address. ``page`` is the address they came from, kept only when it is a path on this site."""

    doing = forms.CharField(
        label="What were you doing?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Tell us what you were doing",
            "max_length": "What you were doing must be 2,000 characters or fewer",
        },
    )
    problem = forms.CharField(
        label="What went wrong?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Tell us what went wrong",
            "max_length": "What went wrong must be 2,000 characters or fewer",
        },
    )
    email = forms.EmailField(
        label="Email address (optional)",
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "The email address must be 254 characters or fewer",
        },
    )
    page = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def clean_page(self) -> str:
        page = self.cleaned_data["page"]
        return page if page.startswith("/") and not page.startswith("//") else ""
