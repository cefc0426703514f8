"""FilterSets of the ambassador profiles, shared by the HTML lists and the API."""

import django_filters
from django_countries import countries

from portal.models import Sector

from .models import Ambassador

COUNTRY_MESSAGE = "Choose a country from the list"
SECTOR_MESSAGE = "Choose a sector from the list"
# The sectors an ambassador may cover: the tech taxonomy without "Not tech".
AMBASSADOR_SECTORS = [(code, label) for code, label in Sector.choices if code != Sector.NON_TECH]


def _sector_filter(queryset, name, value):
    # One row per ambassador and sector (a unique constraint), so the join adds no duplicates.
    return queryset.filter(sectors__sector=value) if value else queryset


class DirectoryFilterSet(django_filters.FilterSet):
    """The public directory and the ``ambassadors`` API: by country and by sector covered."""

    country = django_filters.ChoiceFilter(
        choices=list(countries),
        label="Country",
        empty_label="Any country",
        error_messages={"invalid_choice": COUNTRY_MESSAGE},
    )
    sector = django_filters.ChoiceFilter(
        choices=AMBASSADOR_SECTORS,
        method=_sector_filter,
        label="Sector",
        empty_label="Any sector",
        error_messages={"invalid_choice": SECTOR_MESSAGE},
    )

    class Meta:
        model = Ambassador
        fields = ["country", "sector"]


class NetworkFilterSet(DirectoryFilterSet):
    """The staff network list: by country, sector and status."""

    status = django_filters.ChoiceFilter(
        choices=Ambassador.Status.choices,
        label="Status",
        empty_label="Any status",
        error_messages={"invalid_choice": "Choose a status from the list"},
    )

    class Meta:
        model = Ambassador
        fields = ["country", "sector", "status"]
