"""Serializers of the missions API: they validate shape; services decide."""

import math

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from portal.rest.fields import StrictInputSerializer

from ..models import Geography, Indicator, Mission, Observation, RefreshRun
from ..selectors import portal_latest

# Observation.value and the indicator figures: DecimalField(max_digits=20, decimal_places=4).
MAX_DIGITS, DECIMAL_PLACES = 20, 4


def number_field(**kwargs) -> serializers.DecimalField:
    """A stored decimal shown as a JSON number, as the schema promises."""
    return serializers.DecimalField(
        max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, coerce_to_string=False, read_only=True, **kwargs
    )


class JSONNumberField(serializers.DecimalField):
    """A JSON number and nothing else: ``"12"`` is refused (DRF's DecimalField would read it), as
    are NaN and ±Infinity (which Python's JSON parser reads, as do numbers too big for a float)."""

    default_error_messages = {
        "invalid": "Enter a JSON number, not text or another type.",
        "not_finite": "Enter a number, not NaN or infinity.",
    }

    def __init__(self, **kwargs):
        super().__init__(max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, coerce_to_string=False, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            self.fail("invalid")
        if isinstance(data, float) and not math.isfinite(data):
            self.fail("not_finite")
        # repr() of a float is the shortest text that reads back as it: 0.1 stays 0.1, not
        # 0.1000000000000000055511151231257827.
        return super().to_internal_value(repr(data))


class GeographyCodeField(serializers.SlugRelatedField):
    """A geography named by its GSS code; only codes of the portal's fixed vocabulary are taken."""

    default_error_messages = {"invalid": "Enter a GSS code as text, such as E47000007."}

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Geography.objects.all(), **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)


class IndicatorLinkSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="indicator-detail", lookup_field="code")

    class Meta:
        model = Indicator
        fields = ["code", "name", "url"]


class MissionSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="mission-detail", lookup_field="code")
    indicators = IndicatorLinkSerializer(
        source="visible_indicators", many=True, read_only=True, help_text="The indicators the reader may see."
    )

    class Meta:
        model = Mission
        fields = ["code", "url", "slug", "name", "roadmap_wording", "summary", "indicators"]


class OwnerSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class ObservationSerializer(serializers.ModelSerializer):
    geography = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="GSS code.")
    geography_name = serializers.CharField(source="geography.name", read_only=True)
    value = number_field(allow_null=True)
    numerator = number_field(allow_null=True)
    denominator = number_field(allow_null=True)

    class Meta:
        model = Observation
        fields = [
            "id",
            "period_label",
            "period_start",
            "period_end",
            "geography",
            "geography_name",
            "status",
            "value",
            "bound",
            "suppressed",
            "numerator",
            "denominator",
            "source_title",
            "source_url",
            "source_publisher",
            "source_date",
            "secondary",
            "notes",
            "computed_at",
            "updated_at",
        ]


class IndicatorSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="indicator-detail", lookup_field="code")
    observations_url = serializers.HyperlinkedIdentityField(view_name="indicator-observations", lookup_field="code")
    mission = serializers.SlugRelatedField(slug_field="code", read_only=True)
    baseline_value = number_field(allow_null=True)
    target_value = number_field(allow_null=True)
    owner = OwnerSerializer(read_only=True, allow_null=True, help_text="The organisation that reports it, if any.")
    latest = serializers.SerializerMethodField(
        help_text="The portal's latest own value (computed or reported), for the WMCA area when it has one."
    )

    class Meta:
        model = Indicator
        fields = [
            "code",
            "url",
            "mission",
            "name",
            "definition",
            "methodology",
            "unit",
            "direction",
            "frequency",
            "method",
            "baseline_value",
            "baseline_period",
            "target_value",
            "target_date",
            "is_public",
            "owner",
            "latest",
            "observations_url",
        ]

    @extend_schema_field(ObservationSerializer(allow_null=True))
    def get_latest(self, indicator: Indicator) -> dict | None:
        # The view prefetches the portal's own values; the pages' rule picks the latest of them.
        latest, _ = portal_latest(getattr(indicator, "portal_values", []))
        return ObservationSerializer(latest, context=self.context).data if latest else None


class ObservationCreateInputSerializer(StrictInputSerializer):
    """Shape of a reported value. Whether the writer may report it, and the rules between fields
    (period order, value or suppressed), are the service's."""

    geography = GeographyCodeField(help_text="GSS code of the area, e.g. E47000007 for the WMCA area.")
    value = JSONNumberField(
        allow_null=True,
        default=None,
        help_text="A JSON number with at most 4 decimal places; null only when suppressed.",
    )

    class Meta:
        model = Observation
        fields = [
            "geography",
            "period_start",
            "period_end",
            "value",
            "bound",
            "suppressed",
            "source_title",
            "source_url",
            "source_date",
            "notes",
        ]


class ObservationBulkResultSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=1, help_text="Values recorded.")
    created = serializers.IntegerField(min_value=0, help_text="Of them, values for a new period and geography.")
    replaced = serializers.IntegerField(min_value=0, help_text="Of them, values that replaced an earlier one.")
    results = ObservationSerializer(many=True)


class RefreshRunSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="kpi-refresh-detail")
    percent = serializers.IntegerField(read_only=True, min_value=0, max_value=100)
    joined = serializers.SerializerMethodField(
        help_text="In the answer to a request to start a run: true when a run was already queued or "
        "running and the request joined it. Otherwise false."
    )
    stale_after_seconds = serializers.IntegerField(
        read_only=True,
        min_value=1,
        help_text="An open run that goes this long without a sign of life is marked failed and no longer "
        "blocks a new refresh: while queued, no worker picking it up; while running, no heartbeat (a "
        "live worker sends one every tenth of this time).",
    )

    class Meta:
        model = RefreshRun
        fields = [
            "id",
            "url",
            "status",
            "trigger",
            "created_at",
            "started_at",
            "finished_at",
            "heartbeat_at",
            "indicators_done",
            "indicators_total",
            "percent",
            "error",
            "joined",
            "stale_after_seconds",
        ]
        read_only_fields = fields

    def get_joined(self, run: RefreshRun) -> bool:
        return bool(self.context.get("joined", False))


def refresh_run_url(run: RefreshRun, request) -> str:
    return reverse("kpi-refresh-detail", kwargs={"pk": run.pk}, request=request)
