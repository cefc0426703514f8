"""Forms of the missions app. They check the shape of what staff type; the service decides."""

from decimal import Decimal, InvalidOperation

from django import forms

from portal.forms import DateInputField

from .models import Indicator, Observation
from .selectors import geography_list
from .values import observation_errors


class IndicatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Indicator) -> str:
        return f"{obj.code} {obj.name}"


class ObservationForm(forms.Form):
    """A reported value of an indicator. ``user`` limits the indicators to those they may report."""

    indicator = IndicatorChoiceField(
        queryset=Indicator.objects.none(),
        label="Indicator",
        empty_label="Choose an indicator",
        error_messages={"required": "Choose the indicator", "invalid_choice": "Choose an indicator from the list"},
    )
    geography = forms.ModelChoiceField(
        queryset=geography_list(),
        label="Area",
        empty_label="Choose an area",
        error_messages={"required": "Choose the area", "invalid_choice": "Choose an area from the list"},
    )
    period_start = DateInputField(name="Period start", label="Period start")
    period_end = DateInputField(name="Period end", label="Period end")
    value = forms.CharField(
        label="Value",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false"}),
    )
    bound = forms.ChoiceField(
        label="Exact value or bound",
        choices=[
            (Observation.Bound.EXACT, "Exact value"),
            (Observation.Bound.GT, "More than (>)"),
            (Observation.Bound.GE, "At least (>=)"),
            (Observation.Bound.LT, "Less than (<)"),
            (Observation.Bound.LE, "At most (<=)"),
        ],
        required=False,
        error_messages={"invalid_choice": "Choose an exact value or a bound from the list"},
    )
    suppressed = forms.BooleanField(label="Suppressed: fewer than 10 people, so the value is withheld", required=False)
    source_title = forms.CharField(label="Source title", max_length=300, required=False)
    source_url = forms.URLField(
        label="Source web address",
        max_length=500,
        required=False,
        assume_scheme="https",
        error_messages={"invalid": "Enter a web address, like https://www.ons.gov.uk/"},
    )
    source_date = forms.CharField(label="Source date", max_length=40, required=False)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = Indicator.objects.writable_by(user).for_list()

    def clean_value(self) -> Decimal | None:
        text = self.cleaned_data["value"].strip().replace(",", "")
        if not text:
            return None
        if not text.isascii():  # Decimal() would read "١٢" and full-width digits as 12
            raise forms.ValidationError("Enter the value with the digits 0 to 9, like 42 or 42.5")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError("Enter the value as a number, like 42 or 42.5") from None
        if not value.is_finite():
            raise forms.ValidationError("Enter the value as a number, like 42 or 42.5")
        return value

    def clean(self):
        """The service's own rules (``missions.values.observation_errors``: the indicator's unit
        and frequency, suppression and bounds), beside the other fields' errors, so every error
        shows at once. A field that already has an error keeps its own message."""
        data = super().clean()
        if data.get("indicator") is not None:
            errors = observation_errors(
                indicator=data["indicator"],
                value=data.get("value"),
                period_start=data.get("period_start"),
                period_end=data.get("period_end"),
                bound=data.get("bound") or Observation.Bound.EXACT,
                suppressed=bool(data.get("suppressed")),
            )
            if self.has_error("value"):
                # A number was typed but refused: the rules that ask for one do not apply.
                errors.pop("bound", None)
            for field, message in errors.items():
                if field not in self.errors:
                    self.add_error(field, message)
        return data
