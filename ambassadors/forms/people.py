"""Forms of the people pages: invitations, profiles, activities, briefings and staff changes to an
ambassador. They check the shape of what people type and report every problem at once; the
services decide and save."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django_countries import countries

from portal.forms import DateInputField, date_example
from portal.models import Organisation, Sector

from ..filters import AMBASSADOR_SECTORS
from ..models import Activity, Ambassador, Briefing, Lead
from ..services.briefings import briefing_file_errors

TEXT_LIMITS = {"city": 120, "expertise": 300, "languages": 200, "bio": 2000, "place": 200, "notes": 4000}


def _max(name: str, label: str) -> dict:
    return {"max_length": f"{label} must be {TEXT_LIMITS[name]:,} characters or fewer"}


class InvitationForm(forms.Form):
    full_name = forms.CharField(
        label="Full name",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the ambassador's full name",
            "max_length": "The name must be 200 characters or fewer",
        },
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the email address to send the invitation to",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "The email address must be 254 characters or fewer",
        },
    )


class ProfileForm(forms.Form):
    """The ambassador's own profile. Country and at least one sector are required."""

    country = forms.ChoiceField(
        label="Country",
        choices=[("", "Choose a country"), *countries],
        error_messages={
            "required": "Choose the country you live and work in",
            "invalid_choice": "Choose a country from the list",
        },
    )
    city = forms.CharField(label="City (optional)", max_length=120, required=False, error_messages=_max("city", "City"))
    sectors = forms.MultipleChoiceField(
        label="Sectors you cover",
        choices=AMBASSADOR_SECTORS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one sector you cover",
            "invalid_choice": "Choose sectors from the list",
        },
    )
    expertise = forms.CharField(
        label="Expertise (optional)", max_length=300, required=False, error_messages=_max("expertise", "Expertise")
    )
    languages = forms.CharField(
        label="Languages you speak (optional)",
        max_length=200,
        required=False,
        error_messages=_max("languages", "Languages"),
    )
    bio = forms.CharField(
        label="About you (optional)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages=_max("bio", "About you"),
    )
    public_profile = forms.BooleanField(label="Show my profile in the public directory", required=False)

    @classmethod
    def for_ambassador(cls, ambassador: Ambassador, data=None) -> ProfileForm:
        initial = {
            "country": ambassador.country.code or "",
            "city": ambassador.city,
            "sectors": ambassador.sector_codes,
            "expertise": ambassador.expertise,
            "languages": ambassador.languages,
            "bio": ambassador.bio,
            "public_profile": ambassador.public_profile,
        }
        return cls(data, initial=initial)

    def profile_data(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("country", "city", "expertise", "languages", "bio", "public_profile")
        }


class OrganisationLookupField(forms.CharField):
    """An organisation of the registry, typed as its Companies House number or its exact name."""

    def clean(self, value):
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        matches = list(
            Organisation.objects.filter(Q(company_number__iexact=text.replace(" ", "")) | Q(name__iexact=text))
            .order_by("pk")
            .only("pk", "name")[:2]
        )
        if not matches:
            raise forms.ValidationError(
                f"No organisation in the registry has the name or Companies House number “{text}”. "
                "Check it, or leave the box empty"
            )
        if len(matches) > 1:
            raise forms.ValidationError(
                f"More than one organisation is called “{text}”: give its Companies House number"
            )
        return matches[0]


class LeadChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Lead) -> str:
        return obj.name


