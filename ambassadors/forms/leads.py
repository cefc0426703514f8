"""Forms of the leads pages: an ambassador's referral, staff recording a lead, and the move form
that asks for the fields of the stage the lead moves to (or, to change details, of the stage it
is in). They check shape and what the stage requires, field by field, so a page lists every
problem at once; ``ambassadors.services.leads`` decides (and checks everything again)."""

from django import forms
from django.utils import timezone
from django_countries import countries

from portal.forms import DateInputField, date_example
from portal.models import Sector
from portal.validators import validate_company_number

from ..lead_filters import ambassador_named, staff_users
from ..models import Lead
from ..services.leads import JOBS_LIMIT, MONEY_FIELDS, REFER_FIELDS
from ..stages import MISSING, STAGE_FIELDS, needs_reason

S = Lead.Stage
TEXT_INPUT = {"spellcheck": "false", "autocomplete": "off"}


class NameChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return getattr(obj, "full_name", "") or getattr(obj, "email", "") or str(obj)


class AmbassadorField(forms.CharField):
    """The ambassador a lead is credited to, typed as their email address or full name (staff
    are offered matches as they type: ``AmbassadorSuggestionsView``), not chosen from a list of
    the whole network; resolved by ``ambassador_find``. Empty is nobody."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 254)
        kwargs.setdefault("widget", forms.TextInput(attrs=TEXT_INPUT))
        kwargs.setdefault(
            "error_messages", {"max_length": "The ambassador's email address or name must be 254 characters or fewer"}
        )
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        return ambassador_named(text) if text else None


def _count(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=JOBS_LIMIT,
        widget=forms.TextInput(attrs={"inputmode": "numeric", **TEXT_INPUT}),
        error_messages={
            "invalid": f"Enter the {label.lower()} as a whole number, like 25",
            "min_value": f"The {label.lower()} cannot be negative: enter 0 or more",
            "max_value": f"Enter at most {JOBS_LIMIT:,}",
        },
    )


def _money(label: str, name: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", **TEXT_INPUT}),
        error_messages={
            "invalid": f"Enter the {name} as an amount in pounds, like 2500000 or 2500000.50",
            "min_value": f"The {name} cannot be negative: enter 0 or more",
            "max_digits": f"Enter the {name} as less than £1,000,000,000,000",
            "max_whole_digits": f"Enter the {name} as less than £1,000,000,000,000",
            "max_decimal_places": f"Enter the {name} in pounds and pence, with at most 2 decimal places",
        },
    )


def _field(name: str) -> forms.Field:
    """The form field of one lead field, not required: what a stage requires is checked in
    ``LeadFieldsForm.clean`` with the stage's own messages."""
    if name == "name":
        return forms.CharField(
            label="Company name",
            max_length=200,
            required=False,
            error_messages={"max_length": "The company's name must be 200 characters or fewer"},
        )
    if name == "company_number":
        return forms.CharField(
            label="Companies House number",
            max_length=20,
            required=False,
            widget=forms.TextInput(attrs=TEXT_INPUT),
            error_messages={"max_length": "Enter a Companies House number of 8 characters, like 01234567 or SC123456."},
        )
    if name == "summary":
        return forms.CharField(
            label="What the company wants to do in the region", required=False, widget=forms.Textarea(attrs={"rows": 4})
        )
    if name == "sector":
        return forms.ChoiceField(
            label="Sector",
            required=False,
            choices=[("", "Choose a sector"), *Sector.choices],
            error_messages={"invalid_choice": "Choose the company's sector from the list"},
        )
    if name == "origin_country":
        return forms.ChoiceField(
            label="Country the company comes from",
            required=False,
            choices=[("", "Choose a country"), *countries],
            error_messages={"invalid_choice": "Choose the country the company comes from from the list"},
        )
    if name == "kind":
        return forms.ChoiceField(
            label="Type of investment",
            required=False,
            choices=Lead.Kind.choices,
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": "Choose the type of investment from the list"},
        )
    if name == "owner":
        return NameChoiceField(
            label="Owner",
            required=False,
            queryset=staff_users(),
            empty_label="Choose a member of staff",
            error_messages={"invalid_choice": "Choose a member of commissioner staff to own the lead"},
        )
    if name == "referred_by":
        return AmbassadorField(label="Referred by", required=False)
    if name == "expected_jobs":
        return _count("Jobs expected")
    if name == "new_jobs":
        return _count("New jobs")
    if name == "safeguarded_jobs":
        return _count("Safeguarded jobs")
    if name in MONEY_FIELDS:
        label = {"expected_capital": "Capital expected (£)", "capital_invested": "Capital invested (£)"}[name]
        return _money(label, MONEY_FIELDS[name])
    if name == "landed_on":
        return DateInputField(name="Date it landed", required=False)
    if name == "lost_reason":
        return forms.CharField(label="Why the lead was lost", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    if name == "competing_location":
        return forms.CharField(
            label="Where the company went instead",
            max_length=200,
            required=False,
            error_messages={"max_length": "Where the company went instead must be 200 characters or fewer"},
        )
    raise ValueError(f"No form field for lead field {name!r}")


# Hints shown under fields, by name.
HINTS = {
    "company_number": (
        "8 characters, like 01234567 or SC123456. For a firm from abroad, its UK company's number, if it has one."
    ),
    "expected_capital": "In pounds, like 2500000.",
    "capital_invested": "In pounds, like 2500000.",
    "competing_location": "Or 'Nowhere' if the company decided not to invest at all.",
    "referred_by": (
        "The ambassador's email address or full name (matching ambassadors are suggested as you type). "
        "Leave it empty if no ambassador brought the lead."
    ),
}


class LeadFieldsForm(forms.Form):
    """A form of some lead fields (``field_names``), of which ``required`` must be given. Field
    values keep the model's types, so ``cleaned_data`` goes to the service as it is."""

    field_names: tuple[str, ...] = ()

    def __init__(self, *args, field_names=None, required=(), **kwargs):
        super().__init__(*args, **kwargs)
        names = tuple(field_names if field_names is not None else self.field_names)
        for name in names:
            self.fields[name] = _field(name)
        self.required_names = tuple(name for name in names if name in required)
        self.lead_field_names = names

    def clean_company_number(self) -> str:
        value = self.cleaned_data.get("company_number", "")
        if value:
            validate_company_number(value)
        return value

    def clean_landed_on(self):
        value = self.cleaned_data.get("landed_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError("The date the investment landed must be today or in the past")
        return value

    def clean(self):
        cleaned = super().clean()
        for name in self.required_names:
            if name not in self.errors and cleaned.get(name) in (None, ""):
                self.add_error(name, MISSING[name])
        return cleaned

    def lead_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.lead_field_names}

    @property
    def hints(self) -> dict[str, str]:
        example = date_example(days=-30)
        return {**HINTS, "landed_on": f"The day the office opened or the investment was made, for example {example}."}


class LeadReferForm(LeadFieldsForm):
    """An ambassador refers a lead: the company's name is required, the rest helps staff qualify it."""

    field_names = REFER_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, required=("name",), **kwargs)


