"""FilterSets of the workspaces app, shared by the HTML lists and the API."""

import django_filters
from django.db.models import Exists, F, OuterRef

from portal.filters import StrictBooleanFilter
from portal.models import LocalAuthority

from .models import Application, DeskPool, DeskType, Tenancy, Workspace


class WorkspaceFilterSet(django_filters.FilterSet):
    """Borough, desk type offered, and whether any desk (of that type, when given) is free."""

    borough = django_filters.ChoiceFilter(field_name="local_authority", choices=LocalAuthority.choices, label="Borough")
    desk_type = django_filters.ChoiceFilter(choices=DeskType.choices, method="filter_desk_type", label="Desk type")
    available = StrictBooleanFilter(method="filter_available", label="Has free desks")
    accepting_applications = StrictBooleanFilter()

    class Meta:
        model = Workspace
        fields = ["borough", "desk_type", "available", "accepting_applications"]

    def _pools(self):
        pools = DeskPool.objects.filter(workspace=OuterRef("pk"), capacity__gt=0)
        desk_type = self.form.cleaned_data.get("desk_type")
        return pools.filter(desk_type=desk_type) if desk_type else pools

    def filter_desk_type(self, queryset, name, value):
        return queryset.filter(Exists(self._pools())) if value else queryset

    def filter_available(self, queryset, name, value):
        if value is None:
            return queryset
        free = Exists(self._pools().filter(allocated__lt=F("capacity")))
        return queryset.filter(free if value else ~free)


class OptionalMultipleChoiceField(django_filters.fields.MultipleChoiceField):
    """Empty values mean "not given", as an HTML form and the schema's ``allowEmptyValue`` send them."""

    def clean(self, value):
        return super().clean([v for v in (value or []) if v not in ("", None)])


class OptionalMultipleChoiceFilter(django_filters.MultipleChoiceFilter):
    field_class = OptionalMultipleChoiceField


# Dates as people type them in the review queue's text boxes (31/3/2026, 31 3 2026), and the ISO
# form (2026-03-31) the API documents.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y", "%d-%m-%Y"]
DATE_MESSAGE = "Enter a date as day, month and year, like 31/3/2026"


class ApplicationFilterSet(django_filters.FilterSet):
    """The review queue's and the applications API's filters."""

    # A status is a column of the application itself: no join, so no row twice and no DISTINCT,
    # which would sort every row of the queue before a page of it is taken.
    status = OptionalMultipleChoiceFilter(label="Status", choices=Application.Status.choices, distinct=False)
    workspace = django_filters.ModelChoiceFilter(
        field_name="workspaces",
        queryset=Workspace.objects.order_by("name"),
        to_field_name="slug",
        label="Workspace",
        empty_label="Any workspace",
        error_messages={"invalid_choice": "Choose a workspace from the list"},
    )
    desk_type = django_filters.ChoiceFilter(
        label="Desk type",
        choices=DeskType.choices,
        empty_label="Any desk type",
        error_messages={"invalid_choice": "Choose a desk type from the list"},
    )
    submitted_after = django_filters.DateFilter(
        label="Submitted on or after",
        field_name="submitted_at",
        lookup_expr="date__gte",
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"invalid": DATE_MESSAGE},
    )
    submitted_before = django_filters.DateFilter(
        label="Submitted on or before",
        field_name="submitted_at",
        lookup_expr="date__lte",
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"invalid": DATE_MESSAGE},
    )

    class Meta:
        model = Application
        fields = ["status", "workspace", "desk_type", "submitted_after", "submitted_before"]


class TenancyFilterSet(django_filters.FilterSet):
    """The staff tenancy list's filters: current or ended (``Tenancy.objects.current()`` decides
    which is which), and the workspace."""

    CURRENT, ENDED = "current", "ended"

    status = django_filters.ChoiceFilter(
        label="Status",
        choices=[(CURRENT, "Current"), (ENDED, "Ended")],
        empty_label="Current and ended",
        method="filter_status",
        error_messages={"invalid_choice": "Choose current, ended, or both"},
    )
    workspace = django_filters.ModelChoiceFilter(
        label="Workspace",
        field_name="pool__workspace",
        queryset=Workspace.objects.order_by("name"),
        to_field_name="slug",
        empty_label="Any workspace",
        error_messages={"invalid_choice": "Choose a workspace from the list"},
    )

    class Meta:
        model = Tenancy
        fields = ["status", "workspace"]

    def filter_status(self, queryset, name, value):
        if value == self.CURRENT:
            return queryset.current()
        if value == self.ENDED:
            return queryset.exclude(pk__in=Tenancy.objects.current().values("pk"))
        return queryset
