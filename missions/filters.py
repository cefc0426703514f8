"""FilterSets of the missions app, shared by the HTML lists and the API."""

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

from portal.filters import StrictBooleanFilter

from .models import Indicator, Observation

YEAR_MIN, YEAR_MAX = 1900, 2100


class YearField(forms.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(min_value=YEAR_MIN, max_value=YEAR_MAX, **kwargs)


@extend_schema_field({"type": "integer", "minimum": YEAR_MIN, "maximum": YEAR_MAX})
class YearFilter(django_filters.NumberFilter):
    """A calendar year. Bounded, because a year lookup builds dates from it."""

    field_class = YearField


class IndicatorFilterSet(django_filters.FilterSet):
    mission = django_filters.CharFilter(field_name="mission__code", label="Mission code (M1–M5)")
    is_public = StrictBooleanFilter()

    class Meta:
        model = Indicator
        fields = ["mission", "method", "is_public"]


class ObservationFilterSet(django_filters.FilterSet):
    geography = django_filters.CharFilter(field_name="geography__code", label="Geography (GSS code)")
    period_start_after = django_filters.DateFilter(field_name="period_start", lookup_expr="gte")
    period_start_before = django_filters.DateFilter(field_name="period_start", lookup_expr="lte")
    year = YearFilter(field_name="period_start", lookup_expr="year", label="Year the period starts in")

    class Meta:
        model = Observation
        fields = ["status", "geography", "period_start_after", "period_start_before", "year"]
