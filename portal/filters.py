"""FilterSets of the portal core, shared by the HTML lists and the API."""

import datetime
from decimal import Decimal, InvalidOperation

import django_filters
from django import forms
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import extend_schema_field

from .models import ApiWrite, Organisation, WebhookDelivery


class StrictBooleanField(forms.NullBooleanField):
    """``true``, ``false`` or nothing. Anything else is an error, not a filter silently dropped."""

    widget = forms.TextInput
    default_error_messages = {"invalid": "Enter true or false."}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in ("true", "false"):
            return value == "true"
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class OrganisationFilterSet(django_filters.FilterSet):
    founded_after = django_filters.DateFilter(field_name="founded_on", lookup_expr="gte")
    founded_before = django_filters.DateFilter(field_name="founded_on", lookup_expr="lte")
    is_tech = StrictBooleanFilter()

    class Meta:
        model = Organisation
        fields = ["kind", "sector", "local_authority", "origin", "is_tech", "company_number"]


ID_MAX = 2**63 - 1  # PostgreSQL's bigint


class WholeNumberField(forms.IntegerField):
    """A whole number however it is written (``12``, ``12.0``, ``1.2e+1``); ``0.5`` is an error,
    not a filter that matches nothing."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not number.is_finite() or number != number.to_integral_value():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return int(number)


class IntegerFilter(django_filters.NumberFilter):
    """A whole number (``WholeNumberField``)."""

    field_class = WholeNumberField


class IdField(WholeNumberField):
    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=ID_MAX, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": ID_MAX})
class IdFilter(django_filters.NumberFilter):
    """A row's id: a whole number from 1; one that matches nothing gives an empty list."""

    field_class = IdField


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 date and time, turned to UTC before it reaches the database: an offset of more
    than 15:59 (``+21:58`` is valid ISO 8601) is one PostgreSQL refuses to read. A time whose UTC
    equivalent falls before year 1 or after 9999 becomes the first or last moment there is."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(datetime.UTC)
        except OverflowError:
            edge = datetime.datetime.min if moment.year == 1 else datetime.datetime.max
            return edge.replace(tzinfo=datetime.UTC)


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    """A date and time in ISO 8601 with any offset (``UtcDateTimeField``)."""

    field_class = UtcDateTimeField


class ApiWriteFilterSet(django_filters.FilterSet):
    client_id = django_filters.CharFilter(field_name="credential__application__client_id")
    method = django_filters.ChoiceFilter(choices=[(m, m) for m in ("POST", "PUT", "PATCH", "DELETE")])
    created_after = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcDateTimeFilter(field_name="created_at", lookup_expr="lt")
    status_code = IntegerFilter()
    replayed = StrictBooleanFilter()

    class Meta:
        model = ApiWrite
        fields = ["client_id", "method", "status_code", "replayed"]


class WebhookDeliveryFilterSet(django_filters.FilterSet):
    subscription = IdFilter(field_name="subscription_id")
    status = django_filters.ChoiceFilter(choices=WebhookDelivery.Status.choices)
    event = django_filters.CharFilter()

    class Meta:
        model = WebhookDelivery
        fields = ["subscription", "status", "event"]