class ActivityForm(forms.Form):
    """An activity of ``ambassador``; the lead is chosen from the ambassador's own leads only."""

    kind = forms.ChoiceField(
        label="What kind of activity was it?",
        choices=Activity.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what kind of activity it was",
            "invalid_choice": "Choose what kind of activity it was",
        },
    )
    occurred_on = DateInputField(
        name="The date of the activity", label="Date", error_messages={"required": "Enter the date of the activity"}
    )
    place = forms.CharField(
        label="Place (optional)", max_length=200, required=False, error_messages=_max("place", "Place")
    )
    reach = forms.IntegerField(
        label="Reach (optional)",
        required=False,
        min_value=0,
        max_value=100_000_000,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "invalid": "Enter the reach as a whole number, like 120",
            "min_value": "Reach must be 0 or more",
            "max_value": "Enter a reach of at most 100,000,000",
        },
    )
    notes = forms.CharField(
        label="Notes (optional)",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages=_max("notes", "Notes"),
    )
    organisation = OrganisationLookupField(
        label="Organisation involved (optional)",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    lead = LeadChoiceField(
        label="Lead it relates to (optional)",
        queryset=Lead.objects.none(),
        required=False,
        empty_label="None",
        error_messages={"invalid_choice": "Choose one of the leads you referred"},
    )

    def __init__(self, *args, ambassador: Ambassador, activity: Activity | None = None, **kwargs):
        if activity is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "kind": activity.kind,
                "occurred_on": activity.occurred_on,
                "place": activity.place,
                "reach": activity.reach,
                "notes": activity.notes,
                "organisation": (activity.organisation.company_number or activity.organisation.name)
                if activity.organisation
                else "",
                "lead": activity.lead_id,
            }
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = Lead.objects.filter(referred_by=ambassador).order_by("name").only("pk", "name")

    @property
    def occurred_on_hint(self) -> str:
        return f"Today or earlier, for example {date_example(days=-7)}"

    def activity_data(self) -> dict:
        return dict(self.cleaned_data)


class AmbassadorTermForm(forms.Form):
    """Staff: the ambassador's name and term dates."""

    full_name = forms.CharField(
        label="Full name",
        max_length=200,
        error_messages={
            "required": "Enter the ambassador's full name",
            "max_length": "The name must be 200 characters or fewer",
        },
    )
    term_starts_on = DateInputField(name="The start of the term", label="Term starts (optional)", required=False)
    term_ends_on = DateInputField(name="The end of the term", label="Term ends (optional)", required=False)

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("term_starts_on"), cleaned.get("term_ends_on")
        if starts and ends and ends < starts:
            self.add_error("term_ends_on", "The term must end on or after the day it starts")
        return cleaned


class BriefingForm(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages={"required": "Enter a title", "max_length": "The title must be 200 characters or fewer"},
    )
    body = forms.CharField(
        label="Briefing",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": "Enter the briefing's text",
            "max_length": "The briefing must be 20,000 characters or fewer",
        },
    )
    audience = forms.ChoiceField(
        label="Who is it for?",
        choices=Briefing.Audience.choices,
        widget=forms.RadioSelect,
        initial=Briefing.Audience.ALL,
        error_messages={
            "required": "Choose who the briefing is for",
            "invalid_choice": "Choose who the briefing is for",
        },
    )
    audience_country = forms.ChoiceField(
        label="Country (for ambassadors in one country)",
        choices=[("", "Choose a country"), *countries],
        required=False,
        error_messages={"invalid_choice": "Choose a country from the list"},
    )
    audience_sector = forms.ChoiceField(
        label="Sector (for ambassadors covering one sector)",
        choices=[("", "Choose a sector"), *((c, label) for c, label in Sector.choices if c != Sector.NON_TECH)],
        required=False,
        error_messages={"invalid_choice": "Choose a sector from the list"},
    )
    file = forms.FileField(
        label="File (optional)",
        required=False,
        error_messages={"invalid": "Choose a file to upload", "empty": "The file is empty"},
    )

    def clean(self):
        cleaned = super().clean()
        audience = cleaned.get("audience")
        if (
            audience == Briefing.Audience.COUNTRY
            and not cleaned.get("audience_country")
            and "audience_country" not in self.errors
        ):
            self.add_error("audience_country", "Choose the country whose ambassadors the briefing is for")
        if (
            audience == Briefing.Audience.SECTOR
            and not cleaned.get("audience_sector")
            and "audience_sector" not in self.errors
        ):
            self.add_error("audience_sector", "Choose the sector whose ambassadors the briefing is for")
        if cleaned.get("file"):
            for message in briefing_file_errors(cleaned["file"]):
                self.add_error("file", message)
        return cleaned
