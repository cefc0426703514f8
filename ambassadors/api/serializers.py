"""Serializers of the people part of the ambassadors API: public profiles (nothing private: no
account, status, term or contact) and an ambassador's activities."""

from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from portal.models import Organisation

from ..filters import AMBASSADOR_SECTORS
from ..models import Activity, Ambassador, Lead


class AmbassadorSerializer(serializers.ModelSerializer):
    """A public profile. Expects ``Ambassador.objects.public().for_directory()`` rows."""

    url = serializers.HyperlinkedIdentityField(view_name="ambassador-detail")
    country = CountryField(read_only=True, help_text="ISO 3166-1 alpha-2 code; empty when not given.")
    country_name = serializers.CharField(source="country.name", read_only=True)
    sectors = serializers.ListField(
        source="sector_codes",
        child=serializers.ChoiceField(choices=AMBASSADOR_SECTORS),
        read_only=True,
        help_text="The tech sectors the ambassador covers.",
    )
    profile_page = serializers.SerializerMethodField(help_text="The profile's page in the public directory.")

    class Meta:
        model = Ambassador
        fields = [
            "id",
            "url",
            "full_name",
            "country",
            "country_name",
            "city",
            "sectors",
            "expertise",
            "languages",
            "bio",
            "profile_page",
        ]
        read_only_fields = fields

    def get_profile_page(self, obj: Ambassador) -> str:
        from django.urls import reverse

        path = reverse("ambassadors:directory-profile", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ActivitySerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="ambassador-activity-detail")
    ambassador_name = serializers.CharField(source="ambassador.full_name", read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "url",
            "ambassador",
            "ambassador_name",
            "kind",
            "occurred_on",
            "place",
            "reach",
            "notes",
            "organisation",
            "lead",
            "created_at",
        ]
        read_only_fields = fields


class ActivityInputSerializer(serializers.Serializer):
    """What an ambassador sends to log or change an activity. ``lead`` is one of their own leads
    (any other id does not exist for them); the service checks the date and the rest."""

    kind = serializers.ChoiceField(choices=Activity.Kind.choices)
    occurred_on = serializers.DateField(help_text="Today or earlier, from 1 January 2000.")
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    reach = serializers.IntegerField(min_value=0, max_value=100_000_000, required=False, allow_null=True, default=None)
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True, default=None
    )
    lead = serializers.PrimaryKeyRelatedField(
        queryset=Lead.objects.none(), required=False, allow_null=True, default=None
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["lead"].queryset = Lead.objects.visible_to(request.user).filter(referred_by__user=request.user)
