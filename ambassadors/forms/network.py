"""Forms of the network views: adding a target market."""

from django import forms
from django_countries import countries

from ..selectors import COVERAGE_SECTORS


class TargetMarketForm(forms.Form):
    """A country and a tech sector; the service decides whether the pair may be added."""

    country = forms.ChoiceField(
        label="Country",
        choices=[("", "Choose a country")],
        error_messages={"required": "Choose a country.", "invalid_choice": "Choose a country from the list."},
    )
    sector = forms.ChoiceField(
        label="Sector",
        choices=[("", "Choose a sector"), *COVERAGE_SECTORS],
        error_messages={"required": "Choose a sector.", "invalid_choice": "Choose a tech sector from the list."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per form, not at import: the country names follow the active language.
        self.fields["country"].choices = [("", "Choose a country"), *countries]