class LeadCreateForm(LeadFieldsForm):
    """Staff record a lead, credited to an ambassador or to nobody."""

    field_names = (*REFER_FIELDS, "referred_by", "owner")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, required=("name",), **kwargs)


# The details staff may change in any stage, besides the fields the stage requires.
DETAIL_FIELDS = (*REFER_FIELDS, "referred_by", "owner")


class LeadMoveForm(LeadFieldsForm):
    """Staff move ``lead`` to ``to`` (the fields that stage requires, filled with the lead's
    values), or change its details when ``to`` is its own stage (every field it may hold there).
    ``version`` is the version of the lead the page showed; ``reason`` is why (required when
    reopening)."""

    version = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": "Reload the page and try again"})
    stage = forms.ChoiceField(choices=S.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label="Why (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, lead: Lead, to: str, **kwargs):
        self.lead, self.to = lead, to
        if to == lead.stage:  # changing details: every field the lead may hold here
            names = tuple(dict.fromkeys((*DETAIL_FIELDS, *STAGE_FIELDS[to])))
        else:  # a move: what the stage adds, and what it requires that the lead still lacks
            held = set(STAGE_FIELDS[lead.stage])
            names = tuple(n for n in STAGE_FIELDS[to] if n not in held or getattr(lead, n) in (None, ""))
        initial = {name: getattr(lead, name) for name in names}
        initial.update(version=lead.version, stage=to)
        if "owner" in initial:
            initial["owner"] = lead.owner_id
        if "referred_by" in initial:
            # By email address: a name may be shared, and the form sent back unchanged must name
            # the same ambassador.
            ambassador = lead.referred_by
            initial["referred_by"] = ambassador.user.email if ambassador and ambassador.user else ""
        kwargs.setdefault("initial", initial)
        required = ("name", *STAGE_FIELDS[to])
        super().__init__(*args, field_names=names, required=required, **kwargs)
        if needs_reason(lead, to):
            self.fields["reason"].label = "Why the lead is reopened"

    def clean(self):
        cleaned = super().clean()
        if (
            needs_reason(self.lead, self.to)
            and not (cleaned.get("reason") or "").strip()
            and "reason" not in self.errors
        ):
            self.add_error("reason", f"Enter why the {self.lead.get_stage_display().lower()} lead is reopened")
        return cleaned
