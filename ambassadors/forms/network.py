"""Forms of the network views: adding a target market."""

from django import forms
from django_countries import countries

from ..selectors import COVERAGE_SECTORS


def _country_choices():
    # Built when the list is read, not at import nor with each form: the names follow the active
    # language, and a page that shows the list from the page cache never builds it.
    return [("", "Choose a country"), *countries]


class TargetMarketForm(forms.Form):
    """A country and a tech sector; the service decides whether the pair may be added."""

    country = forms.ChoiceField(
        label="Country",
        choices=_country_choices,
        error_messages={"required": "Choose a country.", "invalid_choice": "Choose a country from the list."},
    )
    sector = forms.ChoiceField(
        label="Sector",
        choices=[("", "Choose a sector"), *COVERAGE_SECTORS],
        error_messages={"required": "Choose a sector.", "invalid_choice": "Choose a tech sector from the list."},
    )
