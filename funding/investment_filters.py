"""The one FilterSet of the investment register, shared by the staff list, its CSV download and
the API: words, kind, stage, year, verified, flagged as a possible duplicate, domestic or
international (by the lead investor's country), the firm and where the record came from, which
combine; and the order. A value not on its list is a field error (400), never a filter dropped."""

import datetime

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q
from drf_spectacular.utils import extend_schema_field

from portal.filters import StrictBooleanFilter

from .filters import OptionalMultipleChoiceFilter
from .investment_rules import EARLIEST_DATE
from .models import Investment, InvestmentInvestor

YEAR_MIN, YEAR_MAX = EARLIEST_DATE.year, 2100


@extend_schema_field({"type": "integer", "minimum": YEAR_MIN, "maximum": YEAR_MAX})
class YearFilter(django_filters.NumberFilter):
    """A calendar year as a whole number: 2024.5 is an error, not a filter that matches nothing."""

    field_class = forms.IntegerField


@extend_schema_field({"type": "integer", "minimum": 1})
class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class InvestmentFilterSet(django_filters.FilterSet):
    """Filters of the register. Without ``ordering``, the newest deal (by its date) comes first."""

    NEWEST, OLDEST = "-announced_on", "announced_on"
    LARGEST, SMALLEST = "-amount_gbp", "amount_gbp"
    RECORDED = "-created_at"
    ORDERINGS = {
        NEWEST: (F("announced_on").desc(), "-pk"),
        OLDEST: (F("announced_on").asc(), "pk"),
        # Undisclosed amounts last either way: they are not the largest nor the smallest.
        LARGEST: (F("amount_gbp").desc(nulls_last=True), F("announced_on").desc(), "-pk"),
        SMALLEST: (F("amount_gbp").asc(nulls_last=True), F("announced_on").desc(), "-pk"),
        RECORDED: (F("created_at").desc(), "-pk"),
    }

    q = django_filters.CharFilter(
        label="Words to search for",
        method="filter_q",
        max_length=200,
        error_messages={"max_length": "Enter at most 200 characters to search for"},
    )
    kind = OptionalMultipleChoiceFilter(
        label="Kind",
        distinct=False,
        choices=Investment.Kind.choices,
        error_messages={"invalid_choice": "Choose kinds from the list"},
    )
    stage = django_filters.ChoiceFilter(
        label="Stage of an equity round",
        choices=Investment.Stage.choices,
        empty_label="Any stage",
        error_messages={"invalid_choice": "Choose a stage from the list"},
    )
    year = YearFilter(
        label="Year",
        method="filter_year",
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        error_messages={
            "invalid": "Enter the year as four digits, like 2025",
            "min_value": f"Enter a year from {YEAR_MIN}",
            "max_value": f"Enter a year up to {YEAR_MAX}",
        },
    )
    verified = StrictBooleanFilter(label="Verified by staff", method="filter_verified")
    flagged = StrictBooleanFilter(label="Flagged as a possible duplicate", method="filter_flagged")
    lead = django_filters.ChoiceFilter(
        label="Lead investor",
        choices=[
            ("domestic", "Domestic: based in the UK"),
            ("international", "International: based abroad"),
            ("unknown", "No lead recorded"),
        ],
        method="filter_lead",
        empty_label="Any lead investor",
        error_messages={"invalid_choice": "Choose domestic, international or no lead"},
    )
    firm = IdFilter(
        label="Firm (organisation id)",
        field_name="firm_id",
        min_value=1,
        error_messages={
            "invalid": "Enter the firm's organisation id, a whole number",
            "min_value": "Enter an id of 1 or more",
        },
    )
    origin = django_filters.ChoiceFilter(
        label="Recorded",
        choices=Investment.Origin.choices,
        empty_label="Any way",
        error_messages={"invalid_choice": "Choose how it was recorded from the list"},
    )
    ordering = django_filters.ChoiceFilter(
        label="Sort by",
        choices=[
            (NEWEST, "Newest deal first"),
            (OLDEST, "Oldest deal first"),
            (LARGEST, "Largest amount first"),
            (SMALLEST, "Smallest amount first"),
            (RECORDED, "Most recently recorded first"),
        ],
        method="filter_ordering",
        empty_label="Newest deal first",
        error_messages={"invalid_choice": "Choose how to sort from the list"},
    )

    class Meta:
        model = Investment
        fields = ["q", "kind", "stage", "year", "verified", "flagged", "lead", "firm", "origin", "ordering"]

    def __init__(self, data=None, *args, **kwargs):
        # Always bound, so that no filters given still sorts.
        super().__init__({} if data is None else data, *args, **kwargs)

    def filter_q(self, queryset, name, value):
        """Deals with every word somewhere in the firm's name, the title, the source or an
        investor's name (case ignored)."""
        for word in value.split():
            investors = InvestmentInvestor.objects.filter(investment=OuterRef("pk"), investor__name__icontains=word)
            queryset = queryset.filter(
                Q(firm__name__icontains=word) | Q(title__icontains=word) | Q(source__icontains=word) | Exists(investors)
            )
        return queryset

    def filter_year(self, queryset, name, value):
        # A range on the date, not __year, so the date's index serves it.
        return queryset.filter(
            announced_on__gte=datetime.date(value, 1, 1), announced_on__lte=datetime.date(value, 12, 31)
        )

    def filter_verified(self, queryset, name, value):
        return queryset.filter(verified_at__isnull=not value)

    def filter_flagged(self, queryset, name, value):
        return queryset.filter(possible_duplicate_of__isnull=not value)

    def filter_lead(self, queryset, name, value):
        return {
            "domestic": queryset.domestic,
            "international": queryset.international,
            "unknown": queryset.lead_unknown,
        }[value]()

    def filter_ordering(self, queryset, name, value):
        return queryset  # applied last, in filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        ordering = self.form.cleaned_data.get("ordering") or self.NEWEST
        return queryset.order_by(*self.ORDERINGS[ordering])
