"""Serializers of the funding API: they validate shape; ``funding.services`` decide."""

from rest_framework import serializers

from portal.models import Organisation, Sector
from portal.rest.fields import StrictCharField, StrictInputSerializer, StrictMultipleChoiceField
from portal.validators import validate_web_address

from ..filters import BOROUGHS
from ..models import Opportunity, Stage


class FunderSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class OpportunitySerializer(serializers.ModelSerializer):
    """An opportunity as everyone reads it. Expects ``Opportunity.objects.for_list().with_status()``."""

    url = serializers.HyperlinkedIdentityField(view_name="funding-opportunity-detail")
    page_url = serializers.SerializerMethodField(help_text="The opportunity's page on the portal.")
    funder = FunderSerializer(read_only=True)
    status = serializers.ChoiceField(
        choices=Opportunity.Status.choices,
        read_only=True,
        help_text="From the dates, as of today: closing soon means it closes within 14 days.",
    )
    sectors = serializers.SerializerMethodField(help_text="Sectors it is for; empty: any sector.")
    boroughs = serializers.SerializerMethodField(help_text="WMCA boroughs it is limited to; empty: anywhere.")
    stages = serializers.SerializerMethodField(help_text="Firm stages it is for; empty: any stage.")

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "url",
            "page_url",
            "title",
            "kind",
            "funder",
            "summary",
            "amount_min_gbp",
            "amount_max_gbp",
            "opens_on",
            "closes_on",
            "rolling",
            "status",
            "eligibility",
            "sectors",
            "boroughs",
            "stages",
            "firm_age_min_years",
            "firm_age_max_years",
            "headcount_min",
            "headcount_max",
            "link",
            "withdrawn_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "amount_min_gbp": {"help_text": "Smallest amount in whole pounds; null: no lower limit."},
            "amount_max_gbp": {"help_text": "Largest amount in whole pounds; null: no upper limit."},
            "withdrawn_at": {"help_text": "Set when it was withdrawn; only staff read withdrawn ones."},
        }

    def get_page_url(self, opportunity: Opportunity) -> str:
        request = self.context.get("request")
        path = opportunity.get_absolute_url()
        return request.build_absolute_uri(path) if request is not None else path

    # The rule rows are prefetched by for_list(): reading them runs no query.
    def get_sectors(self, opportunity: Opportunity) -> list[str]:
        return [rule.sector for rule in opportunity.sector_rules.all()]

    def get_boroughs(self, opportunity: Opportunity) -> list[str]:
        return [rule.local_authority for rule in opportunity.area_rules.all()]

    def get_stages(self, opportunity: Opportunity) -> list[str]:
        return [rule.stage for rule in opportunity.stage_rules.all()]


class FunderField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Organisation.objects.all()


class OpportunityInputSerializer(StrictInputSerializer):
    """Shape of an opportunity write. A partner may leave ``funder`` out (its own organisation is
    the funder); staff must give it. Rules between fields (amount range, dates, rolling) are
    judged by the service, which reports every problem at once on its field."""

    funder = FunderField(required=False, help_text="The funder's organisation id. Partners: your own, or leave out.")
    link = StrictCharField(max_length=500, validators=[validate_web_address], help_text="The funder's page.")
    # Lists of choices; an unknown value is an error on the list's own name (not "sectors.0").
    sectors = StrictMultipleChoiceField(
        choices=Sector.choices, required=False, help_text="Sectors it is for; empty: any sector."
    )
    boroughs = StrictMultipleChoiceField(
        choices=BOROUGHS, required=False, help_text="WMCA boroughs it is limited to; empty: anywhere."
    )
    stages = StrictMultipleChoiceField(
        choices=Stage.choices, required=False, help_text="Firm stages it is for; empty: any stage."
    )

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        for key in ("sectors", "boroughs", "stages"):
            if key in values:
                values[key] = sorted(values[key])  # a set from MultipleChoiceField
        return values

    class Meta:
        model = Opportunity
        fields = [
            "funder",
            "title",
            "kind",
            "summary",
            "amount_min_gbp",
            "amount_max_gbp",
            "opens_on",
            "closes_on",
            "rolling",
            "eligibility",
            "sectors",
            "boroughs",
            "stages",
            "firm_age_min_years",
            "firm_age_max_years",
            "headcount_min",
            "headcount_max",
            "link",
        ]
