"""Forms of the missions app. They check the shape of what staff type; the service decides."""

import datetime
from decimal import Decimal, InvalidOperation

from django import forms

from .models import Indicator, Observation
from .selectors import geography_list

DATE_PARTS = ("day", "month", "year")


class DateInputWidget(forms.MultiWidget):
    """The GOV.UK date input: day, month and year in three text boxes (``<name>_day`` …)."""

    def __init__(self):
        super().__init__({part: forms.TextInput(attrs={"inputmode": "numeric"}) for part in DATE_PARTS})

    def decompress(self, value):
        return [value.day, value.month, value.year] if value else [None, None, None]


class DateInputField(forms.Field):
    """A date typed as day, month and year, with the GOV.UK error messages."""

    widget = DateInputWidget

    def __init__(self, *, name: str, **kwargs):
        self.name = name
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, datetime.date):
            return value
        parts = [str(part or "").strip() for part in (value or [])] or ["", "", ""]
        if not any(parts):
            return None
        missing = [label for label, part in zip(DATE_PARTS, parts, strict=True) if not part]
        if missing:
            raise forms.ValidationError(f"{self.name} must include a {' and a '.join(missing)}.")
        if not all(part.isdigit() for part in parts) or len(parts[2]) != 4:
            raise forms.ValidationError(f"{self.name} must be a real date, for example 31 3 2024.")
        day, month, year = (int(part) for part in parts)
        try:
            return datetime.date(year, month, day)
        except ValueError:
            raise forms.ValidationError(f"{self.name} must be a real date, for example 31 3 2024.") from None

    def validate(self, value):
        if value is None and self.required:
            raise forms.ValidationError(f"Enter the {self.name.lower()}.")


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
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError("Enter the value as a number, like 42 or 42.5") from None
        if not value.is_finite():
            raise forms.ValidationError("Enter the value as a number, like 42 or 42.5")
        return value

    @property
    def date_parts(self) -> dict[str, dict[str, str]]:
        """What each date box shows: what was typed when bound, else the initial date."""
        parts = {}
        for name in ("period_start", "period_end"):
            value = self[name].value()
            if isinstance(value, datetime.date):
                value = DateInputWidget().decompress(value)
            value = value or ["", "", ""]
            parts[name] = {part: ("" if v is None else str(v)) for part, v in zip(DATE_PARTS, value, strict=True)}
        return parts
