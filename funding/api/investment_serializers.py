"""Serializers of the investments API: they validate shape; ``funding.investment_submissions``
finds the ids and ``funding.investment_services`` decide."""

from django_countries import countries
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from portal.rest.fields import StrictBooleanField, StrictInputSerializer, StrictIntegerField

from ..investment_querysets import HOME_COUNTRY
from ..investment_rules import MAX_INVESTORS
from ..models import Investment, InvestmentInvestor

REACH_CHOICES = [
    ("domestic", "Led by an investor based in the UK"),
    ("international", "Led by an investor based abroad"),
    ("unknown", "No lead investor recorded"),
]


class OrganisationReferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    company_number = serializers.CharField(read_only=True, help_text="Companies House number; empty if none.")


class OpportunityReferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)


class InvestmentInvestorSerializer(serializers.ModelSerializer):
    organisation = OrganisationReferenceSerializer(source="investor", read_only=True)
    country = serializers.CharField(source="country.code", read_only=True, help_text="ISO 3166-1 alpha-2 code.")

    class Meta:
        model = InvestmentInvestor
        fields = ["organisation", "is_lead", "country"]
        read_only_fields = fields


class InvestmentSerializer(serializers.ModelSerializer):
    """A deal as partners and staff read it. Expects ``Investment.objects.for_list()``: the firm,
    opportunity, submitter and investors are loaded, so a page of deals runs a fixed number of
    queries."""

    url = serializers.HyperlinkedIdentityField(view_name="investment-detail")
    firm = OrganisationReferenceSerializer(read_only=True)
    stage = serializers.ChoiceField(
        choices=Investment.Stage.choices,
        allow_blank=True,
        read_only=True,
        help_text="The stage of an equity round; empty for other kinds, or when not known.",
    )
    opportunity = OpportunityReferenceSerializer(read_only=True, allow_null=True)
    investors = InvestmentInvestorSerializer(source="investor_rows", many=True, read_only=True)
    lead_country = serializers.SerializerMethodField(help_text="The lead investor's country; null: no lead recorded.")
    reach = serializers.SerializerMethodField(help_text="Domestic or international, by the lead investor's country.")
    submitted_by = OrganisationReferenceSerializer(
        read_only=True, allow_null=True, help_text="The partner organisation that submitted it through the API."
    )
    verified = serializers.BooleanField(source="is_verified", read_only=True, help_text="Checked by staff.")

    class Meta:
        model = Investment
        fields = [
            "id",
            "url",
            "firm",
            "kind",
            "stage",
            "amount_gbp",
            "announced_on",
            "title",
            "source",
            "opportunity",
            "investors",
            "lead_country",
            "reach",
            "origin",
            "submitted_by",
            "verified",
            "verified_at",
            "possible_duplicate_of",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "amount_gbp": {"help_text": "Whole pounds; null: the amount was not disclosed (never guessed)."},
            "announced_on": {"help_text": "The day the deal closed or the award was made."},
            "possible_duplicate_of": {
                "help_text": "The deal this one matches on firm, date, amount and kind, until staff clear the flag."
            },
        }

    def _lead(self, investment: Investment):
        # The investor rows are prefetched by for_list(): no query.
        return next((row for row in investment.investor_rows.all() if row.is_lead), None)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_lead_country(self, investment: Investment) -> str | None:
        lead = self._lead(investment)
        return lead.country.code if lead else None

    @extend_schema_field(serializers.ChoiceField(choices=REACH_CHOICES))
    def get_reach(self, investment: Investment) -> str:
        lead = self._lead(investment)
        if lead is None:
            return "unknown"
        return "domestic" if lead.country.code == HOME_COUNTRY else "international"


class InvestorInputSerializer(serializers.Serializer):
    organisation = StrictIntegerField(min_value=1, help_text="The investor's organisation id in the registry.")
    is_lead = StrictBooleanField(required=False, default=False, help_text="At most one investor is the lead.")
    country = serializers.ChoiceField(choices=list(countries), help_text="Where the investor is based (ISO 3166-1).")


class InvestmentInputSerializer(StrictInputSerializer):
    """Shape of a deal write. Rules between fields (a stage only for equity rounds, an amount
    above £0, a date up to today, a firm that is a firm, each investor once, at most one lead)
    are judged by the service, which reports every problem at once on its field."""

    firm = StrictIntegerField(min_value=1, help_text="The firm's organisation id in the registry.")
    opportunity = StrictIntegerField(
        min_value=1, required=False, allow_null=True, help_text="The listed funding opportunity it came through."
    )
    investors = InvestorInputSerializer(
        many=True, required=False, max_length=MAX_INVESTORS, help_text="Given, it replaces the deal's investors."
    )

    class Meta:
        model = Investment
        fields = ["firm", "kind", "stage", "amount_gbp", "announced_on", "title", "source", "opportunity", "investors"]
        extra_kwargs = {
            "amount_gbp": {
                "required": True,
                "allow_null": True,
                "help_text": "Whole pounds; send null when the amount was not disclosed.",
            },
        }

    def validate_investors(self, investors: list[dict]) -> list[dict]:
        # A PATCH is partial for the deal, never for an investor: each names its organisation and
        # country (DRF would otherwise skip missing fields of nested items in a partial update).
        required = ErrorDetail("This field is required.", code="required")
        errors = [
            {name: [required] for name in ("organisation", "country") if name not in entry} for entry in investors
        ]
        if any(errors):
            raise serializers.ValidationError(errors)
        return investors


class InvestmentBulkResultSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=1, help_text="Deals recorded.")
    flagged = serializers.IntegerField(min_value=0, help_text="Of them, deals flagged as possible duplicates.")
    results = InvestmentSerializer(many=True)
