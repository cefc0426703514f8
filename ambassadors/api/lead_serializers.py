"""Serializers of the leads API. They check the shape of what is sent (types, lists, formats);
``ambassadors.services.leads`` decides the rest (what a stage requires, values 0 or more, a
landing date in the past), with the same messages as the pages."""

from collections.abc import Mapping

from django_countries import countries
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from portal.models import Sector
from portal.rest.fields import StrictCharField, StrictIntegerField

from ..lead_filters import staff_users
from ..models import Ambassador, Lead, LeadChange

COUNT_NAMES = {"expected_jobs": "jobs expected", "new_jobs": "new jobs", "safeguarded_jobs": "safeguarded jobs"}
MONEY_NAMES = {"expected_capital": "capital expected", "capital_invested": "capital invested"}


class BlankAsNullChoiceField(serializers.ChoiceField):
    """A choice the lead may not have yet (stored empty), shown as null."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value):
        return None if value in ("", None) else super().to_representation(value)


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.full_name or user.email


class LeadAmbassadorSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    full_name = serializers.CharField(read_only=True)


class LeadFirmSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    company_number = serializers.CharField(read_only=True)


class LeadChangeSerializer(serializers.ModelSerializer):
    from_stage = BlankAsNullChoiceField(
        choices=Lead.Stage.choices, help_text="Null on the first entry, when the lead was recorded."
    )
    to_stage = serializers.ChoiceField(choices=Lead.Stage.choices, read_only=True)
    changed_by = PersonSerializer(read_only=True, allow_null=True, help_text="Null for a change the portal made.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField(allow_blank=True), min_length=2, max_length=2),
        read_only=True,
        help_text='The fields that changed, each as [before, after] in words, e.g. {"expected_jobs": ["40", "55"]}.',
    )

    class Meta:
        model = LeadChange
        fields = ["changed_at", "changed_by", "from_stage", "to_stage", "reason", "fields"]
        read_only_fields = fields


class LeadSerializer(serializers.ModelSerializer):
    """A lead as staff and its referring ambassador see it. Expects ``LeadViewSet``'s queryset
    (the people and the firm joined, the history prefetched)."""

    url = serializers.HyperlinkedIdentityField(view_name="lead-detail")
    origin_country = serializers.CharField(read_only=True, help_text="ISO 3166-1 alpha-2 code; empty if not known.")
    stage = serializers.ChoiceField(choices=Lead.Stage.choices, read_only=True)
    kind = BlankAsNullChoiceField(choices=Lead.Kind.choices, help_text="Null until the lead is qualified.")
    sector = BlankAsNullChoiceField(choices=Sector.choices, help_text="Null until the lead is qualified.")
    referred_by = LeadAmbassadorSerializer(read_only=True, allow_null=True)
    owner = PersonSerializer(read_only=True, allow_null=True)
    organisation = LeadFirmSerializer(
        read_only=True, allow_null=True, help_text="The firm in the organisation registry, once landed."
    )
    expected_capital = serializers.DecimalField(
        max_digits=14, decimal_places=2, coerce_to_string=False, read_only=True, allow_null=True
    )
    capital_invested = serializers.DecimalField(
        max_digits=14, decimal_places=2, coerce_to_string=False, read_only=True, allow_null=True
    )
    history = LeadChangeSerializer(source="changes", many=True, read_only=True)

    class Meta:
        model = Lead
        fields = [
            "id",
            "url",
            "name",
            "company_number",
            "summary",
            "stage",
            "kind",
            "sector",
            "origin_country",
            "referred_by",
            "owner",
            "expected_jobs",
            "expected_capital",
            "new_jobs",
            "safeguarded_jobs",
            "capital_invested",
            "landed_on",
            "organisation",
            "lost_reason",
            "competing_location",
            "version",
            "created_at",
            "updated_at",
            "history",
        ]
        read_only_fields = fields
        extra_kwargs = {"version": {"help_text": "Send it back with a change: a lead changed since is refused (409)."}}


def _count(field: str) -> StrictIntegerField:
    return StrictIntegerField(
        required=False,
        allow_null=True,
        error_messages={"invalid": f"Enter the number of {COUNT_NAMES[field]} as a whole number, like 25"},
    )


def _money(field: str) -> serializers.DecimalField:
    name = MONEY_NAMES[field]
    return serializers.DecimalField(
        max_digits=16,
        decimal_places=4,
        required=False,
        allow_null=True,
        coerce_to_string=False,
        error_messages={
            "invalid": f"Enter the {name} as an amount in pounds, like 2500000 or 2500000.50",
            "max_digits": f"Enter the {name} as less than £1,000,000,000,000",
            "max_whole_digits": f"Enter the {name} as less than £1,000,000,000,000",
            "max_decimal_places": f"Enter the {name} in pounds and pence, with at most 2 decimal places",
        },
    )


def _choice(choices, message: str) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=choices, required=False, allow_blank=True, error_messages={"invalid_choice": message}
    )


class LeadReferInputSerializer(serializers.Serializer):
    """What an ambassador sends to refer a lead; staff may also send the fields of
    ``LeadCreateInputSerializer``. Only ``name`` is required."""

    name = StrictCharField(max_length=200, error_messages={"blank": "Enter the company's name"})
    company_number = StrictCharField(max_length=20, required=False, allow_blank=True)
    summary = StrictCharField(required=False, allow_blank=True)
    origin_country = _choice(list(countries), "Choose the country the company comes from from the list")
    sector = _choice(Sector.choices, "Choose the company's sector from the list")
    kind = _choice(Lead.Kind.choices, "Choose the type of investment from the list")


class _LeadFieldsSerializer(serializers.Serializer):
    """Every lead field staff may set, none required (a stage's rules say what must be given)."""

    name = StrictCharField(max_length=200, required=False, allow_blank=True)
    company_number = StrictCharField(max_length=20, required=False, allow_blank=True)
    summary = StrictCharField(required=False, allow_blank=True)
    origin_country = _choice(list(countries), "Choose the country the company comes from from the list")
    sector = _choice(Sector.choices, "Choose the company's sector from the list")
    kind = _choice(Lead.Kind.choices, "Choose the type of investment from the list")
    referred_by = serializers.PrimaryKeyRelatedField(
        queryset=Ambassador.objects.exclude(status=Ambassador.Status.INVITED),
        required=False,
        allow_null=True,
        help_text="The id of the ambassador the lead is credited to.",
        error_messages={"does_not_exist": "Choose an ambassador who has accepted their invitation"},
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=staff_users(),
        required=False,
        allow_null=True,
        help_text="The id of the member of staff who owns the lead.",
        error_messages={"does_not_exist": "Choose a member of commissioner staff to own the lead"},
    )
    expected_jobs = _count("expected_jobs")
    expected_capital = _money("expected_capital")
    new_jobs = _count("new_jobs")
    safeguarded_jobs = _count("safeguarded_jobs")
    capital_invested = _money("capital_invested")
    landed_on = serializers.DateField(
        required=False,
        allow_null=True,
        error_messages={"invalid": "Enter the date the investment landed as YYYY-MM-DD, like 2026-03-31"},
    )
    lost_reason = StrictCharField(required=False, allow_blank=True)
    competing_location = StrictCharField(max_length=200, required=False, allow_blank=True)

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        if values.get("origin_country") is None and "origin_country" in values:
            values["origin_country"] = ""
        return values


class LeadCreateInputSerializer(_LeadFieldsSerializer):
    """What staff send to record a lead; ``name`` is required."""

    name = StrictCharField(max_length=200, error_messages={"blank": "Enter the company's name"})


# The fields of a lead only staff set: an ambassador's referral that sends one is refused, not
# stored without it, so nobody believes they recorded what was dropped.
STAFF_ONLY_FIELDS = frozenset(LeadCreateInputSerializer().fields) - frozenset(LeadReferInputSerializer().fields)
STAFF_ONLY_MESSAGE = "Only commissioner staff set this: leave it out of a referral."
STAFF_ONLY_CODE = "staff_only"


class AmbassadorReferInputSerializer(LeadReferInputSerializer):
    """An ambassador's referral through the API: the fields of ``LeadReferInputSerializer`` and
    none of the staff-only ones, each of which is a field error."""

    def to_internal_value(self, data):
        refused = {}
        if isinstance(data, Mapping):
            refused = {
                field: [ErrorDetail(STAFF_ONLY_MESSAGE, code=STAFF_ONLY_CODE)]
                for field in sorted(STAFF_ONLY_FIELDS.intersection(data))
            }
        try:
            values = super().to_internal_value(data)
        except serializers.ValidationError as error:
            raise serializers.ValidationError({**refused, **error.detail}) from error
        if refused:
            raise serializers.ValidationError(refused)
        return values


class LeadUpdateInputSerializer(_LeadFieldsSerializer):
    """Staff change a lead's details without moving it: the fields to change, and the ``version``
    read. The lead must still hold what its stage requires."""

    version = StrictIntegerField(help_text="The lead's version when it was read.")
    reason = StrictCharField(required=False, allow_blank=True, help_text="Why, kept in the history.")


class LeadMoveInputSerializer(_LeadFieldsSerializer):
    """Staff move a lead to ``stage``, with the fields that stage requires and the ``version``
    read. Reopening a landed or lost lead (to ``active``) needs a ``reason``."""

    stage = serializers.ChoiceField(choices=Lead.Stage.choices, help_text="The stage to move the lead to.")
    version = StrictIntegerField(help_text="The lead's version when it was read.")
    reason = StrictCharField(required=False, allow_blank=True, help_text="Why, kept in the history and emailed.")


# Fields of the inputs that are not lead fields.
NOT_LEAD_FIELDS = {"stage", "version", "reason"}


def lead_data(validated: dict, *, allowed=None) -> dict:
    """The lead fields of validated input, as the services take them."""
    return {k: v for k, v in validated.items() if k not in NOT_LEAD_FIELDS and (allowed is None or k in allowed)}
