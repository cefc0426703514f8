"""Serializers of the workspaces API. Read only: applications are written through the pages.

Nothing here exposes reviews or scores: an application's applicant reads this API too."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.models import LocalAuthority

from ..models import Application, DeskPool, StatusChange, Tenancy, Workspace


class ProviderSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)


class DeskPoolSerializer(serializers.ModelSerializer):
    available = serializers.IntegerField(
        read_only=True, help_text="Desks free now: capacity less those offered or let."
    )
    monthly_price_gbp = serializers.DecimalField(
        max_digits=8,
        decimal_places=2,
        coerce_to_string=False,
        allow_null=True,
        read_only=True,
        help_text="Monthly price per desk in pounds; null when the desk is free of charge.",
    )

    class Meta:
        model = DeskPool
        fields = ["desk_type", "capacity", "available", "monthly_price_gbp"]
        read_only_fields = fields


class WorkspaceSerializer(serializers.ModelSerializer):
    """Expects a workspace from ``Workspace.objects.for_list()`` (totals annotated, the desk types
    it offers prefetched as ``offered_pools``)."""

    url = serializers.HyperlinkedIdentityField(view_name="workspace-detail", lookup_field="slug")
    provider = ProviderSerializer(read_only=True)
    borough = serializers.ChoiceField(source="local_authority", choices=LocalAuthority.choices, read_only=True)
    desk_types = DeskPoolSerializer(
        source="offered_pools", many=True, read_only=True, help_text="The desk types the workspace offers now."
    )
    capacity = serializers.IntegerField(source="capacity_total", read_only=True, help_text="Desks of every type.")
    available = serializers.IntegerField(source="available_total", read_only=True, help_text="Desks free now.")

    class Meta:
        model = Workspace
        fields = [
            "slug",
            "url",
            "name",
            "provider",
            "summary",
            "address",
            "postcode",
            "borough",
            "subsidy",
            "eligibility",
            "accessibility",
            "accepting_applications",
            "desk_types",
            "capacity",
            "available",
        ]
        read_only_fields = fields


class OrganisationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class OfferSerializer(serializers.Serializer):
    workspace = serializers.SlugField(source="offer_pool.workspace.slug", read_only=True)
    desk_type = serializers.CharField(source="offer_pool.desk_type", read_only=True)
    desks = serializers.IntegerField(source="offer_desks", read_only=True)
    expires_at = serializers.DateTimeField(source="offer_expires_at", read_only=True)


class TenancySerializer(serializers.ModelSerializer):
    workspace = serializers.SlugField(source="pool.workspace.slug", read_only=True)
    desk_type = serializers.CharField(source="pool.desk_type", read_only=True)

    class Meta:
        model = Tenancy
        fields = ["workspace", "desk_type", "desks", "start_on", "end_on", "ended_on"]
        read_only_fields = fields


class StatusChangeSerializer(serializers.ModelSerializer):
    at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = StatusChange
        fields = ["from_status", "to_status", "at", "reason"]
        read_only_fields = fields
        extra_kwargs = {"from_status": {"help_text": "Empty on the first entry, when the draft was started."}}


class ApplicationSerializer(serializers.ModelSerializer):
    """An application as its applicant may see it. Expects ``Application.objects.for_list()`` with
    ``status_changes`` prefetched."""

    reference = serializers.CharField(read_only=True)
    organisation = OrganisationRefSerializer(read_only=True, allow_null=True, help_text="Set on submission.")
    workspaces = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    offer = serializers.SerializerMethodField(help_text="The desks offered, while the offer is open.")
    tenancy = serializers.SerializerMethodField(help_text="The desks let once an offer was accepted.")
    status_history = StatusChangeSerializer(source="status_changes", many=True, read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "reference",
            "status",
            "firm_name",
            "organisation",
            "workspaces",
            "desk_type",
            "desks",
            "start_on",
            "submitted_at",
            "decided_at",
            "offer",
            "tenancy",
            "status_history",
        ]
        read_only_fields = fields

    @extend_schema_field(OfferSerializer(allow_null=True))
    def get_offer(self, application: Application) -> dict | None:
        if application.status != Application.Status.OFFERED or application.offer_pool is None:
            return None
        return OfferSerializer(application, context=self.context).data

    @extend_schema_field(TenancySerializer(allow_null=True))
    def get_tenancy(self, application: Application) -> dict | None:
        # select_related caches a missing reverse one-to-one as "does not exist" without a query.
        tenancy = getattr(application, "tenancy", None)
        return TenancySerializer(tenancy, context=self.context).data if tenancy else None
