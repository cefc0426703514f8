"""The one FilterSet of funding opportunities, shared by the catalogue page, its iCalendar feed and
the API: words, kind, sector, borough, amount and status, which combine (each narrows the others),
and the order."""

import datetime

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field

from portal.models import LocalAuthority, Sector

from .models import Opportunity, OpportunityArea, OpportunitySector
from .services import MAX_AMOUNT_GBP

BOROUGHS = [(v, label) for v, label in LocalAuthority.choices if v != LocalAuthority.OUTSIDE]


class OptionalMultipleChoiceField(django_filters.fields.MultipleChoiceField):
    """Empty values mean "not given", as an HTML form and the schema's ``allowEmptyValue`` send them."""

    def clean(self, value):
        return super().clean([v for v in (value or []) if v not in ("", None)])


class OptionalMultipleChoiceFilter(django_filters.MultipleChoiceFilter):
    field_class = OptionalMultipleChoiceField


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": MAX_AMOUNT_GBP})
class AmountFilter(django_filters.NumberFilter):
    """Whole pounds from 0 to ``MAX_AMOUNT_GBP``: django-filter's NumberFilter would take 0.5."""

    field_class = forms.IntegerField


class OpportunityFilterSet(django_filters.FilterSet):
    """Filters of the opportunity catalogue. Without ``status`` the closed ones are left out; with
    words, the best match comes first unless another order is asked for. ``today`` (the local
    date by default) is the day statuses are worked out for."""

    RELEVANCE, CLOSING, NEWEST = "relevance", "closes_on", "-created_at"

    q = django_filters.CharFilter(
        label="Words to search for",
        method="filter_q",
        max_length=200,
        error_messages={"max_length": "Enter at most 200 characters to search for"},
    )
    kind = OptionalMultipleChoiceFilter(
        label="Kind of funding",
        distinct=False,  # a column of the row itself: no join, so no duplicates to remove
        choices=Opportunity.Kind.choices,
        error_messages={"invalid_choice": "Choose kinds of funding from the list"},
    )
    sector = django_filters.ChoiceFilter(
        label="Your sector",
        choices=Sector.choices,
        method="filter_sector",
        empty_label="Any sector",
        error_messages={"invalid_choice": "Choose a sector from the list"},
    )
    borough = django_filters.ChoiceFilter(
        label="Where your firm is",
        choices=BOROUGHS,
        method="filter_borough",
        empty_label="Anywhere",
        error_messages={"invalid_choice": "Choose a borough from the list"},
    )
    amount = AmountFilter(
        label="Amount you need (£)",
        method="filter_amount",
        min_value=0,
        max_value=MAX_AMOUNT_GBP,
        error_messages={
            "invalid": "Enter the amount as a whole number of pounds, like 25000",
            "min_value": "The amount cannot be negative",
            "max_value": f"Enter an amount of at most £{MAX_AMOUNT_GBP:,}",
        },
    )
    status = OptionalMultipleChoiceFilter(
        label="Status",
        choices=Opportunity.Status.choices,
        method="filter_status",
        distinct=False,
        error_messages={"invalid_choice": "Choose statuses from the list"},
    )
    ordering = django_filters.ChoiceFilter(
        label="Sort by",
        choices=[(RELEVANCE, "Best match"), (CLOSING, "Closing date"), (NEWEST, "Newest")],
        method="filter_ordering",
        empty_label="Best match when searching, otherwise closing date",
        error_messages={"invalid_choice": "Choose how to sort from the list"},
    )

    class Meta:
        model = Opportunity
        fields = ["q", "kind", "sector", "borough", "amount", "status", "ordering"]

    def __init__(self, data=None, *args, today: datetime.date | None = None, **kwargs):
        # Always bound, so that no filters given still leaves the closed ones out and sorts.
        super().__init__({} if data is None else data, *args, **kwargs)
        self.today = today or timezone.localdate()

    def filter_q(self, queryset, name, value):
        return queryset.search(value)

    def filter_sector(self, queryset, name, value):
        """Opportunities for that sector, and those open to any sector (no sector rule)."""
        rules = OpportunitySector.objects.filter(opportunity=OuterRef("pk"))
        return queryset.filter(Exists(rules.filter(sector=value)) | ~Exists(rules))

    def filter_borough(self, queryset, name, value):
        """Opportunities limited to that borough, and those open to firms anywhere (no area rule)."""
        rules = OpportunityArea.objects.filter(opportunity=OuterRef("pk"))
        return queryset.filter(Exists(rules.filter(local_authority=value)) | ~Exists(rules))

    def filter_amount(self, queryset, name, value):
        """Opportunities whose amount range holds ``value`` (an open end holds any amount)."""
        return queryset.filter(
            Q(amount_min_gbp__isnull=True) | Q(amount_min_gbp__lte=value),
            Q(amount_max_gbp__isnull=True) | Q(amount_max_gbp__gte=value),
        )

    def filter_status(self, queryset, name, value):
        return queryset.with_statuses(value, today=self.today)

    def filter_ordering(self, queryset, name, value):
        return queryset  # applied last, in filter_queryset, once the search has ranked the rows

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        if not data.get("status"):
            queryset = queryset.current(today=self.today)
        queryset = queryset.with_status(today=self.today)
        searched = bool((data.get("q") or "").strip())
        ordering = data.get("ordering") or (self.RELEVANCE if searched else self.CLOSING)
        if ordering == self.RELEVANCE and searched:
            return queryset.order_by(F("rank").desc(), F("closes_on").asc(nulls_last=True), "title", "pk")
        if ordering == self.NEWEST:
            return queryset.order_by("-created_at", "-pk")
        return queryset.by_closing_date()

    @property
    def searched(self) -> bool:
        return bool(self.is_valid() and (self.form.cleaned_data.get("q") or "").strip())
