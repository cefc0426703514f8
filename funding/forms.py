"""Forms of the funding pages: the catalogue's filters (``OpportunityFilterSet`` with the labels
the page shows) and the staff form that publishes and changes an opportunity. Forms check the
shape of what people type, find the organisations they name, and show the service's cross-field
rules on every field at once; the services decide and write."""

from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError

from portal.forms import DateInputField, OrganisationField, WebAddressField
from portal.models import Organisation, Sector
from portal.selectors import organisation_reference

from . import services
from .filters import BOROUGHS, OpportunityFilterSet
from .models import FUNDER_KINDS, Opportunity, Stage


class OpportunityCatalogueFilterSet(OpportunityFilterSet):
    """The shared opportunity filters with the hints the public catalogue shows."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.form.fields
        fields["status"].label = "Status (closed ones are left out unless you tick Closed)"
        for name in ("sector", "borough"):
            # The form's copy of the field kept a widget whose choices still name the original field.
            fields[name].widget.choices = fields[name].choices
        fields["amount"].widget = forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"})
        fields["q"].widget = forms.TextInput(attrs={"spellcheck": "false"})


def _whole_number(label: str, *, maximum: int) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=maximum,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "invalid": f"Enter the {label.lower().split(' (')[0]} as a whole number",
            "min_value": f"The {label.lower().split(' (')[0]} cannot be negative",
            "max_value": f"Enter at most {maximum:,} for the {label.lower().split(' (')[0]}",
        },
    )


class OpportunityForm(forms.Form):
    """Everything about an opportunity on one page. The funder is named by its name or Companies
    House number (suggested as staff type), found among the funders, partners and public bodies of
    the registry. ``clean`` adds the service's rules between fields (amount range, closing date or
    rolling, dates in order, ranges) to the field errors, so the page lists every problem
    together; saving goes through the services."""

    funder = OrganisationField(
        kinds=FUNDER_KINDS,
        label="Funder",
        error_messages={
            "required": "Enter the funder's name or Companies House number",
            "max_length": "The funder's name must be 200 characters or fewer",
        },
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages={"required": "Enter the title", "max_length": "The title must be 200 characters or fewer"},
    )
    kind = forms.ChoiceField(
        label="Kind of funding",
        choices=[("", "Choose the kind"), *Opportunity.Kind.choices],
        error_messages={"required": "Choose the kind of funding", "invalid_choice": "Choose a kind from the list"},
    )
    summary = forms.CharField(
        label="Summary",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter a summary",
            "max_length": "The summary must be 3,000 characters or fewer",
        },
    )
    amount_min_gbp = _whole_number("Smallest amount (£, optional)", maximum=services.MAX_AMOUNT_GBP)
    amount_max_gbp = _whole_number("Largest amount (£, optional)", maximum=services.MAX_AMOUNT_GBP)
    opens_on = DateInputField(name="Opening date", label="Opening date (optional)", required=False)
    rolling = forms.BooleanField(label="Rolling: open until further notice, with no closing date", required=False)
    closes_on = DateInputField(name="Closing date", label="Closing date", required=False)
    eligibility = forms.CharField(
        label="Who can apply",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Say who can apply",
            "max_length": "Who can apply must be 5,000 characters or fewer",
        },
    )
    sectors = forms.MultipleChoiceField(
        label="Sectors (leave all unticked for any sector)",
        choices=Sector.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose sectors from the list"},
    )
    boroughs = forms.MultipleChoiceField(
        label="Boroughs (leave all unticked for firms anywhere)",
        choices=BOROUGHS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose boroughs from the list"},
    )
    stages = forms.MultipleChoiceField(
        label="Firm stages (leave all unticked for any stage)",
        choices=Stage.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose stages from the list"},
    )
    firm_age_min_years = _whole_number("Youngest firm age (years, optional)", maximum=200)
    firm_age_max_years = _whole_number("Oldest firm age (years, optional)", maximum=200)
    headcount_min = _whole_number("Smallest headcount (optional)", maximum=1_000_000)
    headcount_max = _whole_number("Largest headcount (optional)", maximum=1_000_000)
    link = WebAddressField(
        label="Web address of the funder's page",
        max_length=500,
        error_messages={
            "required": "Enter the web address of the funder's page",
            "max_length": "The web address must be 500 characters or fewer",
        },
    )

    def __init__(self, *args, known: Iterable[Organisation] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funder"].known = list(known)  # the changed opportunity's funder

    @classmethod
    def initial_of(cls, opportunity: Opportunity) -> dict:
        """The form's initial values for a stored opportunity."""
        initial = {name: getattr(opportunity, name) for name in services.OPPORTUNITY_FIELDS}
        return {**initial, "funder": organisation_reference(opportunity.funder), **services.rule_values(opportunity)}

    def clean(self):
        cleaned = super().clean()
        draft = Opportunity(**{name: cleaned.get(name) for name in services.OPPORTUNITY_FIELDS if name != "rolling"})
        draft.rolling = bool(cleaned.get("rolling"))
        draft.funder = cleaned.get("funder")
        for field, messages in services.opportunity_value_errors(draft).items():
            if field in self.fields and field not in self.errors:
                for message in messages:
                    self.add_error(field, ValidationError(message))
        return cleaned

    def service_data(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in services.OPPORTUNITY_FIELDS}
        data["rolling"] = bool(data["rolling"])
        rules = {key: self.cleaned_data[key] for key in services.RULE_FIELDS}
        return {**data, "funder": self.cleaned_data["funder"], **rules}
