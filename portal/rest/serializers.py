"""Serializers of the portal core's API: they validate shape; services decide."""

from django.utils import timezone
from rest_framework import serializers

from ..models import WEBHOOK_EVENTS, ApiWrite, FirmYear, Organisation, WebhookDelivery, WebhookSubscription
from ..validators import company_number_normalise, validate_company_number
from .fields import StrictCharField, StrictInputSerializer, StrictIntegerField, StrictRegexField, WebAddressField

DIVERSITY_FIELDS = [
    "leadership_total",
    "leadership_disclosed",
    "leadership_women",
    "leadership_ethnic_minority",
    "staff_total",
    "staff_disclosed",
    "staff_women",
    "staff_ethnic_minority",
]


class OrganisationSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="organisation-detail")
    years_url = serializers.HyperlinkedIdentityField(view_name="organisation-years")

    class Meta:
        model = Organisation
        fields = [
            "id",
            "url",
            "name",
            "kind",
            "company_number",
            "website",
            "sector",
            "local_authority",
            "founded_on",
            "dissolved_on",
            "origin",
            "origin_country",
            "is_tech",
            "years_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class OrganisationInputSerializer(StrictInputSerializer):
    """Shape of an organisation write. Uniqueness is judged by the service, with the lock held."""

    company_number = StrictCharField(max_length=16, required=False, allow_blank=True)
    website = WebAddressField(required=False, allow_blank=True)
    origin_country = StrictRegexField(r"^[A-Z]{2}$", required=False, allow_blank=True)

    class Meta:
        model = Organisation
        fields = [
            "name",
            "kind",
            "company_number",
            "website",
            "sector",
            "local_authority",
            "founded_on",
            "dissolved_on",
            "origin",
            "origin_country",
            "is_tech",
        ]

    def validate_company_number(self, value: str) -> str:
        if value:
            validate_company_number(value)
        return company_number_normalise(value)


class FirmYearSerializer(serializers.ModelSerializer):
    """A year's facts. Diversity counts are shown only to those who may change the firm (its
    members and staff, ``full_access`` in the context); to everyone else they are null, with or
    without the firm's consent: consent is to their use in aggregate statistics of 10 people or
    more (the diversity indicators), never to showing one firm's figures."""

    class Meta:
        model = FirmYear
        fields = [
            "year",
            "employees",
            "turnover_gbp",
            *DIVERSITY_FIELDS,
            "consent",
            "source",
            "as_of",
            "updated_at",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("full_access", False):
            for field in DIVERSITY_FIELDS:
                data[field] = None
        return data


class FirmYearInputSerializer(StrictInputSerializer):
    as_of = serializers.DateField(required=False)

    class Meta:
        model = FirmYear
        fields = ["employees", "turnover_gbp", *DIVERSITY_FIELDS, "consent", "as_of"]

    def validate_as_of(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError("The as-of date cannot be in the future.")
        return value


class FirmYearCreateInputSerializer(FirmYearInputSerializer):
    year = StrictIntegerField(min_value=1900, max_value=2100)

    class Meta(FirmYearInputSerializer.Meta):
        fields = ["year", *FirmYearInputSerializer.Meta.fields]


class FirmYearBulkItemInputSerializer(FirmYearCreateInputSerializer):
    organisation = StrictIntegerField(min_value=1, help_text="The id of the organisation the facts are of.")

    class Meta(FirmYearCreateInputSerializer.Meta):
        fields = ["organisation", *FirmYearCreateInputSerializer.Meta.fields]
        # An existing year is replaced, not refused: no unique-together check on (organisation, year).
        validators = []


class FirmYearBulkResultSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=1, help_text="Years recorded.")
    created = serializers.IntegerField(min_value=0, help_text="Of them, years that had no facts before.")
    replaced = serializers.IntegerField(min_value=0, help_text="Of them, years whose facts were replaced.")
    results = FirmYearSerializer(many=True)


class ApiWriteSerializer(serializers.ModelSerializer):
    client_id = serializers.CharField(source="credential.application.client_id", read_only=True)
    organisation = serializers.CharField(source="credential.organisation.name", read_only=True)

    class Meta:
        model = ApiWrite
        fields = [
            "id",
            "client_id",
            "organisation",
            "method",
            "path",
            "status_code",
            "error_code",
            "idempotency_key",
            "replayed",
            "created_at",
        ]


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=sorted(WEBHOOK_EVENTS)), source="event_list")

    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "events", "is_active", "paused_reason", "consecutive_failures", "created_at"]
        read_only_fields = fields


class WebhookSubscriptionCreatedSerializer(WebhookSubscriptionSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="The signing secret. Shown in this answer only: keep it to check signatures."
    )

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*WebhookSubscriptionSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookSubscriptionInputSerializer(StrictInputSerializer):
    url = WebAddressField(help_text="Where to POST the events: an https:// address.")
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(WEBHOOK_EVENTS)), allow_empty=False, max_length=len(WEBHOOK_EVENTS)
    )

    class Meta:
        model = WebhookSubscription
        fields = ["url", "events"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    subscription = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "delivery_id",
            "subscription",
            "event",
            "payload",
            "status",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "created_at",
            "delivered_at",
        ]
        read_only_fields = fields
