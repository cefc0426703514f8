"""Forms of the catalogue pages: the public filters, the staff workspace form and the form that
ends a tenancy. They check the shape of what people type; the services decide."""

from django import forms
from django.utils import timezone

from portal.forms import DateInputField, date_example
from portal.models import Organisation
from portal.postcodes import postcode_normalise, validate_postcode

from ..filters import WorkspaceFilterSet
from ..models import DeskPool, DeskType, Workspace
from ..services import WORKSPACE_FIELDS

MAX_DESKS_PER_TYPE = 10_000


class WorkspaceCatalogueFilterSet(WorkspaceFilterSet):
    """The shared workspace filters with the labels the public list shows."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.form.fields
        for name, empty_label, message in [
            ("borough", "Any borough", "Choose a borough from the list"),
            ("desk_type", "Any desk type", "Choose a desk type from the list"),
        ]:
            fields[name].empty_label = empty_label
            # The form's copy of the field kept a widget whose choices still name the original field.
            fields[name].widget.choices = fields[name].choices
            fields[name].error_messages["invalid_choice"] = message
        fields["available"].label = "Only show workspaces with free desks"
        fields["available"].error_messages["invalid"] = "Tick the box to only show workspaces with free desks"
        fields["accepting_applications"].label = "Only show workspaces taking applications"
        fields["accepting_applications"].error_messages["invalid"] = "Enter true or false for accepting applications"


class ProviderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return obj.name


def desk_field_names(desk_type: str) -> tuple[str, str]:
    """The form's capacity and price field names of one desk type (the service's error keys match)."""
    return f"capacity_{desk_type}", f"price_{desk_type}"


class WorkspaceForm(forms.ModelForm):
    """A workspace's details and, per desk type, its capacity and monthly price.

    Every field is checked at once, so the page lists every problem together: the postcode's shape,
    and each capacity against the desks already offered or let (which ``services.workspace_save``
    checks again under its lock). Saving goes through the service; the form never saves itself."""

    provider = ProviderChoiceField(
        queryset=Organisation.objects.none(),
        label="Provider",
        empty_label="Choose a provider",
        error_messages={"required": "Choose the provider", "invalid_choice": "Choose a provider from the list"},
    )

    # Any text is read and checked as a postcode (a long one gets the postcode message too).
    postcode = forms.CharField(
        label="Postcode",
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "spellcheck": "false"}),
        error_messages={"required": "Enter the postcode", "max_length": "Enter a real postcode, like SW1A 1AA"},
    )

    class Meta:
        model = Workspace
        fields = list(WORKSPACE_FIELDS)
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "address": forms.Textarea(attrs={"rows": 3}),
            "eligibility": forms.Textarea(attrs={"rows": 4}),
            "accessibility": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {
            "name": "Name",
            "summary": "Summary",
            "address": "Address",
            "postcode": "Postcode",
            "local_authority": "Borough",
            "subsidy": "Subsidy (optional)",
            "eligibility": "Who may apply",
            "accessibility": "Accessibility",
            "accepting_applications": "Taking applications now",
        }
        error_messages = {
            "name": {"required": "Enter the workspace's name"},
            "address": {"required": "Enter the address"},
            "postcode": {"required": "Enter the postcode"},
            "local_authority": {
                "required": "Choose the borough",
                "invalid_choice": "Choose a borough from the list",
            },
            "eligibility": {"required": "Say who may apply"},
            "accessibility": {"required": "Describe the accessibility of the space"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = Organisation.objects.filter(
            kind=Organisation.Kind.WORKSPACE_PROVIDER
        ).order_by("name")
        self.fields["local_authority"].choices = [("", "Choose a borough"), *self.fields["local_authority"].choices[1:]]
        pools = {}
        if self.instance.pk:
            pools = {pool.desk_type: pool for pool in DeskPool.objects.filter(workspace=self.instance)}
        self.existing_pools = pools
        for desk_type, label in DeskType.choices:
            capacity_name, price_name = desk_field_names(desk_type)
            pool = pools.get(desk_type)
            self.fields[capacity_name] = forms.IntegerField(
                label=f"Number of {label.lower()}s",
                required=False,
                min_value=0,
                max_value=MAX_DESKS_PER_TYPE,
                initial=pool.capacity if pool else 0,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
                error_messages={
                    "invalid": f"Enter the number of {label.lower()}s as a whole number, like 12",
                    "min_value": f"The number of {label.lower()}s cannot be negative",
                    "max_value": f"Enter at most {MAX_DESKS_PER_TYPE:,} {label.lower()}s",
                },
            )
            self.fields[price_name] = forms.DecimalField(
                label=f"Monthly price per {label.lower()} (£)",
                required=False,
                min_value=0,
                max_digits=8,
                decimal_places=2,
                initial=pool.monthly_price_gbp if pool else None,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
                error_messages={
                    "invalid": "Enter the price as a number of pounds, like 150 or 149.50",
                    "min_value": "The price cannot be negative",
                    "max_digits": "Enter a price below £1,000,000",
                    "max_whole_digits": "Enter a price below £1,000,000",
                    "max_decimal_places": "Enter the price in pounds and pence, like 149.50",
                },
            )

    def clean_postcode(self) -> str:
        postcode = postcode_normalise(self.cleaned_data.get("postcode", ""))
        if postcode:
            validate_postcode(postcode)
        return postcode

    def clean(self):
        cleaned = super().clean()
        for desk_type, pool in self.existing_pools.items():
            capacity_name = desk_field_names(desk_type)[0]
            capacity = cleaned.get(capacity_name)
            if capacity_name not in self.errors and (capacity or 0) < pool.allocated:
                label = pool.get_desk_type_display().lower()
                self.add_error(
                    capacity_name,
                    f"{pool.allocated} {label}s are offered or let, so capacity cannot be less than {pool.allocated}.",
                )
        return cleaned

    def desk_rows(self) -> list[dict]:
        """Each desk type's label and its capacity and price fields, for the form's table."""
        return [
            {"label": label, "capacity": self[desk_field_names(value)[0]], "price": self[desk_field_names(value)[1]]}
            for value, label in DeskType.choices
        ]

    def workspace_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def pools(self) -> dict[str, tuple[int, object]]:
        """Desk type -> (capacity, monthly price), as ``services.workspace_save`` takes them."""
        pools = {}
        for desk_type in DeskType.values:
            capacity_name, price_name = desk_field_names(desk_type)
            pools[desk_type] = (self.cleaned_data.get(capacity_name) or 0, self.cleaned_data.get(price_name))
        return pools

    def _post_clean(self):
        # The service validates and saves the workspace; the form keeps the instance untouched, so
        # a refused save leaves nothing half-changed in memory either.
        pass


class TenancyEndForm(forms.Form):
    """The last day of a tenancy, today by default; empty means today. ``services.tenancy_end``
    refuses a day in the future or before the tenancy began."""

    ended_on = DateInputField(name="The end date", label="Last day of the tenancy", required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"ended_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        example = date_example(days=-1)
        self.fields["ended_on"].help_text = f"Today or an earlier day, for example {example}. Leave it empty for today."
